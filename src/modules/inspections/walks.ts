import { and, asc, eq, isNull } from 'drizzle-orm';
import type { Ctx } from '../../platform/auth/actor.ts';
import { requirePermission } from '../../platform/auth/scope.ts';
import type { Tx } from '../../platform/db/client.ts';
import { newId } from '../../platform/db/columns.ts';
import { AppError, invalid, notFound } from '../../platform/http/errors.ts';
import { activeUnit } from '../../platform/org/directory.ts';
import { getCheckpointRef } from '../equipment/service.ts';
import { inspectionPermissions as P } from './permissions.ts';
import { inspectionRoutes } from './schema.ts';
import { recordInspection, UUID, versionConflict } from './store.ts';

/** 巡检路线: an ordered walk over checkpoints of the equipment module. */

type RouteRow = typeof inspectionRoutes.$inferSelect;

export interface RouteView {
  id: string;
  name: string;
  orgUnitId: string | null;
  checkpoints: { id: string; name: string }[];
  archived: boolean;
  version: number;
}

export async function loadRoute(tx: Tx, tenantId: string, id: string, field = 'id'): Promise<RouteRow> {
  const [r] = UUID.test(id)
    ? await tx
        .select()
        .from(inspectionRoutes)
        .where(and(eq(inspectionRoutes.tenantId, tenantId), eq(inspectionRoutes.id, id)))
    : [];
  if (!r) throw field === 'id' ? notFound('inspection route') : invalid(field, 'exists', `${field}: no inspection route ${id} in this company`);
  return r;
}

/** Checks each checkpoint exists in the tenant and is not archived; returns them in order with names. */
export async function checkCheckpoints(tx: Tx, tenantId: string, ids: string[], field: string): Promise<{ id: string; name: string }[]> {
  if (ids.length === 0) throw invalid(field, 'minItems', `${field}: at least one checkpoint`);
  if (new Set(ids).size !== ids.length) throw invalid(field, 'unique', `${field}: a checkpoint appears twice`);
  const out: { id: string; name: string }[] = [];
  for (const [i, id] of ids.entries()) {
    const ref = await getCheckpointRef(tx, tenantId, id);
    if (!ref) throw invalid(`${field}.${i}`, 'exists', `${field}.${i}: no checkpoint ${id} in this company`);
    if (ref.archived) throw invalid(`${field}.${i}`, 'archived', `${field}.${i}: checkpoint ${ref.name} is archived`);
    out.push({ id: ref.id, name: ref.name });
  }
  return out;
}

async function view(tx: Tx, r: RouteRow): Promise<RouteView> {
  const checkpoints = [];
  for (const id of r.checkpointIds) {
    const ref = await getCheckpointRef(tx, r.tenantId, id);
    checkpoints.push({ id, name: ref?.name ?? id });
  }
  return { id: r.id, name: r.name, orgUnitId: r.orgUnitId, checkpoints, archived: r.archivedAt !== null, version: r.version };
}

export async function listRoutes(ctx: Ctx): Promise<{ items: RouteView[] }> {
  requirePermission(ctx.actor, P.read);
  return ctx.db.read(async (tx) => {
    const rows = await tx
      .select()
      .from(inspectionRoutes)
      .where(and(eq(inspectionRoutes.tenantId, ctx.actor.tenantId), isNull(inspectionRoutes.archivedAt)))
      .orderBy(asc(inspectionRoutes.name));
    const items = [];
    for (const r of rows) items.push(await view(tx, r));
    return { items };
  });
}

export interface RouteInput {
  name: string;
  orgUnitId?: string | null;
  checkpointIds: string[];
}

export async function createRoute(ctx: Ctx, input: RouteInput): Promise<RouteView> {
  requirePermission(ctx.actor, P.plan);
  const name = input.name.trim();
  if (!name) throw invalid('name', 'required', 'name: required');
  return ctx.db.tx(async (tx) => {
    const tenantId = ctx.actor.tenantId;
    if (input.orgUnitId) await activeUnit(tx, tenantId, input.orgUnitId, 'orgUnitId');
    await checkCheckpoints(tx, tenantId, input.checkpointIds, 'checkpointIds');
    const now = ctx.now();
    const [r] = await tx
      .insert(inspectionRoutes)
      .values({ id: newId(), tenantId, orgUnitId: input.orgUnitId ?? null, name, checkpointIds: input.checkpointIds.map((c) => c.toLowerCase()), createdAt: now, createdBy: ctx.actor.userId, updatedAt: now, updatedBy: ctx.actor.userId })
      .returning();
    if (!r) throw new AppError('internal');
    await recordInspection(tx, ctx, { action: 'inspection.route.created', entityType: 'inspection_route', entityId: r.id, after: { name, checkpointIds: r.checkpointIds } });
    return view(tx, r);
  });
}

export async function updateRoute(ctx: Ctx, id: string, patch: Partial<RouteInput> & { archived?: boolean }, version: number): Promise<RouteView> {
  requirePermission(ctx.actor, P.plan);
  return ctx.db.tx(async (tx) => {
    const before = await loadRoute(tx, ctx.actor.tenantId, id);
    if (before.version !== version) throw versionConflict(before.version);
    if (patch.checkpointIds) await checkCheckpoints(tx, before.tenantId, patch.checkpointIds, 'checkpointIds');
    if (patch.orgUnitId) await activeUnit(tx, before.tenantId, patch.orgUnitId, 'orgUnitId');
    const name = patch.name?.trim();
    if (patch.name !== undefined && !name) throw invalid('name', 'required', 'name: required');
    const now = ctx.now();
    const [after] = await tx
      .update(inspectionRoutes)
      .set({
        name: name ?? before.name,
        orgUnitId: patch.orgUnitId === undefined ? before.orgUnitId : patch.orgUnitId,
        checkpointIds: patch.checkpointIds ? patch.checkpointIds.map((c) => c.toLowerCase()) : before.checkpointIds,
        archivedAt: patch.archived === undefined ? before.archivedAt : patch.archived ? (before.archivedAt ?? now) : null,
        updatedAt: now,
        updatedBy: ctx.actor.userId,
        version: before.version + 1,
      })
      .where(and(eq(inspectionRoutes.id, before.id), eq(inspectionRoutes.version, version)))
      .returning();
    if (!after) throw versionConflict(before.version + 1);
    await recordInspection(tx, ctx, {
      action: 'inspection.route.updated',
      entityType: 'inspection_route',
      entityId: after.id,
      before: { name: before.name, checkpointIds: before.checkpointIds, archived: before.archivedAt !== null },
      after: { name: after.name, checkpointIds: after.checkpointIds, archived: after.archivedAt !== null },
    });
    return view(tx, after);
  });
}
