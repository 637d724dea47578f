import { and, asc, eq, like, ne, or, sql } from 'drizzle-orm';
import { recordChange } from '../audit/record.ts';
import type { Ctx } from '../auth/actor.ts';
import { assertInScope, pathInScope, requirePermission } from '../auth/scope.ts';
import { clearActorCache } from '../auth/service.ts';
import type { Tx } from '../db/client.ts';
import { newId } from '../db/columns.ts';
import { AppError, invalid } from '../http/errors.ts';
import { kindPlacementProblem } from './kindRules.ts';
import { orgUnits, people, type OrgUnitKind } from './schema.ts';
import { alreadyExists, changedKeys, mapUniqueViolation, pick, versionConflict } from './sqlHelpers.ts';

export interface OrgUnitView {
  id: string;
  parentId: string | null;
  kind: OrgUnitKind;
  code: string;
  name: string;
  path: string;
  depth: number;
  sort: number;
  managerPersonId: string | null;
  managerName: string | null;
  active: boolean;
  /** Active people in this unit and every unit below it. */
  headcount: number;
  /** Active people placed directly in this unit. */
  directHeadcount: number;
  version: number;
}

type OrgUnitRow = typeof orgUnits.$inferSelect;

/** Org codes appear in Excel files and on printed QR codes: keep them plain. */
export const ORG_CODE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,49}$/;

async function viewsOf(tx: Tx, tenantId: string, onlyId?: string): Promise<OrgUnitView[]> {
  const rows = await tx
    .select({ unit: orgUnits, managerName: people.name })
    .from(orgUnits)
    .leftJoin(people, and(eq(people.id, orgUnits.managerPersonId), eq(people.tenantId, orgUnits.tenantId)))
    .where(onlyId ? and(eq(orgUnits.tenantId, tenantId), eq(orgUnits.id, onlyId)) : eq(orgUnits.tenantId, tenantId))
    .orderBy(asc(orgUnits.depth), asc(orgUnits.sort), asc(orgUnits.code));
  const direct = new Map<string, number>();
  const subtree = new Map<string, number>();
  if (onlyId) {
    const unit = rows[0]?.unit;
    if (unit) {
      const [counts] = await tx
        .select({
          direct: sql<number>`count(*) FILTER (WHERE ${people.orgUnitId} = ${unit.id})::int`,
          all: sql<number>`count(*)::int`,
        })
        .from(people)
        .innerJoin(orgUnits, eq(orgUnits.id, people.orgUnitId))
        .where(and(eq(people.tenantId, tenantId), eq(people.status, 'active'), like(orgUnits.path, `${unit.path}%`)));
      direct.set(unit.id, counts?.direct ?? 0);
      subtree.set(unit.id, counts?.all ?? 0);
    }
  } else {
    const counts = await tx
      .select({ unitId: people.orgUnitId, n: sql<number>`count(*)::int` })
      .from(people)
      .where(and(eq(people.tenantId, tenantId), eq(people.status, 'active')))
      .groupBy(people.orgUnitId);
    const pathOf = new Map(rows.map((r) => [r.unit.id, r.unit.path]));
    for (const c of counts) {
      if (!c.unitId) continue;
      direct.set(c.unitId, c.n);
      // Each person counts for their unit and every ancestor on its path.
      for (const id of (pathOf.get(c.unitId) ?? '').split('/').filter(Boolean)) subtree.set(id, (subtree.get(id) ?? 0) + c.n);
    }
  }
  return rows.map(({ unit: u, managerName }) => ({
    id: u.id,
    parentId: u.parentId,
    kind: u.kind,
    code: u.code,
    name: u.name,
    path: u.path,
    depth: u.depth,
    sort: u.sort,
    managerPersonId: u.managerPersonId,
    managerName: managerName ?? null,
    active: u.active,
    headcount: subtree.get(u.id) ?? 0,
    directHeadcount: direct.get(u.id) ?? 0,
    version: u.version,
  }));
}

async function viewOf(tx: Tx, tenantId: string, id: string): Promise<OrgUnitView> {
  const [v] = await viewsOf(tx, tenantId, id);
  if (!v) throw new AppError('not_found', 'org unit not found');
  return v;
}

/** `GET /org/units`: the whole tenant tree, flat; the client builds the tree on parentId. */
export async function listOrgUnits(ctx: Ctx): Promise<{ items: OrgUnitView[] }> {
  requirePermission(ctx.actor, 'org:read');
  return ctx.db.read(async (tx) => ({ items: await viewsOf(tx, ctx.actor.tenantId) }));
}

/** Loads a unit of the actor's tenant; another tenant's id is reported as missing. */
export async function loadOrgUnit(tx: Tx, tenantId: string, id: string, field = 'id'): Promise<OrgUnitRow> {
  const [u] = await tx.select().from(orgUnits).where(and(eq(orgUnits.id, id), eq(orgUnits.tenantId, tenantId)));
  if (!u) throw new AppError('not_found', `${field}: org unit ${id} not found`);
  return u;
}

async function assertCodeFree(tx: Tx, tenantId: string, code: string, exceptId?: string): Promise<void> {
  const [dupe] = await tx
    .select({ id: orgUnits.id })
    .from(orgUnits)
    .where(and(eq(orgUnits.tenantId, tenantId), eq(orgUnits.code, code), exceptId ? ne(orgUnits.id, exceptId) : undefined));
  if (dupe) throw alreadyExists('code', `code: an org unit with code ${code} already exists`);
}

async function assertManager(tx: Tx, tenantId: string, personId: string | null | undefined): Promise<void> {
  if (!personId) return;
  const [p] = await tx.select({ status: people.status }).from(people).where(and(eq(people.id, personId), eq(people.tenantId, tenantId)));
  if (!p) throw new AppError('not_found', `managerPersonId: person ${personId} not found`);
  if (p.status !== 'active') throw invalid('managerPersonId', 'active', 'managerPersonId: the person has left');
}

export interface CreateOrgUnitInput {
  parentId: string;
  kind: OrgUnitKind;
  code: string;
  name: string;
  sort?: number;
  managerPersonId?: string | null;
}

export async function createOrgUnit(ctx: Ctx, input: CreateOrgUnitInput): Promise<OrgUnitView> {
  const a = ctx.actor;
  return ctx.db.tx(async (tx) => {
    requirePermission(a, 'org:write');
    const parent = await loadOrgUnit(tx, a.tenantId, input.parentId, 'parentId');
    if (!pathInScope(a, parent.path)) throw new AppError('out_of_scope', 'parentId: the parent unit is outside your data scope');
    if (!parent.active) throw invalid('parentId', 'active', 'parentId: the parent unit is deactivated');
    const problem = kindPlacementProblem(input.kind, parent.kind);
    if (problem) throw invalid('kind', 'placement', `kind: ${problem}`);
    const code = input.code.trim();
    if (!ORG_CODE_PATTERN.test(code)) throw invalid('code', 'pattern', 'code: 1 to 50 letters, digits, . _ - (starting with a letter or digit)');
    await assertCodeFree(tx, a.tenantId, code);
    await assertManager(tx, a.tenantId, input.managerPersonId);
    const id = newId();
    const now = ctx.now();
    const row = {
      id,
      tenantId: a.tenantId,
      parentId: parent.id,
      kind: input.kind,
      code,
      name: input.name.trim(),
      path: `${parent.path}${id}/`,
      depth: parent.depth + 1,
      sort: input.sort ?? 0,
      managerPersonId: input.managerPersonId ?? null,
      createdAt: now,
      createdBy: a.userId,
      updatedAt: now,
      updatedBy: a.userId,
    };
    await mapUniqueViolation(() => tx.insert(orgUnits).values(row), 'code', `code: an org unit with code ${code} already exists`);
    await recordChange(
      tx,
      ctx,
      { action: 'org_unit.created', entityType: 'org_unit', entityId: id, after: pick(row, ['parentId', 'kind', 'code', 'name', 'path', 'sort', 'managerPersonId']) },
      { type: 'org_unit.created', entityType: 'org_unit', entityId: id, payload: { parentId: parent.id, kind: input.kind } },
    );
    return viewOf(tx, a.tenantId, id);
  });
}

export interface UpdateOrgUnitInput {
  id: string;
  version: number;
  name?: string;
  code?: string;
  sort?: number;
  managerPersonId?: string | null;
  active?: boolean;
  parentId?: string;
}

/**
 * Edits a unit. Moving re-paths the whole subtree in one statement; deactivating covers the subtree and
 * is refused while anyone active still works there (regulations keep the unit for the history).
 */
export async function updateOrgUnit(ctx: Ctx, input: UpdateOrgUnitInput): Promise<OrgUnitView> {
  const a = ctx.actor;
  let scopesChanged = false;
  const view = await ctx.db.tx(async (tx) => {
    requirePermission(a, 'org:write');
    const unit = await loadOrgUnit(tx, a.tenantId, input.id);
    await assertInScope(tx, a, { tenantId: unit.tenantId, orgUnitId: unit.id });
    if (unit.version !== input.version) throw versionConflict(unit.version);
    const now = ctx.now();
    const patch: Partial<OrgUnitRow> = {};
    if (input.name !== undefined) patch.name = input.name.trim();
    if (input.sort !== undefined) patch.sort = input.sort;
    if (input.code !== undefined && input.code.trim() !== unit.code) {
      const code = input.code.trim();
      if (!ORG_CODE_PATTERN.test(code)) throw invalid('code', 'pattern', 'code: 1 to 50 letters, digits, . _ - (starting with a letter or digit)');
      await assertCodeFree(tx, a.tenantId, code, unit.id);
      patch.code = code;
    }
    if (input.managerPersonId !== undefined && input.managerPersonId !== unit.managerPersonId) {
      await assertManager(tx, a.tenantId, input.managerPersonId);
      patch.managerPersonId = input.managerPersonId;
    }

    let action = 'org_unit.updated';
    if (input.parentId !== undefined && input.parentId !== unit.parentId) {
      if (unit.parentId === null) throw new AppError('conflict', 'parentId: the company (root unit) cannot be moved');
      const parent = await loadOrgUnit(tx, a.tenantId, input.parentId, 'parentId');
      // The new parent's path starts with ours exactly when it is this unit or one of its descendants.
      if (parent.path.startsWith(unit.path)) throw new AppError('conflict', 'parentId: a unit cannot be moved under itself or one of its own sub-units');
      if (!pathInScope(a, parent.path)) throw new AppError('out_of_scope', 'parentId: the new parent unit is outside your data scope');
      if (!parent.active) throw invalid('parentId', 'active', 'parentId: the new parent unit is deactivated');
      const problem = kindPlacementProblem(unit.kind, parent.kind);
      if (problem) throw invalid('parentId', 'placement', `parentId: ${problem}`);
      const newPath = `${parent.path}${unit.id}/`;
      const delta = parent.depth + 1 - unit.depth;
      // One statement for the whole subtree: the unit and every descendant swap the old path prefix for the new one.
      await tx
        .update(orgUnits)
        .set({
          path: sql`${newPath}::text || substr(${orgUnits.path}, ${unit.path.length + 1}::int)`,
          depth: sql`${orgUnits.depth} + ${delta}::int`,
          updatedAt: now,
          updatedBy: a.userId,
        })
        .where(and(eq(orgUnits.tenantId, a.tenantId), like(orgUnits.path, `${unit.path}%`)));
      patch.parentId = parent.id;
      patch.path = newPath;
      patch.depth = parent.depth + 1;
      action = 'org_unit.moved';
      scopesChanged = true;
    }

    if (input.active === false && unit.active) {
      if (unit.parentId === null) throw new AppError('conflict', 'active: the company (root unit) cannot be deactivated');
      const [busy] = await tx
        .select({ n: sql<number>`count(*)::int` })
        .from(people)
        .where(
          and(
            eq(people.tenantId, a.tenantId),
            eq(people.status, 'active'),
            or(
              sql`${people.orgUnitId} IN (SELECT id FROM org_units WHERE tenant_id = ${a.tenantId} AND path LIKE ${unit.path + '%'})`,
              sql`${people.contractorUnitId} IN (SELECT id FROM org_units WHERE tenant_id = ${a.tenantId} AND path LIKE ${unit.path + '%'})`,
            ),
          ),
        );
      const n = busy?.n ?? 0;
      if (n > 0) {
        throw new AppError('conflict', `active: ${n} active ${n === 1 ? 'person is' : 'people are'} still assigned to this unit or a unit below it; move them or mark them as left first`, {
          extra: { activePeople: n },
        });
      }
      // Sub-units close with their parent; a closed workshop's teams do not stay open.
      await tx
        .update(orgUnits)
        .set({ active: false, updatedAt: now, updatedBy: a.userId })
        .where(and(eq(orgUnits.tenantId, a.tenantId), like(orgUnits.path, `${unit.path}%`), ne(orgUnits.id, unit.id), eq(orgUnits.active, true)));
      patch.active = false;
      action = 'org_unit.deactivated';
    } else if (input.active === true && !unit.active) {
      const parentId = patch.parentId ?? unit.parentId;
      if (parentId) {
        const parent = await loadOrgUnit(tx, a.tenantId, parentId, 'parentId');
        if (!parent.active) throw invalid('active', 'parent_active', 'active: reactivate the parent unit first');
      }
      patch.active = true;
      action = 'org_unit.reactivated';
    }

    const keys = changedKeys(unit, patch);
    if (keys.length === 0) return viewOf(tx, a.tenantId, unit.id);
    const updated = await mapUniqueViolation(
      () =>
        tx
          .update(orgUnits)
          .set({ ...patch, version: unit.version + 1, updatedAt: now, updatedBy: a.userId })
          .where(and(eq(orgUnits.id, unit.id), eq(orgUnits.version, input.version)))
          .returning({ id: orgUnits.id }),
      'code',
      `code: an org unit with code ${patch.code ?? ''} already exists`,
    );
    if (updated.length === 0) throw versionConflict(unit.version + 1);
    await recordChange(
      tx,
      ctx,
      { action, entityType: 'org_unit', entityId: unit.id, before: pick(unit, keys), after: pick({ ...unit, ...patch }, keys) },
      { type: action, entityType: 'org_unit', entityId: unit.id, payload: { changed: keys } },
    );
    return viewOf(tx, a.tenantId, unit.id);
  });
  // A move changes the data scope of everyone anchored in the subtree.
  if (scopesChanged) clearActorCache();
  return view;
}
