import { Type, type FastifyPluginAsyncTypebox, type Static, type TSchema } from '@fastify/type-provider-typebox';
import { ctxOf } from '../../platform/http/app.ts';
import { IdParams, Page, PageQuery, Problem, ProblemResponses, Uuid, VersionField } from '../../platform/http/schemas.ts';
import { expectedVersion } from '../../platform/http/version.ts';
import { raiseFindingHazards } from './findings.ts';
// Registers the daily generation and the missed-task sweep with the job runner.
import './jobs.ts';
import { inspectionCalendar, inspectionRates } from './oversight.ts';
import { scanTaskCheckpoint, submitTaskResults } from './perform.ts';
import './permissions.ts';
import { createPlan, getPlan, listPlans, syncMeasurePlans, updatePlan } from './plans.ts';
import { checkTypes, cycleUnits, dayTypes, itemKinds, planSources, taskStatuses } from './schema.ts';
import { getTask, listTasks, measureHistory, openTasksAtCheckpoint } from './tasks.ts';
import { createTemplate, getTemplate, listTemplates, updateTemplate } from './templates.ts';
import { createRoute, listRoutes, updateRoute } from './walks.ts';
import { listWorkCalendar, removeWorkCalendarDay, setWorkCalendarDay } from './workCalendar.ts';

/**
 * Inspections (/api/v1/inspections), issue 5: checklist templates, routes, plans, tasks and doing a check
 * (scan → checklist → failed item → hazard), oversight rates and the check calendar. Importing this file
 * registers the permissions and the job handlers; `src/server.ts` registers the plugin.
 */

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const Text = (max: number, min = 0) => Type.String({ minLength: min, maxLength: max });
const Day = Type.String({ maxLength: 10, pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'calendar day YYYY-MM-DD in the company time zone' });
const Time = Type.String({ format: 'date-time' });
const Enum = <T extends string>(values: readonly T[]) => Type.Unsafe<T>({ type: 'string', enum: [...values] });
const Responses = { ...ProblemResponses, 428: Problem };
const tags = ['inspections'];

// ---- shapes ----

export const CalendarDayT = Type.Object({ day: Type.String(), kind: Type.Union([Type.Literal('holiday'), Type.Literal('workday')]), name: Type.String() });
export type CalendarDayT = Static<typeof CalendarDayT>;
export const WorkCalendarT = Type.Object({ year: Type.Integer(), days: Type.Array(CalendarDayT) });
export type WorkCalendarT = Static<typeof WorkCalendarT>;
const CalendarDayBody = Type.Object({ kind: Type.Union([Type.Literal('holiday'), Type.Literal('workday')], { description: 'holiday: a weekday off; workday: a weekend day worked (调休)' }), name: Text(50, 1) }, { additionalProperties: false });
const DayParams = Type.Object({ day: Day });

const ItemT = Type.Object({
  key: Type.String({ maxLength: 40, pattern: '^[a-z][a-z0-9_]*$' }),
  label: Text(200, 1),
  kind: Enum(itemKinds),
  required: Type.Boolean(),
  min: Type.Optional(Nullable(Type.Number({ minimum: -1e12, maximum: 1e12 }))),
  max: Type.Optional(Nullable(Type.Number({ minimum: -1e12, maximum: 1e12 }))),
  unit: Type.Optional(Nullable(Text(20))),
  photoRequired: Type.Optional(Type.Boolean()),
  allowNa: Type.Optional(Type.Boolean()),
  hint: Type.Optional(Nullable(Text(500))),
});

export const TemplateT = Type.Object({
  id: Type.String(),
  name: Type.String(),
  description: Nullable(Type.String()),
  isDefault: Type.Boolean(),
  archived: Type.Boolean(),
  currentVersionNo: Type.Integer(),
  items: Type.Array(ItemT),
  createdAt: Time,
  updatedAt: Time,
  version: Type.Integer(),
});
export type TemplateT = Static<typeof TemplateT>;

const TemplateBody = Type.Object({ name: Text(100, 1), description: Type.Optional(Nullable(Text(1000))), items: Type.Array(ItemT, { minItems: 1, maxItems: 100 }) }, { additionalProperties: false });
const TemplatePatchBody = Type.Object(
  { name: Type.Optional(Text(100, 1)), description: Type.Optional(Nullable(Text(1000))), items: Type.Optional(Type.Array(ItemT, { minItems: 1, maxItems: 100 })), archived: Type.Optional(Type.Boolean()), ...VersionField },
  { additionalProperties: false, description: 'Changed items write the next template version; tasks already planned keep theirs.' },
);

export const RouteT = Type.Object({ id: Type.String(), name: Type.String(), orgUnitId: Nullable(Type.String()), checkpoints: Type.Array(Type.Object({ id: Type.String(), name: Type.String() })), archived: Type.Boolean(), version: Type.Integer() });
export type RouteT = Static<typeof RouteT>;
const RouteBody = Type.Object({ name: Text(100, 1), orgUnitId: Type.Optional(Nullable(Uuid)), checkpointIds: Type.Array(Uuid, { minItems: 1, maxItems: 100 }) }, { additionalProperties: false });
const RoutePatchBody = Type.Object({ name: Type.Optional(Text(100, 1)), orgUnitId: Type.Optional(Nullable(Uuid)), checkpointIds: Type.Optional(Type.Array(Uuid, { minItems: 1, maxItems: 100 })), archived: Type.Optional(Type.Boolean()), ...VersionField }, { additionalProperties: false });

export const PlanT = Type.Object({
  id: Type.String(),
  name: Type.String(),
  source: Enum(planSources),
  controlMeasureId: Nullable(Type.String()),
  checkType: Enum(checkTypes),
  cycleUnit: Enum(cycleUnits),
  cycleInterval: Type.Integer(),
  dayType: Enum(dayTypes),
  orgUnitId: Nullable(Type.String()),
  orgUnitName: Nullable(Type.String()),
  assigneePersonId: Nullable(Type.String()),
  assigneePersonName: Nullable(Type.String()),
  assigneePositionId: Nullable(Type.String()),
  routeId: Nullable(Type.String()),
  checkpointId: Nullable(Type.String()),
  templateId: Type.String(),
  startsOn: Type.String(),
  endsOn: Nullable(Type.String()),
  generatedUntil: Nullable(Type.String()),
  active: Type.Boolean(),
  notes: Nullable(Type.String()),
  version: Type.Integer(),
});
export type PlanT = Static<typeof PlanT>;

const planFields = {
  name: Text(200, 1),
  checkType: Enum(checkTypes),
  cycleUnit: Enum(cycleUnits),
  cycleInterval: Type.Integer({ minimum: 1, maximum: 366 }),
  dayType: Enum(dayTypes),
  orgUnitId: Uuid,
  assigneePersonId: Type.Optional(Nullable(Uuid)),
  assigneePositionId: Type.Optional(Nullable(Uuid)),
  routeId: Type.Optional(Nullable(Uuid)),
  checkpointId: Type.Optional(Nullable(Uuid)),
  templateId: Uuid,
  startsOn: Type.Optional(Nullable(Day)),
  endsOn: Type.Optional(Nullable(Day)),
  notes: Type.Optional(Nullable(Text(1000))),
};
const PlanBody = Type.Object(planFields, { additionalProperties: false, description: 'A plan made by hand (seasonal, holiday, specialist checks…): a route or a single checkpoint (or neither: 现场确认 without a scan).' });
const PlanPatchBody = Type.Object(
  {
    name: Type.Optional(planFields.name),
    checkType: Type.Optional(planFields.checkType),
    cycleUnit: Type.Optional(planFields.cycleUnit),
    cycleInterval: Type.Optional(planFields.cycleInterval),
    dayType: Type.Optional(planFields.dayType),
    orgUnitId: Type.Optional(Uuid),
    assigneePersonId: planFields.assigneePersonId,
    assigneePositionId: planFields.assigneePositionId,
    routeId: planFields.routeId,
    checkpointId: planFields.checkpointId,
    templateId: Type.Optional(Uuid),
    startsOn: Type.Optional(Day),
    endsOn: planFields.endsOn,
    active: Type.Optional(Type.Boolean()),
    notes: planFields.notes,
    ...VersionField,
  },
  { additionalProperties: false, description: 'A control measure’s plan takes its cycle, unit and assignee from the measure; set its checkpoint, route, template or check type here.' },
);
const PlanListQuery = Type.Object({ source: Type.Optional(Enum(planSources)), active: Type.Optional(Type.Boolean()), ...PageQuery }, { additionalProperties: false });

const StopT = Type.Object({ index: Type.Integer(), checkpointId: Nullable(Type.String()), name: Type.String(), scannedAt: Nullable(Type.String()), submittedAt: Nullable(Type.String()) });
const taskListFields = {
  id: Type.String(),
  planId: Type.String(),
  planName: Type.String(),
  checkType: Type.String(),
  windowStart: Time,
  windowEnd: Time,
  status: Enum(taskStatuses),
  assigneePersonId: Nullable(Type.String()),
  assigneeName: Nullable(Type.String()),
  orgUnitId: Nullable(Type.String()),
  orgUnitName: Nullable(Type.String()),
  controlMeasureId: Nullable(Type.String()),
  stops: Type.Array(StopT),
  startedAt: Nullable(Type.String()),
  doneAt: Nullable(Type.String()),
  onTime: Nullable(Type.Boolean()),
  failedCount: Type.Integer(),
  version: Type.Integer(),
};
export const TaskListItemT = Type.Object(taskListFields);
export type TaskListItemT = Static<typeof TaskListItemT>;

export const TaskDetailT = Type.Object({
  ...taskListFields,
  templateName: Type.String(),
  templateVersionNo: Type.Integer(),
  items: Type.Array(ItemT),
  measure: Nullable(Type.Object({ id: Type.String(), description: Type.String(), troubleshootContent: Type.String(), eventName: Type.String(), unitName: Type.String() })),
  results: Type.Array(
    Type.Object({
      stop: Type.Integer(),
      itemKey: Type.String(),
      value: Nullable(Type.String()),
      reading: Nullable(Type.Number()),
      passed: Nullable(Type.Boolean()),
      photoIds: Type.Array(Type.String()),
      signatureFileId: Nullable(Type.String()),
      remark: Nullable(Type.String()),
      submittedAt: Type.String(),
    }),
  ),
  findings: Type.Array(Type.Object({ stop: Type.Integer(), itemKey: Type.String(), hazardId: Nullable(Type.String()), hazardNumber: Nullable(Type.String()), error: Nullable(Type.String()) })),
  canPerform: Type.Boolean(),
});
export type TaskDetailT = Static<typeof TaskDetailT>;

const TaskListQuery = Type.Object(
  {
    mine: Type.Optional(Type.Boolean()),
    today: Type.Optional(Type.Boolean({ description: 'today in the company time zone' })),
    day: Type.Optional(Day),
    from: Type.Optional(Day),
    to: Type.Optional(Day),
    status: Type.Optional(Enum(taskStatuses)),
    planId: Type.Optional(Uuid),
    controlMeasureId: Type.Optional(Uuid),
    ...PageQuery,
  },
  { additionalProperties: false },
);

const ScanBody = Type.Object(
  {
    code: Type.Optional(Text(100, 1)),
    lat: Type.Optional(Type.Number({ minimum: -90, maximum: 90 })),
    lng: Type.Optional(Type.Number({ minimum: -180, maximum: 180 })),
    accuracy: Type.Optional(Type.Number({ minimum: 0, maximum: 100000 })),
    stop: Type.Optional(Type.Integer({ minimum: 0, maximum: 99 })),
  },
  { additionalProperties: false, description: 'The code read from the checkpoint’s QR label (after # in /s#<code>); another checkpoint’s code is refused (checkpoint_mismatch, 422).' },
);

const ResultBody = Type.Object(
  {
    itemKey: Type.String({ maxLength: 40 }),
    value: Type.Optional(Nullable(Type.String({ maxLength: 2000 }))),
    reading: Type.Optional(Nullable(Type.Number({ minimum: -1e12, maximum: 1e12 }))),
    text: Type.Optional(Nullable(Type.String({ maxLength: 2000 }))),
    photoIds: Type.Optional(Type.Array(Uuid, { maxItems: 9 })),
    signatureFileId: Type.Optional(Nullable(Uuid)),
    remark: Type.Optional(Nullable(Type.String({ maxLength: 1000 }))),
  },
  { additionalProperties: false },
);
const SubmitBody = Type.Object(
  { stop: Type.Optional(Type.Integer({ minimum: 0, maximum: 99 })), results: Type.Array(ResultBody, { maxItems: 100 }), ...VersionField },
  { additionalProperties: false, description: 'Answers of one stop; version is the task’s (If-Match or body). Send an Idempotency-Key: a replay is answered once.' },
);

const RateRowT = Type.Object({
  key: Nullable(Type.String()),
  name: Nullable(Type.String()),
  total: Type.Integer(),
  done: Type.Integer(),
  onTime: Type.Integer(),
  missed: Type.Integer(),
  open: Type.Integer(),
  completionRate: Nullable(Type.Number()),
  onTimeRate: Nullable(Type.Number()),
});
export const RatesT = Type.Object({ from: Type.String(), to: Type.String(), overall: RateRowT, byDepartment: Type.Array(RateRowT), byPerson: Type.Array(RateRowT), byRoute: Type.Array(RateRowT) });
export type RatesT = Static<typeof RatesT>;
export const CalendarT = Type.Object({
  month: Type.String(),
  days: Type.Array(Type.Object({ day: Type.String(), total: Type.Integer(), planned: Type.Integer(), inProgress: Type.Integer(), done: Type.Integer(), missed: Type.Integer() })),
});
export type CalendarT = Static<typeof CalendarT>;
export const HistoryT = Type.Object({
  measure: Nullable(Type.Object({ id: Type.String(), description: Type.String(), eventName: Type.String(), unitName: Type.String() })),
  items: Type.Array(TaskListItemT),
  findings: Type.Array(Type.Object({ taskId: Type.String(), hazardId: Nullable(Type.String()), hazardNumber: Nullable(Type.String()) })),
});
export type HistoryT = Static<typeof HistoryT>;

export const inspectionRoutesPlugin: FastifyPluginAsyncTypebox = async (app) => {
  const base = '/api/v1/inspections';

  // ---- templates ----
  app.get(`${base}/templates`, { config: { permission: 'inspection:read' }, schema: { tags, querystring: Type.Object({ includeArchived: Type.Optional(Type.Boolean()) }, { additionalProperties: false }), response: { 200: Type.Object({ items: Type.Array(TemplateT) }), ...Responses } } }, async (request) =>
    listTemplates(ctxOf(app, request), request.query),
  );
  app.post(`${base}/templates`, { config: { permission: 'inspection:plan' }, schema: { tags, body: TemplateBody, response: { 201: TemplateT, ...Responses } } }, async (request, reply) => reply.status(201).send(await createTemplate(ctxOf(app, request), request.body)));
  app.get(`${base}/templates/:id`, { config: { permission: 'inspection:read' }, schema: { tags, params: IdParams, response: { 200: TemplateT, ...Responses } } }, async (request) => getTemplate(ctxOf(app, request), request.params.id));
  app.patch(`${base}/templates/:id`, { config: { permission: 'inspection:plan' }, schema: { tags, params: IdParams, body: TemplatePatchBody, response: { 200: TemplateT, ...Responses } } }, async (request) => {
    const { version, ...patch } = request.body;
    return updateTemplate(ctxOf(app, request), request.params.id, patch, expectedVersion(request, version));
  });

  // ---- routes (巡检路线) ----
  app.get(`${base}/routes`, { config: { permission: 'inspection:read' }, schema: { tags, response: { 200: Type.Object({ items: Type.Array(RouteT) }), ...Responses } } }, async (request) => listRoutes(ctxOf(app, request)));
  app.post(`${base}/routes`, { config: { permission: 'inspection:plan' }, schema: { tags, body: RouteBody, response: { 201: RouteT, ...Responses } } }, async (request, reply) => reply.status(201).send(await createRoute(ctxOf(app, request), request.body)));
  app.patch(`${base}/routes/:id`, { config: { permission: 'inspection:plan' }, schema: { tags, params: IdParams, body: RoutePatchBody, response: { 200: RouteT, ...Responses } } }, async (request) => {
    const { version, ...patch } = request.body;
    return updateRoute(ctxOf(app, request), request.params.id, patch, expectedVersion(request, version));
  });

  // ---- plans ----
  app.get(`${base}/plans`, { config: { permission: 'inspection:read' }, schema: { tags, querystring: PlanListQuery, response: { 200: Page(PlanT), ...Responses } } }, async (request) => {
    const { cursor, limit, ...q } = request.query;
    return listPlans(ctxOf(app, request), { ...q, limit: limit ?? 50, ...(cursor ? { afterId: cursor } : {}) });
  });
  app.post(`${base}/plans`, { config: { permission: 'inspection:plan' }, schema: { tags, body: PlanBody, response: { 201: PlanT, ...Responses } } }, async (request, reply) => reply.status(201).send(await createPlan(ctxOf(app, request), request.body)));
  app.post(
    `${base}/plans/sync`,
    { config: { permission: 'inspection:plan' }, schema: { tags, description: 'One plan per active control measure (its check cycle, for the post or person responsible), then tasks over the horizon. The daily job does the same.', response: { 200: Type.Object({ created: Type.Integer(), updated: Type.Integer(), deactivated: Type.Integer(), tasksCreated: Type.Integer() }), ...Responses } } },
    async (request) => syncMeasurePlans(ctxOf(app, request)),
  );
  app.get(`${base}/plans/:id`, { config: { permission: 'inspection:read' }, schema: { tags, params: IdParams, response: { 200: PlanT, ...Responses } } }, async (request) => getPlan(ctxOf(app, request), request.params.id));
  app.patch(`${base}/plans/:id`, { config: { permission: 'inspection:plan' }, schema: { tags, params: IdParams, body: PlanPatchBody, response: { 200: PlanT, ...Responses } } }, async (request) => {
    const { version, ...patch } = request.body;
    return updatePlan(ctxOf(app, request), request.params.id, patch, expectedVersion(request, version));
  });

  // ---- tasks ----
  app.get(`${base}/tasks`, { config: { permission: 'inspection:read' }, schema: { tags, description: 'Tasks in the caller’s scope; mine=true for the caller’s own (or their post’s), day for one day.', querystring: TaskListQuery, response: { 200: Page(TaskListItemT), ...Responses } } }, async (request) =>
    listTasks(ctxOf(app, request), { ...request.query, limit: request.query.limit ?? 50 }),
  );
  app.get(
    `${base}/tasks/at-checkpoint/:id`,
    { config: { permission: 'inspection:read' }, schema: { tags, description: 'The caller’s open tasks with a stop at this checkpoint whose window has begun (the scan page offers to start one).', params: IdParams, response: { 200: Type.Object({ items: Type.Array(TaskListItemT) }), ...Responses } } },
    async (request) => openTasksAtCheckpoint(ctxOf(app, request), request.params.id),
  );
  app.get(`${base}/tasks/:id`, { config: { permission: 'inspection:read' }, schema: { tags, params: IdParams, response: { 200: TaskDetailT, ...Responses } } }, async (request) => getTask(ctxOf(app, request), request.params.id));
  app.post(`${base}/tasks/:id/scan`, { config: { permission: 'inspection:perform' }, schema: { tags, params: IdParams, body: ScanBody, response: { 200: TaskDetailT, ...Responses } } }, async (request) => scanTaskCheckpoint(ctxOf(app, request), request.params.id, request.body));
  app.post(`${base}/tasks/:id/results`, { config: { permission: 'inspection:perform' }, schema: { tags, params: IdParams, body: SubmitBody, response: { 200: TaskDetailT, ...Responses } } }, async (request) => {
    const { version, ...input } = request.body;
    return submitTaskResults(ctxOf(app, request), request.params.id, { ...input, version: expectedVersion(request, version) });
  });
  app.post(
    `${base}/tasks/:id/findings/raise`,
    { config: { permission: 'inspection:perform' }, schema: { tags, description: 'Raises the hazards of failed items that are not linked yet (after a failure); never a second one.', params: IdParams, response: { 200: TaskDetailT, ...Responses } } },
    async (request) => {
      const ctx = ctxOf(app, request);
      await getTask(ctx, request.params.id);
      await raiseFindingHazards(ctx, request.params.id);
      return getTask(ctx, request.params.id);
    },
  );

  // ---- oversight ----
  app.get(`${base}/measures/:id/history`, { config: { permission: 'inspection:read' }, schema: { tags, params: IdParams, querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })) }, { additionalProperties: false }), response: { 200: HistoryT, ...Responses } } }, async (request) =>
    measureHistory(ctxOf(app, request), request.params.id, request.query.limit ?? 50),
  );
  app.get(`${base}/oversight/rates`, { config: { permission: 'inspection:oversee' }, schema: { tags, querystring: Type.Object({ from: Day, to: Day }, { additionalProperties: false }), response: { 200: RatesT, ...Responses } } }, async (request) => inspectionRates(ctxOf(app, request), request.query));
  app.get(`${base}/oversight/calendar`, { config: { permission: 'inspection:oversee' }, schema: { tags, querystring: Type.Object({ month: Type.String({ maxLength: 7, pattern: '^\\d{4}-\\d{2}$' }) }, { additionalProperties: false }), response: { 200: CalendarT, ...Responses } } }, async (request) =>
    inspectionCalendar(ctxOf(app, request), request.query),
  );

  // ---- work-day calendar (holidays, make-up work days) ----
  app.get(`${base}/work-calendar`, { config: { permission: 'inspection:read' }, schema: { tags, description: 'The company’s exceptions to the Monday–Friday week in one year: public holidays on weekdays and make-up work days (调休) on weekends.', querystring: Type.Object({ year: Type.Integer({ minimum: 2000, maximum: 2100 }) }, { additionalProperties: false }), response: { 200: WorkCalendarT, ...Responses } } }, async (request) =>
    listWorkCalendar(ctxOf(app, request), request.query),
  );
  app.put(`${base}/work-calendar/:day`, { config: { permission: 'inspection:calendar' }, schema: { tags, description: 'Sets one day’s exception; work-day plans follow it from the next generation on.', params: DayParams, body: CalendarDayBody, response: { 200: CalendarDayT, ...Responses } } }, async (request) =>
    setWorkCalendarDay(ctxOf(app, request), request.params.day, request.body),
  );
  app.delete(`${base}/work-calendar/:day`, { config: { permission: 'inspection:calendar' }, schema: { tags, params: DayParams, response: { 204: Type.Null(), ...Responses } } }, async (request, reply) => {
    await removeWorkCalendarDay(ctxOf(app, request), request.params.day);
    return reply.status(204).send(null);
  });
};
