import { EventEmitter } from 'node:events';
import http from 'node:http';
import type net from 'node:net';
import type { ServerResponse } from 'node:http';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, seedSmallCompany, type TestApp } from '../../test/app.ts';
import { auditLog } from '../audit/schema.ts';
import { systemActor, systemCtx } from '../auth/actor.ts';
import { users } from '../auth/schema.ts';
import { dispatchPending } from '../events/dispatcher.ts';
import { openStream } from '../events/stream.ts';
import { runDueJobs } from '../jobs/runner.ts';
import { jobs } from '../jobs/schema.ts';
import { people } from '../org/schema.ts';
import { deliverPending, deliverySettingsFrom } from './delivery.ts';
import { notificationChannels, notificationDeliveries, notifications, notificationStormWindows } from './schema.ts';
import { notifyUsers } from './service.ts';
import { renderSummary, STORM_SUMMARY_JOB } from './storm.ts';

// A local SMS gateway: every request is one SMS.
const sms: { body: string }[] = [];
const server = http.createServer((req, res) => {
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (c: string) => (body += c));
  req.on('end', () => {
    sms.push({ body });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"code":0}');
  });
});

/** Enough of a ServerResponse for the stream registry: collects the SSE text. */
function fakeResponse() {
  const chunks: string[] = [];
  const res = Object.assign(new EventEmitter(), {
    destroyed: false,
    writableEnded: false,
    writableLength: 0,
    write: (c: string) => chunks.push(c) > 0,
    destroy() {
      this.destroyed = true;
    },
    end() {
      this.writableEnded = true;
    },
  });
  const frames = () =>
    chunks
      .join('')
      .split('\n\n')
      .filter((f) => f.includes('event:'))
      .map((f) => ({ event: /event: ?(.*)/.exec(f)?.[1] ?? '', data: JSON.parse(/data: ?(.*)/.exec(f)?.[1] ?? 'null') as Record<string, unknown> }));
  return { res: res as unknown as ServerResponse, frames };
}

let t: TestApp;
let s: Awaited<ReturnType<typeof seedSmallCompany>>;
let admin: string;
let worker: string;
let smsUrl: string;
let smsChannel: string;

beforeAll(async () => {
  smsUrl = await new Promise<string>((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as net.AddressInfo).port}/sms`)));
  t = await createTestApp();
  s = await seedSmallCompany(t);
  admin = (await t.login(s.admin.username, s.admin.password)).authorization;
  worker = (await t.login(s.worker.username, s.worker.password)).authorization;
  for (const [u, phone] of [
    [s.worker.user.id, '13900000001'],
    [s.leader.user.id, '13900000002'],
  ] as const) {
    const [row] = await t.db.read((tx) => tx.select({ personId: users.personId }).from(users).where(eq(users.id, u)));
    await t.db.tx((tx) => tx.update(people).set({ phone }).where(eq(people.id, row?.personId ?? '')));
  }
}, 180_000);
afterAll(async () => {
  await t.close();
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

const as = (authorization: string, method: 'GET' | 'PUT' | 'POST' | 'PATCH', url: string, payload?: object) =>
  t.app.inject({ method, url, headers: { authorization }, ...(payload ? { payload } : {}) });

const alarm = (userIds: string[], label: string, extra: Partial<Parameters<typeof notifyUsers>[2]> = {}) =>
  t.db.tx((tx) =>
    notifyUsers(tx, systemCtx(t.db, s.tenant.id, () => t.clock.now), {
      userIds,
      type: 'iot.alarm.raised',
      severity: 'critical',
      title: `${label} alarm`,
      source: { key: 'area:plant1', place: 'Plant 1', label },
      ...extra,
    }),
  );

async function dispatchAll() {
  for (;;) {
    const r = await dispatchPending(t.db, { now: t.clock.now, batch: 100 });
    if (r.claimed === 0) return;
  }
}

const smsDeliveries = (channelId: string, userPhone: string) =>
  t.db.read((tx) =>
    tx
      .select()
      .from(notificationDeliveries)
      .where(and(eq(notificationDeliveries.channelId, channelId), eq(notificationDeliveries.recipient, userPhone)))
      .orderBy(notificationDeliveries.createdAt, notificationDeliveries.id),
  );

describe('per-user preferences', () => {
  it('returns the tenant defaults: everything in the app and by e-mail, SMS and robots critical only, critical in-app locked', async () => {
    const res = await as(worker, 'GET', '/api/v1/me/notification-preferences');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      preferences: { in_app: ['info', 'warning', 'critical'], email: ['info', 'warning', 'critical'], sms: ['critical'], robot: ['critical'] },
      defaults: { in_app: ['info', 'warning', 'critical'], email: ['info', 'warning', 'critical'], sms: ['critical'], robot: ['critical'] },
      locked: { in_app: ['critical'], email: [], sms: [], robot: [] },
    });
  });

  it('refuses to switch off critical in-app pop-ups (400, nothing saved) and an unknown severity', async () => {
    const res = await as(worker, 'PUT', '/api/v1/me/notification-preferences', { preferences: { in_app: ['info'], sms: [] } });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json().errors[0]).toMatchObject({ field: 'preferences.in_app', rule: 'locked' });
    const bad = await as(worker, 'PUT', '/api/v1/me/notification-preferences', { preferences: { sms: ['major'] } });
    expect(bad.statusCode).toBe(400);
    const now = (await as(worker, 'GET', '/api/v1/me/notification-preferences')).json();
    expect(now.preferences.sms).toEqual(['critical']);
  });

  it('honours the choice: warnings by SMS for the worker who asked, not for the leader on defaults; audited', async () => {
    smsChannel = (await as(admin, 'POST', '/api/v1/notify/channels', { kind: 'sms', name: 'SMS', config: { url: smsUrl, token: 'k' } })).json().id;
    const res = await as(worker, 'PUT', '/api/v1/me/notification-preferences', { preferences: { sms: ['warning', 'critical'], in_app: ['critical'] } });
    expect(res.statusCode).toBe(200);
    expect(res.json().preferences).toMatchObject({ sms: ['warning', 'critical'], in_app: ['critical'], email: ['info', 'warning', 'critical'] });
    const audit = await t.db.read((tx) => tx.select().from(auditLog).where(and(eq(auditLog.action, 'notify.preferences_updated'), eq(auditLog.entityId, s.worker.user.id))));
    expect(audit).toHaveLength(1);

    await alarm([s.worker.user.id, s.leader.user.id], 'TT-1 high', { severity: 'warning', source: { key: 'area:prefs', place: 'Plant 1', label: 'TT-1 high' } });
    await dispatchAll();
    expect(await smsDeliveries(smsChannel, '13900000001')).toHaveLength(1);
    expect(await smsDeliveries(smsChannel, '13900000002')).toHaveLength(0);
    // The inbox keeps every item whatever the preferences.
    const inbox = await t.db.read((tx) => tx.select().from(notifications).where(eq(notifications.type, 'iot.alarm.raised')));
    expect(inbox).toHaveLength(2);
  });

  it('pops up only what the user wants live; critical always', async () => {
    const { res, frames } = fakeResponse();
    const close = await openStream({ actor: { ...systemActor(s.tenant.id), userId: s.worker.user.id }, res, lastEventId: null, read: (fn) => t.db.read(fn) });
    await alarm([s.worker.user.id], 'PT-1 low', { severity: 'info', source: { key: 'area:live', place: 'Plant 1', label: 'PT-1 low' } });
    await alarm([s.worker.user.id], 'PT-1 low-low', { severity: 'critical', source: { key: 'area:live', place: 'Plant 1', label: 'PT-1 low-low' } });
    await dispatchAll();
    close();
    expect(frames().map((f) => [f.event, f.data.severity])).toEqual([['notification', 'critical']]);
    // Back to everything for the storm test.
    await as(worker, 'PUT', '/api/v1/me/notification-preferences', { preferences: { in_app: ['info', 'warning', 'critical'] } });
  });
});

describe('alarm storm', () => {
  it('lets administrators set the window and the limit (tenant data, audited, version-checked)', async () => {
    const cur = (await as(admin, 'GET', '/api/v1/notify/settings')).json();
    expect(cur).toMatchObject({ stormWindowSeconds: 60, stormMaxPerWindow: 5 });
    const stale = await as(admin, 'PATCH', '/api/v1/notify/settings', { stormMaxPerWindow: 3, version: cur.version + 5 });
    expect(stale.statusCode).toBe(409);
    const bad = await as(admin, 'PATCH', '/api/v1/notify/settings', { stormMaxPerWindow: 0, version: cur.version });
    expect(bad.statusCode).toBe(400);
    const denied = await as(worker, 'PATCH', '/api/v1/notify/settings', { stormMaxPerWindow: 3, version: cur.version });
    expect(denied.statusCode).toBe(403);
    const ok = await as(admin, 'PATCH', '/api/v1/notify/settings', { stormWindowSeconds: 60, stormMaxPerWindow: 5, version: cur.version });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().version).toBe(cur.version + 1);
  });

  it('200 alarms over three minutes: 5 single messages, then exactly one summary per window per recipient and channel; inbox keeps all', async () => {
    // Only the SMS channel and the live stream take part here.
    await t.db.tx((tx) => tx.update(notificationChannels).set({ enabled: true }).where(eq(notificationChannels.id, smsChannel)));
    const { res, frames } = fakeResponse();
    const close = await openStream({ actor: { ...systemActor(s.tenant.id), userId: s.leader.user.id }, res, lastEventId: null, read: (fn) => t.db.read(fn) });
    // Start on a minute boundary: windows are aligned on the clock.
    t.clock.advance(60_000 - (t.clock.now.getTime() % 60_000) + 60_000);
    const start = t.clock.now.getTime();
    const labels = ['LEL-01 high', 'LEL-01 high', 'H2S-02 high'];
    // 120 in the first minute, 50 in the second, 30 in the third (every 0.4 s, 1 s, 2 s).
    const plan = [
      { n: 120, step: 400 },
      { n: 50, step: 1000 },
      { n: 30, step: 2000 },
    ];
    let sent = 0;
    for (const [w, p] of plan.entries()) {
      t.clock.now = new Date(start + w * 60_000);
      for (let i = 0; i < p.n; i++) {
        await alarm([s.leader.user.id], labels[sent % 3] as string);
        sent++;
        t.clock.advance(p.step);
      }
      await dispatchAll();
    }
    expect(sent).toBe(200);
    const inbox = await t.db.read((tx) => tx.select().from(notifications).where(and(eq(notifications.userId, s.leader.user.id), eq(notifications.sourceKey, 'area:plant1'))));
    expect(inbox).toHaveLength(200);

    // Nothing summarised before the windows end; then the durable jobs run (a restarted instance runs them too).
    expect((await smsDeliveries(smsChannel, '13900000002')).filter((d) => d.eventType === 'notification.summary')).toHaveLength(0);
    t.clock.now = new Date(start + 3 * 60_000 + 1000);
    for (const instanceId of ['a', 'b']) await runDueJobs(t.db, { instanceId, now: () => t.clock.now, batch: 50 });
    close();

    const rows = await smsDeliveries(smsChannel, '13900000002');
    const single = rows.filter((d) => d.eventType === 'iot.alarm.raised');
    const summaries = rows.filter((d) => d.eventType === 'notification.summary');
    expect(single).toHaveLength(5);
    expect(summaries).toHaveLength(3);
    // zh-CN user. Of the first 120 (L, L, H, …) the first five (4 × LEL, 1 × H2S) went out one by one.
    // The three jobs run concurrently: compare in window order (largest first here), not insertion order.
    const texts = summaries.map((d) => String(d.payload.text)).sort((x, y) => Number(/又有 (\d+)/.exec(y)?.[1]) - Number(/又有 (\d+)/.exec(x)?.[1]));
    expect(texts).toEqual([
      expect.stringContaining('又有 115 条报警'),
      expect.stringContaining('又有 50 条报警'),
      expect.stringContaining('又有 30 条报警'),
    ]);
    expect(texts[0]).toContain('LEL-01 high × 76、H2S-02 high × 39');

    const live = frames();
    expect(live.filter((f) => f.event === 'notification')).toHaveLength(5);
    const liveSummaries = live.filter((f) => f.event === 'notification.summary');
    expect(liveSummaries.map((f) => Number(f.data.count)).sort((x, y) => y - x)).toEqual([115, 50, 30]);
    expect(liveSummaries.find((f) => f.data.count === 115)?.data.body).toBe('过去 1 分钟 Plant 1 又有 115 条报警：LEL-01 high × 76、H2S-02 high × 39');

    // Exactly one summary per window even when the job runs again (at-least-once job delivery).
    const windows = await t.db.read((tx) => tx.select().from(notificationStormWindows).where(eq(notificationStormWindows.recipientKey, s.leader.user.id)));
    const stormy = windows.filter((w) => w.groupKey === 'iot.alarm.raised|area:plant1');
    expect(stormy).toHaveLength(6); // 3 windows × (SMS channel, live stream)
    expect(stormy.every((w) => w.summarySentAt !== null)).toBe(true);
    await t.db.tx((tx) =>
      tx.update(jobs).set({ status: 'pending', runAt: new Date(t.clock.now.getTime() - 1000), attempts: 0, lockedBy: null, lockedUntil: null }).where(eq(jobs.kind, STORM_SUMMARY_JOB)),
    );
    await runDueJobs(t.db, { instanceId: 'c', now: () => t.clock.now, batch: 50 });
    expect((await smsDeliveries(smsChannel, '13900000002')).filter((d) => d.eventType === 'notification.summary')).toHaveLength(3);

    // The summaries go out like any delivery.
    sms.length = 0;
    await deliverPending(t.db, t.clock.now, { ...deliverySettingsFrom(t.config), batch: 50 });
    expect(sms.filter((m) => m.body.includes('条报警'))).toHaveLength(3);
  }, 240_000);

  it('after a calm window, alarms go out one by one again and no summary is written', async () => {
    const base = Math.floor(t.clock.now.getTime() / 60_000) * 60_000 + 2 * 60_000;
    t.clock.now = new Date(base + 5000);
    for (let i = 0; i < 3; i++) await alarm([s.leader.user.id], 'LEL-01 high');
    await dispatchAll();
    t.clock.now = new Date(base + 61_000);
    await runDueJobs(t.db, { instanceId: 'd', now: () => t.clock.now, batch: 50 });
    const rows = await smsDeliveries(smsChannel, '13900000002');
    expect(rows.filter((d) => d.eventType === 'iot.alarm.raised')).toHaveLength(8);
    expect(rows.filter((d) => d.eventType === 'notification.summary')).toHaveLength(3);
  });

  it('renders an English summary', () => {
    const text = renderSummary(
      { type: 'iot.alarm.raised', place: 'Plant 1', suppressed: 37, breakdown: { 'LEL high': 20, 'H2S high': 17 }, windowStart: new Date(0), windowEnd: new Date(60_000) },
      'en',
    );
    expect(text.body).toBe('37 more alarms in Plant 1 in the last minute: 20 × LEL high, 17 × H2S high');
  });
});
