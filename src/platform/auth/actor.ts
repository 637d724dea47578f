import type { Database } from '../db/client.ts';
import type { Locale } from '../http/errors.ts';
import type { DataScope } from './schema.ts';

/** Who is acting. Built once per request by the auth hook; services take it from `ctx.actor`. */
export interface Actor {
  kind: 'user' | 'token' | 'system';
  tenantId: string;
  userId: string | null;
  personId: string | null;
  orgUnitId: string | null;
  name: string;
  roles: string[];
  permissions: ReadonlySet<string>;
  dataScope: DataScope;
  /** Org path ("/a/b/") whose subtree the actor may see; null = the whole company. */
  scopePath: string | null;
}

/** Everything a service function needs; passed explicitly (no globals, no DI container). */
export interface Ctx {
  db: Database;
  actor: Actor;
  now: () => Date;
  ip: string | null;
  locale: Locale;
}

export function systemActor(tenantId: string): Actor {
  return {
    kind: 'system',
    tenantId,
    userId: null,
    personId: null,
    orgUnitId: null,
    name: 'system',
    roles: [],
    permissions: new Set(['*']),
    dataScope: 'company',
    scopePath: null,
  };
}

export function systemCtx(db: Database, tenantId: string, now: () => Date = () => new Date()): Ctx {
  return { db, actor: systemActor(tenantId), now, ip: null, locale: 'zh-CN' };
}
