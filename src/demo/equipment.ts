import { and, eq, inArray } from 'drizzle-orm';
import type { Tx } from '../platform/db/client.ts';
import { newId } from '../platform/db/columns.ts';
import { jobs } from '../platform/jobs/schema.ts';
import { DEFAULT_MAX_ATTEMPTS } from '../platform/jobs/service.ts';
import { orgUnits, people } from '../platform/org/schema.ts';
import { addDays, addMonths, dayIn, instantOf, tenantZone } from '../platform/org/calendar.ts';
import { newScanCode } from '../modules/equipment/codes.ts';
import { ensureEquipmentDefaults, loadKinds } from '../modules/equipment/defaults.ts';
import { REMIND_KIND, reminderKey } from '../modules/equipment/reminders.ts';
import { checkpoints, equipment } from '../modules/equipment/schema.ts';
import { riskUnits } from '../modules/risks/schema.ts';
import { seededRandom } from './random.ts';

/**
 * An equipment register and checkpoints for every demo plant (issue 5): 15 pieces — bridge cranes,
 * forklifts, air receivers, a boiler, electrical panels, fire equipment — of which two pieces of special
 * equipment are due for their statutory inspection within 30 days and one is overdue, and 20 checkpoints
 * (one at each piece, five more at places of the plant). Rows and reminder jobs are written in bulk under a
 * fixed seed, with the same fields and job keys the equipment services write. Equipment is linked to the
 * demo risk register's units of the same place when the plant has them (seed after the risks).
 */

interface Piece {
  kind: string;
  name: string;
  model: string;
  location: string;
  /** Risk unit name of the demo register (src/demo/risks.ts) it belongs to. */
  riskUnit: string | null;
}

const pieces: Piece[] = [
  { kind: 'crane', name: '10t 桥式起重机', model: 'QD10-22.5A5', location: '一跨', riskUnit: '行车吊运区' },
  { kind: 'crane', name: '5t 电动单梁起重机', model: 'LD5-16.5A3', location: '二跨', riskUnit: '行车吊运区' },
  { kind: 'crane', name: '3t 悬臂吊', model: 'BZD3-6', location: '装配工位', riskUnit: '行车吊运区' },
  { kind: 'forklift', name: '3t 内燃叉车', model: 'CPCD30', location: '物流通道', riskUnit: '物流通道' },
  { kind: 'forklift', name: '2.5t 电动叉车', model: 'CPD25', location: '成品库', riskUnit: '物流通道' },
  { kind: 'forklift', name: '1.5t 电动堆高车', model: 'CDD15', location: '原料库', riskUnit: '物流通道' },
  { kind: 'pressure_vessel', name: '2m³ 储气罐', model: 'C-2.0/0.8', location: '空压站', riskUnit: '空压站' },
  { kind: 'pressure_vessel', name: '1m³ 储气罐', model: 'C-1.0/0.8', location: '空压站', riskUnit: '空压站' },
  { kind: 'pressure_vessel', name: '0.6m³ 储气罐', model: 'C-0.6/1.0', location: '喷涂间外', riskUnit: '空压站' },
  { kind: 'boiler', name: '2t 燃气蒸汽锅炉', model: 'WNS2-1.25-Q', location: '锅炉房', riskUnit: null },
  { kind: 'electrical_panel', name: '1# 低压配电柜', model: 'GGD', location: '配电室', riskUnit: '配电室' },
  { kind: 'electrical_panel', name: '2# 低压配电柜', model: 'GGD', location: '配电室', riskUnit: '配电室' },
  { kind: 'electrical_panel', name: '车间动力配电箱', model: 'XL-21', location: '车间东墙', riskUnit: '配电室' },
  { kind: 'electrical_panel', name: '照明配电箱', model: 'PZ30', location: '车间西墙', riskUnit: '配电室' },
  { kind: 'fire_equipment', name: '室内消火栓系统', model: 'SN65', location: '全车间', riskUnit: null },
];

const extraCheckpoints = ['消防通道', '应急疏散出口', '危化品暂存间', '废油回收点', '洗眼器'];
const codeOf: Record<string, string> = { crane: 'QZ', forklift: 'CC', pressure_vessel: 'RQ', boiler: 'GL', electrical_panel: 'PD', fire_equipment: 'XF' };
const registrationPrefix: Record<string, string> = { crane: '起17苏F', forklift: '车11苏F', pressure_vessel: '容3AA苏F', boiler: '锅11苏F' };

export interface DemoEquipmentCounts {
  equipment: number;
  special: number;
  dueWithin30Days: number;
  overdue: number;
  checkpoints: number;
}

export async function seedDemoEquipment(tx: Tx, tenantId: string, now: Date, seed: number): Promise<DemoEquipmentCounts> {
  const rng = seededRandom(seed);
  const settings = await ensureEquipmentDefaults(tx, tenantId);
  const kinds = new Map((await loadKinds(tx, tenantId)).map((k) => [k.code, k]));
  const { timeZone } = await tenantZone(tx, tenantId);
  const today = dayIn(now, timeZone);
  const units = await tx.select().from(orgUnits).where(eq(orgUnits.tenantId, tenantId));
  const plants = units.filter((u) => u.kind === 'plant').sort((a, b) => a.code.localeCompare(b.code));
  const staff = await tx
    .select({ id: people.id, orgUnitId: people.orgUnitId })
    .from(people)
    .where(and(eq(people.tenantId, tenantId), eq(people.kind, 'employee'), eq(people.status, 'active')))
    .orderBy(people.employeeNo);
  const riskUnitRows = await tx
    .select({ id: riskUnits.id, name: riskUnits.name, orgUnitId: riskUnits.orgUnitId })
    .from(riskUnits)
    .where(and(eq(riskUnits.tenantId, tenantId), inArray(riskUnits.name, [...new Set(pieces.map((p) => p.riskUnit).filter((v): v is string => v !== null))])));

  const counts: DemoEquipmentCounts = { equipment: 0, special: 0, dueWithin30Days: 0, overdue: 0, checkpoints: 0 };
  const eqRows: (typeof equipment.$inferInsert & { id: string })[] = [];
  const cpRows: (typeof checkpoints.$inferInsert)[] = [];
  const jobRows: (typeof jobs.$inferInsert)[] = [];
  for (const [pi, plant] of plants.entries()) {
    const inPlant = (unitId: string | null) => units.find((u) => u.id === unitId)?.path.startsWith(plant.path) ?? false;
    const shops = units.filter((u) => u.kind === 'workshop' && u.path.startsWith(plant.path)).sort((a, b) => a.code.localeCompare(b.code));
    const areas = shops.length > 0 ? shops : [plant];
    let specialSeen = 0;
    for (const [i, p] of pieces.entries()) {
      const area = areas[i % areas.length]!;
      const kind = kinds.get(p.kind);
      const special = kind?.special ?? false;
      const interval = kind?.inspectionIntervalMonths ?? null;
      // Special equipment no. 1 is overdue, nos. 2 and 3 due within 30 days, the rest months ahead.
      let next: string | null = null;
      if (interval) {
        if (special) specialSeen++;
        const daysAhead = special && specialSeen === 1 ? -rng.int(3, 20) : special && specialSeen <= 3 ? rng.int(5, 28) : rng.int(45, interval * 30 - 10);
        next = addDays(today, daysAhead);
        if (daysAhead < 0) counts.overdue++;
        else if (daysAhead <= 30) counts.dueWithin30Days++;
      }
      const last = next && interval ? addMonths(next, -interval) : null;
      const person = staff.find((s) => s.orgUnitId !== null && units.find((u) => u.id === s.orgUnitId)?.path.startsWith(area.path)) ?? null;
      const riskUnit = p.riskUnit ? riskUnitRows.find((r) => r.name === p.riskUnit && inPlant(r.orgUnitId)) : undefined;
      const id = newId();
      const code = `${plant.code}-${codeOf[p.kind] ?? 'SB'}-${String(i + 1).padStart(3, '0')}`;
      eqRows.push({
        id,
        tenantId,
        orgUnitId: area.id,
        code,
        name: p.name,
        kind: p.kind,
        model: p.model,
        manufacturer: null,
        location: p.location,
        special,
        registrationNo: special ? `${registrationPrefix[p.kind] ?? ''}${String(1000 + pi * 100 + i)}` : null,
        lastInspectedOn: last,
        inspectionIntervalMonths: interval,
        nextInspectionDue: next,
        responsiblePersonId: person?.id ?? null,
        riskUnitIds: riskUnit ? [riskUnit.id] : [],
        createdAt: now,
        updatedAt: now,
      });
      counts.equipment++;
      if (special) counts.special++;
      if (next) {
        for (const days of settings.reminderDays) {
          const runAt = instantOf(addDays(next, -days), timeZone, settings.reminderHour);
          if (runAt.getTime() <= now.getTime()) continue;
          jobRows.push({ kind: REMIND_KIND, runAt, tenantId, dedupeKey: reminderKey(id, days), payload: { tenantId, equipmentId: id, day: next, days }, maxAttempts: DEFAULT_MAX_ATTEMPTS });
        }
      }
      cpRows.push({ id: newId(), tenantId, orgUnitId: area.id, name: `${p.location} · ${p.name}`, equipmentId: id, riskUnitIds: riskUnit ? [riskUnit.id] : [], scanCode: newScanCode(), createdAt: now, updatedAt: now });
    }
    for (const [i, name] of extraCheckpoints.entries()) {
      const area = areas[i % areas.length]!;
      cpRows.push({ id: newId(), tenantId, orgUnitId: area.id, name: `${area.name} ${name}`, scanCode: newScanCode(), createdAt: now, updatedAt: now });
    }
  }
  counts.checkpoints = cpRows.length;
  if (eqRows.length > 0) await tx.insert(equipment).values(eqRows);
  if (cpRows.length > 0) await tx.insert(checkpoints).values(cpRows);
  if (jobRows.length > 0) await tx.insert(jobs).values(jobRows);
  return counts;
}
