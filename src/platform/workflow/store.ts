import { and, eq, inArray } from 'drizzle-orm';
import { recordChange } from '../audit/record.ts';
import type { Ctx } from '../auth/actor.ts';
import type { Tx } from '../db/client.ts';
import { newId } from '../db/columns.ts';
import { AppError, notFound, type Locale } from '../http/errors.ts';
import { cancelJob } from '../jobs/service.ts';
import { notifyUsers } from '../notify/service.ts';
import { tenants } from '../org/schema.ts';
import type { ApprovalNode, FlowGraph } from './definitionSchema.ts';
import { findNode } from './definitionCheck.ts';
import { workflowActions, workflowDefinitionVersions, workflowInstances, workflowTasks, type TaskStatus } from './schema.ts';

/** Shared plumbing of the engine: load and lock, versioned save, history, audit + event, notifications. */

export type InstanceRow = typeof workflowInstances.$inferSelect;
export type TaskRow = typeof workflowTasks.$inferSelect;

export const timeoutKey = (taskId: string) => `workflow:task:${taskId}:timeout`;

/** Locks the instance row: every change to an instance or its tasks holds it, so decisions queue. */
export async function lockInstance(tx: Tx, tenantId: string, id: string): Promise<InstanceRow> {
  const [row] = await tx
    .select()
    .from(workflowInstances)
    .where(and(eq(workflowInstances.tenantId, tenantId), eq(workflowInstances.id, id)))
    .for('update');
  if (!row) throw notFound('workflow instance');
  return row;
}

export async function loadTask(tx: Tx, tenantId: string, id: string, opts: { forUpdate?: boolean } = {}): Promise<TaskRow> {
  const q = tx
    .select()
    .from(workflowTasks)
    .where(and(eq(workflowTasks.tenantId, tenantId), eq(workflowTasks.id, id)));
  const [row] = opts.forUpdate ? await q.for('update') : await q;
  if (!row) throw notFound('workflow task');
  return row;
}

export async function graphOf(tx: Tx, instance: InstanceRow): Promise<FlowGraph> {
  const [v] = await tx.select({ graph: workflowDefinitionVersions.graph }).from(workflowDefinitionVersions).where(eq(workflowDefinitionVersions.id, instance.definitionVersionId));
  if (!v) throw new Error(`workflow: version ${instance.definitionVersionId} of instance ${instance.id} is missing`);
  return v.graph;
}

export function approvalNode(graph: FlowGraph, id: string): ApprovalNode {
  const node = findNode(graph, id);
  if (!node || node.type !== 'approval') throw new Error(`workflow: ${id} is not an approval node`);
  return node;
}

export function versionConflict(what: string, current: number): AppError {
  return new AppError('version_conflict', `the ${what} is at version ${current}; reload and try again`, { extra: { currentVersion: current } });
}

/** `UPDATE … WHERE id = ? AND version = ?` on the locked instance. */
export async function saveInstance(tx: Tx, ctx: Pick<Ctx, 'actor' | 'now'>, before: InstanceRow, patch: Partial<typeof workflowInstances.$inferInsert>): Promise<InstanceRow> {
  const [after] = await tx
    .update(workflowInstances)
    .set({ ...patch, version: before.version + 1, updatedAt: ctx.now(), updatedBy: ctx.actor.userId })
    .where(and(eq(workflowInstances.id, before.id), eq(workflowInstances.version, before.version)))
    .returning();
  if (!after) throw versionConflict('approval', before.version);
  return after;
}

export async function saveTask(tx: Tx, before: TaskRow, patch: Partial<typeof workflowTasks.$inferInsert>): Promise<TaskRow> {
  const [after] = await tx
    .update(workflowTasks)
    .set({ ...patch, version: before.version + 1 })
    .where(and(eq(workflowTasks.id, before.id), eq(workflowTasks.version, before.version)))
    .returning();
  if (!after) throw versionConflict('task', before.version);
  return after;
}

export interface Step {
  action: string;
  task?: TaskRow | null;
  nodeId?: string | null;
  nodeName?: string | null;
  comment?: string | null;
  signature?: { fileId: string; sha256: string } | null;
  data?: Record<string, unknown>;
}

/** One history row: who did what, when, on whose behalf, with which comment and signature. */
export async function addAction(tx: Tx, ctx: Pick<Ctx, 'actor' | 'now'>, instance: InstanceRow, step: Step): Promise<void> {
  await tx.insert(workflowActions).values({
    id: newId(),
    tenantId: instance.tenantId,
    instanceId: instance.id,
    taskId: step.task?.id ?? null,
    nodeId: step.nodeId ?? step.task?.nodeId ?? null,
    nodeName: step.nodeName ?? step.task?.nodeName ?? null,
    action: step.action,
    actorUserId: ctx.actor.userId,
    actorName: ctx.actor.kind === 'system' ? 'system' : ctx.actor.name,
    onBehalfOfUserId: step.task?.onBehalfOfUserId ?? null,
    comment: step.comment ?? null,
    signatureFileId: step.signature?.fileId ?? null,
    signatureSha256: step.signature?.sha256 ?? null,
    data: step.data ?? {},
    at: ctx.now(),
  });
}

export function instanceView(i: InstanceRow) {
  return { key: i.key, definitionVersionNo: i.definitionVersionNo, subjectType: i.subjectType, subjectId: i.subjectId, status: i.status, currentNodeId: i.currentNodeId, round: i.round, version: i.version };
}

function taskView(t: TaskRow) {
  return {
    instanceId: t.instanceId,
    nodeId: t.nodeId,
    round: t.round,
    slot: t.slot,
    kind: t.kind,
    status: t.status,
    assigneeUserId: t.assigneeUserId,
    onBehalfOfUserId: t.onBehalfOfUserId,
    decidedByUserId: t.decidedByUserId,
    comment: t.comment,
    signatureFileId: t.signatureFileId,
    signatureSha256: t.signatureSha256,
    dueAt: t.dueAt,
    version: t.version,
  };
}

/** Audit entry and outbox event `workflow.instance.<what>`; the payload is thin (ids, subject, status). */
export async function recordInstance(tx: Tx, ctx: Ctx, what: string, before: InstanceRow | null, after: InstanceRow, extra: Record<string, unknown> = {}): Promise<void> {
  const type = `workflow.instance.${what}`;
  await recordChange(
    tx,
    ctx,
    { action: type, entityType: 'workflow_instance', entityId: after.id, before: before ? instanceView(before) : null, after: { ...instanceView(after), ...extra } },
    {
      type,
      entityType: 'workflow_instance',
      entityId: after.id,
      payload: { instanceId: after.id, key: after.key, subjectType: after.subjectType, subjectId: after.subjectId, applicantUserId: after.applicantUserId, status: after.status, ...extra },
    },
  );
}

/** Audit entry and outbox event `workflow.task.<what>` (created, decided, escalated, reminded). */
export async function recordTask(tx: Tx, ctx: Ctx, what: string, instance: InstanceRow, before: TaskRow | null, after: TaskRow, extra: Record<string, unknown> = {}): Promise<void> {
  const type = `workflow.task.${what}`;
  await recordChange(
    tx,
    ctx,
    { action: type, entityType: 'workflow_task', entityId: after.id, before: before ? taskView(before) : null, after: { ...taskView(after), ...extra } },
    {
      type,
      entityType: 'workflow_task',
      entityId: after.id,
      payload: {
        taskId: after.id,
        instanceId: instance.id,
        key: instance.key,
        subjectType: instance.subjectType,
        subjectId: instance.subjectId,
        nodeId: after.nodeId,
        assigneeUserId: after.assigneeUserId,
        onBehalfOfUserId: after.onBehalfOfUserId,
        status: after.status,
        ...extra,
      },
    },
  );
}

/** Closes the pending tasks among `taskIds` (or all of the instance) as `status`, with their timers. */
export async function closePendingTasks(tx: Tx, ctx: Ctx, instance: InstanceRow, status: TaskStatus, opts: { round?: number; slot?: number } = {}): Promise<TaskRow[]> {
  const conds = [eq(workflowTasks.instanceId, instance.id), eq(workflowTasks.status, 'pending')];
  if (opts.round !== undefined) conds.push(eq(workflowTasks.round, opts.round));
  if (opts.slot !== undefined) conds.push(eq(workflowTasks.slot, opts.slot));
  const pending = await tx
    .select()
    .from(workflowTasks)
    .where(and(...conds))
    .for('update');
  if (pending.length === 0) return [];
  const closed = await tx
    .update(workflowTasks)
    .set({ status, decidedAt: ctx.now() })
    .where(
      inArray(
        workflowTasks.id,
        pending.map((p) => p.id),
      ),
    )
    .returning();
  for (const t of closed) await cancelJob(tx, timeoutKey(t.id), ctx.now());
  return closed;
}

async function tenantLocale(tx: Tx, tenantId: string): Promise<Locale> {
  const [t] = await tx.select({ locale: tenants.locale }).from(tenants).where(eq(tenants.id, tenantId));
  return t?.locale === 'en' ? 'en' : 'zh-CN';
}

/** In-app notification (plus stream and channels) in the tenant's language; never to the actor themselves. */
export async function notifyFlow(
  tx: Tx,
  ctx: Pick<Ctx, 'actor' | 'now'>,
  instance: InstanceRow,
  userIds: string[],
  type: string,
  title: Record<Locale, string>,
  data: Record<string, unknown> = {},
): Promise<void> {
  const to = [...new Set(userIds)].filter((id) => id !== ctx.actor.userId);
  if (to.length === 0) return;
  const locale = await tenantLocale(tx, instance.tenantId);
  await notifyUsers(tx, ctx, {
    userIds: to,
    type,
    title: title[locale].slice(0, 200),
    body: instance.summary ? instance.summary.slice(0, 1000) : null,
    link: `/workflow/instances/${instance.id}`,
    data: { instanceId: instance.id, subjectType: instance.subjectType, subjectId: instance.subjectId, ...data },
  });
}
