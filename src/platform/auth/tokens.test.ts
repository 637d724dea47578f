import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, seedSmallCompany, type TestApp } from '../../test/app.ts';
import { auditLog } from '../audit/schema.ts';
import { apiTokens } from './schema.ts';
import { sha256 } from './service.ts';

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
const call = (authorization: string, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: Json) =>
  t.app.inject({ method, url: `/api/v1${url}`, headers: { authorization }, ...(payload ? { payload } : {}) });
const tokenRow = async (id: string) => (await t.db.read((tx) => tx.select().from(apiTokens).where(eq(apiTokens.id, id))))[0]!;

describe('API tokens', () => {
  it('shows the secret once, stores only its SHA-256, and lists the token without it', async () => {
    const res = await call(head, 'POST', '/tokens', { name: 'BI export', scopes: ['people:read'], expiresInDays: 30 });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body.token).toMatch(/^slt_[A-Za-z0-9_-]{43}$/);
    expect(body).toMatchObject({ name: 'BI export', scopes: ['people:read'], userId: s.head.user.id, revokedAt: null, lastUsedAt: null });
    expect(body.token.startsWith(body.prefix)).toBe(true);
    const row = await tokenRow(body.id);
    expect(row.tokenHash).toBe(sha256(body.token));
    expect(JSON.stringify(row)).not.toContain(body.token);
    const list = await call(head, 'GET', '/tokens');
    expect(list.statusCode).toBe(200);
    expect(list.json().items).toEqual([expect.objectContaining({ id: body.id, prefix: body.prefix })]);
    expect(list.body).not.toContain(body.token);
    const [entry] = await t.db.read((tx) => tx.select().from(auditLog).where(and(eq(auditLog.entityId, body.id), eq(auditLog.action, 'api_token.created'))));
    expect(JSON.stringify(entry)).not.toContain(body.token);
  });

  it('works as a Bearer token limited to its scopes: people:read lists people but POST /people is 403', async () => {
    const { token } = (await call(head, 'POST', '/tokens', { name: 'read only', scopes: ['people:read'] })).json();
    const bearer = `Bearer ${token}`;
    const list = await call(bearer, 'GET', '/people');
    expect(list.statusCode).toBe(200);
    // Still narrowed to the owner's data scope.
    const units = new Set(list.json().items.map((p: Json) => p.orgUnitId));
    expect([...units].every((u) => u === s.workshop.id || u === s.team.id)).toBe(true);
    const write = await call(bearer, 'POST', '/people', { employeeNo: 'TOK-1', name: 'x', orgUnitId: s.team.id });
    expect(write.statusCode).toBe(403);
    // The owner holds org:read, the token does not.
    expect((await call(bearer, 'GET', '/org/units')).statusCode).toBe(403);
    // A token cannot mint more tokens.
    const { token: withOwn } = (await call(head, 'POST', '/tokens', { name: 'tokens', scopes: ['tokens:own', 'people:read'] })).json();
    const mint = await call(`Bearer ${withOwn}`, 'POST', '/tokens', { name: 'child', scopes: ['people:read'] });
    expect(mint.statusCode).toBe(403);
  });

  it('refuses scopes the creator does not hold, and unknown scopes', async () => {
    const notHeld = await call(head, 'POST', '/tokens', { name: 'escalate', scopes: ['users:write'] });
    expect(notHeld.statusCode).toBe(403);
    const star = await call(head, 'POST', '/tokens', { name: 'escalate', scopes: ['*'] });
    expect(star.statusCode).toBe(403);
    const unknown = await call(head, 'POST', '/tokens', { name: 'typo', scopes: ['people:raed'] });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().errors[0].field).toBe('scopes.0');
  });

  it('records last use at most once a minute', async () => {
    const created = (await call(admin, 'POST', '/tokens', { name: 'sync', scopes: ['org:read'] })).json();
    const bearer = `Bearer ${created.token}`;
    const t0 = t.clock.now;
    expect((await call(bearer, 'GET', '/org/units')).statusCode).toBe(200);
    expect((await tokenRow(created.id)).lastUsedAt?.getTime()).toBe(t0.getTime());
    t.clock.advance(30_000);
    expect((await call(bearer, 'GET', '/org/units')).statusCode).toBe(200);
    expect((await tokenRow(created.id)).lastUsedAt?.getTime()).toBe(t0.getTime());
    t.clock.advance(31_000);
    expect((await call(bearer, 'GET', '/org/units')).statusCode).toBe(200);
    expect((await tokenRow(created.id)).lastUsedAt?.getTime()).toBe(t.clock.now.getTime());
  });

  it('revoking answers 401 on the very next request and is audited', async () => {
    const created = (await call(head, 'POST', '/tokens', { name: 'to revoke', scopes: ['people:read'] })).json();
    const bearer = `Bearer ${created.token}`;
    expect((await call(bearer, 'GET', '/people')).statusCode).toBe(200);
    const res = await call(head, 'DELETE', `/tokens/${created.id}`);
    expect(res.statusCode).toBe(204);
    expect((await call(bearer, 'GET', '/people')).statusCode).toBe(401);
    expect((await tokenRow(created.id)).revokedAt).not.toBeNull();
    const entries = await t.db.read((tx) => tx.select().from(auditLog).where(and(eq(auditLog.entityId, created.id), eq(auditLog.action, 'api_token.revoked'))));
    expect(entries).toHaveLength(1);
  });

  it('expires after expiresInDays', async () => {
    const { token } = (await call(head, 'POST', '/tokens', { name: 'short', scopes: ['people:read'], expiresInDays: 1 })).json();
    expect((await call(`Bearer ${token}`, 'GET', '/people')).statusCode).toBe(200);
    t.clock.advance(25 * 3600_000);
    expect((await call(`Bearer ${token}`, 'GET', '/people')).statusCode).toBe(401);
  });

  it("manages other users' tokens only with tokens:manage", async () => {
    admin = (await t.login(s.admin.username, s.admin.password)).authorization;
    head = (await t.login(s.head.username, s.head.password)).authorization;
    const adminToken = (await call(admin, 'POST', '/tokens', { name: 'admin own', scopes: ['org:read'] })).json();
    expect((await call(head, 'GET', '/tokens?all=true')).statusCode).toBe(403);
    const steal = await call(head, 'DELETE', `/tokens/${adminToken.id}`);
    expect(steal.statusCode).toBe(403);
    expect((await tokenRow(adminToken.id)).revokedAt).toBeNull();
    const all = await call(admin, 'GET', '/tokens?all=true');
    expect(all.statusCode).toBe(200);
    const owners = new Set(all.json().items.map((x: Json) => x.userId));
    expect(owners).toEqual(new Set([s.admin.user.id, s.head.user.id]));
    const headTokens = (await call(head, 'GET', '/tokens')).json().items;
    const byAdmin = await call(admin, 'DELETE', `/tokens/${headTokens[0].id}`);
    expect(byAdmin.statusCode).toBe(204);
    expect((await call(admin, 'DELETE', `/tokens/00000000-0000-7000-8000-000000000000`)).statusCode).toBe(404);
  });
});
