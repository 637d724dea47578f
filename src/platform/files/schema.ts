import { bigint, index, integer, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { idColumn, timestamptz } from '../db/columns.ts';

/** Uploaded file metadata; bytes live in content-addressed storage under their SHA-256. */
export const files = pgTable(
  'files',
  {
    id: idColumn(),
    tenantId: uuid('tenant_id').notNull(),
    sha256: text('sha256').notNull(),
    size: bigint('size', { mode: 'number' }).notNull(),
    mime: text('mime').notNull(),
    kind: text('kind').$type<'image' | 'video' | 'audio' | 'pdf'>().notNull(),
    originalName: text('original_name'),
    width: integer('width'),
    height: integer('height'),
    thumbSha256: text('thumb_sha256'),
    createdBy: uuid('created_by'),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
  },
  (t) => [index('files_tenant_sha').on(t.tenantId, t.sha256)],
);
