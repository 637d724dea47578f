import { and, eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobs } from '../platform/jobs/schema.ts';
import { tenants } from '../platform/org/schema.ts';
import { permits, permitTypes } from '../modules/permits/schema.ts';
import { openTestDatabase } from '../test/db.ts';
import { seedDemoIfEmpty } from './seed.ts';

let db: Awaited<ReturnType<typeof openTestDatabase>>;
const now = new Date('2026-12-01T02:00:00Z');

beforeAll(async () => {
  db = await openTestDatabase();
  await seedDemoIfEmpty(db, () => now);
});
afterAll(() => db.close());

describe('demo permits', () => {
  it('gives every demo company a week of permits of every type, some active now with their expiry timers', async () => {
    const all = await db.read((tx) => tx.select().from(tenants));
    for (const tenant of all) {
      const rows = await db.read((tx) => tx.select().from(permits).where(eq(permits.tenantId, tenant.id)));
      expect(new Set(rows.map((r) => r.type))).toEqual(new Set(permitTypes));
      const live = rows.filter((r) => r.status === 'active');
      expect(live.length).toBeGreaterThan(0);
      for (const p of live) {
        expect(p.validFrom.getTime()).toBeLessThanOrEqual(now.getTime());
        expect(p.validUntil.getTime()).toBeGreaterThan(now.getTime());
      }
      expect(rows.some((r) => r.status === 'closed' && r.validUntil.getTime() < now.getTime() - 24 * 3_600_000)).toBe(true);
      const timers = await db.read((tx) => tx.select().from(jobs).where(and(eq(jobs.kind, 'permit.expire'), inArray(jobs.tenantId, [tenant.id]))));
      expect(timers.length).toBeGreaterThanOrEqual(live.length);
      // Numbers are unique and readable.
      expect(new Set(rows.map((r) => r.number)).size).toBe(rows.length);
      expect(rows[0]!.number).toMatch(/^ZY-[A-Z]{2}-2026-\d{4}$/);
    }
  });
});
