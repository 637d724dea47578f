import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { and, eq, like } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestApp, seedSmallCompany, type TestApp } from '../../test/app.ts';
import { makeTenant } from '../../test/factories.ts';
import { auditLog } from '../audit/schema.ts';
import { openPglite, openPostgres, type Database } from '../db/client.ts';
import { claimDueJobs, executeJob, retryDelayMs, runDueJobs, startJobRunner, type JobLogger } from './runner.ts';
import { jobs, jobSchedules } from './schema.ts';
import { cancelJob, cancelJobsByPrefix, registerJobHandler, registerSchedule, rescheduleJob, scheduleJob, syncSchedules, upsertSchedule, type Job } from './service.ts';

let t: TestApp;
let s: Awaited<ReturnType<typeof seedSmallCompany>>;

beforeAll(async () => {
  t = await createTestApp();
  s = await seedSmallCompany(t);
});
afterAll(() => t.close());

const MIN = 60_000;
const HOUR = 60 * MIN;
const at = (base: Date, ms: number) => new Date(base.getTime() + ms);

function recorder() {
  const entries: { level: 'info' | 'warn' | 'error'; obj: object; msg: string }[] = [];
  const log: JobLogger = {
    info: (obj, msg) => entries.push({ level: 'info', obj, msg }),
    warn: (obj, msg) => entries.push({ level: 'warn', obj, msg }),
    error: (obj, msg) => entries.push({ level: 'error', obj, msg }),
  };
  return { entries, log };
}

const quiet = recorder().log;

function runAt(now: Date, instanceId = 'runner-a', db: Database = t.db, log: JobLogger = quiet) {
  return runDueJobs(db, { now: () => now, instanceId, log });
}

async function jobById(id: string, db: Database = t.db): Promise<Job> {
  const [row] = await db.read((tx) => tx.select().from(jobs).where(eq(jobs.id, id)));
  if (!row) throw new Error(`job ${id} missing`);
  return row;
}

/** Records each run of a kind; each test uses its own kind, so the counts are its own. */
function countingHandler(kind: string, behaviour: (job: Job, run: number) => Promise<void> | void = () => undefined) {
  const runs: { jobId: string; now: Date; payload: Record<string, unknown> }[] = [];
  registerJobHandler(kind, async ({ job, now }) => {
    runs.push({ jobId: job.id, now, payload: job.payload });
    await behaviour(job, runs.length);
  });
  return runs;
}

describe('timers', () => {
  it('fires a timer once at its time: not before, once at it, never again', async () => {
    const runs = countingHandler('test.timer');
    const T = new Date('2030-01-01T00:00:00Z');
    const id = await t.db.tx((tx) => scheduleJob(tx, { kind: 'test.timer', runAt: at(T, HOUR), payload: { hazardId: 'h-1' } }));

    await runAt(at(T, 59 * MIN));
    expect(runs).toHaveLength(0);
    expect((await jobById(id)).status).toBe('pending');

    await runAt(at(T, HOUR));
    expect(runs).toEqual([{ jobId: id, now: at(T, HOUR), payload: { hazardId: 'h-1' } }]);
    const done = await jobById(id);
    expect(done).toMatchObject({ status: 'done', attempts: 1, lastError: null, lockedBy: null, lockedUntil: null });
    expect(done.finishedAt).toEqual(at(T, HOUR));

    await runAt(at(T, 2 * HOUR));
    await runAt(at(T, 3 * HOUR), 'runner-b');
    expect(runs).toHaveLength(1);
  });

  it('creates no timer when the transaction that scheduled it rolls back', async () => {
    await expect(
      t.db.tx(async (tx) => {
        await scheduleJob(tx, { kind: 'test.timer', runAt: new Date('2030-01-02T00:00:00Z'), dedupeKey: 'rolled-back:1' });
        throw new Error('saving the hazard failed');
      }),
    ).rejects.toThrow('saving the hazard failed');
    const rows = await t.db.read((tx) => tx.select().from(jobs).where(eq(jobs.dedupeKey, 'rolled-back:1')));
    expect(rows).toHaveLength(0);
  });

  it('retries a failing job with growing, jittered backoff and marks it done when it succeeds', async () => {
    const runs = countingHandler('test.flaky', (_job, run) => {
      if (run < 3) throw new Error(`boom ${run}`);
    });
    const T = new Date('2030-02-01T00:00:00Z');
    const id = await t.db.tx((tx) => scheduleJob(tx, { kind: 'test.flaky', runAt: T }));

    const first = await runAt(T);
    expect(first.outcomes.retry).toBe(1);
    let row = await jobById(id);
    expect(row).toMatchObject({ status: 'pending', attempts: 1, lockedBy: null });
    expect(row.lastError).toContain('boom 1');
    // First retry 5–10 s later (10 s step, 50–100 % jitter).
    expect(row.runAt.getTime() - T.getTime()).toBeGreaterThanOrEqual(5_000);
    expect(row.runAt.getTime() - T.getTime()).toBeLessThanOrEqual(10_000);

    await runAt(at(T, 4_999));
    expect(runs).toHaveLength(1);

    const second = row.runAt;
    await runAt(second);
    expect(runs).toHaveLength(2);
    row = await jobById(id);
    expect(row).toMatchObject({ status: 'pending', attempts: 2 });
    expect(row.lastError).toContain('boom 2');
    // Second retry 10–20 s after the second failure.
    expect(row.runAt.getTime() - second.getTime()).toBeGreaterThanOrEqual(10_000);
    expect(row.runAt.getTime() - second.getTime()).toBeLessThanOrEqual(20_000);

    await runAt(row.runAt);
    expect(runs).toHaveLength(3);
    expect(await jobById(id)).toMatchObject({ status: 'done', attempts: 3, lastError: null });
  });

  it('computes backoff as 10 s doubling per attempt, capped at 1 h', () => {
    expect(retryDelayMs(1, () => 1)).toBe(10_000);
    expect(retryDelayMs(2, () => 1)).toBe(20_000);
    expect(retryDelayMs(4, () => 0)).toBe(40_000);
    expect(retryDelayMs(30, () => 1)).toBe(HOUR);
  });

  it('marks a job failed after maxAttempts, logs an error and never runs it again', async () => {
    const runs = countingHandler('test.broken', () => {
      throw new Error('smtp refused');
    });
    const { entries, log } = recorder();
    const T = new Date('2030-03-01T00:00:00Z');
    const id = await t.db.tx((tx) => scheduleJob(tx, { kind: 'test.broken', runAt: T, maxAttempts: 2 }));
    await runAt(T, 'runner-a', t.db, log);
    const retryAt = (await jobById(id)).runAt;
    const last = await runAt(retryAt, 'runner-a', t.db, log);
    expect(last.outcomes.failed).toBe(1);
    const row = await jobById(id);
    expect(row).toMatchObject({ status: 'failed', attempts: 2 });
    expect(row.lastError).toContain('smtp refused');
    expect(row.finishedAt).toEqual(retryAt);
    expect(entries.filter((e) => e.level === 'error').map((e) => e.obj)).toContainEqual(expect.objectContaining({ jobId: id, kind: 'test.broken' }));

    await runAt(at(T, 10 * HOUR));
    expect(runs).toHaveLength(2);
  });

  it('fails a job of an unknown kind with a clear error instead of crashing the runner', async () => {
    const T = new Date('2030-04-01T00:00:00Z');
    const id = await t.db.tx((tx) => scheduleJob(tx, { kind: 'test.nobody-handles-this', runAt: T }));
    const summary = await runAt(T);
    expect(summary.outcomes.failed).toBe(1);
    const row = await jobById(id);
    expect(row.status).toBe('failed');
    expect(row.lastError).toBe('no handler registered for job kind "test.nobody-handles-this"');
  });

  it('reclaims a job whose runner crashed (lease expired) and runs it once on another instance', async () => {
    const runs = countingHandler('test.crash');
    const { entries, log } = recorder();
    const T = new Date('2030-05-01T00:00:00Z');
    const id = await t.db.tx((tx) => scheduleJob(tx, { kind: 'test.crash', runAt: T }));
    // Instance "crashed" claims the job and dies before running it.
    const claimed = await claimDueJobs(t.db, { now: T, instanceId: 'crashed', limit: 10, leaseMs: MIN });
    expect(claimed.map((j) => j.id)).toContain(id);
    expect(await jobById(id)).toMatchObject({ status: 'running', lockedBy: 'crashed', attempts: 1 });

    // While the lease lasts nobody else touches it.
    await runAt(at(T, 30_000), 'survivor', t.db, log);
    expect(runs).toHaveLength(0);

    const after = await runAt(at(T, MIN + 1), 'survivor', t.db, log);
    expect(after.reclaimed).toBe(1);
    expect(runs.map((r) => r.jobId)).toEqual([id]);
    expect(await jobById(id)).toMatchObject({ status: 'done', attempts: 2, lockedBy: null });
    expect(entries).toContainEqual(expect.objectContaining({ level: 'warn', msg: 'job reclaimed after its lease expired' }));

    // The crashed instance comes back and reports its stale claim: the fence drops it.
    const stale = claimed.find((j) => j.id === id)!;
    const outcome = await executeJob(t.db, stale, { instanceId: 'crashed', now: () => at(T, 2 * MIN), leaseMs: MIN, log: quiet });
    expect(outcome).toBe('lost');
    expect(await jobById(id)).toMatchObject({ status: 'done', attempts: 2 });
  });

  it('claims at most `limit` due jobs per call, oldest first', async () => {
    const T = new Date('2030-05-15T00:00:00Z');
    const ids = await t.db.tx(async (tx) => {
      const out: string[] = [];
      for (let i = 0; i < 5; i++) out.push(await scheduleJob(tx, { kind: 'test.limit', runAt: at(T, -i * 1000) }));
      return out;
    });
    const first = await claimDueJobs(t.db, { now: T, instanceId: 'limit', limit: 2, leaseMs: MIN });
    expect(first.map((j) => j.id)).toEqual([ids[4], ids[3]]);
    const rest = await claimDueJobs(t.db, { now: T, instanceId: 'limit', limit: 10, leaseMs: MIN });
    expect(rest.map((j) => j.id)).toEqual([ids[2], ids[1], ids[0]]);
    // Finish them so later tests do not see them (their kind has no handler: they fail).
    await t.db.tx((tx) => tx.update(jobs).set({ status: 'done' }).where(eq(jobs.kind, 'test.limit')));
  });

  it('lets a handler run the same job again later (a reminder that repeats until acknowledged)', async () => {
    let remaining = 2;
    const runs: Date[] = [];
    registerJobHandler('test.remind', async ({ now }) => {
      runs.push(now);
      return remaining-- > 0 ? { runAgainAt: at(now, 30 * MIN) } : undefined;
    });
    const T = new Date('2030-06-01T00:00:00Z');
    const id = await t.db.tx((tx) => scheduleJob(tx, { kind: 'test.remind', runAt: T, dedupeKey: 'alarm:1:remind' }));
    for (const m of [0, 10, 30, 45, 60, 90]) await runAt(at(T, m * MIN));
    expect(runs).toEqual([T, at(T, 30 * MIN), at(T, 60 * MIN)]);
    expect(await jobById(id)).toMatchObject({ status: 'done' });
  });
});

describe('dedupe keys, cancel, reschedule', () => {
  it('returns the same job for the same dedupeKey, also when scheduled concurrently, and keeps the first time', async () => {
    const T = new Date('2031-01-01T00:00:00Z');
    const first = await t.db.tx((tx) => scheduleJob(tx, { kind: 'test.timer', runAt: T, dedupeKey: 'hazard:A:sla:respond' }));
    const again = await t.db.tx((tx) => scheduleJob(tx, { kind: 'test.timer', runAt: at(T, HOUR), dedupeKey: 'hazard:A:sla:respond' }));
    const concurrent = await Promise.all(
      Array.from({ length: 8 }, () => t.db.tx((tx) => scheduleJob(tx, { kind: 'test.timer', runAt: at(T, 2 * HOUR), dedupeKey: 'hazard:A:sla:respond' }))),
    );
    expect(again).toBe(first);
    expect(new Set(concurrent)).toEqual(new Set([first]));
    const rows = await t.db.read((tx) => tx.select().from(jobs).where(eq(jobs.dedupeKey, 'hazard:A:sla:respond')));
    expect(rows).toHaveLength(1);
    expect(rows[0]!.runAt).toEqual(T);
  });

  it('does not re-arm a timer that already fired when its key is scheduled again', async () => {
    const runs = countingHandler('test.once');
    const T = new Date('2031-02-01T00:00:00Z');
    const id = await t.db.tx((tx) => scheduleJob(tx, { kind: 'test.once', runAt: T, dedupeKey: 'once:1' }));
    await runAt(T);
    expect(await t.db.tx((tx) => scheduleJob(tx, { kind: 'test.once', runAt: at(T, HOUR), dedupeKey: 'once:1' }))).toBe(id);
    await runAt(at(T, 2 * HOUR));
    expect(runs).toHaveLength(1);
  });

  it('cancels by key and by key prefix (a closed hazard drops its SLA timers) and re-arms a cancelled key when scheduled again', async () => {
    const runs = countingHandler('test.sla');
    const T = new Date('2031-03-01T00:00:00Z');
    const ids = await t.db.tx(async (tx) => ({
      respond: await scheduleJob(tx, { kind: 'test.sla', runAt: at(T, HOUR), dedupeKey: 'hazard:B:sla:respond' }),
      rectify: await scheduleJob(tx, { kind: 'test.sla', runAt: at(T, 2 * HOUR), dedupeKey: 'hazard:B:sla:rectify' }),
      other: await scheduleJob(tx, { kind: 'test.sla', runAt: at(T, 2 * HOUR), dedupeKey: 'hazard:BB:sla:respond' }),
      single: await scheduleJob(tx, { kind: 'test.sla', runAt: at(T, 2 * HOUR), dedupeKey: 'permit:C:expire' }),
    }));
    expect(await t.db.tx((tx) => cancelJobsByPrefix(tx, 'hazard:B:', T))).toBe(2);
    expect(await t.db.tx((tx) => cancelJob(tx, 'permit:C:expire', T))).toBe(1);
    expect(await t.db.tx((tx) => cancelJob(tx, 'permit:C:expire', T))).toBe(0);
    expect(await t.db.tx((tx) => cancelJobsByPrefix(tx, '%%%', T))).toBe(0);

    await runAt(at(T, 3 * HOUR));
    expect(runs.map((r) => r.jobId)).toEqual([ids.other]);
    expect((await jobById(ids.respond)).status).toBe('cancelled');

    // Reopened for rework: scheduling the key again brings the cancelled timer back with the new time.
    const rearmed = await t.db.tx((tx) => scheduleJob(tx, { kind: 'test.sla', runAt: at(T, 4 * HOUR), dedupeKey: 'hazard:B:sla:respond', payload: { round: 2 } }));
    expect(rearmed).toBe(ids.respond);
    expect(await jobById(ids.respond)).toMatchObject({ status: 'pending', runAt: at(T, 4 * HOUR), payload: { round: 2 } });
    await runAt(at(T, 4 * HOUR));
    expect(runs.map((r) => r.jobId)).toEqual([ids.other, ids.respond]);
  });

  it('reschedules a pending timer and re-arms a fired one (deadline extended)', async () => {
    const runs = countingHandler('test.deadline');
    const T = new Date('2031-04-01T00:00:00Z');
    const id = await t.db.tx((tx) => scheduleJob(tx, { kind: 'test.deadline', runAt: at(T, HOUR), dedupeKey: 'hazard:D:overdue' }));
    expect(await t.db.tx((tx) => rescheduleJob(tx, 'hazard:D:overdue', at(T, 3 * HOUR)))).toBe(id);
    await runAt(at(T, 2 * HOUR));
    expect(runs).toHaveLength(0);
    await runAt(at(T, 3 * HOUR));
    expect(runs).toHaveLength(1);
    expect(await t.db.tx((tx) => rescheduleJob(tx, 'hazard:D:overdue', at(T, 5 * HOUR)))).toBe(id);
    expect(await jobById(id)).toMatchObject({ status: 'pending', attempts: 0, finishedAt: null });
    await runAt(at(T, 5 * HOUR));
    expect(runs).toHaveLength(2);
    expect(await t.db.tx((tx) => rescheduleJob(tx, 'no-such-key', T))).toBeNull();
  });
});

describe('cron schedules', () => {
  it('creates one job per slot and, after a long gap, one job for the latest missed slot instead of a burst', async () => {
    const runs = countingHandler('test.cron');
    const T = new Date('2032-01-01T00:02:00Z');
    registerSchedule({ name: 'test-every-5-min', cron: '*/5 * * * *', timeZone: 'UTC', kind: 'test.cron', payload: { sweep: true } });
    await syncSchedules(t.db, T);
    const schedule = async () => (await t.db.read((tx) => tx.select().from(jobSchedules).where(eq(jobSchedules.name, 'test-every-5-min'))))[0]!;
    expect((await schedule()).nextRunAt).toEqual(new Date('2032-01-01T00:05:00Z'));
    const cronJobs = () => t.db.read((tx) => tx.select().from(jobs).where(like(jobs.dedupeKey, 'cron:test-every-5-min:%')).orderBy(jobs.runAt));

    await runAt(new Date('2032-01-01T00:04:59Z'));
    expect(await cronJobs()).toHaveLength(0);

    await runAt(new Date('2032-01-01T00:05:00Z'));
    await runAt(new Date('2032-01-01T00:05:30Z'), 'runner-b');
    await runAt(new Date('2032-01-01T00:10:00Z'));
    // Five hours down: 60 slots missed.
    const { entries, log } = recorder();
    await runAt(new Date('2032-01-01T05:07:00Z'), 'runner-a', t.db, log);
    await runAt(new Date('2032-01-01T05:08:00Z'));

    const rows = await cronJobs();
    expect(rows.map((r) => r.dedupeKey)).toEqual([
      'cron:test-every-5-min:2032-01-01T00:05:00.000Z',
      'cron:test-every-5-min:2032-01-01T00:10:00.000Z',
      'cron:test-every-5-min:2032-01-01T05:05:00.000Z',
    ]);
    expect(rows.every((r) => r.status === 'done' && r.kind === 'test.cron')).toBe(true);
    expect(runs.map((r) => r.payload)).toEqual([{ sweep: true }, { sweep: true }, { sweep: true }]);
    expect(await schedule()).toMatchObject({ nextRunAt: new Date('2032-01-01T05:10:00Z'), lastRunAt: new Date('2032-01-01T05:05:00Z') });
    expect(entries).toContainEqual(expect.objectContaining({ msg: 'missed cron slots: running the latest only' }));

    await t.db.tx((tx) => upsertSchedule(tx, { name: 'test-every-5-min', cron: '*/5 * * * *', timeZone: 'UTC', kind: 'test.cron', enabled: false }, T));
  });

  it('reads the cron expression in the schedule time zone and keeps a due slot across a restart', async () => {
    const T = new Date('2032-02-01T12:00:00Z');
    const def = { name: 'test-daily-8', cron: '0 8 * * *', timeZone: 'Asia/Shanghai', kind: 'test.cron' };
    await t.db.tx((tx) => upsertSchedule(tx, def, T));
    const next = async () => (await t.db.read((tx) => tx.select().from(jobSchedules).where(eq(jobSchedules.name, 'test-daily-8'))))[0]!.nextRunAt;
    // 08:00 in Shanghai is 00:00 UTC.
    expect(await next()).toEqual(new Date('2032-02-02T00:00:00Z'));
    // The process was down over the slot; re-syncing at start must not skip it.
    await t.db.tx((tx) => upsertSchedule(tx, def, new Date('2032-02-02T03:00:00Z')));
    expect(await next()).toEqual(new Date('2032-02-02T00:00:00Z'));
    // A changed expression recomputes.
    await t.db.tx((tx) => upsertSchedule(tx, { ...def, cron: '0 9 * * *', enabled: false }, new Date('2032-02-02T03:00:00Z')));
    expect(await next()).toEqual(new Date('2032-02-03T01:00:00Z'));
  });

  it('refuses an invalid cron expression or time zone when it is registered', () => {
    expect(() => registerSchedule({ name: 'bad-cron', cron: 'every day', kind: 'x' })).toThrow(/CronPattern/);
    expect(() => registerSchedule({ name: 'bad-zone', cron: '0 8 * * *', timeZone: 'Mars/Olympus', kind: 'x' })).toThrow(/timezone/i);
  });
});

describe('durability and concurrency', () => {
  it('fires timers after a restart: scheduled and claimed-then-crashed jobs in a PGlite folder run once after reopening it', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'safeloop-jobs-'));
    const runs = countingHandler('test.restart');
    const T = new Date('2033-01-01T00:00:00Z');
    try {
      let db = await openPglite(dir);
      await db.tx(async (tx) => {
        await scheduleJob(tx, { kind: 'test.restart', runAt: at(T, HOUR), dedupeKey: 'restart:timer' });
        await scheduleJob(tx, { kind: 'test.restart', runAt: T, dedupeKey: 'restart:inflight' });
      });
      const claimed = await claimDueJobs(db, { now: T, instanceId: 'old-process', limit: 10, leaseMs: MIN });
      expect(claimed.map((j) => j.dedupeKey)).toEqual(['restart:inflight']);
      await db.close();

      db = await openPglite(dir);
      try {
        // The old process's lease (1 min) still holds, and the timer is not due.
        await runDueJobs(db, { now: () => at(T, 30_000), instanceId: 'new-process', log: quiet });
        expect(runs).toHaveLength(0);
        await runDueJobs(db, { now: () => at(T, 2 * HOUR), instanceId: 'new-process', log: quiet });
        await runDueJobs(db, { now: () => at(T, 3 * HOUR), instanceId: 'new-process', log: quiet });
        const rows = await db.read((tx) => tx.select().from(jobs).where(like(jobs.dedupeKey, 'restart:%')));
        expect(rows.map((r) => [r.dedupeKey, r.status]).sort()).toEqual([
          ['restart:inflight', 'done'],
          ['restart:timer', 'done'],
        ]);
        expect(runs).toHaveLength(2);
      } finally {
        await db.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it.skipIf(!process.env.TEST_DATABASE_URL)(
    'never runs a job twice with two runners on separate connection pools (PostgreSQL only; skipped when TEST_DATABASE_URL is unset)',
    async () => {
      if (!t.db.url) throw new Error('expected a PostgreSQL test database');
      const second = await openPostgres(t.db.url, 5);
      const counts = new Map<string, number>();
      const byInstance = new Map<string, number>();
      registerJobHandler('test.race', async ({ job }) => {
        counts.set(job.id, (counts.get(job.id) ?? 0) + 1);
        byInstance.set(job.lockedBy ?? '?', (byInstance.get(job.lockedBy ?? '?') ?? 0) + 1);
        // Yield so the two runners' claims and finishes interleave.
        await new Promise((r) => setImmediate(r));
      });
      const cronRuns = countingHandler('test.race-cron');
      const T = new Date('2034-01-01T00:00:00Z');
      await t.db.tx((tx) => upsertSchedule(tx, { name: 'test-race-every-minute', cron: '* * * * *', timeZone: 'UTC', kind: 'test.race-cron' }, T));
      const ROUNDS = 25;
      const PER_ROUND = 40;
      try {
        for (let round = 0; round < ROUNDS; round++) {
          const now = at(T, (round + 1) * MIN);
          await t.db.tx(async (tx) => {
            for (let i = 0; i < PER_ROUND; i++) await scheduleJob(tx, { kind: 'test.race', runAt: at(now, -i * 1000) });
          });
          const drain = async (db: Database, instanceId: string) => {
            for (;;) {
              const r = await runDueJobs(db, { now: () => now, instanceId, batch: 3, log: quiet });
              expect(r.claimed).toBeLessThanOrEqual(3);
              if (r.claimed === 0) return;
            }
          };
          await Promise.all([drain(t.db, 'pool-1'), drain(second, 'pool-2')]);
        }
        const raceJobs = await t.db.read((tx) => tx.select().from(jobs).where(eq(jobs.kind, 'test.race')));
        expect(raceJobs).toHaveLength(ROUNDS * PER_ROUND);
        expect(raceJobs.every((j) => j.status === 'done' && j.attempts === 1)).toBe(true);
        expect(counts.size).toBe(ROUNDS * PER_ROUND);
        expect([...counts.values()].every((c) => c === 1)).toBe(true);
        // Both runners did real work (the test would prove little if one took everything).
        expect(byInstance.get('pool-1')).toBeGreaterThan(0);
        expect(byInstance.get('pool-2')).toBeGreaterThan(0);
        // One cron job per minute slot, although both runners saw every slot due.
        const cronJobs = await t.db.read((tx) => tx.select().from(jobs).where(eq(jobs.kind, 'test.race-cron')));
        expect(cronJobs).toHaveLength(ROUNDS);
        expect(cronRuns).toHaveLength(ROUNDS);
      } finally {
        await t.db.tx((tx) => upsertSchedule(tx, { name: 'test-race-every-minute', cron: '* * * * *', timeZone: 'UTC', kind: 'test.race-cron', enabled: false }, T));
        await second.close();
      }
    },
  );
});

describe('admin API', () => {
  it('lists jobs for a sys_admin with status and kind filters and cursor pages, never another tenant’s', async () => {
    const other = await makeTenant(t.db, 'Other Co');
    const T = new Date('2035-01-01T00:00:00Z');
    const ids = await t.db.tx(async (tx) => ({
      mine1: await scheduleJob(tx, { kind: 'test.admin', runAt: T, tenantId: s.tenant.id }),
      mine2: await scheduleJob(tx, { kind: 'test.admin', runAt: T, tenantId: s.tenant.id }),
      global: await scheduleJob(tx, { kind: 'test.admin', runAt: T }),
      theirs: await scheduleJob(tx, { kind: 'test.admin', runAt: T, tenantId: other.tenant.id }),
    }));
    const { authorization } = await t.login(s.admin.username, s.admin.password);
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/jobs?kind=test.admin&status=pending&limit=2', headers: { authorization } });
    expect(res.statusCode).toBe(200);
    const page1 = res.json();
    expect(page1.items).toHaveLength(2);
    expect(page1.nextCursor).toEqual(expect.any(String));
    const res2 = await t.app.inject({ method: 'GET', url: `/api/v1/jobs?kind=test.admin&status=pending&limit=2&cursor=${page1.nextCursor}`, headers: { authorization } });
    const page2 = res2.json();
    const seen = [...page1.items, ...page2.items].map((j: { id: string }) => j.id);
    expect(new Set(seen)).toEqual(new Set([ids.mine1, ids.mine2, ids.global]));
    expect(page2.nextCursor).toBeNull();
    expect(page1.items[0]).toMatchObject({ kind: 'test.admin', status: 'pending', attempts: 0, maxAttempts: 5, runAt: T.toISOString() });

    const bad = await t.app.inject({ method: 'GET', url: '/api/v1/jobs?status=sleeping', headers: { authorization } });
    expect(bad.statusCode).toBe(400);
    const forged = Buffer.from(JSON.stringify({ id: "x' OR 1=1" })).toString('base64url');
    const badCursor = await t.app.inject({ method: 'GET', url: `/api/v1/jobs?cursor=${forged}`, headers: { authorization } });
    expect(badCursor.statusCode).toBe(400);
    expect(badCursor.json().errors[0]).toMatchObject({ field: 'cursor' });
  });

  it('returns 403 for GET /jobs when the actor lacks jobs:read (safety director)', async () => {
    const { authorization } = await t.login(s.safety.username, s.safety.password);
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/jobs', headers: { authorization } });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ code: 'forbidden', permission: 'jobs:read' });
    const retry = await t.app.inject({ method: 'POST', url: `/api/v1/jobs/${'0'.repeat(8)}-0000-7000-8000-000000000000/retry`, headers: { authorization } });
    expect(retry.statusCode).toBe(403);
  });

  it('retries a failed job (audited, runs again), refuses a job that is not failed (409) and another tenant’s (404)', async () => {
    let fail = true;
    const runs = countingHandler('test.retry', () => {
      if (fail) throw new Error('webhook 502');
    });
    const T = new Date('2035-02-01T00:00:00Z');
    t.clock.now = at(T, HOUR);
    const other = await makeTenant(t.db, 'Other Co 2');
    const ids = await t.db.tx(async (tx) => ({
      mine: await scheduleJob(tx, { kind: 'test.retry', runAt: T, tenantId: s.tenant.id, maxAttempts: 1 }),
      theirs: await scheduleJob(tx, { kind: 'test.retry', runAt: T, tenantId: other.tenant.id, maxAttempts: 1 }),
      pending: await scheduleJob(tx, { kind: 'test.retry', runAt: at(T, 100 * HOUR), tenantId: s.tenant.id }),
    }));
    await runAt(T);
    expect((await jobById(ids.mine)).status).toBe('failed');

    const { authorization } = await t.login(s.admin.username, s.admin.password);
    const res = await t.app.inject({ method: 'POST', url: `/api/v1/jobs/${ids.mine}/retry`, headers: { authorization } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: ids.mine, status: 'pending', attempts: 0, runAt: at(T, HOUR).toISOString(), lastError: expect.stringContaining('webhook 502') });
    const audit = await t.db.read((tx) => tx.select().from(auditLog).where(and(eq(auditLog.entityId, ids.mine), eq(auditLog.action, 'job.retried'))));
    expect(audit).toHaveLength(1);
    expect(audit[0]!.actorUserId).toBe(s.admin.user.id);

    fail = false;
    await runAt(at(T, HOUR));
    expect(await jobById(ids.mine)).toMatchObject({ status: 'done', lastError: null });
    expect(runs.filter((r) => r.jobId === ids.mine)).toHaveLength(2);

    const notFailed = await t.app.inject({ method: 'POST', url: `/api/v1/jobs/${ids.pending}/retry`, headers: { authorization } });
    expect(notFailed.statusCode).toBe(409);
    expect(notFailed.json().code).toBe('conflict');
    const theirs = await t.app.inject({ method: 'POST', url: `/api/v1/jobs/${ids.theirs}/retry`, headers: { authorization } });
    expect(theirs.statusCode).toBe(404);
    expect((await jobById(ids.theirs)).status).toBe('failed');
  });
});

describe('runner loop', () => {
  it('runs due jobs in the background with at most `concurrency` handlers, and stop() waits for running ones', async () => {
    const T = new Date('2036-01-01T00:00:00Z');
    let active = 0;
    let maxActive = 0;
    const gates: (() => void)[] = [];
    const started: string[] = [];
    registerJobHandler('test.loop', async ({ job }) => {
      active++;
      maxActive = Math.max(maxActive, active);
      started.push(job.id);
      await new Promise<void>((release) => gates.push(release));
      active--;
    });
    const ids = await t.db.tx(async (tx) => {
      const out: string[] = [];
      for (let i = 0; i < 5; i++) out.push(await scheduleJob(tx, { kind: 'test.loop', runAt: at(T, -i * 1000) }));
      return out;
    });
    const runner = startJobRunner(t.db, { instanceId: 'loop', pollMs: 5, concurrency: 2, now: () => T, log: quiet });
    let stopped = false;
    try {
      await vi.waitFor(() => expect(started).toHaveLength(2));
      gates.shift()!();
      await vi.waitFor(() => expect(started).toHaveLength(3));
      gates.shift()!();
      gates.shift()!();
      await vi.waitFor(() => expect(started).toHaveLength(5));
      gates.shift()!();
      // One handler is still running: stop() must wait for it.
      const stopping = runner.stop().then(() => (stopped = true));
      for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
      expect(stopped).toBe(false);
      gates.shift()!();
      await stopping;
    } finally {
      for (const release of gates) release();
      await runner.stop();
    }
    expect(maxActive).toBe(2);
    const rows = await t.db.read((tx) => tx.select().from(jobs).where(eq(jobs.kind, 'test.loop')));
    expect(rows.map((r) => r.status)).toEqual(ids.map(() => 'done'));
  });
});
