import { eq } from 'drizzle-orm';
import type { Tx } from '../../platform/db/client.ts';
import { newId } from '../../platform/db/columns.ts';
import { riskMeasureClasses, riskMethods, riskSettings, type ControlLevel, type MethodBand, type MethodFactor, type RiskLevel } from './schema.ts';

/**
 * The reference defaults of the risk module (reference §2). DESIGN: bands, colours and scales are tenant
 * data seeded with these values the first time a tenant needs them, never constants the code decides by.
 */

export type RiskSettingsRow = typeof riskSettings.$inferSelect;

/** Example palette of reference §2.2 [S11]. */
export const defaultColours: Record<RiskLevel, string> = { major: '#e63031', serious: '#f48400', general: '#f1dd00', low: '#00b0f0' };

/** Reference §2.5 [S11]: 重大/较大 → company + workshop + team + post; 一般 → workshop + team + post; 低 → team + post. */
export const defaultControlLevels: Record<RiskLevel, ControlLevel[]> = {
  major: ['company', 'workshop', 'team', 'post'],
  serious: ['company', 'workshop', 'team', 'post'],
  general: ['workshop', 'team', 'post'],
  low: ['team', 'post'],
};

const opt = (value: number, labelZh: string, labelEn: string) => ({ value, labelZh, labelEn });
const band = (level: RiskLevel, minScore: number, maxScore: number | null, labelZh: string, labelEn: string): MethodBand => ({
  level,
  minScore,
  maxScore,
  colour: defaultColours[level],
  controlLevels: defaultControlLevels[level],
  labelZh,
  labelEn,
});

/** Reference §2.3: LEC (D = L × E × C), tables as in ≥ 3 codebases [S12]. */
export const lecFactors: MethodFactor[] = [
  {
    key: 'L',
    nameZh: '事故发生的可能性',
    nameEn: 'Likelihood',
    options: [
      opt(10, '完全可以预料', 'Fully expected'),
      opt(6, '相当可能', 'Quite possible'),
      opt(3, '可能，但不经常', 'Possible but unusual'),
      opt(1, '可能性小，完全意外', 'Unlikely, a pure accident'),
      opt(0.5, '很不可能，可以设想', 'Very unlikely but conceivable'),
      opt(0.2, '极不可能', 'Extremely unlikely'),
      opt(0.1, '实际不可能', 'Practically impossible'),
    ],
  },
  {
    key: 'E',
    nameZh: '暴露于危险环境的频繁程度',
    nameEn: 'Exposure',
    options: [
      opt(10, '连续暴露', 'Continuous'),
      opt(6, '每天工作时间内暴露', 'Daily during working hours'),
      opt(3, '每周一次或偶然暴露', 'Weekly or occasionally'),
      opt(2, '每月一次暴露', 'Monthly'),
      opt(1, '每年几次暴露', 'A few times a year'),
      opt(0.5, '非常罕见地暴露', 'Very rarely'),
    ],
  },
  {
    key: 'C',
    nameZh: '发生事故产生的后果',
    nameEn: 'Consequence',
    options: [
      opt(100, '大灾难，许多人死亡', 'Catastrophe, many deaths'),
      opt(40, '灾难，数人死亡', 'Disaster, several deaths'),
      opt(15, '非常严重，一人死亡', 'Very serious, one death'),
      opt(7, '严重，重伤', 'Serious, severe injury'),
      opt(3, '重大，致残', 'Considerable, disability'),
      opt(1, '引人注意', 'Noticeable'),
    ],
  },
];

/**
 * Reference §2.3 names two mappings of the five D bands onto four levels; the default is the one that keeps
 * 重大 for "极其危险，不能继续作业" (D ≥ 320). A tenant that uses the other mapping edits the bands.
 */
export const lecBands: MethodBand[] = [
  band('major', 320, null, '极其危险，不能继续作业', 'Extremely dangerous: stop work'),
  band('serious', 160, 320, '高度危险，需立即整改', 'Highly dangerous: fix at once'),
  band('general', 70, 160, '显著危险，需要整改', 'Significant: needs fixing'),
  band('low', 0, 70, '一般或稍有危险，需要注意', 'Some danger: keep watching'),
];

/** Reference §2.4 ⚠️: LS matrix (R = L × S, 5 × 5) [S11]. */
export const lsFactors: MethodFactor[] = [
  {
    key: 'L',
    nameZh: '事故发生的可能性',
    nameEn: 'Likelihood',
    options: [
      opt(5, '几乎肯定发生', 'Almost certain'),
      opt(4, '很可能发生', 'Likely'),
      opt(3, '可能发生', 'Possible'),
      opt(2, '不太可能发生', 'Unlikely'),
      opt(1, '极不可能发生', 'Rare'),
    ],
  },
  {
    key: 'S',
    nameZh: '后果严重程度',
    nameEn: 'Severity',
    options: [
      opt(5, '灾难性：多人死亡，直接经济损失≥100万元', 'Catastrophic: several deaths, loss ≥ ¥1M'),
      opt(4, '重大：一人死亡，直接经济损失≥50万元', 'Major: one death, loss ≥ ¥500k'),
      opt(3, '严重：重伤或职业病，直接经济损失≥1万元', 'Serious: severe injury, loss ≥ ¥10k'),
      opt(2, '较轻：轻伤，直接经济损失<1万元', 'Minor: light injury, loss < ¥10k'),
      opt(1, '轻微：无伤害，影响很小', 'Negligible: no injury'),
    ],
  },
];

/** Reference §2.4: 20–25 重大, 15–16 较大, 9–12 一般, 1–8 低. */
export const lsBands: MethodBand[] = [
  band('major', 20, null, '重大风险（A级）', 'Major risk (A)'),
  band('serious', 15, 20, '较大风险（B级）', 'Serious risk (B)'),
  band('general', 9, 15, '一般风险（C级）', 'General risk (C)'),
  band('low', 0, 9, '低风险（D级）', 'Low risk (D)'),
];

export const defaultMethods = [
  { code: 'lec', nameZh: '作业条件危险性分析法（LEC）', nameEn: 'Job hazard analysis (LEC)', description: 'D = L × E × C', factors: lecFactors, bands: lecBands },
  { code: 'ls', nameZh: '风险矩阵分析法（LS）', nameEn: 'Risk matrix (LS)', description: 'R = L × S', factors: lsFactors, bands: lsBands },
];

interface DefaultClass {
  code: string;
  parent: string | null;
  zh: string;
  en: string;
}

/** Reference §2.1 [S6]: classify1 → classify2 of control measures. */
export const defaultMeasureClasses: DefaultClass[] = [
  { code: 'engineering', parent: null, zh: '工程技术', en: 'Engineering' },
  { code: 'process_control', parent: 'engineering', zh: '工艺控制', en: 'Process control' },
  { code: 'key_equipment', parent: 'engineering', zh: '关键设备/部件', en: 'Key equipment / parts' },
  { code: 'safety_accessory', parent: 'engineering', zh: '安全附件', en: 'Safety accessories' },
  { code: 'safety_instrument', parent: 'engineering', zh: '安全仪表', en: 'Safety instruments' },
  { code: 'engineering_other', parent: 'engineering', zh: '其他', en: 'Other' },
  { code: 'maintenance', parent: null, zh: '维护保养', en: 'Maintenance' },
  { code: 'rotating_equipment', parent: 'maintenance', zh: '动设备', en: 'Rotating equipment' },
  { code: 'static_equipment', parent: 'maintenance', zh: '静设备', en: 'Static equipment' },
  { code: 'maintenance_other', parent: 'maintenance', zh: '其他', en: 'Other' },
  { code: 'operation', parent: null, zh: '操作行为', en: 'Operation' },
  { code: 'qualification', parent: 'operation', zh: '人员资质', en: 'Qualification' },
  { code: 'operation_record', parent: 'operation', zh: '操作记录', en: 'Operating records' },
  { code: 'shift_handover', parent: 'operation', zh: '交接班', en: 'Shift handover' },
  { code: 'operation_other', parent: 'operation', zh: '其他', en: 'Other' },
  { code: 'emergency', parent: null, zh: '应急措施', en: 'Emergency' },
  { code: 'emergency_facility', parent: 'emergency', zh: '应急设施', en: 'Emergency facilities' },
  { code: 'ppe', parent: 'emergency', zh: '个体防护', en: 'Personal protection' },
  { code: 'fire_facility', parent: 'emergency', zh: '消防设施', en: 'Fire-fighting facilities' },
  { code: 'emergency_plan', parent: 'emergency', zh: '应急预案', en: 'Emergency plans' },
  { code: 'emergency_other', parent: 'emergency', zh: '其他', en: 'Other' },
];

/** Issue 5: re-assessment yearly by default. */
export const defaultSettings = { reassessIntervalMonths: 12, defaultMethodCode: 'lec' };

/**
 * Seeds settings, methods and classification on first need; idempotent and safe under concurrency (the
 * settings row is the latch: only the transaction that inserted it seeds the rest).
 */
export async function ensureRiskDefaults(tx: Tx, tenantId: string): Promise<RiskSettingsRow> {
  const [existing] = await tx.select().from(riskSettings).where(eq(riskSettings.tenantId, tenantId));
  if (existing) return existing;
  const [created] = await tx
    .insert(riskSettings)
    .values({ tenantId, ...defaultSettings })
    .onConflictDoNothing()
    .returning();
  if (!created) {
    const [other] = await tx.select().from(riskSettings).where(eq(riskSettings.tenantId, tenantId));
    if (!other) throw new Error('risk settings vanished');
    return other;
  }
  await tx
    .insert(riskMethods)
    .values(defaultMethods.map((m, i) => ({ id: newId(), tenantId, ...m, sort: (i + 1) * 10 })))
    .onConflictDoNothing();
  await tx
    .insert(riskMeasureClasses)
    .values(defaultMeasureClasses.map((c, i) => ({ id: newId(), tenantId, code: c.code, parentCode: c.parent, labelZh: c.zh, labelEn: c.en, sort: (i + 1) * 10 })))
    .onConflictDoNothing();
  return created;
}
