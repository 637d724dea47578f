import { and, eq, ne } from 'drizzle-orm';
import type { Ctx } from '../../platform/auth/actor.ts';
import { requirePermission } from '../../platform/auth/scope.ts';
import type { Tx } from '../../platform/db/client.ts';
import { newId } from '../../platform/db/columns.ts';
import { AppError } from '../../platform/http/errors.ts';
import { alreadyExists, mapUniqueViolation, versionConflict } from '../../platform/org/sqlHelpers.ts';
import { archiveBelow } from './archive.ts';
import { riskPermissions as P } from './permissions.ts';
import { riskEvents, riskObjects, riskUnits, type RiskObjectType } from './schema.ts';
import {
  archiveStamp,
  loadForChange,
  loadInScope,
  notArchived,
  recordRisk,
  requireOrgUnit,
  requirePerson,
  trimOrNull,
  type RiskObjectRow,
  type RiskUnitRow,
} from './store.ts';

/** Risk objects (风险分析对象) and risk units (风险分析单元): create, update with version, archive with reason. */

export interface ArchiveInput {
  id: string;
  version: number;
  reason: string;
}

// ---------------------------------------------------------------------------------------------------------
// Risk objects
// ---------------------------------------------------------------------------------------------------------

export interface NewRiskObject {
  code: string;
  name: string;
  type: RiskObjectType;
  orgUnitId: string;
  description?: string | null;
}

async function codeFree(tx: Tx, tenantId: string, code: string, exceptId?: string): Promise<void> {
  const [taken] = await tx
    .select({ id: riskObjects.id })
    .from(riskObjects)
    .where(and(eq(riskObjects.tenantId, tenantId), eq(riskObjects.code, code), ...(exceptId ? [ne(riskObjects.id, exceptId)] : [])));
  if (taken) throw alreadyExists('code', `code: a risk object ${code} already exists`);
}

export async function createRiskObjectTx(tx: Tx, ctx: Ctx, input: NewRiskObject): Promise<RiskObjectRow> {
  const tenantId = ctx.actor.tenantId;
  const code = input.code.trim();
  await requireOrgUnit(tx, ctx.actor, input.orgUnitId, 'orgUnitId');
  await codeFree(tx, tenantId, code);
  const now = ctx.now();
  const [row] = await mapUniqueViolation(
    () =>
      tx
        .insert(riskObjects)
        .values({
          id: newId(),
          tenantId,
          orgUnitId: input.orgUnitId,
          createdAt: now,
          createdBy: ctx.actor.userId,
          updatedAt: now,
          updatedBy: ctx.actor.userId,
          code,
          name: input.name.trim(),
          type: input.type,
          description: trimOrNull(input.description),
        })
        .returning(),
    'code',
    `code: a risk object ${code} already exists`,
  );
  if (!row) throw new AppError('internal');
  await recordRisk(tx, ctx, 'object', 'created', null, row, { code: row.code });
  return row;
}

export async function createRiskObject(ctx: Ctx, input: NewRiskObject): Promise<RiskObjectRow> {
  requirePermission(ctx.actor, P.write);
  return ctx.db.tx((tx) => createRiskObjectTx(tx, ctx, input));
}

export interface RiskObjectPatch {
  code?: string;
  name?: string;
  type?: RiskObjectType;
  orgUnitId?: string;
  description?: string | null;
}

export async function updateRiskObject(ctx: Ctx, input: RiskObjectPatch & { id: string; version: number }): Promise<RiskObjectRow> {
  requirePermission(ctx.actor, P.write);
  return ctx.db.tx(async (tx) => {
    const before = await loadForChange(tx, ctx.actor, 'object', input.id, input.version);
    const patch: Partial<typeof riskObjects.$inferInsert> = {};
    if (input.code !== undefined && input.code.trim() !== before.code) {
      await codeFree(tx, ctx.actor.tenantId, input.code.trim(), before.id);
      patch.code = input.code.trim();
    }
    if (input.name !== undefined) patch.name = input.name.trim();
    if (input.type !== undefined) patch.type = input.type;
    if (input.description !== undefined) patch.description = trimOrNull(input.description);
    if (input.orgUnitId !== undefined && input.orgUnitId !== before.orgUnitId) {
      await requireOrgUnit(tx, ctx.actor, input.orgUnitId, 'orgUnitId');
      patch.orgUnitId = input.orgUnitId;
    }
    const [after] = await mapUniqueViolation(
      () =>
        tx
          .update(riskObjects)
          .set({ ...patch, version: before.version + 1, updatedAt: ctx.now(), updatedBy: ctx.actor.userId })
          .where(and(eq(riskObjects.id, before.id), eq(riskObjects.version, before.version)))
          .returning(),
      'code',
      `code: a risk object ${patch.code ?? ''} already exists`,
    );
    if (!after) throw versionConflict(before.version);
    await recordRisk(tx, ctx, 'object', 'updated', before, after, { code: after.code });
    return after;
  });
}

export async function archiveRiskObject(ctx: Ctx, input: ArchiveInput): Promise<RiskObjectRow> {
  requirePermission(ctx.actor, P.write);
  return ctx.db.tx(async (tx) => {
    const before = await loadForChange(tx, ctx.actor, 'object', input.id, input.version);
    const [after] = await tx
      .update(riskObjects)
      .set(archiveStamp(ctx, before, input.reason))
      .where(and(eq(riskObjects.id, before.id), eq(riskObjects.version, before.version)))
      .returning();
    if (!after) throw versionConflict(before.version);
    const below = await archiveBelow(tx, ctx, { objectId: before.id }, input.reason.trim());
    await recordRisk(tx, ctx, 'object', 'archived', before, { ...after, archivedBelow: below }, { code: after.code, ...below });
    return after;
  });
}

// ---------------------------------------------------------------------------------------------------------
// Risk units
// ---------------------------------------------------------------------------------------------------------

export interface NewRiskUnit {
  objectId: string;
  name: string;
  /** Responsible department (hazardDep). */
  orgUnitId: string;
  responsiblePersonId?: string | null;
  description?: string | null;
}

export async function createRiskUnitTx(tx: Tx, ctx: Ctx, input: NewRiskUnit): Promise<RiskUnitRow> {
  const object = await loadInScope(tx, ctx.actor, 'object', input.objectId);
  notArchived(object, 'risk object');
  await requireOrgUnit(tx, ctx.actor, input.orgUnitId, 'orgUnitId');
  await requirePerson(tx, ctx.actor.tenantId, input.responsiblePersonId, 'responsiblePersonId');
  const now = ctx.now();
  const [row] = await tx
    .insert(riskUnits)
    .values({
      id: newId(),
      tenantId: ctx.actor.tenantId,
      orgUnitId: input.orgUnitId,
      createdAt: now,
      createdBy: ctx.actor.userId,
      updatedAt: now,
      updatedBy: ctx.actor.userId,
      objectId: object.id,
      name: input.name.trim(),
      description: trimOrNull(input.description),
      responsiblePersonId: input.responsiblePersonId ?? null,
    })
    .returning();
  if (!row) throw new AppError('internal');
  await recordRisk(tx, ctx, 'unit', 'created', null, row, { objectId: object.id });
  return row;
}

export async function createRiskUnit(ctx: Ctx, input: NewRiskUnit): Promise<RiskUnitRow> {
  requirePermission(ctx.actor, P.write);
  return ctx.db.tx((tx) => createRiskUnitTx(tx, ctx, input));
}

export interface RiskUnitPatch {
  name?: string;
  orgUnitId?: string;
  responsiblePersonId?: string | null;
  description?: string | null;
}

export async function updateRiskUnit(ctx: Ctx, input: RiskUnitPatch & { id: string; version: number }): Promise<RiskUnitRow> {
  requirePermission(ctx.actor, P.write);
  return ctx.db.tx(async (tx) => {
    const before = await loadForChange(tx, ctx.actor, 'unit', input.id, input.version);
    const patch: Partial<typeof riskUnits.$inferInsert> = {};
    if (input.name !== undefined) patch.name = input.name.trim();
    if (input.description !== undefined) patch.description = trimOrNull(input.description);
    if (input.responsiblePersonId !== undefined) {
      await requirePerson(tx, ctx.actor.tenantId, input.responsiblePersonId, 'responsiblePersonId');
      patch.responsiblePersonId = input.responsiblePersonId;
    }
    const moved = input.orgUnitId !== undefined && input.orgUnitId !== before.orgUnitId;
    if (moved && input.orgUnitId) {
      await requireOrgUnit(tx, ctx.actor, input.orgUnitId, 'orgUnitId');
      patch.orgUnitId = input.orgUnitId;
    }
    const now = ctx.now();
    const [after] = await tx
      .update(riskUnits)
      .set({ ...patch, version: before.version + 1, updatedAt: now, updatedBy: ctx.actor.userId })
      .where(and(eq(riskUnits.id, before.id), eq(riskUnits.version, before.version)))
      .returning();
    if (!after) throw versionConflict(before.version);
    // Events take their data scope from the unit's responsible department: they move with it.
    if (moved) {
      await tx
        .update(riskEvents)
        .set({ orgUnitId: after.orgUnitId, updatedAt: now, updatedBy: ctx.actor.userId })
        .where(and(eq(riskEvents.tenantId, after.tenantId), eq(riskEvents.unitId, after.id)));
    }
    await recordRisk(tx, ctx, 'unit', 'updated', before, after, { objectId: after.objectId });
    return after;
  });
}

export async function archiveRiskUnit(ctx: Ctx, input: ArchiveInput): Promise<RiskUnitRow> {
  requirePermission(ctx.actor, P.write);
  return ctx.db.tx(async (tx) => {
    const before = await loadForChange(tx, ctx.actor, 'unit', input.id, input.version);
    const [after] = await tx
      .update(riskUnits)
      .set(archiveStamp(ctx, before, input.reason))
      .where(and(eq(riskUnits.id, before.id), eq(riskUnits.version, before.version)))
      .returning();
    if (!after) throw versionConflict(before.version);
    const below = await archiveBelow(tx, ctx, { unitId: before.id }, input.reason.trim());
    await recordRisk(tx, ctx, 'unit', 'archived', before, { ...after, archivedBelow: below }, { objectId: after.objectId, ...below });
    return after;
  });
}
