import { and, eq, isNotNull } from 'drizzle-orm';
import type { Tx } from '../../platform/db/client.ts';
import { orgUnits, people } from '../../platform/org/schema.ts';

/**
 * The org facts task generation needs, loaded once per run (a year of 5,000 plans must not ask the
 * database per task): each unit's department and the holders of each position.
 */

const departmentKinds = new Set(['workshop', 'department', 'plant', 'contractor']);

export interface OrgFacts {
  /** The nearest workshop/department/plant at or above the unit (else the unit itself). */
  departmentOf(unitId: string | null): string | null;
  /** An active holder of the position, preferring one in the unit's subtree; null when nobody holds it. */
  holderOf(positionId: string, unitId: string | null): string | null;
  unitName(unitId: string | null): string | null;
}

export async function loadOrgFacts(tx: Tx, tenantId: string): Promise<OrgFacts> {
  const units = await tx.select({ id: orgUnits.id, path: orgUnits.path, kind: orgUnits.kind, name: orgUnits.name }).from(orgUnits).where(eq(orgUnits.tenantId, tenantId));
  const byId = new Map(units.map((u) => [u.id, u]));
  const holders = await tx
    .select({ id: people.id, positionId: people.positionId, orgUnitId: people.orgUnitId, name: people.name })
    .from(people)
    .where(and(eq(people.tenantId, tenantId), eq(people.status, 'active'), isNotNull(people.positionId)));
  // Stable choice: by name, then id, so repeated generation assigns the same person.
  holders.sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
  const deptCache = new Map<string, string | null>();
  return {
    departmentOf(unitId) {
      if (!unitId) return null;
      const cached = deptCache.get(unitId);
      if (cached !== undefined) return cached;
      const u = byId.get(unitId);
      if (!u) return null;
      const chain = u.path.split('/').filter(Boolean).reverse();
      const dept = chain.find((id) => departmentKinds.has(byId.get(id)?.kind ?? '')) ?? unitId;
      deptCache.set(unitId, dept);
      return dept;
    },
    holderOf(positionId, unitId) {
      const mine = holders.filter((h) => h.positionId === positionId);
      const path = unitId ? byId.get(unitId)?.path : undefined;
      const inside = path ? mine.find((h) => h.orgUnitId && (byId.get(h.orgUnitId)?.path ?? '').startsWith(path)) : undefined;
      return (inside ?? mine[0])?.id ?? null;
    },
    unitName(unitId) {
      return unitId ? (byId.get(unitId)?.name ?? null) : null;
    },
  };
}
