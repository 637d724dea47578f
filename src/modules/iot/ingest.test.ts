import { and, count, eq, like, sql } from 'drizzle-orm';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog } from '../../platform/audit/schema.ts';
import { outboxEvents } from '../../platform/events/schema.ts';
import { jobs } from '../../platform/jobs/schema.ts';
import { notifications } from '../../platform/notify/schema.ts';
import { createTestApp, type TestApp } from '../../test/app.ts';
import { usersAroundArea } from './alarmStore.ts';
import { applyRetention, sweepSilence } from './jobs.ts';
import { startIotIngestion, type IotIngestion } from './mqttIngest.ts';
import type { AlarmDetailT, AlarmT, PointT } from './routes.ts';
import { iotAlarmEvents, iotAlarms, iotReadings, iotRollups } from './schema.ts';
import { addDevice, addRule, runJobsAt, seedIot, type IotSeed } from './testSupport.ts';

let t: TestApp;
let s: IotSeed;
let ingestion: IotIngestion;
let url: string;

beforeAll(async () => {
  t = await createTestApp({ RATE_LIMIT_PER_MINUTE: '100000' });
  s = await seedIot(t);
  // Port 0: a free port, so parallel test files never collide.
  ingestion = await startIotIngestion({ db: t.db, mqttPort: 0, mqttUrl: null, host: '127.0.0.1', instanceId: 'test', now: () => t.clock.now });
  url = `mqtt://127.0.0.1:${ingestion.broker!.port}`;
});
afterAll(async () => {
  await ingestion.close();
  await t.close();
});

const topic = (deviceId: string) => `safeloop/v1/devices/${deviceId}/readings`;
const readingsOf = async (pointId: string) => (await t.db.read((tx) => tx.select({ n: count() }).from(iotReadings).where(eq(iotReadings.pointId, pointId))))[0]!.n;
const alarmsOf = (pointId: string) => t.db.read((tx) => tx.select().from(iotAlarms).where(eq(iotAlarms.pointId, pointId)));
const eventsOf = async (alarmId: string) => (await t.db.read((tx) => tx.select().from(iotAlarmEvents).where(eq(iotAlarmEvents.alarmId, alarmId)).orderBy(iotAlarmEvents.at, iotAlarmEvents.id))).map((e) => e.kind);
const at = (sec: number) => new Date(t.clock.now.getTime() + sec * 1000).toISOString();

async function connect(deviceId: string, token: string) {
  return mqtt.connectAsync(url, { username: deviceId, password: token, reconnectPeriod: 0, connectTimeout: 5000 });
}

describe('MQTT ingestion on the embedded broker', () => {
  it('stores readings acknowledged at QoS 1, raises one alarm, updates it instead of duplicating, then ack and clear with hysteresis', async () => {
    const { device, token, points } = await addDevice(s, ['ch1']);
    const p = points.ch1!;
    await addRule(s, { pointId: p.id, kind: 'high', limit: 25, deadband: 5, severity: 'critical' });
    const c = await connect(device.id, token);
    try {
      // Each publishAsync resolves on PUBACK, which the broker sends only after the transaction committed.
      for (const [i, v] of [10, 30, 35, 32].entries()) await c.publishAsync(topic(device.id), JSON.stringify({ point: 'ch1', value: v, ts: at(i - 60) }), { qos: 1 });
      expect(await readingsOf(p.id)).toBe(4);
      let alarms = await alarmsOf(p.id);
      expect(alarms).toHaveLength(1);
      expect(alarms[0]).toMatchObject({ state: 'active_unack', severity: 'critical', raisedValue: 30, lastValue: 32, peakValue: 35, updateCount: 2 });
      const id = alarms[0]!.id;
      expect(await eventsOf(id)).toEqual(['raised']);

      const list = await s.as.leader.get<{ items: AlarmT[] }>('/api/v1/iot/alarms');
      expect(list.body.items.map((a) => a.id)).toContain(id);
      const ack = await s.as.leader.post<AlarmT>(`/api/v1/iot/alarms/${id}/ack`, { note: 'ventilation started' });
      expect(ack.statusCode).toBe(200);
      expect(ack.body).toMatchObject({ state: 'active_ack', ackBy: s.leader.user.id, ackNote: 'ventilation started' });
      expect((await s.as.leader.post(`/api/v1/iot/alarms/${id}/ack`, {})).statusCode).toBe(409);

      // 22 is below the limit but inside the deadband (25 − 5): the alarm stays; 19 clears it.
      await c.publishAsync(topic(device.id), JSON.stringify({ point: 'ch1', value: 22, ts: at(-50) }), { qos: 1 });
      expect((await alarmsOf(p.id))[0]!.state).toBe('active_ack');
      await c.publishAsync(topic(device.id), JSON.stringify({ readings: [{ point: 'ch1', value: 19, ts: at(-40) }] }), { qos: 1 });
      alarms = await alarmsOf(p.id);
      expect(alarms).toHaveLength(1);
      expect(alarms[0]).toMatchObject({ state: 'cleared_ack' });
      expect(await eventsOf(id)).toEqual(['raised', 'acknowledged', 'cleared']);

      // The next excursion is a new alarm (the old one is closed).
      await c.publishAsync(topic(device.id), JSON.stringify({ point: 'ch1', value: 40, ts: at(-30) }), { qos: 1 });
      expect((await alarmsOf(p.id)).map((a) => a.state).sort()).toEqual(['active_unack', 'cleared_ack']);
    } finally {
      await c.endAsync();
    }
    const audits = await t.db.read((tx) => tx.select({ action: auditLog.action }).from(auditLog).where(like(auditLog.action, 'iot.alarm.%')));
    expect(audits.map((a) => a.action)).toEqual(expect.arrayContaining(['iot.alarm.raised', 'iot.alarm.acknowledged', 'iot.alarm.cleared']));
    const ev = await t.db.read((tx) => tx.select({ type: outboxEvents.type }).from(outboxEvents).where(eq(outboxEvents.type, 'iot.alarm.raised')));
    expect(ev.length).toBeGreaterThanOrEqual(2);
    const rollup = await t.db.read((tx) => tx.select().from(iotRollups).where(and(eq(iotRollups.pointId, p.id), eq(iotRollups.grain, 'hour'))));
    expect(rollup.reduce((n, r) => n + r.count, 0)).toBe(7);
    const live = await s.as.leader.get<{ items: PointT[] }>('/api/v1/iot/points');
    expect(live.body.items.find((x) => x.id === p.id)).toMatchObject({ lastValue: 40, alarmState: 'active_unack' });
  });

  it('re-activates a cleared but unacknowledged alarm when the condition returns (one open alarm per point and rule)', async () => {
    const { device, token, points } = await addDevice(s, ['ch1']);
    const p = points.ch1!;
    await addRule(s, { pointId: p.id, kind: 'high', limit: 25, severity: 'major' });
    const c = await connect(device.id, token);
    try {
      for (const [i, v] of [30, 10, 31].entries()) await c.publishAsync(topic(device.id), JSON.stringify({ point: 'ch1', value: v, ts: at(i - 60) }), { qos: 1 });
    } finally {
      await c.endAsync();
    }
    const alarms = await alarmsOf(p.id);
    expect(alarms).toHaveLength(1);
    expect(alarms[0]!.state).toBe('active_unack');
    expect(await eventsOf(alarms[0]!.id)).toEqual(['raised', 'cleared', 'updated']);
  });

  it('refuses a wrong device token at connect', async () => {
    const { device } = await addDevice(s, ['ch1']);
    await expect(connect(device.id, 'sld_wrongwrongwrongwrongwrong')).rejects.toThrow();
  });

  it('disconnects a device publishing under another device id, storing nothing', async () => {
    const a = await addDevice(s, ['ch1']);
    const b = await addDevice(s, ['ch1']);
    const c = await connect(a.device.id, a.token);
    const closed = new Promise<void>((r) => c.once('close', () => r()));
    c.publish(topic(b.device.id), JSON.stringify({ point: 'ch1', value: 1 }), { qos: 1 });
    await closed;
    c.end(true);
    expect(await readingsOf(b.points.ch1!.id)).toBe(0);
  });

  it('acknowledges and drops a malformed or partly unknown message without writing any of it', async () => {
    const { device, token, points } = await addDevice(s, ['ch1']);
    const before = ingestion.rejected();
    const c = await connect(device.id, token);
    try {
      await c.publishAsync(topic(device.id), JSON.stringify({ readings: [{ point: 'ch1', value: 1, ts: at(-10) }, { point: 'nope', value: 2 }] }), { qos: 1 });
      await c.publishAsync(topic(device.id), 'not json', { qos: 1 });
      await c.publishAsync(topic(device.id), JSON.stringify({ point: 'ch1', value: 'high' }), { qos: 1 });
    } finally {
      await c.endAsync();
    }
    expect(ingestion.rejected() - before).toBe(3);
    expect(await readingsOf(points.ch1!.id)).toBe(0);
  });
});

describe('HTTP batch ingestion', () => {
  it('stores a batch with the device token, idempotently per (point, ts)', async () => {
    const { token, points } = await addDevice(s, ['a', 'b']);
    const body = { readings: [{ point: 'a', value: 1, ts: at(-30) }, { point: 'b', value: 2, ts: at(-30) }, { point: 'a', value: 3, ts: at(-20) }] };
    const r = await t.app.inject({ method: 'POST', url: '/api/v1/iot/readings', headers: { authorization: `Bearer ${token}` }, payload: body });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual({ stored: 3, duplicates: 0 });
    const again = await t.app.inject({ method: 'POST', url: '/api/v1/iot/readings', headers: { authorization: `Bearer ${token}` }, payload: body });
    expect(again.json()).toEqual({ stored: 0, duplicates: 3 });
    expect(await readingsOf(points.a!.id)).toBe(2);
  });

  it('returns 401 for a missing or unknown device token and 400 for a bad batch, writing nothing', async () => {
    const { token, points } = await addDevice(s, ['a']);
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/iot/readings', payload: { point: 'a', value: 1 } })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/iot/readings', headers: { authorization: 'Bearer sld_nopenopenopenopenopenope' }, payload: { point: 'a', value: 1 } })).statusCode).toBe(401);
    const unknown = await t.app.inject({ method: 'POST', url: '/api/v1/iot/readings', headers: { authorization: `Bearer ${token}` }, payload: { readings: [{ point: 'a', value: 1 }, { point: 'zz', value: 1 }] } });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json()).toMatchObject({ code: 'validation_failed', errors: [{ field: 'readings[1].point' }] });
    const future = await t.app.inject({ method: 'POST', url: '/api/v1/iot/readings', headers: { authorization: `Bearer ${token}` }, payload: { point: 'a', value: 1, ts: at(3600) } });
    expect(future.statusCode).toBe(400);
    const wrongType = await t.app.inject({ method: 'POST', url: '/api/v1/iot/readings', headers: { authorization: `Bearer ${token}` }, payload: { point: 'a', value: 'x' } });
    expect(wrongType.statusCode).toBe(400);
    expect(await readingsOf(points.a!.id)).toBe(0);
  });

  it('raises exactly one alarm under concurrent batches beyond the limit', async () => {
    const { token, points } = await addDevice(s, ['a']);
    await addRule(s, { pointId: points.a!.id, kind: 'high', limit: 10, severity: 'minor' });
    const sends = Array.from({ length: 12 }, (_, i) => t.app.inject({ method: 'POST', url: '/api/v1/iot/readings', headers: { authorization: `Bearer ${token}` }, payload: { point: 'a', value: 50 + i, ts: at(i - 100) } }));
    const res = await Promise.all(sends);
    expect(res.map((r) => r.statusCode)).toEqual(Array(12).fill(200));
    const alarms = await alarmsOf(points.a!.id);
    expect(alarms).toHaveLength(1);
    // Arrival order differs on a server (readings older than the last evaluated one do not re-evaluate).
    expect(alarms[0]!.updateCount).toBeLessThanOrEqual(11);
    expect(await readingsOf(points.a!.id)).toBe(12);
  });
});

describe('alarm handling', () => {
  it('escalates an unacknowledged alarm once per step with the controlled clock, and not after acknowledgement', async () => {
    const { token, points } = await addDevice(s, ['a']);
    await addRule(s, { pointId: points.a!.id, kind: 'low', limit: 19.5, severity: 'critical' });
    const r = await t.app.inject({ method: 'POST', url: '/api/v1/iot/readings', headers: { authorization: `Bearer ${token}` }, payload: { point: 'a', value: 18, ts: at(-1) } });
    expect(r.statusCode).toBe(200);
    const [alarm] = await alarmsOf(points.a!.id);
    const start = t.clock.now;
    const leaderNotes = () => t.db.read((tx) => tx.select().from(notifications).where(and(eq(notifications.userId, s.leader.user.id), eq(notifications.type, 'iot.alarm.escalated'), sql`${notifications.data}->>'alarmId' = ${alarm!.id}`)));
    const before = (await leaderNotes()).length;
    await runJobsAt(t, new Date(start.getTime() + 4 * 60_000));
    expect((await leaderNotes()).length).toBe(before);
    await runJobsAt(t, new Date(start.getTime() + 5 * 60_000 + 1000));
    expect((await leaderNotes()).length).toBe(before + 1);
    await runJobsAt(t, new Date(start.getTime() + 6 * 60_000));
    expect((await leaderNotes()).length).toBe(before + 1);
    expect(await eventsOf(alarm!.id)).toEqual(['raised', 'escalated']);
    const ack = await s.as.safety.post<AlarmT>(`/api/v1/iot/alarms/${alarm!.id}/ack`, {});
    expect(ack.body).toMatchObject({ state: 'active_ack', escalationLevel: 1 });
    const pending = await t.db.read((tx) => tx.select().from(jobs).where(and(like(jobs.dedupeKey, `iot:alarm:${alarm!.id}:esc:%`), eq(jobs.status, 'pending'))));
    expect(pending).toHaveLength(0);
    await runJobsAt(t, new Date(start.getTime() + 20 * 60_000));
    expect(await eventsOf(alarm!.id)).toEqual(['raised', 'escalated', 'acknowledged']);
  });

  it('shelves with a reason until an expiry job unshelves it; comments and manual clear are recorded', async () => {
    const { token, points } = await addDevice(s, ['a']);
    await addRule(s, { pointId: points.a!.id, kind: 'high', limit: 10, severity: 'warning' });
    await t.app.inject({ method: 'POST', url: '/api/v1/iot/readings', headers: { authorization: `Bearer ${token}` }, payload: { point: 'a', value: 20, ts: at(-1) } });
    const [alarm] = await alarmsOf(points.a!.id);
    const id = alarm!.id;
    expect((await s.as.worker.post(`/api/v1/iot/alarms/${id}/ack`, {})).statusCode).toBe(403);
    expect((await s.as.leader.post(`/api/v1/iot/alarms/${id}/shelve`, { until: at(3600), reason: '' })).statusCode).toBe(400);
    expect((await s.as.leader.post(`/api/v1/iot/alarms/${id}/shelve`, { until: at(100 * 3600), reason: 'calibration' })).statusCode).toBe(400);
    const sh = await s.as.leader.post<AlarmT>(`/api/v1/iot/alarms/${id}/shelve`, { until: at(3600), reason: 'sensor calibration' });
    expect(sh.statusCode).toBe(200);
    expect(sh.body.shelveReason).toBe('sensor calibration');
    expect((await s.as.leader.post(`/api/v1/iot/alarms/${id}/comments`, { text: 'technician on the way' })).statusCode).toBe(200);
    await runJobsAt(t, new Date(t.clock.now.getTime() + 3601_000));
    const detail = await s.as.leader.get<AlarmDetailT>(`/api/v1/iot/alarms/${id}`);
    expect(detail.body.alarm.shelvedUntil).toBeNull();
    expect((await s.as.leader.post(`/api/v1/iot/alarms/${id}/clear`, {})).statusCode).toBe(400);
    const cl = await s.as.leader.post<AlarmT>(`/api/v1/iot/alarms/${id}/clear`, { note: 'sensor replaced' });
    expect(cl.body.state).toBe('cleared_unack');
    const done = await s.as.leader.post<AlarmT>(`/api/v1/iot/alarms/${id}/ack`, {});
    expect(done.body.state).toBe('cleared_ack');
    expect(await eventsOf(id)).toEqual(['raised', 'shelved', 'commented', 'unshelved', 'cleared', 'acknowledged']);
  });
});

describe('backpressure', () => {
  it('holds producers back at the queue bound and loses nothing it acknowledged', async () => {
    const small = await startIotIngestion({ db: t.db, mqttPort: 0, mqttUrl: null, host: '127.0.0.1', instanceId: 'small', capacity: 2, batchSize: 1, now: () => t.clock.now });
    const { device, token, points } = await addDevice(s, ['a']);
    const clients = await Promise.all([0, 1, 2].map(() => mqtt.connectAsync(`mqtt://127.0.0.1:${small.broker!.port}`, { username: device.id, password: token, reconnectPeriod: 0 })));
    let acked = 0;
    try {
      // 3 connections × 20 messages in flight at once, far beyond the bound of 2.
      await Promise.all(
        clients.flatMap((c, ci) =>
          Array.from({ length: 20 }, (_, i) =>
            c.publishAsync(topic(device.id), JSON.stringify({ point: 'a', value: i, ts: new Date(t.clock.now.getTime() - 100_000 + ci * 1000 + i * 10).toISOString() }), { qos: 1 }).then(() => {
              acked++;
            }),
          ),
        ),
      );
    } finally {
      await Promise.all(clients.map((c) => c.endAsync()));
    }
    expect(acked).toBe(60);
    expect(small.queue.stats().peak).toBeLessThanOrEqual(2);
    expect(small.queue.stats().processed).toBe(60);
    expect(await readingsOf(points.a!.id)).toBe(60);
    await small.close();
  });
});

describe('sweeps', () => {
  it('raises a no-data alarm once a point is silent past the timeout, and clears it on the next reading', async () => {
    const { token, points } = await addDevice(s, ['a']);
    const p = points.a!;
    await addRule(s, { pointId: p.id, kind: 'no_data', timeoutS: 60, severity: 'major' });
    const send = (value: number) => t.app.inject({ method: 'POST', url: '/api/v1/iot/readings', headers: { authorization: `Bearer ${token}` }, payload: { point: 'a', value } });
    expect((await send(1)).statusCode).toBe(200);
    const base = t.clock.now.getTime();
    await sweepSilence(t.db, new Date(base + 30_000));
    expect(await alarmsOf(p.id)).toHaveLength(0);
    await sweepSilence(t.db, new Date(base + 61_000));
    await sweepSilence(t.db, new Date(base + 120_000));
    const alarms = await alarmsOf(p.id);
    expect(alarms).toHaveLength(1);
    expect(alarms[0]).toMatchObject({ kind: 'no_data', state: 'active_unack' });
    t.clock.now = new Date(base + 130_000);
    expect((await send(2)).statusCode).toBe(200);
    expect((await alarmsOf(p.id))[0]!.state).toBe('cleared_unack');
  });

  it('deletes raw readings past their point type retention and keeps newer ones', async () => {
    const { points } = await addDevice(s, ['a']);
    const p = points.a!;
    const now = t.clock.now;
    const day = 86_400_000;
    await t.db.tx((tx) =>
      tx.insert(iotReadings).values([
        { tenantId: s.tenant.id, pointId: p.id, ts: new Date(now.getTime() - 200 * day), value: 1 },
        { tenantId: s.tenant.id, pointId: p.id, ts: new Date(now.getTime() - 100 * day), value: 2 },
      ]),
    );
    // Flammable gas keeps 180 days of raw readings by default.
    const r = await applyRetention(t.db, now);
    expect(r.readings).toBeGreaterThanOrEqual(1);
    const left = await t.db.read((tx) => tx.select({ value: iotReadings.value }).from(iotReadings).where(eq(iotReadings.pointId, p.id)));
    expect(left.map((x) => x.value)).toEqual([2]);
  });
});

describe('registry', () => {
  it('rotates a device token (the old one stops working) and archives a point, refusing its readings', async () => {
    const { device, token, points } = await addDevice(s, ['a']);
    const rotated = await s.as.safety.post<{ token: string; device: { version: number } }>(`/api/v1/iot/devices/${device.id}/token`, { reason: 'leaked' });
    expect(rotated.statusCode).toBe(200);
    const send = (tok: string) => t.app.inject({ method: 'POST', url: '/api/v1/iot/readings', headers: { authorization: `Bearer ${tok}` }, payload: { point: 'a', value: 1 } });
    expect((await send(token)).statusCode).toBe(401);
    expect((await send(rotated.body.token)).statusCode).toBe(200);
    expect((await s.as.worker.post(`/api/v1/iot/points/${points.a!.id}/archive`, { version: 1 })).statusCode).toBe(403);
    const archived = await s.as.safety.post<PointT>(`/api/v1/iot/points/${points.a!.id}/archive`, { version: 1 });
    expect(archived.statusCode).toBe(200);
    expect(archived.body.archived).toBe(true);
    expect((await send(rotated.body.token)).statusCode).toBe(400);
    const audits = await t.db.read((tx) => tx.select({ action: auditLog.action }).from(auditLog).where(eq(auditLog.entityId, device.id)));
    expect(audits.map((a) => a.action)).toEqual(expect.arrayContaining(['iot.device.created', 'iot.device.token_issued', 'iot.device.token_rotated']));
  });
});

describe('escalation recipients', () => {
  it('reaches company-wide roles wherever they sit, and team leaders only around the area', async () => {
    const directors = await t.db.read((tx) => usersAroundArea(tx, s.tenant.id, 'safety_director', s.otherTeam.id));
    expect(directors).toContain(s.safety.user.id);
    const leadersHere = await t.db.read((tx) => usersAroundArea(tx, s.tenant.id, 'team_leader', s.workshop.id));
    expect(leadersHere).toContain(s.leader.user.id);
    const leadersElsewhere = await t.db.read((tx) => usersAroundArea(tx, s.tenant.id, 'team_leader', s.otherWorkshop.id));
    expect(leadersElsewhere).not.toContain(s.leader.user.id);
  });
});
