import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, seedSmallCompany, type TestApp } from '../../test/app.ts';
import { makePerson, makeUser } from '../../test/factories.ts';
import { auditLog } from '../audit/schema.ts';
import { users } from './schema.ts';

let t: TestApp;
let s: Awaited<ReturnType<typeof seedSmallCompany>>;
let admin: string;
let roleIds: Map<string, string>;

beforeAll(async () => {
  t = await createTestApp({ RATE_LIMIT_PER_MINUTE: '100000', LOGIN_MAX_FAILURES: '3' });
  s = await seedSmallCompany(t);
  admin = (await t.login(s.admin.username, s.admin.password)).authorization;
  const list = (await call(admin, 'GET', '/roles')).json().items as { id: string; code: string }[];
  roleIds = new Map(list.map((r) => [r.code, r.id]));
});
afterAll(() => t.close());

type Json = Record<string, unknown>;
const NEW_PASSWORD = 'Str0ng!Pass';
const call = (authorization: string, method: 'GET' | 'POST' | 'PATCH', url: string, payload?: Json) =>
  t.app.inject({ method, url: `/api/v1${url}`, headers: { authorization }, ...(payload ? { payload } : {}) });
const loginStatus = async (username: string, password: string) =>
  (await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password } })).statusCode;
const audits = (entityId: string) =>
  t.db.read((tx) => tx.select().from(auditLog).where(and(eq(auditLog.tenantId, s.tenant.id), eq(auditLog.entityId, entityId))).orderBy(auditLog.seq));
const userRow = async (id: string) => (await t.db.read((tx) => tx.select().from(users).where(eq(users.id, id))))[0]!;

describe('user accounts', () => {
  it('creates a login for a person; it signs in; the audit entry never holds the password hash', async () => {
    const person = await makePerson(t.db, s.tenant.id, s.team.id, { name: '钱七' });
    const res = await call(admin, 'POST', '/users', { personId: person.id, username: 'Qian.Qi', displayName: '钱七', phone: '13811112222', password: NEW_PASSWORD, roleIds: [roleIds.get('employee')] });
    expect(res.statusCode).toBe(201);
    const u = res.json();
    expect(u).toMatchObject({ username: 'qian.qi', personId: person.id, orgUnitId: s.team.id, orgUnitName: 'Team A', status: 'active', roles: [{ code: 'employee' }], version: 1 });
    expect(await loginStatus('qian.qi', NEW_PASSWORD)).toBe(200);
    expect(await loginStatus('13811112222', NEW_PASSWORD)).toBe(200);
    const [entry] = await audits(u.id);
    expect(entry).toMatchObject({ action: 'user.created', after: { username: 'qian.qi', roles: ['employee'] } });
    expect(JSON.stringify(entry)).not.toMatch(/argon2|passwordHash/);
    // The person now shows their login.
    expect((await call(admin, 'GET', `/people/${person.id}`)).json()).toMatchObject({ userId: u.id, username: 'qian.qi' });
    const again = await call(admin, 'POST', '/users', { personId: person.id, username: 'qian2', displayName: 'x', password: NEW_PASSWORD, roleIds: [] });
    expect(again.statusCode).toBe(409);
  });

  it('validates username, password policy, phone and uniqueness', async () => {
    const bad = async (body: Json, field: string, status = 400) => {
      const res = await call(admin, 'POST', '/users', { username: 'valid_name', displayName: 'x', password: NEW_PASSWORD, roleIds: [], ...body });
      expect(res.statusCode, res.body).toBe(status);
      expect(res.json().errors?.[0]?.field).toBe(field);
    };
    await bad({ username: 'ab' }, 'username');
    await bad({ username: 'has space' }, 'username');
    await bad({ username: '张三' }, 'username');
    await bad({ password: 'short' }, 'password');
    await bad({ password: 'alllowercaseletters' }, 'password');
    await bad({ phone: '010-1234567' }, 'phone');
    await bad({ username: s.head.username }, 'username', 409);
  });

  it('lists users with their roles, searchable and paged', async () => {
    const res = await call(admin, 'GET', `/users?q=${s.head.username}`);
    expect(res.statusCode).toBe(200);
    expect(res.json().items).toEqual([expect.objectContaining({ id: s.head.user.id, roles: [expect.objectContaining({ code: 'dept_head' })], orgUnitName: 'Assembly' })]);
    const page = await call(admin, 'GET', '/users?limit=2');
    expect(page.json().items).toHaveLength(2);
    const next = await call(admin, 'GET', `/users?limit=2&cursor=${page.json().nextCursor}`);
    expect(next.json().items[0].username > page.json().items[1].username).toBe(true);
    const head = (await t.login(s.head.username, s.head.password)).authorization;
    expect((await call(head, 'GET', '/users')).statusCode).toBe(403);
  });

  it('changes roles with before/after in the audit log and the new permissions apply at once', async () => {
    const u = await makeUser(t.db, s.tenant.id, s.team.id, ['employee']);
    const auth = (await t.login(u.username, u.password)).authorization;
    expect((await call(auth, 'GET', '/people')).statusCode).toBe(403);
    const none = await call(admin, 'PATCH', `/users/${u.user.id}`, { roleIds: [roleIds.get('team_leader')] });
    expect(none.statusCode).toBe(428);
    const res = await call(admin, 'PATCH', `/users/${u.user.id}`, { roleIds: [roleIds.get('team_leader')], version: 1 });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ roles: [{ code: 'team_leader' }], version: 2 });
    expect((await call(auth, 'GET', '/people')).statusCode).toBe(200);
    const stale = await call(admin, 'PATCH', `/users/${u.user.id}`, { displayName: 'x', version: 1 });
    expect(stale.statusCode).toBe(409);
    const entry = (await audits(u.user.id)).find((a) => a.action === 'user.updated');
    expect(entry).toMatchObject({ before: { roles: ['employee'] }, after: { roles: ['team_leader'] } });
  });

  it('disabling revokes sessions; an account cannot disable itself', async () => {
    const u = await makeUser(t.db, s.tenant.id, s.team.id, ['employee']);
    const auth = (await t.login(u.username, u.password)).authorization;
    const res = await call(admin, 'PATCH', `/users/${u.user.id}`, { status: 'disabled', version: 1 });
    expect(res.statusCode).toBe(200);
    expect((await call(auth, 'GET', '/me')).statusCode).toBe(401);
    expect(await loginStatus(u.username, u.password)).toBe(401);
    expect((await audits(u.user.id)).map((a) => a.action)).toContain('user.disabled');
    const self = await call(admin, 'PATCH', `/users/${s.admin.user.id}`, { status: 'disabled', version: (await userRow(s.admin.user.id)).version });
    expect(self.statusCode).toBe(409);
  });

  it('keeps the last system administrator', async () => {
    const res = await call(admin, 'PATCH', `/users/${s.admin.user.id}`, { roleIds: [roleIds.get('employee')], version: (await userRow(s.admin.user.id)).version });
    expect(res.statusCode).toBe(409);
    expect(res.json().detail).toMatch(/last active system administrator/);
  });

  it('reset-password sets a new password, unlocks and signs the user out everywhere', async () => {
    const u = await makeUser(t.db, s.tenant.id, s.team.id, ['employee']);
    const auth = (await t.login(u.username, u.password)).authorization;
    const weak = await call(admin, 'POST', `/users/${u.user.id}/reset-password`, { password: 'weak' });
    expect(weak.statusCode).toBe(400);
    const res = await call(admin, 'POST', `/users/${u.user.id}/reset-password`, { password: NEW_PASSWORD });
    expect(res.statusCode).toBe(200);
    expect((await call(auth, 'GET', '/me')).statusCode).toBe(401);
    expect(await loginStatus(u.username, u.password)).toBe(401);
    expect(await loginStatus(u.username, NEW_PASSWORD)).toBe(200);
    const entry = (await audits(u.user.id)).find((a) => a.action === 'user.password_reset');
    expect(entry).toBeDefined();
    expect(JSON.stringify(entry)).not.toMatch(/argon2/);
  });

  it('unlock clears a lockout without waiting for it to expire', async () => {
    const u = await makeUser(t.db, s.tenant.id, s.team.id, ['employee']);
    for (let i = 0; i < 3; i++) await loginStatus(u.username, 'wrong-password');
    expect(await loginStatus(u.username, u.password)).toBe(423);
    expect((await userRow(u.user.id)).lockedUntil).not.toBeNull();
    const res = await call(admin, 'POST', `/users/${u.user.id}/unlock`);
    expect(res.statusCode).toBe(200);
    expect(res.json().lockedUntil).toBeNull();
    expect(await loginStatus(u.username, u.password)).toBe(200);
    expect((await audits(u.user.id)).map((a) => a.action)).toContain('user.unlocked');
  });
});

describe('account privilege escalation', () => {
  let userAdmin: string;
  beforeAll(async () => {
    await call(admin, 'POST', '/roles', { code: 'user_admin', name: 'Account admin', permissions: ['users:write', 'roles:read', 'people:read', 'org:read'], dataScope: 'company' });
    await call(admin, 'POST', '/roles', { code: 'viewer', name: 'Viewer', permissions: ['people:read'], dataScope: 'company' });
    const list = (await call(admin, 'GET', '/roles')).json().items as { id: string; code: string }[];
    roleIds = new Map(list.map((r) => [r.code, r.id]));
    const u = await makeUser(t.db, s.tenant.id, s.rootUnitId, ['user_admin']);
    userAdmin = (await t.login(u.username, u.password)).authorization;
  });

  it('may hand out roles whose permissions they hold', async () => {
    const res = await call(userAdmin, 'POST', '/users', { username: 'viewer1', displayName: 'V', password: NEW_PASSWORD, roleIds: [roleIds.get('viewer')] });
    expect(res.statusCode, res.body).toBe(201);
  });

  it('may not hand out a more powerful role, nor take over a more powerful account', async () => {
    const sys = await call(userAdmin, 'POST', '/users', { username: 'sneaky', displayName: 'S', password: NEW_PASSWORD, roleIds: [roleIds.get('sys_admin')] });
    expect(sys.statusCode).toBe(403);
    expect(sys.json().detail).toMatch(/cannot grant \*/);
    const head = await call(userAdmin, 'PATCH', `/users/${s.worker.user.id}`, { roleIds: [roleIds.get('dept_head')], version: (await userRow(s.worker.user.id)).version });
    expect(head.statusCode).toBe(403);
    const reset = await call(userAdmin, 'POST', `/users/${s.admin.user.id}/reset-password`, { password: NEW_PASSWORD });
    expect(reset.statusCode).toBe(403);
    expect(await loginStatus(s.admin.username, NEW_PASSWORD)).toBe(401);
    const disable = await call(userAdmin, 'PATCH', `/users/${s.safety.user.id}`, { status: 'disabled', version: (await userRow(s.safety.user.id)).version });
    expect(disable.statusCode).toBe(403);
    expect((await userRow(s.safety.user.id)).status).toBe('active');
  });
});
