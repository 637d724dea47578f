import { bigint, index, jsonb, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { idColumn, timestamptz } from '../db/columns.ts';

/**
 * Append-only, hash-chained audit log. Each tenant has its own chain: entry n stores
 * hash = sha256(prevHash + canonical(entry)), so editing or deleting any entry breaks verification.
 * A trigger (migration 0001) refuses UPDATE, DELETE and TRUNCATE for every database role.
 */
export const auditLog = pgTable(
  'audit_log',
  {
    id: idColumn(),
    tenantId: uuid('tenant_id').notNull(),
    seq: bigint('seq', { mode: 'number' }).notNull(),
    at: timestamptz('at').notNull(),
    actorUserId: uuid('actor_user_id'),
    actorName: text('actor_name'),
    ip: text('ip'),
    action: text('action').notNull(),
    entityType: text('entity_type').notNull(),
    entityId: text('entity_id'),
    before: jsonb('before'),
    after: jsonb('after'),
    prevHash: text('prev_hash').notNull(),
    hash: text('hash').notNull(),
  },
  (t) => [
    uniqueIndex('audit_log_tenant_seq').on(t.tenantId, t.seq),
    index('audit_log_entity').on(t.tenantId, t.entityType, t.entityId),
    index('audit_log_at').on(t.tenantId, t.at),
  ],
);

/** Head of each tenant's chain; locked FOR UPDATE while appending so concurrent writers never fork it. */
export const auditHeads = pgTable('audit_heads', {
  tenantId: uuid('tenant_id').primaryKey(),
  seq: bigint('seq', { mode: 'number' }).notNull(),
  hash: text('hash').notNull(),
});
