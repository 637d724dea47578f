import { and, desc, eq } from 'drizzle-orm';
import { recordChange } from '../../platform/audit/record.ts';
import { systemCtx, type Ctx } from '../../platform/auth/actor.ts';
import { requirePermission } from '../../platform/auth/scope.ts';
import type { Tx } from '../../platform/db/client.ts';
import { AppError, invalid } from '../../platform/http/errors.ts';
import { seedFlowDefinition } from '../../platform/workflow/definitions.ts';
import { DEFAULT_FLOWS, DEFAULT_PERMIT_CONFIG, type GasThresholds, type GradeConfig, type PermitConfig, type TypeConfig } from './defaults.ts';
import { permitPermissions as P } from './permissions.ts';
import { permitSettings, permitSettingsVersions, permitTypes, type PermitType } from './schema.ts';

/**
 * The tenant's permit rules: one JSON document seeded with the reference §1 defaults (and the default
 * approval flows) on first use, edited as a whole with optimistic version.
 */

export interface PermitConfigRow {
  config: PermitConfig;
  version: number;
  updatedAt: Date;
}

/** Seeds the config and the default flows the first time; returns the tenant's config. */
export async function ensurePermitConfig(tx: Tx, ctx: Ctx): Promise<PermitConfigRow> {
  const tenantId = ctx.actor.tenantId;
  const [existing] = await tx.select().from(permitSettings).where(eq(permitSettings.tenantId, tenantId));
  if (existing) return { config: existing.config as unknown as PermitConfig, version: existing.version, updatedAt: existing.updatedAt };
  const sys = systemCtx(ctx.db, tenantId, ctx.now);
  // Flows first: a config that names flows which do not exist would fail every submit.
  for (const f of DEFAULT_FLOWS) await seedFlowDefinition(tx, sys, f);
  await tx
    .insert(permitSettings)
    .values({ tenantId, config: DEFAULT_PERMIT_CONFIG as unknown as Record<string, unknown>, updatedAt: ctx.now() })
    .onConflictDoNothing();
  const [row] = await tx.select().from(permitSettings).where(eq(permitSettings.tenantId, tenantId));
  if (!row) throw new Error('permit settings vanished');
  return { config: row.config as unknown as PermitConfig, version: row.version, updatedAt: row.updatedAt };
}

export function typeConfig(config: PermitConfig, type: PermitType): TypeConfig {
  return config.types[type];
}

/** The grade of a type, or a 400 naming the grades the tenant has. */
export function gradeConfig(config: PermitConfig, type: PermitType, grade: string): GradeConfig {
  const t = config.types[type];
  const g = t.grades.find((x) => x.code === grade);
  if (!g) throw invalid('grade', 'enum', `grade: one of ${t.grades.map((x) => x.code).join(', ')} for ${type}`);
  return g;
}

/** What a permit copies of the tenant's rules when it is applied for (the `rules` column). */
export interface PermitRules {
  configVersion: number;
  grade: GradeConfig;
  gas: GasThresholds;
  followUpDelayMinutes: number;
}

export function rulesSnapshot(row: PermitConfigRow, type: PermitType, grade: string): PermitRules {
  return { configVersion: row.version, grade: gradeConfig(row.config, type, grade), gas: row.config.gas, followUpDelayMinutes: row.config.followUpDelayMinutes };
}

/**
 * The rules a permit runs under: the copy taken when it was applied for, so editing the rules never
 * changes a running permit's validity, gas windows or thresholds; a permit without a copy (applied for
 * before copies existed) reads the current rules. Company-wide rules that compare permits with each other
 * (guardian load, conflicting pairs) are always the current ones.
 */
export function rulesOf(config: PermitConfig, p: { type: PermitType; grade: string; rules: Record<string, unknown> | null }): PermitRules {
  if (p.rules && typeof p.rules === 'object' && 'grade' in p.rules) return p.rules as unknown as PermitRules;
  return { configVersion: 0, grade: gradeConfig(config, p.type, p.grade), gas: config.gas, followUpDelayMinutes: config.followUpDelayMinutes };
}

export async function getPermitConfig(ctx: Ctx): Promise<PermitConfigRow> {
  requirePermission(ctx.actor, P.read);
  // Seeding on first read writes rows, so this is a write transaction.
  return ctx.db.tx((tx) => ensurePermitConfig(tx, ctx));
}

/** Checks what the schema cannot: every type present, grades unique and non-empty, windows sensible. */
export function checkConfig(c: PermitConfig): void {
  for (const type of permitTypes) {
    const t = c.types[type];
    if (!t) throw invalid(`types.${type}`, 'required', `types.${type}: missing`);
    if (t.grades.length === 0) throw invalid(`types.${type}.grades`, 'minItems', `types.${type}.grades: at least one grade`);
    const codes = new Set<string>();
    for (const [i, g] of t.grades.entries()) {
      const f = `types.${type}.grades.${i}`;
      if (codes.has(g.code)) throw invalid(`${f}.code`, 'unique', `${f}.code: ${g.code} appears twice`);
      codes.add(g.code);
      if (!g.code.trim()) throw invalid(`${f}.code`, 'required', `${f}.code: required`);
      if (g.maxValidityHours !== null && !(g.maxValidityHours > 0)) throw invalid(`${f}.maxValidityHours`, 'minimum', `${f}.maxValidityHours: more than 0 h`);
      if (!(g.gasTestValidMinutes > 0)) throw invalid(`${f}.gasTestValidMinutes`, 'minimum', `${f}.gasTestValidMinutes: more than 0 min`);
      if (!(g.interruptionRetestMinutes > 0)) throw invalid(`${f}.interruptionRetestMinutes`, 'minimum', `${f}.interruptionRetestMinutes: more than 0 min`);
      if (g.periodicReanalysisMinutes !== null && !(g.periodicReanalysisMinutes > 0)) throw invalid(`${f}.periodicReanalysisMinutes`, 'minimum', `${f}.periodicReanalysisMinutes: more than 0 min, or none`);
      if (g.extensionMaxHours !== null && g.maxValidityHours === null) throw invalid(`${f}.extensionMaxHours`, 'dependent', `${f}.extensionMaxHours: needs maxValidityHours`);
      if (g.extensionMaxHours !== null && g.maxValidityHours !== null && g.extensionMaxHours < g.maxValidityHours) {
        throw invalid(`${f}.extensionMaxHours`, 'minimum', `${f}.extensionMaxHours: at least maxValidityHours (${g.maxValidityHours})`);
      }
      const mc = new Set<string>();
      for (const [j, m] of g.measures.entries()) {
        if (!m.code.trim() || !m.zh.trim() || !m.en.trim()) throw invalid(`${f}.measures.${j}`, 'required', `${f}.measures.${j}: code and both texts (zh, en) are required`);
        if (mc.has(m.code)) throw invalid(`${f}.measures`, 'unique', `${f}.measures: code ${m.code} appears twice`);
        mc.add(m.code);
      }
    }
  }
  if (c.gas.o2MinPct >= c.gas.o2MaxPct) throw invalid('gas.o2MinPct', 'maximum', 'gas.o2MinPct: below gas.o2MaxPct');
  // 5.3.2: the limit for media with a low LEL is the stricter one.
  if (c.gas.lowLelMaxPct > c.gas.highLelMaxPct) throw invalid('gas.lowLelMaxPct', 'maximum', 'gas.lowLelMaxPct: at most gas.highLelMaxPct');
  const tc = new Set<string>();
  for (const [i, g] of c.gas.toxics.entries()) {
    if (tc.has(g.code)) throw invalid(`gas.toxics.${i}.code`, 'unique', `gas.toxics.${i}.code: ${g.code} appears twice`);
    tc.add(g.code);
    if (!(g.max > 0)) throw invalid(`gas.toxics.${i}.max`, 'minimum', `gas.toxics.${i}.max: more than 0`);
  }
  if (!Number.isInteger(c.guardianMaxActive) || c.guardianMaxActive < 1) throw invalid('guardianMaxActive', 'minimum', 'guardianMaxActive: at least 1');
}

export async function updatePermitConfig(ctx: Ctx, config: PermitConfig, version: number): Promise<PermitConfigRow> {
  requirePermission(ctx.actor, P.configure);
  checkConfig(config);
  return ctx.db.tx(async (tx) => {
    const before = await ensurePermitConfig(tx, ctx);
    if (before.version !== version) throw new AppError('version_conflict', `the permit rules are at version ${before.version}`, { extra: { currentVersion: before.version } });
    const now = ctx.now();
    const [row] = await tx
      .update(permitSettings)
      .set({ config: config as unknown as Record<string, unknown>, version: before.version + 1, updatedAt: now, updatedBy: ctx.actor.userId })
      .where(eq(permitSettings.tenantId, ctx.actor.tenantId))
      .returning();
    // The replaced version is kept (once: the seed and every edit leave their own row behind).
    await tx.insert(permitSettingsVersions).values({ tenantId: ctx.actor.tenantId, version: before.version, config: before.config as unknown as Record<string, unknown>, createdAt: before.updatedAt, createdBy: null }).onConflictDoNothing();
    await tx.insert(permitSettingsVersions).values({ tenantId: ctx.actor.tenantId, version: row!.version, config: config as unknown as Record<string, unknown>, createdAt: now, createdBy: ctx.actor.userId }).onConflictDoNothing();
    await recordChange(tx, ctx, { action: 'permit_settings.updated', entityType: 'permit_settings', entityId: ctx.actor.tenantId, before: { ...before.config }, after: { ...config } });
    return { config: row!.config as unknown as PermitConfig, version: row!.version, updatedAt: row!.updatedAt };
  });
}

export interface PermitConfigVersionRow {
  version: number;
  config: PermitConfig;
  createdAt: Date;
  createdBy: string | null;
}

/** The tenant's earlier rule versions, newest first (the current one included once it was edited). */
export async function listPermitConfigVersions(ctx: Ctx): Promise<PermitConfigVersionRow[]> {
  requirePermission(ctx.actor, P.read);
  return ctx.db.read(async (tx) => {
    const rows = await tx
      .select()
      .from(permitSettingsVersions)
      .where(and(eq(permitSettingsVersions.tenantId, ctx.actor.tenantId)))
      .orderBy(desc(permitSettingsVersions.version))
      .limit(100);
    return rows.map((r) => ({ version: r.version, config: r.config as unknown as PermitConfig, createdAt: r.createdAt, createdBy: r.createdBy }));
  });
}
