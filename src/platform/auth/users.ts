import { and, asc, eq, gt, ilike, inArray, isNull, ne, or, sql, type SQL } from 'drizzle-orm';
import { recordChange } from '../audit/record.ts';
import type { Tx } from '../db/client.ts';
import { newId } from '../db/columns.ts';
import { AppError } from '../http/errors.ts';
import { decodeCursor, pageOf } from '../http/pagination.ts';
import { MOBILE_PATTERN, normalizePhone } from '../org/people.ts';
import { orgUnits, people } from '../org/schema.ts';
import { alreadyExists, changedKeys, containsPattern, mapUniqueViolation, pick, versionConflict } from '../org/sqlHelpers.ts';
import type { Actor, Ctx } from './actor.ts';
import { hashPassword, passwordProblem } from './password.ts';
import { assertCanGrant, scopeRank } from './roles.ts';
import { assertInScope, can, pathInScope, requirePermission, scopeWhere } from './scope.ts';
import { clearActorCache } from './service.ts';
import { dataScopes, roles, sessions, userRoles, users, type DataScope } from './schema.ts';

export type UserStatus = 'active' | 'disabled';

export interface UserView {
  id: string;
  username: string;
  displayName: string;
  phone: string | null;
  status: UserStatus;
  roles: { id: string; code: string; name: string }[];
  personId: string | null;
  personName: string | null;
  orgUnitId: string | null;
  orgUnitName: string | null;
  lastLoginAt: string | null;
  lockedUntil: string | null;
  version: number;
}

type UserRow = typeof users.$inferSelect;

/** Lower-case so a login never depends on the caps-lock key; unique across all tenants. */
export const USERNAME_PATTERN = /^[a-z0-9._-]{3,32}$/;

function invalid(field: string, rule: string, message: string): AppError {
  return new AppError('validation_failed', `${field}: ${message}`, { errors: [{ field, rule, message: `${field}: ${message}` }] });
}

function selectUsers(tx: Tx) {
  return tx
    .select({ u: users, personName: people.name, orgUnitName: orgUnits.name })
    .from(users)
    .leftJoin(people, eq(people.id, users.personId))
    .leftJoin(orgUnits, eq(orgUnits.id, users.orgUnitId));
}

async function rolesOf(tx: Tx, userIds: string[]): Promise<Map<string, { id: string; code: string; name: string }[]>> {
  const out = new Map<string, { id: string; code: string; name: string }[]>();
  if (userIds.length === 0) return out;
  const rows = await tx
    .select({ userId: userRoles.userId, id: roles.id, code: roles.code, name: roles.name })
    .from(userRoles)
    .innerJoin(roles, eq(roles.id, userRoles.roleId))
    .where(inArray(userRoles.userId, userIds))
    .orderBy(asc(roles.code));
  for (const r of rows) out.set(r.userId, [...(out.get(r.userId) ?? []), { id: r.id, code: r.code, name: r.name }]);
  return out;
}

function toView(r: { u: UserRow; personName: string | null; orgUnitName: string | null }, roleList: { id: string; code: string; name: string }[]): UserView {
  const u = r.u;
  return {
    id: u.id,
    username: u.username,
    displayName: u.displayName,
    phone: u.phone,
    status: u.status,
    roles: roleList,
    personId: u.personId,
    personName: r.personName,
    orgUnitId: u.orgUnitId,
    orgUnitName: r.orgUnitName,
    lastLoginAt: u.lastLoginAt?.toISOString() ?? null,
    lockedUntil: u.lockedUntil?.toISOString() ?? null,
    version: u.version,
  };
}

async function viewOf(tx: Tx, tenantId: string, id: string): Promise<UserView> {
  const [r] = await selectUsers(tx).where(and(eq(users.id, id), eq(users.tenantId, tenantId)));
  if (!r) throw new AppError('not_found', 'user not found');
  return toView(r, (await rolesOf(tx, [id])).get(id) ?? []);
}

/** Account lists serve access reviews (roles:read) as well as account administration (users:write). */
function requireUserRead(actor: Actor): void {
  if (!can(actor, 'roles:read') && !can(actor, 'users:write')) requirePermission(actor, 'roles:read');
}

export async function listUsers(ctx: Ctx, input: { q?: string; limit: number; cursor?: string }) {
  const a = ctx.actor;
  requireUserRead(a);
  const conds: SQL[] = [scopeWhere(a, { tenantId: users.tenantId, orgUnitId: users.orgUnitId, owners: [users.id] })];
  if (input.q?.trim()) {
    const p = containsPattern(input.q.trim());
    conds.push(or(ilike(users.username, p), ilike(users.displayName, p), ilike(users.phone, p)) as SQL);
  }
  const cur = decodeCursor<{ u: string }>(input.cursor, { u: 'string' });
  if (cur) conds.push(gt(users.username, cur.u));
  return ctx.db.read(async (tx) => {
    const rows = await selectUsers(tx)
      .where(and(...conds))
      .orderBy(asc(users.username))
      .limit(input.limit + 1);
    const roleMap = await rolesOf(
      tx,
      rows.map((r) => r.u.id),
    );
    return pageOf(
      rows.map((r) => toView(r, roleMap.get(r.u.id) ?? [])),
      input.limit,
      (v) => ({ u: v.username }),
    );
  });
}

async function loadUser(tx: Tx, a: Actor, id: string): Promise<UserRow> {
  const [u] = await tx.select().from(users).where(and(eq(users.id, id), eq(users.tenantId, a.tenantId)));
  if (!u) throw new AppError('not_found', 'user not found');
  await assertInScope(tx, a, u, [u.id]);
  return u;
}

async function loadRoles(tx: Tx, tenantId: string, roleIds: string[]) {
  const unique = [...new Set(roleIds)];
  if (unique.length === 0) return [];
  const rows = await tx.select().from(roles).where(and(eq(roles.tenantId, tenantId), inArray(roles.id, unique)));
  const missing = unique.filter((id) => !rows.some((r) => r.id === id));
  if (missing.length) throw new AppError('not_found', `roleIds: role ${missing.join(', ')} not found`);
  return rows;
}

function widest(list: { dataScope: DataScope }[]): DataScope | null {
  let best: DataScope | null = null;
  for (const r of list) {
    const s = dataScopes.includes(r.dataScope) ? r.dataScope : 'self';
    if (!best || scopeRank[s] > scopeRank[best]) best = s;
  }
  return best;
}

/** Handing out (or taking away) a role needs every permission and the data scope the role carries. */
function assertCanGrantRoles(a: Actor, list: { code: string; permissions: string[]; dataScope: DataScope }[], what: string): void {
  if (list.length === 0) return;
  assertCanGrant(a, [...new Set(list.flatMap((r) => r.permissions))], widest(list), `${what} (${list.map((r) => r.code).join(', ')})`);
}

/**
 * Managing an account (password, status, roles) of someone more powerful than yourself would be a way
 * to become them: refused unless you hold everything they hold.
 */
async function assertCanManage(tx: Tx, a: Actor, target: UserRow): Promise<void> {
  if (a.permissions.has('*') || a.userId === target.id) return;
  const held = await tx
    .select({ code: roles.code, permissions: roles.permissions, dataScope: roles.dataScope })
    .from(userRoles)
    .innerJoin(roles, eq(roles.id, userRoles.roleId))
    .where(eq(userRoles.userId, target.id));
  assertCanGrantRoles(a, held, 'user holds roles');
}

/** Keeps at least one active account holding `*` per tenant, so nobody locks the company out of its own system. */
async function assertNotLastAdmin(tx: Tx, tenantId: string, userId: string): Promise<void> {
  const superRoles = sql`${userRoles.roleId} IN (SELECT id FROM roles WHERE tenant_id = ${tenantId} AND '*' = ANY(permissions))`;
  const [wasAdmin] = await tx.select({ n: sql<number>`count(*)::int` }).from(userRoles).where(and(eq(userRoles.userId, userId), superRoles));
  if (!wasAdmin?.n) return;
  const [others] = await tx
    .select({ n: sql<number>`count(DISTINCT ${users.id})::int` })
    .from(users)
    .innerJoin(userRoles, eq(userRoles.userId, users.id))
    .where(and(eq(users.tenantId, tenantId), eq(users.status, 'active'), ne(users.id, userId), superRoles));
  if (!others?.n) throw new AppError('conflict', 'this is the last active system administrator; give another account that role first');
}

async function revokeSessions(tx: Tx, userId: string, now: Date): Promise<void> {
  await tx.update(sessions).set({ revokedAt: now }).where(and(eq(sessions.userId, userId), isNull(sessions.revokedAt)));
}

function checkedPhone(raw: string | null | undefined): string | null {
  const phone = normalizePhone(raw);
  if (phone !== null && !MOBILE_PATTERN.test(phone)) throw invalid('phone', 'pattern', 'a mainland mobile number (11 digits, 13x–19x) or empty');
  return phone;
}

async function assertPhoneFree(tx: Tx, phone: string | null, exceptId?: string): Promise<void> {
  if (!phone) return;
  const [dupe] = await tx
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.phone, phone), exceptId ? ne(users.id, exceptId) : undefined));
  if (dupe) throw alreadyExists('phone', 'phone: another account already signs in with this number');
}

export interface CreateUserInput {
  personId?: string | null;
  username: string;
  displayName: string;
  phone?: string | null;
  password: string;
  roleIds: string[];
}

export async function createUser(ctx: Ctx, input: CreateUserInput): Promise<UserView> {
  const a = ctx.actor;
  requirePermission(a, 'users:write');
  const username = input.username.trim().toLowerCase();
  if (!USERNAME_PATTERN.test(username)) throw invalid('username', 'pattern', '3 to 32 characters: a-z, 0-9, . _ -');
  const weak = passwordProblem(input.password);
  if (weak) throw invalid('password', 'policy', weak);
  const phone = checkedPhone(input.phone);
  // Hashing is deliberately slow: do it before the transaction so it holds no lock meanwhile.
  const passwordHash = await hashPassword(input.password);
  return ctx.db.tx(async (tx) => {
    requirePermission(a, 'users:write');
    let orgUnitId: string | null = null;
    if (input.personId) {
      const [p] = await tx.select().from(people).where(and(eq(people.id, input.personId), eq(people.tenantId, a.tenantId)));
      if (!p) throw new AppError('not_found', 'personId: person not found');
      await assertInScope(tx, a, p, [p.id]);
      if (p.status !== 'active') throw invalid('personId', 'active', 'the person has left');
      const [linked] = await tx.select({ username: users.username }).from(users).where(eq(users.personId, p.id));
      if (linked) throw alreadyExists('personId', `personId: this person already signs in as ${linked.username}`);
      orgUnitId = p.orgUnitId;
    } else if (!pathInScope(a, '/')) {
      // An account without a person has no place in the org tree: only company-wide administrators make those.
      throw new AppError('out_of_scope', 'personId: required when your data scope is not the whole company');
    }
    const roleRows = await loadRoles(tx, a.tenantId, input.roleIds);
    assertCanGrantRoles(a, roleRows, 'roleIds');
    const [taken] = await tx.select({ id: users.id }).from(users).where(eq(users.username, username));
    if (taken) throw alreadyExists('username', `username: ${username} is taken`);
    await assertPhoneFree(tx, phone);
    const id = newId();
    const now = ctx.now();
    const row = {
      id,
      tenantId: a.tenantId,
      orgUnitId,
      personId: input.personId ?? null,
      username,
      displayName: input.displayName.trim(),
      phone,
      passwordHash,
      createdAt: now,
      createdBy: a.userId,
      updatedAt: now,
      updatedBy: a.userId,
    };
    await mapUniqueViolation(() => tx.insert(users).values(row), 'username', `username: ${username} or this phone number is taken`);
    if (roleRows.length) await tx.insert(userRoles).values(roleRows.map((r) => ({ userId: id, roleId: r.id, tenantId: a.tenantId })));
    await recordChange(
      tx,
      ctx,
      {
        action: 'user.created',
        entityType: 'user',
        entityId: id,
        after: { ...pick(row, ['username', 'displayName', 'phone', 'personId', 'orgUnitId']), roles: roleRows.map((r) => r.code).sort() },
      },
      { type: 'user.created', entityType: 'user', entityId: id, payload: { personId: row.personId } },
    );
    return viewOf(tx, a.tenantId, id);
  });
}

export interface UpdateUserInput {
  id: string;
  version: number;
  roleIds?: string[];
  status?: UserStatus;
  displayName?: string;
  phone?: string | null;
}

export async function updateUser(ctx: Ctx, input: UpdateUserInput): Promise<UserView> {
  const a = ctx.actor;
  let cacheStale = false;
  const result = await ctx.db.tx(async (tx) => {
    requirePermission(a, 'users:write');
    const u = await loadUser(tx, a, input.id);
    if (u.version !== input.version) throw versionConflict(u.version);
    await assertCanManage(tx, a, u);
    const patch: Partial<UserRow> = {};
    if (input.displayName !== undefined) patch.displayName = input.displayName.trim();
    if (input.phone !== undefined) patch.phone = checkedPhone(input.phone);
    if (input.status !== undefined) patch.status = input.status;
    const keys = changedKeys(u, patch);
    if (keys.includes('phone')) await assertPhoneFree(tx, patch.phone ?? null, u.id);

    let added: string[] = [];
    let removed: string[] = [];
    let roleCodes: { before: string[]; after: string[] } | null = null;
    let losesStar = false;
    if (input.roleIds !== undefined) {
      const current = await tx
        .select({ id: roles.id, code: roles.code, permissions: roles.permissions, dataScope: roles.dataScope })
        .from(userRoles)
        .innerJoin(roles, eq(roles.id, userRoles.roleId))
        .where(eq(userRoles.userId, u.id));
      const wanted = await loadRoles(tx, a.tenantId, input.roleIds);
      added = wanted.filter((r) => !current.some((c) => c.id === r.id)).map((r) => r.id);
      removed = current.filter((c) => !wanted.some((r) => r.id === c.id)).map((c) => c.id);
      assertCanGrantRoles(a, [...wanted.filter((r) => added.includes(r.id)), ...current.filter((c) => removed.includes(c.id))], 'roleIds');
      if (added.length || removed.length) roleCodes = { before: current.map((c) => c.code).sort(), after: wanted.map((r) => r.code).sort() };
      losesStar = current.some((c) => c.permissions.includes('*')) && !wanted.some((r) => r.permissions.includes('*'));
    }
    if (keys.length === 0 && !roleCodes) return viewOf(tx, a.tenantId, u.id);

    const disabling = patch.status === 'disabled' && u.status !== 'disabled';
    if (patch.status === 'active' && u.status !== 'active' && u.personId) {
      const [p] = await tx.select({ status: people.status }).from(people).where(eq(people.id, u.personId));
      // Leaving disabled the login; it comes back only with the person (PATCH /people status active).
      if (p?.status === 'left') throw new AppError('conflict', 'status: the person has left; mark them as active again first');
    }
    if (disabling && a.userId === u.id) throw new AppError('conflict', 'status: you cannot disable your own account');
    // Checked before the role rows change: if this account is the last admin and would stop being one, refuse.
    if (disabling || losesStar) await assertNotLastAdmin(tx, a.tenantId, u.id);
    const now = ctx.now();
    const [row] = await mapUniqueViolation(
      () =>
        tx
          .update(users)
          .set({ ...pick(patch, keys), version: u.version + 1, updatedAt: now, updatedBy: a.userId })
          .where(and(eq(users.id, u.id), eq(users.version, input.version)))
          .returning({ id: users.id }),
      'phone',
      'phone: another account already signs in with this number',
    );
    if (!row) throw versionConflict(u.version + 1);
    if (removed.length) await tx.delete(userRoles).where(and(eq(userRoles.userId, u.id), inArray(userRoles.roleId, removed)));
    if (added.length) await tx.insert(userRoles).values(added.map((roleId) => ({ userId: u.id, roleId, tenantId: a.tenantId })));
    if (disabling) await revokeSessions(tx, u.id, now);
    cacheStale = disabling || roleCodes !== null || keys.includes('status');
    const action = disabling ? 'user.disabled' : patch.status === 'active' && u.status !== 'active' ? 'user.enabled' : 'user.updated';
    await recordChange(
      tx,
      ctx,
      {
        action,
        entityType: 'user',
        entityId: u.id,
        before: { ...pick(u, keys), ...(roleCodes ? { roles: roleCodes.before } : {}) },
        after: { ...pick({ ...u, ...patch }, keys), ...(roleCodes ? { roles: roleCodes.after } : {}) },
      },
      { type: action, entityType: 'user', entityId: u.id, payload: { changed: [...keys, ...(roleCodes ? ['roles'] : [])] } },
    );
    return viewOf(tx, a.tenantId, u.id);
  });
  // Role and status changes take effect on the user's next request, not after the actor-cache TTL.
  if (cacheStale) clearActorCache();
  return result;
}

/** Sets a new password, unlocks the account and signs the user out everywhere (the old password may be known). */
export async function resetUserPassword(ctx: Ctx, input: { id: string; password: string }): Promise<UserView> {
  const a = ctx.actor;
  requirePermission(a, 'users:write');
  const weak = passwordProblem(input.password);
  if (weak) throw invalid('password', 'policy', weak);
  const passwordHash = await hashPassword(input.password);
  const view = await ctx.db.tx(async (tx) => {
    requirePermission(a, 'users:write');
    const u = await loadUser(tx, a, input.id);
    await assertCanManage(tx, a, u);
    const now = ctx.now();
    await tx
      .update(users)
      .set({ passwordHash, failedLogins: 0, lockedUntil: null, version: u.version + 1, updatedAt: now, updatedBy: a.userId })
      .where(eq(users.id, u.id));
    await revokeSessions(tx, u.id, now);
    // Never the hash: the audit log is readable by auditors.
    await recordChange(
      tx,
      ctx,
      { action: 'user.password_reset', entityType: 'user', entityId: u.id, after: { sessionsRevoked: true } },
      { type: 'user.password_reset', entityType: 'user', entityId: u.id },
    );
    return viewOf(tx, a.tenantId, u.id);
  });
  clearActorCache();
  return view;
}

export async function unlockUser(ctx: Ctx, input: { id: string }): Promise<UserView> {
  const a = ctx.actor;
  return ctx.db.tx(async (tx) => {
    requirePermission(a, 'users:write');
    const u = await loadUser(tx, a, input.id);
    await tx
      .update(users)
      .set({ failedLogins: 0, lockedUntil: null, version: u.version + 1, updatedAt: ctx.now(), updatedBy: a.userId })
      .where(eq(users.id, u.id));
    await recordChange(
      tx,
      ctx,
      { action: 'user.unlocked', entityType: 'user', entityId: u.id, before: { lockedUntil: u.lockedUntil, failedLogins: u.failedLogins }, after: { lockedUntil: null, failedLogins: 0 } },
      { type: 'user.unlocked', entityType: 'user', entityId: u.id },
    );
    return viewOf(tx, a.tenantId, u.id);
  });
}
