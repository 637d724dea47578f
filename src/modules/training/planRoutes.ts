import { Type, type FastifyPluginAsyncTypebox, type Static, type TSchema } from '@fastify/type-provider-typebox';
import { ctxOf, withUploads } from '../../platform/http/app.ts';
import { IdParams, ProblemResponses, Uuid, VersionField } from '../../platform/http/schemas.ts';
import { readUploadedFile } from '../../platform/http/upload.ts';
import { expectedVersion } from '../../platform/http/version.ts';
import { cellStates, createMatrixRequirement, listMatrixRequirements, personGaps, trainingMatrix, updateMatrixRequirement } from './matrix.ts';
import { addPlanItem, createPlan, exportPlansExcel, getPlan, itemStates, listPlans, updatePlan, updatePlanItem } from './plans.ts';
import { exportQuestionsExcel, importQuestions, MAX_QUESTION_IMPORT_BYTES, questionTemplate } from './questionExcel.ts';
import { XLSX_MIME } from './recordExports.ts';
import { matrixKinds, planItemStatuses, planStatuses } from './schema.ts';
import { trainingOverview } from './statistics.ts';

/**
 * Training plans, the required-training matrix, the yearly statistics and the question-bank Excel
 * import/export (issue 7). The import route sits in its own scope with the multipart parser.
 */

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const Text = (max: number, min = 0) => Type.String({ minLength: min, maxLength: max });
const Enum = <T extends string>(values: readonly T[]) => Type.Enum(Object.fromEntries(values.map((v) => [v, v])) as Record<T, T>);
const Month = Type.Integer({ minimum: 1, maximum: 12 });
const Year = Type.Integer({ minimum: 2000, maximum: 2100 });
const XlsxFile = Type.Unsafe<unknown>({ type: 'string', format: 'binary', description: XLSX_MIME });
const tags = ['training'];

// ---- plans ----

export const PlanItemT = Type.Object({
  id: Type.String(),
  planId: Type.String(),
  courseId: Nullable(Type.String()),
  courseTitle: Nullable(Type.String()),
  topic: Type.String(),
  orgUnitId: Nullable(Type.String()),
  orgUnitName: Nullable(Type.String()),
  positionIds: Type.Array(Type.String()),
  positionNames: Type.Array(Type.String()),
  plannedMonth: Type.Integer(),
  hours: Type.Integer(),
  trainer: Nullable(Type.String()),
  status: Enum(planItemStatuses),
  state: Enum(itemStates),
  targetPeople: Type.Integer(),
  completedPeople: Type.Integer(),
  percent: Type.Integer(),
  version: Type.Integer(),
});
export type PlanItemT = Static<typeof PlanItemT>;

const planProps = {
  id: Type.String(),
  year: Type.Integer(),
  month: Nullable(Type.Integer()),
  title: Type.String(),
  orgUnitId: Nullable(Type.String()),
  orgUnitName: Nullable(Type.String()),
  status: Enum(planStatuses),
  notes: Nullable(Type.String()),
  items: Type.Integer(),
  completedItems: Type.Integer(),
  targetPeople: Type.Integer(),
  completedPeople: Type.Integer(),
  percent: Type.Integer(),
  plannedHours: Type.Integer(),
  version: Type.Integer(),
};
export const PlanT = Type.Object(planProps);
export type PlanT = Static<typeof PlanT>;
export const PlanDetailT = Type.Object({ ...planProps, lines: Type.Array(PlanItemT) });
export type PlanDetailT = Static<typeof PlanDetailT>;

const PlanQuery = Type.Object({ year: Type.Optional(Year), month: Type.Optional(Month), departmentId: Type.Optional(Uuid) }, { additionalProperties: false });
export const NewPlanBody = Type.Object({ year: Year, month: Type.Optional(Nullable(Month)), title: Text(200, 1), orgUnitId: Uuid, notes: Type.Optional(Nullable(Text(2000))) }, { additionalProperties: false });
export type NewPlanBody = Static<typeof NewPlanBody>;
const PlanPatchBody = Type.Object({ title: Type.Optional(Text(200, 1)), notes: Type.Optional(Nullable(Text(2000))), status: Type.Optional(Enum(planStatuses)), ...VersionField }, { additionalProperties: false });
const itemFields = {
  courseId: Type.Optional(Nullable(Uuid)),
  topic: Type.Optional(Nullable(Text(200))),
  orgUnitId: Type.Optional(Nullable(Uuid)),
  positionIds: Type.Optional(Type.Array(Uuid, { maxItems: 50 })),
  trainer: Type.Optional(Nullable(Text(100))),
};
export const NewPlanItemBody = Type.Object({ ...itemFields, plannedMonth: Month, hours: Type.Integer({ minimum: 0, maximum: 500 }) }, { additionalProperties: false });
export type NewPlanItemBody = Static<typeof NewPlanItemBody>;
const PlanItemPatchBody = Type.Object({ ...itemFields, plannedMonth: Type.Optional(Month), hours: Type.Optional(Type.Integer({ minimum: 0, maximum: 500 })), status: Type.Optional(Enum(planItemStatuses)), ...VersionField }, { additionalProperties: false });
const ItemParams = Type.Object({ id: Uuid, itemId: Uuid }, { additionalProperties: false });

// ---- matrix ----

export const MatrixRequirementT = Type.Object({
  id: Type.String(),
  positionId: Type.String(),
  positionName: Type.String(),
  kind: Enum(matrixKinds),
  courseId: Nullable(Type.String()),
  typeId: Nullable(Type.String()),
  categories: Type.Array(Type.String()),
  validMonths: Nullable(Type.Integer()),
  gates: Type.Array(Type.String()),
  label: Type.String(),
  note: Nullable(Type.String()),
  active: Type.Boolean(),
  version: Type.Integer(),
});
export type MatrixRequirementT = Static<typeof MatrixRequirementT>;
const CellT = Type.Object({ requirementId: Type.String(), state: Enum(cellStates), until: Nullable(Type.String()), certificateId: Nullable(Type.String()) });
export const MatrixT = Type.Object({
  checkedOn: Type.String(),
  requirements: Type.Array(MatrixRequirementT),
  people: Type.Array(
    Type.Object({ personId: Type.String(), name: Type.String(), employeeNo: Type.String(), orgUnitId: Nullable(Type.String()), orgUnitName: Nullable(Type.String()), positionId: Type.String(), positionName: Type.String(), cells: Type.Array(CellT), gaps: Type.Integer() }),
  ),
  summary: Type.Object({ people: Type.Integer(), withGaps: Type.Integer(), gaps: Type.Integer() }),
});
export type MatrixT = Static<typeof MatrixT>;
const MatrixQuery = Type.Object({ departmentId: Type.Optional(Uuid), positionId: Type.Optional(Uuid), gapsOnly: Type.Optional(Type.Boolean()) }, { additionalProperties: false });
const Gate = Type.String({ minLength: 3, maxLength: 120, description: 'a qualification target this row also decides, e.g. operation:hot_work' });
export const NewMatrixBody = Type.Object(
  {
    positionId: Uuid,
    kind: Enum(matrixKinds),
    courseId: Type.Optional(Nullable(Uuid)),
    typeId: Type.Optional(Nullable(Uuid)),
    categories: Type.Optional(Type.Array(Text(40, 1), { maxItems: 20 })),
    validMonths: Type.Optional(Nullable(Type.Integer({ minimum: 1, maximum: 120 }))),
    gates: Type.Optional(Type.Array(Gate, { maxItems: 20 })),
    note: Type.Optional(Nullable(Text(500))),
  },
  { additionalProperties: false },
);
export type NewMatrixBody = Static<typeof NewMatrixBody>;
const MatrixPatchBody = Type.Object(
  { categories: Type.Optional(Type.Array(Text(40, 1), { maxItems: 20 })), validMonths: Type.Optional(Nullable(Type.Integer({ minimum: 1, maximum: 120 }))), gates: Type.Optional(Type.Array(Gate, { maxItems: 20 })), note: Type.Optional(Nullable(Text(500))), active: Type.Optional(Type.Boolean()), ...VersionField },
  { additionalProperties: false },
);
export const PersonGapsT = Type.Object({ personId: Type.String(), checkedOn: Type.String(), items: Type.Array(Type.Object({ ...CellT.properties, label: Type.String(), kind: Enum(matrixKinds) })) });
export type PersonGapsT = Static<typeof PersonGapsT>;

// ---- statistics ----

export const OverviewT = Type.Object({
  year: Type.Integer(),
  checkedOn: Type.String(),
  items: Type.Array(
    Type.Object({ orgUnitId: Type.String(), orgUnitName: Type.String(), people: Type.Integer(), required: Type.Integer(), compliant: Type.Integer(), coverage: Type.Integer(), trained: Type.Integer(), hours: Type.Integer(), monthlyHours: Type.Array(Type.Integer()) }),
  ),
});
export type OverviewT = Static<typeof OverviewT>;

export const QuestionImportResultT = Type.Object({ ok: Type.Literal(true), dryRun: Type.Boolean(), created: Type.Integer(), updated: Type.Integer(), unchanged: Type.Integer() });
export type QuestionImportResultT = Static<typeof QuestionImportResultT>;

const questionImportRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/api/v1/training/questions/import',
    {
      config: { permission: 'training:write' },
      schema: {
        tags,
        description: `multipart/form-data with one .xlsx file in the field "file" (at most ${MAX_QUESTION_IMPORT_BYTES / 1024 / 1024} MB, sheet 题库). All or nothing: 422 import_failed lists rowErrors and writes nothing. Rows with a known 编号 update that question.`,
        querystring: Type.Object({ dryRun: Type.Optional(Type.Boolean()) }, { additionalProperties: false }),
        response: { 200: QuestionImportResultT, ...ProblemResponses },
      },
    },
    async (request) => {
      const { buffer } = await readUploadedFile(request, MAX_QUESTION_IMPORT_BYTES);
      return importQuestions(ctxOf(app, request), { file: buffer, dryRun: request.query.dryRun ?? false });
    },
  );
};

export const planRoutes: FastifyPluginAsyncTypebox = async (app) => {
  await app.register(withUploads(questionImportRoutes));

  // ---- plans ----
  app.get('/api/v1/training/plans', { config: { permission: 'training:read' }, schema: { tags, description: 'Yearly and monthly plans in scope with computed completion.', querystring: PlanQuery, response: { 200: Type.Object({ items: Type.Array(PlanT) }), ...ProblemResponses } } }, async (request) =>
    listPlans(ctxOf(app, request), request.query),
  );
  app.get('/api/v1/training/plans.xlsx', { config: { permission: 'training:read' }, schema: { tags, description: 'Plans of a year in scope with every item and its completion.', querystring: Type.Object({ year: Year, departmentId: Type.Optional(Uuid) }, { additionalProperties: false }), response: { 200: XlsxFile, ...ProblemResponses } } }, async (request, reply) => {
    const buf = await exportPlansExcel(ctxOf(app, request), request.query);
    return reply.type(XLSX_MIME).header('content-disposition', `attachment; filename="training-plans-${request.query.year}.xlsx"`).send(buf);
  });
  app.post('/api/v1/training/plans', { config: { permission: 'training:write' }, schema: { tags, body: NewPlanBody, response: { 201: PlanDetailT, ...ProblemResponses } } }, async (request, reply) => reply.status(201).send(await createPlan(ctxOf(app, request), request.body)));
  app.get('/api/v1/training/plans/:id', { config: { permission: 'training:read' }, schema: { tags, params: IdParams, response: { 200: PlanDetailT, ...ProblemResponses } } }, async (request) => getPlan(ctxOf(app, request), request.params.id));
  app.patch('/api/v1/training/plans/:id', { config: { permission: 'training:write' }, schema: { tags, description: 'Title, notes, status (draft → published → closed).', params: IdParams, body: PlanPatchBody, response: { 200: PlanDetailT, ...ProblemResponses } } }, async (request) => {
    const { version, ...patch } = request.body;
    return updatePlan(ctxOf(app, request), request.params.id, patch, expectedVersion(request, version));
  });
  app.post('/api/v1/training/plans/:id/items', { config: { permission: 'training:write' }, schema: { tags, params: IdParams, body: NewPlanItemBody, response: { 201: PlanItemT, ...ProblemResponses } } }, async (request, reply) => reply.status(201).send(await addPlanItem(ctxOf(app, request), request.params.id, request.body)));
  app.patch('/api/v1/training/plans/:id/items/:itemId', { config: { permission: 'training:write' }, schema: { tags, params: ItemParams, body: PlanItemPatchBody, response: { 200: PlanItemT, ...ProblemResponses } } }, async (request) => {
    const { version, ...patch } = request.body;
    return updatePlanItem(ctxOf(app, request), request.params.id, request.params.itemId, patch, expectedVersion(request, version));
  });

  // ---- the required-training matrix ----
  app.get('/api/v1/training/matrix', { config: { permission: 'training:read' }, schema: { tags, description: 'People (in scope) × the requirements of their position, with gaps.', querystring: MatrixQuery, response: { 200: MatrixT, ...ProblemResponses } } }, async (request) =>
    trainingMatrix(ctxOf(app, request), request.query),
  );
  app.get('/api/v1/training/matrix/requirements', { config: { permission: 'training:read' }, schema: { tags, response: { 200: Type.Object({ items: Type.Array(MatrixRequirementT) }), ...ProblemResponses } } }, async (request) => listMatrixRequirements(ctxOf(app, request)));
  app.post('/api/v1/training/matrix/requirements', { config: { permission: 'training:configure' }, schema: { tags, body: NewMatrixBody, response: { 201: MatrixRequirementT, ...ProblemResponses } } }, async (request, reply) =>
    reply.status(201).send(await createMatrixRequirement(ctxOf(app, request), request.body)),
  );
  app.patch('/api/v1/training/matrix/requirements/:id', { config: { permission: 'training:configure' }, schema: { tags, params: IdParams, body: MatrixPatchBody, response: { 200: MatrixRequirementT, ...ProblemResponses } } }, async (request) => {
    const { version, ...patch } = request.body;
    return updateMatrixRequirement(ctxOf(app, request), request.params.id, patch, expectedVersion(request, version));
  });
  app.get('/api/v1/training/people/:id/gaps', { config: { authenticated: true }, schema: { tags, description: 'The requirements of the person’s position and which are gaps (own always; others with training:read in scope).', params: IdParams, response: { 200: PersonGapsT, ...ProblemResponses } } }, async (request) =>
    personGaps(ctxOf(app, request), request.params.id),
  );

  // ---- statistics ----
  app.get('/api/v1/training/statistics/overview', { config: { permission: 'training:read' }, schema: { tags, description: 'Per department: matrix coverage (compliant / required people) and training hours per month of the year.', querystring: Type.Object({ year: Year }, { additionalProperties: false }), response: { 200: OverviewT, ...ProblemResponses } } }, async (request) =>
    trainingOverview(ctxOf(app, request), request.query.year),
  );

  // ---- question bank as Excel ----
  app.get('/api/v1/training/questions/template.xlsx', { config: { permission: 'training:write' }, schema: { tags, response: { 200: XlsxFile, ...ProblemResponses } } }, async (request, reply) =>
    reply.type(XLSX_MIME).header('content-disposition', 'attachment; filename="question-template.xlsx"').send(await questionTemplate(ctxOf(app, request))),
  );
  app.get('/api/v1/training/questions.xlsx', { config: { permission: 'training:write' }, schema: { tags, description: 'The whole bank in the import columns.', response: { 200: XlsxFile, ...ProblemResponses } } }, async (request, reply) =>
    reply.type(XLSX_MIME).header('content-disposition', 'attachment; filename="questions.xlsx"').send(await exportQuestionsExcel(ctxOf(app, request))),
  );
};
