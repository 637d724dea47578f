import { Type, type FastifyPluginAsyncTypebox, type Static, type TSchema } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { ctxOf } from '../http/app.ts';
import { IdParams, Page, PageQuery, Problem, ProblemResponses, Uuid, VersionField } from '../http/schemas.ts';
import { expectedVersion } from '../http/version.ts';
import { approveTask, rejectTask, resubmitInstance, sendBackTask, withdrawInstance } from './decide.ts';
import { FlowGraphInput } from './definitionSchema.ts';
import {
  archiveDefinition,
  createDefinition,
  getDefinition,
  getDefinitionVersion,
  listDefinitions,
  listDefinitionVersions,
  publishDefinition,
  updateDefinition,
  validateDefinition,
  type DefinitionRow,
  type DefinitionVersionRow,
} from './definitions.ts';
import { clearDelegation, getMyDelegation, setDelegation, type DelegationRow } from './delegation.ts';
import { commentOnInstance, transferTask } from './handover.ts';
import './permissions.ts';
import { getInstanceDetail, listInstances, listMyTasks } from './queries.ts';
import { instanceStatuses, taskStatuses } from './schema.ts';
import type { InstanceRow } from './store.ts';
// Registers the timeout job handler with the job runner.
import './timeouts.ts';

/**
 * The approval-flow engine over HTTP, under /api/v1/workflow (docs/workflow.md). Modules start flows with
 * `startFlow` in their own transaction; these routes are for designers, approvers and applicants.
 */

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const Time = Type.String({ format: 'date-time' });
const NullableString = Nullable(Type.String());
const NullableTime = Nullable(Time);
const Comment = Type.String({ maxLength: 2000 });
const Responses = { ...ProblemResponses, 428: Problem };

// ---------------------------------------------------------------------------------------------------------
// Definitions
// ---------------------------------------------------------------------------------------------------------

const FieldErrorT = Type.Object({ field: Type.String(), rule: Type.String(), message: Type.String() });
const WarningT = Type.Object({ nodeId: Type.String(), field: Type.String(), message: Type.String() });

export const FlowDefinition = Type.Object({
  id: Type.String(),
  key: Type.String(),
  name: Type.String(),
  description: NullableString,
  draft: Type.Unknown({ description: 'the editable graph (docs/workflow.md)' }),
  publishedVersion: Nullable(Type.Integer()),
  archivedAt: NullableTime,
  updatedAt: Time,
  version: Type.Integer(),
});
export type FlowDefinition = Static<typeof FlowDefinition>;

export const FlowDefinitionVersion = Type.Object({
  id: Type.String(),
  definitionId: Type.String(),
  key: Type.String(),
  versionNo: Type.Integer(),
  name: Type.String(),
  graph: Type.Unknown(),
  warnings: Type.Array(WarningT),
  publishedAt: Time,
  publishedBy: NullableString,
});
export type FlowDefinitionVersion = Static<typeof FlowDefinitionVersion>;

const definitionDto = (d: DefinitionRow): FlowDefinition => ({
  id: d.id,
  key: d.key,
  name: d.name,
  description: d.description,
  draft: d.draft,
  publishedVersion: d.publishedVersion,
  archivedAt: d.archivedAt?.toISOString() ?? null,
  updatedAt: d.updatedAt.toISOString(),
  version: d.version,
});
const versionDto = (v: DefinitionVersionRow): FlowDefinitionVersion => ({
  id: v.id,
  definitionId: v.definitionId,
  key: v.key,
  versionNo: v.versionNo,
  name: v.name,
  graph: v.graph,
  warnings: v.warnings,
  publishedAt: v.publishedAt.toISOString(),
  publishedBy: v.publishedBy,
});

export const CreateDefinitionBody = Type.Object(
  {
    key: Type.String({ minLength: 1, maxLength: 100, pattern: '^[a-z][a-z0-9_]*(\\.[a-z0-9_]+)*$', description: 'e.g. permit.hot_work' }),
    name: Type.String({ minLength: 1, maxLength: 100 }),
    description: Type.Optional(Nullable(Type.String({ maxLength: 1000 }))),
    graph: FlowGraphInput,
  },
  { additionalProperties: false },
);
export type CreateDefinitionBody = Static<typeof CreateDefinitionBody>;

export const UpdateDefinitionBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    description: Type.Optional(Nullable(Type.String({ maxLength: 1000 }))),
    graph: Type.Optional(FlowGraphInput),
    ...VersionField,
  },
  { additionalProperties: false },
);
export type UpdateDefinitionBody = Static<typeof UpdateDefinitionBody>;

export const VersionBody = Type.Object({ ...VersionField }, { additionalProperties: false });
export type VersionBody = Static<typeof VersionBody>;

export const ValidationReportT = Type.Object({ valid: Type.Boolean(), errors: Type.Array(FieldErrorT), warnings: Type.Array(WarningT) });
export const PublishResultT = Type.Object({ definition: FlowDefinition, version: FlowDefinitionVersion });

const VersionParams = Type.Object({ id: Uuid, versionNo: Type.Integer({ minimum: 1, maximum: 1_000_000 }) }, { additionalProperties: false });

// ---------------------------------------------------------------------------------------------------------
// Instances and tasks
// ---------------------------------------------------------------------------------------------------------

const InstanceStatusT = Type.Enum([...instanceStatuses]);
const TaskStatusT = Type.Enum([...taskStatuses]);
const KindT = Type.Union([Type.Literal('approval'), Type.Literal('cc')]);

export const FlowInstanceSummary = Type.Object({
  id: Type.String(),
  key: Type.String(),
  definitionVersionNo: Type.Integer(),
  subjectType: Type.String(),
  subjectId: Type.String(),
  title: Type.String(),
  status: InstanceStatusT,
  currentNodeId: NullableString,
  currentNodeName: NullableString,
  applicantUserId: Type.String(),
  applicantName: NullableString,
  createdAt: Time,
  finishedAt: NullableTime,
  version: Type.Integer(),
});

const TaskT = Type.Object({
  id: Type.String(),
  nodeId: Type.String(),
  nodeName: Type.String(),
  round: Type.Integer(),
  slot: Type.Integer(),
  kind: KindT,
  status: TaskStatusT,
  assigneeUserId: Type.String(),
  assigneeName: NullableString,
  onBehalfOfUserId: NullableString,
  onBehalfOfName: NullableString,
  escalatedFromTaskId: NullableString,
  dueAt: NullableTime,
  decidedAt: NullableTime,
  decidedByUserId: NullableString,
  decidedByName: NullableString,
  comment: NullableString,
  signatureFileId: NullableString,
  signatureSha256: NullableString,
  createdAt: Time,
  version: Type.Integer(),
});

const HistoryT = Type.Object({
  id: Type.String(),
  at: Time,
  action: Type.String(),
  nodeId: NullableString,
  nodeName: NullableString,
  taskId: NullableString,
  actorUserId: NullableString,
  actorName: NullableString,
  onBehalfOfUserId: NullableString,
  onBehalfOfName: NullableString,
  comment: NullableString,
  signatureFileId: NullableString,
  signatureSha256: NullableString,
  data: Type.Record(Type.String(), Type.Unknown()),
});

export const FlowInstanceDetail = Type.Object({
  id: Type.String(),
  key: Type.String(),
  definitionName: Type.String(),
  definitionVersionNo: Type.Integer(),
  subjectType: Type.String(),
  subjectId: Type.String(),
  title: Type.String(),
  summary: NullableString,
  form: Type.Record(Type.String(), Type.Unknown()),
  status: InstanceStatusT,
  currentNodeId: NullableString,
  currentNodeName: NullableString,
  applicantUserId: Type.String(),
  applicantName: NullableString,
  createdAt: Time,
  finishedAt: NullableTime,
  version: Type.Integer(),
  nodes: Type.Array(Type.Object({ id: Type.String(), type: Type.String(), name: Type.String() })),
  tasks: Type.Array(TaskT),
  history: Type.Array(HistoryT),
});
export type FlowInstanceDetail = Static<typeof FlowInstanceDetail>;

export const MyTask = Type.Object({
  taskId: Type.String(),
  instanceId: Type.String(),
  key: Type.String(),
  subjectType: Type.String(),
  subjectId: Type.String(),
  title: Type.String(),
  summary: NullableString,
  applicantUserId: Type.String(),
  applicantName: NullableString,
  instanceStatus: InstanceStatusT,
  nodeId: Type.String(),
  nodeName: Type.String(),
  kind: KindT,
  status: TaskStatusT,
  onBehalfOfUserId: NullableString,
  onBehalfOfName: NullableString,
  createdAt: Time,
  dueAt: NullableTime,
  decidedAt: NullableTime,
  comment: NullableString,
});
export type MyTask = Static<typeof MyTask>;

export const TasksQuery = Type.Object(
  { status: Type.Optional(Type.Union([Type.Literal('pending'), Type.Literal('done'), Type.Literal('cc')], { default: 'pending' })), ...PageQuery },
  { additionalProperties: false },
);
export type TasksQuery = Static<typeof TasksQuery>;

export const InstancesQuery = Type.Object(
  {
    status: Type.Optional(InstanceStatusT),
    subjectType: Type.Optional(Type.String({ maxLength: 40 })),
    subjectId: Type.Optional(Type.String({ maxLength: 100 })),
    mine: Type.Optional(Type.Boolean({ description: 'true: only the ones I applied for' })),
    ...PageQuery,
  },
  { additionalProperties: false },
);
export type InstancesQuery = Static<typeof InstancesQuery>;

export const DecisionBody = Type.Object(
  { comment: Type.Optional(Nullable(Comment)), signatureFileId: Type.Optional(Nullable(Uuid)), ...VersionField },
  { additionalProperties: false, description: 'signatureFileId: an image uploaded with POST /api/v1/files' },
);
export type DecisionBody = Static<typeof DecisionBody>;

export const SendBackBody = Type.Object(
  { to: Type.String({ minLength: 1, maxLength: 64, description: '"applicant" or the id of an approval node this request passed' }), comment: Type.String({ minLength: 1, maxLength: 2000 }), ...VersionField },
  { additionalProperties: false },
);
export type SendBackBody = Static<typeof SendBackBody>;

export const WithdrawBody = Type.Object({ comment: Type.Optional(Nullable(Comment)), ...VersionField }, { additionalProperties: false });
export type WithdrawBody = Static<typeof WithdrawBody>;

export const ResubmitBody = Type.Object(
  { form: Type.Optional(Type.Record(Type.String({ maxLength: 100 }), Type.Unknown(), { maxProperties: 200 })), comment: Type.Optional(Nullable(Comment)), ...VersionField },
  { additionalProperties: false },
);
export type ResubmitBody = Static<typeof ResubmitBody>;

export const TransferBody = Type.Object(
  { toUserId: Uuid, comment: Type.Optional(Nullable(Comment)), ...VersionField },
  { additionalProperties: false, description: 'hand this pending task to a colleague (转交)' },
);
export type TransferBody = Static<typeof TransferBody>;

export const CommentBody = Type.Object({ comment: Type.String({ minLength: 1, maxLength: 2000 }) }, { additionalProperties: false });
export type CommentBody = Static<typeof CommentBody>;

const TransferResult = Type.Object({ id: Type.String(), status: InstanceStatusT, currentNodeId: NullableString, version: Type.Integer(), taskId: Type.String(), assigneeUserId: Type.String() });

const InstanceState = Type.Object({ id: Type.String(), status: InstanceStatusT, currentNodeId: NullableString, version: Type.Integer() });
const stateOf = (i: InstanceRow) => ({ id: i.id, status: i.status, currentNodeId: i.currentNodeId, version: i.version });

// ---------------------------------------------------------------------------------------------------------
// Delegation
// ---------------------------------------------------------------------------------------------------------

export const Delegation = Type.Object({
  id: Type.String(),
  userId: Type.String(),
  delegateUserId: Type.String(),
  startsAt: Time,
  endsAt: Time,
  reason: NullableString,
  clearedAt: NullableTime,
  version: Type.Integer(),
});
export type Delegation = Static<typeof Delegation>;
const delegationDto = (d: DelegationRow): Delegation => ({
  id: d.id,
  userId: d.userId,
  delegateUserId: d.delegateUserId,
  startsAt: d.startsAt.toISOString(),
  endsAt: d.endsAt.toISOString(),
  reason: d.reason,
  clearedAt: d.clearedAt?.toISOString() ?? null,
  version: d.version,
});

export const SetDelegationBody = Type.Object(
  { delegateUserId: Uuid, startsAt: Time, endsAt: Time, reason: Type.Optional(Nullable(Type.String({ maxLength: 500 }))), ...VersionField },
  { additionalProperties: false },
);
export type SetDelegationBody = Static<typeof SetDelegationBody>;

/** A version the client may send (If-Match or body) but need not: tasks and first delegations. */
function optionalVersion(request: FastifyRequest, bodyVersion: number | undefined): number | undefined {
  const header = request.headers['if-match'];
  return typeof header === 'string' && header.length > 0 ? expectedVersion(request, bodyVersion) : bodyVersion;
}

export const workflowRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ['workflow'];

  // --- definitions -------------------------------------------------------------------------------
  app.get(
    '/api/v1/workflow/definitions',
    { config: { permission: 'workflow:read' }, schema: { tags, response: { 200: Type.Object({ items: Type.Array(FlowDefinition) }), ...Responses } } },
    async (request) => ({ items: (await listDefinitions(ctxOf(app, request))).map(definitionDto) }),
  );

  app.post(
    '/api/v1/workflow/definitions',
    { config: { permission: 'workflow:design' }, schema: { tags, body: CreateDefinitionBody, response: { 201: FlowDefinition, ...Responses } } },
    async (request, reply) => {
      const row = await createDefinition(ctxOf(app, request), request.body);
      return reply.status(201).send(definitionDto(row));
    },
  );

  app.get(
    '/api/v1/workflow/definitions/:id',
    { config: { permission: 'workflow:read' }, schema: { tags, params: IdParams, response: { 200: FlowDefinition, ...Responses } } },
    async (request) => definitionDto(await getDefinition(ctxOf(app, request), request.params.id)),
  );

  app.put(
    '/api/v1/workflow/definitions/:id',
    { config: { permission: 'workflow:design' }, schema: { tags, params: IdParams, body: UpdateDefinitionBody, response: { 200: FlowDefinition, ...Responses } } },
    async (request) => {
      const { version, ...input } = request.body;
      return definitionDto(await updateDefinition(ctxOf(app, request), request.params.id, input, expectedVersion(request, version)));
    },
  );

  app.post(
    '/api/v1/workflow/definitions/:id/validate',
    { config: { permission: 'workflow:design' }, schema: { tags, params: IdParams, response: { 200: ValidationReportT, ...Responses } } },
    async (request) => validateDefinition(ctxOf(app, request), request.params.id),
  );

  app.post(
    '/api/v1/workflow/definitions/:id/publish',
    { config: { permission: 'workflow:design' }, schema: { tags, params: IdParams, body: VersionBody, response: { 200: PublishResultT, ...Responses } } },
    async (request) => {
      const r = await publishDefinition(ctxOf(app, request), request.params.id, expectedVersion(request, request.body.version));
      return { definition: definitionDto(r.definition), version: versionDto(r.version) };
    },
  );

  app.post(
    '/api/v1/workflow/definitions/:id/archive',
    { config: { permission: 'workflow:design' }, schema: { tags, params: IdParams, body: VersionBody, response: { 200: FlowDefinition, ...Responses } } },
    async (request) => definitionDto(await archiveDefinition(ctxOf(app, request), request.params.id, expectedVersion(request, request.body.version))),
  );

  app.get(
    '/api/v1/workflow/definitions/:id/versions',
    { config: { permission: 'workflow:read' }, schema: { tags, params: IdParams, response: { 200: Type.Object({ items: Type.Array(FlowDefinitionVersion) }), ...Responses } } },
    async (request) => ({ items: (await listDefinitionVersions(ctxOf(app, request), request.params.id)).map(versionDto) }),
  );

  app.get(
    '/api/v1/workflow/definitions/:id/versions/:versionNo',
    { config: { permission: 'workflow:read' }, schema: { tags, params: VersionParams, response: { 200: FlowDefinitionVersion, ...Responses } } },
    async (request) => versionDto(await getDefinitionVersion(ctxOf(app, request), request.params.id, request.params.versionNo)),
  );

  // --- instances ---------------------------------------------------------------------------------
  app.get(
    '/api/v1/workflow/instances',
    { config: { permission: 'workflow:read' }, schema: { tags, querystring: InstancesQuery, response: { 200: Page(FlowInstanceSummary), ...Responses } } },
    async (request) => {
      const q = request.query;
      return listInstances(ctxOf(app, request), { status: q.status, subjectType: q.subjectType, subjectId: q.subjectId, mine: q.mine, limit: q.limit ?? 50, cursor: q.cursor });
    },
  );

  // The applicant and the people with a task on it see an instance whatever their role (checked inside).
  app.get(
    '/api/v1/workflow/instances/:id',
    { config: { authenticated: true }, schema: { tags, params: IdParams, response: { 200: FlowInstanceDetail, ...Responses } } },
    async (request) => getInstanceDetail(ctxOf(app, request), request.params.id),
  );

  app.post(
    '/api/v1/workflow/instances/:id/withdraw',
    { config: { authenticated: true }, schema: { tags, params: IdParams, body: WithdrawBody, response: { 200: InstanceState, ...Responses } } },
    async (request) => stateOf(await withdrawInstance(ctxOf(app, request), request.params.id, { comment: request.body.comment, version: expectedVersion(request, request.body.version) })),
  );

  app.post(
    '/api/v1/workflow/instances/:id/resubmit',
    { config: { authenticated: true }, schema: { tags, params: IdParams, body: ResubmitBody, response: { 200: InstanceState, ...Responses } } },
    async (request) =>
      stateOf(await resubmitInstance(ctxOf(app, request), request.params.id, { form: request.body.form, comment: request.body.comment, version: expectedVersion(request, request.body.version) })),
  );

  // --- tasks: the to-do list and decisions (being the assignee is the permission) ----------------
  app.get(
    '/api/v1/workflow/tasks',
    { config: { authenticated: true }, schema: { tags, querystring: TasksQuery, response: { 200: Page(MyTask), ...Responses } } },
    async (request) => {
      const q = request.query;
      return listMyTasks(ctxOf(app, request), { status: q.status ?? 'pending', limit: q.limit ?? 50, cursor: q.cursor });
    },
  );

  app.post(
    '/api/v1/workflow/tasks/:id/approve',
    { config: { authenticated: true }, schema: { tags, params: IdParams, body: DecisionBody, response: { 200: InstanceState, ...Responses } } },
    async (request) => stateOf(await approveTask(ctxOf(app, request), request.params.id, { ...request.body, version: optionalVersion(request, request.body.version) })),
  );

  app.post(
    '/api/v1/workflow/tasks/:id/reject',
    { config: { authenticated: true }, schema: { tags, params: IdParams, body: DecisionBody, response: { 200: InstanceState, ...Responses } } },
    async (request) => stateOf(await rejectTask(ctxOf(app, request), request.params.id, { ...request.body, version: optionalVersion(request, request.body.version) })),
  );

  app.post(
    '/api/v1/workflow/tasks/:id/send-back',
    { config: { authenticated: true }, schema: { tags, params: IdParams, body: SendBackBody, response: { 200: InstanceState, ...Responses } } },
    async (request) => stateOf(await sendBackTask(ctxOf(app, request), request.params.id, { ...request.body, version: optionalVersion(request, request.body.version) })),
  );

  app.post(
    '/api/v1/workflow/tasks/:id/transfer',
    { config: { authenticated: true }, schema: { tags, params: IdParams, body: TransferBody, response: { 200: TransferResult, ...Responses } } },
    async (request) => {
      const r = await transferTask(ctxOf(app, request), request.params.id, { ...request.body, version: optionalVersion(request, request.body.version) });
      return { ...stateOf(r.instance), taskId: r.task.id, assigneeUserId: r.task.assigneeUserId };
    },
  );

  app.post(
    '/api/v1/workflow/instances/:id/comments',
    { config: { authenticated: true }, schema: { tags, params: IdParams, body: CommentBody, response: { 201: InstanceState, ...Responses } } },
    async (request, reply) => reply.status(201).send(stateOf(await commentOnInstance(ctxOf(app, request), request.params.id, request.body))),
  );

  // --- delegation (my own) -----------------------------------------------------------------------
  app.get(
    '/api/v1/workflow/delegation',
    { config: { authenticated: true }, schema: { tags, response: { 200: Type.Object({ delegation: Nullable(Delegation) }), ...Responses } } },
    async (request) => {
      const d = await getMyDelegation(ctxOf(app, request));
      return { delegation: d ? delegationDto(d) : null };
    },
  );

  app.put(
    '/api/v1/workflow/delegation',
    { config: { authenticated: true }, schema: { tags, body: SetDelegationBody, response: { 200: Delegation, ...Responses } } },
    async (request) => {
      const b = request.body;
      const version = optionalVersion(request, b.version);
      return delegationDto(await setDelegation(ctxOf(app, request), { delegateUserId: b.delegateUserId, startsAt: new Date(b.startsAt), endsAt: new Date(b.endsAt), reason: b.reason, version }));
    },
  );

  app.delete(
    '/api/v1/workflow/delegation',
    { config: { authenticated: true }, schema: { tags, response: { 200: Delegation, ...Responses } } },
    async (request) => delegationDto(await clearDelegation(ctxOf(app, request), expectedVersion(request))),
  );
};
