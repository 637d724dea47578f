import { Type, type FastifyPluginAsyncTypebox, type Static, type TSchema } from '@fastify/type-provider-typebox';
import { ctxOf, withUploads } from '../../platform/http/app.ts';
import { AppError, invalid } from '../../platform/http/errors.ts';
import { IdParams, Page, PageQuery, Problem, ProblemResponses, Uuid, VersionField } from '../../platform/http/schemas.ts';
import { expectedVersion } from '../../platform/http/version.ts';
import { openHazardFromAlarm } from './alarmHazard.ts';
import { acknowledgeAlarm, clearAlarm, commentAlarm, getAlarm, listAlarms, shelveAlarm, unshelveAlarm } from './alarms.ts';
import { iotMonitoringRoutes } from './healthRoutes.ts';
import { iotImportRoutes } from './importExportRoutes.ts';
import { iotLinkageRoutes } from './linkageRoutes.ts';
import { deviceByToken } from './ingest.ts';
import { submitHttpReadings } from './mqttIngest.ts';
// Registers the escalation, shelving-expiry, sweep and retention jobs with the job runner.
import './jobs.ts';
import { MAX_READINGS_PER_MESSAGE, parseReadingsBody, PayloadError } from './payload.ts';
import './permissions.ts';
import { querySeries } from './readings.ts';
import { archiveDevice, archivePoint, createDevice, createGateway, createPoint, issueDeviceToken, listDevices, listGateways, listPoints, listPointTypes, updateDevice, updatePoint } from './registry.ts';
import { createRule, listRules, updateRule, type RuleRow } from './rules.ts';
import { alarmSeverities, alarmStates, ruleKinds } from './schema.ts';

/**
 * IoT monitoring (/api/v1/iot, issue 8): the device registry, device tokens, the HTTP batch ingestion
 * endpoint for gateways that cannot speak MQTT, time series, alarm rules and the alarm console actions.
 * Importing this file registers the permissions and the job handlers; `src/server.ts` registers the plugin.
 */

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const Text = (max: number, min = 0) => Type.String({ minLength: min, maxLength: max });
const Time = Type.String({ format: 'date-time' });
const Enum = <T extends string>(values: readonly T[]) => Type.Unsafe<T>({ type: 'string', enum: [...values] });
const Code = Type.String({ minLength: 1, maxLength: 64, pattern: '^[\\w.:-]+$' });
const Responses = { ...ProblemResponses, 428: Problem };
const tags = ['iot'];

// ---- shapes ----

export const GatewayT = Type.Object({ id: Type.String(), code: Type.String(), name: Type.String(), location: Nullable(Type.String()), orgUnitId: Nullable(Type.String()), version: Type.Integer() });
export type GatewayT = Static<typeof GatewayT>;

export const DeviceT = Type.Object({
  id: Type.String(),
  code: Type.String(),
  name: Type.String(),
  model: Nullable(Type.String()),
  gatewayId: Nullable(Type.String()),
  orgUnitId: Nullable(Type.String()),
  status: Enum(['online', 'offline'] as const),
  lastSeenAt: Nullable(Time),
  hasToken: Type.Boolean(),
  tokenIssuedAt: Nullable(Time),
  offlineAfterS: Type.Integer(),
  archived: Type.Boolean(),
  version: Type.Integer(),
});
export type DeviceT = Static<typeof DeviceT>;

export const PointT = Type.Object({
  id: Type.String(),
  deviceId: Type.String(),
  deviceCode: Nullable(Type.String()),
  deviceStatus: Nullable(Enum(['online', 'offline'] as const)),
  key: Type.String(),
  code: Type.String(),
  name: Type.String(),
  type: Type.String(),
  unit: Type.String(),
  rangeMin: Nullable(Type.Number()),
  rangeMax: Nullable(Type.Number()),
  orgUnitId: Nullable(Type.String()),
  riskUnitIds: Type.Array(Type.String()),
  equipmentIds: Type.Array(Type.String()),
  lastValue: Nullable(Type.Number()),
  lastTs: Nullable(Time),
  alarmState: Enum(['normal', 'active_unack', 'active_ack', 'cleared_unack'] as const),
  alarmSeverity: Nullable(Type.String()),
  archived: Type.Boolean(),
  version: Type.Integer(),
});
export type PointT = Static<typeof PointT>;

export const PointTypeT = Type.Object({ code: Type.String(), nameZh: Type.String(), nameEn: Type.String(), defaultUnit: Type.String(), rawRetentionDays: Type.Integer(), rollupRetentionDays: Type.Integer() });

export const RuleT = Type.Object({
  id: Type.String(),
  pointId: Nullable(Type.String()),
  pointType: Nullable(Type.String()),
  name: Type.String(),
  kind: Enum(ruleKinds),
  limit: Nullable(Type.Number()),
  deadband: Type.Number(),
  onDelayS: Type.Integer(),
  consecutive: Type.Integer(),
  timeoutS: Nullable(Type.Integer()),
  severity: Enum(alarmSeverities),
  enabled: Type.Boolean(),
  version: Type.Integer(),
});
export type RuleT = Static<typeof RuleT>;

export const AlarmT = Type.Object({
  id: Type.String(),
  pointId: Type.String(),
  pointCode: Nullable(Type.String()),
  pointName: Nullable(Type.String()),
  unit: Nullable(Type.String()),
  ruleId: Type.String(),
  kind: Enum(ruleKinds),
  severity: Enum(alarmSeverities),
  state: Enum(alarmStates),
  limit: Nullable(Type.Number()),
  raisedAt: Time,
  raisedValue: Nullable(Type.Number()),
  lastValue: Nullable(Type.Number()),
  peakValue: Nullable(Type.Number()),
  lastAt: Time,
  updateCount: Type.Integer(),
  ackAt: Nullable(Time),
  ackBy: Nullable(Type.String()),
  ackNote: Nullable(Type.String()),
  clearedAt: Nullable(Time),
  shelvedUntil: Nullable(Time),
  shelveReason: Nullable(Type.String()),
  escalationLevel: Type.Integer(),
  orgUnitId: Nullable(Type.String()),
  hazardId: Nullable(Type.String()),
  hazardNumber: Nullable(Type.String()),
  version: Type.Integer(),
});
export type AlarmT = Static<typeof AlarmT>;

const AlarmEventT = Type.Object({ id: Type.String(), kind: Type.String(), at: Time, byUserId: Nullable(Type.String()), value: Nullable(Type.Number()), note: Nullable(Type.String()) });
export const AlarmDetailT = Type.Object({ alarm: AlarmT, events: Type.Array(AlarmEventT) });
export type AlarmDetailT = Static<typeof AlarmDetailT>;

const SeriesT = Type.Object({
  pointId: Type.String(),
  grain: Enum(['raw', 'minute', 'hour'] as const),
  items: Type.Array(Type.Object({ ts: Time, value: Type.Number(), min: Type.Optional(Type.Number()), max: Type.Optional(Type.Number()), count: Type.Optional(Type.Integer()) })),
  truncated: Type.Boolean(),
});

// ---- bodies ----

const GatewayBody = Type.Object({ code: Code, name: Text(200, 1), location: Type.Optional(Nullable(Text(200))), orgUnitId: Uuid }, { additionalProperties: false });
const DeviceBody = Type.Object(
  { code: Code, name: Text(200, 1), model: Type.Optional(Nullable(Text(200))), gatewayId: Type.Optional(Nullable(Uuid)), orgUnitId: Uuid, offlineAfterS: Type.Optional(Type.Integer({ minimum: 10, maximum: 86_400 })) },
  { additionalProperties: false },
);
const DevicePatchBody = Type.Object(
  { name: Type.Optional(Text(200, 1)), model: Type.Optional(Nullable(Text(200))), gatewayId: Type.Optional(Nullable(Uuid)), orgUnitId: Type.Optional(Uuid), offlineAfterS: Type.Optional(Type.Integer({ minimum: 10, maximum: 86_400 })), ...VersionField },
  { additionalProperties: false },
);
const TokenBody = Type.Object({ reason: Type.Optional(Nullable(Text(500))) }, { additionalProperties: false });
const pointFields = {
  name: Text(200, 1),
  unit: Type.Optional(Text(20)),
  rangeMin: Type.Optional(Nullable(Type.Number())),
  rangeMax: Type.Optional(Nullable(Type.Number())),
  orgUnitId: Uuid,
  riskUnitIds: Type.Optional(Type.Array(Uuid, { maxItems: 50 })),
  equipmentIds: Type.Optional(Type.Array(Uuid, { maxItems: 50 })),
};
const PointBody = Type.Object({ ...pointFields, deviceId: Uuid, key: Code, code: Code, type: Code }, { additionalProperties: false });
const PointPatchBody = Type.Partial(Type.Object({ ...pointFields }, { additionalProperties: false }));
const PointPatchWithVersion = Type.Intersect([PointPatchBody, Type.Object({ ...VersionField })]);
const ruleFields = {
  name: Text(200, 1),
  limit: Type.Optional(Nullable(Type.Number())),
  deadband: Type.Optional(Type.Number({ minimum: 0 })),
  onDelayS: Type.Optional(Type.Integer({ minimum: 0, maximum: 86_400 })),
  consecutive: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
  timeoutS: Type.Optional(Nullable(Type.Integer({ minimum: 10, maximum: 7 * 86_400 }))),
  severity: Enum(alarmSeverities),
  enabled: Type.Optional(Type.Boolean()),
};
const RuleBody = Type.Object({ ...ruleFields, pointId: Type.Optional(Nullable(Uuid)), pointType: Type.Optional(Nullable(Code)), kind: Enum(ruleKinds) }, { additionalProperties: false });
const RulePatchBody = Type.Object({ ...Type.Partial(Type.Object(ruleFields)).properties, ...VersionField }, { additionalProperties: false });
const NoteBody = Type.Object({ note: Type.Optional(Nullable(Text(1000))), ...VersionField }, { additionalProperties: false });
const ClearBody = Type.Object({ note: Text(1000, 1), ...VersionField }, { additionalProperties: false });
const CommentBody = Type.Object({ text: Text(1000, 1) }, { additionalProperties: false });
const OpenHazardBody = Type.Object(
  {
    title: Type.Optional(Nullable(Text(200, 1))),
    description: Type.Optional(Nullable(Text(4000))),
    level: Type.Optional(Enum(['general', 'serious', 'major'] as const)),
    category: Type.Optional(Code),
    photoFileIds: Type.Optional(Type.Array(Uuid, { maxItems: 9, description: 'optional: the alarm is the evidence' })),
  },
  { additionalProperties: false },
);
const OpenedHazardT = Type.Object({
  alarm: AlarmT,
  hazard: Type.Object({ id: Type.String(), number: Type.String(), title: Type.String(), status: Type.String(), level: Type.String(), category: Type.String(), source: Nullable(Type.String()), orgUnitId: Nullable(Type.String()), origin: Type.String(), alarmId: Nullable(Type.String()) }),
});
const ShelveBody = Type.Object({ until: Time, reason: Text(500, 1), ...VersionField }, { additionalProperties: false });
const VersionBody = Type.Object({ ...VersionField }, { additionalProperties: false });

const ReadingT = Type.Object({ point: Code, value: Type.Number(), ts: Type.Optional(Type.Union([Time, Type.Integer()])) }, { additionalProperties: false });
export const ReadingsBody = Type.Object(
  {
    ts: Type.Optional(Type.Union([Time, Type.Integer()])),
    point: Type.Optional(Code),
    value: Type.Optional(Type.Number()),
    values: Type.Optional(Type.Record(Type.String({ maxLength: 64 }), Type.Number())),
    readings: Type.Optional(Type.Array(ReadingT, { maxItems: MAX_READINGS_PER_MESSAGE })),
  },
  { additionalProperties: false },
);
export type ReadingsBody = Static<typeof ReadingsBody>;

const AlarmListQuery = Type.Object({ state: Type.Optional(Enum([...alarmStates, 'open', 'all'] as const)), severity: Type.Optional(Enum(alarmSeverities)), pointId: Type.Optional(Uuid), ...PageQuery }, { additionalProperties: false });
const SeriesQuery = Type.Object({ from: Time, to: Type.Optional(Time), grain: Type.Optional(Enum(['raw', 'minute', 'hour'] as const)), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 5000 })) }, { additionalProperties: false });

const ruleDto = (r: RuleRow): RuleT => ({ id: r.id, pointId: r.pointId, pointType: r.pointType, name: r.name, kind: r.kind, limit: r.limit, deadband: r.deadband, onDelayS: r.onDelayS, consecutive: r.consecutive, timeoutS: r.timeoutS, severity: r.severity, enabled: r.enabled, version: r.version });

/** The device token from `Authorization: Bearer sld_…` or `X-Device-Token`. */
function deviceToken(headers: Record<string, string | string[] | undefined>): string | null {
  const auth = headers.authorization;
  if (typeof auth === 'string' && auth.startsWith('Bearer ')) return auth.slice(7).trim();
  const t = headers['x-device-token'];
  return typeof t === 'string' ? t.trim() : null;
}

export const iotRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const now = () => (app.deps.now ?? (() => new Date()))();
  // Trend, live map and alarm health; Excel in a child scope of its own so only it parses multipart.
  await app.register(iotMonitoringRoutes);
  await app.register(withUploads(iotImportRoutes));
  // Linkage rules, commands of an alarm, re-send (linkageRoutes.ts).
  await app.register(iotLinkageRoutes);

  // ---- ingestion (device token, no user session) ----
  app.post(
    '/api/v1/iot/readings',
    {
      // Its own per-IP bucket: a gateway behind the plant's NAT must not use up its users' general limit.
      config: { public: true, rateLimitPerMinute: 100_000 },
      // No token at all is a 401 before the body is even looked at (like every signed-in route).
      preValidation: async (request) => {
        if (!deviceToken(request.headers)) throw new AppError('unauthenticated', 'a valid device token is required');
      },
      schema: {
        tags,
        description: 'Readings of one device, authenticated by its token (Authorization: Bearer sld_…). Same JSON forms as MQTT (docs/iot.md). All or nothing: one bad reading refuses the whole batch. Idempotent per (point, ts).',
        body: ReadingsBody,
        response: { 200: Type.Object({ stored: Type.Integer(), duplicates: Type.Integer() }), ...Responses },
      },
    },
    async (request, reply) => {
      const token = deviceToken(request.headers);
      const device = token ? await app.deps.db.read((tx) => deviceByToken(tx, token)) : null;
      if (!device) throw new AppError('unauthenticated', 'a valid device token is required');
      const at = now();
      let readings;
      try {
        readings = parseReadingsBody(request.body, at);
      } catch (e) {
        if (e instanceof PayloadError) throw invalid(e.field, 'format', e.message);
        throw e;
      }
      // Through the same bounded queue as MQTT: answered after the commit, 503 + Retry-After when full.
      try {
        return await submitHttpReadings(app.deps.db, device.id, readings, at);
      } catch (e) {
        if (e instanceof AppError && e.code === 'ingest_busy') reply.header('retry-after', '1');
        throw e;
      }
    },
  );

  // ---- registry ----
  app.get('/api/v1/iot/point-types', { config: { permission: 'iot:read' }, schema: { tags, response: { 200: Type.Object({ items: Type.Array(PointTypeT) }), ...Responses } } }, async (request) => ({
    items: (await listPointTypes(ctxOf(app, request))).map((t) => ({ code: t.code, nameZh: t.nameZh, nameEn: t.nameEn, defaultUnit: t.defaultUnit, rawRetentionDays: t.rawRetentionDays, rollupRetentionDays: t.rollupRetentionDays })),
  }));

  app.get('/api/v1/iot/gateways', { config: { permission: 'iot:read' }, schema: { tags, response: { 200: Type.Object({ items: Type.Array(GatewayT) }), ...Responses } } }, async (request) => ({
    items: (await listGateways(ctxOf(app, request))).map((g) => ({ id: g.id, code: g.code, name: g.name, location: g.location, orgUnitId: g.orgUnitId, version: g.version })),
  }));

  app.post('/api/v1/iot/gateways', { config: { permission: 'iot:configure' }, schema: { tags, body: GatewayBody, response: { 201: GatewayT, ...Responses } } }, async (request, reply) => {
    const g = await createGateway(ctxOf(app, request), request.body);
    return reply.status(201).send({ id: g.id, code: g.code, name: g.name, location: g.location, orgUnitId: g.orgUnitId, version: g.version });
  });

  app.get('/api/v1/iot/devices', { config: { permission: 'iot:read' }, schema: { tags, response: { 200: Type.Object({ items: Type.Array(DeviceT) }), ...Responses } } }, async (request) => ({ items: await listDevices(ctxOf(app, request)) }));

  app.post('/api/v1/iot/devices', { config: { permission: 'iot:configure' }, schema: { tags, body: DeviceBody, response: { 201: DeviceT, ...Responses } } }, async (request, reply) => reply.status(201).send(await createDevice(ctxOf(app, request), request.body)));

  app.patch('/api/v1/iot/devices/:id', { config: { permission: 'iot:configure' }, schema: { tags, params: IdParams, body: DevicePatchBody, response: { 200: DeviceT, ...Responses } } }, async (request) => {
    const { version, ...patch } = request.body;
    return updateDevice(ctxOf(app, request), request.params.id, patch, expectedVersion(request, version));
  });

  app.post(
    '/api/v1/iot/devices/:id/token',
    { config: { permission: 'iot:configure' }, schema: { tags, description: 'Issue or rotate the device token; shown once. The previous token stops working at once.', params: IdParams, body: TokenBody, response: { 200: Type.Object({ device: DeviceT, token: Type.String() }), ...Responses } } },
    async (request, reply) => reply.header('cache-control', 'no-store').send(await issueDeviceToken(ctxOf(app, request), request.params.id, request.body.reason ?? null)),
  );

  app.post('/api/v1/iot/devices/:id/archive', { config: { permission: 'iot:configure' }, schema: { tags, params: IdParams, body: VersionBody, response: { 200: DeviceT, ...Responses } } }, async (request) =>
    archiveDevice(ctxOf(app, request), request.params.id, expectedVersion(request, request.body.version)),
  );

  app.get(
    '/api/v1/iot/points',
    { config: { permission: 'iot:read' }, schema: { tags, description: 'Points with live value and worst open alarm, in the caller’s data scope.', querystring: Type.Object({ deviceId: Type.Optional(Uuid), type: Type.Optional(Code) }, { additionalProperties: false }), response: { 200: Type.Object({ items: Type.Array(PointT) }), ...Responses } } },
    async (request) => ({ items: await listPoints(ctxOf(app, request), request.query) }),
  );

  app.post('/api/v1/iot/points', { config: { permission: 'iot:configure' }, schema: { tags, body: PointBody, response: { 201: PointT, ...Responses } } }, async (request, reply) => reply.status(201).send(await createPoint(ctxOf(app, request), request.body)));

  app.patch('/api/v1/iot/points/:id', { config: { permission: 'iot:configure' }, schema: { tags, params: IdParams, body: PointPatchWithVersion, response: { 200: PointT, ...Responses } } }, async (request) => {
    const { version, ...patch } = request.body;
    return updatePoint(ctxOf(app, request), request.params.id, patch, expectedVersion(request, version));
  });

  app.post('/api/v1/iot/points/:id/archive', { config: { permission: 'iot:configure' }, schema: { tags, description: 'Archive a point: its history stays, new readings for it are refused.', params: IdParams, body: VersionBody, response: { 200: PointT, ...Responses } } }, async (request) =>
    archivePoint(ctxOf(app, request), request.params.id, expectedVersion(request, request.body.version)),
  );

  app.get(
    '/api/v1/iot/points/:id/series',
    { config: { permission: 'iot:read' }, schema: { tags, description: 'Raw readings (≤ 5000) or minute / hour rollups (avg, min, max, count) of a point.', params: IdParams, querystring: SeriesQuery, response: { 200: SeriesT, ...Responses } } },
    async (request) => querySeries(ctxOf(app, request), request.params.id, request.query),
  );

  // ---- rules ----
  app.get(
    '/api/v1/iot/rules',
    { config: { permission: 'iot:read' }, schema: { tags, querystring: Type.Object({ pointId: Type.Optional(Uuid), pointType: Type.Optional(Code) }, { additionalProperties: false }), response: { 200: Type.Object({ items: Type.Array(RuleT) }), ...Responses } } },
    async (request) => ({ items: (await listRules(ctxOf(app, request), request.query)).map(ruleDto) }),
  );

  app.post('/api/v1/iot/rules', { config: { permission: 'iot:configure' }, schema: { tags, body: RuleBody, response: { 201: RuleT, ...Responses } } }, async (request, reply) => reply.status(201).send(ruleDto(await createRule(ctxOf(app, request), request.body))));

  app.patch('/api/v1/iot/rules/:id', { config: { permission: 'iot:configure' }, schema: { tags, params: IdParams, body: RulePatchBody, response: { 200: RuleT, ...Responses } } }, async (request) => {
    const { version, ...patch } = request.body;
    return ruleDto(await updateRule(ctxOf(app, request), request.params.id, patch, expectedVersion(request, version)));
  });

  // ---- alarms ----
  app.get('/api/v1/iot/alarms', { config: { permission: 'iot:read' }, schema: { tags, description: 'Alarms, newest first; open ones by default.', querystring: AlarmListQuery, response: { 200: Page(AlarmT), ...Responses } } }, async (request) =>
    listAlarms(ctxOf(app, request), { ...request.query, limit: request.query.limit ?? 50 }),
  );

  app.get('/api/v1/iot/alarms/:id', { config: { permission: 'iot:read' }, schema: { tags, params: IdParams, response: { 200: AlarmDetailT, ...Responses } } }, async (request) => getAlarm(ctxOf(app, request), request.params.id));

  app.post('/api/v1/iot/alarms/:id/ack', { config: { permission: 'iot:alarm' }, schema: { tags, description: 'Acknowledge (who and when are recorded; note optional).', params: IdParams, body: NoteBody, response: { 200: AlarmT, ...Responses } } }, async (request) =>
    acknowledgeAlarm(ctxOf(app, request), request.params.id, request.body),
  );

  app.post('/api/v1/iot/alarms/:id/clear', { config: { permission: 'iot:alarm' }, schema: { tags, description: 'Clear by hand, with a reason; the rule starts counting afresh.', params: IdParams, body: ClearBody, response: { 200: AlarmT, ...Responses } } }, async (request) =>
    clearAlarm(ctxOf(app, request), request.params.id, request.body),
  );

  app.post('/api/v1/iot/alarms/:id/comments', { config: { permission: 'iot:alarm' }, schema: { tags, params: IdParams, body: CommentBody, response: { 200: AlarmT, ...Responses } } }, async (request) => commentAlarm(ctxOf(app, request), request.params.id, request.body));

  app.post('/api/v1/iot/alarms/:id/shelve', { config: { permission: 'iot:alarm' }, schema: { tags, description: 'Shelve until a time (≤ 72 h) with a reason: no notifications or escalation until then.', params: IdParams, body: ShelveBody, response: { 200: AlarmT, ...Responses } } }, async (request) =>
    shelveAlarm(ctxOf(app, request), request.params.id, request.body),
  );

  // The route checks iot:alarm; the service also requires hazard:report (both halves of the act).
  app.post(
    '/api/v1/iot/alarms/:id/hazard',
    {
      config: { permission: 'iot:alarm' },
      // Everything is pre-filled from the alarm, so a request without a body is a valid request.
      preValidation: async (request) => {
        request.body ??= {};
      },
      schema: { tags, description: '开隐患: open a hazard report from the alarm (needs iot:alarm and hazard:report), pre-filled from the alarm; photos optional. At most one per alarm: 409 with hazardId/hazardNumber.', params: IdParams, body: OpenHazardBody, response: { 201: OpenedHazardT, ...Responses } },
    },
    async (request, reply) => reply.status(201).send(await openHazardFromAlarm(ctxOf(app, request), request.params.id, request.body)),
  );

  app.post('/api/v1/iot/alarms/:id/unshelve', { config: { permission: 'iot:alarm' }, schema: { tags, params: IdParams, body: VersionBody, response: { 200: AlarmT, ...Responses } } }, async (request) => unshelveAlarm(ctxOf(app, request), request.params.id, request.body));
};
