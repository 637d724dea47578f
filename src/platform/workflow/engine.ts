import { and, desc, eq, inArray } from 'drizzle-orm';
import type { Ctx } from '../auth/actor.ts';
import { users } from '../auth/schema.ts';
import type { Tx } from '../db/client.ts';
import { newId } from '../db/columns.ts';
import { AppError, invalid, type Locale } from '../http/errors.ts';
import { scheduleJob } from '../jobs/service.ts';
import { isUniqueViolation } from '../org/sqlHelpers.ts';
import { delegateOf, resolveRule, unitOfUser, userNames } from './approvers.ts';
import { pickBranch } from './conditions.ts';
import { findNode } from './definitionCheck.ts';
import { MAX_NODES, type ApprovalNode, type FlowGraph } from './definitionSchema.ts';
import { workflowTexts } from './messages.ts';
import { workflowDefinitions, workflowDefinitionVersions, workflowInstances, workflowTasks } from './schema.ts';
import { addAction, closePendingTasks, notifyFlow, recordInstance, recordTask, saveInstance, timeoutKey, type InstanceRow, type TaskRow } from './store.ts';
import { flowSubject, SUBJECT_TYPE, type FlowInstance } from './subjects.ts';

/**
 * The engine: starting an instance and moving it through its graph. Everything runs in the caller's
 * transaction with the instance row locked, so a decision, the tasks it creates, their timers, the
 * history, the audit entries, the outbox events and the subject's own change commit together.
 */

export const TIMEOUT_JOB_KIND = 'workflow.task.timeout';
export const MAX_FORM_BYTES = 64 * 1024;

export interface StartFlowInput {
  /** Definition key, e.g. `permit.hot_work`; the newest published version is used. */
  key: string;
  /** Registered with registerFlowSubject. */
  subjectType: string;
  subjectId: string;
  /** The user applying: the anchor of department-head and levels-up rules, and who may withdraw. */
  applicantId: string;
  /** Fields the condition branches read (grade, amount, area…). */
  form?: Record<string, unknown>;
  /** Shown in every to-do list: "动火作业票 ZY-DH-2026-0042". */
  title: string;
  summary?: string | null;
}

/**
 * Starts a flow for a subject, inside the module's transaction (`startFlow(tx, ctx, …)`), and returns the
 * instance. It may finish at once (a branch that needs no approval), in which case the subject's
 * onApproved handler has already run in this transaction. One running flow per subject.
 */
export async function startFlow(tx: Tx, ctx: Ctx, input: StartFlowInput): Promise<FlowInstance> {
  if (!SUBJECT_TYPE.test(input.subjectType)) throw new Error(`startFlow: bad subject type "${input.subjectType}"`);
  flowSubject(input.subjectType);
  const tenantId = ctx.actor.tenantId;
  const form = input.form ?? {};
  if (Buffer.byteLength(JSON.stringify(form)) > MAX_FORM_BYTES) throw invalid('form', 'maxLength', `form: at most ${MAX_FORM_BYTES} bytes of JSON`);
  const title = input.title.trim();
  if (!title || title.length > 200) throw invalid('title', 'maxLength', 'title: 1 to 200 characters');
  if (!input.subjectId || input.subjectId.length > 100) throw invalid('subjectId', 'maxLength', 'subjectId: 1 to 100 characters');
  if (input.summary && input.summary.length > 1000) throw invalid('summary', 'maxLength', 'summary: at most 1000 characters');

  const [applicant] = await tx
    .select({ id: users.id, status: users.status })
    .from(users)
    .where(and(eq(users.tenantId, tenantId), eq(users.id, input.applicantId)));
  if (!applicant || applicant.status !== 'active') throw invalid('applicantId', 'exists', 'applicantId: no active user with this id in this company');

  const [def] = await tx
    .select()
    .from(workflowDefinitions)
    .where(and(eq(workflowDefinitions.tenantId, tenantId), eq(workflowDefinitions.key, input.key)));
  if (!def || def.publishedVersion === null || def.archivedAt !== null) throw new AppError('workflow_not_published', `flow "${input.key}" has no published version`, { extra: { key: input.key } });
  const [version] = await tx
    .select()
    .from(workflowDefinitionVersions)
    .where(and(eq(workflowDefinitionVersions.definitionId, def.id), eq(workflowDefinitionVersions.versionNo, def.publishedVersion)));
  if (!version) throw new Error(`workflow: version ${def.publishedVersion} of ${def.key} is missing`);

  const running = await tx
    .select({ id: workflowInstances.id })
    .from(workflowInstances)
    .where(
      and(
        eq(workflowInstances.tenantId, tenantId),
        eq(workflowInstances.subjectType, input.subjectType),
        eq(workflowInstances.subjectId, input.subjectId),
        inArray(workflowInstances.status, ['running', 'sent_back']),
      ),
    )
    .for('update');
  if (running.length > 0) throw new AppError('conflict', `${input.subjectType} ${input.subjectId} already has an approval in progress`, { extra: { instanceId: running[0]!.id } });

  const now = ctx.now();
  const conflict = () => new AppError('conflict', `${input.subjectType} ${input.subjectId} already has an approval in progress`);
  const [created] = await tx
    .insert(workflowInstances)
    .values({
      id: newId(),
      tenantId,
      orgUnitId: await unitOfUser(tx, tenantId, input.applicantId),
      createdAt: now,
      createdBy: ctx.actor.userId,
      updatedAt: now,
      updatedBy: ctx.actor.userId,
      definitionId: def.id,
      definitionVersionId: version.id,
      key: def.key,
      definitionVersionNo: version.versionNo,
      subjectType: input.subjectType,
      subjectId: input.subjectId,
      applicantUserId: input.applicantId,
      title,
      summary: input.summary?.trim() || null,
      form,
      status: 'running',
    })
    .returning()
    // The pre-check above answers the usual case; the unique index catches two starts racing past it.
    .catch((e: unknown) => {
      throw isUniqueViolation(e) ? conflict() : e;
    });
  const instance = created!;
  await addAction(tx, ctx, instance, { action: 'started', data: { key: def.key, versionNo: version.versionNo } });
  await recordInstance(tx, ctx, 'started', null, instance);
  return enterNode(tx, ctx, instance, version.graph, version.graph.start);
}

/**
 * Walks from `nodeId`: condition nodes pick a branch, CC nodes copy and go on, an approval node creates
 * its tasks and stops; running off the end approves the instance. Publishing rejected cycles; the step
 * bound only guards against a corrupted graph.
 */
export async function enterNode(tx: Tx, ctx: Ctx, instance: InstanceRow, graph: FlowGraph, nodeId: string | undefined): Promise<InstanceRow> {
  let id = nodeId;
  for (let steps = 0; steps <= MAX_NODES; steps++) {
    if (id === undefined) return finishInstance(tx, ctx, instance, 'approved');
    const node = findNode(graph, id);
    if (!node) throw new Error(`workflow: node ${id} missing from ${instance.key} v${instance.definitionVersionNo}`);
    if (node.type === 'condition') {
      const branch = pickBranch(node, instance.form);
      await addAction(tx, ctx, instance, { action: 'branch', nodeId: node.id, nodeName: node.name, data: { branch: branch.index, branchName: node.branches[branch.index]?.name ?? null, next: branch.next ?? null } });
      id = branch.next;
      continue;
    }
    if (node.type === 'cc') {
      const recipients = node.recipients ? await resolveRule(tx, instance.tenantId, node.recipients, { applicantUserId: instance.applicantUserId }) : [];
      for (const userId of recipients) {
        await tx.insert(workflowTasks).values({
          id: newId(),
          tenantId: instance.tenantId,
          instanceId: instance.id,
          nodeId: node.id,
          nodeName: node.name,
          round: instance.round,
          slot: 0,
          kind: 'cc',
          assigneeUserId: userId,
          status: 'notified',
          createdAt: ctx.now(),
        });
      }
      await addAction(tx, ctx, instance, { action: 'cc', nodeId: node.id, nodeName: node.name, data: { userIds: recipients } });
      await recordInstance(tx, ctx, 'cc', null, instance, { nodeId: node.id, userIds: recipients });
      await notifyFlow(tx, ctx, instance, recipients, 'workflow.cc', workflowTexts.cc(instance.title, node.name));
      id = node.next;
      continue;
    }
    return activateApproval(tx, ctx, instance, node);
  }
  throw new Error(`workflow: ${instance.key} v${instance.definitionVersionNo} does not end (cycle)`);
}

/** An approval node: one task per approver (routed to a delegate while they are away), timers armed. */
async function activateApproval(tx: Tx, ctx: Ctx, before: InstanceRow, node: ApprovalNode): Promise<InstanceRow> {
  const approvers = node.approvers ? await resolveRule(tx, before.tenantId, node.approvers, { applicantUserId: before.applicantUserId }) : [];
  if (approvers.length === 0) {
    throw new AppError('workflow_no_approver', `node "${node.id}" (${node.name}): the approver rule names nobody in this company`, { extra: { nodeId: node.id, nodeName: node.name } });
  }
  const instance = await saveInstance(tx, ctx, before, { status: 'running', currentNodeId: node.id, round: before.round + 1, trail: [...before.trail, node.id] });
  await addAction(tx, ctx, instance, { action: 'node_entered', nodeId: node.id, nodeName: node.name, data: { mode: node.mode, approvers } });
  for (const [slot, userId] of approvers.entries()) {
    await createTask(tx, ctx, instance, node, { userId, slot });
  }
  return instance;
}

/** Creates one approval task (delegation applied), arms its timeout unless told not to, notifies. */
export async function createTask(
  tx: Tx,
  ctx: Ctx,
  instance: InstanceRow,
  node: ApprovalNode,
  opts: {
    userId: string;
    slot: number;
    escalatedFrom?: TaskRow;
    armTimeout?: boolean;
    /** A hand-over keeps the original due time (a transfer must not buy a fresh deadline) and says who handed it. */
    keepDueAt?: Date | null;
    notice?: Record<Locale, string>;
  },
): Promise<TaskRow> {
  const now = ctx.now();
  const away = await delegateOf(tx, instance.tenantId, opts.userId, now);
  // A delegate who is the applicant would approve their own request: the task stays with the approver.
  const delegate = away === instance.applicantUserId ? null : away;
  const armTimeout = (opts.armTimeout ?? true) && node.timeout !== undefined;
  const dueAt = opts.keepDueAt !== undefined ? opts.keepDueAt : armTimeout && node.timeout ? new Date(now.getTime() + node.timeout.minutes * 60_000) : null;
  const [task] = await tx
    .insert(workflowTasks)
    .values({
      id: newId(),
      tenantId: instance.tenantId,
      instanceId: instance.id,
      nodeId: node.id,
      nodeName: node.name,
      round: instance.round,
      slot: opts.slot,
      kind: 'approval',
      assigneeUserId: delegate ?? opts.userId,
      onBehalfOfUserId: delegate ? opts.userId : null,
      escalatedFromTaskId: opts.escalatedFrom?.id ?? null,
      status: 'pending',
      dueAt,
      createdAt: now,
    })
    .returning();
  const t = task!;
  if (dueAt) {
    await scheduleJob(tx, { kind: TIMEOUT_JOB_KIND, runAt: dueAt, tenantId: instance.tenantId, payload: { taskId: t.id, tenantId: instance.tenantId }, dedupeKey: timeoutKey(t.id) });
  }
  if (delegate) await addAction(tx, ctx, instance, { action: 'delegated', task: t, data: { from: opts.userId, to: delegate } });
  await recordTask(tx, ctx, 'created', instance, null, t, { escalatedFromTaskId: t.escalatedFromTaskId });
  const principal = delegate ? ((await userNames(tx, instance.tenantId, [opts.userId])).get(opts.userId) ?? '') : '';
  const text = opts.notice
    ? opts.notice
    : opts.escalatedFrom
    ? workflowTexts.taskEscalated(instance.title, node.name)
    : delegate
      ? workflowTexts.taskDelegated(instance.title, node.name, principal)
      : workflowTexts.taskAssigned(instance.title, node.name);
  await notifyFlow(tx, ctx, instance, [t.assigneeUserId], 'workflow.task_assigned', text, { taskId: t.id });
  return t;
}

export type FinalOutcome = 'approved' | 'rejected' | 'withdrawn';

/**
 * Ends the instance: open tasks are cancelled with their timers, the outcome is recorded and announced,
 * and the subject's handler applies it in this same transaction.
 */
export async function finishInstance(tx: Tx, ctx: Ctx, before: InstanceRow, outcome: FinalOutcome, comment: string | null = null): Promise<InstanceRow> {
  await closePendingTasks(tx, ctx, before, 'cancelled');
  const after = await saveInstance(tx, ctx, before, { status: outcome, currentNodeId: null, finishedAt: ctx.now() });
  await addAction(tx, ctx, after, { action: 'finished', comment, data: { outcome } });
  await recordInstance(tx, ctx, outcome, before, after);
  const handlers = flowSubject(after.subjectType);
  if (outcome === 'approved') await handlers.onApproved(tx, ctx, after);
  else if (outcome === 'rejected') await handlers.onRejected(tx, ctx, after);
  else if (handlers.onWithdrawn) await handlers.onWithdrawn(tx, ctx, after);
  if (outcome !== 'withdrawn') {
    const text = outcome === 'approved' ? workflowTexts.approved(after.title) : workflowTexts.rejected(after.title);
    await notifyFlow(tx, ctx, after, [after.applicantUserId], `workflow.instance_${outcome}`, text);
  }
  return after;
}

/**
 * After an approval: 或签 (any) — the node is done, the other approvers' tasks are cancelled; 会签 (all)
 * — the node is done when every slot has an approval (an escalated slot by any of its targets).
 */
export async function afterApproval(tx: Tx, ctx: Ctx, instance: InstanceRow, graph: FlowGraph, node: ApprovalNode, task: TaskRow): Promise<InstanceRow> {
  if (node.mode === 'any') {
    await closePendingTasks(tx, ctx, instance, 'cancelled', { round: task.round });
    return enterNode(tx, ctx, instance, graph, node.next);
  }
  await closePendingTasks(tx, ctx, instance, 'cancelled', { round: task.round, slot: task.slot });
  const roundTasks = await tx
    .select({ slot: workflowTasks.slot, status: workflowTasks.status })
    .from(workflowTasks)
    .where(and(eq(workflowTasks.instanceId, instance.id), eq(workflowTasks.round, task.round), eq(workflowTasks.kind, 'approval')));
  const slots = new Set(roundTasks.map((t) => t.slot));
  const approved = new Set(roundTasks.filter((t) => t.status === 'approved').map((t) => t.slot));
  if ([...slots].every((s) => approved.has(s))) return enterNode(tx, ctx, instance, graph, node.next);
  return instance;
}

/** The newest flow instance of a subject (modules show its status beside their record). */
export async function latestFlowFor(tx: Tx, tenantId: string, subjectType: string, subjectId: string): Promise<FlowInstance | null> {
  const [row] = await tx
    .select()
    .from(workflowInstances)
    .where(and(eq(workflowInstances.tenantId, tenantId), eq(workflowInstances.subjectType, subjectType), eq(workflowInstances.subjectId, subjectId)))
    .orderBy(desc(workflowInstances.id))
    .limit(1);
  return row ?? null;
}
