import { and, eq } from 'drizzle-orm';
import type { Ctx } from '../auth/actor.ts';
import type { Tx } from '../db/client.ts';
import { files } from '../files/schema.ts';
import { AppError, invalid } from '../http/errors.ts';
import { cancelJob } from '../jobs/service.ts';
import type { ApprovalNode, FlowGraph } from './definitionSchema.ts';
import { afterApproval, enterNode, finishInstance, MAX_FORM_BYTES } from './engine.ts';
import { workflowTexts } from './messages.ts';
import {
  addAction,
  approvalNode,
  closePendingTasks,
  graphOf,
  loadTask,
  lockInstance,
  notifyFlow,
  recordInstance,
  recordTask,
  saveInstance,
  saveTask,
  timeoutKey,
  versionConflict,
  type InstanceRow,
  type TaskRow,
} from './store.ts';
import { flowSubject } from './subjects.ts';

/**
 * What people do with tasks and instances: approve, reject, send back, withdraw, resubmit. Deciding needs
 * being the task's assignee (a delegate is the assignee of the tasks routed to them), not a permission.
 */

export interface DecisionInput {
  comment?: string | null;
  /** An uploaded image (POST /api/v1/files) of the handwritten signature. */
  signatureFileId?: string | null;
  /** The task version the approver saw; optional, because a task is decided once anyway. */
  version?: number;
}

interface Locked {
  instance: InstanceRow;
  task: TaskRow;
  graph: FlowGraph;
  node: ApprovalNode;
}

/** Locks instance then task (always in that order), and checks the actor may decide it now. */
async function lockForDecision(tx: Tx, ctx: Ctx, taskId: string, version?: number): Promise<Locked> {
  const peek = await loadTask(tx, ctx.actor.tenantId, taskId);
  const instance = await lockInstance(tx, ctx.actor.tenantId, peek.instanceId);
  const task = await loadTask(tx, ctx.actor.tenantId, taskId, { forUpdate: true });
  if (ctx.actor.kind !== 'system' && (!ctx.actor.userId || task.assigneeUserId !== ctx.actor.userId)) {
    throw new AppError('workflow_not_assignee', 'this task is assigned to someone else');
  }
  if (task.kind !== 'approval' || task.status !== 'pending') throw new AppError('workflow_task_decided', `the task is ${task.status}`, { extra: { taskStatus: task.status } });
  if (instance.status !== 'running') throw new AppError('workflow_instance_finished', `the approval is ${instance.status}`, { extra: { instanceStatus: instance.status } });
  if (version !== undefined && task.version !== version) throw versionConflict('task', task.version);
  const graph = await graphOf(tx, instance);
  return { instance, task, graph, node: approvalNode(graph, task.nodeId) };
}

function cleanComment(comment: string | null | undefined, required: string | null): string | null {
  const c = comment?.trim() || null;
  if (!c && required) throw invalid('comment', 'required', `comment: required to ${required}`);
  return c;
}

/** The signature image must be an uploaded image of this tenant; its content hash comes from the upload. */
async function signatureOf(tx: Tx, ctx: Ctx, node: ApprovalNode, fileId: string | null | undefined): Promise<{ fileId: string; sha256: string } | null> {
  if (!fileId) {
    if (node.requireSignature && ctx.actor.kind !== 'system') throw invalid('signatureFileId', 'required', `signatureFileId: node "${node.name}" requires a handwritten signature`);
    return null;
  }
  const [f] = await tx
    .select({ id: files.id, kind: files.kind, sha256: files.sha256 })
    .from(files)
    .where(and(eq(files.tenantId, ctx.actor.tenantId), eq(files.id, fileId)));
  if (!f) throw invalid('signatureFileId', 'exists', `signatureFileId: no uploaded file ${fileId}; upload it first (POST /api/v1/files)`);
  if (f.kind !== 'image') throw invalid('signatureFileId', 'kind', `signatureFileId: expected an image, got ${f.kind}`);
  return { fileId: f.id, sha256: f.sha256 };
}

async function decide(tx: Tx, ctx: Ctx, l: Locked, status: 'approved' | 'rejected' | 'sent_back', comment: string | null, signature: { fileId: string; sha256: string } | null, data: Record<string, unknown> = {}): Promise<TaskRow> {
  const decided = await saveTask(tx, l.task, {
    status,
    decidedAt: ctx.now(),
    decidedByUserId: ctx.actor.userId,
    comment,
    signatureFileId: signature?.fileId ?? null,
    signatureSha256: signature?.sha256 ?? null,
  });
  await cancelJob(tx, timeoutKey(decided.id), ctx.now());
  await addAction(tx, ctx, l.instance, { action: status === 'sent_back' ? 'sent_back' : status, task: decided, comment, signature, data });
  await recordTask(tx, ctx, 'decided', l.instance, l.task, decided, { decision: status, ...data });
  return decided;
}

/** Approve in an open transaction (the timeout job's auto-approval uses it with the system actor). */
export async function approveInTx(tx: Tx, ctx: Ctx, taskId: string, input: DecisionInput, opts: { auto?: boolean } = {}): Promise<InstanceRow> {
  const l = await lockForDecision(tx, ctx, taskId, input.version);
  const comment = opts.auto ? workflowTexts.autoApproved[ctx.locale] : cleanComment(input.comment, null);
  const signature = await signatureOf(tx, ctx, l.node, input.signatureFileId);
  const task = await decide(tx, ctx, l, 'approved', comment, signature, opts.auto ? { auto: true } : {});
  return afterApproval(tx, ctx, l.instance, l.graph, l.node, task);
}

/** A rejection by any approver (会签 or 或签) rejects the whole request. */
export async function rejectInTx(tx: Tx, ctx: Ctx, taskId: string, input: DecisionInput, opts: { auto?: boolean } = {}): Promise<InstanceRow> {
  const l = await lockForDecision(tx, ctx, taskId, input.version);
  const comment = opts.auto ? workflowTexts.autoRejected[ctx.locale] : cleanComment(input.comment, 'reject');
  const signature = await signatureOf(tx, ctx, l.node, input.signatureFileId);
  await decide(tx, ctx, l, 'rejected', comment, signature, opts.auto ? { auto: true } : {});
  return finishInstance(tx, ctx, l.instance, 'rejected', comment);
}

export const approveTask = (ctx: Ctx, taskId: string, input: DecisionInput) => ctx.db.tx((tx) => approveInTx(tx, ctx, taskId, input));
export const rejectTask = (ctx: Ctx, taskId: string, input: DecisionInput) => ctx.db.tx((tx) => rejectInTx(tx, ctx, taskId, input));

export interface SendBackInput {
  /** `applicant`, or the id of an approval node this instance already passed. */
  to: string;
  comment: string;
  version?: number;
}

/**
 * 退回: to the applicant (the instance waits for them to change and resubmit, or withdraw), or to an earlier
 * approval node of this run, whose approvers decide again.
 */
export async function sendBackTask(ctx: Ctx, taskId: string, input: SendBackInput): Promise<InstanceRow> {
  return ctx.db.tx(async (tx) => {
    const l = await lockForDecision(tx, ctx, taskId, input.version);
    const comment = cleanComment(input.comment, 'send back');
    const trail = l.instance.trail;
    const current = trail.lastIndexOf(l.task.nodeId);
    let targetIndex = -1;
    if (input.to !== 'applicant') {
      // lastIndexOf with a negative start counts from the end: only search when there is an earlier step.
      targetIndex = current > 0 ? trail.lastIndexOf(input.to, current - 1) : -1;
      if (targetIndex < 0 || input.to === l.task.nodeId) {
        throw invalid('to', 'previous', `to: "${input.to}" is not an approval step this request already passed; use "applicant" or one of: ${trail.slice(0, Math.max(current, 0)).join(', ') || '(none)'}`);
      }
    }
    await decide(tx, ctx, l, 'sent_back', comment, null, { to: input.to });
    await closePendingTasks(tx, ctx, l.instance, 'cancelled', { round: l.task.round });
    if (input.to === 'applicant') {
      const after = await saveInstance(tx, ctx, l.instance, { status: 'sent_back', currentNodeId: null, trail: [] });
      await recordInstance(tx, ctx, 'sent_back', l.instance, after, { to: 'applicant', nodeId: l.task.nodeId });
      const handler = flowSubject(after.subjectType).onSentBack;
      if (handler) await handler(tx, ctx, after);
      await notifyFlow(tx, ctx, after, [after.applicantUserId], 'workflow.instance_sent_back', workflowTexts.sentBack(after.title));
      return after;
    }
    const rewound = await saveInstance(tx, ctx, l.instance, { trail: trail.slice(0, targetIndex) });
    await recordInstance(tx, ctx, 'sent_back', l.instance, rewound, { to: input.to, nodeId: l.task.nodeId });
    return enterNode(tx, ctx, rewound, l.graph, input.to);
  });
}

/** Locks an instance the applicant acts on, with their expected version. */
async function lockForApplicant(tx: Tx, ctx: Ctx, instanceId: string, version: number): Promise<InstanceRow> {
  const instance = await lockInstance(tx, ctx.actor.tenantId, instanceId);
  if (!ctx.actor.userId || instance.applicantUserId !== ctx.actor.userId) throw new AppError('workflow_not_applicant', 'only the applicant may do this');
  if (instance.status !== 'running' && instance.status !== 'sent_back') throw new AppError('workflow_instance_finished', `the approval is ${instance.status}`, { extra: { instanceStatus: instance.status } });
  if (instance.version !== version) throw versionConflict('approval', instance.version);
  return instance;
}

/** 撤回: the applicant takes the request back while it is not finished. */
export async function withdrawInstance(ctx: Ctx, instanceId: string, input: { comment?: string | null; version: number }): Promise<InstanceRow> {
  return ctx.db.tx(async (tx) => {
    const instance = await lockForApplicant(tx, ctx, instanceId, input.version);
    return finishInstance(tx, ctx, instance, 'withdrawn', cleanComment(input.comment, null));
  });
}

/** After a send-back to the applicant: resubmit (optionally with a changed form); the flow starts over. */
export async function resubmitInstance(ctx: Ctx, instanceId: string, input: { form?: Record<string, unknown>; comment?: string | null; version: number }): Promise<InstanceRow> {
  return ctx.db.tx((tx) => resubmitInTx(tx, ctx, instanceId, input));
}

/** The same in an open transaction: a module resubmits from its own submit (the permit's 提交 after a send-back). */
export async function resubmitInTx(tx: Tx, ctx: Ctx, instanceId: string, input: { form?: Record<string, unknown>; comment?: string | null; version: number }): Promise<InstanceRow> {
  {
    const before = await lockForApplicant(tx, ctx, instanceId, input.version);
    if (before.status !== 'sent_back') throw new AppError('conflict', 'only a request sent back to the applicant can be resubmitted', { extra: { instanceStatus: before.status } });
    if (input.form && Buffer.byteLength(JSON.stringify(input.form)) > MAX_FORM_BYTES) throw invalid('form', 'maxLength', `form: at most ${MAX_FORM_BYTES} bytes of JSON`);
    const after = await saveInstance(tx, ctx, before, { status: 'running', form: input.form ?? before.form, trail: [] });
    await addAction(tx, ctx, after, { action: 'resubmitted', comment: cleanComment(input.comment, null), data: { formChanged: input.form !== undefined } });
    await recordInstance(tx, ctx, 'resubmitted', before, after);
    const handler = flowSubject(after.subjectType).onResubmitted;
    if (handler) await handler(tx, ctx, after);
    const graph = await graphOf(tx, after);
    return enterNode(tx, ctx, after, graph, graph.start);
  }
}
