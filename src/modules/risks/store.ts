import { and, eq, inArray, or, sql, type SQL } from 'drizzle-orm';
import { recordChange } from '../../platform/audit/record.ts';
import type { Actor, Ctx } from '../../platform/auth/actor.ts';
import { pathInScope, scopeWhere } from '../../platform/auth/scope.ts';
import type { Tx } from '../../platform/db/client.ts';
import { AppError, invalid, notFound } from '../../platform/http/errors.ts';
import { orgUnits, people, positions } from '../../platform/org/schema.ts';
import { versionConflict } from '../../platform/org/sqlHelpers.ts';
import { riskControlMeasures as M, riskEvents as E, riskObjects as O, riskUnits as U } from './schema.ts';

/**
 * Shared plumbing of the register: data scope along the chain, loading in scope, reference checks, the
 * version check and the audit + outbox write.
 *
 * Visibility runs both ways along the chain, so each person sees the part of the register they work with:
 * a record is visible when its own org unit is in the actor's scope (or they are its responsible person),
 * and also when something below it is (a team leader responsible for a measure sees its event, unit and
 * object); a measure is also visible with its event (a department sees every control of its risks).
 */

export type RiskObjectRow = typeof O.$inferSelect;
export type RiskUnitRow = typeof U.$inferSelect;
export type RiskEventRow = typeof E.$inferSelect;
export type MeasureRow = typeof M.$inferSelect;

const wholeCompany = (actor: Actor) => actor.dataScope === 'company' || actor.scopePath === null;

const measureBase = (actor: Actor) => scopeWhere(actor, { tenantId: M.tenantId, orgUnitId: M.orgUnitId, owners: [M.responsiblePersonId] });
const eventBase = (actor: Actor) => scopeWhere(actor, { tenantId: E.tenantId, orgUnitId: E.orgUnitId });

export function measureScope(actor: Actor): SQL {
  if (wholeCompany(actor)) return eq(M.tenantId, actor.tenantId);
  const viaEvent = inArray(M.eventId, sql`(SELECT ${E.id} FROM ${E} WHERE ${eventBase(actor)})`);
  return or(measureBase(actor), and(eq(M.tenantId, actor.tenantId), viaEvent)) as SQL;
}

export function eventScope(actor: Actor): SQL {
  if (wholeCompany(actor)) return eq(E.tenantId, actor.tenantId);
  const viaMeasure = inArray(E.id, sql`(SELECT ${M.eventId} FROM ${M} WHERE ${measureBase(actor)})`);
  return or(eventBase(actor), and(eq(E.tenantId, actor.tenantId), viaMeasure)) as SQL;
}

export function unitScope(actor: Actor): SQL {
  if (wholeCompany(actor)) return eq(U.tenantId, actor.tenantId);
  const own = scopeWhere(actor, { tenantId: U.tenantId, orgUnitId: U.orgUnitId, owners: [U.responsiblePersonId] });
  const viaEvent = inArray(U.id, sql`(SELECT ${E.unitId} FROM ${E} WHERE ${eventScope(actor)})`);
  return or(own, and(eq(U.tenantId, actor.tenantId), viaEvent)) as SQL;
}

export function objectScope(actor: Actor): SQL {
  if (wholeCompany(actor)) return eq(O.tenantId, actor.tenantId);
  const own = scopeWhere(actor, { tenantId: O.tenantId, orgUnitId: O.orgUnitId });
  const viaUnit = inArray(O.id, sql`(SELECT ${U.objectId} FROM ${U} WHERE ${unitScope(actor)})`);
  return or(own, and(eq(O.tenantId, actor.tenantId), viaUnit)) as SQL;
}

type Kind = 'object' | 'unit' | 'event' | 'measure';
export const entityNames: Record<Kind, string> = { object: 'risk object', unit: 'risk unit', event: 'risk event', measure: 'control measure' };

interface RowOf {
  object: RiskObjectRow;
  unit: RiskUnitRow;
  event: RiskEventRow;
  measure: MeasureRow;
}

async function fetchRow(tx: Tx, kind: Kind, id: string, tenantId: string, forUpdate: boolean): Promise<RowOf[Kind] | undefined> {
  const lock = async <T>(q: { for(s: 'update'): Promise<T[]> } & PromiseLike<T[]>) => (forUpdate ? await q.for('update') : await q)[0];
  switch (kind) {
    case 'object':
      return lock(tx.select().from(O).where(and(eq(O.id, id), eq(O.tenantId, tenantId))));
    case 'unit':
      return lock(tx.select().from(U).where(and(eq(U.id, id), eq(U.tenantId, tenantId))));
    case 'event':
      return lock(tx.select().from(E).where(and(eq(E.id, id), eq(E.tenantId, tenantId))));
    case 'measure':
      return lock(tx.select().from(M).where(and(eq(M.id, id), eq(M.tenantId, tenantId))));
  }
}

async function isVisible(tx: Tx, actor: Actor, kind: Kind, id: string): Promise<boolean> {
  const rows =
    kind === 'object'
      ? await tx.select({ id: O.id }).from(O).where(and(eq(O.id, id), objectScope(actor)))
      : kind === 'unit'
        ? await tx.select({ id: U.id }).from(U).where(and(eq(U.id, id), unitScope(actor)))
        : kind === 'event'
          ? await tx.select({ id: E.id }).from(E).where(and(eq(E.id, id), eventScope(actor)))
          : await tx.select({ id: M.id }).from(M).where(and(eq(M.id, id), measureScope(actor)));
  return rows.length > 0;
}

/**
 * One record of the actor's tenant: another tenant's id → 404, outside the actor's scope → 403. With
 * `forUpdate` the row stays locked until commit.
 */
export async function loadInScope<K extends Kind>(tx: Tx, actor: Actor, kind: K, id: string, opts: { forUpdate?: boolean } = {}): Promise<RowOf[K]> {
  const row = await fetchRow(tx, kind, id, actor.tenantId, opts.forUpdate ?? false);
  if (!row) throw notFound(entityNames[kind]);
  if (!wholeCompany(actor) && !(await isVisible(tx, actor, kind, id))) throw new AppError('out_of_scope');
  // fetchRow read the table of `kind`.
  return row as RowOf[K];
}

/** Writes need the record's own place (or, for a measure, its event's) inside the actor's scope, not only sight of it. */
export async function assertWritable(tx: Tx, actor: Actor, orgUnitIds: (string | null)[]): Promise<void> {
  if (wholeCompany(actor)) return;
  const ids = orgUnitIds.filter((v): v is string => v !== null);
  if (ids.length > 0) {
    const units = await tx
      .select({ path: orgUnits.path })
      .from(orgUnits)
      .where(and(eq(orgUnits.tenantId, actor.tenantId), inArray(orgUnits.id, ids)));
    if (units.some((u) => pathInScope(actor, u.path))) return;
  }
  throw new AppError('out_of_scope');
}

export function notArchived(row: { archivedAt: Date | null }, what: string): void {
  if (row.archivedAt) throw new AppError('conflict', `the ${what} is archived`);
}

export function checkVersion(row: { version: number }, expected: number): void {
  if (row.version !== expected) throw versionConflict(row.version);
}

/**
 * The row a change or an archive starts from: locked, in the actor's scope, its department (and those of
 * `alsoWritable`, e.g. a measure's event) writable by the actor, not archived, at the version the caller read.
 */
export async function loadForChange<K extends Kind>(tx: Tx, actor: Actor, kind: K, id: string, version: number, alsoWritable: (string | null)[] = []): Promise<RowOf[K]> {
  const before = await loadInScope(tx, actor, kind, id, { forUpdate: true });
  await assertWritable(tx, actor, [before.orgUnitId, ...alsoWritable]);
  notArchived(before, entityNames[kind]);
  checkVersion(before, version);
  return before;
}

/** The columns an archive sets (with the version bump the optimistic check expects). */
export function archiveStamp(ctx: Ctx, before: { version: number }, reason: string) {
  const now = ctx.now();
  return { archivedAt: now, archivedBy: ctx.actor.userId, archiveReason: reason.trim(), version: before.version + 1, updatedAt: now, updatedBy: ctx.actor.userId };
}

// ---------------------------------------------------------------------------------------------------------
// References: org units, people, positions of this tenant
// ---------------------------------------------------------------------------------------------------------

/** An active org unit of this tenant that the actor may place records in. */
export async function requireOrgUnit(tx: Tx, actor: Actor, id: string, field: string): Promise<void> {
  const [u] = await tx
    .select({ path: orgUnits.path, active: orgUnits.active })
    .from(orgUnits)
    .where(and(eq(orgUnits.tenantId, actor.tenantId), eq(orgUnits.id, id)));
  if (!u || !u.active) throw invalid(field, 'exists', `${field}: no active org unit ${id} in this company`);
  if (!pathInScope(actor, u.path)) throw invalid(field, 'scope', `${field}: the org unit is outside your data scope`);
}

export async function requirePerson(tx: Tx, tenantId: string, id: string | null | undefined, field: string): Promise<void> {
  if (!id) return;
  const [p] = await tx
    .select({ status: people.status })
    .from(people)
    .where(and(eq(people.tenantId, tenantId), eq(people.id, id)));
  if (!p || p.status !== 'active') throw invalid(field, 'exists', `${field}: no active person ${id} in this company`);
}

export async function requirePosition(tx: Tx, tenantId: string, id: string | null | undefined, field: string): Promise<void> {
  if (!id) return;
  const [p] = await tx
    .select({ active: positions.active })
    .from(positions)
    .where(and(eq(positions.tenantId, tenantId), eq(positions.id, id)));
  if (!p || !p.active) throw invalid(field, 'exists', `${field}: no active position ${id} in this company`);
}

export function trimOrNull(s: string | null | undefined): string | null {
  const v = s?.trim();
  return v ? v : null;
}

// ---------------------------------------------------------------------------------------------------------
// Audit + outbox
// ---------------------------------------------------------------------------------------------------------

const entityTypes: Record<Kind, string> = { object: 'risk_object', unit: 'risk_unit', event: 'risk_event', measure: 'risk_control_measure' };

/** What the audit log keeps of a register row: its fields without the bookkeeping columns. */
export function auditView(row: Record<string, unknown> | null): Record<string, unknown> | null {
  if (!row) return null;
  const { createdAt: _c, createdBy: _cb, updatedAt: _u, updatedBy: _ub, tenantId: _t, ...rest } = row;
  return rest;
}

/** Audit entry `risk.<kind>_<what>` and the outbox event of the same name (thin payload: ids). */
export async function recordRisk(
  tx: Tx,
  ctx: Ctx,
  kind: Kind,
  what: string,
  before: Record<string, unknown> | null,
  after: { id: string } & Record<string, unknown>,
  payload: Record<string, unknown> = {},
): Promise<void> {
  const type = `risk.${kind}_${what}`;
  await recordChange(
    tx,
    ctx,
    { action: type, entityType: entityTypes[kind], entityId: after.id, before: auditView(before), after: auditView(after) },
    { type, entityType: entityTypes[kind], entityId: after.id, payload: { id: after.id, ...payload } },
  );
}
