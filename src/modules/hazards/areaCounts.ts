import { and, desc, eq, inArray, like, notInArray, sql } from 'drizzle-orm';
import type { Tx } from '../../platform/db/client.ts';
import { orgUnits } from '../../platform/org/schema.ts';
import { hazards } from './schema.ts';

/**
 * Read-only views of hazards by area for other modules (the risk map's markers and drill-down), so they
 * need not know this module's tables. An area counts the hazards found in it and in the units below it.
 * System-level reads: the caller applies its own permission.
 */

const closedStates: ('closed' | 'rejected')[] = ['closed', 'rejected'];
const under = (path: string) => like(orgUnits.path, `${path.replace(/[\\%_]/g, '\\$&')}%`);

async function pathsOf(tx: Tx, tenantId: string, ids: string[]): Promise<{ id: string; path: string }[]> {
  if (ids.length === 0) return [];
  return tx
    .select({ id: orgUnits.id, path: orgUnits.path })
    .from(orgUnits)
    .where(and(eq(orgUnits.tenantId, tenantId), inArray(orgUnits.id, [...new Set(ids)])));
}

/** Open (not closed or rejected) hazards found in each of these org units or below; unknown ids are left out. */
export async function openHazardCountsByArea(tx: Tx, tenantId: string, orgUnitIds: string[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const u of await pathsOf(tx, tenantId, orgUnitIds)) {
    const [row] = await tx
      .select({ n: sql<number>`count(*)::int` })
      .from(hazards)
      .innerJoin(orgUnits, eq(orgUnits.id, hazards.orgUnitId))
      .where(and(eq(hazards.tenantId, tenantId), notInArray(hazards.status, closedStates), under(u.path)));
    out.set(u.id, row?.n ?? 0);
  }
  return out;
}

export interface AreaHazardRef {
  id: string;
  number: string;
  title: string;
  level: string;
  status: string;
  open: boolean;
  reportedAt: string;
}

/** The latest hazards found in this org unit or below, newest first. */
export async function recentHazardsOfArea(tx: Tx, tenantId: string, orgUnitId: string, limit = 10): Promise<AreaHazardRef[]> {
  const [u] = await pathsOf(tx, tenantId, [orgUnitId]);
  if (!u) return [];
  const rows = await tx
    .select({ id: hazards.id, number: hazards.number, title: hazards.title, level: hazards.level, status: hazards.status, reportedAt: hazards.reportedAt })
    .from(hazards)
    .innerJoin(orgUnits, eq(orgUnits.id, hazards.orgUnitId))
    .where(and(eq(hazards.tenantId, tenantId), under(u.path)))
    .orderBy(desc(hazards.reportedAt))
    .limit(Math.min(Math.max(1, limit), 50));
  return rows.map((h) => ({ ...h, open: !closedStates.includes(h.status as 'closed' | 'rejected'), reportedAt: h.reportedAt.toISOString() }));
}
