import { integer, jsonb, timestamp, uuid } from 'drizzle-orm/pg-core';
import { uuidv7 } from 'uuidv7';

/** Time-ordered primary key (UUIDv7): indexes stay compact and ids sort by creation. */
export const idColumn = () => uuid('id').primaryKey().$defaultFn(() => uuidv7());

export const tenantColumn = () => uuid('tenant_id').notNull();

/** Columns every business row carries (DESIGN: data conventions). */
export const businessColumns = () => ({
  tenantId: tenantColumn(),
  orgUnitId: uuid('org_unit_id'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  createdBy: uuid('created_by'),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  updatedBy: uuid('updated_by'),
  /** Optimistic concurrency: an update with a stale If-Match/version gets 409. */
  version: integer('version').notNull().default(1),
  custom: jsonb('custom').$type<Record<string, unknown>>().notNull().default({}),
});

export const timestamptz = (name: string) => timestamp(name, { withTimezone: true });

export { uuidv7 as newId };
