import net from 'node:net';
import { isNull } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestApp, seedSmallCompany, type TestApp } from '../../test/app.ts';
import { systemCtx } from '../auth/actor.ts';
import { notifyUsers } from '../notify/service.ts';
import { outboxEvents } from './schema.ts';
import { configureStream, pushLocal, sendToUser, streamCounts } from './stream.ts';
import { startEvents } from './start.ts';

let t: TestApp;
let s: Awaited<ReturnType<typeof seedSmallCompany>>;
let base: string;
let port: number;
let events: { stop(): Promise<void> };
let workerAuth: string;
let leaderAuth: string;

interface Frame {
  event: string;
  id?: string;
  data: string;
}

/** A tiny SSE client over fetch: collects frames, lets a test wait for one. */
async function openSse(authorization: string, headers: Record<string, string> = {}) {
  const abort = new AbortController();
  const res = await fetch(`${base}/api/v1/stream`, { headers: { authorization, ...headers }, signal: abort.signal });
  const frames: Frame[] = [];
  let ended = false;
  let buffer = '';
  const pump = (async () => {
    if (!res.body) return;
    const decoder = new TextDecoder();
    try {
      for await (const chunk of res.body) {
        buffer += decoder.decode(chunk as Uint8Array, { stream: true });
        let cut: number;
        while ((cut = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          const frame: Frame = { event: 'message', data: '' };
          let hasData = false;
          for (const line of block.split('\n')) {
            if (line.startsWith('event: ')) frame.event = line.slice(7);
            else if (line.startsWith('id: ')) frame.id = line.slice(4);
            else if (line.startsWith('data: ')) {
              frame.data = line.slice(6);
              hasData = true;
            }
          }
          if (hasData) frames.push(frame);
        }
      }
    } catch {
      // aborted
    }
    ended = true;
  })();
  return {
    res,
    frames,
    isEnded: () => ended,
    async next(pred: (f: Frame) => boolean, timeout = 5000): Promise<Frame> {
      let found: Frame | undefined;
      await vi.waitFor(
        () => {
          found = frames.find(pred);
          if (!found) throw new Error(`no matching frame; got ${frames.map((f) => f.event).join(',')}`);
        },
        { timeout, interval: 10 },
      );
      return found as Frame;
    },
    async close() {
      abort.abort();
      await pump;
    },
  };
}

beforeAll(async () => {
  // Fast pings so the test sees one without waiting 25 s.
  configureStream({ pingIntervalMs: 100 });
  t = await createTestApp({ RATE_LIMIT_PER_MINUTE: '100000' });
  s = await seedSmallCompany(t);
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  const address = t.app.server.address();
  port = typeof address === 'object' && address ? address.port : 0;
  base = `http://127.0.0.1:${port}`;
  events = await startEvents({ db: t.db, databaseUrl: t.db.url, now: () => t.clock.now, intervalMs: 20 });
  workerAuth = (await t.login(s.worker.username, s.worker.password)).authorization;
  leaderAuth = (await t.login(s.leader.username, s.leader.password)).authorization;
});
afterAll(async () => {
  await events.stop();
  await t.close();
});

const notify = (userId: string, title: string, extra: Partial<Parameters<typeof notifyUsers>[2]> = {}) =>
  t.db.tx((tx) => notifyUsers(tx, systemCtx(t.db, s.tenant.id, () => t.clock.now), { userIds: [userId], type: 'hazard.assigned', title, ...extra }));

describe('GET /api/v1/stream', () => {
  it('returns 401 without credentials', async () => {
    const res = await fetch(`${base}/api/v1/stream`);
    expect(res.status).toBe(401);
    await res.body?.cancel();
  });

  it('pushes a new notification to its user only, as `event: notification` with the Notification body', async () => {
    const worker = await openSse(workerAuth);
    const leader = await openSse(leaderAuth);
    try {
      expect(worker.res.status).toBe(200);
      expect(worker.res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
      expect(worker.res.headers.get('cache-control')).toBe('no-cache, no-transform');
      expect(worker.res.headers.get('x-accel-buffering')).toBe('no');
      expect(worker.res.headers.get('x-content-type-options')).toBe('nosniff');
      await vi.waitFor(() => expect(streamCounts().total).toBe(2));

      const { ids } = await notify(s.worker.user.id, '隐患 YH-2026-000123 已指派给您', {
        severity: 'warning',
        body: '请在 24 小时内完成整改',
        link: '/hazards/123',
        data: { hazardId: '123' },
      });
      const frame = await worker.next((f) => f.event === 'notification');
      expect(frame.id).toBe(ids[0]);
      expect(JSON.parse(frame.data)).toEqual({
        id: ids[0],
        type: 'hazard.assigned',
        severity: 'warning',
        title: '隐患 YH-2026-000123 已指派给您',
        body: '请在 24 小时内完成整改',
        link: '/hazards/123',
        data: { hazardId: '123' },
        createdAt: t.clock.now.toISOString(),
        readAt: null,
      });

      // Published after the worker's: once the leader has this one, the worker's would have arrived too.
      const leaderIds = (await notify(s.leader.user.id, 'for the leader')).ids;
      await leader.next((f) => f.event === 'notification' && f.id === leaderIds[0]);
      expect(leader.frames.filter((f) => f.event === 'notification').map((f) => f.id)).toEqual(leaderIds);
      expect(worker.frames.filter((f) => f.event === 'notification').map((f) => f.id)).toEqual(ids);
    } finally {
      await worker.close();
      await leader.close();
    }
    await vi.waitFor(() => expect(streamCounts().total).toBe(0));
  });

  it('sends `event: ping` periodically', async () => {
    const worker = await openSse(workerAuth);
    try {
      const ping = await worker.next((f) => f.event === 'ping');
      expect(ping.data).toBe('{}');
    } finally {
      await worker.close();
    }
  });

  it('replays unread notifications newer than Last-Event-ID on reconnect', async () => {
    const first = (await notify(s.worker.user.id, 'missed 1')).ids[0] as string;
    const second = (await notify(s.worker.user.id, 'missed 2')).ids[0] as string;
    const third = (await notify(s.worker.user.id, 'missed 3, already read')).ids[0] as string;
    await t.app.inject({ method: 'POST', url: `/api/v1/notifications/${third}/read`, headers: { authorization: workerAuth } });
    // Let the dispatcher finish with these (no stream is open, nothing is pushed).
    await vi.waitFor(async () => expect(await t.db.read((tx) => tx.select().from(outboxEvents).where(isNull(outboxEvents.dispatchedAt)))).toEqual([]));
    const worker = await openSse(workerAuth, { 'last-event-id': first });
    try {
      const replayed = await worker.next((f) => f.event === 'notification');
      expect(replayed.id).toBe(second);
      expect(JSON.parse(replayed.data).title).toBe('missed 2');
      const live = (await notify(s.worker.user.id, 'live after replay')).ids[0];
      await worker.next((f) => f.id === live);
      expect(worker.frames.filter((f) => f.event === 'notification').map((f) => f.id)).toEqual([second, live]);
    } finally {
      await worker.close();
    }
  });

  it('keeps at most maxPerUser streams per user by closing the oldest', async () => {
    configureStream({ maxPerUser: 2 });
    const a = await openSse(leaderAuth);
    const b = await openSse(leaderAuth);
    await vi.waitFor(() => expect(streamCounts().total).toBe(2));
    const c = await openSse(leaderAuth);
    try {
      await vi.waitFor(() => expect(a.isEnded()).toBe(true));
      expect(b.isEnded()).toBe(false);
      expect(c.isEnded()).toBe(false);
      expect(streamCounts().total).toBe(2);
    } finally {
      configureStream({ maxPerUser: 10 });
      await Promise.all([a.close(), b.close(), c.close()]);
    }
  });

  it('drops a client that stops reading instead of buffering without bound', async () => {
    configureStream({ maxBufferBytes: 64 * 1024 });
    const token = leaderAuth;
    const socket = net.connect(port, '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    // Never read: the socket stays paused, so the kernel buffers fill and then the server's.
    socket.write(`GET /api/v1/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${token}\r\n\r\n`);
    try {
      await vi.waitFor(() => expect(streamCounts().total).toBe(1));
      const big = 'x'.repeat(32 * 1024);
      for (let i = 0; i < 2000 && streamCounts().total > 0; i++) {
        pushLocal(s.leader.user.id, { event: 'notification', id: String(i), data: { big } });
        if (i % 20 === 0) await new Promise((r) => setImmediate(r));
      }
      expect(streamCounts().total).toBe(0);
    } finally {
      configureStream({ maxBufferBytes: 256 * 1024 });
      socket.destroy();
    }
  });

  it.runIf(Boolean(process.env.TEST_DATABASE_URL))('on PostgreSQL, pushes only after commit and takes frames NOTIFYed by another instance', async () => {
    const worker = await openSse(workerAuth);
    try {
      await vi.waitFor(() => expect(streamCounts().total).toBe(1));
      await expect(
        t.db.tx(async (tx) => {
          await sendToUser(tx, s.worker.user.id, { event: 'notification', id: 'rolled-back', data: {} });
          throw new Error('rollback');
        }),
      ).rejects.toThrow('rollback');
      // Another instance (its own connection) sends through the database.
      const other = new pg.Client({ connectionString: t.db.url ?? '' });
      await other.connect();
      await other.query(`SELECT pg_notify('safeloop_stream', $1)`, [JSON.stringify({ u: s.worker.user.id, f: { event: 'notification', id: 'from-b', data: { x: 1 } } })]);
      await other.end();
      const frame = await worker.next((f) => f.id === 'from-b');
      expect(JSON.parse(frame.data)).toEqual({ x: 1 });
      await t.db.tx((tx) => sendToUser(tx, s.worker.user.id, { event: 'notification', id: 'committed', data: {} }));
      await worker.next((f) => f.id === 'committed');
      expect(worker.frames.map((f) => f.id).filter(Boolean)).toEqual(['from-b', 'committed']);
    } finally {
      await worker.close();
    }
  });

  it('ends open streams when the app closes', async () => {
    const other = await createTestApp();
    const o = await seedSmallCompany(other);
    await other.app.listen({ port: 0, host: '127.0.0.1' });
    const addr = other.app.server.address();
    const otherPort = typeof addr === 'object' && addr ? addr.port : 0;
    const { authorization } = await other.login(o.worker.username, o.worker.password);
    const res = await fetch(`http://127.0.0.1:${otherPort}/api/v1/stream`, { headers: { authorization } });
    expect(res.status).toBe(200);
    const reading = (async () => {
      if (!res.body) return;
      for await (const _chunk of res.body) {
        // drain until the server ends the stream
      }
    })();
    await other.close();
    await reading;
  });
});
