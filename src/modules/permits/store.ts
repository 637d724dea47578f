import { and, eq } from 'drizzle-orm';
import { recordChange } from '../../platform/audit/record.ts';
import type { Actor, Ctx } from '../../platform/auth/actor.ts';
import { assertInScope } from '../../platform/auth/scope.ts';
import type { Tx } from '../../platform/db/client.ts';
import { newId } from '../../platform/db/columns.ts';
import { files } from '../../platform/files/schema.ts';
import { AppError, invalid, notFound } from '../../platform/http/errors.ts';
import { allowedFrom, nextStatus, type PermitAction } from './rules.ts';
import { permits, permitStatusHistory, type PermitStatus } from './schema.ts';

/** The shared write path of permits: scoped load, version check, transition with history, audit + event. */

export type PermitRow = typeof permits.$inferSelect;

/** A permit of the actor's tenant (else 404) and data scope (else 403; applicant and guardian always see it). */
export async function loadPermit(tx: Tx, actor: Actor, id: string, opts: { forUpdate?: boolean } = {}): Promise<PermitRow> {
  const q = tx
    .select()
    .from(permits)
    .where(and(eq(permits.id, id), eq(permits.tenantId, actor.tenantId)));
  const [row] = opts.forUpdate ? await q.for('update') : await q;
  if (!row) throw notFound('permit');
  await assertInScope(tx, actor, row, [row.applicantUserId, row.applicantPersonId, row.guardianPersonId]);
  return row;
}

/** The same without scope, for the flow handlers and jobs (the engine or the system acts). */
export async function lockPermit(tx: Tx, tenantId: string, id: string): Promise<PermitRow | null> {
  const [row] = await tx
    .select()
    .from(permits)
    .where(and(eq(permits.id, id), eq(permits.tenantId, tenantId)))
    .for('update');
  return row ?? null;
}

export function versionConflict(current: number): AppError {
  return new AppError('version_conflict', `the permit is at version ${current}; reload and try again`, { extra: { currentVersion: current } });
}

export function checkVersion(row: PermitRow, version: number | undefined): void {
  if (version !== undefined && row.version !== version) throw versionConflict(row.version);
}

/** 422 permit_refused with a stable `rule` the UI explains, and optional details (reasons per worker…). */
export function refused(rule: string, message: string, extra: Record<string, unknown> = {}): AppError {
  return new AppError('permit_refused', message, { extra: { rule, ...extra } });
}

/** 409 when the action is not allowed in the permit's status. */
export function assertCan(row: PermitRow, action: PermitAction): PermitStatus {
  const to = nextStatus(row.status, action);
  if (!to) throw new AppError('conflict', `permit ${row.number} is ${row.status}; ${action} needs ${allowedFrom(action).join(' or ')}`, { extra: { permitStatus: row.status } });
  return to;
}

function auditView(p: PermitRow): Record<string, unknown> {
  return {
    number: p.number,
    type: p.type,
    grade: p.grade,
    status: p.status,
    orgUnitId: p.orgUnitId,
    location: p.location,
    validFrom: p.validFrom.toISOString(),
    validUntil: p.validUntil.toISOString(),
    guardianPersonId: p.guardianPersonId,
    version: p.version,
  };
}

export async function recordPermit(tx: Tx, ctx: Ctx, what: string, before: PermitRow | null, after: PermitRow, extra: Record<string, unknown> = {}): Promise<void> {
  await recordChange(
    tx,
    ctx,
    { action: `permit.${what}`, entityType: 'permit', entityId: after.id, before: before ? auditView(before) : null, after: { ...auditView(after), ...extra } },
    { type: `permit.${what}`, entityType: 'permit', entityId: after.id, payload: { permitId: after.id, number: after.number, type: after.type, grade: after.grade, status: after.status, ...extra } },
  );
}

/**
 * Applies a status change (and other column changes) with the version check in the `where`, appends the
 * history row, audits and publishes `permit.<event>`. Returns the new row.
 */
export async function transition(
  tx: Tx,
  ctx: Ctx,
  before: PermitRow,
  action: PermitAction,
  opts: { event?: string; reason?: string | null; set?: Partial<typeof permits.$inferInsert>; extra?: Record<string, unknown> } = {},
): Promise<PermitRow> {
  const to = assertCan(before, action);
  const now = ctx.now();
  const [after] = await tx
    .update(permits)
    .set({ ...opts.set, status: to, version: before.version + 1, updatedAt: now, updatedBy: ctx.actor.userId })
    .where(and(eq(permits.id, before.id), eq(permits.version, before.version)))
    .returning();
  if (!after) throw versionConflict(before.version + 1);
  await tx.insert(permitStatusHistory).values({ id: newId(), tenantId: before.tenantId, permitId: before.id, fromStatus: before.status, toStatus: to, at: now, byUserId: ctx.actor.userId, reason: opts.reason ?? null });
  await recordPermit(tx, ctx, opts.event ?? to, before, after, { from: before.status, ...(opts.reason ? { reason: opts.reason } : {}), ...opts.extra });
  return after;
}

/** An uploaded file of the tenant of the given kind, with the hash the upload computed from its bytes. */
export async function uploadedFile(tx: Tx, tenantId: string, fileId: string, field: string, kind: 'image'): Promise<{ id: string; sha256: string }> {
  const [f] = await tx
    .select({ id: files.id, sha256: files.sha256, kind: files.kind })
    .from(files)
    .where(and(eq(files.tenantId, tenantId), eq(files.id, fileId)));
  if (!f) throw invalid(field, 'exists', `${field}: no uploaded file ${fileId}; upload it first (POST /api/v1/files)`);
  if (f.kind !== kind) throw invalid(field, 'kind', `${field}: expected an ${kind}, got ${f.kind}`);
  return { id: f.id, sha256: f.sha256 };
}
