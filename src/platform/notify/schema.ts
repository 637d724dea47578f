import { sql } from 'drizzle-orm';
import { boolean, index, integer, jsonb, pgTable, primaryKey, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { idColumn, timestamptz } from '../db/columns.ts';

/** In-app inbox. */
export const notifications = pgTable(
  'notifications',
  {
    id: idColumn(),
    tenantId: uuid('tenant_id').notNull(),
    userId: uuid('user_id').notNull(),
    type: text('type').notNull(),
    severity: text('severity').$type<'info' | 'warning' | 'critical'>().notNull().default('info'),
    title: text('title').notNull(),
    body: text('body'),
    link: text('link'),
    data: jsonb('data').$type<Record<string, unknown>>().notNull().default({}),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
    readAt: timestamptz('read_at'),
    /** What raised it (e.g. the alarm's area): with `type`, the key an alarm storm is grouped by. */
    sourceKey: text('source_key'),
    /** Where, for people (area name): kept in SMS texts and storm summaries. */
    place: text('place'),
    /** Short label counted in storm summaries ("LEL high"). */
    label: text('label'),
  },
  (t) => [index('notifications_user_unread').on(t.userId, t.createdAt).where(sql`read_at IS NULL`), index('notifications_user').on(t.userId, t.createdAt)],
);

/** Outbound channels configured by an administrator (email, signed webhook; more later). */
export const notificationChannels = pgTable('notification_channels', {
  id: idColumn(),
  tenantId: uuid('tenant_id').notNull(),
  kind: text('kind').$type<'email' | 'webhook' | 'dingtalk' | 'wecom' | 'sms'>().notNull(),
  name: text('name').notNull(),
  config: jsonb('config').$type<Record<string, unknown>>().notNull().default({}),
  /** Event types this channel receives; empty = all notifications. */
  eventTypes: text('event_types').array().notNull().default(sql`'{}'::text[]`),
  enabled: boolean('enabled').notNull().default(true),
  createdAt: timestamptz('created_at').notNull().defaultNow(),
  version: integer('version').notNull().default(1),
});

/** Delivery log per channel message: status, attempts, response — what an operator checks first. */
export const notificationDeliveries = pgTable(
  'notification_deliveries',
  {
    id: idColumn(),
    tenantId: uuid('tenant_id').notNull(),
    channelId: uuid('channel_id').notNull(),
    notificationId: uuid('notification_id'),
    eventType: text('event_type').notNull(),
    status: text('status').$type<'pending' | 'sent' | 'failed'>().notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    responseCode: integer('response_code'),
    error: text('error'),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull().default({}),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
    sentAt: timestamptz('sent_at'),
    /** Due time of the next attempt while pending; a claim moves it ahead (lease) while sending. */
    nextAttemptAt: timestamptz('next_attempt_at').notNull().defaultNow(),
    /** E-mail address or webhook URL the message went to, for the log. */
    recipient: text('recipient'),
    /**
     * One group-robot message per notifyUsers call and channel (not one per recipient): later recipients
     * of the same call are added to its @-mentions while it is pending. Also keys storm summaries.
     */
    dedupeKey: text('dedupe_key'),
  },
  (t) => [
    uniqueIndex('notification_deliveries_dedupe').on(t.dedupeKey).where(sql`dedupe_key IS NOT NULL`),
    index('notification_deliveries_channel').on(t.channelId, t.createdAt),
    index('notification_deliveries_tenant').on(t.tenantId, t.createdAt),
    index('notification_deliveries_due').on(t.nextAttemptAt).where(sql`status = 'pending'`),
  ],
);

/** Per-tenant notification rules (tenant data, seeded with defaults on first use; see ensureNotifySettings). */
export const notificationSettings = pgTable('notification_settings', {
  tenantId: uuid('tenant_id').primaryKey(),
  /** Storm window length. */
  stormWindowSeconds: integer('storm_window_seconds').notNull(),
  /** Messages of one type/source sent one by one per recipient, channel and window; the rest are summarised. */
  stormMaxPerWindow: integer('storm_max_per_window').notNull(),
  /** Severities per personal channel for users who have not chosen: { in_app: [...], email: [...], ... }. */
  defaultPreferences: jsonb('default_preferences').$type<Record<string, string[]>>().notNull(),
  updatedAt: timestamptz('updated_at').notNull().defaultNow(),
  version: integer('version').notNull().default(1),
});

/** What each user wants on each personal channel (in_app, email, sms, robot): the severities that reach them. */
export const notificationPreferences = pgTable(
  'notification_preferences',
  {
    tenantId: uuid('tenant_id').notNull(),
    userId: uuid('user_id').notNull(),
    channel: text('channel').notNull(),
    severities: text('severities').array().notNull(),
    updatedAt: timestamptz('updated_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.channel] })],
);

/**
 * Alarm-storm windows: one row per (channel or "sse", recipient, type/source, window). Counting in a row
 * (upsert) makes "the first N go out, the rest are summarised" hold across instances and restarts; the
 * summary is a durable job keyed by the row id, written once (summarySentAt).
 */
export const notificationStormWindows = pgTable(
  'notification_storm_windows',
  {
    id: idColumn(),
    tenantId: uuid('tenant_id').notNull(),
    /** A channel id, or "sse" for the live stream. */
    channelKey: text('channel_key').notNull(),
    /** A user id, or "*" for a group robot (the group is the recipient). */
    recipientKey: text('recipient_key').notNull(),
    groupKey: text('group_key').notNull(),
    type: text('type').notNull(),
    place: text('place'),
    windowStart: timestamptz('window_start').notNull(),
    windowEnd: timestamptz('window_end').notNull(),
    /** The previous window was a storm too: nothing goes out one by one, only the summary. */
    continued: boolean('continued').notNull().default(false),
    count: integer('count').notNull().default(0),
    suppressed: integer('suppressed').notNull().default(0),
    /** label → number of suppressed messages with it. */
    breakdown: jsonb('breakdown').$type<Record<string, number>>().notNull().default({}),
    /** Highest severity among the suppressed ones. */
    severity: text('severity').notNull().default('info'),
    summarySentAt: timestamptz('summary_sent_at'),
    /** The notifyUsers call counted last: a group robot counts one message per call, not per recipient. */
    lastBatchId: text('last_batch_id'),
  },
  (t) => [uniqueIndex('notification_storm_windows_key').on(t.channelKey, t.recipientKey, t.groupKey, t.windowStart)],
);
