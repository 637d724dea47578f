import { and, desc, eq } from 'drizzle-orm';
import { recordChange } from '../../platform/audit/record.ts';
import type { Ctx } from '../../platform/auth/actor.ts';
import { requirePermission } from '../../platform/auth/scope.ts';
import type { Tx } from '../../platform/db/client.ts';
import { newId } from '../../platform/db/columns.ts';
import { AppError } from '../../platform/http/errors.ts';
import { CODE_PATTERN, distanceMetres, normalizeScanCode } from './codes.ts';
import { loadCheckpoint } from './checkpoints.ts';
import { namesOf } from '../../platform/org/directory.ts';
import { equipmentPermissions as P } from './permissions.ts';
import { viewsOf, type DueState } from './register.ts';
import { checkpointRetiredCodes, checkpointScans, checkpoints, equipment, type ScanResult } from './schema.ts';

/**
 * Scan verification: a code read from a checkpoint's QR label proves the scanner stood at the checkpoint
 * (optionally within its GPS radius). Every scan is logged, accepted or refused; refusals are audited too.
 * The inspections module calls `verifyCheckpointScan` (service.ts) with the checkpoint of the task, so
 * scanning another checkpoint's label is refused (`checkpoint_mismatch`).
 */

export interface ScanPosition {
  lat: number;
  lng: number;
  /** Reported accuracy (metres), kept in the log for review; the radius is the whole allowance. */
  accuracy?: number | null;
}

export interface ScanInput {
  code: string;
  position?: ScanPosition | null;
  /** The checkpoint the caller expects the code to belong to. */
  expectedCheckpointId?: string | null;
}

export interface ScannedEquipment {
  id: string;
  code: string;
  name: string;
  kindName: string;
  special: boolean;
  status: string;
  nextInspectionDue: string | null;
  dueState: DueState;
}

export interface CheckpointScanRef {
  scanId: string;
  scannedAt: string;
  checkpointId: string;
  name: string;
  description: string | null;
  orgUnitId: string | null;
  orgUnitName: string | null;
  riskUnitIds: string[];
  equipment: ScannedEquipment | null;
  /** Metres from the checkpoint's centre, when both positions are known. */
  distanceM: number | null;
}

export type ScanOutcome = { ok: true; ref: CheckpointScanRef } | { ok: false; error: AppError; scanId: string };

type CheckpointRow = typeof checkpoints.$inferSelect;

interface Verdict {
  result: ScanResult;
  checkpoint: CheckpointRow | null;
  distanceM: number | null;
  error: AppError | null;
}

async function judge(tx: Tx, ctx: Ctx, input: ScanInput): Promise<Verdict> {
  const tenantId = ctx.actor.tenantId;
  const code = normalizeScanCode(input.code);
  const refuse = (result: ScanResult, error: AppError, checkpoint: CheckpointRow | null = null, distanceM: number | null = null): Verdict => ({ result, checkpoint, distanceM, error });
  const unknown = () => refuse('unknown_code', new AppError('checkpoint_code_unknown', 'no checkpoint of this company has this code'));
  if (!CODE_PATTERN.test(code)) return unknown();
  const [found] = await tx.select().from(checkpoints).where(eq(checkpoints.scanCode, code));
  // Another company's checkpoint is simply unknown here: its existence is not ours to reveal.
  const cp = found && found.tenantId === tenantId ? found : null;
  if (!cp) {
    const [retired] = await tx
      .select()
      .from(checkpointRetiredCodes)
      .where(and(eq(checkpointRetiredCodes.code, code), eq(checkpointRetiredCodes.tenantId, tenantId)));
    if (!retired) return unknown();
    const [owner] = await tx.select().from(checkpoints).where(eq(checkpoints.id, retired.checkpointId));
    return refuse('rotated_code', new AppError('checkpoint_code_rotated', `this label was replaced on ${retired.retiredAt.toISOString().slice(0, 10)}`, { extra: { checkpointId: retired.checkpointId, retiredAt: retired.retiredAt.toISOString() } }), owner ?? null);
  }
  if (cp.archivedAt) return refuse('archived', new AppError('checkpoint_archived', `checkpoint ${cp.name} was archived`, { extra: { checkpointId: cp.id } }), cp);
  if (input.expectedCheckpointId && input.expectedCheckpointId !== cp.id) {
    return refuse(
      'mismatch',
      new AppError('checkpoint_mismatch', `this is the label of ${cp.name}, not of the checkpoint of this check`, { extra: { expectedCheckpointId: input.expectedCheckpointId, scannedCheckpointId: cp.id, scannedCheckpointName: cp.name } }),
      cp,
    );
  }
  const distanceM = input.position && cp.lat !== null && cp.lng !== null ? Math.round(distanceMetres(input.position, { lat: cp.lat, lng: cp.lng }) * 10) / 10 : null;
  if (distanceM !== null && cp.radiusM !== null && distanceM > cp.radiusM) {
    return refuse('out_of_range', new AppError('checkpoint_out_of_range', `${Math.round(distanceM)} m from ${cp.name}; at most ${cp.radiusM} m allowed`, { extra: { distanceM, radiusM: cp.radiusM, checkpointId: cp.id } }), cp, distanceM);
  }
  return { result: 'ok', checkpoint: cp, distanceM, error: null };
}

async function refOf(tx: Tx, ctx: Ctx, cp: CheckpointRow, scanId: string, scannedAt: Date, distanceM: number | null): Promise<CheckpointScanRef> {
  const names = await namesOf(tx, ctx.actor.tenantId, [cp.orgUnitId], []);
  let eqRef: ScannedEquipment | null = null;
  if (cp.equipmentId) {
    const [e] = await tx
      .select()
      .from(equipment)
      .where(and(eq(equipment.tenantId, ctx.actor.tenantId), eq(equipment.id, cp.equipmentId)));
    if (e) {
      const [v] = await viewsOf(tx, ctx, [e]);
      eqRef = { id: e.id, code: e.code, name: e.name, kindName: v!.kindName, special: e.special, status: e.status, nextInspectionDue: e.nextInspectionDue, dueState: v!.dueState };
    }
  }
  return {
    scanId,
    scannedAt: scannedAt.toISOString(),
    checkpointId: cp.id,
    name: cp.name,
    description: cp.description,
    orgUnitId: cp.orgUnitId,
    orgUnitName: cp.orgUnitId ? (names.units.get(cp.orgUnitId) ?? null) : null,
    riskUnitIds: cp.riskUnitIds,
    equipment: eqRef,
    distanceM,
  };
}

/**
 * Judges a scan and logs it in the caller's transaction; a refusal is returned (not thrown) with its audit
 * entry written, so the caller decides whether to commit the log and answer with the error. Needs no
 * permission of its own: the caller (a scan route, an inspection task) has already decided the actor may scan.
 */
export async function checkCheckpointScanTx(tx: Tx, ctx: Ctx, input: ScanInput): Promise<ScanOutcome> {
  const verdict = await judge(tx, ctx, input);
  const now = ctx.now();
  const scanId = newId();
  await tx.insert(checkpointScans).values({
    id: scanId,
    tenantId: ctx.actor.tenantId,
    checkpointId: verdict.checkpoint?.id ?? null,
    expectedCheckpointId: input.expectedCheckpointId ?? null,
    userId: ctx.actor.userId,
    scannedAt: now,
    lat: input.position?.lat ?? null,
    lng: input.position?.lng ?? null,
    accuracyM: input.position?.accuracy ?? null,
    distanceM: verdict.distanceM,
    result: verdict.result,
  });
  if (verdict.error) {
    // The code itself is never written to the audit log: a refused one may be a near-miss of a valid code.
    await recordChange(
      tx,
      ctx,
      {
        action: 'checkpoint.scan_refused',
        entityType: verdict.checkpoint ? 'checkpoint' : 'checkpoint_scan',
        entityId: verdict.checkpoint?.id ?? scanId,
        after: { scanId, result: verdict.result, expectedCheckpointId: input.expectedCheckpointId ?? null, distanceM: verdict.distanceM, position: input.position ?? null },
      },
      { type: 'checkpoint.scan_refused', entityType: 'checkpoint', entityId: verdict.checkpoint?.id ?? scanId, payload: { scanId, result: verdict.result, checkpointId: verdict.checkpoint?.id ?? null } },
    );
    return { ok: false, error: verdict.error, scanId };
  }
  return { ok: true, ref: await refOf(tx, ctx, verdict.checkpoint!, scanId, now, verdict.distanceM) };
}

/** Runs the check in its own transaction: the log and audit entry commit, then a refusal is thrown. */
export async function verifyScanOrThrow(ctx: Ctx, input: ScanInput): Promise<CheckpointScanRef> {
  const outcome = await ctx.db.tx((tx) => checkCheckpointScanTx(tx, ctx, input));
  if (!outcome.ok) throw outcome.error;
  return outcome.ref;
}

/** `POST /checkpoints/scan`: whoever may read equipment and checkpoints may prove presence at one. */
export async function scanCheckpoint(ctx: Ctx, input: { code: string; lat?: number; lng?: number; accuracy?: number }): Promise<CheckpointScanRef> {
  requirePermission(ctx.actor, P.read);
  if ((input.lat === undefined) !== (input.lng === undefined)) {
    throw new AppError('validation_failed', 'lat and lng: both or neither', { errors: [{ field: input.lat === undefined ? 'lat' : 'lng', rule: 'required', message: 'lat and lng: both or neither' }] });
  }
  const position = input.lat !== undefined && input.lng !== undefined ? { lat: input.lat, lng: input.lng, accuracy: input.accuracy ?? null } : null;
  return verifyScanOrThrow(ctx, { code: input.code, position });
}

export interface ScanLogEntry {
  id: string;
  scannedAt: string;
  userId: string | null;
  result: ScanResult;
  expectedCheckpointId: string | null;
  lat: number | null;
  lng: number | null;
  accuracyM: number | null;
  distanceM: number | null;
}

/** The latest scans of one checkpoint (who, when, where, outcome), newest first. */
export async function listCheckpointScans(ctx: Ctx, checkpointId: string, limit: number): Promise<{ items: ScanLogEntry[] }> {
  requirePermission(ctx.actor, P.manageCheckpoints);
  return ctx.db.read(async (tx) => {
    await loadCheckpoint(tx, ctx.actor, checkpointId);
    const rows = await tx
      .select()
      .from(checkpointScans)
      .where(and(eq(checkpointScans.tenantId, ctx.actor.tenantId), eq(checkpointScans.checkpointId, checkpointId)))
      .orderBy(desc(checkpointScans.scannedAt), desc(checkpointScans.id))
      .limit(limit);
    return {
      items: rows.map((r) => ({ id: r.id, scannedAt: r.scannedAt.toISOString(), userId: r.userId, result: r.result, expectedCheckpointId: r.expectedCheckpointId, lat: r.lat, lng: r.lng, accuracyM: r.accuracyM, distanceM: r.distanceM })),
    };
  });
}
