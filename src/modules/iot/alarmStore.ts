import { and, eq, ne, sql } from 'drizzle-orm';
import { recordChange } from '../../platform/audit/record.ts';
import type { Ctx } from '../../platform/auth/actor.ts';
import { users } from '../../platform/auth/schema.ts';
import { queryRows, type Tx } from '../../platform/db/client.ts';
import { newId } from '../../platform/db/columns.ts';
import { cancelJobsByPrefix, rescheduleJob, scheduleJob } from '../../platform/jobs/service.ts';
import { notifyUsers, type Severity } from '../../platform/notify/service.ts';
import { tenantZone } from '../../platform/org/calendar.ts';
import { loginOf } from '../../platform/org/directory.ts';
import { orgUnits } from '../../platform/org/schema.ts';
import { loadEscalationSteps, type EscalationStepRow } from './defaults.ts';
import { alarmLabel, notices, type AlarmFacts } from './messages.ts';
import { iotAlarmEvents, iotAlarms, iotPoints, type AlarmEventKind, type AlarmSeverity } from './schema.ts';

/** The one write path of alarms: event row + audit + outbox in the caller's transaction, escalation timers. */

export type AlarmRow = typeof iotAlarms.$inferSelect;
export type PointRow = typeof iotPoints.$inferSelect;

export const ESCALATE_KIND = 'iot.alarm.escalate';
export const UNSHELVE_KIND = 'iot.alarm.unshelve';
export const escalationPrefix = (alarmId: string) => `iot:alarm:${alarmId}:esc:`;
export const unshelveKey = (alarmId: string) => `iot:alarm:${alarmId}:unshelve`;

function auditView(a: AlarmRow): Record<string, unknown> {
  return { state: a.state, severity: a.severity, kind: a.kind, pointId: a.pointId, ruleId: a.ruleId, lastValue: a.lastValue, ackBy: a.ackBy, clearedAt: a.clearedAt, shelvedUntil: a.shelvedUntil, escalationLevel: a.escalationLevel, version: a.version };
}

export async function recordAlarmEvent(
  tx: Tx,
  ctx: Ctx,
  kind: AlarmEventKind,
  before: AlarmRow | null,
  after: AlarmRow,
  extra: { value?: number | null; note?: string | null; data?: Record<string, unknown> } = {},
): Promise<void> {
  const at = ctx.now();
  await tx.insert(iotAlarmEvents).values({ id: newId(), tenantId: after.tenantId, alarmId: after.id, kind, at, byUserId: ctx.actor.userId, value: extra.value ?? null, note: extra.note ?? null, data: extra.data ?? {} });
  await recordChange(
    tx,
    ctx,
    { action: `iot.alarm.${kind}`, entityType: 'iot_alarm', entityId: after.id, before: before ? auditView(before) : null, after: { ...auditView(after), ...(extra.note ? { note: extra.note } : {}) } },
    {
      type: `iot.alarm.${kind}`,
      entityType: 'iot_alarm',
      entityId: after.id,
      payload: { alarmId: after.id, pointId: after.pointId, ruleId: after.ruleId, state: after.state, severity: after.severity, kind: after.kind, value: extra.value ?? after.lastValue },
    },
  );
}

/**
 * Alarm severity → notification severity, the scale users pick per channel in their preferences:
 * critical and major alarms are "critical" (always pop up; SMS and robots by default), minor and warning
 * alarms are "warning". The alarm's own severity travels in `data.alarmSeverity`.
 */
export const notifySeverity = (s: AlarmSeverity): Severity => (s === 'critical' || s === 'major' ? 'critical' : 'warning');

/**
 * Active users holding `roleCode` who answer for the area: company-wide roles (the safety director sits in
 * the safety department, not above the workshop), else those whose unit is the area, above it or below it.
 */
export async function usersAroundArea(tx: Tx, tenantId: string, roleCode: string, areaId: string | null): Promise<string[]> {
  const rows = await queryRows<{ id: string }>(tx, sql`
    SELECT DISTINCT u.id FROM ${users} u
    JOIN user_roles ur ON ur.user_id = u.id
    JOIN roles r ON r.id = ur.role_id AND r.tenant_id = ${tenantId} AND r.code = ${roleCode}
    LEFT JOIN ${orgUnits} uu ON uu.id = u.org_unit_id
    WHERE u.tenant_id = ${tenantId} AND u.status = 'active'
      AND (${areaId}::uuid IS NULL OR uu.path IS NULL OR r.data_scope = 'company'
           OR EXISTS (SELECT 1 FROM ${orgUnits} a WHERE a.id = ${areaId}::uuid AND (a.path LIKE uu.path || '%' OR uu.path LIKE a.path || '%')))`);
  return rows.map((r) => r.id);
}

async function stepRecipients(tx: Tx, alarm: AlarmRow, step: EscalationStepRow): Promise<string[]> {
  if (step.personId) {
    const login = await loginOf(tx, alarm.tenantId, step.personId);
    return login ? [login] : [];
  }
  return step.roleCode ? usersAroundArea(tx, alarm.tenantId, step.roleCode, alarm.orgUnitId) : [];
}

export async function alarmFacts(tx: Tx, alarm: AlarmRow): Promise<AlarmFacts> {
  const [p] = await tx.select().from(iotPoints).where(eq(iotPoints.id, alarm.pointId));
  return { pointCode: p?.code ?? '?', pointName: p?.name ?? '?', unit: p?.unit ?? '', kind: alarm.kind, severity: alarm.severity, value: alarm.lastValue, limit: alarm.limit };
}

/** Sends a notice to the recipients of a step; returns how many were notified. */
export async function notifyStep(tx: Tx, ctx: Ctx, alarm: AlarmRow, step: EscalationStepRow, escalation: boolean): Promise<number> {
  const recipients = await stepRecipients(tx, alarm, step);
  if (recipients.length === 0) return 0;
  const { locale } = await tenantZone(tx, alarm.tenantId);
  const facts = { ...(await alarmFacts(tx, alarm)), minutesUnacked: step.afterMinutes };
  const n = escalation ? notices.escalated(facts) : notices.raised(facts);
  const [area] = alarm.orgUnitId ? await tx.select({ name: orgUnits.name }).from(orgUnits).where(eq(orgUnits.id, alarm.orgUnitId)) : [];
  await notifyUsers(tx, ctx, {
    userIds: recipients,
    type: n.type,
    severity: notifySeverity(alarm.severity),
    title: n.title[locale].slice(0, 200),
    body: n.body[locale].slice(0, 1000),
    link: `/iot/monitor?alarm=${alarm.id}`,
    data: { alarmId: alarm.id, pointId: alarm.pointId, stepId: step.id, alarmSeverity: alarm.severity },
    // Alarms of one area are one storm group per recipient and channel (see platform/notify/storm.ts).
    source: { key: `area:${alarm.orgUnitId ?? 'none'}`, place: area?.name ?? null, label: alarmLabel(facts, locale) },
  });
  return recipients.length;
}

/**
 * On raise (or a re-trigger): steps due at once (0 min) notify now; the later ones become durable timers
 * keyed per alarm and step, so several instances never escalate twice.
 */
export async function armEscalation(tx: Tx, ctx: Ctx, alarm: AlarmRow): Promise<void> {
  await cancelJobsByPrefix(tx, escalationPrefix(alarm.id), ctx.now());
  if (alarm.shelvedUntil && alarm.shelvedUntil.getTime() > ctx.now().getTime()) return;
  const steps = (await loadEscalationSteps(tx, alarm.tenantId)).filter((s) => s.severities.includes(alarm.severity));
  for (const step of steps) {
    if (step.afterMinutes <= 0) {
      await notifyStep(tx, ctx, alarm, step, false);
      continue;
    }
    const job = { kind: ESCALATE_KIND, runAt: new Date(ctx.now().getTime() + step.afterMinutes * 60_000), tenantId: alarm.tenantId, dedupeKey: `${escalationPrefix(alarm.id)}${step.id}`, payload: { tenantId: alarm.tenantId, alarmId: alarm.id, stepId: step.id } };
    const moved = await rescheduleJob(tx, job.dedupeKey, job.runAt, { payload: job.payload });
    if (!moved) await scheduleJob(tx, job);
  }
}

export async function cancelEscalation(tx: Tx, alarmId: string, now: Date): Promise<void> {
  await cancelJobsByPrefix(tx, escalationPrefix(alarmId), now);
}

/** Open alarm of (point, rule), locked. */
export async function openAlarmFor(tx: Tx, pointId: string, ruleId: string): Promise<AlarmRow | null> {
  const [a] = await tx
    .select()
    .from(iotAlarms)
    .where(and(eq(iotAlarms.pointId, pointId), eq(iotAlarms.ruleId, ruleId), ne(iotAlarms.state, 'cleared_ack')))
    .for('update');
  return a ?? null;
}
