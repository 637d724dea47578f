import { eq } from 'drizzle-orm';
import type { Database, Tx } from '../platform/db/client.ts';
import { newId } from '../platform/db/columns.ts';
import { orgUnits } from '../platform/org/schema.ts';
import { ensureIotDefaults } from '../modules/iot/defaults.ts';
import { ingestInTx } from '../modules/iot/ingest.ts';
import { iotAlarmRules, iotDevices, iotGateways, iotPoints, iotReadings, iotRollups } from '../modules/iot/schema.ts';
import { hashDeviceToken } from '../modules/iot/tokens.ts';
import { seededRandom } from './random.ts';
import { seedDemoLinkage } from './iotLinkage.ts';

/**
 * IoT monitoring demo (issue 8): a gateway in 二厂, five devices with 20 points (flammable and toxic gas,
 * oxygen, dust, temperature, pressure), alarm rules per point type with the usual plant limits, six hours of
 * history (bulk, every 10 min, with rollups), and the last three readings of the two episode points stored
 * through the real ingestion path (kept to those two: the first start must stay fast), which raises a gas alarm in the paint shop (a leak episode) and a pressure alarm that
 * already returned to normal unacknowledged. Demo devices have known tokens `sld_demo_<device code>_safeloop`
 * so `npm run iot:simulate` can publish to the embedded broker; never used outside the demo company.
 */

interface PointSpec {
  key: string;
  name: string;
  type: string;
  unit: string;
  base: number;
  noise: number;
  rangeMax: number;
  /** The last three readings (engine path), oldest first. */
  tail?: [number, number, number];
}

interface DeviceSpec {
  code: string;
  name: string;
  unit: string;
  gateway: boolean;
  points: PointSpec[];
}

const devices: DeviceSpec[] = [
  {
    code: 'GD-TZ-01',
    name: '涂装车间气体报警控制器',
    unit: 'P2-TZ',
    gateway: true,
    points: [
      { key: 'ch1', name: '喷漆房 可燃气体 1#', type: 'gas_flammable', unit: '%LEL', base: 3, noise: 1.5, rangeMax: 100, tail: [12, 28, 34] },
      { key: 'ch2', name: '喷漆房 可燃气体 2#', type: 'gas_flammable', unit: '%LEL', base: 2, noise: 1, rangeMax: 100, tail: [6, 9, 11] },
      { key: 'ch3', name: '调漆间 可燃气体', type: 'gas_flammable', unit: '%LEL', base: 2, noise: 1, rangeMax: 100 },
      { key: 'ch4', name: '危化品暂存间 可燃气体', type: 'gas_flammable', unit: '%LEL', base: 1, noise: 0.5, rangeMax: 100 },
      { key: 'ch5', name: '调漆间 甲苯', type: 'gas_toxic', unit: 'ppm', base: 4, noise: 2, rangeMax: 200 },
      { key: 'ch6', name: '喷漆房 二甲苯', type: 'gas_toxic', unit: 'ppm', base: 5, noise: 2, rangeMax: 200 },
    ],
  },
  {
    code: 'DT-TZ-01',
    name: '打磨房粉尘监测仪',
    unit: 'P2-TZ',
    gateway: true,
    points: [
      { key: 'pm1', name: '打磨房 粉尘浓度 1#', type: 'dust', unit: 'mg/m³', base: 3, noise: 1, rangeMax: 50 },
      { key: 'pm2', name: '打磨房 粉尘浓度 2#', type: 'dust', unit: 'mg/m³', base: 2.5, noise: 1, rangeMax: 50 },
    ],
  },
  {
    code: 'GD-HJ-01',
    name: '焊接车间气体检测仪',
    unit: 'P2-HJ',
    gateway: true,
    points: [
      { key: 'o2a', name: '焊接一班 氧含量', type: 'oxygen', unit: '%VOL', base: 20.9, noise: 0.1, rangeMax: 30 },
      { key: 'o2b', name: '气瓶间 氧含量', type: 'oxygen', unit: '%VOL', base: 20.8, noise: 0.1, rangeMax: 30 },
      { key: 'lel1', name: '乙炔气瓶间 可燃气体', type: 'gas_flammable', unit: '%LEL', base: 1, noise: 0.5, rangeMax: 100 },
      { key: 'lel2', name: '丙烷气瓶间 可燃气体', type: 'gas_flammable', unit: '%LEL', base: 1, noise: 0.5, rangeMax: 100 },
    ],
  },
  {
    code: 'PT-JJG-01',
    name: '空压站压力变送器组',
    unit: 'P2-JJG',
    gateway: true,
    points: [
      { key: 'p1', name: '1# 储气罐压力', type: 'pressure', unit: 'MPa', base: 0.7, noise: 0.02, rangeMax: 1.6, tail: [0.52, 0.38, 0.62] },
      { key: 'p2', name: '2# 储气罐压力', type: 'pressure', unit: 'MPa', base: 0.7, noise: 0.02, rangeMax: 1.6 },
      { key: 'p3', name: '主管网压力', type: 'pressure', unit: 'MPa', base: 0.62, noise: 0.02, rangeMax: 1.6 },
      { key: 'p4', name: '喷涂间支管压力', type: 'pressure', unit: 'MPa', base: 0.55, noise: 0.02, rangeMax: 1.6 },
    ],
  },
  {
    code: 'TT-RCL-01',
    name: '热处理车间温度巡检仪',
    unit: 'P1-RCL',
    gateway: false,
    points: [
      { key: 't1', name: '淬火油槽温度 1#', type: 'temperature', unit: '°C', base: 55, noise: 2, rangeMax: 200 },
      { key: 't2', name: '淬火油槽温度 2#', type: 'temperature', unit: '°C', base: 52, noise: 2, rangeMax: 200 },
      { key: 't3', name: '回火炉外壁温度', type: 'temperature', unit: '°C', base: 45, noise: 3, rangeMax: 200 },
      { key: 't4', name: '配电室温度', type: 'temperature', unit: '°C', base: 28, noise: 1, rangeMax: 100 },
    ],
  },
];

/**
 * Per type: GB/T 50493-2019 5.1: flammable gas level-1 alarm ≤ 25 %LEL, level-2 ≤ 50 %LEL; GB 8958 /
 * GB 30871: oxygen 19.5–23.5 %VOL; the other limits are typical plant settings ⚠️ (tenant data, edit per site).
 */
const rules: { pointType: string; name: string; kind: 'high' | 'high_high' | 'low' | 'rate_of_change' | 'no_data'; limit: number | null; deadband: number; severity: 'critical' | 'major' | 'minor' | 'warning'; consecutive?: number; timeoutS?: number; enabled?: boolean }[] = [
  { pointType: 'gas_flammable', name: '可燃气体一级报警 25%LEL', kind: 'high', limit: 25, deadband: 3, severity: 'major' },
  { pointType: 'gas_flammable', name: '可燃气体二级报警 50%LEL', kind: 'high_high', limit: 50, deadband: 5, severity: 'critical' },
  // Seeded disabled: without `npm run iot:simulate` every demo point falls silent, and an alarm flood is not the demo.
  { pointType: 'gas_flammable', name: '可燃气体探测器离线（10 分钟无数据）', kind: 'no_data', limit: null, deadband: 0, severity: 'major', timeoutS: 600, enabled: false },
  { pointType: 'gas_toxic', name: '有毒气体报警', kind: 'high', limit: 50, deadband: 5, severity: 'major' },
  { pointType: 'oxygen', name: '缺氧报警 19.5%', kind: 'low', limit: 19.5, deadband: 0.3, severity: 'critical' },
  { pointType: 'oxygen', name: '富氧报警 23.5%', kind: 'high', limit: 23.5, deadband: 0.3, severity: 'major' },
  { pointType: 'dust', name: '粉尘浓度超限', kind: 'high', limit: 10, deadband: 1, severity: 'minor', consecutive: 3 },
  { pointType: 'temperature', name: '温度高报', kind: 'high', limit: 80, deadband: 3, severity: 'major', consecutive: 2 },
  { pointType: 'pressure', name: '储气压力高报', kind: 'high', limit: 0.85, deadband: 0.03, severity: 'major' },
  { pointType: 'pressure', name: '储气压力低报', kind: 'low', limit: 0.45, deadband: 0.05, severity: 'warning' },
];

export const demoDeviceToken = (code: string) => `sld_demo_${code}_safeloop`;

const HISTORY_HOURS = 6;
const STEP_MS = 10 * 60_000;

export async function seedDemoIot(tx: Tx, db: Database, tenantId: string, now: Date, seed: number): Promise<{ points: number; readings: number }> {
  const rng = seededRandom(seed);
  await ensureIotDefaults(tx, tenantId);
  const units = await tx.select({ id: orgUnits.id, code: orgUnits.code }).from(orgUnits).where(eq(orgUnits.tenantId, tenantId));
  const unitId = new Map(units.map((u) => [u.code, u.id]));
  const plant2 = unitId.get('P2');
  if (!plant2) return { points: 0, readings: 0 };
  const gatewayId = newId();
  const created = new Date(now.getTime() - 30 * 86_400_000);
  await tx.insert(iotGateways).values({ id: gatewayId, tenantId, orgUnitId: plant2, code: 'GW-P2-01', name: '二厂边缘网关', location: '二厂中控室', createdAt: created, updatedAt: created });
  await tx.insert(iotAlarmRules).values(rules.map((r) => ({ id: newId(), tenantId, pointType: r.pointType, name: r.name, kind: r.kind, limit: r.limit, deadband: r.deadband, severity: r.severity, consecutive: r.consecutive ?? 1, timeoutS: r.timeoutS ?? null, enabled: r.enabled ?? true, createdAt: created, updatedAt: created })));

  const lastHistory = new Date(Math.floor((now.getTime() - 3 * 60_000) / STEP_MS) * STEP_MS);
  const steps = (HISTORY_HOURS * 3_600_000) / STEP_MS;
  const readingRows: (typeof iotReadings.$inferInsert)[] = [];
  const rollups = new Map<string, typeof iotRollups.$inferInsert>();
  const tails: { deviceId: string; key: string; values: [number, number, number] }[] = [];
  let pointCount = 0;
  for (const d of devices) {
    const area = unitId.get(d.unit) ?? plant2;
    const deviceId = newId();
    await tx.insert(iotDevices).values({ id: deviceId, tenantId, orgUnitId: area, gatewayId: d.gateway ? gatewayId : null, code: d.code, name: d.name, model: 'SL-DEMO', tokenHash: hashDeviceToken(demoDeviceToken(d.code)), tokenIssuedAt: created, status: 'online', lastSeenAt: lastHistory, createdAt: created, updatedAt: created });
    for (const [i, p] of d.points.entries()) {
      const pointId = newId();
      let last = p.base;
      for (let s = steps; s >= 0; s--) {
        const ts = new Date(lastHistory.getTime() - s * STEP_MS);
        // A random walk pulled back to the base: plausible trends, never beyond the alarm limits.
        last = Math.max(0, last + (p.base - last) * 0.3 + (rng.next() - 0.5) * p.noise);
        const value = Math.round(last * 1000) / 1000;
        readingRows.push({ tenantId, pointId, ts, value, receivedAt: ts });
        for (const [grain, ms] of [['minute', 60_000], ['hour', 3_600_000]] as const) {
          const bucket = new Date(Math.floor(ts.getTime() / ms) * ms);
          const k = `${pointId}|${grain}|${bucket.getTime()}`;
          const r = rollups.get(k);
          if (r) {
            r.count = (r.count ?? 0) + 1;
            r.sum = (r.sum ?? 0) + value;
            r.min = Math.min(r.min ?? value, value);
            r.max = Math.max(r.max ?? value, value);
          } else rollups.set(k, { tenantId, pointId, grain, bucket, count: 1, sum: value, min: value, max: value });
        }
      }
      await tx.insert(iotPoints).values({ id: pointId, tenantId, orgUnitId: area, deviceId, key: p.key, code: `${d.code}-${String(i + 1).padStart(2, '0')}`, name: p.name, type: p.type, unit: p.unit, rangeMin: 0, rangeMax: p.rangeMax, lastValue: last, lastTs: lastHistory, createdAt: created, updatedAt: created });
      if (p.tail) tails.push({ deviceId, key: p.key, values: p.tail });
      pointCount++;
    }
  }
  for (let i = 0; i < readingRows.length; i += 2000) await tx.insert(iotReadings).values(readingRows.slice(i, i + 2000));
  const rollupRows = [...rollups.values()];
  for (let i = 0; i < rollupRows.length; i += 2000) await tx.insert(iotRollups).values(rollupRows.slice(i, i + 2000));

  // Linkage devices and rules of the paint shop, before the episode so its gas alarm sends its commands.
  const paintShop = unitId.get('P2-TZ');
  if (paintShop) await seedDemoLinkage(tx, tenantId, paintShop, gatewayId, demoDeviceToken, created);

  // The last three minutes through the real ingestion path: rollups, live values, rule evaluation, alarms.
  const byDevice = new Map<string, typeof tails>();
  for (const t of tails) byDevice.set(t.deviceId, [...(byDevice.get(t.deviceId) ?? []), t]);
  for (let k = 0; k < 3; k++) {
    const at = new Date(now.getTime() - (2 - k) * 60_000);
    for (const [deviceId, list] of byDevice) {
      await ingestInTx(tx, db, deviceId, list.map((t) => ({ key: t.key, value: t.values[k]!, ts: at })), at);
    }
  }
  return { points: pointCount, readings: readingRows.length + tails.length * 3 };
}
