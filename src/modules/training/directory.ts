import { and, eq, inArray } from 'drizzle-orm';
import { users } from '../../platform/auth/schema.ts';
import type { Tx } from '../../platform/db/client.ts';
import { orgUnits, people } from '../../platform/org/schema.ts';

/** Who is who for certificates: the holder's login, their department and its head. Reads platform tables only. */

export type PersonRow = typeof people.$inferSelect;
type UnitRow = typeof orgUnits.$inferSelect;

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
 * The head of the holder's department: the manager of the nearest workshop/department/plant (or contractor
 * company) at or above the holder's unit, else of the nearest unit above with a manager who has a login.
 * Never the holder themselves (a department head's own certificate goes to the level above).
 */
export async function departmentHeadOf(tx: Tx, tenantId: string, person: PersonRow): Promise<string | null> {
  const chain = await unitChain(tx, tenantId, person.orgUnitId);
  const deptIndex = chain.findIndex((u) => departmentKinds.has(u.kind));
  const candidates = (deptIndex >= 0 ? chain.slice(deptIndex) : chain).filter((u) => u.managerPersonId && u.managerPersonId !== person.id);
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
