import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog } from '../../platform/audit/schema.ts';
import { sessions } from '../../platform/auth/schema.ts';
import { newSecret, sha256 } from '../../platform/auth/service.ts';
import { seedChinaPublicDays } from '../../platform/org/calendar.ts';
import { calendarDays } from '../../platform/org/schema.ts';
import { createTestApp, type TestApp } from '../../test/app.ts';
import { runDailyGeneration } from './jobs.ts';
import type { CalendarDayT, TaskListItemT, WorkCalendarT } from './routes.ts';
import { makeMeasure, ok, seedInspectionCompany, type Seed } from './testSupport.ts';

let t: TestApp;
let s: Seed;
// Monday 27 April 2026, 00:30 in Shanghai: the week before Labour Day.
const APRIL_27 = new Date('2026-04-26T16:30:00Z');

async function bearer(user: { id: string; tenantId: string }): Promise<string> {
  const token = newSecret();
  await t.db.tx((tx) => tx.insert(sessions).values({ tokenHash: sha256(token), userId: user.id, tenantId: user.tenantId, createdAt: new Date(), expiresAt: new Date('2100-01-01T00:00:00Z') }));
  return `Bearer ${token}`;
}

const send = async (auth: string, method: 'PUT' | 'DELETE', url: string, payload?: object) => {
  const res = await t.app.inject({ method, url, headers: { authorization: auth, 'accept-language': 'en' }, ...(payload ? { payload } : {}) });
  return { statusCode: res.statusCode, body: res.body ? (JSON.parse(res.body) as CalendarDayT & { code?: string }) : null, type: String(res.headers['content-type'] ?? '') };
};

beforeAll(async () => {
  t = await createTestApp();
  t.clock.now = APRIL_27;
  s = await seedInspectionCompany(t);
  await t.db.tx((tx) => seedChinaPublicDays(tx, s.tenant.id, APRIL_27));
}, 60_000);
afterAll(() => t.close());

const localDay = (iso: string) => new Date(new Date(iso).getTime() + 8 * 3_600_000).toISOString().slice(0, 10);

describe('work-day calendar', () => {
  it('plans no work-day task on a public holiday and one on a make-up Saturday (调休)', async () => {
    const work = await makeMeasure(s, { workDayType: 'workdays' });
    const every = await makeMeasure(s, { workDayType: 'every_day' });
    for (let d = 0; d < 14; d++) await runDailyGeneration(t.db, s.tenant.id, new Date(APRIL_27.getTime() + d * 86_400_000), { notify: false });
    const list = async (measureId: string) =>
      ok(await s.as.safety.get<{ items: TaskListItemT[] }>(`/api/v1/inspections/tasks?limit=200&from=2026-04-27&to=2026-05-10&controlMeasureId=${measureId}`)).items.map((x) => localDay(x.windowStart)).sort();
    const days = await list(work.measureId);
    // Labour Day 2026: Fri 1 May, Mon 4 and Tue 5 May off; Saturday 9 May worked instead.
    expect(days).toEqual(['2026-04-27', '2026-04-28', '2026-04-29', '2026-04-30', '2026-05-06', '2026-05-07', '2026-05-08', '2026-05-09']);
    // Every-day plans ignore the calendar.
    expect(await list(every.measureId)).toHaveLength(14);
  });

  it('lists the seeded holidays and lets the safety director add and remove a day, audited; others get 403, bad input 400', async () => {
    const y = ok(await s.as.worker.get<WorkCalendarT>('/api/v1/inspections/work-calendar?year=2026'));
    expect(y.days.find((d) => d.day === '2026-10-01')).toEqual({ day: '2026-10-01', kind: 'holiday', name: '国庆节' });
    expect(y.days.find((d) => d.day === '2026-09-20')?.kind).toBe('workday');
    const director = await bearer(s.safety.user);
    const put = await send(director, 'PUT', '/api/v1/inspections/work-calendar/2026-12-31', { kind: 'holiday', name: '厂庆' });
    expect(put.statusCode).toBe(200);
    expect(put.body).toEqual({ day: '2026-12-31', kind: 'holiday', name: '厂庆' });
    const rows = await t.db.read((tx) => tx.select().from(calendarDays).where(and(eq(calendarDays.tenantId, s.tenant.id), eq(calendarDays.day, '2026-12-31'))));
    expect(rows).toHaveLength(1);
    const audit = await t.db.read((tx) => tx.select().from(auditLog).where(and(eq(auditLog.tenantId, s.tenant.id), eq(auditLog.action, 'inspection.calendar_day.set'), eq(auditLog.entityId, '2026-12-31'))));
    expect(audit).toHaveLength(1);

    const head = await bearer(s.head.user);
    expect((await send(head, 'PUT', '/api/v1/inspections/work-calendar/2026-12-30', { kind: 'holiday', name: 'x' })).statusCode).toBe(403);
    const bad = await send(director, 'PUT', '/api/v1/inspections/work-calendar/2026-02-30', { kind: 'holiday', name: 'x' });
    expect(bad.statusCode).toBe(400);
    expect(bad.type).toContain('application/problem+json');
    expect((await send(director, 'PUT', '/api/v1/inspections/work-calendar/2026-12-29', { kind: 'vacation', name: 'x' })).statusCode).toBe(400);
    expect(await t.db.read((tx) => tx.select().from(calendarDays).where(and(eq(calendarDays.tenantId, s.tenant.id), eq(calendarDays.day, '2026-12-29'))))).toHaveLength(0);

    expect((await send(director, 'DELETE', '/api/v1/inspections/work-calendar/2026-12-31')).statusCode).toBe(204);
    expect((await send(director, 'DELETE', '/api/v1/inspections/work-calendar/2026-12-31')).statusCode).toBe(404);
    // Another company sees none of it.
    const other = ok(await s.stranger.get<WorkCalendarT>('/api/v1/inspections/work-calendar?year=2026'));
    expect(other.days).toEqual([]);
  });
});
