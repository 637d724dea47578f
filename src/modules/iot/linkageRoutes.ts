import { Type, type FastifyPluginAsyncTypebox, type Static, type TSchema } from '@fastify/type-provider-typebox';
import { ctxOf } from '../../platform/http/app.ts';
import { IdParams, Problem, ProblemResponses, Uuid, VersionField } from '../../platform/http/schemas.ts';
import { expectedVersion } from '../../platform/http/version.ts';
import {
  archiveLinkageRule,
  createLinkageRule,
  getLinkageRule,
  getLinkageSettings,
  listAlarmLinkage,
  listLinkageRules,
  MAX_TIMEOUT_S,
  MIN_TIMEOUT_S,
  resendLinkage,
  updateLinkageRule,
  updateLinkageSettings,
  type LinkageRuleRow,
} from './linkage.ts';
// Registers the send and timeout job handlers and the SSE subscriber.
import './linkageJobs.ts';
import { alarmSeverities, linkageStates, linkageTriggers } from './schema.ts';

/**
 * Linkage routes (/api/v1/iot/linkage-*, issue 8): rules per area with version checks, the commands of an
 * alarm with their outcome, a manual re-send, and the tenant's default confirmation timeout.
 * Registered by iot/routes.ts.
 */

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const Enum = <T extends string>(values: readonly T[]) => Type.Unsafe<T>({ type: 'string', enum: [...values] });
const Time = Type.String({ format: 'date-time' });
const Code = Type.String({ minLength: 1, maxLength: 64, pattern: '^[\\w.:-]+$' });
const Command = Type.String({ minLength: 1, maxLength: 64, pattern: '^[a-z][a-z0-9_-]*(\\.[a-z0-9_-]+){0,4}$', description: 'e.g. ventilation.start, valve.close, horn.on' });
const Timeout = Type.Integer({ minimum: MIN_TIMEOUT_S, maximum: MAX_TIMEOUT_S });
const Responses = { ...ProblemResponses, 428: Problem };
const tags = ['iot'];

export const LinkageRuleT = Type.Object({
  id: Type.String(),
  name: Type.String(),
  orgUnitId: Nullable(Type.String()),
  pointType: Nullable(Type.String()),
  pointId: Nullable(Type.String()),
  minSeverity: Enum(alarmSeverities),
  onRaised: Type.Boolean(),
  onCleared: Type.Boolean(),
  deviceId: Type.String(),
  command: Type.String(),
  params: Type.Record(Type.String(), Type.Unknown()),
  timeoutS: Nullable(Type.Integer()),
  enabled: Type.Boolean(),
  archived: Type.Boolean(),
  archiveReason: Nullable(Type.String()),
  version: Type.Integer(),
});
export type LinkageRuleT = Static<typeof LinkageRuleT>;

export const LinkageExecutionT = Type.Object({
  id: Type.String(),
  alarmId: Type.String(),
  ruleId: Type.String(),
  ruleName: Nullable(Type.String()),
  trigger: Enum(linkageTriggers),
  deviceId: Type.String(),
  deviceCode: Nullable(Type.String()),
  commandId: Type.String(),
  command: Type.String(),
  topic: Type.String(),
  payload: Type.Record(Type.String(), Type.Unknown()),
  state: Enum(linkageStates),
  message: Nullable(Type.String()),
  timeoutS: Type.Integer(),
  retryOf: Nullable(Type.String()),
  createdAt: Time,
  sentAt: Nullable(Time),
  confirmedAt: Nullable(Time),
  finishedAt: Nullable(Time),
  version: Type.Integer(),
});
export type LinkageExecutionT = Static<typeof LinkageExecutionT>;

export const LinkageSettingsT = Type.Object({ defaultTimeoutS: Type.Integer(), version: Type.Integer() });
export type LinkageSettingsT = Static<typeof LinkageSettingsT>;

const ruleFields = {
  name: Type.String({ minLength: 1, maxLength: 200 }),
  orgUnitId: Uuid,
  pointType: Type.Optional(Nullable(Code)),
  pointId: Type.Optional(Nullable(Uuid)),
  minSeverity: Type.Optional(Enum(alarmSeverities)),
  onRaised: Type.Optional(Type.Boolean()),
  onCleared: Type.Optional(Type.Boolean()),
  deviceId: Uuid,
  command: Command,
  params: Type.Optional(Type.Record(Type.String({ maxLength: 64 }), Type.Unknown(), { maxProperties: 50 })),
  timeoutS: Type.Optional(Nullable(Timeout)),
  enabled: Type.Optional(Type.Boolean()),
};
export const LinkageRuleBody = Type.Object(ruleFields, { additionalProperties: false });
export type LinkageRuleBody = Static<typeof LinkageRuleBody>;
export const LinkageRulePatchBody = Type.Object({ ...Type.Partial(Type.Object(ruleFields)).properties, ...VersionField }, { additionalProperties: false });
const ArchiveBody = Type.Object({ reason: Type.Optional(Nullable(Type.String({ maxLength: 500 }))), ...VersionField }, { additionalProperties: false });
const VersionBody = Type.Object({ ...VersionField }, { additionalProperties: false });
const SettingsBody = Type.Object({ defaultTimeoutS: Timeout, ...VersionField }, { additionalProperties: false });

const ruleDto = (r: LinkageRuleRow): LinkageRuleT => ({
  id: r.id,
  name: r.name,
  orgUnitId: r.orgUnitId,
  pointType: r.pointType,
  pointId: r.pointId,
  minSeverity: r.minSeverity,
  onRaised: r.onRaised,
  onCleared: r.onCleared,
  deviceId: r.deviceId,
  command: r.command,
  params: r.params,
  timeoutS: r.timeoutS,
  enabled: r.enabled,
  archived: r.archivedAt !== null,
  archiveReason: r.archiveReason,
  version: r.version,
});

export const iotLinkageRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/api/v1/iot/linkage-rules',
    { config: { permission: 'iot:read' }, schema: { tags, description: 'Linkage rules of the areas in your data scope.', querystring: Type.Object({ includeArchived: Type.Optional(Type.Boolean()) }, { additionalProperties: false }), response: { 200: Type.Object({ items: Type.Array(LinkageRuleT) }), ...Responses } } },
    async (request) => ({ items: (await listLinkageRules(ctxOf(app, request), request.query)).map(ruleDto) }),
  );

  app.post(
    '/api/v1/iot/linkage-rules',
    { config: { permission: 'iot:configure' }, schema: { tags, description: 'When an alarm of a matching point in the area (or below it) is raised and/or clears, send `command` with `params` to `deviceId` and wait `timeoutS` (default: the tenant setting) for its confirmation.', body: LinkageRuleBody, response: { 201: LinkageRuleT, ...Responses } } },
    async (request, reply) => reply.status(201).send(ruleDto(await createLinkageRule(ctxOf(app, request), request.body))),
  );

  app.get('/api/v1/iot/linkage-rules/:id', { config: { permission: 'iot:read' }, schema: { tags, params: IdParams, response: { 200: LinkageRuleT, ...Responses } } }, async (request) => ruleDto(await getLinkageRule(ctxOf(app, request), request.params.id)));

  app.patch('/api/v1/iot/linkage-rules/:id', { config: { permission: 'iot:configure' }, schema: { tags, description: 'Change a rule; needs its version (If-Match or body).', params: IdParams, body: LinkageRulePatchBody, response: { 200: LinkageRuleT, ...Responses } } }, async (request) => {
    const { version, ...patch } = request.body;
    return ruleDto(await updateLinkageRule(ctxOf(app, request), request.params.id, patch, expectedVersion(request, version)));
  });

  app.post('/api/v1/iot/linkage-rules/:id/archive', { config: { permission: 'iot:configure' }, schema: { tags, description: 'Archive (never delete): past commands keep naming their rule.', params: IdParams, body: ArchiveBody, response: { 200: LinkageRuleT, ...Responses } } }, async (request) =>
    ruleDto(await archiveLinkageRule(ctxOf(app, request), request.params.id, { reason: request.body.reason ?? null }, expectedVersion(request, request.body.version))),
  );

  app.get('/api/v1/iot/alarms/:id/linkage', { config: { permission: 'iot:read' }, schema: { tags, description: 'Commands sent for this alarm and their outcome, newest first.', params: IdParams, response: { 200: Type.Object({ items: Type.Array(LinkageExecutionT) }), ...Responses } } }, async (request) => ({
    items: await listAlarmLinkage(ctxOf(app, request), request.params.id),
  }));

  app.post(
    '/api/v1/iot/linkage-executions/:id/resend',
    { config: { permission: 'iot:alarm' }, schema: { tags, description: 'Re-send a failed or timed-out command (a new command id; a late reply to the old one changes nothing).', params: IdParams, body: VersionBody, response: { 201: LinkageExecutionT, ...Responses } } },
    async (request, reply) => reply.status(201).send(await resendLinkage(ctxOf(app, request), request.params.id, request.body.version)),
  );

  app.get('/api/v1/iot/linkage-settings', { config: { permission: 'iot:read' }, schema: { tags, response: { 200: LinkageSettingsT, ...Responses } } }, async (request) => {
    const s = await getLinkageSettings(ctxOf(app, request));
    return { defaultTimeoutS: s.defaultTimeoutS, version: s.version };
  });

  app.put('/api/v1/iot/linkage-settings', { config: { permission: 'iot:configure' }, schema: { tags, description: 'The confirmation timeout of rules without their own.', body: SettingsBody, response: { 200: LinkageSettingsT, ...Responses } } }, async (request) => {
    const s = await updateLinkageSettings(ctxOf(app, request), { defaultTimeoutS: request.body.defaultTimeoutS }, expectedVersion(request, request.body.version));
    return { defaultTimeoutS: s.defaultTimeoutS, version: s.version };
  });
};
