import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Ctx } from '../../platform/auth/actor.ts';
import { requirePermission } from '../../platform/auth/scope.ts';
import type { Tx } from '../../platform/db/client.ts';
import { newId } from '../../platform/db/columns.ts';
import { files } from '../../platform/files/schema.ts';
import { AppError, invalid, type FieldError } from '../../platform/http/errors.ts';
import { checkCheckpointScanInTx } from '../equipment/service.ts';
import { raiseFindingHazards } from './findings.ts';
import { inspectionPermissions as P } from './permissions.ts';
import { inspectionFindings, inspectionResults, inspectionTasks, type TaskStop, type TemplateItem } from './schema.ts';
import { recordInspection, trimOrNull, versionConflict } from './store.ts';
import { assertMayPerform, loadTask, taskDetail, templateVersionOf, type TaskDetail, type TaskRow } from './tasks.ts';

/**
 * Doing a check on the phone: at each stop the inspector scans the checkpoint's QR code (proof of
 * presence, optionally within its GPS radius) before the checklist opens; then submits the stop's
 * answers, validated against the template version the task was planned with. A failed item raises one
 * hazard (findings.ts).
 */

function assertOpen(t: TaskRow, now: Date): void {
  if (t.status === 'done' || t.status === 'missed') throw new AppError('conflict', `the task is ${t.status}`, { extra: { taskStatus: t.status } });
  if (now.getTime() < t.windowStart.getTime()) throw new AppError('conflict', `the task's window begins at ${t.windowStart.toISOString()}`, { extra: { windowStart: t.windowStart.toISOString() } });
}

function stopIndex(t: TaskRow, stop: number | undefined, pick: (s: TaskStop) => boolean): number {
  if (stop !== undefined) {
    if (!Number.isInteger(stop) || stop < 0 || stop >= t.stops.length) throw invalid('stop', 'range', `stop: 0 to ${t.stops.length - 1}`);
    return stop;
  }
  const i = t.stops.findIndex(pick);
  return i < 0 ? 0 : i;
}

export interface ScanTaskInput {
  code?: string;
  lat?: number;
  lng?: number;
  accuracy?: number;
  /** Which stop (route order); default the first one not yet scanned. */
  stop?: number;
}

/**
 * Starts (or continues) a task at a stop: only with the code of that stop's checkpoint. A refused scan
 * (another checkpoint's code, out of range, unknown) is logged and audited by the equipment module and
 * answered with its 4xx problem; the task does not change.
 */
export async function scanTaskCheckpoint(ctx: Ctx, taskId: string, input: ScanTaskInput): Promise<TaskDetail> {
  requirePermission(ctx.actor, P.perform);
  if ((input.lat === undefined) !== (input.lng === undefined)) throw invalid(input.lat === undefined ? 'lat' : 'lng', 'required', 'lat and lng: both or neither');
  const outcome = await ctx.db.tx(async (tx): Promise<{ error: AppError } | { detail: TaskDetail }> => {
    const t = await loadTask(tx, ctx, taskId, { forUpdate: true });
    await assertMayPerform(tx, ctx, t);
    const now = ctx.now();
    assertOpen(t, now);
    const i = stopIndex(t, input.stop, (s) => !s.scannedAt);
    const stop = t.stops[i]!;
    let scanId: string | null = null;
    if (stop.checkpointId) {
      if (!input.code) throw invalid('code', 'required', 'code: scan the QR code of the checkpoint');
      const o = await checkCheckpointScanInTx(tx, ctx, { checkpointId: stop.checkpointId, code: input.code, position: input.lat !== undefined && input.lng !== undefined ? { lat: input.lat, lng: input.lng, accuracy: input.accuracy ?? null } : null });
      // The refusal's log and audit entry commit with this transaction; the task stays as it was.
      if (!o.ok) return { error: o.error };
      scanId = o.ref.scanId;
    }
    const stops = t.stops.map((s, j) => (j === i ? { ...s, scannedAt: s.scannedAt ?? now.toISOString(), scanId: s.scanId ?? scanId } : s));
    const starting = t.status === 'planned';
    const [after] = await tx
      .update(inspectionTasks)
      .set({ stops, status: 'in_progress', startedAt: t.startedAt ?? now, startedBy: t.startedBy ?? ctx.actor.userId, updatedAt: now, updatedBy: ctx.actor.userId, version: t.version + 1 })
      .where(eq(inspectionTasks.id, t.id))
      .returning();
    if (!after) throw new AppError('internal');
    await recordInspection(tx, ctx, {
      action: starting ? 'inspection.task.started' : 'inspection.task.scanned',
      entityType: 'inspection_task',
      entityId: t.id,
      before: { status: t.status },
      after: { status: after.status, stop: i, checkpointId: stop.checkpointId, scanId },
      payload: { stop: i, checkpointId: stop.checkpointId },
    });
    return { detail: await taskDetail(tx, ctx, after) };
  });
  if ('error' in outcome) throw outcome.error;
  return outcome.detail;
}

export interface ResultInput {
  itemKey: string;
  /** pass_fail: pass / fail / na. */
  value?: string | null;
  reading?: number | null;
  text?: string | null;
  photoIds?: string[];
  signatureFileId?: string | null;
  remark?: string | null;
}

export interface SubmitInput {
  stop?: number;
  /** The task's version the phone saw (If-Match or body): a stale one is refused. */
  version: number;
  results: ResultInput[];
}

interface Judged {
  item: TemplateItem;
  input: ResultInput | null;
  value: string | null;
  reading: number | null;
  passed: boolean | null;
  photoIds: string[];
}

/** Validates the answers of one stop against the template version; every problem named by field. */
export function judgeResults(items: TemplateItem[], results: ResultInput[]): { judged: Judged[]; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const err = (field: string, rule: string, message: string) => errors.push({ field, rule, message });
  const byKey = new Map<string, { r: ResultInput; i: number }>();
  results.forEach((r, i) => {
    if (byKey.has(r.itemKey)) err(`results.${i}.itemKey`, 'unique', `results.${i}.itemKey: "${r.itemKey}" answered twice`);
    else if (!items.some((it) => it.key === r.itemKey)) err(`results.${i}.itemKey`, 'exists', `results.${i}.itemKey: the checklist has no item "${r.itemKey}"`);
    byKey.set(r.itemKey, { r, i });
  });
  const judged: Judged[] = [];
  for (const item of items) {
    const hit = byKey.get(item.key);
    const f = hit ? `results.${hit.i}` : `results[${item.key}]`;
    const r = hit?.r ?? null;
    const photoIds = [...new Set(r?.photoIds ?? [])];
    let value: string | null = null;
    let reading: number | null = null;
    let passed: boolean | null = null;
    let answered = false;
    if (item.kind === 'pass_fail') {
      const v = r?.value ?? null;
      if (v !== null && v !== 'pass' && v !== 'fail' && v !== 'na') err(`${f}.value`, 'enum', `${f}.value: pass, fail or na`);
      else if (v === 'na' && item.allowNa === false) err(`${f}.value`, 'enum', `${f}.value: N.A. is not allowed for "${item.label}"`);
      else if (v) {
        answered = true;
        value = v;
        passed = v === 'na' ? null : v === 'pass';
      }
    } else if (item.kind === 'number') {
      const n = r?.reading ?? null;
      if (n !== null && !Number.isFinite(n)) err(`${f}.reading`, 'type', `${f}.reading: a number`);
      else if (n !== null) {
        answered = true;
        reading = n;
        // Outside the allowed range is a failed item (a reading is the check).
        passed = (item.min === null || item.min === undefined || n >= item.min) && (item.max === null || item.max === undefined || n <= item.max);
      }
    } else if (item.kind === 'text') {
      const s = trimOrNull(r?.text ?? r?.value);
      if (s && s.length > 2000) err(`${f}.text`, 'maxLength', `${f}.text: at most 2000 characters`);
      else if (s) {
        answered = true;
        value = s;
      }
    } else if (item.kind === 'photo') {
      answered = photoIds.length > 0;
    } else if (item.kind === 'signature') {
      answered = Boolean(r?.signatureFileId);
    }
    if (item.required && !answered && !errors.some((e) => e.field.startsWith(f))) {
      const field = item.kind === 'photo' ? `${f}.photoIds` : item.kind === 'signature' ? `${f}.signatureFileId` : item.kind === 'number' ? `${f}.reading` : `${f}.value`;
      err(field, 'required', `${field}: "${item.label}" must be ${item.kind === 'photo' ? 'photographed' : item.kind === 'signature' ? 'signed' : 'answered'}`);
    }
    if (item.photoRequired && item.kind !== 'photo' && answered && photoIds.length === 0) err(`${f}.photoIds`, 'required', `${f}.photoIds: "${item.label}" needs a photo`);
    judged.push({ item, input: r, value, reading, passed, photoIds });
  }
  // A failed item raises a hazard, and a hazard report needs a photo: its own, or one of this stop's.
  const stopPhotos = judged.flatMap((j) => j.photoIds);
  for (const j of judged) {
    if (j.passed === false && j.photoIds.length === 0 && stopPhotos.length === 0) {
      const hit = byKey.get(j.item.key);
      err(`results.${hit?.i ?? j.item.key}.photoIds`, 'required', `results.${hit?.i ?? j.item.key}.photoIds: "${j.item.label}" failed: a photo is needed for the hazard it raises`);
    }
  }
  return { judged, errors };
}

async function checkUploads(tx: Tx, tenantId: string, judged: Judged[]): Promise<void> {
  const ids = [...new Set(judged.flatMap((j) => [...j.photoIds, ...(j.input?.signatureFileId ? [j.input.signatureFileId] : [])]))];
  if (ids.length === 0) return;
  const rows = await tx
    .select({ id: files.id, kind: files.kind })
    .from(files)
    .where(and(eq(files.tenantId, tenantId), inArray(files.id, ids)));
  for (const id of ids) {
    const f = rows.find((r) => r.id === id);
    if (!f) throw invalid('photoIds', 'exists', `photoIds: no uploaded file ${id}; upload it first (POST /api/v1/files)`);
    if (f.kind !== 'image') throw invalid('photoIds', 'kind', `photoIds: ${id} is ${f.kind}, an image is needed`);
  }
}

/**
 * Submits the answers of one stop. The last stop completes the task (done, on time when inside its
 * window). Failed items are kept as findings in the same transaction; their hazards are raised right after
 * (through the hazards module) and linked, so a retry never raises a second one.
 */
export async function submitTaskResults(ctx: Ctx, taskId: string, input: SubmitInput): Promise<TaskDetail> {
  requirePermission(ctx.actor, P.perform);
  await ctx.db.tx(async (tx) => {
    const t = await loadTask(tx, ctx, taskId, { forUpdate: true });
    await assertMayPerform(tx, ctx, t);
    const now = ctx.now();
    // Submitting late is allowed until the sweep marks the task missed; it then counts as not on time.
    if (t.status === 'done' || t.status === 'missed') throw new AppError('conflict', `the task is ${t.status}`, { extra: { taskStatus: t.status } });
    if (t.version !== input.version) throw versionConflict(t.version);
    const i = stopIndex(t, input.stop, (s) => !s.submittedAt);
    const stop = t.stops[i]!;
    if (!stop.scannedAt) throw new AppError('conflict', stop.checkpointId ? `scan the QR code of ${stop.name} first` : 'start the task first', { extra: { stop: i } });
    if (stop.submittedAt) throw new AppError('conflict', `the results of ${stop.name} were submitted at ${stop.submittedAt}`, { extra: { stop: i } });
    const v = await templateVersionOf(tx, t.templateVersionId);
    const { judged, errors } = judgeResults(v.items, input.results);
    if (errors.length) throw new AppError('validation_failed', errors.map((e) => e.message).join('; '), { errors });
    await checkUploads(tx, t.tenantId, judged);
    const stopPhotos = judged.flatMap((j) => j.photoIds);
    let failed = 0;
    for (const j of judged) {
      if (!j.input && j.passed === null && j.photoIds.length === 0) continue;
      const [row] = await tx
        .insert(inspectionResults)
        .values({
          id: newId(),
          tenantId: t.tenantId,
          taskId: t.id,
          stop: i,
          checkpointId: stop.checkpointId,
          itemKey: j.item.key,
          kind: j.item.kind,
          value: j.value,
          reading: j.reading,
          passed: j.passed,
          photoIds: j.photoIds.length ? j.photoIds : j.passed === false ? stopPhotos : [],
          signatureFileId: j.input?.signatureFileId ?? null,
          remark: trimOrNull(j.input?.remark)?.slice(0, 1000) ?? null,
          submittedAt: now,
          submittedBy: ctx.actor.userId,
        })
        .returning({ id: inspectionResults.id });
      if (row && j.passed === false) {
        failed++;
        await tx.insert(inspectionFindings).values({ id: newId(), tenantId: t.tenantId, taskId: t.id, resultId: row.id, stop: i, itemKey: j.item.key, controlMeasureId: t.controlMeasureId, createdAt: now }).onConflictDoNothing();
      }
    }
    const stops = t.stops.map((s, k) => (k === i ? { ...s, submittedAt: now.toISOString() } : s));
    const complete = stops.every((s) => s.submittedAt);
    const onTime = now.getTime() <= t.windowEnd.getTime();
    const [after] = await tx
      .update(inspectionTasks)
      .set({
        stops,
        failedCount: sql`${inspectionTasks.failedCount} + ${failed}`,
        ...(complete ? { status: 'done' as const, doneAt: now, doneBy: ctx.actor.userId, onTime } : {}),
        updatedAt: now,
        updatedBy: ctx.actor.userId,
        version: t.version + 1,
      })
      .where(and(eq(inspectionTasks.id, t.id), eq(inspectionTasks.version, t.version)))
      .returning();
    if (!after) throw versionConflict(t.version + 1);
    await recordInspection(tx, ctx, {
      action: complete ? 'inspection.task.done' : 'inspection.task.stop_submitted',
      entityType: 'inspection_task',
      entityId: t.id,
      before: { status: t.status },
      after: { status: after.status, stop: i, failed, onTime: complete ? onTime : null, results: judged.map((j) => ({ key: j.item.key, passed: j.passed })) },
      payload: { stop: i, failed, controlMeasureId: t.controlMeasureId, ...(complete ? { onTime } : {}) },
    });
  });
  await raiseFindingHazards(ctx, taskId);
  return ctx.db.read(async (tx) => taskDetail(tx, ctx, await loadTask(tx, ctx, taskId)));
}
