import { and, eq, inArray } from 'drizzle-orm';
import { grants } from '../../platform/auth/permissions.ts';
import { roles, userRoles, users } from '../../platform/auth/schema.ts';
import type { Tx } from '../../platform/db/client.ts';
import { orgUnits, people, tenants } from '../../platform/org/schema.ts';

/**
 * Who is who for hazards: unit managers up the tree, users by role, departments, a tenant's zone. Reads
 * platform tables only (a module may read them; it writes its own).
 */

export type UnitRow = typeof orgUnits.$inferSelect;

export interface UserInfo {
  id: string;
  personId: string | null;
  /** The person's unit (their login's unit when they have no person record). */
  orgUnitId: string | null;
  displayName: string;
  active: boolean;
  roleCodes: string[];
  permissions: Set<string>;
}

export async function loadUnit(tx: Tx, tenantId: string, id: string): Promise<UnitRow | null> {
  const [u] = await tx
    .select()
    .from(orgUnits)
    .where(and(eq(orgUnits.tenantId, tenantId), eq(orgUnits.id, id)));
  return u ?? null;
}

/** Users of this tenant with their role codes and permissions; unknown ids are left out. */
export async function loadUsers(tx: Tx, tenantId: string, ids: (string | null | undefined)[]): Promise<Map<string, UserInfo>> {
  const wanted = [...new Set(ids.filter((v): v is string => typeof v === 'string'))];
  const out = new Map<string, UserInfo>();
  if (wanted.length === 0) return out;
  const rows = await tx
    .select({ user: users, personUnit: people.orgUnitId })
    .from(users)
    .leftJoin(people, eq(people.id, users.personId))
    .where(and(eq(users.tenantId, tenantId), inArray(users.id, wanted)));
  const roleRows = await tx
    .select({ userId: userRoles.userId, code: roles.code, permissions: roles.permissions })
    .from(userRoles)
    .innerJoin(roles, eq(roles.id, userRoles.roleId))
    .where(and(eq(userRoles.tenantId, tenantId), inArray(userRoles.userId, wanted)));
  for (const r of rows) {
    const mine = roleRows.filter((x) => x.userId === r.user.id);
    out.set(r.user.id, {
      id: r.user.id,
      personId: r.user.personId,
      orgUnitId: r.personUnit ?? r.user.orgUnitId,
      displayName: r.user.displayName,
      active: r.user.status === 'active',
      roleCodes: mine.map((x) => x.code),
      permissions: new Set(mine.flatMap((x) => x.permissions)),
    });
  }
  return out;
}

export async function loadUser(tx: Tx, tenantId: string, id: string | null | undefined): Promise<UserInfo | null> {
  if (!id) return null;
  return (await loadUsers(tx, tenantId, [id])).get(id) ?? null;
}

export function userCan(u: UserInfo, permission: string): boolean {
  return u.active && grants(u.permissions, permission);
}

/** Active users holding any of these role codes (built-in or custom). */
export async function usersWithRoles(tx: Tx, tenantId: string, roleCodes: string[]): Promise<string[]> {
  if (roleCodes.length === 0) return [];
  const rows = await tx
    .selectDistinct({ id: users.id })
    .from(userRoles)
    .innerJoin(roles, eq(roles.id, userRoles.roleId))
    .innerJoin(users, eq(users.id, userRoles.userId))
    .where(and(eq(userRoles.tenantId, tenantId), inArray(roles.code, roleCodes), eq(users.status, 'active')));
  return rows.map((r) => r.id).sort();
}

/** The unit and its ancestors, nearest first. */
export async function unitChain(tx: Tx, tenantId: string, unitId: string): Promise<UnitRow[]> {
  const unit = await loadUnit(tx, tenantId, unitId);
  if (!unit) return [];
  const ids = unit.path.split('/').filter(Boolean);
  const rows = await tx
    .select()
    .from(orgUnits)
    .where(and(eq(orgUnits.tenantId, tenantId), inArray(orgUnits.id, ids)));
  return rows.sort((a, b) => b.depth - a.depth);
}

/**
 * The first unit manager walking up from `unitId` (the unit itself first) who has an active login, is not
 * excluded and holds `permission`; with the unit they manage. The owner of an area is its manager, or the
 * manager of the nearest unit above that has one.
 */
export async function managerUpTheTree(
  tx: Tx,
  tenantId: string,
  unitId: string | null,
  opts: { exclude?: (string | null)[]; permission?: string } = {},
): Promise<{ userId: string; unitId: string } | null> {
  if (!unitId) return null;
  const chain = await unitChain(tx, tenantId, unitId);
  const personIds = chain.map((u) => u.managerPersonId).filter((v): v is string => v !== null);
  if (personIds.length === 0) return null;
  const logins = await tx
    .select({ id: users.id, personId: users.personId })
    .from(users)
    .where(and(eq(users.tenantId, tenantId), inArray(users.personId, personIds), eq(users.status, 'active')));
  const infos = await loadUsers(
    tx,
    tenantId,
    logins.map((l) => l.id),
  );
  const excluded = new Set((opts.exclude ?? []).filter((v): v is string => v !== null));
  for (const unit of chain) {
    if (!unit.managerPersonId) continue;
    const login = logins.find((l) => l.personId === unit.managerPersonId);
    const info = login ? infos.get(login.id) : undefined;
    if (!info || excluded.has(info.id)) continue;
    if (opts.permission && !userCan(info, opts.permission)) continue;
    return { userId: info.id, unitId: unit.id };
  }
  return null;
}

const departmentKinds = new Set(['workshop', 'department', 'plant', 'contractor']);

/** The department a unit belongs to: the nearest workshop/department/plant (or contractor) at or above it. */
export async function departmentOf(tx: Tx, tenantId: string, unitId: string | null): Promise<string | null> {
  if (!unitId) return null;
  const chain = await unitChain(tx, tenantId, unitId);
  return chain.find((u) => departmentKinds.has(u.kind))?.id ?? chain[0]?.id ?? null;
}

export interface TenantInfo {
  timeZone: string;
  locale: 'zh-CN' | 'en';
}

export async function tenantInfo(tx: Tx, tenantId: string): Promise<TenantInfo> {
  const [t] = await tx.select({ timeZone: tenants.timeZone, locale: tenants.locale }).from(tenants).where(eq(tenants.id, tenantId));
  return { timeZone: t?.timeZone ?? 'Asia/Shanghai', locale: t?.locale === 'en' ? 'en' : 'zh-CN' };
}

/** Calendar parts of an instant in a zone. */
export function zonedParts(at: Date, timeZone: string): { year: number; month: number; day: number; hour: number; minute: number } {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', hourCycle: 'h23' }).formatToParts(at);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return { year: get('year'), month: get('month'), day: get('day'), hour: get('hour'), minute: get('minute') };
}

/** The instant a wall-clock time in `timeZone` names (Asia/Shanghai has no DST; zones with DST resolve forwards). */
export function zonedTime(timeZone: string, year: number, month: number, day: number, hour = 0, minute = 0): Date {
  const guess = Date.UTC(year, month - 1, day, hour, minute);
  let at = guess;
  for (let i = 0; i < 2; i++) {
    const p = zonedParts(new Date(at), timeZone);
    const shown = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute);
    at += guess - shown;
  }
  return new Date(at);
}

/** "2026-11-23 14:05" in the tenant's zone, for spreadsheets and messages. */
export function formatZoned(at: Date | null, timeZone: string): string {
  if (!at) return '';
  const p = zonedParts(at, timeZone);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${p.year}-${two(p.month)}-${two(p.day)} ${two(p.hour)}:${two(p.minute)}`;
}
