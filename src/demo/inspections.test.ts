import { and, eq, gt, lte } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hazards } from '../modules/hazards/schema.ts';
import { inspectionFindings, inspectionPlans, inspectionTasks } from '../modules/inspections/schema.ts';
import { tenants } from '../platform/org/schema.ts';
import { openTestDatabase } from '../test/db.ts';
import { DEMO_COMPANY } from './company.ts';
import { seedDemoIfEmpty } from './seed.ts';

let db: Awaited<ReturnType<typeof openTestDatabase>>;
const now = new Date('2026-12-01T02:00:00Z');

beforeAll(async () => {
  db = await openTestDatabase();
  await seedDemoIfEmpty(db, () => now);
}, 120_000);
afterAll(() => db.close());

describe('demo inspections', () => {
  it('gives every demo company plans from its control measures and a month of check history, mostly done, some missed', async () => {
    const all = await db.read((tx) => tx.select().from(tenants));
    for (const tenant of all) {
      const plans = await db.read((tx) => tx.select().from(inspectionPlans).where(eq(inspectionPlans.tenantId, tenant.id)));
      expect(plans.filter((p) => p.source === 'control_measure').length).toBeGreaterThan(20);
      expect(plans.some((p) => p.source === 'manual' && p.routeId)).toBe(true);
      const past = await db.read((tx) => tx.select().from(inspectionTasks).where(and(eq(inspectionTasks.tenantId, tenant.id), lte(inspectionTasks.windowEnd, now))));
      const done = past.filter((t) => t.status === 'done');
      const missed = past.filter((t) => t.status === 'missed');
      expect(past.length).toBeGreaterThan(200);
      expect(done.length).toBeGreaterThan(past.length * 0.8);
      expect(missed.length).toBeGreaterThan(0);
      expect(done.some((t) => t.onTime === false)).toBe(true);
      const ahead = await db.read((tx) => tx.select({ id: inspectionTasks.id }).from(inspectionTasks).where(and(eq(inspectionTasks.tenantId, tenant.id), gt(inspectionTasks.windowEnd, now), eq(inspectionTasks.status, 'planned'))));
      expect(ahead.length).toBeGreaterThan(0);
    }
  });

  it('links a few failed items of the main company to demo hazards', async () => {
    const [main] = await db.read((tx) => tx.select().from(tenants).where(eq(tenants.code, DEMO_COMPANY.code)));
    const findings = await db.read((tx) => tx.select().from(inspectionFindings).where(eq(inspectionFindings.tenantId, main!.id)));
    expect(findings.length).toBeGreaterThanOrEqual(3);
    for (const f of findings) {
      const [h] = await db.read((tx) => tx.select().from(hazards).where(eq(hazards.id, f.hazardId!)));
      expect(h?.number).toBe(f.hazardNumber);
      const [task] = await db.read((tx) => tx.select().from(inspectionTasks).where(eq(inspectionTasks.id, f.taskId)));
      expect(task?.failedCount).toBe(1);
    }
  });
});
