import { createHash, randomBytes } from 'node:crypto';
import { and, eq, gt, inArray, isNull, or, sql } from 'drizzle-orm';
import type { Config } from '../../config.ts';
import { recordChange } from '../audit/record.ts';
import type { Database, Tx } from '../db/client.ts';
import { AppError } from '../http/errors.ts';
import { orgUnits, people, positions } from '../org/schema.ts';
import type { Actor, Ctx } from './actor.ts';
import { burnPasswordCheck, verifyPassword } from './password.ts';
import { grants } from './permissions.ts';
import { apiTokens, dataScopes, roles, sessions, userRoles, users, type DataScope } from './schema.ts';

export const SESSION_COOKIE = 'sl_session';
export const API_TOKEN_PREFIX = 'slt_';

export function sha256(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

export function newSecret(prefix = ''): string {
  return prefix + randomBytes(32).toString('base64url');
}

type AuthSettings = Pick<Config, 'sessionTtlHours' | 'loginMaxFailures' | 'loginLockMinutes'>;

export interface LoginInput {
  username: string;
  password: string;
  ip: string | null;
  userAgent: string | null;
}

/**
 * Username or phone + password. Failed attempts are counted per account; after `loginMaxFailures` the
 * account is locked for `loginLockMinutes` (the per-IP rate limit sits in front of this in HTTP).
 */
export async function login(db: Database, settings: AuthSettings, now: Date, input: LoginInput) {
  const name = input.username.trim().toLowerCase();
  const user = await db.read(async (tx) => {
    const [u] = await tx
      .select()
      .from(users)
      .where(or(eq(users.username, name), eq(users.phone, input.username.trim())))
      .limit(1);
    return u;
  });
  if (!user || user.status !== 'active') {
    await burnPasswordCheck(input.password);
    throw new AppError('invalid_credentials');
  }
  if (user.lockedUntil && user.lockedUntil > now) {
    throw new AppError('account_locked', undefined, { extra: { lockedUntil: user.lockedUntil.toISOString() } });
  }
  const ok = await verifyPassword(user.passwordHash, input.password);
  const actorCtx = {
    actor: await db.read((tx) => buildActor(tx, user.id, 'user', null)),
    now: () => now,
    ip: input.ip,
  };
  if (!ok) {
    const locked = await db.tx(async (tx) => {
      const [row] = await tx
        .update(users)
        .set({ failedLogins: sql`${users.failedLogins} + 1` })
        .where(eq(users.id, user.id))
        .returning({ failed: users.failedLogins });
      const failed = row?.failed ?? 0;
      const lock = failed >= settings.loginMaxFailures;
      if (lock) {
        await tx
          .update(users)
          .set({ lockedUntil: new Date(now.getTime() + settings.loginLockMinutes * 60_000), failedLogins: 0 })
          .where(eq(users.id, user.id));
      }
      await recordChange(tx, { ...actorCtx, db, locale: 'zh-CN' }, {
        action: lock ? 'auth.locked' : 'auth.login_failed',
        entityType: 'user',
        entityId: user.id,
        after: { failedLogins: lock ? settings.loginMaxFailures : failed },
      });
      return lock;
    });
    throw new AppError(locked ? 'account_locked' : 'invalid_credentials');
  }
  const token = newSecret();
  const expiresAt = new Date(now.getTime() + settings.sessionTtlHours * 3600_000);
  await db.tx(async (tx) => {
    await tx.insert(sessions).values({
      tokenHash: sha256(token),
      userId: user.id,
      tenantId: user.tenantId,
      createdAt: now,
      expiresAt,
      ip: input.ip,
      userAgent: input.userAgent?.slice(0, 500) ?? null,
    });
    await tx.update(users).set({ failedLogins: 0, lockedUntil: null, lastLoginAt: now }).where(eq(users.id, user.id));
    await recordChange(tx, { ...actorCtx, db, locale: 'zh-CN' }, { action: 'auth.login', entityType: 'user', entityId: user.id });
  });
  return { token, expiresAt, actor: actorCtx.actor };
}

export async function logout(ctx: Ctx, token: string): Promise<void> {
  await ctx.db.tx(async (tx) => {
    await tx.update(sessions).set({ revokedAt: ctx.now() }).where(eq(sessions.tokenHash, sha256(token)));
    await recordChange(tx, ctx, { action: 'auth.logout', entityType: 'user', entityId: ctx.actor.userId });
  });
  actorCache.delete(token);
}

const scopeRank: Record<DataScope, number> = { self: 0, team: 1, department: 2, company: 3 };

/** The widest scope among the user's roles, anchored at the person's org unit. */
export async function buildActor(tx: Tx, userId: string, kind: 'user' | 'token', tokenScopes: string[] | null): Promise<Actor> {
  const [row] = await tx
    .select({ user: users, person: people })
    .from(users)
    .leftJoin(people, eq(people.id, users.personId))
    .where(eq(users.id, userId));
  if (!row) throw new AppError('unauthenticated');
  const roleRows = await tx
    .select({ code: roles.code, permissions: roles.permissions, dataScope: roles.dataScope })
    .from(userRoles)
    .innerJoin(roles, eq(roles.id, userRoles.roleId))
    .where(eq(userRoles.userId, userId));
  let permissions = new Set(roleRows.flatMap((r) => r.permissions));
  if (tokenScopes) {
    // A token never holds more than its owner: the intersection of the owner's grants and the token's scopes.
    permissions = new Set(tokenScopes.filter((s) => grants(permissions, s)));
  }
  let scope: DataScope = 'self';
  for (const r of roleRows) {
    const s = dataScopes.includes(r.dataScope) ? r.dataScope : 'self';
    if (scopeRank[s] > scopeRank[scope]) scope = s;
  }
  const orgUnitId = row.person?.orgUnitId ?? row.user.orgUnitId ?? null;
  let scopePath: string | null = null;
  if (scope !== 'company') {
    scopePath = orgUnitId ? await anchorPath(tx, orgUnitId, scope) : '/__none__/';
  }
  return {
    kind,
    tenantId: row.user.tenantId,
    userId: row.user.id,
    personId: row.user.personId,
    orgUnitId,
    name: row.user.displayName,
    roles: roleRows.map((r) => r.code),
    permissions,
    dataScope: scope,
    scopePath,
  };
}

/**
 * "team" = the person's own unit and below; "department" = the nearest workshop/department/plant above
 * (or the unit itself), and below. A department head sits in the workshop unit, so both resolve sensibly.
 */
async function anchorPath(tx: Tx, orgUnitId: string, scope: DataScope): Promise<string> {
  const [unit] = await tx.select().from(orgUnits).where(eq(orgUnits.id, orgUnitId));
  if (!unit) return '/__none__/';
  if (scope !== 'department') return unit.path;
  const ids = unit.path.split('/').filter(Boolean);
  const chain = await tx.select().from(orgUnits).where(inArray(orgUnits.id, ids));
  const byId = new Map(chain.map((u) => [u.id, u]));
  for (const id of [...ids].reverse()) {
    const u = byId.get(id);
    if (u && (u.kind === 'workshop' || u.kind === 'department' || u.kind === 'plant' || u.kind === 'contractor')) return u.path;
  }
  return unit.path;
}

/**
 * token → actor, cached for a few seconds: `/me` and every API call would otherwise pay two or three
 * queries. Logout and role changes on this instance clear the cache; other instances follow within the TTL.
 */
const ACTOR_TTL_MS = 10_000;
/**
 * Keyed by the token itself, not its hash: the hash protects tokens at rest in the database, while this Map
 * lives in the same memory as the requests that carry them; a SHA-256 per request was ~5 % of `/me`.
 */
const actorCache = new Map<string, { actor: Actor; until: number }>();

export function clearActorCache(): void {
  actorCache.clear();
}

/**
 * The actor of a token from the cache, without a promise: `null` for a token that cannot be valid,
 * `undefined` when it has to be looked up (resolveToken). Lets the auth hook stay synchronous on the hot path.
 */
export function cachedActor(token: string, now: Date): Actor | null | undefined {
  if (token.length < 20 || token.length > 200) return null;
  const hit = actorCache.get(token);
  return hit && hit.until > now.getTime() ? hit.actor : undefined;
}

export async function resolveToken(db: Database, token: string, now: Date): Promise<Actor | null> {
  const cached = cachedActor(token, now);
  if (cached !== undefined) return cached;
  const hash = sha256(token);
  const actor = await db.read(async (tx) => {
    if (token.startsWith(API_TOKEN_PREFIX)) {
      const [t] = await tx
        .select()
        .from(apiTokens)
        .where(and(eq(apiTokens.tokenHash, hash), isNull(apiTokens.revokedAt), or(isNull(apiTokens.expiresAt), gt(apiTokens.expiresAt, now))));
      if (!t) return null;
      return buildActor(tx, t.userId, 'token', t.scopes);
    }
    const [s] = await tx
      .select()
      .from(sessions)
      .where(and(eq(sessions.tokenHash, hash), isNull(sessions.revokedAt), gt(sessions.expiresAt, now)));
    if (!s) return null;
    return buildActor(tx, s.userId, 'user', null);
  });
  if (!actor) return null;
  const [u] = await db.read((tx) => tx.select({ status: users.status }).from(users).where(eq(users.id, actor.userId ?? '')));
  if (!u || u.status !== 'active') return null;
  if (actorCache.size > 10_000) actorCache.clear();
  actorCache.set(token, { actor, until: now.getTime() + ACTOR_TTL_MS });
  return actor;
}

export type MeView = Awaited<ReturnType<typeof loadMe>>;

/** A `/me` profile and its JSON text, made once per cached actor. */
interface MeEntry {
  view: MeView;
  json: string;
}

/**
 * `/me` profiles, keyed by the cached actor object: the same TTL and invalidation as the actor cache (a new
 * actor after 10 s, logout, or any clearActorCache() gets a fresh profile), without the four queries per
 * call (the web app asks for /me on every page load). The JSON text is kept too: serializing the permission
 * list was the largest part of a cached `/me` (bench/README.md). Holds the promise, so concurrent first
 * calls share one load; a WeakMap, so profiles go when their actor does.
 */
const meCache = new WeakMap<Actor, Promise<MeEntry>>();
/** The settled entries of meCache, for the synchronous path of `GET /me`. */
const meReady = new WeakMap<Actor, MeEntry>();

function meEntry(ctx: Ctx): Promise<MeEntry> {
  const hit = meCache.get(ctx.actor);
  if (hit) return hit;
  const loading = loadMe(ctx).then((view) => {
    const entry = { view, json: JSON.stringify(view) };
    meReady.set(ctx.actor, entry);
    return entry;
  });
  meCache.set(ctx.actor, loading);
  // A failed load (e.g. the user vanished) is not remembered: the next call asks the database again.
  loading.catch(() => meCache.delete(ctx.actor));
  return loading;
}

/** `GET /me`: the user with roles, permissions and data scope. */
export async function describeMe(ctx: Ctx): Promise<MeView> {
  return (await meEntry(ctx)).view;
}

/** The `/me` body as JSON text: synchronously when this actor's profile is loaded already. */
export function describeMeJson(ctx: Ctx): string | Promise<string> {
  return meReady.get(ctx.actor)?.json ?? meEntry(ctx).then((e) => e.json);
}

async function loadMe(ctx: Ctx) {
  const a = ctx.actor;
  return ctx.db.read(async (tx) => {
    const [u] = await tx.select().from(users).where(eq(users.id, a.userId ?? ''));
    if (!u) throw new AppError('unauthenticated');
    const person = u.personId ? (await tx.select().from(people).where(eq(people.id, u.personId)))[0] : undefined;
    const position = person?.positionId ? (await tx.select().from(positions).where(eq(positions.id, person.positionId)))[0] : undefined;
    const unit = a.orgUnitId ? (await tx.select().from(orgUnits).where(eq(orgUnits.id, a.orgUnitId)))[0] : undefined;
    return {
      id: u.id,
      username: u.username,
      displayName: u.displayName,
      phone: u.phone,
      locale: u.locale,
      tenantId: u.tenantId,
      personId: u.personId,
      orgUnit: unit ? { id: unit.id, name: unit.name, kind: unit.kind, path: unit.path } : null,
      position: position ? { id: position.id, name: position.name } : null,
      roles: a.roles,
      permissions: [...a.permissions].sort(),
      dataScope: { scope: a.dataScope, rootPath: a.scopePath },
    };
  });
}
