import { and, asc, eq, gt, inArray, ne, or, sql, type SQL } from 'drizzle-orm';
import type { Ctx } from '../../platform/auth/actor.ts';
import { requirePermission } from '../../platform/auth/scope.ts';
import { decodeCursor, pageOf } from '../../platform/http/pagination.ts';
import { ledgerLookups, toListItem, type HazardListItem } from './ledger.ts';
import { hazardPermissions as P } from './permissions.ts';
import { extensionStates } from './rectify.ts';
import { hazardExtensions, hazards } from './schema.ts';
import { hazardScopeWhere } from './store.ts';

/**
 * "待我审批的延期": the pending extension requests the actor may decide — the same rule decideExtension
 * applies (hazard:approve_extension, the hazard within the actor's data scope and still being fixed, and
 * never a request of their own or on a hazard they own), oldest request first.
 */

export interface PendingExtension {
  id: string;
  requestedBy: string;
  requestedByName: string | null;
  requestedAt: string;
  previousDueAt: string | null;
  newDueAt: string;
  reason: string;
  hazard: HazardListItem;
}

export async function listPendingExtensions(ctx: Ctx, q: { limit: number; cursor?: string }): Promise<{ items: PendingExtension[]; nextCursor: string | null }> {
  requirePermission(ctx.actor, P.approveExtension);
  const a = ctx.actor;
  const after = decodeCursor<{ at: string; id: string }>(q.cursor, { at: 'string', id: 'string' });
  return ctx.db.read(async (tx) => {
    const conds: SQL[] = [
      eq(hazardExtensions.tenantId, a.tenantId),
      eq(hazardExtensions.status, 'pending'),
      eq(hazards.tenantId, a.tenantId),
      inArray(hazards.status, [...extensionStates]),
      hazardScopeWhere(a),
    ];
    // Nobody decides their own request (decideExtension refuses it): not shown either.
    if (a.userId) {
      conds.push(ne(hazardExtensions.requestedBy, a.userId));
      conds.push(sql`${hazards.assigneeUserId} IS DISTINCT FROM ${a.userId}`);
    }
    if (after) {
      const at = new Date(after.at);
      conds.push(or(gt(hazardExtensions.requestedAt, at), and(eq(hazardExtensions.requestedAt, at), gt(hazardExtensions.id, after.id))) as SQL);
    }
    const rows = await tx
      .select({ ext: hazardExtensions, hazard: hazards })
      .from(hazardExtensions)
      .innerJoin(hazards, eq(hazards.id, hazardExtensions.hazardId))
      .where(and(...conds))
      .orderBy(asc(hazardExtensions.requestedAt), asc(hazardExtensions.id))
      .limit(q.limit + 1);
    const page = pageOf(rows, q.limit, (r) => ({ at: r.ext.requestedAt.toISOString(), id: r.ext.id }));
    const l = await ledgerLookups(
      tx,
      a.tenantId,
      page.items.map((r) => r.hazard),
      { userIds: page.items.map((r) => r.ext.requestedBy) },
    );
    return {
      items: page.items.map(({ ext, hazard }) => ({
        id: ext.id,
        requestedBy: ext.requestedBy,
        requestedByName: l.userName(ext.requestedBy),
        requestedAt: ext.requestedAt.toISOString(),
        previousDueAt: ext.previousDueAt?.toISOString() ?? null,
        newDueAt: ext.newDueAt.toISOString(),
        reason: ext.reason,
        hazard: toListItem(hazard, l, ctx.locale),
      })),
      nextCursor: page.nextCursor,
    };
  });
}
