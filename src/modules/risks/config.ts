import { and, asc, eq } from 'drizzle-orm';
import { recordChange } from '../../platform/audit/record.ts';
import type { Ctx } from '../../platform/auth/actor.ts';
import { requirePermission } from '../../platform/auth/scope.ts';
import type { Tx } from '../../platform/db/client.ts';
import { newId } from '../../platform/db/columns.ts';
import { AppError, invalid, notFound } from '../../platform/http/errors.ts';
import { alreadyExists, mapUniqueViolation, versionConflict } from '../../platform/org/sqlHelpers.ts';
import { ensureRiskDefaults, type RiskSettingsRow } from './defaults.ts';
import { checkBands, checkFactors } from './methodRules.ts';
import { riskPermissions as P } from './permissions.ts';
import { riskMeasureClasses, riskMethods, riskSettings, type MethodBand, type MethodFactor } from './schema.ts';

/**
 * Tenant configuration of the register: assessment methods (factors, option tables, bands → level,
 * colour, control levels), the control-measure classification and the re-assessment interval. A band
 * edit applies to assessments made afterwards; stored assessments keep the result they were given.
 */

export type MethodRow = typeof riskMethods.$inferSelect;
export type MeasureClassRow = typeof riskMeasureClasses.$inferSelect;

export interface MethodView {
  id: string;
  code: string;
  nameZh: string;
  nameEn: string;
  description: string | null;
  formula: 'product';
  factors: MethodFactor[];
  bands: MethodBand[];
  active: boolean;
  sort: number;
  version: number;
}

export interface MeasureClassView {
  code: string;
  parentCode: string | null;
  labelZh: string;
  labelEn: string;
  sort: number;
  active: boolean;
  version: number;
}

export interface SettingsView {
  reassessIntervalMonths: number;
  defaultMethodCode: string;
  version: number;
}

export interface RiskConfig {
  methods: MethodView[];
  measureClasses: MeasureClassView[];
  settings: SettingsView;
}

export const methodView = (m: MethodRow): MethodView => ({
  id: m.id,
  code: m.code,
  nameZh: m.nameZh,
  nameEn: m.nameEn,
  description: m.description,
  formula: m.formula,
  factors: m.factors,
  // Highest band first: how people read a grading table.
  bands: [...m.bands].sort((a, b) => b.minScore - a.minScore),
  active: m.active,
  sort: m.sort,
  version: m.version,
});
const classView = (c: MeasureClassRow): MeasureClassView => ({ code: c.code, parentCode: c.parentCode, labelZh: c.labelZh, labelEn: c.labelEn, sort: c.sort, active: c.active, version: c.version });
const settingsView = (s: RiskSettingsRow): SettingsView => ({ reassessIntervalMonths: s.reassessIntervalMonths, defaultMethodCode: s.defaultMethodCode, version: s.version });

export async function configOf(tx: Tx, tenantId: string): Promise<RiskConfig> {
  const settings = await ensureRiskDefaults(tx, tenantId);
  const methods = await tx.select().from(riskMethods).where(eq(riskMethods.tenantId, tenantId)).orderBy(asc(riskMethods.sort), asc(riskMethods.code));
  const classes = await tx
    .select()
    .from(riskMeasureClasses)
    .where(eq(riskMeasureClasses.tenantId, tenantId))
    .orderBy(asc(riskMeasureClasses.sort), asc(riskMeasureClasses.code));
  return { methods: methods.map(methodView), measureClasses: classes.map(classView), settings: settingsView(settings) };
}

/** Everything the register and the assess dialog need. Seeds the defaults on first use (the only write). */
export async function getRiskConfig(ctx: Ctx): Promise<RiskConfig> {
  requirePermission(ctx.actor, P.read);
  return ctx.db.tx((tx) => configOf(tx, ctx.actor.tenantId));
}

/** The tenant's method with this code (seeding the defaults first); 400 naming `field` when unknown or inactive. */
export async function requireMethod(tx: Tx, tenantId: string, code: string, field: string): Promise<MethodRow> {
  await ensureRiskDefaults(tx, tenantId);
  const [m] = await tx
    .select()
    .from(riskMethods)
    .where(and(eq(riskMethods.tenantId, tenantId), eq(riskMethods.code, code)));
  if (!m || !m.active) throw invalid(field, 'enum', `${field}: "${code}" is not an active assessment method of this company`);
  return m;
}

const CODE = /^[a-z][a-z0-9_]{0,29}$/;

export interface NewMethod {
  code: string;
  nameZh: string;
  nameEn: string;
  description?: string | null;
  factors: MethodFactor[];
  bands: MethodBand[];
  sort?: number;
}

/** A method added as data: its factors and bands are checked; assessments can use it at once. */
export async function createMethod(ctx: Ctx, input: NewMethod): Promise<MethodView> {
  requirePermission(ctx.actor, P.configure);
  if (!CODE.test(input.code)) throw invalid('code', 'pattern', 'code: lower-case letters, digits and _, starting with a letter, at most 30');
  checkFactors(input.factors);
  checkBands(input.bands);
  const tenantId = ctx.actor.tenantId;
  return ctx.db.tx(async (tx) => {
    await ensureRiskDefaults(tx, tenantId);
    const [taken] = await tx
      .select({ id: riskMethods.id })
      .from(riskMethods)
      .where(and(eq(riskMethods.tenantId, tenantId), eq(riskMethods.code, input.code)));
    if (taken) throw alreadyExists('code', `code: a method ${input.code} already exists`);
    const now = ctx.now();
    const [row] = await mapUniqueViolation(
      () =>
        tx
          .insert(riskMethods)
          .values({
            id: newId(),
            tenantId,
            code: input.code,
            nameZh: input.nameZh.trim(),
            nameEn: input.nameEn.trim(),
            description: input.description?.trim() || null,
            factors: input.factors,
            bands: input.bands,
            sort: input.sort ?? 100,
            createdAt: now,
            createdBy: ctx.actor.userId,
            updatedAt: now,
            updatedBy: ctx.actor.userId,
          })
          .returning(),
      'code',
      `code: a method ${input.code} already exists`,
    );
    if (!row) throw new AppError('internal');
    await recordChange(
      tx,
      ctx,
      { action: 'risk.method_created', entityType: 'risk_method', entityId: row.id, after: methodView(row) },
      { type: 'risk.method_created', entityType: 'risk_method', entityId: row.id, payload: { id: row.id, code: row.code } },
    );
    return methodView(row);
  });
}

export interface MethodPatch {
  nameZh?: string;
  nameEn?: string;
  description?: string | null;
  factors?: MethodFactor[];
  bands?: MethodBand[];
  active?: boolean;
  sort?: number;
}

/**
 * Changes a method (names, factor tables, bands, active). Later assessments use the new definition; the
 * ones already made keep their stored factors and result (no recompute).
 */
export async function updateMethod(ctx: Ctx, input: MethodPatch & { id: string; version: number }): Promise<MethodView> {
  requirePermission(ctx.actor, P.configure);
  if (input.factors) checkFactors(input.factors);
  if (input.bands) checkBands(input.bands);
  const tenantId = ctx.actor.tenantId;
  return ctx.db.tx(async (tx) => {
    await ensureRiskDefaults(tx, tenantId);
    const where = and(eq(riskMethods.id, input.id), eq(riskMethods.tenantId, tenantId));
    const [before] = await tx.select().from(riskMethods).where(where).for('update');
    if (!before) throw notFound('assessment method');
    if (before.version !== input.version) throw versionConflict(before.version);
    if (input.active === false) {
      const [settings] = await tx.select().from(riskSettings).where(eq(riskSettings.tenantId, tenantId));
      if (settings?.defaultMethodCode === before.code) throw invalid('active', 'default', `active: ${before.code} is the default method; choose another default first`);
    }
    const { id: _id, version: _v, ...patch } = input;
    const [after] = await tx
      .update(riskMethods)
      .set({
        ...patch,
        ...(patch.nameZh !== undefined ? { nameZh: patch.nameZh.trim() } : {}),
        ...(patch.nameEn !== undefined ? { nameEn: patch.nameEn.trim() } : {}),
        version: before.version + 1,
        updatedAt: ctx.now(),
        updatedBy: ctx.actor.userId,
      })
      .where(and(where, eq(riskMethods.version, before.version)))
      .returning();
    if (!after) throw versionConflict(before.version);
    await recordChange(
      tx,
      ctx,
      { action: 'risk.method_updated', entityType: 'risk_method', entityId: after.id, before: methodView(before), after: methodView(after) },
      { type: 'risk.method_updated', entityType: 'risk_method', entityId: after.id, payload: { id: after.id, code: after.code } },
    );
    return methodView(after);
  });
}

export async function updateRiskSettings(ctx: Ctx, patch: { reassessIntervalMonths?: number; defaultMethodCode?: string }, version: number): Promise<RiskConfig> {
  requirePermission(ctx.actor, P.configure);
  const tenantId = ctx.actor.tenantId;
  return ctx.db.tx(async (tx) => {
    const before = await ensureRiskDefaults(tx, tenantId);
    if (before.version !== version) throw versionConflict(before.version);
    if (patch.defaultMethodCode !== undefined) await requireMethod(tx, tenantId, patch.defaultMethodCode, 'defaultMethodCode');
    const [after] = await tx
      .update(riskSettings)
      .set({ ...patch, version: before.version + 1, updatedAt: ctx.now(), updatedBy: ctx.actor.userId })
      .where(and(eq(riskSettings.tenantId, tenantId), eq(riskSettings.version, version)))
      .returning();
    if (!after) throw versionConflict(before.version);
    await recordChange(
      tx,
      ctx,
      { action: 'risk.settings_updated', entityType: 'risk_settings', entityId: tenantId, before: settingsView(before), after: settingsView(after) },
      { type: 'risk.settings_updated', entityType: 'risk_settings', entityId: tenantId },
    );
    return configOf(tx, tenantId);
  });
}

export interface NewMeasureClass {
  code: string;
  parentCode?: string | null;
  labelZh: string;
  labelEn: string;
  sort?: number;
}

/** Adds a class (classify1) or sub-class (classify2 under an existing classify1). */
export async function createMeasureClass(ctx: Ctx, input: NewMeasureClass): Promise<MeasureClassView> {
  requirePermission(ctx.actor, P.configure);
  if (!/^[a-z][a-z0-9_]{0,39}$/.test(input.code)) throw invalid('code', 'pattern', 'code: lower-case letters, digits and _, starting with a letter, at most 40');
  const tenantId = ctx.actor.tenantId;
  return ctx.db.tx(async (tx) => {
    await ensureRiskDefaults(tx, tenantId);
    const rows = await tx.select().from(riskMeasureClasses).where(eq(riskMeasureClasses.tenantId, tenantId));
    if (rows.some((r) => r.code === input.code)) throw alreadyExists('code', `code: a class ${input.code} already exists`);
    const parent = input.parentCode ?? null;
    // Two levels only, as the upload schema has (classify1 → classify2; classify3 is free text).
    if (parent !== null && !rows.some((r) => r.code === parent && r.parentCode === null)) {
      throw invalid('parentCode', 'exists', `parentCode: "${parent}" is not a top-level class`);
    }
    const [row] = await mapUniqueViolation(
      () =>
        tx
          .insert(riskMeasureClasses)
          .values({ id: newId(), tenantId, code: input.code, parentCode: parent, labelZh: input.labelZh.trim(), labelEn: input.labelEn.trim(), sort: input.sort ?? (rows.length + 1) * 10, updatedBy: ctx.actor.userId, updatedAt: ctx.now() })
          .returning(),
      'code',
      `code: a class ${input.code} already exists`,
    );
    if (!row) throw new AppError('internal');
    await recordChange(
      tx,
      ctx,
      { action: 'risk.measure_class_created', entityType: 'risk_measure_class', entityId: row.id, after: classView(row) },
      { type: 'risk.measure_class_created', entityType: 'risk_measure_class', entityId: row.id, payload: { code: row.code } },
    );
    return classView(row);
  });
}
