import { and, asc, eq, lte, sql } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { jobs, jobSchedules } from './schema.ts';
import { cronOf, jobHandlerFor, scheduleJob, syncSchedules, type Job } from './service.ts';

/** pino-compatible (Fastify's `app.log` fits); tests pass a recorder. */
export interface JobLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

const consoleLogger: JobLogger = {
  info: () => undefined,
  warn: (obj, msg) => console.warn(msg, obj),
  error: (obj, msg) => console.error(msg, obj),
};

export interface RunOptions {
  /** Written to locked_by: which process holds a job. */
  instanceId: string;
  now?: () => Date;
  /** Most jobs claimed (and run concurrently) by one call. */
  batch?: number;
  /** How long a claim lasts without a heartbeat; after that another instance may take the job over. */
  leaseMs?: number;
  log?: JobLogger;
}

export const DEFAULT_LEASE_MS = 5 * 60_000;
const RETRY_BASE_MS = 10_000;
const RETRY_CAP_MS = 60 * 60_000;
const MAX_ERROR_CHARS = 4000;

/**
 * Exponential backoff with jitter: about 10 s, 20 s, 40 s … after the 1st, 2nd, 3rd failure, capped at 1 h.
 * The jitter (50–100 % of the step) spreads retries of jobs that failed together (a mail server was down),
 * so they do not all hit it again in the same second.
 */
export function retryDelayMs(attempts: number, random: () => number = Math.random): number {
  const step = Math.min(RETRY_BASE_MS * 2 ** Math.max(0, attempts - 1), RETRY_CAP_MS);
  return Math.round(step * (0.5 + 0.5 * random()));
}

function errorText(e: unknown): string {
  const text = e instanceof Error ? (e.stack ?? `${e.name}: ${e.message}`) : String(e);
  return text.length > MAX_ERROR_CHARS ? `${text.slice(0, MAX_ERROR_CHARS)}…` : text;
}

/**
 * Jobs whose lease ran out while 'running' belonged to a process that stopped or crashed: they go back to
 * pending (and are picked up at once, their run_at being in the past), or to failed when they have used up
 * their attempts (a job that kills its process every time must not kill every instance forever).
 * This is how timers survive restarts.
 */
export async function reclaimExpiredLeases(db: Database, now: Date, log: JobLogger = consoleLogger): Promise<number> {
  const rows = await db.tx((tx) =>
    tx
      .update(jobs)
      .set({
        status: sql`CASE WHEN ${jobs.attempts} >= ${jobs.maxAttempts} THEN 'failed' ELSE 'pending' END`,
        lastError: sql`'lease expired while running on ' || coalesce(${jobs.lockedBy}, '?') || ' (process stopped or crashed?)'`,
        finishedAt: sql`CASE WHEN ${jobs.attempts} >= ${jobs.maxAttempts} THEN ${now.toISOString()}::timestamptz ELSE NULL END`,
        lockedBy: null,
        lockedUntil: null,
      })
      .where(and(eq(jobs.status, 'running'), lte(jobs.lockedUntil, now)))
      .returning({ id: jobs.id, kind: jobs.kind, status: jobs.status, attempts: jobs.attempts, lastError: jobs.lastError }),
  );
  for (const r of rows) {
    if (r.status === 'failed') log.error({ jobId: r.id, kind: r.kind, attempts: r.attempts }, `job failed: ${r.lastError}`);
    else log.warn({ jobId: r.id, kind: r.kind, attempts: r.attempts }, 'job reclaimed after its lease expired');
  }
  return rows.length;
}

/**
 * Turns due cron slots into jobs. Each due schedule row is locked (SKIP LOCKED: another instance takes the
 * next one), one job is inserted for the slot with dedupe key `cron:<name>:<slot>`, and next_run_at moves
 * past `now`, all in one transaction, so a slot yields exactly one job however many instances poll.
 *
 * After downtime only the **latest** missed slot runs, not one job per missed slot: scheduled work here is
 * a sweep over current state (generate today's inspection tasks, flag overdue hazards, send the digest),
 * so running it N times in a row does the same work N times, floods people with N copies of the same
 * reminder and hammers a process that has just restarted. The latest run catches up everything.
 */
export async function enqueueDueSchedules(db: Database, now: Date, log: JobLogger = consoleLogger, limit = 50): Promise<number> {
  return db.tx(async (tx) => {
    const due = await tx
      .select()
      .from(jobSchedules)
      .where(and(eq(jobSchedules.enabled, true), lte(jobSchedules.nextRunAt, now)))
      .orderBy(asc(jobSchedules.nextRunAt))
      .limit(limit)
      .for('update', { skipLocked: true });
    let created = 0;
    for (const s of due) {
      let slot: Date;
      let next: Date | null;
      try {
        const cron = cronOf(s.cron, s.timeZone);
        // previousRuns excludes a slot exactly at the reference time; +1 ms makes "slot <= now".
        const latest = cron.previousRuns(1, new Date(now.getTime() + 1))[0];
        slot = latest && latest > s.nextRunAt ? latest : s.nextRunAt;
        next = cron.nextRun(now);
      } catch (e) {
        // Only a hand-edited row can get here (registerSchedule validates): stop it rather than log every poll.
        log.error({ schedule: s.name, cron: s.cron, timeZone: s.timeZone, err: errorText(e) }, 'invalid cron schedule disabled');
        await tx.update(jobSchedules).set({ enabled: false }).where(eq(jobSchedules.name, s.name));
        continue;
      }
      if (slot.getTime() > s.nextRunAt.getTime()) {
        log.info({ schedule: s.name, firstMissed: s.nextRunAt.toISOString(), running: slot.toISOString() }, 'missed cron slots: running the latest only');
      }
      await scheduleJob(tx, { kind: s.kind, runAt: slot, payload: s.payload, dedupeKey: `cron:${s.name}:${slot.toISOString()}` });
      created++;
      await tx
        .update(jobSchedules)
        .set({ lastRunAt: slot, nextRunAt: next ?? s.nextRunAt, enabled: next !== null })
        .where(eq(jobSchedules.name, s.name));
    }
    return created;
  });
}

/**
 * Claims up to `limit` due jobs for this instance:
 * `UPDATE jobs SET status='running', locked_by, locked_until, attempts+1 WHERE id = ANY(ARRAY(SELECT id … WHERE
 * status='pending' AND run_at <= now ORDER BY run_at LIMIT n FOR UPDATE SKIP LOCKED)) AND status='pending'`.
 * SKIP LOCKED means two instances polling at once take disjoint rows; the status re-check in the outer
 * UPDATE means a row another instance claimed and committed meanwhile is not taken again.
 */
export async function claimDueJobs(db: Database, opts: { now: Date; instanceId: string; limit: number; leaseMs: number }): Promise<Job[]> {
  if (opts.limit <= 0) return [];
  return db.tx(async (tx) => {
    const due = tx
      .select({ id: jobs.id })
      .from(jobs)
      .where(and(eq(jobs.status, 'pending'), lte(jobs.runAt, opts.now)))
      .orderBy(asc(jobs.runAt))
      .limit(opts.limit)
      .for('update', { skipLocked: true });
    const rows = await tx
      .update(jobs)
      .set({
        status: 'running',
        lockedBy: opts.instanceId,
        lockedUntil: new Date(opts.now.getTime() + opts.leaseMs),
        attempts: sql`${jobs.attempts} + 1`,
      })
      // ARRAY(subquery) runs the locking subquery once (an InitPlan). With `id IN (subquery)` PostgreSQL
      // may plan a nested-loop semi join that rescans it per row and claims more than `limit` rows.
      .where(and(sql`${jobs.id} = ANY(ARRAY(${due}))`, eq(jobs.status, 'pending')))
      .returning();
    return rows.sort((a, b) => a.runAt.getTime() - b.runAt.getTime());
  });
}

export type JobOutcome = 'done' | 'retry' | 'failed' | 'again' | 'lost';

/**
 * The fence for every write about a claimed job: it still belongs to this instance and this attempt.
 * If the lease expired and another instance took the job over, the late finisher changes nothing.
 */
function claimedBy(job: Job, instanceId: string) {
  return and(eq(jobs.id, job.id), eq(jobs.status, 'running'), eq(jobs.lockedBy, instanceId), eq(jobs.attempts, job.attempts));
}

/** Runs one claimed job and records the outcome. Never throws: a failing handler is the job's problem, not the runner's. */
export async function executeJob(db: Database, job: Job, opts: Required<Pick<RunOptions, 'instanceId' | 'now' | 'leaseMs' | 'log'>>): Promise<JobOutcome> {
  const { instanceId, now, leaseMs, log } = opts;
  const handler = jobHandlerFor(job.kind);
  const finish = async (set: Partial<typeof jobs.$inferInsert>): Promise<boolean> => {
    const rows = await db.tx((tx) => tx.update(jobs).set(set).where(claimedBy(job, instanceId)).returning({ id: jobs.id }));
    if (rows.length === 0) log.warn({ jobId: job.id, kind: job.kind }, 'job lease was lost before it finished; its outcome is dropped');
    return rows.length > 0;
  };
  try {
    if (!handler) {
      const message = `no handler registered for job kind "${job.kind}"`;
      log.error({ jobId: job.id, kind: job.kind }, `job failed: ${message}`);
      return (await finish({ status: 'failed', lastError: message, finishedAt: now(), lockedBy: null, lockedUntil: null })) ? 'failed' : 'lost';
    }
    // Heartbeat: a slow but alive handler keeps its lease, so no other instance starts the same job.
    const heartbeat = setInterval(() => {
      db.tx((tx) => tx.update(jobs).set({ lockedUntil: new Date(now().getTime() + leaseMs) }).where(claimedBy(job, instanceId))).catch((e: unknown) =>
        log.warn({ jobId: job.id, err: errorText(e) }, 'job heartbeat failed'),
      );
    }, Math.max(1000, Math.floor(leaseMs / 3)));
    heartbeat.unref();
    let result: Awaited<ReturnType<typeof handler>>;
    try {
      result = await handler({ db, job, now: now() });
    } catch (e) {
      const error = errorText(e);
      if (job.attempts >= job.maxAttempts) {
        log.error({ jobId: job.id, kind: job.kind, attempts: job.attempts, err: error }, 'job failed after its last attempt');
        return (await finish({ status: 'failed', lastError: error, finishedAt: now(), lockedBy: null, lockedUntil: null })) ? 'failed' : 'lost';
      }
      const runAt = new Date(now().getTime() + retryDelayMs(job.attempts));
      log.warn({ jobId: job.id, kind: job.kind, attempts: job.attempts, retryAt: runAt.toISOString(), err: error }, 'job failed; will retry');
      return (await finish({ status: 'pending', runAt, lastError: error, lockedBy: null, lockedUntil: null })) ? 'retry' : 'lost';
    } finally {
      clearInterval(heartbeat);
    }
    if (result && result.runAgainAt instanceof Date) {
      return (await finish({ status: 'pending', runAt: result.runAgainAt, attempts: 0, lastError: null, lockedBy: null, lockedUntil: null })) ? 'again' : 'lost';
    }
    return (await finish({ status: 'done', finishedAt: now(), lastError: null, lockedBy: null, lockedUntil: null })) ? 'done' : 'lost';
  } catch (e) {
    // The database itself failed while recording the outcome: the lease will expire and the job is retried.
    log.error({ jobId: job.id, kind: job.kind, err: errorText(e) }, 'could not record job outcome');
    return 'lost';
  }
}

export interface RunSummary {
  reclaimed: number;
  scheduled: number;
  claimed: number;
  outcomes: Record<JobOutcome, number>;
}

function resolved(opts: RunOptions): Required<Pick<RunOptions, 'instanceId' | 'now' | 'leaseMs' | 'log'>> {
  return { instanceId: opts.instanceId, now: opts.now ?? (() => new Date()), leaseMs: opts.leaseMs ?? DEFAULT_LEASE_MS, log: opts.log ?? consoleLogger };
}

/**
 * One pass: reclaim expired leases, enqueue due cron slots, claim up to `batch` due jobs and run them
 * (concurrently), waiting for all of them. The polling runner and tests both use it.
 */
export async function runDueJobs(db: Database, opts: RunOptions): Promise<RunSummary> {
  const o = resolved(opts);
  const reclaimed = await reclaimExpiredLeases(db, o.now(), o.log);
  const scheduled = await enqueueDueSchedules(db, o.now(), o.log);
  const claimed = await claimDueJobs(db, { now: o.now(), instanceId: o.instanceId, limit: opts.batch ?? 10, leaseMs: o.leaseMs });
  const results = await Promise.all(claimed.map((job) => executeJob(db, job, o)));
  const outcomes: Record<JobOutcome, number> = { done: 0, retry: 0, failed: 0, again: 0, lost: 0 };
  for (const r of results) outcomes[r]++;
  return { reclaimed, scheduled, claimed: claimed.length, outcomes };
}

export interface JobRunnerOptions extends Omit<RunOptions, 'batch'> {
  /** Pause between polls when there was nothing (more) to claim. */
  pollMs?: number;
  /** Most handlers running at once in this process. */
  concurrency?: number;
}

export interface JobRunner {
  /** Stops polling and waits for the handlers that are running to finish. */
  stop(): Promise<void>;
}

/**
 * The background loop of one app instance: every `pollMs` it reclaims expired leases, enqueues due cron
 * slots and claims as many due jobs as it has free handler slots (bounded concurrency). Any number of
 * instances may run it against one PostgreSQL database. Start it after migrations and after modules have
 * registered their handlers and schedules: its first poll writes the registered schedules (syncSchedules).
 */
export function startJobRunner(db: Database, opts: JobRunnerOptions): JobRunner {
  const o = resolved(opts);
  const pollMs = opts.pollMs ?? 500;
  const concurrency = opts.concurrency ?? 4;
  const running = new Set<Promise<unknown>>();
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let tick: Promise<void> | null = null;
  let schedulesSynced = false;

  const schedule = (ms: number) => {
    if (stopped) return;
    timer = setTimeout(() => {
      timer = null;
      tick = poll().finally(() => (tick = null));
    }, ms);
  };

  const poll = async (): Promise<void> => {
    let full = false;
    try {
      if (!schedulesSynced) {
        await syncSchedules(db, o.now());
        schedulesSynced = true;
      }
      await reclaimExpiredLeases(db, o.now(), o.log);
      await enqueueDueSchedules(db, o.now(), o.log);
      const free = concurrency - running.size;
      if (free > 0 && !stopped) {
        const claimed = await claimDueJobs(db, { now: o.now(), instanceId: o.instanceId, limit: free, leaseMs: o.leaseMs });
        full = claimed.length === free;
        for (const job of claimed) {
          const p: Promise<unknown> = executeJob(db, job, o).finally(() => running.delete(p));
          running.add(p);
        }
      }
    } catch (e) {
      o.log.error({ err: errorText(e) }, 'job runner poll failed');
    }
    // A full claim means more may be waiting: look again soon instead of sleeping a whole poll.
    schedule(full ? Math.min(pollMs, 50) : pollMs);
  };

  schedule(0);
  return {
    stop: async () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = null;
      if (tick) await tick;
      await Promise.allSettled([...running]);
    },
  };
}
