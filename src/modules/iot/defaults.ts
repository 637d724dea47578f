import { and, asc, eq } from 'drizzle-orm';
import type { Tx } from '../../platform/db/client.ts';
import { newId } from '../../platform/db/columns.ts';
import { iotEscalationSteps, iotPointTypes } from './schema.ts';

/**
 * Tenant data of the IoT module, seeded on first use: point types with their retention, and the escalation
 * steps. A tenant edits them; the code reads them, never these constants, once seeded.
 */

export type PointTypeRow = typeof iotPointTypes.$inferSelect;
export type EscalationStepRow = typeof iotEscalationSteps.$inferSelect;

interface TypeSeed {
  code: string;
  nameZh: string;
  nameEn: string;
  defaultUnit: string;
  rawRetentionDays: number;
}

/**
 * Raw retention: gas detection keeps 180 days of raw values (the usual evidence window an incident
 * investigation asks for ⚠️ — GB/T 50493 asks for alarm records to be kept, not for a period); process
 * values 90 days; rollups three years for trends.
 */
export const DEFAULT_POINT_TYPES: readonly TypeSeed[] = [
  { code: 'gas_flammable', nameZh: '可燃气体', nameEn: 'Flammable gas', defaultUnit: '%LEL', rawRetentionDays: 180 },
  { code: 'gas_toxic', nameZh: '有毒气体', nameEn: 'Toxic gas', defaultUnit: 'ppm', rawRetentionDays: 180 },
  { code: 'oxygen', nameZh: '氧气浓度', nameEn: 'Oxygen', defaultUnit: '%VOL', rawRetentionDays: 180 },
  { code: 'temperature', nameZh: '温度', nameEn: 'Temperature', defaultUnit: '°C', rawRetentionDays: 90 },
  { code: 'pressure', nameZh: '压力', nameEn: 'Pressure', defaultUnit: 'MPa', rawRetentionDays: 90 },
  { code: 'vibration', nameZh: '振动', nameEn: 'Vibration', defaultUnit: 'mm/s', rawRetentionDays: 30 },
  { code: 'dust', nameZh: '粉尘浓度', nameEn: 'Dust', defaultUnit: 'mg/m³', rawRetentionDays: 90 },
  { code: 'level', nameZh: '液位', nameEn: 'Level', defaultUnit: 'm', rawRetentionDays: 90 },
  { code: 'other', nameZh: '其他', nameEn: 'Other', defaultUnit: '', rawRetentionDays: 30 },
];

/** 5 min unacknowledged → the team leaders of the area; 15 min → the safety directors. */
export const DEFAULT_ESCALATION: readonly { afterMinutes: number; roleCode: string }[] = [
  { afterMinutes: 5, roleCode: 'team_leader' },
  { afterMinutes: 15, roleCode: 'safety_director' },
];

export async function ensureIotDefaults(tx: Tx, tenantId: string): Promise<void> {
  const [any] = await tx.select({ id: iotPointTypes.id }).from(iotPointTypes).where(eq(iotPointTypes.tenantId, tenantId)).limit(1);
  if (any) return;
  await tx
    .insert(iotPointTypes)
    .values(DEFAULT_POINT_TYPES.map((t) => ({ id: newId(), tenantId, ...t })))
    .onConflictDoNothing();
  await tx.insert(iotEscalationSteps).values(DEFAULT_ESCALATION.map((s) => ({ id: newId(), tenantId, ...s })));
}

export async function loadPointTypes(tx: Tx, tenantId: string): Promise<PointTypeRow[]> {
  return tx.select().from(iotPointTypes).where(eq(iotPointTypes.tenantId, tenantId)).orderBy(asc(iotPointTypes.code));
}

export async function pointTypeExists(tx: Tx, tenantId: string, code: string): Promise<boolean> {
  const [t] = await tx
    .select({ id: iotPointTypes.id })
    .from(iotPointTypes)
    .where(and(eq(iotPointTypes.tenantId, tenantId), eq(iotPointTypes.code, code)));
  return Boolean(t);
}

export async function loadEscalationSteps(tx: Tx, tenantId: string): Promise<EscalationStepRow[]> {
  return tx.select().from(iotEscalationSteps).where(eq(iotEscalationSteps.tenantId, tenantId)).orderBy(asc(iotEscalationSteps.afterMinutes));
}
