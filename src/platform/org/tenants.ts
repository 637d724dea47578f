import { eq, inArray } from 'drizzle-orm';
import { builtinRoleCodes, builtinRoles, defaultPermissionsFor } from '../auth/permissions.ts';
import { roles } from '../auth/schema.ts';
import type { Database, Tx } from '../db/client.ts';
import { newId } from '../db/columns.ts';
import { orgUnits, tenants } from './schema.ts';

export interface NewTenant {
  code: string;
  name: string;
  groupName?: string | null;
}

/** A company: the tenant row, the root org unit and the built-in roles. */
export async function createTenant(tx: Tx, input: NewTenant) {
  const tenantId = newId();
  const rootId = newId();
  const [tenant] = await tx.insert(tenants).values({ id: tenantId, code: input.code, name: input.name, groupName: input.groupName ?? null }).returning();
  await tx.insert(orgUnits).values({ id: rootId, tenantId, parentId: null, kind: 'company', code: input.code, name: input.name, path: `/${rootId}/`, depth: 0 });
  await syncBuiltinRoles(tx, tenantId);
  if (!tenant) throw new Error('tenant insert failed');
  return { tenant, rootUnitId: rootId };
}

/**
 * Built-in roles follow the permission catalog: when a module adds a permission, the roles that should
 * hold it by default get it at the next start. Custom roles are never touched.
 */
export async function syncBuiltinRoles(tx: Tx, tenantId: string): Promise<void> {
  const existing = await tx.select().from(roles).where(eq(roles.tenantId, tenantId));
  const byCode = new Map(existing.map((r) => [r.code, r]));
  for (const code of builtinRoleCodes) {
    const def = builtinRoles[code];
    const permissions = defaultPermissionsFor(code);
    const row = byCode.get(code);
    if (!row) {
      await tx.insert(roles).values({ tenantId, code, name: def.name, nameEn: def.nameEn, builtin: true, permissions, dataScope: def.dataScope });
    } else if (row.builtin && JSON.stringify([...row.permissions].sort()) !== JSON.stringify([...permissions].sort())) {
      await tx.update(roles).set({ permissions, version: row.version + 1, updatedAt: new Date() }).where(eq(roles.id, row.id));
    }
  }
}

export async function syncAllTenantsRoles(db: Database): Promise<void> {
  const all = await db.read((tx) => tx.select({ id: tenants.id }).from(tenants));
  for (const t of all) await db.tx((tx) => syncBuiltinRoles(tx, t.id));
}

export async function roleIdsByCode(tx: Tx, tenantId: string, codes: string[]): Promise<Map<string, string>> {
  const rows = await tx.select({ id: roles.id, code: roles.code, tenantId: roles.tenantId }).from(roles).where(inArray(roles.code, codes));
  return new Map(rows.filter((r) => r.tenantId === tenantId).map((r) => [r.code, r.id]));
}
