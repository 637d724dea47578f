import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestApp, seedSmallCompany, type TestApp } from '../../test/app.ts';
import { auditLog } from '../audit/schema.ts';
import { systemCtx } from '../auth/actor.ts';
import { users } from '../auth/schema.ts';
import { dispatchPending, startDispatcher } from '../events/dispatcher.ts';
import { publishEvent } from '../events/outbox.ts';
import { outboxEvents } from '../events/schema.ts';
import { people } from '../org/schema.ts';
import { deliverPending, deliverySettingsFrom, renderEmail, startNotify, type DeliverySettings } from './delivery.ts';
import { signWebhook } from './channels.ts';
import { notificationDeliveries } from './schema.ts';
import { notifyUsers } from './service.ts';

// ---------------------------------------------------------------------------------------------------
// Outside systems: a webhook receiver and an SMTP server, both local and in-process.

interface Received {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function fakeWebhookReceiver() {
  const received: Received[] = [];
  const statuses: number[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      const status = statuses.shift() ?? 200;
      res.writeHead(status, { 'content-type': 'text/plain' });
      res.end(status >= 300 ? 'receiver is having a bad day' : 'ok');
    });
  });
  return {
    received,
    /** Statuses for the next requests, in order; 200 after that. */
    respondWith: (...s: number[]) => statuses.push(...s),
    start: () => new Promise<string>((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as net.AddressInfo).port}/hooks/safeloop`))),
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

interface Mail {
  from: string;
  to: string[];
  data: string;
}

/** Just enough SMTP (RFC 5321) for nodemailer: EHLO, MAIL, RCPT, DATA, QUIT. Rejects listed recipients. */
function fakeSmtpServer(reject: string[] = []) {
  const mails: Mail[] = [];
  const server = net.createServer((socket) => {
    socket.setEncoding('utf8');
    let buffer = '';
    let inData = false;
    let current: Mail = { from: '', to: [], data: '' };
    const reply = (line: string) => socket.write(`${line}\r\n`);
    reply('220 fake.smtp ESMTP ready');
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      for (;;) {
        if (inData) {
          const end = buffer.indexOf('\r\n.\r\n');
          if (end < 0) return;
          current.data = buffer.slice(0, end).replace(/^\.\./gm, '.');
          buffer = buffer.slice(end + 5);
          inData = false;
          mails.push(current);
          current = { from: '', to: [], data: '' };
          reply('250 2.0.0 OK queued');
          continue;
        }
        const nl = buffer.indexOf('\r\n');
        if (nl < 0) return;
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 2);
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'EHLO' || verb === 'HELO') reply('250-fake.smtp\r\n250 8BITMIME');
        else if (verb === 'MAIL') {
          current.from = /<([^>]*)>/.exec(line)?.[1] ?? '';
          reply('250 2.1.0 OK');
        } else if (verb === 'RCPT') {
          const to = /<([^>]*)>/.exec(line)?.[1] ?? '';
          if (reject.includes(to)) reply('550 5.1.1 mailbox unavailable');
          else {
            current.to.push(to);
            reply('250 2.1.5 OK');
          }
        } else if (verb === 'DATA') {
          inData = true;
          reply('354 end with <CRLF>.<CRLF>');
        } else if (verb === 'RSET') {
          current = { from: '', to: [], data: '' };
          reply('250 OK');
        } else if (verb === 'QUIT') {
          reply('221 bye');
          socket.end();
        } else reply('250 OK');
      }
    });
    socket.on('error', () => undefined);
  });
  return {
    mails,
    start: () => new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port))),
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

// ---------------------------------------------------------------------------------------------------

const hook = fakeWebhookReceiver();
const smtp = fakeSmtpServer(['bounce@example.com']);
let t: TestApp;
let s: Awaited<ReturnType<typeof seedSmallCompany>>;
let admin: string;
let settings: DeliverySettings;
let hookUrl: string;

beforeAll(async () => {
  hookUrl = await hook.start();
  const smtpPort = await smtp.start();
  t = await createTestApp({ SMTP_URL: `smtp://127.0.0.1:${smtpPort}`, SMTP_FROM: 'SafeLoop <noreply@safeloop.test>', PUBLIC_URL: 'https://safety.example.com' });
  s = await seedSmallCompany(t);
  admin = (await t.login(s.admin.username, s.admin.password)).authorization;
  settings = { ...deliverySettingsFrom(t.config), webhookTimeoutMs: 3000 };
});
afterAll(async () => {
  await t.close();
  await hook.stop();
  await smtp.stop();
});

const api = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object, headers: Record<string, string> = {}) =>
  t.app.inject({ method, url, headers: { authorization: admin, ...headers }, ...(payload ? { payload } : {}) });

const notify = (userId: string, type: string, extra: Partial<Parameters<typeof notifyUsers>[2]> = {}) =>
  t.db.tx((tx) => notifyUsers(tx, systemCtx(t.db, s.tenant.id, () => t.clock.now), { userIds: [userId], type, title: 'Hazard YH-2026-000042 assigned to you', ...extra }));

async function dispatchAll() {
  for (;;) {
    const r = await dispatchPending(t.db, { now: t.clock.now });
    if (r.claimed === 0) return;
  }
}

const deliveriesOf = (channelId: string) =>
  t.db.read((tx) => tx.select().from(notificationDeliveries).where(eq(notificationDeliveries.channelId, channelId)).orderBy(notificationDeliveries.createdAt, notificationDeliveries.id));

function verifySignature(header: string, secret: string, body: string): { t: number; ok: boolean } {
  const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
  if (!m) return { t: 0, ok: false };
  const expected = createHmac('sha256', secret).update(`${m[1]}.${body}`).digest();
  return { t: Number(m[1]), ok: timingSafeEqual(expected, Buffer.from(m[2] as string, 'hex')) };
}

describe('channels admin', () => {
  it('returns 403 to a user without notify:manage', async () => {
    const { authorization } = await t.login(s.worker.username, s.worker.password);
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/notify/channels', headers: { authorization } });
    expect(res.statusCode).toBe(403);
    const create = await t.app.inject({ method: 'POST', url: '/api/v1/notify/channels', headers: { authorization }, payload: { kind: 'email', name: 'x', config: {} } });
    expect(create.statusCode).toBe(403);
  });

  it('rejects a webhook without url and an e-mail channel with a url, naming the field', async () => {
    const a = await api('POST', '/api/v1/notify/channels', { kind: 'webhook', name: 'no url', config: {} });
    expect(a.statusCode).toBe(400);
    expect(a.json().errors[0].field).toBe('config.url');
    const b = await api('POST', '/api/v1/notify/channels', { kind: 'email', name: 'mail', config: { url: 'https://x.example' } });
    expect(b.statusCode).toBe(400);
    expect(b.json().errors[0].field).toBe('config.url');
    const c = await api('POST', '/api/v1/notify/channels', { kind: 'webhook', name: 'ftp', config: { url: 'ftp://x.example/' } });
    expect(c.statusCode).toBe(400);
    const d = await api('POST', '/api/v1/notify/channels', { kind: 'webhook', name: 'bad types', config: { url: hookUrl }, eventTypes: ['Hazard Assigned'] });
    expect(d.json().errors[0].field).toBe('eventTypes.0');
  });
});

describe('webhook channel', () => {
  let channelId: string;
  let secret: string;

  it('creates a webhook channel, shows the secret once, then only masked (also in the audit log)', async () => {
    const res = await api('POST', '/api/v1/notify/channels', { kind: 'webhook', name: 'SOC bridge', config: { url: hookUrl }, eventTypes: ['hazard.*'] });
    expect(res.statusCode).toBe(201);
    const created = res.json();
    channelId = created.id;
    secret = created.config.secret;
    expect(secret).toMatch(/^whsec_[\w-]{32}$/);
    expect(created).toMatchObject({ kind: 'webhook', name: 'SOC bridge', enabled: true, eventTypes: ['hazard.*'], version: 1, config: { url: hookUrl } });

    const list = (await api('GET', '/api/v1/notify/channels')).json();
    const shown = list.items.find((c: { id: string }) => c.id === channelId);
    expect(shown.config.secret).toBe(`${secret.slice(0, 10)}…`);
    expect(JSON.stringify(list)).not.toContain(secret);
    const audit = await t.db.read((tx) => tx.select().from(auditLog).where(and(eq(auditLog.entityType, 'notification_channel'), eq(auditLog.entityId, channelId))));
    expect(audit.map((a) => a.action)).toEqual(['notify.channel_created']);
    expect(JSON.stringify(audit)).not.toContain(secret);
  });

  it('posts the exact thin payload with a valid HMAC signature, retries after a 500 and logs both attempts', async () => {
    const { ids } = await notify(s.worker.user.id, 'hazard.assigned', { severity: 'warning', link: '/hazards/42', data: { hazardId: 'h-42' } });
    await notify(s.worker.user.id, 'permit.expiring'); // not in the channel's eventTypes
    await dispatchAll();
    const rows = await deliveriesOf(channelId);
    expect(rows).toHaveLength(1);
    const delivery = rows[0];
    if (!delivery) throw new Error('no delivery');
    expect(delivery).toMatchObject({ status: 'pending', attempts: 0, notificationId: ids[0], eventType: 'hazard.assigned', recipient: hookUrl });
    const [event] = await t.db.read((tx) => tx.select().from(outboxEvents).where(eq(outboxEvents.entityId, ids[0] as string)));

    hook.respondWith(500);
    const first = await deliverPending(t.db, t.clock.now, settings);
    expect(first).toEqual({ claimed: 1, sent: 0, retrying: 1, failed: 0 });
    let [row] = await deliveriesOf(channelId);
    expect(row).toMatchObject({ status: 'pending', attempts: 1, responseCode: 500 });
    expect(row?.error).toContain('HTTP 500');
    expect(row?.nextAttemptAt.getTime()).toBe(t.clock.now.getTime() + 30_000);

    // Not due yet.
    expect((await deliverPending(t.db, t.clock.now, settings)).claimed).toBe(0);
    t.clock.advance(30_000);
    expect(await deliverPending(t.db, t.clock.now, settings)).toEqual({ claimed: 1, sent: 1, retrying: 0, failed: 0 });
    [row] = await deliveriesOf(channelId);
    expect(row).toMatchObject({ status: 'sent', attempts: 2, responseCode: 200, error: null, sentAt: t.clock.now });

    expect(hook.received).toHaveLength(2);
    const expectedBody = {
      id: event?.id,
      type: 'hazard.assigned',
      occurredAt: event?.createdAt.toISOString(),
      tenantId: s.tenant.id,
      data: { notificationId: ids[0], userId: s.worker.user.id, severity: 'warning', title: 'Hazard YH-2026-000042 assigned to you', link: '/hazards/42', refs: { hazardId: 'h-42' } },
    };
    for (const [i, r] of hook.received.entries()) {
      expect(r.method).toBe('POST');
      expect(r.url).toBe('/hooks/safeloop');
      expect(r.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(r.headers['x-safeloop-event']).toBe('hazard.assigned');
      // Same delivery id on the retry: the receiver can drop duplicates.
      expect(r.headers['x-safeloop-delivery']).toBe(delivery.id);
      expect(JSON.parse(r.body)).toEqual(expectedBody);
      expect(Object.keys(JSON.parse(r.body))).toEqual(['id', 'type', 'occurredAt', 'tenantId', 'data']);
      // Byte-identical on the retry.
      expect(r.body).toBe(hook.received[0]?.body);
      const sig = verifySignature(String(r.headers['x-safeloop-signature']), secret, r.body);
      expect(sig.ok).toBe(true);
      expect(sig.t).toBe(Math.floor((t.clock.now.getTime() - (i === 0 ? 30_000 : 0)) / 1000));
      expect(verifySignature(String(r.headers['x-safeloop-signature']), `${secret}x`, r.body).ok).toBe(false);
    }

    const log = await api('GET', `/api/v1/notify/deliveries?channelId=${channelId}`);
    expect(log.statusCode).toBe(200);
    expect(log.json().items).toEqual([
      {
        id: delivery.id,
        channelId,
        notificationId: ids[0],
        eventType: 'hazard.assigned',
        status: 'sent',
        attempts: 2,
        responseCode: 200,
        error: null,
        recipient: hookUrl,
        createdAt: expect.any(String),
        sentAt: t.clock.now.toISOString(),
        nextAttemptAt: null,
      },
    ]);
  });

  it('gives up after the last attempt and marks the delivery failed', async () => {
    await notify(s.worker.user.id, 'hazard.overdue');
    await dispatchAll();
    hook.respondWith(...Array.from({ length: 10 }, () => 503));
    for (let i = 0; i < 10; i++) {
      await deliverPending(t.db, t.clock.now, settings);
      t.clock.advance(3_600_000);
    }
    const row = (await deliveriesOf(channelId)).find((d) => d.eventType === 'hazard.overdue');
    expect(row).toMatchObject({ status: 'failed', attempts: 10, responseCode: 503 });
    const failedOnly = (await api('GET', '/api/v1/notify/deliveries?status=failed')).json().items;
    expect(failedOnly.map((d: { id: string }) => d.id)).toContain(row?.id);
  });

  it('sends a signed test message on POST /:id/test and logs it', async () => {
    const before = hook.received.length;
    // No body at all: the defaults.
    const res = await api('POST', `/api/v1/notify/channels/${channelId}/test`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ ok: true, responseCode: 200, error: null });
    const r = hook.received[before];
    expect(r?.headers['x-safeloop-event']).toBe('notify.test');
    expect(r?.headers['x-safeloop-delivery']).toBe(res.json().deliveryId);
    expect(verifySignature(String(r?.headers['x-safeloop-signature']), secret, r?.body ?? '').ok).toBe(true);
    expect(JSON.parse(r?.body ?? '{}')).toMatchObject({ type: 'notify.test', tenantId: s.tenant.id });
    const logged = (await deliveriesOf(channelId)).find((d) => d.id === res.json().deliveryId);
    expect(logged).toMatchObject({ status: 'sent', eventType: 'notify.test', attempts: 1 });
  });

  it('updates with the expected version, keeps the secret when none is given, and refuses a stale version', async () => {
    const res = await api('PATCH', `/api/v1/notify/channels/${channelId}`, { name: 'SOC bridge v2', config: { url: hookUrl, minSeverity: 'warning' }, version: 1 });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ name: 'SOC bridge v2', version: 2, config: { minSeverity: 'warning', secret: `${secret.slice(0, 10)}…` } });
    const stale = await api('PATCH', `/api/v1/notify/channels/${channelId}`, { name: 'lost update' }, { 'if-match': '"1"' });
    expect(stale.statusCode).toBe(409);
    expect(stale.json().code).toBe('version_conflict');
    const noVersion = await api('PATCH', `/api/v1/notify/channels/${channelId}`, { name: 'no version' });
    expect(noVersion.statusCode).toBe(428);

    // minSeverity: warning filters out an info notification; the secret still signs.
    await notify(s.worker.user.id, 'hazard.assigned', { severity: 'info', title: 'too minor' });
    await notify(s.worker.user.id, 'hazard.assigned', { severity: 'critical', title: 'major hazard' });
    await dispatchAll();
    const before = hook.received.length;
    await deliverPending(t.db, t.clock.now, settings);
    const sent = hook.received.slice(before);
    expect(sent.map((r) => JSON.parse(r.body).data.title)).toEqual(['major hazard']);
    expect(verifySignature(String(sent[0]?.headers['x-safeloop-signature']), secret, sent[0]?.body ?? '').ok).toBe(true);
  });

  it('deletes the channel (audited); its pending deliveries fail as "channel deleted" and the log stays', async () => {
    await notify(s.worker.user.id, 'hazard.assigned', { severity: 'critical', title: 'after delete' });
    await dispatchAll();
    const res = await api('DELETE', `/api/v1/notify/channels/${channelId}`);
    expect(res.statusCode).toBe(204);
    expect((await api('GET', '/api/v1/notify/channels')).json().items.map((c: { id: string }) => c.id)).not.toContain(channelId);
    await deliverPending(t.db, t.clock.now, settings);
    const rows = await deliveriesOf(channelId);
    expect(rows.find((d) => d.status === 'failed' && d.error === 'channel deleted')).toBeDefined();
    expect((await api('DELETE', `/api/v1/notify/channels/${channelId}`)).statusCode).toBe(404);
    const audit = await t.db.read((tx) => tx.select().from(auditLog).where(and(eq(auditLog.entityType, 'notification_channel'), eq(auditLog.entityId, channelId))));
    expect(audit.map((a) => a.action)).toEqual(['notify.channel_created', 'notify.channel_updated', 'notify.channel_deleted']);
  });

  it('delivers end to end with the background loops running (dispatcher → deliveries → webhook)', async () => {
    const created = (await api('POST', '/api/v1/notify/channels', { kind: 'webhook', name: 'live', config: { url: hookUrl }, eventTypes: ['incident.*'] })).json();
    const stopDispatcher = startDispatcher(t.db, { now: () => t.clock.now, intervalMs: 20 });
    const notifier = startNotify({ db: t.db, config: t.config, now: () => t.clock.now, intervalMs: 20 });
    try {
      const before = hook.received.length;
      const { ids } = await notify(s.worker.user.id, 'incident.reported', { title: 'Incident reported' });
      await vi.waitFor(() => expect(hook.received.slice(before).map((r) => JSON.parse(r.body).data.notificationId)).toEqual(ids), { timeout: 5000, interval: 20 });
      await vi.waitFor(async () => expect((await deliveriesOf(created.id)).map((d) => d.status)).toEqual(['sent']), { timeout: 5000, interval: 20 });
    } finally {
      await stopDispatcher();
      await notifier.stop();
      await api('DELETE', `/api/v1/notify/channels/${created.id}`);
    }
  });

  it('signs as documented: hex HMAC-SHA256 of "t.body"', () => {
    expect(signWebhook('whsec_test', '{"a":1}', 1700000000)).toBe(`t=1700000000,v1=${createHmac('sha256', 'whsec_test').update('1700000000.{"a":1}').digest('hex')}`);
  });
});

describe('e-mail channel', () => {
  let channelId: string;

  beforeAll(async () => {
    const res = await api('POST', '/api/v1/notify/channels', { kind: 'email', name: 'Mail', config: {}, eventTypes: ['permit.*'] });
    expect(res.statusCode).toBe(201);
    channelId = res.json().id;
    expect(res.json().config).toEqual({});
  });

  it('sends to the e-mail address of the person behind the user, with subject and body', async () => {
    await t.db.tx(async (tx) => {
      await tx.update(people).set({ email: 'wang.wei@example.com' }).where(eq(people.id, s.leader.person.id));
      await tx.update(users).set({ locale: 'en' }).where(eq(users.id, s.leader.user.id));
    });
    await notify(s.leader.user.id, 'permit.expiring', { severity: 'critical', title: 'Hot-work permit DH-0042 expires in 30 min', body: 'Extend or close it.', link: '/permits/42' });
    await dispatchAll();
    const before = smtp.mails.length;
    expect(await deliverPending(t.db, t.clock.now, settings)).toMatchObject({ sent: 1 });
    const mail = smtp.mails[before];
    expect(mail?.from).toBe('noreply@safeloop.test');
    expect(mail?.to).toEqual(['wang.wei@example.com']);
    const data = mail?.data ?? '';
    expect(data).toMatch(/^To: wang\.wei@example\.com$/m);
    expect(data).toMatch(/^Subject: \[SafeLoop Critical\] Hot-work permit DH-0042 expires in 30 min$/m);
    const body = data.slice(data.indexOf('\r\n\r\n') + 4);
    expect(body.replace(/\r\n/g, '\n').trim()).toBe('Hot-work permit DH-0042 expires in 30 min\n\nExtend or close it.\n\nhttps://safety.example.com/permits/42');
    const [row] = await deliveriesOf(channelId);
    expect(row).toMatchObject({ status: 'sent', attempts: 1, responseCode: 250, recipient: 'wang.wei@example.com' });
  });

  it('logs a failed delivery when the person has no e-mail address', async () => {
    await notify(s.worker.user.id, 'permit.expiring', { title: 'no address' });
    await dispatchAll();
    const row = (await deliveriesOf(channelId)).find((d) => d.notificationId && d.recipient === null);
    expect(row).toMatchObject({ status: 'failed', error: 'recipient has no e-mail address (people.email)' });
  });

  it('retries when the mail server refuses the recipient, with the SMTP code in the log', async () => {
    await t.db.tx((tx) => tx.update(people).set({ email: 'bounce@example.com' }).where(eq(people.id, s.head.person.id)));
    await notify(s.head.user.id, 'permit.expiring', { title: 'bounces' });
    await dispatchAll();
    await deliverPending(t.db, t.clock.now, settings);
    const row = (await deliveriesOf(channelId)).find((d) => d.recipient === 'bounce@example.com');
    expect(row).toMatchObject({ status: 'pending', attempts: 1, responseCode: 550 });
    expect(row?.error).toMatch(/550/);
  });

  it('sends a test e-mail to the given address', async () => {
    const before = smtp.mails.length;
    const res = await api('POST', `/api/v1/notify/channels/${channelId}/test`, { to: 'ops@example.com' });
    expect(res.json()).toMatchObject({ ok: true, responseCode: 250 });
    expect(smtp.mails[before]?.to).toEqual(['ops@example.com']);
    const noAddress = await api('POST', `/api/v1/notify/channels/${channelId}/test`, {});
    expect(noAddress.statusCode).toBe(400);
    expect(noAddress.json().errors[0].field).toBe('to');
  });

  it('renders a Chinese subject with the severity label for zh-CN users', () => {
    const m = renderEmail({ severity: 'critical', title: '动火作业票即将到期', body: null, link: null }, 'a@example.com', 'zh-CN');
    expect(m).toEqual({ to: 'a@example.com', subject: '【SafeLoop 紧急】动火作业票即将到期', text: '动火作业票即将到期', link: null });
  });
});

describe('webhook channel of domain events', () => {
  const publish = (type: string, entityType: string, entityId: string, payload: Record<string, unknown>) =>
    t.db.tx((tx) => publishEvent(tx, systemCtx(t.db, s.tenant.id, () => t.clock.now), { type, entityType, entityId, payload }));
  let eventsChannel: string;
  let eventsSecret: string;

  it('refuses a source of events on an e-mail channel and a minimum severity on a channel of events', async () => {
    const a = await api('POST', '/api/v1/notify/channels', { kind: 'email', name: 'mail', config: { source: 'events' } });
    expect(a.statusCode).toBe(400);
    expect(a.json().errors[0].field).toBe('config.source');
    const b = await api('POST', '/api/v1/notify/channels', { kind: 'webhook', name: 'door', config: { url: hookUrl, source: 'events', minSeverity: 'critical' } });
    expect(b.statusCode).toBe(400);
    expect(b.json().errors[0].field).toBe('config.minSeverity');
  });

  it('posts a thin signed payload (type, entity, time) once per matching event, never the event payload or notifications', async () => {
    const res = await api('POST', '/api/v1/notify/channels', { kind: 'webhook', name: 'Door access', config: { url: hookUrl, source: 'events' }, eventTypes: ['qualification.*'] });
    expect(res.statusCode).toBe(201);
    expect(res.json().config).toMatchObject({ url: hookUrl, source: 'events' });
    eventsChannel = res.json().id;
    eventsSecret = res.json().config.secret;

    const personId = '0190a0a0-0000-7000-8000-000000000042';
    const eventId = await publish('qualification.changed', 'person', personId, { name: '张三', allowed: false, reasons: ['certificate_expired'] });
    await publish('hazard.closed', 'hazard', '0190a0a0-0000-7000-8000-000000000043', {}); // not in the channel's types
    await notify(s.worker.user.id, 'qualification.changed'); // a notification: channels of notifications only
    await dispatchAll();
    // A redelivered event writes nothing twice.
    await t.db.tx((tx) => tx.update(outboxEvents).set({ dispatchedAt: null, nextAttemptAt: t.clock.now }).where(eq(outboxEvents.id, eventId)));
    await dispatchAll();

    const rows = await deliveriesOf(eventsChannel);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'pending', eventType: 'qualification.changed', notificationId: null, recipient: hookUrl });

    const before = hook.received.length;
    expect(await deliverPending(t.db, t.clock.now, settings)).toMatchObject({ sent: 1 });
    const sent = hook.received.slice(before);
    expect(sent).toHaveLength(1);
    const [event] = await t.db.read((tx) => tx.select().from(outboxEvents).where(eq(outboxEvents.id, eventId)));
    const body = JSON.parse(sent[0]?.body ?? '{}');
    expect(body).toEqual({ id: eventId, type: 'qualification.changed', occurredAt: event?.createdAt.toISOString(), tenantId: s.tenant.id, data: { entityType: 'person', entityId: personId } });
    expect(sent[0]?.body).not.toContain('张三');
    expect(sent[0]?.headers['x-safeloop-event']).toBe('qualification.changed');
    expect(verifySignature(String(sent[0]?.headers['x-safeloop-signature']), eventsSecret, sent[0]?.body ?? '').ok).toBe(true);
  });
});
