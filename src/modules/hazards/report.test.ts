import { and, asc, eq, inArray, like, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog } from '../../platform/audit/schema.ts';
import { outboxEvents } from '../../platform/events/schema.ts';
import { jobs } from '../../platform/jobs/schema.ts';
import { createTestApp, type TestApp } from '../../test/app.ts';
import type { HazardConfig } from './dictionaries.ts';
import { hazardDictItems, hazardEvents, hazardPoints, hazards, hazardSettings, hazardSlaPolicies } from './schema.ts';
import { HOUR, makeFile, seedHazardCompany, type Client, type Seed } from './testSupport.ts';

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

const report = (c: Client, over: Record<string, unknown> = {}, headers?: Record<string, string>) =>
  c.post('/api/v1/hazards', { title: 'Fire door wedged open', category: 'fire', level: 'general', orgUnitId: s.team.id, photoIds: [photo], ...over }, headers);

describe('configuration', () => {
  it('seeds the reference dictionaries and SLA defaults once per tenant, readable by everyone', async () => {
    const first = await s.as.worker.get<HazardConfig>('/api/v1/hazards/config');
    expect(first.statusCode).toBe(200);
    expect(first.body.categories.map((c) => [c.code, c.labelZh, c.extCode])).toEqual([
      ['safety', '安全', '1'],
      ['process', '工艺', '2'],
      ['electrical', '电气', '3'],
      ['instrument', '仪表', '4'],
      ['fire', '消防', '5'],
      ['layout', '总图', '6'],
      ['equipment', '设备', '7'],
      ['other', '其他', '8'],
    ]);
    expect(first.body.levels.map((l) => [l.code, l.labelZh, l.labelEn])).toEqual([
      ['general', '一般', 'General'],
      ['serious', '较大', 'Serious'],
      ['major', '重大', 'Major'],
    ]);
    // dangerSrc 1–10 plus the source of hazards opened from an IoT alarm (issue 8).
    expect(first.body.sources).toHaveLength(11);
    expect(first.body.sources.at(-1)).toMatchObject({ code: 'iot_alarm', labelZh: '监测报警', extCode: '10' });
    expect(first.body.slaPolicies.map((p) => [p.level, p.respondMinutes, p.rectifyMinutes, p.reminderPercent, p.requiresTreatmentPlan])).toEqual([
      ['general', 120, 1440, 75, false],
      ['serious', 120, 4320, 75, false],
      ['major', 60, 43200, 75, true],
    ]);
    expect(first.body.settings).toMatchObject({ duplicateWindowHours: 72, pointsValidReport: 2, pointsVerifiedFix: 3, pointsRejectedReport: 0, signoffRoleCodes: ['safety_director', 'general_manager'] });
    await s.as.head.get('/api/v1/hazards/config');
    const counts = await t.db.read(async (tx) => ({
      items: (await tx.select({ n: sql<number>`count(*)::int` }).from(hazardDictItems).where(eq(hazardDictItems.tenantId, s.tenant.id)))[0]!.n,
      settings: (await tx.select({ n: sql<number>`count(*)::int` }).from(hazardSettings).where(eq(hazardSettings.tenantId, s.tenant.id)))[0]!.n,
      policies: (await tx.select({ n: sql<number>`count(*)::int` }).from(hazardSlaPolicies).where(eq(hazardSlaPolicies.tenantId, s.tenant.id)))[0]!.n,
    }));
    expect(counts).toEqual({ items: 22, settings: 1, policies: 3 });
  });

  it('lets the safety director change dictionaries, SLA windows and settings, with versions and an audit trail', async () => {
    expect((await s.as.head.patch('/api/v1/hazards/config/sla/general', { respondMinutes: 30, version: 1 })).statusCode).toBe(403);
    const sla = await s.as.safety.patch<{ respondMinutes: number; version: number }>('/api/v1/hazards/config/sla/general', { respondMinutes: 30, version: 1 });
    expect(sla.statusCode).toBe(200);
    expect(sla.body).toMatchObject({ respondMinutes: 30, version: 2 });
    expect((await s.as.safety.patch('/api/v1/hazards/config/sla/general', { respondMinutes: 45, version: 1 })).statusCode).toBe(409);
    const h = (await report(s.as.worker, { title: 'SLA check' })).body;
    expect(h.respondDueAt).toBe(new Date(t.clock.now.getTime() + 30 * 60_000).toISOString());

    const created = await s.as.safety.post('/api/v1/hazards/config/dictionaries/category', { code: 'dust', labelZh: '粉尘涉爆', labelEn: 'Combustible dust' });
    expect(created.statusCode).toBe(201);
    expect((await s.as.safety.post('/api/v1/hazards/config/dictionaries/category', { code: 'dust', labelZh: 'x', labelEn: 'x' })).statusCode).toBe(409);
    expect((await s.as.safety.post('/api/v1/hazards/config/dictionaries/level', { code: 'tiny', labelZh: '低', labelEn: 'Low' })).statusCode).toBe(400);
    const dusty = await report(s.as.worker, { category: 'dust', title: 'Dust on the cable tray' });
    expect(dusty.body).toMatchObject({ category: 'dust', categoryLabel: 'Combustible dust' });
    const off = await s.as.safety.patch('/api/v1/hazards/config/dictionaries/category/dust', { active: false, version: 1 });
    expect(off.statusCode).toBe(200);
    const refused = await report(s.as.worker, { category: 'dust' });
    expect(refused.statusCode).toBe(400);
    expect(refused.body.errors?.[0]?.field).toBe('category');
    // Old hazards keep their label.
    expect((await s.as.worker.get(`/api/v1/hazards/${dusty.body.id}`)).body.categoryLabel).toBe('Combustible dust');

    const settings = await s.as.safety.patch<HazardConfig>('/api/v1/hazards/config/settings', { duplicateWindowHours: 24, pointsValidReport: 5, version: 1 });
    expect(settings.statusCode).toBe(200);
    expect(settings.body.settings).toMatchObject({ duplicateWindowHours: 24, pointsValidReport: 5, version: 2 });
    const unknownUser = await s.as.safety.patch('/api/v1/hazards/config/settings', { signoffUserIds: ['0190f0e0-0000-7000-8000-000000000000'], version: 2 });
    expect(unknownUser.statusCode).toBe(400);
    const reset = await s.as.safety.patch('/api/v1/hazards/config/settings', { duplicateWindowHours: 72, pointsValidReport: 2, version: 2 });
    expect(reset.statusCode).toBe(200);
    const audit = await t.db.read((tx) => tx.select({ action: auditLog.action }).from(auditLog).where(and(eq(auditLog.tenantId, s.tenant.id), like(auditLog.action, 'hazard.%'), sql`${auditLog.entityType} <> 'hazard'`)));
    expect(audit.map((a) => a.action)).toEqual(
      expect.arrayContaining(['hazard.sla_policy_updated', 'hazard.dictionary_item_created', 'hazard.dictionary_item_updated', 'hazard.settings_updated']),
    );
  });
});

describe('reporting', () => {
  it('refuses bad input with a 4xx naming the field, and writes nothing', async () => {
    const before = await t.db.read(async (tx) => (await tx.select({ n: sql<number>`count(*)::int` }).from(hazards))[0]!.n);
    const video = await makeFile(t, s.tenant.id, 'video');
    const cases: [Record<string, unknown>, string][] = [
      [{ photoIds: [] }, 'photoIds'],
      [{ photoIds: ['0190f0e0-0000-7000-8000-000000000000'] }, 'photoIds.0'],
      [{ photoIds: [video] }, 'photoIds.0'],
      [{ category: 'nonsense' }, 'category'],
      [{ orgUnitId: '0190f0e0-0000-7000-8000-000000000000' }, 'orgUnitId'],
      [{ level: 'huge' }, 'level'],
      [{ title: '   ' }, 'title'],
      [{ voiceId: photo }, 'voiceId'],
      [{ videoId: photo }, 'videoId'],
      [{ location: { lat: 91, lng: 0 } }, 'location.lat'],
      [{ afterPhotoIds: [afterPhoto] }, 'afterPhotoIds'],
    ];
    for (const [over, field] of cases) {
      const res = await report(s.as.worker, over);
      expect(res.statusCode, JSON.stringify(over)).toBe(400);
      expect(res.headers['content-type']).toMatch(/problem\+json/);
      expect(res.body.errors?.[0]?.field, JSON.stringify(over)).toBe(field);
    }
    expect(await t.db.read(async (tx) => (await tx.select({ n: sql<number>`count(*)::int` }).from(hazards))[0]!.n)).toBe(before);
  });

  it('stores location, video and voice with the report', async () => {
    const video = await makeFile(t, s.tenant.id, 'video');
    const voice = await makeFile(t, s.tenant.id, 'audio');
    const res = await report(s.as.worker, { location: { lat: 31.23, lng: 121.47, accuracy: 8 }, videoId: video, voiceId: voice, suggestedFix: 'Remove the wedge', source: 'daily' });
    expect(res.statusCode).toBe(201);
    expect(res.body).toMatchObject({ location: { lat: 31.23, lng: 121.47, accuracy: 8 }, video: { id: video, kind: 'video' }, voice: { id: voice, kind: 'audio' }, suggestedFix: 'Remove the wedge', source: 'daily', sourceLabel: 'Daily check' });
  });

  it('applies a replayed report once (Idempotency-Key)', async () => {
    const key = `offline-${Date.now()}`;
    const first = await report(s.as.worker, { title: 'Queued offline' }, { 'idempotency-key': key });
    const again = await report(s.as.worker, { title: 'Queued offline' }, { 'idempotency-key': key });
    expect(first.statusCode).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body.id).toBe(first.body.id);
    const rows = await t.db.read((tx) => tx.select().from(hazards).where(eq(hazards.title, 'Queued offline')));
    expect(rows).toHaveLength(1);
  });

  it('numbers 30 concurrent reports YH-<year>-NNNNNN without gaps or repeats', async () => {
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => report(s.as.worker, { title: `Concurrent ${i}`, category: 'other', orgUnitId: s.otherTeam.id })));
    expect(results.map((r) => r.statusCode)).toEqual(Array(30).fill(201));
    const numbers = results.map((r) => r.body.number);
    expect(new Set(numbers).size).toBe(30);
    const year = numbers[0]!.slice(3, 7);
    const seqs = numbers.map((n) => {
      expect(n).toMatch(new RegExp(`^YH-${year}-\\d{6}$`));
      return Number(n.slice(8));
    });
    seqs.sort((a, b) => a - b);
    expect(seqs[29]! - seqs[0]!).toBe(29);
    const all = await t.db.read((tx) => tx.select({ seq: hazards.seq }).from(hazards).where(eq(hazards.tenantId, s.tenant.id)));
    // Every number the tenant ever got this year, 1..N, each once.
    const everything = all.map((r) => r.seq).sort((a, b) => a - b);
    expect(everything).toEqual(Array.from({ length: everything.length }, (_, i) => i + 1));
  });
});

describe('anonymous reports', () => {
  it('store no reporter identity anywhere and give a tracking code that shows the status without names', async () => {
    const res = await report(s.as.worker, { title: 'Foreman lets people skip lockout', category: 'safety', anonymous: true });
    expect(res.statusCode).toBe(201);
    const code = res.body.trackingCode!;
    expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{16}$/);
    expect(res.body).toMatchObject({ anonymous: true, reporterUserId: null, reporterName: null, status: 'assigned' });
    const id = res.body.id;
    const [row] = await t.db.read((tx) => tx.select().from(hazards).where(eq(hazards.id, id)));
    expect(row).toMatchObject({ createdBy: null, updatedBy: null, reporterUserId: null, reporterPersonId: null, anonymous: true });
    expect(row!.trackingCodeHash).not.toContain(code);
    const me = [s.worker.user.id, s.worker.person.id, s.worker.user.displayName];
    const rowsOf = async () =>
      t.db.read(async (tx) => ({
        hazard: row,
        events: await tx.select().from(hazardEvents).where(eq(hazardEvents.hazardId, id)),
        audit: await tx.select().from(auditLog).where(eq(auditLog.entityId, id)),
        outbox: await tx.select().from(outboxEvents).where(eq(outboxEvents.entityId, id)),
        points: await tx.select().from(hazardPoints).where(eq(hazardPoints.hazardId, id)),
      }));
    const stored = JSON.stringify(await rowsOf());
    for (const trace of me) expect(stored).not.toContain(trace);
    const audit = await t.db.read((tx) => tx.select().from(auditLog).where(and(eq(auditLog.entityId, id), eq(auditLog.action, 'hazard.reported'))));
    expect(audit[0]).toMatchObject({ actorUserId: null, actorName: 'anonymous', ip: null });
    expect(res.body.timeline[0]).toMatchObject({ action: 'reported', actorUserId: null, actorName: null });

    const publicView = await t.app.inject({ method: 'GET', url: `/api/v1/hazards/track/${code}`, headers: { 'accept-language': 'en' } });
    expect(publicView.statusCode).toBe(200);
    const view = publicView.json();
    expect(view).toMatchObject({ number: res.body.number, status: 'assigned', level: 'general', categoryLabel: 'Safety' });
    expect(view.timeline.map((e: { action: string }) => e.action)).toEqual(['reported', 'assigned']);
    const shown = publicView.body;
    for (const trace of [s.leader.user.id, s.leader.user.displayName, s.worker.user.displayName]) expect(shown).not.toContain(trace);
    // The assignee's steps show up for the reporter too.
    await s.as.leader.post(`/api/v1/hazards/${id}/accept`, { version: res.body.version });
    expect((await t.app.inject({ method: 'GET', url: `/api/v1/hazards/track/${code}` })).json().status).toBe('rectifying');
    // Nobody to credit: no points for an anonymous report.
    expect(await t.db.read((tx) => tx.select().from(hazardPoints).where(eq(hazardPoints.hazardId, id)))).toEqual([]);
    const posted = await t.app.inject({ method: 'POST', url: '/api/v1/hazards/track', payload: { code } });
    expect(posted.json()).toMatchObject({ number: res.body.number, status: 'rectifying' });
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/hazards/track/ABCDEFGHJKMNPQRS' })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/hazards/track/short' })).statusCode).toBe(400);
    // The reporter's own list does not link them to it.
    const mine = await s.as.worker.get<{ items: { id: string }[] }>('/api/v1/hazards?mine=reported&limit=200');
    expect(mine.body.items.map((i) => i.id)).not.toContain(id);
    // An anonymous report cannot be a fix on the spot (it is verified against its reporter).
    expect((await report(s.as.worker, { anonymous: true, fixOnSpot: true, afterPhotoIds: [afterPhoto] })).statusCode).toBe(400);
  });
});

describe('fix on the spot (即查即改)', () => {
  it('goes straight to verification by the reporter’s team leader; the reporter cannot verify it', async () => {
    expect((await report(s.as.worker, { fixOnSpot: true })).statusCode).toBe(400);
    expect((await report(s.as.worker, { fixOnSpot: true, level: 'major', afterPhotoIds: [afterPhoto] })).statusCode).toBe(400);
    const res = await report(s.as.worker, { title: 'Loose cover refitted', category: 'layout', fixOnSpot: true, afterPhotoIds: [afterPhoto], rectifyNotes: 'Screwed it back' });
    expect(res.statusCode).toBe(201);
    const h = res.body;
    expect(h).toMatchObject({ status: 'pending_verification', fixOnSpot: true, assigneeUserId: s.worker.user.id, verifierUserId: s.leader.user.id, rectifyNotes: 'Screwed it back' });
    expect(h.afterPhotos.map((p) => p.id)).toEqual([afterPhoto]);
    expect(h.timeline.map((e) => e.action)).toEqual(['reported', 'fixed_on_spot']);
    const timers = await t.db.read((tx) => tx.select({ key: jobs.dedupeKey }).from(jobs).where(and(like(jobs.dedupeKey, `hazard:${h.id}:%`), eq(jobs.status, 'pending'))));
    expect(timers.map((j) => j.key)).toEqual([`hazard:${h.id}:verify:remind`]);

    const passed = await s.as.leader.post(`/api/v1/hazards/${h.id}/pass`, { version: h.version });
    expect(passed.body).toMatchObject({ status: 'closed', closedOnTime: true });
    const points = await t.db.read((tx) => tx.select({ userId: hazardPoints.userId, reason: hazardPoints.reason, points: hazardPoints.points }).from(hazardPoints).where(eq(hazardPoints.hazardId, h.id)).orderBy(asc(hazardPoints.reason)));
    expect(points).toEqual([
      { userId: s.worker.user.id, reason: 'valid_report', points: 2 },
      { userId: s.worker.user.id, reason: 'verified_fix', points: 3 },
    ]);
  });

  it('a team leader’s own fix is verified by the workshop head, never by the team leader', async () => {
    const h = (await report(s.as.leader, { title: 'Hose reel tidied', fixOnSpot: true, afterPhotoIds: [afterPhoto] })).body;
    expect(h).toMatchObject({ status: 'pending_verification', assigneeUserId: s.leader.user.id, verifierUserId: s.head.user.id });
    const self = await s.as.leader.post(`/api/v1/hazards/${h.id}/pass`, { version: h.version });
    expect(self.statusCode).toBe(403);
    // A failed fix on the spot gets the level's full window to be redone.
    const failed = await s.as.head.post(`/api/v1/hazards/${h.id}/fail`, { version: h.version, reason: 'Still across the walkway' });
    expect(failed.body).toMatchObject({ status: 'rework', reworkCount: 1, rectifyDueAt: new Date(t.clock.now.getTime() + 24 * HOUR).toISOString() });
  });
});

describe('duplicates', () => {
  it('flags a report in the same area and category within the window, and triage merges it', async () => {
    const a = (await report(s.as.otherWorker, { title: 'Leaking drum', category: 'equipment', orgUnitId: s.otherTeam.id })).body;
    t.clock.advance(HOUR);
    const b = (await report(s.as.worker, { title: 'Drum leaking oil', category: 'equipment', orgUnitId: s.otherTeam.id })).body;
    expect(b).toMatchObject({ possibleDuplicateOf: a.id, possibleDuplicateNumber: a.number });
    expect(b.timeline.map((e) => e.action)).toContain('possible_duplicate');
    expect((await report(s.as.worker, { category: 'fire', orgUnitId: s.otherTeam.id })).body.possibleDuplicateOf).toBeNull();
    const dupList = await s.as.safety.get<{ items: { id: string }[] }>('/api/v1/hazards?possibleDuplicate=true&limit=200');
    expect(dupList.body.items.map((i) => i.id)).toContain(b.id);

    expect((await s.as.worker.post(`/api/v1/hazards/${b.id}/merge`, { version: b.version, intoId: a.id })).statusCode).toBe(403);
    expect((await s.as.officer.post(`/api/v1/hazards/${b.id}/merge`, { version: b.version, intoId: b.id })).statusCode).toBe(400);
    expect((await s.as.officer.post(`/api/v1/hazards/${b.id}/merge`, { version: b.version, intoId: '0190f0e0-0000-7000-8000-000000000000' })).statusCode).toBe(400);
    const merged = await s.as.officer.post(`/api/v1/hazards/${b.id}/merge`, { version: b.version, intoId: a.id, comment: 'Same drum' });
    expect(merged.statusCode).toBe(200);
    expect(merged.body).toMatchObject({ status: 'rejected', rejectReason: 'duplicate', mergedIntoId: a.id, mergedIntoNumber: a.number });
    const original = await s.as.officer.get(`/api/v1/hazards/${a.id}`);
    expect(original.body.timeline.at(-1)).toMatchObject({ action: 'merged_from', data: { fromId: b.id, fromNumber: b.number } });
    const pending = await t.db.read((tx) => tx.select().from(jobs).where(and(like(jobs.dedupeKey, `hazard:${b.id}:%`), eq(jobs.status, 'pending'))));
    expect(pending).toEqual([]);
    // A rejected hazard takes no merges in either direction.
    const c = (await report(s.as.worker, { title: 'Drum again', category: 'equipment', orgUnitId: s.otherTeam.id })).body;
    expect((await s.as.officer.post(`/api/v1/hazards/${c.id}/merge`, { version: c.version, intoId: b.id })).statusCode).toBe(400);
    expect((await s.as.officer.post(`/api/v1/hazards/${b.id}/merge`, { version: merged.body.version, intoId: c.id })).statusCode).toBe(409);

    // Outside the window the same area and category is a new hazard.
    t.clock.advance(73 * HOUR);
    const later = (await report(s.as.worker, { title: 'Drum again, days later', category: 'equipment', orgUnitId: s.otherTeam.id })).body;
    expect(later.possibleDuplicateOf).toBeNull();
    const ids = [a.id, b.id, c.id, later.id];
    const rows = await t.db.read((tx) => tx.select({ id: hazards.id, status: hazards.status }).from(hazards).where(inArray(hazards.id, ids)));
    expect(rows.find((r) => r.id === b.id)?.status).toBe('rejected');
  });
});
