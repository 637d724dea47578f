import { and, asc, eq } from 'drizzle-orm';
import { recordChange } from '../../platform/audit/record.ts';
import type { Ctx } from '../../platform/auth/actor.ts';
import { requirePermission } from '../../platform/auth/scope.ts';
import type { Tx } from '../../platform/db/client.ts';
import { newId } from '../../platform/db/columns.ts';
import { AppError, invalid, notFound } from '../../platform/http/errors.ts';
import { ensureTrainingDefaults, loadTypes, type CertificateTypeRow, type RequirementRow, type TrainingSettings } from './defaults.ts';
import { trainingPermissions as P } from './permissions.ts';
import { parseTarget } from './qualification.ts';
import { certificateTypes, requirements } from './schema.ts';

/** Tenant configuration of the training module: certificate types, qualification requirements, settings. */

export interface TrainingConfig {
  types: CertificateTypeRow[];
  requirements: RequirementRow[];
  settings: TrainingSettings;
}

export async function getTrainingConfig(ctx: Ctx): Promise<TrainingConfig> {
  requirePermission(ctx.actor, P.read);
  // Seeding on first read writes rows, so this is a write transaction.
  return ctx.db.tx(async (tx) => {
    const settings = await ensureTrainingDefaults(tx, ctx.actor.tenantId);
    const types = await loadTypes(tx, ctx.actor.tenantId);
    const reqs = await tx.select().from(requirements).where(eq(requirements.tenantId, ctx.actor.tenantId)).orderBy(asc(requirements.targetKind), asc(requirements.targetKey), asc(requirements.id));
    return { types, requirements: reqs, settings };
  });
}

export interface TypePatch {
  validityMonths?: number | null;
  reviewIntervalMonths?: number | null;
  reminderDays?: number[];
  active?: boolean;
}

/**
 * Changes a type's defaults (e.g. the ⚠️ 4-year validity of special-equipment certificates). Existing
 * certificates keep their dates and timers; the new values apply to certificates recorded from now on.
 */
export async function updateCertificateType(ctx: Ctx, id: string, patch: TypePatch, version: number): Promise<CertificateTypeRow> {
  requirePermission(ctx.actor, P.configure);
  return ctx.db.tx(async (tx) => {
    await ensureTrainingDefaults(tx, ctx.actor.tenantId);
    const [before] = await tx
      .select()
      .from(certificateTypes)
      .where(and(eq(certificateTypes.tenantId, ctx.actor.tenantId), eq(certificateTypes.id, id)))
      .for('update');
    if (!before) throw notFound('certificate type');
    if (before.version !== version) throw new AppError('version_conflict', `the certificate type is at version ${before.version}`, { extra: { currentVersion: before.version } });
    const reminderDays = patch.reminderDays ? [...new Set(patch.reminderDays)].sort((a, b) => b - a) : before.reminderDays;
    const [after] = await tx
      .update(certificateTypes)
      .set({
        ...(patch.validityMonths !== undefined ? { validityMonths: patch.validityMonths } : {}),
        ...(patch.reviewIntervalMonths !== undefined ? { reviewIntervalMonths: patch.reviewIntervalMonths } : {}),
        ...(patch.active !== undefined ? { active: patch.active } : {}),
        reminderDays,
        version: before.version + 1,
        updatedAt: ctx.now(),
        updatedBy: ctx.actor.userId,
      })
      .where(and(eq(certificateTypes.id, id), eq(certificateTypes.version, before.version)))
      .returning();
    if (!after) throw new AppError('version_conflict', 'the certificate type changed meanwhile');
    await recordChange(
      tx,
      ctx,
      { action: 'certificate_type.updated', entityType: 'certificate_type', entityId: id, before: pickType(before), after: pickType(after) },
      { type: 'certificate_type.updated', entityType: 'certificate_type', entityId: id, payload: { code: after.code } },
    );
    return after;
  });
}

const pickType = (t: CertificateTypeRow) => ({ code: t.code, validityMonths: t.validityMonths, reviewIntervalMonths: t.reviewIntervalMonths, reminderDays: t.reminderDays, active: t.active, version: t.version });

async function checkRequirementType(tx: Tx, tenantId: string, typeId: string, categories: string[]): Promise<void> {
  const [type] = await tx
    .select()
    .from(certificateTypes)
    .where(and(eq(certificateTypes.tenantId, tenantId), eq(certificateTypes.id, typeId)));
  if (!type) throw invalid('typeId', 'exists', `typeId: no certificate type ${typeId}`);
  for (const [i, c] of categories.entries()) {
    if (!type.categories.some((x) => x.code === c)) throw invalid(`categories.${i}`, 'enum', `categories.${i}: ${type.nameEn} has no category ${c}`);
  }
}

export interface NewRequirement {
  target: string;
  typeId: string;
  categories: string[];
  note?: string | null;
}

export async function createRequirement(ctx: Ctx, input: NewRequirement): Promise<RequirementRow> {
  requirePermission(ctx.actor, P.configure);
  const target = parseTarget(input.target);
  return ctx.db.tx(async (tx) => {
    await ensureTrainingDefaults(tx, ctx.actor.tenantId);
    await checkRequirementType(tx, ctx.actor.tenantId, input.typeId, input.categories);
    const now = ctx.now();
    const [row] = await tx
      .insert(requirements)
      .values({ id: newId(), tenantId: ctx.actor.tenantId, targetKind: target.kind, targetKey: target.key, typeId: input.typeId, categories: [...new Set(input.categories)], note: input.note?.trim() || null, createdAt: now, updatedAt: now, updatedBy: ctx.actor.userId })
      .returning();
    const created = row!;
    await recordChange(
      tx,
      ctx,
      { action: 'qualification_requirement.created', entityType: 'qualification_requirement', entityId: created.id, after: { target: input.target, typeId: created.typeId, categories: created.categories } },
      { type: 'qualification_requirement.created', entityType: 'qualification_requirement', entityId: created.id, payload: { target: input.target } },
    );
    return created;
  });
}

export async function updateRequirement(ctx: Ctx, id: string, patch: { active?: boolean; categories?: string[]; note?: string | null }, version: number): Promise<RequirementRow> {
  requirePermission(ctx.actor, P.configure);
  return ctx.db.tx(async (tx) => {
    const [before] = await tx
      .select()
      .from(requirements)
      .where(and(eq(requirements.tenantId, ctx.actor.tenantId), eq(requirements.id, id)))
      .for('update');
    if (!before) throw notFound('requirement');
    if (before.version !== version) throw new AppError('version_conflict', `the requirement is at version ${before.version}`, { extra: { currentVersion: before.version } });
    if (patch.categories) await checkRequirementType(tx, ctx.actor.tenantId, before.typeId, patch.categories);
    const [after] = await tx
      .update(requirements)
      .set({
        ...(patch.active !== undefined ? { active: patch.active } : {}),
        ...(patch.categories ? { categories: [...new Set(patch.categories)] } : {}),
        ...(patch.note !== undefined ? { note: patch.note?.trim() || null } : {}),
        version: before.version + 1,
        updatedAt: ctx.now(),
        updatedBy: ctx.actor.userId,
      })
      .where(and(eq(requirements.id, id), eq(requirements.version, before.version)))
      .returning();
    if (!after) throw new AppError('version_conflict', 'the requirement changed meanwhile');
    await recordChange(
      tx,
      ctx,
      { action: 'qualification_requirement.updated', entityType: 'qualification_requirement', entityId: id, before: { active: before.active, categories: before.categories }, after: { active: after.active, categories: after.categories } },
      { type: 'qualification_requirement.updated', entityType: 'qualification_requirement', entityId: id, payload: { target: `${after.targetKind}:${after.targetKey}` } },
    );
    return after;
  });
}
