import { and, asc, eq, inArray, isNull, lte, sql } from 'drizzle-orm';
import type { Database, Tx } from '../db/client.ts';
import { eventDeliveries, outboxEvents } from './schema.ts';

/** An outbox row as subscribers see it. */
export interface OutboxEvent {
  id: string;
  tenantId: string | null;
  type: string;
  entityType: string | null;
  entityId: string | null;
  actorUserId: string | null;
  payload: Record<string, unknown>;
  createdAt: Date;
  attempts: number;
}

/**
 * Runs inside a transaction together with the insert of its `event_deliveries` row: whatever the handler
 * writes with `tx` commits with "handled" or not at all. Work outside the database (HTTP, SMTP) does not
 * belong here: write a row (e.g. notification_deliveries) and let a worker do the slow part.
 */
export type SubscriberHandler = (tx: Tx, event: OutboxEvent, meta: { now: Date }) => Promise<void>;

interface Subscriber {
  name: string;
  pattern: string;
  handler: SubscriberHandler;
}

/** Minimal logger shape (pino / Fastify's `app.log` fit). */
export interface Log {
  error(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export const silentLog: Log = { error: () => undefined, warn: () => undefined };

const subscribers = new Map<string, Subscriber>();

/**
 * Registers a subscriber. Platform services and modules register at import time (like permissions), so
 * the set is complete before the dispatcher first runs: an event dispatched while a subscriber was still
 * missing would be marked done without it. `pattern`: an exact type ("notification.created"), a prefix
 * ("hazard.*") or "*". The name is the idempotency key in `event_deliveries`: never rename a live one.
 * Returns a function that unregisters it (tests).
 */
export function registerSubscriber(name: string, pattern: string, handler: SubscriberHandler): () => void {
  if (!/^[\w.:-]{1,100}$/.test(name)) throw new Error(`subscriber name "${name}": 1-100 letters, digits, . _ : -`);
  if (subscribers.has(name)) throw new Error(`subscriber "${name}" is already registered`);
  const sub = { name, pattern, handler };
  subscribers.set(name, sub);
  return () => {
    if (subscribers.get(name) === sub) subscribers.delete(name);
  };
}

export function matchesPattern(pattern: string, type: string): boolean {
  if (pattern === '*') return true;
  if (pattern.endsWith('.*')) return type.startsWith(pattern.slice(0, -1));
  return pattern === type;
}

function subscribersFor(type: string): Subscriber[] {
  return [...subscribers.values()].filter((s) => matchesPattern(s.pattern, type));
}

/** Retry delay after the n-th failed attempt: 1 s, 2 s, 4 s … capped at one hour. */
export function backoffMs(attempts: number, capMs = 3_600_000): number {
  return Math.min(capMs, 1000 * 2 ** Math.min(Math.max(attempts - 1, 0), 30));
}

export interface DispatchOptions {
  now: Date;
  /** Events claimed per round. */
  batch?: number;
  /**
   * How long a claim lasts. A claim moves `next_attempt_at` into the future instead of holding a row lock
   * while handlers run, so claims are short transactions; if this process dies mid-batch, the events
   * become due again when the lease runs out and another instance picks them up.
   */
  leaseMs?: number;
  log?: Log;
}

export interface DispatchResult {
  claimed: number;
  dispatched: number;
  failed: number;
}

const DEFAULT_BATCH = 50;
const DEFAULT_LEASE_MS = 120_000;

/**
 * Step 1: claim due, undispatched events. `FOR UPDATE SKIP LOCKED` lets two instances claim at the same
 * moment without waiting for or taking each other's rows; the lease then keeps them apart after commit.
 */
export async function claimEvents(db: Database, opts: { now: Date; batch?: number; leaseMs?: number }): Promise<OutboxEvent[]> {
  const leaseUntil = new Date(opts.now.getTime() + (opts.leaseMs ?? DEFAULT_LEASE_MS));
  const rows = await db.tx(async (tx) => {
    const due = tx
      .select({ id: outboxEvents.id })
      .from(outboxEvents)
      .where(and(isNull(outboxEvents.dispatchedAt), lte(outboxEvents.nextAttemptAt, opts.now)))
      .orderBy(asc(outboxEvents.nextAttemptAt), asc(outboxEvents.id))
      .limit(opts.batch ?? DEFAULT_BATCH)
      .for('update', { skipLocked: true });
    return tx.update(outboxEvents).set({ nextAttemptAt: leaseUntil }).where(inArray(outboxEvents.id, due)).returning();
  });
  // Roughly in creation order; strict ordering is not promised (a retried event comes later).
  rows.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : 1));
  return rows.map((r) => ({
    id: r.id,
    tenantId: r.tenantId,
    type: r.type,
    entityType: r.entityType,
    entityId: r.entityId,
    actorUserId: r.actorUserId,
    payload: r.payload,
    createdAt: r.createdAt,
    attempts: r.attempts,
  }));
}

/**
 * Step 2: one transaction per (event, subscriber). The `event_deliveries` row is inserted first: if it is
 * already there, this subscriber handled the event before (we crashed before marking it, or another
 * instance's lease overlapped) and the handler is skipped. On PostgreSQL a concurrent second insert waits
 * on the primary key until the first transaction ends, then does nothing, so the handler's effect happens
 * once. A handler that throws rolls back its delivery row with everything else, so it is retried.
 */
export async function deliverEvent(db: Database, event: OutboxEvent, now: Date): Promise<{ subscriber: string; error: string }[]> {
  const errors: { subscriber: string; error: string }[] = [];
  for (const sub of subscribersFor(event.type)) {
    try {
      await db.tx(async (tx) => {
        const fresh = await tx
          .insert(eventDeliveries)
          .values({ eventId: event.id, subscriber: sub.name, deliveredAt: now })
          .onConflictDoNothing()
          .returning({ eventId: eventDeliveries.eventId });
        if (fresh.length === 0) return;
        await sub.handler(tx, event, { now });
      });
    } catch (e) {
      errors.push({ subscriber: sub.name, error: e instanceof Error ? e.message : String(e) });
    }
  }
  return errors;
}

/** Step 3: done when every subscriber succeeded; otherwise back off, and keep the last error for operators. */
export async function finishEvent(db: Database, event: OutboxEvent, now: Date, errors: { subscriber: string; error: string }[]): Promise<void> {
  await db.tx(async (tx) => {
    if (errors.length === 0) {
      await tx
        .update(outboxEvents)
        .set({ dispatchedAt: now, lastError: null })
        .where(and(eq(outboxEvents.id, event.id), isNull(outboxEvents.dispatchedAt)));
      return;
    }
    const attempts = event.attempts + 1;
    const lastError = errors
      .map((e) => `${e.subscriber}: ${e.error}`)
      .join('; ')
      .slice(0, 2000);
    await tx
      .update(outboxEvents)
      .set({ attempts: sql`${outboxEvents.attempts} + 1`, nextAttemptAt: new Date(now.getTime() + backoffMs(attempts)), lastError })
      .where(and(eq(outboxEvents.id, event.id), isNull(outboxEvents.dispatchedAt)));
  });
}

/**
 * Claims a batch and delivers each event to each matching subscriber, at least once. A failing event only
 * delays itself: it is rescheduled with exponential backoff while the rest of the batch goes on, and the
 * claim order (`next_attempt_at`) puts fresh events ahead of ones waiting for a retry.
 */
export async function dispatchPending(db: Database, opts: DispatchOptions): Promise<DispatchResult> {
  const events = await claimEvents(db, opts);
  let dispatched = 0;
  let failed = 0;
  for (const event of events) {
    const errors = await deliverEvent(db, event, opts.now);
    await finishEvent(db, event, opts.now, errors);
    if (errors.length === 0) dispatched++;
    else {
      failed++;
      opts.log?.warn({ eventId: event.id, type: event.type, attempts: event.attempts + 1, errors }, 'event delivery failed; will retry');
    }
  }
  return { claimed: events.length, dispatched, failed };
}

/** Poll loops in this process that `wakeDispatcher()` nudges. */
const wakers = new Set<() => void>();

/**
 * Asks the local poll loops to run now instead of at their next tick. `publishEvent` calls it: on PGlite
 * the woken claim queues behind the publishing transaction (one connection, serialized), so it sees the
 * event right after commit; on PostgreSQL it may run before the commit and the next tick picks it up.
 * Cheap and safe to call inside a transaction: it only resolves a promise, no I/O.
 */
export function wakeDispatcher(): void {
  for (const w of wakers) w();
}

export interface PollLoop {
  stop(): Promise<void>;
  wake(): void;
}

/**
 * A single-flight poll loop: runs `tick`, then waits `intervalMs` unless woken or unless `tick` said there
 * is more work (a full batch). Nothing is queued in memory: the database is the queue.
 */
export function startPollLoop(tick: () => Promise<boolean>, opts: { intervalMs: number; log: Log; name: string; wakers?: Set<() => void> }): PollLoop {
  let running = true;
  let wakeUp: (() => void) | null = null;
  let woken = false;
  const wake = () => {
    woken = true;
    wakeUp?.();
  };
  opts.wakers?.add(wake);
  const loop = (async () => {
    let failures = 0;
    // A wake-up usually comes from inside the publishing transaction, before its commit: on PostgreSQL
    // the immediate round may not see the row yet, so a woken loop looks once more shortly after.
    let followUp = false;
    while (running) {
      woken = false;
      let more = false;
      try {
        more = await tick();
        failures = 0;
      } catch (e) {
        failures++;
        opts.log.error({ err: e }, `${opts.name} round failed`);
      }
      if (!running) break;
      if (failures === 0 && (more || woken)) {
        if (woken) followUp = true;
        continue;
      }
      // After errors (database down) wait longer, up to 30 s, instead of spinning.
      const wait = failures > 0 ? Math.min(30_000, opts.intervalMs * 2 ** failures) : followUp ? Math.min(opts.intervalMs, 50) : opts.intervalMs;
      followUp = false;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, wait);
        wakeUp = () => {
          clearTimeout(timer);
          followUp = true;
          resolve();
        };
      });
      wakeUp = null;
    }
  })();
  return {
    wake,
    stop: async () => {
      running = false;
      opts.wakers?.delete(wake);
      wakeUp?.();
      await loop;
    },
  };
}

export interface DispatcherOptions {
  now?: () => Date;
  intervalMs?: number;
  batch?: number;
  leaseMs?: number;
  log?: Log;
}

/** Polls the outbox (every 250 ms by default, or at once when woken). Returns `stop()`. */
export function startDispatcher(db: Database, opts: DispatcherOptions = {}): () => Promise<void> {
  const now = opts.now ?? (() => new Date());
  const batch = opts.batch ?? DEFAULT_BATCH;
  const log = opts.log ?? silentLog;
  const loop = startPollLoop(
    async () => {
      const r = await dispatchPending(db, { now: now(), batch, leaseMs: opts.leaseMs, log });
      return r.claimed === batch;
    },
    { intervalMs: opts.intervalMs ?? 250, log, name: 'event dispatcher', wakers },
  );
  return loop.stop;
}
