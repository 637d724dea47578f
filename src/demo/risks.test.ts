import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobs } from '../platform/jobs/schema.ts';
import { orgUnits, tenants } from '../platform/org/schema.ts';
import { riskControlMeasures, riskEvents, riskObjects } from '../modules/risks/schema.ts';
import { openTestDatabase } from '../test/db.ts';
import { DEMO_RISK_EVENTS_PER_PLANT } from './risks.ts';
import { seedDemoIfEmpty } from './seed.ts';

let db: Awaited<ReturnType<typeof openTestDatabase>>;
let seedMs: number;

beforeAll(async () => {
  db = await openTestDatabase();
  const t0 = performance.now();
  await seedDemoIfEmpty(db);
  seedMs = performance.now() - t0;
});
afterAll(() => db?.close());

describe('demo risk register', () => {
  it('gives every demo plant ≥ 40 risk events across all four levels, each with control measures that have a check cycle', async () => {
    const plants = await db.read((tx) =>
      tx
        .select({ id: orgUnits.id, code: orgUnits.code, tenantId: orgUnits.tenantId })
        .from(orgUnits)
        .innerJoin(tenants, eq(tenants.id, orgUnits.tenantId))
        .where(eq(orgUnits.kind, 'plant')),
    );
    expect(plants.map((p) => p.code).sort()).toEqual(['NT-P', 'P1', 'P2']);
    expect(DEMO_RISK_EVENTS_PER_PLANT).toBeGreaterThanOrEqual(40);
    for (const plant of plants) {
      // The events of the plant: their object belongs to one of the plant's workshops.
      const rows = await db.read((tx) =>
        tx
          .select({ id: riskEvents.id, level: riskEvents.currentLevel, due: riskEvents.reassessDueAt })
          .from(riskEvents)
          .innerJoin(riskObjects, eq(riskObjects.id, riskEvents.objectId))
          .innerJoin(orgUnits, eq(orgUnits.id, riskObjects.orgUnitId))
          .where(and(eq(riskEvents.tenantId, plant.tenantId), eq(orgUnits.parentId, plant.id))),
      );
      expect(rows.length, plant.code).toBeGreaterThanOrEqual(40);
      expect(new Set(rows.map((r) => r.level)), plant.code).toEqual(new Set(['major', 'serious', 'general', 'low']));
      expect(rows.every((r) => r.due !== null)).toBe(true);
      const withoutMeasures = await db.read((tx) =>
        tx
          .select({ n: sql<number>`count(*)::int` })
          .from(riskEvents)
          .where(
            and(
              eq(riskEvents.tenantId, plant.tenantId),
              sql`${riskEvents.id} IN (${sql.join(
                rows.map((r) => sql`${r.id}`),
                sql`, `,
              )})`,
              sql`NOT EXISTS (SELECT 1 FROM ${riskControlMeasures} m WHERE m.event_id = ${riskEvents.id})`,
            ),
          ),
      );
      expect(withoutMeasures[0]!.n).toBe(0);
    }
    const measures = await db.read((tx) => tx.select({ cycle: riskControlMeasures.checkCycle, unit: riskControlMeasures.checkCycleUnit }).from(riskControlMeasures));
    expect(measures.every((m) => m.cycle >= 1)).toBe(true);
    expect(new Set(measures.map((m) => m.unit))).toEqual(new Set(['day', 'week', 'month', 'quarter']));
    // One re-assessment reminder per event.
    const [events] = await db.read((tx) => tx.select({ n: sql<number>`count(*)::int` }).from(riskEvents));
    const [reminders] = await db.read((tx) => tx.select({ n: sql<number>`count(*)::int` }).from(jobs).where(and(eq(jobs.kind, 'risk.reassessment_due'), eq(jobs.status, 'pending'))));
    expect(reminders!.n).toBe(events!.n);
    // Printed, not asserted: speed belongs in bench/, but a slow seed should be visible here.
    console.info(`demo seed (all modules) took ${Math.round(seedMs)} ms`);
  });
});
