import { and, eq } from 'drizzle-orm';
import { recordChange } from '../../platform/audit/record.ts';
import type { Actor, Ctx } from '../../platform/auth/actor.ts';
import { assertInScope } from '../../platform/auth/scope.ts';
import type { Tx } from '../../platform/db/client.ts';
import { AppError, notFound } from '../../platform/http/errors.ts';
import { equipment } from './schema.ts';

/** The shared write path of the equipment register: scoped load, version check, audit + event. */

export type EquipmentRow = typeof equipment.$inferSelect;

/** Equipment of the actor's tenant (else 404) and data scope (else 403; the responsible person always sees it). */
export async function loadEquipment(tx: Tx, actor: Actor, id: string, opts: { forUpdate?: boolean } = {}): Promise<EquipmentRow> {
  const q = tx
    .select()
    .from(equipment)
    .where(and(eq(equipment.id, id), eq(equipment.tenantId, actor.tenantId)));
  const [row] = opts.forUpdate ? await q.for('update') : await q;
  if (!row) throw notFound('equipment');
  await assertInScope(tx, actor, row, [row.responsiblePersonId]);
  return row;
}

export function versionConflict(current: number): AppError {
  return new AppError('version_conflict', `the record is at version ${current}; reload and try again`, { extra: { currentVersion: current } });
}

function auditView(e: EquipmentRow): Record<string, unknown> {
  return {
    code: e.code,
    name: e.name,
    kind: e.kind,
    special: e.special,
    registrationNo: e.registrationNo,
    lastInspectedOn: e.lastInspectedOn,
    inspectionIntervalMonths: e.inspectionIntervalMonths,
    nextInspectionDue: e.nextInspectionDue,
    orgUnitId: e.orgUnitId,
    responsiblePersonId: e.responsiblePersonId,
    riskUnitIds: e.riskUnitIds,
    status: e.status,
    statusReason: e.statusReason,
    version: e.version,
  };
}

export type EquipmentChange = 'created' | 'updated' | 'status_changed' | 'inspection_recorded';

export async function recordEquipment(tx: Tx, ctx: Ctx, what: EquipmentChange, before: EquipmentRow | null, after: EquipmentRow, extra: Record<string, unknown> = {}): Promise<void> {
  await recordChange(
    tx,
    ctx,
    { action: `equipment.${what}`, entityType: 'equipment', entityId: after.id, before: before ? auditView(before) : null, after: { ...auditView(after), ...extra } },
    {
      type: `equipment.${what}`,
      entityType: 'equipment',
      entityId: after.id,
      payload: { equipmentId: after.id, code: after.code, kind: after.kind, status: after.status, nextInspectionDue: after.nextInspectionDue, ...extra },
    },
  );
}
