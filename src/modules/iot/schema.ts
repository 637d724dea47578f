import { sql } from 'drizzle-orm';
import { bigint, boolean, doublePrecision, index, integer, jsonb, pgTable, primaryKey, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { businessColumns, idColumn, timestamptz } from '../../platform/db/columns.ts';

/**
 * Tables of the IoT module (issue 8): gateways, devices with their token hash and online state, measurement
 * points, raw readings (append-only, BRIN on time so the table stays cheap to write and to prune as it grows),
 * per-minute and per-hour rollups, the point-type dictionary with its retention, alarm rules, the per
 * (point, rule) evaluation state, alarms, alarm events and escalation steps.
 */

export const deviceStatuses = ['online', 'offline'] as const;
export type DeviceStatus = (typeof deviceStatuses)[number];

export const ruleKinds = ['high_high', 'high', 'low', 'low_low', 'rate_of_change', 'no_data'] as const;
export type RuleKind = (typeof ruleKinds)[number];

export const alarmSeverities = ['critical', 'major', 'minor', 'warning'] as const;
export type AlarmSeverity = (typeof alarmSeverities)[number];

/** ISA-18.2 / ThingsBoard lifecycle; `cleared_ack` is closed (the only state outside the one-open-alarm index). */
export const alarmStates = ['active_unack', 'active_ack', 'cleared_unack', 'cleared_ack'] as const;
export type AlarmState = (typeof alarmStates)[number];

export const alarmEventKinds = ['raised', 'updated', 'acknowledged', 'cleared', 'shelved', 'unshelved', 'commented', 'escalated', 'hazard_opened', 'linkage'] as const;
export type AlarmEventKind = (typeof alarmEventKinds)[number];

export const rollupGrains = ['minute', 'hour'] as const;
export type RollupGrain = (typeof rollupGrains)[number];

/** Point types (gas, temperature, …): a tenant dictionary seeded with defaults, carrying the retention. */
export const iotPointTypes = pgTable(
  'iot_point_types',
  {
    id: idColumn(),
    tenantId: uuid('tenant_id').notNull(),
    code: text('code').notNull(),
    nameZh: text('name_zh').notNull(),
    nameEn: text('name_en').notNull(),
    defaultUnit: text('default_unit').notNull().default(''),
    /** Raw readings older than this are deleted by the retention job; rollups are kept longer. */
    rawRetentionDays: integer('raw_retention_days').notNull().default(90),
    rollupRetentionDays: integer('rollup_retention_days').notNull().default(1095),
    updatedAt: timestamptz('updated_at').notNull().defaultNow(),
    version: integer('version').notNull().default(1),
  },
  (t) => [uniqueIndex('iot_point_types_code').on(t.tenantId, t.code)],
);

export const iotGateways = pgTable(
  'iot_gateways',
  {
    id: idColumn(),
    ...businessColumns(),
    code: text('code').notNull(),
    name: text('name').notNull(),
    location: text('location'),
    archivedAt: timestamptz('archived_at'),
  },
  (t) => [uniqueIndex('iot_gateways_code').on(t.tenantId, t.code)],
);

/**
 * A device (sensor, transmitter, PLC channel group) that publishes readings. It authenticates with a random
 * token of which only the SHA-256 is stored; tokens are unique over all tenants, so the token alone finds it.
 */
export const iotDevices = pgTable(
  'iot_devices',
  {
    id: idColumn(),
    ...businessColumns(),
    gatewayId: uuid('gateway_id'),
    code: text('code').notNull(),
    name: text('name').notNull(),
    model: text('model'),
    tokenHash: text('token_hash'),
    tokenIssuedAt: timestamptz('token_issued_at'),
    status: text('status').$type<DeviceStatus>().notNull().default('offline'),
    lastSeenAt: timestamptz('last_seen_at'),
    /** A device silent this long is marked offline by the sweep. */
    offlineAfterS: integer('offline_after_s').notNull().default(300),
    archivedAt: timestamptz('archived_at'),
  },
  (t) => [
    uniqueIndex('iot_devices_code').on(t.tenantId, t.code),
    uniqueIndex('iot_devices_token').on(t.tokenHash).where(sql`token_hash IS NOT NULL`),
    index('iot_devices_gateway').on(t.tenantId, t.gatewayId),
  ],
);

/** A measurement point (测点). `org_unit_id` is its area (data scope); `key` is its name inside the device's payloads. */
export const iotPoints = pgTable(
  'iot_points',
  {
    id: idColumn(),
    ...businessColumns(),
    deviceId: uuid('device_id').notNull(),
    key: text('key').notNull(),
    code: text('code').notNull(),
    name: text('name').notNull(),
    /** Code of a point type of the tenant (iot_point_types.code). */
    type: text('type').notNull(),
    unit: text('unit').notNull().default(''),
    rangeMin: doublePrecision('range_min'),
    rangeMax: doublePrecision('range_max'),
    riskUnitIds: uuid('risk_unit_ids').array().notNull().default(sql`'{}'::uuid[]`),
    equipmentIds: uuid('equipment_ids').array().notNull().default(sql`'{}'::uuid[]`),
    lastValue: doublePrecision('last_value'),
    lastTs: timestamptz('last_ts'),
    archivedAt: timestamptz('archived_at'),
  },
  (t) => [
    uniqueIndex('iot_points_code').on(t.tenantId, t.code),
    uniqueIndex('iot_points_device_key').on(t.deviceId, t.key),
    index('iot_points_unit').on(t.tenantId, t.orgUnitId),
  ],
);

/**
 * Raw readings. The primary key (point, ts) makes a redelivered QoS 1 message idempotent (ON CONFLICT DO
 * NOTHING); the BRIN index on `ts` serves retention deletes and time-range scans at a few pages per GB,
 * because rows arrive in time order. Works the same on PGlite and PostgreSQL (no partition management).
 */
export const iotReadings = pgTable(
  'iot_readings',
  {
    tenantId: uuid('tenant_id').notNull(),
    pointId: uuid('point_id').notNull(),
    ts: timestamptz('ts').notNull(),
    value: doublePrecision('value').notNull(),
    receivedAt: timestamptz('received_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.pointId, t.ts] }), index('iot_readings_ts_brin').using('brin', t.ts)],
);

/** Per-minute and per-hour aggregates, upserted in the transaction that stores the raw readings. */
export const iotRollups = pgTable(
  'iot_rollups',
  {
    tenantId: uuid('tenant_id').notNull(),
    pointId: uuid('point_id').notNull(),
    grain: text('grain').$type<RollupGrain>().notNull(),
    bucket: timestamptz('bucket').notNull(),
    count: bigint('count', { mode: 'number' }).notNull(),
    sum: doublePrecision('sum').notNull(),
    min: doublePrecision('min').notNull(),
    max: doublePrecision('max').notNull(),
  },
  (t) => [primaryKey({ columns: [t.pointId, t.grain, t.bucket] }), index('iot_rollups_bucket_brin').using('brin', t.bucket)],
);

/**
 * An alarm rule for one point (`point_id`) or for every point of a type (`point_type`). Threshold kinds
 * use `limit` and `deadband`; rate_of_change uses `limit` as units per minute; no_data uses `timeout_s`.
 */
export const iotAlarmRules = pgTable(
  'iot_alarm_rules',
  {
    id: idColumn(),
    ...businessColumns(),
    pointId: uuid('point_id'),
    pointType: text('point_type'),
    name: text('name').notNull(),
    kind: text('kind').$type<RuleKind>().notNull(),
    limit: doublePrecision('limit'),
    deadband: doublePrecision('deadband').notNull().default(0),
    onDelayS: integer('on_delay_s').notNull().default(0),
    consecutive: integer('consecutive').notNull().default(1),
    timeoutS: integer('timeout_s'),
    severity: text('severity').$type<AlarmSeverity>().notNull(),
    enabled: boolean('enabled').notNull().default(true),
  },
  (t) => [index('iot_alarm_rules_point').on(t.tenantId, t.pointId), index('iot_alarm_rules_type').on(t.tenantId, t.pointType)],
);

/** Evaluation memory of one rule on one point (on-delay start, consecutive count, latch); locked per reading. */
export const iotRuleStates = pgTable(
  'iot_rule_states',
  {
    pointId: uuid('point_id').notNull(),
    ruleId: uuid('rule_id').notNull(),
    tenantId: uuid('tenant_id').notNull(),
    latched: boolean('latched').notNull().default(false),
    breachSince: timestamptz('breach_since'),
    breachCount: integer('breach_count').notNull().default(0),
    prevValue: doublePrecision('prev_value'),
    prevTs: timestamptz('prev_ts'),
  },
  (t) => [primaryKey({ columns: [t.pointId, t.ruleId] })],
);

export const iotAlarms = pgTable(
  'iot_alarms',
  {
    id: idColumn(),
    tenantId: uuid('tenant_id').notNull(),
    orgUnitId: uuid('org_unit_id'),
    pointId: uuid('point_id').notNull(),
    ruleId: uuid('rule_id').notNull(),
    kind: text('kind').$type<RuleKind>().notNull(),
    severity: text('severity').$type<AlarmSeverity>().notNull(),
    state: text('state').$type<AlarmState>().notNull(),
    limit: doublePrecision('limit'),
    raisedAt: timestamptz('raised_at').notNull(),
    raisedValue: doublePrecision('raised_value'),
    lastValue: doublePrecision('last_value'),
    peakValue: doublePrecision('peak_value'),
    lastAt: timestamptz('last_at').notNull(),
    /** Readings beyond the limit seen while open (updates of the one alarm, not new alarms). */
    updateCount: integer('update_count').notNull().default(0),
    ackAt: timestamptz('ack_at'),
    ackBy: uuid('ack_by'),
    ackNote: text('ack_note'),
    clearedAt: timestamptz('cleared_at'),
    clearedBy: uuid('cleared_by'),
    shelvedUntil: timestamptz('shelved_until'),
    shelvedBy: uuid('shelved_by'),
    shelveReason: text('shelve_reason'),
    escalationLevel: integer('escalation_level').notNull().default(0),
    hazardId: uuid('hazard_id'),
    updatedAt: timestamptz('updated_at').notNull().defaultNow(),
    version: integer('version').notNull().default(1),
  },
  (t) => [
    // One open alarm per (point, rule): a returning condition updates it instead of raising a duplicate.
    uniqueIndex('iot_alarms_open').on(t.pointId, t.ruleId).where(sql`state <> 'cleared_ack'`),
    index('iot_alarms_tenant_state').on(t.tenantId, t.state, t.raisedAt),
  ],
);

export const iotAlarmEvents = pgTable(
  'iot_alarm_events',
  {
    id: idColumn(),
    tenantId: uuid('tenant_id').notNull(),
    alarmId: uuid('alarm_id').notNull(),
    kind: text('kind').$type<AlarmEventKind>().notNull(),
    at: timestamptz('at').notNull(),
    byUserId: uuid('by_user_id'),
    value: doublePrecision('value'),
    note: text('note'),
    data: jsonb('data').$type<Record<string, unknown>>().notNull().default({}),
  },
  (t) => [index('iot_alarm_events_alarm').on(t.alarmId, t.at)],
);

/**
 * Escalation while an alarm is unacknowledged: after `after_minutes`, notify the holders of `role_code`
 * around the point's area, or one person. Tenant data, seeded (5 min → team leader, 15 min → safety director).
 */
export const iotEscalationSteps = pgTable(
  'iot_escalation_steps',
  {
    id: idColumn(),
    tenantId: uuid('tenant_id').notNull(),
    afterMinutes: integer('after_minutes').notNull(),
    roleCode: text('role_code'),
    personId: uuid('person_id'),
    /** Severities this step applies to. */
    severities: text('severities').array().notNull().default(sql`'{critical,major,minor,warning}'::text[]`),
    updatedAt: timestamptz('updated_at').notNull().defaultNow(),
    version: integer('version').notNull().default(1),
  },
  (t) => [index('iot_escalation_steps_tenant').on(t.tenantId, t.afterMinutes)],
);

/**
 * Alarm-health thresholds of a tenant (ISA-18.2 / EEMUA 191), seeded with the usual defaults on first use:
 * flood > 10 activations in 10 min (ending below 5), chattering ≥ 3 activations in 60 s, fleeting cleared
 * within 5 s, stale active > 24 h, and the EEMUA priority split 5 / 15 / 80 % (high / medium / low).
 */
export const iotHealthSettings = pgTable('iot_health_settings', {
  tenantId: uuid('tenant_id').primaryKey(),
  floodCount: integer('flood_count').notNull(),
  floodEndCount: integer('flood_end_count').notNull(),
  floodWindowMin: integer('flood_window_min').notNull(),
  chatterCount: integer('chatter_count').notNull(),
  chatterWindowS: integer('chatter_window_s').notNull(),
  fleetingS: integer('fleeting_s').notNull(),
  staleHours: integer('stale_hours').notNull(),
  /** EEMUA 191 per-operator guidance: ≤ 1 per 10 min and ≤ 6 per hour are "very likely acceptable". */
  targetPer10Min: doublePrecision('target_per_10min').notNull(),
  targetPerHour: doublePrecision('target_per_hour').notNull(),
  targetHighPct: doublePrecision('target_high_pct').notNull(),
  targetMediumPct: doublePrecision('target_medium_pct').notNull(),
  targetLowPct: doublePrecision('target_low_pct').notNull(),
  version: integer('version').notNull().default(1),
  updatedAt: timestamptz('updated_at').notNull().defaultNow(),
  updatedBy: uuid('updated_by'),
});

// ---- linkage (issue 8): commands to devices when an alarm is raised or clears (src/modules/iot/linkage*.ts) ----

export const linkageTriggers = ['raised', 'cleared'] as const;
export type LinkageTrigger = (typeof linkageTriggers)[number];

/** pending → confirmed (device said ok) | failed (device said not ok, or it could not be sent) | timed_out. */
export const linkageStates = ['pending', 'confirmed', 'failed', 'timed_out'] as const;
export type LinkageState = (typeof linkageStates)[number];

/**
 * A linkage rule of an area (`org_unit_id`, the data scope; it covers the area and everything below it):
 * when an alarm of a matching point (type and/or point, severity at least `min_severity`) is raised and/or
 * clears, send `command` with `params` to `device_id` and wait `timeout_s` (null: the tenant default) for
 * its confirmation.
 */
export const iotLinkageRules = pgTable(
  'iot_linkage_rules',
  {
    id: idColumn(),
    ...businessColumns(),
    name: text('name').notNull(),
    pointType: text('point_type'),
    pointId: uuid('point_id'),
    minSeverity: text('min_severity').$type<AlarmSeverity>().notNull().default('warning'),
    onRaised: boolean('on_raised').notNull().default(true),
    onCleared: boolean('on_cleared').notNull().default(false),
    deviceId: uuid('device_id').notNull(),
    command: text('command').notNull(),
    params: jsonb('params').$type<Record<string, unknown>>().notNull().default({}),
    timeoutS: integer('timeout_s'),
    enabled: boolean('enabled').notNull().default(true),
    archivedAt: timestamptz('archived_at'),
    archiveReason: text('archive_reason'),
  },
  (t) => [index('iot_linkage_rules_tenant').on(t.tenantId, t.enabled)],
);

/**
 * One command sent (or to be sent) for one alarm transition. Written in the transaction that raised or
 * cleared the alarm (outbox style), published after the commit by the `iot.linkage.send` job; the device's
 * reply names `command_id`. A manual re-send is a new row pointing at the failed one (`retry_of`).
 */
export const iotLinkageExecutions = pgTable(
  'iot_linkage_executions',
  {
    id: idColumn(),
    tenantId: uuid('tenant_id').notNull(),
    /** The alarm's area (data scope). */
    orgUnitId: uuid('org_unit_id'),
    alarmId: uuid('alarm_id').notNull(),
    ruleId: uuid('rule_id').notNull(),
    trigger: text('trigger').$type<LinkageTrigger>().notNull(),
    deviceId: uuid('device_id').notNull(),
    commandId: uuid('command_id').notNull(),
    command: text('command').notNull(),
    topic: text('topic').notNull(),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
    timeoutS: integer('timeout_s').notNull(),
    state: text('state').$type<LinkageState>().notNull().default('pending'),
    /** The device's result message, or why it failed / timed out. */
    message: text('message'),
    retryOf: uuid('retry_of'),
    createdAt: timestamptz('created_at').notNull(),
    createdBy: uuid('created_by'),
    sentAt: timestamptz('sent_at'),
    confirmedAt: timestamptz('confirmed_at'),
    finishedAt: timestamptz('finished_at'),
    updatedAt: timestamptz('updated_at').notNull(),
    version: integer('version').notNull().default(1),
  },
  (t) => [uniqueIndex('iot_linkage_executions_command').on(t.commandId), index('iot_linkage_executions_alarm').on(t.alarmId, t.createdAt)],
);

/** Tenant settings of linkage, seeded on first use: the confirmation timeout a rule without its own uses. */
export const iotLinkageSettings = pgTable('iot_linkage_settings', {
  tenantId: uuid('tenant_id').primaryKey(),
  defaultTimeoutS: integer('default_timeout_s').notNull().default(10),
  updatedAt: timestamptz('updated_at').notNull().defaultNow(),
  version: integer('version').notNull().default(1),
});
