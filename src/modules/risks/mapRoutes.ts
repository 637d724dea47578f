import { Type, type FastifyPluginAsyncTypebox, type TSchema } from '@fastify/type-provider-typebox';
import { ctxOf } from '../../platform/http/app.ts';
import { IdParams, Problem, ProblemResponses, Uuid, VersionField } from '../../platform/http/schemas.ts';
import { expectedVersion } from '../../platform/http/version.ts';
import { archiveMapArea, archiveRiskMap, createMapArea, createRiskMap, MAX_POLYGON_POINTS, updateMapArea, updateRiskMap } from './maps.ts';
import { areaDrillDown, getMapArea, getRiskMap, listRiskMaps, mapSummary, riskMapView } from './mapView.ts';
import { areaNoticeCardPdf, postNoticeCardPdf } from './noticeCard.ts';
import { riskLevels } from './schema.ts';

/**
 * The four-colour map (四色图) under /api/v1/risks/maps: maps, areas, the coloured view and an area's
 * drill-down. The floor plan is uploaded through /api/v1/files first and referenced by id.
 */

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const Responses = { ...ProblemResponses, 428: Problem };
const tags = ['risks'];
const Name = Type.String({ minLength: 1, maxLength: 100 });
const Px = Type.Integer({ minimum: 1, maximum: 20_000 });
// Points are checked in maps.ts (range, finiteness, count) so each bad point is named in the problem.
const Polygon = Type.Array(Type.Array(Type.Number(), { minItems: 2, maxItems: 2 }), { maxItems: MAX_POLYGON_POINTS });
const LevelT = Nullable(Type.Enum([...riskLevels]));

const MapT = Type.Object({
  id: Type.String(),
  name: Type.String(),
  orgUnitId: Nullable(Type.String()),
  imageFileId: Nullable(Type.String()),
  width: Type.Integer(),
  height: Type.Integer(),
  sort: Type.Integer(),
  archivedAt: Nullable(Type.String()),
  version: Type.Integer(),
});
const areaProps = {
  id: Type.String(),
  mapId: Type.String(),
  name: Type.String(),
  polygon: Type.Array(Type.Array(Type.Number())),
  riskUnitIds: Type.Array(Type.String()),
  orgUnitId: Nullable(Type.String()),
  sort: Type.Integer(),
  version: Type.Integer(),
};
const AreaT = Type.Object(areaProps);
const PermitMarkerT = Type.Object({ id: Type.String(), number: Type.String(), type: Type.String(), status: Type.String() });
const AreaViewT = Type.Object({ ...areaProps, level: LevelT, colour: Nullable(Type.String()), eventCount: Type.Integer(), openHazards: Type.Integer(), permits: Type.Array(PermitMarkerT, { description: 'active and suspended permits of the area the reader may see (permit:read, data scope)' }) });
const CheckT = Type.Object({
  taskId: Type.String(),
  status: Type.String(),
  windowStart: Type.String(),
  windowEnd: Type.String(),
  doneAt: Nullable(Type.String()),
  onTime: Nullable(Type.Boolean()),
  failedCount: Type.Integer(),
  hazards: Type.Array(Type.Object({ id: Type.String(), number: Nullable(Type.String()) })),
});
const LegendT = Type.Object({ level: Type.Enum([...riskLevels]), colour: Type.String(), labelZh: Type.String(), labelEn: Type.String() });
const ViewT = Type.Object({ map: MapT, legend: Type.Array(LegendT), areas: Type.Array(AreaViewT) });
const DrillT = Type.Object({
  area: AreaT,
  events: Type.Array(
    Type.Object({
      id: Type.String(),
      name: Type.String(),
      unitId: Type.String(),
      unitName: Type.String(),
      consequences: Nullable(Type.String()),
      level: LevelT,
      colour: Nullable(Type.String()),
      score: Nullable(Type.Number()),
      kind: Nullable(Type.String()),
      measures: Type.Array(
        Type.Object({ id: Type.String(), description: Type.String(), classify1: Type.String(), troubleshootContent: Type.String(), checkCycle: Type.Integer(), checkCycleUnit: Type.String(), recentChecks: Type.Array(CheckT, { description: 'the 3 latest checks the reader may see (inspection:read, data scope)' }) }),
      ),
    }),
  ),
  hazards: Type.Array(Type.Object({ id: Type.String(), number: Type.String(), title: Type.String(), level: Type.String(), status: Type.String(), open: Type.Boolean(), reportedAt: Type.String() })),
  permits: Type.Array(Type.Object({ id: Type.String(), number: Type.String(), type: Type.String(), grade: Type.String(), status: Type.String(), location: Type.String(), orgUnitId: Nullable(Type.String()), validUntil: Type.String() })),
});

const NewMapBody = Type.Object(
  { name: Name, orgUnitId: Uuid, imageFileId: Type.Optional(Nullable(Uuid)), width: Type.Optional(Px), height: Type.Optional(Px), sort: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000 })) },
  { additionalProperties: false },
);
const MapPatchBody = Type.Object(
  {
    name: Type.Optional(Name),
    orgUnitId: Type.Optional(Uuid),
    imageFileId: Type.Optional(Nullable(Uuid)),
    width: Type.Optional(Px),
    height: Type.Optional(Px),
    sort: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000 })),
    ...VersionField,
  },
  { additionalProperties: false },
);
const NewAreaBody = Type.Object(
  { name: Name, polygon: Polygon, riskUnitIds: Type.Optional(Type.Array(Uuid, { maxItems: 100 })), orgUnitId: Type.Optional(Nullable(Uuid)), sort: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000 })) },
  { additionalProperties: false },
);
const AreaPatchBody = Type.Object(
  {
    name: Type.Optional(Name),
    polygon: Type.Optional(Polygon),
    riskUnitIds: Type.Optional(Type.Array(Uuid, { maxItems: 100 })),
    orgUnitId: Type.Optional(Nullable(Uuid)),
    sort: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000 })),
    ...VersionField,
  },
  { additionalProperties: false },
);
const ArchiveBody = Type.Object({ reason: Type.String({ minLength: 1, maxLength: 500 }), ...VersionField }, { additionalProperties: false });
const PdfFile = Type.Unsafe<unknown>({ type: 'string', format: 'binary', description: 'application/pdf' });
const ListQuery = Type.Object({ includeArchived: Type.Optional(Type.Boolean()) }, { additionalProperties: false });

export const riskMapRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const read = { permission: 'risk:read' };
  const write = { permission: 'risk:write' };
  app.get('/api/v1/risks/maps', { config: read, schema: { tags, querystring: ListQuery, response: { 200: Type.Object({ items: Type.Array(MapT) }), ...Responses } } }, async (request) =>
    listRiskMaps(ctxOf(app, request), request.query.includeArchived ?? false),
  );
  app.post('/api/v1/risks/maps', { config: write, schema: { tags, body: NewMapBody, response: { 201: MapT, ...Responses } } }, async (request, reply) =>
    reply.status(201).send(mapSummary(await createRiskMap(ctxOf(app, request), request.body))),
  );
  app.get('/api/v1/risks/maps/:id', { config: read, schema: { tags, params: IdParams, response: { 200: MapT, ...Responses } } }, async (request) => getRiskMap(ctxOf(app, request), request.params.id));
  app.patch('/api/v1/risks/maps/:id', { config: write, schema: { tags, params: IdParams, body: MapPatchBody, response: { 200: MapT, ...Responses } } }, async (request) => {
    const { version, ...patch } = request.body;
    return mapSummary(await updateRiskMap(ctxOf(app, request), { ...patch, id: request.params.id, version: expectedVersion(request, version) }));
  });
  app.post('/api/v1/risks/maps/:id/archive', { config: write, schema: { tags, params: IdParams, body: ArchiveBody, response: { 200: MapT, ...Responses } } }, async (request) =>
    mapSummary(await archiveRiskMap(ctxOf(app, request), { id: request.params.id, reason: request.body.reason, version: expectedVersion(request, request.body.version) })),
  );
  app.get(
    '/api/v1/risks/maps/:id/view',
    { config: read, schema: { tags, description: 'Each area with its highest current risk level, the colour the tenant configures for it, and its open hazards.', params: IdParams, response: { 200: ViewT, ...Responses } } },
    async (request) => riskMapView(ctxOf(app, request), request.params.id),
  );
  app.post('/api/v1/risks/maps/:id/areas', { config: write, schema: { tags, params: IdParams, body: NewAreaBody, response: { 201: AreaT, ...Responses } } }, async (request, reply) => {
    const ctx = ctxOf(app, request);
    const row = await createMapArea(ctx, { ...request.body, mapId: request.params.id });
    return reply.status(201).send(await getMapArea(ctx, row.id));
  });
  app.get('/api/v1/risks/maps/areas/:id', { config: read, schema: { tags, params: IdParams, response: { 200: AreaT, ...Responses } } }, async (request) => getMapArea(ctxOf(app, request), request.params.id));
  app.patch('/api/v1/risks/maps/areas/:id', { config: write, schema: { tags, params: IdParams, body: AreaPatchBody, response: { 200: AreaT, ...Responses } } }, async (request) => {
    const ctx = ctxOf(app, request);
    const { version, ...patch } = request.body;
    const row = await updateMapArea(ctx, { ...patch, id: request.params.id, version: expectedVersion(request, version) });
    return getMapArea(ctx, row.id);
  });
  app.post('/api/v1/risks/maps/areas/:id/archive', { config: write, schema: { tags, params: IdParams, body: ArchiveBody, response: { 200: AreaT, ...Responses } } }, async (request) => {
    const ctx = ctxOf(app, request);
    const row = await archiveMapArea(ctx, { id: request.params.id, reason: request.body.reason, version: expectedVersion(request, request.body.version) });
    return getMapArea(ctx, row.id);
  });
  app.get(
    '/api/v1/risks/maps/areas/:id/drilldown',
    { config: read, schema: { tags, description: 'Area → risk events (highest level first) → control measures, and the latest hazards of its org unit.', params: IdParams, response: { 200: DrillT, ...Responses } } },
    async (request) => areaDrillDown(ctxOf(app, request), request.params.id),
  );
  app.get(
    '/api/v1/risks/maps/areas/:id/notice-card.pdf',
    { config: read, schema: { tags, description: '风险告知卡: the area\'s risks, consequences, controls, emergency measures and a QR code to the live area.', params: IdParams, produces: ['application/pdf'], response: { 200: PdfFile, ...Responses } } },
    async (request, reply) => {
      const { pdf, fileName } = await areaNoticeCardPdf(ctxOf(app, request), { publicUrl: app.deps.config.publicUrl }, request.params.id);
      return reply.type('application/pdf').header('content-disposition', `inline; filename="${fileName}"`).send(pdf);
    },
  );
  app.get(
    '/api/v1/risks/posts/:id/notice-card.pdf',
    { config: read, schema: { tags, description: '岗位风险告知卡: the risk events whose control measures this post (position) carries out, with those controls and the emergency measures.', params: IdParams, produces: ['application/pdf'], response: { 200: PdfFile, ...Responses } } },
    async (request, reply) => {
      const { pdf, fileName } = await postNoticeCardPdf(ctxOf(app, request), { publicUrl: app.deps.config.publicUrl }, request.params.id);
      return reply.type('application/pdf').header('content-disposition', `inline; filename="${fileName}"`).send(pdf);
    },
  );
};
