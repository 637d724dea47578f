import { eq } from 'drizzle-orm';
import type { Actor, Ctx } from '../platform/auth/actor.ts';
import { hashPassword } from '../platform/auth/password.ts';
import { roles, userRoles, users } from '../platform/auth/schema.ts';
import { buildActor } from '../platform/auth/service.ts';
import type { Database } from '../platform/db/client.ts';
import { newId } from '../platform/db/columns.ts';
import { orgUnits, people, type OrgUnitKind } from '../platform/org/schema.ts';
import { createTenant } from '../platform/org/tenants.ts';

export const TEST_PASSWORD = 'Test@12345';
let passwordHash: Promise<string> | null = null;
/** One argon2 hash shared by every test user: hashing is deliberately slow. */
const testHash = () => (passwordHash ??= hashPassword(TEST_PASSWORD));

let seq = 0;
const unique = (p: string) => `${p}${++seq}${Math.random().toString(36).slice(2, 6)}`;

export async function makeTenant(db: Database, name = 'Test Co') {
  return db.tx((tx) => createTenant(tx, { code: unique('T'), name }));
}

export async function makeOrgUnit(db: Database, tenantId: string, parentId: string, kind: OrgUnitKind, name = unique(kind)) {
  return db.tx(async (tx) => {
    const [parent] = await tx.select().from(orgUnits).where(eq(orgUnits.id, parentId));
    if (!parent) throw new Error('parent missing');
    const id = newId();
    const [row] = await tx
      .insert(orgUnits)
      .values({ id, tenantId, parentId, kind, code: unique('U'), name, path: `${parent.path}${id}/`, depth: parent.depth + 1 })
      .returning();
    return row!;
  });
}

export async function makePerson(db: Database, tenantId: string, orgUnitId: string, over: Partial<typeof people.$inferInsert> = {}) {
  const [row] = await db.tx((tx) =>
    tx
      .insert(people)
      .values({ tenantId, orgUnitId, kind: 'employee', employeeNo: unique('E'), name: unique('Person '), ...over })
      .returning(),
  );
  return row!;
}

/** A person with a login holding the given built-in (or custom) role codes. */
export async function makeUser(db: Database, tenantId: string, orgUnitId: string, roleCodes: string[], username = unique('user')) {
  const person = await makePerson(db, tenantId, orgUnitId);
  const hash = await testHash();
  const user = await db.tx(async (tx) => {
    const [u] = await tx
      .insert(users)
      .values({ tenantId, orgUnitId, personId: person.id, username: username.toLowerCase(), displayName: person.name, passwordHash: hash })
      .returning();
    const roleRows = await tx.select().from(roles).where(eq(roles.tenantId, tenantId));
    for (const code of roleCodes) {
      const r = roleRows.find((x) => x.code === code);
      if (!r) throw new Error(`role ${code} missing`);
      await tx.insert(userRoles).values({ userId: u!.id, roleId: r.id, tenantId });
    }
    return u!;
  });
  return { user, person, username: user.username, password: TEST_PASSWORD };
}

export async function actorFor(db: Database, userId: string): Promise<Actor> {
  return db.read((tx) => buildActor(tx, userId, 'user', null));
}

export async function ctxFor(db: Database, userId: string, now: () => Date = () => new Date()): Promise<Ctx> {
  return { db, actor: await actorFor(db, userId), now, ip: '127.0.0.1', locale: 'en' };
}
