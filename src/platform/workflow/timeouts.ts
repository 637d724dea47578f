import { and, eq, isNull } from 'drizzle-orm';
import { systemCtx, type Ctx } from '../auth/actor.ts';
import type { Tx } from '../db/client.ts';
import { registerJobHandler, type JobHandlerInput } from '../jobs/service.ts';
import { resolveRule } from './approvers.ts';
import { approveInTx, rejectInTx } from './decide.ts';
import { createTask, TIMEOUT_JOB_KIND } from './engine.ts';
import { workflowTexts } from './messages.ts';
import { workflowTasks } from './schema.ts';
import { addAction, approvalNode, graphOf, loadTask, lockInstance, notifyFlow, recordTask, saveTask, type InstanceRow, type TaskRow } from './store.ts';
import type { ApprovalNode } from './definitionSchema.ts';

/**
 * Per-node timeouts, as one durable job per task (`workflow:task:<id>:timeout`, armed when the task is
 * created, cancelled when it is decided or cancelled). When it fires on a task still pending, it claims
 * the task's `timeout_fired_at` first, so the action happens once even if the runner delivers it twice:
 *   remind        notify the assignee again;
 *   escalate      hand the task's slot to the escalation targets (their tasks carry no timer, so a flow
 *                 escalates once per approver, never in a loop); nobody to escalate to → remind instead;
 *   auto_approve / auto_reject   decide as the system, with a comment saying so.
 */

async function claimTimeout(tx: Tx, task: TaskRow, now: Date): Promise<boolean> {
  const rows = await tx
    .update(workflowTasks)
    .set({ timeoutFiredAt: now })
    .where(and(eq(workflowTasks.id, task.id), eq(workflowTasks.status, 'pending'), isNull(workflowTasks.timeoutFiredAt)))
    .returning({ id: workflowTasks.id });
  return rows.length > 0;
}

async function remind(tx: Tx, ctx: Ctx, instance: InstanceRow, task: TaskRow, data: Record<string, unknown> = {}): Promise<void> {
  await addAction(tx, ctx, instance, { action: 'reminded', task, data });
  await recordTask(tx, ctx, 'reminded', instance, null, task, data);
  await notifyFlow(tx, ctx, instance, [task.assigneeUserId], 'workflow.task_reminder', workflowTexts.taskReminder(instance.title, task.nodeName), { taskId: task.id });
}

async function escalate(tx: Tx, ctx: Ctx, instance: InstanceRow, node: ApprovalNode, task: TaskRow): Promise<void> {
  const rule = node.timeout?.escalateTo;
  const targets = rule ? (await resolveRule(tx, instance.tenantId, rule, { applicantUserId: instance.applicantUserId, assigneeUserId: task.assigneeUserId })).filter((id) => id !== task.assigneeUserId) : [];
  if (targets.length === 0) {
    await remind(tx, ctx, instance, task, { escalationFailed: true });
    return;
  }
  const escalated = await saveTask(tx, task, { status: 'escalated', decidedAt: ctx.now() });
  await addAction(tx, ctx, instance, { action: 'escalated', task: escalated, data: { to: targets } });
  await recordTask(tx, ctx, 'escalated', instance, task, escalated, { to: targets });
  for (const userId of targets) {
    await createTask(tx, ctx, instance, node, { userId, slot: task.slot, escalatedFrom: escalated, armTimeout: false });
  }
}

export async function handleTaskTimeout({ db, job, now }: JobHandlerInput): Promise<void> {
  const { taskId, tenantId } = job.payload as { taskId?: string; tenantId?: string };
  if (typeof taskId !== 'string' || typeof tenantId !== 'string') throw new Error('workflow timeout job without taskId/tenantId');
  await db.tx(async (tx) => {
    const ctx = systemCtx(db, tenantId, () => now);
    const peek = await tx
      .select()
      .from(workflowTasks)
      .where(and(eq(workflowTasks.tenantId, tenantId), eq(workflowTasks.id, taskId)));
    if (!peek[0] || peek[0].status !== 'pending' || peek[0].timeoutFiredAt) return;
    const instance = await lockInstance(tx, tenantId, peek[0].instanceId);
    const task = await loadTask(tx, tenantId, taskId, { forUpdate: true });
    if (instance.status !== 'running' || !(await claimTimeout(tx, task, now))) return;
    const node = approvalNode(await graphOf(tx, instance), task.nodeId);
    const fresh = { ...task, timeoutFiredAt: now };
    switch (node.timeout?.action) {
      case 'remind':
        return remind(tx, ctx, instance, fresh);
      case 'escalate':
        return escalate(tx, ctx, instance, node, fresh);
      case 'auto_approve':
        await approveInTx(tx, ctx, taskId, {}, { auto: true });
        return;
      case 'auto_reject':
        await rejectInTx(tx, ctx, taskId, {}, { auto: true });
        return;
      case undefined:
        return;
    }
  });
}

registerJobHandler(TIMEOUT_JOB_KIND, handleTaskTimeout);
