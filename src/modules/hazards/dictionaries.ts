import { and, asc, eq, inArray } from 'drizzle-orm';
import { recordChange } from '../../platform/audit/record.ts';
import type { Ctx } from '../../platform/auth/actor.ts';
import { users } from '../../platform/auth/schema.ts';
import { requirePermission } from '../../platform/auth/scope.ts';
import type { Tx } from '../../platform/db/client.ts';
import { newId } from '../../platform/db/columns.ts';
import { AppError, invalid, notFound, type Locale } from '../../platform/http/errors.ts';
import { hazardPermissions } from './permissions.ts';
import { hazardDictItems, hazardLevels, hazardSettings, hazardSlaPolicies, type DictionaryKind, type HazardLevel } from './schema.ts';

/**
 * Tenant dictionaries and settings of the hazard module. DESIGN: dictionaries that differ by industry or
 * province are tenant data seeded with the reference defaults, never constants in code; the constants
 * below are only those defaults, written into a tenant's tables the first time it needs them.
 */

export type Settings = typeof hazardSettings.$inferSelect;
export type SlaPolicy = typeof hazardSlaPolicies.$inferSelect;
export type DictItem = typeof hazardDictItems.$inferSelect;

interface DefaultItem {
  code: string;
  zh: string;
  en: string;
  ext: string | null;
}

/** reference §3.4 hazardDangerType 1–8. */
export const defaultCategories: DefaultItem[] = [
  { code: 'safety', zh: '安全', en: 'Safety', ext: '1' },
  { code: 'process', zh: '工艺', en: 'Process', ext: '2' },
  { code: 'electrical', zh: '电气', en: 'Electrical', ext: '3' },
  { code: 'instrument', zh: '仪表', en: 'Instrumentation', ext: '4' },
  { code: 'fire', zh: '消防', en: 'Fire protection', ext: '5' },
  { code: 'layout', zh: '总图', en: 'Site layout', ext: '6' },
  { code: 'equipment', zh: '设备', en: 'Equipment', ext: '7' },
  { code: 'other', zh: '其他', en: 'Other', ext: '8' },
];

/** The source of hazards opened from an IoT alarm; the photo rule of reportHazard depends on it. */
export const ALARM_SOURCE = 'iot_alarm';

/** reference §2.5 dangerSrc 1–10. */
export const defaultSources: DefaultItem[] = [
  { code: 'daily', zh: '日常', en: 'Daily check', ext: '1' },
  { code: 'comprehensive', zh: '综合性', en: 'Comprehensive check', ext: '2' },
  { code: 'specialist', zh: '专业性', en: 'Specialist check', ext: '3' },
  { code: 'seasonal', zh: '季节性', en: 'Seasonal check', ext: '4' },
  { code: 'holiday', zh: '重点时段及节假日前', en: 'Before key periods and holidays', ext: '5' },
  { code: 'accident_analogy', zh: '事故类比', en: 'Accident analogy', ext: '6' },
  { code: 'resumption', zh: '复产复工前', en: 'Before resuming production', ext: '7' },
  { code: 'expert', zh: '外聘专家诊断式', en: 'External expert diagnosis', ext: '8' },
  { code: 'control_failure', zh: '管控措施失效', en: 'Control measure failure', ext: '9' },
  { code: 'other', zh: '其他', en: 'Other', ext: '10' },
  // Not in dangerSrc: a hazard opened from an IoT alarm (issue 8). Uploaded as 10 其他.
  { code: ALARM_SOURCE, zh: '监测报警', en: 'Alarm / IoT monitoring', ext: '10' },
];

/** reference §3.1: upload enum dangerLevel 0 一般 / 1 重大; 较大 (Sinopec) has no upload code. */
export const defaultLevels: (DefaultItem & { code: HazardLevel })[] = [
  { code: 'general', zh: '一般', en: 'General', ext: '0' },
  { code: 'serious', zh: '较大', en: 'Serious', ext: null },
  { code: 'major', zh: '重大', en: 'Major', ext: '1' },
];

type PolicyFields = Omit<SlaPolicy, 'tenantId' | 'level' | 'version' | 'updatedAt' | 'updatedBy'>;

const HOUR = 60;
/** Issue 4 defaults: 一般 respond 2 h / rectify 24 h; 较大 2 h / 72 h; 重大 1 h / 30 days with a treatment plan. */
export const defaultSla: Record<HazardLevel, PolicyFields> = {
  general: { respondMinutes: 2 * HOUR, rectifyMinutes: 24 * HOUR, reminderPercent: 75, escalationDelayMinutes: 4 * HOUR, verifyMinutes: 24 * HOUR, planRequired: false, requiresTreatmentPlan: false },
  serious: { respondMinutes: 2 * HOUR, rectifyMinutes: 72 * HOUR, reminderPercent: 75, escalationDelayMinutes: 4 * HOUR, verifyMinutes: 24 * HOUR, planRequired: true, requiresTreatmentPlan: false },
  major: { respondMinutes: 1 * HOUR, rectifyMinutes: 30 * 24 * HOUR, reminderPercent: 75, escalationDelayMinutes: 2 * HOUR, verifyMinutes: 48 * HOUR, planRequired: true, requiresTreatmentPlan: true },
};

export const defaultSettings = {
  duplicateWindowHours: 72,
  pointsValidReport: 2,
  pointsVerifiedFix: 3,
  pointsRejectedReport: 0,
  // The general manager is a custom role where a tenant has one; a code nobody holds is skipped.
  signoffRoleCodes: ['safety_director', 'general_manager'],
  signoffUserIds: [] as string[],
  triageRoleCodes: ['safety_officer', 'safety_director'],
  escalationRoleCodes: ['safety_director'],
  reporterVerifies: true,
};

/**
 * Seeds the tenant's settings, dictionaries and SLA policies on first need; idempotent and safe under
 * concurrency (the settings row is the latch: only the transaction that inserted it seeds the rest).
 */
export async function ensureHazardDefaults(tx: Tx, tenantId: string): Promise<Settings> {
  const [existing] = await tx.select().from(hazardSettings).where(eq(hazardSettings.tenantId, tenantId));
  if (existing) return existing;
  const [created] = await tx
    .insert(hazardSettings)
    .values({ tenantId, ...defaultSettings })
    .onConflictDoNothing()
    .returning();
  if (!created) {
    const [other] = await tx.select().from(hazardSettings).where(eq(hazardSettings.tenantId, tenantId));
    if (!other) throw new Error('hazard settings vanished');
    return other;
  }
  const items = (kind: DictionaryKind, list: DefaultItem[]) =>
    list.map((d, i) => ({ id: newId(), tenantId, kind, code: d.code, labelZh: d.zh, labelEn: d.en, extCode: d.ext, sort: (i + 1) * 10 }));
  await tx
    .insert(hazardDictItems)
    .values([...items('category', defaultCategories), ...items('source', defaultSources), ...items('level', defaultLevels)])
    .onConflictDoNothing();
  await tx
    .insert(hazardSlaPolicies)
    .values(hazardLevels.map((level) => ({ tenantId, level, ...defaultSla[level] })))
    .onConflictDoNothing();
  return created;
}

/**
 * Makes sure one default dictionary item exists for a tenant seeded before it was added to the defaults
 * (ensureHazardDefaults seeds only once). A tenant's own edits of the item are kept.
 */
export async function ensureDefaultSource(tx: Tx, tenantId: string, code: string): Promise<void> {
  const i = defaultSources.findIndex((d) => d.code === code);
  const d = defaultSources[i];
  if (!d) throw new Error(`no default source ${code}`);
  await tx
    .insert(hazardDictItems)
    .values({ id: newId(), tenantId, kind: 'source', code: d.code, labelZh: d.zh, labelEn: d.en, extCode: d.ext, sort: (i + 1) * 10 })
    .onConflictDoNothing();
}

/** Settings for reads: the stored row, or the defaults a tenant that never wrote anything would get. */
export async function readSettings(tx: Tx, tenantId: string): Promise<Settings> {
  const [row] = await tx.select().from(hazardSettings).where(eq(hazardSettings.tenantId, tenantId));
  return row ?? { tenantId, ...defaultSettings, version: 0, updatedAt: new Date(0), updatedBy: null };
}

export async function readPolicy(tx: Tx, tenantId: string, level: HazardLevel): Promise<SlaPolicy> {
  const [row] = await tx
    .select()
    .from(hazardSlaPolicies)
    .where(and(eq(hazardSlaPolicies.tenantId, tenantId), eq(hazardSlaPolicies.level, level)));
  return row ?? { tenantId, level, ...defaultSla[level], version: 0, updatedAt: new Date(0), updatedBy: null };
}

export type Labels = Map<string, { 'zh-CN': string; en: string }>;

/** `kind:code` → label, tenant data first, reference defaults for anything missing. */
export async function readLabels(tx: Tx, tenantId: string): Promise<Labels> {
  const labels: Labels = new Map();
  for (const [kind, list] of [
    ['category', defaultCategories],
    ['source', defaultSources],
    ['level', defaultLevels],
  ] as const) {
    for (const d of list) labels.set(`${kind}:${d.code}`, { 'zh-CN': d.zh, en: d.en });
  }
  const rows = await tx.select().from(hazardDictItems).where(eq(hazardDictItems.tenantId, tenantId));
  for (const r of rows) labels.set(`${r.kind}:${r.code}`, { 'zh-CN': r.labelZh, en: r.labelEn });
  return labels;
}

export function labelOf(labels: Labels, kind: DictionaryKind, code: string | null, locale: Locale): string | null {
  if (code === null) return null;
  return labels.get(`${kind}:${code}`)?.[locale] ?? code;
}

/** A dictionary code a new record may use: present and active in the tenant's dictionary. */
export async function requireActiveItem(tx: Tx, tenantId: string, kind: DictionaryKind, code: string, field: string): Promise<DictItem> {
  const [row] = await tx
    .select()
    .from(hazardDictItems)
    .where(and(eq(hazardDictItems.tenantId, tenantId), eq(hazardDictItems.kind, kind), eq(hazardDictItems.code, code)));
  if (!row || !row.active) throw invalid(field, 'enum', `${field}: "${code}" is not an active ${kind} of this company's hazard dictionary`);
  return row;
}

// ---------------------------------------------------------------------------------------------------------
// Admin: read and change (hazard:configure)
// ---------------------------------------------------------------------------------------------------------

export interface DictItemView {
  code: string;
  labelZh: string;
  labelEn: string;
  extCode: string | null;
  sort: number;
  active: boolean;
  version: number;
}

export interface SlaPolicyView extends PolicyFields {
  level: HazardLevel;
  version: number;
}

export interface SettingsView {
  duplicateWindowHours: number;
  pointsValidReport: number;
  pointsVerifiedFix: number;
  pointsRejectedReport: number;
  signoffRoleCodes: string[];
  signoffUserIds: string[];
  triageRoleCodes: string[];
  escalationRoleCodes: string[];
  reporterVerifies: boolean;
  version: number;
}

export interface HazardConfig {
  categories: DictItemView[];
  sources: DictItemView[];
  levels: DictItemView[];
  slaPolicies: SlaPolicyView[];
  settings: SettingsView;
}

const itemView = (r: DictItem): DictItemView => ({ code: r.code, labelZh: r.labelZh, labelEn: r.labelEn, extCode: r.extCode, sort: r.sort, active: r.active, version: r.version });
const policyView = (p: SlaPolicy): SlaPolicyView => ({
  level: p.level,
  respondMinutes: p.respondMinutes,
  rectifyMinutes: p.rectifyMinutes,
  reminderPercent: p.reminderPercent,
  escalationDelayMinutes: p.escalationDelayMinutes,
  verifyMinutes: p.verifyMinutes,
  planRequired: p.planRequired,
  requiresTreatmentPlan: p.requiresTreatmentPlan,
  version: p.version,
});
const settingsView = (s: Settings): SettingsView => ({
  duplicateWindowHours: s.duplicateWindowHours,
  pointsValidReport: s.pointsValidReport,
  pointsVerifiedFix: s.pointsVerifiedFix,
  pointsRejectedReport: s.pointsRejectedReport,
  signoffRoleCodes: s.signoffRoleCodes,
  signoffUserIds: s.signoffUserIds,
  triageRoleCodes: s.triageRoleCodes,
  escalationRoleCodes: s.escalationRoleCodes,
  reporterVerifies: s.reporterVerifies,
  version: s.version,
});

async function configOf(tx: Tx, tenantId: string): Promise<HazardConfig> {
  const settings = await ensureHazardDefaults(tx, tenantId);
  const items = await tx
    .select()
    .from(hazardDictItems)
    .where(eq(hazardDictItems.tenantId, tenantId))
    .orderBy(asc(hazardDictItems.sort), asc(hazardDictItems.code));
  const policies = await tx.select().from(hazardSlaPolicies).where(eq(hazardSlaPolicies.tenantId, tenantId));
  const rank = (l: HazardLevel) => hazardLevels.indexOf(l);
  return {
    categories: items.filter((i) => i.kind === 'category').map(itemView),
    sources: items.filter((i) => i.kind === 'source').map(itemView),
    levels: items.filter((i) => i.kind === 'level').sort((a, b) => rank(a.code as HazardLevel) - rank(b.code as HazardLevel)).map(itemView),
    slaPolicies: policies.sort((a, b) => rank(a.level) - rank(b.level)).map(policyView),
    settings: settingsView(settings),
  };
}

/**
 * Everything a report form and an admin page need. Seeds the defaults on first use, so it runs in a write
 * transaction (the seeding is the only write, and only once per tenant).
 */
export async function getHazardConfig(ctx: Ctx): Promise<HazardConfig> {
  requirePermission(ctx.actor, hazardPermissions.read);
  return ctx.db.tx((tx) => configOf(tx, ctx.actor.tenantId));
}

const CODE_PATTERN = /^[a-z][a-z0-9_]{0,39}$/;
const ROLE_CODE_PATTERN = /^[A-Za-z][A-Za-z0-9_.-]{0,49}$/;

const staleVersion = (current: number) =>
  new AppError('version_conflict', `the record is at version ${current}; reload and try again`, { extra: { currentVersion: current } });

export interface SettingsPatch {
  duplicateWindowHours?: number;
  pointsValidReport?: number;
  pointsVerifiedFix?: number;
  pointsRejectedReport?: number;
  signoffRoleCodes?: string[];
  signoffUserIds?: string[];
  triageRoleCodes?: string[];
  escalationRoleCodes?: string[];
  reporterVerifies?: boolean;
}

export async function updateHazardSettings(ctx: Ctx, patch: SettingsPatch, version: number): Promise<HazardConfig> {
  requirePermission(ctx.actor, hazardPermissions.configure);
  const tenantId = ctx.actor.tenantId;
  for (const key of ['signoffRoleCodes', 'triageRoleCodes', 'escalationRoleCodes'] as const) {
    const list = patch[key];
    list?.forEach((code, i) => {
      if (!ROLE_CODE_PATTERN.test(code)) throw invalid(`${key}.${i}`, 'pattern', `${key}.${i}: a role code such as "safety_director"`);
    });
    if (list) patch[key] = [...new Set(list)];
  }
  if (patch.triageRoleCodes?.length === 0) throw invalid('triageRoleCodes', 'minItems', 'triageRoleCodes: at least one role must triage unassigned hazards');
  if (patch.escalationRoleCodes?.length === 0) throw invalid('escalationRoleCodes', 'minItems', 'escalationRoleCodes: at least one role receives level-2 escalations');
  return ctx.db.tx(async (tx) => {
    const before = await ensureHazardDefaults(tx, tenantId);
    if (before.version !== version) throw staleVersion(before.version);
    if (patch.signoffUserIds) {
      patch.signoffUserIds = [...new Set(patch.signoffUserIds)];
      if (patch.signoffUserIds.length > 0) {
        const found = await tx
          .select({ id: users.id })
          .from(users)
          .where(and(eq(users.tenantId, tenantId), inArray(users.id, patch.signoffUserIds), eq(users.status, 'active')));
        const missing = patch.signoffUserIds.filter((id) => !found.some((f) => f.id === id));
        if (missing.length > 0) throw invalid('signoffUserIds', 'exists', `signoffUserIds: no active user in this company: ${missing.join(', ')}`);
      }
    }
    const [after] = await tx
      .update(hazardSettings)
      .set({ ...patch, version: before.version + 1, updatedAt: ctx.now(), updatedBy: ctx.actor.userId })
      .where(and(eq(hazardSettings.tenantId, tenantId), eq(hazardSettings.version, version)))
      .returning();
    if (!after) throw staleVersion(before.version);
    await recordChange(
      tx,
      ctx,
      { action: 'hazard.settings_updated', entityType: 'hazard_settings', entityId: tenantId, before: settingsView(before), after: settingsView(after) },
      { type: 'hazard.settings_updated', entityType: 'hazard_settings', entityId: tenantId },
    );
    return configOf(tx, tenantId);
  });
}

export interface NewDictItem {
  code: string;
  labelZh: string;
  labelEn: string;
  extCode?: string | null;
  sort?: number;
}

export async function createDictItem(ctx: Ctx, kind: DictionaryKind, input: NewDictItem): Promise<DictItemView> {
  requirePermission(ctx.actor, hazardPermissions.configure);
  // The three levels carry behaviour (SLA, treatment plan, sign-off): their labels change, their set does not.
  if (kind === 'level') throw invalid('kind', 'enum', 'kind: levels are fixed (一般/较大/重大); edit their labels instead');
  if (!CODE_PATTERN.test(input.code)) throw invalid('code', 'pattern', 'code: lower-case letters, digits and _, starting with a letter, at most 40');
  const tenantId = ctx.actor.tenantId;
  return ctx.db.tx(async (tx) => {
    await ensureHazardDefaults(tx, tenantId);
    const [row] = await tx
      .insert(hazardDictItems)
      .values({
        id: newId(),
        tenantId,
        kind,
        code: input.code,
        labelZh: input.labelZh.trim(),
        labelEn: input.labelEn.trim(),
        extCode: input.extCode ?? null,
        sort: input.sort ?? 1000,
        updatedAt: ctx.now(),
        updatedBy: ctx.actor.userId,
      })
      .onConflictDoNothing()
      .returning();
    if (!row) throw new AppError('already_exists', `${kind} "${input.code}" already exists`, { errors: [{ field: 'code', rule: 'unique', message: `code: ${input.code} already exists` }] });
    await recordChange(
      tx,
      ctx,
      { action: 'hazard.dictionary_item_created', entityType: 'hazard_dict_item', entityId: row.id, after: { kind, ...itemView(row) } },
      { type: 'hazard.dictionary_updated', entityType: 'hazard_dict_item', entityId: row.id, payload: { kind, code: row.code } },
    );
    return itemView(row);
  });
}

export interface DictItemPatch {
  labelZh?: string;
  labelEn?: string;
  extCode?: string | null;
  sort?: number;
  active?: boolean;
}

/** Items are never deleted (old hazards keep their codes): they are deactivated instead. */
export async function updateDictItem(ctx: Ctx, kind: DictionaryKind, code: string, patch: DictItemPatch, version: number): Promise<DictItemView> {
  requirePermission(ctx.actor, hazardPermissions.configure);
  if (kind === 'level' && patch.active === false) throw invalid('active', 'const', 'active: a level cannot be switched off');
  const tenantId = ctx.actor.tenantId;
  return ctx.db.tx(async (tx) => {
    await ensureHazardDefaults(tx, tenantId);
    const where = and(eq(hazardDictItems.tenantId, tenantId), eq(hazardDictItems.kind, kind), eq(hazardDictItems.code, code));
    const [before] = await tx.select().from(hazardDictItems).where(where).for('update');
    if (!before) throw notFound(`${kind} ${code}`);
    if (before.version !== version) throw staleVersion(before.version);
    const [after] = await tx
      .update(hazardDictItems)
      .set({
        ...(patch.labelZh !== undefined ? { labelZh: patch.labelZh.trim() } : {}),
        ...(patch.labelEn !== undefined ? { labelEn: patch.labelEn.trim() } : {}),
        ...(patch.extCode !== undefined ? { extCode: patch.extCode } : {}),
        ...(patch.sort !== undefined ? { sort: patch.sort } : {}),
        ...(patch.active !== undefined ? { active: patch.active } : {}),
        version: before.version + 1,
        updatedAt: ctx.now(),
        updatedBy: ctx.actor.userId,
      })
      .where(and(where, eq(hazardDictItems.version, version)))
      .returning();
    if (!after) throw staleVersion(before.version);
    await recordChange(
      tx,
      ctx,
      { action: 'hazard.dictionary_item_updated', entityType: 'hazard_dict_item', entityId: after.id, before: { kind, ...itemView(before) }, after: { kind, ...itemView(after) } },
      { type: 'hazard.dictionary_updated', entityType: 'hazard_dict_item', entityId: after.id, payload: { kind, code } },
    );
    return itemView(after);
  });
}

export type SlaPolicyPatch = Partial<PolicyFields>;

/** New windows apply to hazards reported from now on; running deadlines are not moved. */
export async function updateSlaPolicy(ctx: Ctx, level: HazardLevel, patch: SlaPolicyPatch, version: number): Promise<SlaPolicyView> {
  requirePermission(ctx.actor, hazardPermissions.configure);
  const tenantId = ctx.actor.tenantId;
  return ctx.db.tx(async (tx) => {
    await ensureHazardDefaults(tx, tenantId);
    const where = and(eq(hazardSlaPolicies.tenantId, tenantId), eq(hazardSlaPolicies.level, level));
    const [before] = await tx.select().from(hazardSlaPolicies).where(where).for('update');
    if (!before) throw notFound(`SLA policy ${level}`);
    if (before.version !== version) throw staleVersion(before.version);
    const merged = { ...before, ...patch };
    if (merged.respondMinutes > merged.rectifyMinutes) {
      throw invalid('respondMinutes', 'maximum', 'respondMinutes: the response window cannot be longer than the rectification window');
    }
    const [after] = await tx
      .update(hazardSlaPolicies)
      .set({ ...patch, version: before.version + 1, updatedAt: ctx.now(), updatedBy: ctx.actor.userId })
      .where(and(where, eq(hazardSlaPolicies.version, version)))
      .returning();
    if (!after) throw staleVersion(before.version);
    await recordChange(
      tx,
      ctx,
      { action: 'hazard.sla_policy_updated', entityType: 'hazard_sla_policy', entityId: `${tenantId}:${level}`, before: policyView(before), after: policyView(after) },
      { type: 'hazard.sla_policy_updated', entityType: 'hazard_sla_policy', entityId: level },
    );
    return policyView(after);
  });
}
