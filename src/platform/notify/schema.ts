import { sql } from 'drizzle-orm';
import { boolean, index, integer, jsonb, pgTable, text, uuid } from 'drizzle-orm/pg-core';
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
  },
  (t) => [index('notifications_user_unread').on(t.userId, t.createdAt).where(sql`read_at IS NULL`), index('notifications_user').on(t.userId, t.createdAt)],
);

/** Outbound channels configured by an administrator (email, signed webhook; more later). */
export const notificationChannels = pgTable('notification_channels', {
  id: idColumn(),
  tenantId: uuid('tenant_id').notNull(),
  kind: text('kind').$type<'email' | 'webhook'>().notNull(),
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
  },
  (t) => [
    index('notification_deliveries_channel').on(t.channelId, t.createdAt),
    index('notification_deliveries_tenant').on(t.tenantId, t.createdAt),
    index('notification_deliveries_due').on(t.nextAttemptAt).where(sql`status = 'pending'`),
  ],
);
