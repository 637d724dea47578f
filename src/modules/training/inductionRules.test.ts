import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notifications } from '../../platform/notify/schema.ts';
import { createTestApp, type TestApp } from '../../test/app.ts';
import { makePerson } from '../../test/factories.ts';
import type { InductionT, QualificationResultT } from './routes.ts';
import { runJobsAt, seedTrainingCompany, type Seed } from './testSupport.ts';

let t: TestApp;
let s: Seed;
const START = new Date('2026-12-01T02:00:00Z'); // 10:00 in Shanghai, due 2026-12-04

beforeAll(async () => {
  t = await createTestApp({ RATE_LIMIT_PER_MINUTE: '100000' });
  t.clock.now = START;
  s = await seedTrainingCompany(t);
});
afterAll(() => t.close());

const open = async () => {
  const p = await makePerson(t.db, s.tenant.id, s.team.id);
  const res = await s.as.officer.post<{ items: InductionT[] }>(`/api/v1/training/people/${p.id}/inductions`);
  expect(res.statusCode).toBe(200);
  return { p, items: res.body.items };
};
const headNotices = (personId: string) =>
  t.db.read((tx) =>
    tx
      .select()
      .from(notifications)
      .where(and(eq(notifications.userId, s.head.user.id), eq(notifications.type, 'training.induction_overdue'))),
  ).then((rows) => rows.filter((n) => (n.data as { personId?: string }).personId === personId));

describe('three-level induction rules', () => {
  it('refuses to record a level below its minimum hours (8 by default), changing nothing', async () => {
    const { p, items } = await open();
    const company = items.find((i) => i.level === 'company')!;
    const short = await s.as.officer.post(`/api/v1/training/people/${p.id}/inductions/company/complete`, { hours: 4, version: company.version });
    expect(short.statusCode).toBe(400);
    expect(short.body.errors?.[0]).toMatchObject({ field: 'hours', rule: 'minimum' });
    const after = (await s.as.officer.get<{ items: InductionT[] }>(`/api/v1/training/people/${p.id}/inductions`)).body.items.find((i) => i.level === 'company');
    expect(after).toMatchObject({ status: 'pending', version: company.version });
    // Still denied with induction_incomplete.
    const check = await s.as.officer.get<QualificationResultT>(`/api/v1/qualifications/check?personId=${p.id}&for=operation:confined_space`);
    expect(check.body.reasons.map((r) => r.code)).toEqual(['induction_incomplete']);
  });

  it('escalates an overdue induction to the department head once, and not when it was completed in time', async () => {
    const late = await open();
    const done = await open();
    for (const level of ['company', 'workshop', 'team'] as const) {
      const v = done.items.find((i) => i.level === level)!.version;
      expect((await s.as.officer.post(`/api/v1/training/people/${done.p.id}/inductions/${level}/complete`, { hours: 8, version: v })).statusCode).toBe(200);
    }
    // Nothing before the day after the due day.
    await runJobsAt(t, new Date('2026-12-04T12:00:00Z'));
    expect(await headNotices(late.p.id)).toHaveLength(0);
    await runJobsAt(t, new Date('2026-12-05T01:00:00Z')); // 09:00 Shanghai on 12-05
    const sent = await headNotices(late.p.id);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.title).toContain('三级安全教育逾期');
    expect(await headNotices(done.p.id)).toHaveLength(0);
    await runJobsAt(t, new Date('2026-12-06T01:00:00Z'));
    expect(await headNotices(late.p.id)).toHaveLength(1);
    t.clock.now = START;
  });
});
