import { and, desc, eq, inArray, lt, or, sql, type SQL } from 'drizzle-orm';
import type { Ctx } from '../auth/actor.ts';
import { assertInScope, requirePermission, scopeWhere } from '../auth/scope.ts';
import type { Tx } from '../db/client.ts';
import { AppError, invalid, notFound } from '../http/errors.ts';
import { decodeCursor, pageOf } from '../http/pagination.ts';
import { userNames } from './approvers.ts';
import { workflowPermissions as P } from './permissions.ts';
import { workflowActions, workflowDefinitionVersions, workflowInstances, workflowTasks, type InstanceStatus } from './schema.ts';
import type { InstanceRow } from './store.ts';

/** The read side: a person's to-do, done and CC lists across all modules, instance lists and details. */

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function cursorId(cursor: string | undefined): string | null {
  const after = decodeCursor<{ id: string }>(cursor, { id: 'string' });
  // The id reaches a uuid comparison: a forged cursor is a 400, not a database error.
  if (after && !UUID.test(after.id)) throw invalid('cursor', 'format', 'cursor: invalid');
  return after?.id ?? null;
}

export type TaskListStatus = 'pending' | 'done' | 'cc';

export interface MyTasksInput {
  status: TaskListStatus;
  limit: number;
  cursor?: string;
}

/**
 * pending: approval tasks waiting for me (assigned to me, also as a delegate); done: tasks I decided;
 * cc: copies sent to me. Newest first (ids are time-ordered).
 */
export async function listMyTasks(ctx: Ctx, input: MyTasksInput) {
  const me = ctx.actor.userId;
  if (!me) throw new AppError('forbidden', 'only a signed-in user has a to-do list');
  const after = cursorId(input.cursor);
  const t = workflowTasks;
  const conds: SQL[] = [eq(t.tenantId, ctx.actor.tenantId)];
  if (input.status === 'pending') conds.push(eq(t.assigneeUserId, me), eq(t.status, 'pending'), eq(t.kind, 'approval'));
  else if (input.status === 'done') conds.push(eq(t.decidedByUserId, me), eq(t.kind, 'approval'));
  else conds.push(eq(t.assigneeUserId, me), eq(t.kind, 'cc'));
  if (after) conds.push(lt(t.id, after));
  return ctx.db.read(async (tx) => {
    const rows = await tx
      .select({ task: t, instance: workflowInstances })
      .from(t)
      .innerJoin(workflowInstances, eq(workflowInstances.id, t.instanceId))
      .where(and(...conds))
      .orderBy(desc(t.id))
      .limit(input.limit + 1);
    const names = await userNames(
      tx,
      ctx.actor.tenantId,
      rows.flatMap((r) => [r.instance.applicantUserId, r.task.onBehalfOfUserId]),
    );
    const page = pageOf(rows, input.limit, (r) => ({ id: r.task.id }));
    return {
      nextCursor: page.nextCursor,
      items: page.items.map(({ task, instance }) => ({
        taskId: task.id,
        instanceId: instance.id,
        key: instance.key,
        subjectType: instance.subjectType,
        subjectId: instance.subjectId,
        title: instance.title,
        summary: instance.summary,
        applicantUserId: instance.applicantUserId,
        applicantName: names.get(instance.applicantUserId) ?? null,
        instanceStatus: instance.status,
        nodeId: task.nodeId,
        nodeName: task.nodeName,
        kind: task.kind,
        status: task.status,
        onBehalfOfUserId: task.onBehalfOfUserId,
        onBehalfOfName: task.onBehalfOfUserId ? (names.get(task.onBehalfOfUserId) ?? null) : null,
        createdAt: task.createdAt.toISOString(),
        dueAt: iso(task.dueAt),
        decidedAt: iso(task.decidedAt),
        comment: task.comment,
      })),
    };
  });
}

/**
 * Who may see an instance: its applicant and anyone who holds or held one of its tasks (also as the
 * principal of a delegated one), whatever their role; anyone else needs workflow:read and the applicant's
 * unit inside their data scope. Another tenant's instance is not found.
 */
export async function assertCanSee(tx: Tx, ctx: Ctx, instance: InstanceRow): Promise<void> {
  const me = ctx.actor.userId;
  if (me && instance.applicantUserId === me) return;
  if (me) {
    const [mine] = await tx
      .select({ id: workflowTasks.id })
      .from(workflowTasks)
      .where(and(eq(workflowTasks.instanceId, instance.id), or(eq(workflowTasks.assigneeUserId, me), eq(workflowTasks.onBehalfOfUserId, me))))
      .limit(1);
    if (mine) return;
  }
  requirePermission(ctx.actor, P.read);
  await assertInScope(tx, ctx.actor, instance, [instance.applicantUserId]);
}

export async function getInstanceDetail(ctx: Ctx, id: string) {
  return ctx.db.read(async (tx) => {
    const [instance] = await tx
      .select()
      .from(workflowInstances)
      .where(and(eq(workflowInstances.tenantId, ctx.actor.tenantId), eq(workflowInstances.id, id)));
    if (!instance) throw notFound('workflow instance');
    await assertCanSee(tx, ctx, instance);
    const [version] = await tx.select().from(workflowDefinitionVersions).where(eq(workflowDefinitionVersions.id, instance.definitionVersionId));
    const tasks = await tx.select().from(workflowTasks).where(eq(workflowTasks.instanceId, id)).orderBy(workflowTasks.createdAt, workflowTasks.id);
    const history = await tx.select().from(workflowActions).where(eq(workflowActions.instanceId, id)).orderBy(workflowActions.at, workflowActions.id);
    const names = await userNames(tx, ctx.actor.tenantId, [
      instance.applicantUserId,
      ...tasks.flatMap((t) => [t.assigneeUserId, t.onBehalfOfUserId, t.decidedByUserId]),
      ...history.map((h) => h.onBehalfOfUserId),
    ]);
    const name = (uid: string | null) => (uid ? (names.get(uid) ?? null) : null);
    const nodes = version?.graph.nodes ?? [];
    return {
      id: instance.id,
      key: instance.key,
      definitionName: version?.name ?? instance.key,
      definitionVersionNo: instance.definitionVersionNo,
      subjectType: instance.subjectType,
      subjectId: instance.subjectId,
      title: instance.title,
      summary: instance.summary,
      form: instance.form,
      status: instance.status,
      currentNodeId: instance.currentNodeId,
      currentNodeName: nodes.find((n) => n.id === instance.currentNodeId)?.name ?? null,
      applicantUserId: instance.applicantUserId,
      applicantName: name(instance.applicantUserId),
      createdAt: instance.createdAt.toISOString(),
      finishedAt: iso(instance.finishedAt),
      version: instance.version,
      nodes: nodes.map((n) => ({ id: n.id, type: n.type, name: n.name })),
      tasks: tasks.map((t) => ({
        id: t.id,
        nodeId: t.nodeId,
        nodeName: t.nodeName,
        round: t.round,
        slot: t.slot,
        kind: t.kind,
        status: t.status,
        assigneeUserId: t.assigneeUserId,
        assigneeName: name(t.assigneeUserId),
        onBehalfOfUserId: t.onBehalfOfUserId,
        onBehalfOfName: name(t.onBehalfOfUserId),
        escalatedFromTaskId: t.escalatedFromTaskId,
        dueAt: iso(t.dueAt),
        decidedAt: iso(t.decidedAt),
        decidedByUserId: t.decidedByUserId,
        decidedByName: name(t.decidedByUserId),
        comment: t.comment,
        signatureFileId: t.signatureFileId,
        signatureSha256: t.signatureSha256,
        createdAt: t.createdAt.toISOString(),
        version: t.version,
      })),
      history: history.map((h) => ({
        id: h.id,
        at: h.at.toISOString(),
        action: h.action,
        nodeId: h.nodeId,
        nodeName: h.nodeName,
        taskId: h.taskId,
        actorUserId: h.actorUserId,
        actorName: h.actorName,
        onBehalfOfUserId: h.onBehalfOfUserId,
        onBehalfOfName: name(h.onBehalfOfUserId),
        comment: h.comment,
        signatureFileId: h.signatureFileId,
        signatureSha256: h.signatureSha256,
        data: h.data,
      })),
    };
  });
}

export type InstanceDetail = Awaited<ReturnType<typeof getInstanceDetail>>;

export interface ListInstancesInput {
  status?: InstanceStatus;
  subjectType?: string;
  subjectId?: string;
  /** Only the ones I applied for (我发起的). */
  mine?: boolean;
  limit: number;
  cursor?: string;
}

/** Instances in the reader's scope (their own always), newest first. */
export async function listInstances(ctx: Ctx, input: ListInstancesInput) {
  requirePermission(ctx.actor, P.read);
  const after = cursorId(input.cursor);
  const i = workflowInstances;
  const conds: SQL[] = [scopeWhere(ctx.actor, { tenantId: i.tenantId, orgUnitId: i.orgUnitId, owners: [i.applicantUserId] })];
  if (input.status) conds.push(eq(i.status, input.status));
  if (input.subjectType) conds.push(eq(i.subjectType, input.subjectType));
  if (input.subjectId) conds.push(eq(i.subjectId, input.subjectId));
  if (input.mine) conds.push(ctx.actor.userId ? eq(i.applicantUserId, ctx.actor.userId) : sql`false`);
  if (after) conds.push(lt(i.id, after));
  return ctx.db.read(async (tx) => {
    const rows = await tx
      .select()
      .from(i)
      .where(and(...conds))
      .orderBy(desc(i.id))
      .limit(input.limit + 1);
    const names = await userNames(
      tx,
      ctx.actor.tenantId,
      rows.map((r) => r.applicantUserId),
    );
    const page = pageOf(rows, input.limit, (r) => ({ id: r.id }));
    const ids = page.items.map((r) => r.id);
    const pending = ids.length
      ? await tx
          .select({ instanceId: workflowTasks.instanceId, nodeName: workflowTasks.nodeName })
          .from(workflowTasks)
          .where(and(inArray(workflowTasks.instanceId, ids), eq(workflowTasks.status, 'pending')))
      : [];
    return {
      nextCursor: page.nextCursor,
      items: page.items.map((r) => ({
        id: r.id,
        key: r.key,
        definitionVersionNo: r.definitionVersionNo,
        subjectType: r.subjectType,
        subjectId: r.subjectId,
        title: r.title,
        status: r.status,
        currentNodeId: r.currentNodeId,
        currentNodeName: pending.find((p) => p.instanceId === r.id)?.nodeName ?? null,
        applicantUserId: r.applicantUserId,
        applicantName: names.get(r.applicantUserId) ?? null,
        createdAt: r.createdAt.toISOString(),
        finishedAt: iso(r.finishedAt),
        version: r.version,
      })),
    };
  });
}
