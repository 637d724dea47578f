import { and, asc, eq, gt, gte, inArray, isNotNull } from 'drizzle-orm';
import type { Ctx } from '../../platform/auth/actor.ts';
import { assertInScope, requirePermission, scopeWhere } from '../../platform/auth/scope.ts';
import type { Tx } from '../../platform/db/client.ts';
import { newId } from '../../platform/db/columns.ts';
import { AppError, invalid, notFound } from '../../platform/http/errors.ts';
import { addDays, dayIn, isDay, tenantZone } from '../../platform/org/calendar.ts';
import { activePerson, activeUnit, namesOf } from '../../platform/org/directory.ts';
import { positions } from '../../platform/org/schema.ts';
import { getCheckpointRef } from '../equipment/service.ts';
import { listActiveControlMeasures, type ControlMeasureRef } from '../risks/service.ts';
import { ensureDefaultTemplate, ensureInspectionSettings } from './defaults.ts';
import { generateTasksTx } from './generate.ts';
import { inspectionPermissions as P } from './permissions.ts';
import { checkTypes, cycleUnits, dayTypes, inspectionPlans, inspectionTasks, type CheckType, type CycleUnit, type DayType } from './schema.ts';
import { recordInspection, trimOrNull, UUID, versionConflict } from './store.ts';
import { loadTemplate } from './templates.ts';
import { loadRoute } from './walks.ts';

/** Inspection plans: by hand, or one per active control measure (kept in step with it by the sync). */

type PlanRow = typeof inspectionPlans.$inferSelect;

export interface PlanView {
  id: string;
  name: string;
  source: PlanRow['source'];
  controlMeasureId: string | null;
  checkType: CheckType;
  cycleUnit: CycleUnit;
  cycleInterval: number;
  dayType: DayType;
  orgUnitId: string | null;
  orgUnitName: string | null;
  assigneePersonId: string | null;
  assigneePersonName: string | null;
  assigneePositionId: string | null;
  routeId: string | null;
  checkpointId: string | null;
  templateId: string;
  startsOn: string;
  endsOn: string | null;
  generatedUntil: string | null;
  active: boolean;
  notes: string | null;
  version: number;
}

async function views(tx: Tx, tenantId: string, rows: PlanRow[]): Promise<PlanView[]> {
  const names = await namesOf(tx, tenantId, rows.map((r) => r.orgUnitId), rows.map((r) => r.assigneePersonId));
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    source: r.source,
    controlMeasureId: r.controlMeasureId,
    checkType: r.checkType,
    cycleUnit: r.cycleUnit,
    cycleInterval: r.cycleInterval,
    dayType: r.dayType,
    orgUnitId: r.orgUnitId,
    orgUnitName: r.orgUnitId ? (names.units.get(r.orgUnitId) ?? null) : null,
    assigneePersonId: r.assigneePersonId,
    assigneePersonName: r.assigneePersonId ? (names.people.get(r.assigneePersonId) ?? null) : null,
    assigneePositionId: r.assigneePositionId,
    routeId: r.routeId,
    checkpointId: r.checkpointId,
    templateId: r.templateId,
    startsOn: r.startsOn,
    endsOn: r.endsOn,
    generatedUntil: r.generatedUntil,
    active: r.active,
    notes: r.notes,
    version: r.version,
  }));
}

export async function loadPlan(tx: Tx, ctx: Ctx, id: string): Promise<PlanRow> {
  const [p] = UUID.test(id)
    ? await tx
        .select()
        .from(inspectionPlans)
        .where(and(eq(inspectionPlans.tenantId, ctx.actor.tenantId), eq(inspectionPlans.id, id)))
    : [];
  if (!p) throw notFound('inspection plan');
  await assertInScope(tx, ctx.actor, p, [p.assigneePersonId]);
  return p;
}

export async function listPlans(ctx: Ctx, q: { source?: PlanRow['source']; active?: boolean; limit: number; afterId?: string }): Promise<{ items: PlanView[]; nextCursor: string | null }> {
  requirePermission(ctx.actor, P.read);
  return ctx.db.read(async (tx) => {
    const rows = await tx
      .select()
      .from(inspectionPlans)
      .where(
        and(
          scopeWhere(ctx.actor, { tenantId: inspectionPlans.tenantId, orgUnitId: inspectionPlans.orgUnitId, owners: [inspectionPlans.assigneePersonId] }),
          ...(q.source ? [eq(inspectionPlans.source, q.source)] : []),
          ...(q.active !== undefined ? [eq(inspectionPlans.active, q.active)] : []),
          ...(q.afterId && UUID.test(q.afterId) ? [gt(inspectionPlans.id, q.afterId)] : []),
        ),
      )
      .orderBy(asc(inspectionPlans.id))
      .limit(q.limit + 1);
    const page = rows.slice(0, q.limit);
    return { items: await views(tx, ctx.actor.tenantId, page), nextCursor: rows.length > q.limit ? (page.at(-1)?.id ?? null) : null };
  });
}

export async function getPlan(ctx: Ctx, id: string): Promise<PlanView> {
  requirePermission(ctx.actor, P.read);
  return ctx.db.read(async (tx) => (await views(tx, ctx.actor.tenantId, [await loadPlan(tx, ctx, id)]))[0]!);
}

export interface PlanInput {
  name: string;
  checkType: CheckType;
  cycleUnit: CycleUnit;
  cycleInterval: number;
  dayType: DayType;
  orgUnitId: string;
  assigneePersonId?: string | null;
  assigneePositionId?: string | null;
  routeId?: string | null;
  checkpointId?: string | null;
  templateId: string;
  startsOn?: string | null;
  endsOn?: string | null;
  notes?: string | null;
}

function checkEnums(input: Partial<PlanInput>): void {
  if (input.checkType !== undefined && !checkTypes.includes(input.checkType)) throw invalid('checkType', 'enum', `checkType: one of ${checkTypes.join(', ')}`);
  if (input.cycleUnit !== undefined && !cycleUnits.includes(input.cycleUnit)) throw invalid('cycleUnit', 'enum', `cycleUnit: one of ${cycleUnits.join(', ')}`);
  if (input.dayType !== undefined && !dayTypes.includes(input.dayType)) throw invalid('dayType', 'enum', `dayType: one of ${dayTypes.join(', ')}`);
  if (input.cycleInterval !== undefined && (!Number.isInteger(input.cycleInterval) || input.cycleInterval < 1 || input.cycleInterval > 366)) throw invalid('cycleInterval', 'range', 'cycleInterval: a whole number from 1 to 366');
  for (const f of ['startsOn', 'endsOn'] as const) {
    const v = input[f];
    if (v && !isDay(v)) throw invalid(f, 'format', `${f}: a calendar day YYYY-MM-DD`);
  }
  if (input.routeId && input.checkpointId) throw invalid('checkpointId', 'conflict', 'checkpointId: a plan checks a route or a single checkpoint, not both');
}

async function checkRefs(tx: Tx, tenantId: string, input: Partial<PlanInput>): Promise<void> {
  if (input.orgUnitId) await activeUnit(tx, tenantId, input.orgUnitId, 'orgUnitId');
  if (input.assigneePersonId) await activePerson(tx, tenantId, input.assigneePersonId, 'assigneePersonId');
  if (input.assigneePositionId) {
    const [pos] = await tx
      .select({ id: positions.id })
      .from(positions)
      .where(and(eq(positions.tenantId, tenantId), eq(positions.id, input.assigneePositionId)));
    if (!pos) throw invalid('assigneePositionId', 'exists', `assigneePositionId: no position ${input.assigneePositionId} in this company`);
  }
  if (input.routeId) await loadRoute(tx, tenantId, input.routeId, 'routeId');
  if (input.checkpointId) {
    const cp = await getCheckpointRef(tx, tenantId, input.checkpointId);
    if (!cp || cp.archived) throw invalid('checkpointId', 'exists', `checkpointId: no active checkpoint ${input.checkpointId} in this company`);
  }
  if (input.templateId) {
    const t = await loadTemplate(tx, tenantId, input.templateId, 'templateId');
    if (t.archivedAt) throw invalid('templateId', 'archived', 'templateId: the checklist template is archived');
  }
}

/** Generates the plan's tasks from today over the tenant's horizon (in the caller's transaction). */
async function generateAhead(tx: Tx, ctx: Ctx, planIds: string[]): Promise<number> {
  const tenantId = ctx.actor.tenantId;
  const { timeZone } = await tenantZone(tx, tenantId);
  const settings = await ensureInspectionSettings(tx, tenantId);
  const today = dayIn(ctx.now(), timeZone);
  const r = await generateTasksTx(tx, tenantId, { from: today, to: addDays(today, settings.horizonDays), timeZone, now: ctx.now(), planIds, force: true });
  return r.created;
}

export async function createPlan(ctx: Ctx, input: PlanInput): Promise<PlanView> {
  requirePermission(ctx.actor, P.plan);
  checkEnums(input);
  const name = input.name.trim();
  if (!name) throw invalid('name', 'required', 'name: required');
  if (!input.assigneePersonId && !input.assigneePositionId) throw invalid('assigneePersonId', 'required', 'assigneePersonId: a person or a position (assigneePositionId) carries the checks out');
  return ctx.db.tx(async (tx) => {
    const tenantId = ctx.actor.tenantId;
    await checkRefs(tx, tenantId, input);
    const unit = await activeUnit(tx, tenantId, input.orgUnitId, 'orgUnitId');
    await assertInScope(tx, ctx.actor, { tenantId, orgUnitId: unit.id });
    const now = ctx.now();
    const { timeZone } = await tenantZone(tx, tenantId);
    const startsOn = input.startsOn ?? dayIn(now, timeZone);
    if (input.endsOn && input.endsOn < startsOn) throw invalid('endsOn', 'range', 'endsOn: on or after startsOn');
    const [p] = await tx
      .insert(inspectionPlans)
      .values({
        id: newId(),
        tenantId,
        orgUnitId: unit.id,
        createdAt: now,
        createdBy: ctx.actor.userId,
        updatedAt: now,
        updatedBy: ctx.actor.userId,
        name,
        source: 'manual',
        checkType: input.checkType,
        cycleUnit: input.cycleUnit,
        cycleInterval: input.cycleInterval,
        dayType: input.dayType,
        assigneePersonId: input.assigneePersonId ?? null,
        assigneePositionId: input.assigneePositionId ?? null,
        routeId: input.routeId ?? null,
        checkpointId: input.checkpointId ?? null,
        templateId: input.templateId,
        startsOn,
        endsOn: input.endsOn ?? null,
        notes: trimOrNull(input.notes),
      })
      .returning();
    if (!p) throw new AppError('internal');
    const created = await generateAhead(tx, ctx, [p.id]);
    await recordInspection(tx, ctx, { action: 'inspection.plan.created', entityType: 'inspection_plan', entityId: p.id, after: { ...planAudit(p), tasksCreated: created } });
    const [fresh] = await tx.select().from(inspectionPlans).where(eq(inspectionPlans.id, p.id));
    return (await views(tx, tenantId, [fresh ?? p]))[0]!;
  });
}

function planAudit(p: PlanRow): Record<string, unknown> {
  return {
    name: p.name,
    source: p.source,
    controlMeasureId: p.controlMeasureId,
    checkType: p.checkType,
    cycleUnit: p.cycleUnit,
    cycleInterval: p.cycleInterval,
    dayType: p.dayType,
    orgUnitId: p.orgUnitId,
    assigneePersonId: p.assigneePersonId,
    assigneePositionId: p.assigneePositionId,
    routeId: p.routeId,
    checkpointId: p.checkpointId,
    templateId: p.templateId,
    startsOn: p.startsOn,
    endsOn: p.endsOn,
    active: p.active,
  };
}

export type PlanPatch = Partial<PlanInput> & { active?: boolean };

/** Fields a control-measure plan takes from its measure (the sync would overwrite an edit). */
const measureOwned = ['cycleUnit', 'cycleInterval', 'dayType', 'assigneePersonId', 'assigneePositionId', 'orgUnitId'] as const;

/**
 * Edits a plan. A change of schedule, assignee, checkpoints or template drops the plan's future tasks
 * that nobody has started and generates them again; started, done and missed ones stay as they were.
 */
export async function updatePlan(ctx: Ctx, id: string, patch: PlanPatch, version: number): Promise<PlanView> {
  requirePermission(ctx.actor, P.plan);
  checkEnums(patch);
  return ctx.db.tx(async (tx) => {
    const before = await loadPlan(tx, ctx, id);
    if (before.version !== version) throw versionConflict(before.version);
    if (before.source === 'control_measure') {
      const owned = measureOwned.find((f) => patch[f] !== undefined);
      if (owned) throw invalid(owned, 'not_allowed', `${owned}: follows the control measure; change it in the risk register`);
    }
    await checkRefs(tx, before.tenantId, patch);
    const name = patch.name?.trim();
    if (patch.name !== undefined && !name) throw invalid('name', 'required', 'name: required');
    const routeId = patch.routeId === undefined ? before.routeId : patch.routeId;
    const checkpointId = patch.checkpointId === undefined ? before.checkpointId : patch.checkpointId;
    if (routeId && checkpointId) throw invalid(patch.routeId ? 'routeId' : 'checkpointId', 'conflict', 'a plan checks a route or a single checkpoint, not both');
    const now = ctx.now();
    const [after] = await tx
      .update(inspectionPlans)
      .set({
        name: name ?? before.name,
        checkType: patch.checkType ?? before.checkType,
        cycleUnit: patch.cycleUnit ?? before.cycleUnit,
        cycleInterval: patch.cycleInterval ?? before.cycleInterval,
        dayType: patch.dayType ?? before.dayType,
        orgUnitId: patch.orgUnitId ?? before.orgUnitId,
        assigneePersonId: patch.assigneePersonId === undefined ? before.assigneePersonId : patch.assigneePersonId,
        assigneePositionId: patch.assigneePositionId === undefined ? before.assigneePositionId : patch.assigneePositionId,
        routeId,
        checkpointId,
        templateId: patch.templateId ?? before.templateId,
        startsOn: patch.startsOn ?? before.startsOn,
        endsOn: patch.endsOn === undefined ? before.endsOn : patch.endsOn,
        active: patch.active ?? before.active,
        notes: patch.notes === undefined ? before.notes : trimOrNull(patch.notes),
        updatedAt: now,
        updatedBy: ctx.actor.userId,
        version: before.version + 1,
      })
      .where(and(eq(inspectionPlans.id, before.id), eq(inspectionPlans.version, version)))
      .returning();
    if (!after) throw versionConflict(before.version + 1);
    if (!after.assigneePersonId && !after.assigneePositionId) throw invalid('assigneePersonId', 'required', 'assigneePersonId: a person or a position carries the checks out');
    const replanned = await replanFuture(tx, ctx, before, after);
    await recordInspection(tx, ctx, { action: 'inspection.plan.updated', entityType: 'inspection_plan', entityId: after.id, before: planAudit(before), after: { ...planAudit(after), ...replanned } });
    const [fresh] = await tx.select().from(inspectionPlans).where(eq(inspectionPlans.id, after.id));
    return (await views(tx, after.tenantId, [fresh ?? after]))[0]!;
  });
}

const scheduleFields = ['cycleUnit', 'cycleInterval', 'dayType', 'assigneePersonId', 'assigneePositionId', 'routeId', 'checkpointId', 'templateId', 'startsOn', 'endsOn', 'active', 'orgUnitId', 'checkType'] as const;

async function replanFuture(tx: Tx, ctx: Ctx, before: PlanRow, after: PlanRow): Promise<{ tasksDropped: number; tasksCreated: number }> {
  if (!scheduleFields.some((f) => before[f] !== after[f])) return { tasksDropped: 0, tasksCreated: 0 };
  // Only tasks nobody has touched and whose window has not begun: their record would be empty anyway.
  const dropped = await tx
    .delete(inspectionTasks)
    .where(and(eq(inspectionTasks.tenantId, after.tenantId), eq(inspectionTasks.planId, after.id), eq(inspectionTasks.status, 'planned'), gte(inspectionTasks.windowStart, ctx.now())))
    .returning({ id: inspectionTasks.id });
  await tx.update(inspectionPlans).set({ generatedUntil: null }).where(eq(inspectionPlans.id, after.id));
  const created = after.active ? await generateAhead(tx, ctx, [after.id]) : 0;
  return { tasksDropped: dropped.length, tasksCreated: created };
}

// ---------------------------------------------------------------------------------------------------------
// Plans from control measures
// ---------------------------------------------------------------------------------------------------------

export interface SyncResult {
  created: number;
  updated: number;
  deactivated: number;
}

const cycleOfMeasure = (m: ControlMeasureRef) => ({ cycleUnit: m.checkCycleUnit as CycleUnit, cycleInterval: Math.max(1, m.checkCycle), dayType: m.workDayType as DayType });

/**
 * One plan per active control measure of the tenant (reference §2.1 排查任务: the measure's check cycle,
 * for the post or person responsible), kept in step with the measure: a changed cycle or responsible
 * updates the plan (and its untouched future tasks), an archived measure deactivates it. Checkpoint,
 * route and template are the plan's own (set by a planner) and survive the sync.
 */
export async function syncMeasurePlansTx(tx: Tx, ctx: Ctx, opts: { startsOn: string }): Promise<SyncResult> {
  const tenantId = ctx.actor.tenantId;
  const now = ctx.now();
  const { templateId } = await ensureDefaultTemplate(tx, tenantId, now);
  const existing = await tx
    .select()
    .from(inspectionPlans)
    .where(and(eq(inspectionPlans.tenantId, tenantId), eq(inspectionPlans.source, 'control_measure'), isNotNull(inspectionPlans.controlMeasureId)));
  const byMeasure = new Map(existing.map((p) => [p.controlMeasureId!, p]));
  const seen = new Set<string>();
  const result: SyncResult = { created: 0, updated: 0, deactivated: 0 };
  let inserts: (typeof inspectionPlans.$inferInsert)[] = [];
  const flush = async () => {
    if (inserts.length) await tx.insert(inspectionPlans).values(inserts).onConflictDoNothing();
    result.created += inserts.length;
    inserts = [];
  };
  let afterId: string | null = null;
  for (;;) {
    const page: ControlMeasureRef[] = await listActiveControlMeasures(tx, tenantId, { afterId, limit: 1000 });
    if (page.length === 0) break;
    afterId = page.at(-1)!.id;
    for (const m of page) {
      seen.add(m.id);
      const cycle = cycleOfMeasure(m);
      const orgUnitId = m.orgUnitId ?? m.riskUnitOrgUnitId;
      const name = `${m.eventName}：${m.description}`.slice(0, 200);
      const p = byMeasure.get(m.id);
      if (!p) {
        inserts.push({
          id: newId(),
          tenantId,
          orgUnitId,
          createdAt: now,
          updatedAt: now,
          name,
          source: 'control_measure',
          controlMeasureId: m.id,
          checkType: 'daily',
          ...cycle,
          assigneePersonId: m.responsiblePersonId,
          assigneePositionId: m.responsiblePositionId,
          templateId,
          startsOn: opts.startsOn,
        });
        if (inserts.length >= 500) await flush();
        continue;
      }
      const changed =
        !p.active || p.cycleUnit !== cycle.cycleUnit || p.cycleInterval !== cycle.cycleInterval || p.dayType !== cycle.dayType || p.assigneePersonId !== m.responsiblePersonId || p.assigneePositionId !== m.responsiblePositionId || p.orgUnitId !== orgUnitId || p.name !== name;
      if (!changed) continue;
      const [after] = await tx
        .update(inspectionPlans)
        .set({ ...cycle, name, orgUnitId, assigneePersonId: m.responsiblePersonId, assigneePositionId: m.responsiblePositionId, active: true, updatedAt: now, version: p.version + 1 })
        .where(eq(inspectionPlans.id, p.id))
        .returning();
      if (after) {
        await replanFuture(tx, ctx, p, after);
        await recordInspection(tx, ctx, { action: 'inspection.plan.synced', entityType: 'inspection_plan', entityId: p.id, before: planAudit(p), after: planAudit(after) });
      }
      result.updated++;
    }
  }
  await flush();
  const gone = existing.filter((p) => p.active && !seen.has(p.controlMeasureId!)).map((p) => p.id);
  for (let i = 0; i < gone.length; i += 500) {
    const ids = gone.slice(i, i + 500);
    await tx.update(inspectionPlans).set({ active: false, updatedAt: now }).where(and(eq(inspectionPlans.tenantId, tenantId), inArray(inspectionPlans.id, ids)));
    // The measure is archived: its checks not yet begun are no longer owed.
    await tx.delete(inspectionTasks).where(and(eq(inspectionTasks.tenantId, tenantId), inArray(inspectionTasks.planId, ids), eq(inspectionTasks.status, 'planned'), gte(inspectionTasks.windowStart, now)));
  }
  result.deactivated = gone.length;
  if (result.created + result.updated + result.deactivated > 0) {
    await recordInspection(tx, ctx, { action: 'inspection.plans.synced', entityType: 'tenant', entityId: tenantId, after: { ...result } });
  }
  return result;
}

/** `POST /inspections/plans/sync`: sync the measure plans now and generate their tasks over the horizon. */
export async function syncMeasurePlans(ctx: Ctx): Promise<SyncResult & { tasksCreated: number }> {
  requirePermission(ctx.actor, P.plan);
  return ctx.db.tx(async (tx) => {
    const { timeZone } = await tenantZone(tx, ctx.actor.tenantId);
    const today = dayIn(ctx.now(), timeZone);
    const r = await syncMeasurePlansTx(tx, ctx, { startsOn: today });
    const settings = await ensureInspectionSettings(tx, ctx.actor.tenantId);
    const g = await generateTasksTx(tx, ctx.actor.tenantId, { from: today, to: addDays(today, settings.horizonDays), timeZone, now: ctx.now() });
    return { ...r, tasksCreated: g.created };
  });
}
