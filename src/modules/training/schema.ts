import { sql } from 'drizzle-orm';
import { boolean, date, index, integer, jsonb, pgTable, primaryKey, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { businessColumns, idColumn, timestamptz } from '../../platform/db/columns.ts';

/**
 * Tables of the training module: certificate types (tenant data seeded from reference §4), certificates,
 * qualification requirements (target → certificate), three-level induction records, the last known
 * qualification per person and target (to announce grant/revoke changes), and the module settings.
 */

/** A category inside a certificate type, e.g. 焊接与热切割作业 in 特种作业操作证, N1 in 特种设备作业人员证. */
export interface CertificateCategory {
  code: string;
  labelZh: string;
  labelEn: string;
}

export const certificateTypes = pgTable(
  'training_certificate_types',
  {
    id: idColumn(),
    tenantId: uuid('tenant_id').notNull(),
    code: text('code').notNull(),
    nameZh: text('name_zh').notNull(),
    nameEn: text('name_en').notNull(),
    /** Default validity from the issue date (months); null = the issuer decides, the date is entered. */
    validityMonths: integer('validity_months'),
    /** Review (复审) interval from the issue date or the last review (months); null = no periodic review. */
    reviewIntervalMonths: integer('review_interval_months'),
    categories: jsonb('categories').$type<CertificateCategory[]>().notNull().default([]),
    /** Days before expiry and before review at which holder and department head are reminded. */
    reminderDays: integer('reminder_days').array().notNull().default(sql`'{60,30,7}'::integer[]`),
    sort: integer('sort').notNull().default(0),
    active: boolean('active').notNull().default(true),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
    updatedAt: timestamptz('updated_at').notNull().defaultNow(),
    updatedBy: uuid('updated_by'),
    version: integer('version').notNull().default(1),
  },
  (t) => [uniqueIndex('training_certificate_types_code').on(t.tenantId, t.code)],
);

/**
 * A person's certificate. `org_unit_id` (business columns) is the holder's unit when it was last saved;
 * data scope follows the holder's current unit (a join on people), so a transfer moves the certificates too.
 * Never deleted: revoked with a reason.
 */
export const certificates = pgTable(
  'training_certificates',
  {
    id: idColumn(),
    ...businessColumns(),
    personId: uuid('person_id').notNull(),
    typeId: uuid('type_id').notNull(),
    category: text('category'),
    number: text('number').notNull(),
    issuer: text('issuer').notNull(),
    issuedOn: date('issued_on', { mode: 'string' }).notNull(),
    /** Last day the certificate is valid (inclusive, tenant time zone). */
    validUntil: date('valid_until', { mode: 'string' }).notNull(),
    /** Last day by which the review (复审) is due; null when the type has no periodic review. */
    nextReviewOn: date('next_review_on', { mode: 'string' }),
    scanFileId: uuid('scan_file_id'),
    notes: text('notes'),
    revokedAt: timestamptz('revoked_at'),
    revokedBy: uuid('revoked_by'),
    revokeReason: text('revoke_reason'),
  },
  (t) => [
    // One live certificate per type and number; a revoked one may be issued again under its number.
    uniqueIndex('training_certificates_number').on(t.tenantId, t.typeId, t.number).where(sql`revoked_at IS NULL`),
    index('training_certificates_person').on(t.tenantId, t.personId),
    index('training_certificates_valid_until').on(t.tenantId, t.validUntil),
  ],
);

export const requirementTargetKinds = ['operation', 'equipment', 'area'] as const;
export type RequirementTargetKind = (typeof requirementTargetKinds)[number];

/**
 * What a target needs: one row = one certificate of `type_id`, in any of `categories` (empty = any category).
 * Several rows for one target are all required. Target keys: a GB 30871 operation code, an equipment kind
 * or id, or an org unit id (an area also needs what the areas above it need).
 */
export const requirements = pgTable(
  'training_requirements',
  {
    id: idColumn(),
    tenantId: uuid('tenant_id').notNull(),
    targetKind: text('target_kind').$type<RequirementTargetKind>().notNull(),
    targetKey: text('target_key').notNull(),
    typeId: uuid('type_id').notNull(),
    categories: text('categories').array().notNull().default(sql`'{}'::text[]`),
    note: text('note'),
    active: boolean('active').notNull().default(true),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
    updatedAt: timestamptz('updated_at').notNull().defaultNow(),
    updatedBy: uuid('updated_by'),
    version: integer('version').notNull().default(1),
  },
  (t) => [index('training_requirements_target').on(t.tenantId, t.targetKind, t.targetKey)],
);

export const inductionLevels = ['company', 'workshop', 'team'] as const;
export type InductionLevel = (typeof inductionLevels)[number];
export const inductionStatuses = ['pending', 'completed'] as const;
export type InductionStatus = (typeof inductionStatuses)[number];

/** 三级安全教育 (3号令 Art. 13): one row per person and level (厂/车间/班组). */
export const inductions = pgTable(
  'training_inductions',
  {
    id: idColumn(),
    ...businessColumns(),
    personId: uuid('person_id').notNull(),
    level: text('level').$type<InductionLevel>().notNull(),
    status: text('status').$type<InductionStatus>().notNull().default('pending'),
    dueOn: date('due_on', { mode: 'string' }),
    completedAt: timestamptz('completed_at'),
    completedBy: uuid('completed_by'),
    hours: integer('hours'),
    trainer: text('trainer'),
  },
  (t) => [uniqueIndex('training_inductions_person_level').on(t.tenantId, t.personId, t.level)],
);

/**
 * The last announced answer per person and configured target. A change of certificates (added, revoked,
 * lapsed) recomputes the person's answers; a different one updates this row and emits qualification.changed.
 */
export const qualificationStates = pgTable(
  'training_qualification_states',
  {
    tenantId: uuid('tenant_id').notNull(),
    personId: uuid('person_id').notNull(),
    target: text('target').notNull(),
    allowed: boolean('allowed').notNull(),
    reasons: text('reasons').array().notNull().default(sql`'{}'::text[]`),
    changedAt: timestamptz('changed_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.personId, t.target] })],
);

/** Module settings per tenant (seeded on first use). */
export const trainingSettings = pgTable('training_settings', {
  tenantId: uuid('tenant_id').primaryKey(),
  /** Days after hire by which each induction level is due (issue 7: 3 by default). */
  inductionDueDays: integer('induction_due_days').notNull().default(3),
  /** Create company/workshop/team induction records when a person is created. */
  inductionOnHire: boolean('induction_on_hire').notNull().default(true),
  /**
   * Minimum hours per induction level. 3号令 Art. 13: ≥ 24 h in all before the job (≥ 72 h in mining,
   * hazardous chemicals, fireworks, metal smelting); the split between levels is not set nationally
   * (reference §4 ❓), so 8 + 8 + 8 by default and tenant data.
   */
  inductionMinHours: jsonb('induction_min_hours').$type<Record<InductionLevel, number>>().notNull().default({ company: 8, workshop: 8, team: 8 }),
  /** Local hour (tenant time zone) at which certificate reminders go out. */
  reminderHour: integer('reminder_hour').notNull().default(8),
  updatedAt: timestamptz('updated_at').notNull().defaultNow(),
  updatedBy: uuid('updated_by'),
  version: integer('version').notNull().default(1),
});

// ---------------------------------------------------------------------------------------------------------
// Exams (issue 7): question bank, exam papers, attempts
// ---------------------------------------------------------------------------------------------------------

export const questionKinds = ['single', 'multiple', 'true_false'] as const;
export type QuestionKind = (typeof questionKinds)[number];
/** 1 easy, 2 medium, 3 hard. */
export const difficulties = [1, 2, 3] as const;

/** An answer option; `key` is stable ("A".."F", or "T"/"F" for true/false), whatever order it is shown in. */
export interface QuestionOption {
  key: string;
  text: string;
}

/** The question bank (题库). Edited with a version; retired with `active = false`, never deleted. */
export const questions = pgTable(
  'training_questions',
  {
    id: idColumn(),
    ...businessColumns(),
    kind: text('kind').$type<QuestionKind>().notNull(),
    category: text('category').notNull(),
    difficulty: integer('difficulty').notNull(),
    stem: text('stem').notNull(),
    options: jsonb('options').$type<QuestionOption[]>().notNull(),
    /** Keys of the correct options (one for single and true/false). Never sent to an exam taker before submission. */
    answer: text('answer').array().notNull(),
    explanation: text('explanation'),
    /** Stable key of an imported or seeded question, so a re-import updates instead of duplicating. */
    externalKey: text('external_key'),
    active: boolean('active').notNull().default(true),
  },
  (t) => [index('training_questions_pick').on(t.tenantId, t.category, t.difficulty), uniqueIndex('training_questions_external').on(t.tenantId, t.externalKey)],
);

/** A draw rule of a random paper: `count` active questions of this category (and difficulty, if set). */
export interface DrawRule {
  category: string;
  difficulty: number | null;
  count: number;
}

export const paperModes = ['fixed', 'random'] as const;
export type PaperMode = (typeof paperModes)[number];

/** An exam (试卷 + 考试 settings): fixed question list or random draw rules, time limit, pass mark, retakes. */
export const exams = pgTable(
  'training_exams',
  {
    id: idColumn(),
    ...businessColumns(),
    title: text('title').notNull(),
    description: text('description'),
    mode: text('mode').$type<PaperMode>().notNull(),
    questionIds: uuid('question_ids').array().notNull().default(sql`'{}'::uuid[]`),
    rules: jsonb('rules').$type<DrawRule[]>().notNull().default([]),
    timeLimitMinutes: integer('time_limit_minutes').notNull(),
    /** Percent of questions answered correctly needed to pass (reference §4: 80 for special operations). */
    passMark: integer('pass_mark').notNull(),
    /** Attempts after the first one that a person who failed may take. */
    retakes: integer('retakes').notNull().default(1),
    active: boolean('active').notNull().default(true),
  },
  (t) => [index('training_exams_tenant').on(t.tenantId)],
);

export const attemptStatuses = ['active', 'submitted', 'expired'] as const;
export type AttemptStatus = (typeof attemptStatuses)[number];

/**
 * One question of an attempt as drawn: a snapshot of the question (a later edit of the bank does not change
 * a running or graded attempt) with the option order shown to this person.
 */
export interface AttemptQuestion {
  questionId: string;
  kind: QuestionKind;
  stem: string;
  /** Options in the order shown to this taker (shuffled with the attempt's seed). */
  options: QuestionOption[];
  answer: string[];
  explanation: string | null;
}

/**
 * An attempt at an exam. At most one `active` attempt per person and exam (partial unique index), numbered
 * per person so concurrent starts cannot exceed the retake limit (unique attempt number).
 */
export const examAttempts = pgTable(
  'training_exam_attempts',
  {
    id: idColumn(),
    ...businessColumns(),
    examId: uuid('exam_id').notNull(),
    personId: uuid('person_id').notNull(),
    attemptNo: integer('attempt_no').notNull(),
    status: text('status').$type<AttemptStatus>().notNull().default('active'),
    /** The seed the questions and options were shuffled with (kept to explain or replay the order). */
    seed: integer('seed').notNull(),
    questions: jsonb('questions').$type<AttemptQuestion[]>().notNull(),
    /** questionId → chosen option keys, saved while the attempt runs. */
    answers: jsonb('answers').$type<Record<string, string[]>>().notNull().default({}),
    startedAt: timestamptz('started_at').notNull(),
    deadlineAt: timestamptz('deadline_at').notNull(),
    submittedAt: timestamptz('submitted_at'),
    correctCount: integer('correct_count'),
    score: integer('score'),
    passed: boolean('passed'),
  },
  (t) => [
    uniqueIndex('training_exam_attempts_one_active').on(t.tenantId, t.examId, t.personId).where(sql`status = 'active'`),
    uniqueIndex('training_exam_attempts_no').on(t.tenantId, t.examId, t.personId, t.attemptNo),
    index('training_exam_attempts_person').on(t.tenantId, t.personId),
  ],
);

// ---------------------------------------------------------------------------------------------------------
// Courses, online learning progress, classroom sessions with QR sign-in (issue 7)
// ---------------------------------------------------------------------------------------------------------

export const materialKinds = ['video', 'pdf', 'slides', 'text'] as const;
export type MaterialKind = (typeof materialKinds)[number];

/** One material of a course: an uploaded file (platform/files) or a text. */
export interface CourseMaterial {
  key: string;
  kind: MaterialKind;
  title: string;
  fileId: string | null;
  text: string | null;
}

export const courses = pgTable(
  'training_courses',
  {
    id: idColumn(),
    ...businessColumns(),
    title: text('title').notNull(),
    description: text('description'),
    category: text('category').notNull(),
    materials: jsonb('materials').$type<CourseMaterial[]>().notNull().default([]),
    /** Learning time (minutes, as reported by heartbeats and capped by wall time) that completes the course. */
    requiredMinutes: integer('required_minutes').notNull(),
    /** 学时 credited to the learner's record on completion. */
    creditHours: integer('credit_hours').notNull(),
    active: boolean('active').notNull().default(true),
  },
  (t) => [index('training_courses_tenant').on(t.tenantId)],
);

/** A person's online progress in a course: seconds credited, the last heartbeat, completion. */
export const courseProgress = pgTable(
  'training_course_progress',
  {
    id: idColumn(),
    ...businessColumns(),
    courseId: uuid('course_id').notNull(),
    personId: uuid('person_id').notNull(),
    secondsCredited: integer('seconds_credited').notNull().default(0),
    /** Seconds the client reported in all, kept beside the credited ones to spot clients that over-report. */
    secondsReported: integer('seconds_reported').notNull().default(0),
    lastHeartbeatAt: timestamptz('last_heartbeat_at'),
    completedAt: timestamptz('completed_at'),
  },
  (t) => [uniqueIndex('training_course_progress_person').on(t.tenantId, t.courseId, t.personId)],
);

/** An offline classroom session (线下培训) with its sign-in token (the QR code holds it; only its hash is kept). */
export const classSessions = pgTable(
  'training_class_sessions',
  {
    id: idColumn(),
    ...businessColumns(),
    courseId: uuid('course_id'),
    title: text('title').notNull(),
    trainer: text('trainer').notNull(),
    location: text('location').notNull(),
    startsAt: timestamptz('starts_at').notNull(),
    endsAt: timestamptz('ends_at').notNull(),
    hours: integer('hours').notNull(),
    /** The plan item this session delivers (its attendance counts toward the item's completion). */
    planItemId: uuid('plan_item_id'),
    tokenHash: text('token_hash').notNull(),
  },
  (t) => [uniqueIndex('training_class_sessions_token').on(t.tokenHash), index('training_class_sessions_tenant').on(t.tenantId, t.startsAt)],
);

export const attendances = pgTable(
  'training_attendances',
  {
    id: idColumn(),
    tenantId: uuid('tenant_id').notNull(),
    orgUnitId: uuid('org_unit_id'),
    sessionId: uuid('session_id').notNull(),
    personId: uuid('person_id').notNull(),
    signedAt: timestamptz('signed_at').notNull(),
    /** qr = the person scanned the code; manual = recorded by the organiser. */
    via: text('via').$type<'qr' | 'manual'>().notNull(),
    recordedBy: uuid('recorded_by'),
  },
  (t) => [uniqueIndex('training_attendances_person').on(t.tenantId, t.sessionId, t.personId)],
);

// ---------------------------------------------------------------------------------------------------------
// Training plans and the required-training matrix (issue 7)
// ---------------------------------------------------------------------------------------------------------

export const planStatuses = ['draft', 'published', 'closed'] as const;
export type PlanStatus = (typeof planStatuses)[number];

/**
 * A yearly (month null) or monthly training plan of a department: `org_unit_id` (business columns) is the
 * department the plan is for, and its data scope.
 */
export const trainingPlans = pgTable(
  'training_plans',
  {
    id: idColumn(),
    ...businessColumns(),
    year: integer('year').notNull(),
    /** 1–12 for a monthly plan; null for a yearly one. */
    month: integer('month'),
    title: text('title').notNull(),
    status: text('status').$type<PlanStatus>().notNull().default('draft'),
    notes: text('notes'),
  },
  (t) => [index('training_plans_period').on(t.tenantId, t.year, t.month)],
);

export const planItemStatuses = ['planned', 'cancelled'] as const;
export type PlanItemStatus = (typeof planItemStatuses)[number];

/**
 * One line of a plan: a course (online or in class) or a topic taught in class sessions linked to the item,
 * for the people of a department (`org_unit_id`, its subtree) in some positions (empty = everybody there).
 * Completion is computed from the training records, never stored.
 */
export const trainingPlanItems = pgTable(
  'training_plan_items',
  {
    id: idColumn(),
    ...businessColumns(),
    planId: uuid('plan_id').notNull(),
    courseId: uuid('course_id'),
    topic: text('topic').notNull(),
    positionIds: uuid('position_ids').array().notNull().default(sql`'{}'::uuid[]`),
    plannedMonth: integer('planned_month').notNull(),
    hours: integer('hours').notNull(),
    trainer: text('trainer'),
    status: text('status').$type<PlanItemStatus>().notNull().default('planned'),
    sort: integer('sort').notNull().default(0),
  },
  (t) => [index('training_plan_items_plan').on(t.tenantId, t.planId)],
);

export const matrixKinds = ['course', 'certificate'] as const;
export type MatrixKind = (typeof matrixKinds)[number];

/**
 * The required-training matrix (岗位培训矩阵): a position needs a completed course (again every
 * `valid_months`, if set) or a certificate of a type (in any of `categories`). `gates` names the
 * qualification targets (e.g. operation:hot_work) the requirement also decides for people in the position.
 */
export const positionRequirements = pgTable(
  'training_position_requirements',
  {
    id: idColumn(),
    tenantId: uuid('tenant_id').notNull(),
    positionId: uuid('position_id').notNull(),
    kind: text('kind').$type<MatrixKind>().notNull(),
    courseId: uuid('course_id'),
    typeId: uuid('type_id'),
    categories: text('categories').array().notNull().default(sql`'{}'::text[]`),
    validMonths: integer('valid_months'),
    gates: text('gates').array().notNull().default(sql`'{}'::text[]`),
    note: text('note'),
    active: boolean('active').notNull().default(true),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
    updatedAt: timestamptz('updated_at').notNull().defaultNow(),
    updatedBy: uuid('updated_by'),
    version: integer('version').notNull().default(1),
  },
  (t) => [index('training_position_requirements_position').on(t.tenantId, t.positionId)],
);
