import { and, eq, like, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobs } from '../../platform/jobs/schema.ts';
import { rescheduleJob } from '../../platform/jobs/service.ts';
import { notifications } from '../../platform/notify/schema.ts';
import { createTestApp, type TestApp } from '../../test/app.ts';
import { makeUser } from '../../test/factories.ts';
import { runJobsAt, seedTrainingCompany, type Seed } from './testSupport.ts';

let t: TestApp;
let s: Seed;
const START = new Date('2026-12-01T02:00:00Z'); // 10:00 on 1 December in Shanghai
/** 08:00 Shanghai (the default reminder hour) on a day. */
const eight = (day: string) => new Date(`${day}T00:00:00Z`);

beforeAll(async () => {
  t = await createTestApp({ RATE_LIMIT_PER_MINUTE: '100000' });
  t.clock.now = START;
  s = await seedTrainingCompany(t);
});
afterAll(() => t.close());

let seq = 0;
const record = async (personId: string, over: Record<string, unknown>) => {
  const res = await s.as.officer.post('/api/v1/training/certificates', { personId, typeId: s.typeId('special_operation'), category: 'welding', number: `R${++seq}`, issuer: '应急管理局', issuedOn: '2024-06-01', ...over });
  expect(res.statusCode, JSON.stringify(res.body)).toBe(201);
  return res.body;
};
const reminders = (userId: string, certificateId: string, type = 'training.certificate_expiring') =>
  t.db.read((tx) =>
    tx
      .select({ days: sql<number>`(${notifications.data}->>'days')::int` })
      .from(notifications)
      .where(and(eq(notifications.userId, userId), eq(notifications.type, type), sql`${notifications.data}->>'certificateId' = ${certificateId}`)),
  );
const daysOf = async (userId: string, certificateId: string, type?: string) => (await reminders(userId, certificateId, type)).map((r) => r.days).sort((a, b) => b - a);

describe('certificate reminders with the controlled clock', () => {
  it('reminds the holder and the department head 60, 30 and 7 days before expiry, each exactly once', async () => {
    t.clock.now = START;
    // Valid until 15 March 2027: reminders on 14 January, 13 February and 8 March at 08:00 Shanghai.
    const c = await record(s.welder.person.id, { validUntil: '2027-03-15', nextReviewOn: null });
    await runJobsAt(t, new Date(eight('2027-01-14').getTime() - 60_000));
    expect(await daysOf(s.welder.user.id, c.id)).toEqual([]);
    await runJobsAt(t, eight('2027-01-14'));
    expect(await daysOf(s.welder.user.id, c.id)).toEqual([60]);
    // The holder's department head (Assembly), not the team leader.
    expect(await daysOf(s.head.user.id, c.id)).toEqual([60]);
    expect(await daysOf(s.leader.user.id, c.id)).toEqual([]);
    await runJobsAt(t, eight('2027-01-20'));
    expect(await daysOf(s.welder.user.id, c.id)).toEqual([60]);
    await runJobsAt(t, eight('2027-02-13'));
    await runJobsAt(t, eight('2027-03-08'));
    await runJobsAt(t, eight('2027-03-20'));
    expect(await daysOf(s.welder.user.id, c.id)).toEqual([60, 30, 7]);
    expect(await daysOf(s.head.user.id, c.id)).toEqual([60, 30, 7]);
    const [note] = await t.db.read((tx) => tx.select().from(notifications).where(and(eq(notifications.userId, s.welder.user.id), sql`${notifications.data}->>'certificateId' = ${c.id}`, sql`${notifications.data}->>'days' = '7'`)));
    expect(note).toMatchObject({ severity: 'critical' });
    expect(note!.body).toContain('2027-03-15');
    t.clock.now = START;
  });

  it('reminds before the review date too, and skips thresholds already past when the certificate is recorded', async () => {
    t.clock.now = START;
    // Review due 20 December 2026: 60 and 30 days before are past, 7 days before (13 December) is not.
    const c = await record(s.welder.person.id, { issuedOn: '2023-12-21', nextReviewOn: '2026-12-20' });
    await runJobsAt(t, eight('2026-12-13'));
    expect(await daysOf(s.welder.user.id, c.id, 'training.certificate_review_due')).toEqual([7]);
    t.clock.now = START;
  });

  it('re-arms the reminders for a new date when the certificate is renewed, and a reminder fires again for the new date', async () => {
    t.clock.now = START;
    const holder = await makeUser(t.db, s.tenant.id, s.team.id, ['employee']);
    const c = await record(holder.person.id, { validUntil: '2027-01-31', nextReviewOn: null });
    // 60 days before 31 January = 2 December.
    await runJobsAt(t, eight('2026-12-02'));
    expect(await daysOf(holder.user.id, c.id)).toEqual([60]);
    const renewed = await s.as.officer.patch(`/api/v1/training/certificates/${c.id}`, { validUntil: '2027-06-30', version: 1 });
    expect(renewed.statusCode).toBe(200);
    const keys = await t.db.read((tx) => tx.select({ key: jobs.dedupeKey, runAt: jobs.runAt, status: jobs.status }).from(jobs).where(like(jobs.dedupeKey, `training:cert:${c.id}:expiry:%`)));
    expect(keys.find((k) => k.key?.endsWith(':60'))).toMatchObject({ status: 'pending', runAt: eight('2027-05-01') });
    // The old 30-day date (1 January) passes without a reminder.
    await runJobsAt(t, eight('2027-01-02'));
    expect(await daysOf(holder.user.id, c.id)).toEqual([60]);
    await runJobsAt(t, eight('2027-05-01'));
    expect(await daysOf(holder.user.id, c.id)).toEqual([60, 60]);
    // An edit that keeps the date does not re-arm anything.
    await s.as.officer.patch(`/api/v1/training/certificates/${c.id}`, { notes: '已换证', version: 2 });
    await runJobsAt(t, eight('2027-05-02'));
    expect(await daysOf(holder.user.id, c.id)).toEqual([60, 60]);
    t.clock.now = START;
  });

  it('does not remind twice when the runner delivers a reminder job again (at-least-once delivery)', async () => {
    t.clock.now = START;
    const holder = await makeUser(t.db, s.tenant.id, s.team.id, ['employee']);
    const c = await record(holder.person.id, { validUntil: '2027-02-10', nextReviewOn: null });
    await runJobsAt(t, eight('2026-12-12'));
    expect(await daysOf(holder.user.id, c.id)).toEqual([60]);
    // The job ran and is done; a crash before it was marked done would run it again with the same payload.
    const key = `training:cert:${c.id}:expiry:60`;
    expect(await t.db.tx((tx) => rescheduleJob(tx, key, eight('2026-12-12')))).not.toBeNull();
    expect(await runJobsAt(t, eight('2026-12-12'))).toBe(1);
    expect(await daysOf(holder.user.id, c.id)).toEqual([60]);
    t.clock.now = START;
  });

  it('cancels every timer of a revoked certificate', async () => {
    t.clock.now = START;
    const holder = await makeUser(t.db, s.tenant.id, s.team.id, ['employee']);
    const c = await record(holder.person.id, { validUntil: '2027-03-01', nextReviewOn: null });
    await s.as.officer.post(`/api/v1/training/certificates/${c.id}/revoke`, { reason: '吊销', version: 1 });
    const states = await t.db.read((tx) => tx.select({ status: jobs.status }).from(jobs).where(like(jobs.dedupeKey, `training:cert:${c.id}:%`)));
    expect(states.length).toBeGreaterThan(0);
    expect(states.every((j) => j.status === 'cancelled')).toBe(true);
    await runJobsAt(t, eight('2027-03-05'));
    expect(await daysOf(holder.user.id, c.id)).toEqual([]);
    t.clock.now = START;
  });
});
