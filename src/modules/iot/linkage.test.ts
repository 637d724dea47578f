import { and, eq, like } from 'drizzle-orm';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog } from '../../platform/audit/schema.ts';
import { dispatchPending } from '../../platform/events/dispatcher.ts';
import { eventDeliveries, outboxEvents } from '../../platform/events/schema.ts';
import { createTestApp, type TestApp } from '../../test/app.ts';
import { startLinkageMqtt } from './linkageMqtt.ts';
import type { LinkageExecutionT, LinkageRuleT, LinkageSettingsT } from './linkageRoutes.ts';
import { startIotIngestion, type IotIngestion } from './mqttIngest.ts';
import { iotAlarmEvents, iotAlarms, iotLinkageExecutions } from './schema.ts';
import { addDevice, addRule, runJobsAt, seedIot, type IotSeed } from './testSupport.ts';

let t: TestApp;
let s: IotSeed;
let ingestion: IotIngestion;
let linkage: { close(): Promise<void> };
let url: string;

beforeAll(async () => {
  t = await createTestApp({ RATE_LIMIT_PER_MINUTE: '100000' });
  s = await seedIot(t);
  // The embedded broker on a free port; linkage publishes through it like in production.
  ingestion = await startIotIngestion({ db: t.db, mqttPort: 0, mqttUrl: null, host: '127.0.0.1', instanceId: 'linkage-test', now: () => t.clock.now });
  linkage = await startLinkageMqtt({ db: t.db, broker: ingestion.broker, mqttUrl: null, instanceId: 'linkage-test', now: () => t.clock.now, log: { warn: () => undefined } });
  url = `mqtt://127.0.0.1:${ingestion.broker!.port}`;
});
afterAll(async () => {
  await linkage.close();
  await ingestion.close();
  await t.close();
});

const at = (sec: number) => new Date(t.clock.now.getTime() + sec * 1000).toISOString();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function reading(token: string, point: string, value: number, tsSec: number) {
  const r = await t.app.inject({ method: 'POST', url: '/api/v1/iot/readings', headers: { authorization: `Bearer ${token}` }, payload: { point, value, ts: at(tsSec) } });
  expect(r.statusCode).toBe(200);
}

const executionsOf = (alarmId: string) => t.db.read((tx) => tx.select().from(iotLinkageExecutions).where(eq(iotLinkageExecutions.alarmId, alarmId)).orderBy(iotLinkageExecutions.createdAt, iotLinkageExecutions.id));
const openAlarmOf = async (pointId: string) => (await t.db.read((tx) => tx.select().from(iotAlarms).where(eq(iotAlarms.pointId, pointId))))[0]!;
const linkageEvents = (alarmId: string) => t.db.read((tx) => tx.select().from(iotAlarmEvents).where(and(eq(iotAlarmEvents.alarmId, alarmId), eq(iotAlarmEvents.kind, 'linkage'))).orderBy(iotAlarmEvents.at, iotAlarmEvents.id));
const auditOf = (executionId: string) => t.db.read(async (tx) => (await tx.select().from(auditLog).where(eq(auditLog.entityId, executionId))).map((a) => a.action));

interface Received {
  topic: string;
  payload: Record<string, unknown>;
}

/** An actuator (fan controller) as a real MQTT client subscribed to its commands. */
async function actuator(deviceId: string, token: string): Promise<{ client: MqttClient; received: Received[]; waitFor(n: number): Promise<void> }> {
  const client = await mqtt.connectAsync(url, { username: deviceId, password: token, reconnectPeriod: 0, connectTimeout: 5000 });
  const granted = await client.subscribeAsync(`safeloop/v1/devices/${deviceId}/commands/#`, { qos: 1 });
  expect(granted[0]!.qos).toBe(1);
  const received: Received[] = [];
  client.on('message', (topic, payload) => received.push({ topic, payload: JSON.parse(payload.toString()) as Record<string, unknown> }));
  const waitFor = async (n: number) => {
    for (let i = 0; i < 200 && received.length < n; i++) await sleep(10);
    expect(received.length).toBe(n);
  };
  return { client, received, waitFor };
}

async function reply(client: MqttClient, deviceId: string, body: unknown) {
  await client.publishAsync(`safeloop/v1/devices/${deviceId}/command-results`, JSON.stringify(body), { qos: 1 });
}

async function newRule(body: Record<string, unknown>): Promise<LinkageRuleT> {
  const r = await s.as.safety.post<LinkageRuleT>('/api/v1/iot/linkage-rules', body);
  expect(r.statusCode, JSON.stringify(r.body)).toBe(201);
  return r.body;
}

describe('linkage on alarm raise and clear', () => {
  it('publishes the command on raise and on clear, confirms on the reply, times out exactly once without one, ignores late replies', async () => {
    const sensor = await addDevice(s, ['ch1']);
    const fan = await addDevice(s, []);
    const p = sensor.points.ch1!;
    await addRule(s, { pointId: p.id, kind: 'high', limit: 25, deadband: 5, severity: 'critical' });
    // The workshop's rule covers its team, where the point is; the paint shop's rule must not fire.
    const rule = await newRule({ name: 'Ventilation on LEL high', orgUnitId: s.workshop.id, pointType: 'gas_flammable', minSeverity: 'major', onRaised: true, onCleared: true, deviceId: fan.device.id, command: 'ventilation.start', params: { speed: 2 }, timeoutS: 10 });
    const other = await newRule({ name: 'Other area', orgUnitId: s.otherWorkshop.id, pointType: 'gas_flammable', deviceId: fan.device.id, command: 'horn.on' });
    // Severity below the rule's minimum: no command.
    const tooHigh = await newRule({ name: 'Only warnings?', orgUnitId: s.workshop.id, pointId: p.id, minSeverity: 'critical', deviceId: fan.device.id, command: 'valve.close' });
    expect(tooHigh.minSeverity).toBe('critical');
    const dev = await actuator(fan.device.id, fan.token);
    try {
      await reading(sensor.token, 'ch1', 30, -60);
      const alarm = await openAlarmOf(p.id);
      expect(alarm.state).toBe('active_unack');
      // Written with the alarm, in its transaction; not yet sent (that happens after the commit, by the job).
      let ex = await executionsOf(alarm.id);
      expect(ex.map((e) => [e.ruleId, e.trigger, e.state])).toEqual([
        [rule.id, 'raised', 'pending'],
        [tooHigh.id, 'raised', 'pending'],
      ]);
      expect(ex.some((e) => e.ruleId === other.id)).toBe(false);
      const raised = ex[0]!;
      expect(raised.sentAt).toBeNull();
      expect(raised.topic).toBe(`safeloop/v1/devices/${fan.device.id}/commands/ventilation.start`);

      await runJobsAt(t, t.clock.now);
      await dev.waitFor(2);
      const cmd = dev.received.find((m) => m.topic.endsWith('/ventilation.start'))!;
      expect(cmd.topic).toBe(raised.topic);
      expect(cmd.payload).toMatchObject({ id: raised.commandId, command: 'ventilation.start', params: { speed: 2 }, alarmId: alarm.id, trigger: 'raised' });
      expect(typeof cmd.payload.ts).toBe('string');
      expect((await executionsOf(alarm.id))[0]!.sentAt).not.toBeNull();

      // The device confirms: confirmed, audited, on the alarm timeline, announced (SSE subscriber listens).
      await reply(dev.client, fan.device.id, { id: raised.commandId, ok: true, message: 'fan running' });
      ex = await executionsOf(alarm.id);
      expect(ex[0]).toMatchObject({ state: 'confirmed', message: 'fan running' });
      expect(ex[0]!.confirmedAt).not.toBeNull();
      expect(await auditOf(raised.id)).toEqual(expect.arrayContaining(['iot.linkage.queued', 'iot.linkage.sent', 'iot.linkage.confirmed']));
      const ev = await t.db.read((tx) => tx.select().from(outboxEvents).where(and(eq(outboxEvents.type, 'iot.linkage.confirmed'), eq(outboxEvents.entityId, raised.id))));
      expect(ev).toHaveLength(1);
      // The SSE subscriber handles it (pushes an `iot.linkage` frame to the area's operators) without error.
      for (;;) {
        const r = await dispatchPending(t.db, { now: t.clock.now, batch: 200 });
        expect(r.failed).toBe(0);
        if (r.claimed === 0) break;
      }
      const handled = await t.db.read((tx) => tx.select().from(eventDeliveries).where(and(eq(eventDeliveries.eventId, ev[0]!.id), eq(eventDeliveries.subscriber, 'iot.linkage.stream'))));
      expect(handled).toHaveLength(1);
      // A duplicate reply (QoS 1 redelivery) or a contradicting late one changes nothing.
      await reply(dev.client, fan.device.id, { id: raised.commandId, ok: false, message: 'late' });
      expect((await executionsOf(alarm.id))[0]).toMatchObject({ state: 'confirmed', message: 'fan running', version: ex[0]!.version });
      // A reply for an id nobody sent is ignored.
      await reply(dev.client, fan.device.id, { id: '01890000-0000-7000-8000-000000000000', ok: true });
      // The device says no to the valve: failed, with its message.
      const valve = ex[1]!;
      await reply(dev.client, fan.device.id, { id: valve.commandId, ok: false, message: 'valve jammed' });
      expect((await executionsOf(alarm.id))[1]).toMatchObject({ state: 'failed', message: 'valve jammed' });

      // Clear: the rule also fires on clear; this time the device stays silent.
      await reading(sensor.token, 'ch1', 10, -50);
      expect((await openAlarmOf(p.id)).state).toBe('cleared_unack');
      ex = await executionsOf(alarm.id);
      const cleared = ex.find((e) => e.trigger === 'cleared')!;
      expect(ex.filter((e) => e.trigger === 'cleared')).toHaveLength(1);
      expect(cleared.ruleId).toBe(rule.id);
      const start = t.clock.now;
      await runJobsAt(t, start);
      await dev.waitFor(3);
      expect(dev.received[2]!.payload).toMatchObject({ id: cleared.commandId, trigger: 'cleared' });
      await runJobsAt(t, new Date(start.getTime() + 9_000));
      expect((await executionsOf(alarm.id)).find((e) => e.id === cleared.id)!.state).toBe('pending');
      await runJobsAt(t, new Date(start.getTime() + 10_500));
      expect((await executionsOf(alarm.id)).find((e) => e.id === cleared.id)).toMatchObject({ state: 'timed_out', message: 'no confirmation within 10 s' });
      await runJobsAt(t, new Date(start.getTime() + 120_000));
      const timedOut = (await linkageEvents(alarm.id)).filter((e) => e.data.executionId === cleared.id && e.data.state === 'timed_out');
      expect(timedOut).toHaveLength(1);
      // Too late: the reply after the timeout is ignored.
      await reply(dev.client, fan.device.id, { id: cleared.commandId, ok: true, message: 'late fan' });
      expect((await executionsOf(alarm.id)).find((e) => e.id === cleared.id)).toMatchObject({ state: 'timed_out', message: 'no confirmation within 10 s' });

      // The alarm's linkage over HTTP, and the timeline shows the outcomes.
      // The team leader sees the alarm (his team); a worker of `self` scope does not.
      expect((await s.as.worker.get(`/api/v1/iot/alarms/${alarm.id}/linkage`)).statusCode).toBe(403);
      const list = await s.as.leader.get<{ items: LinkageExecutionT[] }>(`/api/v1/iot/alarms/${alarm.id}/linkage`);
      expect(list.statusCode).toBe(200);
      expect(list.body.items.map((e) => e.state).sort()).toEqual(['confirmed', 'failed', 'timed_out']);
      expect((await linkageEvents(alarm.id)).map((e) => e.data.state)).toEqual(expect.arrayContaining(['pending', 'confirmed', 'failed', 'timed_out']));

      // Manual re-send of the timed-out command: not by a worker, once by the team leader, a new command id.
      expect((await s.as.worker.post(`/api/v1/iot/linkage-executions/${cleared.id}/resend`, {})).statusCode).toBe(403);
      expect((await s.as.leader.post(`/api/v1/iot/linkage-executions/${raised.id}/resend`, {})).statusCode).toBe(409);
      const re = await s.as.leader.post<LinkageExecutionT>(`/api/v1/iot/linkage-executions/${cleared.id}/resend`, {});
      expect(re.statusCode).toBe(201);
      expect(re.body).toMatchObject({ state: 'pending', retryOf: cleared.id, command: 'ventilation.start', trigger: 'cleared' });
      expect(re.body.commandId).not.toBe(cleared.commandId);
      expect((await s.as.leader.post(`/api/v1/iot/linkage-executions/${cleared.id}/resend`, {})).statusCode).toBe(409);
      await runJobsAt(t, t.clock.now);
      await dev.waitFor(4);
      expect(dev.received[3]!.payload.id).toBe(re.body.commandId);
      await reply(dev.client, fan.device.id, { id: re.body.commandId, ok: true });
      expect((await executionsOf(alarm.id)).find((e) => e.id === re.body.id)!.state).toBe('confirmed');
    } finally {
      await dev.client.endAsync();
    }
  });

  it('does not let a device confirm another device’s command nor subscribe to its commands', async () => {
    const sensor = await addDevice(s, ['ch1']);
    const fan = await addDevice(s, []);
    const intruder = await addDevice(s, []);
    await addRule(s, { pointId: sensor.points.ch1!.id, kind: 'high', limit: 25, severity: 'critical' });
    await newRule({ name: 'Horn', orgUnitId: s.team.id, pointId: sensor.points.ch1!.id, deviceId: fan.device.id, command: 'horn.on' });
    await reading(sensor.token, 'ch1', 40, -30);
    const alarm = await openAlarmOf(sensor.points.ch1!.id);
    const [e] = await executionsOf(alarm.id);
    // Subscribing to the fan's commands is refused (the broker drops the connection).
    const spy = await mqtt.connectAsync(url, { username: intruder.device.id, password: intruder.token, reconnectPeriod: 0 });
    await expect(spy.subscribeAsync(`safeloop/v1/devices/${fan.device.id}/commands/#`, { qos: 1 })).rejects.toThrow();
    await spy.endAsync(true);
    const c = await mqtt.connectAsync(url, { username: intruder.device.id, password: intruder.token, reconnectPeriod: 0 });
    try {
      // Its own results topic, naming the fan's command id: not the fan, so nothing changes.
      await reply(c, intruder.device.id, { id: e!.commandId, ok: true });
      expect((await executionsOf(alarm.id))[0]!.state).toBe('pending');
    } finally {
      await c.endAsync();
    }
  });
});

describe('linkage rules API', () => {
  it('refuses bad input with 4xx and changes nothing; needs the version; hides other tenants’ rules', async () => {
    const fan = await addDevice(s, []);
    const base = { name: 'Fan', orgUnitId: s.team.id, pointType: 'gas_flammable', deviceId: fan.device.id, command: 'ventilation.start' };
    const before = (await s.as.safety.get<{ items: LinkageRuleT[] }>('/api/v1/iot/linkage-rules')).body.items.length;
    const bad: [Record<string, unknown>, string][] = [
      [{ ...base, command: 'Start Fan!' }, 'command'],
      [{ ...base, timeoutS: 0 }, 'timeoutS'],
      [{ ...base, deviceId: '01890000-0000-7000-8000-000000000000' }, 'deviceId'],
      [{ ...base, pointType: 'no_such_type' }, 'pointType'],
      [{ ...base, onRaised: false, onCleared: false }, 'onRaised'],
      [{ ...base, minSeverity: 'huge' }, 'minSeverity'],
    ];
    for (const [body, field] of bad) {
      const r = await s.as.safety.post<{ status: number; errors?: { field: string }[] }>('/api/v1/iot/linkage-rules', body);
      expect(r.statusCode, field).toBe(400);
      expect(JSON.stringify(r.body), field).toContain(field);
    }
    expect((await s.as.worker.post('/api/v1/iot/linkage-rules', base)).statusCode).toBe(403);
    expect((await s.as.safety.get<{ items: LinkageRuleT[] }>('/api/v1/iot/linkage-rules')).body.items.length).toBe(before);

    const created = await newRule(base);
    expect(created).toMatchObject({ timeoutS: null, minSeverity: 'warning', onRaised: true, onCleared: false, enabled: true, version: 1 });
    expect((await s.as.safety.patch(`/api/v1/iot/linkage-rules/${created.id}`, { name: 'x' })).statusCode).toBe(428);
    expect((await s.as.safety.patch(`/api/v1/iot/linkage-rules/${created.id}`, { name: 'x', version: 7 })).statusCode).toBe(409);
    expect((await s.as.safety.patch(`/api/v1/iot/linkage-rules/${created.id}`, { command: 'bad command', version: 1 })).statusCode).toBe(400);
    const upd = await s.as.safety.patch<LinkageRuleT>(`/api/v1/iot/linkage-rules/${created.id}`, { timeoutS: 30, version: 1 });
    expect(upd.statusCode).toBe(200);
    expect(upd.body).toMatchObject({ timeoutS: 30, version: 2 });
    const arch = await s.as.safety.post<LinkageRuleT>(`/api/v1/iot/linkage-rules/${created.id}/archive`, { reason: 'fan replaced', version: 2 });
    expect(arch.body).toMatchObject({ archived: true, enabled: false, version: 3 });
    expect((await s.as.safety.get<{ items: LinkageRuleT[] }>('/api/v1/iot/linkage-rules')).body.items.some((r) => r.id === created.id)).toBe(false);
    const audits = await t.db.read((tx) => tx.select().from(auditLog).where(and(eq(auditLog.entityId, created.id), like(auditLog.action, 'iot.linkage_rule.%'))));
    expect(audits.map((a) => a.action).sort()).toEqual(['iot.linkage_rule.archived', 'iot.linkage_rule.created', 'iot.linkage_rule.updated']);

    // Another company sees none of it.
    const other = await seedIot(t);
    const mine = await newRule(base);
    expect((await other.as.safety.get(`/api/v1/iot/linkage-rules/${mine.id}`)).statusCode).toBe(404);
    expect((await other.as.safety.patch(`/api/v1/iot/linkage-rules/${mine.id}`, { name: 'hijack', version: 1 })).statusCode).toBe(404);
    expect((await other.as.safety.get<{ items: LinkageRuleT[] }>('/api/v1/iot/linkage-rules')).body.items).toHaveLength(0);
    // Nor may it point a rule at this company's device.
    expect((await other.as.safety.post('/api/v1/iot/linkage-rules', { ...base, orgUnitId: other.team.id })).statusCode).toBe(400);
  });

  it('uses the tenant default timeout, changed with a version check', async () => {
    const cur = await s.as.safety.get<LinkageSettingsT>('/api/v1/iot/linkage-settings');
    expect(cur.body.defaultTimeoutS).toBe(10);
    const put = await t.app.inject({ method: 'PUT', url: '/api/v1/iot/linkage-settings', headers: { authorization: (await t.login(s.safety.username, s.safety.password)).authorization }, payload: { defaultTimeoutS: 25, version: cur.body.version } });
    expect(put.statusCode).toBe(200);
    const sensor = await addDevice(s, ['ch1']);
    const fan = await addDevice(s, []);
    await addRule(s, { pointId: sensor.points.ch1!.id, kind: 'high', limit: 25, severity: 'critical' });
    const dflt = await newRule({ name: 'Default timeout', orgUnitId: s.team.id, pointId: sensor.points.ch1!.id, deviceId: fan.device.id, command: 'horn.on' });
    await reading(sensor.token, 'ch1', 40, -20);
    // The earlier tests' workshop rule (its own 10 s) matches this point too; ours has no timeout of its own.
    const ex = await executionsOf((await openAlarmOf(sensor.points.ch1!.id)).id);
    expect(ex.find((e) => e.ruleId === dflt.id)!.timeoutS).toBe(25);
    const stale = await t.app.inject({ method: 'PUT', url: '/api/v1/iot/linkage-settings', headers: { authorization: (await t.login(s.safety.username, s.safety.password)).authorization }, payload: { defaultTimeoutS: 5, version: cur.body.version } });
    expect(stale.statusCode).toBe(409);
  });
});
