import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, seedSmallCompany, type TestApp } from '../../test/app.ts';

let t: TestApp;
let s: Awaited<ReturnType<typeof seedSmallCompany>>;

beforeAll(async () => {
  t = await createTestApp();
  s = await seedSmallCompany(t);
});
afterAll(() => t.close());

describe('test notification', () => {
  it('puts a message in my own inbox only, in my language', async () => {
    const me = await t.login(s.worker.username, s.worker.password);
    const other = await t.login(s.leader.username, s.leader.password);
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/notifications/test', headers: { authorization: me.authorization, 'accept-language': 'en' } });
    expect(res.statusCode).toBe(201);
    const list = await t.app.inject({ method: 'GET', url: '/api/v1/notifications?unread=true', headers: { authorization: me.authorization } });
    expect(list.json().items).toHaveLength(1);
    expect(list.json().items[0]).toMatchObject({ id: res.json().id, type: 'system.test', title: 'Test notification' });
    const count = await t.app.inject({ method: 'GET', url: '/api/v1/notifications/unread-count', headers: { authorization: other.authorization } });
    expect(count.json()).toEqual({ count: 0 });
  });
});
