import { and, eq, inArray } from 'drizzle-orm';
import type { Ctx } from '../../platform/auth/actor.ts';
import { roles } from '../../platform/auth/schema.ts';
import { can, requirePermission } from '../../platform/auth/scope.ts';
import type { Tx } from '../../platform/db/client.ts';
import { newId } from '../../platform/db/columns.ts';
import { AppError, invalid } from '../../platform/http/errors.ts';
import { autoAssign } from './assignment.ts';
import { ensureHazardDefaults, readPolicy, readSettings } from './dictionaries.ts';
import { departmentOf, loadUser, loadUsers, managerUpTheTree, userCan, usersWithRoles } from './directory.ts';
import { isTerminal } from './lifecycle.ts';
import { notices } from './messages.ts';
import { hazardPermissions as P } from './permissions.ts';
import { awardValidReport, awardVerifiedFix } from './points.ts';
import { hazardSignoffs, type TreatmentPlan } from './schema.ts';
import { armDeadline, cancelAllTimers, cancelPhase } from './sla.ts';
import { addTimeline, checkFiles, checkVersion, loadHazard, notifyHazard, partiesOf, recordHazard, saveHazard, transitionOrThrow, trimOrNull, type HazardRow } from './store.ts';

/**
 * Verification (复查验收), the major-hazard treatment plan and management sign-off, reporting to the
 * authority, and reopening.
 */

/**
 * Who verifies when nobody was designated: the reporter (谁发现谁验收, a tenant setting on by default; with
 * it off, only a reporter who holds hazard:verify), otherwise the owner of the area. For a fix on the spot,
 * the reporter's own team leader first — a reporter never verifies their own fix. Null: anyone with
 * hazard:verify (the safety office) picks it up.
 */
export async function chooseVerifier(tx: Tx, h: HazardRow, opts: { fixOnSpot: boolean }): Promise<string | null> {
  const exclude = [h.assigneeUserId, h.submittedBy].filter((v): v is string => v !== null);
  const reporter = await loadUser(tx, h.tenantId, h.reporterUserId);
  if (reporter && reporter.active && !opts.fixOnSpot && !exclude.includes(reporter.id)) {
    const { reporterVerifies } = await readSettings(tx, h.tenantId);
    if (reporterVerifies || userCan(reporter, P.verify)) return reporter.id;
  }
  if (reporter && opts.fixOnSpot) {
    const lead = await managerUpTheTree(tx, h.tenantId, reporter.orgUnitId, { exclude, permission: P.verify });
    if (lead) return lead.userId;
  }
  const owner = await managerUpTheTree(tx, h.tenantId, h.orgUnitId, { exclude, permission: P.verify });
  return owner?.userId ?? null;
}

// ---------------------------------------------------------------------------------------------------------
// Sign-off requirements of a hazard that needs a treatment plan (重大隐患)
// ---------------------------------------------------------------------------------------------------------

export interface SignoffRequirement {
  kind: 'role' | 'user';
  code: string | null;
  userId: string | null;
  label: string;
  satisfied: boolean;
  signedBy: string | null;
}

export interface SignoffStatus {
  required: boolean;
  requirements: SignoffRequirement[];
  /** Why the hazard cannot be closed yet: `treatment_plan_missing`, `signoff_missing:role:<code>`, `signoff_missing:user:<id>`. */
  blockers: string[];
  /** Everyone whose sign-off counts (they are told when the plan is ready and when the hazard closes). */
  signers: string[];
}

/**
 * Management sign-off (issue 4): every role code of the settings that has at least one active holder
 * (default: the safety director, and the general manager where a tenant has that custom role), and every
 * listed user. Only sign-offs of the current treatment plan version count.
 */
export async function signoffStatus(tx: Tx, h: HazardRow, locale: 'zh-CN' | 'en' = 'zh-CN'): Promise<SignoffStatus> {
  const policy = await readPolicy(tx, h.tenantId, h.level);
  if (!policy.requiresTreatmentPlan) return { required: false, requirements: [], blockers: [], signers: [] };
  const settings = await readSettings(tx, h.tenantId);
  const signed = await tx
    .select()
    .from(hazardSignoffs)
    .where(and(eq(hazardSignoffs.hazardId, h.id), eq(hazardSignoffs.planVersion, h.treatmentPlanVersion)));
  const roleRows = settings.signoffRoleCodes.length
    ? await tx
        .select({ code: roles.code, name: roles.name, nameEn: roles.nameEn })
        .from(roles)
        .where(and(eq(roles.tenantId, h.tenantId), inArray(roles.code, settings.signoffRoleCodes)))
    : [];
  const requirements: SignoffRequirement[] = [];
  const signers = new Set<string>();
  for (const code of settings.signoffRoleCodes) {
    const holders = await usersWithRoles(tx, h.tenantId, [code]);
    if (holders.length === 0) continue;
    holders.forEach((id) => signers.add(id));
    const by = signed.find((s) => s.roleCodes.includes(code));
    const role = roleRows.find((r) => r.code === code);
    requirements.push({ kind: 'role', code, userId: null, label: (locale === 'en' ? role?.nameEn : role?.name) ?? code, satisfied: !!by, signedBy: by?.userId ?? null });
  }
  const listed = await loadUsers(tx, h.tenantId, settings.signoffUserIds);
  for (const id of settings.signoffUserIds) {
    const u = listed.get(id);
    if (!u?.active) continue;
    signers.add(id);
    const by = signed.find((s) => s.userId === id);
    requirements.push({ kind: 'user', code: null, userId: id, label: u.displayName, satisfied: !!by, signedBy: by?.userId ?? null });
  }
  const blockers: string[] = [];
  if (!h.treatmentPlan) blockers.push('treatment_plan_missing');
  for (const r of requirements) if (!r.satisfied) blockers.push(`signoff_missing:${r.kind}:${r.code ?? r.userId}`);
  return { required: true, requirements, blockers, signers: [...signers].sort() };
}

// ---------------------------------------------------------------------------------------------------------
// Pass / fail
// ---------------------------------------------------------------------------------------------------------

export interface VerifyInput {
  id: string;
  version: number;
  comment?: string | null;
  photoIds?: string[];
}

/** Verification passed → closed; a major hazard only with its treatment plan and every sign-off. */
export async function passHazard(ctx: Ctx, input: VerifyInput): Promise<HazardRow> {
  // No blanket hazard:verify check: the designated verifier (e.g. the reporter) may hold only hazard:read;
  // transitionOrThrow below admits the verifier party of this hazard (store.ts isVerifier).
  return ctx.db.tx(async (tx) => {
    const h = await loadHazard(tx, ctx.actor, input.id, { forUpdate: true });
    checkVersion(h, input.version);
    const to = transitionOrThrow(h, 'pass', partiesOf(ctx.actor, h), null, ['verifier']);
    const status = await signoffStatus(tx, h, ctx.locale);
    if (status.blockers.length > 0) {
      throw new AppError('conflict', `this hazard needs a treatment plan and management sign-off before it can be closed: ${status.blockers.join(', ')}`, { extra: { blockers: status.blockers } });
    }
    const photos = await checkFiles(tx, h.tenantId, input.photoIds ?? [], ['image'], 'photoIds');
    const now = ctx.now();
    const after = await saveHazard(tx, ctx, h, {
      status: to,
      closedAt: now,
      closedBy: ctx.actor.userId,
      // On time = the fix was submitted by the deadline in force (approved extensions included).
      closedOnTime: h.submittedAt && h.rectifyDueAt ? h.submittedAt.getTime() <= h.rectifyDueAt.getTime() : true,
    });
    await addTimeline(tx, ctx, after, { action: 'passed', from: h.status, to, comment: trimOrNull(input.comment), photoIds: photos });
    await recordHazard(tx, ctx, 'closed', h, after, { payload: { closedOnTime: after.closedOnTime } });
    await cancelAllTimers(tx, h.id, now);
    // A fix on the spot was never "accepted": the report proves valid when its fix passes.
    if (h.fixOnSpot) await awardValidReport(tx, ctx, after);
    await awardVerifiedFix(tx, ctx, after);
    await notifyHazard(tx, ctx, after, [after.assigneeUserId, after.reporterUserId], notices.closed(after));
    if (status.required) await notifyHazard(tx, ctx, after, status.signers, notices.majorClosed(after));
    return after;
  });
}

/** Verification failed (reason required) → rework; the rectification clock runs again. */
export async function failHazard(ctx: Ctx, input: VerifyInput & { reason: string }): Promise<HazardRow> {
  // As passHazard: the verifier party of this hazard, checked by transitionOrThrow.

  return ctx.db.tx(async (tx) => {
    const h = await loadHazard(tx, ctx.actor, input.id, { forUpdate: true });
    checkVersion(h, input.version);
    const to = transitionOrThrow(h, 'fail', partiesOf(ctx.actor, h), input.reason, ['verifier']);
    const photos = await checkFiles(tx, h.tenantId, input.photoIds ?? [], ['image'], 'photoIds');
    const now = ctx.now();
    const policy = await readPolicy(tx, h.tenantId, h.level);
    // A failed fix on the spot had no deadline: the rework gets the level's full rectification window.
    const rectifyDueAt = h.rectifyDueAt ?? new Date(now.getTime() + policy.rectifyMinutes * 60_000);
    const after = await saveHazard(tx, ctx, h, { status: to, reworkCount: h.reworkCount + 1, rectifyDueAt });
    await addTimeline(tx, ctx, after, { action: 'failed', from: h.status, to, comment: input.reason.trim(), photoIds: photos, data: { reworkCount: after.reworkCount } });
    await recordHazard(tx, ctx, 'verification_failed', h, after, { audit: { reason: input.reason.trim() }, payload: { reworkCount: after.reworkCount } });
    await cancelPhase(tx, h.id, 'verify', now);
    // Past the deadline already? Then the breach fires on the runner's next pass: late is late.
    await armDeadline(tx, after, 'rectify', h.rectifyDueAt ? after.reportedAt : now, policy);
    await notifyHazard(tx, ctx, after, [after.assigneeUserId], notices.failed(after, input.reason.trim()));
    return after;
  });
}

// ---------------------------------------------------------------------------------------------------------
// Treatment plan, sign-off, authority
// ---------------------------------------------------------------------------------------------------------

const planKeys: (keyof TreatmentPlan)[] = ['goal', 'methods', 'fundsYuan', 'materials', 'responsibleOrg', 'responsiblePeople', 'timeLimit', 'requirements', 'safetyMeasures', 'emergencyPlan'];

/** 重大隐患治理方案 (reference §3.5): saving a new version voids earlier sign-offs. */
export async function saveTreatmentPlan(ctx: Ctx, input: { id: string; version: number; plan: TreatmentPlan }): Promise<HazardRow> {
  requirePermission(ctx.actor, P.read);
  return ctx.db.tx(async (tx) => {
    const h = await loadHazard(tx, ctx.actor, input.id, { forUpdate: true });
    checkVersion(h, input.version);
    const parties = partiesOf(ctx.actor, h);
    if (!parties.includes('triage') && !parties.includes('assignee')) throw new AppError('forbidden', 'only the assignee or the safety office (hazard:triage) may write the treatment plan');
    const policy = await readPolicy(tx, h.tenantId, h.level);
    if (!policy.requiresTreatmentPlan) throw new AppError('conflict', `a ${h.level} hazard needs no treatment plan (only levels whose SLA policy requires one)`);
    if (isTerminal(h.status)) throw new AppError('conflict', `cannot change the treatment plan of a hazard that is ${h.status}`, { extra: { hazardStatus: h.status } });
    const plan = Object.fromEntries(planKeys.map((k) => [k, typeof input.plan[k] === 'string' ? String(input.plan[k]).trim() : input.plan[k]])) as unknown as TreatmentPlan;
    for (const k of planKeys) if (plan[k] === '') throw invalid(`plan.${k}`, 'minLength', `plan.${k}: required (reference §3.5 lists it as part of the plan)`);
    if (Number.isNaN(new Date(plan.timeLimit).getTime())) throw invalid('plan.timeLimit', 'format', 'plan.timeLimit: a date-time');
    const after = await saveHazard(tx, ctx, h, { treatmentPlan: plan, treatmentPlanVersion: h.treatmentPlanVersion + 1, treatmentPlanAt: ctx.now() });
    await addTimeline(tx, ctx, after, { action: 'treatment_plan_saved', data: { planVersion: after.treatmentPlanVersion } });
    await recordHazard(tx, ctx, 'treatment_plan_saved', h, after, { audit: { treatmentPlan: plan, planVersion: after.treatmentPlanVersion } });
    const status = await signoffStatus(tx, after);
    await notifyHazard(tx, ctx, after, status.signers, notices.signoffRequested(after));
    return after;
  });
}

export async function signOffHazard(ctx: Ctx, input: { id: string; version: number; comment?: string | null }): Promise<HazardRow> {
  requirePermission(ctx.actor, P.signoff);
  return ctx.db.tx(async (tx) => {
    const h = await loadHazard(tx, ctx.actor, input.id, { forUpdate: true });
    checkVersion(h, input.version);
    if (isTerminal(h.status)) throw new AppError('conflict', `cannot sign off a hazard that is ${h.status}`, { extra: { hazardStatus: h.status } });
    const status = await signoffStatus(tx, h);
    if (!status.required) throw new AppError('conflict', `a ${h.level} hazard needs no management sign-off`);
    if (!h.treatmentPlan) throw new AppError('conflict', 'there is no treatment plan to sign off yet', { extra: { blockers: ['treatment_plan_missing'] } });
    const userId = ctx.actor.userId;
    if (!userId || !status.signers.includes(userId)) throw new AppError('forbidden', 'you are not one of the people whose sign-off this hazard needs (hazard settings: signoffRoleCodes / signoffUserIds)');
    const settings = await readSettings(tx, h.tenantId);
    const roleCodes = ctx.actor.roles.filter((r) => settings.signoffRoleCodes.includes(r));
    const inserted = await tx
      .insert(hazardSignoffs)
      .values({ id: newId(), tenantId: h.tenantId, hazardId: h.id, userId, roleCodes, planVersion: h.treatmentPlanVersion, comment: trimOrNull(input.comment), signedAt: ctx.now() })
      .onConflictDoNothing()
      .returning({ id: hazardSignoffs.id });
    if (inserted.length === 0) throw new AppError('already_exists', `you already signed version ${h.treatmentPlanVersion} of the treatment plan`);
    const after = await saveHazard(tx, ctx, h, {});
    await addTimeline(tx, ctx, after, { action: 'signed_off', comment: trimOrNull(input.comment), data: { roleCodes, planVersion: h.treatmentPlanVersion } });
    await recordHazard(tx, ctx, 'signed_off', h, after, { audit: { roleCodes, planVersion: h.treatmentPlanVersion }, payload: { roleCodes } });
    return after;
  });
}

/** 安全生产法 Art. 41: a major hazard is reported to the supervising authority; this records when. */
export async function markReportedToAuthority(ctx: Ctx, input: { id: string; version: number; reportedAt?: string; reference?: string | null }): Promise<HazardRow> {
  requirePermission(ctx.actor, P.triage);
  return ctx.db.tx(async (tx) => {
    const h = await loadHazard(tx, ctx.actor, input.id, { forUpdate: true });
    checkVersion(h, input.version);
    if (!h.reportToAuthority) throw new AppError('conflict', 'this hazard is not flagged for reporting to the authority');
    const at = input.reportedAt ? new Date(input.reportedAt) : ctx.now();
    if (Number.isNaN(at.getTime()) || at.getTime() > ctx.now().getTime()) throw invalid('reportedAt', 'maximum', 'reportedAt: a time that is not in the future');
    const after = await saveHazard(tx, ctx, h, { reportedToAuthorityAt: at, authorityReference: trimOrNull(input.reference) });
    await addTimeline(tx, ctx, after, { action: 'reported_to_authority', comment: trimOrNull(input.reference), data: { reportedAt: at.toISOString() } });
    await recordHazard(tx, ctx, 'authority_reported', h, after, { audit: { reportedToAuthorityAt: at, reference: after.authorityReference } });
    return after;
  });
}

/** A closed or rejected hazard still present: reopened by triage (reason required), assigned again, fresh clocks. */
export async function reopenHazard(ctx: Ctx, input: { id: string; version: number; reason: string }): Promise<HazardRow> {
  requirePermission(ctx.actor, P.triage);
  return ctx.db.tx(async (tx) => {
    await ensureHazardDefaults(tx, ctx.actor.tenantId);
    const h = await loadHazard(tx, ctx.actor, input.id, { forUpdate: true });
    checkVersion(h, input.version);
    const to = transitionOrThrow(h, 'reopen', partiesOf(ctx.actor, h), input.reason, ['triage']);
    const now = ctx.now();
    const policy = await readPolicy(tx, h.tenantId, h.level);
    const reopened = await saveHazard(tx, ctx, h, {
      status: to,
      assigneeUserId: null,
      assigneeUnitId: null,
      assignedAt: null,
      assignmentRuleId: null,
      departmentId: await departmentOf(tx, h.tenantId, h.orgUnitId),
      submittedAt: null,
      submittedBy: null,
      closedAt: null,
      closedBy: null,
      closedOnTime: null,
      rejectedAt: null,
      rejectReason: null,
      mergedIntoId: null,
      respondedAt: null,
      respondOverdue: false,
      rectifyOverdue: false,
      escalationLevel: 0,
      respondDueAt: new Date(now.getTime() + policy.respondMinutes * 60_000),
      rectifyDueAt: new Date(now.getTime() + policy.rectifyMinutes * 60_000),
    });
    await addTimeline(tx, ctx, reopened, { action: 'reopened', from: h.status, to, comment: input.reason.trim() });
    await recordHazard(tx, ctx, 'reopened', h, reopened, { audit: { reason: input.reason.trim() } });
    await cancelAllTimers(tx, h.id, now);
    await armDeadline(tx, reopened, 'rectify', now, policy);
    const after = await autoAssign(tx, ctx, reopened);
    if (after.status === 'reported') await armDeadline(tx, after, 'respond', now, policy);
    return after;
  });
}

/** Whether the actor may sign off this hazard now (drives the button). */
export async function maySignOff(tx: Tx, ctx: Ctx, h: HazardRow, status: SignoffStatus): Promise<boolean> {
  if (!status.required || !h.treatmentPlan || isTerminal(h.status) || !ctx.actor.userId || !can(ctx.actor, P.signoff)) return false;
  if (!status.signers.includes(ctx.actor.userId)) return false;
  const [mine] = await tx
    .select({ id: hazardSignoffs.id })
    .from(hazardSignoffs)
    .where(and(eq(hazardSignoffs.hazardId, h.id), eq(hazardSignoffs.userId, ctx.actor.userId), eq(hazardSignoffs.planVersion, h.treatmentPlanVersion)));
  return !mine;
}

