import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tenants } from '../platform/org/schema.ts';
import { deviceByToken } from '../modules/iot/ingest.ts';
import { iotAlarms, iotDevices, iotLinkageExecutions, iotPoints, iotReadings } from '../modules/iot/schema.ts';
import { openTestDatabase } from '../test/db.ts';
import { demoDeviceToken } from './iot.ts';
import { seedDemoIfEmpty } from './seed.ts';

let db: Awaited<ReturnType<typeof openTestDatabase>>;
const now = new Date('2026-12-01T02:00:00Z');

beforeAll(async () => {
  db = await openTestDatabase();
  await seedDemoIfEmpty(db, () => now);
});
afterAll(() => db.close());

describe('demo IoT monitoring', () => {
  it('gives the main company 20 points with six hours of history, a live gas alarm and a pressure alarm back to normal', async () => {
    const [demo] = await db.read((tx) => tx.select().from(tenants).where(eq(tenants.code, 'DEMO')));
    const points = await db.read((tx) => tx.select().from(iotPoints).where(eq(iotPoints.tenantId, demo!.id)));
    expect(points).toHaveLength(20);
    expect(new Set(points.map((p) => p.type))).toEqual(new Set(['gas_flammable', 'gas_toxic', 'dust', 'oxygen', 'pressure', 'temperature']));
    const readings = await db.read((tx) => tx.select({ ts: iotReadings.ts }).from(iotReadings).where(eq(iotReadings.pointId, points[0]!.id)));
    expect(readings.length).toBeGreaterThan(35);
    const alarms = await db.read((tx) => tx.select().from(iotAlarms).where(eq(iotAlarms.tenantId, demo!.id)));
    expect(alarms.map((a) => `${a.kind}:${a.state}`).sort()).toEqual(['high:active_unack', 'low:cleared_unack']);
    expect(points.every((p) => p.lastTs !== null)).toBe(true);
    // The paint shop's gas alarm queued its linkage commands (ventilation and horn) with the alarm.
    const gas = alarms.find((a) => a.kind === 'high')!;
    const ex = await db.read((tx) => tx.select().from(iotLinkageExecutions).where(eq(iotLinkageExecutions.alarmId, gas.id)));
    expect(ex.map((e) => e.command).sort()).toEqual(['horn.on', 'ventilation.start']);
    expect(ex.every((e) => e.state === 'pending')).toBe(true);
  });

  it('lets the simulator authenticate with the documented demo tokens', async () => {
    const devices = await db.read((tx) => tx.select().from(iotDevices));
    // Five sensors plus the paint shop's two linkage actuators (fan controller, horn).
    expect(devices.length).toBe(7);
    const d = await db.read((tx) => deviceByToken(tx, demoDeviceToken('GD-TZ-01')));
    expect(d?.code).toBe('GD-TZ-01');
  });
});
