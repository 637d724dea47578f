import { and, eq, inArray } from 'drizzle-orm';
import { recordChange } from '../../platform/audit/record.ts';
import type { Ctx } from '../../platform/auth/actor.ts';
import { assertInScope, requirePermission } from '../../platform/auth/scope.ts';
import type { Tx } from '../../platform/db/client.ts';
import { AppError, invalid, notFound } from '../../platform/http/errors.ts';
import { dayIn, tenantZone } from '../../platform/org/calendar.ts';
import { categoryLabel, loadTypes, type CertificateTypeRow, type RequirementRow } from './defaults.ts';
import { loadPersonRow, unitChain } from '../../platform/org/directory.ts';
import { reasonTexts, type Locale, type Text } from './messages.ts';
import { trainingPermissions as P } from './permissions.ts';
import { certificates, courses, inductions, qualificationStates, requirements, type RequirementTargetKind } from './schema.ts';
import { recordIn, type WriteCtx } from './record.ts';
import { certificateCounts } from './status.ts';
import { courseDaysOf, evaluateCell, gatedTargets, gatingRows, isGap, type PositionRequirementRow } from './matrix.ts';

/**
 * The qualification check (issue 7): may this person do this operation, operate this equipment or enter
 * this area today? Requirements are tenant data (training_requirements); every check is audited; a change
 * of the answer for a configured target is announced as `qualification.changed`.
 */

/** GB 30871-2022 operation types (reference §1.1). */
export const operationTypes = ['hot_work', 'confined_space', 'blinding', 'height', 'lifting', 'temp_power', 'excavation', 'road_closure'] as const;
export type OperationType = (typeof operationTypes)[number];

export const reasonCodes = ['certificate_missing', 'certificate_expired', 'certificate_review_overdue', 'certificate_revoked', 'course_missing', 'course_expired', 'induction_incomplete'] as const;
export type ReasonCode = (typeof reasonCodes)[number];

export interface QualificationTarget {
  kind: RequirementTargetKind;
  key: string;
}

export interface QualificationReason {
  code: ReasonCode;
  detail: string;
  certificateId?: string;
  requirementId?: string;
  /** The required-training matrix row (position requirement) behind a reason. */
  matrixRequirementId?: string;
  courseId?: string;
}

export interface QualificationResult {
  allowed: boolean;
  personId: string;
  target: string;
  /** The day (tenant time zone) the answer is for. */
  checkedOn: string;
  reasons: QualificationReason[];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const KEY = /^[A-Za-z0-9_.-]{1,100}$/;

/** `operation:hot_work`, `equipment:forklift` (a kind or an equipment id), `area:<org unit id>`. */
export function parseTarget(raw: string): QualificationTarget {
  const i = raw.indexOf(':');
  const kind = i > 0 ? raw.slice(0, i) : '';
  const key = i > 0 ? raw.slice(i + 1) : '';
  if (kind === 'operation') {
    if (!(operationTypes as readonly string[]).includes(key)) throw invalid('for', 'enum', `for: operation must be one of ${operationTypes.join(', ')}`);
    return { kind, key };
  }
  if (kind === 'equipment') {
    if (!KEY.test(key)) throw invalid('for', 'pattern', 'for: equipment:<kind or id>, 1 to 100 letters, digits, . _ -');
    return { kind, key };
  }
  if (kind === 'area') {
    if (!UUID.test(key)) throw invalid('for', 'format', 'for: area:<org unit id> (a UUID)');
    return { kind, key: key.toLowerCase() };
  }
  throw invalid('for', 'pattern', 'for: operation:<type>, equipment:<kind or id> or area:<org unit id>');
}

export const targetString = (t: QualificationTarget) => `${t.kind}:${t.key}`;

async function requirementsFor(tx: Tx, tenantId: string, target: QualificationTarget): Promise<RequirementRow[]> {
  if (target.kind !== 'area') {
    return tx
      .select()
      .from(requirements)
      .where(and(eq(requirements.tenantId, tenantId), eq(requirements.active, true), eq(requirements.targetKind, target.kind), eq(requirements.targetKey, target.key)));
  }
  // Entering an area also needs what the areas above it need (a workshop's rule covers its teams).
  const chain = await unitChain(tx, tenantId, target.key);
  if (chain.length === 0) throw notFound('area');
  return tx
    .select()
    .from(requirements)
    .where(
      and(
        eq(requirements.tenantId, tenantId),
        eq(requirements.active, true),
        eq(requirements.targetKind, 'area'),
        inArray(
          requirements.targetKey,
          chain.map((u) => u.id),
        ),
      ),
    );
}

function describe(type: CertificateTypeRow | undefined, categories: string[]): Text {
  const name = { 'zh-CN': type?.nameZh ?? '?', en: type?.nameEn ?? '?' };
  if (categories.length === 0) return name;
  const list = (l: Locale) => categories.map((c) => categoryLabel(type, c, l)).join(l === 'en' ? ' or ' : '或');
  return { 'zh-CN': `${name['zh-CN']}（${list('zh-CN')}）`, en: `${name.en} (${list('en')})` };
}

type CertRow = typeof certificates.$inferSelect;

/** What the answers for one person rest on; loaded once when several targets are evaluated. */
interface PersonFacts {
  types: Map<string, CertificateTypeRow>;
  certs: CertRow[];
  pendingLevels: string[];
  positionId: string | null;
  /** courseId → latest completion day (online or in class). */
  courseDays: Map<string, string>;
  courseTitles: Map<string, string>;
}

async function loadFacts(tx: Tx, tenantId: string, personId: string, timeZone: string): Promise<PersonFacts> {
  const types = new Map((await loadTypes(tx, tenantId)).map((t) => [t.id, t]));
  const person = await loadPersonRow(tx, tenantId, personId);
  const courseDays = (await courseDaysOf(tx, tenantId, [personId], timeZone)).get(personId) ?? new Map<string, string>();
  const titles = await tx.select({ id: courses.id, title: courses.title }).from(courses).where(eq(courses.tenantId, tenantId));
  const certs = await tx
    .select()
    .from(certificates)
    .where(and(eq(certificates.tenantId, tenantId), eq(certificates.personId, personId)));
  const pending = await tx
    .select({ level: inductions.level })
    .from(inductions)
    .where(and(eq(inductions.tenantId, tenantId), eq(inductions.personId, personId), eq(inductions.status, 'pending')));
  const order = ['company', 'workshop', 'team'];
  return {
    types,
    certs,
    pendingLevels: pending.map((p) => p.level).sort((a, b) => order.indexOf(a) - order.indexOf(b)),
    positionId: person?.positionId ?? null,
    courseDays,
    courseTitles: new Map(titles.map((c) => [c.id, c.title])),
  };
}

/**
 * Each requirement is met by a certificate that counts today; otherwise the reason names the closest miss:
 * a certificate overdue for review, then an expired one, then a revoked one, else none at all.
 */
function judge(personId: string, target: QualificationTarget, targetReqs: RequirementRow[], facts: PersonFacts, today: string, locale: Locale, gating: PositionRequirementRow[] = []): QualificationResult {
  const reasons: QualificationReason[] = [];
  const reqs = [...targetReqs];
  // The required-training matrix where it fits: rows of the person's position that gate this target (e.g. a
  // welder's hot-work course for operation:hot_work). A certificate row already required by the target's
  // own requirements would only repeat its reason, so it is judged once, below.
  for (const m of gating) {
    if (m.kind === 'certificate' && targetReqs.some((r) => r.typeId === m.typeId && r.categories.join(',') === m.categories.join(','))) continue;
    const cell = evaluateCell(m, { certs: facts.certs, courseDays: facts.courseDays }, facts.types, today);
    if (!isGap(cell.state)) continue;
    if (m.kind === 'course') {
      const title = facts.courseTitles.get(m.courseId ?? '') ?? '?';
      if (cell.state === 'expired') reasons.push({ code: 'course_expired', detail: reasonTexts.courseExpired(title, cell.until ?? '')[locale], matrixRequirementId: m.id, courseId: m.courseId ?? undefined });
      else reasons.push({ code: 'course_missing', detail: reasonTexts.courseMissing(title)[locale], matrixRequirementId: m.id, courseId: m.courseId ?? undefined });
      continue;
    }
    reqs.push({ id: m.id, tenantId: m.tenantId, targetKind: target.kind, targetKey: target.key, typeId: m.typeId!, categories: m.categories, note: m.note, active: true, createdAt: m.createdAt, updatedAt: m.updatedAt, updatedBy: m.updatedBy, version: m.version });
  }
  for (const r of reqs) {
    const candidates = facts.certs.filter((c) => c.typeId === r.typeId && (r.categories.length === 0 || (c.category !== null && r.categories.includes(c.category))));
    if (candidates.some((c) => certificateCounts(c, today))) continue;
    const what = describe(facts.types.get(r.typeId), r.categories);
    const latest = (list: CertRow[]) => [...list].sort((a, b) => (a.validUntil < b.validUntil ? 1 : -1))[0];
    const live = candidates.filter((c) => !c.revokedAt);
    const overdue = latest(live.filter((c) => today <= c.validUntil && c.nextReviewOn !== null && today > c.nextReviewOn));
    const expired = latest(live.filter((c) => today > c.validUntil));
    const revoked = latest(candidates.filter((c) => c.revokedAt));
    if (overdue) reasons.push({ code: 'certificate_review_overdue', detail: reasonTexts.reviewOverdue(what, overdue.number, overdue.nextReviewOn ?? '')[locale], certificateId: overdue.id, requirementId: r.id });
    else if (expired) reasons.push({ code: 'certificate_expired', detail: reasonTexts.expired(what, expired.number, expired.validUntil)[locale], certificateId: expired.id, requirementId: r.id });
    else if (revoked) reasons.push({ code: 'certificate_revoked', detail: reasonTexts.revoked(what, revoked.number, revoked.revokeReason)[locale], certificateId: revoked.id, requirementId: r.id });
    else reasons.push({ code: 'certificate_missing', detail: reasonTexts.missing(what)[locale], requirementId: r.id });
  }
  // 3号令 Art. 13 / issue 7: nobody is assigned to work before the three-level induction is complete. A
  // person without induction records (staff from before the system) counts as inducted.
  if (facts.pendingLevels.length > 0) reasons.push({ code: 'induction_incomplete', detail: reasonTexts.induction(facts.pendingLevels)[locale] });
  return { allowed: reasons.length === 0, personId, target: targetString(target), checkedOn: today, reasons };
}

/** The answer for one person and target on `today`, without permission checks or audit (callers do both). */
export async function evaluateQualification(tx: Tx, tenantId: string, locale: Locale, personId: string, target: QualificationTarget, today: string, timeZone: string): Promise<QualificationResult> {
  const reqs = await requirementsFor(tx, tenantId, target);
  const facts = await loadFacts(tx, tenantId, personId, timeZone);
  return judge(personId, target, reqs, facts, today, locale, await gatingRows(tx, tenantId, facts.positionId, targetString(target)));
}

export interface CheckInput {
  personId: string;
  target: QualificationTarget | string;
}

/**
 * The check inside the caller's transaction (permits call this from theirs): evaluates and writes the
 * audit entry — who asked (user, or API token of an integration), the person, the target and the answer.
 * Permission and scope are the caller's business: a permit checks its workers under its own rules.
 */
export async function checkQualificationTx(tx: Tx, ctx: Ctx, input: CheckInput): Promise<QualificationResult> {
  const target = typeof input.target === 'string' ? parseTarget(input.target) : input.target;
  // An unknown id (or another tenant's person) has no answer, rather than "no certificates".
  if (!(await loadPersonRow(tx, ctx.actor.tenantId, input.personId))) throw notFound('person');
  const { timeZone } = await tenantZone(tx, ctx.actor.tenantId);
  const result = await evaluateQualification(tx, ctx.actor.tenantId, ctx.locale, input.personId, target, dayIn(ctx.now(), timeZone), timeZone);
  await recordChange(tx, ctx, {
    action: 'qualification.checked',
    entityType: 'person',
    entityId: input.personId,
    after: { target: result.target, allowed: result.allowed, reasons: result.reasons.map((r) => r.code), checkedOn: result.checkedOn, via: ctx.actor.kind },
  });
  return result;
}

/** `GET /api/v1/qualifications/check`: qualification:check, the person in the asker's data scope. */
export async function checkQualification(ctx: Ctx, input: CheckInput): Promise<QualificationResult> {
  requirePermission(ctx.actor, P.check);
  const target = typeof input.target === 'string' ? parseTarget(input.target) : input.target;
  return ctx.db.tx(async (tx) => {
    const person = await loadPersonRow(tx, ctx.actor.tenantId, input.personId);
    if (!person) throw notFound('person');
    await assertInScope(tx, ctx.actor, person, [person.id]);
    return checkQualificationTx(tx, ctx, { personId: person.id, target });
  });
}

/** The distinct targets that have requirements: the ones whose answers are watched for changes. */
async function configuredTargets(tx: Tx, tenantId: string): Promise<QualificationTarget[]> {
  const rows = await tx
    .selectDistinct({ kind: requirements.targetKind, key: requirements.targetKey })
    .from(requirements)
    .where(and(eq(requirements.tenantId, tenantId), eq(requirements.active, true)));
  const seen = new Set(rows.map((r) => `${r.kind}:${r.key}`));
  const out = rows.map((r) => ({ kind: r.kind, key: r.key }));
  // Targets gated only by the required-training matrix are watched as well.
  for (const g of await gatedTargets(tx, tenantId)) {
    if (seen.has(g)) continue;
    seen.add(g);
    out.push(parseTarget(g));
  }
  return out;
}

/**
 * Recomputes a person's answers for every configured target after their certificates or inductions
 * changed (or a certificate lapsed), and announces each answer that differs from the last one:
 * `qualification.changed` with `{ personId, target, allowed, reasons }` (a thin payload: door and machine
 * systems ask the check API for details). A first answer is announced only when it grants.
 */
export async function refreshQualificationStates(tx: Tx, ctx: WriteCtx, personId: string): Promise<number> {
  const tenantId = ctx.actor.tenantId;
  const targets = await configuredTargets(tx, tenantId);
  if (targets.length === 0) return 0;
  const { timeZone } = await tenantZone(tx, tenantId);
  const today = dayIn(ctx.now(), timeZone);
  const known = await tx
    .select()
    .from(qualificationStates)
    .where(and(eq(qualificationStates.tenantId, tenantId), eq(qualificationStates.personId, personId)))
    .for('update');
  const facts = await loadFacts(tx, tenantId, personId, timeZone);
  let changed = 0;
  for (const target of targets) {
    // An area requirement for a unit that was since removed has nothing to answer.
    const reqs = await requirementsFor(tx, tenantId, target).catch((e: unknown) => {
      if (e instanceof AppError && e.code === 'not_found') return null;
      throw e;
    });
    if (!reqs) continue;
    const result = judge(personId, target, reqs, facts, today, 'en', await gatingRows(tx, tenantId, facts.positionId, targetString(target)));
    const codes = [...new Set(result.reasons.map((r) => r.code))].sort();
    const before = known.find((k) => k.target === result.target);
    if (before && before.allowed === result.allowed && before.reasons.join(',') === codes.join(',')) continue;
    await tx
      .insert(qualificationStates)
      .values({ tenantId, personId, target: result.target, allowed: result.allowed, reasons: codes, changedAt: ctx.now() })
      .onConflictDoUpdate({ target: [qualificationStates.tenantId, qualificationStates.personId, qualificationStates.target], set: { allowed: result.allowed, reasons: codes, changedAt: ctx.now() } });
    // Only a change of allow/deny is news to a gate; a different reason for the same "no" is recorded quietly.
    if ((before ? before.allowed : false) === result.allowed) continue;
    changed++;
    await recordIn(
      tx,
      ctx,
      { action: 'qualification.changed', entityType: 'person', entityId: personId, before: before ? { target: result.target, allowed: before.allowed } : null, after: { target: result.target, allowed: result.allowed, reasons: codes } },
      { type: 'qualification.changed', entityType: 'person', entityId: personId, payload: { personId, target: result.target, allowed: result.allowed, reasons: codes, day: today } },
    );
  }
  return changed;
}
