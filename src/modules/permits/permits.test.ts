import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { auditLog } from '../../platform/audit/schema.ts';
import { createTestApp, type TestApp } from '../../test/app.ts';
import type { PermitSummaryT, PublicStatusT } from './routes.ts';
import { permits } from './schema.ts';
import { certifyWelder, HOUR, hotWorkBody, makeImage, MIN, passingGas, runJobsAt, seedPermitCompany, type Client, type Seed } from './testSupport.ts';

let t: TestApp;
let s: Seed;

beforeAll(async () => {
  t = await createTestApp();
  s = await seedPermitCompany(t);
  await certifyWelder(t, s);
});
afterAll(async () => t.close());

const pending = async (c: Client, permitId: string) => {
  const r = await c.get<{ items: { taskId: string; subjectId: string }[] }>('/api/v1/workflow/tasks?status=pending');
  return r.body.items.filter((x) => x.subjectId === permitId);
};

async function approveAll(permitId: string, approvers: Client[]): Promise<void> {
  for (const c of approvers) {
    const [task] = await pending(c, permitId);
    if (!task) throw new Error('no task');
    const r = await c.post(`/api/v1/workflow/tasks/${task.taskId}/approve`, { comment: 'ok' });
    if (r.statusCode !== 200) throw new Error(`approve: ${r.statusCode} ${JSON.stringify(r.body)}`);
  }
}

async function confirmAll(c: Client, id: string): Promise<void> {
  const p = await c.get(`/api/v1/permits/${id}`);
  for (const m of p.body.measures) {
    const r = await c.post(`/api/v1/permits/${id}/measures/${m.id}/confirm`, { applicable: true, signatureFileId: await makeImage(t, s.tenant.id) });
    if (r.statusCode !== 200) throw new Error(`confirm: ${r.statusCode} ${JSON.stringify(r.body)}`);
  }
}

/** Applies (as the team leader), tests gas, confirms measures, submits and runs the approvals. */
async function approvedHotWork(over: Record<string, unknown> = {}, approvers: Client[] = [s.as.head, s.as.officer]) {
  const created = await s.as.leader.post('/api/v1/permits', hotWorkBody(s, t, over));
  expect(created.statusCode, JSON.stringify(created.body)).toBe(201);
  const id = created.body.id;
  const gas = await s.as.officer.post(`/api/v1/permits/${id}/gas-readings`, passingGas(t.clock.now));
  expect(gas.body.status).toBe('gas_tested');
  await confirmAll(s.as.leader, id);
  const sub = await s.as.leader.post(`/api/v1/permits/${id}/submit`, {});
  expect(sub.statusCode, JSON.stringify(sub.body)).toBe(200);
  expect(sub.body.status).toBe('approving');
  await approveAll(id, approvers);
  return (await s.as.leader.get(`/api/v1/permits/${id}`)).body;
}

const verifyBody = async (token: string) => ({ token, lat: 31.23, lng: 121.47, accuracyM: 8, photoFileId: await makeImage(t, s.tenant.id) });

describe('permit config', () => {
  it('seeds the GB 30871 defaults as tenant data and publishes a flow per type', async () => {
    const r = await s.as.safety.get<{ config: { types: Record<string, { grades: { code: string; maxValidityHours: number | null }[] }>; gas: { o2MinPct: number } }; version: number }>('/api/v1/permits/config');
    expect(r.statusCode).toBe(200);
    expect(Object.keys(r.body.config.types)).toHaveLength(8);
    expect(r.body.config.types.hot_work!.grades.map((g) => [g.code, g.maxValidityHours])).toEqual([['special', 8], ['1', 8], ['2', 72]]);
    expect(r.body.config.gas.o2MinPct).toBe(19.5);
    const defs = await s.as.safety.get<{ items?: { key: string; publishedVersion: number | null }[] } | { key: string; publishedVersion: number | null }[]>('/api/v1/workflow/definitions');
    const list = Array.isArray(defs.body) ? defs.body : (defs.body.items ?? []);
    expect(list.filter((d) => d.key.startsWith('permit.') && d.publishedVersion !== null)).toHaveLength(8);
  });

  it('refuses a config change without permit:configure (403) and with a stale version (409)', async () => {
    const r = await s.as.safety.get<{ config: Record<string, unknown>; version: number }>('/api/v1/permits/config');
    expect((await s.as.officer.put('/api/v1/permits/config', { config: r.body.config, version: r.body.version })).statusCode).toBe(403);
    expect((await s.as.safety.put('/api/v1/permits/config', { config: r.body.config, version: r.body.version + 5 })).statusCode).toBe(409);
  });
});

describe('application rules', () => {
  it('refuses a grade 1 hot-work window longer than 8 h, writing nothing', async () => {
    const before = await t.db.read((tx) => tx.select().from(permits).where(eq(permits.tenantId, s.tenant.id)));
    const from = new Date(t.clock.now.getTime() + 10 * MIN);
    const r = await s.as.leader.post('/api/v1/permits', hotWorkBody(s, t, { validFrom: from.toISOString(), validUntil: new Date(from.getTime() + 9 * HOUR).toISOString() }));
    expect(r.statusCode).toBe(400);
    expect(r.headers['content-type']).toContain('application/problem+json');
    expect(r.body.errors?.[0]).toMatchObject({ field: 'validUntil', rule: 'max' });
    expect(r.body.errors?.[0]?.message).toContain('at most 8 h');
    const after = await t.db.read((tx) => tx.select().from(permits).where(eq(permits.tenantId, s.tenant.id)));
    expect(after.length).toBe(before.length);
  });

  it('accepts 72 h for grade 2 but refuses an unknown grade and a missing required field', async () => {
    const from = new Date(t.clock.now.getTime() + 10 * MIN);
    const ok = await s.as.leader.post('/api/v1/permits', hotWorkBody(s, t, { grade: '2', validFrom: from.toISOString(), validUntil: new Date(from.getTime() + 72 * HOUR).toISOString() }));
    expect(ok.statusCode).toBe(201);
    expect(ok.body.number).toMatch(/^ZY-DH-\d{4}-\d{4}$/);
    expect(ok.body.measures.length).toBeGreaterThan(5);
    expect((await s.as.leader.post('/api/v1/permits', hotWorkBody(s, t, { grade: '9' }))).body.errors?.[0]?.field).toBe('grade');
    expect((await s.as.leader.post('/api/v1/permits', hotWorkBody(s, t, { fields: {} }))).body.errors?.[0]?.field).toBe('fields.method');
  });

  it('refuses a worker without a valid certificate, with the reasons, through the training check', async () => {
    const r = await s.as.leader.post('/api/v1/permits', hotWorkBody(s, t, { workers: [{ personId: s.worker.person.id, role: 'worker' }] }));
    expect(r.statusCode).toBe(422);
    expect(r.body).toMatchObject({ code: 'permit_refused', rule: 'worker_not_qualified' });
    expect(r.body.workers?.[0]?.personId).toBe(s.worker.person.id);
    expect(r.body.workers?.[0]?.reasons[0]?.code).toBe('certificate_missing');
  });

  it('refuses an expired certificate with certificate_expired', async () => {
    await certifyWelder(t, s, s.guardian2.person.id, '2025-01-01');
    const r = await s.as.leader.post('/api/v1/permits', hotWorkBody(s, t, { workers: [{ personId: s.guardian2.person.id, role: 'worker' }] }));
    expect(r.statusCode).toBe(422);
    expect(r.body.workers?.[0]?.reasons[0]?.code).toBe('certificate_expired');
  });

  it('refuses the guardian as a worker of the same permit', async () => {
    const r = await s.as.leader.post('/api/v1/permits', hotWorkBody(s, t, { workers: [{ personId: s.guardian.person.id, role: 'leader' }] }));
    expect(r.statusCode).toBe(400);
    expect(r.body.errors?.[0]?.rule).toBe('guardian');
  });

  it('refuses submitting without a gas analysis and with an unsigned measure', async () => {
    const created = await s.as.leader.post('/api/v1/permits', hotWorkBody(s, t));
    const id = created.body.id;
    const noGas = await s.as.leader.post(`/api/v1/permits/${id}/submit`, {});
    expect(noGas.statusCode).toBe(422);
    expect(noGas.body.rule).toBe('gas_test_missing');
    await s.as.officer.post(`/api/v1/permits/${id}/gas-readings`, passingGas(t.clock.now));
    const unsigned = await s.as.leader.post(`/api/v1/permits/${id}/submit`, {});
    expect(unsigned.statusCode).toBe(422);
    expect(unsigned.body.rule).toBe('measure_unconfirmed');
    expect(unsigned.body.measures?.length).toBe(created.body.measures.length);
    const m = created.body.measures[0]!;
    // Only the responsible person (here the applicant) confirms, and only with an uploaded image.
    expect((await s.as.guardian.post(`/api/v1/permits/${id}/measures/${m.id}/confirm`, { applicable: true, signatureFileId: await makeImage(t, s.tenant.id) })).statusCode).toBe(403);
    const noSig = await s.as.leader.post(`/api/v1/permits/${id}/measures/${m.id}/confirm`, { applicable: true, signatureFileId: '0190d7a0-0000-7000-8000-000000000000' });
    expect(noSig.statusCode).toBe(400);
    expect(noSig.body.errors?.[0]?.field).toBe('signatureFileId');
    const ok = await s.as.leader.post(`/api/v1/permits/${id}/measures/${m.id}/confirm`, { applicable: false, signatureFileId: await makeImage(t, s.tenant.id) });
    expect(ok.body.measures[0]).toMatchObject({ applicable: false });
    expect(ok.body.measures[0]!.signatureSha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('answers a stale version with 409', async () => {
    const created = await s.as.leader.post('/api/v1/permits', hotWorkBody(s, t));
    const r = await s.as.leader.post(`/api/v1/permits/${created.body.id}/submit`, { version: created.body.version + 3 });
    expect(r.statusCode).toBe(409);
    // A wrong state is a problem+json 409 naming the permit's status.
    const wrong = await s.as.guardian.post(`/api/v1/permits/${created.body.id}/verify`, { token: 'x'.repeat(24), lat: 1, lng: 1, photoFileId: await makeImage(t, s.tenant.id) });
    expect(wrong.statusCode).toBe(409);
    expect(wrong.body).toMatchObject({ code: 'conflict', permitStatus: 'draft' });
    const gas = await s.as.leader.post(`/api/v1/permits/${created.body.id}/cancel`, { reason: 'x' });
    expect(gas.body.status).toBe('cancelled');
    const again = await s.as.officer.post(`/api/v1/permits/${created.body.id}/gas-readings`, passingGas(t.clock.now));
    expect(again.statusCode).toBe(409);
    expect(again.body).toMatchObject({ code: 'conflict', status: 409, permitStatus: 'cancelled' });
  });
});

describe('hot-work lifecycle', () => {
  it('runs apply → gas → two approvals → on-site verification → active → suspended by gas → resumed → expired, with follow-up', async () => {
    const start = t.clock.now;
    const p = await approvedHotWork();
    expect(p.status).toBe('approved');
    expect(p.issuerUserId).toBe(s.officer.user.id);
    const token = p.qrToken!;
    expect(token).toMatch(/^[A-Za-z0-9_-]{20,}$/);

    // Not yet in the window, not the guardian, not the permit's code: refused.
    t.clock.now = new Date(start.getTime() + 11 * MIN);
    expect((await s.as.welder.post(`/api/v1/permits/${p.id}/verify`, await verifyBody(token))).statusCode).toBe(403);
    const wrong = await s.as.guardian.post(`/api/v1/permits/${p.id}/verify`, await verifyBody('x'.repeat(24)));
    expect(wrong.body.rule).toBe('qr_mismatch');
    // The gas analysis was taken 11 min ago and is fine; 40 min later it is stale (GB 30871 5.3.1c: 30 min).
    t.clock.now = new Date(start.getTime() + 40 * MIN);
    const stale = await s.as.guardian.post(`/api/v1/permits/${p.id}/verify`, await verifyBody(token));
    expect(stale.statusCode).toBe(422);
    expect(stale.body.rule).toBe('gas_test_stale');
    expect((await s.as.guardian.get(`/api/v1/permits/${p.id}`)).body.status).toBe('approved');

    await s.as.officer.post(`/api/v1/permits/${p.id}/gas-readings`, passingGas(t.clock.now));
    const active = await s.as.guardian.post(`/api/v1/permits/${p.id}/verify`, await verifyBody(token));
    expect(active.statusCode, JSON.stringify(active.body)).toBe(200);
    expect(active.body.status).toBe('active');
    expect(active.body.verifications[0]).toMatchObject({ userId: s.guardian.user.id, lat: 31.23 });

    const anon = t.app;
    const pub = await anon.inject({ method: 'POST', url: '/api/v1/permit-status', payload: { token } });
    expect(pub.statusCode).toBe(200);
    const status = pub.json() as PublicStatusT;
    expect(status.state).toBe('valid');
    expect(status.guardianName).toBe(s.guardian.person.name);
    expect(status.workers[0]!.name).toBe(s.welder.person.name);
    // Names only: no ids, no signatures, no token.
    expect(pub.body).not.toContain(s.welder.person.id);
    expect(pub.body).not.toContain('signature');
    expect((await anon.inject({ method: 'POST', url: '/api/v1/permit-status', payload: { token: 'y'.repeat(24) } })).statusCode).toBe(404);

    // A failing reading suspends the work at once.
    t.clock.now = new Date(start.getTime() + 60 * MIN);
    const bad = await s.as.officer.post(`/api/v1/permits/${p.id}/gas-readings`, { ...passingGas(t.clock.now), flammablePct: 0.8 });
    expect(bad.statusCode).toBe(201);
    expect(bad.body.status).toBe('suspended');
    expect(bad.body.gasReadings.at(-1)).toMatchObject({ passed: false });
    expect(((await anon.inject({ method: 'POST', url: '/api/v1/permit-status', payload: { token } })).json() as PublicStatusT).state).toBe('suspended');
    const noRetest = await s.as.guardian.post(`/api/v1/permits/${p.id}/resume`, {});
    expect(noRetest.body.rule).toBe('gas_test_failed');
    t.clock.now = new Date(start.getTime() + 65 * MIN);
    await s.as.officer.post(`/api/v1/permits/${p.id}/gas-readings`, passingGas(t.clock.now));
    expect((await s.as.guardian.post(`/api/v1/permits/${p.id}/resume`, {})).body.status).toBe('active');

    // Hot work is never extended (re-issue, 4.16).
    const ext = await s.as.leader.post(`/api/v1/permits/${p.id}/extend`, { validUntil: new Date(new Date(p.validUntil).getTime() + HOUR).toISOString() });
    expect(ext.body.rule).toBe('extension_not_allowed');

    // The validity ends: the expiry timer expires the permit, and the fire-watch round is scheduled.
    const end = new Date(p.validUntil);
    await runJobsAt(t, new Date(end.getTime() + 1000));
    const expired = await s.as.guardian.get(`/api/v1/permits/${p.id}`);
    expect(expired.body.status).toBe('expired');
    expect(expired.body.followUp).toMatchObject({ status: 'scheduled' });
    expect(((await anon.inject({ method: 'POST', url: '/api/v1/permit-status', payload: { token } })).json() as PublicStatusT).state).toBe('expired');
    await runJobsAt(t, new Date(end.getTime() + 121 * MIN));
    expect((await s.as.guardian.get(`/api/v1/permits/${p.id}`)).body.followUp?.status).toBe('due');
    const done = await s.as.guardian.post(`/api/v1/permits/${p.id}/follow-up`, { ok: true, photoFileId: await makeImage(t, s.tenant.id), signatureFileId: await makeImage(t, s.tenant.id) });
    expect(done.body.followUp?.status).toBe('done');

    const actions = await t.db.read((tx) => tx.select({ action: auditLog.action }).from(auditLog).where(and(eq(auditLog.tenantId, s.tenant.id), eq(auditLog.entityId, p.id))));
    expect(actions.map((a) => a.action)).toEqual(expect.arrayContaining(['permit.created', 'permit.submitted', 'permit.approved', 'permit.activated', 'permit.suspended_by_gas', 'permit.resumed', 'permit.expired', 'permit.follow_up_done']));
    t.clock.now = new Date();
  });

  it('closes with acceptance: refuses an unclean site and a missing fire watch, then closes', async () => {
    t.clock.now = new Date();
    const p = await approvedHotWork({ guardianPersonId: s.guardian2.person.id, workers: [{ personId: s.welder.person.id, role: 'worker' }] });
    t.clock.now = new Date(t.clock.now.getTime() + 11 * MIN);
    await s.as.officer.post(`/api/v1/permits/${p.id}/gas-readings`, passingGas(t.clock.now));
    expect((await s.as.guardian2.post(`/api/v1/permits/${p.id}/verify`, await verifyBody(p.qrToken!))).body.status).toBe('active');
    expect((await s.as.guardian2.post(`/api/v1/permits/${p.id}/close`, {})).body.status).toBe('closing');
    const sig = await makeImage(t, s.tenant.id);
    expect((await s.as.officer.post(`/api/v1/permits/${p.id}/accept`, { siteClean: false, fireWatchDone: true, signatureFileId: sig })).body.rule).toBe('site_not_clean');
    expect((await s.as.officer.post(`/api/v1/permits/${p.id}/accept`, { siteClean: true, signatureFileId: sig })).body.rule).toBe('fire_watch_pending');
    const closed = await s.as.officer.post(`/api/v1/permits/${p.id}/accept`, { siteClean: true, fireWatchDone: true, signatureFileId: sig });
    expect(closed.body.status).toBe('closed');
    expect(closed.body.followUp?.status).toBe('scheduled');
    t.clock.now = new Date();
  });

  it('refuses resuming after a long interruption without a new analysis (gas_retest_required)', async () => {
    t.clock.now = new Date();
    // A tenant whose analysis counts for 2 h but whose interruptions over 60 min need a re-test.
    const cfg = await s.as.safety.get<{ config: { types: { hot_work: { grades: { code: string; gasTestValidMinutes: number; interruptionRetestMinutes: number }[] } } }; version: number }>('/api/v1/permits/config');
    const config = cfg.body.config;
    const g2 = config.types.hot_work.grades.find((g) => g.code === '2')!;
    g2.gasTestValidMinutes = 120;
    g2.interruptionRetestMinutes = 60;
    expect((await s.as.safety.put('/api/v1/permits/config', { config, version: cfg.body.version })).statusCode).toBe(200);
    const p = await approvedHotWork({ grade: '2', guardianPersonId: s.guardian2.person.id }, [s.as.head]);
    t.clock.now = new Date(t.clock.now.getTime() + 11 * MIN);
    expect((await s.as.guardian2.post(`/api/v1/permits/${p.id}/verify`, await verifyBody(p.qrToken!))).body.status).toBe('active');
    expect((await s.as.guardian2.post(`/api/v1/permits/${p.id}/suspend`, { reason: '午休' })).body.status).toBe('suspended');
    t.clock.now = new Date(t.clock.now.getTime() + 61 * MIN);
    const r = await s.as.guardian2.post(`/api/v1/permits/${p.id}/resume`, {});
    expect(r.statusCode).toBe(422);
    expect(r.body.rule).toBe('gas_retest_required');
    await s.as.officer.post(`/api/v1/permits/${p.id}/gas-readings`, passingGas(t.clock.now));
    expect((await s.as.guardian2.post(`/api/v1/permits/${p.id}/resume`, {})).body.status).toBe('active');
    await s.as.guardian2.post(`/api/v1/permits/${p.id}/cancel`, { reason: 'test done' });
    expect((await s.as.officer.post(`/api/v1/permits/${p.id}/close`, {})).body.status).toBe('closing');
    t.clock.now = new Date();
  });
});

describe('site rules', () => {
  const excavation = (guardian: string, over: Record<string, unknown> = {}) => {
    const from = new Date(t.clock.now.getTime() + MIN);
    return { type: 'excavation', grade: 'none', orgUnitId: s.otherTeam.id, location: '南门', content: '开挖电缆沟', validFrom: from.toISOString(), validUntil: new Date(from.getTime() + 8 * HOUR).toISOString(), guardianPersonId: guardian, workers: [{ personId: s.worker.person.id, role: 'worker' }], fields: { depthM: 1.2 }, ...over };
  };

  async function approvedExcavation(guardian: string, over: Record<string, unknown> = {}) {
    const c = await s.as.leader.post('/api/v1/permits', excavation(guardian, over));
    expect(c.statusCode, JSON.stringify(c.body)).toBe(201);
    await confirmAll(s.as.leader, c.body.id);
    // No gas analysis needed: straight from draft to approving.
    expect((await s.as.leader.post(`/api/v1/permits/${c.body.id}/submit`, {})).body.status).toBe('approving');
    await approveAll(c.body.id, [s.as.head, s.as.officer]);
    return (await s.as.leader.get(`/api/v1/permits/${c.body.id}`)).body;
  }

  it('refuses a second active permit for one guardian (guardian overload)', async () => {
    t.clock.now = new Date();
    const a = await approvedExcavation(s.head.person.id);
    const b = await approvedExcavation(s.head.person.id);
    t.clock.now = new Date(t.clock.now.getTime() + 2 * MIN);
    expect((await s.as.head.post(`/api/v1/permits/${a.id}/verify`, await verifyBody(a.qrToken!))).body.status).toBe('active');
    const r = await s.as.head.post(`/api/v1/permits/${b.id}/verify`, await verifyBody(b.qrToken!));
    expect(r.statusCode).toBe(422);
    expect(r.body.rule).toBe('guardian_overloaded');
    await s.as.head.post(`/api/v1/permits/${a.id}/close`, {});
    await s.as.head.post(`/api/v1/permits/${b.id}/cancel`, { reason: 'done' });
  });

  it('warns of hot work next to an open confined space in one area on the site view', async () => {
    t.clock.now = new Date();
    const from = new Date(t.clock.now.getTime() + MIN);
    const cs = await s.as.leader.post('/api/v1/permits', { type: 'confined_space', grade: 'none', orgUnitId: s.team.id, location: 'V-101 储罐', content: '清罐', validFrom: from.toISOString(), validUntil: new Date(from.getTime() + 8 * HOUR).toISOString(), guardianPersonId: s.guardian2.person.id, workers: [{ personId: s.worker.person.id, role: 'worker' }], fields: { spaceName: 'V-101', formerMedium: '甲醇' } });
    expect(cs.statusCode, JSON.stringify(cs.body)).toBe(201);
    await s.as.officer.post(`/api/v1/permits/${cs.body.id}/gas-readings`, { ...passingGas(t.clock.now), o2Pct: 20.5 });
    await confirmAll(s.as.leader, cs.body.id);
    await s.as.leader.post(`/api/v1/permits/${cs.body.id}/submit`, {});
    await approveAll(cs.body.id, [s.as.head]);
    const hw = await approvedHotWork({ guardianPersonId: s.guardian.person.id });
    const site = await s.as.officer.get<{ areas: { orgUnitId: string; permits: PermitSummaryT[] }[]; warnings: number }>('/api/v1/permits/site');
    const area = site.body.areas.find((a) => a.orgUnitId === s.team.id)!;
    const mine = area.permits.find((x) => x.id === hw.id)!;
    expect(mine.warnings.some((w) => w.code === 'conflict' && w.otherPermitId === cs.body.id)).toBe(true);

    // Periodic re-analysis of the confined space (every 2 h): overdue → the job suspends it.
    t.clock.now = new Date(t.clock.now.getTime() + 2 * MIN);
    const csd = (await s.as.leader.get(`/api/v1/permits/${cs.body.id}`)).body;
    await s.as.officer.post(`/api/v1/permits/${cs.body.id}/gas-readings`, { ...passingGas(t.clock.now), o2Pct: 20.5 });
    expect((await s.as.guardian2.post(`/api/v1/permits/${cs.body.id}/verify`, await verifyBody(csd.qrToken!))).body.status).toBe('active');
    await runJobsAt(t, new Date(t.clock.now.getTime() + 60 * MIN));
    expect((await s.as.leader.get(`/api/v1/permits/${cs.body.id}`)).body.status).toBe('active');
    await runJobsAt(t, new Date(t.clock.now.getTime() + 61 * MIN));
    const susp = (await s.as.leader.get(`/api/v1/permits/${cs.body.id}`)).body;
    expect(susp.status).toBe('suspended');
    expect(susp.history.at(-1)?.to).toBe('suspended');
    t.clock.now = new Date();
  });

  it('extends temporary power to at most 30 days and no further', async () => {
    t.clock.now = new Date();
    const from = new Date(t.clock.now.getTime() + MIN);
    const c = await s.as.leader.post('/api/v1/permits', { type: 'temp_power', grade: 'none', orgUnitId: s.team.id, location: '仓库', content: '临时照明', validFrom: from.toISOString(), validUntil: new Date(from.getTime() + 15 * 24 * HOUR).toISOString(), guardianPersonId: s.guardian2.person.id, workers: [{ personId: s.worker.person.id, role: 'electrician' }], fields: { connectionPoint: '配电箱 3#', powerKw: 5, voltageV: 220 } });
    expect(c.statusCode, JSON.stringify(c.body)).toBe(201);
    await confirmAll(s.as.leader, c.body.id);
    await s.as.leader.post(`/api/v1/permits/${c.body.id}/submit`, {});
    await approveAll(c.body.id, [s.as.head, s.as.officer]);
    const tooLong = await s.as.leader.post(`/api/v1/permits/${c.body.id}/extend`, { validUntil: new Date(from.getTime() + 31 * 24 * HOUR).toISOString() });
    expect(tooLong.statusCode).toBe(400);
    expect(tooLong.body.errors?.[0]?.field).toBe('validUntil');
    const ok = await s.as.leader.post(`/api/v1/permits/${c.body.id}/extend`, { validUntil: new Date(from.getTime() + 20 * 24 * HOUR).toISOString() });
    expect(ok.statusCode).toBe(200);
    expect(new Date(ok.body.validUntil).getTime()).toBe(from.getTime() + 20 * 24 * HOUR);
  });

  it('lists permits in scope and lets the auditor read but not apply', async () => {
    const r = await s.as.auditor.get<{ items: PermitSummaryT[] }>('/api/v1/permits?limit=5');
    expect(r.statusCode).toBe(200);
    expect(r.body.items.length).toBe(5);
    expect((await s.as.auditor.post('/api/v1/permits', hotWorkBody(s, t))).statusCode).toBe(403);
  });

  const hasPoppler = (() => {
    try {
      execFileSync('pdftotext', ['-v'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();

  it.skipIf(!hasPoppler)('prints the permit in the paper layout with its number, measures and gas table', async () => {
    const list = await s.as.leader.get<{ items: PermitSummaryT[] }>('/api/v1/permits?type=hot_work&limit=50');
    const p = list.body.items.find((x) => x.status === 'closed') ?? list.body.items[0]!;
    const r = await s.as.leader.get(`/api/v1/permits/${p.id}/pdf`);
    expect(r.statusCode).toBe(200);
    expect(String(r.headers['content-type'])).toContain('application/pdf');
    const file = path.join(os.tmpdir(), `permit-${p.id}.pdf`);
    fs.writeFileSync(file, r.raw);
    const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
    expect(text).toContain(p.number);
    expect(text).toContain('动火作业安全作业票');
    expect(text).toContain('安全措施');
    expect(text).toContain('气体分析');
  });
});
