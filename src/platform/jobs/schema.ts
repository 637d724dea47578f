import { sql } from 'drizzle-orm';
import { boolean, index, integer, jsonb, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { idColumn, timestamptz } from '../db/columns.ts';

export const jobStatuses = ['pending', 'running', 'done', 'failed', 'cancelled'] as const;
export type JobStatus = (typeof jobStatuses)[number];

/**
 * Durable timers and background jobs. A runner claims due rows with FOR UPDATE SKIP LOCKED, so with
 * several app instances on one PostgreSQL each job runs once. `dedupeKey` makes scheduling idempotent
 * (e.g. "hazard:123:sla:respond").
 */
export const jobs = pgTable(
  'jobs',
  {
    id: idColumn(),
    tenantId: uuid('tenant_id'),
    kind: text('kind').notNull(),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull().default({}),
    runAt: timestamptz('run_at').notNull(),
    status: text('status').$type<JobStatus>().notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    maxAttempts: integer('max_attempts').notNull().default(5),
    lastError: text('last_error'),
    lockedBy: text('locked_by'),
    lockedUntil: timestamptz('locked_until'),
    dedupeKey: text('dedupe_key'),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
    finishedAt: timestamptz('finished_at'),
  },
  (t) => [
    index('jobs_due').on(t.runAt).where(sql`status = 'pending'`),
    uniqueIndex('jobs_dedupe').on(t.dedupeKey).where(sql`dedupe_key IS NOT NULL`),
    // The runner looks for expired leases on every poll; done rows pile up, so only running ones are indexed.
    index('jobs_lease').on(t.lockedUntil).where(sql`status = 'running'`),
    // Admin list: newest first, usually filtered by status (failed).
    index('jobs_status_id').on(t.status, t.id),
  ],
);

/** Cron schedules; the runner turns each due slot into exactly one job (dedupe key = name + slot time). */
export const jobSchedules = pgTable('job_schedules', {
  name: text('name').primaryKey(),
  cron: text('cron').notNull(),
  timeZone: text('time_zone').notNull().default('Asia/Shanghai'),
  kind: text('kind').notNull(),
  payload: jsonb('payload').$type<Record<string, unknown>>().notNull().default({}),
  enabled: boolean('enabled').notNull().default(true),
  nextRunAt: timestamptz('next_run_at').notNull(),
  lastRunAt: timestamptz('last_run_at'),
});
