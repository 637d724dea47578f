import { and, eq } from 'drizzle-orm';
import type { Ctx } from '../../platform/auth/actor.ts';
import { requirePermission } from '../../platform/auth/scope.ts';
import { AppError, invalid } from '../../platform/http/errors.ts';
import { ensureHazardDefaults, readPolicy, requireActiveItem, type SlaPolicy } from './dictionaries.ts';
import { formatZoned, tenantInfo } from './directory.ts';
import { isTerminal, type HazardState } from './lifecycle.ts';
import { notices } from './messages.ts';
import { hazardPermissions as P } from './permissions.ts';
import { hazardLevels, hazardSignoffs, type HazardLevel } from './schema.ts';
import { armDeadline, armVerify, cancelPhase, triageTargets } from './sla.ts';
import { addTimeline, checkVersion, loadHazard, notifyHazard, recordHazard, saveHazard, type HazardPatch, type HazardRow } from './store.ts';
import { signoffStatus } from './verify.ts';

/**
 * Regrading (改定等级/类别): the safety office corrects the level (一般 / 较大 / 重大) and/or the category of
 * an open hazard, with a reason. Rules:
 *  - Deadlines still running move by the difference between the two levels' windows (tenant SLA data):
 *    a 一般 hazard reported 3 h ago and regraded 较大 has 72 h from its report, not from the regrade; time
 *    granted by an approved extension is kept. A deadline that moves into the past is breached on the job
 *    runner's next pass (overdue, escalated) — late is late; one that moves into the future clears its
 *    overdue flag, as an approved extension does.
 *  - Upgrading to a level whose policy requires a treatment plan (重大) enters the major-hazard path exactly
 *    as a report at that level: flagged for the authority (安全生产法 Art. 41), the signers and the safety
 *    office are alerted, and the hazard cannot close without its treatment plan and sign-offs (verify.ts).
 *  - Downgrading from 重大 is refused once management sign-off has started or the hazard was reported to
 *    the authority: both are facts outside the system that a regrade cannot undo. Before that, only the
 *    authority flag is cleared; a treatment plan already written stays on record.
 * The hazard keeps its owner: a new category does not re-run the assignment matrix (reassign does that).
 */

export interface RegradeInput {
  id: string;
  version: number;
  level?: HazardLevel;
  category?: string;
  reason: string;
}

const respondStates: readonly HazardState[] = ['reported', 'assigned'];
const rectifyStates: readonly HazardState[] = ['reported', 'assigned', 'rectifying', 'rework'];

/** The same start, the new window: `due − old window + new window`. */
function moved(due: Date | null, oldMinutes: number, newMinutes: number): Date | null {
  return due ? new Date(due.getTime() + (newMinutes - oldMinutes) * 60_000) : null;
}

export async function regradeHazard(ctx: Ctx, input: RegradeInput): Promise<HazardRow> {
  requirePermission(ctx.actor, P.triage);
  const reason = input.reason.trim();
  if (!reason) throw invalid('reason', 'required', 'reason: required to regrade a hazard');
  if (input.level !== undefined && !hazardLevels.includes(input.level)) throw invalid('level', 'enum', `level: one of ${hazardLevels.join(', ')}`);
  if (input.level === undefined && input.category === undefined) throw invalid('level', 'required', 'level or category: give at least one of them');
  return ctx.db.tx(async (tx) => {
    await ensureHazardDefaults(tx, ctx.actor.tenantId);
    const h = await loadHazard(tx, ctx.actor, input.id, { forUpdate: true });
    checkVersion(h, input.version);
    if (isTerminal(h.status)) throw new AppError('conflict', `cannot regrade a hazard that is ${h.status}; reopen it first`, { extra: { hazardStatus: h.status } });
    const level = input.level ?? h.level;
    const category = input.category ?? h.category;
    if (level === h.level && category === h.category) {
      const field = input.level !== undefined ? 'level' : 'category';
      throw invalid(field, 'changed', `${field}: the hazard is already ${field === 'level' ? h.level : h.category}; nothing to regrade`);
    }
    if (category !== h.category) await requireActiveItem(tx, h.tenantId, 'category', category, 'category');

    const oldPolicy = await readPolicy(tx, h.tenantId, h.level);
    const policy: SlaPolicy = level === h.level ? oldPolicy : await readPolicy(tx, h.tenantId, level);
    const leavesMajorPath = oldPolicy.requiresTreatmentPlan && !policy.requiresTreatmentPlan;
    if (leavesMajorPath || (h.level === 'major' && level !== 'major')) {
      const [signed] = await tx
        .select({ id: hazardSignoffs.id })
        .from(hazardSignoffs)
        .where(and(eq(hazardSignoffs.tenantId, h.tenantId), eq(hazardSignoffs.hazardId, h.id)))
        .limit(1);
      if (signed) throw new AppError('conflict', 'management sign-off of this major hazard has started; it can no longer be downgraded', { extra: { blockers: ['signoff_started'] } });
      if (h.reportedToAuthorityAt) throw new AppError('conflict', 'this major hazard was reported to the authority; it can no longer be downgraded', { extra: { blockers: ['reported_to_authority'] } });
    }

    const now = ctx.now();
    const patch: HazardPatch = { level, category, reportToAuthority: level === 'major' };
    const respondRuns = respondStates.includes(h.status) && h.respondedAt === null && h.respondDueAt !== null;
    const rectifyRuns = rectifyStates.includes(h.status) && h.rectifyDueAt !== null;
    if (level !== h.level) {
      if (respondRuns) {
        patch.respondDueAt = moved(h.respondDueAt, oldPolicy.respondMinutes, policy.respondMinutes);
        if (patch.respondDueAt && patch.respondDueAt > now) patch.respondOverdue = false;
      }
      if (rectifyRuns) {
        patch.rectifyDueAt = moved(h.rectifyDueAt, oldPolicy.rectifyMinutes, policy.rectifyMinutes);
        if (patch.rectifyDueAt && patch.rectifyDueAt > now) patch.rectifyOverdue = false;
      }
    }
    const after = await saveHazard(tx, ctx, h, patch);
    const change = {
      fromLevel: h.level,
      toLevel: after.level,
      fromCategory: h.category,
      toCategory: after.category,
      respondDueAt: after.respondDueAt?.toISOString() ?? null,
      rectifyDueAt: after.rectifyDueAt?.toISOString() ?? null,
    };
    await addTimeline(tx, ctx, after, { action: 'regraded', comment: reason, data: change });
    await recordHazard(tx, ctx, 'regraded', h, after, { audit: { reason, reportToAuthority: after.reportToAuthority }, payload: change });

    if (level !== h.level) {
      // The timers follow the moved deadlines (rescheduled in place; fired ones armed again for the new time).
      if (respondRuns && after.respondDueAt) {
        await cancelPhase(tx, h.id, 'respond', now);
        await armDeadline(tx, after, 'respond', new Date(after.respondDueAt.getTime() - policy.respondMinutes * 60_000), policy);
      }
      if (rectifyRuns && after.rectifyDueAt) {
        await cancelPhase(tx, h.id, 'rectify', now);
        await armDeadline(tx, after, 'rectify', new Date(after.rectifyDueAt.getTime() - policy.rectifyMinutes * 60_000), policy);
      }
      if (after.status === 'pending_verification') await armVerify(tx, after, policy);
    }

    const { timeZone } = await tenantInfo(tx, h.tenantId);
    const due = formatZoned(after.rectifyDueAt, timeZone) || '—';
    await notifyHazard(tx, ctx, after, [after.assigneeUserId, after.reporterUserId], notices.regraded(after, reason, due));
    // As reportHazard: management learns of a major hazard at once, not only when its plan is ready.
    if (policy.requiresTreatmentPlan && !oldPolicy.requiresTreatmentPlan) {
      const { signers } = await signoffStatus(tx, after);
      await notifyHazard(tx, ctx, after, [...signers, ...(await triageTargets(tx, h.tenantId))], notices.majorReported(after));
    }
    return after;
  });
}
