import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, seedSmallCompany, type TestApp } from '../../test/app.ts';

let t: TestApp;
let s: Awaited<ReturnType<typeof seedSmallCompany>>;

beforeAll(async () => {
  t = await createTestApp({ LOGIN_MAX_FAILURES: '3' });
  s = await seedSmallCompany(t);
});
afterAll(() => t.close());

describe('auth', () => {
  it('health answers without sign-in', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
  });

  it('logs in with username and returns token, user and an http-only cookie', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: s.worker.username, password: s.worker.password } });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.token).toMatch(/.{40,}/);
    expect(body.user.username).toBe(s.worker.username);
    expect(body.user.roles).toEqual(['employee']);
    const cookie = res.headers['set-cookie'];
    expect(String(cookie)).toMatch(/sl_session=.*HttpOnly.*SameSite=Strict/i);
  });

  it('GET /me returns roles, permissions and data scope for bearer and cookie', async () => {
    const { authorization, token } = await t.login(s.head.username, s.head.password);
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization } });
    expect(res.statusCode).toBe(200);
    const me = res.json();
    expect(me.roles).toEqual(['dept_head']);
    expect(me.permissions).toContain('people:read');
    expect(me.dataScope.scope).toBe('department');
    expect(me.dataScope.rootPath).toBe(s.workshop.path);
    const viaCookie = await t.app.inject({ method: 'GET', url: '/api/v1/me', cookies: { sl_session: token } });
    expect(viaCookie.statusCode).toBe(200);
  });

  it('returns 401 problem+json without credentials or with a bogus token', async () => {
    for (const headers of [{}, { authorization: 'Bearer not-a-real-token-but-long-enough' }]) {
      const res = await t.app.inject({ method: 'GET', url: '/api/v1/me', headers });
      expect(res.statusCode).toBe(401);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.json().code).toBe('unauthenticated');
    }
  });

  it('refuses a wrong password with 401 and locks the account after repeated failures', async () => {
    for (let i = 0; i < 2; i++) {
      const res = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: s.leader.username, password: 'wrong' } });
      expect(res.statusCode).toBe(401);
      expect(res.json().code).toBe('invalid_credentials');
    }
    const third = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: s.leader.username, password: 'wrong' } });
    expect(third.statusCode).toBe(423);
    // Even the right password is refused while locked.
    const right = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: s.leader.username, password: s.leader.password } });
    expect(right.statusCode).toBe(423);
    expect(right.json().code).toBe('account_locked');
    // After the lock period it works again.
    t.clock.advance(16 * 60_000);
    const later = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: s.leader.username, password: s.leader.password } });
    expect(later.statusCode).toBe(200);
  });

  it('logout revokes the session', async () => {
    const { authorization } = await t.login(s.worker.username, s.worker.password);
    const out = await t.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: { authorization } });
    expect(out.statusCode).toBe(204);
    const me = await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization } });
    expect(me.statusCode).toBe(401);
  });

  it('rejects extra fields and wrong types in the login body with 400 field errors', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 1, password: 'x' } });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0].field).toBe('username');
    const extra = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'a', password: 'x', admin: true } });
    expect(extra.statusCode).toBe(400);
    expect(extra.json().errors[0].field).toBe('admin');
  });
});
