import { and, asc, eq, gt, ilike, inArray, isNull, lte, or, sql, type SQL } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import type { Ctx } from '../../platform/auth/actor.ts';
import { requirePermission } from '../../platform/auth/scope.ts';
import type { Tx } from '../../platform/db/client.ts';
import { invalid } from '../../platform/http/errors.ts';
import { decodeCursor, pageOf } from '../../platform/http/pagination.ts';
import { orgUnits } from '../../platform/org/schema.ts';
import { containsPattern } from '../../platform/org/sqlHelpers.ts';
import { assessmentsOf } from './assess.ts';
import { riskPermissions as P } from './permissions.ts';
import { riskControlMeasures as M, riskEvents as E, riskObjects as O, riskReassessmentRequests, riskUnits as U, type CheckCycleUnit, type RiskLevel } from './schema.ts';
import { eventScope, loadInScope, measureScope, objectScope, unitScope } from './store.ts';
import { assessmentView, eventView, loadNames, measureView, namesOfRows, objectView, unitView, type EventView, type MeasureView, type ObjectView, type UnitView } from './views.ts';

/** The read side of the register: the tree, lists with filters and cursor pages, one event with everything. */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function afterId(cursor: string | undefined): string | null {
  const c = decodeCursor<{ id: string }>(cursor, { id: 'string' });
  // The id reaches a uuid comparison: a forged cursor must be a 400, not a database error.
  if (c && !UUID.test(c.id)) throw invalid('cursor', 'format', 'cursor: invalid');
  return c?.id ?? null;
}

/** Rows whose org unit lies in the subtree of `unitId` (the filter "this department and below"). */
async function inSubtree(tx: Tx, tenantId: string, column: AnyPgColumn, unitId: string): Promise<SQL> {
  const [u] = await tx
    .select({ path: orgUnits.path })
    .from(orgUnits)
    .where(and(eq(orgUnits.tenantId, tenantId), eq(orgUnits.id, unitId)));
  if (!u) throw invalid('orgUnitId', 'exists', `orgUnitId: no org unit ${unitId} in this company`);
  return inArray(column, sql`(SELECT ${orgUnits.id} FROM ${orgUnits} WHERE ${orgUnits.tenantId} = ${tenantId} AND ${orgUnits.path} LIKE ${u.path + '%'})`);
}

export interface EventFilter {
  level?: (RiskLevel | 'unassessed')[];
  orgUnitId?: string;
  objectId?: string;
  unitId?: string;
  q?: string;
  /** Only events whose re-assessment is due (now or earlier). */
  reassessDue?: boolean;
  includeArchived?: boolean;
}

async function eventConditions(tx: Tx, ctx: Ctx, f: EventFilter): Promise<SQL[]> {
  const conds: SQL[] = [eventScope(ctx.actor)];
  if (!f.includeArchived) conds.push(isNull(E.archivedAt));
  if (f.level?.length) {
    const levels = f.level.filter((l): l is RiskLevel => l !== 'unassessed');
    const parts: SQL[] = [];
    if (levels.length) parts.push(inArray(E.currentLevel, levels));
    if (f.level.includes('unassessed')) parts.push(isNull(E.currentLevel));
    conds.push(or(...parts) as SQL);
  }
  if (f.orgUnitId) conds.push(await inSubtree(tx, ctx.actor.tenantId, E.orgUnitId, f.orgUnitId));
  if (f.objectId) conds.push(eq(E.objectId, f.objectId));
  if (f.unitId) conds.push(eq(E.unitId, f.unitId));
  if (f.q) conds.push(ilike(E.name, containsPattern(f.q)));
  if (f.reassessDue) conds.push(lte(E.reassessDueAt, ctx.now()));
  return conds;
}

export interface EventListItem extends EventView {
  objectCode: string | null;
  objectName: string | null;
  unitName: string | null;
  measureCount: number;
}

async function withParents(tx: Tx, tenantId: string, rows: (typeof E.$inferSelect)[]): Promise<EventListItem[]> {
  const names = await loadNames(tx, tenantId, { units: rows.map((r) => r.orgUnitId) });
  const objectIds = [...new Set(rows.map((r) => r.objectId))];
  const unitIds = [...new Set(rows.map((r) => r.unitId))];
  const objects = objectIds.length ? await tx.select({ id: O.id, code: O.code, name: O.name }).from(O).where(and(eq(O.tenantId, tenantId), inArray(O.id, objectIds))) : [];
  const units = unitIds.length ? await tx.select({ id: U.id, name: U.name }).from(U).where(and(eq(U.tenantId, tenantId), inArray(U.id, unitIds))) : [];
  const counts = rows.length
    ? await tx
        .select({ eventId: M.eventId, n: sql<number>`count(*)::int` })
        .from(M)
        .where(
          and(
            eq(M.tenantId, tenantId),
            inArray(
              M.eventId,
              rows.map((r) => r.id),
            ),
            isNull(M.archivedAt),
          ),
        )
        .groupBy(M.eventId)
    : [];
  return rows.map((r) => {
    const o = objects.find((x) => x.id === r.objectId);
    return {
      ...eventView(r, names),
      objectCode: o?.code ?? null,
      objectName: o?.name ?? null,
      unitName: units.find((x) => x.id === r.unitId)?.name ?? null,
      measureCount: counts.find((c) => c.eventId === r.id)?.n ?? 0,
    };
  });
}

export async function listRiskEvents(ctx: Ctx, input: EventFilter & { limit: number; cursor?: string }) {
  requirePermission(ctx.actor, P.read);
  const after = afterId(input.cursor);
  return ctx.db.read(async (tx) => {
    const conds = await eventConditions(tx, ctx, input);
    if (after) conds.push(gt(E.id, after));
    const rows = await tx
      .select()
      .from(E)
      .where(and(...conds))
      .orderBy(asc(E.id))
      .limit(input.limit + 1);
    const page = pageOf(rows, input.limit, (r) => ({ id: r.id }));
    return { items: await withParents(tx, ctx.actor.tenantId, page.items), nextCursor: page.nextCursor };
  });
}

/** One event with its object, unit, measures, latest inherent and residual assessments and history. */
export async function getRiskEvent(ctx: Ctx, id: string) {
  requirePermission(ctx.actor, P.read);
  return ctx.db.read(async (tx) => {
    const event = await loadInScope(tx, ctx.actor, 'event', id);
    const tenantId = ctx.actor.tenantId;
    const [object] = await tx.select().from(O).where(and(eq(O.tenantId, tenantId), eq(O.id, event.objectId)));
    const [unit] = await tx.select().from(U).where(and(eq(U.tenantId, tenantId), eq(U.id, event.unitId)));
    const measures = await tx
      .select()
      .from(M)
      .where(and(eq(M.tenantId, tenantId), eq(M.eventId, event.id)))
      .orderBy(asc(M.id));
    const history = await assessmentsOf(tx, tenantId, [event.id]);
    const requests = await tx
      .select()
      .from(riskReassessmentRequests)
      .where(and(eq(riskReassessmentRequests.tenantId, tenantId), eq(riskReassessmentRequests.eventId, event.id), isNull(riskReassessmentRequests.resolvedAt)))
      .orderBy(asc(riskReassessmentRequests.requestedAt));
    const names = await loadNames(tx, tenantId, {
      units: [event.orgUnitId, object?.orgUnitId ?? null, unit?.orgUnitId ?? null, ...measures.map((m) => m.orgUnitId)],
      people: [unit?.responsiblePersonId ?? null, ...measures.map((m) => m.responsiblePersonId)],
      positions: measures.map((m) => m.responsiblePositionId),
    });
    const latest = (kind: 'inherent' | 'residual') => {
      const a = history.find((h) => h.kind === kind);
      return a ? assessmentView(a) : null;
    };
    return {
      ...eventView(event, names),
      object: object ? objectView(object, names) : null,
      unit: unit ? unitView(unit, names) : null,
      measures: measures.map((m) => measureView(m, names)),
      latestInherent: latest('inherent'),
      latestResidual: latest('residual'),
      assessments: history.slice(0, 100).map(assessmentView),
      openRequests: requests.map((r) => ({ id: r.id, reason: r.reason, sourceType: r.sourceType, sourceId: r.sourceId, requestedAt: r.requestedAt.toISOString() })),
    };
  });
}

export async function getRiskObject(ctx: Ctx, id: string): Promise<ObjectView> {
  requirePermission(ctx.actor, P.read);
  return ctx.db.read(async (tx) => {
    const row = await loadInScope(tx, ctx.actor, 'object', id);
    return objectView(row, await loadNames(tx, ctx.actor.tenantId, { units: [row.orgUnitId] }));
  });
}

export async function getRiskUnit(ctx: Ctx, id: string): Promise<UnitView> {
  requirePermission(ctx.actor, P.read);
  return ctx.db.read(async (tx) => {
    const row = await loadInScope(tx, ctx.actor, 'unit', id);
    return unitView(row, await loadNames(tx, ctx.actor.tenantId, { units: [row.orgUnitId], people: [row.responsiblePersonId] }));
  });
}

export async function getMeasure(ctx: Ctx, id: string): Promise<MeasureView> {
  requirePermission(ctx.actor, P.read);
  return ctx.db.read(async (tx) => {
    const row = await loadInScope(tx, ctx.actor, 'measure', id);
    return measureView(row, await loadNames(tx, ctx.actor.tenantId, namesOfRows([row])));
  });
}

export interface ObjectFilter {
  orgUnitId?: string;
  type?: string;
  q?: string;
  includeArchived?: boolean;
}

export async function listRiskObjects(ctx: Ctx, input: ObjectFilter & { limit: number; cursor?: string }) {
  requirePermission(ctx.actor, P.read);
  const after = afterId(input.cursor);
  return ctx.db.read(async (tx) => {
    const conds: SQL[] = [objectScope(ctx.actor)];
    if (!input.includeArchived) conds.push(isNull(O.archivedAt));
    if (input.orgUnitId) conds.push(await inSubtree(tx, ctx.actor.tenantId, O.orgUnitId, input.orgUnitId));
    if (input.type) conds.push(eq(O.type, input.type as (typeof O.$inferSelect)['type']));
    if (input.q) conds.push(or(ilike(O.name, containsPattern(input.q)), ilike(O.code, containsPattern(input.q))) as SQL);
    if (after) conds.push(gt(O.id, after));
    const rows = await tx
      .select()
      .from(O)
      .where(and(...conds))
      .orderBy(asc(O.id))
      .limit(input.limit + 1);
    const page = pageOf(rows, input.limit, (r) => ({ id: r.id }));
    const names = await loadNames(tx, ctx.actor.tenantId, { units: page.items.map((r) => r.orgUnitId) });
    return { items: page.items.map((r) => objectView(r, names)), nextCursor: page.nextCursor };
  });
}

export interface MeasureFilter {
  eventId?: string;
  orgUnitId?: string;
  checkCycleUnit?: CheckCycleUnit;
  responsiblePersonId?: string;
  includeArchived?: boolean;
}

/** Control measures in scope, in creation order: what inspection planning pages through. */
export async function listMeasures(ctx: Ctx, input: MeasureFilter & { limit: number; cursor?: string }) {
  requirePermission(ctx.actor, P.read);
  const after = afterId(input.cursor);
  return ctx.db.read(async (tx) => {
    const conds: SQL[] = [measureScope(ctx.actor)];
    if (!input.includeArchived) conds.push(isNull(M.archivedAt));
    if (input.eventId) conds.push(eq(M.eventId, input.eventId));
    if (input.orgUnitId) conds.push(await inSubtree(tx, ctx.actor.tenantId, M.orgUnitId, input.orgUnitId));
    if (input.checkCycleUnit) conds.push(eq(M.checkCycleUnit, input.checkCycleUnit));
    if (input.responsiblePersonId) conds.push(eq(M.responsiblePersonId, input.responsiblePersonId));
    if (after) conds.push(gt(M.id, after));
    const rows = await tx
      .select()
      .from(M)
      .where(and(...conds))
      .orderBy(asc(M.id))
      .limit(input.limit + 1);
    const page = pageOf(rows, input.limit, (r) => ({ id: r.id }));
    const names = await loadNames(tx, ctx.actor.tenantId, namesOfRows(page.items));
    return { items: page.items.map((r) => measureView(r, names)), nextCursor: page.nextCursor };
  });
}

// ---------------------------------------------------------------------------------------------------------
// Tree: object → unit → event → measures
// ---------------------------------------------------------------------------------------------------------

export const MAX_TREE_EVENTS = 5000;

export interface TreeFilter {
  level?: (RiskLevel | 'unassessed')[];
  orgUnitId?: string;
  objectId?: string;
  /** One risk unit (a map area's drill-down: unit → events → measures). */
  unitId?: string;
  includeArchived?: boolean;
}

export interface RiskTree {
  objects: (ObjectView & { highestLevel: RiskLevel | null; units: (UnitView & { highestLevel: RiskLevel | null; events: (EventView & { measures: MeasureView[] })[] })[] })[];
  eventCount: number;
  truncated: boolean;
}

const rank = (l: RiskLevel | null) => (l === 'major' ? 4 : l === 'serious' ? 3 : l === 'general' ? 2 : l === 'low' ? 1 : 0);
const highest = (levels: (RiskLevel | null)[]): RiskLevel | null => levels.reduce<RiskLevel | null>((a, b) => (rank(b) > rank(a) ? b : a), null);

/**
 * The register as a tree. With an event filter (level, department), objects and units appear only with
 * matching events; without one, empty objects and units appear too (so new ones can be filled in). Each
 * object and unit carries the highest level below it: what a map area or a tag colours by.
 */
export async function riskTree(ctx: Ctx, f: TreeFilter): Promise<RiskTree> {
  requirePermission(ctx.actor, P.read);
  return ctx.db.read(async (tx) => {
    const tenantId = ctx.actor.tenantId;
    const conds = await eventConditions(tx, ctx, { level: f.level, orgUnitId: f.orgUnitId, objectId: f.objectId, unitId: f.unitId, includeArchived: f.includeArchived });
    const events = await tx
      .select()
      .from(E)
      .where(and(...conds))
      .orderBy(asc(E.id))
      .limit(MAX_TREE_EVENTS + 1);
    const truncated = events.length > MAX_TREE_EVENTS;
    if (truncated) events.pop();
    const filtered = Boolean(f.level?.length || f.orgUnitId || f.unitId);
    const objectConds: SQL[] = [objectScope(ctx.actor)];
    const unitConds: SQL[] = [unitScope(ctx.actor)];
    if (!f.includeArchived) {
      objectConds.push(isNull(O.archivedAt));
      unitConds.push(isNull(U.archivedAt));
    }
    if (f.objectId) {
      objectConds.push(eq(O.id, f.objectId));
      unitConds.push(eq(U.objectId, f.objectId));
    }
    let objects = await tx.select().from(O).where(and(...objectConds)).orderBy(asc(O.code));
    let units = await tx.select().from(U).where(and(...unitConds)).orderBy(asc(U.id));
    if (filtered) {
      const unitIds = new Set(events.map((e) => e.unitId));
      units = units.filter((u) => unitIds.has(u.id));
      const objectIds = new Set(units.map((u) => u.objectId));
      objects = objects.filter((o) => objectIds.has(o.id));
    }
    const measureConds: SQL[] = [measureScope(ctx.actor), eq(M.tenantId, tenantId)];
    if (!f.includeArchived) measureConds.push(isNull(M.archivedAt));
    const measures = events.length
      ? await tx
          .select()
          .from(M)
          .where(
            and(
              ...measureConds,
              inArray(
                M.eventId,
                events.map((e) => e.id),
              ),
            ),
          )
          .orderBy(asc(M.id))
      : [];
    const names = await loadNames(tx, tenantId, {
      units: [...objects.map((o) => o.orgUnitId), ...units.map((u) => u.orgUnitId), ...events.map((e) => e.orgUnitId), ...measures.map((m) => m.orgUnitId)],
      people: [...units.map((u) => u.responsiblePersonId), ...measures.map((m) => m.responsiblePersonId)],
      positions: measures.map((m) => m.responsiblePositionId),
    });
    const tree = objects.map((o) => {
      const us = units
        .filter((u) => u.objectId === o.id)
        .map((u) => {
          const es = events.filter((e) => e.unitId === u.id).map((e) => ({ ...eventView(e, names), measures: measures.filter((m) => m.eventId === e.id).map((m) => measureView(m, names)) }));
          return { ...unitView(u, names), highestLevel: highest(es.map((e) => e.currentLevel)), events: es };
        });
      return { ...objectView(o, names), highestLevel: highest(us.map((u) => u.highestLevel)), units: us };
    });
    return { objects: tree, eventCount: events.length, truncated };
  });
}
