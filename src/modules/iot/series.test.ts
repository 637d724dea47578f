import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../platform/db/columns.ts';
import { createTestApp, type TestApp } from '../../test/app.ts';
import type { Trend } from './series.ts';
import { iotAlarms, iotReadings, iotRollups } from './schema.ts';
import { addDevice, addRule, seedIot, type IotSeed } from './testSupport.ts';

let t: TestApp;
let s: IotSeed;
let pointId: string;
const T = new Date('2026-12-01T12:00:00.000Z');
const S = 1000;
const H = 3_600_000;

beforeAll(async () => {
  t = await createTestApp({ RATE_LIMIT_PER_MINUTE: '100000' });
  t.clock.now = T;
  s = await seedIot(t);
  const { points } = await addDevice(s, ['ch1']);
  pointId = points.ch1!.id;
  await addRule(s, { pointId, kind: 'high', limit: 25, deadband: 2, severity: 'major' });
  await addRule(s, { pointId, kind: 'high_high', limit: 50, severity: 'critical' });
  await addRule(s, { pointType: 'gas_flammable', kind: 'low', limit: 1, severity: 'warning' });
  await addRule(s, { pointId, kind: 'low_low', limit: 0.5, severity: 'minor', enabled: false });
  await addRule(s, { pointId, kind: 'rate_of_change', limit: 5, severity: 'minor' });
  const tenantId = s.tenant.id;
  await t.db.tx(async (tx) => {
    // The last hour: one reading every 1.2 s (3000), with one spike of 99 that a downsampled chart must keep.
    const raw = Array.from({ length: 3000 }, (_, i) => ({ tenantId, pointId, ts: new Date(T.getTime() - H + i * 1200), value: i === 1234 ? 99 : 10 + (i % 7) }));
    for (let i = 0; i < raw.length; i += 500) await tx.insert(iotReadings).values(raw.slice(i, i + 500));
    // Minute rollups of the last 24 h and hour rollups of the last 7 days.
    const minutes = Array.from({ length: 1440 }, (_, i) => ({ tenantId, pointId, grain: 'minute' as const, bucket: new Date(T.getTime() - 24 * H + i * 60 * S), count: 60, sum: 600, min: 5, max: i === 100 ? 80 : 15 }));
    for (let i = 0; i < minutes.length; i += 500) await tx.insert(iotRollups).values(minutes.slice(i, i + 500));
    await tx.insert(iotRollups).values(Array.from({ length: 168 }, (_, i) => ({ tenantId, pointId, grain: 'hour' as const, bucket: new Date(T.getTime() - 168 * H + i * H), count: 3600, sum: 36_000, min: 4, max: 16 })));
    const ruleId = newId();
    await tx.insert(iotAlarms).values([
      { id: newId(), tenantId, orgUnitId: s.team.id, pointId, ruleId, kind: 'high', severity: 'major', state: 'cleared_ack', limit: 25, raisedAt: new Date(T.getTime() - 30 * 60 * S), clearedAt: new Date(T.getTime() - 20 * 60 * S), lastAt: T, updatedAt: T },
      { id: newId(), tenantId, orgUnitId: s.team.id, pointId, ruleId: newId(), kind: 'high_high', severity: 'critical', state: 'active_unack', limit: 50, raisedAt: new Date(T.getTime() - 5 * 60 * S), lastAt: T, updatedAt: T },
      // Closed two days ago: outside a 24 h chart.
      { id: newId(), tenantId, orgUnitId: s.team.id, pointId, ruleId: newId(), kind: 'high', severity: 'major', state: 'cleared_ack', limit: 25, raisedAt: new Date(T.getTime() - 50 * H), clearedAt: new Date(T.getTime() - 49 * H), lastAt: T, updatedAt: T },
    ]);
  });
}, 240_000);
afterAll(() => t.close());

const trend = (q: string) => s.as.leader.get<Trend & { code?: string }>(`/api/v1/iot/points/${pointId}/trend?${q}`);

describe('trend series of a point', () => {
  it('1 h reads raw readings, downsampled to maxPoints buckets that keep the spike, with thresholds of enabled limit rules and alarm periods', async () => {
    const r = await trend('range=1h&maxPoints=100');
    expect(r.statusCode).toBe(200);
    expect(r.body.grain).toBe('raw');
    expect(r.body.items.length).toBeLessThanOrEqual(100);
    expect(r.body.items.length).toBeGreaterThan(90);
    expect(r.body.bucketMs).toBe(36_000);
    expect(Math.max(...r.body.items.map((i) => i.max))).toBe(99);
    expect(Math.min(...r.body.items.map((i) => i.min))).toBe(10);
    expect(r.body.thresholds.map((x) => `${x.kind}:${x.limit}:${x.severity}`).sort()).toEqual(['high:25:major', 'high_high:50:critical', 'low:1:warning']);
    expect(r.body.alarms.map((a) => `${a.kind}:${a.open}`).sort()).toEqual(['high:false', 'high_high:true']);
    const closed = r.body.alarms.find((a) => !a.open)!;
    expect([closed.start, closed.end]).toEqual(['2026-12-01T11:30:00.000Z', '2026-12-01T11:40:00.000Z']);
    expect(r.body.alarms.find((a) => a.open)!.end).toBe(T.toISOString());
  });

  it('24 h reads minute rollups and 7 d hour rollups, each bounded by maxPoints', async () => {
    const day = await trend('range=24h');
    expect(day.statusCode).toBe(200);
    expect(day.body).toMatchObject({ grain: 'minute', maxPoints: 600, bucketMs: 144_000 });
    expect(day.body.items.length).toBeLessThanOrEqual(600);
    expect(Math.max(...day.body.items.map((i) => i.max))).toBe(80);
    expect(day.body.items[0]!.value).toBe(10);
    const week = await trend('range=7d');
    expect(week.body).toMatchObject({ grain: 'hour', bucketMs: 0 });
    expect(week.body.items).toHaveLength(168);
    expect(week.body.alarms).toHaveLength(3);
  });

  it('refuses unbounded requests with 400 and points of another scope with 403', async () => {
    expect((await trend('range=1h&maxPoints=5000')).statusCode).toBe(400);
    expect((await trend('range=1h&maxPoints=5')).statusCode).toBe(400);
    expect((await trend(`from=${new Date(T.getTime() - 40 * 24 * H).toISOString()}`)).statusCode).toBe(400);
    expect((await trend(`from=${T.toISOString()}&to=${new Date(T.getTime() - H).toISOString()}`)).statusCode).toBe(400);
    expect((await trend('range=2d')).statusCode).toBe(400);
    const other = await s.as.safety.post<{ id: string }>('/api/v1/iot/devices', { code: `OD-${Date.now()}`, name: 'other', orgUnitId: s.otherTeam.id });
    const p = await s.as.safety.post<{ id: string }>('/api/v1/iot/points', { deviceId: other.body.id, key: 'x', code: `OP-${Date.now()}`, name: 'other', type: 'gas_toxic', orgUnitId: s.otherTeam.id });
    expect((await s.as.leader.get(`/api/v1/iot/points/${p.body.id}/trend?range=1h`)).statusCode).toBe(403);
  });
});
