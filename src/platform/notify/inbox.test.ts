import { eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, seedSmallCompany, type TestApp } from '../../test/app.ts';
import { makeTenant, makeUser } from '../../test/factories.ts';
import { users } from '../auth/schema.ts';
import { systemCtx } from '../auth/actor.ts';
import { outboxEvents } from '../events/schema.ts';
import { notifications } from './schema.ts';
import { notifyUsers, type NotifyInput } from './service.ts';

let t: TestApp;
let s: Awaited<ReturnType<typeof seedSmallCompany>>;
let worker: string;
let leader: string;

beforeAll(async () => {
  t = await createTestApp();
  s = await seedSmallCompany(t);
  worker = (await t.login(s.worker.username, s.worker.password)).authorization;
  leader = (await t.login(s.leader.username, s.leader.password)).authorization;
});
afterAll(() => t.close());

const ctx = () => systemCtx(t.db, s.tenant.id, () => t.clock.now);
const notify = (input: Partial<NotifyInput> & { userIds: string[] }) => t.db.tx((tx) => notifyUsers(tx, ctx(), { type: 'hazard.assigned', title: 'A hazard was assigned to you', ...input }));
const get = (url: string, authorization: string) => t.app.inject({ method: 'GET', url, headers: { authorization } });
const post = (url: string, authorization: string) => t.app.inject({ method: 'POST', url, headers: { authorization } });

describe('notifyUsers', () => {
  it('writes one inbox row per user and a notification.created event for each, in the caller transaction', async () => {
    const { ids } = await notify({ userIds: [s.head.user.id, s.auditor.user.id, s.head.user.id], severity: 'critical', data: { hazardId: 'h1' } });
    expect(ids).toHaveLength(2);
    const rows = await t.db.read((tx) => tx.select().from(notifications).where(inArray(notifications.id, ids)));
    expect(rows.map((r) => r.userId).sort()).toEqual([s.head.user.id, s.auditor.user.id].sort());
    const events = await t.db.read((tx) => tx.select().from(outboxEvents).where(inArray(outboxEvents.entityId, ids)));
    expect(events).toHaveLength(2);
    expect(events[0]).toMatchObject({ type: 'notification.created', entityType: 'notification', tenantId: s.tenant.id });
    expect(events.map((e) => e.payload).sort((a, b) => String(a.userId).localeCompare(String(b.userId)))).toEqual(
      rows
        // One batch id per call: group robots post one message for all its recipients.
        .map((r) => ({ notificationId: r.id, userId: r.userId, type: 'hazard.assigned', severity: 'critical', batchId: events[0]?.payload.batchId }))
        .sort((a, b) => a.userId.localeCompare(b.userId)),
    );
    expect(events[0]?.payload.batchId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('writes neither inbox rows nor events when the caller transaction rolls back', async () => {
    let created: string[] = [];
    await expect(
      t.db.tx(async (tx) => {
        created = (await notifyUsers(tx, ctx(), { userIds: [s.head.user.id], type: 'hazard.assigned', title: 'rolled back' })).ids;
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    expect(created).toHaveLength(1);
    expect(await t.db.read((tx) => tx.select().from(notifications).where(inArray(notifications.id, created)))).toEqual([]);
    expect(await t.db.read((tx) => tx.select().from(outboxEvents).where(inArray(outboxEvents.entityId, created)))).toEqual([]);
  });

  it('refuses a user of another tenant and writes nothing', async () => {
    const other = await makeTenant(t.db, 'Other Co');
    const stranger = await makeUser(t.db, other.tenant.id, other.rootUnitId, ['employee']);
    await expect(notify({ userIds: [s.head.user.id, stranger.user.id], title: 'cross-tenant' })).rejects.toMatchObject({ code: 'validation_failed' });
    expect(await t.db.read((tx) => tx.select().from(notifications).where(eq(notifications.title, 'cross-tenant')))).toEqual([]);
  });

  it('skips disabled users and validates title, link and type', async () => {
    const gone = await makeUser(t.db, s.tenant.id, s.team.id, ['employee']);
    await t.db.tx((tx) => tx.update(users).set({ status: 'disabled' }).where(eq(users.id, gone.user.id)));
    expect((await notify({ userIds: [gone.user.id] })).ids).toEqual([]);
    await expect(notify({ userIds: [s.head.user.id], title: ' ' })).rejects.toMatchObject({ code: 'validation_failed', errors: [{ field: 'title' }] });
    await expect(notify({ userIds: [s.head.user.id], link: 'javascript:alert(1)' })).rejects.toMatchObject({ errors: [{ field: 'link' }] });
    await expect(notify({ userIds: [s.head.user.id], type: 'Not A Type' })).rejects.toMatchObject({ errors: [{ field: 'type' }] });
  });
});

describe('inbox over HTTP', () => {
  let mine: string[] = [];
  let leaders: string;

  beforeAll(async () => {
    mine = [];
    for (const title of ['first', 'second', 'third']) {
      t.clock.advance(60_000);
      mine.push(...(await notify({ userIds: [s.worker.user.id], title, link: '/hazards/1', body: `${title} body` })).ids);
    }
    leaders = (await notify({ userIds: [s.leader.user.id], title: 'leader only' })).ids[0] as string;
  });

  it('returns 401 without sign-in', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/notifications' });
    expect(res.statusCode).toBe(401);
  });

  it('lists own notifications newest first with a cursor', async () => {
    const page1 = await get('/api/v1/notifications?limit=2', worker);
    expect(page1.statusCode).toBe(200);
    const body1 = page1.json();
    expect(body1.items.map((n: { title: string }) => n.title)).toEqual(['third', 'second']);
    expect(body1.items[0]).toEqual({
      id: mine[2],
      type: 'hazard.assigned',
      severity: 'info',
      title: 'third',
      body: 'third body',
      link: '/hazards/1',
      data: {},
      createdAt: expect.any(String),
      readAt: null,
    });
    expect(body1.nextCursor).toEqual(expect.any(String));
    const page2 = (await get(`/api/v1/notifications?limit=2&cursor=${body1.nextCursor}`, worker)).json();
    expect(page2.items.map((n: { title: string }) => n.title)).toEqual(['first']);
    expect(page2.nextCursor).toBeNull();
    const bad = await get('/api/v1/notifications?cursor=garbage', worker);
    expect(bad.statusCode).toBe(400);
  });

  it('counts unread, marks one read, filters unread and leaves others untouched', async () => {
    expect((await get('/api/v1/notifications/unread-count', worker)).json()).toEqual({ count: 3 });
    const read = await post(`/api/v1/notifications/${mine[1]}/read`, worker);
    expect(read.statusCode).toBe(204);
    // Reading again is fine and keeps the first read time.
    const firstReadAt = (await get('/api/v1/notifications', worker)).json().items.find((n: { id: string }) => n.id === mine[1]).readAt;
    expect(firstReadAt).toBe(t.clock.now.toISOString());
    t.clock.advance(1000);
    expect((await post(`/api/v1/notifications/${mine[1]}/read`, worker)).statusCode).toBe(204);
    expect((await get('/api/v1/notifications', worker)).json().items.find((n: { id: string }) => n.id === mine[1]).readAt).toBe(firstReadAt);

    expect((await get('/api/v1/notifications/unread-count', worker)).json()).toEqual({ count: 2 });
    const unread = (await get('/api/v1/notifications?unread=true', worker)).json();
    expect(unread.items.map((n: { id: string }) => n.id)).toEqual([mine[2], mine[0]]);
  });

  it("returns 404 for someone else's notification and leaves it unread", async () => {
    const res = await post(`/api/v1/notifications/${leaders}/read`, worker);
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe('not_found');
    expect((await post('/api/v1/notifications/0190f0e0-0000-7000-8000-000000000000/read', worker)).statusCode).toBe(404);
    expect((await get('/api/v1/notifications/unread-count', leader)).json()).toEqual({ count: 1 });
    expect((await get('/api/v1/notifications', worker)).json().items.map((n: { id: string }) => n.id)).not.toContain(leaders);
  });

  it('marks all own notifications read, and only own', async () => {
    const res = await post('/api/v1/notifications/read-all', worker);
    expect(res.statusCode).toBe(204);
    expect((await get('/api/v1/notifications/unread-count', worker)).json()).toEqual({ count: 0 });
    expect((await get('/api/v1/notifications?unread=true', worker)).json().items).toEqual([]);
    expect((await get('/api/v1/notifications/unread-count', leader)).json()).toEqual({ count: 1 });
  });
});
