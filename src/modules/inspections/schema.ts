import { sql } from 'drizzle-orm';
import { boolean, date, doublePrecision, index, integer, jsonb, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { businessColumns, idColumn, timestamptz } from '../../platform/db/columns.ts';

/**
 * Tables of the inspections module (issue 5): checklist templates with immutable versions, routes of
 * checkpoints, inspection plans (from a control measure or by hand), the tasks they generate, the results
 * per checklist item, and the link from a failed item to the hazard it raised.
 */

export const itemKinds = ['pass_fail', 'number', 'text', 'photo', 'signature'] as const;
export type ItemKind = (typeof itemKinds)[number];

/** One checklist item as a template version froze it. */
export interface TemplateItem {
  /** Stable key within the template (results are stored under it). */
  key: string;
  label: string;
  kind: ItemKind;
  required: boolean;
  /** number: allowed range (inclusive); a reading outside fails the item. */
  min?: number | null;
  max?: number | null;
  unit?: string | null;
  /** Any kind: a photo must be attached. */
  photoRequired?: boolean;
  /** pass_fail: whether N.A. (不适用) may be answered. */
  allowNa?: boolean;
  hint?: string | null;
}

export const planSources = ['control_measure', 'manual'] as const;
export type PlanSource = (typeof planSources)[number];

/** reference §2.5 check types (the hazard sources a check can be, without 管控措施失效 which is the outcome). */
export const checkTypes = ['daily', 'comprehensive', 'specialist', 'seasonal', 'holiday', 'accident_analogy', 'resumption', 'expert', 'other'] as const;
export type CheckType = (typeof checkTypes)[number];

export const cycleUnits = ['shift', 'hour', 'day', 'week', 'month', 'quarter', 'year'] as const;
export type CycleUnit = (typeof cycleUnits)[number];

/** 工作日 / 非工作日 / 每天 (reference §2.1 workDayType); only day-or-shorter cycles look at it. */
export const dayTypes = ['workdays', 'non_workdays', 'every_day'] as const;
export type DayType = (typeof dayTypes)[number];

export const taskStatuses = ['planned', 'in_progress', 'done', 'missed'] as const;
export type TaskStatus = (typeof taskStatuses)[number];

/** A checklist template; its items live in versions so tasks keep the version they were planned with. */
export const inspectionTemplates = pgTable(
  'inspection_templates',
  {
    id: idColumn(),
    ...businessColumns(),
    name: text('name').notNull(),
    description: text('description'),
    currentVersionNo: integer('current_version_no').notNull().default(1),
    /** The tenant's template for plans generated from control measures. */
    isDefault: boolean('is_default').notNull().default(false),
    archivedAt: timestamptz('archived_at'),
  },
  (t) => [index('inspection_templates_tenant').on(t.tenantId, t.name)],
);

/** Never updated: an edit of a template's items writes the next version. */
export const inspectionTemplateVersions = pgTable(
  'inspection_template_versions',
  {
    id: idColumn(),
    tenantId: uuid('tenant_id').notNull(),
    templateId: uuid('template_id').notNull(),
    versionNo: integer('version_no').notNull(),
    items: jsonb('items').$type<TemplateItem[]>().notNull(),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
    createdBy: uuid('created_by'),
  },
  (t) => [uniqueIndex('inspection_template_versions_no').on(t.templateId, t.versionNo)],
);

/** 巡检路线: checkpoints (equipment module) in walking order. */
export const inspectionRoutes = pgTable(
  'inspection_routes',
  {
    id: idColumn(),
    ...businessColumns(),
    name: text('name').notNull(),
    checkpointIds: uuid('checkpoint_ids').array().notNull().default(sql`'{}'::uuid[]`),
    archivedAt: timestamptz('archived_at'),
  },
  (t) => [index('inspection_routes_tenant').on(t.tenantId, t.name)],
);

/**
 * 巡检计划. `org_unit_id` is the unit that carries the checks out (data scope, department figures). A plan
 * from a control measure follows the measure (its cycle and responsible post/person) at every sync.
 */
export const inspectionPlans = pgTable(
  'inspection_plans',
  {
    id: idColumn(),
    ...businessColumns(),
    name: text('name').notNull(),
    source: text('source').$type<PlanSource>().notNull(),
    controlMeasureId: uuid('control_measure_id'),
    checkType: text('check_type').$type<CheckType>().notNull().default('daily'),
    cycleUnit: text('cycle_unit').$type<CycleUnit>().notNull(),
    cycleInterval: integer('cycle_interval').notNull().default(1),
    dayType: text('day_type').$type<DayType>().notNull().default('every_day'),
    assigneePersonId: uuid('assignee_person_id'),
    assigneePositionId: uuid('assignee_position_id'),
    routeId: uuid('route_id'),
    checkpointId: uuid('checkpoint_id'),
    templateId: uuid('template_id').notNull(),
    /** First day of the schedule (tenant zone): cycles count from it. */
    startsOn: date('starts_on', { mode: 'string' }).notNull(),
    endsOn: date('ends_on', { mode: 'string' }),
    /** Last day tasks were generated for. */
    generatedUntil: date('generated_until', { mode: 'string' }),
    active: boolean('active').notNull().default(true),
    notes: text('notes'),
  },
  (t) => [
    // One plan per control measure: the sync finds and updates it rather than making another.
    uniqueIndex('inspection_plans_measure').on(t.tenantId, t.controlMeasureId),
    index('inspection_plans_tenant_active').on(t.tenantId, t.active),
  ],
);

/** One stop of a task: a checkpoint to scan (null = a check without a checkpoint), in route order. */
export interface TaskStop {
  checkpointId: string | null;
  name: string;
  scannedAt: string | null;
  scanId: string | null;
  submittedAt: string | null;
}

/** 巡检任务: one window of a plan. `org_unit_id` is the plan's unit at generation. */
export const inspectionTasks = pgTable(
  'inspection_tasks',
  {
    id: idColumn(),
    ...businessColumns(),
    planId: uuid('plan_id').notNull(),
    windowStart: timestamptz('window_start').notNull(),
    windowEnd: timestamptz('window_end').notNull(),
    /** The department of the unit (figures by department). */
    departmentId: uuid('department_id'),
    assigneePersonId: uuid('assignee_person_id'),
    assigneePositionId: uuid('assignee_position_id'),
    controlMeasureId: uuid('control_measure_id'),
    routeId: uuid('route_id'),
    templateVersionId: uuid('template_version_id').notNull(),
    checkType: text('check_type').$type<CheckType>().notNull(),
    stops: jsonb('stops').$type<TaskStop[]>().notNull(),
    status: text('status').$type<TaskStatus>().notNull().default('planned'),
    startedAt: timestamptz('started_at'),
    startedBy: uuid('started_by'),
    doneAt: timestamptz('done_at'),
    doneBy: uuid('done_by'),
    onTime: boolean('on_time'),
    missedAt: timestamptz('missed_at'),
    failedCount: integer('failed_count').notNull().default(0),
  },
  (t) => [
    // Generation is idempotent: a window of a plan exists once, however often the generator runs.
    uniqueIndex('inspection_tasks_plan_window').on(t.planId, t.windowStart),
    index('inspection_tasks_open').on(t.tenantId, t.status, t.windowEnd),
    index('inspection_tasks_assignee').on(t.tenantId, t.assigneePersonId, t.windowStart),
    index('inspection_tasks_measure').on(t.tenantId, t.controlMeasureId, t.windowStart),
    index('inspection_tasks_window').on(t.tenantId, t.windowStart),
  ],
);

/** The answer to one checklist item at one stop of a task. */
export const inspectionResults = pgTable(
  'inspection_results',
  {
    id: idColumn(),
    tenantId: uuid('tenant_id').notNull(),
    taskId: uuid('task_id').notNull(),
    stop: integer('stop').notNull(),
    checkpointId: uuid('checkpoint_id'),
    itemKey: text('item_key').notNull(),
    kind: text('kind').$type<ItemKind>().notNull(),
    /** pass / fail / na for pass_fail; the text for text. */
    value: text('value'),
    reading: doublePrecision('reading'),
    /** null = not judged (N.A., text without a rule). */
    passed: boolean('passed'),
    photoIds: uuid('photo_ids').array().notNull().default(sql`'{}'::uuid[]`),
    signatureFileId: uuid('signature_file_id'),
    remark: text('remark'),
    submittedAt: timestamptz('submitted_at').notNull(),
    submittedBy: uuid('submitted_by'),
  },
  (t) => [uniqueIndex('inspection_results_item').on(t.taskId, t.stop, t.itemKey)],
);

/** A failed item and the one hazard it raised (unique per item: a replay never raises a second). */
export const inspectionFindings = pgTable(
  'inspection_findings',
  {
    id: idColumn(),
    tenantId: uuid('tenant_id').notNull(),
    taskId: uuid('task_id').notNull(),
    resultId: uuid('result_id').notNull(),
    stop: integer('stop').notNull(),
    itemKey: text('item_key').notNull(),
    controlMeasureId: uuid('control_measure_id'),
    hazardId: uuid('hazard_id'),
    hazardNumber: text('hazard_number'),
    /** Set while a request raises the hazard, so two concurrent retries cannot both raise one. */
    claimedAt: timestamptz('claimed_at'),
    lastError: text('last_error'),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('inspection_findings_item').on(t.taskId, t.stop, t.itemKey), index('inspection_findings_hazard').on(t.tenantId, t.hazardId)],
);

/** Module settings per tenant (seeded on first use; reference defaults). */
export const inspectionSettings = pgTable('inspection_settings', {
  tenantId: uuid('tenant_id').primaryKey(),
  /** Days ahead the daily job keeps tasks generated for. */
  horizonDays: integer('horizon_days').notNull().default(7),
  /** Local start hours of the shifts of a day (三班倒: 0, 8, 16). */
  shiftStartHours: integer('shift_start_hours').array().notNull().default(sql`'{0,8,16}'::integer[]`),
  /** Minutes after its window an in-progress task may still be finished before it counts as missed. */
  graceMinutes: integer('grace_minutes').notNull().default(60),
  updatedAt: timestamptz('updated_at').notNull().defaultNow(),
  updatedBy: uuid('updated_by'),
  version: integer('version').notNull().default(1),
});
