import { and, eq, like, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog } from '../../platform/audit/schema.ts';
import { AppError } from '../../platform/http/errors.ts';
import { jobs } from '../../platform/jobs/schema.ts';
import { notifications } from '../../platform/notify/schema.ts';
import { createTestApp, type TestApp } from '../../test/app.ts';
import { ctxFor } from '../../test/factories.ts';
import { runReassessmentDue } from './reassessment.ts';
import type { AssessResponse, EventDetailT } from './routes.ts';
import { riskEvents } from './schema.ts';
import { requestReassessment } from './service.ts';
import { DAY, makeRegister, runJobsAt, seedRiskCompany, type Seed } from './testSupport.ts';

let t: TestApp;
let s: Seed;

beforeAll(async () => {
  t = await createTestApp({ RATE_LIMIT_PER_MINUTE: '100000' });
  s = await seedRiskCompany(t);
});
afterAll(() => t.close());

const notes = (userId: string, eventId: string, type: string) =>
  t.db.read(async (tx) => (await tx.select().from(notifications).where(and(eq(notifications.userId, userId), eq(notifications.type, type), sql`${notifications.data}->>'riskEventId' = ${eventId}`))).length);
const eventJobs = (eventId: string) => t.db.read((tx) => tx.select().from(jobs).where(like(jobs.dedupeKey, `risk:event:${eventId}:reassess:%`)));
const eventRow = async (id: string) => (await t.db.read((tx) => tx.select().from(riskEvents).where(eq(riskEvents.id, id))))[0]!;
const assess = (eventId: string, kind = 'inherent') => s.as.safety.post<AssessResponse>(`/api/v1/risks/events/${eventId}/assessments`, { methodCode: 'lec', kind, factors: { L: 3, E: 6, C: 7 } });

describe('re-assessment reminders', () => {
  it('reminds the responsible person once when the yearly re-assessment falls due (test clock), and re-arms on the next assessment', async () => {
    const start = new Date(t.clock.now.getTime());
    const r = await makeRegister(s);
    const first = (await assess(r.event.id)).body;
    const due = new Date(first.event.reassessDueAt!);
    const [job] = await eventJobs(r.event.id);
    expect(job).toMatchObject({ status: 'pending', kind: 'risk.reassessment_due' });
    expect(job!.runAt.toISOString()).toBe(due.toISOString());

    await runJobsAt(t, new Date(due.getTime() - 60_000));
    expect(await notes(s.head.user.id, r.event.id, 'risk.reassessment_due')).toBe(0);
    await runJobsAt(t, due);
    expect(await notes(s.head.user.id, r.event.id, 'risk.reassessment_due')).toBe(1);
    await runJobsAt(t, new Date(due.getTime() + 3 * DAY));
    expect(await notes(s.head.user.id, r.event.id, 'risk.reassessment_due')).toBe(1);

    // The runner delivers at least once: the same job handled again notifies nobody again.
    const [done] = await eventJobs(r.event.id);
    expect(done!.status).toBe('done');
    await runReassessmentDue({ db: t.db, job: done!, now: t.clock.now });
    expect(await notes(s.head.user.id, r.event.id, 'risk.reassessment_due')).toBe(1);
    const audit = await t.db.read((tx) => tx.select().from(auditLog).where(and(eq(auditLog.entityId, r.event.id), eq(auditLog.action, 'risk.reassessment_due'))));
    expect(audit).toHaveLength(1);
    expect(audit[0]!.after).toMatchObject({ notifiedUserId: s.head.user.id });
    // It shows as due in the register.
    const dueList = (await s.as.safety.get<{ items: { id: string }[] }>(`/api/v1/risks/events?reassessDue=true&objectId=${r.object.id}`)).body;
    expect(dueList.items.map((e) => e.id)).toEqual([r.event.id]);

    // Assessing again sets the next due date a year on and arms exactly one pending reminder for it.
    const second = (await assess(r.event.id)).body;
    const pending = (await eventJobs(r.event.id)).filter((j) => j.status === 'pending');
    expect(pending).toHaveLength(1);
    expect(pending[0]!.runAt.toISOString()).toBe(second.event.reassessDueAt);
    expect(new Date(second.event.reassessDueAt!).getTime()).toBeGreaterThan(due.getTime() + 300 * DAY);
    t.clock.now = start;
  });

  it('archiving the event stops its reminder', async () => {
    const r = await makeRegister(s);
    const a = (await assess(r.event.id)).body;
    const res = await s.as.safety.post<EventDetailT>(`/api/v1/risks/events/${r.event.id}/archive`, { reason: '设备报废', version: a.event.version });
    expect(res.statusCode).toBe(200);
    const js = await eventJobs(r.event.id);
    expect(js.map((j) => j.status)).toEqual(['cancelled']);
  });
});

describe('requestReassessment (called by hazards or incidents)', () => {
  it('makes the event due now and notifies the responsible person once per source, whoever triggered it; the next assessment answers it', async () => {
    const r = await makeRegister(s);
    await assess(r.event.id);
    // A worker's hazard report triggers it: the worker holds no risk permission, the hazards module decided.
    const ctx = await ctxFor(t.db, s.worker.user.id, () => t.clock.now);
    const input = { riskEventId: r.event.id, reason: '关联隐患 YH-2026-000123：焊接烟尘净化器故障', source: { type: 'hazard', id: 'h-123' } };
    const first = await requestReassessment(ctx, input);
    expect(first).toMatchObject({ created: true, notifiedUserId: s.head.user.id });
    const again = await requestReassessment(ctx, input);
    expect(again).toMatchObject({ created: false, requestId: first.requestId });
    expect(await notes(s.head.user.id, r.event.id, 'risk.reassessment_requested')).toBe(1);
    const row = await eventRow(r.event.id);
    expect(row.reassessDueAt?.toISOString()).toBe(t.clock.now.toISOString());
    // The yearly reminder is replaced by the request (no second message for the same due date).
    expect((await eventJobs(r.event.id)).filter((j) => j.status === 'pending')).toHaveLength(0);
    const audit = await t.db.read((tx) => tx.select().from(auditLog).where(and(eq(auditLog.entityId, r.event.id), eq(auditLog.action, 'risk.reassessment_requested'))));
    expect(audit).toHaveLength(1);

    const detail = (await s.as.safety.get<EventDetailT>(`/api/v1/risks/events/${r.event.id}`)).body;
    expect(detail.openRequests.map((q) => q.sourceId)).toEqual(['h-123']);
    await assess(r.event.id, 'residual');
    const answered = (await s.as.safety.get<EventDetailT>(`/api/v1/risks/events/${r.event.id}`)).body;
    expect(answered.openRequests).toHaveLength(0);
    expect(new Date(answered.reassessDueAt!).getTime()).toBeGreaterThan(t.clock.now.getTime() + 300 * DAY);
  });

  it('refuses another company’s event (404) and an archived one (409); over HTTP it needs risk:assess', async () => {
    const r = await makeRegister(s);
    const strangerCtx = await ctxFor(t.db, s.stranger.user.id, () => t.clock.now);
    await expect(requestReassessment(strangerCtx, { riskEventId: r.event.id, reason: 'x' })).rejects.toMatchObject({ code: 'not_found' });
    const worker = await s.as.worker.post(`/api/v1/risks/events/${r.event.id}/reassessment-requests`, { reason: '事故类比' });
    expect(worker.statusCode).toBe(403);
    const ok = await s.as.safety.post<{ created: boolean }>(`/api/v1/risks/events/${r.event.id}/reassessment-requests`, { reason: '事故类比' });
    expect(ok.statusCode).toBe(201);
    expect(ok.body.created).toBe(true);
    const row = await eventRow(r.event.id);
    await s.as.safety.post(`/api/v1/risks/events/${r.event.id}/archive`, { reason: '拆除', version: row.version });
    const ctx = await ctxFor(t.db, s.safety.user.id, () => t.clock.now);
    const archived = await requestReassessment(ctx, { riskEventId: r.event.id, reason: 'x' }).catch((e: unknown) => e);
    expect(archived).toBeInstanceOf(AppError);
    expect((archived as AppError).code).toBe('conflict');
  });
});
