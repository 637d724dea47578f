import { sql } from 'drizzle-orm';
import { boolean, date, doublePrecision, index, integer, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { businessColumns, idColumn, timestamptz } from '../../platform/db/columns.ts';

/**
 * Tables of the equipment module: the tenant's equipment kinds (a dictionary seeded with the special
 * equipment categories of 特种设备安全法 and a few general ones), the equipment register with its statutory
 * inspection dates, the inspection records, the checkpoints (巡检点) with their stable QR codes, the codes
 * a rotation retired, the scan log, and the module settings (reminder thresholds).
 */

export const equipmentStatuses = ['in_service', 'stopped', 'scrapped'] as const;
export type EquipmentStatus = (typeof equipmentStatuses)[number];

export const inspectionResults = ['passed', 'passed_with_remarks', 'failed'] as const;
export type InspectionResult = (typeof inspectionResults)[number];

/** Outcome of one scan: accepted, or why it was refused. */
export const scanResults = ['ok', 'unknown_code', 'rotated_code', 'out_of_range', 'mismatch', 'archived'] as const;
export type ScanResult = (typeof scanResults)[number];

export const equipmentKinds = pgTable(
  'equipment_kinds',
  {
    id: idColumn(),
    tenantId: uuid('tenant_id').notNull(),
    code: text('code').notNull(),
    nameZh: text('name_zh').notNull(),
    nameEn: text('name_en').notNull(),
    /** Whether equipment of this kind is special equipment (特种设备) by default. */
    special: boolean('special').notNull().default(false),
    /** Default statutory inspection interval (months); null = no periodic statutory inspection. */
    inspectionIntervalMonths: integer('inspection_interval_months'),
    sort: integer('sort').notNull().default(0),
    active: boolean('active').notNull().default(true),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
    updatedAt: timestamptz('updated_at').notNull().defaultNow(),
    updatedBy: uuid('updated_by'),
    version: integer('version').notNull().default(1),
  },
  (t) => [uniqueIndex('equipment_kinds_code').on(t.tenantId, t.code)],
);

/**
 * One piece of equipment. `org_unit_id` (business columns) is the responsible unit: the area it stands in
 * and the anchor of data scope. Never deleted: stopped or scrapped with a reason.
 */
export const equipment = pgTable(
  'equipment',
  {
    id: idColumn(),
    ...businessColumns(),
    code: text('code').notNull(),
    name: text('name').notNull(),
    /** Code of an equipment kind of the tenant (equipment_kinds.code). */
    kind: text('kind').notNull(),
    model: text('model'),
    manufacturer: text('manufacturer'),
    location: text('location'),
    /** 特种设备: registered with the market regulator and inspected by a statutory inspection body. */
    special: boolean('special').notNull().default(false),
    /** 使用登记证编号 of special equipment. */
    registrationNo: text('registration_no'),
    lastInspectedOn: date('last_inspected_on', { mode: 'string' }),
    inspectionIntervalMonths: integer('inspection_interval_months'),
    /** Last day by which the next statutory inspection is due (tenant time zone); reminders count to it. */
    nextInspectionDue: date('next_inspection_due', { mode: 'string' }),
    responsiblePersonId: uuid('responsible_person_id'),
    /** Risk units (risks module) this equipment belongs to. */
    riskUnitIds: uuid('risk_unit_ids').array().notNull().default(sql`'{}'::uuid[]`),
    status: text('status').$type<EquipmentStatus>().notNull().default('in_service'),
    statusReason: text('status_reason'),
    statusChangedAt: timestamptz('status_changed_at'),
    notes: text('notes'),
  },
  (t) => [
    uniqueIndex('equipment_tenant_code').on(t.tenantId, t.code),
    index('equipment_tenant_unit').on(t.tenantId, t.orgUnitId),
    index('equipment_tenant_due').on(t.tenantId, t.nextInspectionDue),
  ],
);

/** A statutory inspection (定期检验) of a piece of equipment; recording one moves its due date. */
export const equipmentInspections = pgTable(
  'equipment_inspections',
  {
    id: idColumn(),
    tenantId: uuid('tenant_id').notNull(),
    equipmentId: uuid('equipment_id').notNull(),
    inspectedOn: date('inspected_on', { mode: 'string' }).notNull(),
    result: text('result').$type<InspectionResult>().notNull(),
    /** Inspection body (检验机构), e.g. the provincial special-equipment inspection institute. */
    inspector: text('inspector'),
    reportNo: text('report_no'),
    certificateFileId: uuid('certificate_file_id'),
    nextDue: date('next_due', { mode: 'string' }),
    notes: text('notes'),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
    createdBy: uuid('created_by'),
  },
  (t) => [index('equipment_inspections_equipment').on(t.tenantId, t.equipmentId, t.inspectedOn)],
);

/**
 * 巡检点. `org_unit_id` is its area. `scan_code` is the random capability printed in its QR code (after `#`
 * in the URL): proof that whoever scans stood in front of the label. It stays the same on every re-print
 * and changes only by an explicit rotation.
 */
export const checkpoints = pgTable(
  'checkpoints',
  {
    id: idColumn(),
    ...businessColumns(),
    name: text('name').notNull(),
    description: text('description'),
    equipmentId: uuid('equipment_id'),
    riskUnitIds: uuid('risk_unit_ids').array().notNull().default(sql`'{}'::uuid[]`),
    lat: doublePrecision('lat'),
    lng: doublePrecision('lng'),
    /** Allowed distance (metres) from lat/lng for a scan with a position; null = no GPS check. */
    radiusM: integer('radius_m'),
    scanCode: text('scan_code').notNull(),
    codeRotatedAt: timestamptz('code_rotated_at'),
    archivedAt: timestamptz('archived_at'),
    archivedBy: uuid('archived_by'),
    archiveReason: text('archive_reason'),
  },
  (t) => [
    // Codes are random over 2^100: unique across tenants, so a scan finds its checkpoint by the code alone.
    uniqueIndex('checkpoints_scan_code').on(t.scanCode),
    index('checkpoints_tenant_unit').on(t.tenantId, t.orgUnitId),
    index('checkpoints_tenant_equipment').on(t.tenantId, t.equipmentId),
  ],
);

/** Codes retired by a rotation: a scan of an old label is told so ("replaced"), not just "unknown". */
export const checkpointRetiredCodes = pgTable(
  'checkpoint_retired_codes',
  {
    code: text('code').primaryKey(),
    tenantId: uuid('tenant_id').notNull(),
    checkpointId: uuid('checkpoint_id').notNull(),
    retiredAt: timestamptz('retired_at').notNull(),
    retiredBy: uuid('retired_by'),
    reason: text('reason').notNull(),
  },
  (t) => [index('checkpoint_retired_codes_checkpoint').on(t.tenantId, t.checkpointId)],
);

/** Every scan, accepted or refused: who, when, where, with what outcome (the proof-of-presence trail). */
export const checkpointScans = pgTable(
  'checkpoint_scans',
  {
    id: idColumn(),
    tenantId: uuid('tenant_id').notNull(),
    /** Null when the code matched no checkpoint of the tenant. */
    checkpointId: uuid('checkpoint_id'),
    /** The checkpoint the caller expected (inspections: the task's checkpoint). */
    expectedCheckpointId: uuid('expected_checkpoint_id'),
    userId: uuid('user_id'),
    scannedAt: timestamptz('scanned_at').notNull(),
    lat: doublePrecision('lat'),
    lng: doublePrecision('lng'),
    accuracyM: doublePrecision('accuracy_m'),
    distanceM: doublePrecision('distance_m'),
    result: text('result').$type<ScanResult>().notNull(),
  },
  (t) => [index('checkpoint_scans_checkpoint').on(t.tenantId, t.checkpointId, t.scannedAt), index('checkpoint_scans_user').on(t.tenantId, t.userId, t.scannedAt)],
);

/** Module settings per tenant (seeded on first use). */
export const equipmentSettings = pgTable('equipment_settings', {
  tenantId: uuid('tenant_id').primaryKey(),
  /** Days before the statutory inspection due date at which reminders go out (0 = on the due day). */
  reminderDays: integer('reminder_days').array().notNull().default(sql`'{30,7,0}'::integer[]`),
  /** Local hour (tenant time zone) at which reminders go out. */
  reminderHour: integer('reminder_hour').notNull().default(8),
  updatedAt: timestamptz('updated_at').notNull().defaultNow(),
  updatedBy: uuid('updated_by'),
  version: integer('version').notNull().default(1),
});
