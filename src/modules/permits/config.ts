import { eq } from 'drizzle-orm';
import { recordChange } from '../../platform/audit/record.ts';
import { systemCtx, type Ctx } from '../../platform/auth/actor.ts';
import { requirePermission } from '../../platform/auth/scope.ts';
import type { Tx } from '../../platform/db/client.ts';
import { AppError, invalid } from '../../platform/http/errors.ts';
import { seedFlowDefinition } from '../../platform/workflow/definitions.ts';
import { DEFAULT_FLOWS, DEFAULT_PERMIT_CONFIG, type GradeConfig, type PermitConfig, type TypeConfig } from './defaults.ts';
import { permitPermissions as P } from './permissions.ts';
import { permitSettings, permitTypes, type PermitType } from './schema.ts';

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
      if (g.extensionMaxHours !== null && g.maxValidityHours !== null && g.extensionMaxHours < g.maxValidityHours) {
        throw invalid(`${f}.extensionMaxHours`, 'minimum', `${f}.extensionMaxHours: at least maxValidityHours (${g.maxValidityHours})`);
      }
      const mc = new Set<string>();
      for (const m of g.measures) {
        if (mc.has(m.code)) throw invalid(`${f}.measures`, 'unique', `${f}.measures: code ${m.code} appears twice`);
        mc.add(m.code);
      }
    }
  }
  if (c.gas.o2MinPct >= c.gas.o2MaxPct) throw invalid('gas.o2MinPct', 'maximum', 'gas.o2MinPct: below gas.o2MaxPct');
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
    await recordChange(tx, ctx, { action: 'permit_settings.updated', entityType: 'permit_settings', entityId: ctx.actor.tenantId, before: { ...before.config }, after: { ...config } });
    return { config: row!.config as unknown as PermitConfig, version: row!.version, updatedAt: row!.updatedAt };
  });
}
