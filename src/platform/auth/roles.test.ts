import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, seedSmallCompany, type TestApp } from '../../test/app.ts';
import { makeUser } from '../../test/factories.ts';
import { auditLog } from '../audit/schema.ts';
import { roles } from './schema.ts';

let t: TestApp;
let s: Awaited<ReturnType<typeof seedSmallCompany>>;
let admin: string;

beforeAll(async () => {
  t = await createTestApp({ RATE_LIMIT_PER_MINUTE: '100000' });
  s = await seedSmallCompany(t);
  admin = (await t.login(s.admin.username, s.admin.password)).authorization;
});
afterAll(() => t.close());

type Json = Record<string, unknown>;
const call = (authorization: string, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: Json) =>
  t.app.inject({ method, url: `/api/v1${url}`, headers: { authorization }, ...(payload ? { payload } : {}) });
const audits = (entityId: string) =>
  t.db.read((tx) => tx.select().from(auditLog).where(and(eq(auditLog.tenantId, s.tenant.id), eq(auditLog.entityId, entityId))).orderBy(auditLog.seq));
const roleByCode = async (code: string) => (await call(admin, 'GET', '/roles')).json().items.find((r: Json) => r.code === code) as Json & { id: string; version: number };

describe('permissions and roles', () => {
  it('lists the permission catalog with zh-CN and en labels', async () => {
    const auditor = (await t.login(s.auditor.username, s.auditor.password)).authorization;
    const res = await call(auditor, 'GET', '/permissions');
    expect(res.statusCode).toBe(200);
    expect(res.json().items).toContainEqual({ code: 'people:read', group: 'org', label: { 'zh-CN': '查看人员', en: 'View people' } });
  });

  it('lists built-in roles with their user counts', async () => {
    const res = await call(admin, 'GET', '/roles');
    expect(res.statusCode).toBe(200);
    const head = res.json().items.find((r: Json) => r.code === 'dept_head');
    expect(head).toMatchObject({ builtin: true, dataScope: 'department', userCount: 1, name: '部门负责人' });
    expect(head.permissions).toContain('people:write');
  });

  it('returns 403 when the actor lacks roles:write', async () => {
    const safety = (await t.login(s.safety.username, s.safety.password)).authorization;
    const res = await call(safety, 'POST', '/roles', { code: 'x_role', name: 'X', permissions: [], dataScope: 'self' });
    expect(res.statusCode).toBe(403);
  });

  it('creates, edits and deletes a custom role with audit entries', async () => {
    const created = await call(admin, 'POST', '/roles', { code: 'inspector', name: '巡检员', nameEn: 'Inspector', permissions: ['people:read', 'org:read', 'people:read'], dataScope: 'department' });
    expect(created.statusCode).toBe(201);
    const role = created.json();
    expect(role).toMatchObject({ code: 'inspector', builtin: false, permissions: ['org:read', 'people:read'], dataScope: 'department', userCount: 0, version: 1 });
    const dupe = await call(admin, 'POST', '/roles', { code: 'inspector', name: 'again', permissions: [], dataScope: 'self' });
    expect(dupe.statusCode).toBe(409);
    expect(dupe.json().code).toBe('already_exists');

    const none = await call(admin, 'PATCH', `/roles/${role.id}`, { name: 'x' });
    expect(none.statusCode).toBe(428);
    const edited = await call(admin, 'PATCH', `/roles/${role.id}`, { permissions: ['org:*'], dataScope: 'team', version: 1 });
    expect(edited.statusCode).toBe(200);
    expect(edited.json()).toMatchObject({ permissions: ['org:*'], dataScope: 'team', version: 2 });
    const stale = await call(admin, 'PATCH', `/roles/${role.id}`, { name: 'stale', version: 1 });
    expect(stale.statusCode).toBe(409);
    expect(stale.json().code).toBe('version_conflict');

    const del = await call(admin, 'DELETE', `/roles/${role.id}`);
    expect(del.statusCode).toBe(204);
    expect(await t.db.read((tx) => tx.select().from(roles).where(eq(roles.id, role.id)))).toEqual([]);
    const entries = await audits(role.id);
    expect(entries.map((e) => e.action)).toEqual(['role.created', 'role.updated', 'role.deleted']);
    expect(entries[1]).toMatchObject({ before: { permissions: ['org:read', 'people:read'], dataScope: 'department' }, after: { permissions: ['org:*'], dataScope: 'team' } });
    expect(entries[2]!.before).toMatchObject({ code: 'inspector' });
  });

  it('refuses unknown permission codes with a field error naming the entry', async () => {
    const res = await call(admin, 'POST', '/roles', { code: 'typo', name: 'Typo', permissions: ['people:read', 'people:wirte'], dataScope: 'self' });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0]).toMatchObject({ field: 'permissions.1', rule: 'catalog' });
  });

  it('keeps built-in roles: no permission, scope or code edits, no deletion; names may change', async () => {
    const head = await roleByCode('dept_head');
    const perms = await call(admin, 'PATCH', `/roles/${head.id}`, { permissions: ['people:read'], version: head.version });
    expect(perms.statusCode).toBe(409);
    const scope = await call(admin, 'PATCH', `/roles/${head.id}`, { dataScope: 'company', version: head.version });
    expect(scope.statusCode).toBe(409);
    const code = await call(admin, 'PATCH', `/roles/${head.id}`, { code: 'boss', version: head.version });
    expect(code.statusCode).toBe(409);
    // Sending the unchanged permissions back (as a form does) is fine.
    const rename = await call(admin, 'PATCH', `/roles/${head.id}`, { name: '车间主任', permissions: head.permissions as string[], version: head.version });
    expect(rename.statusCode).toBe(200);
    expect(rename.json()).toMatchObject({ name: '车间主任', code: 'dept_head' });
    const del = await call(admin, 'DELETE', `/roles/${head.id}`);
    expect(del.statusCode).toBe(409);
  });

  it('refuses to delete a custom role that users still hold', async () => {
    await call(admin, 'POST', '/roles', { code: 'held_role', name: 'Held', permissions: ['org:read'], dataScope: 'self' });
    await makeUser(t.db, s.tenant.id, s.team.id, ['held_role']);
    const role = await roleByCode('held_role');
    const res = await call(admin, 'DELETE', `/roles/${role.id}`);
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ code: 'conflict', userCount: 1 });
  });

  it('takes effect on the next request of everyone holding the role (actor cache cleared)', async () => {
    await call(admin, 'POST', '/roles', { code: 'reader_later', name: 'Reader later', permissions: ['org:read'], dataScope: 'company' });
    const u = await makeUser(t.db, s.tenant.id, s.team.id, ['reader_later']);
    const auth = (await t.login(u.username, u.password)).authorization;
    expect((await call(auth, 'GET', '/people')).statusCode).toBe(403);
    const role = await roleByCode('reader_later');
    const res = await call(admin, 'PATCH', `/roles/${role.id}`, { permissions: ['org:read', 'people:read'], version: role.version });
    expect(res.statusCode).toBe(200);
    // No clock advance: the 10 s actor cache must not serve the old permissions.
    expect((await call(auth, 'GET', '/people')).statusCode).toBe(200);
  });
});

describe('privilege escalation', () => {
  let roleAdmin: string;
  beforeAll(async () => {
    const res = await call(admin, 'POST', '/roles', { code: 'role_admin', name: 'Role admin', permissions: ['roles:read', 'roles:write', 'people:read', 'org:read'], dataScope: 'department' });
    expect(res.statusCode).toBe(201);
    const u = await makeUser(t.db, s.tenant.id, s.workshop.id, ['role_admin']);
    roleAdmin = (await t.login(u.username, u.password)).authorization;
  });

  it('lets a role administrator grant permissions they hold', async () => {
    const res = await call(roleAdmin, 'POST', '/roles', { code: 'people_viewer', name: 'Viewer', permissions: ['people:read'], dataScope: 'team' });
    expect(res.statusCode).toBe(201);
  });

  it('refuses granting a permission, a wildcard or a data scope the granter does not hold', async () => {
    for (const permissions of [['people:write'], ['*'], ['people:*'], ['org:read', 'users:write']]) {
      const res = await call(roleAdmin, 'POST', '/roles', { code: 'escalate', name: 'Escalate', permissions, dataScope: 'self' });
      expect(res.statusCode, JSON.stringify(permissions)).toBe(403);
      expect(res.json().code).toBe('forbidden');
    }
    const wide = await call(roleAdmin, 'POST', '/roles', { code: 'escalate', name: 'Escalate', permissions: ['people:read'], dataScope: 'company' });
    expect(wide.statusCode).toBe(403);
    expect(wide.json().detail).toMatch(/data scope company/);
    // Nor by editing an existing role: adding to their own role, or changing a more powerful one.
    const own = await roleByCode('role_admin');
    const self = await call(roleAdmin, 'PATCH', `/roles/${own.id}`, { permissions: [...(own.permissions as string[]), 'users:write'], version: own.version });
    expect(self.statusCode).toBe(403);
    const held = await roleByCode('held_role');
    await call(admin, 'PATCH', `/roles/${held.id}`, { permissions: ['org:read', 'audit:read'], version: held.version });
    const strip = await roleByCode('held_role');
    const res = await call(roleAdmin, 'PATCH', `/roles/${strip.id}`, { permissions: ['org:read'], version: strip.version });
    expect(res.statusCode).toBe(403);
    expect(await t.db.read((tx) => tx.select().from(roles).where(eq(roles.code, 'escalate')))).toEqual([]);
  });
});
