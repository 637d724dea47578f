import { sql as sqlRaw } from 'drizzle-orm';
import { index, integer, jsonb, pgTable, primaryKey, text, uuid } from 'drizzle-orm/pg-core';
import { idColumn, timestamptz } from '../db/columns.ts';

/** Transactional outbox: written in the same transaction as the change it announces. */
export const outboxEvents = pgTable(
  'outbox_events',
  {
    id: idColumn(),
    tenantId: uuid('tenant_id'),
    type: text('type').notNull(),
    entityType: text('entity_type'),
    entityId: text('entity_id'),
    actorUserId: uuid('actor_user_id'),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull().default({}),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
    /** Set once every subscriber has handled the event. */
    dispatchedAt: timestamptz('dispatched_at'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: timestamptz('next_attempt_at').notNull().defaultNow(),
    lastError: text('last_error'),
  },
  (t) => [index('outbox_pending').on(t.nextAttemptAt).where(sqlPending())],
);

function sqlPending() {
  // Partial index: the dispatcher only ever scans undelivered events.
  return sqlRaw`dispatched_at IS NULL`;
}



/** One row per (event, subscriber) once handled: makes redelivery after a crash a no-op. */
export const eventDeliveries = pgTable(
  'event_deliveries',
  {
    eventId: uuid('event_id').notNull(),
    subscriber: text('subscriber').notNull(),
    deliveredAt: timestamptz('delivered_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.eventId, t.subscriber] })],
);
