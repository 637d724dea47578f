import { and, eq, like, sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { openTestDatabase } from '../../test/db.ts';
import { makeTenant } from '../../test/factories.ts';
import { systemCtx, type Ctx } from '../auth/actor.ts';
import { openPostgres, type Database } from '../db/client.ts';
import {
  backoffMs,
  claimEvents,
  deliverEvent,
  dispatchPending,
  matchesPattern,
  registerSubscriber,
  startDispatcher,
  type OutboxEvent,
} from './dispatcher.ts';
import { publishEvent } from './outbox.ts';
import { eventDeliveries, outboxEvents } from './schema.ts';

let db: Awaited<ReturnType<typeof openTestDatabase>>;
let ctx: Ctx;
const clock = { now: new Date('2026-03-02T08:00:00Z') };
const advance = (ms: number) => (clock.now = new Date(clock.now.getTime() + ms));
const offs: (() => void)[] = [];

beforeAll(async () => {
  db = await openTestDatabase();
  const { tenant } = await makeTenant(db);
  ctx = systemCtx(db, tenant.id, () => clock.now);
});
afterEach(() => {
  while (offs.length) offs.pop()?.();
});
afterAll(() => db.close());

const subscribe = (...args: Parameters<typeof registerSubscriber>) => offs.push(registerSubscriber(...args));

async function eventRow(id: string) {
  const [row] = await db.read((tx) => tx.select().from(outboxEvents).where(eq(outboxEvents.id, id)));
  if (!row) throw new Error(`event ${id} missing`);
  return row;
}

/** Side effect written by handlers in their transaction: a follow-up event naming its source. */
async function followUps(source: string) {
  return db.read((tx) =>
    tx
      .select()
      .from(outboxEvents)
      .where(and(eq(outboxEvents.type, 'test.followup'), sql`${outboxEvents.payload}->>'source' = ${source}`)),
  );
}

async function drain(d: Database, batch = 10): Promise<number> {
  let total = 0;
  for (;;) {
    const r = await dispatchPending(d, { now: clock.now, batch });
    total += r.dispatched;
    if (r.claimed === 0) return total;
  }
}

describe('outbox', () => {
  it('writes the event when the transaction commits and nothing when it rolls back', async () => {
    const committed = await db.tx((tx) => publishEvent(tx, ctx, { type: 'test.outbox.committed', entityType: 'thing', entityId: 'T1', payload: { n: 1 } }));
    await expect(
      db.tx(async (tx) => {
        await publishEvent(tx, ctx, { type: 'test.outbox.rolledback', entityId: 'T2' });
        throw new Error('change failed after publishing');
      }),
    ).rejects.toThrow('change failed');
    const rows = await db.read((tx) => tx.select().from(outboxEvents).where(like(outboxEvents.type, 'test.outbox.%')));
    expect(rows.map((r) => r.id)).toEqual([committed]);
    expect(rows[0]).toMatchObject({ type: 'test.outbox.committed', tenantId: ctx.actor.tenantId, entityType: 'thing', entityId: 'T1', payload: { n: 1 }, dispatchedAt: null, attempts: 0 });
  });
});

describe('dispatcher', () => {
  it('matches exact types, prefixes and *', () => {
    expect(matchesPattern('hazard.*', 'hazard.assigned')).toBe(true);
    expect(matchesPattern('hazard.*', 'hazards.assigned')).toBe(false);
    expect(matchesPattern('hazard.assigned', 'hazard.assigned')).toBe(true);
    expect(matchesPattern('hazard.assigned', 'hazard.closed')).toBe(false);
    expect(matchesPattern('*', 'anything.at_all')).toBe(true);
    expect(backoffMs(1)).toBe(1000);
    expect(backoffMs(2)).toBe(2000);
    expect(backoffMs(5)).toBe(16_000);
    expect(backoffMs(40)).toBe(3_600_000);
  });

  it('refuses two subscribers with one name (the name is the idempotency key)', () => {
    subscribe('test.unique', 'test.unique', async () => undefined);
    expect(() => registerSubscriber('test.unique', 'x.y', async () => undefined)).toThrow(/already registered/);
  });

  it('delivers an event to every matching subscriber in its transaction and marks it dispatched', async () => {
    const seenA: OutboxEvent[] = [];
    const seenB: string[] = [];
    subscribe('test.deliver.a', 'test.deliver.*', async (tx, e) => {
      seenA.push(e);
      await publishEvent(tx, ctx, { type: 'test.followup', payload: { source: e.id } });
    });
    subscribe('test.deliver.b', 'test.deliver.created', async (_tx, e) => {
      seenB.push(e.id);
    });
    subscribe('test.deliver.other', 'test.unrelated', async () => {
      throw new Error('must not be called');
    });
    const id = await db.tx((tx) => publishEvent(tx, ctx, { type: 'test.deliver.created', entityType: 'thing', entityId: 'X', payload: { a: 1 } }));
    await drain(db);
    expect(seenA.map((e) => e.id)).toEqual([id]);
    expect(seenA[0]).toMatchObject({ type: 'test.deliver.created', entityType: 'thing', entityId: 'X', payload: { a: 1 }, tenantId: ctx.actor.tenantId });
    expect(seenB).toEqual([id]);
    expect((await eventRow(id)).dispatchedAt).toEqual(clock.now);
    expect(await followUps(id)).toHaveLength(1);
    const deliveries = await db.read((tx) => tx.select().from(eventDeliveries).where(eq(eventDeliveries.eventId, id)));
    expect(deliveries.map((d) => d.subscriber).sort()).toEqual(['test.deliver.a', 'test.deliver.b']);
  });

  it('does not run a handler twice when the process died between handling and marking the event', async () => {
    let runs = 0;
    subscribe('test.crash.handler', 'test.crash.*', async (tx, e) => {
      runs++;
      await publishEvent(tx, ctx, { type: 'test.followup', payload: { source: e.id } });
    });
    const id = await db.tx((tx) => publishEvent(tx, ctx, { type: 'test.crash.happened' }));
    // The first instance claims and handles the event, then "crashes" before finishEvent marks it.
    const claimed = await claimEvents(db, { now: clock.now, leaseMs: 60_000 });
    const event = claimed.find((e) => e.id === id);
    expect(event).toBeDefined();
    expect(await deliverEvent(db, event as OutboxEvent, clock.now)).toEqual([]);
    expect(runs).toBe(1);
    expect((await eventRow(id)).dispatchedAt).toBeNull();

    // While the lease holds, nobody else takes it.
    await drain(db);
    expect((await eventRow(id)).dispatchedAt).toBeNull();

    // After the lease it is redelivered: the delivery row says "handled", so the handler is skipped.
    advance(61_000);
    await drain(db);
    expect(runs).toBe(1);
    expect(await followUps(id)).toHaveLength(1);
    expect((await eventRow(id)).dispatchedAt).toEqual(clock.now);
  });

  it('retries a failing subscriber with backoff while other events keep flowing', async () => {
    let receiverUp = false;
    let auditRuns = 0;
    const handled: string[] = [];
    subscribe('test.flaky.receiver', 'test.flaky.*', async (tx, e) => {
      if (!receiverUp) throw new Error('receiver down');
      handled.push(e.id);
      await publishEvent(tx, ctx, { type: 'test.followup', payload: { source: e.id } });
    });
    // A second subscriber of the same events succeeds the first time and must not run again on retries.
    subscribe('test.flaky.audit', 'test.flaky.*', async () => {
      auditRuns++;
    });
    subscribe('test.fine.handler', 'test.fine', async (_tx, e) => {
      handled.push(e.id);
    });

    const poison = await db.tx((tx) => publishEvent(tx, ctx, { type: 'test.flaky.poison' }));
    const fine1 = await db.tx((tx) => publishEvent(tx, ctx, { type: 'test.fine' }));
    const r1 = await dispatchPending(db, { now: clock.now });
    expect(r1.failed).toBe(1);
    expect(handled).toEqual([fine1]);
    let row = await eventRow(poison);
    expect(row).toMatchObject({ dispatchedAt: null, attempts: 1 });
    expect(row.lastError).toContain('test.flaky.receiver: receiver down');
    expect(row.nextAttemptAt.getTime() - clock.now.getTime()).toBe(1000);

    // Not due yet: a new event goes through, the poison one waits.
    const fine2 = await db.tx((tx) => publishEvent(tx, ctx, { type: 'test.fine' }));
    await drain(db);
    expect(handled).toEqual([fine1, fine2]);
    expect((await eventRow(poison)).attempts).toBe(1);

    advance(1000);
    await drain(db);
    row = await eventRow(poison);
    expect(row.attempts).toBe(2);
    expect(row.nextAttemptAt.getTime() - clock.now.getTime()).toBe(2000);

    advance(2000);
    receiverUp = true;
    await drain(db);
    row = await eventRow(poison);
    expect(row.dispatchedAt).toEqual(clock.now);
    expect(row.lastError).toBeNull();
    expect(handled).toEqual([fine1, fine2, poison]);
    expect(auditRuns).toBe(1);
    expect(await followUps(poison)).toHaveLength(1);
  });

  it('rolls back what a failing handler wrote, so its retry starts clean', async () => {
    let attempt = 0;
    subscribe('test.rollback.handler', 'test.rollback', async (tx, e) => {
      attempt++;
      await publishEvent(tx, ctx, { type: 'test.followup', payload: { source: e.id } });
      if (attempt === 1) throw new Error('failed after writing');
    });
    const id = await db.tx((tx) => publishEvent(tx, ctx, { type: 'test.rollback' }));
    await drain(db);
    expect(await followUps(id)).toHaveLength(0);
    advance(1000);
    await drain(db);
    expect(attempt).toBe(2);
    expect(await followUps(id)).toHaveLength(1);
  });

  it('polls in the background and is woken by a publish', async () => {
    const seen: string[] = [];
    subscribe('test.poll.handler', 'test.poll', async (_tx, e) => {
      seen.push(e.id);
    });
    // A long interval: only the wake-up from publishEvent can make this fast.
    const stop = startDispatcher(db, { now: () => clock.now, intervalMs: 60_000 });
    try {
      await vi.waitFor(async () => expect((await db.read((tx) => tx.select().from(outboxEvents).where(sql`dispatched_at IS NULL AND next_attempt_at <= ${clock.now}`))).length).toBe(0), { timeout: 5000 });
      const id = await db.tx((tx) => publishEvent(tx, ctx, { type: 'test.poll' }));
      await vi.waitFor(() => expect(seen).toEqual([id]), { timeout: 5000, interval: 10 });
    } finally {
      await stop();
    }
  });
});

describe('dispatcher on two instances', () => {
  it('two dispatchers running at once handle each event exactly once in effect', async () => {
    // On PostgreSQL the second "instance" has its own connection pool; on PGlite both share the one
    // connection (serialized by the db wrapper), which still exercises the claim logic.
    const second = db.url ? await openPostgres(db.url, 4) : db;
    try {
      const runs = new Map<string, number>();
      subscribe('test.concurrent.handler', 'test.concurrent', async (tx, e) => {
        runs.set(e.id, (runs.get(e.id) ?? 0) + 1);
        await publishEvent(tx, ctx, { type: 'test.followup', payload: { source: e.id } });
        if (db.kind === 'postgres') await tx.execute(sql`SELECT pg_sleep(0.002)`);
      });
      const ids: string[] = [];
      await db.tx(async (tx) => {
        for (let i = 0; i < 60; i++) ids.push(await publishEvent(tx, ctx, { type: 'test.concurrent', payload: { i } }));
      });
      const [a, b] = await Promise.all([drain(db, 5), drain(second, 5)]);
      expect(a + b).toBeGreaterThanOrEqual(60);
      expect([...runs.keys()].sort()).toEqual([...ids].sort());
      expect([...runs.values()].every((n) => n === 1)).toBe(true);
      const delivered = await db.read((tx) => tx.select().from(eventDeliveries).where(eq(eventDeliveries.subscriber, 'test.concurrent.handler')));
      expect(delivered).toHaveLength(60);
      const followups = await db.read((tx) => tx.select().from(outboxEvents).where(and(eq(outboxEvents.type, 'test.followup'), sql`${outboxEvents.payload}->>'source' IN ${ids}`)));
      expect(followups).toHaveLength(60);
      if (db.kind === 'postgres') {
        // Both instances did part of the work.
        expect(a).toBeGreaterThan(0);
        expect(b).toBeGreaterThan(0);
      }
    } finally {
      if (second !== db) await second.close();
    }
  });

  it('runs a handler once when two instances deliver the same event at the same moment (overlapping leases)', async () => {
    const second = db.url ? await openPostgres(db.url, 4) : db;
    try {
      let runs = 0;
      subscribe('test.overlap.handler', 'test.overlap', async (tx, e) => {
        runs++;
        await publishEvent(tx, ctx, { type: 'test.followup', payload: { source: e.id } });
        // Hold the transaction open so the other instance's insert of the delivery row has to wait on it.
        if (db.kind === 'postgres') await tx.execute(sql`SELECT pg_sleep(0.2)`);
      });
      const id = await db.tx((tx) => publishEvent(tx, ctx, { type: 'test.overlap' }));
      const [event] = (await claimEvents(db, { now: clock.now })).filter((e) => e.id === id);
      expect(event).toBeDefined();
      const results = await Promise.all([deliverEvent(db, event as OutboxEvent, clock.now), deliverEvent(second, event as OutboxEvent, clock.now)]);
      expect(results).toEqual([[], []]);
      expect(runs).toBe(1);
      expect(await followUps(id)).toHaveLength(1);
    } finally {
      if (second !== db) await second.close();
    }
  });
});
