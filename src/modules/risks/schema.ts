import { sql } from 'drizzle-orm';
import { boolean, doublePrecision, index, integer, jsonb, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { businessColumns, idColumn, timestamptz } from '../../platform/db/columns.ts';

/**
 * The risk register of dual prevention (双重预防, reference §2.1): risk object (风险分析对象) → risk unit
 * (风险分析单元) → risk event (风险事件) → control measure (管控措施), the assessments of each event, and the
 * tenant configuration (assessment methods with their factor tables and bands, measure classification,
 * re-assessment interval). Level and control-level codes are fixed; everything numeric is tenant data.
 */

/** 重大 / 较大 / 一般 / 低 ↔ red / orange / yellow / blue (reference §2.2). */
export const riskLevels = ['major', 'serious', 'general', 'low'] as const;
export type RiskLevel = (typeof riskLevels)[number];

/** 公司(厂)级 / 车间(部室)级 / 班组级 / 岗位级 (reference §2.5). */
export const controlLevels = ['company', 'workshop', 'team', 'post'] as const;
export type ControlLevel = (typeof controlLevels)[number];

/** What a risk object is: an area or site, a piece of equipment or facility, a work activity, a process. */
export const riskObjectTypes = ['area', 'equipment', 'operation', 'process', 'other'] as const;
export type RiskObjectType = (typeof riskObjectTypes)[number];

/** checkCycleUnit of the upload schema (小时/天/月/年), with week and quarter for the 2019 导则 frequencies. */
export const checkCycleUnits = ['hour', 'day', 'week', 'month', 'quarter', 'year'] as const;
export type CheckCycleUnit = (typeof checkCycleUnits)[number];

/** workDayType of the upload schema: 工作日 / 非工作日 / 每天. */
export const workDayTypes = ['workdays', 'non_workdays', 'every_day'] as const;
export type WorkDayType = (typeof workDayTypes)[number];

/** dataSrc: entered here, imported from Excel, or written by an integration. */
export const measureDataSources = ['manual', 'import', 'integration'] as const;
export type MeasureDataSource = (typeof measureDataSources)[number];

export const assessmentKinds = ['inherent', 'residual'] as const;
export type AssessmentKind = (typeof assessmentKinds)[number];

/** Archiving instead of deleting (DESIGN: nothing a regulation wants kept is hard-deleted). */
const archiveColumns = () => ({
  archivedAt: timestamptz('archived_at'),
  archivedBy: uuid('archived_by'),
  archiveReason: text('archive_reason'),
});

/** 风险分析对象. `org_unit_id` is the unit that owns it (plant, workshop) and anchors data scope. */
export const riskObjects = pgTable(
  'risk_objects',
  {
    id: idColumn(),
    ...businessColumns(),
    code: text('code').notNull(),
    name: text('name').notNull(),
    type: text('type').$type<RiskObjectType>().notNull(),
    description: text('description'),
    ...archiveColumns(),
  },
  (t) => [uniqueIndex('risk_objects_tenant_code').on(t.tenantId, t.code), index('risk_objects_tenant_unit').on(t.tenantId, t.orgUnitId)],
);

/** 风险分析单元. `org_unit_id` is the responsible department (hazardDep); a map area links to this id. */
export const riskUnits = pgTable(
  'risk_units',
  {
    id: idColumn(),
    ...businessColumns(),
    objectId: uuid('object_id').notNull(),
    name: text('name').notNull(),
    description: text('description'),
    /** hazardLiablePerson: a person (people.id); reminders reach their login. */
    responsiblePersonId: uuid('responsible_person_id'),
    ...archiveColumns(),
  },
  (t) => [index('risk_units_tenant_object').on(t.tenantId, t.objectId), index('risk_units_tenant_unit').on(t.tenantId, t.orgUnitId)],
);

/**
 * 风险事件. `org_unit_id` follows its risk unit's responsible department (data scope). The `current_*`
 * columns repeat the latest assessment, so the register filters and colours by level without a join.
 */
export const riskEvents = pgTable(
  'risk_events',
  {
    id: idColumn(),
    ...businessColumns(),
    objectId: uuid('object_id').notNull(),
    unitId: uuid('unit_id').notNull(),
    name: text('name').notNull(),
    description: text('description'),
    consequences: text('consequences'),
    currentAssessmentId: uuid('current_assessment_id'),
    currentKind: text('current_kind').$type<AssessmentKind>(),
    currentScore: doublePrecision('current_score'),
    currentLevel: text('current_level').$type<RiskLevel>(),
    currentColour: text('current_colour'),
    currentControlLevels: text('current_control_levels').array().$type<ControlLevel[]>(),
    assessedAt: timestamptz('assessed_at'),
    /** Next re-assessment: the interval after the latest assessment, or now when one was requested. */
    reassessDueAt: timestamptz('reassess_due_at'),
    /** The due time whose reminder went out: the reminder job's fence, so it notifies once. */
    reassessNotifiedFor: timestamptz('reassess_notified_for'),
    ...archiveColumns(),
  },
  (t) => [
    index('risk_events_tenant_unit').on(t.tenantId, t.unitId),
    index('risk_events_tenant_object').on(t.tenantId, t.objectId),
    index('risk_events_tenant_org').on(t.tenantId, t.orgUnitId),
    index('risk_events_tenant_level').on(t.tenantId, t.currentLevel),
  ],
);

/**
 * 管控措施. `org_unit_id` is the responsible unit (the department, team or post's unit that carries it out);
 * inspections generate tasks from the check cycle for the responsible position/person.
 */
export const riskControlMeasures = pgTable(
  'risk_control_measures',
  {
    id: idColumn(),
    ...businessColumns(),
    objectId: uuid('object_id').notNull(),
    unitId: uuid('unit_id').notNull(),
    eventId: uuid('event_id').notNull(),
    description: text('description').notNull(),
    classify1: text('classify1').notNull(),
    classify2: text('classify2'),
    classify3: text('classify3'),
    troubleshootContent: text('troubleshoot_content').notNull(),
    checkCycle: integer('check_cycle').notNull(),
    checkCycleUnit: text('check_cycle_unit').$type<CheckCycleUnit>().notNull(),
    workDayType: text('work_day_type').$type<WorkDayType>().notNull(),
    responsiblePositionId: uuid('responsible_position_id'),
    responsiblePersonId: uuid('responsible_person_id'),
    dataSource: text('data_source').$type<MeasureDataSource>().notNull().default('manual'),
    ...archiveColumns(),
  },
  (t) => [index('risk_measures_tenant_event').on(t.tenantId, t.eventId), index('risk_measures_tenant_unit').on(t.tenantId, t.orgUnitId)],
);

export interface FactorSnapshot {
  key: string;
  name: string;
  value: number;
  label: string;
}

/**
 * One assessment of a risk event, kept as it was computed: method, the factor values with their labels,
 * score, band result. Later changes to the method or its bands never rewrite it. Never updated.
 */
export const riskAssessments = pgTable(
  'risk_assessments',
  {
    id: idColumn(),
    ...businessColumns(),
    eventId: uuid('event_id').notNull(),
    methodId: uuid('method_id').notNull(),
    methodCode: text('method_code').notNull(),
    methodVersion: integer('method_version').notNull(),
    kind: text('kind').$type<AssessmentKind>().notNull(),
    factors: jsonb('factors').$type<FactorSnapshot[]>().notNull(),
    score: doublePrecision('score').notNull(),
    level: text('level').$type<RiskLevel>().notNull(),
    colour: text('colour').notNull(),
    controlLevels: text('control_levels').array().$type<ControlLevel[]>().notNull(),
    bandLabel: text('band_label'),
    note: text('note'),
    assessedBy: uuid('assessed_by'),
    assessedByName: text('assessed_by_name'),
    assessedAt: timestamptz('assessed_at').notNull(),
    nextDueAt: timestamptz('next_due_at').notNull(),
  },
  (t) => [index('risk_assessments_event').on(t.eventId, t.assessedAt)],
);

/**
 * A request to re-assess an event before its due date (a linked hazard or incident occurred). With a
 * source (`hazard` + id) a request is made once per source, however often the caller repeats it.
 */
export const riskReassessmentRequests = pgTable(
  'risk_reassessment_requests',
  {
    id: idColumn(),
    // org_unit_id: the event's department when asked (data scope of the request list).
    ...businessColumns(),
    eventId: uuid('event_id').notNull(),
    reason: text('reason').notNull(),
    sourceType: text('source_type'),
    sourceId: text('source_id'),
    requestedAt: timestamptz('requested_at').notNull(),
    requestedBy: uuid('requested_by'),
    /** The assessment that answered it. */
    resolvedAt: timestamptz('resolved_at'),
    resolvedAssessmentId: uuid('resolved_assessment_id'),
  },
  (t) => [
    index('risk_reassessment_requests_event').on(t.eventId, t.requestedAt),
    uniqueIndex('risk_reassessment_requests_source').on(t.eventId, t.sourceType, t.sourceId).where(sql`source_type IS NOT NULL`),
  ],
);

export interface FactorOption {
  value: number;
  labelZh: string;
  labelEn: string;
}

export interface MethodFactor {
  /** Key used in assessment input, e.g. "L". */
  key: string;
  nameZh: string;
  nameEn: string;
  options: FactorOption[];
}

/** A score range: `minScore` ≤ score < `maxScore` (no max = unbounded above). */
export interface MethodBand {
  level: RiskLevel;
  minScore: number;
  maxScore: number | null;
  colour: string;
  controlLevels: ControlLevel[];
  labelZh: string;
  labelEn: string;
}

/**
 * An assessment method as data (LEC, LS, or one a tenant adds): factors with their option tables, the
 * formula (the product of the factors) and the bands that turn a score into level, colour and control levels.
 */
export const riskMethods = pgTable(
  'risk_methods',
  {
    id: idColumn(),
    tenantId: uuid('tenant_id').notNull(),
    code: text('code').notNull(),
    nameZh: text('name_zh').notNull(),
    nameEn: text('name_en').notNull(),
    description: text('description'),
    /** How factors combine; `product` (D = L × E × C, R = L × S) is the one formula there is today. */
    formula: text('formula').$type<'product'>().notNull().default('product'),
    factors: jsonb('factors').$type<MethodFactor[]>().notNull(),
    bands: jsonb('bands').$type<MethodBand[]>().notNull(),
    active: boolean('active').notNull().default(true),
    sort: integer('sort').notNull().default(0),
    version: integer('version').notNull().default(1),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
    createdBy: uuid('created_by'),
    updatedAt: timestamptz('updated_at').notNull().defaultNow(),
    updatedBy: uuid('updated_by'),
  },
  (t) => [uniqueIndex('risk_methods_tenant_code').on(t.tenantId, t.code)],
);

/** Control-measure classification (reference §2.1): classify1 rows have no parent; classify2 rows name theirs. */
export const riskMeasureClasses = pgTable(
  'risk_measure_classes',
  {
    id: idColumn(),
    tenantId: uuid('tenant_id').notNull(),
    code: text('code').notNull(),
    parentCode: text('parent_code'),
    labelZh: text('label_zh').notNull(),
    labelEn: text('label_en').notNull(),
    sort: integer('sort').notNull().default(0),
    active: boolean('active').notNull().default(true),
    version: integer('version').notNull().default(1),
    updatedAt: timestamptz('updated_at').notNull().defaultNow(),
    updatedBy: uuid('updated_by'),
  },
  (t) => [uniqueIndex('risk_measure_classes_code').on(t.tenantId, t.code)],
);

/** Per-tenant settings (seeded on first need). */
export const riskSettings = pgTable('risk_settings', {
  tenantId: uuid('tenant_id').primaryKey(),
  /** Yearly re-assessment by default. */
  reassessIntervalMonths: integer('reassess_interval_months').notNull(),
  defaultMethodCode: text('default_method_code').notNull(),
  version: integer('version').notNull().default(1),
  updatedAt: timestamptz('updated_at').notNull().defaultNow(),
  updatedBy: uuid('updated_by'),
});

/** A normalized polygon point: [x, y] as fractions (0..1) of the floor plan's width and height. */
export type MapPoint = [number, number];

/**
 * A site or workshop floor plan of the four-colour map (四色图). `org_unit_id` is the plant or workshop it
 * shows (data scope of writes); the image is an uploaded file (platform/files), its size kept to scale areas.
 */
export const riskMaps = pgTable(
  'risk_maps',
  {
    id: idColumn(),
    ...businessColumns(),
    name: text('name').notNull(),
    imageFileId: uuid('image_file_id'),
    width: integer('width').notNull(),
    height: integer('height').notNull(),
    sort: integer('sort').notNull().default(0),
    ...archiveColumns(),
  },
  (t) => [index('risk_maps_tenant_unit').on(t.tenantId, t.orgUnitId)],
);

/**
 * An area drawn on a map: a polygon in normalized points, the risk units it shows (it colours by their
 * highest level) and optionally the org unit whose open hazards it counts. `org_unit_id` is that org unit.
 */
export const riskMapAreas = pgTable(
  'risk_map_areas',
  {
    id: idColumn(),
    ...businessColumns(),
    mapId: uuid('map_id').notNull(),
    name: text('name').notNull(),
    polygon: jsonb('polygon').$type<MapPoint[]>().notNull(),
    riskUnitIds: uuid('risk_unit_ids').array().notNull().default(sql`'{}'::uuid[]`),
    sort: integer('sort').notNull().default(0),
    ...archiveColumns(),
  },
  (t) => [index('risk_map_areas_map').on(t.tenantId, t.mapId)],
);
