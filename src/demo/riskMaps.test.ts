import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalBlobStore } from '../platform/files/storage.ts';
import { riskMapAreas, riskMaps } from '../modules/risks/schema.ts';
import { riskLevelsOfUnits } from '../modules/risks/service.ts';
import { openTestDatabase } from '../test/db.ts';
import { PLAN_H, PLAN_W, storeDemoFloorPlan } from './riskMaps.ts';
import { seedDemoIfEmpty } from './seed.ts';

let db: Awaited<ReturnType<typeof openTestDatabase>>;

beforeAll(async () => {
  db = await openTestDatabase();
  await seedDemoIfEmpty(db);
});
afterAll(() => db?.close());

describe('demo four-colour maps', () => {
  it('gives every demo plant a map whose areas show red, orange, yellow and blue', async () => {
    const maps = await db.read((tx) => tx.select().from(riskMaps));
    expect(maps.length).toBe(3);
    for (const map of maps) {
      const areas = await db.read((tx) => tx.select().from(riskMapAreas).where(eq(riskMapAreas.mapId, map.id)));
      expect(areas.length).toBeGreaterThanOrEqual(12);
      for (const a of areas) expect(a.polygon.every(([x, y]) => x >= 0 && x <= 1 && y >= 0 && y <= 1)).toBe(true);
      const levels = await db.read((tx) => riskLevelsOfUnits(tx, map.tenantId, areas.flatMap((a) => a.riskUnitIds)));
      expect(new Set(levels.map((l) => l.highestLevel))).toEqual(new Set(['major', 'serious', 'general', 'low']));
    }
  });

  it('draws the site plan deterministically and fast', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'safeloop-demo-plan-'));
    const t0 = performance.now();
    const a = await storeDemoFloorPlan(createLocalBlobStore(dir));
    const ms = performance.now() - t0;
    const b = await storeDemoFloorPlan(createLocalBlobStore(dir));
    expect(b.sha256).toBe(a.sha256);
    expect(ms).toBeLessThan(3000);
    const { default: sharp } = await import('sharp');
    const stored = fs.readdirSync(dir, { recursive: true }).map(String).find((f) => f.includes(a.sha256));
    expect(stored).toBeTruthy();
    const meta = await sharp(path.join(dir, stored!)).metadata();
    expect([meta.width, meta.height]).toEqual([PLAN_W, PLAN_H]);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
