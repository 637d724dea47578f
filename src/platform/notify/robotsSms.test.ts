import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type net from 'node:net';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, seedSmallCompany, type TestApp } from '../../test/app.ts';
import { systemCtx } from '../auth/actor.ts';
import { users } from '../auth/schema.ts';
import { dispatchPending } from '../events/dispatcher.ts';
import { people } from '../org/schema.ts';
import { signDingTalk, smsText } from './channels.ts';
import { deliverPending, deliverySettingsFrom, type DeliverySettings } from './delivery.ts';
import { notificationChannels, notificationDeliveries } from './schema.ts';
import { notifyUsers } from './service.ts';

// ---------------------------------------------------------------------------------------------------
// A stand-in for DingTalk, WeCom and an SMS gateway: records each request, answers what the test queues.

interface Received {
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}
interface Answer {
  status?: number;
  body?: string;
  delayMs?: number;
}

function fakeServer() {
  const received: Received[] = [];
  const answers: Answer[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      received.push({ url: req.url ?? '', headers: req.headers, body });
      const a = answers.shift() ?? {};
      setTimeout(() => {
        if (res.destroyed) return;
        res.writeHead(a.status ?? 200, { 'content-type': 'application/json' });
        res.end(a.body ?? '{"errcode":0,"errmsg":"ok"}');
      }, a.delayMs ?? 0);
    });
  });
  return {
    received,
    answer: (...a: Answer[]) => answers.push(...a),
    start: () => new Promise<string>((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as net.AddressInfo).port}`))),
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const fake = fakeServer();
let base: string;
let t: TestApp;
let s: Awaited<ReturnType<typeof seedSmallCompany>>;
let admin: string;
let settings: DeliverySettings;

beforeAll(async () => {
  base = await fake.start();
  t = await createTestApp({ PUBLIC_URL: 'https://safety.example.com' });
  s = await seedSmallCompany(t);
  admin = (await t.login(s.admin.username, s.admin.password)).authorization;
  // Short timeout so the "gateway hangs" case is quick.
  settings = { ...deliverySettingsFrom(t.config), webhookTimeoutMs: 400 };
  // Mobile numbers live on the person record.
  for (const [u, phone] of [
    [s.worker.user.id, '13800000001'],
    [s.leader.user.id, '13800000002'],
    [s.admin.user.id, '13800000009'],
  ] as const) {
    const [row] = await t.db.read((tx) => tx.select({ personId: users.personId }).from(users).where(eq(users.id, u)));
    await t.db.tx((tx) => tx.update(people).set({ phone }).where(eq(people.id, row?.personId ?? '')));
  }
}, 180_000);
afterAll(async () => {
  await t.close();
  await fake.stop();
});

const api = (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object) =>
  t.app.inject({ method, url, headers: { authorization: admin }, ...(payload ? { payload } : {}) });

const notify = (userIds: string[], extra: Partial<Parameters<typeof notifyUsers>[2]> = {}) =>
  t.db.tx((tx) =>
    notifyUsers(tx, systemCtx(t.db, s.tenant.id, () => t.clock.now), {
      userIds,
      type: 'iot.alarm.raised',
      severity: 'critical',
      title: 'LEL-01 可燃气体高报',
      body: '当前值 38 %LEL，限值 25 %LEL。',
      link: '/iot/monitor',
      source: { key: 'area:plant1', place: 'Plant 1', label: 'LEL-01 high' },
      ...extra,
    }),
  );

async function dispatchAll() {
  for (;;) {
    const r = await dispatchPending(t.db, { now: t.clock.now });
    if (r.claimed === 0) return;
  }
}

const deliveriesOf = (channelId: string) =>
  t.db.read((tx) => tx.select().from(notificationDeliveries).where(eq(notificationDeliveries.channelId, channelId)).orderBy(notificationDeliveries.createdAt, notificationDeliveries.id));

/** One channel kind at a time: the fake server's answer queue and the send counts are per test. */
const disableAllChannels = () => t.db.tx((tx) => tx.update(notificationChannels).set({ enabled: false }));

/** Each channel test gets its own alarm source, so the storm rule (5 per minute) never interferes. */
let sourceNo = 0;
const freshSource = () => ({ key: `area:test${++sourceNo}`, place: 'Plant 1', label: 'LEL-01 high' });

describe('channel configuration', () => {
  it('refuses robots without a token, a WeCom secret, an SMS channel without url and SMS keys on robots, naming the field', async () => {
    const cases: [object, string][] = [
      [{ kind: 'dingtalk', name: 'd', config: {} }, 'config.token'],
      [{ kind: 'wecom', name: 'w', config: { token: 'k', secret: 'a-secret-of-16-chars' } }, 'config.secret'],
      [{ kind: 'sms', name: 's', config: { token: 'k' } }, 'config.url'],
      [{ kind: 'dingtalk', name: 'd', config: { token: 'k', templateId: 'T1' } }, 'config.templateId'],
      [{ kind: 'webhook', name: 'h', config: { url: base, token: 'x' } }, 'config.token'],
    ];
    for (const [body, field] of cases) {
      const res = await api('POST', '/api/v1/notify/channels', body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json().errors[0].field).toBe(field);
    }
    const list = (await api('GET', '/api/v1/notify/channels')).json();
    expect(list.items).toHaveLength(0);
  });
});

describe('DingTalk group robot', () => {
  let channelId: string;
  const token = 'dt-access-token-123';
  const secret = 'SEC0123456789abcdef0123456789abcdef';

  it('saves the channel and never returns the token or the 加签 secret, not even on create', async () => {
    const res = await api('POST', '/api/v1/notify/channels', { kind: 'dingtalk', name: '安全群', config: { url: `${base}/robot/send`, token, secret } });
    expect(res.statusCode).toBe(201);
    const created = res.json();
    channelId = created.id;
    expect(created.kind).toBe('dingtalk');
    expect(created.config.token).not.toContain(token);
    expect(created.config.secret).not.toBe(secret);
    expect(created.config.secret.endsWith('…')).toBe(true);
    const listed = (await api('GET', '/api/v1/notify/channels')).json().items.find((c: { id: string }) => c.id === channelId);
    expect(JSON.stringify(listed)).not.toContain(token);
    expect(JSON.stringify(listed)).not.toContain(secret);
    // An update without token/secret keeps both (the client only has the masked ones).
    const upd = await api('PATCH', `/api/v1/notify/channels/${channelId}`, { name: '安全群 A', config: { url: `${base}/robot/send` }, version: 1 });
    expect(upd.statusCode).toBe(200);
  });

  it('posts ONE markdown message per call, signed as DingTalk documents, @-mentioning every recipient', async () => {
    const before = fake.received.length;
    await notify([s.worker.user.id, s.leader.user.id], { source: freshSource() });
    await dispatchAll();
    const rows = await deliveriesOf(channelId);
    expect(rows).toHaveLength(1);
    expect(rows[0]?.payload.atMobiles).toEqual(['13800000001', '13800000002']);
    expect(await deliverPending(t.db, t.clock.now, settings)).toMatchObject({ sent: 1 });
    const req = fake.received[before];
    expect(fake.received.length).toBe(before + 1);
    const url = new URL(req?.url ?? '', base);
    expect(url.pathname).toBe('/robot/send');
    expect(url.searchParams.get('access_token')).toBe(token);
    const ts = url.searchParams.get('timestamp');
    expect(ts).toBe(String(t.clock.now.getTime()));
    // timestamp + "\n" + secret, HMAC-SHA256 with the secret, Base64 (searchParams has URL-decoded it).
    const expected = createHmac('sha256', secret).update(`${ts}\n${secret}`).digest('base64');
    expect(url.searchParams.get('sign')).toBe(expected);
    expect(req?.url).toContain(`sign=${encodeURIComponent(expected)}`);
    const body = JSON.parse(req?.body ?? '{}');
    expect(body.msgtype).toBe('markdown');
    expect(body.at).toEqual({ atMobiles: ['13800000001', '13800000002'], isAtAll: false });
    expect(body.markdown.title).toBe('LEL-01 可燃气体高报');
    expect(body.markdown.text).toContain('【紧急】 LEL-01 可燃气体高报');
    expect(body.markdown.text).toContain('地点：Plant 1');
    expect(body.markdown.text).toContain('https://safety.example.com/iot/monitor');
    expect(body.markdown.text).toContain('@13800000001 @13800000002');
    const [row] = await deliveriesOf(channelId);
    expect(row).toMatchObject({ status: 'sent', attempts: 1, responseCode: 200, error: null });
  });

  it('signs with the documented algorithm (known vector)', () => {
    const sign = signDingTalk('SECxyz', 1700000000000);
    const manual = encodeURIComponent(createHmac('sha256', 'SECxyz').update('1700000000000\nSECxyz').digest('base64'));
    expect(sign).toBe(manual);
    expect(timingSafeEqual(Buffer.from(sign), Buffer.from(manual))).toBe(true);
  });

  it('treats errcode != 0, HTTP 500 and a timeout as failures and retries with backoff, then sends', async () => {
    await notify([s.worker.user.id], { source: freshSource() });
    await dispatchAll();
    const id = (await deliveriesOf(channelId)).at(-1)?.id;
    const row = async () => (await deliveriesOf(channelId)).find((d) => d.id === id);

    fake.answer({ body: '{"errcode":310000,"errmsg":"sign not match"}' });
    expect(await deliverPending(t.db, t.clock.now, settings)).toMatchObject({ claimed: 1, retrying: 1 });
    expect(await row()).toMatchObject({ status: 'pending', attempts: 1, responseCode: 200, error: 'errcode 310000: sign not match' });
    expect((await row())?.nextAttemptAt.getTime()).toBe(t.clock.now.getTime() + 30_000);

    t.clock.advance(30_000);
    fake.answer({ status: 500, body: 'boom' });
    expect(await deliverPending(t.db, t.clock.now, settings)).toMatchObject({ retrying: 1 });
    expect(await row()).toMatchObject({ status: 'pending', attempts: 2, responseCode: 500, error: 'HTTP 500: boom' });
    expect((await row())?.nextAttemptAt.getTime()).toBe(t.clock.now.getTime() + 60_000);

    t.clock.advance(60_000);
    fake.answer({ delayMs: 1500 });
    expect(await deliverPending(t.db, t.clock.now, settings)).toMatchObject({ retrying: 1 });
    expect(await row()).toMatchObject({ status: 'pending', attempts: 3, error: 'timed out after 400 ms' });

    t.clock.advance(120_000);
    expect(await deliverPending(t.db, t.clock.now, settings)).toMatchObject({ sent: 1 });
    expect(await row()).toMatchObject({ status: 'sent', attempts: 4, error: null });
  });

  it('sends nothing by robot for a warning (default preference: robots get critical only)', async () => {
    const before = (await deliveriesOf(channelId)).length;
    await notify([s.worker.user.id], { severity: 'warning', source: freshSource() });
    await dispatchAll();
    expect((await deliveriesOf(channelId)).length).toBe(before);
  });

  it('sends a test message through POST /:id/test and logs it', async () => {
    const before = fake.received.length;
    const res = await api('POST', `/api/v1/notify/channels/${channelId}/test`, {});
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ ok: true, responseCode: 200, error: null });
    const body = JSON.parse(fake.received[before]?.body ?? '{}');
    expect(body.markdown.text).toContain('SafeLoop 测试消息');
    expect(body.at.atMobiles).toEqual(['13800000009']);
    const logged = (await deliveriesOf(channelId)).find((d) => d.id === res.json().deliveryId);
    expect(logged).toMatchObject({ eventType: 'notify.test', status: 'sent' });
  });
});

describe('WeCom group robot', () => {
  let channelId: string;

  it('posts markdown to …/send?key=KEY, then a text message that @-mentions by mobile', async () => {
    await disableAllChannels();
    const created = (await api('POST', '/api/v1/notify/channels', { kind: 'wecom', name: '企业微信群', config: { url: `${base}/cgi-bin/webhook/send`, token: 'wecom-key-1' } })).json();
    channelId = created.id;
    expect(created.config.token).not.toContain('wecom-key-1');
    const before = fake.received.length;
    await notify([s.worker.user.id], { source: freshSource() });
    await dispatchAll();
    expect(await deliverPending(t.db, t.clock.now, settings)).toMatchObject({ sent: 1 });
    const [md, text] = fake.received.slice(before);
    expect(fake.received.length).toBe(before + 2);
    expect(md?.url).toBe('/cgi-bin/webhook/send?key=wecom-key-1');
    const mdBody = JSON.parse(md?.body ?? '{}');
    expect(mdBody.msgtype).toBe('markdown');
    expect(mdBody.markdown.content).toContain('**LEL-01 可燃气体高报**');
    expect(mdBody.markdown.content).toContain('地点：Plant 1');
    expect(JSON.parse(text?.body ?? '{}')).toEqual({ msgtype: 'text', text: { content: 'LEL-01 可燃气体高报', mentioned_mobile_list: ['13800000001'] } });
  });

  it('records errcode != 0 as a failure to retry', async () => {
    await notify([s.leader.user.id], { source: freshSource() });
    await dispatchAll();
    fake.answer({ body: '{"errcode":93000,"errmsg":"invalid webhook url"}' });
    expect(await deliverPending(t.db, t.clock.now, settings)).toMatchObject({ retrying: 1 });
    const row = (await deliveriesOf(channelId)).at(-1);
    expect(row).toMatchObject({ status: 'pending', attempts: 1, error: 'errcode 93000: invalid webhook url' });
  });
});

describe('SMS adapter', () => {
  let channelId: string;
  const apiKey = 'sms-api-key-xyz';
  const hmac = 'sms-hmac-secret-0123456789';

  it('posts template id, params and a short text with the API key and an HMAC signature', async () => {
    await disableAllChannels();
    const created = (
      await api('POST', '/api/v1/notify/channels', { kind: 'sms', name: 'SMS', config: { url: `${base}/sms/send`, token: apiKey, secret: hmac, templateId: 'TPL_ALARM' } })
    ).json();
    channelId = created.id;
    expect(JSON.stringify(created)).not.toContain(apiKey);
    expect(JSON.stringify(created)).not.toContain(hmac);
    const before = fake.received.length;
    const title = '1# 罐区 LEL-01 可燃气体高高报：当前值 58 %LEL 已超过高高限 50 %LEL，请立即疏散并启动应急预案，关闭进料阀门并报告值班长';
    await notify([s.worker.user.id], { title, source: { key: 'area:sms', place: 'Plant 1 罐区', label: 'LEL-01 high-high' } });
    await dispatchAll();
    expect(await deliverPending(t.db, t.clock.now, settings)).toMatchObject({ sent: 1 });
    const req = fake.received[before];
    expect(req?.url).toBe('/sms/send');
    expect(req?.headers['x-api-key']).toBe(apiKey);
    const sig = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(String(req?.headers['x-safeloop-signature']));
    expect(sig).not.toBeNull();
    expect(createHmac('sha256', hmac).update(`${sig?.[1]}.${req?.body}`).digest('hex')).toBe(sig?.[2]);
    const body = JSON.parse(req?.body ?? '{}');
    expect(body.to).toEqual(['13800000001']);
    expect(body.templateId).toBe('TPL_ALARM');
    expect(body.params).toEqual({ severity: '紧急', place: 'Plant 1 罐区', title: [...title].slice(0, 60).join('') });
    // Fits one SMS, keeps severity and place, shortens the title.
    expect([...body.text].length).toBe(70);
    expect(body.text.startsWith('【紧急】Plant 1 罐区: 1# 罐区 LEL-01')).toBe(true);
    expect(body.text.endsWith('…')).toBe(true);
  });

  it('retries on HTTP 500 and on a JSON refusal; logs a person without a mobile number as failed', async () => {
    await notify([s.worker.user.id], { source: freshSource() });
    await dispatchAll();
    fake.answer({ status: 500, body: 'gateway down' }, { body: '{"success":false,"message":"balance exhausted"}' });
    expect(await deliverPending(t.db, t.clock.now, settings)).toMatchObject({ retrying: 1 });
    const id = (await deliveriesOf(channelId)).at(-1)?.id;
    expect((await deliveriesOf(channelId)).find((d) => d.id === id)).toMatchObject({ attempts: 1, responseCode: 500, error: 'HTTP 500: gateway down' });
    t.clock.advance(30_000);
    expect(await deliverPending(t.db, t.clock.now, settings)).toMatchObject({ retrying: 1 });
    expect((await deliveriesOf(channelId)).find((d) => d.id === id)).toMatchObject({ attempts: 2, error: 'refused: balance exhausted' });

    await notify([s.safety.user.id], { source: freshSource() });
    await dispatchAll();
    const failed = (await deliveriesOf(channelId)).at(-1);
    expect(failed).toMatchObject({ status: 'failed', error: 'recipient has no mobile number (people.phone)' });
  });

  it('shortens sensibly: severity and place whole, title with an ellipsis', () => {
    expect(smsText({ severity: '[Critical] ', place: 'Plant 1', title: 'short' }, 70)).toBe('[Critical] Plant 1: short');
    expect(smsText({ severity: '【紧急】', place: null, title: '短' }, 70)).toBe('【紧急】短');
    const long = smsText({ severity: '【紧急】', place: '一车间', title: 'x'.repeat(100) }, 30);
    expect([...long].length).toBe(30);
    expect(long.startsWith('【紧急】一车间: ')).toBe(true);
    expect(long.endsWith('…')).toBe(true);
  });
});
