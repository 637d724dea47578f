import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog } from '../../platform/audit/schema.ts';
import { newId } from '../../platform/db/columns.ts';
import { createTestApp, type TestApp } from '../../test/app.ts';
import { floodsOf, niceAbove, suggestFor, type HealthReport } from './health.ts';
import type { RuleT } from './routes.ts';
import { iotAlarmEvents, iotAlarms, iotHealthSettings, iotReadings, type AlarmEventKind, type AlarmSeverity, type AlarmState, type RuleKind } from './schema.ts';
import { addDevice, addRule, seedIot, type IotSeed } from './testSupport.ts';

let t: TestApp;
let s: IotSeed;
// A clock on a round hour, so the 10-minute buckets fall where the test says.
const T = new Date('2026-12-01T12:00:00.000Z');
const at = (msBeforeT: number) => new Date(T.getTime() - msBeforeT);
const S = 1000;
const MIN = 60 * S;
const H = 60 * MIN;

interface Ev {
  kind: AlarmEventKind;
  at: Date;
  by?: string | null;
  value?: number | null;
  retriggered?: boolean;
}

/** Alarm rows and their events as a controlled history, written in one transaction per call. */
const pending: { alarm: typeof iotAlarms.$inferInsert; events: (typeof iotAlarmEvents.$inferInsert)[] }[] = [];
function history(a: { pointId: string; ruleId: string; kind: RuleKind; severity: AlarmSeverity; state: AlarmState; raisedAt: Date; orgUnitId: string }, events: Ev[]): string {
  const id = newId();
  pending.push({
    alarm: { id, tenantId: s.tenant.id, orgUnitId: a.orgUnitId, pointId: a.pointId, ruleId: a.ruleId, kind: a.kind, severity: a.severity, state: a.state, limit: 25, raisedAt: a.raisedAt, lastAt: a.raisedAt, updatedAt: a.raisedAt },
    events: events.map((e) => ({ id: newId(), tenantId: s.tenant.id, alarmId: id, kind: e.kind, at: e.at, byUserId: e.by ?? null, value: e.value ?? null, data: e.retriggered ? { retriggered: true } : {} })),
  });
  return id;
}

async function flush(): Promise<void> {
  await t.db.tx(async (tx) => {
    await tx.insert(iotAlarms).values(pending.map((p) => p.alarm));
    await tx.insert(iotAlarmEvents).values(pending.flatMap((p) => p.events));
  });
  pending.length = 0;
}

let ruleA: RuleT;
let pointA: string;
const a0 = at(6 * H);

beforeAll(async () => {
  t = await createTestApp({ RATE_LIMIT_PER_MINUTE: '100000' });
  t.clock.now = T;
  s = await seedIot(t);
  const { points } = await addDevice(s, ['a', 'b', 'c']);
  pointA = points.a!.id;
  await s.as.safety.patch(`/api/v1/iot/points/${pointA}`, { rangeMin: 0, rangeMax: 100, version: points.a!.version });
  ruleA = await addRule(s, { pointId: pointA, kind: 'high', limit: 25, severity: 'minor' });
  const ruleC = await addRule(s, { pointId: points.c!.id, kind: 'high', limit: 25, severity: 'major' });
  const ruleC2 = await addRule(s, { pointId: points.c!.id, kind: 'low', limit: 5, severity: 'minor' });
  const area = s.team.id;
  const leader = s.leader.user.id;
  const safety = s.safety.user.id;

  // Point A chatters: three activations in 30 s around its limit 25 (deadband 0), each cleared after 10 s.
  history({ pointId: pointA, ruleId: ruleA.id, kind: 'high', severity: 'minor', state: 'cleared_ack', raisedAt: a0, orgUnitId: area }, [
    { kind: 'raised', at: a0, value: 26 },
    { kind: 'cleared', at: new Date(a0.getTime() + 10 * S), value: 24.2 },
    { kind: 'updated', at: new Date(a0.getTime() + 15 * S), value: 26.3, retriggered: true },
    { kind: 'cleared', at: new Date(a0.getTime() + 25 * S), value: 24.6 },
    { kind: 'updated', at: new Date(a0.getTime() + 30 * S), value: 26.1, retriggered: true },
    { kind: 'cleared', at: new Date(a0.getTime() + 40 * S), value: 24.4 },
    { kind: 'acknowledged', at: new Date(a0.getTime() + 41 * S), by: leader },
  ]);
  const readings: [number, number][] = [
    [0, 26],
    [10, 24.2],
    [12, 24.5],
    [15, 26.3],
    [25, 24.6],
    [30, 26.1],
    [40, 24.4],
  ];
  await t.db.tx((tx) => tx.insert(iotReadings).values(readings.map(([sec, value]) => ({ tenantId: s.tenant.id, pointId: pointA, ts: new Date(a0.getTime() + sec * S), value }))));

  // A flood: 30 alarms of point B, one every 10 s from 08:58:00 — across the 09:00 boundary (12 before, 18 after).
  const f0 = at(3 * H + 2 * MIN);
  for (let k = 0; k < 30; k++) {
    const raisedAt = new Date(f0.getTime() + k * 10 * S);
    const severity: AlarmSeverity = k === 0 ? 'critical' : k <= 5 ? 'major' : 'warning';
    history({ pointId: points.b!.id, ruleId: newId(), kind: 'high', severity, state: 'cleared_ack', raisedAt, orgUnitId: area }, [
      { kind: 'raised', at: raisedAt, value: 30 },
      { kind: 'acknowledged', at: new Date(raisedAt.getTime() + 30 * S), by: safety },
      { kind: 'cleared', at: new Date(raisedAt.getTime() + 60 * S), value: 20 },
    ]);
  }

  // A fleeting alarm (cleared by the process after 2 s) and a stale one (active for 30 h).
  const c0 = at(2 * H);
  history({ pointId: points.c!.id, ruleId: ruleC.id, kind: 'high', severity: 'major', state: 'cleared_unack', raisedAt: c0, orgUnitId: area }, [
    { kind: 'raised', at: c0, value: 26 },
    { kind: 'cleared', at: new Date(c0.getTime() + 2 * S), value: 24 },
  ]);
  history({ pointId: points.c!.id, ruleId: ruleC2.id, kind: 'low', severity: 'minor', state: 'active_unack', raisedAt: at(30 * H), orgUnitId: area }, [{ kind: 'raised', at: at(30 * H), value: 3 }]);
  await flush();
}, 240_000);
afterAll(() => t.close());

const health = async (query = '') => s.as.leader.get<HealthReport & { code?: string }>(`/api/v1/iot/health?from=${at(24 * H).toISOString()}&to=${T.toISOString()}${query}`);

describe('alarm health (ISA-18.2 / EEMUA 191)', () => {
  it('computes rates per operator, one flood for one storm, chattering, fleeting, stale and the priority split from the alarm history', async () => {
    const r = await health();
    expect(r.statusCode).toBe(200);
    const h = r.body;
    expect(h.activations).toBe(34);
    // Operators: the leader and the safety officer acknowledged alarms in the period.
    expect(h.operators).toBe(2);
    expect(h.rates.peakPer10Min).toBe(9); // 18 activations in 09:00–09:10, two operators
    expect(h.rates.peakPerHour).toBe(9);
    expect(h.rates.avgPer10Min).toBe(0.118); // 34 / 2 / 144 intervals
    // The storm crosses a 10-minute boundary (12 + 18 activations) and still is one flood.
    expect(h.floods.count).toBe(1);
    expect(h.floods.items[0]).toEqual({ start: '2026-12-01T08:58:00.000Z', end: '2026-12-01T09:12:10.000Z', count: 30, peak: 30 });
    expect(h.chattering).toHaveLength(1);
    const c = h.chattering[0]!;
    expect(c).toMatchObject({ pointId: pointA, ruleId: ruleA.id, activations: 3, maxInWindow: 3, rule: { limit: 25, deadband: 0, onDelayS: 0, perPoint: true } });
    // Returns inside the limit reached 24.2 and 24.6 (depths 0.8, 0.4): a deadband of 1 holds through both;
    // the pulses lasted 10 s: an on-delay of 15 s would not have raised them. 1 ≤ 5 % of the 0–100 span.
    expect(c.suggestion).toEqual({ deadband: 1, onDelayS: 15, recommended: 'deadband', returnDepths: [0.8, 0.4], pulseSeconds: [10, 10, 10], deadbandCap: 5 });
    expect(h.fleeting.count).toBe(1);
    expect(h.fleeting.items[0]!.severity).toBe('major');
    expect(h.stale.count).toBe(1);
    expect(h.stale.items[0]).toMatchObject({ kind: 'low', state: 'active_unack', hours: 30 });
    expect(h.priority.severity).toEqual({ critical: 1, major: 6, minor: 3, warning: 24 });
    expect(h.priority.groups).toEqual([
      { group: 'high', count: 1, pct: 2.9, targetPct: 5 },
      { group: 'medium', count: 6, pct: 17.6, targetPct: 15 },
      { group: 'low', count: 27, pct: 79.4, targetPct: 80 },
    ]);
    expect(h.topContributors[0]).toMatchObject({ pointId: pointA, activations: 3 });
  });

  it('narrows to an area and refuses bad periods with 400', async () => {
    const other = await health(`&orgUnitId=${s.otherTeam.id}`);
    expect(other.statusCode).toBe(200);
    expect(other.body.activations).toBe(0);
    expect(other.body.stale.count).toBe(0);
    const reversed = await s.as.leader.get<{ code: string }>(`/api/v1/iot/health?from=${T.toISOString()}&to=${at(H).toISOString()}`);
    expect(reversed.statusCode).toBe(400);
    const long = await s.as.leader.get<{ code: string }>(`/api/v1/iot/health?from=${at(40 * 24 * H).toISOString()}&to=${T.toISOString()}`);
    expect(long.statusCode).toBe(400);
  });

  it('uses the tenant thresholds: a stricter chatter count finds nothing, a bad setting is refused and changes nothing', async () => {
    const cur = await s.as.safety.get<{ version: number; chatterCount: number }>('/api/v1/iot/health/settings');
    expect(cur.body.chatterCount).toBe(3);
    const bad = await s.as.safety.patch<{ code: string }>('/api/v1/iot/health/settings', { targetHighPct: 50, version: cur.body.version });
    expect(bad.statusCode).toBe(400);
    expect((await s.as.worker.patch('/api/v1/iot/health/settings', { chatterCount: 4, version: cur.body.version })).statusCode).toBe(403);
    const ok = await s.as.safety.patch<{ version: number; chatterCount: number }>('/api/v1/iot/health/settings', { chatterCount: 4, version: cur.body.version });
    expect(ok.statusCode).toBe(200);
    expect(ok.body).toMatchObject({ chatterCount: 4, version: cur.body.version + 1 });
    expect((await s.as.safety.patch('/api/v1/iot/health/settings', { chatterCount: 5, version: cur.body.version })).statusCode).toBe(409);
    expect((await health()).body.chattering).toHaveLength(0);
    const audit = await t.db.read((tx) => tx.select().from(auditLog).where(and(eq(auditLog.tenantId, s.tenant.id), eq(auditLog.action, 'iot.health_settings.updated'))));
    expect(audit).toHaveLength(1);
    await t.db.tx((tx) => tx.update(iotHealthSettings).set({ chatterCount: 3 }).where(eq(iotHealthSettings.tenantId, s.tenant.id)));
  });

  it('applies a suggested deadband only by a person with iot:configure, with the rule version, audited', async () => {
    const suggestion = (await health()).body.chattering[0]!;
    const version = suggestion.rule!.version;
    expect((await s.as.leader.patch(`/api/v1/iot/rules/${ruleA.id}`, { deadband: suggestion.suggestion!.deadband, version })).statusCode).toBe(403);
    expect((await s.as.safety.patch(`/api/v1/iot/rules/${ruleA.id}`, { deadband: 1, version: version + 1 })).statusCode).toBe(409);
    const ok = await s.as.safety.patch<RuleT>(`/api/v1/iot/rules/${ruleA.id}`, { deadband: suggestion.suggestion!.deadband, version });
    expect(ok.statusCode).toBe(200);
    expect(ok.body).toMatchObject({ deadband: 1, version: version + 1 });
    const audit = await t.db.read((tx) => tx.select().from(auditLog).where(and(eq(auditLog.entityId, ruleA.id), eq(auditLog.action, 'iot.rule.updated'))));
    expect(audit).toHaveLength(1);
    expect(audit[0]!.after).toMatchObject({ deadband: 1 });
    // With deadband 1 in place the same history suggests no smaller deadband: the on-delay remains.
    const again = (await health()).body.chattering[0]!;
    expect(again.suggestion).toMatchObject({ deadband: null, onDelayS: 15, recommended: 'onDelay' });
  });
});

describe('alarm-health figures', () => {
  it('ends a flood only when the trailing count falls below the end count (hysteresis), so a storm is one flood', () => {
    const cfg = { floodCount: 10, floodEndCount: 5, floodWindowMin: 10 };
    // 11 in a minute, a pause of 6 min, 11 more: still one flood (the trailing count never fell below 5).
    const times = [...Array.from({ length: 11 }, (_, i) => i * 5 * S), ...Array.from({ length: 11 }, (_, i) => 7 * MIN + i * 5 * S)];
    const floods = floodsOf(times, cfg, 60 * MIN);
    expect(floods).toHaveLength(1);
    expect(floods[0]!.count).toBe(22);
    // Exactly 10 in the window is not a flood (ISA-18.2: more than 10).
    expect(floodsOf(times.slice(0, 10), cfg, 60 * MIN)).toHaveLength(0);
  });

  it('rounds suggestions up to values a person types and prefers an on-delay when the deadband would exceed 5 % of the span', () => {
    expect([niceAbove(0.8), niceAbove(1), niceAbove(2.2), niceAbove(7), niceAbove(0.03)]).toEqual([1, 2, 2.5, 10, 0.05]);
    const eps = [
      { on: 0, off: 5000, offValue: 14 },
      { on: 8000, off: 12000, offValue: 12 },
      { on: 20000, off: 25000, offValue: 13 },
    ];
    const s1 = suggestFor({ kind: 'high', limit: 20, deadband: 0, onDelayS: 0 }, 100, eps, [], 60);
    expect(s1).toMatchObject({ returnDepths: [6, 8], deadband: 10, onDelayS: 10, recommended: 'onDelay' });
  });
});
