import { sql } from 'drizzle-orm';
import { boolean, index, integer, pgTable, primaryKey, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { businessColumns, idColumn, timestamptz } from '../db/columns.ts';

export const dataScopes = ['self', 'team', 'department', 'company'] as const;
export type DataScope = (typeof dataScopes)[number];

export const users = pgTable(
  'users',
  {
    id: idColumn(),
    ...businessColumns(),
    personId: uuid('person_id'),
    /** Lower-case, unique across all tenants so a login needs no company code. */
    username: text('username').notNull(),
    phone: text('phone'),
    displayName: text('display_name').notNull(),
    passwordHash: text('password_hash').notNull(),
    status: text('status').$type<'active' | 'disabled'>().notNull().default('active'),
    locale: text('locale').$type<'zh-CN' | 'en'>(),
    failedLogins: integer('failed_logins').notNull().default(0),
    lockedUntil: timestamptz('locked_until'),
    lastLoginAt: timestamptz('last_login_at'),
  },
  (t) => [
    uniqueIndex('users_username').on(t.username),
    uniqueIndex('users_phone').on(t.phone).where(sql`phone IS NOT NULL`),
    // One login per person: lists join people to users, and "the person left" must find their one login.
    uniqueIndex('users_person').on(t.personId).where(sql`person_id IS NOT NULL`),
  ],
);

export const roles = pgTable(
  'roles',
  {
    id: idColumn(),
    ...businessColumns(),
    code: text('code').notNull(),
    name: text('name').notNull(),
    nameEn: text('name_en'),
    description: text('description'),
    builtin: boolean('builtin').notNull().default(false),
    permissions: text('permissions').array().notNull().default(sql`'{}'::text[]`),
    dataScope: text('data_scope').$type<DataScope>().notNull().default('self'),
  },
  (t) => [uniqueIndex('roles_tenant_code').on(t.tenantId, t.code)],
);

export const userRoles = pgTable(
  'user_roles',
  {
    userId: uuid('user_id').notNull(),
    roleId: uuid('role_id').notNull(),
    tenantId: uuid('tenant_id').notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.roleId] }), index('user_roles_role').on(t.roleId)],
);

/** Web sessions. Only the SHA-256 of the cookie value is stored. */
export const sessions = pgTable(
  'sessions',
  {
    id: idColumn(),
    tokenHash: text('token_hash').notNull().unique(),
    userId: uuid('user_id').notNull(),
    tenantId: uuid('tenant_id').notNull(),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
    expiresAt: timestamptz('expires_at').notNull(),
    revokedAt: timestamptz('revoked_at'),
    ip: text('ip'),
    userAgent: text('user_agent'),
  },
  (t) => [index('sessions_user').on(t.userId)],
);

/** Personal / integration API tokens with scopes (a subset of the owner's permissions). */
export const apiTokens = pgTable(
  'api_tokens',
  {
    id: idColumn(),
    tenantId: uuid('tenant_id').notNull(),
    userId: uuid('user_id').notNull(),
    name: text('name').notNull(),
    /** First characters shown in lists so a person can recognise a token without seeing it. */
    prefix: text('prefix').notNull(),
    tokenHash: text('token_hash').notNull().unique(),
    scopes: text('scopes').array().notNull().default(sql`'{}'::text[]`),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
    expiresAt: timestamptz('expires_at'),
    lastUsedAt: timestamptz('last_used_at'),
    revokedAt: timestamptz('revoked_at'),
  },
  (t) => [index('api_tokens_user').on(t.userId)],
);
