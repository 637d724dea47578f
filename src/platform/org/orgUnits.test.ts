import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, seedSmallCompany, type TestApp } from '../../test/app.ts';
import { makePerson, makeUser } from '../../test/factories.ts';
import { auditLog } from '../audit/schema.ts';
import { outboxEvents } from '../events/schema.ts';
import { orgUnits } from './schema.ts';

let t: TestApp;
let s: Awaited<ReturnType<typeof seedSmallCompany>>;
let admin: string;
let head: string;

beforeAll(async () => {
  t = await createTestApp({ RATE_LIMIT_PER_MINUTE: '100000' });
  s = await seedSmallCompany(t);
  admin = (await t.login(s.admin.username, s.admin.password)).authorization;
  head = (await t.login(s.head.username, s.head.password)).authorization;
});
afterAll(() => t.close());

type Json = Record<string, unknown>;
const call = (authorization: string, method: 'GET' | 'POST' | 'PATCH', url: string, payload?: Json, headers: Record<string, string> = {}) =>
  t.app.inject({ method, url: `/api/v1${url}`, headers: { authorization, ...headers }, ...(payload ? { payload } : {}) });

const unit = (id: string) => t.db.read(async (tx) => (await tx.select().from(orgUnits).where(eq(orgUnits.id, id)))[0]!);
const audits = (entityId: string) =>
  t.db.read((tx) => tx.select().from(auditLog).where(and(eq(auditLog.tenantId, s.tenant.id), eq(auditLog.entityId, entityId))).orderBy(auditLog.seq));

describe('org units', () => {
  it('lists the whole tenant tree with subtree and direct headcounts', async () => {
    const worker = (await t.login(s.worker.username, s.worker.password)).authorization;
    const res = await call(worker, 'GET', '/org/units');
    expect(res.statusCode).toBe(200);
    const items = res.json().items as Json[];
    const byId = new Map(items.map((u) => [u.id, u]));
    expect(byId.size).toBe(6);
    // head sits in the workshop, leader and worker in its team.
    expect(byId.get(s.workshop.id)).toMatchObject({ kind: 'workshop', headcount: 3, directHeadcount: 1, parentId: s.plant.id, active: true, version: 1 });
    expect(byId.get(s.team.id)).toMatchObject({ headcount: 2, directHeadcount: 2 });
    expect(byId.get(s.rootUnitId)).toMatchObject({ kind: 'company', parentId: null, headcount: 6 });
  });

  it('creates a unit under an allowed parent, with path, audit entry and event', async () => {
    const res = await call(admin, 'POST', '/org/units', { parentId: s.workshop.id, kind: 'team', code: 'T-B', name: 'Team B', sort: 2 });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body).toMatchObject({ parentId: s.workshop.id, kind: 'team', code: 'T-B', name: 'Team B', depth: s.workshop.depth + 1, sort: 2, version: 1, headcount: 0 });
    expect(body.path).toBe(`${s.workshop.path}${body.id}/`);
    const [entry] = await audits(body.id);
    expect(entry).toMatchObject({ action: 'org_unit.created', entityType: 'org_unit', actorUserId: s.admin.user.id });
    expect(entry!.after).toMatchObject({ code: 'T-B', kind: 'team', parentId: s.workshop.id });
    const events = await t.db.read((tx) => tx.select().from(outboxEvents).where(eq(outboxEvents.entityId, body.id)));
    expect(events.map((e) => e.type)).toEqual(['org_unit.created']);
  });

  it('returns 403 when the actor lacks org:write', async () => {
    const res = await call(head, 'POST', '/org/units', { parentId: s.workshop.id, kind: 'team', code: 'T-X', name: 'X' });
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('forbidden');
  });

  it('refuses a unit under a parent of the wrong kind with a field error', async () => {
    const res = await call(admin, 'POST', '/org/units', { parentId: s.plant.id, kind: 'team', code: 'T-P', name: 'Team under plant' });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0]).toMatchObject({ field: 'kind', rule: 'placement' });
    expect(res.json().detail).toMatch(/workshop or department/);
  });

  it('returns 409 already_exists for a duplicate code', async () => {
    await call(admin, 'POST', '/org/units', { parentId: s.plant.id, kind: 'workshop', code: 'WS-DUP', name: 'One' });
    const res = await call(admin, 'POST', '/org/units', { parentId: s.plant.id, kind: 'workshop', code: 'WS-DUP', name: 'Two' });
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('already_exists');
  });

  it('requires a version (428) and refuses a stale one (409)', async () => {
    const none = await call(admin, 'PATCH', `/org/units/${s.otherTeam.id}`, { name: 'Renamed' });
    expect(none.statusCode).toBe(428);
    expect(none.json().code).toBe('precondition_required');
    const ok = await call(admin, 'PATCH', `/org/units/${s.otherTeam.id}`, { name: 'Renamed' }, { 'if-match': '"1"' });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ name: 'Renamed', version: 2 });
    const stale = await call(admin, 'PATCH', `/org/units/${s.otherTeam.id}`, { name: 'Again', version: 1 });
    expect(stale.statusCode).toBe(409);
    expect(stale.json().code).toBe('version_conflict');
    expect((await unit(s.otherTeam.id)).name).toBe('Renamed');
    const [entry] = (await audits(s.otherTeam.id)).filter((a) => a.action === 'org_unit.updated');
    expect(entry!.before).toEqual({ name: s.otherTeam.name });
    expect(entry!.after).toEqual({ name: 'Renamed' });
  });

  it('moves a unit with its whole subtree and re-paths every descendant', async () => {
    const d1 = (await call(admin, 'POST', '/org/units', { parentId: s.plant.id, kind: 'department', code: 'D1', name: 'Maintenance' })).json();
    const d2 = (await call(admin, 'POST', '/org/units', { parentId: d1.id, kind: 'department', code: 'D2', name: 'Electrical' })).json();
    const tm = (await call(admin, 'POST', '/org/units', { parentId: d2.id, kind: 'team', code: 'D2-T', name: 'Night shift' })).json();
    const res = await call(admin, 'PATCH', `/org/units/${d1.id}`, { parentId: s.rootUnitId, version: 1 });
    expect(res.statusCode).toBe(200);
    const root = await unit(s.rootUnitId);
    expect(res.json()).toMatchObject({ parentId: s.rootUnitId, path: `${root.path}${d1.id}/`, depth: 1, version: 2 });
    expect(await unit(d2.id)).toMatchObject({ path: `${root.path}${d1.id}/${d2.id}/`, depth: 2, parentId: d1.id });
    expect(await unit(tm.id)).toMatchObject({ path: `${root.path}${d1.id}/${d2.id}/${tm.id}/`, depth: 3 });
    const moved = (await audits(d1.id)).find((a) => a.action === 'org_unit.moved');
    expect(moved?.before).toMatchObject({ parentId: s.plant.id });
    expect(moved?.after).toMatchObject({ parentId: s.rootUnitId });

    // A unit cannot go below itself or one of its descendants.
    for (const target of [d1.id, d2.id, tm.id]) {
      const loop = await call(admin, 'PATCH', `/org/units/${d1.id}`, { parentId: target, version: 2 });
      expect(loop.statusCode).toBe(409);
      expect(loop.json().code).toBe('conflict');
    }
    // Kind rules apply to moves too: a team does not go directly under a plant.
    const wrongKind = await call(admin, 'PATCH', `/org/units/${tm.id}`, { parentId: s.plant.id, version: 1 });
    expect(wrongKind.statusCode).toBe(400);
    expect(wrongKind.json().errors[0].field).toBe('parentId');
  });

  it('refuses to move or deactivate the company itself', async () => {
    const move = await call(admin, 'PATCH', `/org/units/${s.rootUnitId}`, { parentId: s.plant.id, version: 1 });
    expect(move.statusCode).toBe(409);
    const off = await call(admin, 'PATCH', `/org/units/${s.rootUnitId}`, { active: false, version: 1 });
    expect(off.statusCode).toBe(409);
  });

  it('refuses to deactivate a unit with active people, then deactivates it with its sub-units once empty', async () => {
    const ws = (await call(admin, 'POST', '/org/units', { parentId: s.plant.id, kind: 'workshop', code: 'WS-CLOSE', name: 'Old line' })).json();
    const tm = (await call(admin, 'POST', '/org/units', { parentId: ws.id, kind: 'team', code: 'WS-CLOSE-T', name: 'Old team' })).json();
    const p = await makePerson(t.db, s.tenant.id, tm.id);
    const refused = await call(admin, 'PATCH', `/org/units/${ws.id}`, { active: false, version: 1 });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().detail).toMatch(/1 active person is still assigned/);
    expect(refused.json().activePeople).toBe(1);
    expect((await unit(ws.id)).active).toBe(true);

    const left = await call(admin, 'PATCH', `/people/${p.id}`, { status: 'left', version: 1 });
    expect(left.statusCode).toBe(200);
    const ok = await call(admin, 'PATCH', `/org/units/${ws.id}`, { active: false, version: 1 });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().active).toBe(false);
    expect((await unit(tm.id)).active).toBe(false);
    expect((await audits(ws.id)).map((a) => a.action)).toContain('org_unit.deactivated');
    // Nothing new goes into a closed unit.
    const child = await call(admin, 'POST', '/org/units', { parentId: ws.id, kind: 'team', code: 'WS-CLOSE-T2', name: 'x' });
    expect(child.statusCode).toBe(400);
  });

  it('limits a scoped org editor to their own subtree (403 out_of_scope elsewhere)', async () => {
    const role = await call(admin, 'POST', '/roles', { code: 'org_editor', name: 'Org editor', permissions: ['org:read', 'org:write'], dataScope: 'department' });
    expect(role.statusCode).toBe(201);
    const editor = await makeUser(t.db, s.tenant.id, s.workshop.id, ['org_editor']);
    const auth = (await t.login(editor.username, editor.password)).authorization;
    const own = await call(auth, 'POST', '/org/units', { parentId: s.workshop.id, kind: 'team', code: 'SCOPED-1', name: 'Mine' });
    expect(own.statusCode).toBe(201);
    const other = await call(auth, 'POST', '/org/units', { parentId: s.otherWorkshop.id, kind: 'team', code: 'SCOPED-2', name: 'Not mine' });
    expect(other.statusCode).toBe(403);
    expect(other.json().code).toBe('out_of_scope');
    const rename = await call(auth, 'PATCH', `/org/units/${s.otherWorkshop.id}`, { name: 'Hijacked', version: 1 });
    expect(rename.statusCode).toBe(403);
  });
});

describe('positions', () => {
  it('creates, lists and edits positions with version checks and audit', async () => {
    const created = await call(admin, 'POST', '/positions', { code: 'WELDER', name: '焊工', special: true });
    expect(created.statusCode).toBe(201);
    const pos = created.json();
    expect(pos).toMatchObject({ code: 'WELDER', name: '焊工', special: true, active: true, version: 1 });
    const dupe = await call(admin, 'POST', '/positions', { code: 'WELDER', name: 'Other' });
    expect(dupe.statusCode).toBe(409);
    expect(dupe.json().code).toBe('already_exists');
    const list = await call(head, 'GET', '/positions');
    expect(list.statusCode).toBe(200);
    expect(list.json().items.map((p: Json) => p.code)).toContain('WELDER');
    const off = await call(admin, 'PATCH', `/positions/${pos.id}`, { active: false, version: 1 });
    expect(off.json()).toMatchObject({ active: false, version: 2 });
    const stale = await call(admin, 'PATCH', `/positions/${pos.id}`, { name: 'x', version: 1 });
    expect(stale.statusCode).toBe(409);
    expect((await audits(pos.id)).map((a) => a.action)).toEqual(['position.created', 'position.updated']);
    const forbidden = await call(head, 'POST', '/positions', { code: 'X', name: 'X' });
    expect(forbidden.statusCode).toBe(403);
  });
});
