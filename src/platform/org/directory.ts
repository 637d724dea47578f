import { and, eq, inArray } from 'drizzle-orm';
import { users } from '../auth/schema.ts';
import type { Tx } from '../db/client.ts';
import { invalid } from '../http/errors.ts';
import { orgUnits, people } from './schema.ts';

/**
 * Who and where, for modules that remind and route: units and their ancestors, people, their logins and the
 * head of their department. Every lookup is narrowed to the tenant.
 */

export type PersonRow = typeof people.$inferSelect;
export type UnitRow = typeof orgUnits.$inferSelect;

/** An active org unit of the tenant, or a 400 naming the field (a form picked a unit that is gone). */
export async function activeUnit(tx: Tx, tenantId: string, unitId: string, field: string): Promise<UnitRow> {
  const [u] = await tx
    .select()
    .from(orgUnits)
    .where(and(eq(orgUnits.tenantId, tenantId), eq(orgUnits.id, unitId)));
  if (!u || !u.active) throw invalid(field, 'exists', `${field}: no active org unit ${unitId}`);
  return u;
}

export async function activePerson(tx: Tx, tenantId: string, personId: string, field: string): Promise<PersonRow> {
  const [p] = await tx
    .select()
    .from(people)
    .where(and(eq(people.tenantId, tenantId), eq(people.id, personId)));
  if (!p || p.status !== 'active') throw invalid(field, 'exists', `${field}: no active person ${personId}`);
  return p;
}

export async function loadPersonRow(tx: Tx, tenantId: string, personId: string): Promise<PersonRow | null> {
  const [p] = await tx
    .select()
    .from(people)
    .where(and(eq(people.tenantId, tenantId), eq(people.id, personId)));
  return p ?? null;
}

/** The active login of a person, if they have one. */
export async function loginOf(tx: Tx, tenantId: string, personId: string): Promise<string | null> {
  const [u] = await tx
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.tenantId, tenantId), eq(users.personId, personId), eq(users.status, 'active')));
  return u?.id ?? null;
}

/** The unit and its ancestors, nearest first. */
export async function unitChain(tx: Tx, tenantId: string, unitId: string | null): Promise<UnitRow[]> {
  if (!unitId) return [];
  const [unit] = await tx
    .select()
    .from(orgUnits)
    .where(and(eq(orgUnits.tenantId, tenantId), eq(orgUnits.id, unitId)));
  if (!unit) return [];
  const ids = unit.path.split('/').filter(Boolean);
  const rows = await tx
    .select()
    .from(orgUnits)
    .where(and(eq(orgUnits.tenantId, tenantId), inArray(orgUnits.id, ids)));
  return rows.sort((a, b) => b.depth - a.depth);
}

const departmentKinds = new Set(['workshop', 'department', 'plant', 'contractor']);

/**
 * The login of the head of the department a unit belongs to: the manager of the nearest
 * workshop/department/plant (or contractor company) at or above the unit, else of the nearest unit above
 * with a manager who has a login. `exceptPersonId` (the holder, the responsible person) never counts as
 * their own head: a department head's own reminder goes to the level above.
 */
export async function departmentHeadLogin(tx: Tx, tenantId: string, unitId: string | null, exceptPersonId: string | null): Promise<string | null> {
  const chain = await unitChain(tx, tenantId, unitId);
  const deptIndex = chain.findIndex((u) => departmentKinds.has(u.kind));
  const candidates = (deptIndex >= 0 ? chain.slice(deptIndex) : chain).filter((u) => u.managerPersonId && u.managerPersonId !== exceptPersonId);
  const personIds = candidates.map((u) => u.managerPersonId).filter((v): v is string => v !== null);
  if (personIds.length === 0) return null;
  const logins = await tx
    .select({ id: users.id, personId: users.personId })
    .from(users)
    .where(and(eq(users.tenantId, tenantId), inArray(users.personId, personIds), eq(users.status, 'active')));
  for (const u of candidates) {
    const login = logins.find((l) => l.personId === u.managerPersonId);
    if (login) return login.id;
  }
  return null;
}

/** Names of org units and people for views, in one query each. */
export async function namesOf(tx: Tx, tenantId: string, unitIds: (string | null)[], personIds: (string | null)[]): Promise<{ units: Map<string, string>; people: Map<string, string> }> {
  const u = [...new Set(unitIds.filter((v): v is string => v !== null))];
  const p = [...new Set(personIds.filter((v): v is string => v !== null))];
  const unitRows = u.length ? await tx.select({ id: orgUnits.id, name: orgUnits.name }).from(orgUnits).where(and(eq(orgUnits.tenantId, tenantId), inArray(orgUnits.id, u))) : [];
  const personRows = p.length ? await tx.select({ id: people.id, name: people.name }).from(people).where(and(eq(people.tenantId, tenantId), inArray(people.id, p))) : [];
  return { units: new Map(unitRows.map((r) => [r.id, r.name])), people: new Map(personRows.map((r) => [r.id, r.name])) };
}
