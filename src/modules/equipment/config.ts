import { and, eq, isNotNull } from 'drizzle-orm';
import { recordChange } from '../../platform/audit/record.ts';
import type { Ctx } from '../../platform/auth/actor.ts';
import { requirePermission } from '../../platform/auth/scope.ts';
import { newId } from '../../platform/db/columns.ts';
import { AppError, invalid, notFound } from '../../platform/http/errors.ts';
import { alreadyExists } from '../../platform/org/sqlHelpers.ts';
import { ensureEquipmentDefaults, loadKinds, type EquipmentKindRow, type EquipmentSettingsRow } from './defaults.ts';
import { equipmentPermissions as P } from './permissions.ts';
import { armInspectionReminders } from './reminders.ts';
import { equipment, equipmentKinds, equipmentSettings } from './schema.ts';

/** Tenant configuration of the equipment module: the kinds dictionary and the reminder settings. */

export interface EquipmentConfig {
  kinds: EquipmentKindRow[];
  settings: EquipmentSettingsRow;
}

export async function getEquipmentConfig(ctx: Ctx): Promise<EquipmentConfig> {
  requirePermission(ctx.actor, P.read);
  // Seeding on first read writes rows, so this is a write transaction.
  return ctx.db.tx(async (tx) => {
    const settings = await ensureEquipmentDefaults(tx, ctx.actor.tenantId);
    return { kinds: await loadKinds(tx, ctx.actor.tenantId), settings };
  });
}

export interface SettingsPatch {
  reminderDays?: number[];
  reminderHour?: number;
}

/**
 * Changes the reminder thresholds or hour and re-arms the reminders of every in-service equipment with a
 * due date, so the new thresholds apply at once (a threshold already fired for a date does not repeat).
 */
export async function updateEquipmentSettings(ctx: Ctx, patch: SettingsPatch, version: number): Promise<EquipmentSettingsRow> {
  requirePermission(ctx.actor, P.configure);
  return ctx.db.tx(async (tx) => {
    const tenantId = ctx.actor.tenantId;
    const before = await ensureEquipmentDefaults(tx, tenantId);
    if (before.version !== version) throw new AppError('version_conflict', `the settings are at version ${before.version}`, { extra: { currentVersion: before.version } });
    const reminderDays = patch.reminderDays ? [...new Set(patch.reminderDays)].sort((a, b) => b - a) : before.reminderDays;
    const now = ctx.now();
    const [after] = await tx
      .update(equipmentSettings)
      .set({ reminderDays, reminderHour: patch.reminderHour ?? before.reminderHour, version: before.version + 1, updatedAt: now, updatedBy: ctx.actor.userId })
      .where(and(eq(equipmentSettings.tenantId, tenantId), eq(equipmentSettings.version, before.version)))
      .returning();
    if (!after) throw new AppError('version_conflict', 'the settings changed meanwhile');
    const armed = await tx
      .select()
      .from(equipment)
      .where(and(eq(equipment.tenantId, tenantId), eq(equipment.status, 'in_service'), isNotNull(equipment.nextInspectionDue)));
    // No "before" row: the date is the same, the thresholds are not, so every timer is re-armed.
    for (const row of armed) await armInspectionReminders(tx, row, null, now);
    await recordChange(tx, ctx, {
      action: 'equipment_settings.updated',
      entityType: 'equipment_settings',
      entityId: tenantId,
      before: { reminderDays: before.reminderDays, reminderHour: before.reminderHour },
      after: { reminderDays: after.reminderDays, reminderHour: after.reminderHour, rearmed: armed.length },
    });
    return after;
  });
}

export interface KindInput {
  code: string;
  nameZh: string;
  nameEn: string;
  special: boolean;
  inspectionIntervalMonths: number | null;
}

export async function createEquipmentKind(ctx: Ctx, input: KindInput): Promise<EquipmentKindRow> {
  requirePermission(ctx.actor, P.configure);
  if (!/^[a-z][a-z0-9_]{1,39}$/.test(input.code)) throw invalid('code', 'pattern', 'code: 2 to 40 lower-case letters, digits and _');
  return ctx.db.tx(async (tx) => {
    const tenantId = ctx.actor.tenantId;
    await ensureEquipmentDefaults(tx, tenantId);
    const kinds = await loadKinds(tx, tenantId);
    if (kinds.some((k) => k.code === input.code)) throw alreadyExists('code', `equipment kind ${input.code} already exists`);
    const now = ctx.now();
    const [row] = await tx
      .insert(equipmentKinds)
      .values({ id: newId(), tenantId, ...input, nameZh: input.nameZh.trim(), nameEn: input.nameEn.trim(), sort: (kinds.at(-1)?.sort ?? 0) + 10, createdAt: now, updatedAt: now, updatedBy: ctx.actor.userId })
      .returning();
    await recordChange(tx, ctx, { action: 'equipment_kind.created', entityType: 'equipment_kind', entityId: row!.id, after: { ...input } });
    return row!;
  });
}

export interface KindPatch {
  nameZh?: string;
  nameEn?: string;
  special?: boolean;
  inspectionIntervalMonths?: number | null;
  active?: boolean;
}

/** Edits a kind's names and defaults; equipment already registered keeps its own flag and interval. */
export async function updateEquipmentKind(ctx: Ctx, id: string, patch: KindPatch, version: number): Promise<EquipmentKindRow> {
  requirePermission(ctx.actor, P.configure);
  return ctx.db.tx(async (tx) => {
    const [before] = await tx
      .select()
      .from(equipmentKinds)
      .where(and(eq(equipmentKinds.tenantId, ctx.actor.tenantId), eq(equipmentKinds.id, id)))
      .for('update');
    if (!before) throw notFound('equipment kind');
    if (before.version !== version) throw new AppError('version_conflict', `the kind is at version ${before.version}`, { extra: { currentVersion: before.version } });
    const [after] = await tx
      .update(equipmentKinds)
      .set({
        ...(patch.nameZh !== undefined ? { nameZh: patch.nameZh.trim() } : {}),
        ...(patch.nameEn !== undefined ? { nameEn: patch.nameEn.trim() } : {}),
        ...(patch.special !== undefined ? { special: patch.special } : {}),
        ...(patch.inspectionIntervalMonths !== undefined ? { inspectionIntervalMonths: patch.inspectionIntervalMonths } : {}),
        ...(patch.active !== undefined ? { active: patch.active } : {}),
        version: before.version + 1,
        updatedAt: ctx.now(),
        updatedBy: ctx.actor.userId,
      })
      .where(and(eq(equipmentKinds.id, id), eq(equipmentKinds.version, before.version)))
      .returning();
    if (!after) throw new AppError('version_conflict', 'the kind changed meanwhile');
    const pick = (k: EquipmentKindRow) => ({ nameZh: k.nameZh, nameEn: k.nameEn, special: k.special, inspectionIntervalMonths: k.inspectionIntervalMonths, active: k.active });
    await recordChange(tx, ctx, { action: 'equipment_kind.updated', entityType: 'equipment_kind', entityId: id, before: pick(before), after: pick(after) });
    return after;
  });
}
