import { and, eq } from 'drizzle-orm';
import { recordChange } from '../audit/record.ts';
import type { Ctx } from '../auth/actor.ts';
import { users } from '../auth/schema.ts';
import type { Tx } from '../db/client.ts';
import { newId } from '../db/columns.ts';
import { AppError, invalid, notFound } from '../http/errors.ts';
import { workflowDelegations } from './schema.ts';
import { versionConflict } from './store.ts';

/**
 * 代理审批: a user away for a period names a delegate; approval tasks created for them during the period
 * go to the delegate, recorded as on their behalf. Tasks that already exist stay where they are (the
 * delegate would otherwise decide things assigned before the handover). One row per user: setting again
 * replaces it (with its version), clearing ends it early.
 */

export type DelegationRow = typeof workflowDelegations.$inferSelect;

/** A year at most: a standing delegation belongs in the org tree (a deputy), not here. */
const MAX_PERIOD_MS = 366 * 24 * 3600_000;

function requireUser(ctx: Ctx): string {
  if (!ctx.actor.userId) throw new AppError('forbidden', 'only a signed-in user has a delegation');
  return ctx.actor.userId;
}

async function loadMine(tx: Tx, ctx: Ctx, userId: string, forUpdate = false): Promise<DelegationRow | null> {
  const q = tx
    .select()
    .from(workflowDelegations)
    .where(and(eq(workflowDelegations.tenantId, ctx.actor.tenantId), eq(workflowDelegations.userId, userId)));
  const [row] = forUpdate ? await q.for('update') : await q;
  return row ?? null;
}

/** The actor's delegation, if one is set and not cleared (it may lie in the future or the past). */
export async function getMyDelegation(ctx: Ctx): Promise<DelegationRow | null> {
  const userId = requireUser(ctx);
  const row = await ctx.db.read((tx) => loadMine(tx, ctx, userId));
  return row && !row.clearedAt ? row : null;
}

export interface SetDelegationInput {
  delegateUserId: string;
  startsAt: Date;
  endsAt: Date;
  reason?: string | null;
  /** Required when the user already has a delegation row (set or cleared before). */
  version?: number;
}

const view = (d: DelegationRow) => ({ userId: d.userId, delegateUserId: d.delegateUserId, startsAt: d.startsAt, endsAt: d.endsAt, reason: d.reason, clearedAt: d.clearedAt, version: d.version });

export async function setDelegation(ctx: Ctx, input: SetDelegationInput): Promise<DelegationRow> {
  const userId = requireUser(ctx);
  if (input.delegateUserId === userId) throw invalid('delegateUserId', 'other', 'delegateUserId: choose someone other than yourself');
  if (input.endsAt.getTime() <= input.startsAt.getTime()) throw invalid('endsAt', 'after', 'endsAt: must be after startsAt');
  if (input.endsAt.getTime() <= ctx.now().getTime()) throw invalid('endsAt', 'future', 'endsAt: must be in the future');
  if (input.endsAt.getTime() - input.startsAt.getTime() > MAX_PERIOD_MS) throw invalid('endsAt', 'maximum', 'endsAt: a delegation lasts at most 366 days');
  return ctx.db.tx(async (tx) => {
    const [delegate] = await tx
      .select({ id: users.id, status: users.status })
      .from(users)
      .where(and(eq(users.tenantId, ctx.actor.tenantId), eq(users.id, input.delegateUserId)));
    if (!delegate || delegate.status !== 'active') throw invalid('delegateUserId', 'exists', 'delegateUserId: no active user with this id in this company');
    const before = await loadMine(tx, ctx, userId, true);
    const now = ctx.now();
    const values = { delegateUserId: input.delegateUserId, startsAt: input.startsAt, endsAt: input.endsAt, reason: input.reason?.trim() || null, clearedAt: null, updatedAt: now, updatedBy: userId };
    let after: DelegationRow | undefined;
    if (!before) {
      [after] = await tx
        .insert(workflowDelegations)
        .values({ id: newId(), tenantId: ctx.actor.tenantId, orgUnitId: ctx.actor.orgUnitId, userId, createdAt: now, createdBy: userId, ...values })
        .returning();
    } else {
      if (input.version === undefined) throw new AppError('precondition_required', 'you already have a delegation: send its version to replace it');
      if (before.version !== input.version) throw versionConflict('delegation', before.version);
      [after] = await tx
        .update(workflowDelegations)
        .set({ ...values, version: before.version + 1 })
        .where(and(eq(workflowDelegations.id, before.id), eq(workflowDelegations.version, input.version)))
        .returning();
      if (!after) throw versionConflict('delegation', before.version);
    }
    await recordChange(
      tx,
      ctx,
      { action: 'workflow.delegation.set', entityType: 'workflow_delegation', entityId: after!.id, before: before ? view(before) : null, after: view(after!) },
      { type: 'workflow.delegation.set', entityType: 'workflow_delegation', entityId: after!.id, payload: { userId, delegateUserId: after!.delegateUserId, startsAt: after!.startsAt, endsAt: after!.endsAt } },
    );
    return after!;
  });
}

export async function clearDelegation(ctx: Ctx, version: number): Promise<DelegationRow> {
  const userId = requireUser(ctx);
  return ctx.db.tx(async (tx) => {
    const before = await loadMine(tx, ctx, userId, true);
    if (!before || before.clearedAt) throw notFound('delegation');
    if (before.version !== version) throw versionConflict('delegation', before.version);
    const [after] = await tx
      .update(workflowDelegations)
      .set({ clearedAt: ctx.now(), version: before.version + 1, updatedAt: ctx.now(), updatedBy: userId })
      .where(and(eq(workflowDelegations.id, before.id), eq(workflowDelegations.version, version)))
      .returning();
    if (!after) throw versionConflict('delegation', before.version);
    await recordChange(
      tx,
      ctx,
      { action: 'workflow.delegation.cleared', entityType: 'workflow_delegation', entityId: after.id, before: view(before), after: view(after) },
      { type: 'workflow.delegation.cleared', entityType: 'workflow_delegation', entityId: after.id, payload: { userId, delegateUserId: after.delegateUserId } },
    );
    return after;
  });
}
