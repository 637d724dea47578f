import { and, desc, eq } from 'drizzle-orm';
import type { Ctx } from '../../platform/auth/actor.ts';
import { requirePermission } from '../../platform/auth/scope.ts';
import type { Tx } from '../../platform/db/client.ts';
import { newId } from '../../platform/db/columns.ts';
import { files } from '../../platform/files/schema.ts';
import { AppError, invalid } from '../../platform/http/errors.ts';
import { dayIn, isDay, tenantZone } from '../../platform/org/calendar.ts';
import { equipmentPermissions as P } from './permissions.ts';
import { impliedDue, viewsOf, type EquipmentView } from './register.ts';
import { armInspectionReminders } from './reminders.ts';
import { equipment, equipmentInspections, type InspectionResult } from './schema.ts';
import { loadEquipment, recordEquipment, versionConflict } from './store.ts';

/** Statutory inspections (定期检验) of equipment: recording one moves the equipment's due date. */

export type InspectionRow = typeof equipmentInspections.$inferSelect;

export interface RecordInspectionInput {
  inspectedOn: string;
  result: InspectionResult;
  inspector?: string | null;
  reportNo?: string | null;
  certificateFileId?: string | null;
  /** The next due day from the inspection report; defaults to inspectedOn + the equipment's interval. */
  nextDue?: string | null;
  notes?: string | null;
}

async function checkCertificateFile(tx: Tx, tenantId: string, fileId: string): Promise<void> {
  const [file] = await tx
    .select({ kind: files.kind })
    .from(files)
    .where(and(eq(files.tenantId, tenantId), eq(files.id, fileId)));
  if (!file) throw invalid('certificateFileId', 'exists', `certificateFileId: no uploaded file ${fileId}; upload it first (POST /api/v1/files)`);
  if (file.kind !== 'image' && file.kind !== 'pdf') throw invalid('certificateFileId', 'kind', `certificateFileId: expected an image or a PDF, got ${file.kind}`);
}

export async function recordInspection(ctx: Ctx, equipmentId: string, input: RecordInspectionInput, version: number): Promise<{ inspection: InspectionRow; equipment: EquipmentView }> {
  requirePermission(ctx.actor, P.write);
  if (!isDay(input.inspectedOn)) throw invalid('inspectedOn', 'format', 'inspectedOn: a calendar day YYYY-MM-DD');
  if (input.nextDue && !isDay(input.nextDue)) throw invalid('nextDue', 'format', 'nextDue: a calendar day YYYY-MM-DD');
  // A failed inspection earns no full interval: the inspection body sets the re-inspection deadline.
  if (input.result === 'failed' && !input.nextDue) throw invalid('nextDue', 'required', 'nextDue: required when the inspection failed (the re-inspection deadline)');
  return ctx.db.tx(async (tx) => {
    const tenantId = ctx.actor.tenantId;
    const before = await loadEquipment(tx, ctx.actor, equipmentId, { forUpdate: true });
    if (before.version !== version) throw versionConflict(before.version);
    if (before.status === 'scrapped') throw new AppError('conflict', 'scrapped equipment is not inspected', { extra: { equipmentStatus: 'scrapped' } });
    const today = dayIn(ctx.now(), (await tenantZone(tx, tenantId)).timeZone);
    if (input.inspectedOn > today) throw invalid('inspectedOn', 'maximum', `inspectedOn: not after today (${today})`);
    if (before.lastInspectedOn && input.inspectedOn < before.lastInspectedOn) {
      throw invalid('inspectedOn', 'minimum', `inspectedOn: not before the last recorded inspection (${before.lastInspectedOn})`);
    }
    if (input.certificateFileId) await checkCertificateFile(tx, tenantId, input.certificateFileId);
    const nextDue = input.nextDue ?? impliedDue(input.inspectedOn, before.inspectionIntervalMonths);
    if (nextDue && nextDue <= input.inspectedOn) throw invalid('nextDue', 'minimum', `nextDue: must be after inspectedOn (${input.inspectedOn})`);
    const now = ctx.now();
    const [inspection] = await tx
      .insert(equipmentInspections)
      .values({
        id: newId(),
        tenantId,
        equipmentId,
        inspectedOn: input.inspectedOn,
        result: input.result,
        inspector: input.inspector?.trim() || null,
        reportNo: input.reportNo?.trim() || null,
        certificateFileId: input.certificateFileId ?? null,
        nextDue,
        notes: input.notes?.trim() || null,
        createdAt: now,
        createdBy: ctx.actor.userId,
      })
      .returning();
    const [after] = await tx
      .update(equipment)
      .set({ lastInspectedOn: input.inspectedOn, nextInspectionDue: nextDue, version: before.version + 1, updatedAt: now, updatedBy: ctx.actor.userId })
      .where(and(eq(equipment.id, equipmentId), eq(equipment.version, before.version)))
      .returning();
    if (!after) throw versionConflict(before.version);
    await armInspectionReminders(tx, after, before, now);
    await recordEquipment(tx, ctx, 'inspection_recorded', before, after, { inspectionId: inspection!.id, result: input.result, inspectedOn: input.inspectedOn });
    const [view] = await viewsOf(tx, ctx, [after]);
    return { inspection: inspection!, equipment: view! };
  });
}

export async function listInspections(ctx: Ctx, equipmentId: string): Promise<{ items: InspectionRow[] }> {
  requirePermission(ctx.actor, P.read);
  return ctx.db.read(async (tx) => {
    await loadEquipment(tx, ctx.actor, equipmentId);
    const items = await tx
      .select()
      .from(equipmentInspections)
      .where(and(eq(equipmentInspections.tenantId, ctx.actor.tenantId), eq(equipmentInspections.equipmentId, equipmentId)))
      .orderBy(desc(equipmentInspections.inspectedOn), desc(equipmentInspections.id))
      .limit(200);
    return { items };
  });
}
