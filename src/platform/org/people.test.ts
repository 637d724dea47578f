import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, seedSmallCompany, type TestApp } from '../../test/app.ts';
import { makeOrgUnit, makePerson, makeTenant, makeUser } from '../../test/factories.ts';
import { auditLog } from '../audit/schema.ts';
import { users } from '../auth/schema.ts';
import { outboxEvents } from '../events/schema.ts';
import { people } from './schema.ts';

let t: TestApp;
let s: Awaited<ReturnType<typeof seedSmallCompany>>;
let admin: string;
let head: string;
let contractorUnitId: string;
let otherTenantPersonId: string;

beforeAll(async () => {
  t = await createTestApp({ RATE_LIMIT_PER_MINUTE: '100000' });
  s = await seedSmallCompany(t);
  admin = (await t.login(s.admin.username, s.admin.password)).authorization;
  head = (await t.login(s.head.username, s.head.password)).authorization;
  contractorUnitId = (await makeOrgUnit(t.db, s.tenant.id, s.rootUnitId, 'contractor', 'Acme Scaffolding')).id;
  const other = await makeTenant(t.db, 'Other Co');
  otherTenantPersonId = (await makePerson(t.db, other.tenant.id, other.rootUnitId)).id;
});
afterAll(() => t.close());

type Json = Record<string, unknown>;
const call = (authorization: string, method: 'GET' | 'POST' | 'PATCH', url: string, payload?: Json, headers: Record<string, string> = {}) =>
  t.app.inject({ method, url: `/api/v1${url}`, headers: { authorization, ...headers }, ...(payload ? { payload } : {}) });
const audits = (entityId: string) =>
  t.db.read((tx) => tx.select().from(auditLog).where(and(eq(auditLog.tenantId, s.tenant.id), eq(auditLog.entityId, entityId))).orderBy(auditLog.seq));
const personRow = (id: string) => t.db.read(async (tx) => (await tx.select().from(people).where(eq(people.id, id)))[0]);

describe('people CRUD', () => {
  it('creates an employee with audit entry and event, and reads it back', async () => {
    const res = await call(admin, 'POST', '/people', {
      kind: 'employee',
      employeeNo: 'E1001',
      name: '张三',
      phone: '138 0013 8000',
      email: 'zhang@example.com',
      gender: 'male',
      orgUnitId: s.team.id,
      hireDate: '2024-03-01',
    });
    expect(res.statusCode).toBe(201);
    const p = res.json();
    expect(p).toMatchObject({ employeeNo: 'E1001', name: '张三', phone: '13800138000', orgUnitId: s.team.id, orgUnitName: 'Team A', status: 'active', version: 1, userId: null });
    const [entry] = await audits(p.id);
    expect(entry).toMatchObject({ action: 'person.created', entityType: 'person', actorUserId: s.admin.user.id });
    expect(entry!.after).toMatchObject({ employeeNo: 'E1001', phone: '13800138000', orgUnitId: s.team.id });
    const events = await t.db.read((tx) => tx.select().from(outboxEvents).where(eq(outboxEvents.entityId, p.id)));
    expect(events.map((e) => e.type)).toEqual(['person.created']);
    const got = await call(admin, 'GET', `/people/${p.id}`);
    expect(got.statusCode).toBe(200);
    expect(got.json().hireDate).toBe('2024-03-01');
  });

  it('rejects a bad mobile number, e-mail and date with field errors, and accepts an empty phone', async () => {
    const bad = await call(admin, 'POST', '/people', { employeeNo: 'E1002', name: 'x', phone: '12345', email: 'nope', hireDate: '2023-02-30', orgUnitId: s.team.id });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors.map((e: Json) => e.field).sort()).toEqual(['email', 'hireDate', 'phone']);
    const empty = await call(admin, 'POST', '/people', { employeeNo: 'E1002', name: 'x', phone: '', orgUnitId: s.team.id });
    expect(empty.statusCode).toBe(201);
    expect(empty.json().phone).toBeNull();
  });

  it('returns 409 already_exists for a duplicate employee number', async () => {
    const res = await call(admin, 'POST', '/people', { employeeNo: 'E1001', name: 'Dupe', orgUnitId: s.team.id });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ code: 'already_exists', errors: [{ field: 'employeeNo' }] });
  });

  it('requires a contractor unit of kind contractor for contractor workers and places them there by default', async () => {
    const missing = await call(admin, 'POST', '/people', { kind: 'contractor', employeeNo: 'C1', name: 'Worker' });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().errors[0].field).toBe('contractorUnitId');
    const wrongKind = await call(admin, 'POST', '/people', { kind: 'contractor', employeeNo: 'C1', name: 'Worker', contractorUnitId: s.workshop.id });
    expect(wrongKind.statusCode).toBe(400);
    expect(wrongKind.json().detail).toMatch(/kind contractor/);
    const ok = await call(admin, 'POST', '/people', { kind: 'contractor', employeeNo: 'C1', name: 'Worker', contractorUnitId });
    expect(ok.statusCode).toBe(201);
    expect(ok.json()).toMatchObject({ kind: 'contractor', contractorUnitId, orgUnitId: contractorUnitId, contractorUnitName: 'Acme Scaffolding' });
    const employeeThere = await call(admin, 'POST', '/people', { employeeNo: 'E-C', name: 'x', orgUnitId: contractorUnitId });
    expect(employeeThere.statusCode).toBe(400);
  });

  it('returns 403 when the actor lacks people:write', async () => {
    const worker = (await t.login(s.worker.username, s.worker.password)).authorization;
    const res = await call(worker, 'POST', '/people', { employeeNo: 'E9', name: 'x', orgUnitId: s.team.id });
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('forbidden');
    expect(await t.db.read((tx) => tx.select().from(people).where(eq(people.employeeNo, 'E9')))).toEqual([]);
  });

  it('requires a version (428), refuses a stale one (409) and records before/after', async () => {
    const p = await makePerson(t.db, s.tenant.id, s.team.id, { name: 'Before' });
    const none = await call(admin, 'PATCH', `/people/${p.id}`, { name: 'After' });
    expect(none.statusCode).toBe(428);
    const ok = await call(admin, 'PATCH', `/people/${p.id}`, { name: 'After', positionId: null }, { 'if-match': 'W/"1"' });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ name: 'After', version: 2 });
    const stale = await call(admin, 'PATCH', `/people/${p.id}`, { name: 'Lost update', version: 1 });
    expect(stale.statusCode).toBe(409);
    expect(stale.json()).toMatchObject({ code: 'version_conflict', currentVersion: 2 });
    expect((await personRow(p.id))?.name).toBe('After');
    const entry = (await audits(p.id)).find((a) => a.action === 'person.updated');
    expect(entry).toMatchObject({ before: { name: 'Before' }, after: { name: 'After' } });
  });

  it('marks a person as left instead of deleting, and disables their login at once', async () => {
    const worker = await t.login(s.worker.username, s.worker.password);
    expect((await call(worker.authorization, 'GET', '/me')).statusCode).toBe(200);
    const res = await call(admin, 'PATCH', `/people/${s.worker.person.id}`, { status: 'left', version: s.worker.person.version });
    expect(res.statusCode).toBe(200);
    expect(res.json().status).toBe('left');
    expect((await personRow(s.worker.person.id))?.status).toBe('left');
    const [u] = await t.db.read((tx) => tx.select().from(users).where(eq(users.id, s.worker.user.id)));
    expect(u?.status).toBe('disabled');
    // The open session stops working and a new sign-in is refused.
    expect((await call(worker.authorization, 'GET', '/me')).statusCode).toBe(401);
    const login = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: s.worker.username, password: s.worker.password } });
    expect(login.statusCode).toBe(401);
    const entry = (await audits(s.worker.person.id)).find((a) => a.action === 'person.left');
    expect(entry?.after).toMatchObject({ status: 'left', disabledUserIds: [s.worker.user.id] });
    // The login cannot be switched back on while the person is marked as left.
    const enable = await call(admin, 'PATCH', `/users/${s.worker.user.id}`, { status: 'active', version: u!.version });
    expect(enable.statusCode).toBe(409);
  });
});

describe('people lists and data scope', () => {
  it('filters by unit subtree, kind, status and text, and pages with a cursor', async () => {
    const sub = await call(admin, 'GET', `/people?orgUnitId=${s.workshop.id}&limit=200`);
    const subIds = sub.json().items.map((p: Json) => p.id);
    expect(subIds).toEqual(expect.arrayContaining([s.head.person.id, s.leader.person.id]));
    expect(subIds).not.toContain(s.admin.person.id);
    const contractors = await call(admin, 'GET', '/people?kind=contractor');
    expect(contractors.json().items.map((p: Json) => p.employeeNo)).toEqual(['C1']);
    const left = await call(admin, 'GET', '/people?status=left');
    expect(left.json().items.map((p: Json) => p.id)).toContain(s.worker.person.id);
    const q = await call(admin, 'GET', `/people?q=${encodeURIComponent('张')}`);
    expect(q.json().items.map((p: Json) => p.employeeNo)).toEqual(['E1001']);

    const all = (await call(admin, 'GET', '/people?limit=200')).json().items.map((p: Json) => p.id);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await call(admin, 'GET', `/people?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.statusCode).toBe(200);
      const body = page.json();
      expect(body.items.length).toBeLessThanOrEqual(3);
      seen.push(...body.items.map((p: Json) => p.id as string));
      cursor = body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(all);
    const bad = await call(admin, 'GET', '/people?cursor=garbage');
    expect(bad.statusCode).toBe(400);
  });

  it('shows a department head only their own department subtree', async () => {
    const other = await makePerson(t.db, s.tenant.id, s.otherTeam.id, { name: 'Painter' });
    const res = await call(head, 'GET', '/people?limit=200');
    expect(res.statusCode).toBe(200);
    const ids = res.json().items.map((p: Json) => p.id);
    expect(ids).toEqual(expect.arrayContaining([s.head.person.id, s.leader.person.id]));
    expect(ids).not.toContain(other.id);
    expect(ids).not.toContain(s.admin.person.id);
    const units = new Set(res.json().items.map((p: Json) => p.orgUnitId));
    expect([...units].every((u) => u === s.workshop.id || u === s.team.id)).toBe(true);
  });

  it('shows a team leader only their team', async () => {
    const leader = (await t.login(s.leader.username, s.leader.password)).authorization;
    const res = await call(leader, 'GET', '/people?limit=200');
    const units = new Set(res.json().items.map((p: Json) => p.orgUnitId));
    expect([...units]).toEqual([s.team.id]);
  });

  it("shows a 'self' scope reader only themselves", async () => {
    const role = await call(admin, 'POST', '/roles', { code: 'self_reader', name: 'Self reader', permissions: ['people:read'], dataScope: 'self' });
    expect(role.statusCode).toBe(201);
    const me = await makeUser(t.db, s.tenant.id, s.team.id, ['self_reader']);
    const auth = (await t.login(me.username, me.password)).authorization;
    const res = await call(auth, 'GET', '/people?limit=200');
    expect(res.statusCode).toBe(200);
    expect(res.json().items.map((p: Json) => p.id)).toEqual([me.person.id]);
    expect((await call(auth, 'GET', `/people/${me.person.id}`)).statusCode).toBe(200);
    const colleague = await call(auth, 'GET', `/people/${s.leader.person.id}`);
    expect(colleague.statusCode).toBe(403);
  });

  it('returns 403 out_of_scope for a person in another workshop and 404 for another tenant', async () => {
    const other = await makePerson(t.db, s.tenant.id, s.otherTeam.id);
    const get = await call(head, 'GET', `/people/${other.id}`);
    expect(get.statusCode).toBe(403);
    expect(get.json().code).toBe('out_of_scope');
    const patch = await call(head, 'PATCH', `/people/${other.id}`, { name: 'Hijack', version: 1 });
    expect(patch.statusCode).toBe(403);
    expect(patch.json().code).toBe('out_of_scope');
    expect((await personRow(other.id))?.name).toBe(other.name);
    for (const auth of [head, admin]) {
      const foreign = await call(auth, 'GET', `/people/${otherTenantPersonId}`);
      expect(foreign.statusCode).toBe(404);
      const foreignPatch = await call(auth, 'PATCH', `/people/${otherTenantPersonId}`, { name: 'x', version: 1 });
      expect(foreignPatch.statusCode).toBe(404);
    }
  });

  it('lets a department head add and move people inside their subtree but not into another workshop', async () => {
    const inside = await call(head, 'POST', '/people', { employeeNo: 'H-1', name: 'New hire', orgUnitId: s.team.id });
    expect(inside.statusCode).toBe(201);
    const outside = await call(head, 'POST', '/people', { employeeNo: 'H-2', name: 'Elsewhere', orgUnitId: s.otherTeam.id });
    expect(outside.statusCode).toBe(403);
    expect(outside.json().code).toBe('out_of_scope');
    const move = await call(head, 'PATCH', `/people/${inside.json().id}`, { orgUnitId: s.otherTeam.id, version: 1 });
    expect(move.statusCode).toBe(403);
    expect(move.json().code).toBe('out_of_scope');
    const within = await call(head, 'PATCH', `/people/${inside.json().id}`, { orgUnitId: s.workshop.id, version: 1 });
    expect(within.statusCode).toBe(200);
    expect(within.json().orgUnitId).toBe(s.workshop.id);
  });
});
