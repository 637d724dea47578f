import { asc, eq } from 'drizzle-orm';
import type { Tx } from '../../platform/db/client.ts';
import { newId } from '../../platform/db/columns.ts';
import { equipmentKinds, equipmentSettings } from './schema.ts';

/**
 * Tenant data of the equipment module, seeded on first use: the equipment kinds and the reminder settings.
 * A tenant edits them; nothing below is read by the code as a rule once seeded.
 */

export type EquipmentKindRow = typeof equipmentKinds.$inferSelect;
export type EquipmentSettingsRow = typeof equipmentSettings.$inferSelect;

interface KindSeed {
  code: string;
  nameZh: string;
  nameEn: string;
  special: boolean;
  inspectionIntervalMonths: number | null;
}

/**
 * 特种设备目录 (质检总局 2014 年第 114 号) categories used in plants, plus general kinds. Default intervals
 * of the periodic statutory inspection (定期检验), the usual first cycle of each TSG rule ⚠️ (the inspection
 * body's report names the real next date, which is then recorded): 场(厂)内专用机动车辆 and 锅炉 (external)
 * yearly; 电梯 yearly (TSG T7001); 桥式/门式起重机 every 2 years (TSG Q7015; tower cranes yearly: edit the
 * equipment); 压力容器 first inspection within 3 years (TSG 21); 工业管道 3 years (TSG D7005); safety
 * valves yearly (TSG ZF001). Fire equipment: yearly inspection of extinguishers (GB 50444). General machines
 * and electrical panels have no statutory inspection.
 */
export const DEFAULT_KINDS: readonly KindSeed[] = [
  { code: 'crane', nameZh: '起重机械', nameEn: 'Crane', special: true, inspectionIntervalMonths: 24 },
  { code: 'forklift', nameZh: '场（厂）内专用机动车辆（叉车）', nameEn: 'Forklift (in-plant motor vehicle)', special: true, inspectionIntervalMonths: 12 },
  { code: 'pressure_vessel', nameZh: '压力容器', nameEn: 'Pressure vessel', special: true, inspectionIntervalMonths: 36 },
  { code: 'boiler', nameZh: '锅炉', nameEn: 'Boiler', special: true, inspectionIntervalMonths: 12 },
  { code: 'elevator', nameZh: '电梯', nameEn: 'Elevator', special: true, inspectionIntervalMonths: 12 },
  { code: 'pressure_piping', nameZh: '压力管道', nameEn: 'Pressure piping', special: true, inspectionIntervalMonths: 36 },
  { code: 'safety_valve', nameZh: '安全阀', nameEn: 'Safety valve', special: true, inspectionIntervalMonths: 12 },
  { code: 'general_machine', nameZh: '通用机械设备', nameEn: 'General machine', special: false, inspectionIntervalMonths: null },
  { code: 'electrical_panel', nameZh: '配电柜（箱）', nameEn: 'Electrical panel', special: false, inspectionIntervalMonths: null },
  { code: 'fire_equipment', nameZh: '消防设施器材', nameEn: 'Fire equipment', special: false, inspectionIntervalMonths: 12 },
];

/** 30 and 7 days before the due day, and on the due day itself (issue 5). */
export const DEFAULT_REMINDER_DAYS = [30, 7, 0];

/** Seeds the tenant's kinds and settings the first time the module is used; returns the settings. */
export async function ensureEquipmentDefaults(tx: Tx, tenantId: string): Promise<EquipmentSettingsRow> {
  const [existing] = await tx.select().from(equipmentSettings).where(eq(equipmentSettings.tenantId, tenantId));
  if (existing) return existing;
  await tx
    .insert(equipmentKinds)
    .values(DEFAULT_KINDS.map((k, i) => ({ id: newId(), tenantId, ...k, sort: (i + 1) * 10 })))
    .onConflictDoNothing();
  await tx.insert(equipmentSettings).values({ tenantId, reminderDays: DEFAULT_REMINDER_DAYS }).onConflictDoNothing();
  const [row] = await tx.select().from(equipmentSettings).where(eq(equipmentSettings.tenantId, tenantId));
  if (!row) throw new Error('equipment settings vanished');
  return row;
}

export async function loadKinds(tx: Tx, tenantId: string): Promise<EquipmentKindRow[]> {
  return tx.select().from(equipmentKinds).where(eq(equipmentKinds.tenantId, tenantId)).orderBy(asc(equipmentKinds.sort), asc(equipmentKinds.code));
}

export function kindName(kind: Pick<EquipmentKindRow, 'nameZh' | 'nameEn'> | undefined, locale: 'zh-CN' | 'en', fallback: string): string {
  if (!kind) return fallback;
  return locale === 'en' ? kind.nameEn : kind.nameZh;
}
