import { and, eq, like, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog } from '../../platform/audit/schema.ts';
import { runDueJobs } from '../../platform/jobs/runner.ts';
import { jobs } from '../../platform/jobs/schema.ts';
import { notifications } from '../../platform/notify/schema.ts';
import { outboxEvents as outbox } from '../../platform/events/schema.ts';
import { createTestApp, type TestApp } from '../../test/app.ts';
import { HOUR, makeFile, seedHazardCompany, verifyByRole, type Seed } from './testSupport.ts';

let t: TestApp;
let s: Seed;
let photo: string;

beforeAll(async () => {
  t = await createTestApp({ RATE_LIMIT_PER_MINUTE: '100000' });
  s = await seedHazardCompany(t);
  await verifyByRole(s);
  photo = await makeFile(t, s.tenant.id);
});
afterAll(() => t.close());

const report = async (over: Record<string, unknown> = {}) => {
  const r = await s.as.worker.post('/api/v1/hazards', { title: 'Guard missing on lathe', category: 'safety', level: 'general', orgUnitId: s.team.id, photoIds: [photo], ...over });
  expect(r.statusCode).toBe(201);
  return r.body;
};

const notes = (userId: string, hazardId: string, type: string) =>
  t.db.read(async (tx) => (await tx.select().from(notifications).where(and(eq(notifications.userId, userId), eq(notifications.type, type), sql`${notifications.data}->>'hazardId' = ${hazardId}`))).length);

const breachJob = (hazardId: string) =>
  t.db.read(async (tx) => (await tx.select().from(jobs).where(and(like(jobs.dedupeKey, `hazard:${hazardId}:rectify:breach`), eq(jobs.status, 'pending'))))[0] ?? null);

describe('regrading a hazard (level / category)', () => {
  it('moves the deadlines to the new level, audits it, emits an event, adds a timeline step and tells the assignee', async () => {
    const h = await report();
    expect(h.rectifyDueAt).toBe(new Date(new Date(h.reportedAt).getTime() + 24 * HOUR).toISOString());
    t.clock.advance(HOUR);
    const officerView = await s.as.officer.get(`/api/v1/hazards/${h.id}`);
    expect(officerView.body.actions).toContain('regrade');
    expect((await s.as.worker.get(`/api/v1/hazards/${h.id}`)).body.actions).not.toContain('regrade');

    const r = await s.as.officer.post(`/api/v1/hazards/${h.id}/regrade`, { level: 'serious', category: 'equipment', reason: 'The lathe runs unattended at night' }, { 'if-match': `"${h.version}"` });
    expect(r.statusCode).toBe(200);
    // 较大: 72 h to rectify from the report (not from the regrade); the same owner.
    expect(r.body).toMatchObject({ level: 'serious', category: 'equipment', assigneeUserId: h.assigneeUserId, version: h.version + 1 });
    expect(r.body.rectifyDueAt).toBe(new Date(new Date(h.reportedAt).getTime() + 72 * HOUR).toISOString());
    const step = r.body.timeline.at(-1);
    expect(step).toMatchObject({ action: 'regraded', actorUserId: s.officer.user.id, comment: 'The lathe runs unattended at night', data: { fromLevel: 'general', toLevel: 'serious', fromCategory: 'safety', toCategory: 'equipment' } });

    const [audit] = await t.db.read((tx) => tx.select().from(auditLog).where(and(eq(auditLog.entityId, h.id), eq(auditLog.action, 'hazard.regraded'))));
    expect(audit?.before).toMatchObject({ level: 'general', category: 'safety' });
    expect(audit?.after).toMatchObject({ level: 'serious', category: 'equipment', reason: 'The lathe runs unattended at night' });
    const [event] = await t.db.read((tx) => tx.select().from(outbox).where(and(eq(outbox.entityId, h.id), eq(outbox.type, 'hazard.regraded'))));
    expect(event?.payload).toMatchObject({ fromLevel: 'general', toLevel: 'serious' });
    // The rectification breach timer moved with the deadline.
    expect((await breachJob(h.id))?.runAt.toISOString()).toBe(r.body.rectifyDueAt);
    expect(await notes(h.assigneeUserId ?? '', h.id, 'hazard.regraded')).toBe(1);
  });

  it('enters the major-hazard path on an upgrade to 重大, as a report at 重大 does', async () => {
    const h = await report({ title: 'Standing water under the pouring area' });
    const r = await s.as.officer.post(`/api/v1/hazards/${h.id}/regrade`, { level: 'major', reason: 'Molten metal over water: 工贸重大隐患判定标准', version: h.version });
    expect(r.statusCode).toBe(200);
    expect(r.body).toMatchObject({ level: 'major', reportToAuthority: true, reportedToAuthorityAt: null });
    expect(r.body.rectifyDueAt).toBe(new Date(new Date(h.reportedAt).getTime() + 30 * 24 * HOUR).toISOString());
    expect(r.body.blockers).toEqual(['treatment_plan_missing', 'signoff_missing:role:safety_director', 'signoff_missing:role:general_manager']);
    expect(r.body.actions).toEqual(expect.arrayContaining(['save_treatment_plan', 'report_to_authority']));
    for (const who of [s.safety, s.gm]) expect(await notes(who.user.id, h.id, 'hazard.major_reported'), who.user.id).toBe(1);
  });

  it('downgrades a major hazard before its sign-off started, clearing only the authority flag', async () => {
    const h = await report({ level: 'major', title: 'Suspected shared dust system' });
    const r = await s.as.officer.post(`/api/v1/hazards/${h.id}/regrade`, { level: 'serious', reason: 'Systems are separate after all', version: h.version });
    expect(r.statusCode).toBe(200);
    expect(r.body).toMatchObject({ level: 'serious', reportToAuthority: false, blockers: [], signoffRequirements: [] });
    expect(r.body.rectifyDueAt).toBe(new Date(new Date(h.reportedAt).getTime() + 72 * HOUR).toISOString());
  });

  it('refuses to downgrade a major hazard once sign-off started, or once it was reported to the authority', async () => {
    const h = await report({ level: 'major', title: 'Tank without SIS' });
    const plan = {
      goal: 'g',
      methods: 'm',
      fundsYuan: 1,
      materials: 'x',
      responsibleOrg: 'o',
      responsiblePeople: 'p',
      timeLimit: new Date(t.clock.now.getTime() + 10 * 24 * HOUR).toISOString(),
      requirements: 'r',
      safetyMeasures: 's',
      emergencyPlan: 'e',
    };
    const planned = await s.as.officer.put(`/api/v1/hazards/${h.id}/treatment-plan`, { ...plan, version: h.version });
    const signed = await s.as.safety.post(`/api/v1/hazards/${h.id}/signoffs`, { version: planned.body.version });
    expect(signed.statusCode).toBe(200);
    const r = await s.as.officer.post(`/api/v1/hazards/${h.id}/regrade`, { level: 'general', reason: 'Not so bad', version: signed.body.version });
    expect(r.statusCode).toBe(409);
    expect(r.body.blockers).toEqual(['signoff_started']);

    const h2 = await report({ level: 'major', title: 'Reported already' });
    const told = await s.as.officer.post(`/api/v1/hazards/${h2.id}/authority-report`, { version: h2.version });
    const r2 = await s.as.officer.post(`/api/v1/hazards/${h2.id}/regrade`, { level: 'general', reason: 'Not so bad', version: told.body.version });
    expect(r2.statusCode).toBe(409);
    expect(r2.body.blockers).toEqual(['reported_to_authority']);
    // A new category alone is fine.
    const r3 = await s.as.officer.post(`/api/v1/hazards/${h2.id}/regrade`, { category: 'process', reason: 'It is a process hazard', version: told.body.version });
    expect(r3.statusCode).toBe(200);
    expect(r3.body).toMatchObject({ level: 'major', category: 'process', reportToAuthority: true });
  });

  it('refuses a worker, a closed hazard, a stale version, the same level, a missing reason and an unknown category', async () => {
    const h = await report();
    const body = { level: 'serious', reason: 'Worse than it looks', version: h.version };
    expect((await s.as.worker.post(`/api/v1/hazards/${h.id}/regrade`, body)).statusCode).toBe(403);
    expect((await s.as.leader.post(`/api/v1/hazards/${h.id}/regrade`, body)).statusCode).toBe(403);
    const stale = await s.as.officer.post(`/api/v1/hazards/${h.id}/regrade`, { ...body, version: h.version - 1 });
    expect(stale.statusCode).toBe(409);
    expect(stale.body.code).toBe('version_conflict');
    const same = await s.as.officer.post(`/api/v1/hazards/${h.id}/regrade`, { ...body, level: 'general' });
    expect(same.statusCode).toBe(400);
    expect(same.body.errors?.[0]).toMatchObject({ field: 'level', rule: 'changed' });
    expect((await s.as.officer.post(`/api/v1/hazards/${h.id}/regrade`, { level: 'serious', version: h.version })).statusCode).toBe(400);
    const blank = await s.as.officer.post(`/api/v1/hazards/${h.id}/regrade`, { ...body, reason: '   ' });
    expect(blank.statusCode).toBe(400);
    expect(blank.body.errors?.[0]).toMatchObject({ field: 'reason' });
    expect((await s.as.officer.post(`/api/v1/hazards/${h.id}/regrade`, { reason: 'x', version: h.version })).statusCode).toBe(400);
    const unknown = await s.as.officer.post(`/api/v1/hazards/${h.id}/regrade`, { category: 'no_such_thing', reason: 'x', version: h.version });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.body.errors?.[0]).toMatchObject({ field: 'category', rule: 'enum' });

    const rejected = await s.as.officer.post(`/api/v1/hazards/${h.id}/reject`, { reason: 'Guard is in place', version: h.version });
    expect(rejected.body.status).toBe('rejected');
    const closed = await s.as.officer.post(`/api/v1/hazards/${h.id}/regrade`, { ...body, version: rejected.body.version });
    expect(closed.statusCode).toBe(409);
    expect(closed.body.code).toBe('conflict');
    expect(rejected.body.actions).not.toContain('regrade');
    // Nothing of the refused attempts reached the record.
    const [audit] = await t.db.read((tx) => tx.select({ n: sql<number>`count(*)::int` }).from(auditLog).where(and(eq(auditLog.entityId, h.id), eq(auditLog.action, 'hazard.regraded'))));
    expect(audit?.n).toBe(0);
  });

  it("answers 404 for another company's hazard", async () => {
    const other = await seedHazardCompany(t);
    const h = await report();
    const r = await other.as.officer.post(`/api/v1/hazards/${h.id}/regrade`, { level: 'serious', reason: 'x', version: h.version });
    expect(r.statusCode).toBe(404);
  });

  it('lets the breach fire when a downgrade moves the deadline into the past, and clears the overdue flag when an upgrade moves it into the future', async () => {
    const h = await report({ level: 'serious', title: 'Overdue one' });
    t.clock.advance(30 * HOUR);
    // 较大 → 一般: 24 h from the report instead of 72 h, already past 30 h after the report.
    const down = await s.as.officer.post(`/api/v1/hazards/${h.id}/regrade`, { level: 'general', reason: 'Minor after all', version: h.version });
    expect(down.statusCode).toBe(200);
    expect(new Date(down.body.rectifyDueAt ?? '').getTime()).toBeLessThan(t.clock.now.getTime());
    const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };
    while ((await runDueJobs(t.db, { now: () => t.clock.now, instanceId: 'regrade-test', log: silent })).claimed > 0);
    const after = await s.as.officer.get(`/api/v1/hazards/${h.id}`);
    expect(after.body.rectifyOverdue).toBe(true);
    const up = await s.as.officer.post(`/api/v1/hazards/${h.id}/regrade`, { level: 'serious', reason: 'Back to 较大', version: after.body.version });
    expect(up.body).toMatchObject({ rectifyOverdue: false, rectifyDueAt: new Date(new Date(h.reportedAt).getTime() + 72 * HOUR).toISOString() });
  });
});
