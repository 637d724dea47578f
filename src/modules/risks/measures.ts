import { and, eq } from 'drizzle-orm';
import type { Ctx } from '../../platform/auth/actor.ts';
import { requirePermission } from '../../platform/auth/scope.ts';
import type { Tx } from '../../platform/db/client.ts';
import { newId } from '../../platform/db/columns.ts';
import { AppError, invalid } from '../../platform/http/errors.ts';
import { versionConflict } from '../../platform/org/sqlHelpers.ts';
import { ensureRiskDefaults } from './defaults.ts';
import { riskPermissions as P } from './permissions.ts';
import type { ArchiveInput } from './register.ts';
import { riskControlMeasures, riskMeasureClasses, type CheckCycleUnit, type MeasureDataSource, type WorkDayType } from './schema.ts';
import {
  archiveStamp,
  assertWritable,
  loadForChange,
  loadInScope,
  notArchived,
  recordRisk,
  requireOrgUnit,
  requirePerson,
  requirePosition,
  trimOrNull,
  type MeasureRow,
} from './store.ts';

/**
 * Control measures (管控措施) of a risk event: what keeps the risk down, how it is classified (reference
 * §2.1), what a check looks at (隐患排查内容), how often (check cycle + unit, work-day type) and who does it.
 * Inspections generate their tasks from these rows.
 */

export interface MeasureFields {
  description: string;
  classify1: string;
  classify2?: string | null;
  classify3?: string | null;
  troubleshootContent: string;
  checkCycle: number;
  checkCycleUnit: CheckCycleUnit;
  workDayType: WorkDayType;
  /** Responsible unit; default the event's department. */
  orgUnitId?: string | null;
  responsiblePositionId?: string | null;
  responsiblePersonId?: string | null;
}

export interface NewMeasure extends MeasureFields {
  eventId: string;
  dataSource?: MeasureDataSource;
}

/** classify1 must be an active top-level class, classify2 (when given) one of its children. */
export async function checkClasses(tx: Tx, tenantId: string, classify1: string, classify2: string | null): Promise<void> {
  await ensureRiskDefaults(tx, tenantId);
  const rows = await tx.select().from(riskMeasureClasses).where(eq(riskMeasureClasses.tenantId, tenantId));
  const c1 = rows.find((r) => r.code === classify1 && r.parentCode === null && r.active);
  if (!c1) throw invalid('classify1', 'enum', `classify1: "${classify1}" is not an active control-measure class (${rows.filter((r) => r.parentCode === null && r.active).map((r) => r.code).join(', ')})`);
  if (classify2 === null) return;
  const c2 = rows.find((r) => r.code === classify2 && r.parentCode === classify1 && r.active);
  if (!c2) throw invalid('classify2', 'enum', `classify2: "${classify2}" is not an active sub-class of ${classify1} (${rows.filter((r) => r.parentCode === classify1 && r.active).map((r) => r.code).join(', ')})`);
}

export async function createMeasureTx(tx: Tx, ctx: Ctx, input: NewMeasure): Promise<MeasureRow> {
  const tenantId = ctx.actor.tenantId;
  const event = await loadInScope(tx, ctx.actor, 'event', input.eventId);
  notArchived(event, 'risk event');
  await assertWritable(tx, ctx.actor, [event.orgUnitId]);
  const classify2 = trimOrNull(input.classify2);
  await checkClasses(tx, tenantId, input.classify1, classify2);
  const orgUnitId = input.orgUnitId ?? event.orgUnitId;
  if (input.orgUnitId) await requireOrgUnit(tx, ctx.actor, input.orgUnitId, 'orgUnitId');
  await requirePosition(tx, tenantId, input.responsiblePositionId, 'responsiblePositionId');
  await requirePerson(tx, tenantId, input.responsiblePersonId, 'responsiblePersonId');
  const now = ctx.now();
  const [row] = await tx
    .insert(riskControlMeasures)
    .values({
      id: newId(),
      tenantId,
      orgUnitId,
      createdAt: now,
      createdBy: ctx.actor.userId,
      updatedAt: now,
      updatedBy: ctx.actor.userId,
      objectId: event.objectId,
      unitId: event.unitId,
      eventId: event.id,
      description: input.description.trim(),
      classify1: input.classify1,
      classify2,
      classify3: trimOrNull(input.classify3),
      troubleshootContent: input.troubleshootContent.trim(),
      checkCycle: input.checkCycle,
      checkCycleUnit: input.checkCycleUnit,
      workDayType: input.workDayType,
      responsiblePositionId: input.responsiblePositionId ?? null,
      responsiblePersonId: input.responsiblePersonId ?? null,
      dataSource: input.dataSource ?? 'manual',
    })
    .returning();
  if (!row) throw new AppError('internal');
  await recordRisk(tx, ctx, 'measure', 'created', null, row, { eventId: event.id });
  return row;
}

export async function createMeasure(ctx: Ctx, input: NewMeasure): Promise<MeasureRow> {
  requirePermission(ctx.actor, P.write);
  return ctx.db.tx((tx) => createMeasureTx(tx, ctx, input));
}

export type MeasurePatch = Partial<MeasureFields>;

export async function updateMeasure(ctx: Ctx, input: MeasurePatch & { id: string; version: number }): Promise<MeasureRow> {
  requirePermission(ctx.actor, P.write);
  const tenantId = ctx.actor.tenantId;
  return ctx.db.tx(async (tx) => {
    const eventId = (await loadInScope(tx, ctx.actor, 'measure', input.id)).eventId;
    const event = await loadInScope(tx, ctx.actor, 'event', eventId);
    const before = await loadForChange(tx, ctx.actor, 'measure', input.id, input.version, [event.orgUnitId]);
    const patch: Partial<typeof riskControlMeasures.$inferInsert> = {};
    if (input.classify1 !== undefined || input.classify2 !== undefined) {
      const c1 = input.classify1 ?? before.classify1;
      // A new classify1 without a classify2 drops the old sub-class (it belonged to the old parent).
      const c2 = input.classify2 !== undefined ? trimOrNull(input.classify2) : input.classify1 !== undefined && input.classify1 !== before.classify1 ? null : before.classify2;
      await checkClasses(tx, tenantId, c1, c2);
      patch.classify1 = c1;
      patch.classify2 = c2;
    }
    if (input.description !== undefined) patch.description = input.description.trim();
    if (input.classify3 !== undefined) patch.classify3 = trimOrNull(input.classify3);
    if (input.troubleshootContent !== undefined) patch.troubleshootContent = input.troubleshootContent.trim();
    if (input.checkCycle !== undefined) patch.checkCycle = input.checkCycle;
    if (input.checkCycleUnit !== undefined) patch.checkCycleUnit = input.checkCycleUnit;
    if (input.workDayType !== undefined) patch.workDayType = input.workDayType;
    if (input.orgUnitId !== undefined) {
      const unitId = input.orgUnitId ?? event.orgUnitId;
      if (input.orgUnitId) await requireOrgUnit(tx, ctx.actor, input.orgUnitId, 'orgUnitId');
      patch.orgUnitId = unitId;
    }
    if (input.responsiblePositionId !== undefined) {
      await requirePosition(tx, tenantId, input.responsiblePositionId, 'responsiblePositionId');
      patch.responsiblePositionId = input.responsiblePositionId;
    }
    if (input.responsiblePersonId !== undefined) {
      await requirePerson(tx, tenantId, input.responsiblePersonId, 'responsiblePersonId');
      patch.responsiblePersonId = input.responsiblePersonId;
    }
    const [after] = await tx
      .update(riskControlMeasures)
      .set({ ...patch, version: before.version + 1, updatedAt: ctx.now(), updatedBy: ctx.actor.userId })
      .where(and(eq(riskControlMeasures.id, before.id), eq(riskControlMeasures.version, before.version)))
      .returning();
    if (!after) throw versionConflict(before.version);
    await recordRisk(tx, ctx, 'measure', 'updated', before, after, { eventId: after.eventId });
    return after;
  });
}

export async function archiveMeasure(ctx: Ctx, input: ArchiveInput): Promise<MeasureRow> {
  requirePermission(ctx.actor, P.write);
  return ctx.db.tx(async (tx) => {
    const eventId = (await loadInScope(tx, ctx.actor, 'measure', input.id)).eventId;
    const event = await loadInScope(tx, ctx.actor, 'event', eventId);
    const before = await loadForChange(tx, ctx.actor, 'measure', input.id, input.version, [event.orgUnitId]);
    const [after] = await tx
      .update(riskControlMeasures)
      .set(archiveStamp(ctx, before, input.reason))
      .where(and(eq(riskControlMeasures.id, before.id), eq(riskControlMeasures.version, before.version)))
      .returning();
    if (!after) throw versionConflict(before.version);
    await recordRisk(tx, ctx, 'measure', 'archived', before, after, { eventId: after.eventId });
    return after;
  });
}
