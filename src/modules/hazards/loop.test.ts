import { and, asc, eq, like, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog } from '../../platform/audit/schema.ts';
import { outboxEvents } from '../../platform/events/schema.ts';
import { jobs } from '../../platform/jobs/schema.ts';
import { notifications } from '../../platform/notify/schema.ts';
import { createTestApp, type TestApp } from '../../test/app.ts';
import { makeTenant, makeUser } from '../../test/factories.ts';
import type { Leaderboard } from './points.ts';
import { hazardPoints, hazards } from './schema.ts';
import { client, HOUR, makeFile, seedHazardCompany, verifyByRole, type Client, type Seed } from './testSupport.ts';

let t: TestApp;
let s: Seed;
let photo: string;
let afterPhoto: string;

beforeAll(async () => {
  t = await createTestApp({ RATE_LIMIT_PER_MINUTE: '100000' });
  s = await seedHazardCompany(t);
  await verifyByRole(s);
  photo = await makeFile(t, s.tenant.id);
  afterPhoto = await makeFile(t, s.tenant.id);
});
afterAll(() => t.close());

const report = (c: Client, over: Record<string, unknown> = {}) =>
  c.post('/api/v1/hazards', { title: 'Guard rail missing at press 3', description: 'Rail removed for maintenance', category: 'safety', level: 'general', orgUnitId: s.team.id, photoIds: [photo], ...over });

const notesOf = (userId: string, hazardId: string, type?: string) =>
  t.db.read((tx) =>
    tx
      .select()
      .from(notifications)
      .where(and(eq(notifications.userId, userId), sql`${notifications.data}->>'hazardId' = ${hazardId}`, type ? eq(notifications.type, type) : undefined))
      .orderBy(asc(notifications.createdAt)),
  );
const pointsOf = (hazardId: string) =>
  t.db.read((tx) => tx.select({ userId: hazardPoints.userId, reason: hazardPoints.reason, points: hazardPoints.points }).from(hazardPoints).where(eq(hazardPoints.hazardId, hazardId)).orderBy(asc(hazardPoints.at), asc(hazardPoints.id)));
const pendingTimers = (hazardId: string) =>
  t.db.read((tx) => tx.select({ key: jobs.dedupeKey, runAt: jobs.runAt, status: jobs.status }).from(jobs).where(and(like(jobs.dedupeKey, `hazard:${hazardId}:%`), eq(jobs.status, 'pending'))).orderBy(asc(jobs.dedupeKey)));

describe('the closed loop over HTTP', () => {
  it('report → assigned to the area owner → accept → plan → submit → fail → rework → submit → pass → closed, with timeline, audit, events, notifications and points', async () => {
    const r = await report(s.as.worker);
    expect(r.statusCode).toBe(201);
    const h = r.body;
    expect(h.number).toMatch(/^YH-\d{4}-\d{6}$/);
    // No rule matches: the manager of Team A (the team leader) owns the area.
    expect(h).toMatchObject({ status: 'assigned', assigneeUserId: s.leader.user.id, assigneeUnitId: s.team.id, departmentId: s.workshop.id, reporterUserId: s.worker.user.id, anonymous: false, trackingCode: null });
    expect(h.respondDueAt).toBe(new Date(t.clock.now.getTime() + 2 * HOUR).toISOString());
    expect(h.rectifyDueAt).toBe(new Date(t.clock.now.getTime() + 24 * HOUR).toISOString());
    expect((await notesOf(s.leader.user.id, h.id, 'hazard.assigned')).length).toBe(1);
    expect((await pendingTimers(h.id)).map((j) => j.key)).toEqual(
      ['respond:breach', 'respond:escalate', 'respond:remind', 'rectify:breach', 'rectify:escalate', 'rectify:remind'].map((k) => `hazard:${h.id}:${k}`).sort(),
    );
    // The worker reported it, but only the assignee may accept.
    expect((await s.as.worker.post(`/api/v1/hazards/${h.id}/accept`, { version: h.version })).statusCode).toBe(403);
    const leaderView = await s.as.leader.get(`/api/v1/hazards/${h.id}`);
    expect(leaderView.body.actions).toEqual(expect.arrayContaining(['accept', 'reject', 'hand_back', 'reassign', 'request_extension']));

    const accepted = await s.as.leader.post(`/api/v1/hazards/${h.id}/accept`, { comment: 'on it' }, { 'if-match': `"${h.version}"` });
    expect(accepted.statusCode).toBe(200);
    expect(accepted.body).toMatchObject({ status: 'rectifying', respondedAt: t.clock.now.toISOString() });
    expect((await pendingTimers(h.id)).map((j) => j.key)).toEqual([`hazard:${h.id}:rectify:breach`, `hazard:${h.id}:rectify:escalate`, `hazard:${h.id}:rectify:remind`]);
    expect((await notesOf(s.worker.user.id, h.id, 'hazard.accepted')).length).toBe(1);

    const plan = await s.as.leader.put(`/api/v1/hazards/${h.id}/plan`, {
      version: accepted.body.version,
      measures: 'Refit the guard rail and lock the maintenance gate',
      fundsYuan: 1200.5,
      deadline: new Date(t.clock.now.getTime() + 8 * HOUR).toISOString(),
      responsiblePersonId: s.leader.person.id,
      interimMeasures: 'Barrier tape and a warning sign until refitted',
    });
    expect(plan.statusCode).toBe(200);
    expect(plan.body.plan).toMatchObject({ fundsYuan: 1200.5, responsiblePersonId: s.leader.person.id, responsiblePersonName: s.leader.person.name });

    t.clock.advance(3 * HOUR);
    const submitted = await s.as.leader.post(`/api/v1/hazards/${h.id}/submit`, { version: plan.body.version, afterPhotoIds: [afterPhoto], notes: 'Rail refitted' });
    expect(submitted.statusCode).toBe(200);
    // The reporter may not verify (no hazard:verify); the team leader did the fix: the workshop head verifies.
    expect(submitted.body).toMatchObject({ status: 'pending_verification', verifierUserId: s.head.user.id, rectifyNotes: 'Rail refitted' });
    expect(submitted.body.afterPhotos.map((p) => p.id)).toEqual([afterPhoto]);
    expect((await notesOf(s.head.user.id, h.id, 'hazard.submitted')).length).toBe(1);
    expect((await pendingTimers(h.id)).map((j) => j.key)).toEqual([`hazard:${h.id}:verify:remind`]);

    // The assignee cannot verify their own work, even holding hazard:verify.
    const self = await s.as.leader.post(`/api/v1/hazards/${h.id}/pass`, { version: submitted.body.version });
    expect(self.statusCode).toBe(403);
    expect((await s.as.head.post(`/api/v1/hazards/${h.id}/fail`, { version: submitted.body.version, reason: '  ' })).statusCode).toBe(400);
    const failed = await s.as.head.post(`/api/v1/hazards/${h.id}/fail`, { version: submitted.body.version, reason: 'Bolts not torqued', photoIds: [photo] });
    expect(failed.statusCode).toBe(200);
    expect(failed.body).toMatchObject({ status: 'rework', reworkCount: 1 });
    expect((await notesOf(s.leader.user.id, h.id, 'hazard.verification_failed')).length).toBe(1);
    expect((await pendingTimers(h.id)).map((j) => j.key)).toEqual([`hazard:${h.id}:rectify:breach`, `hazard:${h.id}:rectify:escalate`, `hazard:${h.id}:rectify:remind`]);

    t.clock.advance(HOUR);
    const again = await s.as.leader.post(`/api/v1/hazards/${h.id}/submit`, { version: failed.body.version, afterPhotoIds: [afterPhoto] });
    expect(again.body.status).toBe('pending_verification');
    const passed = await s.as.head.post(`/api/v1/hazards/${h.id}/pass`, { version: again.body.version, comment: 'OK now' });
    expect(passed.statusCode).toBe(200);
    // Only triage (here the workshop head) may still act: reopen it if the hazard comes back.
    expect(passed.body).toMatchObject({ status: 'closed', closedOnTime: true, closedAt: t.clock.now.toISOString(), actions: ['reopen'] });
    expect((await s.as.leader.get(`/api/v1/hazards/${h.id}`)).body.actions).toEqual([]);

    expect(passed.body.timeline.map((e) => e.action)).toEqual(['reported', 'assigned', 'accepted', 'plan_saved', 'submitted', 'failed', 'submitted', 'passed']);
    const failStep = passed.body.timeline.find((e) => e.action === 'failed')!;
    expect(failStep).toMatchObject({ actorUserId: s.head.user.id, fromStatus: 'pending_verification', toStatus: 'rework', comment: 'Bolts not torqued' });
    expect(failStep.photos.map((p) => p.id)).toEqual([photo]);
    expect(passed.body.timeline[1]).toMatchObject({ action: 'assigned', actorUserId: null, actorName: 'system', data: { via: 'area_owner' } });

    const audit = await t.db.read((tx) => tx.select().from(auditLog).where(and(eq(auditLog.entityType, 'hazard'), eq(auditLog.entityId, h.id))).orderBy(asc(auditLog.seq)));
    expect(audit.map((a) => a.action)).toEqual(['hazard.reported', 'hazard.assigned', 'hazard.accepted', 'hazard.plan_saved', 'hazard.submitted', 'hazard.verification_failed', 'hazard.submitted', 'hazard.closed']);
    expect(audit[0]).toMatchObject({ actorUserId: s.worker.user.id });
    expect(audit.at(-1)).toMatchObject({ actorUserId: s.head.user.id, before: { status: 'pending_verification' }, after: { status: 'closed' } });
    const events = await t.db.read((tx) => tx.select().from(outboxEvents).where(eq(outboxEvents.entityId, h.id)).orderBy(asc(outboxEvents.createdAt), asc(outboxEvents.id)));
    expect(events.map((e) => e.type)).toEqual(audit.map((a) => a.action));
    expect(events.at(-1)!.payload).toMatchObject({ hazardId: h.id, number: h.number, status: 'closed', fromStatus: 'pending_verification' });

    expect(await pointsOf(h.id)).toEqual([
      { userId: s.worker.user.id, reason: 'valid_report', points: 2 },
      { userId: s.leader.user.id, reason: 'verified_fix', points: 3 },
    ]);
    expect(await pendingTimers(h.id)).toEqual([]);
    expect((await notesOf(s.worker.user.id, h.id, 'hazard.closed')).length).toBe(1);

    // A closed hazard refuses further steps, stale or not.
    const late = await s.as.leader.post(`/api/v1/hazards/${h.id}/accept`, { version: passed.body.version });
    expect(late.statusCode).toBe(409);
    expect(late.body.code).toBe('conflict');
  });

  it('triage reopens a closed hazard that is back: assigned again with fresh deadlines, earlier points kept', async () => {
    const h = (await report(s.as.worker, { title: 'Handrail loose', category: 'layout' })).body;
    const a = (await s.as.leader.post(`/api/v1/hazards/${h.id}/accept`, { version: h.version })).body;
    const sub = (await s.as.leader.post(`/api/v1/hazards/${h.id}/submit`, { version: a.version, afterPhotoIds: [afterPhoto] })).body;
    const closed = (await s.as.head.post(`/api/v1/hazards/${h.id}/pass`, { version: sub.version })).body;
    expect(closed.status).toBe('closed');
    expect((await s.as.leader.post(`/api/v1/hazards/${h.id}/reopen`, { version: closed.version, reason: 'loose again' })).statusCode).toBe(403);
    expect((await s.as.officer.post(`/api/v1/hazards/${h.id}/reopen`, { version: closed.version, reason: ' ' })).statusCode).toBe(400);
    t.clock.advance(HOUR);
    const reopened = await s.as.officer.post(`/api/v1/hazards/${h.id}/reopen`, { version: closed.version, reason: 'Loose again a week later' });
    expect(reopened.statusCode).toBe(200);
    expect(reopened.body).toMatchObject({ status: 'assigned', assigneeUserId: s.leader.user.id, closedAt: null, submittedAt: null, escalationLevel: 0 });
    expect(reopened.body.rectifyDueAt).toBe(new Date(t.clock.now.getTime() + 24 * HOUR).toISOString());
    expect(reopened.body.timeline.slice(-2).map((e) => e.action)).toEqual(['reopened', 'assigned']);
    expect((await pendingTimers(h.id)).length).toBe(6);
    expect((await pointsOf(h.id)).map((p) => p.reason)).toEqual(['valid_report', 'verified_fix']);
  });

  it('refuses a stale version with 409 and a missing one with 428, changing nothing', async () => {
    const h = (await report(s.as.worker, { title: 'Oil on the floor' })).body;
    const stale = await s.as.leader.post(`/api/v1/hazards/${h.id}/accept`, { version: h.version - 1 });
    expect(stale.statusCode).toBe(409);
    expect(stale.body).toMatchObject({ code: 'version_conflict', currentVersion: h.version });
    const missing = await s.as.leader.post(`/api/v1/hazards/${h.id}/accept`, {});
    expect(missing.statusCode).toBe(428);
    const [row] = await t.db.read((tx) => tx.select().from(hazards).where(eq(hazards.id, h.id)));
    expect(row).toMatchObject({ status: 'assigned', version: h.version });
  });
});

describe('automatic assignment', () => {
  it('uses the matrix (category × area subtree, lowest priority first), then falls back to the area owner', async () => {
    const rule = await s.as.safety.post<{ id: string; version: number }>('/api/v1/hazards/assignment-rules', {
      name: 'Electrical in Assembly → Paint workshop',
      priority: 20,
      category: 'electrical',
      areaUnitId: s.workshop.id,
      responsibleUnitId: s.otherWorkshop.id,
    });
    expect(rule.statusCode).toBe(201);
    const byUnit = await report(s.as.worker, { category: 'electrical', title: 'Exposed cable' });
    expect(byUnit.body).toMatchObject({ status: 'assigned', assigneeUserId: s.otherHead.user.id, assigneeUnitId: s.otherWorkshop.id, departmentId: s.otherWorkshop.id, assignmentRuleId: rule.body.id });
    expect(byUnit.body.timeline[1]!.data).toMatchObject({ via: 'rule', ruleId: rule.body.id });

    const person = await s.as.safety.post<{ id: string; version: number }>('/api/v1/hazards/assignment-rules', {
      name: 'Electrical anywhere → Paint team leader',
      priority: 5,
      category: 'electrical',
      responsibleUserId: s.otherLeader.user.id,
    });
    expect((await report(s.as.worker, { category: 'electrical', title: 'Broken socket' })).body).toMatchObject({ assigneeUserId: s.otherLeader.user.id, assigneeUnitId: s.otherTeam.id, assignmentRuleId: person.body.id });
    const preview = await s.as.safety.get(`/api/v1/hazards/assignment-rules/preview?category=electrical&orgUnitId=${s.team.id}`);
    expect(preview.body).toMatchObject({ userId: s.otherLeader.user.id, ruleId: person.body.id, via: 'rule' });

    const off = await s.as.safety.patch(`/api/v1/hazards/assignment-rules/${person.body.id}`, { active: false, version: person.body.version });
    expect(off.statusCode).toBe(200);
    expect((await report(s.as.worker, { category: 'electrical', title: 'Loose plug' })).body.assigneeUserId).toBe(s.otherHead.user.id);
    // Another category in Team A: no rule, the area owner.
    expect((await report(s.as.worker, { category: 'fire', title: 'Blocked extinguisher' })).body).toMatchObject({ assigneeUserId: s.leader.user.id, assignmentRuleId: null });
    // In Paint, the owner is Paint's team leader.
    expect((await report(s.as.worker, { category: 'fire', orgUnitId: s.otherTeam.id })).body.assigneeUserId).toBe(s.otherLeader.user.id);

    const list = await s.as.safety.get<{ items: { id: string; active: boolean }[] }>('/api/v1/hazards/assignment-rules');
    expect(list.body.items.map((r) => [r.id, r.active])).toEqual([
      [person.body.id, false],
      [rule.body.id, true],
    ]);
    // Configuring needs hazard:configure; a rule needs a target.
    expect((await s.as.head.get('/api/v1/hazards/assignment-rules')).statusCode).toBe(403);
    const bad = await s.as.safety.post('/api/v1/hazards/assignment-rules', { name: 'no target', priority: 1 });
    expect(bad.statusCode).toBe(400);
    expect(bad.body.errors?.[0]?.field).toBe('responsibleUnitId');
  });

  it('hand back returns the hazard to triage, who assigns it by hand with a designated verifier', async () => {
    const h = (await report(s.as.worker, { category: 'process', title: 'Valve leaking' })).body;
    expect((await s.as.leader.post(`/api/v1/hazards/${h.id}/hand-back`, { version: h.version, reason: '' })).statusCode).toBe(400);
    const back = await s.as.leader.post(`/api/v1/hazards/${h.id}/hand-back`, { version: h.version, reason: 'Process line belongs to the utilities team' });
    expect(back.body).toMatchObject({ status: 'reported', assigneeUserId: null });
    expect((await notesOf(s.officer.user.id, h.id, 'hazard.needs_triage')).length).toBe(1);
    expect((await notesOf(s.safety.user.id, h.id, 'hazard.needs_triage')).length).toBe(1);
    expect((await pendingTimers(h.id)).map((j) => j.key)).toContain(`hazard:${h.id}:respond:breach`);

    // Only triage assigns; the assignee must be able to rectify.
    expect((await s.as.leader.post(`/api/v1/hazards/${h.id}/assign`, { version: back.body.version, userId: s.otherLeader.user.id })).statusCode).toBe(403);
    const notRectifier = await s.as.officer.post(`/api/v1/hazards/${h.id}/assign`, { version: back.body.version, userId: s.auditor.user.id });
    expect(notRectifier.statusCode).toBe(400);
    expect(notRectifier.body.errors?.[0]).toMatchObject({ field: 'userId', rule: 'permission' });
    const assigned = await s.as.officer.post(`/api/v1/hazards/${h.id}/assign`, { version: back.body.version, userId: s.otherLeader.user.id, verifierUserId: s.officer.user.id });
    expect(assigned.body).toMatchObject({ status: 'assigned', assigneeUserId: s.otherLeader.user.id, verifierUserId: s.officer.user.id });
    expect(assigned.body.timeline.map((e) => e.action)).toEqual(['reported', 'assigned', 'handed_back', 'assigned']);
  });

  it('a rejection after reassignment takes the reporter’s points back and tells them why', async () => {
    const h = (await report(s.as.worker, { title: 'Ladder cracked' })).body;
    const accepted = await s.as.leader.post(`/api/v1/hazards/${h.id}/accept`, { version: h.version });
    expect(await pointsOf(h.id)).toEqual([{ userId: s.worker.user.id, reason: 'valid_report', points: 2 }]);
    // The assignee names the right owner; the new owner finds it is not a hazard at all.
    const moved = await s.as.leader.post(`/api/v1/hazards/${h.id}/reassign`, { version: accepted.body.version, userId: s.otherLeader.user.id, reason: 'Paint owns the ladders' });
    expect(moved.body).toMatchObject({ status: 'assigned', assigneeUserId: s.otherLeader.user.id });
    // The leader is no longer the assignee and may not reject it.
    expect((await s.as.leader.post(`/api/v1/hazards/${h.id}/reject`, { version: moved.body.version, reason: 'x' })).statusCode).toBe(403);
    const rejected = await s.as.otherLeader.post(`/api/v1/hazards/${h.id}/reject`, { version: moved.body.version, reason: 'The ladder was already tagged out of service' });
    expect(rejected.body).toMatchObject({ status: 'rejected', rejectReason: 'The ladder was already tagged out of service' });
    expect(await pointsOf(h.id)).toEqual([
      { userId: s.worker.user.id, reason: 'valid_report', points: 2 },
      { userId: s.worker.user.id, reason: 'valid_report_reversed', points: -2 },
    ]);
    const told = await notesOf(s.worker.user.id, h.id, 'hazard.rejected');
    expect(told[0]?.body).toContain('tagged out of service');
    expect(await pendingTimers(h.id)).toEqual([]);
  });
});

describe('extensions', () => {
  it('the department head approves an extension: the deadline moves and the rectification timers follow', async () => {
    const h = (await report(s.as.worker, { title: 'Rusty stairs', level: 'serious' })).body;
    const accepted = (await s.as.leader.post(`/api/v1/hazards/${h.id}/accept`, { version: h.version })).body;
    const newDue = new Date(new Date(accepted.rectifyDueAt!).getTime() + 48 * HOUR).toISOString();
    const early = await s.as.leader.post(`/api/v1/hazards/${h.id}/extensions`, { version: accepted.version, newDueAt: accepted.rectifyDueAt, reason: 'parts' });
    expect(early.statusCode).toBe(400);
    const asked = await s.as.leader.post(`/api/v1/hazards/${h.id}/extensions`, { version: accepted.version, newDueAt: newDue, reason: 'Steel plates arrive next week' });
    expect(asked.statusCode).toBe(200);
    const ext = asked.body.extensions[0]!;
    expect(ext).toMatchObject({ status: 'pending', newDueAt: newDue, previousDueAt: accepted.rectifyDueAt });
    expect((await notesOf(s.head.user.id, h.id, 'hazard.extension_requested')).length).toBe(1);
    expect((await s.as.leader.post(`/api/v1/hazards/${h.id}/extensions`, { version: asked.body.version, newDueAt: newDue, reason: 'again' })).statusCode).toBe(409);
    // The team leader may not decide extensions at all; the head of another department cannot see it.
    expect((await s.as.leader.post(`/api/v1/hazards/${h.id}/extensions/${ext.id}/decision`, { version: asked.body.version, approve: true })).statusCode).toBe(403);
    expect((await s.as.otherHead.post(`/api/v1/hazards/${h.id}/extensions/${ext.id}/decision`, { version: asked.body.version, approve: true })).statusCode).toBe(403);
    expect((await s.as.head.get(`/api/v1/hazards/${h.id}`)).body.actions).toContain('decide_extension');

    const approved = await s.as.head.post(`/api/v1/hazards/${h.id}/extensions/${ext.id}/decision`, { version: asked.body.version, approve: true, comment: 'OK, keep the barrier up' });
    expect(approved.statusCode).toBe(200);
    expect(approved.body).toMatchObject({ rectifyDueAt: newDue, rectifyOverdue: false });
    expect(approved.body.extensions[0]).toMatchObject({ status: 'approved', decidedBy: s.head.user.id, decisionComment: 'OK, keep the barrier up' });
    const timers = await pendingTimers(h.id);
    expect(timers.find((j) => j.key === `hazard:${h.id}:rectify:breach`)?.runAt.toISOString()).toBe(newDue);
    expect((await notesOf(s.leader.user.id, h.id, 'hazard.extension_approved')).length).toBe(1);
    const twice = await s.as.head.post(`/api/v1/hazards/${h.id}/extensions/${ext.id}/decision`, { version: approved.body.version, approve: false });
    expect(twice.statusCode, JSON.stringify(twice.body)).toBe(409);
    // A serious hazard needs its five-in-place plan before the fix is submitted.
    const noPlan = await s.as.leader.post(`/api/v1/hazards/${h.id}/submit`, { version: approved.body.version, afterPhotoIds: [afterPhoto] });
    expect(noPlan.statusCode).toBe(409);
    expect(noPlan.body.blockers).toEqual(['plan_missing']);
    const tooLate = await s.as.leader.put(`/api/v1/hazards/${h.id}/plan`, {
      version: approved.body.version,
      measures: 'Replace treads',
      fundsYuan: 5000,
      deadline: new Date(new Date(newDue).getTime() + HOUR).toISOString(),
      responsiblePersonId: s.leader.person.id,
      interimMeasures: 'Stairs closed',
    });
    expect(tooLate.statusCode).toBe(400);
    expect(tooLate.body.errors?.[0]?.field).toBe('plan.deadline');
  });
});

describe('data scope', () => {
  it('a worker sees what they reported or own, not another team’s hazards; a department head sees the department; another tenant gets 404', async () => {
    const mine = (await report(s.as.worker, { title: 'Mine' })).body;
    const theirs = (await report(s.as.otherWorker, { title: 'Theirs', orgUnitId: s.otherTeam.id })).body;
    expect((await s.as.worker.get(`/api/v1/hazards/${mine.id}`)).statusCode).toBe(200);
    const blocked = await s.as.worker.get(`/api/v1/hazards/${theirs.id}`);
    expect(blocked.statusCode).toBe(403);
    expect(blocked.body.code).toBe('out_of_scope');
    const listed = await s.as.worker.get<{ items: { id: string; reporterUserId: string | null; assigneeUserId: string | null }[] }>('/api/v1/hazards?limit=200');
    expect(listed.body.items.map((i) => i.id)).toContain(mine.id);
    expect(listed.body.items.map((i) => i.id)).not.toContain(theirs.id);
    expect(listed.body.items.every((i) => i.reporterUserId === s.worker.user.id || i.assigneeUserId === s.worker.user.id)).toBe(true);
    // A colleague in the same team (self scope) does not see the worker's report either.
    expect((await s.as.colleague.get(`/api/v1/hazards/${mine.id}`)).statusCode).toBe(403);
    // The Assembly head sees Team A's hazards, not Paint's (unless Paint's hazard is owned by Assembly).
    const headList = await s.as.head.get<{ items: { id: string }[] }>('/api/v1/hazards?limit=200');
    expect(headList.body.items.map((i) => i.id)).toContain(mine.id);
    expect(headList.body.items.map((i) => i.id)).not.toContain(theirs.id);
    expect((await s.as.head.post(`/api/v1/hazards/${theirs.id}/reject`, { version: theirs.version, reason: 'x' })).statusCode).toBe(403);
    // The safety director sees everything.
    expect((await s.as.safety.get(`/api/v1/hazards/${theirs.id}`)).statusCode).toBe(200);

    const other = await makeTenant(t.db, 'Other Co');
    const stranger = await makeUser(t.db, other.tenant.id, other.rootUnitId, ['safety_director']);
    const c = client(t, (await t.login(stranger.username, stranger.password)).authorization);
    expect((await c.get(`/api/v1/hazards/${mine.id}`)).statusCode).toBe(404);
    expect((await c.post(`/api/v1/hazards/${mine.id}/reject`, { version: mine.version, reason: 'x' })).statusCode).toBe(404);
    // Their area and photos are not ours: a report naming them is refused.
    const cross = await c.post('/api/v1/hazards', { title: 'x', category: 'safety', level: 'general', orgUnitId: s.team.id, photoIds: [photo] });
    expect(cross.statusCode).toBe(400);
    expect((await c.get<{ items: unknown[] }>('/api/v1/hazards')).body.items).toEqual([]);
  });

  it('the auditor reads but may not report', async () => {
    expect((await report(s.as.auditor)).statusCode).toBe(403);
    expect((await s.as.auditor.get('/api/v1/hazards')).statusCode).toBe(200);
  });
});

describe('leaderboard', () => {
  it('sums the month’s points per person and per department', async () => {
    const p = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit' }).formatToParts(t.clock.now);
    const month = `${p.find((x) => x.type === 'year')!.value}-${p.find((x) => x.type === 'month')!.value}`;
    const board = await s.as.worker.get<Leaderboard>(`/api/v1/hazards/leaderboard?month=${month}`);
    expect(board.statusCode).toBe(200);
    const all = await t.db.read((tx) => tx.select().from(hazardPoints).where(eq(hazardPoints.tenantId, s.tenant.id)));
    const sum = (userId: string) => all.filter((r) => r.userId === userId).reduce((n, r) => n + r.points, 0);
    expect(board.body.month).toBe(month);
    expect(board.body.people.find((x) => x.userId === s.worker.user.id)?.points).toBe(sum(s.worker.user.id));
    const fixes = all.filter((r) => r.userId === s.leader.user.id && r.reason === 'verified_fix').length;
    expect(fixes).toBeGreaterThan(0);
    expect(board.body.people.find((x) => x.userId === s.leader.user.id)).toMatchObject({ points: sum(s.leader.user.id), verifiedFixes: fixes, departmentId: s.workshop.id });
    const assembly = board.body.departments.find((d) => d.departmentId === s.workshop.id);
    expect(assembly?.points).toBe(all.filter((r) => r.departmentId === s.workshop.id).reduce((n, r) => n + r.points, 0));
    expect(assembly?.name).toBe('Assembly');
    expect((await s.as.worker.get<Leaderboard>('/api/v1/hazards/leaderboard?month=2001-01')).body).toEqual({ month: '2001-01', departments: [], people: [] });
    expect((await s.as.worker.get('/api/v1/hazards/leaderboard?month=2026-13')).statusCode).toBe(400);
  });
});
