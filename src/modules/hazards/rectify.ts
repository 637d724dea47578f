import { and, eq } from 'drizzle-orm';
import type { Ctx } from '../../platform/auth/actor.ts';
import { requirePermission } from '../../platform/auth/scope.ts';
import type { Tx } from '../../platform/db/client.ts';
import { newId } from '../../platform/db/columns.ts';
import { AppError, invalid, notFound } from '../../platform/http/errors.ts';
import { people } from '../../platform/org/schema.ts';
import { readPolicy, readSettings } from './dictionaries.ts';
import { departmentOf, formatZoned, managerUpTheTree, tenantInfo, usersWithRoles } from './directory.ts';
import type { HazardState } from './lifecycle.ts';
import { notices } from './messages.ts';
import { hazardPermissions as P } from './permissions.ts';
import { awardValidReport, settleRejectedReport } from './points.ts';
import { hazardExtensions, type RectificationPlan } from './schema.ts';
import { armDeadline, armVerify, cancelAllTimers, cancelPhase, triageTargets } from './sla.ts';
import { addTimeline, checkFiles, checkVersion, loadHazard, notifyHazard, partiesOf, recordHazard, saveHazard, transitionOrThrow, trimOrNull, type HazardRow } from './store.ts';
import { chooseVerifier } from './verify.ts';

/** The assignee's side: accept or reject, the five-in-place plan, extensions, submitting the fix. */

interface Base {
  id: string;
  version: number;
}

export async function acceptHazard(ctx: Ctx, input: Base & { comment?: string | null }): Promise<HazardRow> {
  requirePermission(ctx.actor, P.rectify);
  return ctx.db.tx(async (tx) => {
    const h = await loadHazard(tx, ctx.actor, input.id, { forUpdate: true });
    checkVersion(h, input.version);
    const to = transitionOrThrow(h, 'accept', partiesOf(ctx.actor, h), null, ['assignee']);
    const now = ctx.now();
    const after = await saveHazard(tx, ctx, h, { status: to, respondedAt: h.respondedAt ?? now });
    await addTimeline(tx, ctx, after, { action: 'accepted', from: h.status, to, comment: trimOrNull(input.comment) });
    await recordHazard(tx, ctx, 'accepted', h, after);
    await cancelPhase(tx, h.id, 'respond', now);
    // Accepted as a real hazard: the report was valid.
    await awardValidReport(tx, ctx, after);
    await notifyHazard(tx, ctx, after, [after.reporterUserId], notices.accepted(after));
    return after;
  });
}

/** "Not a hazard": triage or the assignee, with a reason the reporter is told. */
export async function rejectHazard(ctx: Ctx, input: Base & { reason: string }): Promise<HazardRow> {
  requirePermission(ctx.actor, P.read);
  return ctx.db.tx(async (tx) => {
    const h = await loadHazard(tx, ctx.actor, input.id, { forUpdate: true });
    checkVersion(h, input.version);
    const to = transitionOrThrow(h, 'reject', partiesOf(ctx.actor, h), input.reason, ['triage', 'assignee']);
    const now = ctx.now();
    const reason = input.reason.trim();
    const after = await saveHazard(tx, ctx, h, { status: to, rejectedAt: now, rejectReason: reason, respondedAt: h.respondedAt ?? now });
    await addTimeline(tx, ctx, after, { action: 'rejected', from: h.status, to, comment: reason });
    await recordHazard(tx, ctx, 'rejected', h, after, { audit: { reason } });
    await cancelAllTimers(tx, h.id, now);
    await settleRejectedReport(tx, ctx, after);
    await notifyHazard(tx, ctx, after, [after.reporterUserId], notices.rejected(after, reason));
    return after;
  });
}

const planStates: readonly HazardState[] = ['rectifying', 'rework'];

/** 五到位 (reference §3.5): measures, funds, deadline, responsible person, interim measures / emergency plan. */
export async function savePlan(ctx: Ctx, input: Base & { plan: RectificationPlan }): Promise<HazardRow> {
  requirePermission(ctx.actor, P.rectify);
  return ctx.db.tx(async (tx) => {
    const h = await loadHazard(tx, ctx.actor, input.id, { forUpdate: true });
    checkVersion(h, input.version);
    if (!partiesOf(ctx.actor, h).includes('assignee')) throw new AppError('forbidden', 'only the assignee may write the rectification plan');
    if (!planStates.includes(h.status)) throw new AppError('conflict', `the plan is written while rectifying; this hazard is ${h.status}`, { extra: { hazardStatus: h.status } });
    const p = input.plan;
    const measures = p.measures.trim();
    const interimMeasures = p.interimMeasures.trim();
    if (!measures) throw invalid('plan.measures', 'minLength', 'plan.measures: required');
    if (!interimMeasures) throw invalid('plan.interimMeasures', 'minLength', 'plan.interimMeasures: required (interim safety measures / emergency plan; write 无 if none are needed)');
    const deadline = new Date(p.deadline);
    if (Number.isNaN(deadline.getTime())) throw invalid('plan.deadline', 'format', 'plan.deadline: a date-time');
    if (deadline.getTime() <= ctx.now().getTime()) throw invalid('plan.deadline', 'minimum', 'plan.deadline: must be in the future');
    if (h.rectifyDueAt && deadline.getTime() > h.rectifyDueAt.getTime()) {
      const { timeZone } = await tenantInfo(tx, h.tenantId);
      throw invalid('plan.deadline', 'maximum', `plan.deadline: after the rectification deadline ${formatZoned(h.rectifyDueAt, timeZone)}; request an extension first`);
    }
    const [person] = await tx
      .select({ id: people.id, status: people.status })
      .from(people)
      .where(and(eq(people.tenantId, h.tenantId), eq(people.id, p.responsiblePersonId)));
    if (!person || person.status !== 'active') throw invalid('plan.responsiblePersonId', 'exists', `plan.responsiblePersonId: no active person ${p.responsiblePersonId} in this company`);
    const plan: RectificationPlan = { measures, fundsYuan: p.fundsYuan, deadline: deadline.toISOString(), responsiblePersonId: person.id, interimMeasures };
    const after = await saveHazard(tx, ctx, h, { plan });
    await addTimeline(tx, ctx, after, { action: 'plan_saved', data: { plan } });
    await recordHazard(tx, ctx, 'plan_saved', h, after, { audit: { plan } });
    return after;
  });
}

/** States in which an extension may be asked for and decided. */
export const extensionStates: readonly HazardState[] = ['assigned', 'rectifying', 'rework'];

/** Who decides an extension: the department head of the assignee's unit (hazard:approve_extension), else the level-2 roles. */
async function extensionApprovers(tx: Tx, h: HazardRow): Promise<string[]> {
  const department = await departmentOf(tx, h.tenantId, h.assigneeUnitId ?? h.orgUnitId);
  const head = await managerUpTheTree(tx, h.tenantId, department, { exclude: [h.assigneeUserId], permission: P.approveExtension });
  if (head) return [head.userId];
  return usersWithRoles(tx, h.tenantId, (await readSettings(tx, h.tenantId)).escalationRoleCodes);
}

export async function requestExtension(ctx: Ctx, input: Base & { newDueAt: string; reason: string }): Promise<HazardRow> {
  requirePermission(ctx.actor, P.rectify);
  return ctx.db.tx(async (tx) => {
    const h = await loadHazard(tx, ctx.actor, input.id, { forUpdate: true });
    checkVersion(h, input.version);
    if (!partiesOf(ctx.actor, h).includes('assignee')) throw new AppError('forbidden', 'only the assignee may ask for more time');
    if (!extensionStates.includes(h.status)) throw new AppError('conflict', `an extension is asked for while the hazard is being fixed; it is ${h.status}`, { extra: { hazardStatus: h.status } });
    const reason = input.reason.trim();
    if (!reason) throw invalid('reason', 'required', 'reason: required');
    const newDue = new Date(input.newDueAt);
    if (Number.isNaN(newDue.getTime())) throw invalid('newDueAt', 'format', 'newDueAt: a date-time');
    const floor = Math.max(ctx.now().getTime(), h.rectifyDueAt?.getTime() ?? 0);
    if (newDue.getTime() <= floor) throw invalid('newDueAt', 'minimum', 'newDueAt: must be later than the current rectification deadline and than now');
    const [pending] = await tx
      .select({ id: hazardExtensions.id })
      .from(hazardExtensions)
      .where(and(eq(hazardExtensions.hazardId, h.id), eq(hazardExtensions.status, 'pending')));
    if (pending) throw new AppError('conflict', 'an extension request is already waiting for a decision', { extra: { extensionId: pending.id } });
    const extensionId = newId();
    await tx.insert(hazardExtensions).values({
      id: extensionId,
      tenantId: h.tenantId,
      hazardId: h.id,
      requestedBy: ctx.actor.userId ?? '',
      requestedAt: ctx.now(),
      previousDueAt: h.rectifyDueAt,
      newDueAt: newDue,
      reason,
    });
    const after = await saveHazard(tx, ctx, h, {});
    await addTimeline(tx, ctx, after, { action: 'extension_requested', comment: reason, data: { extensionId, previousDueAt: h.rectifyDueAt?.toISOString() ?? null, newDueAt: newDue.toISOString() } });
    await recordHazard(tx, ctx, 'extension_requested', h, after, { audit: { extensionId, newDueAt: newDue, reason }, payload: { extensionId } });
    const { timeZone } = await tenantInfo(tx, h.tenantId);
    await notifyHazard(tx, ctx, after, await extensionApprovers(tx, after), notices.extensionRequested(after, formatZoned(newDue, timeZone)));
    return after;
  });
}

/** Approving moves the rectification deadline, clears the overdue flag and re-arms the rectification timers. */
export async function decideExtension(ctx: Ctx, input: Base & { extensionId: string; approve: boolean; comment?: string | null }): Promise<HazardRow> {
  requirePermission(ctx.actor, P.approveExtension);
  return ctx.db.tx(async (tx) => {
    const h = await loadHazard(tx, ctx.actor, input.id, { forUpdate: true });
    checkVersion(h, input.version);
    const [ext] = await tx
      .select()
      .from(hazardExtensions)
      .where(and(eq(hazardExtensions.id, input.extensionId), eq(hazardExtensions.hazardId, h.id), eq(hazardExtensions.tenantId, h.tenantId)))
      .for('update');
    if (!ext) throw notFound('extension request');
    if (ext.status !== 'pending') throw new AppError('conflict', `this extension request was already ${ext.status}`, { extra: { extensionStatus: ext.status } });
    if (ctx.actor.userId === ext.requestedBy || ctx.actor.userId === h.assigneeUserId) throw new AppError('forbidden', 'nobody decides their own extension request');
    if (!extensionStates.includes(h.status)) throw new AppError('conflict', `the hazard is ${h.status}; the request no longer applies`, { extra: { hazardStatus: h.status } });
    const now = ctx.now();
    const comment = trimOrNull(input.comment);
    await tx
      .update(hazardExtensions)
      .set({ status: input.approve ? 'approved' : 'refused', decidedBy: ctx.actor.userId, decidedAt: now, decisionComment: comment })
      .where(eq(hazardExtensions.id, ext.id));
    const after = await saveHazard(tx, ctx, h, input.approve ? { rectifyDueAt: ext.newDueAt, rectifyOverdue: false } : {});
    const what = input.approve ? 'extension_approved' : 'extension_refused';
    await addTimeline(tx, ctx, after, { action: what, comment, data: { extensionId: ext.id, previousDueAt: h.rectifyDueAt?.toISOString() ?? null, newDueAt: ext.newDueAt.toISOString() } });
    await recordHazard(tx, ctx, what, h, after, { audit: { extensionId: ext.id, newDueAt: ext.newDueAt }, payload: { extensionId: ext.id } });
    if (input.approve) await armDeadline(tx, after, 'rectify', after.reportedAt, await readPolicy(tx, h.tenantId, h.level));
    const { timeZone } = await tenantInfo(tx, h.tenantId);
    await notifyHazard(tx, ctx, after, [after.assigneeUserId, ext.requestedBy], notices.extensionDecided(after, input.approve, formatZoned(ext.newDueAt, timeZone)));
    return after;
  });
}

/** The fix is done: after-photos and notes go to the verifier; the rectification clock stops. */
export async function submitRectification(ctx: Ctx, input: Base & { afterPhotoIds: string[]; notes?: string | null }): Promise<HazardRow> {
  requirePermission(ctx.actor, P.rectify);
  return ctx.db.tx(async (tx) => {
    const h = await loadHazard(tx, ctx.actor, input.id, { forUpdate: true });
    checkVersion(h, input.version);
    const to = transitionOrThrow(h, 'submit', partiesOf(ctx.actor, h), null, ['assignee']);
    const policy = await readPolicy(tx, h.tenantId, h.level);
    if (policy.planRequired && !h.plan) {
      throw new AppError('conflict', `a ${h.level} hazard needs its rectification plan (五到位) before the fix is submitted`, { extra: { blockers: ['plan_missing'] } });
    }
    const photos = await checkFiles(tx, h.tenantId, input.afterPhotoIds, ['image'], 'afterPhotoIds');
    if (photos.length === 0) throw invalid('afterPhotoIds', 'minItems', 'afterPhotoIds: at least one photo of the fixed state');
    const now = ctx.now();
    const verifierUserId = h.verifierUserId && h.verifierUserId !== ctx.actor.userId ? h.verifierUserId : await chooseVerifier(tx, { ...h, submittedBy: ctx.actor.userId }, { fixOnSpot: false });
    const after = await saveHazard(tx, ctx, h, { status: to, submittedAt: now, submittedBy: ctx.actor.userId, afterPhotoIds: photos, rectifyNotes: trimOrNull(input.notes), verifierUserId });
    await addTimeline(tx, ctx, after, { action: 'submitted', from: h.status, to, comment: trimOrNull(input.notes), photoIds: photos, data: { verifierUserId } });
    await recordHazard(tx, ctx, 'submitted', h, after, { payload: { verifierUserId } });
    await cancelPhase(tx, h.id, 'rectify', now);
    await cancelPhase(tx, h.id, 'verify', now);
    await armVerify(tx, after, policy);
    await notifyHazard(tx, ctx, after, verifierUserId ? [verifierUserId] : await triageTargets(tx, h.tenantId), notices.submitted(after));
    return after;
  });
}
