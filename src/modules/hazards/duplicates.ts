import { and, desc, eq, gte, notInArray } from 'drizzle-orm';
import type { Ctx } from '../../platform/auth/actor.ts';
import { requirePermission } from '../../platform/auth/scope.ts';
import type { Tx } from '../../platform/db/client.ts';
import { AppError, invalid } from '../../platform/http/errors.ts';
import { readSettings } from './dictionaries.ts';
import { notices } from './messages.ts';
import { hazardPermissions as P } from './permissions.ts';
import { settleRejectedReport } from './points.ts';
import { hazards } from './schema.ts';
import { addTimeline, checkVersion, loadHazard, notifyHazard, partiesOf, recordHazard, saveHazard, transitionOrThrow, trimOrNull, type HazardRow } from './store.ts';
import { cancelAllTimers } from './sla.ts';

/**
 * Duplicates (issue 4): a new report in the same area and category as a hazard still open, reported
 * within the tenant's window (default 72 h), is flagged as a possible duplicate of the newest such one.
 * Triage then merges it: the duplicate is closed as rejected ("duplicate") and linked to the original.
 */
export async function findPossibleDuplicate(tx: Tx, tenantId: string, h: { orgUnitId: string; category: string; at: Date }): Promise<HazardRow | null> {
  const settings = await readSettings(tx, tenantId);
  if (settings.duplicateWindowHours <= 0) return null;
  const since = new Date(h.at.getTime() - settings.duplicateWindowHours * 3600_000);
  const [row] = await tx
    .select()
    .from(hazards)
    .where(
      and(
        eq(hazards.tenantId, tenantId),
        eq(hazards.orgUnitId, h.orgUnitId),
        eq(hazards.category, h.category),
        notInArray(hazards.status, ['closed', 'rejected']),
        gte(hazards.reportedAt, since),
      ),
    )
    .orderBy(desc(hazards.reportedAt), desc(hazards.id))
    .limit(1);
  return row ?? null;
}

export const DUPLICATE_REASON = 'duplicate';

export async function mergeHazard(ctx: Ctx, input: { id: string; intoId: string; version: number; comment?: string | null }): Promise<HazardRow> {
  requirePermission(ctx.actor, P.triage);
  if (input.id === input.intoId) throw invalid('intoId', 'distinct', 'intoId: a hazard cannot be merged into itself');
  return ctx.db.tx(async (tx) => {
    // Lock in id order: two opposite merges at once must queue, not deadlock.
    const [first, second] = input.id < input.intoId ? [input.id, input.intoId] : [input.intoId, input.id];
    const a = await loadHazard(tx, ctx.actor, first, { forUpdate: true }).catch((e: unknown) => {
      if (first === input.intoId && e instanceof AppError && e.code === 'not_found') throw invalid('intoId', 'exists', `intoId: no hazard ${input.intoId}`);
      throw e;
    });
    const b = await loadHazard(tx, ctx.actor, second, { forUpdate: true }).catch((e: unknown) => {
      if (second === input.intoId && e instanceof AppError && e.code === 'not_found') throw invalid('intoId', 'exists', `intoId: no hazard ${input.intoId}`);
      throw e;
    });
    const dup = a.id === input.id ? a : b;
    const into = a.id === input.id ? b : a;
    checkVersion(dup, input.version);
    const to = transitionOrThrow(dup, 'merge', partiesOf(ctx.actor, dup), null, ['triage']);
    if (into.status === 'rejected') throw invalid('intoId', 'state', `intoId: ${into.number} is rejected; merge into the hazard that stays open`);
    if (into.mergedIntoId) throw invalid('intoId', 'state', `intoId: ${into.number} was itself merged into another hazard`);
    const now = ctx.now();
    const comment = trimOrNull(input.comment);
    const after = await saveHazard(tx, ctx, dup, { status: to, mergedIntoId: into.id, rejectedAt: now, rejectReason: DUPLICATE_REASON, respondedAt: dup.respondedAt ?? now });
    await addTimeline(tx, ctx, after, { action: 'merged', from: dup.status, to, comment, data: { intoId: into.id, intoNumber: into.number } });
    await addTimeline(tx, ctx, into, { action: 'merged_from', comment, data: { fromId: dup.id, fromNumber: dup.number } });
    await recordHazard(tx, ctx, 'merged', dup, after, { audit: { intoId: into.id, intoNumber: into.number }, payload: { intoId: into.id } });
    await cancelAllTimers(tx, dup.id, now);
    await settleRejectedReport(tx, ctx, after, { duplicate: true });
    await notifyHazard(tx, ctx, after, [after.reporterUserId], notices.merged(after, into));
    return after;
  });
}
