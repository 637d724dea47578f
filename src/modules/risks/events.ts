import { and, eq } from 'drizzle-orm';
import type { Ctx } from '../../platform/auth/actor.ts';
import { requirePermission } from '../../platform/auth/scope.ts';
import type { Tx } from '../../platform/db/client.ts';
import { newId } from '../../platform/db/columns.ts';
import { AppError } from '../../platform/http/errors.ts';
import { versionConflict } from '../../platform/org/sqlHelpers.ts';
import { archiveBelow } from './archive.ts';
import { riskPermissions as P } from './permissions.ts';
import { cancelReassessment } from './reassessment.ts';
import type { ArchiveInput } from './register.ts';
import { riskEvents } from './schema.ts';
import { archiveStamp, assertWritable, loadForChange, loadInScope, notArchived, recordRisk, trimOrNull, type RiskEventRow } from './store.ts';

/** Risk events (风险事件): what can go wrong in a risk unit, with its consequences. */

export interface NewRiskEvent {
  unitId: string;
  name: string;
  description?: string | null;
  consequences?: string | null;
}

export async function createRiskEventTx(tx: Tx, ctx: Ctx, input: NewRiskEvent): Promise<RiskEventRow> {
  const unit = await loadInScope(tx, ctx.actor, 'unit', input.unitId);
  notArchived(unit, 'risk unit');
  await assertWritable(tx, ctx.actor, [unit.orgUnitId]);
  const now = ctx.now();
  const [row] = await tx
    .insert(riskEvents)
    .values({
      id: newId(),
      tenantId: ctx.actor.tenantId,
      // Data scope of an event is its unit's responsible department.
      orgUnitId: unit.orgUnitId,
      createdAt: now,
      createdBy: ctx.actor.userId,
      updatedAt: now,
      updatedBy: ctx.actor.userId,
      objectId: unit.objectId,
      unitId: unit.id,
      name: input.name.trim(),
      description: trimOrNull(input.description),
      consequences: trimOrNull(input.consequences),
    })
    .returning();
  if (!row) throw new AppError('internal');
  await recordRisk(tx, ctx, 'event', 'created', null, row, { unitId: unit.id, objectId: unit.objectId });
  return row;
}

export async function createRiskEvent(ctx: Ctx, input: NewRiskEvent): Promise<RiskEventRow> {
  requirePermission(ctx.actor, P.write);
  return ctx.db.tx((tx) => createRiskEventTx(tx, ctx, input));
}

export interface RiskEventPatch {
  name?: string;
  description?: string | null;
  consequences?: string | null;
}

export async function updateRiskEvent(ctx: Ctx, input: RiskEventPatch & { id: string; version: number }): Promise<RiskEventRow> {
  requirePermission(ctx.actor, P.write);
  return ctx.db.tx(async (tx) => {
    const before = await loadForChange(tx, ctx.actor, 'event', input.id, input.version);
    const patch: Partial<typeof riskEvents.$inferInsert> = {};
    if (input.name !== undefined) patch.name = input.name.trim();
    if (input.description !== undefined) patch.description = trimOrNull(input.description);
    if (input.consequences !== undefined) patch.consequences = trimOrNull(input.consequences);
    const [after] = await tx
      .update(riskEvents)
      .set({ ...patch, version: before.version + 1, updatedAt: ctx.now(), updatedBy: ctx.actor.userId })
      .where(and(eq(riskEvents.id, before.id), eq(riskEvents.version, before.version)))
      .returning();
    if (!after) throw versionConflict(before.version);
    await recordRisk(tx, ctx, 'event', 'updated', before, after, { unitId: after.unitId });
    return after;
  });
}

export async function archiveRiskEvent(ctx: Ctx, input: ArchiveInput): Promise<RiskEventRow> {
  requirePermission(ctx.actor, P.write);
  return ctx.db.tx(async (tx) => {
    const before = await loadForChange(tx, ctx.actor, 'event', input.id, input.version);
    const [after] = await tx
      .update(riskEvents)
      .set(archiveStamp(ctx, before, input.reason))
      .where(and(eq(riskEvents.id, before.id), eq(riskEvents.version, before.version)))
      .returning();
    if (!after) throw versionConflict(before.version);
    await cancelReassessment(tx, before.id, after.updatedAt);
    const below = await archiveBelow(tx, ctx, { eventId: before.id }, input.reason.trim());
    await recordRisk(tx, ctx, 'event', 'archived', before, { ...after, archivedBelow: below }, { unitId: after.unitId, ...below });
    return after;
  });
}
