import { asc } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { tenants } from '../org/schema.ts';
import { verifyAuditChain, type VerifyResult } from './service.ts';

/** Verifies every tenant's chain; used by the CLI and by operators' health checks. */
export async function verifyAllTenants(db: Database): Promise<(VerifyResult & { tenantId: string; tenantCode: string })[]> {
  const all = await db.read((tx) => tx.select({ id: tenants.id, code: tenants.code }).from(tenants).orderBy(asc(tenants.code)));
  const out = [];
  for (const t of all) {
    const r = await db.read((tx) => verifyAuditChain(tx, t.id));
    out.push({ ...r, tenantId: t.id, tenantCode: t.code });
  }
  return out;
}
