import { Type, type FastifyPluginAsyncTypebox, type Static, type TSchema } from '@fastify/type-provider-typebox';
import { ctxOf } from '../../platform/http/app.ts';
import { IdParams, Page, PageQuery, Problem, ProblemResponses, Uuid, VersionField } from '../../platform/http/schemas.ts';
import { readUploadedFile } from '../../platform/http/upload.ts';
import { expectedVersion } from '../../platform/http/version.ts';
import { XLSX_MIME } from '../../platform/org/exportExcel.ts';
import { assessRiskEvent } from './assess.ts';
import { createMeasureClass, createMethod, getRiskConfig, updateMethod, updateRiskSettings } from './config.ts';
import { exportRiskRegister, importRiskRegister, MAX_IMPORT_BYTES, riskImportTemplate } from './excel.ts';
import { archiveRiskEvent, createRiskEvent, updateRiskEvent } from './events.ts';
import { archiveMeasure, createMeasure, updateMeasure } from './measures.ts';
import { riskMapRoutes } from './mapRoutes.ts';
import './permissions.ts';
// Registers the re-assessment reminder job handler with the job runner.
import './reassessment.ts';
import { archiveRiskObject, archiveRiskUnit, createRiskObject, createRiskUnit, updateRiskObject, updateRiskUnit } from './register.ts';
import { getMeasure, getRiskEvent, getRiskObject, getRiskUnit, listMeasures, listRiskEvents, listRiskObjects, riskTree } from './registerRead.ts';
import { assessmentKinds, checkCycleUnits, controlLevels, measureDataSources, riskLevels, riskObjectTypes, workDayTypes } from './schema.ts';
import { requestReassessmentByUser } from './service.ts';
import { assessmentView, eventView, loadNames } from './views.ts';

/**
 * The risk register (issue 5), under /api/v1/risks. Importing this file registers the module's
 * permissions and its re-assessment job handler; `src/server.ts` registers the plugin.
 */

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const Text = (max: number, min = 0) => Type.String({ minLength: min, maxLength: max });
const Time = Type.String({ format: 'date-time' });
const NullableTime = Nullable(Time);
const Responses = { ...ProblemResponses, 413: Problem, 415: Problem, 428: Problem };
const tags = ['risks'];

const LevelT = Type.Enum([...riskLevels]);
const ControlLevelT = Type.Enum([...controlLevels]);
const ObjectTypeT = Type.Enum([...riskObjectTypes]);
const CycleUnitT = Type.Enum([...checkCycleUnits]);
const WorkDayT = Type.Enum([...workDayTypes]);
const KindT = Type.Enum([...assessmentKinds]);
const Code = (max: number) => Type.String({ minLength: 1, maxLength: max, pattern: '^[a-z][a-z0-9_]*$' });
const Colour = Type.String({ pattern: '^#[0-9a-fA-F]{6}$', maxLength: 7 });
const Score = Type.Number({ minimum: 0, maximum: 1e12 });

// ---------------------------------------------------------------------------------------------------------
// Response shapes
// ---------------------------------------------------------------------------------------------------------

const archiveProps = { archivedAt: NullableTime, archiveReason: Nullable(Type.String()), version: Type.Integer() };

export const RiskObjectT = Type.Object({
  id: Type.String(),
  code: Type.String(),
  name: Type.String(),
  type: ObjectTypeT,
  description: Nullable(Type.String()),
  orgUnitId: Nullable(Type.String()),
  orgUnitName: Nullable(Type.String()),
  ...archiveProps,
});
export type RiskObjectT = Static<typeof RiskObjectT>;

export const RiskUnitT = Type.Object({
  id: Type.String(),
  objectId: Type.String(),
  name: Type.String(),
  description: Nullable(Type.String()),
  orgUnitId: Nullable(Type.String({ description: 'responsible department' })),
  orgUnitName: Nullable(Type.String()),
  responsiblePersonId: Nullable(Type.String()),
  responsiblePersonName: Nullable(Type.String()),
  ...archiveProps,
});
export type RiskUnitT = Static<typeof RiskUnitT>;

const eventProps = {
  id: Type.String(),
  objectId: Type.String(),
  unitId: Type.String(),
  name: Type.String(),
  description: Nullable(Type.String()),
  consequences: Nullable(Type.String()),
  orgUnitId: Nullable(Type.String()),
  orgUnitName: Nullable(Type.String()),
  currentAssessmentId: Nullable(Type.String()),
  currentKind: Nullable(KindT),
  currentScore: Nullable(Type.Number()),
  currentLevel: Nullable(LevelT),
  currentColour: Nullable(Type.String()),
  currentControlLevels: Type.Array(ControlLevelT),
  assessedAt: NullableTime,
  reassessDueAt: NullableTime,
  ...archiveProps,
};
export const RiskEventT = Type.Object(eventProps);
export type RiskEventT = Static<typeof RiskEventT>;

export const MeasureT = Type.Object({
  id: Type.String(),
  objectId: Type.String(),
  unitId: Type.String(),
  eventId: Type.String(),
  description: Type.String(),
  classify1: Type.String(),
  classify2: Nullable(Type.String()),
  classify3: Nullable(Type.String()),
  troubleshootContent: Type.String(),
  checkCycle: Type.Integer(),
  checkCycleUnit: CycleUnitT,
  workDayType: WorkDayT,
  orgUnitId: Nullable(Type.String()),
  orgUnitName: Nullable(Type.String()),
  responsiblePositionId: Nullable(Type.String()),
  responsiblePositionName: Nullable(Type.String()),
  responsiblePersonId: Nullable(Type.String()),
  responsiblePersonName: Nullable(Type.String()),
  dataSource: Type.Enum([...measureDataSources]),
  ...archiveProps,
});
export type MeasureT = Static<typeof MeasureT>;

export const AssessmentT = Type.Object({
  id: Type.String(),
  eventId: Type.String(),
  methodCode: Type.String(),
  methodVersion: Type.Integer(),
  kind: KindT,
  factors: Type.Array(Type.Object({ key: Type.String(), name: Type.String(), value: Type.Number(), label: Type.String() })),
  score: Type.Number(),
  level: LevelT,
  colour: Type.String(),
  controlLevels: Type.Array(ControlLevelT),
  bandLabel: Nullable(Type.String()),
  note: Nullable(Type.String()),
  assessedBy: Nullable(Type.String()),
  assessedByName: Nullable(Type.String()),
  assessedAt: Time,
  nextDueAt: Time,
});
export type AssessmentT = Static<typeof AssessmentT>;

export const EventListItemT = Type.Object({ ...eventProps, objectCode: Nullable(Type.String()), objectName: Nullable(Type.String()), unitName: Nullable(Type.String()), measureCount: Type.Integer() });
export type EventListItemT = Static<typeof EventListItemT>;

export const EventDetailT = Type.Object({
  ...eventProps,
  object: Nullable(RiskObjectT),
  unit: Nullable(RiskUnitT),
  measures: Type.Array(MeasureT),
  latestInherent: Nullable(AssessmentT),
  latestResidual: Nullable(AssessmentT),
  assessments: Type.Array(AssessmentT),
  openRequests: Type.Array(Type.Object({ id: Type.String(), reason: Type.String(), sourceType: Nullable(Type.String()), sourceId: Nullable(Type.String()), requestedAt: Time })),
});
export type EventDetailT = Static<typeof EventDetailT>;

export const AssessResponse = Type.Object({ assessment: AssessmentT, event: RiskEventT });
export type AssessResponse = Static<typeof AssessResponse>;

export const TreeT = Type.Object({
  objects: Type.Array(
    Type.Object({
      ...RiskObjectT.properties,
      highestLevel: Nullable(LevelT),
      units: Type.Array(Type.Object({ ...RiskUnitT.properties, highestLevel: Nullable(LevelT), events: Type.Array(Type.Object({ ...eventProps, measures: Type.Array(MeasureT) })) })),
    }),
  ),
  eventCount: Type.Integer(),
  truncated: Type.Boolean({ description: 'more events matched than one tree shows; narrow the filter' }),
});
export type TreeT = Static<typeof TreeT>;

const FactorOptionT = Type.Object({ value: Type.Number({ exclusiveMinimum: 0, maximum: 1e6 }), labelZh: Text(100, 1), labelEn: Text(100, 1) }, { additionalProperties: false });
const FactorT = Type.Object(
  { key: Type.String({ minLength: 1, maxLength: 10, pattern: '^[A-Za-z][A-Za-z0-9_]*$' }), nameZh: Text(50, 1), nameEn: Text(80, 1), options: Type.Array(FactorOptionT, { minItems: 1, maxItems: 20 }) },
  { additionalProperties: false },
);
const BandT = Type.Object(
  {
    level: LevelT,
    minScore: Score,
    maxScore: Nullable(Score),
    colour: Colour,
    controlLevels: Type.Array(ControlLevelT, { maxItems: 4 }),
    labelZh: Text(50, 1),
    labelEn: Text(80, 1),
  },
  { additionalProperties: false },
);
export const MethodT = Type.Object({
  id: Type.String(),
  code: Type.String(),
  nameZh: Type.String(),
  nameEn: Type.String(),
  description: Nullable(Type.String()),
  formula: Type.Literal('product'),
  factors: Type.Array(Type.Object({ key: Type.String(), nameZh: Type.String(), nameEn: Type.String(), options: Type.Array(Type.Object({ value: Type.Number(), labelZh: Type.String(), labelEn: Type.String() })) })),
  bands: Type.Array(
    Type.Object({ level: LevelT, minScore: Type.Number(), maxScore: Nullable(Type.Number()), colour: Type.String(), controlLevels: Type.Array(ControlLevelT), labelZh: Type.String(), labelEn: Type.String() }),
  ),
  active: Type.Boolean(),
  sort: Type.Integer(),
  version: Type.Integer(),
});
export type MethodT = Static<typeof MethodT>;
const MeasureClassT = Type.Object({ code: Type.String(), parentCode: Nullable(Type.String()), labelZh: Type.String(), labelEn: Type.String(), sort: Type.Integer(), active: Type.Boolean(), version: Type.Integer() });
export const ConfigResponse = Type.Object({
  methods: Type.Array(MethodT),
  measureClasses: Type.Array(MeasureClassT),
  settings: Type.Object({ reassessIntervalMonths: Type.Integer(), defaultMethodCode: Type.String(), version: Type.Integer() }),
});
export type ConfigResponse = Static<typeof ConfigResponse>;

// ---------------------------------------------------------------------------------------------------------
// Request shapes
// ---------------------------------------------------------------------------------------------------------

const Description = Type.Optional(Nullable(Text(2000)));
export const ArchiveBody = Type.Object({ reason: Text(1000, 1), ...VersionField }, { additionalProperties: false });
export type ArchiveBody = Static<typeof ArchiveBody>;

export const NewObjectBody = Type.Object(
  { code: Type.String({ minLength: 1, maxLength: 50, pattern: '^\\S(.*\\S)?$' }), name: Text(200, 1), type: ObjectTypeT, orgUnitId: Uuid, description: Description },
  { additionalProperties: false },
);
export const ObjectBody = Type.Object(
  {
    code: Type.Optional(NewObjectBody.properties.code),
    name: Type.Optional(Text(200, 1)),
    type: Type.Optional(ObjectTypeT),
    orgUnitId: Type.Optional(Uuid),
    description: Description,
    ...VersionField,
  },
  { additionalProperties: false },
);
export const NewUnitBody = Type.Object(
  { objectId: Uuid, name: Text(200, 1), orgUnitId: Uuid, responsiblePersonId: Type.Optional(Nullable(Uuid)), description: Description },
  { additionalProperties: false },
);
export const UnitBody = Type.Object(
  { name: Type.Optional(Text(200, 1)), orgUnitId: Type.Optional(Uuid), responsiblePersonId: Type.Optional(Nullable(Uuid)), description: Description, ...VersionField },
  { additionalProperties: false },
);
export const NewEventBody = Type.Object(
  { unitId: Uuid, name: Text(200, 1), description: Description, consequences: Type.Optional(Nullable(Text(1000))) },
  { additionalProperties: false },
);
export const EventBody = Type.Object(
  { name: Type.Optional(Text(200, 1)), description: Description, consequences: Type.Optional(Nullable(Text(1000))), ...VersionField },
  { additionalProperties: false },
);
const measureProps = {
  description: Text(2000, 1),
  classify1: Code(40),
  classify2: Type.Optional(Nullable(Code(40))),
  classify3: Type.Optional(Nullable(Text(200))),
  troubleshootContent: Text(2000, 1),
  checkCycle: Type.Integer({ minimum: 1, maximum: 1000 }),
  checkCycleUnit: CycleUnitT,
  workDayType: WorkDayT,
  orgUnitId: Type.Optional(Nullable(Uuid)),
  responsiblePositionId: Type.Optional(Nullable(Uuid)),
  responsiblePersonId: Type.Optional(Nullable(Uuid)),
};
export const NewMeasureBody = Type.Object({ eventId: Uuid, ...measureProps }, { additionalProperties: false });
export type NewMeasureBody = Static<typeof NewMeasureBody>;
export const MeasureBody = Type.Object(
  {
    description: Type.Optional(measureProps.description),
    classify1: Type.Optional(measureProps.classify1),
    classify2: measureProps.classify2,
    classify3: measureProps.classify3,
    troubleshootContent: Type.Optional(measureProps.troubleshootContent),
    checkCycle: Type.Optional(measureProps.checkCycle),
    checkCycleUnit: Type.Optional(CycleUnitT),
    workDayType: Type.Optional(WorkDayT),
    orgUnitId: measureProps.orgUnitId,
    responsiblePositionId: measureProps.responsiblePositionId,
    responsiblePersonId: measureProps.responsiblePersonId,
    ...VersionField,
  },
  { additionalProperties: false },
);
export const AssessBody = Type.Object(
  {
    methodCode: Type.Optional(Code(30)),
    kind: KindT,
    factors: Type.Record(Type.String({ maxLength: 10 }), Type.Number({ minimum: 0, maximum: 1e6 }), { maxProperties: 10, description: 'factor key → chosen value, e.g. { "L": 6, "E": 6, "C": 15 }' }),
    note: Type.Optional(Nullable(Text(1000))),
  },
  { additionalProperties: false },
);
export type AssessBody = Static<typeof AssessBody>;
export const ReassessBody = Type.Object({ reason: Text(1000, 1) }, { additionalProperties: false });
export const ReassessResponse = Type.Object({ requestId: Type.String(), created: Type.Boolean(), notifiedUserId: Nullable(Type.String()) });

export const NewMethodBody = Type.Object(
  {
    code: Code(30),
    nameZh: Text(100, 1),
    nameEn: Text(100, 1),
    description: Type.Optional(Nullable(Text(500))),
    factors: Type.Array(FactorT, { minItems: 1, maxItems: 6 }),
    bands: Type.Array(BandT, { minItems: 1, maxItems: 4 }),
    sort: Type.Optional(Type.Integer({ minimum: -1_000_000, maximum: 1_000_000 })),
  },
  { additionalProperties: false },
);
export type NewMethodBody = Static<typeof NewMethodBody>;
export const MethodBody = Type.Object(
  {
    nameZh: Type.Optional(Text(100, 1)),
    nameEn: Type.Optional(Text(100, 1)),
    description: Type.Optional(Nullable(Text(500))),
    factors: Type.Optional(NewMethodBody.properties.factors),
    bands: Type.Optional(NewMethodBody.properties.bands),
    active: Type.Optional(Type.Boolean()),
    sort: Type.Optional(Type.Integer({ minimum: -1_000_000, maximum: 1_000_000 })),
    ...VersionField,
  },
  { additionalProperties: false },
);
export type MethodBody = Static<typeof MethodBody>;
export const SettingsBody = Type.Object(
  { reassessIntervalMonths: Type.Optional(Type.Integer({ minimum: 1, maximum: 120 })), defaultMethodCode: Type.Optional(Code(30)), ...VersionField },
  { additionalProperties: false },
);
export const NewMeasureClassBody = Type.Object(
  { code: Code(40), parentCode: Type.Optional(Nullable(Code(40))), labelZh: Text(50, 1), labelEn: Text(80, 1), sort: Type.Optional(Type.Integer({ minimum: -1_000_000, maximum: 1_000_000 })) },
  { additionalProperties: false },
);

const LevelFilter = Type.Optional(Type.Array(Type.Enum([...riskLevels, 'unassessed']), { maxItems: 5 }));
export const EventListQuery = Type.Object(
  {
    level: LevelFilter,
    orgUnitId: Type.Optional(Uuid),
    objectId: Type.Optional(Uuid),
    unitId: Type.Optional(Uuid),
    q: Type.Optional(Text(100)),
    reassessDue: Type.Optional(Type.Boolean()),
    includeArchived: Type.Optional(Type.Boolean()),
    ...PageQuery,
  },
  { additionalProperties: false },
);
export const TreeQuery = Type.Object(
  { level: LevelFilter, orgUnitId: Type.Optional(Uuid), objectId: Type.Optional(Uuid), unitId: Type.Optional(Uuid), includeArchived: Type.Optional(Type.Boolean()) },
  { additionalProperties: false },
);
export const ObjectListQuery = Type.Object(
  { orgUnitId: Type.Optional(Uuid), type: Type.Optional(ObjectTypeT), q: Type.Optional(Text(100)), includeArchived: Type.Optional(Type.Boolean()), ...PageQuery },
  { additionalProperties: false },
);
export const MeasureListQuery = Type.Object(
  {
    eventId: Type.Optional(Uuid),
    orgUnitId: Type.Optional(Uuid),
    checkCycleUnit: Type.Optional(CycleUnitT),
    responsiblePersonId: Type.Optional(Uuid),
    includeArchived: Type.Optional(Type.Boolean()),
    ...PageQuery,
  },
  { additionalProperties: false },
);
export const ImportQuery = Type.Object({ dryRun: Type.Optional(Type.Boolean({ default: false })) }, { additionalProperties: false });
export const ImportResult = Type.Object({
  ok: Type.Literal(true),
  dryRun: Type.Boolean(),
  rows: Type.Integer(),
  created: Type.Object({ objects: Type.Integer(), units: Type.Integer(), events: Type.Integer(), measures: Type.Integer(), assessments: Type.Integer() }),
  unchanged: Type.Integer({ description: 'rows whose control measure already existed' }),
});
const XlsxFile = Type.Unsafe<unknown>({ type: 'string', format: 'binary', description: XLSX_MIME });

/** RFC 6266: an ASCII fallback plus the UTF-8 name, so Chinese file names survive every browser. */
function attachment(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}

export const riskRoutes: FastifyPluginAsyncTypebox = async (app) => {
  await app.register(riskMapRoutes);
  // ---- configuration ----
  app.get(
    '/api/v1/risks/config',
    { config: { permission: 'risk:read' }, schema: { tags, description: 'Assessment methods (factors, options, bands), measure classification and settings; seeded on first use.', response: { 200: ConfigResponse, ...Responses } } },
    async (request) => getRiskConfig(ctxOf(app, request)),
  );
  app.post(
    '/api/v1/risks/config/methods',
    { config: { permission: 'risk:configure' }, schema: { tags, description: 'Add an assessment method as data: factors with option tables, score = product of the factors, bands.', body: NewMethodBody, response: { 201: MethodT, ...Responses } } },
    async (request, reply) => reply.status(201).send(await createMethod(ctxOf(app, request), request.body)),
  );
  app.patch(
    '/api/v1/risks/config/methods/:id',
    {
      config: { permission: 'risk:configure' },
      schema: { tags, description: 'Change a method (names, factor tables, bands: the whole set, contiguous). Later assessments use it; stored ones keep their result.', params: IdParams, body: MethodBody, response: { 200: MethodT, ...Responses } },
    },
    async (request) => {
      const { version, ...patch } = request.body;
      return updateMethod(ctxOf(app, request), { ...patch, id: request.params.id, version: expectedVersion(request, version) });
    },
  );
  app.patch(
    '/api/v1/risks/config/settings',
    { config: { permission: 'risk:configure' }, schema: { tags, body: SettingsBody, response: { 200: ConfigResponse, ...Responses } } },
    async (request) => {
      const { version, ...patch } = request.body;
      return updateRiskSettings(ctxOf(app, request), patch, expectedVersion(request, version));
    },
  );
  app.post(
    '/api/v1/risks/config/measure-classes',
    { config: { permission: 'risk:configure' }, schema: { tags, body: NewMeasureClassBody, response: { 201: MeasureClassT, ...Responses } } },
    async (request, reply) => reply.status(201).send(await createMeasureClass(ctxOf(app, request), request.body)),
  );

  // ---- the register ----
  app.get(
    '/api/v1/risks/tree',
    { config: { permission: 'risk:read' }, schema: { tags, description: 'object → unit → event → measures, in the caller’s data scope.', querystring: TreeQuery, response: { 200: TreeT, ...Responses } } },
    async (request) => riskTree(ctxOf(app, request), request.query),
  );

  app.get(
    '/api/v1/risks/objects',
    { config: { permission: 'risk:read' }, schema: { tags, querystring: ObjectListQuery, response: { 200: Page(RiskObjectT), ...Responses } } },
    async (request) => listRiskObjects(ctxOf(app, request), { ...request.query, limit: request.query.limit ?? 50 }),
  );
  app.post(
    '/api/v1/risks/objects',
    { config: { permission: 'risk:write' }, schema: { tags, body: NewObjectBody, response: { 201: RiskObjectT, ...Responses } } },
    async (request, reply) => {
      const ctx = ctxOf(app, request);
      const row = await createRiskObject(ctx, request.body);
      return reply.status(201).send(await getRiskObject(ctx, row.id));
    },
  );
  app.get(
    '/api/v1/risks/objects/:id',
    { config: { permission: 'risk:read' }, schema: { tags, params: IdParams, response: { 200: RiskObjectT, ...Responses } } },
    async (request) => getRiskObject(ctxOf(app, request), request.params.id),
  );
  app.patch(
    '/api/v1/risks/objects/:id',
    { config: { permission: 'risk:write' }, schema: { tags, params: IdParams, body: ObjectBody, response: { 200: RiskObjectT, ...Responses } } },
    async (request) => {
      const ctx = ctxOf(app, request);
      const { version, ...patch } = request.body;
      const row = await updateRiskObject(ctx, { ...patch, id: request.params.id, version: expectedVersion(request, version) });
      return getRiskObject(ctx, row.id);
    },
  );
  app.post(
    '/api/v1/risks/objects/:id/archive',
    { config: { permission: 'risk:write' }, schema: { tags, description: 'Archive with a reason; its units, events and measures are archived with it. Nothing is deleted.', params: IdParams, body: ArchiveBody, response: { 200: RiskObjectT, ...Responses } } },
    async (request) => {
      const ctx = ctxOf(app, request);
      const row = await archiveRiskObject(ctx, { id: request.params.id, reason: request.body.reason, version: expectedVersion(request, request.body.version) });
      return getRiskObject(ctx, row.id);
    },
  );

  app.post(
    '/api/v1/risks/units',
    { config: { permission: 'risk:write' }, schema: { tags, body: NewUnitBody, response: { 201: RiskUnitT, ...Responses } } },
    async (request, reply) => {
      const ctx = ctxOf(app, request);
      const row = await createRiskUnit(ctx, request.body);
      return reply.status(201).send(await getRiskUnit(ctx, row.id));
    },
  );
  app.get(
    '/api/v1/risks/units/:id',
    { config: { permission: 'risk:read' }, schema: { tags, params: IdParams, response: { 200: RiskUnitT, ...Responses } } },
    async (request) => getRiskUnit(ctxOf(app, request), request.params.id),
  );
  app.patch(
    '/api/v1/risks/units/:id',
    { config: { permission: 'risk:write' }, schema: { tags, params: IdParams, body: UnitBody, response: { 200: RiskUnitT, ...Responses } } },
    async (request) => {
      const ctx = ctxOf(app, request);
      const { version, ...patch } = request.body;
      const row = await updateRiskUnit(ctx, { ...patch, id: request.params.id, version: expectedVersion(request, version) });
      return getRiskUnit(ctx, row.id);
    },
  );
  app.post(
    '/api/v1/risks/units/:id/archive',
    { config: { permission: 'risk:write' }, schema: { tags, params: IdParams, body: ArchiveBody, response: { 200: RiskUnitT, ...Responses } } },
    async (request) => {
      const ctx = ctxOf(app, request);
      const row = await archiveRiskUnit(ctx, { id: request.params.id, reason: request.body.reason, version: expectedVersion(request, request.body.version) });
      return getRiskUnit(ctx, row.id);
    },
  );

  app.get(
    '/api/v1/risks/events',
    { config: { permission: 'risk:read' }, schema: { tags, querystring: EventListQuery, response: { 200: Page(EventListItemT), ...Responses } } },
    async (request) => listRiskEvents(ctxOf(app, request), { ...request.query, limit: request.query.limit ?? 50 }),
  );
  app.post(
    '/api/v1/risks/events',
    { config: { permission: 'risk:write' }, schema: { tags, body: NewEventBody, response: { 201: EventDetailT, ...Responses } } },
    async (request, reply) => {
      const ctx = ctxOf(app, request);
      const row = await createRiskEvent(ctx, request.body);
      return reply.status(201).send(await getRiskEvent(ctx, row.id));
    },
  );
  app.get(
    '/api/v1/risks/events/:id',
    { config: { permission: 'risk:read' }, schema: { tags, description: 'One risk event with its object, unit, measures, latest inherent and residual assessment and history.', params: IdParams, response: { 200: EventDetailT, ...Responses } } },
    async (request) => getRiskEvent(ctxOf(app, request), request.params.id),
  );
  app.patch(
    '/api/v1/risks/events/:id',
    { config: { permission: 'risk:write' }, schema: { tags, params: IdParams, body: EventBody, response: { 200: EventDetailT, ...Responses } } },
    async (request) => {
      const ctx = ctxOf(app, request);
      const { version, ...patch } = request.body;
      const row = await updateRiskEvent(ctx, { ...patch, id: request.params.id, version: expectedVersion(request, version) });
      return getRiskEvent(ctx, row.id);
    },
  );
  app.post(
    '/api/v1/risks/events/:id/archive',
    { config: { permission: 'risk:write' }, schema: { tags, params: IdParams, body: ArchiveBody, response: { 200: EventDetailT, ...Responses } } },
    async (request) => {
      const ctx = ctxOf(app, request);
      const row = await archiveRiskEvent(ctx, { id: request.params.id, reason: request.body.reason, version: expectedVersion(request, request.body.version) });
      return getRiskEvent(ctx, row.id);
    },
  );
  app.post(
    '/api/v1/risks/events/:id/assessments',
    {
      config: { permission: 'risk:assess' },
      schema: {
        tags,
        description: 'Assess the event: each factor value must be one of the method’s options; score = product; the band gives level, colour and control levels. Sets the next re-assessment due date.',
        params: IdParams,
        body: AssessBody,
        response: { 201: AssessResponse, ...Responses },
      },
    },
    async (request, reply) => {
      const ctx = ctxOf(app, request);
      const { assessment, event } = await assessRiskEvent(ctx, { ...request.body, eventId: request.params.id });
      const names = await ctx.db.read((tx) => loadNames(tx, ctx.actor.tenantId, { units: [event.orgUnitId] }));
      return reply.status(201).send({ assessment: assessmentView(assessment), event: eventView(event, names) });
    },
  );
  app.post(
    '/api/v1/risks/events/:id/reassessment-requests',
    { config: { permission: 'risk:assess' }, schema: { tags, description: 'Ask for a re-assessment now (due at once, the responsible person is notified).', params: IdParams, body: ReassessBody, response: { 201: ReassessResponse, ...Responses } } },
    async (request, reply) => reply.status(201).send(await requestReassessmentByUser(ctxOf(app, request), { riskEventId: request.params.id, reason: request.body.reason })),
  );

  app.get(
    '/api/v1/risks/measures',
    { config: { permission: 'risk:read' }, schema: { tags, querystring: MeasureListQuery, response: { 200: Page(MeasureT), ...Responses } } },
    async (request) => listMeasures(ctxOf(app, request), { ...request.query, limit: request.query.limit ?? 50 }),
  );
  app.post(
    '/api/v1/risks/measures',
    { config: { permission: 'risk:write' }, schema: { tags, body: NewMeasureBody, response: { 201: MeasureT, ...Responses } } },
    async (request, reply) => {
      const ctx = ctxOf(app, request);
      const row = await createMeasure(ctx, request.body);
      return reply.status(201).send(await getMeasure(ctx, row.id));
    },
  );
  app.get(
    '/api/v1/risks/measures/:id',
    { config: { permission: 'risk:read' }, schema: { tags, params: IdParams, response: { 200: MeasureT, ...Responses } } },
    async (request) => getMeasure(ctxOf(app, request), request.params.id),
  );
  app.patch(
    '/api/v1/risks/measures/:id',
    { config: { permission: 'risk:write' }, schema: { tags, params: IdParams, body: MeasureBody, response: { 200: MeasureT, ...Responses } } },
    async (request) => {
      const ctx = ctxOf(app, request);
      const { version, ...patch } = request.body;
      const row = await updateMeasure(ctx, { ...patch, id: request.params.id, version: expectedVersion(request, version) });
      return getMeasure(ctx, row.id);
    },
  );
  app.post(
    '/api/v1/risks/measures/:id/archive',
    { config: { permission: 'risk:write' }, schema: { tags, params: IdParams, body: ArchiveBody, response: { 200: MeasureT, ...Responses } } },
    async (request) => {
      const ctx = ctxOf(app, request);
      const row = await archiveMeasure(ctx, { id: request.params.id, reason: request.body.reason, version: expectedVersion(request, request.body.version) });
      return getMeasure(ctx, row.id);
    },
  );

  // ---- Excel ----
  app.get(
    '/api/v1/risks/export.xlsx',
    { config: { permission: 'risk:read' }, schema: { tags, description: 'The register in the caller’s scope, one row per control measure (events without measures get one row).', response: { 200: XlsxFile, ...Responses } } },
    async (request, reply) => {
      const { buffer, fileName } = await exportRiskRegister(ctxOf(app, request));
      return reply.type(XLSX_MIME).header('content-disposition', attachment(fileName)).header('cache-control', 'no-store').send(buffer);
    },
  );
  app.get(
    '/api/v1/risks/import-template.xlsx',
    { config: { permission: 'risk:write' }, schema: { tags, response: { 200: XlsxFile, ...Responses } } },
    async (request, reply) => {
      const { buffer, fileName } = await riskImportTemplate(ctxOf(app, request));
      return reply.type(XLSX_MIME).header('content-disposition', attachment(fileName)).send(buffer);
    },
  );
  app.post(
    '/api/v1/risks/import',
    {
      config: { permission: 'risk:write' },
      schema: {
        tags,
        description: `multipart/form-data with one .xlsx in the field "file" (at most ${MAX_IMPORT_BYTES / 1024 / 1024} MB). Existing objects, units, events and measures are matched and kept; 422 import_failed lists rowErrors and writes nothing.`,
        querystring: ImportQuery,
        response: { 200: ImportResult, ...Responses },
      },
    },
    async (request) => {
      const { buffer, fileName } = await readUploadedFile(request, MAX_IMPORT_BYTES);
      return importRiskRegister(ctxOf(app, request), { file: buffer, fileName, dryRun: request.query.dryRun ?? false });
    },
  );
};
