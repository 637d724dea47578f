import { Cron } from 'croner';
import { and, desc, eq, isNull, like, lt, or, sql, type SQL } from 'drizzle-orm';
import { recordChange } from '../audit/record.ts';
import type { Ctx } from '../auth/actor.ts';
import { requirePermission } from '../auth/scope.ts';
import type { Database, Tx } from '../db/client.ts';
import { AppError, invalid, notFound } from '../http/errors.ts';
import { decodeCursor, pageOf } from '../http/pagination.ts';
import { jobs, jobSchedules, type JobStatus } from './schema.ts';

export type Job = typeof jobs.$inferSelect;
export type JobSchedule = typeof jobSchedules.$inferSelect;

// ---------------------------------------------------------------------------------------------------------
// Scheduling, inside the caller's transaction
// ---------------------------------------------------------------------------------------------------------

export interface ScheduleJobInput {
  /** Registered handler kind, e.g. "hazard.sla.respond". */
  kind: string;
  runAt: Date;
  payload?: Record<string, unknown>;
  tenantId?: string | null;
  /** Makes scheduling idempotent: one job per key, ever (see scheduleJob). E.g. "hazard:<id>:sla:respond". */
  dedupeKey?: string;
  /** Attempts before the job is marked failed (default 5). */
  maxAttempts?: number;
}

export const DEFAULT_MAX_ATTEMPTS = 5;

function checkScheduleInput(input: ScheduleJobInput): void {
  if (!input.kind || input.kind.length > 200) throw new Error('scheduleJob: kind must be 1 to 200 characters');
  if (!(input.runAt instanceof Date) || Number.isNaN(input.runAt.getTime())) throw new Error('scheduleJob: runAt must be a valid Date');
  if (input.dedupeKey !== undefined && (input.dedupeKey.length === 0 || input.dedupeKey.length > 500)) {
    throw new Error('scheduleJob: dedupeKey must be 1 to 500 characters');
  }
  const max = input.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  if (!Number.isInteger(max) || max < 1 || max > 100) throw new Error('scheduleJob: maxAttempts must be an integer from 1 to 100');
}

/**
 * Schedules a job in the caller's transaction, so the timer exists if and only if the change that needs
 * it committed (an SLA timer exists iff the hazard was saved). Returns the job id.
 *
 * With a `dedupeKey` it is idempotent: scheduling the same key again returns the existing job's id and
 * changes nothing, whether that job is pending, running, done or failed (a timer that already fired does
 * not fire twice). The one exception is a **cancelled** job: scheduling its key again re-arms it with the
 * new time and payload, because "cancel, then schedule again" (a closed hazard reopened for rework) means
 * the timer applies again. To move a timer, use `rescheduleJob`.
 */
export async function scheduleJob(tx: Tx, input: ScheduleJobInput): Promise<string> {
  checkScheduleInput(input);
  const values = {
    kind: input.kind,
    runAt: input.runAt,
    payload: input.payload ?? {},
    tenantId: input.tenantId ?? null,
    dedupeKey: input.dedupeKey ?? null,
    maxAttempts: input.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
  };
  if (input.dedupeKey === undefined) {
    const [row] = await tx.insert(jobs).values(values).returning({ id: jobs.id });
    return row!.id;
  }
  const [row] = await tx
    .insert(jobs)
    .values(values)
    .onConflictDoUpdate({
      // Must repeat the partial unique index's predicate for PostgreSQL to pick jobs_dedupe as the arbiter.
      target: jobs.dedupeKey,
      targetWhere: sql`dedupe_key IS NOT NULL`,
      set: {
        kind: values.kind,
        runAt: values.runAt,
        payload: values.payload,
        tenantId: values.tenantId,
        maxAttempts: values.maxAttempts,
        status: 'pending',
        attempts: 0,
        lastError: null,
        lockedBy: null,
        lockedUntil: null,
        finishedAt: null,
      },
      setWhere: eq(jobs.status, 'cancelled'),
    })
    .returning({ id: jobs.id });
  if (row) return row.id;
  // Conflict with a live or finished job: the caller gets that job (ON CONFLICT … DO NOTHING semantics).
  const [existing] = await tx.select({ id: jobs.id }).from(jobs).where(eq(jobs.dedupeKey, input.dedupeKey));
  if (!existing) throw new Error(`scheduleJob: job with dedupeKey ${input.dedupeKey} vanished`);
  return existing.id;
}

/**
 * Cancels the pending job with this key; returns how many were cancelled (0 or 1). A job that is running
 * right now cannot be stopped: it finishes, so handlers re-check the state they act on (is the hazard still open?).
 */
export async function cancelJob(tx: Tx, dedupeKey: string, now: Date = new Date()): Promise<number> {
  const rows = await tx
    .update(jobs)
    .set({ status: 'cancelled', finishedAt: now })
    .where(and(eq(jobs.dedupeKey, dedupeKey), eq(jobs.status, 'pending')))
    .returning({ id: jobs.id });
  return rows.length;
}

/** `%`, `_` and `\` in a key are literal characters, not LIKE wildcards. */
const escapeLike = (s: string) => s.replace(/[%_\\]/g, '\\$&');

/**
 * Cancels every pending job whose key starts with `prefix`, e.g. "hazard:<id>:" when the hazard closes.
 * Returns how many were cancelled.
 */
export async function cancelJobsByPrefix(tx: Tx, prefix: string, now: Date = new Date()): Promise<number> {
  // An empty prefix would cancel every keyed job in the system: never what a caller means.
  if (prefix.length < 3) throw new Error('cancelJobsByPrefix: prefix must be at least 3 characters');
  const rows = await tx
    .update(jobs)
    .set({ status: 'cancelled', finishedAt: now })
    .where(and(like(jobs.dedupeKey, `${escapeLike(prefix)}%`), eq(jobs.status, 'pending')))
    .returning({ id: jobs.id });
  return rows.length;
}

/**
 * Moves the job with this key to a new time and makes it pending again with a fresh attempt count: a
 * pending timer moves, a done, failed or cancelled one is re-armed (a rectification deadline was extended
 * after the overdue timer fired). Returns the job id, or null when no job has the key or it is running
 * right now (its handler would overwrite the change; schedule a new key instead).
 */
export async function rescheduleJob(tx: Tx, dedupeKey: string, runAt: Date, opts: { payload?: Record<string, unknown> } = {}): Promise<string | null> {
  if (Number.isNaN(runAt.getTime())) throw new Error('rescheduleJob: runAt must be a valid Date');
  const [row] = await tx
    .update(jobs)
    .set({
      runAt,
      status: 'pending',
      attempts: 0,
      lastError: null,
      lockedBy: null,
      lockedUntil: null,
      finishedAt: null,
      ...(opts.payload ? { payload: opts.payload } : {}),
    })
    .where(and(eq(jobs.dedupeKey, dedupeKey), sql`${jobs.status} <> 'running'`))
    .returning({ id: jobs.id });
  return row?.id ?? null;
}

// ---------------------------------------------------------------------------------------------------------
// Handlers and cron schedules: modules register themselves at import time (platform knows no module)
// ---------------------------------------------------------------------------------------------------------

export interface JobHandlerInput {
  db: Database;
  job: Job;
  now: Date;
}

/** Return `{ runAgainAt }` to run the same job again later (a reminder that repeats until acknowledged). */
export type JobHandlerResult = void | { runAgainAt: Date };

/**
 * Runs one job. It opens its own transactions with `db.tx`. Delivery is at least once: a handler that
 * committed its work but crashed before the job was marked done runs again, so make it idempotent
 * (check the state first, use unique keys).
 */
export type JobHandler = (input: JobHandlerInput) => Promise<JobHandlerResult>;

const handlers = new Map<string, JobHandler>();

export function registerJobHandler(kind: string, handler: JobHandler): void {
  // Two modules claiming one kind would silently steal each other's jobs.
  if (handlers.has(kind)) throw new Error(`job handler for kind "${kind}" is already registered`);
  handlers.set(kind, handler);
}

export function jobHandlerFor(kind: string): JobHandler | undefined {
  return handlers.get(kind);
}

export interface ScheduleDef {
  /** Unique, stable name: the dedupe key of every slot is `cron:<name>:<slot ISO time>`. */
  name: string;
  /** Five or six fields (croner syntax), e.g. "0 8 * * *" for 08:00 every day. */
  cron: string;
  /** IANA zone the cron expression is read in; default Asia/Shanghai. */
  timeZone?: string;
  kind: string;
  payload?: Record<string, unknown>;
  enabled?: boolean;
}

export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';

const scheduleDefs = new Map<string, ScheduleDef>();

/** A croner instance that computes times only (no callback, so it never starts a timer of its own). */
export function cronOf(expression: string, timeZone: string): Cron {
  return new Cron(expression, { timezone: timeZone });
}

function checkScheduleDef(def: ScheduleDef): void {
  if (!/^[\w.:-]{1,100}$/.test(def.name)) throw new Error(`schedule name "${def.name}": 1 to 100 letters, digits, . _ : -`);
  const cron = cronOf(def.cron, def.timeZone ?? DEFAULT_TIME_ZONE);
  // croner checks the zone lazily; computing one run makes a bad zone fail here, at start.
  cron.nextRun(new Date());
}

/**
 * Declares a cron schedule (a module does this at import time). The runner upserts every declared schedule
 * into job_schedules when it starts (`syncSchedules`), then turns each due slot into exactly one job.
 */
export function registerSchedule(def: ScheduleDef): void {
  checkScheduleDef(def);
  scheduleDefs.set(def.name, def);
}

export function registeredSchedules(): ScheduleDef[] {
  return [...scheduleDefs.values()];
}

/**
 * Writes one schedule. A changed cron expression or zone recomputes the next slot; an unchanged one keeps
 * its stored next_run_at, so a restart never skips a slot that came due while the process was down.
 */
export async function upsertSchedule(tx: Tx, def: ScheduleDef, now: Date): Promise<void> {
  checkScheduleDef(def);
  const timeZone = def.timeZone ?? DEFAULT_TIME_ZONE;
  const next = cronOf(def.cron, timeZone).nextRun(now);
  const enabled = (def.enabled ?? true) && next !== null;
  await tx
    .insert(jobSchedules)
    .values({ name: def.name, cron: def.cron, timeZone, kind: def.kind, payload: def.payload ?? {}, enabled, nextRunAt: next ?? now })
    .onConflictDoUpdate({
      target: jobSchedules.name,
      set: {
        kind: def.kind,
        payload: def.payload ?? {},
        enabled,
        nextRunAt: sql`CASE WHEN ${jobSchedules.cron} IS DISTINCT FROM excluded.cron OR ${jobSchedules.timeZone} IS DISTINCT FROM excluded.time_zone THEN excluded.next_run_at ELSE ${jobSchedules.nextRunAt} END`,
        cron: def.cron,
        timeZone,
      },
    });
}

/** Upserts every registered schedule (called by the runner at start). */
export async function syncSchedules(db: Database, now: Date): Promise<void> {
  const defs = registeredSchedules();
  if (defs.length === 0) return;
  await db.tx(async (tx) => {
    for (const def of defs) await upsertSchedule(tx, def, now);
  });
}

// ---------------------------------------------------------------------------------------------------------
// Admin visibility (GET /api/v1/jobs, POST /api/v1/jobs/:id/retry)
// ---------------------------------------------------------------------------------------------------------

/**
 * An admin sees the jobs of their own tenant and the system-wide ones (tenant_id null: cron sweeps),
 * never another tenant's.
 */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function visibleTo(ctx: Ctx): SQL {
  return or(eq(jobs.tenantId, ctx.actor.tenantId), isNull(jobs.tenantId)) as SQL;
}

export interface ListJobsInput {
  status?: JobStatus;
  kind?: string;
  limit: number;
  cursor?: string;
}

export async function listJobs(ctx: Ctx, input: ListJobsInput) {
  requirePermission(ctx.actor, 'jobs:read');
  const after = decodeCursor<{ id: string }>(input.cursor, { id: 'string' });
  // The id reaches a uuid comparison: a forged cursor must be a 400, not a database error.
  if (after && !UUID.test(after.id)) throw invalid('cursor', 'format', 'cursor: invalid');
  const conds: SQL[] = [visibleTo(ctx)];
  if (input.status) conds.push(eq(jobs.status, input.status));
  if (input.kind) conds.push(eq(jobs.kind, input.kind));
  // Ids are UUIDv7: newest first is id order.
  if (after) conds.push(lt(jobs.id, after.id));
  const rows = await ctx.db.read((tx) =>
    tx
      .select()
      .from(jobs)
      .where(and(...conds))
      .orderBy(desc(jobs.id))
      .limit(input.limit + 1),
  );
  return pageOf(rows, input.limit, (r) => ({ id: r.id }));
}

/** Puts a failed job back in the queue, due now, with a fresh attempt count. Only failed jobs: 409 otherwise. */
export async function retryJob(ctx: Ctx, id: string): Promise<Job> {
  requirePermission(ctx.actor, 'jobs:manage');
  return ctx.db.tx(async (tx) => {
    const [before] = await tx
      .select()
      .from(jobs)
      .where(and(eq(jobs.id, id), visibleTo(ctx)))
      .for('update');
    if (!before) throw notFound('job');
    if (before.status !== 'failed') throw new AppError('conflict', `only a failed job can be retried; this one is ${before.status}`);
    const [after] = await tx
      .update(jobs)
      .set({ status: 'pending', runAt: ctx.now(), attempts: 0, lockedBy: null, lockedUntil: null, finishedAt: null })
      .where(eq(jobs.id, id))
      .returning();
    await recordChange(tx, ctx, {
      action: 'job.retried',
      entityType: 'job',
      entityId: id,
      before: { status: before.status, attempts: before.attempts, lastError: before.lastError },
      after: { status: after!.status, runAt: after!.runAt },
    });
    return after!;
  });
}

