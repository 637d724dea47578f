import { and, asc, eq, inArray, isNull } from 'drizzle-orm';
import type { Actor, Ctx } from '../../platform/auth/actor.ts';
import { requirePermission } from '../../platform/auth/scope.ts';
import { recordChange } from '../../platform/audit/record.ts';
import type { Tx } from '../../platform/db/client.ts';
import { newId } from '../../platform/db/columns.ts';
import { files } from '../../platform/files/schema.ts';
import { AppError, invalid, notFound } from '../../platform/http/errors.ts';
import { versionConflict } from '../../platform/org/sqlHelpers.ts';
import { riskPermissions as P } from './permissions.ts';
import { riskMapAreas, riskMaps, riskUnits, type MapPoint } from './schema.ts';
import { assertWritable, auditView, requireOrgUnit, trimOrNull } from './store.ts';

/**
 * Site maps of the four-colour map (四色图) and the areas drawn on them: create, update with version,
 * archive (nothing is deleted). Polygons are normalized points so one drawing fits every screen size.
 */

export type RiskMapRow = typeof riskMaps.$inferSelect;
export type RiskMapAreaRow = typeof riskMapAreas.$inferSelect;

/** A floor plan is a photo-sized image, not a poster scan: beyond this it is too slow on a phone. */
export const MAX_PLAN_BYTES = 10 * 1024 * 1024;
export const MAX_POLYGON_POINTS = 200;
const MAX_PLAN_PX = 20_000;

/** ≥ 3 points, ≤ 200, each a pair of finite numbers in 0..1 — else a 400 naming the point. */
export function checkPolygon(polygon: unknown, field = 'polygon'): MapPoint[] {
  if (!Array.isArray(polygon)) throw invalid(field, 'type', `${field}: a list of [x, y] points`);
  if (polygon.length < 3) throw invalid(field, 'minItems', `${field}: at least 3 points`);
  if (polygon.length > MAX_POLYGON_POINTS) throw invalid(field, 'maxItems', `${field}: at most ${MAX_POLYGON_POINTS} points`);
  return polygon.map((p: unknown, i) => {
    if (!Array.isArray(p) || p.length !== 2) throw invalid(`${field}.${i}`, 'type', `${field}.${i}: a pair [x, y]`);
    const [x, y] = p as unknown[];
    for (const v of [x, y]) {
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 1) throw invalid(`${field}.${i}`, 'range', `${field}.${i}: x and y are numbers from 0 to 1`);
    }
    // Six decimals: finer than a pixel of any plan, and a stored polygon compares equal after a round trip.
    return [Math.round((x as number) * 1e6) / 1e6, Math.round((y as number) * 1e6) / 1e6];
  });
}

/** An uploaded image of this tenant, small enough for a floor plan; its pixel size when it was measured. */
async function requirePlanImage(tx: Tx, tenantId: string, fileId: string): Promise<{ width: number | null; height: number | null }> {
  const [f] = await tx.select().from(files).where(and(eq(files.tenantId, tenantId), eq(files.id, fileId)));
  if (!f) throw invalid('imageFileId', 'exists', `imageFileId: no uploaded file ${fileId} in this company`);
  if (f.kind !== 'image') throw invalid('imageFileId', 'kind', 'imageFileId: the floor plan must be an image');
  if (f.size > MAX_PLAN_BYTES) throw invalid('imageFileId', 'size', `imageFileId: the floor plan is larger than ${MAX_PLAN_BYTES / 1024 / 1024} MB`);
  return { width: f.width, height: f.height };
}

function checkSize(v: number | undefined, field: string): void {
  if (v !== undefined && (!Number.isInteger(v) || v < 1 || v > MAX_PLAN_PX)) throw invalid(field, 'range', `${field}: 1 to ${MAX_PLAN_PX} pixels`);
}

/** The risk units must be this tenant's and not archived (a map cannot show what the register lost). */
async function requireUnits(tx: Tx, tenantId: string, ids: string[]): Promise<string[]> {
  const unique = [...new Set(ids)];
  if (unique.length > 100) throw invalid('riskUnitIds', 'maxItems', 'riskUnitIds: at most 100 risk units');
  if (unique.length === 0) return [];
  const found = await tx
    .select({ id: riskUnits.id })
    .from(riskUnits)
    .where(and(eq(riskUnits.tenantId, tenantId), inArray(riskUnits.id, unique), isNull(riskUnits.archivedAt)));
  const missing = unique.filter((id) => !found.some((f) => f.id === id));
  if (missing.length > 0) throw invalid('riskUnitIds', 'exists', `riskUnitIds: no active risk unit ${missing[0]} in this company`);
  return unique;
}

async function audit(tx: Tx, ctx: Ctx, kind: 'map' | 'map_area', what: string, before: Record<string, unknown> | null, after: { id: string } & Record<string, unknown>): Promise<void> {
  const type = `risk.${kind}_${what}`;
  await recordChange(
    tx,
    ctx,
    { action: type, entityType: `risk_${kind}`, entityId: after.id, before: auditView(before), after: auditView(after) },
    { type, entityType: `risk_${kind}`, entityId: after.id, payload: { id: after.id } },
  );
}

/** A map of the actor's tenant (another company's id is a 404). */
export async function loadMap(tx: Tx, tenantId: string, id: string, forUpdate = false): Promise<RiskMapRow> {
  const q = tx.select().from(riskMaps).where(and(eq(riskMaps.id, id), eq(riskMaps.tenantId, tenantId)));
  const [row] = forUpdate ? await q.for('update') : await q;
  if (!row) throw notFound('risk map');
  return row;
}

export async function loadArea(tx: Tx, tenantId: string, id: string, forUpdate = false): Promise<RiskMapAreaRow> {
  const q = tx.select().from(riskMapAreas).where(and(eq(riskMapAreas.id, id), eq(riskMapAreas.tenantId, tenantId)));
  const [row] = forUpdate ? await q.for('update') : await q;
  if (!row) throw notFound('risk map area');
  return row;
}

function ready(row: { archivedAt: Date | null; version: number }, version: number, what: string): void {
  if (row.archivedAt) throw new AppError('conflict', `the ${what} is archived`);
  if (row.version !== version) throw versionConflict(row.version);
}

/** Writing a map or its areas needs the map's plant or workshop in the actor's scope. */
const writable = (tx: Tx, actor: Actor, map: RiskMapRow) => assertWritable(tx, actor, [map.orgUnitId]);

// ---------------------------------------------------------------------------------------------------------
// Maps
// ---------------------------------------------------------------------------------------------------------

export interface NewRiskMap {
  name: string;
  orgUnitId: string;
  imageFileId?: string | null;
  width?: number;
  height?: number;
  sort?: number;
}

export async function createRiskMap(ctx: Ctx, input: NewRiskMap): Promise<RiskMapRow> {
  requirePermission(ctx.actor, P.write);
  checkSize(input.width, 'width');
  checkSize(input.height, 'height');
  return ctx.db.tx(async (tx) => {
    const tenantId = ctx.actor.tenantId;
    await requireOrgUnit(tx, ctx.actor, input.orgUnitId, 'orgUnitId');
    const measured = input.imageFileId ? await requirePlanImage(tx, tenantId, input.imageFileId) : { width: null, height: null };
    const now = ctx.now();
    const [row] = await tx
      .insert(riskMaps)
      .values({
        id: newId(),
        tenantId,
        orgUnitId: input.orgUnitId,
        createdAt: now,
        createdBy: ctx.actor.userId,
        updatedAt: now,
        updatedBy: ctx.actor.userId,
        name: input.name.trim(),
        imageFileId: input.imageFileId ?? null,
        width: input.width ?? measured.width ?? 1600,
        height: input.height ?? measured.height ?? 1000,
        sort: input.sort ?? 0,
      })
      .returning();
    if (!row) throw new AppError('internal');
    await audit(tx, ctx, 'map', 'created', null, row);
    return row;
  });
}

export interface RiskMapPatch {
  name?: string;
  orgUnitId?: string;
  imageFileId?: string | null;
  width?: number;
  height?: number;
  sort?: number;
}

export async function updateRiskMap(ctx: Ctx, input: RiskMapPatch & { id: string; version: number }): Promise<RiskMapRow> {
  requirePermission(ctx.actor, P.write);
  checkSize(input.width, 'width');
  checkSize(input.height, 'height');
  return ctx.db.tx(async (tx) => {
    const tenantId = ctx.actor.tenantId;
    const before = await loadMap(tx, tenantId, input.id, true);
    await writable(tx, ctx.actor, before);
    ready(before, input.version, 'risk map');
    const patch: Partial<typeof riskMaps.$inferInsert> = {};
    if (input.name !== undefined) patch.name = input.name.trim();
    if (input.sort !== undefined) patch.sort = input.sort;
    if (input.orgUnitId !== undefined && input.orgUnitId !== before.orgUnitId) {
      await requireOrgUnit(tx, ctx.actor, input.orgUnitId, 'orgUnitId');
      patch.orgUnitId = input.orgUnitId;
    }
    if (input.imageFileId !== undefined && input.imageFileId !== before.imageFileId) {
      patch.imageFileId = input.imageFileId;
      if (input.imageFileId) {
        // A new plan brings its own pixel size unless the caller says otherwise; areas stay normalized.
        const measured = await requirePlanImage(tx, tenantId, input.imageFileId);
        if (measured.width && measured.height) Object.assign(patch, { width: measured.width, height: measured.height });
      }
    }
    if (input.width !== undefined) patch.width = input.width;
    if (input.height !== undefined) patch.height = input.height;
    const [after] = await tx
      .update(riskMaps)
      .set({ ...patch, version: before.version + 1, updatedAt: ctx.now(), updatedBy: ctx.actor.userId })
      .where(and(eq(riskMaps.id, before.id), eq(riskMaps.version, before.version)))
      .returning();
    if (!after) throw versionConflict(before.version);
    await audit(tx, ctx, 'map', 'updated', before, after);
    return after;
  });
}

const archiveSet = (ctx: Ctx, version: number, reason: string) => {
  const now = ctx.now();
  return { archivedAt: now, archivedBy: ctx.actor.userId, archiveReason: reason.trim(), version: version + 1, updatedAt: now, updatedBy: ctx.actor.userId };
};

/** Archives the map and its areas with the same reason; they stay readable with includeArchived. */
export async function archiveRiskMap(ctx: Ctx, input: { id: string; version: number; reason: string }): Promise<RiskMapRow> {
  requirePermission(ctx.actor, P.write);
  if (!input.reason.trim()) throw invalid('reason', 'required', 'reason: required');
  return ctx.db.tx(async (tx) => {
    const before = await loadMap(tx, ctx.actor.tenantId, input.id, true);
    await writable(tx, ctx.actor, before);
    ready(before, input.version, 'risk map');
    const [after] = await tx.update(riskMaps).set(archiveSet(ctx, before.version, input.reason)).where(eq(riskMaps.id, before.id)).returning();
    if (!after) throw new AppError('internal');
    const areas = await tx.select().from(riskMapAreas).where(and(eq(riskMapAreas.mapId, before.id), isNull(riskMapAreas.archivedAt)));
    for (const a of areas) await tx.update(riskMapAreas).set(archiveSet(ctx, a.version, input.reason)).where(eq(riskMapAreas.id, a.id));
    await audit(tx, ctx, 'map', 'archived', before, { ...after, archivedAreaIds: areas.map((a) => a.id) });
    return after;
  });
}

export async function listMapRows(tx: Tx, tenantId: string, includeArchived: boolean): Promise<RiskMapRow[]> {
  return tx
    .select()
    .from(riskMaps)
    .where(and(eq(riskMaps.tenantId, tenantId), ...(includeArchived ? [] : [isNull(riskMaps.archivedAt)])))
    .orderBy(asc(riskMaps.sort), asc(riskMaps.name));
}

// ---------------------------------------------------------------------------------------------------------
// Areas
// ---------------------------------------------------------------------------------------------------------

export interface NewMapArea {
  mapId: string;
  name: string;
  polygon: unknown;
  riskUnitIds?: string[];
  /** The org unit (area) whose open hazards the area shows. */
  orgUnitId?: string | null;
  sort?: number;
}

export async function createMapArea(ctx: Ctx, input: NewMapArea): Promise<RiskMapAreaRow> {
  requirePermission(ctx.actor, P.write);
  const polygon = checkPolygon(input.polygon);
  return ctx.db.tx(async (tx) => {
    const tenantId = ctx.actor.tenantId;
    const map = await loadMap(tx, tenantId, input.mapId, true);
    await writable(tx, ctx.actor, map);
    if (map.archivedAt) throw new AppError('conflict', 'the risk map is archived');
    const unitIds = await requireUnits(tx, tenantId, input.riskUnitIds ?? []);
    if (input.orgUnitId) await requireOrgUnit(tx, ctx.actor, input.orgUnitId, 'orgUnitId');
    const now = ctx.now();
    const [row] = await tx
      .insert(riskMapAreas)
      .values({
        id: newId(),
        tenantId,
        orgUnitId: input.orgUnitId ?? null,
        createdAt: now,
        createdBy: ctx.actor.userId,
        updatedAt: now,
        updatedBy: ctx.actor.userId,
        mapId: map.id,
        name: input.name.trim(),
        polygon,
        riskUnitIds: unitIds,
        sort: input.sort ?? 0,
      })
      .returning();
    if (!row) throw new AppError('internal');
    await audit(tx, ctx, 'map_area', 'created', null, row);
    return row;
  });
}

export interface MapAreaPatch {
  name?: string;
  polygon?: unknown;
  riskUnitIds?: string[];
  orgUnitId?: string | null;
  sort?: number;
}

export async function updateMapArea(ctx: Ctx, input: MapAreaPatch & { id: string; version: number }): Promise<RiskMapAreaRow> {
  requirePermission(ctx.actor, P.write);
  const polygon = input.polygon !== undefined ? checkPolygon(input.polygon) : undefined;
  return ctx.db.tx(async (tx) => {
    const tenantId = ctx.actor.tenantId;
    const before = await loadArea(tx, tenantId, input.id, true);
    await writable(tx, ctx.actor, await loadMap(tx, tenantId, before.mapId));
    ready(before, input.version, 'risk map area');
    const patch: Partial<typeof riskMapAreas.$inferInsert> = {};
    if (input.name !== undefined) patch.name = input.name.trim();
    if (polygon) patch.polygon = polygon;
    if (input.sort !== undefined) patch.sort = input.sort;
    if (input.riskUnitIds !== undefined) patch.riskUnitIds = await requireUnits(tx, tenantId, input.riskUnitIds);
    if (input.orgUnitId !== undefined && input.orgUnitId !== before.orgUnitId) {
      if (input.orgUnitId) await requireOrgUnit(tx, ctx.actor, input.orgUnitId, 'orgUnitId');
      patch.orgUnitId = trimOrNull(input.orgUnitId);
    }
    const [after] = await tx
      .update(riskMapAreas)
      .set({ ...patch, version: before.version + 1, updatedAt: ctx.now(), updatedBy: ctx.actor.userId })
      .where(and(eq(riskMapAreas.id, before.id), eq(riskMapAreas.version, before.version)))
      .returning();
    if (!after) throw versionConflict(before.version);
    await audit(tx, ctx, 'map_area', 'updated', before, after);
    return after;
  });
}

export async function archiveMapArea(ctx: Ctx, input: { id: string; version: number; reason: string }): Promise<RiskMapAreaRow> {
  requirePermission(ctx.actor, P.write);
  if (!input.reason.trim()) throw invalid('reason', 'required', 'reason: required');
  return ctx.db.tx(async (tx) => {
    const before = await loadArea(tx, ctx.actor.tenantId, input.id, true);
    await writable(tx, ctx.actor, await loadMap(tx, ctx.actor.tenantId, before.mapId));
    ready(before, input.version, 'risk map area');
    const [after] = await tx.update(riskMapAreas).set(archiveSet(ctx, before.version, input.reason)).where(eq(riskMapAreas.id, before.id)).returning();
    if (!after) throw new AppError('internal');
    await audit(tx, ctx, 'map_area', 'archived', before, after);
    return after;
  });
}
