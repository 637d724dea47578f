import { and, asc, desc, eq, inArray, lt, ne, or, type SQL } from 'drizzle-orm';
import type { Ctx } from '../../platform/auth/actor.ts';
import { assertInScope, requirePermission, scopeWhere } from '../../platform/auth/scope.ts';
import type { Tx } from '../../platform/db/client.ts';
import { cancelJob, rescheduleJob, scheduleJob } from '../../platform/jobs/service.ts';
import { AppError, invalid, notFound } from '../../platform/http/errors.ts';
import { decodeCursor, pageOf } from '../../platform/http/pagination.ts';
import { armEscalation, cancelEscalation, recordAlarmEvent, UNSHELVE_KIND, unshelveKey, type AlarmRow } from './alarmStore.ts';
import { hazardNumbers } from '../hazards/alarmLinks.ts';
import { clearOpenAlarm } from './conditions.ts';
import { nextAlarmState } from './lifecycle.ts';
import { iotPermissions as P } from './permissions.ts';
import { iotAlarmEvents, iotAlarms, iotPoints, iotRuleStates, type AlarmSeverity, type AlarmState, type RuleKind } from './schema.ts';

/**
 * What people do with alarms: list, look at one with its history, acknowledge (who, when, why), clear by
 * hand, comment, shelve for a while with a reason (ISA-18.2 shelving: suppressed from notification and
 * escalation until it expires) and unshelve. Every action writes an alarm event, an audit entry and an
 * outbox event (`iot.alarm.<kind>`) in one transaction.
 */

/** Shelving longer than this is a configuration problem (fix the rule), not an operator's decision. */
export const MAX_SHELVE_HOURS = 72;

export interface AlarmView {
  id: string;
  pointId: string;
  pointCode: string | null;
  pointName: string | null;
  unit: string | null;
  ruleId: string;
  kind: RuleKind;
  severity: AlarmSeverity;
  state: AlarmState;
  limit: number | null;
  raisedAt: string;
  raisedValue: number | null;
  lastValue: number | null;
  peakValue: number | null;
  lastAt: string;
  updateCount: number;
  ackAt: string | null;
  ackBy: string | null;
  ackNote: string | null;
  clearedAt: string | null;
  shelvedUntil: string | null;
  shelveReason: string | null;
  escalationLevel: number;
  orgUnitId: string | null;
  /** The hazard opened from this alarm (at most one), with its number for the console's link. */
  hazardId: string | null;
  hazardNumber: string | null;
  version: number;
}

export async function views(tx: Tx, rows: AlarmRow[]): Promise<AlarmView[]> {
  const ids = [...new Set(rows.map((r) => r.pointId))];
  const points = ids.length ? await tx.select({ id: iotPoints.id, code: iotPoints.code, name: iotPoints.name, unit: iotPoints.unit }).from(iotPoints).where(inArray(iotPoints.id, ids)) : [];
  const byId = new Map(points.map((p) => [p.id, p]));
  const numberOf = new Map<string, string>();
  for (const tenantId of new Set(rows.filter((r) => r.hazardId).map((r) => r.tenantId))) {
    const ids = rows.filter((r) => r.tenantId === tenantId && r.hazardId).map((r) => r.hazardId!);
    for (const [id, number] of await hazardNumbers(tx, tenantId, ids)) numberOf.set(id, number);
  }
  return rows.map((a) => ({
    id: a.id,
    pointId: a.pointId,
    pointCode: byId.get(a.pointId)?.code ?? null,
    pointName: byId.get(a.pointId)?.name ?? null,
    unit: byId.get(a.pointId)?.unit ?? null,
    ruleId: a.ruleId,
    kind: a.kind,
    severity: a.severity,
    state: a.state,
    limit: a.limit,
    raisedAt: a.raisedAt.toISOString(),
    raisedValue: a.raisedValue,
    lastValue: a.lastValue,
    peakValue: a.peakValue,
    lastAt: a.lastAt.toISOString(),
    updateCount: a.updateCount,
    ackAt: a.ackAt?.toISOString() ?? null,
    ackBy: a.ackBy,
    ackNote: a.ackNote,
    clearedAt: a.clearedAt?.toISOString() ?? null,
    shelvedUntil: a.shelvedUntil?.toISOString() ?? null,
    shelveReason: a.shelveReason,
    escalationLevel: a.escalationLevel,
    orgUnitId: a.orgUnitId,
    hazardId: a.hazardId,
    hazardNumber: a.hazardId ? (numberOf.get(a.hazardId) ?? null) : null,
    version: a.version,
  }));
}

export interface AlarmFilter {
  /** open (default): not cleared_ack; all: everything; or one state. */
  state?: AlarmState | 'open' | 'all';
  severity?: AlarmSeverity;
  pointId?: string;
  limit: number;
  cursor?: string;
}

export async function listAlarms(ctx: Ctx, f: AlarmFilter) {
  requirePermission(ctx.actor, P.read);
  const after = decodeCursor<{ at: string; id: string }>(f.cursor, { at: 'string', id: 'string' });
  return ctx.db.read(async (tx) => {
    const conds: SQL[] = [scopeWhere(ctx.actor, { tenantId: iotAlarms.tenantId, orgUnitId: iotAlarms.orgUnitId })];
    const state = f.state ?? 'open';
    if (state === 'open') conds.push(ne(iotAlarms.state, 'cleared_ack'));
    else if (state !== 'all') conds.push(eq(iotAlarms.state, state));
    if (f.severity) conds.push(eq(iotAlarms.severity, f.severity));
    if (f.pointId) conds.push(eq(iotAlarms.pointId, f.pointId));
    if (after) conds.push(or(lt(iotAlarms.raisedAt, new Date(after.at)), and(eq(iotAlarms.raisedAt, new Date(after.at)), lt(iotAlarms.id, after.id))) as SQL);
    const rows = await tx
      .select()
      .from(iotAlarms)
      .where(and(...conds))
      .orderBy(desc(iotAlarms.raisedAt), desc(iotAlarms.id))
      .limit(f.limit + 1);
    const page = pageOf(rows, f.limit, (r) => ({ at: r.raisedAt.toISOString(), id: r.id }));
    return { items: await views(tx, page.items), nextCursor: page.nextCursor };
  });
}

/** The alarm of the caller's tenant and data scope, locked for the change (404 for another tenant's). */
export async function loadAlarm(tx: Tx, ctx: Ctx, id: string): Promise<AlarmRow> {
  const [a] = await tx
    .select()
    .from(iotAlarms)
    .where(and(eq(iotAlarms.id, id), eq(iotAlarms.tenantId, ctx.actor.tenantId)))
    .for('update');
  if (!a) throw notFound('alarm');
  await assertInScope(tx, ctx.actor, a);
  return a;
}

export async function getAlarm(ctx: Ctx, id: string) {
  requirePermission(ctx.actor, P.read);
  return ctx.db.read(async (tx) => {
    const [a] = await tx
      .select()
      .from(iotAlarms)
      .where(and(eq(iotAlarms.id, id), eq(iotAlarms.tenantId, ctx.actor.tenantId)));
    if (!a) throw notFound('alarm');
    await assertInScope(tx, ctx.actor, a);
    const events = await tx.select().from(iotAlarmEvents).where(eq(iotAlarmEvents.alarmId, id)).orderBy(asc(iotAlarmEvents.at), asc(iotAlarmEvents.id));
    const [view] = await views(tx, [a]);
    return { alarm: view!, events: events.map((e) => ({ id: e.id, kind: e.kind, at: e.at.toISOString(), byUserId: e.byUserId, value: e.value, note: e.note })) };
  });
}

function checkVersion(a: AlarmRow, version: number | undefined): void {
  if (version !== undefined && version !== a.version) throw new AppError('version_conflict', `the alarm is at version ${a.version}; reload and try again`, { extra: { currentVersion: a.version } });
}

const noteOf = (s: string | null | undefined, field: string, required: boolean): string | null => {
  const t = s?.trim() ?? '';
  if (required && !t) throw invalid(field, 'minLength', `${field}: required`);
  if (t.length > 1000) throw invalid(field, 'maxLength', `${field}: at most 1000 characters`);
  return t || null;
};

export async function acknowledgeAlarm(ctx: Ctx, id: string, input: { note?: string | null; version?: number }) {
  requirePermission(ctx.actor, P.handleAlarms);
  const note = noteOf(input.note, 'note', false);
  return ctx.db.tx(async (tx) => {
    const a = await loadAlarm(tx, ctx, id);
    checkVersion(a, input.version);
    const next = nextAlarmState(a.state, 'ack');
    if (!next) throw new AppError('conflict', `an alarm in state ${a.state} cannot be acknowledged`);
    const now = ctx.now();
    const [after] = await tx.update(iotAlarms).set({ state: next, ackAt: now, ackBy: ctx.actor.userId, ackNote: note, updatedAt: now, version: a.version + 1 }).where(eq(iotAlarms.id, id)).returning();
    await recordAlarmEvent(tx, ctx, 'acknowledged', a, after!, { note });
    await cancelEscalation(tx, id, now);
    return (await views(tx, [after!]))[0]!;
  });
}

/** Manual clear (the operator made it safe, or the sensor is faulty): the rule starts from scratch. */
export async function clearAlarm(ctx: Ctx, id: string, input: { note?: string | null; version?: number }) {
  requirePermission(ctx.actor, P.handleAlarms);
  const note = noteOf(input.note, 'note', true);
  return ctx.db.tx(async (tx) => {
    const a = await loadAlarm(tx, ctx, id);
    checkVersion(a, input.version);
    const after = await clearOpenAlarm(tx, ctx, a, null, note);
    if (!after) throw new AppError('conflict', `an alarm in state ${a.state} cannot be cleared`);
    await tx
      .update(iotRuleStates)
      .set({ latched: false, breachSince: null, breachCount: 0 })
      .where(and(eq(iotRuleStates.pointId, a.pointId), eq(iotRuleStates.ruleId, a.ruleId)));
    return (await views(tx, [after]))[0]!;
  });
}

export async function commentAlarm(ctx: Ctx, id: string, input: { text: string }) {
  requirePermission(ctx.actor, P.handleAlarms);
  const text = noteOf(input.text, 'text', true);
  return ctx.db.tx(async (tx) => {
    const a = await loadAlarm(tx, ctx, id);
    // A comment changes no state; the version still moves so an open console sees something happened.
    const [after] = await tx.update(iotAlarms).set({ updatedAt: ctx.now(), version: a.version + 1 }).where(eq(iotAlarms.id, id)).returning();
    await recordAlarmEvent(tx, ctx, 'commented', a, after!, { note: text });
    return (await views(tx, [after!]))[0]!;
  });
}

export async function shelveAlarm(ctx: Ctx, id: string, input: { until: string; reason: string; version?: number }) {
  requirePermission(ctx.actor, P.handleAlarms);
  const reason = noteOf(input.reason, 'reason', true);
  const until = new Date(input.until);
  if (Number.isNaN(until.getTime())) throw invalid('until', 'format', 'until: an ISO 8601 time');
  return ctx.db.tx(async (tx) => {
    const a = await loadAlarm(tx, ctx, id);
    checkVersion(a, input.version);
    const now = ctx.now();
    if (until.getTime() <= now.getTime()) throw invalid('until', 'minimum', 'until: must be in the future');
    if (until.getTime() - now.getTime() > MAX_SHELVE_HOURS * 3600_000) throw invalid('until', 'maximum', `until: at most ${MAX_SHELVE_HOURS} h ahead`);
    if (a.state === 'cleared_ack') throw new AppError('conflict', 'a closed alarm cannot be shelved');
    const [after] = await tx.update(iotAlarms).set({ shelvedUntil: until, shelvedBy: ctx.actor.userId, shelveReason: reason, updatedAt: now, version: a.version + 1 }).where(eq(iotAlarms.id, id)).returning();
    await recordAlarmEvent(tx, ctx, 'shelved', a, after!, { note: reason, data: { until: until.toISOString() } });
    await cancelEscalation(tx, id, now);
    const job = { kind: UNSHELVE_KIND, runAt: until, tenantId: a.tenantId, dedupeKey: unshelveKey(id), payload: { tenantId: a.tenantId, alarmId: id } };
    const moved = await rescheduleJob(tx, job.dedupeKey, until, { payload: job.payload });
    if (!moved) await scheduleJob(tx, job);
    return (await views(tx, [after!]))[0]!;
  });
}

/** Ends shelving (a person, or the expiry job with the system actor); escalation resumes if still unacknowledged. */
export async function unshelveAlarmTx(tx: Tx, ctx: Ctx, a: AlarmRow, note: string | null): Promise<AlarmRow> {
  const now = ctx.now();
  const [after] = await tx.update(iotAlarms).set({ shelvedUntil: null, shelvedBy: null, shelveReason: null, updatedAt: now, version: a.version + 1 }).where(eq(iotAlarms.id, a.id)).returning();
  await recordAlarmEvent(tx, ctx, 'unshelved', a, after!, { note });
  await cancelJob(tx, unshelveKey(a.id), now);
  if (after!.state === 'active_unack') await armEscalation(tx, ctx, after!);
  return after!;
}

export async function unshelveAlarm(ctx: Ctx, id: string, input: { version?: number }) {
  requirePermission(ctx.actor, P.handleAlarms);
  return ctx.db.tx(async (tx) => {
    const a = await loadAlarm(tx, ctx, id);
    checkVersion(a, input.version);
    if (!a.shelvedUntil) throw new AppError('conflict', 'the alarm is not shelved');
    return (await views(tx, [await unshelveAlarmTx(tx, ctx, a, null)]))[0]!;
  });
}
