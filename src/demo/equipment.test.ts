import { and, eq, like } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobs } from '../platform/jobs/schema.ts';
import { orgUnits, tenants } from '../platform/org/schema.ts';
import { addDays, dayIn } from '../platform/org/calendar.ts';
import { checkpoints, equipment } from '../modules/equipment/schema.ts';
import { openTestDatabase } from '../test/db.ts';
import { seedDemoIfEmpty } from './seed.ts';

let db: Awaited<ReturnType<typeof openTestDatabase>>;
const now = new Date('2026-12-01T02:00:00Z');
const today = dayIn(now, 'Asia/Shanghai');

beforeAll(async () => {
  db = await openTestDatabase();
  await seedDemoIfEmpty(db, () => now);
});
afterAll(() => db.close());

describe('demo equipment and checkpoints', () => {
  it('gives every demo plant 15 pieces of equipment, special equipment due within 30 days and one overdue, and 20 checkpoints', async () => {
    const all = await db.read((tx) => tx.select().from(tenants));
    expect(all.length).toBeGreaterThanOrEqual(2);
    for (const tenant of all) {
      const plants = await db.read((tx) => tx.select().from(orgUnits).where(and(eq(orgUnits.tenantId, tenant.id), eq(orgUnits.kind, 'plant'))));
      expect(plants.length).toBeGreaterThan(0);
      for (const plant of plants) {
        const units = await db.read((tx) => tx.select({ id: orgUnits.id }).from(orgUnits).where(like(orgUnits.path, `${plant.path}%`)));
        const ids = new Set(units.map((u) => u.id));
        const rows = (await db.read((tx) => tx.select().from(equipment).where(eq(equipment.tenantId, tenant.id)))).filter((e) => e.orgUnitId && ids.has(e.orgUnitId));
        expect(rows).toHaveLength(15);
        const special = rows.filter((e) => e.special);
        expect(special.map((e) => e.kind)).toEqual(expect.arrayContaining(['crane', 'forklift', 'pressure_vessel', 'boiler']));
        expect(special.filter((e) => e.nextInspectionDue! < today)).toHaveLength(1);
        expect(special.filter((e) => e.nextInspectionDue! >= today && e.nextInspectionDue! <= addDays(today, 30)).length).toBeGreaterThanOrEqual(2);
        const cps = (await db.read((tx) => tx.select().from(checkpoints).where(eq(checkpoints.tenantId, tenant.id)))).filter((c) => c.orgUnitId && ids.has(c.orgUnitId));
        expect(cps).toHaveLength(20);
      }
    }
    const codes = await db.read((tx) => tx.select({ code: checkpoints.scanCode }).from(checkpoints));
    expect(new Set(codes.map((c) => c.code)).size).toBe(codes.length);
    const reminders = await db.read((tx) => tx.select().from(jobs).where(eq(jobs.kind, 'equipment.inspection.remind')));
    expect(reminders.length).toBeGreaterThan(0);
    expect(reminders.every((j) => j.runAt.getTime() > now.getTime())).toBe(true);
  });
});
