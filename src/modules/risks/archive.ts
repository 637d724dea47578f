import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Ctx } from '../../platform/auth/actor.ts';
import type { Tx } from '../../platform/db/client.ts';
import { publishEvents } from '../../platform/events/outbox.ts';
import { cancelReassessment } from './reassessment.ts';
import { riskControlMeasures, riskEvents, riskUnits } from './schema.ts';

/**
 * Archiving a part of the register archives what hangs below it, with the same reason and time (a
 * measure of an archived event must not keep generating inspection tasks), and stops the re-assessment
 * reminders of the archived events. Nothing is deleted.
 */

export interface ArchivedBelow {
  units: number;
  events: number;
  measures: number;
}

export async function archiveBelow(tx: Tx, ctx: Ctx, parent: { objectId: string } | { unitId: string } | { eventId: string }, reason: string): Promise<ArchivedBelow> {
  const now = ctx.now();
  const stamp = { archivedAt: now, archivedBy: ctx.actor.userId, archiveReason: reason, updatedAt: now, updatedBy: ctx.actor.userId };
  const tenantId = ctx.actor.tenantId;
  let units = 0;
  if ('objectId' in parent) {
    const rows = await tx
      .update(riskUnits)
      .set({ ...stamp, version: sql`${riskUnits.version} + 1` })
      .where(and(eq(riskUnits.tenantId, tenantId), eq(riskUnits.objectId, parent.objectId), isNull(riskUnits.archivedAt)))
      .returning({ id: riskUnits.id });
    units = rows.length;
  }
  const eventWhere =
    'objectId' in parent ? eq(riskEvents.objectId, parent.objectId) : 'unitId' in parent ? eq(riskEvents.unitId, parent.unitId) : null;
  let events = 0;
  if (eventWhere) {
    const rows = await tx
      .update(riskEvents)
      .set({ ...stamp, version: sql`${riskEvents.version} + 1` })
      .where(and(eq(riskEvents.tenantId, tenantId), eventWhere, isNull(riskEvents.archivedAt)))
      .returning({ id: riskEvents.id });
    events = rows.length;
    for (const r of rows) await cancelReassessment(tx, r.id, now);
  }
  const measureWhere =
    'objectId' in parent
      ? eq(riskControlMeasures.objectId, parent.objectId)
      : 'unitId' in parent
        ? eq(riskControlMeasures.unitId, parent.unitId)
        : eq(riskControlMeasures.eventId, parent.eventId);
  const measures = await tx
    .update(riskControlMeasures)
    .set({ ...stamp, version: sql`${riskControlMeasures.version} + 1` })
    .where(and(eq(riskControlMeasures.tenantId, tenantId), measureWhere, isNull(riskControlMeasures.archivedAt)))
    .returning({ id: riskControlMeasures.id, eventId: riskControlMeasures.eventId });
  // Inspections stop planning a measure on `risk.measure_archived`: announce each one archived along with
  // its parent (the parent's audit entry counts them).
  await publishEvents(
    tx,
    ctx,
    measures.map((m) => ({ type: 'risk.measure_archived', entityType: 'risk_control_measure', entityId: m.id, payload: { id: m.id, eventId: m.eventId, withParent: true } })),
  );
  return { units, events, measures: measures.length };
}
