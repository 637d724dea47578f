import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, seedSmallCompany, type TestApp } from '../../test/app.ts';

let t: TestApp;
let s: Awaited<ReturnType<typeof seedSmallCompany>>;
let authorization: string;

beforeAll(async () => {
  t = await createTestApp();
  s = await seedSmallCompany(t);
  authorization = (await t.login(s.worker.username, s.worker.password)).authorization;
});
afterAll(() => t.close());

const unread = async () =>
  (await t.app.inject({ method: 'GET', url: '/api/v1/notifications/unread-count', headers: { authorization } })).json().count as number;

describe('Idempotency-Key', () => {
  it('a replayed write returns the first response and is applied once', async () => {
    const before = await unread();
    const headers = { authorization, 'idempotency-key': 'offline-queue-0001' };
    const first = await t.app.inject({ method: 'POST', url: '/api/v1/notifications/test', headers });
    const replay = await t.app.inject({ method: 'POST', url: '/api/v1/notifications/test', headers });
    expect(first.statusCode).toBe(201);
    expect(replay.statusCode).toBe(201);
    expect(replay.json()).toEqual(first.json());
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(await unread()).toBe(before + 1);
  });

  it('concurrent copies of one write run it once', async () => {
    const before = await unread();
    const headers = { authorization, 'idempotency-key': 'offline-queue-0002' };
    const results = await Promise.all(Array.from({ length: 6 }, () => t.app.inject({ method: 'POST', url: '/api/v1/notifications/test', headers })));
    const codes = results.map((r) => r.statusCode);
    // One runs; the others either replay its response or are told it is still running (409), never run again.
    expect(codes.filter((c) => c === 201).length).toBeGreaterThanOrEqual(1);
    expect(codes.every((c) => c === 201 || c === 409)).toBe(true);
    expect(await unread()).toBe(before + 1);
  });

  it('the same key for a different request is refused with 422 and changes nothing', async () => {
    const headers = { authorization, 'idempotency-key': 'offline-queue-0003' };
    await t.app.inject({ method: 'POST', url: '/api/v1/notifications/test', headers });
    const before = await unread();
    const other = await t.app.inject({ method: 'POST', url: '/api/v1/notifications/read-all', headers });
    expect(other.statusCode).toBe(422);
    expect(other.json().code).toBe('idempotency_key_reused');
    expect(await unread()).toBe(before);
  });

  it('keys are per user: another user with the same key gets their own write', async () => {
    const leader = (await t.login(s.leader.username, s.leader.password)).authorization;
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/notifications/test', headers: { authorization: leader, 'idempotency-key': 'offline-queue-0001' } });
    expect(res.statusCode).toBe(201);
    expect(res.headers['idempotent-replayed']).toBeUndefined();
  });

  it('rejects a malformed key with 400', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/notifications/read-all', headers: { authorization, 'idempotency-key': 'bad key with spaces' } });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('bad_request');
  });
});
