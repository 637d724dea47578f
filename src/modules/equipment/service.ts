import { and, eq } from 'drizzle-orm';
import type { Ctx } from '../../platform/auth/actor.ts';
import type { Tx } from '../../platform/db/client.ts';
import { invalid } from '../../platform/http/errors.ts';
import { checkCheckpointScanTx, verifyScanOrThrow, type CheckpointScanRef, type ScanOutcome, type ScanPosition } from './scan.ts';
import { checkpoints } from './schema.ts';

/**
 * The equipment module's public API for other modules (DESIGN: a module reaches another only through its
 * service.ts): scan verification and checkpoint references for inspections.
 */

export type { CheckpointScanRef, ScanOutcome, ScanPosition };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface VerifyScanInput {
  /** The checkpoint the task is for: a code of any other checkpoint is refused with checkpoint_mismatch. */
  checkpointId: string;
  code: string;
  position?: ScanPosition | null;
}

function checkInput(input: VerifyScanInput): void {
  // Callers are other modules: a malformed id is their bug, reported as 400 rather than a database error.
  if (!UUID.test(input.checkpointId)) throw invalid('checkpointId', 'format', 'checkpointId: a UUID');
  if (input.code.length > 100) throw invalid('code', 'maxLength', 'code: at most 100 characters');
}

/**
 * Verifies that `code` is the current code of `checkpointId` in the actor's tenant (and, when the
 * checkpoint has a radius and a position is given, that the position is inside it), in its own
 * transaction. The scan is logged either way and a refusal audited; then the refusal is thrown:
 * checkpoint_code_unknown / checkpoint_code_rotated / checkpoint_archived (404),
 * checkpoint_mismatch / checkpoint_out_of_range (422). The caller checks its own permission first.
 */
export async function verifyCheckpointScan(ctx: Ctx, input: VerifyScanInput): Promise<CheckpointScanRef> {
  checkInput(input);
  return verifyScanOrThrow(ctx, { code: input.code, position: input.position ?? null, expectedCheckpointId: input.checkpointId.toLowerCase() });
}

/**
 * The same check inside the caller's transaction, returning the refusal instead of throwing it, so the
 * caller can record its own outcome (a task's scan attempt) together with the scan log. If the caller's
 * transaction rolls back, so does the log entry: commit it when the refusal is to be kept.
 */
export async function checkCheckpointScanInTx(tx: Tx, ctx: Ctx, input: VerifyScanInput): Promise<ScanOutcome> {
  checkInput(input);
  return checkCheckpointScanTx(tx, ctx, { code: input.code, position: input.position ?? null, expectedCheckpointId: input.checkpointId.toLowerCase() });
}

export interface CheckpointRef {
  id: string;
  tenantId: string;
  name: string;
  orgUnitId: string | null;
  equipmentId: string | null;
  riskUnitIds: string[];
  hasGeofence: boolean;
  archived: boolean;
  version: number;
}

/**
 * One checkpoint of the tenant (archived ones too: a route or history still points at them), or null;
 * never its code. System-level read for planning routes; the caller applies its own permission.
 */
export async function getCheckpointRef(tx: Tx, tenantId: string, checkpointId: string): Promise<CheckpointRef | null> {
  if (!UUID.test(checkpointId)) return null;
  const [c] = await tx
    .select()
    .from(checkpoints)
    .where(and(eq(checkpoints.tenantId, tenantId), eq(checkpoints.id, checkpointId)));
  if (!c) return null;
  return { id: c.id, tenantId: c.tenantId, name: c.name, orgUnitId: c.orgUnitId, equipmentId: c.equipmentId, riskUnitIds: c.riskUnitIds, hasGeofence: c.radiusM !== null, archived: c.archivedAt !== null, version: c.version };
}
