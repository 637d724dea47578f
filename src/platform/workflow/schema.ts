import { sql } from 'drizzle-orm';
import { index, integer, jsonb, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { businessColumns, idColumn, timestamptz } from '../db/columns.ts';
import type { FlowGraph } from './definitionSchema.ts';

/**
 * Approval-flow engine tables. A definition (per tenant and key, e.g. `permit.hot_work`) holds an editable
 * draft; publishing copies the draft into an immutable version row, and an instance points at the version
 * it started on for its whole life.
 */

export const instanceStatuses = ['running', 'sent_back', 'approved', 'rejected', 'withdrawn'] as const;
export type InstanceStatus = (typeof instanceStatuses)[number];

export const taskStatuses = ['pending', 'approved', 'rejected', 'sent_back', 'cancelled', 'escalated', 'transferred', 'notified'] as const;
export type TaskStatus = (typeof taskStatuses)[number];

export const taskKinds = ['approval', 'cc'] as const;
export type TaskKind = (typeof taskKinds)[number];

export interface PublishWarning {
  nodeId: string;
  field: string;
  message: string;
}

export const workflowDefinitions = pgTable(
  'workflow_definitions',
  {
    id: idColumn(),
    ...businessColumns(),
    key: text('key').notNull(),
    name: text('name').notNull(),
    description: text('description'),
    /** The editable graph; only publishing makes it usable, as a new version. */
    draft: jsonb('draft').$type<FlowGraph>().notNull(),
    /** Number of the newest published version; null while never published. */
    publishedVersion: integer('published_version'),
    /** An archived definition starts no new instances; running ones go on. */
    archivedAt: timestamptz('archived_at'),
  },
  (t) => [uniqueIndex('workflow_definitions_tenant_key').on(t.tenantId, t.key)],
);

/** Immutable: written once at publish, never updated. */
export const workflowDefinitionVersions = pgTable(
  'workflow_definition_versions',
  {
    id: idColumn(),
    tenantId: uuid('tenant_id').notNull(),
    definitionId: uuid('definition_id').notNull(),
    key: text('key').notNull(),
    versionNo: integer('version_no').notNull(),
    name: text('name').notNull(),
    graph: jsonb('graph').$type<FlowGraph>().notNull(),
    /** Rules that resolved to nobody at publish time (allowed, but the designer was told). */
    warnings: jsonb('warnings').$type<PublishWarning[]>().notNull().default([]),
    publishedAt: timestamptz('published_at').notNull(),
    publishedBy: uuid('published_by'),
  },
  (t) => [uniqueIndex('workflow_definition_versions_no').on(t.definitionId, t.versionNo), index('workflow_definition_versions_key').on(t.tenantId, t.key, t.versionNo)],
);

/** One run of a flow for one subject (a permit, an extension request…). `org_unit_id` is the applicant's unit. */
export const workflowInstances = pgTable(
  'workflow_instances',
  {
    id: idColumn(),
    ...businessColumns(),
    definitionId: uuid('definition_id').notNull(),
    definitionVersionId: uuid('definition_version_id').notNull(),
    key: text('key').notNull(),
    definitionVersionNo: integer('definition_version_no').notNull(),
    subjectType: text('subject_type').notNull(),
    subjectId: text('subject_id').notNull(),
    applicantUserId: uuid('applicant_user_id').notNull(),
    title: text('title').notNull(),
    summary: text('summary'),
    form: jsonb('form').$type<Record<string, unknown>>().notNull().default({}),
    status: text('status').$type<InstanceStatus>().notNull(),
    /** The approval node waiting for decisions; null when finished or sent back to the applicant. */
    currentNodeId: text('current_node_id'),
    /** Approval nodes entered so far, in order: the places a task may be sent back to. */
    trail: jsonb('trail').$type<string[]>().notNull().default([]),
    /** Increments each time an approval node is entered, so tasks of an earlier pass never count again. */
    round: integer('round').notNull().default(0),
    finishedAt: timestamptz('finished_at'),
  },
  (t) => [
    index('workflow_instances_subject').on(t.tenantId, t.subjectType, t.subjectId),
    index('workflow_instances_applicant').on(t.tenantId, t.applicantUserId, t.status),
    // One open flow per subject, also when two requests start one at the same moment.
    uniqueIndex('workflow_instances_one_open').on(t.tenantId, t.subjectType, t.subjectId).where(sql`status IN ('running', 'sent_back')`),
  ],
);

/**
 * A decision asked of one person (kind approval) or a copy sent to one (kind cc). `slot` is the approver
 * position within the node: an escalated task hands its slot to the escalation targets, so countersign
 * (all) still needs exactly one approval per original approver.
 */
export const workflowTasks = pgTable(
  'workflow_tasks',
  {
    id: idColumn(),
    tenantId: uuid('tenant_id').notNull(),
    instanceId: uuid('instance_id').notNull(),
    nodeId: text('node_id').notNull(),
    nodeName: text('node_name').notNull(),
    round: integer('round').notNull(),
    slot: integer('slot').notNull(),
    kind: text('kind').$type<TaskKind>().notNull(),
    assigneeUserId: uuid('assignee_user_id').notNull(),
    /** Set when the task went to a delegate: the approver it was meant for. */
    onBehalfOfUserId: uuid('on_behalf_of_user_id'),
    escalatedFromTaskId: uuid('escalated_from_task_id'),
    status: text('status').$type<TaskStatus>().notNull(),
    dueAt: timestamptz('due_at'),
    /** Set by the timeout job when it acts: it acts once per task, also if the runner delivers it twice. */
    timeoutFiredAt: timestamptz('timeout_fired_at'),
    decidedAt: timestamptz('decided_at'),
    decidedByUserId: uuid('decided_by_user_id'),
    comment: text('comment'),
    signatureFileId: uuid('signature_file_id'),
    signatureSha256: text('signature_sha256'),
    createdAt: timestamptz('created_at').notNull(),
    version: integer('version').notNull().default(1),
  },
  (t) => [
    index('workflow_tasks_assignee').on(t.tenantId, t.assigneeUserId, t.status, t.createdAt),
    index('workflow_tasks_decider').on(t.tenantId, t.decidedByUserId, t.decidedAt).where(sql`decided_by_user_id IS NOT NULL`),
    index('workflow_tasks_instance').on(t.instanceId, t.round),
  ],
);

/** Append-only history of an instance: every action, who, when, on whose behalf, comment, signature. */
export const workflowActions = pgTable(
  'workflow_actions',
  {
    id: idColumn(),
    tenantId: uuid('tenant_id').notNull(),
    instanceId: uuid('instance_id').notNull(),
    taskId: uuid('task_id'),
    nodeId: text('node_id'),
    nodeName: text('node_name'),
    action: text('action').notNull(),
    actorUserId: uuid('actor_user_id'),
    actorName: text('actor_name'),
    onBehalfOfUserId: uuid('on_behalf_of_user_id'),
    comment: text('comment'),
    signatureFileId: uuid('signature_file_id'),
    signatureSha256: text('signature_sha256'),
    data: jsonb('data').$type<Record<string, unknown>>().notNull().default({}),
    at: timestamptz('at').notNull(),
  },
  (t) => [index('workflow_actions_instance').on(t.instanceId, t.at)],
);

/** 代理审批: while away, new tasks of `user_id` go to `delegate_user_id`. One row per user, cleared not deleted. */
export const workflowDelegations = pgTable(
  'workflow_delegations',
  {
    id: idColumn(),
    ...businessColumns(),
    userId: uuid('user_id').notNull(),
    delegateUserId: uuid('delegate_user_id').notNull(),
    startsAt: timestamptz('starts_at').notNull(),
    endsAt: timestamptz('ends_at').notNull(),
    reason: text('reason'),
    clearedAt: timestamptz('cleared_at'),
  },
  (t) => [uniqueIndex('workflow_delegations_user').on(t.tenantId, t.userId), index('workflow_delegations_delegate').on(t.tenantId, t.delegateUserId)],
);
