import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notifications } from '../../platform/notify/schema.ts';
import { createTestApp, type TestApp } from '../../test/app.ts';
import type { HazardConfig } from './dictionaries.ts';
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

const notes = (userId: string, hazardId: string, type: string) =>
  t.db.read(async (tx) => (await tx.select().from(notifications).where(and(eq(notifications.userId, userId), eq(notifications.type, type), sql`${notifications.data}->>'hazardId' = ${hazardId}`))).length);

const plan = (over: Record<string, unknown> = {}) => ({
  goal: 'Eliminate the risk of tank overpressure',
  methods: 'Install an independent SIS with high-pressure trip',
  fundsYuan: 380000,
  materials: 'SIS controller, 2 pressure transmitters, shut-off valve',
  responsibleOrg: 'Assembly workshop',
  responsiblePeople: 'Head of Assembly; instrument engineer',
  timeLimit: new Date(t.clock.now.getTime() + 25 * 24 * HOUR).toISOString(),
  requirements: 'Commissioned and proof-tested before restart',
  safetyMeasures: 'Tank kept below 50 % level, hourly patrol',
  emergencyPlan: 'Site emergency plan EP-07 rehearsed with the team',
  ...over,
});

describe('major hazards (重大隐患)', () => {
  it('tells the safety director, the general manager and the safety office at once when a major hazard is reported', async () => {
    const r = await s.as.worker.post('/api/v1/hazards', { title: 'Dust collector shared by aluminium and steel grinding', category: 'safety', level: 'major', orgUnitId: s.team.id, photoIds: [photo] });
    expect(r.statusCode).toBe(201);
    for (const who of [s.safety, s.gm, s.officer]) expect(await notes(who.user.id, r.body.id, 'hazard.major_reported'), who.user.id).toBe(1);
    // The reporter knows already; a general hazard alerts nobody in management.
    expect(await notes(s.worker.user.id, r.body.id, 'hazard.major_reported')).toBe(0);
    const general = await s.as.worker.post('/api/v1/hazards', { title: 'Loose handrail', category: 'safety', level: 'general', orgUnitId: s.otherTeam.id, photoIds: [photo] });
    expect(await notes(s.safety.user.id, general.body.id, 'hazard.major_reported')).toBe(0);
  });

  it('cannot be closed until the treatment plan exists and the safety director and general manager signed the current version', async () => {
    const r = await s.as.worker.post('/api/v1/hazards', { title: 'Tank without independent SIS', category: 'instrument', level: 'major', orgUnitId: s.team.id, photoIds: [photo] });
    expect(r.statusCode).toBe(201);
    const h = r.body;
    expect(h).toMatchObject({ level: 'major', reportToAuthority: true, reportedToAuthorityAt: null, assigneeUserId: s.leader.user.id });
    expect(h.respondDueAt).toBe(new Date(t.clock.now.getTime() + HOUR).toISOString());
    expect(h.rectifyDueAt).toBe(new Date(t.clock.now.getTime() + 30 * 24 * HOUR).toISOString());
    expect(h.signoffRequirements.map((x) => [x.kind, x.code, x.satisfied])).toEqual([
      ['role', 'safety_director', false],
      ['role', 'general_manager', false],
    ]);
    const officerView = await s.as.officer.get(`/api/v1/hazards/${h.id}`);
    expect(officerView.body.actions).toContain('report_to_authority');
    const reported = await s.as.officer.post(`/api/v1/hazards/${h.id}/authority-report`, { version: h.version, reference: '应急局 2026-118' });
    expect(reported.body).toMatchObject({ reportedToAuthorityAt: t.clock.now.toISOString(), authorityReference: '应急局 2026-118' });

    const accepted = (await s.as.leader.post(`/api/v1/hazards/${h.id}/accept`, { version: reported.body.version })).body;
    const planned = (
      await s.as.leader.put(`/api/v1/hazards/${h.id}/plan`, {
        version: accepted.version,
        measures: 'Install SIS',
        fundsYuan: 380000,
        deadline: new Date(t.clock.now.getTime() + 20 * 24 * HOUR).toISOString(),
        responsiblePersonId: s.head.person.id,
        interimMeasures: 'Level limited to 50 %',
      })
    ).body;
    const submitted = (await s.as.leader.post(`/api/v1/hazards/${h.id}/submit`, { version: planned.version, afterPhotoIds: [photo] })).body;
    expect(submitted).toMatchObject({ status: 'pending_verification', verifierUserId: s.head.user.id });
    expect(submitted.blockers).toEqual(['treatment_plan_missing', 'signoff_missing:role:safety_director', 'signoff_missing:role:general_manager']);
    const headView = await s.as.head.get(`/api/v1/hazards/${h.id}`);
    expect(headView.body.actions).not.toContain('pass');
    expect(headView.body.actions).toContain('fail');

    const blocked = await s.as.head.post(`/api/v1/hazards/${h.id}/pass`, { version: submitted.version });
    expect(blocked.statusCode).toBe(409);
    expect(blocked.body.blockers).toEqual(['treatment_plan_missing', 'signoff_missing:role:safety_director', 'signoff_missing:role:general_manager']);
    expect((await s.as.safety.post(`/api/v1/hazards/${h.id}/signoffs`, { version: submitted.version })).statusCode).toBe(409);

    // The treatment plan: the assignee (or triage) writes it; every part of reference §3.5 is required.
    expect((await s.as.worker.put(`/api/v1/hazards/${h.id}/treatment-plan`, { ...plan(), version: submitted.version })).statusCode).toBe(403);
    expect((await s.as.leader.put(`/api/v1/hazards/${h.id}/treatment-plan`, { ...plan({ emergencyPlan: '' }), version: submitted.version })).statusCode).toBe(400);
    expect((await s.as.leader.put(`/api/v1/hazards/${h.id}/treatment-plan`, { ...plan({ emergencyPlan: '   ' }), version: submitted.version })).statusCode).toBe(400);
    const v1 = await s.as.leader.put(`/api/v1/hazards/${h.id}/treatment-plan`, { ...plan(), version: submitted.version });
    expect(v1.statusCode).toBe(200);
    expect(v1.body).toMatchObject({ treatmentPlanVersion: 1, treatmentPlan: { fundsYuan: 380000, responsibleOrg: 'Assembly workshop' } });
    expect(await notes(s.safety.user.id, h.id, 'hazard.signoff_requested')).toBe(1);
    expect(await notes(s.gm.user.id, h.id, 'hazard.signoff_requested')).toBe(1);

    // Sign-off: hazard:signoff and a listed role (or user).
    expect((await s.as.head.post(`/api/v1/hazards/${h.id}/signoffs`, { version: v1.body.version })).statusCode).toBe(403);
    expect((await s.as.safety.get(`/api/v1/hazards/${h.id}`)).body.actions).toContain('sign_off');
    const sd = await s.as.safety.post(`/api/v1/hazards/${h.id}/signoffs`, { version: v1.body.version, comment: 'Agreed' });
    expect(sd.statusCode).toBe(200);
    expect(sd.body.signoffs).toEqual([expect.objectContaining({ userId: s.safety.user.id, roleCodes: ['safety_director'], planVersion: 1, comment: 'Agreed' })]);
    expect((await s.as.safety.post(`/api/v1/hazards/${h.id}/signoffs`, { version: sd.body.version })).statusCode).toBe(409);
    const half = await s.as.head.post(`/api/v1/hazards/${h.id}/pass`, { version: sd.body.version });
    expect(half.statusCode).toBe(409);
    expect(half.body.blockers).toEqual(['signoff_missing:role:general_manager']);

    // A new version of the plan voids the earlier sign-off.
    const v2 = await s.as.leader.put(`/api/v1/hazards/${h.id}/treatment-plan`, { ...plan({ fundsYuan: 420000 }), version: sd.body.version });
    expect(v2.body.treatmentPlanVersion).toBe(2);
    expect(v2.body.blockers).toEqual(['signoff_missing:role:safety_director', 'signoff_missing:role:general_manager']);
    const gm = await s.as.gm.post(`/api/v1/hazards/${h.id}/signoffs`, { version: v2.body.version });
    expect(gm.statusCode).toBe(200);
    const sd2 = await s.as.safety.post(`/api/v1/hazards/${h.id}/signoffs`, { version: gm.body.version });
    expect(sd2.body.blockers).toEqual([]);
    expect(sd2.body.signoffRequirements.every((x) => x.satisfied)).toBe(true);

    const closed = await s.as.head.post(`/api/v1/hazards/${h.id}/pass`, { version: sd2.body.version });
    expect(closed.statusCode).toBe(200);
    expect(closed.body.status).toBe('closed');
    expect(await notes(s.safety.user.id, h.id, 'hazard.major_closed')).toBe(1);
    expect(await notes(s.gm.user.id, h.id, 'hazard.major_closed')).toBe(1);
    expect(closed.body.timeline.map((e) => e.action)).toEqual([
      'reported',
      'assigned',
      'reported_to_authority',
      'accepted',
      'plan_saved',
      'submitted',
      'treatment_plan_saved',
      'signed_off',
      'treatment_plan_saved',
      'signed_off',
      'signed_off',
      'passed',
    ]);
  });

  it('needs only the roles somebody holds and the users listed in the settings', async () => {
    const cfg = (await s.as.safety.get<HazardConfig>('/api/v1/hazards/config')).body;
    const patched = await s.as.safety.patch<HazardConfig>('/api/v1/hazards/config/settings', { signoffRoleCodes: ['safety_director', 'chief_engineer'], signoffUserIds: [s.gm.user.id], version: cfg.settings.version });
    expect(patched.statusCode).toBe(200);
    const h = (await s.as.worker.post('/api/v1/hazards', { title: 'Second major', category: 'process', level: 'major', orgUnitId: s.team.id, photoIds: [photo] })).body;
    expect(h.signoffRequirements.map((x) => [x.kind, x.code ?? x.userId])).toEqual([
      ['role', 'safety_director'],
      ['user', s.gm.user.id],
    ]);
    // A general hazard needs neither plan nor sign-off.
    const g = (await s.as.worker.post('/api/v1/hazards', { title: 'Minor', category: 'other', level: 'general', orgUnitId: s.team.id, photoIds: [photo] })).body;
    expect(g).toMatchObject({ signoffRequirements: [], blockers: [], reportToAuthority: false });
    expect((await s.as.leader.put(`/api/v1/hazards/${g.id}/treatment-plan`, { ...plan(), version: g.version })).statusCode).toBe(409);
  });
});
