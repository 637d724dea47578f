import { randomBytes } from 'node:crypto';
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { Ctx } from '../../platform/auth/actor.ts';
import { can, requirePermission } from '../../platform/auth/scope.ts';
import type { Tx } from '../../platform/db/client.ts';
import { newId } from '../../platform/db/columns.ts';
import { AppError, invalid } from '../../platform/http/errors.ts';
import { activePerson, activeUnit } from '../../platform/org/directory.ts';
import { dayIn, tenantZone } from '../../platform/org/calendar.ts';
import { resubmitInTx } from '../../platform/workflow/decide.ts';
import { latestFlowFor, startFlow } from '../../platform/workflow/engine.ts';
import { checkQualificationTx } from '../training/qualification.ts';
import { ensurePermitConfig, gradeConfig, rulesOf, rulesSnapshot } from './config.ts';
import type { PermitConfig } from './defaults.ts';
import { armExpiry, stopPermitTimers } from './jobs.ts';
import { permitPermissions as P } from './permissions.ts';
import { validityProblem } from './rules.ts';
import { permitCounters, permitMeasures, permits, permitStatusHistory, permitWorkers, type JsaItem, type PermitType, type WorkerRole } from './schema.ts';
import { assertCan, checkVersion, loadPermit, recordPermit, refused, transition, uploadedFile, versionConflict, type PermitRow } from './store.ts';

/** Application of a permit: create (draft), confirm its measures, submit into the approval flow, cancel. */

export interface WorkerInput {
  personId: string;
  role: WorkerRole;
  certificateNo?: string | null;
}

export interface CreatePermitInput {
  type: PermitType;
  grade: string;
  orgUnitId: string;
  location: string;
  content: string;
  validFrom: string;
  validUntil: string;
  workUnit?: string | null;
  guardianPersonId: string;
  workers: WorkerInput[];
  relatedPermitIds?: string[];
  jsa?: JsaItem[];
  fields?: Record<string, unknown>;
  /** Responsible person per measure code; default the applicant (作业负责人). */
  measureResponsibles?: Record<string, string>;
}

function dateOf(s: string, field: string): Date {
  const d = new Date(s);
  if (Number.isNaN(d.getTime())) throw invalid(field, 'format', `${field}: an ISO date-time`);
  return d;
}

/** GB 30871-2022 5.1.5 etc.: the window may not be longer than the type's and grade's limit. */
function checkWindow(config: PermitConfig, type: PermitType, grade: string, from: Date, until: Date): void {
  const g = gradeConfig(config, type, grade);
  const problem = validityProblem(from, until, g.maxValidityHours);
  if (problem) {
    const t = config.types[type];
    const what = `${g.code === 'none' ? '' : `grade ${g.code} `}${t.nameEn.toLowerCase()} permit`;
    const tooLong = problem.includes('at most');
    throw invalid('validUntil', tooLong ? 'max' : 'min', tooLong ? `validUntil: at most ${g.maxValidityHours} h for a ${what}` : problem);
  }
}

function checkFields(config: PermitConfig, type: PermitType, fields: Record<string, unknown>): void {
  for (const k of config.types[type].requiredFields) {
    const v = fields[k];
    if (v === undefined || v === null || (typeof v === 'string' && v.trim() === '')) throw invalid(`fields.${k}`, 'required', `fields.${k}: required for a ${config.types[type].nameEn.toLowerCase()} permit`);
  }
}

async function nextNumber(tx: Tx, tenantId: string, prefix: string, year: number): Promise<string> {
  const [row] = await tx
    .insert(permitCounters)
    .values({ tenantId, prefix, year, last: 1 })
    .onConflictDoUpdate({ target: [permitCounters.tenantId, permitCounters.prefix, permitCounters.year], set: { last: sql`${permitCounters.last} + 1` } })
    .returning({ last: permitCounters.last });
  return `ZY-${prefix}-${year}-${String(row!.last).padStart(4, '0')}`;
}

export interface WorkerRefusal {
  personId: string;
  index: number;
  reasons: { code: string; detail: string }[];
}

/**
 * Special-operation workers (role `worker`) must hold a valid certificate for the operation (4.9): asked
 * through training's qualification check, in this transaction (each check is audited there). Returns the
 * answers by person; refuses with every worker's reasons when any is not qualified.
 */
export async function checkWorkers(tx: Tx, ctx: Ctx, config: PermitConfig, type: PermitType, workers: { personId: string; role: WorkerRole }[]): Promise<Map<string, Record<string, unknown>>> {
  const answers = new Map<string, Record<string, unknown>>();
  if (!config.types[type].checkWorkerQualification) return answers;
  const refusals: WorkerRefusal[] = [];
  for (const [index, w] of workers.entries()) {
    if (w.role !== 'worker') continue;
    const r = await checkQualificationTx(tx, ctx, { personId: w.personId, target: { kind: 'operation', key: type } });
    answers.set(w.personId, { allowed: r.allowed, checkedOn: r.checkedOn, reasons: r.reasons.map((x) => ({ code: x.code, detail: x.detail })) });
    if (!r.allowed) refusals.push({ personId: w.personId, index, reasons: r.reasons.map((x) => ({ code: x.code, detail: x.detail })) });
  }
  if (refusals.length > 0) {
    const first = refusals[0]!;
    throw refused('worker_not_qualified', `workers.${first.index}: ${first.reasons.map((r) => r.detail).join('; ')}`, { workers: refusals });
  }
  return answers;
}

async function checkPeople(tx: Tx, tenantId: string, input: Pick<CreatePermitInput, 'guardianPersonId' | 'workers'>): Promise<void> {
  await activePerson(tx, tenantId, input.guardianPersonId, 'guardianPersonId');
  if (input.workers.length === 0) throw invalid('workers', 'minItems', 'workers: at least one person');
  const seen = new Set<string>();
  for (const [i, w] of input.workers.entries()) {
    await activePerson(tx, tenantId, w.personId, `workers.${i}.personId`);
    // 4.10: the guardian must not do other work, so never works on the permit they watch.
    if (w.personId === input.guardianPersonId) throw invalid(`workers.${i}.personId`, 'guardian', `workers.${i}.personId: the guardian cannot also work on the permit`);
    const k = `${w.personId}:${w.role}`;
    if (seen.has(k)) throw invalid(`workers.${i}`, 'unique', `workers.${i}: listed twice with role ${w.role}`);
    seen.add(k);
  }
}

async function checkRelated(tx: Tx, tenantId: string, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  const rows = await tx
    .select({ id: permits.id })
    .from(permits)
    .where(and(eq(permits.tenantId, tenantId), inArray(permits.id, ids)));
  const known = new Set(rows.map((r) => r.id));
  const missing = ids.find((id) => !known.has(id));
  if (missing) throw invalid('relatedPermitIds', 'exists', `relatedPermitIds: no permit ${missing}`);
}

export async function createPermit(ctx: Ctx, input: CreatePermitInput): Promise<PermitRow> {
  requirePermission(ctx.actor, P.apply);
  const userId = ctx.actor.userId;
  if (!userId) throw new AppError('forbidden', 'permits are applied for by a signed-in user');
  const from = dateOf(input.validFrom, 'validFrom');
  const until = dateOf(input.validUntil, 'validUntil');
  return ctx.db.tx(async (tx) => {
    const tenantId = ctx.actor.tenantId;
    const configRow = await ensurePermitConfig(tx, ctx);
    const { config } = configRow;
    const grade = gradeConfig(config, input.type, input.grade);
    checkWindow(config, input.type, input.grade, from, until);
    const fields = input.fields ?? {};
    checkFields(config, input.type, fields);
    await activeUnit(tx, tenantId, input.orgUnitId, 'orgUnitId');
    await checkPeople(tx, tenantId, input);
    const related = [...new Set(input.relatedPermitIds ?? [])];
    await checkRelated(tx, tenantId, related);
    const responsibleDefault = ctx.actor.personId ?? input.guardianPersonId;
    for (const [code, personId] of Object.entries(input.measureResponsibles ?? {})) {
      if (!grade.measures.some((m) => m.code === code)) throw invalid(`measureResponsibles.${code}`, 'enum', `measureResponsibles.${code}: no such measure for this type and grade`);
      await activePerson(tx, tenantId, personId, `measureResponsibles.${code}`);
    }
    const answers = await checkWorkers(tx, ctx, config, input.type, input.workers);
    const now = ctx.now();
    const { timeZone } = await tenantZone(tx, tenantId);
    const number = await nextNumber(tx, tenantId, config.types[input.type].prefix, Number(dayIn(from, timeZone).slice(0, 4)));
    const [row] = await tx
      .insert(permits)
      .values({
        id: newId(),
        tenantId,
        orgUnitId: input.orgUnitId,
        createdAt: now,
        createdBy: ctx.actor.userId,
        updatedAt: now,
        updatedBy: ctx.actor.userId,
        number,
        type: input.type,
        grade: input.grade,
        location: input.location.trim(),
        content: input.content.trim(),
        fields,
        validFrom: from,
        validUntil: until,
        originalValidUntil: until,
        applicantUserId: userId,
        applicantPersonId: ctx.actor.personId,
        workUnit: input.workUnit?.trim() || null,
        guardianPersonId: input.guardianPersonId,
        relatedPermitIds: related,
        jsa: input.jsa ?? [],
        qrToken: randomBytes(18).toString('base64url'),
        rules: rulesSnapshot(configRow, input.type, input.grade) as unknown as Record<string, unknown>,
      })
      .returning();
    const p = row!;
    await tx.insert(permitWorkers).values(
      input.workers.map((w) => ({ id: newId(), tenantId, permitId: p.id, personId: w.personId, role: w.role, certificateNo: w.certificateNo?.trim() || null, qualification: answers.get(w.personId) ?? null, addedAt: now, addedBy: ctx.actor.userId })),
    );
    if (grade.measures.length > 0) {
      const lang = ctx.locale === 'en' ? 'en' : 'zh';
      await tx.insert(permitMeasures).values(
        grade.measures.map((m, i) => ({ id: newId(), tenantId, permitId: p.id, seq: i + 1, code: m.code, text: m[lang], responsiblePersonId: input.measureResponsibles?.[m.code] ?? responsibleDefault })),
      );
    }
    await tx.insert(permitStatusHistory).values({ id: newId(), tenantId, permitId: p.id, fromStatus: null, toStatus: 'draft', at: now, byUserId: ctx.actor.userId });
    await recordPermit(tx, ctx, 'created', null, p, { workers: input.workers.length });
    // The permit expires at the end of its window whatever state it reached by then.
    await armExpiry(tx, p);
    return p;
  });
}

export interface ConfirmMeasureInput {
  applicable: boolean;
  signatureFileId: string;
}

/** 是否涉及 + 确认人: the measure's responsible person confirms it with a handwritten signature. */
export async function confirmMeasure(ctx: Ctx, permitId: string, measureId: string, input: ConfirmMeasureInput): Promise<void> {
  requirePermission(ctx.actor, P.read);
  await ctx.db.tx(async (tx) => {
    const p = await loadPermit(tx, ctx.actor, permitId, { forUpdate: true });
    if (p.status !== 'draft' && p.status !== 'gas_tested') throw new AppError('conflict', `permit ${p.number} is ${p.status}; measures are confirmed before submitting`, { extra: { permitStatus: p.status } });
    const [m] = await tx
      .select()
      .from(permitMeasures)
      .where(and(eq(permitMeasures.tenantId, p.tenantId), eq(permitMeasures.permitId, p.id), eq(permitMeasures.id, measureId)))
      .for('update');
    if (!m) throw new AppError('not_found', 'measure not found');
    if (ctx.actor.personId !== m.responsiblePersonId) throw new AppError('forbidden', 'only the responsible person of this measure confirms it', { extra: { responsiblePersonId: m.responsiblePersonId } });
    const sig = await uploadedFile(tx, p.tenantId, input.signatureFileId, 'signatureFileId', 'image');
    const now = ctx.now();
    await tx
      .update(permitMeasures)
      .set({ applicable: input.applicable, confirmedAt: now, confirmedBy: ctx.actor.userId, signatureFileId: sig.id, signatureSha256: sig.sha256 })
      .where(eq(permitMeasures.id, m.id));
    const [after] = await tx
      .update(permits)
      .set({ version: p.version + 1, updatedAt: now, updatedBy: ctx.actor.userId })
      .where(and(eq(permits.id, p.id), eq(permits.version, p.version)))
      .returning();
    if (!after) throw versionConflict(p.version + 1);
    await recordPermit(tx, ctx, 'measure_confirmed', p, after, { measureId: m.id, code: m.code, applicable: input.applicable, signatureFileId: sig.id, signatureSha256: sig.sha256 });
  });
}

/**
 * Submits into the approval flow of the type (branching on grade). Refused while a required gas analysis
 * is missing, a measure is unconfirmed, a worker is no longer qualified or the window has ended.
 */
export async function submitPermit(ctx: Ctx, permitId: string, version: number | undefined): Promise<PermitRow> {
  requirePermission(ctx.actor, P.apply);
  return ctx.db.tx(async (tx) => {
    const p = await loadPermit(tx, ctx.actor, permitId, { forUpdate: true });
    checkVersion(p, version);
    if (p.applicantUserId !== ctx.actor.userId) throw new AppError('forbidden', 'only the applicant submits the permit');
    assertCan(p, 'submit');
    const { config } = await ensurePermitConfig(tx, ctx);
    const t = config.types[p.type];
    // After a send-back to the applicant the flow waits for a resubmission: the same flow goes on (its
    // history stays in one place), and its onResubmitted handler runs the checks below and moves the permit.
    const latest = p.flowInstanceId ? await latestFlowFor(tx, p.tenantId, 'permit', p.id) : null;
    if (latest && latest.status === 'sent_back') {
      await resubmitInTx(tx, ctx, latest.id, { version: latest.version, form: { type: p.type, grade: p.grade, orgUnitId: p.orgUnitId } });
      const [row] = await tx.select().from(permits).where(eq(permits.id, p.id));
      return row!;
    }
    await submitChecks(tx, ctx, config, p);
    const after = await transition(tx, ctx, p, 'submit', { event: 'submitted' });
    const flow = await startFlow(tx, ctx, {
      key: t.flowKey,
      subjectType: 'permit',
      subjectId: p.id,
      applicantId: ctx.actor.userId!,
      form: { type: p.type, grade: p.grade, orgUnitId: p.orgUnitId },
      title: `${t.nameZh}票 ${p.number}`,
      summary: `${p.location}：${p.content}`.slice(0, 1000),
    });
    await tx.update(permits).set({ flowInstanceId: flow.id }).where(eq(permits.id, p.id));
    // The flow may have finished at once (a branch without approvers): the handler moved the permit on.
    const [now] = await tx.select().from(permits).where(eq(permits.id, p.id));
    return now ?? after;
  });
}

/**
 * What submitting (and resubmitting after a send-back) needs: a passing gas analysis where the grade asks
 * for one, every measure confirmed and signed, workers still qualified, the window not over.
 */
export async function submitChecks(tx: Tx, ctx: Ctx, config: PermitConfig, p: PermitRow): Promise<void> {
  const grade = rulesOf(config, p).grade;
  if (grade.gasTestRequired && p.status === 'draft') throw refused('gas_test_missing', 'a passing gas analysis is needed before submitting');
  if (p.validUntil.getTime() <= ctx.now().getTime()) throw refused('validity_ended', 'the permit window has already ended');
  const open = await tx
    .select({ code: permitMeasures.code, seq: permitMeasures.seq })
    .from(permitMeasures)
    .where(and(eq(permitMeasures.tenantId, p.tenantId), eq(permitMeasures.permitId, p.id), sql`${permitMeasures.confirmedAt} IS NULL`))
    .orderBy(asc(permitMeasures.seq));
  if (open.length > 0) throw refused('measure_unconfirmed', `measures ${open.map((m) => m.seq).join(', ')} are not confirmed and signed by their responsible person`, { measures: open.map((m) => m.code) });
  const workers = await tx.select().from(permitWorkers).where(and(eq(permitWorkers.tenantId, p.tenantId), eq(permitWorkers.permitId, p.id)));
  // A certificate may have lapsed since the application: asked again at submit.
  await checkWorkers(tx, ctx, config, p.type, workers);
}

/** Cancels a permit that is not under approval, active or finished (the applicant or a supervisor). */
export async function cancelPermit(ctx: Ctx, permitId: string, input: { reason: string; version?: number }): Promise<PermitRow> {
  requirePermission(ctx.actor, P.read);
  return ctx.db.tx(async (tx) => {
    const p = await loadPermit(tx, ctx.actor, permitId, { forUpdate: true });
    checkVersion(p, input.version);
    if (p.applicantUserId !== ctx.actor.userId && !can(ctx.actor, P.manage)) throw new AppError('forbidden', `only the applicant or a holder of ${P.manage} cancels a permit`);
    const after = await transition(tx, ctx, p, 'cancel', { event: 'cancelled', reason: input.reason.trim(), set: { cancelReason: input.reason.trim() } });
    await stopPermitTimers(tx, after, ctx.now());
    return after;
  });
}
