import { eq } from 'drizzle-orm';
import type { Tx } from '../../platform/db/client.ts';
import { newId } from '../../platform/db/columns.ts';
import { certificateTypes, requirements, trainingSettings, type CertificateCategory, type RequirementTargetKind } from './schema.ts';

/**
 * Reference defaults of the training module, written into a tenant's tables the first time it needs them.
 * DESIGN: validity, review periods and thresholds are tenant data; these constants are only the seed.
 */

export type CertificateTypeRow = typeof certificateTypes.$inferSelect;
export type RequirementRow = typeof requirements.$inferSelect;
export type TrainingSettings = typeof trainingSettings.$inferSelect;

const cat = (code: string, labelZh: string, labelEn: string): CertificateCategory => ({ code, labelZh, labelEn });

interface DefaultType {
  code: string;
  nameZh: string;
  nameEn: string;
  validityMonths: number | null;
  reviewIntervalMonths: number | null;
  categories: CertificateCategory[];
}

export const DEFAULT_REMINDER_DAYS = [60, 30, 7];

export const defaultCertificateTypes: DefaultType[] = [
  {
    // reference §4, 30号令 Arts. 19, 21: valid 6 years nationwide, reviewed every 3 years.
    code: 'special_operation',
    nameZh: '特种作业操作证',
    nameEn: 'Special operation certificate',
    validityMonths: 72,
    reviewIntervalMonths: 36,
    // 30号令 annex: the catalogue of special operations.
    categories: [
      cat('electrical', '电工作业', 'Electrical work'),
      cat('welding', '焊接与热切割作业', 'Welding and thermal cutting'),
      cat('height', '高处作业', 'Work at height'),
      cat('refrigeration', '制冷与空调作业', 'Refrigeration and air conditioning'),
      cat('coal_mine', '煤矿安全作业', 'Coal mine safety work'),
      cat('metal_mine', '金属非金属矿山安全作业', 'Metal and non-metal mine safety work'),
      cat('oil_gas', '石油天然气安全作业', 'Oil and gas safety work'),
      cat('metallurgy', '冶金（有色）生产安全作业', 'Metallurgy (non-ferrous) safety work'),
      cat('hazardous_chemicals', '危险化学品安全作业', 'Hazardous chemicals safety work'),
      cat('fireworks', '烟花爆竹安全作业', 'Fireworks safety work'),
    ],
  },
  {
    // reference §4, 《安全生产培训管理办法》 Art. 23: valid 3 years.
    code: 'safety_qualification',
    nameZh: '安全合格证',
    nameEn: 'Safety qualification certificate',
    validityMonths: 36,
    reviewIntervalMonths: null,
    categories: [cat('principal', '主要负责人', 'Principal'), cat('safety_manager', '安全生产管理人员', 'Safety manager')],
  },
  {
    // TSG Z6001: 4 years is the usual validity; not confirmed in the reference (⚠️), so tenants adjust it.
    code: 'special_equipment',
    nameZh: '特种设备作业人员证',
    nameEn: 'Special equipment operator certificate',
    validityMonths: 48,
    reviewIntervalMonths: null,
    categories: [
      cat('N1', '叉车司机（N1）', 'Forklift driver (N1)'),
      cat('Q1', '起重机指挥（Q1）', 'Crane signaller (Q1)'),
      cat('Q2', '起重机司机（Q2）', 'Crane operator (Q2)'),
      cat('G1', '工业锅炉司炉（G1）', 'Industrial boiler operator (G1)'),
      cat('R1', '快开门式压力容器操作（R1）', 'Quick-opening pressure vessel operator (R1)'),
      cat('T', '电梯修理（T）', 'Elevator maintenance (T)'),
      cat('A', '特种设备安全管理（A）', 'Special equipment safety management (A)'),
    ],
  },
  { code: 'other', nameZh: '其他证书', nameEn: 'Other certificate', validityMonths: null, reviewIntervalMonths: null, categories: [] },
];

interface DefaultRequirement {
  targetKind: RequirementTargetKind;
  targetKey: string;
  typeCode: string;
  categories: string[];
  note: string;
}

/** Issue 7 seed: GB 30871 operations and equipment kinds → the certificate their operator must hold. */
export const defaultRequirements: DefaultRequirement[] = [
  { targetKind: 'operation', targetKey: 'hot_work', typeCode: 'special_operation', categories: ['welding'], note: '动火作业：焊接与热切割作业操作证' },
  { targetKind: 'operation', targetKey: 'temp_power', typeCode: 'special_operation', categories: ['electrical'], note: '临时用电：电工作业操作证' },
  { targetKind: 'operation', targetKey: 'height', typeCode: 'special_operation', categories: ['height'], note: '高处作业：高处作业操作证' },
  { targetKind: 'operation', targetKey: 'lifting', typeCode: 'special_equipment', categories: ['Q1', 'Q2'], note: '吊装作业：起重机作业人员证' },
  { targetKind: 'equipment', targetKey: 'forklift', typeCode: 'special_equipment', categories: ['N1'], note: '叉车：N1' },
  { targetKind: 'equipment', targetKey: 'crane', typeCode: 'special_equipment', categories: ['Q2'], note: '起重机：Q2' },
];

export const defaultSettings = { inductionDueDays: 3, inductionOnHire: true, reminderHour: 8, inductionMinHours: { company: 8, workshop: 8, team: 8 } };

/**
 * Seeds settings, certificate types and requirements on first need; idempotent and safe under concurrency
 * (the settings row is the latch: only the transaction that inserted it seeds the rest).
 */
export async function ensureTrainingDefaults(tx: Tx, tenantId: string): Promise<TrainingSettings> {
  const [existing] = await tx.select().from(trainingSettings).where(eq(trainingSettings.tenantId, tenantId));
  if (existing) return existing;
  const [created] = await tx.insert(trainingSettings).values({ tenantId, ...defaultSettings }).onConflictDoNothing().returning();
  if (!created) {
    const [other] = await tx.select().from(trainingSettings).where(eq(trainingSettings.tenantId, tenantId));
    if (!other) throw new Error('training settings vanished');
    return other;
  }
  const typeIds = new Map<string, string>();
  await tx.insert(certificateTypes).values(
    defaultCertificateTypes.map((d, i) => {
      const id = newId();
      typeIds.set(d.code, id);
      return { id, tenantId, ...d, reminderDays: DEFAULT_REMINDER_DAYS, sort: (i + 1) * 10 };
    }),
  );
  await tx.insert(requirements).values(
    defaultRequirements.map((r) => ({ id: newId(), tenantId, targetKind: r.targetKind, targetKey: r.targetKey, typeId: typeIds.get(r.typeCode)!, categories: r.categories, note: r.note })),
  );
  return created;
}

/** The tenant's certificate types, seeding the defaults first (inside a write transaction only). */
export async function loadTypes(tx: Tx, tenantId: string): Promise<CertificateTypeRow[]> {
  await ensureTrainingDefaults(tx, tenantId);
  return readTypes(tx, tenantId);
}

/**
 * The tenant's certificate types without seeding, for reads (`db.read` is no transaction, so it must not
 * write). A tenant without types has no certificates either: recording one seeds them.
 */
export async function readTypes(tx: Tx, tenantId: string): Promise<CertificateTypeRow[]> {
  return tx.select().from(certificateTypes).where(eq(certificateTypes.tenantId, tenantId)).orderBy(certificateTypes.sort);
}

export function categoryLabel(type: CertificateTypeRow | undefined, code: string | null, locale: 'zh-CN' | 'en'): string | null {
  if (!code) return null;
  const c = type?.categories.find((x) => x.code === code);
  return c ? (locale === 'en' ? c.labelEn : c.labelZh) : code;
}

export function typeName(type: CertificateTypeRow | undefined, locale: 'zh-CN' | 'en'): string {
  if (!type) return '';
  return locale === 'en' ? type.nameEn : type.nameZh;
}
