import { recordChange } from '../../platform/audit/record.ts';
import type { Ctx } from '../../platform/auth/actor.ts';
import type { Tx } from '../../platform/db/client.ts';
import { AppError } from '../../platform/http/errors.ts';

/** Shared helpers of the inspections write paths: version conflicts and the audit + event call. */

export function versionConflict(current: number): AppError {
  return new AppError('version_conflict', `the record is at version ${current}; reload and try again`, { extra: { currentVersion: current } });
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface Change {
  /** `inspection.<what>`: the audit action and the event type. */
  action: string;
  entityType: string;
  entityId: string;
  before?: Record<string, unknown> | null;
  after: Record<string, unknown>;
  payload?: Record<string, unknown>;
}

/** Audit entry and outbox event of one change, in the caller's transaction. */
export async function recordInspection(tx: Tx, ctx: Ctx, c: Change): Promise<void> {
  await recordChange(
    tx,
    ctx,
    { action: c.action, entityType: c.entityType, entityId: c.entityId, before: c.before ?? null, after: c.after },
    { type: c.action, entityType: c.entityType, entityId: c.entityId, payload: { id: c.entityId, ...(c.payload ?? {}) } },
  );
}

export function trimOrNull(s: string | null | undefined): string | null {
  const v = s?.trim();
  return v ? v : null;
}
