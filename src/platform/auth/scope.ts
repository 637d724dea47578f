import { and, eq, inArray, or, sql, type SQL } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import type { Tx } from '../db/client.ts';
import { AppError, forbidden } from '../http/errors.ts';
import { orgUnits } from '../org/schema.ts';
import type { Actor } from './actor.ts';
import { grants } from './permissions.ts';

export function requirePermission(actor: Actor, permission: string): void {
  if (!grants(actor.permissions, permission)) throw forbidden(permission);
}

export function can(actor: Actor, permission: string): boolean {
  return grants(actor.permissions, permission);
}

interface ScopeColumns {
  tenantId: AnyPgColumn;
  orgUnitId: AnyPgColumn;
  /** Columns holding the user/person that "self" scope may see (creator, assignee, the person itself). */
  owners?: AnyPgColumn[];
}

/**
 * The `where` that narrows a query to the actor's tenant and data scope. Every list and get in a service
 * goes through it (DESIGN: code conventions 6), so the narrow query is the easy one to write.
 */
export function scopeWhere(actor: Actor, cols: ScopeColumns): SQL {
  const tenant = eq(cols.tenantId, actor.tenantId);
  if (actor.dataScope === 'company' || actor.scopePath === null) return tenant;
  const ownIds = [actor.userId, actor.personId].filter((v): v is string => v !== null);
  const selfCond = cols.owners?.length && ownIds.length ? or(...cols.owners.map((c) => inArray(c, ownIds))) : undefined;
  if (actor.dataScope === 'self') {
    return and(tenant, selfCond ?? sql`false`) as SQL;
  }
  const subtree = sql`${cols.orgUnitId} IN (SELECT ${orgUnits.id} FROM ${orgUnits} WHERE ${orgUnits.tenantId} = ${actor.tenantId} AND ${orgUnits.path} LIKE ${actor.scopePath + '%'})`;
  return and(tenant, selfCond ? or(subtree, selfCond) : subtree) as SQL;
}

/** For a single record already loaded: refuses one outside the actor's tenant (404) or scope (403). */
export async function assertInScope(
  tx: Tx,
  actor: Actor,
  row: { tenantId: string; orgUnitId: string | null },
  ownerIds: (string | null)[] = [],
): Promise<void> {
  // Another tenant's record is reported as missing: its existence is not ours to reveal.
  if (row.tenantId !== actor.tenantId) throw new AppError('not_found');
  if (actor.dataScope === 'company' || actor.scopePath === null) return;
  if ((actor.userId && ownerIds.includes(actor.userId)) || (actor.personId && ownerIds.includes(actor.personId))) return;
  if (actor.dataScope === 'self' || !row.orgUnitId) throw new AppError('out_of_scope');
  const [unit] = await tx.select({ path: orgUnits.path }).from(orgUnits).where(eq(orgUnits.id, row.orgUnitId));
  if (!unit || !unit.path.startsWith(actor.scopePath)) throw new AppError('out_of_scope');
}

/** Whether an org unit path lies inside the actor's scope (for writes that place a record in a unit). */
export function pathInScope(actor: Actor, path: string): boolean {
  return actor.dataScope === 'company' || actor.scopePath === null || (actor.dataScope !== 'self' && path.startsWith(actor.scopePath));
}
