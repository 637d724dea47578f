import { sql } from 'drizzle-orm';
import { boolean, index, integer, jsonb, pgTable, primaryKey, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { businessColumns, idColumn, timestamptz } from '../../platform/db/columns.ts';
import type { HazardState } from './lifecycle.ts';

/** 一般 / 较大 / 重大 (reference §3.1; 较大 as used by Sinopec [S10]). Codes are fixed, labels are tenant data. */
export const hazardLevels = ['general', 'serious', 'major'] as const;
export type HazardLevel = (typeof hazardLevels)[number];

/** How a hazard entered the register: a person's report, a historical import, or an IoT alarm (issue 8). */
export const hazardOrigins = ['report', 'import', 'alarm'] as const;
export type HazardOrigin = (typeof hazardOrigins)[number];

export const dictionaryKinds = ['category', 'source', 'level'] as const;
export type DictionaryKind = (typeof dictionaryKinds)[number];

export interface GeoPoint {
  lat: number;
  lng: number;
  /** Metres, as the phone reports it. */
  accuracy: number | null;
}

/** "五到位" (reference §3.5): measures, funds, deadline, responsible person, interim measures / emergency plan. */
export interface RectificationPlan {
  measures: string;
  fundsYuan: number;
  deadline: string;
  responsiblePersonId: string;
  interimMeasures: string;
}

/** 重大隐患治理方案 (16号令 Art. 15 via reference §3.5): the six required parts. */
export interface TreatmentPlan {
  goal: string;
  methods: string;
  fundsYuan: number;
  materials: string;
  responsibleOrg: string;
  responsiblePeople: string;
  timeLimit: string;
  requirements: string;
  safetyMeasures: string;
  emergencyPlan: string;
}

/**
 * A hazard report (隐患). `org_unit_id` (business columns) is the area where it was found and anchors data
 * scope; `assignee_unit_id` is the responsible unit, which also grants visibility to its department.
 * An anonymous report stores no reporter: `created_by`, `reporter_*` stay null.
 */
export const hazards = pgTable(
  'hazards',
  {
    id: idColumn(),
    ...businessColumns(),
    number: text('number').notNull(),
    year: integer('year').notNull(),
    seq: integer('seq').notNull(),
    title: text('title').notNull(),
    description: text('description'),
    category: text('category').notNull(),
    level: text('level').$type<HazardLevel>().notNull(),
    source: text('source'),
    status: text('status').$type<HazardState>().notNull(),
    origin: text('origin').$type<HazardOrigin>().notNull().default('report'),
    /**
     * The IoT alarm whose readings are this hazard's evidence (origin 'alarm'); such a report may carry no
     * photo. Unique: one alarm opens at most one hazard.
     */
    alarmId: uuid('alarm_id'),
    location: jsonb('location').$type<GeoPoint>(),
    photoIds: uuid('photo_ids').array().notNull().default(sql`'{}'::uuid[]`),
    videoId: uuid('video_id'),
    voiceId: uuid('voice_id'),
    suggestedFix: text('suggested_fix'),
    anonymous: boolean('anonymous').notNull().default(false),
    /** SHA-256 of the anonymous reporter's tracking code; the code itself is shown once. */
    trackingCodeHash: text('tracking_code_hash'),
    reporterUserId: uuid('reporter_user_id'),
    reporterPersonId: uuid('reporter_person_id'),
    reportedAt: timestamptz('reported_at').notNull(),
    fixOnSpot: boolean('fix_on_spot').notNull().default(false),
    /** Responsible department (nearest workshop/department/plant of the responsible unit, else of the area). */
    departmentId: uuid('department_id'),
    assigneeUserId: uuid('assignee_user_id'),
    assigneeUnitId: uuid('assignee_unit_id'),
    assignedAt: timestamptz('assigned_at'),
    /** The matrix rule that picked the assignee; null when assigned by hand or by the area-owner fallback. */
    assignmentRuleId: uuid('assignment_rule_id'),
    verifierUserId: uuid('verifier_user_id'),
    respondDueAt: timestamptz('respond_due_at'),
    rectifyDueAt: timestamptz('rectify_due_at'),
    respondedAt: timestamptz('responded_at'),
    respondOverdue: boolean('respond_overdue').notNull().default(false),
    rectifyOverdue: boolean('rectify_overdue').notNull().default(false),
    escalationLevel: integer('escalation_level').notNull().default(0),
    plan: jsonb('plan').$type<RectificationPlan>(),
    afterPhotoIds: uuid('after_photo_ids').array().notNull().default(sql`'{}'::uuid[]`),
    rectifyNotes: text('rectify_notes'),
    submittedAt: timestamptz('submitted_at'),
    submittedBy: uuid('submitted_by'),
    reworkCount: integer('rework_count').notNull().default(0),
    closedAt: timestamptz('closed_at'),
    closedBy: uuid('closed_by'),
    /** Fixed (submitted) by the rectification deadline in force when it was closed, extensions included. */
    closedOnTime: boolean('closed_on_time'),
    rejectedAt: timestamptz('rejected_at'),
    rejectReason: text('reject_reason'),
    possibleDuplicateOf: uuid('possible_duplicate_of'),
    mergedIntoId: uuid('merged_into_id'),
    treatmentPlan: jsonb('treatment_plan').$type<TreatmentPlan>(),
    /** Bumped on every save of the treatment plan; sign-offs count only for the plan version they saw. */
    treatmentPlanVersion: integer('treatment_plan_version').notNull().default(0),
    treatmentPlanAt: timestamptz('treatment_plan_at'),
    /** 安全生产法 Art. 41: major hazards are reported to the supervising authority. */
    reportToAuthority: boolean('report_to_authority').notNull().default(false),
    reportedToAuthorityAt: timestamptz('reported_to_authority_at'),
    authorityReference: text('authority_reference'),
  },
  (t) => [
    uniqueIndex('hazards_tenant_number').on(t.tenantId, t.number),
    uniqueIndex('hazards_tracking_code').on(t.trackingCodeHash).where(sql`tracking_code_hash IS NOT NULL`),
    uniqueIndex('hazards_alarm').on(t.alarmId).where(sql`alarm_id IS NOT NULL`),
    index('hazards_tenant_reported').on(t.tenantId, t.reportedAt, t.id),
    index('hazards_tenant_status').on(t.tenantId, t.status),
    index('hazards_tenant_area').on(t.tenantId, t.orgUnitId),
    index('hazards_tenant_assignee').on(t.tenantId, t.assigneeUserId),
    index('hazards_tenant_reporter').on(t.tenantId, t.reporterUserId),
    index('hazards_tenant_department').on(t.tenantId, t.departmentId, t.reportedAt),
    // Department and team scope (ledger listScope): area OR responsible unit OR own rows, as one bitmap OR
    // of these with the area, reporter and assignee indexes above.
    index('hazards_tenant_assignee_unit').on(t.tenantId, t.assigneeUnitId),
    index('hazards_tenant_verifier').on(t.tenantId, t.verifierUserId),
    // Figures over a period: every column the aggregates and their filters read, so a year of a company's
    // hazards is an index-only range scan instead of reading the whole (wide) table. Key columns, as
    // drizzle has no INCLUDE; nothing sorts by the trailing ones.
    index('hazards_figures').on(
      t.tenantId,
      t.reportedAt,
      t.departmentId,
      t.status,
      t.level,
      t.category,
      t.orgUnitId,
      t.mergedIntoId,
      t.respondOverdue,
      t.rectifyOverdue,
      t.closedOnTime,
      t.reworkCount,
      t.fixOnSpot,
      t.respondedAt,
      t.closedAt,
    ),
    // Duplicate check on every report: open hazards of one area and category, newest first.
    index('hazards_open_area_category')
      .on(t.tenantId, t.orgUnitId, t.category, t.reportedAt)
      .where(sql`status NOT IN ('closed', 'rejected')`),
  ],
);

/** Timeline: one row per step (who, when, what, comment, photos). Timer steps carry a dedupe key (fire once). */
export const hazardEvents = pgTable(
  'hazard_events',
  {
    id: idColumn(),
    tenantId: uuid('tenant_id').notNull(),
    hazardId: uuid('hazard_id').notNull(),
    at: timestamptz('at').notNull(),
    /** Null for the system (timers, automatic assignment) and for an anonymous reporter. */
    actorUserId: uuid('actor_user_id'),
    actorName: text('actor_name'),
    action: text('action').notNull(),
    fromStatus: text('from_status').$type<HazardState>(),
    toStatus: text('to_status').$type<HazardState>(),
    comment: text('comment'),
    photoIds: uuid('photo_ids').array().notNull().default(sql`'{}'::uuid[]`),
    data: jsonb('data').$type<Record<string, unknown>>().notNull().default({}),
    dedupeKey: text('dedupe_key'),
  },
  (t) => [index('hazard_events_hazard').on(t.hazardId, t.at), uniqueIndex('hazard_events_dedupe').on(t.dedupeKey).where(sql`dedupe_key IS NOT NULL`)],
);

/** Numbering YH-<year>-<seq>: one row per tenant and year, incremented under its row lock (no gaps, no repeats). */
export const hazardCounters = pgTable(
  'hazard_counters',
  {
    tenantId: uuid('tenant_id').notNull(),
    year: integer('year').notNull(),
    last: integer('last').notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.year] })],
);

/** Per-tenant settings of the hazard module (seeded with defaults the first time the tenant needs them). */
export const hazardSettings = pgTable('hazard_settings', {
  tenantId: uuid('tenant_id').primaryKey(),
  duplicateWindowHours: integer('duplicate_window_hours').notNull(),
  pointsValidReport: integer('points_valid_report').notNull(),
  pointsVerifiedFix: integer('points_verified_fix').notNull(),
  pointsRejectedReport: integer('points_rejected_report').notNull(),
  /** Management sign-off of a major hazard: every listed role that has an active holder, and every listed user. */
  signoffRoleCodes: text('signoff_role_codes').array().notNull(),
  signoffUserIds: uuid('signoff_user_ids').array().notNull(),
  /** Who triages unassigned hazards and verifies when nobody is designated. */
  triageRoleCodes: text('triage_role_codes').array().notNull(),
  /** Escalation level 2 (after level 1, the department head). */
  escalationRoleCodes: text('escalation_role_codes').array().notNull(),
  /** 谁发现谁验收: the named reporter verifies the fix (unless they did it themselves), whatever their role. */
  reporterVerifies: boolean('reporter_verifies').notNull().default(true),
  version: integer('version').notNull().default(1),
  updatedAt: timestamptz('updated_at').notNull().defaultNow(),
  updatedBy: uuid('updated_by'),
});

/** Tenant dictionaries: categories (reference §3.4), sources (§2.5), levels (§3.1, labels only). */
export const hazardDictItems = pgTable(
  'hazard_dict_items',
  {
    id: idColumn(),
    tenantId: uuid('tenant_id').notNull(),
    kind: text('kind').$type<DictionaryKind>().notNull(),
    code: text('code').notNull(),
    labelZh: text('label_zh').notNull(),
    labelEn: text('label_en').notNull(),
    /** Code in the provincial upload schema (hazardDangerType, dangerSrc, dangerLevel). */
    extCode: text('ext_code'),
    sort: integer('sort').notNull().default(0),
    active: boolean('active').notNull().default(true),
    version: integer('version').notNull().default(1),
    updatedAt: timestamptz('updated_at').notNull().defaultNow(),
    updatedBy: uuid('updated_by'),
  },
  (t) => [uniqueIndex('hazard_dict_items_code').on(t.tenantId, t.kind, t.code)],
);

/** SLA per level: response and rectification windows, reminder point, escalation delay, verification reminder. */
export const hazardSlaPolicies = pgTable(
  'hazard_sla_policies',
  {
    tenantId: uuid('tenant_id').notNull(),
    level: text('level').$type<HazardLevel>().notNull(),
    respondMinutes: integer('respond_minutes').notNull(),
    rectifyMinutes: integer('rectify_minutes').notNull(),
    /** Reminder at this share of the window (75 = three quarters of the time used). */
    reminderPercent: integer('reminder_percent').notNull(),
    /** Escalation level 2 this long after the breach (level 1 is at the breach). */
    escalationDelayMinutes: integer('escalation_delay_minutes').notNull(),
    verifyMinutes: integer('verify_minutes').notNull(),
    planRequired: boolean('plan_required').notNull(),
    requiresTreatmentPlan: boolean('requires_treatment_plan').notNull(),
    version: integer('version').notNull().default(1),
    updatedAt: timestamptz('updated_at').notNull().defaultNow(),
    updatedBy: uuid('updated_by'),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.level] })],
);

/** Assignment matrix: category? × area subtree? → responsible unit and/or person, lowest priority number first. */
export const hazardAssignmentRules = pgTable(
  'hazard_assignment_rules',
  {
    id: idColumn(),
    tenantId: uuid('tenant_id').notNull(),
    name: text('name').notNull(),
    priority: integer('priority').notNull(),
    category: text('category'),
    areaUnitId: uuid('area_unit_id'),
    responsibleUnitId: uuid('responsible_unit_id'),
    responsibleUserId: uuid('responsible_user_id'),
    active: boolean('active').notNull().default(true),
    version: integer('version').notNull().default(1),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
    createdBy: uuid('created_by'),
    updatedAt: timestamptz('updated_at').notNull().defaultNow(),
    updatedBy: uuid('updated_by'),
  },
  (t) => [index('hazard_assignment_rules_tenant').on(t.tenantId, t.priority)],
);

export const extensionStatuses = ['pending', 'approved', 'refused'] as const;
export type ExtensionStatus = (typeof extensionStatuses)[number];

/** Requests to move the rectification deadline; at most one pending per hazard. */
export const hazardExtensions = pgTable(
  'hazard_extensions',
  {
    id: idColumn(),
    tenantId: uuid('tenant_id').notNull(),
    hazardId: uuid('hazard_id').notNull(),
    requestedBy: uuid('requested_by').notNull(),
    requestedAt: timestamptz('requested_at').notNull(),
    previousDueAt: timestamptz('previous_due_at'),
    newDueAt: timestamptz('new_due_at').notNull(),
    reason: text('reason').notNull(),
    status: text('status').$type<ExtensionStatus>().notNull().default('pending'),
    decidedBy: uuid('decided_by'),
    decidedAt: timestamptz('decided_at'),
    decisionComment: text('decision_comment'),
  },
  (t) => [index('hazard_extensions_hazard').on(t.hazardId), uniqueIndex('hazard_extensions_one_pending').on(t.hazardId).where(sql`status = 'pending'`)],
);

/** Management sign-offs of a major hazard's treatment plan (one per signer and plan version). */
export const hazardSignoffs = pgTable(
  'hazard_signoffs',
  {
    id: idColumn(),
    tenantId: uuid('tenant_id').notNull(),
    hazardId: uuid('hazard_id').notNull(),
    userId: uuid('user_id').notNull(),
    /** The signer's role codes at the time: which requirement the sign-off satisfies. */
    roleCodes: text('role_codes').array().notNull(),
    planVersion: integer('plan_version').notNull(),
    comment: text('comment'),
    signedAt: timestamptz('signed_at').notNull(),
  },
  (t) => [uniqueIndex('hazard_signoffs_once').on(t.hazardId, t.userId, t.planVersion)],
);

export const pointReasons = ['valid_report', 'verified_fix', 'rejected_report', 'valid_report_reversed'] as const;
export type PointReason = (typeof pointReasons)[number];

/** Points ledger (append-only): one row per hazard, person and reason, so an award is never given twice. */
export const hazardPoints = pgTable(
  'hazard_points',
  {
    id: idColumn(),
    tenantId: uuid('tenant_id').notNull(),
    hazardId: uuid('hazard_id').notNull(),
    userId: uuid('user_id').notNull(),
    /** The person's department when the points were given (the leaderboard groups by it). */
    departmentId: uuid('department_id'),
    reason: text('reason').$type<PointReason>().notNull(),
    points: integer('points').notNull(),
    at: timestamptz('at').notNull(),
  },
  (t) => [uniqueIndex('hazard_points_once').on(t.hazardId, t.userId, t.reason), index('hazard_points_tenant_at').on(t.tenantId, t.at)],
);

/**
 * 整改通知书: one notice to one responsible department covering one or several findings (DESIGN: "several
 * findings for one department can share one rectification notice"). `org_unit_id` is that department.
 */
export const hazardNotices = pgTable(
  'hazard_notices',
  {
    id: idColumn(),
    ...businessColumns(),
    /** ZG-<year>-<4 digits>, per tenant and year (own counter, so hazard numbers keep no gaps). */
    number: text('number').notNull(),
    year: integer('year').notNull(),
    seq: integer('seq').notNull(),
    departmentId: uuid('department_id').notNull(),
    issuedAt: timestamptz('issued_at').notNull(),
    issuedBy: uuid('issued_by'),
    issuedByName: text('issued_by_name'),
  },
  (t) => [uniqueIndex('hazard_notices_tenant_number').on(t.tenantId, t.number), index('hazard_notices_tenant_issued').on(t.tenantId, t.issuedAt)],
);

/** The findings of a notice, in the order they are printed. */
export const hazardNoticeItems = pgTable(
  'hazard_notice_items',
  {
    tenantId: uuid('tenant_id').notNull(),
    noticeId: uuid('notice_id').notNull(),
    hazardId: uuid('hazard_id').notNull(),
    position: integer('position').notNull(),
  },
  (t) => [primaryKey({ columns: [t.noticeId, t.hazardId] }), index('hazard_notice_items_hazard').on(t.hazardId)],
);

/** Numbering ZG-<year>-<seq> of notices: one row per tenant and year, as hazardCounters. */
export const hazardNoticeCounters = pgTable(
  'hazard_notice_counters',
  {
    tenantId: uuid('tenant_id').notNull(),
    year: integer('year').notNull(),
    last: integer('last').notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.year] })],
);
