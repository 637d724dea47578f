import { and, desc, eq, isNull, lt, or, type SQL } from 'drizzle-orm';
import { recordChange } from '../audit/record.ts';
import type { Database, Tx } from '../db/client.ts';
import { newId } from '../db/columns.ts';
import { AppError } from '../http/errors.ts';
import type { Ctx } from './actor.ts';
import { assertCanGrant, permissionCodeProblems } from './roles.ts';
import { can, requirePermission } from './scope.ts';
import { API_TOKEN_PREFIX, clearActorCache, newSecret, sha256 } from './service.ts';
import { apiTokens, users } from './schema.ts';

export interface TokenView {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
  userId: string;
  userName: string | null;
}

type TokenRow = typeof apiTokens.$inferSelect;

/** Enough of the secret to recognise a token in a list ("slt_AbCd1234"), far too little to use it. */
const SHOWN_PREFIX_LENGTH = 12;

const iso = (d: Date | null) => d?.toISOString() ?? null;

function view(t: TokenRow, userName: string | null): TokenView {
  return {
    id: t.id,
    name: t.name,
    prefix: t.prefix,
    scopes: [...t.scopes].sort(),
    createdAt: t.createdAt.toISOString(),
    expiresAt: iso(t.expiresAt),
    lastUsedAt: iso(t.lastUsedAt),
    revokedAt: iso(t.revokedAt),
    userId: t.userId,
    userName,
  };
}

/** `all=true` (tokens:manage) lists every token of the tenant; otherwise the caller's own. */
export async function listTokens(ctx: Ctx, input: { all: boolean }): Promise<{ items: TokenView[] }> {
  const a = ctx.actor;
  if (input.all) requirePermission(a, 'tokens:manage');
  else if (!can(a, 'tokens:manage')) requirePermission(a, 'tokens:own');
  const conds: SQL[] = [eq(apiTokens.tenantId, a.tenantId)];
  if (!input.all) conds.push(eq(apiTokens.userId, a.userId ?? '00000000-0000-0000-0000-000000000000'));
  const rows = await ctx.db.read((tx) =>
    tx
      .select({ t: apiTokens, userName: users.displayName })
      .from(apiTokens)
      .leftJoin(users, eq(users.id, apiTokens.userId))
      .where(and(...conds))
      .orderBy(desc(apiTokens.createdAt))
      .limit(1000),
  );
  return { items: rows.map((r) => view(r.t, r.userName)) };
}

export interface CreateTokenInput {
  name: string;
  scopes: string[];
  expiresInDays?: number;
}

/**
 * A personal API token. The secret is returned once and only its SHA-256 is stored. Scopes must be
 * permissions the creator holds; at use the token gets the intersection of its scopes and whatever its
 * owner holds then (so taking a role away from the owner also narrows their tokens).
 */
export async function createToken(ctx: Ctx, input: CreateTokenInput): Promise<TokenView & { token: string }> {
  const a = ctx.actor;
  return ctx.db.tx(async (tx) => {
    requirePermission(a, 'tokens:own');
    // A leaked token must not be able to mint fresh ones and outlive its own revocation.
    if (a.kind !== 'user' || !a.userId) throw new AppError('forbidden', 'API tokens can only be created from a signed-in session');
    const scopes = [...new Set(input.scopes.map((s) => s.trim()))].sort();
    const problems = permissionCodeProblems(scopes, 'scopes');
    if (problems.length) throw new AppError('validation_failed', problems.map((p) => p.message).join('; '), { errors: problems });
    assertCanGrant(a, scopes, null, 'scopes');
    const secret = newSecret(API_TOKEN_PREFIX);
    const now = ctx.now();
    const id = newId();
    const [row] = await tx
      .insert(apiTokens)
      .values({
        id,
        tenantId: a.tenantId,
        userId: a.userId,
        name: input.name.trim(),
        prefix: secret.slice(0, SHOWN_PREFIX_LENGTH),
        tokenHash: sha256(secret),
        scopes,
        createdAt: now,
        expiresAt: input.expiresInDays ? new Date(now.getTime() + input.expiresInDays * 86_400_000) : null,
      })
      .returning();
    if (!row) throw new Error('token insert returned nothing');
    await recordChange(
      tx,
      ctx,
      { action: 'api_token.created', entityType: 'api_token', entityId: id, after: { name: row.name, prefix: row.prefix, scopes, expiresAt: row.expiresAt } },
      { type: 'api_token.created', entityType: 'api_token', entityId: id },
    );
    return { ...view(row, a.name), token: secret };
  });
}

/** Revokes at once: the actor cache is cleared so the next request with the token is a 401. */
export async function revokeToken(ctx: Ctx, input: { id: string }): Promise<void> {
  const a = ctx.actor;
  const revoked = await ctx.db.tx(async (tx) => {
    const [t] = await tx.select().from(apiTokens).where(and(eq(apiTokens.id, input.id), eq(apiTokens.tenantId, a.tenantId)));
    if (!t) throw new AppError('not_found', 'token not found');
    if (t.userId === a.userId) {
      if (!can(a, 'tokens:manage')) requirePermission(a, 'tokens:own');
    } else {
      requirePermission(a, 'tokens:manage');
    }
    if (t.revokedAt) return false;
    const now = ctx.now();
    await tx.update(apiTokens).set({ revokedAt: now }).where(eq(apiTokens.id, t.id));
    await recordChange(
      tx,
      ctx,
      { action: 'api_token.revoked', entityType: 'api_token', entityId: t.id, before: { revokedAt: null }, after: { revokedAt: now, name: t.name, prefix: t.prefix, ownerUserId: t.userId } },
      { type: 'api_token.revoked', entityType: 'api_token', entityId: t.id },
    );
    return true;
  });
  if (revoked) clearActorCache();
}

/** Writes at most once a minute per token: last-used is for "is this integration still alive?", not an access log. */
const LAST_USED_RESOLUTION_MS = 60_000;
const lastWritten = new Map<string, number>();

/**
 * Records that an API token was used. Cheap on the hot path: an in-memory check skips the database for
 * a minute after each write, and the `WHERE` keeps several app instances from writing more often either.
 */
export async function touchTokenUsage(db: Database, token: string, now: Date): Promise<void> {
  if (!token.startsWith(API_TOKEN_PREFIX)) return;
  const hash = sha256(token);
  const last = lastWritten.get(hash);
  if (last !== undefined && now.getTime() - last < LAST_USED_RESOLUTION_MS && now.getTime() >= last) return;
  if (lastWritten.size > 10_000) lastWritten.clear();
  lastWritten.set(hash, now.getTime());
  await db.tx((tx: Tx) =>
    tx
      .update(apiTokens)
      .set({ lastUsedAt: now })
      .where(and(eq(apiTokens.tokenHash, hash), or(isNull(apiTokens.lastUsedAt), lt(apiTokens.lastUsedAt, new Date(now.getTime() - LAST_USED_RESOLUTION_MS))))),
  );
}
