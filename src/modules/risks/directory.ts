import { and, eq, inArray } from 'drizzle-orm';
import { users } from '../../platform/auth/schema.ts';
import type { Tx } from '../../platform/db/client.ts';
import { orgUnits, tenants } from '../../platform/org/schema.ts';

/** Who is who for the register: the login of a responsible person, the manager of a unit, a tenant's language. */

/** Active logins of these people (people.id → users.id). */
export async function loginsOf(tx: Tx, tenantId: string, personIds: (string | null | undefined)[]): Promise<Map<string, string>> {
  const ids = [...new Set(personIds.filter((v): v is string => typeof v === 'string'))];
  if (ids.length === 0) return new Map();
  const rows = await tx
    .select({ id: users.id, personId: users.personId })
    .from(users)
    .where(and(eq(users.tenantId, tenantId), inArray(users.personId, ids), eq(users.status, 'active')));
  return new Map(rows.filter((r) => r.personId !== null).map((r) => [r.personId as string, r.id]));
}

/**
 * Who answers for a risk unit: its responsible person, else the manager of its department or of the
 * nearest unit above with a manager who has a login. Null when nobody does (the reminder is still audited).
 */
export async function responsibleLogin(tx: Tx, tenantId: string, responsiblePersonId: string | null, orgUnitId: string | null): Promise<string | null> {
  if (responsiblePersonId) {
    const own = (await loginsOf(tx, tenantId, [responsiblePersonId])).get(responsiblePersonId);
    if (own) return own;
  }
  if (!orgUnitId) return null;
  const [unit] = await tx
    .select({ path: orgUnits.path })
    .from(orgUnits)
    .where(and(eq(orgUnits.tenantId, tenantId), eq(orgUnits.id, orgUnitId)));
  if (!unit) return null;
  const chainIds = unit.path.split('/').filter(Boolean);
  const chain = await tx
    .select({ id: orgUnits.id, depth: orgUnits.depth, managerPersonId: orgUnits.managerPersonId })
    .from(orgUnits)
    .where(and(eq(orgUnits.tenantId, tenantId), inArray(orgUnits.id, chainIds)));
  chain.sort((a, b) => b.depth - a.depth);
  const logins = await loginsOf(
    tx,
    tenantId,
    chain.map((u) => u.managerPersonId),
  );
  for (const u of chain) {
    const login = u.managerPersonId ? logins.get(u.managerPersonId) : undefined;
    if (login) return login;
  }
  return null;
}

export interface TenantInfo {
  timeZone: string;
  locale: 'zh-CN' | 'en';
}

export async function tenantInfo(tx: Tx, tenantId: string): Promise<TenantInfo> {
  const [t] = await tx.select({ timeZone: tenants.timeZone, locale: tenants.locale }).from(tenants).where(eq(tenants.id, tenantId));
  return { timeZone: t?.timeZone ?? 'Asia/Shanghai', locale: t?.locale === 'en' ? 'en' : 'zh-CN' };
}

/** "2027-03-05" in the tenant's zone, for messages and spreadsheets. */
export function formatDay(at: Date | null, timeZone: string): string {
  if (!at) return '';
  // en-CA writes ISO-like dates (YYYY-MM-DD).
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
}
