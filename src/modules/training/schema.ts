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
  /** Local hour (tenant time zone) at which certificate reminders go out. */
  reminderHour: integer('reminder_hour').notNull().default(8),
  updatedAt: timestamptz('updated_at').notNull().defaultNow(),
  updatedBy: uuid('updated_by'),
  version: integer('version').notNull().default(1),
});
