import { Type, type FastifyPluginAsyncTypebox, type Static, type TSchema } from '@fastify/type-provider-typebox';
import { ctxOf } from '../http/app.ts';
import { IdParams, Page, PageQuery, Problem, ProblemResponses, Uuid, VersionField } from '../http/schemas.ts';
import { expectedVersion } from '../http/version.ts';
import { exportPeople, peopleTemplate, XLSX_MIME } from './exportExcel.ts';
import { importPeople, MAX_IMPORT_BYTES } from './importExcel.ts';
import { readUploadedFile } from '../http/upload.ts';
import { createOrgUnit, listOrgUnits, updateOrgUnit } from './orgUnits.ts';
import { createPerson, getPerson, listPeople, updatePerson } from './people.ts';
import { createPosition, listPositions, updatePosition } from './positions.ts';

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const Text = (max: number, min = 0) => Type.String({ minLength: min, maxLength: max });

const Responses = { ...ProblemResponses, 413: Problem, 415: Problem, 428: Problem };

export const OrgUnitKindSchema = Type.Enum(['company', 'plant', 'workshop', 'department', 'team', 'contractor']);
/** The company is created with the tenant; everything else is placed under it. */
export const ChildKindSchema = Type.Enum(['plant', 'workshop', 'department', 'team', 'contractor']);
export const PersonKindSchema = Type.Enum(['employee', 'contractor']);
export const PersonStatusSchema = Type.Enum(['active', 'left']);
export const GenderSchema = Type.Enum(['male', 'female', 'other']);

export const OrgUnit = Type.Object({
  id: Type.String(),
  parentId: Nullable(Type.String()),
  kind: OrgUnitKindSchema,
  code: Type.String(),
  name: Type.String(),
  path: Type.String(),
  depth: Type.Integer(),
  sort: Type.Integer(),
  managerPersonId: Nullable(Type.String()),
  managerName: Nullable(Type.String()),
  active: Type.Boolean(),
  headcount: Type.Integer({ description: 'Active people in this unit and below' }),
  directHeadcount: Type.Integer({ description: 'Active people placed directly in this unit' }),
  version: Type.Integer(),
});
export type OrgUnit = Static<typeof OrgUnit>;

export const CreateOrgUnitBody = Type.Object(
  {
    parentId: Uuid,
    kind: ChildKindSchema,
    code: Text(50, 1),
    name: Text(100, 1),
    sort: Type.Optional(Type.Integer({ minimum: -1_000_000, maximum: 1_000_000 })),
    managerPersonId: Type.Optional(Nullable(Uuid)),
  },
  { additionalProperties: false },
);
export type CreateOrgUnitBody = Static<typeof CreateOrgUnitBody>;

export const UpdateOrgUnitBody = Type.Object(
  {
    name: Type.Optional(Text(100, 1)),
    code: Type.Optional(Text(50, 1)),
    sort: Type.Optional(Type.Integer({ minimum: -1_000_000, maximum: 1_000_000 })),
    managerPersonId: Type.Optional(Nullable(Uuid)),
    active: Type.Optional(Type.Boolean()),
    parentId: Type.Optional(Uuid),
    ...VersionField,
  },
  { additionalProperties: false },
);
export type UpdateOrgUnitBody = Static<typeof UpdateOrgUnitBody>;

export const Position = Type.Object({ id: Type.String(), code: Type.String(), name: Type.String(), special: Type.Boolean(), active: Type.Boolean(), version: Type.Integer() });
export type Position = Static<typeof Position>;

export const CreatePositionBody = Type.Object(
  { code: Text(50, 1), name: Text(100, 1), special: Type.Optional(Type.Boolean()) },
  { additionalProperties: false },
);
export type CreatePositionBody = Static<typeof CreatePositionBody>;

export const UpdatePositionBody = Type.Object(
  { code: Type.Optional(Text(50, 1)), name: Type.Optional(Text(100, 1)), special: Type.Optional(Type.Boolean()), active: Type.Optional(Type.Boolean()), ...VersionField },
  { additionalProperties: false },
);
export type UpdatePositionBody = Static<typeof UpdatePositionBody>;

export const Person = Type.Object({
  id: Type.String(),
  kind: PersonKindSchema,
  employeeNo: Type.String(),
  name: Type.String(),
  phone: Nullable(Type.String()),
  email: Nullable(Type.String()),
  gender: Nullable(GenderSchema),
  orgUnitId: Nullable(Type.String()),
  orgUnitName: Nullable(Type.String()),
  orgUnitCode: Nullable(Type.String()),
  positionId: Nullable(Type.String()),
  positionName: Nullable(Type.String()),
  contractorUnitId: Nullable(Type.String()),
  contractorUnitName: Nullable(Type.String()),
  contractorUnitCode: Nullable(Type.String()),
  hireDate: Nullable(Type.String({ description: 'YYYY-MM-DD' })),
  status: PersonStatusSchema,
  userId: Nullable(Type.String()),
  username: Nullable(Type.String()),
  version: Type.Integer(),
});
export type Person = Static<typeof Person>;

const personFields = {
  employeeNo: Text(50, 1),
  name: Text(100, 1),
  phone: Type.Optional(Nullable(Text(20))),
  email: Type.Optional(Nullable(Text(200))),
  gender: Type.Optional(Nullable(GenderSchema)),
  orgUnitId: Type.Optional(Nullable(Uuid)),
  positionId: Type.Optional(Nullable(Uuid)),
  contractorUnitId: Type.Optional(Nullable(Uuid)),
  hireDate: Type.Optional(Nullable(Text(10))),
};

export const CreatePersonBody = Type.Object({ kind: Type.Optional(PersonKindSchema), ...personFields }, { additionalProperties: false });
export type CreatePersonBody = Static<typeof CreatePersonBody>;

export const UpdatePersonBody = Type.Object(
  {
    kind: Type.Optional(PersonKindSchema),
    ...personFields,
    employeeNo: Type.Optional(Text(50, 1)),
    name: Type.Optional(Text(100, 1)),
    status: Type.Optional(PersonStatusSchema),
    ...VersionField,
  },
  { additionalProperties: false },
);
export type UpdatePersonBody = Static<typeof UpdatePersonBody>;

const peopleFilters = {
  q: Type.Optional(Text(100)),
  orgUnitId: Type.Optional(Uuid),
  contractorUnitId: Type.Optional(Uuid),
  kind: Type.Optional(PersonKindSchema),
  status: Type.Optional(PersonStatusSchema),
};
export const PeopleQuery = Type.Object({ ...peopleFilters, ...PageQuery }, { additionalProperties: false });
export type PeopleQuery = Static<typeof PeopleQuery>;
export const PeopleExportQuery = Type.Object(peopleFilters, { additionalProperties: false });
export type PeopleExportQuery = Static<typeof PeopleExportQuery>;

export const ImportQuery = Type.Object({ dryRun: Type.Optional(Type.Boolean({ default: false })) }, { additionalProperties: false });
export type ImportQuery = Static<typeof ImportQuery>;

const Counts = Type.Object({ orgUnits: Type.Integer(), positions: Type.Integer(), people: Type.Integer() });
export const ImportResult = Type.Object({ ok: Type.Literal(true), dryRun: Type.Boolean(), created: Counts, updated: Counts, unchanged: Counts });
export type ImportResult = Static<typeof ImportResult>;

const XlsxFile = Type.Unsafe<unknown>({ type: 'string', format: 'binary', description: XLSX_MIME });

/** RFC 6266: an ASCII fallback plus the UTF-8 name, so Chinese file names survive every browser. */
function attachment(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}

export const orgRoutes: FastifyPluginAsyncTypebox = async (app) => {
  // ---- Org units ----
  app.get(
    '/api/v1/org/units',
    { config: { permission: 'org:read' }, schema: { tags: ['org'], response: { 200: Type.Object({ items: Type.Array(OrgUnit) }), ...Responses } } },
    async (request) => listOrgUnits(ctxOf(app, request)),
  );

  app.post(
    '/api/v1/org/units',
    { config: { permission: 'org:write' }, schema: { tags: ['org'], body: CreateOrgUnitBody, response: { 201: OrgUnit, ...Responses } } },
    async (request, reply) => reply.status(201).send(await createOrgUnit(ctxOf(app, request), request.body)),
  );

  app.patch(
    '/api/v1/org/units/:id',
    { config: { permission: 'org:write' }, schema: { tags: ['org'], params: IdParams, body: UpdateOrgUnitBody, response: { 200: OrgUnit, ...Responses } } },
    async (request) => {
      const { version, ...rest } = request.body;
      return updateOrgUnit(ctxOf(app, request), { ...rest, id: request.params.id, version: expectedVersion(request, version) });
    },
  );

  // ---- Positions ----
  app.get(
    '/api/v1/positions',
    { config: { permission: 'org:read' }, schema: { tags: ['org'], response: { 200: Type.Object({ items: Type.Array(Position) }), ...Responses } } },
    async (request) => listPositions(ctxOf(app, request)),
  );

  app.post(
    '/api/v1/positions',
    { config: { permission: 'org:write' }, schema: { tags: ['org'], body: CreatePositionBody, response: { 201: Position, ...Responses } } },
    async (request, reply) => reply.status(201).send(await createPosition(ctxOf(app, request), request.body)),
  );

  app.patch(
    '/api/v1/positions/:id',
    { config: { permission: 'org:write' }, schema: { tags: ['org'], params: IdParams, body: UpdatePositionBody, response: { 200: Position, ...Responses } } },
    async (request) => {
      const { version, ...rest } = request.body;
      return updatePosition(ctxOf(app, request), { ...rest, id: request.params.id, version: expectedVersion(request, version) });
    },
  );

  // ---- People ----
  app.get(
    '/api/v1/people',
    { config: { permission: 'people:read' }, schema: { tags: ['people'], querystring: PeopleQuery, response: { 200: Page(Person), ...Responses } } },
    async (request) => listPeople(ctxOf(app, request), { ...request.query, limit: request.query.limit ?? 50 }),
  );

  app.get(
    '/api/v1/people/export.xlsx',
    { config: { permission: 'people:read' }, schema: { tags: ['people'], querystring: PeopleExportQuery, response: { 200: XlsxFile, ...Responses } } },
    async (request, reply) => {
      const { stream, fileName } = await exportPeople(ctxOf(app, request), request.query);
      return reply.type(XLSX_MIME).header('content-disposition', attachment(fileName)).header('cache-control', 'no-store').send(stream);
    },
  );

  app.get(
    '/api/v1/people/:id',
    { config: { permission: 'people:read' }, schema: { tags: ['people'], params: IdParams, response: { 200: Person, ...Responses } } },
    async (request) => getPerson(ctxOf(app, request), request.params.id),
  );

  app.post(
    '/api/v1/people',
    { config: { permission: 'people:write' }, schema: { tags: ['people'], body: CreatePersonBody, response: { 201: Person, ...Responses } } },
    async (request, reply) => reply.status(201).send(await createPerson(ctxOf(app, request), { ...request.body, kind: request.body.kind ?? 'employee' })),
  );

  app.patch(
    '/api/v1/people/:id',
    { config: { permission: 'people:write' }, schema: { tags: ['people'], params: IdParams, body: UpdatePersonBody, response: { 200: Person, ...Responses } } },
    async (request) => {
      const { version, ...rest } = request.body;
      return updatePerson(ctxOf(app, request), { ...rest, id: request.params.id, version: expectedVersion(request, version) });
    },
  );

  // ---- Excel import ----
  app.get(
    '/api/v1/import/people-template.xlsx',
    { config: { permission: 'people:import' }, schema: { tags: ['people'], response: { 200: XlsxFile, ...Responses } } },
    async (request, reply) => {
      const { stream, fileName } = peopleTemplate(ctxOf(app, request));
      return reply.type(XLSX_MIME).header('content-disposition', attachment(fileName)).send(stream);
    },
  );

  app.post(
    '/api/v1/import/people',
    {
      config: { permission: 'people:import' },
      schema: {
        tags: ['people'],
        description: `multipart/form-data with one .xlsx file in the field "file" (at most ${MAX_IMPORT_BYTES / 1024 / 1024} MB). 422 import_failed lists rowErrors and writes nothing.`,
        querystring: ImportQuery,
        response: { 200: ImportResult, ...Responses },
      },
    },
    async (request) => {
      const { buffer, fileName } = await readUploadedFile(request, MAX_IMPORT_BYTES);
      return importPeople(ctxOf(app, request), { file: buffer, fileName, dryRun: request.query.dryRun ?? false });
    },
  );
};
