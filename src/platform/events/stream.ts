import type { ServerResponse } from 'node:http';
import { sql } from 'drizzle-orm';
import type pg from 'pg';
import type { Actor } from '../auth/actor.ts';
import type { Tx } from '../db/client.ts';
import { silentLog, type Log } from './dispatcher.ts';

/**
 * Server-Sent Events fan-out (`GET /api/v1/stream`).
 *
 * Each app instance keeps its own open connections, by user, in memory: that is connection state, not
 * work, so nothing is lost when an instance dies (clients reconnect, with Last-Event-ID, to any instance).
 * What to push comes from the outbox: a dispatcher subscriber calls `sendToUser` once per event. With
 * several instances on one PostgreSQL, that subscriber runs on just one of them, so `sendToUser` does not
 * write to local sockets there: it issues `pg_notify` in the subscriber's transaction and every instance
 * (this one included) LISTENs and writes to its own connections after the commit. With PGlite there is
 * one process, and the frame goes straight to the local connections.
 */

export interface StreamFrame {
  /** SSE `event:` name, e.g. "notification". */
  event: string;
  /** SSE `id:`; clients send the last one back as Last-Event-ID when they reconnect. */
  id?: string;
  data: unknown;
}

export const streamSettings = {
  /** Proxies and phone networks drop idle connections after 30–60 s; a comment-sized ping keeps them open. */
  pingIntervalMs: 25_000,
  /** Re-check the session every this many pings, so a logged-out or disabled user stops receiving. */
  revalidateEveryPings: 12,
  /** A user with more tabs than this loses the oldest stream (stale tabs, not a lock-out). */
  maxPerUser: 10,
  /** Per instance; beyond it new streams get 429 and the client retries elsewhere or later. */
  maxTotal: 10_000,
  /** Bytes waiting for a slow client; past this the connection is dropped rather than growing memory. */
  maxBufferBytes: 256 * 1024,
  /** Frames held back while Last-Event-ID replay runs; past this the connection is dropped. */
  maxPendingFrames: 200,
};

export function configureStream(over: Partial<typeof streamSettings>): void {
  Object.assign(streamSettings, over);
}

export function formatFrame(frame: StreamFrame): string {
  const lines: string[] = [];
  if (frame.id) lines.push(`id: ${frame.id.replace(/[\r\n]/g, '')}`);
  lines.push(`event: ${frame.event.replace(/[\r\n]/g, '')}`);
  // JSON.stringify never emits a raw newline, so one data line carries the whole payload.
  lines.push(`data: ${JSON.stringify(frame.data ?? null)}`);
  return lines.join('\n') + '\n\n';
}

interface Conn {
  userId: string;
  res: ServerResponse;
  closed: boolean;
  /** While Last-Event-ID replay runs, live frames wait here (bounded) so they are not sent out of order. */
  pending: StreamFrame[] | null;
  pings: number;
  revalidate: (() => Promise<boolean>) | null;
  onClose: () => void;
}

const byUser = new Map<string, Set<Conn>>();
let total = 0;
let pingTimer: NodeJS.Timeout | null = null;

export function streamCounts(): { total: number; users: number } {
  return { total, users: byUser.size };
}

function closeConn(c: Conn): void {
  if (c.closed) return;
  c.closed = true;
  const set = byUser.get(c.userId);
  if (set?.delete(c)) {
    total--;
    if (set.size === 0) byUser.delete(c.userId);
  }
  if (total === 0 && pingTimer) {
    clearInterval(pingTimer);
    pingTimer = null;
  }
  if (!c.res.destroyed) c.res.end();
  c.onClose();
}

/** Writes one frame; a client that does not read (buffer over the bound) is disconnected. */
function writeRaw(c: Conn, text: string): void {
  if (c.closed || c.res.destroyed || c.res.writableEnded) {
    closeConn(c);
    return;
  }
  c.res.write(text);
  if (c.res.writableLength > streamSettings.maxBufferBytes) {
    c.res.destroy();
    closeConn(c);
  }
}

function writeFrame(c: Conn, frame: StreamFrame): void {
  if (c.pending) {
    if (c.pending.length >= streamSettings.maxPendingFrames) {
      c.res.destroy();
      closeConn(c);
      return;
    }
    c.pending.push(frame);
    return;
  }
  writeRaw(c, formatFrame(frame));
}

function pingAll(): void {
  const ping = formatFrame({ event: 'ping', data: {} });
  for (const set of [...byUser.values()]) {
    for (const c of [...set]) {
      writeRaw(c, ping);
      c.pings++;
      if (c.revalidate && c.pings % streamSettings.revalidateEveryPings === 0) {
        const check = c.revalidate;
        void check()
          .catch(() => true)
          .then((ok) => {
            if (!ok) closeConn(c);
          });
      }
    }
  }
}

export type StreamReplay = (tx: Tx, actor: Actor, lastEventId: string) => Promise<StreamFrame[]>;

const replays: StreamReplay[] = [];

/**
 * Services whose frames carry ids register how to replay what a reconnecting client missed (e.g. the
 * notify service: unread notifications newer than Last-Event-ID). Registered at import time.
 */
export function registerStreamReplay(fn: StreamReplay): void {
  replays.push(fn);
}

export interface OpenStreamInput {
  actor: Actor & { userId: string };
  res: ServerResponse;
  lastEventId: string | null;
  /** Runs the replay queries; the route passes `db.read`. */
  read: <T>(fn: (tx: Tx) => Promise<T>) => Promise<T>;
  revalidate?: () => Promise<boolean>;
  onClose?: () => void;
}

/**
 * Registers a connection whose headers are already written. Returns a close function. Reconnect with
 * `Last-Event-ID`: the client lost frames while it was away (network switch, phone asleep, instance
 * restart); replaying the unread ones newer than that id closes the gap without the client re-fetching
 * its inbox on every reconnect. Read ones need no replay: the user has already seen them.
 */
export async function openStream(input: OpenStreamInput): Promise<() => void> {
  const userId = input.actor.userId;
  const c: Conn = {
    userId,
    res: input.res,
    closed: false,
    pending: input.lastEventId && replays.length > 0 ? [] : null,
    pings: 0,
    revalidate: input.revalidate ?? null,
    onClose: input.onClose ?? (() => undefined),
  };
  let set = byUser.get(userId);
  if (!set) {
    set = new Set();
    byUser.set(userId, set);
  }
  // Oldest first: a Set iterates in insertion order.
  while (set.size >= streamSettings.maxPerUser) {
    const oldest = set.values().next().value;
    if (!oldest) break;
    closeConn(oldest);
  }
  set = byUser.get(userId) ?? new Set();
  byUser.set(userId, set);
  set.add(c);
  total++;
  if (!pingTimer) {
    pingTimer = setInterval(pingAll, streamSettings.pingIntervalMs);
    pingTimer.unref();
  }
  input.res.on('close', () => closeConn(c));

  if (c.pending && input.lastEventId) {
    const lastEventId = input.lastEventId;
    let frames: StreamFrame[] = [];
    try {
      frames = await input.read(async (tx) => {
        const out: StreamFrame[] = [];
        for (const replay of replays) out.push(...(await replay(tx, input.actor, lastEventId)));
        return out;
      });
    } catch {
      // Replay is best effort: the inbox is in the database and the client can always re-fetch it.
    }
    const held = c.pending ?? [];
    c.pending = null;
    const sent = new Set<string>();
    for (const f of frames) {
      if (f.id) sent.add(f.id);
      writeFrame(c, f);
    }
    // Live frames that arrived during the replay, minus those the replay already sent.
    for (const f of held) if (!f.id || !sent.has(f.id)) writeFrame(c, f);
  }
  return () => closeConn(c);
}

export function closeStreams(filter: (userId: string) => boolean = () => true): void {
  for (const [userId, set] of [...byUser.entries()]) {
    if (!filter(userId)) continue;
    for (const c of [...set]) closeConn(c);
  }
}

/** Writes a frame to this instance's open streams of one user. */
export function pushLocal(userId: string, frame: StreamFrame): number {
  const set = byUser.get(userId);
  if (!set) return 0;
  let n = 0;
  for (const c of [...set]) {
    writeFrame(c, frame);
    n++;
  }
  return n;
}

const CHANNEL = 'safeloop_stream';
/** PostgreSQL's NOTIFY payload limit is 8000 bytes. */
const MAX_NOTIFY_BYTES = 7900;

let fanoutMode: 'local' | 'postgres' = 'local';

/**
 * Sends a frame to a user's open streams on every instance, as part of the caller's transaction. On
 * PostgreSQL with the LISTEN fan-out running, NOTIFY is transactional: nothing is pushed if the
 * transaction rolls back, and pushes happen only after it commits. Locally (PGlite) the frame is written
 * at once; a rolled-back handler is retried and may push again, so clients de-duplicate by frame id.
 */
export async function sendToUser(tx: Tx, userId: string, frame: StreamFrame): Promise<void> {
  if (fanoutMode === 'local') {
    pushLocal(userId, frame);
    return;
  }
  let message = JSON.stringify({ u: userId, f: frame });
  if (Buffer.byteLength(message) > MAX_NOTIFY_BYTES) {
    // Too big for NOTIFY: send the id only; the client fetches the record (GET /notifications).
    message = JSON.stringify({ u: userId, f: { event: frame.event, id: frame.id, data: { id: frame.id ?? null, truncated: true } } });
  }
  await tx.execute(sql`SELECT pg_notify(${CHANNEL}, ${message})`);
}

function isFrameMessage(v: unknown): v is { u: string; f: StreamFrame } {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as { u?: unknown; f?: { event?: unknown } };
  return typeof o.u === 'string' && typeof o.f === 'object' && o.f !== null && typeof o.f.event === 'string';
}

/**
 * LISTENs on a dedicated connection and writes incoming frames to local streams. Reconnects with backoff;
 * frames sent while it is down are not pushed here, but clients get them on their next reconnect via
 * Last-Event-ID replay, and the inbox itself is always in the database.
 */
export async function startStreamFanout(databaseUrl: string, log: Log = silentLog): Promise<() => Promise<void>> {
  // Only PostgreSQL installations fan out; PGlite ones never load the driver.
  const { Client } = (await import('pg')).default;
  let stopped = false;
  let client: pg.Client | null = null;
  let retryTimer: NodeJS.Timeout | null = null;
  let failures = 0;

  const connect = async (): Promise<void> => {
    const c = new Client({ connectionString: databaseUrl });
    c.on('notification', (msg) => {
      if (msg.channel !== CHANNEL || !msg.payload) return;
      try {
        const parsed: unknown = JSON.parse(msg.payload);
        if (isFrameMessage(parsed)) pushLocal(parsed.u, parsed.f);
      } catch (e) {
        log.warn({ err: e }, 'bad stream fan-out message');
      }
    });
    c.on('error', (err) => {
      log.error({ err }, 'stream fan-out connection failed');
      broken(c);
    });
    c.on('end', () => broken(c));
    try {
      await c.connect();
      await c.query(`LISTEN ${CHANNEL}`);
    } catch (e) {
      await c.end().catch(() => undefined);
      throw e;
    }
    if (stopped) {
      await c.end().catch(() => undefined);
      return;
    }
    client = c;
    failures = 0;
  };

  const scheduleReconnect = (): void => {
    if (stopped || retryTimer) return;
    failures++;
    retryTimer = setTimeout(
      () => {
        retryTimer = null;
        connect().catch((err: unknown) => {
          log.error({ err }, 'stream fan-out reconnect failed');
          scheduleReconnect();
        });
      },
      Math.min(30_000, 500 * 2 ** failures),
    );
    retryTimer.unref();
  };

  const broken = (c: pg.Client): void => {
    if (client !== c) return;
    client = null;
    c.end().catch(() => undefined);
    scheduleReconnect();
  };

  await connect();
  fanoutMode = 'postgres';
  return async () => {
    stopped = true;
    fanoutMode = 'local';
    if (retryTimer) clearTimeout(retryTimer);
    const c = client;
    client = null;
    if (c) await c.end().catch(() => undefined);
  };
}
