import { and, eq, inArray } from 'drizzle-orm';
import type { Tx } from '../../platform/db/client.ts';
import { hazards } from './schema.ts';

/**
 * Read-only lookups for the IoT alarm console (issue 8), so it need not know this module's tables: the
 * numbers of the hazards its alarms opened. System-level reads: the caller applies its own permission.
 */

/** id → number (YH-…) of these hazards of the tenant; unknown ids are left out. */
export async function hazardNumbers(tx: Tx, tenantId: string, ids: string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await tx
    .select({ id: hazards.id, number: hazards.number })
    .from(hazards)
    .where(and(eq(hazards.tenantId, tenantId), inArray(hazards.id, [...new Set(ids)])));
  return new Map(rows.map((r) => [r.id, r.number]));
}
