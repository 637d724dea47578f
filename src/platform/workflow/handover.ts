import { and, eq } from 'drizzle-orm';
import type { Ctx } from '../auth/actor.ts';
import { users } from '../auth/schema.ts';
import { AppError, invalid, notFound } from '../http/errors.ts';
import { cancelJob } from '../jobs/service.ts';
import { userNames } from './approvers.ts';
import { createTask } from './engine.ts';
import { workflowTexts } from './messages.ts';
import { assertCanSee } from './queries.ts';
import { workflowInstances, workflowTasks } from './schema.ts';
import { addAction, approvalNode, graphOf, loadTask, lockInstance, notifyFlow, recordInstance, recordTask, saveTask, timeoutKey, versionConflict, type InstanceRow, type TaskRow } from './store.ts';

/**
 * 转交 and 评论: an approver hands one pending task to a colleague (e.g. the job is in their area), and anyone
 * who may see an approval adds a comment without deciding. Both are history rows and audit entries.
 */

export interface TransferInput {
  toUserId: string;
  comment?: string | null;
  version?: number;
}

/**
 * The assignee hands their pending task to another active user of the company. The old task ends as
 * `transferred` (decided by the assignee, so it shows in their done list), the new one takes the same slot,
 * so a 会签 node still needs one approval per original approver, and keeps the old due time: a hand-over
 * must not buy a fresh deadline. The applicant can never be the target (nobody approves their own request),
 * nor someone who already holds a pending task on this step (their one approval would count twice).
 */
export async function transferTask(ctx: Ctx, taskId: string, input: TransferInput): Promise<{ instance: InstanceRow; task: TaskRow }> {
  return ctx.db.tx(async (tx) => {
    const peek = await loadTask(tx, ctx.actor.tenantId, taskId);
    const instance = await lockInstance(tx, ctx.actor.tenantId, peek.instanceId);
    const task = await loadTask(tx, ctx.actor.tenantId, taskId, { forUpdate: true });
    if (!ctx.actor.userId || task.assigneeUserId !== ctx.actor.userId) throw new AppError('workflow_not_assignee', 'this task is assigned to someone else');
    if (task.kind !== 'approval' || task.status !== 'pending') throw new AppError('workflow_task_decided', `the task is ${task.status}`, { extra: { taskStatus: task.status } });
    if (instance.status !== 'running') throw new AppError('workflow_instance_finished', `the approval is ${instance.status}`, { extra: { instanceStatus: instance.status } });
    if (input.version !== undefined && task.version !== input.version) throw versionConflict('task', task.version);
    if (input.toUserId === ctx.actor.userId) throw invalid('toUserId', 'other', 'toUserId: choose someone other than yourself');
    if (input.toUserId === instance.applicantUserId) throw invalid('toUserId', 'not_applicant', 'toUserId: the applicant cannot approve their own request');
    const [target] = await tx
      .select({ id: users.id, status: users.status })
      .from(users)
      .where(and(eq(users.tenantId, ctx.actor.tenantId), eq(users.id, input.toUserId)));
    if (!target || target.status !== 'active') throw invalid('toUserId', 'exists', 'toUserId: no active user with this id in this company');
    const [already] = await tx
      .select({ id: workflowTasks.id })
      .from(workflowTasks)
      .where(and(eq(workflowTasks.instanceId, instance.id), eq(workflowTasks.round, task.round), eq(workflowTasks.nodeId, task.nodeId), eq(workflowTasks.status, 'pending'), eq(workflowTasks.assigneeUserId, input.toUserId)));
    if (already) throw invalid('toUserId', 'unique', 'toUserId: this person already has a task on this step');
    const comment = input.comment?.trim() || null;
    const node = approvalNode(await graphOf(tx, instance), task.nodeId);
    const closed = await saveTask(tx, task, { status: 'transferred', decidedAt: ctx.now(), decidedByUserId: ctx.actor.userId, comment });
    await cancelJob(tx, timeoutKey(closed.id), ctx.now());
    await addAction(tx, ctx, instance, { action: 'transferred', task: closed, comment, data: { to: input.toUserId } });
    await recordTask(tx, ctx, 'transferred', instance, task, closed, { to: input.toUserId });
    const fromName = (await userNames(tx, ctx.actor.tenantId, [ctx.actor.userId])).get(ctx.actor.userId) ?? '';
    // A timeout that already fired (reminded) does not fire again for the new holder.
    const created = await createTask(tx, ctx, instance, node, {
      userId: input.toUserId,
      slot: task.slot,
      keepDueAt: task.timeoutFiredAt ? null : task.dueAt,
      notice: workflowTexts.taskTransferred(instance.title, node.name, fromName),
    });
    return { instance, task: created };
  });
}

/** A comment on an approval without a decision: the applicant, task holders and readers in scope may add one. */
export async function commentOnInstance(ctx: Ctx, instanceId: string, input: { comment: string }): Promise<InstanceRow> {
  const comment = input.comment.trim();
  if (!comment) throw invalid('comment', 'required', 'comment: required');
  return ctx.db.tx(async (tx) => {
    const [instance] = await tx
      .select()
      .from(workflowInstances)
      .where(and(eq(workflowInstances.tenantId, ctx.actor.tenantId), eq(workflowInstances.id, instanceId)));
    if (!instance) throw notFound('workflow instance');
    await assertCanSee(tx, ctx, instance);
    await addAction(tx, ctx, instance, { action: 'commented', comment });
    await recordInstance(tx, ctx, 'commented', null, instance, { comment });
    // The applicant and the people deciding now hear of it (never the author: notifyFlow drops the actor).
    const pending = await tx
      .select({ userId: workflowTasks.assigneeUserId })
      .from(workflowTasks)
      .where(and(eq(workflowTasks.instanceId, instance.id), eq(workflowTasks.status, 'pending'), eq(workflowTasks.kind, 'approval')));
    const by = ctx.actor.kind === 'system' ? 'system' : ctx.actor.name;
    await notifyFlow(tx, ctx, instance, [instance.applicantUserId, ...pending.map((p) => p.userId)], 'workflow.instance_commented', workflowTexts.commented(instance.title, by));
    return instance;
  });
}
