import { and, asc, eq, ne, sql } from 'drizzle-orm';
import { recordChange } from '../audit/record.ts';
import type { Tx } from '../db/client.ts';
import { newId } from '../db/columns.ts';
import { AppError, type FieldError } from '../http/errors.ts';
import { alreadyExists, changedKeys, mapUniqueViolation, pick, versionConflict } from '../org/sqlHelpers.ts';
import type { Actor, Ctx } from './actor.ts';
import { grants, permissionCatalog } from './permissions.ts';
import { requirePermission } from './scope.ts';
import { clearActorCache } from './service.ts';
import { dataScopes, roles, userRoles, type DataScope } from './schema.ts';

export interface RoleView {
  id: string;
  code: string;
  name: string;
  nameEn: string | null;
  description: string | null;
  builtin: boolean;
  permissions: string[];
  dataScope: DataScope;
  userCount: number;
  version: number;
}

type RoleRow = typeof roles.$inferSelect;

export const ROLE_CODE_PATTERN = /^[a-z][a-z0-9_]{1,39}$/;
export const scopeRank: Record<DataScope, number> = { self: 0, team: 1, department: 2, company: 3 };

/** `GET /permissions`: the catalog the roles page offers. */
export function listPermissions(ctx: Ctx) {
  requirePermission(ctx.actor, 'roles:read');
  return {
    items: permissionCatalog()
      .map((p) => ({ code: p.code, group: p.group, label: p.label }))
      .sort((x, y) => x.group.localeCompare(y.group) || x.code.localeCompare(y.code)),
  };
}

/**
 * Codes a role or token may carry: a catalog permission, `group:*` for a known group, or `*`.
 * Anything else is a typo that would silently grant nothing, so it is refused.
 */
export function permissionCodeProblems(codes: string[], field: string): FieldError[] {
  const catalog = permissionCatalog();
  const known = new Set(catalog.map((p) => p.code));
  const groups = new Set(catalog.map((p) => p.code.slice(0, p.code.indexOf(':'))));
  const out: FieldError[] = [];
  codes.forEach((c, i) => {
    const ok = c === '*' || known.has(c) || (c.endsWith(':*') && groups.has(c.slice(0, -2)));
    if (!ok) out.push({ field: `${field}.${i}`, rule: 'catalog', message: `${field}.${i}: ${c} is not a known permission` });
  });
  return out;
}

/**
 * Privilege-escalation guard: nobody hands out a permission they do not hold themselves (`*` holders
 * excepted, by definition), nor a data scope wider than their own.
 */
export function assertCanGrant(actor: Actor, permissions: string[], dataScope: DataScope | null, what: string): void {
  if (actor.permissions.has('*')) return;
  const missing = permissions.filter((p) => !grants(actor.permissions, p));
  if (missing.length) {
    throw new AppError('forbidden', `${what}: you cannot grant ${missing.join(', ')} because you do not hold ${missing.length === 1 ? 'it' : 'them'} yourself`, {
      extra: { permissions: missing },
    });
  }
  if (dataScope && scopeRank[dataScope] > scopeRank[actor.dataScope]) {
    throw new AppError('forbidden', `${what}: you cannot grant data scope ${dataScope}, wider than your own (${actor.dataScope})`);
  }
}

async function userCounts(tx: Tx, tenantId: string): Promise<Map<string, number>> {
  const rows = await tx
    .select({ roleId: userRoles.roleId, n: sql<number>`count(*)::int` })
    .from(userRoles)
    .where(eq(userRoles.tenantId, tenantId))
    .groupBy(userRoles.roleId);
  return new Map(rows.map((r) => [r.roleId, r.n]));
}

function view(r: RoleRow, userCount: number): RoleView {
  return {
    id: r.id,
    code: r.code,
    name: r.name,
    nameEn: r.nameEn,
    description: r.description,
    builtin: r.builtin,
    permissions: [...r.permissions].sort(),
    dataScope: dataScopes.includes(r.dataScope) ? r.dataScope : 'self',
    userCount,
    version: r.version,
  };
}

export async function listRoles(ctx: Ctx): Promise<{ items: RoleView[] }> {
  requirePermission(ctx.actor, 'roles:read');
  return ctx.db.read(async (tx) => {
    const rows = await tx
      .select()
      .from(roles)
      .where(eq(roles.tenantId, ctx.actor.tenantId))
      .orderBy(sql`${roles.builtin} DESC`, asc(roles.code));
    const counts = await userCounts(tx, ctx.actor.tenantId);
    return { items: rows.map((r) => view(r, counts.get(r.id) ?? 0)) };
  });
}

async function loadRole(tx: Tx, tenantId: string, id: string): Promise<RoleRow> {
  const [r] = await tx.select().from(roles).where(and(eq(roles.id, id), eq(roles.tenantId, tenantId)));
  if (!r) throw new AppError('not_found', 'role not found');
  return r;
}

async function countUsers(tx: Tx, roleId: string): Promise<number> {
  const [row] = await tx.select({ n: sql<number>`count(*)::int` }).from(userRoles).where(eq(userRoles.roleId, roleId));
  return row?.n ?? 0;
}

function validatePermissions(codes: string[]): string[] {
  const unique = [...new Set(codes.map((c) => c.trim()))];
  const problems = permissionCodeProblems(unique, 'permissions');
  if (problems.length) throw new AppError('validation_failed', problems.map((p) => p.message).join('; '), { errors: problems });
  return unique.sort();
}

export interface CreateRoleInput {
  code: string;
  name: string;
  nameEn?: string | null;
  description?: string | null;
  permissions: string[];
  dataScope: DataScope;
}

export async function createRole(ctx: Ctx, input: CreateRoleInput): Promise<RoleView> {
  const a = ctx.actor;
  const role = await ctx.db.tx(async (tx) => {
    requirePermission(a, 'roles:write');
    const code = input.code.trim();
    if (!ROLE_CODE_PATTERN.test(code)) {
      throw new AppError('validation_failed', 'code: 2 to 40 lower-case letters, digits or _, starting with a letter', {
        errors: [{ field: 'code', rule: 'pattern', message: 'code: 2 to 40 lower-case letters, digits or _, starting with a letter' }],
      });
    }
    const permissions = validatePermissions(input.permissions);
    assertCanGrant(a, permissions, input.dataScope, 'permissions');
    const [dupe] = await tx.select({ id: roles.id }).from(roles).where(and(eq(roles.tenantId, a.tenantId), eq(roles.code, code)));
    if (dupe) throw alreadyExists('code', `code: a role with code ${code} already exists`);
    const now = ctx.now();
    const id = newId();
    const [row] = await mapUniqueViolation(
      () =>
        tx
          .insert(roles)
          .values({
            id,
            tenantId: a.tenantId,
            code,
            name: input.name.trim(),
            nameEn: input.nameEn?.trim() || null,
            description: input.description?.trim() || null,
            builtin: false,
            permissions,
            dataScope: input.dataScope,
            createdAt: now,
            createdBy: a.userId,
            updatedAt: now,
            updatedBy: a.userId,
          })
          .returning(),
      'code',
      `code: a role with code ${code} already exists`,
    );
    if (!row) throw new Error('role insert returned nothing');
    await recordChange(
      tx,
      ctx,
      { action: 'role.created', entityType: 'role', entityId: id, after: pick(row, ['code', 'name', 'nameEn', 'description', 'permissions', 'dataScope']) },
      { type: 'role.created', entityType: 'role', entityId: id },
    );
    return view(row, 0);
  });
  return role;
}

export interface UpdateRoleInput {
  id: string;
  version: number;
  code?: string;
  name?: string;
  nameEn?: string | null;
  description?: string | null;
  permissions?: string[];
  dataScope?: DataScope;
}

/**
 * Built-in roles keep their code, permissions and data scope: code and the start-up sync rely on them,
 * and their permissions follow the catalog as modules add permissions. Their names may be localised.
 */
export async function updateRole(ctx: Ctx, input: UpdateRoleInput): Promise<RoleView> {
  const a = ctx.actor;
  const result = await ctx.db.tx(async (tx) => {
    requirePermission(a, 'roles:write');
    const r = await loadRole(tx, a.tenantId, input.id);
    if (r.version !== input.version) throw versionConflict(r.version);
    const patch: Partial<RoleRow> = {};
    if (input.code !== undefined) patch.code = input.code.trim();
    if (input.name !== undefined) patch.name = input.name.trim();
    if (input.nameEn !== undefined) patch.nameEn = input.nameEn?.trim() || null;
    if (input.description !== undefined) patch.description = input.description?.trim() || null;
    if (input.permissions !== undefined) patch.permissions = validatePermissions(input.permissions);
    if (input.dataScope !== undefined) patch.dataScope = input.dataScope;
    const keys = changedKeys({ ...r, permissions: [...r.permissions].sort() }, patch);
    if (r.builtin) {
      const locked = keys.filter((k) => k === 'code' || k === 'permissions' || k === 'dataScope');
      if (locked.length) {
        throw new AppError('conflict', `${locked.join(', ')}: a built-in role's code, permissions and data scope follow the catalog; copy it into a custom role to change them`);
      }
    }
    if (keys.includes('code')) {
      if (!ROLE_CODE_PATTERN.test(patch.code ?? '')) {
        throw new AppError('validation_failed', 'code: 2 to 40 lower-case letters, digits or _, starting with a letter', {
          errors: [{ field: 'code', rule: 'pattern', message: 'code: 2 to 40 lower-case letters, digits or _, starting with a letter' }],
        });
      }
      const [dupe] = await tx.select({ id: roles.id }).from(roles).where(and(eq(roles.tenantId, a.tenantId), eq(roles.code, patch.code ?? ''), ne(roles.id, r.id)));
      if (dupe) throw alreadyExists('code', `code: a role with code ${patch.code} already exists`);
    }
    if (keys.includes('permissions') || keys.includes('dataScope')) {
      // Editing a role hands its (new) powers to everyone holding it: the editor must hold them all, and
      // must not be able to strip a role more powerful than themselves either.
      assertCanGrant(a, [...new Set([...r.permissions, ...(patch.permissions ?? [])])], patch.dataScope ?? r.dataScope, 'permissions');
    }
    const counts = await countUsers(tx, r.id);
    if (keys.length === 0) return { role: view(r, counts), cacheStale: false };
    const [row] = await mapUniqueViolation(
      () =>
        tx
          .update(roles)
          .set({ ...pick(patch, keys), version: r.version + 1, updatedAt: ctx.now(), updatedBy: a.userId })
          .where(and(eq(roles.id, r.id), eq(roles.version, input.version)))
          .returning(),
      'code',
      `code: a role with code ${patch.code ?? ''} already exists`,
    );
    if (!row) throw versionConflict(r.version + 1);
    await recordChange(
      tx,
      ctx,
      { action: 'role.updated', entityType: 'role', entityId: r.id, before: pick(r, keys), after: pick(row, keys) },
      { type: 'role.updated', entityType: 'role', entityId: r.id, payload: { changed: keys } },
    );
    return { role: view(row, counts), cacheStale: keys.includes('permissions') || keys.includes('dataScope') || keys.includes('code') };
  });
  // Everyone holding the role gets the new permissions on their next request, not after the cache TTL.
  if (result.cacheStale) clearActorCache();
  return result.role;
}

/** Only custom roles that nobody holds any more; the audit entry keeps what the role was. */
export async function deleteRole(ctx: Ctx, id: string): Promise<void> {
  const a = ctx.actor;
  await ctx.db.tx(async (tx) => {
    requirePermission(a, 'roles:write');
    const r = await loadRole(tx, a.tenantId, id);
    if (r.builtin) throw new AppError('conflict', 'built-in roles cannot be deleted');
    const n = await countUsers(tx, r.id);
    if (n > 0) throw new AppError('conflict', `${n} user${n === 1 ? '' : 's'} still hold this role; take it away from them first`, { extra: { userCount: n } });
    assertCanGrant(a, r.permissions, r.dataScope, 'role');
    await tx.delete(roles).where(eq(roles.id, r.id));
    await recordChange(
      tx,
      ctx,
      { action: 'role.deleted', entityType: 'role', entityId: r.id, before: pick(r, ['code', 'name', 'nameEn', 'description', 'permissions', 'dataScope']) },
      { type: 'role.deleted', entityType: 'role', entityId: r.id },
    );
  });
  clearActorCache();
}
