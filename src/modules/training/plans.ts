import { and, asc, desc, eq, gte, inArray, isNotNull, lt, or, sql, type SQL } from 'drizzle-orm';
import { recordChange } from '../../platform/audit/record.ts';
import type { Ctx } from '../../platform/auth/actor.ts';
import { assertInScope, pathInScope, requirePermission, scopeWhere } from '../../platform/auth/scope.ts';
import type { Tx } from '../../platform/db/client.ts';
import { newId } from '../../platform/db/columns.ts';
import { AppError, invalid, notFound } from '../../platform/http/errors.ts';
import { dayIn, instantOf, tenantZone } from '../../platform/org/calendar.ts';
import { activeUnit, namesOf } from '../../platform/org/directory.ts';
import { orgUnits, people, positions } from '../../platform/org/schema.ts';
import { trainingPermissions as P } from './permissions.ts';
import { attendances, classSessions, courseProgress, courses, trainingPlanItems, trainingPlans, type PlanItemStatus, type PlanStatus } from './schema.ts';

/**
 * Training plans (培训计划): yearly and monthly plans per department, with items for a course or a topic,
 * target positions, planned month, hours and trainer. How far an item got is computed from the training
 * records — online completions and classroom attendance — never typed in, so the plan cannot claim more
 * than what happened.
 */

export type PlanRow = typeof trainingPlans.$inferSelect;
export type PlanItemRow = typeof trainingPlanItems.$inferSelect;

export const itemStates = ['planned', 'in_progress', 'completed', 'overdue', 'cancelled'] as const;
export type ItemState = (typeof itemStates)[number];

export interface PlanItemView {
  id: string;
  planId: string;
  courseId: string | null;
  courseTitle: string | null;
  topic: string;
  orgUnitId: string | null;
  orgUnitName: string | null;
  positionIds: string[];
  positionNames: string[];
  plannedMonth: number;
  hours: number;
  trainer: string | null;
  status: PlanItemStatus;
  /** Computed: cancelled, completed (everyone targeted trained), overdue (month over, not everyone), in progress, planned. */
  state: ItemState;
  targetPeople: number;
  completedPeople: number;
  percent: number;
  version: number;
}

export interface PlanView {
  id: string;
  year: number;
  month: number | null;
  title: string;
  orgUnitId: string | null;
  orgUnitName: string | null;
  status: PlanStatus;
  notes: string | null;
  items: number;
  completedItems: number;
  targetPeople: number;
  completedPeople: number;
  percent: number;
  plannedHours: number;
  version: number;
}

/** The plan's window in the tenant zone: the calendar year, or the month of a monthly plan. */
function windowOf(p: Pick<PlanRow, 'year' | 'month'>, timeZone: string): { from: Date; to: Date } {
  const pad = (n: number) => String(n).padStart(2, '0');
  if (p.month === null) return { from: instantOf(`${p.year}-01-01`, timeZone), to: instantOf(`${p.year + 1}-01-01`, timeZone) };
  const next = p.month === 12 ? `${p.year + 1}-01-01` : `${p.year}-${pad(p.month + 1)}-01`;
  return { from: instantOf(`${p.year}-${pad(p.month)}-01`, timeZone), to: instantOf(next, timeZone) };
}

/** Target people of an item and who of them completed it within the plan's window. */
async function progressOf(tx: Tx, plan: PlanRow, items: PlanItemRow[], timeZone: string): Promise<Map<string, { target: number; done: number }>> {
  const out = new Map<string, { target: number; done: number }>();
  const { from, to } = windowOf(plan, timeZone);
  for (const item of items) {
    const unitFilter = item.orgUnitId
      ? sql`${people.orgUnitId} IN (SELECT u.id FROM ${orgUnits} u WHERE u.tenant_id = ${plan.tenantId} AND u.path LIKE (SELECT p.path || '%' FROM ${orgUnits} p WHERE p.id = ${item.orgUnitId}))`
      : undefined;
    const where: (SQL | undefined)[] = [eq(people.tenantId, plan.tenantId), eq(people.status, 'active'), unitFilter, item.positionIds.length ? inArray(people.positionId, item.positionIds) : undefined];
    const targets = await tx
      .select({ id: people.id })
      .from(people)
      .where(and(...where));
    const ids = targets.map((t) => t.id);
    const done = new Set<string>();
    if (ids.length > 0 && item.status !== 'cancelled') {
      if (item.courseId) {
        const online = await tx
          .select({ personId: courseProgress.personId })
          .from(courseProgress)
          .where(and(eq(courseProgress.tenantId, plan.tenantId), eq(courseProgress.courseId, item.courseId), inArray(courseProgress.personId, ids), isNotNull(courseProgress.completedAt), gte(courseProgress.completedAt, from), lt(courseProgress.completedAt, to)));
        for (const o of online) done.add(o.personId);
      }
      // A classroom session delivers the item when it is linked to it, or teaches the item's course in the window.
      const sessionMatch = item.courseId ? or(eq(classSessions.planItemId, item.id), and(eq(classSessions.courseId, item.courseId), gte(classSessions.startsAt, from), lt(classSessions.startsAt, to))) : eq(classSessions.planItemId, item.id);
      const inClass = await tx
        .select({ personId: attendances.personId })
        .from(attendances)
        .innerJoin(classSessions, eq(classSessions.id, attendances.sessionId))
        .where(and(eq(attendances.tenantId, plan.tenantId), inArray(attendances.personId, ids), sessionMatch));
      for (const c of inClass) done.add(c.personId);
    }
    out.set(item.id, { target: ids.length, done: done.size });
  }
  return out;
}

function stateOf(item: PlanItemRow, plan: PlanRow, target: number, done: number, today: string): ItemState {
  if (item.status === 'cancelled') return 'cancelled';
  if (target > 0 && done >= target) return 'completed';
  const monthEnd = `${item.plannedMonth === 12 ? plan.year + 1 : plan.year}-${String(item.plannedMonth === 12 ? 1 : item.plannedMonth + 1).padStart(2, '0')}-01`;
  if (today >= monthEnd) return 'overdue';
  return done > 0 ? 'in_progress' : 'planned';
}

const pct = (done: number, target: number) => (target === 0 ? 0 : Math.floor((done * 100) / target));

async function itemViews(tx: Tx, plan: PlanRow, items: PlanItemRow[], timeZone: string, today: string): Promise<PlanItemView[]> {
  const progress = await progressOf(tx, plan, items, timeZone);
  const courseIds = [...new Set(items.map((i) => i.courseId).filter((v): v is string => !!v))];
  const titles = new Map(courseIds.length ? (await tx.select({ id: courses.id, title: courses.title }).from(courses).where(inArray(courses.id, courseIds))).map((c) => [c.id, c.title]) : []);
  const posIds = [...new Set(items.flatMap((i) => i.positionIds))];
  const posNames = new Map(posIds.length ? (await tx.select({ id: positions.id, name: positions.name }).from(positions).where(inArray(positions.id, posIds))).map((p) => [p.id, p.name]) : []);
  const names = await namesOf(
    tx,
    plan.tenantId,
    items.map((i) => i.orgUnitId),
    [],
  );
  return items.map((i) => {
    const p = progress.get(i.id) ?? { target: 0, done: 0 };
    return {
      id: i.id,
      planId: i.planId,
      courseId: i.courseId,
      courseTitle: i.courseId ? (titles.get(i.courseId) ?? null) : null,
      topic: i.topic,
      orgUnitId: i.orgUnitId,
      orgUnitName: i.orgUnitId ? (names.units.get(i.orgUnitId) ?? null) : null,
      positionIds: i.positionIds,
      positionNames: i.positionIds.map((id) => posNames.get(id) ?? ''),
      plannedMonth: i.plannedMonth,
      hours: i.hours,
      trainer: i.trainer,
      status: i.status,
      state: stateOf(i, plan, p.target, p.done, today),
      targetPeople: p.target,
      completedPeople: p.done,
      percent: pct(p.done, p.target),
      version: i.version,
    };
  });
}

function planView(plan: PlanRow, items: PlanItemView[], unitName: string | null): PlanView {
  const live = items.filter((i) => i.status !== 'cancelled');
  const target = live.reduce((n, i) => n + i.targetPeople, 0);
  const done = live.reduce((n, i) => n + i.completedPeople, 0);
  return {
    id: plan.id,
    year: plan.year,
    month: plan.month,
    title: plan.title,
    orgUnitId: plan.orgUnitId,
    orgUnitName: unitName,
    status: plan.status,
    notes: plan.notes,
    items: live.length,
    completedItems: live.filter((i) => i.state === 'completed').length,
    targetPeople: target,
    completedPeople: done,
    percent: pct(done, target),
    plannedHours: live.reduce((n, i) => n + i.hours, 0),
    version: plan.version,
  };
}

export interface PlanQuery {
  year?: number;
  month?: number;
  departmentId?: string;
}

async function plansIn(tx: Tx, ctx: Ctx, query: PlanQuery): Promise<PlanRow[]> {
  const where: (SQL | undefined)[] = [scopeWhere(ctx.actor, { tenantId: trainingPlans.tenantId, orgUnitId: trainingPlans.orgUnitId, owners: [trainingPlans.createdBy] })];
  if (query.year) where.push(eq(trainingPlans.year, query.year));
  if (query.month) where.push(or(eq(trainingPlans.month, query.month), sql`${trainingPlans.month} IS NULL`));
  if (query.departmentId) {
    where.push(sql`${trainingPlans.orgUnitId} IN (SELECT u.id FROM ${orgUnits} u WHERE u.tenant_id = ${ctx.actor.tenantId} AND u.path LIKE (SELECT p.path || '%' FROM ${orgUnits} p WHERE p.id = ${query.departmentId}))`);
  }
  return tx
    .select()
    .from(trainingPlans)
    .where(and(...where))
    .orderBy(desc(trainingPlans.year), sql`${trainingPlans.month} NULLS FIRST`, asc(trainingPlans.title))
    .limit(500);
}

async function itemsOf(tx: Tx, tenantId: string, planIds: string[]): Promise<PlanItemRow[]> {
  if (planIds.length === 0) return [];
  return tx
    .select()
    .from(trainingPlanItems)
    .where(and(eq(trainingPlanItems.tenantId, tenantId), inArray(trainingPlanItems.planId, planIds)))
    .orderBy(asc(trainingPlanItems.plannedMonth), asc(trainingPlanItems.sort), asc(trainingPlanItems.createdAt));
}

/** Plans in scope with their completion (training:read). */
export async function listPlans(ctx: Ctx, query: PlanQuery): Promise<{ items: PlanView[] }> {
  requirePermission(ctx.actor, P.read);
  return ctx.db.read(async (tx) => {
    const { timeZone } = await tenantZone(tx, ctx.actor.tenantId);
    const today = dayIn(ctx.now(), timeZone);
    const plans = await plansIn(tx, ctx, query);
    const items = await itemsOf(
      tx,
      ctx.actor.tenantId,
      plans.map((p) => p.id),
    );
    const names = await namesOf(
      tx,
      ctx.actor.tenantId,
      plans.map((p) => p.orgUnitId),
      [],
    );
    const out: PlanView[] = [];
    for (const p of plans) {
      const views = await itemViews(
        tx,
        p,
        items.filter((i) => i.planId === p.id),
        timeZone,
        today,
      );
      out.push(planView(p, views, p.orgUnitId ? (names.units.get(p.orgUnitId) ?? null) : null));
    }
    return { items: out };
  });
}

async function loadPlan(tx: Tx, ctx: Ctx, id: string, forUpdate = false): Promise<PlanRow> {
  const q = tx
    .select()
    .from(trainingPlans)
    .where(and(eq(trainingPlans.tenantId, ctx.actor.tenantId), eq(trainingPlans.id, id)));
  const [plan] = forUpdate ? await q.for('update') : await q;
  if (!plan) throw notFound('training plan');
  await assertInScope(tx, ctx.actor, plan, [plan.createdBy]);
  return plan;
}

export async function getPlan(ctx: Ctx, id: string): Promise<PlanView & { lines: PlanItemView[] }> {
  requirePermission(ctx.actor, P.read);
  return ctx.db.read((tx) => planDetail(tx, ctx, id));
}

async function planDetail(tx: Tx, ctx: Ctx, id: string): Promise<PlanView & { lines: PlanItemView[] }> {
  const plan = await loadPlan(tx, ctx, id);
  const { timeZone } = await tenantZone(tx, ctx.actor.tenantId);
  const lines = await itemViews(tx, plan, await itemsOf(tx, plan.tenantId, [plan.id]), timeZone, dayIn(ctx.now(), timeZone));
  const names = await namesOf(tx, plan.tenantId, [plan.orgUnitId], []);
  return { ...planView(plan, lines, plan.orgUnitId ? (names.units.get(plan.orgUnitId) ?? null) : null), lines };
}

export interface PlanInput {
  year: number;
  month?: number | null;
  title: string;
  orgUnitId: string;
  notes?: string | null;
}

/** A department's plan; the department must be in the planner's data scope. */
export async function createPlan(ctx: Ctx, input: PlanInput): Promise<PlanView & { lines: PlanItemView[] }> {
  requirePermission(ctx.actor, P.write);
  const title = input.title.trim();
  if (!title) throw invalid('title', 'minLength', 'title: must not be empty');
  return ctx.db.tx(async (tx) => {
    const unit = await activeUnit(tx, ctx.actor.tenantId, input.orgUnitId, 'orgUnitId');
    if (!pathInScope(ctx.actor, unit.path)) throw new AppError('out_of_scope', 'orgUnitId: outside your data scope');
    const now = ctx.now();
    const [row] = await tx
      .insert(trainingPlans)
      .values({ id: newId(), tenantId: ctx.actor.tenantId, orgUnitId: unit.id, year: input.year, month: input.month ?? null, title, notes: input.notes?.trim() || null, createdAt: now, createdBy: ctx.actor.userId, updatedAt: now, updatedBy: ctx.actor.userId })
      .returning();
    const plan = row!;
    await recordChange(
      tx,
      ctx,
      { action: 'training_plan.created', entityType: 'training_plan', entityId: plan.id, after: { year: plan.year, month: plan.month, title: plan.title, orgUnitId: plan.orgUnitId } },
      { type: 'training_plan.created', entityType: 'training_plan', entityId: plan.id, payload: { year: plan.year, month: plan.month } },
    );
    return planDetail(tx, ctx, plan.id);
  });
}

/** draft → published → closed; a closed plan is kept as it is. */
const planMoves: Record<PlanStatus, PlanStatus[]> = { draft: ['published'], published: ['closed', 'draft'], closed: [] };

export async function updatePlan(ctx: Ctx, id: string, patch: { title?: string; notes?: string | null; status?: PlanStatus }, version: number): Promise<PlanView & { lines: PlanItemView[] }> {
  requirePermission(ctx.actor, P.write);
  return ctx.db.tx(async (tx) => {
    const before = await loadPlan(tx, ctx, id, true);
    if (before.version !== version) throw new AppError('version_conflict', `the plan is at version ${before.version}`, { extra: { currentVersion: before.version } });
    if (before.status === 'closed') throw new AppError('training_refused', 'a closed plan cannot be changed', { extra: { reason: 'plan_closed' } });
    if (patch.status && patch.status !== before.status && !planMoves[before.status].includes(patch.status)) {
      throw invalid('status', 'transition', `status: a ${before.status} plan can become ${planMoves[before.status].join(' or ') || 'nothing else'}`);
    }
    if (patch.title !== undefined && !patch.title.trim()) throw invalid('title', 'minLength', 'title: must not be empty');
    const [after] = await tx
      .update(trainingPlans)
      .set({
        ...(patch.title !== undefined ? { title: patch.title.trim() } : {}),
        ...(patch.notes !== undefined ? { notes: patch.notes?.trim() || null } : {}),
        ...(patch.status ? { status: patch.status } : {}),
        version: before.version + 1,
        updatedAt: ctx.now(),
        updatedBy: ctx.actor.userId,
      })
      .where(and(eq(trainingPlans.id, id), eq(trainingPlans.version, before.version)))
      .returning();
    if (!after) throw new AppError('version_conflict', 'the plan changed meanwhile');
    await recordChange(
      tx,
      ctx,
      { action: 'training_plan.updated', entityType: 'training_plan', entityId: id, before: { title: before.title, status: before.status }, after: { title: after.title, status: after.status } },
      { type: 'training_plan.updated', entityType: 'training_plan', entityId: id, payload: { status: after.status } },
    );
    return planDetail(tx, ctx, id);
  });
}

export interface PlanItemInput {
  courseId?: string | null;
  topic?: string | null;
  orgUnitId?: string | null;
  positionIds?: string[];
  plannedMonth: number;
  hours: number;
  trainer?: string | null;
}

async function checkItem(tx: Tx, ctx: Ctx, plan: PlanRow, input: PlanItemInput): Promise<{ courseId: string | null; topic: string; orgUnitId: string | null; positionIds: string[] }> {
  let topic = input.topic?.trim() ?? '';
  if (input.courseId) {
    const [c] = await tx
      .select({ id: courses.id, title: courses.title })
      .from(courses)
      .where(and(eq(courses.tenantId, plan.tenantId), eq(courses.id, input.courseId)));
    if (!c) throw invalid('courseId', 'exists', `courseId: no course ${input.courseId}`);
    if (!topic) topic = c.title;
  }
  if (!topic) throw invalid('topic', 'required', 'topic: name the topic, or choose a course');
  // A monthly plan holds the trainings of its month only.
  if (plan.month !== null && input.plannedMonth !== plan.month) throw invalid('plannedMonth', 'range', `plannedMonth: this plan is for month ${plan.month}`);
  let orgUnitId = plan.orgUnitId;
  if (input.orgUnitId) {
    const unit = await activeUnit(tx, plan.tenantId, input.orgUnitId, 'orgUnitId');
    const [planUnit] = plan.orgUnitId ? await tx.select({ path: orgUnits.path }).from(orgUnits).where(eq(orgUnits.id, plan.orgUnitId)) : [];
    if (planUnit && !unit.path.startsWith(planUnit.path)) throw invalid('orgUnitId', 'scope', "orgUnitId: must be the plan's department or a unit below it");
    if (!pathInScope(ctx.actor, unit.path)) throw new AppError('out_of_scope', 'orgUnitId: outside your data scope');
    orgUnitId = unit.id;
  }
  const positionIds = [...new Set(input.positionIds ?? [])];
  if (positionIds.length) {
    const found = await tx
      .select({ id: positions.id })
      .from(positions)
      .where(and(eq(positions.tenantId, plan.tenantId), inArray(positions.id, positionIds)));
    const known = new Set(found.map((f) => f.id));
    const i = positionIds.findIndex((p) => !known.has(p));
    if (i >= 0) throw invalid(`positionIds.${i}`, 'exists', `positionIds.${i}: no position ${positionIds[i]}`);
  }
  return { courseId: input.courseId ?? null, topic, orgUnitId, positionIds };
}

export async function addPlanItem(ctx: Ctx, planId: string, input: PlanItemInput): Promise<PlanItemView> {
  requirePermission(ctx.actor, P.write);
  return ctx.db.tx(async (tx) => {
    const plan = await loadPlan(tx, ctx, planId, true);
    if (plan.status === 'closed') throw new AppError('training_refused', 'a closed plan cannot be changed', { extra: { reason: 'plan_closed' } });
    const checked = await checkItem(tx, ctx, plan, input);
    const now = ctx.now();
    const [row] = await tx
      .insert(trainingPlanItems)
      .values({ id: newId(), tenantId: plan.tenantId, planId: plan.id, ...checked, plannedMonth: input.plannedMonth, hours: input.hours, trainer: input.trainer?.trim() || null, createdAt: now, createdBy: ctx.actor.userId, updatedAt: now, updatedBy: ctx.actor.userId })
      .returning();
    const item = row!;
    await recordChange(
      tx,
      ctx,
      { action: 'training_plan.item_added', entityType: 'training_plan', entityId: plan.id, after: { itemId: item.id, topic: item.topic, courseId: item.courseId, plannedMonth: item.plannedMonth, hours: item.hours, positionIds: item.positionIds } },
      { type: 'training_plan.item_added', entityType: 'training_plan', entityId: plan.id, payload: { itemId: item.id } },
    );
    const { timeZone } = await tenantZone(tx, plan.tenantId);
    return (await itemViews(tx, plan, [item], timeZone, dayIn(ctx.now(), timeZone)))[0]!;
  });
}

export async function updatePlanItem(ctx: Ctx, planId: string, itemId: string, patch: Partial<PlanItemInput> & { status?: PlanItemStatus }, version: number): Promise<PlanItemView> {
  requirePermission(ctx.actor, P.write);
  return ctx.db.tx(async (tx) => {
    const plan = await loadPlan(tx, ctx, planId, true);
    if (plan.status === 'closed') throw new AppError('training_refused', 'a closed plan cannot be changed', { extra: { reason: 'plan_closed' } });
    const [before] = await tx
      .select()
      .from(trainingPlanItems)
      .where(and(eq(trainingPlanItems.tenantId, plan.tenantId), eq(trainingPlanItems.planId, plan.id), eq(trainingPlanItems.id, itemId)))
      .for('update');
    if (!before) throw notFound('plan item');
    if (before.version !== version) throw new AppError('version_conflict', `the plan item is at version ${before.version}`, { extra: { currentVersion: before.version } });
    const checked = await checkItem(tx, ctx, plan, {
      courseId: patch.courseId !== undefined ? patch.courseId : before.courseId,
      topic: patch.topic !== undefined ? patch.topic : before.topic,
      orgUnitId: patch.orgUnitId !== undefined ? patch.orgUnitId : before.orgUnitId,
      positionIds: patch.positionIds ?? before.positionIds,
      plannedMonth: patch.plannedMonth ?? before.plannedMonth,
      hours: patch.hours ?? before.hours,
    });
    const [after] = await tx
      .update(trainingPlanItems)
      .set({
        ...checked,
        plannedMonth: patch.plannedMonth ?? before.plannedMonth,
        hours: patch.hours ?? before.hours,
        ...(patch.trainer !== undefined ? { trainer: patch.trainer?.trim() || null } : {}),
        ...(patch.status ? { status: patch.status } : {}),
        version: before.version + 1,
        updatedAt: ctx.now(),
        updatedBy: ctx.actor.userId,
      })
      .where(and(eq(trainingPlanItems.id, itemId), eq(trainingPlanItems.version, before.version)))
      .returning();
    if (!after) throw new AppError('version_conflict', 'the plan item changed meanwhile');
    await recordChange(
      tx,
      ctx,
      { action: 'training_plan.item_updated', entityType: 'training_plan', entityId: plan.id, before: { itemId, topic: before.topic, plannedMonth: before.plannedMonth, hours: before.hours, status: before.status }, after: { itemId, topic: after.topic, plannedMonth: after.plannedMonth, hours: after.hours, status: after.status } },
      { type: 'training_plan.item_updated', entityType: 'training_plan', entityId: plan.id, payload: { itemId, status: after.status } },
    );
    const { timeZone } = await tenantZone(tx, plan.tenantId);
    return (await itemViews(tx, plan, [after], timeZone, dayIn(ctx.now(), timeZone)))[0]!;
  });
}

const stateZh: Record<ItemState, string> = { planned: '未开始', in_progress: '进行中', completed: '已完成', overdue: '逾期未完成', cancelled: '已取消' };

/** Plans of a year in scope as Excel: one row per item with its computed completion. */
export async function exportPlansExcel(ctx: Ctx, query: PlanQuery & { year: number }): Promise<Buffer> {
  const { items: plans } = await listPlans(ctx, query);
  const details = await ctx.db.read(async (tx) => {
    const out: (PlanView & { lines: PlanItemView[] })[] = [];
    for (const p of plans) out.push(await planDetail(tx, ctx, p.id));
    return out;
  });
  const { default: ExcelJS } = await import('exceljs');
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('培训计划');
  ws.columns = [
    { header: '计划', key: 'plan', width: 28 },
    { header: '周期', key: 'period', width: 10 },
    { header: '部门', key: 'unit', width: 16 },
    { header: '月份', key: 'month', width: 6 },
    { header: '培训内容', key: 'topic', width: 30 },
    { header: '对象岗位', key: 'positions', width: 20 },
    { header: '培训对象部门', key: 'itemUnit', width: 16 },
    { header: '计划学时', key: 'hours', width: 8 },
    { header: '讲师', key: 'trainer', width: 10 },
    { header: '应训人数', key: 'target', width: 8 },
    { header: '已训人数', key: 'done', width: 8 },
    { header: '完成率%', key: 'percent', width: 8 },
    { header: '状态', key: 'state', width: 10 },
  ];
  for (const p of details) {
    for (const l of p.lines) {
      ws.addRow({
        plan: p.title,
        period: p.month === null ? `${p.year} 年度` : `${p.year}-${String(p.month).padStart(2, '0')}`,
        unit: p.orgUnitName ?? '',
        month: l.plannedMonth,
        topic: l.topic,
        positions: l.positionNames.join('、') || '全部',
        itemUnit: l.orgUnitName ?? '',
        hours: l.hours,
        trainer: l.trainer ?? '',
        target: l.targetPeople,
        done: l.completedPeople,
        percent: l.percent,
        state: stateZh[l.state],
      });
    }
  }
  ws.getRow(1).font = { bold: true };
  return Buffer.from(await wb.xlsx.writeBuffer());
}
