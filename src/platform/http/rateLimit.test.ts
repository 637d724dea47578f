import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, seedSmallCompany, type TestApp } from '../../test/app.ts';

let t: TestApp;
let s: Awaited<ReturnType<typeof seedSmallCompany>>;

// Low limits so the test reaches them quickly; login has limits of its own (attempts and failures per IP).
beforeAll(async () => {
  t = await createTestApp({ RATE_LIMIT_PER_MINUTE: '12', LOGIN_ATTEMPTS_PER_IP_PER_MINUTE: '30', LOGIN_FAILURES_PER_IP_PER_MINUTE: '20' });
  s = await seedSmallCompany(t);
});
afterAll(() => t.close());

const from = (ip: string) => ({ remoteAddress: ip });

describe('rate limits', () => {
  it('answers a signed-in user past the limit with 429 problem+json and Retry-After, other users on the same IP unaffected', async () => {
    const { authorization } = await t.login(s.worker.username, s.worker.password);
    const statuses: number[] = [];
    for (let i = 0; i < 13; i++) {
      // Different client IPs: a user's count follows the user (a phone moving between networks).
      const res = await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization }, ...from(`10.9.0.${i % 2 ? 1 : 5}`) });
      statuses.push(res.statusCode);
      if (res.statusCode === 429) {
        expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
        const body = res.json();
        expect(body.code).toBe('rate_limited');
        expect(body.retryAfterSeconds).toBeGreaterThan(0);
        expect(body.retryAfterSeconds).toBeLessThanOrEqual(60);
        expect(Number(res.headers['retry-after'])).toBe(body.retryAfterSeconds);
      }
    }
    expect(statuses.slice(0, 12).every((c) => c === 200)).toBe(true);
    expect(statuses[12]).toBe(429);
    // A plant's phones often share one NAT address: a colleague behind it still gets through.
    const colleague = await t.login(s.leader.username, s.leader.password);
    const other = await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: colleague.authorization }, ...from('10.9.0.1') });
    expect(other.statusCode).toBe(200);
  });

  it('counts requests without a session per client IP, unknown API paths included', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 13; i++) {
      const url = i % 2 ? '/api/v1/me' : '/api/v1/no-such-route';
      statuses.push((await t.app.inject({ method: 'GET', url, ...from('10.9.0.6') })).statusCode);
    }
    expect(statuses.slice(0, 12).every((c) => c === 401 || c === 404)).toBe(true);
    expect(statuses[12]).toBe(429);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/me', ...from('10.9.0.7') })).statusCode).toBe(401);
  });

  it('refuses made-up tokens past the limit before looking them up', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 13; i++) {
      const authorization = `Bearer made-up-token-${String(i).padStart(30, '0')}`;
      statuses.push((await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization }, ...from('10.9.0.8') })).statusCode);
    }
    expect(statuses.slice(0, 12).every((c) => c === 401)).toBe(true);
    expect(statuses[12]).toBe(429);
  });

  it('never limits the health probe', async () => {
    for (let i = 0; i < 40; i++) {
      const res = await t.app.inject({ method: 'GET', url: '/api/v1/health', ...from('10.9.0.3') });
      expect(res.statusCode).toBe(200);
    }
  });

  it('refuses an address after 20 failed logins in a minute, apart from the general limit', async () => {
    const ip = from('10.9.0.4');
    const statuses: number[] = [];
    for (let i = 0; i < 21; i++) {
      const res = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'nobody-here', password: 'wrong-password' }, ...ip });
      statuses.push(res.statusCode);
    }
    // 20 wrong passwords are answered as such (more than the general limit of 12), the 21st is refused…
    expect(statuses.slice(0, 20).every((c) => c === 401)).toBe(true);
    expect(statuses[20]).toBe(429);
    // …and so is a right password from that address for the rest of the minute (spraying stops there).
    const right = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: s.worker.username, password: s.worker.password }, ...ip });
    expect(right.statusCode).toBe(429);
    expect(right.json().code).toBe('rate_limited');
    expect(Number(right.headers['retry-after'])).toBeGreaterThan(0);
    // The general counter of that IP was not used up by the logins.
    const me = await t.app.inject({ method: 'GET', url: '/api/v1/me', ...ip });
    expect(me.statusCode).toBe(401);
  });

  it('lets a whole shift sign in from one NAT address: right passwords do not count as failures', async () => {
    const ip = from('10.9.0.9');
    const people = [s.worker, s.leader, s.head, s.safety, s.auditor];
    const statuses: number[] = [];
    // 25 successful logins: more than the 20 failures allowed, fewer than the 30 attempts.
    for (let i = 0; i < 25; i++) {
      const who = people[i % people.length]!;
      const res = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: who.username, password: who.password }, ...ip });
      statuses.push(res.statusCode);
    }
    expect(statuses.every((c) => c === 200)).toBe(true);
    // Attempts of any outcome are still bounded (each costs a password hash): the 31st in the minute is refused.
    for (let i = 0; i < 5; i++) {
      await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: s.worker.username, password: s.worker.password }, ...ip });
    }
    const over = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: s.worker.username, password: s.worker.password }, ...ip });
    expect(over.statusCode).toBe(429);
  });
});
