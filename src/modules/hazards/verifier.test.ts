import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/app.ts';
import type { HazardConfig } from './dictionaries.ts';
import { makeFile, seedHazardCompany, type Client, type Seed } from './testSupport.ts';

// 谁发现谁验收: by default the named reporter verifies the fix of the hazard they found, whatever their role.

let t: TestApp;
let s: Seed;
let photo: string;
let afterPhoto: string;

beforeAll(async () => {
  t = await createTestApp({ RATE_LIMIT_PER_MINUTE: '100000' });
  s = await seedHazardCompany(t);
  photo = await makeFile(t, s.tenant.id);
  afterPhoto = await makeFile(t, s.tenant.id);
});
afterAll(() => t.close());

const report = (c: Client, over: Record<string, unknown> = {}) =>
  c.post('/api/v1/hazards', { title: 'Oil on the walkway', description: 'Leak under press 2', category: 'safety', level: 'general', orgUnitId: s.team.id, photoIds: [photo], ...over });

/** Reported by `reporter`, accepted and fixed by the team leader (the area owner): waiting for verification. */
async function fixedBy(reporter: Client, over: Record<string, unknown> = {}) {
  const h = (await report(reporter, over)).body;
  const accepted = (await s.as.leader.post(`/api/v1/hazards/${h.id}/accept`, { version: h.version })).body;
  const submitted = await s.as.leader.post(`/api/v1/hazards/${h.id}/submit`, { version: accepted.version, afterPhotoIds: [afterPhoto] });
  expect(submitted.statusCode).toBe(200);
  return submitted.body;
}

describe('who verifies a fix', () => {
  it('the reporting employee verifies although the role lacks hazard:verify; another employee gets 403', async () => {
    const h = await fixedBy(s.as.worker);
    expect(h).toMatchObject({ status: 'pending_verification', verifierUserId: s.worker.user.id });
    const seen = await s.as.worker.get(`/api/v1/hazards/${h.id}`);
    expect(seen.body.actions).toEqual(expect.arrayContaining(['pass', 'fail']));

    const colleague = await s.as.colleague.post(`/api/v1/hazards/${h.id}/pass`, { version: h.version });
    expect([403, 404]).toContain(colleague.statusCode);
    expect((await s.as.worker.get(`/api/v1/hazards/${h.id}`)).body.status).toBe('pending_verification');

    const passed = await s.as.worker.post(`/api/v1/hazards/${h.id}/pass`, { version: h.version, comment: 'walkway dry and clean' });
    expect(passed.statusCode).toBe(200);
    expect(passed.body.status).toBe('closed');
    expect(passed.body.timeline.at(-1)).toMatchObject({ action: 'passed', actorUserId: s.worker.user.id, comment: 'walkway dry and clean' });
  });

  it('the reporter fails a fix with a reason and it goes back to rework', async () => {
    const h = await fixedBy(s.as.worker, { title: 'Loose cable tray' });
    expect((await s.as.worker.post(`/api/v1/hazards/${h.id}/fail`, { version: h.version, reason: ' ' })).statusCode).toBe(400);
    const failed = await s.as.worker.post(`/api/v1/hazards/${h.id}/fail`, { version: h.version, reason: 'still loose at the far end' });
    expect(failed.statusCode).toBe(200);
    expect(failed.body).toMatchObject({ status: 'rework', reworkCount: 1 });
  });

  it('the safety office may step in for the named reporter', async () => {
    const h = await fixedBy(s.as.worker, { title: 'Blocked fire exit' });
    const passed = await s.as.officer.post(`/api/v1/hazards/${h.id}/pass`, { version: h.version });
    expect(passed.statusCode).toBe(200);
    expect(passed.body.status).toBe('closed');
    expect(passed.body.timeline.at(-1)).toMatchObject({ action: 'passed', actorUserId: s.officer.user.id });
  });

  it('an anonymous report is verified by the area owner above the one who fixed it', async () => {
    const h = await fixedBy(s.as.colleague, { title: 'Missing machine guard', anonymous: true });
    expect(h.verifierUserId).toBe(s.head.user.id);
    expect((await s.as.colleague.post(`/api/v1/hazards/${h.id}/pass`, { version: h.version })).statusCode).toBe(403);
  });

  it('with the setting off, the reporter without hazard:verify no longer verifies: the area owner does', async () => {
    const config = (await s.as.safety.get<HazardConfig>('/api/v1/hazards/config')).body;
    expect(config.settings.reporterVerifies).toBe(true);
    const off = await s.as.safety.patch<HazardConfig>('/api/v1/hazards/config/settings', { reporterVerifies: false, version: config.settings.version });
    expect(off.statusCode).toBe(200);
    expect(off.body.settings.reporterVerifies).toBe(false);
    const h = await fixedBy(s.as.worker, { title: 'Worn sling' });
    expect(h.verifierUserId).toBe(s.head.user.id);
    const refused = await s.as.worker.post(`/api/v1/hazards/${h.id}/pass`, { version: h.version });
    expect(refused.statusCode).toBe(403);
    expect((await s.as.head.post(`/api/v1/hazards/${h.id}/pass`, { version: h.version })).statusCode).toBe(200);
  });

  it('refuses a wrong type for the setting with 400 and changes nothing', async () => {
    const config = (await s.as.safety.get<HazardConfig>('/api/v1/hazards/config')).body;
    const res = await s.as.safety.patch('/api/v1/hazards/config/settings', { reporterVerifies: 'yes', version: config.settings.version });
    expect(res.statusCode).toBe(400);
    expect((await s.as.safety.get<HazardConfig>('/api/v1/hazards/config')).body.settings).toEqual(config.settings);
  });
});
