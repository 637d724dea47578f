import { Type, type FastifyPluginAsyncTypebox, type TSchema } from '@fastify/type-provider-typebox';
import { ctxOf } from '../../platform/http/app.ts';
import { IdParams, Problem, ProblemResponses, Uuid, VersionField } from '../../platform/http/schemas.ts';
import { expectedVersion } from '../../platform/http/version.ts';
import { alarmHealth, getHealthSettings, MAX_HEALTH_DAYS, updateHealthSettings } from './health.ts';
import { listLiveMaps, liveMap } from './mapLive.ts';
import { MAX_TREND_POINTS, pointTrend } from './series.ts';

/**
 * Monitoring screens of the IoT module: the trend of a point (bounded series, thresholds, alarm periods),
 * live values on the site plans, and alarm health (ISA-18.2 / EEMUA 191) with its tenant settings.
 * Registered by `routes.ts`.
 */

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const Time = Type.String({ format: 'date-time' });
const Num = Type.Number();
const Int = Type.Integer();
const Str = Type.String();
const Responses = { ...ProblemResponses, 428: Problem };
const tags = ['iot'];

const TrendT = Type.Object({
  pointId: Str,
  from: Time,
  to: Time,
  grain: Type.Union([Type.Literal('raw'), Type.Literal('minute'), Type.Literal('hour')]),
  bucketMs: Int,
  maxPoints: Int,
  items: Type.Array(Type.Object({ ts: Time, value: Num, min: Num, max: Num })),
  thresholds: Type.Array(Type.Object({ ruleId: Str, name: Str, kind: Str, severity: Str, limit: Num, deadband: Num })),
  alarms: Type.Array(Type.Object({ alarmId: Str, kind: Str, severity: Str, state: Str, start: Time, end: Time, open: Type.Boolean() })),
});

const TrendQuery = Type.Object(
  {
    range: Type.Optional(Type.Union([Type.Literal('1h'), Type.Literal('24h'), Type.Literal('7d')])),
    from: Type.Optional(Time),
    to: Type.Optional(Time),
    maxPoints: Type.Optional(Type.Integer({ minimum: 10, maximum: MAX_TREND_POINTS })),
  },
  { additionalProperties: false },
);

const LivePointT = Type.Object({
  id: Str,
  code: Str,
  name: Str,
  type: Str,
  unit: Str,
  lastValue: Nullable(Num),
  lastTs: Nullable(Time),
  alarmState: Str,
  alarmSeverity: Nullable(Str),
  deviceStatus: Nullable(Str),
  rangeMin: Nullable(Num),
  rangeMax: Nullable(Num),
  x: Num,
  y: Num,
});
const Pair = Type.Array(Num, { minItems: 2, maxItems: 2 });
const LiveMapT = Type.Object({
  map: Type.Object({ id: Str, name: Str, imageFileId: Nullable(Str), width: Int, height: Int }),
  areas: Type.Array(Type.Object({ id: Str, name: Str, polygon: Type.Array(Pair), orgUnitId: Nullable(Str), centroid: Pair, alarmState: Str, points: Type.Array(LivePointT) })),
  unplaced: Int,
});
const MapListT = Type.Object({ items: Type.Array(Type.Object({ id: Str, name: Str, orgUnitId: Nullable(Str), imageFileId: Nullable(Str), width: Int, height: Int, sort: Int, archivedAt: Nullable(Time), version: Int })) });

const settingsFields = {
  floodCount: Int,
  floodEndCount: Int,
  floodWindowMin: Int,
  chatterCount: Int,
  chatterWindowS: Int,
  fleetingS: Int,
  staleHours: Int,
  targetPer10Min: Num,
  targetPerHour: Num,
  targetHighPct: Num,
  targetMediumPct: Num,
  targetLowPct: Num,
};
const SettingsT = Type.Object({ ...settingsFields, version: Int });
const SettingsPatch = Type.Object({ ...Type.Partial(Type.Object(settingsFields)).properties, ...VersionField }, { additionalProperties: false });

const Ref = {
  pointId: Str,
  pointCode: Nullable(Str),
  pointName: Nullable(Str),
  ruleId: Str,
  ruleName: Nullable(Str),
  kind: Str,
  severity: Str,
};
const SuggestionT = Type.Object({
  deadband: Nullable(Num),
  onDelayS: Nullable(Num),
  recommended: Nullable(Type.Union([Type.Literal('deadband'), Type.Literal('onDelay')])),
  returnDepths: Type.Array(Num),
  pulseSeconds: Type.Array(Num),
  deadbandCap: Num,
});
const HealthT = Type.Object({
  from: Time,
  to: Time,
  orgUnitId: Nullable(Str),
  settings: SettingsT,
  truncated: Type.Boolean(),
  activations: Int,
  operators: Int,
  rates: Type.Object({ avgPer10Min: Num, peakPer10Min: Num, avgPerHour: Num, peakPerHour: Num, pctIntervalsOver10MinTarget: Num }),
  floods: Type.Object({ count: Int, pctTimeInFlood: Num, items: Type.Array(Type.Object({ start: Time, end: Time, count: Int, peak: Int })) }),
  chattering: Type.Array(
    Type.Object({
      ...Ref,
      activations: Int,
      maxInWindow: Int,
      rule: Nullable(Type.Object({ limit: Nullable(Num), deadband: Num, onDelayS: Int, version: Int, perPoint: Type.Boolean() })),
      suggestion: Nullable(SuggestionT),
    }),
  ),
  fleeting: Type.Object({ count: Int, items: Type.Array(Type.Object({ ...Ref, count: Int })) }),
  stale: Type.Object({ count: Int, items: Type.Array(Type.Object({ ...Ref, alarmId: Str, raisedAt: Time, hours: Num, state: Str })) }),
  priority: Type.Object({
    severity: Type.Object({ critical: Int, major: Int, minor: Int, warning: Int }),
    groups: Type.Array(Type.Object({ group: Str, count: Int, pct: Num, targetPct: Num })),
  }),
  topContributors: Type.Array(Type.Object({ ...Ref, activations: Int, pct: Num })),
});
const HealthQuery = Type.Object({ from: Type.Optional(Time), to: Type.Optional(Time), orgUnitId: Type.Optional(Uuid) }, { additionalProperties: false });

export const iotMonitoringRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/api/v1/iot/points/:id/trend',
    {
      config: { permission: 'iot:read' },
      schema: {
        tags,
        description: `Trend of a point: range 1h | 24h | 7d (or from/to, ≤ 31 days), read raw up to 2 h, minute rollups up to 3 days, hour rollups beyond, downsampled to at most maxPoints (default 600, ≤ ${MAX_TREND_POINTS}) buckets with min/max; thresholds of its enabled rules and its alarm periods.`,
        params: IdParams,
        querystring: TrendQuery,
        response: { 200: TrendT, ...Responses },
      },
    },
    async (request) => pointTrend(ctxOf(app, request), request.params.id, request.query),
  );

  app.get('/api/v1/iot/maps', { config: { permission: 'iot:read' }, schema: { tags, description: 'Site plans (of the risk module) that live values can be shown on.', response: { 200: MapListT, ...Responses } } }, async (request) => listLiveMaps(ctxOf(app, request)));

  app.get(
    '/api/v1/iot/maps/:id/live',
    { config: { permission: 'iot:read' }, schema: { tags, description: 'A site plan with each area’s points (in the caller’s scope), their live value and alarm state, placed at the area’s centroid.', params: IdParams, response: { 200: LiveMapT, ...Responses } } },
    async (request) => liveMap(ctxOf(app, request), request.params.id),
  );

  app.get(
    '/api/v1/iot/health',
    {
      config: { permission: 'iot:read' },
      schema: { tags, description: `Alarm health (ISA-18.2 / EEMUA 191) over from–to (default the last 7 days, at most ${MAX_HEALTH_DAYS}), for the caller’s scope or one area (orgUnitId and below). Definitions in docs/iot.md.`, querystring: HealthQuery, response: { 200: HealthT, ...Responses } },
    },
    async (request) => alarmHealth(ctxOf(app, request), request.query),
  );

  app.get('/api/v1/iot/health/settings', { config: { permission: 'iot:read' }, schema: { tags, response: { 200: SettingsT, ...Responses } } }, async (request) => getHealthSettings(ctxOf(app, request)));

  app.patch('/api/v1/iot/health/settings', { config: { permission: 'iot:configure' }, schema: { tags, description: 'Alarm-health thresholds of the company (flood, chattering, fleeting, stale, EEMUA targets).', body: SettingsPatch, response: { 200: SettingsT, ...Responses } } }, async (request) => {
    const { version, ...patch } = request.body;
    return updateHealthSettings(ctxOf(app, request), patch, expectedVersion(request, version));
  });
};
