import { and, asc, desc, eq, isNull, sql, type SQL } from 'drizzle-orm';
import { recordChange } from '../../platform/audit/record.ts';
import type { Ctx } from '../../platform/auth/actor.ts';
import { assertInScope, pathInScope, requirePermission, scopeWhere } from '../../platform/auth/scope.ts';
import type { Tx } from '../../platform/db/client.ts';
import { newId } from '../../platform/db/columns.ts';
import { AppError, invalid, notFound } from '../../platform/http/errors.ts';
import { scheduleJob } from '../../platform/jobs/service.ts';
import { orgUnits } from '../../platform/org/schema.ts';
import { versionConflict } from '../../platform/org/sqlHelpers.ts';
import { pointTypeExists, ensureIotDefaults } from './defaults.ts';
import { iotPermissions as P } from './permissions.ts';
import {
  alarmSeverities,
  iotAlarmEvents,
  iotAlarms,
  iotDevices,
  iotLinkageExecutions,
  iotLinkageRules,
  iotLinkageSettings,
  iotPoints,
  type AlarmSeverity,
  type LinkageState,
  type LinkageTrigger,
} from './schema.ts';

/**
 * Linkage (联动, issue 8): commands to devices when an alarm is raised or clears — start ventilation, close
 * a shut-off valve, sound the audible-visual alarm — and the device's confirmation. Rules are per area.
 *
 * Outbox style: `queueLinkage` runs inside the transaction that raises or clears the alarm and writes one
 * execution row per matching rule plus a `iot.linkage.send` job due at once; the job publishes the command
 * after the commit (linkageJobs.ts), so a rolled-back alarm never moves a valve and a committed one always
 * gets its command, even across a crash. The device's reply (linkageMqtt.ts) or the timeout job ends it.
 */

export type LinkageRuleRow = typeof iotLinkageRules.$inferSelect;
export type LinkageExecutionRow = typeof iotLinkageExecutions.$inferSelect;
type AlarmRow = typeof iotAlarms.$inferSelect;

export const SEND_KIND = 'iot.linkage.send';
export const TIMEOUT_KIND = 'iot.linkage.timeout';
export const sendKey = (executionId: string) => `iot:linkage:${executionId}:send`;
export const timeoutKey = (executionId: string) => `iot:linkage:${executionId}:timeout`;

/** Topic convention (docs/iot.md "Linkage"): the device subscribes to `…/<deviceId>/commands/#`. */
export const commandTopic = (deviceId: string, command: string) => `safeloop/v1/devices/${deviceId}/commands/${command}`;
/** One results topic per device, outside `commands/#`, so a device never receives its own replies. */
export const resultTopic = (deviceId: string) => `safeloop/v1/devices/${deviceId}/command-results`;

/** The seeded tenant default; a tenant changes it in iot_linkage_settings (PUT /iot/linkage-settings). */
export const DEFAULT_TIMEOUT_S = 10;
export const MIN_TIMEOUT_S = 1;
export const MAX_TIMEOUT_S = 3600;
const COMMAND = /^[a-z][a-z0-9_-]*(\.[a-z0-9_-]+){0,4}$/;
const MAX_PARAMS_BYTES = 4096;

const severityRank: Record<AlarmSeverity, number> = { warning: 1, minor: 2, major: 3, critical: 4 };

// ---------------------------------------------------------------------------------------------------------
// Settings
// ---------------------------------------------------------------------------------------------------------

export async function linkageSettingsTx(tx: Tx, tenantId: string) {
  await tx.insert(iotLinkageSettings).values({ tenantId, defaultTimeoutS: DEFAULT_TIMEOUT_S }).onConflictDoNothing();
  const [s] = await tx.select().from(iotLinkageSettings).where(eq(iotLinkageSettings.tenantId, tenantId));
  return s!;
}

export async function getLinkageSettings(ctx: Ctx) {
  requirePermission(ctx.actor, P.read);
  return ctx.db.tx((tx) => linkageSettingsTx(tx, ctx.actor.tenantId));
}

export async function updateLinkageSettings(ctx: Ctx, input: { defaultTimeoutS: number }, version: number) {
  requirePermission(ctx.actor, P.configure);
  checkTimeout(input.defaultTimeoutS, 'defaultTimeoutS');
  return ctx.db.tx(async (tx) => {
    const before = await linkageSettingsTx(tx, ctx.actor.tenantId);
    if (before.version !== version) throw versionConflict(before.version);
    const [after] = await tx
      .update(iotLinkageSettings)
      .set({ defaultTimeoutS: input.defaultTimeoutS, updatedAt: ctx.now(), version: before.version + 1 })
      .where(eq(iotLinkageSettings.tenantId, ctx.actor.tenantId))
      .returning();
    await recordChange(tx, ctx, { action: 'iot.linkage.settings_updated', entityType: 'iot_linkage_settings', entityId: ctx.actor.tenantId, before: { defaultTimeoutS: before.defaultTimeoutS }, after: { defaultTimeoutS: after!.defaultTimeoutS } });
    return after!;
  });
}

function checkTimeout(v: number | null | undefined, field: string): void {
  if (v === null || v === undefined) return;
  if (!Number.isInteger(v) || v < MIN_TIMEOUT_S || v > MAX_TIMEOUT_S) throw invalid(field, 'range', `${field}: ${MIN_TIMEOUT_S} to ${MAX_TIMEOUT_S} seconds`);
}

// ---------------------------------------------------------------------------------------------------------
// Rules
// ---------------------------------------------------------------------------------------------------------

export interface LinkageRuleInput {
  name: string;
  orgUnitId: string;
  pointType?: string | null;
  pointId?: string | null;
  minSeverity?: AlarmSeverity;
  onRaised?: boolean;
  onCleared?: boolean;
  deviceId: string;
  command: string;
  params?: Record<string, unknown>;
  timeoutS?: number | null;
  enabled?: boolean;
}

export type LinkageRulePatch = Partial<LinkageRuleInput>;

function checkRuleShape(r: LinkageRuleInput): void {
  if (!r.name.trim()) throw invalid('name', 'minLength', 'name: required');
  if (!COMMAND.test(r.command)) throw invalid('command', 'pattern', 'command: a dotted lower-case name such as ventilation.start (letters, digits, _ -)');
  if (r.minSeverity !== undefined && !alarmSeverities.includes(r.minSeverity)) throw invalid('minSeverity', 'enum', `minSeverity: one of ${alarmSeverities.join(', ')}`);
  if (!(r.onRaised ?? true) && !(r.onCleared ?? false)) throw invalid('onRaised', 'required', 'onRaised or onCleared: at least one of them');
  checkTimeout(r.timeoutS, 'timeoutS');
  const params = r.params ?? {};
  if (typeof params !== 'object' || params === null || Array.isArray(params)) throw invalid('params', 'type', 'params: a JSON object');
  if (Buffer.byteLength(JSON.stringify(params)) > MAX_PARAMS_BYTES) throw invalid('params', 'maxLength', `params: at most ${MAX_PARAMS_BYTES} bytes of JSON`);
}

/** Area, device, point and point type must exist in this tenant; the area must be in the actor's scope. */
async function checkRuleRefs(tx: Tx, ctx: Ctx, r: LinkageRuleInput): Promise<void> {
  const tenantId = ctx.actor.tenantId;
  const [unit] = await tx
    .select({ path: orgUnits.path, active: orgUnits.active })
    .from(orgUnits)
    .where(and(eq(orgUnits.id, r.orgUnitId), eq(orgUnits.tenantId, tenantId)));
  if (!unit || !unit.active) throw invalid('orgUnitId', 'exists', `orgUnitId: no active org unit ${r.orgUnitId} in this company`);
  if (!pathInScope(ctx.actor, unit.path)) throw new AppError('out_of_scope', 'orgUnitId: outside your data scope');
  const [d] = await tx
    .select({ id: iotDevices.id })
    .from(iotDevices)
    .where(and(eq(iotDevices.id, r.deviceId), eq(iotDevices.tenantId, tenantId), isNull(iotDevices.archivedAt)));
  if (!d) throw invalid('deviceId', 'exists', `deviceId: no active device ${r.deviceId}`);
  if (r.pointId) {
    const [p] = await tx
      .select({ id: iotPoints.id })
      .from(iotPoints)
      .where(and(eq(iotPoints.id, r.pointId), eq(iotPoints.tenantId, tenantId)));
    if (!p) throw invalid('pointId', 'exists', `pointId: no point ${r.pointId}`);
  }
  if (r.pointType) {
    await ensureIotDefaults(tx, tenantId);
    if (!(await pointTypeExists(tx, tenantId, r.pointType))) throw invalid('pointType', 'exists', `pointType: no point type ${r.pointType}`);
  }
}

const ruleAudit = (r: LinkageRuleRow) => ({ name: r.name, orgUnitId: r.orgUnitId, pointType: r.pointType, pointId: r.pointId, minSeverity: r.minSeverity, onRaised: r.onRaised, onCleared: r.onCleared, deviceId: r.deviceId, command: r.command, params: r.params, timeoutS: r.timeoutS, enabled: r.enabled, archivedAt: r.archivedAt, version: r.version });

export async function createLinkageRule(ctx: Ctx, input: LinkageRuleInput): Promise<LinkageRuleRow> {
  requirePermission(ctx.actor, P.configure);
  checkRuleShape(input);
  return ctx.db.tx(async (tx) => {
    await checkRuleRefs(tx, ctx, input);
    const now = ctx.now();
    const [r] = await tx
      .insert(iotLinkageRules)
      .values({
        id: newId(),
        tenantId: ctx.actor.tenantId,
        orgUnitId: input.orgUnitId,
        name: input.name.trim(),
        pointType: input.pointType ?? null,
        pointId: input.pointId ?? null,
        minSeverity: input.minSeverity ?? 'warning',
        onRaised: input.onRaised ?? true,
        onCleared: input.onCleared ?? false,
        deviceId: input.deviceId,
        command: input.command,
        params: input.params ?? {},
        timeoutS: input.timeoutS ?? null,
        enabled: input.enabled ?? true,
        createdAt: now,
        createdBy: ctx.actor.userId,
        updatedAt: now,
        updatedBy: ctx.actor.userId,
      })
      .returning();
    await recordChange(tx, ctx, { action: 'iot.linkage_rule.created', entityType: 'iot_linkage_rule', entityId: r!.id, after: ruleAudit(r!) }, { type: 'iot.linkage_rule.created', entityType: 'iot_linkage_rule', entityId: r!.id, payload: { ruleId: r!.id } });
    return r!;
  });
}

async function loadRuleForUpdate(tx: Tx, ctx: Ctx, id: string): Promise<LinkageRuleRow> {
  const [r] = await tx
    .select()
    .from(iotLinkageRules)
    .where(and(eq(iotLinkageRules.id, id), eq(iotLinkageRules.tenantId, ctx.actor.tenantId)))
    .for('update');
  if (!r) throw notFound('linkage rule');
  await assertInScope(tx, ctx.actor, r);
  return r;
}

export async function updateLinkageRule(ctx: Ctx, id: string, patch: LinkageRulePatch, version: number): Promise<LinkageRuleRow> {
  requirePermission(ctx.actor, P.configure);
  return ctx.db.tx(async (tx) => {
    const r = await loadRuleForUpdate(tx, ctx, id);
    if (r.version !== version) throw versionConflict(r.version);
    if (r.archivedAt) throw new AppError('conflict', 'an archived linkage rule cannot be changed');
    const given = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as LinkageRulePatch;
    const merged: LinkageRuleInput = {
      name: r.name,
      orgUnitId: r.orgUnitId ?? '',
      pointType: r.pointType,
      pointId: r.pointId,
      minSeverity: r.minSeverity,
      onRaised: r.onRaised,
      onCleared: r.onCleared,
      deviceId: r.deviceId,
      command: r.command,
      params: r.params,
      timeoutS: r.timeoutS,
      enabled: r.enabled,
      ...given,
    };
    checkRuleShape(merged);
    await checkRuleRefs(tx, ctx, merged);
    const [after] = await tx
      .update(iotLinkageRules)
      .set({
        name: merged.name.trim(),
        orgUnitId: merged.orgUnitId,
        pointType: merged.pointType ?? null,
        pointId: merged.pointId ?? null,
        minSeverity: merged.minSeverity ?? 'warning',
        onRaised: merged.onRaised ?? true,
        onCleared: merged.onCleared ?? false,
        deviceId: merged.deviceId,
        command: merged.command,
        params: merged.params ?? {},
        timeoutS: merged.timeoutS ?? null,
        enabled: merged.enabled ?? true,
        updatedAt: ctx.now(),
        updatedBy: ctx.actor.userId,
        version: r.version + 1,
      })
      .where(eq(iotLinkageRules.id, id))
      .returning();
    await recordChange(tx, ctx, { action: 'iot.linkage_rule.updated', entityType: 'iot_linkage_rule', entityId: id, before: ruleAudit(r), after: ruleAudit(after!) }, { type: 'iot.linkage_rule.updated', entityType: 'iot_linkage_rule', entityId: id, payload: { ruleId: id } });
    return after!;
  });
}

/** Rules are archived, not deleted: past executions keep naming the rule that sent them. */
export async function archiveLinkageRule(ctx: Ctx, id: string, input: { reason?: string | null }, version: number): Promise<LinkageRuleRow> {
  requirePermission(ctx.actor, P.configure);
  const reason = input.reason?.trim() || null;
  return ctx.db.tx(async (tx) => {
    const r = await loadRuleForUpdate(tx, ctx, id);
    if (r.version !== version) throw versionConflict(r.version);
    if (r.archivedAt) throw new AppError('conflict', 'the linkage rule is already archived');
    const now = ctx.now();
    const [after] = await tx.update(iotLinkageRules).set({ archivedAt: now, archiveReason: reason, enabled: false, updatedAt: now, updatedBy: ctx.actor.userId, version: r.version + 1 }).where(eq(iotLinkageRules.id, id)).returning();
    await recordChange(tx, ctx, { action: 'iot.linkage_rule.archived', entityType: 'iot_linkage_rule', entityId: id, before: ruleAudit(r), after: { ...ruleAudit(after!), reason } }, { type: 'iot.linkage_rule.archived', entityType: 'iot_linkage_rule', entityId: id, payload: { ruleId: id } });
    return after!;
  });
}

export async function listLinkageRules(ctx: Ctx, f: { includeArchived?: boolean } = {}): Promise<LinkageRuleRow[]> {
  requirePermission(ctx.actor, P.read);
  return ctx.db.read(async (tx) => {
    const conds: SQL[] = [scopeWhere(ctx.actor, { tenantId: iotLinkageRules.tenantId, orgUnitId: iotLinkageRules.orgUnitId })];
    if (!f.includeArchived) conds.push(isNull(iotLinkageRules.archivedAt));
    return tx
      .select()
      .from(iotLinkageRules)
      .where(and(...conds))
      .orderBy(asc(iotLinkageRules.createdAt))
      .limit(1000);
  });
}

export async function getLinkageRule(ctx: Ctx, id: string): Promise<LinkageRuleRow> {
  requirePermission(ctx.actor, P.read);
  return ctx.db.read(async (tx) => {
    const [r] = await tx
      .select()
      .from(iotLinkageRules)
      .where(and(eq(iotLinkageRules.id, id), eq(iotLinkageRules.tenantId, ctx.actor.tenantId)));
    if (!r) throw notFound('linkage rule');
    await assertInScope(tx, ctx.actor, r);
    return r;
  });
}

// ---------------------------------------------------------------------------------------------------------
// Executions
// ---------------------------------------------------------------------------------------------------------

/** Rules that fire for this alarm transition: enabled, for the alarm's area or one above it, point, type, severity. */
async function matchingRules(tx: Tx, alarm: AlarmRow, trigger: LinkageTrigger): Promise<LinkageRuleRow[]> {
  const [point] = await tx.select({ type: iotPoints.type }).from(iotPoints).where(eq(iotPoints.id, alarm.pointId));
  if (!point || !alarm.orgUnitId) return [];
  const rank = severityRank[alarm.severity];
  const allowed = alarmSeverities.filter((s) => severityRank[s] <= rank);
  // A rule of the workshop covers its teams: its area's path is a prefix of the alarm area's path.
  return tx
    .select()
    .from(iotLinkageRules)
    .where(
      and(
        eq(iotLinkageRules.tenantId, alarm.tenantId),
        eq(iotLinkageRules.enabled, true),
        isNull(iotLinkageRules.archivedAt),
        trigger === 'raised' ? eq(iotLinkageRules.onRaised, true) : eq(iotLinkageRules.onCleared, true),
        sql`${iotLinkageRules.minSeverity} IN (${sql.join(
          allowed.map((s) => sql`${s}`),
          sql`, `,
        )})`,
        sql`(${iotLinkageRules.pointId} IS NULL OR ${iotLinkageRules.pointId} = ${alarm.pointId})`,
        sql`(${iotLinkageRules.pointType} IS NULL OR ${iotLinkageRules.pointType} = ${point.type})`,
        sql`EXISTS (SELECT 1 FROM ${orgUnits} ra, ${orgUnits} aa WHERE ra.id = ${iotLinkageRules.orgUnitId} AND aa.id = ${alarm.orgUnitId} AND aa.path LIKE ra.path || '%')`,
      ),
    )
    .orderBy(asc(iotLinkageRules.createdAt));
}

export const executionAudit = (e: LinkageExecutionRow) => ({ alarmId: e.alarmId, ruleId: e.ruleId, trigger: e.trigger, deviceId: e.deviceId, commandId: e.commandId, command: e.command, topic: e.topic, state: e.state, message: e.message, sentAt: e.sentAt, confirmedAt: e.confirmedAt, retryOf: e.retryOf, version: e.version });

/** Timeline entry on the alarm + audit + outbox event `iot.linkage.<action>` (the SSE subscriber listens to it). */
export async function recordExecution(tx: Tx, ctx: Ctx, action: 'queued' | 'sent' | 'confirmed' | 'failed' | 'timed_out' | 'resent', before: LinkageExecutionRow | null, after: LinkageExecutionRow): Promise<void> {
  const at = ctx.now();
  if (action !== 'sent') {
    await tx.insert(iotAlarmEvents).values({
      id: newId(),
      tenantId: after.tenantId,
      alarmId: after.alarmId,
      kind: 'linkage',
      at,
      byUserId: ctx.actor.userId,
      note: after.message,
      data: { executionId: after.id, action, state: after.state, command: after.command, deviceId: after.deviceId, trigger: after.trigger, ruleId: after.ruleId },
    });
  }
  await recordChange(
    tx,
    ctx,
    { action: `iot.linkage.${action}`, entityType: 'iot_linkage_execution', entityId: after.id, before: before ? executionAudit(before) : null, after: executionAudit(after) },
    { type: `iot.linkage.${action}`, entityType: 'iot_linkage_execution', entityId: after.id, payload: { executionId: after.id, alarmId: after.alarmId, state: after.state, command: after.command, orgUnitId: after.orgUnitId } },
  );
}

async function insertExecution(tx: Tx, ctx: Ctx, alarm: AlarmRow, rule: Pick<LinkageRuleRow, 'id' | 'deviceId' | 'command' | 'params' | 'timeoutS'>, trigger: LinkageTrigger, retryOf: string | null): Promise<LinkageExecutionRow> {
  const now = ctx.now();
  const settings = await linkageSettingsTx(tx, alarm.tenantId);
  const commandId = newId();
  const payload = { id: commandId, command: rule.command, params: rule.params, ts: now.toISOString(), alarmId: alarm.id, trigger };
  const [e] = await tx
    .insert(iotLinkageExecutions)
    .values({
      id: newId(),
      tenantId: alarm.tenantId,
      orgUnitId: alarm.orgUnitId,
      alarmId: alarm.id,
      ruleId: rule.id,
      trigger,
      deviceId: rule.deviceId,
      commandId,
      command: rule.command,
      topic: commandTopic(rule.deviceId, rule.command),
      payload,
      timeoutS: rule.timeoutS ?? settings.defaultTimeoutS,
      state: 'pending',
      retryOf,
      createdAt: now,
      createdBy: ctx.actor.userId,
      updatedAt: now,
    })
    .returning();
  // Due at once: the job runner publishes it after this transaction committed (never before).
  await scheduleJob(tx, { kind: SEND_KIND, runAt: now, tenantId: alarm.tenantId, dedupeKey: sendKey(e!.id), payload: { tenantId: alarm.tenantId, executionId: e!.id } });
  return e!;
}

/**
 * Called in the transaction that raised (or re-activated) or cleared `alarm`: one execution per matching
 * rule. Returns the executions (tests and the alarm service may show them).
 */
export async function queueLinkage(tx: Tx, ctx: Ctx, alarm: AlarmRow, trigger: LinkageTrigger): Promise<LinkageExecutionRow[]> {
  const rules = await matchingRules(tx, alarm, trigger);
  const out: LinkageExecutionRow[] = [];
  for (const rule of rules) {
    const e = await insertExecution(tx, ctx, alarm, rule, trigger, null);
    await recordExecution(tx, ctx, 'queued', null, e);
    out.push(e);
  }
  return out;
}

export interface LinkageExecutionView {
  id: string;
  alarmId: string;
  ruleId: string;
  ruleName: string | null;
  trigger: LinkageTrigger;
  deviceId: string;
  deviceCode: string | null;
  commandId: string;
  command: string;
  topic: string;
  payload: Record<string, unknown>;
  state: LinkageState;
  message: string | null;
  timeoutS: number;
  retryOf: string | null;
  createdAt: string;
  sentAt: string | null;
  confirmedAt: string | null;
  finishedAt: string | null;
  version: number;
}

async function executionViews(tx: Tx, rows: LinkageExecutionRow[]): Promise<LinkageExecutionView[]> {
  if (rows.length === 0) return [];
  const ruleIds = [...new Set(rows.map((r) => r.ruleId))];
  const deviceIds = [...new Set(rows.map((r) => r.deviceId))];
  const rules = await tx.select({ id: iotLinkageRules.id, name: iotLinkageRules.name }).from(iotLinkageRules).where(sql`${iotLinkageRules.id} IN (${sql.join(ruleIds.map((i) => sql`${i}::uuid`), sql`, `)})`);
  const devices = await tx.select({ id: iotDevices.id, code: iotDevices.code }).from(iotDevices).where(sql`${iotDevices.id} IN (${sql.join(deviceIds.map((i) => sql`${i}::uuid`), sql`, `)})`);
  const ruleName = new Map(rules.map((r) => [r.id, r.name]));
  const deviceCode = new Map(devices.map((d) => [d.id, d.code]));
  return rows.map((e) => ({
    id: e.id,
    alarmId: e.alarmId,
    ruleId: e.ruleId,
    ruleName: ruleName.get(e.ruleId) ?? null,
    trigger: e.trigger,
    deviceId: e.deviceId,
    deviceCode: deviceCode.get(e.deviceId) ?? null,
    commandId: e.commandId,
    command: e.command,
    topic: e.topic,
    payload: e.payload,
    state: e.state,
    message: e.message,
    timeoutS: e.timeoutS,
    retryOf: e.retryOf,
    createdAt: e.createdAt.toISOString(),
    sentAt: e.sentAt?.toISOString() ?? null,
    confirmedAt: e.confirmedAt?.toISOString() ?? null,
    finishedAt: e.finishedAt?.toISOString() ?? null,
    version: e.version,
  }));
}

async function loadAlarmInScope(tx: Tx, ctx: Ctx, alarmId: string): Promise<AlarmRow> {
  const [a] = await tx
    .select()
    .from(iotAlarms)
    .where(and(eq(iotAlarms.id, alarmId), eq(iotAlarms.tenantId, ctx.actor.tenantId)));
  if (!a) throw notFound('alarm');
  await assertInScope(tx, ctx.actor, a);
  return a;
}

export async function listAlarmLinkage(ctx: Ctx, alarmId: string): Promise<LinkageExecutionView[]> {
  requirePermission(ctx.actor, P.read);
  return ctx.db.read(async (tx) => {
    await loadAlarmInScope(tx, ctx, alarmId);
    const rows = await tx.select().from(iotLinkageExecutions).where(eq(iotLinkageExecutions.alarmId, alarmId)).orderBy(desc(iotLinkageExecutions.createdAt), desc(iotLinkageExecutions.id));
    return executionViews(tx, rows);
  });
}

/**
 * A person re-sends a command that failed or timed out (the fan's breaker was off, now it is on): a new
 * execution with a new command id, so a late reply to the old one still changes nothing. The rule's current
 * device and parameters are not used: the re-send repeats exactly what was asked for then.
 */
export async function resendLinkage(ctx: Ctx, executionId: string, version: number | undefined): Promise<LinkageExecutionView> {
  requirePermission(ctx.actor, P.handleAlarms);
  return ctx.db.tx(async (tx) => {
    const [e] = await tx
      .select()
      .from(iotLinkageExecutions)
      .where(and(eq(iotLinkageExecutions.id, executionId), eq(iotLinkageExecutions.tenantId, ctx.actor.tenantId)))
      .for('update');
    if (!e) throw notFound('linkage execution');
    await assertInScope(tx, ctx.actor, e);
    if (version !== undefined && version !== e.version) throw versionConflict(e.version);
    if (e.state !== 'failed' && e.state !== 'timed_out') throw new AppError('conflict', `a ${e.state} command cannot be re-sent; only failed or timed-out ones`);
    const [already] = await tx.select({ id: iotLinkageExecutions.id }).from(iotLinkageExecutions).where(eq(iotLinkageExecutions.retryOf, e.id)).limit(1);
    if (already) throw new AppError('conflict', 'this command was already re-sent; re-send the newer one if it failed too');
    const alarm = await loadAlarmInScope(tx, ctx, e.alarmId);
    const params = (e.payload.params ?? {}) as Record<string, unknown>;
    const next = await insertExecution(tx, ctx, alarm, { id: e.ruleId, deviceId: e.deviceId, command: e.command, params, timeoutS: e.timeoutS }, e.trigger, e.id);
    await recordExecution(tx, ctx, 'resent', null, next);
    return (await executionViews(tx, [next]))[0]!;
  });
}
