import { and, asc, desc, eq, gte, inArray, lt, or, sql, type SQL } from 'drizzle-orm';
import type { Ctx } from '../../platform/auth/actor.ts';
import { assertInScope, can, requirePermission, scopeWhere } from '../../platform/auth/scope.ts';
import type { Tx } from '../../platform/db/client.ts';
import { AppError, invalid, notFound } from '../../platform/http/errors.ts';
import { decodeCursor, encodeCursor } from '../../platform/http/pagination.ts';
import { addDays, dayIn, instantOf, isDay, tenantZone } from '../../platform/org/calendar.ts';
import { namesOf } from '../../platform/org/directory.ts';
import { people } from '../../platform/org/schema.ts';
import { getCheckpointRef } from '../equipment/service.ts';
import { getControlMeasureRef } from '../risks/service.ts';
import { inspectionPermissions as P } from './permissions.ts';
import { inspectionFindings, inspectionPlans, inspectionResults, inspectionTasks, inspectionTemplates, inspectionTemplateVersions, type TaskStatus, type TemplateItem } from './schema.ts';
import { UUID } from './store.ts';

/** Reading tasks: my tasks of a day, a task with its checklist and results, tasks open at a checkpoint. */

export type TaskRow = typeof inspectionTasks.$inferSelect;

export interface TaskListItem {
  id: string;
  planId: string;
  planName: string;
  checkType: string;
  windowStart: string;
  windowEnd: string;
  status: TaskStatus;
  assigneePersonId: string | null;
  assigneeName: string | null;
  orgUnitId: string | null;
  orgUnitName: string | null;
  controlMeasureId: string | null;
  stops: { index: number; checkpointId: string | null; name: string; scannedAt: string | null; submittedAt: string | null }[];
  startedAt: string | null;
  doneAt: string | null;
  onTime: boolean | null;
  failedCount: number;
  version: number;
}

export interface TaskDetail extends TaskListItem {
  templateName: string;
  templateVersionNo: number;
  items: TemplateItem[];
  measure: { id: string; description: string; troubleshootContent: string; eventName: string; unitName: string } | null;
  results: { stop: number; itemKey: string; value: string | null; reading: number | null; passed: boolean | null; photoIds: string[]; signatureFileId: string | null; remark: string | null; submittedAt: string }[];
  findings: { stop: number; itemKey: string; hazardId: string | null; hazardNumber: string | null; error: string | null }[];
  /** Whether the signed-in user may carry this task out. */
  canPerform: boolean;
}

export async function loadTask(tx: Tx, ctx: Ctx, id: string, opts: { forUpdate?: boolean } = {}): Promise<TaskRow> {
  if (!UUID.test(id)) throw notFound('inspection task');
  const q = tx
    .select()
    .from(inspectionTasks)
    .where(and(eq(inspectionTasks.tenantId, ctx.actor.tenantId), eq(inspectionTasks.id, id)));
  const [t] = opts.forUpdate ? await q.for('update') : await q;
  if (!t) throw notFound('inspection task');
  await assertInScope(tx, ctx.actor, t, [t.assigneePersonId]);
  return t;
}

async function positionOf(tx: Tx, ctx: Ctx): Promise<string | null> {
  if (!ctx.actor.personId) return null;
  const [p] = await tx
    .select({ positionId: people.positionId })
    .from(people)
    .where(and(eq(people.tenantId, ctx.actor.tenantId), eq(people.id, ctx.actor.personId)));
  return p?.positionId ?? null;
}

/** The assignee, a holder of the assigned post when no person is named, or a planner standing in. */
export async function mayPerform(tx: Tx, ctx: Ctx, t: TaskRow): Promise<boolean> {
  if (!can(ctx.actor, P.perform)) return false;
  if (ctx.actor.personId && t.assigneePersonId === ctx.actor.personId) return true;
  if (!t.assigneePersonId && t.assigneePositionId && t.assigneePositionId === (await positionOf(tx, ctx))) return true;
  return can(ctx.actor, P.plan);
}

export async function assertMayPerform(tx: Tx, ctx: Ctx, t: TaskRow): Promise<void> {
  requirePermission(ctx.actor, P.perform);
  if (!(await mayPerform(tx, ctx, t))) throw new AppError('forbidden', 'this check is assigned to someone else');
}

async function listItems(tx: Tx, tenantId: string, rows: TaskRow[]): Promise<TaskListItem[]> {
  if (rows.length === 0) return [];
  const planIds = [...new Set(rows.map((r) => r.planId))];
  const plans = await tx.select({ id: inspectionPlans.id, name: inspectionPlans.name }).from(inspectionPlans).where(and(eq(inspectionPlans.tenantId, tenantId), inArray(inspectionPlans.id, planIds)));
  const planName = new Map(plans.map((p) => [p.id, p.name]));
  const names = await namesOf(tx, tenantId, rows.map((r) => r.orgUnitId), rows.map((r) => r.assigneePersonId));
  return rows.map((t) => ({
    id: t.id,
    planId: t.planId,
    planName: planName.get(t.planId) ?? '',
    checkType: t.checkType,
    windowStart: t.windowStart.toISOString(),
    windowEnd: t.windowEnd.toISOString(),
    status: t.status,
    assigneePersonId: t.assigneePersonId,
    assigneeName: t.assigneePersonId ? (names.people.get(t.assigneePersonId) ?? null) : null,
    orgUnitId: t.orgUnitId,
    orgUnitName: t.orgUnitId ? (names.units.get(t.orgUnitId) ?? null) : null,
    controlMeasureId: t.controlMeasureId,
    stops: t.stops.map((s, index) => ({ index, checkpointId: s.checkpointId, name: s.name, scannedAt: s.scannedAt, submittedAt: s.submittedAt })),
    startedAt: t.startedAt?.toISOString() ?? null,
    doneAt: t.doneAt?.toISOString() ?? null,
    onTime: t.onTime,
    failedCount: t.failedCount,
    version: t.version,
  }));
}

export async function templateVersionOf(tx: Tx, versionId: string): Promise<{ name: string; versionNo: number; items: TemplateItem[] }> {
  const [v] = await tx
    .select({ name: inspectionTemplates.name, versionNo: inspectionTemplateVersions.versionNo, items: inspectionTemplateVersions.items })
    .from(inspectionTemplateVersions)
    .innerJoin(inspectionTemplates, eq(inspectionTemplates.id, inspectionTemplateVersions.templateId))
    .where(eq(inspectionTemplateVersions.id, versionId));
  if (!v) throw new AppError('internal', `template version ${versionId} missing`);
  return v;
}

export async function taskDetail(tx: Tx, ctx: Ctx, t: TaskRow): Promise<TaskDetail> {
  const [item] = await listItems(tx, t.tenantId, [t]);
  const v = await templateVersionOf(tx, t.templateVersionId);
  const results = await tx
    .select()
    .from(inspectionResults)
    .where(and(eq(inspectionResults.tenantId, t.tenantId), eq(inspectionResults.taskId, t.id)))
    .orderBy(asc(inspectionResults.stop), asc(inspectionResults.submittedAt));
  const findings = await tx
    .select()
    .from(inspectionFindings)
    .where(and(eq(inspectionFindings.tenantId, t.tenantId), eq(inspectionFindings.taskId, t.id)))
    .orderBy(asc(inspectionFindings.stop), asc(inspectionFindings.createdAt));
  const m = t.controlMeasureId ? await getControlMeasureRef(tx, t.tenantId, t.controlMeasureId) : null;
  return {
    ...item!,
    templateName: v.name,
    templateVersionNo: v.versionNo,
    items: v.items,
    measure: m ? { id: m.id, description: m.description, troubleshootContent: m.troubleshootContent, eventName: m.eventName, unitName: m.unitName } : null,
    results: results.map((r) => ({ stop: r.stop, itemKey: r.itemKey, value: r.value, reading: r.reading, passed: r.passed, photoIds: r.photoIds, signatureFileId: r.signatureFileId, remark: r.remark, submittedAt: r.submittedAt.toISOString() })),
    findings: findings.map((f) => ({ stop: f.stop, itemKey: f.itemKey, hazardId: f.hazardId, hazardNumber: f.hazardNumber, error: f.lastError })),
    canPerform: await mayPerform(tx, ctx, t),
  };
}

export async function getTask(ctx: Ctx, id: string): Promise<TaskDetail> {
  requirePermission(ctx.actor, P.read);
  return ctx.db.read(async (tx) => taskDetail(tx, ctx, await loadTask(tx, ctx, id)));
}

export interface TaskQuery {
  mine?: boolean;
  /** Today in the company's zone (the phone's own clock and zone may differ). */
  today?: boolean;
  day?: string;
  from?: string;
  to?: string;
  status?: TaskStatus;
  planId?: string;
  controlMeasureId?: string;
  limit: number;
  cursor?: string;
}

/** Whose tasks are "mine": named to me, or to my post with no person named. */
async function mineWhere(tx: Tx, ctx: Ctx): Promise<SQL> {
  const position = await positionOf(tx, ctx);
  const conds = [ctx.actor.personId ? eq(inspectionTasks.assigneePersonId, ctx.actor.personId) : sql`false`];
  if (position) conds.push(and(sql`${inspectionTasks.assigneePersonId} IS NULL`, eq(inspectionTasks.assigneePositionId, position)) as SQL);
  return or(...conds) as SQL;
}

export async function listTasks(ctx: Ctx, q: TaskQuery): Promise<{ items: TaskListItem[]; nextCursor: string | null }> {
  requirePermission(ctx.actor, P.read);
  for (const f of ['day', 'from', 'to'] as const) if (q[f] && !isDay(q[f])) throw invalid(f, 'format', `${f}: a calendar day YYYY-MM-DD`);
  const cursor = q.cursor ? decodeCursor<{ s: string; id: string }>(q.cursor, { s: 'string', id: 'string' }) : null;
  if (q.cursor && !cursor) throw invalid('cursor', 'format', 'cursor: not a cursor of this list');
  return ctx.db.read(async (tx) => {
    const { timeZone } = await tenantZone(tx, ctx.actor.tenantId);
    const day = q.today ? dayIn(ctx.now(), timeZone) : q.day;
    const from = day ?? q.from;
    const to = day ?? q.to;
    const rows = await tx
      .select()
      .from(inspectionTasks)
      .where(
        and(
          scopeWhere(ctx.actor, { tenantId: inspectionTasks.tenantId, orgUnitId: inspectionTasks.orgUnitId, owners: [inspectionTasks.assigneePersonId] }),
          ...(q.mine ? [await mineWhere(tx, ctx)] : []),
          ...(from ? [gte(inspectionTasks.windowStart, instantOf(from, timeZone))] : []),
          ...(to ? [lt(inspectionTasks.windowStart, instantOf(addDays(to, 1), timeZone))] : []),
          ...(q.status ? [eq(inspectionTasks.status, q.status)] : []),
          ...(q.planId ? [eq(inspectionTasks.planId, q.planId)] : []),
          ...(q.controlMeasureId ? [eq(inspectionTasks.controlMeasureId, q.controlMeasureId)] : []),
          ...(cursor ? [sql`(${inspectionTasks.windowStart}, ${inspectionTasks.id}) > (${new Date(cursor.s)}, ${cursor.id})`] : []),
        ),
      )
      .orderBy(asc(inspectionTasks.windowStart), asc(inspectionTasks.id))
      .limit(q.limit + 1);
    const page = rows.slice(0, q.limit);
    const last = page.at(-1);
    return { items: await listItems(tx, ctx.actor.tenantId, page), nextCursor: rows.length > q.limit && last ? encodeCursor({ s: last.windowStart.toISOString(), id: last.id }) : null };
  });
}

/**
 * My open tasks with a stop at this checkpoint whose window has begun (the scan page offers to start the
 * check there), soonest ending first.
 */
export async function openTasksAtCheckpoint(ctx: Ctx, checkpointId: string): Promise<{ items: TaskListItem[] }> {
  requirePermission(ctx.actor, P.read);
  if (!UUID.test(checkpointId)) throw invalid('checkpointId', 'format', 'checkpointId: a UUID');
  return ctx.db.read(async (tx) => {
    // An unknown checkpoint (or another company's) is a 404, not an empty list.
    if (!(await getCheckpointRef(tx, ctx.actor.tenantId, checkpointId))) throw notFound('checkpoint');
    const now = ctx.now();
    const rows = await tx
      .select()
      .from(inspectionTasks)
      .where(
        and(
          eq(inspectionTasks.tenantId, ctx.actor.tenantId),
          await mineWhere(tx, ctx),
          inArray(inspectionTasks.status, ['planned', 'in_progress']),
          lt(inspectionTasks.windowStart, now),
          sql`${inspectionTasks.stops} @> ${JSON.stringify([{ checkpointId: checkpointId.toLowerCase() }])}::jsonb`,
        ),
      )
      .orderBy(asc(inspectionTasks.windowEnd))
      .limit(20);
    return { items: await listItems(tx, ctx.actor.tenantId, rows) };
  });
}

/** The check history of one control measure, newest first. */
export async function measureHistory(ctx: Ctx, measureId: string, limit: number): Promise<{ measure: { id: string; description: string; eventName: string; unitName: string } | null; items: TaskListItem[]; findings: { taskId: string; hazardId: string | null; hazardNumber: string | null }[] }> {
  requirePermission(ctx.actor, P.read);
  if (!UUID.test(measureId)) throw notFound('control measure');
  return ctx.db.read(async (tx) => {
    const m = await getControlMeasureRef(tx, ctx.actor.tenantId, measureId);
    if (!m) throw notFound('control measure');
    const now = ctx.now();
    const rows = await tx
      .select()
      .from(inspectionTasks)
      .where(
        and(
          scopeWhere(ctx.actor, { tenantId: inspectionTasks.tenantId, orgUnitId: inspectionTasks.orgUnitId, owners: [inspectionTasks.assigneePersonId] }),
          eq(inspectionTasks.controlMeasureId, measureId),
          lt(inspectionTasks.windowStart, now),
        ),
      )
      .orderBy(desc(inspectionTasks.windowStart))
      .limit(limit);
    const findings = rows.length
      ? await tx
          .select({ taskId: inspectionFindings.taskId, hazardId: inspectionFindings.hazardId, hazardNumber: inspectionFindings.hazardNumber })
          .from(inspectionFindings)
          .where(and(eq(inspectionFindings.tenantId, ctx.actor.tenantId), inArray(inspectionFindings.taskId, rows.map((r) => r.id))))
      : [];
    return { measure: { id: m.id, description: m.description, eventName: m.eventName, unitName: m.unitName }, items: await listItems(tx, ctx.actor.tenantId, rows), findings };
  });
}

