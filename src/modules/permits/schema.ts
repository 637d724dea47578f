import { sql } from 'drizzle-orm';
import { boolean, doublePrecision, index, integer, jsonb, pgTable, primaryKey, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { businessColumns, idColumn, timestamptz } from '../../platform/db/columns.ts';

/**
 * Tables of the hazardous-work permit module (特殊作业票, GB 30871-2022): the tenant's permit rules (one
 * JSON document seeded with the reference §1 defaults), the permits with their workers, safety-measure
 * confirmations, gas readings, status history, on-site verifications and hot-work follow-up checks.
 * Nothing is deleted: a permit ends closed, cancelled or expired and is kept (reference §1.4: ≥ 1 year).
 */

export const permitTypes = ['hot_work', 'confined_space', 'blinding', 'height', 'lifting', 'temp_power', 'excavation', 'road_closure'] as const;
export type PermitType = (typeof permitTypes)[number];

export const permitStatuses = ['draft', 'gas_tested', 'approving', 'approved', 'active', 'suspended', 'closing', 'closed', 'cancelled', 'expired'] as const;
export type PermitStatus = (typeof permitStatuses)[number];

export const workerRoles = ['leader', 'worker', 'fire_watch', 'rigger', 'signaler', 'electrician', 'other'] as const;
export type WorkerRole = (typeof workerRoles)[number];

export const followUpStatuses = ['scheduled', 'due', 'done'] as const;
export type FollowUpStatus = (typeof followUpStatuses)[number];

export interface JsaItem {
  step: string;
  hazard: string;
  control: string;
}

export interface ToxicReading {
  code: string;
  value: number;
}

/** The tenant's permit rules (PermitConfig in config.ts), seeded on first use, edited as a whole. */
export const permitSettings = pgTable('permit_settings', {
  tenantId: uuid('tenant_id').primaryKey(),
  config: jsonb('config').$type<Record<string, unknown>>().notNull(),
  updatedAt: timestamptz('updated_at').notNull().defaultNow(),
  updatedBy: uuid('updated_by'),
  version: integer('version').notNull().default(1),
});

/** Every version of the tenant's permit rules, kept when they are replaced (the rules editor lists them). */
export const permitSettingsVersions = pgTable(
  'permit_settings_versions',
  {
    tenantId: uuid('tenant_id').notNull(),
    version: integer('version').notNull(),
    config: jsonb('config').$type<Record<string, unknown>>().notNull(),
    createdAt: timestamptz('created_at').notNull(),
    createdBy: uuid('created_by'),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.version] })],
);

/** Per tenant, type prefix and year: the last number handed out (ZY-DH-2026-0042). */
export const permitCounters = pgTable(
  'permit_counters',
  {
    tenantId: uuid('tenant_id').notNull(),
    prefix: text('prefix').notNull(),
    year: integer('year').notNull(),
    last: integer('last').notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.prefix, t.year] })],
);

/**
 * One permit. `org_unit_id` (business columns) is the area where the work happens (the org/area tree as
 * hazards use it) and the anchor of data scope. `qr_token` is the random capability printed as the QR
 * code: it opens the public status page and proves presence at the on-site verification.
 */
export const permits = pgTable(
  'permits',
  {
    id: idColumn(),
    ...businessColumns(),
    number: text('number').notNull(),
    type: text('type').$type<PermitType>().notNull(),
    grade: text('grade').notNull(),
    location: text('location').notNull(),
    content: text('content').notNull(),
    /** 动火方式, blind no., height, load, kW… per type (required fields come from the config). */
    fields: jsonb('fields').$type<Record<string, unknown>>().notNull().default({}),
    validFrom: timestamptz('valid_from').notNull(),
    validUntil: timestamptz('valid_until').notNull(),
    /** The first validUntil: extensions are measured from validFrom against the grade's extension limit. */
    originalValidUntil: timestamptz('original_valid_until').notNull(),
    applicantUserId: uuid('applicant_user_id').notNull(),
    applicantPersonId: uuid('applicant_person_id'),
    workUnit: text('work_unit'),
    guardianPersonId: uuid('guardian_person_id').notNull(),
    relatedPermitIds: uuid('related_permit_ids').array().notNull().default(sql`'{}'::uuid[]`),
    jsa: jsonb('jsa').$type<JsaItem[]>().notNull().default([]),
    status: text('status').$type<PermitStatus>().notNull().default('draft'),
    qrToken: text('qr_token').notNull(),
    flowInstanceId: uuid('flow_instance_id'),
    /** Who approved last (the issuer, 签发人): may verify on site besides the guardian. */
    issuerUserId: uuid('issuer_user_id'),
    approvedAt: timestamptz('approved_at'),
    activatedAt: timestamptz('activated_at'),
    suspendedAt: timestamptz('suspended_at'),
    suspendReason: text('suspend_reason'),
    closedAt: timestamptz('closed_at'),
    /** Closing acceptance (完工验收). */
    acceptance: jsonb('acceptance').$type<Record<string, unknown>>(),
    cancelReason: text('cancel_reason'),
    /**
     * The rules this permit runs under (its grade's limits and gas windows, the gas thresholds, the
     * fire-watch delay), copied from the tenant's rules when it is applied for, with their version: a
     * permit keeps the rules it was applied for and approved under when an administrator edits them.
     * Null for permits older than the copy, which read the current rules.
     */
    rules: jsonb('rules').$type<Record<string, unknown>>(),
  },
  (t) => [
    uniqueIndex('permits_tenant_number').on(t.tenantId, t.number),
    // Tokens are random over 2^144: unique across tenants, so a scan finds its permit by the token alone.
    uniqueIndex('permits_qr_token').on(t.qrToken),
    index('permits_tenant_status').on(t.tenantId, t.status),
    index('permits_tenant_unit').on(t.tenantId, t.orgUnitId),
    index('permits_tenant_guardian').on(t.tenantId, t.guardianPersonId, t.status),
  ],
);

/** The people on a permit and their roles; `qualification` is the last check's answer (reasons shown). */
export const permitWorkers = pgTable(
  'permit_workers',
  {
    id: idColumn(),
    tenantId: uuid('tenant_id').notNull(),
    permitId: uuid('permit_id').notNull(),
    personId: uuid('person_id').notNull(),
    role: text('role').$type<WorkerRole>().notNull(),
    certificateNo: text('certificate_no'),
    qualification: jsonb('qualification').$type<Record<string, unknown>>(),
    addedAt: timestamptz('added_at').notNull(),
    addedBy: uuid('added_by'),
    /**
     * A person added after approval: the issuer's (or a supervisor's) confirmation with a handwritten
     * signature stands in for a new approval (docs/permits.md, GB 30871 4.10 / 4.16). Null for people on
     * the permit when it was approved.
     */
    confirmedBy: uuid('confirmed_by'),
    signatureFileId: uuid('signature_file_id'),
    signatureSha256: text('signature_sha256'),
  },
  (t) => [index('permit_workers_permit').on(t.tenantId, t.permitId), uniqueIndex('permit_workers_person_role').on(t.permitId, t.personId, t.role)],
);

/** The numbered safety measures of the permit (from the config of its type and grade) and their confirmation. */
export const permitMeasures = pgTable(
  'permit_measures',
  {
    id: idColumn(),
    tenantId: uuid('tenant_id').notNull(),
    permitId: uuid('permit_id').notNull(),
    seq: integer('seq').notNull(),
    code: text('code').notNull(),
    text: text('text').notNull(),
    responsiblePersonId: uuid('responsible_person_id').notNull(),
    /** 是否涉及: null until confirmed. */
    applicable: boolean('applicable'),
    confirmedAt: timestamptz('confirmed_at'),
    confirmedBy: uuid('confirmed_by'),
    signatureFileId: uuid('signature_file_id'),
    signatureSha256: text('signature_sha256'),
  },
  (t) => [index('permit_measures_permit').on(t.tenantId, t.permitId, t.seq)],
);

/** A gas analysis reading and whether it passed the tenant's thresholds at the time it was recorded. */
export const permitGasReadings = pgTable(
  'permit_gas_readings',
  {
    id: idColumn(),
    tenantId: uuid('tenant_id').notNull(),
    permitId: uuid('permit_id').notNull(),
    takenAt: timestamptz('taken_at').notNull(),
    point: text('point').notNull(),
    o2Pct: doublePrecision('o2_pct'),
    /** Flammable concentration, % v/v, and the lower explosive limit of that medium (selects the limit). */
    flammablePct: doublePrecision('flammable_pct'),
    flammableLelPct: doublePrecision('flammable_lel_pct'),
    toxics: jsonb('toxics').$type<ToxicReading[]>().notNull().default([]),
    analystPersonId: uuid('analyst_person_id'),
    analystName: text('analyst_name').notNull(),
    passed: boolean('passed').notNull(),
    failures: text('failures').array().notNull().default(sql`'{}'::text[]`),
    createdAt: timestamptz('created_at').notNull(),
    createdBy: uuid('created_by'),
  },
  (t) => [index('permit_gas_readings_permit').on(t.tenantId, t.permitId, t.takenAt)],
);

/** Append-only status history: every transition with who, when and why. */
export const permitStatusHistory = pgTable(
  'permit_status_history',
  {
    id: idColumn(),
    tenantId: uuid('tenant_id').notNull(),
    permitId: uuid('permit_id').notNull(),
    fromStatus: text('from_status').$type<PermitStatus>(),
    toStatus: text('to_status').$type<PermitStatus>().notNull(),
    at: timestamptz('at').notNull(),
    byUserId: uuid('by_user_id'),
    reason: text('reason'),
  },
  (t) => [index('permit_status_history_permit').on(t.tenantId, t.permitId, t.at)],
);

/** On-site verification: the issuer or guardian scanned the permit's QR on site, with position and photo. */
export const permitVerifications = pgTable(
  'permit_verifications',
  {
    id: idColumn(),
    tenantId: uuid('tenant_id').notNull(),
    permitId: uuid('permit_id').notNull(),
    userId: uuid('user_id').notNull(),
    at: timestamptz('at').notNull(),
    lat: doublePrecision('lat').notNull(),
    lng: doublePrecision('lng').notNull(),
    accuracyM: doublePrecision('accuracy_m'),
    photoFileId: uuid('photo_file_id').notNull(),
    photoSha256: text('photo_sha256').notNull(),
  },
  (t) => [index('permit_verifications_permit').on(t.tenantId, t.permitId, t.at)],
);

/** Fire-watch round after hot work (e.g. 2 h after the end), scheduled by a job and tracked to done. */
export const permitFollowUps = pgTable(
  'permit_follow_ups',
  {
    id: idColumn(),
    tenantId: uuid('tenant_id').notNull(),
    permitId: uuid('permit_id').notNull(),
    dueAt: timestamptz('due_at').notNull(),
    status: text('status').$type<FollowUpStatus>().notNull().default('scheduled'),
    doneAt: timestamptz('done_at'),
    doneBy: uuid('done_by'),
    ok: boolean('ok'),
    notes: text('notes'),
    photoFileId: uuid('photo_file_id'),
    signatureFileId: uuid('signature_file_id'),
    signatureSha256: text('signature_sha256'),
    version: integer('version').notNull().default(1),
  },
  (t) => [index('permit_follow_ups_permit').on(t.tenantId, t.permitId), index('permit_follow_ups_status').on(t.tenantId, t.status, t.dueAt)],
);
