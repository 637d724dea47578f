import { and, asc, eq, gt, ilike, inArray, isNull, isNotNull, sql, type SQL } from 'drizzle-orm';
import { recordChange } from '../../platform/audit/record.ts';
import type { Actor, Ctx } from '../../platform/auth/actor.ts';
import { assertInScope, can, pathInScope, requirePermission, scopeWhere } from '../../platform/auth/scope.ts';
import type { Tx } from '../../platform/db/client.ts';
import { newId } from '../../platform/db/columns.ts';
import { AppError, invalid, notFound } from '../../platform/http/errors.ts';
import { decodeCursor, pageOf } from '../../platform/http/pagination.ts';
import { orgUnits } from '../../platform/org/schema.ts';
import { containsPattern } from '../../platform/org/sqlHelpers.ts';
import { newScanCode, scanUrl } from './codes.ts';
import { activeUnit, namesOf } from '../../platform/org/directory.ts';
import { equipmentPermissions as P } from './permissions.ts';
import { checkRiskUnitLinks } from './riskLinks.ts';
import { checkpointRetiredCodes, checkpoints, equipment } from './schema.ts';
import { versionConflict } from './store.ts';

/**
 * Checkpoints (巡检点): where an inspector must stand, proven by scanning the checkpoint's QR code. The
 * code is a capability: only holders of checkpoint:manage see it (to print labels); everybody else gets
 * the checkpoint without it, so a code cannot be read off a screen and "scanned" from elsewhere.
 */

export type CheckpointRow = typeof checkpoints.$inferSelect;

export interface CheckpointView {
  id: string;
  name: string;
  description: string | null;
  orgUnitId: string | null;
  orgUnitName: string | null;
  equipmentId: string | null;
  equipmentCode: string | null;
  equipmentName: string | null;
  riskUnitIds: string[];
  lat: number | null;
  lng: number | null;
  radiusM: number | null;
  codeRotatedAt: string | null;
  archived: boolean;
  archiveReason: string | null;
  createdAt: string;
  updatedAt: string;
  version: number;
  /** Only for checkpoint:manage. */
  scanCode?: string;
  scanUrl?: string;
}

export async function checkpointViews(tx: Tx, ctx: Ctx, rows: CheckpointRow[], publicUrl: string): Promise<CheckpointView[]> {
  const tenantId = ctx.actor.tenantId;
  const names = await namesOf(
    tx,
    tenantId,
    rows.map((r) => r.orgUnitId),
    [],
  );
  const equipmentIds = [...new Set(rows.map((r) => r.equipmentId).filter((v): v is string => v !== null))];
  const eqRows = equipmentIds.length
    ? await tx
        .select({ id: equipment.id, code: equipment.code, name: equipment.name })
        .from(equipment)
        .where(and(eq(equipment.tenantId, tenantId), inArray(equipment.id, equipmentIds)))
    : [];
  const eqById = new Map(eqRows.map((e) => [e.id, e]));
  const showCode = can(ctx.actor, P.manageCheckpoints);
  return rows.map((r) => {
    const e = r.equipmentId ? eqById.get(r.equipmentId) : undefined;
    return {
      id: r.id,
      name: r.name,
      description: r.description,
      orgUnitId: r.orgUnitId,
      orgUnitName: r.orgUnitId ? (names.units.get(r.orgUnitId) ?? null) : null,
      equipmentId: r.equipmentId,
      equipmentCode: e?.code ?? null,
      equipmentName: e?.name ?? null,
      riskUnitIds: r.riskUnitIds,
      lat: r.lat,
      lng: r.lng,
      radiusM: r.radiusM,
      codeRotatedAt: r.codeRotatedAt?.toISOString() ?? null,
      archived: r.archivedAt !== null,
      archiveReason: r.archiveReason,
      createdAt: r.createdAt.toISOString(),
      updatedAt: r.updatedAt.toISOString(),
      version: r.version,
      ...(showCode ? { scanCode: r.scanCode, scanUrl: scanUrl(publicUrl, r.scanCode) } : {}),
    };
  });
}

async function viewOf(tx: Tx, ctx: Ctx, row: CheckpointRow, publicUrl: string): Promise<CheckpointView> {
  const [v] = await checkpointViews(tx, ctx, [row], publicUrl);
  return v!;
}

/** A checkpoint of the actor's tenant (else 404) and data scope (else 403). */
export async function loadCheckpoint(tx: Tx, actor: Actor, id: string, opts: { forUpdate?: boolean } = {}): Promise<CheckpointRow> {
  const q = tx
    .select()
    .from(checkpoints)
    .where(and(eq(checkpoints.id, id), eq(checkpoints.tenantId, actor.tenantId)));
  const [row] = opts.forUpdate ? await q.for('update') : await q;
  if (!row) throw notFound('checkpoint');
  await assertInScope(tx, actor, row);
  return row;
}

// ---------------------------------------------------------------------------------------------------------
// Reads
// ---------------------------------------------------------------------------------------------------------

export interface CheckpointFilter {
  orgUnitId?: string;
  equipmentId?: string;
  archived?: boolean;
  q?: string;
}

export async function listCheckpoints(ctx: Ctx, deps: { publicUrl: string }, input: CheckpointFilter & { limit: number; cursor?: string }) {
  requirePermission(ctx.actor, P.read);
  const after = decodeCursor<{ id: string }>(input.cursor, { id: 'string' });
  if (after && !/^[0-9a-f-]{36}$/i.test(after.id)) throw invalid('cursor', 'format', 'cursor: invalid');
  return ctx.db.read(async (tx) => {
    const tenantId = ctx.actor.tenantId;
    const conds: SQL[] = [scopeWhere(ctx.actor, { tenantId: checkpoints.tenantId, orgUnitId: checkpoints.orgUnitId })];
    conds.push(input.archived ? isNotNull(checkpoints.archivedAt) : isNull(checkpoints.archivedAt));
    if (input.equipmentId) conds.push(eq(checkpoints.equipmentId, input.equipmentId));
    if (input.orgUnitId) {
      conds.push(
        sql`${checkpoints.orgUnitId} IN (SELECT u.id FROM ${orgUnits} u WHERE u.tenant_id = ${tenantId} AND u.path LIKE (SELECT p.path FROM ${orgUnits} p WHERE p.id = ${input.orgUnitId} AND p.tenant_id = ${tenantId}) || '%')`,
      );
    }
    if (input.q?.trim()) conds.push(ilike(checkpoints.name, containsPattern(input.q.trim())));
    // Ids are UUIDv7: creation order, which is the order a route was laid out in.
    if (after) conds.push(gt(checkpoints.id, after.id));
    const rows = await tx
      .select()
      .from(checkpoints)
      .where(and(...conds))
      .orderBy(asc(checkpoints.id))
      .limit(input.limit + 1);
    const page = pageOf(rows, input.limit, (r) => ({ id: r.id }));
    return { items: await checkpointViews(tx, ctx, page.items, deps.publicUrl), nextCursor: page.nextCursor };
  });
}

export async function getCheckpoint(ctx: Ctx, deps: { publicUrl: string }, id: string): Promise<CheckpointView> {
  requirePermission(ctx.actor, P.read);
  return ctx.db.read(async (tx) => viewOf(tx, ctx, await loadCheckpoint(tx, ctx.actor, id), deps.publicUrl));
}

// ---------------------------------------------------------------------------------------------------------
// Writes (checkpoint:manage)
// ---------------------------------------------------------------------------------------------------------

export interface CheckpointFields {
  name?: string;
  description?: string | null;
  orgUnitId?: string;
  equipmentId?: string | null;
  riskUnitIds?: string[];
  lat?: number | null;
  lng?: number | null;
  radiusM?: number | null;
}

export interface CreateCheckpointInput extends CheckpointFields {
  name: string;
  orgUnitId: string;
}

interface Placement {
  lat: number | null;
  lng: number | null;
  radiusM: number | null;
}

function checkPosition(p: Placement): void {
  if ((p.lat === null) !== (p.lng === null)) throw invalid(p.lat === null ? 'lat' : 'lng', 'required', 'lat and lng: both or neither');
  if (p.radiusM !== null && p.lat === null) throw invalid('radiusM', 'dependency', 'radiusM: needs lat and lng (the centre of the allowed circle)');
}

async function checkEquipmentRef(tx: Tx, tenantId: string, equipmentId: string): Promise<void> {
  const [e] = await tx
    .select({ status: equipment.status })
    .from(equipment)
    .where(and(eq(equipment.tenantId, tenantId), eq(equipment.id, equipmentId)));
  if (!e) throw invalid('equipmentId', 'exists', `equipmentId: no equipment ${equipmentId}`);
  if (e.status === 'scrapped') throw invalid('equipmentId', 'state', 'equipmentId: the equipment is scrapped');
}

async function checkArea(tx: Tx, actor: Actor, orgUnitId: string): Promise<void> {
  const unit = await activeUnit(tx, actor.tenantId, orgUnitId, 'orgUnitId');
  if (!pathInScope(actor, unit.path)) throw new AppError('out_of_scope', `org unit ${unit.name} is outside your data scope`);
}

/** Audit shape: never the code itself (the audit log is readable by auditors; the code is a capability). */
function auditView(c: CheckpointRow): Record<string, unknown> {
  return { name: c.name, orgUnitId: c.orgUnitId, equipmentId: c.equipmentId, riskUnitIds: c.riskUnitIds, lat: c.lat, lng: c.lng, radiusM: c.radiusM, archivedAt: c.archivedAt, archiveReason: c.archiveReason, version: c.version };
}

async function record(tx: Tx, ctx: Ctx, what: string, before: CheckpointRow | null, after: CheckpointRow, extra: Record<string, unknown> = {}): Promise<void> {
  await recordChange(
    tx,
    ctx,
    { action: `checkpoint.${what}`, entityType: 'checkpoint', entityId: after.id, before: before ? auditView(before) : null, after: { ...auditView(after), ...extra } },
    { type: `checkpoint.${what}`, entityType: 'checkpoint', entityId: after.id, payload: { checkpointId: after.id, orgUnitId: after.orgUnitId, equipmentId: after.equipmentId } },
  );
}

export async function createCheckpoint(ctx: Ctx, deps: { publicUrl: string }, input: CreateCheckpointInput): Promise<CheckpointView> {
  requirePermission(ctx.actor, P.manageCheckpoints);
  const name = input.name.trim();
  if (!name) throw invalid('name', 'minLength', 'name: required');
  const placement = { lat: input.lat ?? null, lng: input.lng ?? null, radiusM: input.radiusM ?? null };
  checkPosition(placement);
  return ctx.db.tx(async (tx) => {
    const tenantId = ctx.actor.tenantId;
    await checkArea(tx, ctx.actor, input.orgUnitId);
    if (input.equipmentId) await checkEquipmentRef(tx, tenantId, input.equipmentId);
    const riskUnitIds = await checkRiskUnitLinks(tx, tenantId, input.riskUnitIds ?? []);
    const now = ctx.now();
    const [row] = await tx
      .insert(checkpoints)
      .values({
        id: newId(),
        tenantId,
        orgUnitId: input.orgUnitId,
        name,
        description: input.description?.trim() || null,
        equipmentId: input.equipmentId ?? null,
        riskUnitIds,
        ...placement,
        scanCode: newScanCode(),
        createdAt: now,
        createdBy: ctx.actor.userId,
        updatedAt: now,
        updatedBy: ctx.actor.userId,
      })
      .returning();
    await record(tx, ctx, 'created', null, row!);
    return viewOf(tx, ctx, row!, deps.publicUrl);
  });
}

export async function updateCheckpoint(ctx: Ctx, deps: { publicUrl: string }, id: string, patch: CheckpointFields, version: number): Promise<CheckpointView> {
  requirePermission(ctx.actor, P.manageCheckpoints);
  return ctx.db.tx(async (tx) => {
    const tenantId = ctx.actor.tenantId;
    const before = await loadCheckpoint(tx, ctx.actor, id, { forUpdate: true });
    if (before.version !== version) throw versionConflict(before.version);
    if (before.archivedAt) throw new AppError('conflict', 'an archived checkpoint cannot be edited');
    const name = patch.name !== undefined ? patch.name.trim() : before.name;
    if (!name) throw invalid('name', 'minLength', 'name: required');
    const placement = {
      lat: patch.lat !== undefined ? patch.lat : before.lat,
      lng: patch.lng !== undefined ? patch.lng : before.lng,
      radiusM: patch.radiusM !== undefined ? patch.radiusM : before.radiusM,
    };
    checkPosition(placement);
    if (patch.orgUnitId !== undefined && patch.orgUnitId !== before.orgUnitId) await checkArea(tx, ctx.actor, patch.orgUnitId);
    if (patch.equipmentId && patch.equipmentId !== before.equipmentId) await checkEquipmentRef(tx, tenantId, patch.equipmentId);
    const riskUnitIds = patch.riskUnitIds !== undefined ? await checkRiskUnitLinks(tx, tenantId, patch.riskUnitIds, before.riskUnitIds) : before.riskUnitIds;
    const [after] = await tx
      .update(checkpoints)
      .set({
        name,
        description: patch.description !== undefined ? patch.description?.trim() || null : before.description,
        orgUnitId: patch.orgUnitId ?? before.orgUnitId,
        equipmentId: patch.equipmentId !== undefined ? patch.equipmentId : before.equipmentId,
        riskUnitIds,
        ...placement,
        version: before.version + 1,
        updatedAt: ctx.now(),
        updatedBy: ctx.actor.userId,
      })
      .where(and(eq(checkpoints.id, id), eq(checkpoints.version, before.version)))
      .returning();
    if (!after) throw versionConflict(before.version);
    await record(tx, ctx, 'updated', before, after);
    return viewOf(tx, ctx, after, deps.publicUrl);
  });
}

/**
 * Gives the checkpoint a new code: every label printed so far stops working (a label was copied,
 * photographed or stolen). The old code is kept as retired, so its scans are told "replaced".
 */
export async function rotateCheckpointCode(ctx: Ctx, deps: { publicUrl: string }, id: string, input: { reason: string }, version: number): Promise<CheckpointView> {
  requirePermission(ctx.actor, P.manageCheckpoints);
  const reason = input.reason.trim();
  if (!reason) throw invalid('reason', 'required', 'reason: required to rotate a code');
  return ctx.db.tx(async (tx) => {
    const before = await loadCheckpoint(tx, ctx.actor, id, { forUpdate: true });
    if (before.version !== version) throw versionConflict(before.version);
    if (before.archivedAt) throw new AppError('conflict', 'an archived checkpoint has no code to rotate');
    const now = ctx.now();
    await tx.insert(checkpointRetiredCodes).values({ code: before.scanCode, tenantId: before.tenantId, checkpointId: before.id, retiredAt: now, retiredBy: ctx.actor.userId, reason });
    const [after] = await tx
      .update(checkpoints)
      .set({ scanCode: newScanCode(), codeRotatedAt: now, version: before.version + 1, updatedAt: now, updatedBy: ctx.actor.userId })
      .where(and(eq(checkpoints.id, id), eq(checkpoints.version, before.version)))
      .returning();
    if (!after) throw versionConflict(before.version);
    await record(tx, ctx, 'code_rotated', before, after, { reason });
    return viewOf(tx, ctx, after, deps.publicUrl);
  });
}

/** Retires a checkpoint (never deleted: its scans and check history point at it); its code stops working. */
export async function archiveCheckpoint(ctx: Ctx, deps: { publicUrl: string }, id: string, input: { reason: string }, version: number): Promise<CheckpointView> {
  requirePermission(ctx.actor, P.manageCheckpoints);
  const reason = input.reason.trim();
  if (!reason) throw invalid('reason', 'required', 'reason: required to archive a checkpoint');
  return ctx.db.tx(async (tx) => {
    const before = await loadCheckpoint(tx, ctx.actor, id, { forUpdate: true });
    if (before.version !== version) throw versionConflict(before.version);
    if (before.archivedAt) throw new AppError('conflict', 'the checkpoint is already archived');
    const now = ctx.now();
    const [after] = await tx
      .update(checkpoints)
      .set({ archivedAt: now, archivedBy: ctx.actor.userId, archiveReason: reason, version: before.version + 1, updatedAt: now, updatedBy: ctx.actor.userId })
      .where(and(eq(checkpoints.id, id), eq(checkpoints.version, before.version)))
      .returning();
    if (!after) throw versionConflict(before.version);
    await record(tx, ctx, 'archived', before, after);
    return viewOf(tx, ctx, after, deps.publicUrl);
  });
}
