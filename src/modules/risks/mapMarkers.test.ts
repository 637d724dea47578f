import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { newId } from '../../platform/db/columns.ts';
import { positions } from '../../platform/org/schema.ts';
import { findCjkFont } from '../../platform/pdf/fonts.ts';
import { files } from '../../platform/files/schema.ts';
import { createTestApp, type TestApp } from '../../test/app.ts';
import { sweepMissedTasks } from '../inspections/jobs.ts';
import type { PlanView as PlanT } from '../inspections/plans.ts';
import type { TaskDetail as TaskDetailT, TaskListItem as TaskListItemT } from '../inspections/tasks.ts';
import { makeMeasure, ok, photo, seedInspectionCompany, type Seed } from '../inspections/testSupport.ts';
import type { AreaDrillDown, MapSummary, MapView } from './mapView.ts';

/**
 * The risk map's drill-down beyond the register: permits at work as markers (active and suspended, in
 * the area's unit or below, narrowed to the reader's permit scope) and each control measure's latest
 * checks with the hazards they raised (narrowed to the reader's inspection scope).
 */

let t: TestApp;
let s: Seed;
// Tuesday 10 March 2026, 10:00 in Shanghai.
const NOW = new Date('2026-03-10T02:00:00Z');

beforeAll(async () => {
  t = await createTestApp({ RATE_LIMIT_PER_MINUTE: '100000' });
  t.clock.now = NOW;
  s = await seedInspectionCompany(t);
}, 240_000);
afterAll(() => t.close());

let seq = 0;
async function permit(orgUnitId: string, status: 'active' | 'suspended' | 'closed' | 'approving', guardianPersonId: string = s.head.person.id): Promise<string> {
  const id = newId();
  const n = ++seq;
  const until = new Date(NOW.getTime() + n * 3_600_000);
  // Written as a row (the permit flow is the permits module's own test): only what the markers read matters.
  await t.db.tx((tx) =>
    tx.execute(sql`INSERT INTO permits (id, tenant_id, org_unit_id, number, type, grade, location, content, valid_from, valid_until, original_valid_until, applicant_user_id, guardian_person_id, status, qr_token)
      VALUES (${id}, ${s.tenant.id}, ${orgUnitId}, ${`ZY-DH-2026-${String(n).padStart(4, '0')}`}, 'hot_work', 'grade_2', ${`焊接工位 ${n}`}, '管道焊接', ${new Date(NOW.getTime() - 3_600_000)}, ${until}, ${until}, ${s.safety.user.id}, ${guardianPersonId}, ${status}, ${`tok-${id}`})`),
  );
  return id;
}

async function mapWithArea(unitId: string) {
  const image = newId();
  await t.db.tx((tx) => tx.insert(files).values({ id: image, tenantId: s.tenant.id, sha256: 'b'.repeat(64), size: 1000, mime: 'image/png', kind: 'image', width: 1200, height: 800, createdAt: new Date() }));
  const map = ok(await s.as.safety.post<MapSummary>('/api/v1/risks/maps', { name: '一号厂区', orgUnitId: s.workshop.id, imageFileId: image }), 201);
  const area = ok(
    await s.as.safety.post<{ id: string }>(`/api/v1/risks/maps/${map.id}/areas`, {
      name: '装配车间',
      polygon: [
        [0.1, 0.1],
        [0.5, 0.1],
        [0.5, 0.5],
      ],
      riskUnitIds: [unitId],
      orgUnitId: s.workshop.id,
    }),
    201,
  );
  return { map, area };
}

describe('risk map markers and drill-down', () => {
  it('shows the permits at work in an area and below as markers, each reader only the permits they may see', async () => {
    const m = await makeMeasure(s);
    const { map, area } = await mapWithArea(m.unitId);
    const inTeam = await permit(s.team.id, 'active');
    const suspended = await permit(s.workshop.id, 'suspended');
    await permit(s.workshop.id, 'closed');
    await permit(s.workshop.id, 'approving');
    const elsewhere = await permit(s.otherTeam.id, 'active', s.worker.person.id);
    const guarded = await permit(s.team.id, 'active', s.worker.person.id);

    const view = ok(await s.as.safety.get<MapView>(`/api/v1/risks/maps/${map.id}/view`));
    const a = view.areas.find((x) => x.id === area.id)!;
    expect(a.permits.map((p) => p.id).sort()).toEqual([inTeam, suspended, guarded].sort());
    expect(a.permits.find((p) => p.id === suspended)).toMatchObject({ status: 'suspended', type: 'hot_work', number: expect.stringMatching(/^ZY-DH-2026-/) });
    expect(a.permits.map((p) => p.id)).not.toContain(elsewhere);

    // The team leader's scope is the team: not the workshop's suspended permit.
    const leader = ok(await s.as.leader.get<MapView>(`/api/v1/risks/maps/${map.id}/view`));
    expect(leader.areas.find((x) => x.id === area.id)!.permits.map((p) => p.id).sort()).toEqual([inTeam, guarded].sort());
    // An employee (own scope) sees the one they guard.
    const worker = ok(await s.as.worker.get<MapView>(`/api/v1/risks/maps/${map.id}/view`));
    expect(worker.areas.find((x) => x.id === area.id)!.permits.map((p) => p.id)).toEqual([guarded]);

    const drill = ok(await s.as.safety.get<AreaDrillDown>(`/api/v1/risks/maps/areas/${area.id}/drilldown`));
    expect(drill.permits.map((p) => p.id).sort()).toEqual([inTeam, suspended, guarded].sort());
    expect(drill.permits.find((p) => p.id === inTeam)).toMatchObject({ orgUnitId: s.team.id, location: expect.stringContaining('焊接工位'), grade: 'grade_2' });
    // Another company's area is not found.
    expect((await s.stranger.get(`/api/v1/risks/maps/areas/${area.id}/drilldown`)).statusCode).toBe(404);
  });

  it('lists each control measure’s latest checks with the hazard a failed one raised, newest first', async () => {
    const m = await makeMeasure(s, { workDayType: 'every_day' });
    const { area } = await mapWithArea(m.unitId);
    // Monday 9 March: plans and tasks; that day's check is missed by the sweep.
    t.clock.now = new Date('2026-03-08T17:00:00Z');
    ok(await s.as.safety.post('/api/v1/inspections/plans/sync'));
    const plans = ok(await s.as.safety.get<{ items: PlanT[] }>('/api/v1/inspections/plans?source=control_measure&limit=200'));
    const plan = plans.items.find((p) => p.controlMeasureId === m.measureId)!;
    const list = ok(await s.as.worker.get<{ items: TaskListItemT[] }>(`/api/v1/inspections/tasks?mine=true&planId=${plan.id}&limit=200`)).items;
    const monday = list.find((x) => x.windowStart === '2026-03-08T16:00:00.000Z')!;
    const tuesday = list.find((x) => x.windowStart === '2026-03-09T16:00:00.000Z')!;
    await sweepMissedTasks(t.db, new Date('2026-03-09T18:00:00Z'));
    // Tuesday: done with a failed item → one hazard.
    t.clock.now = NOW;
    const started = ok(await s.as.worker.post<TaskDetailT>(`/api/v1/inspections/tasks/${tuesday.id}/scan`, {}));
    const pic = await photo(t, s);
    const done = ok(await s.as.worker.post<TaskDetailT>(`/api/v1/inspections/tasks/${tuesday.id}/results`, { version: started.version, results: [{ itemKey: 'measure_ok', value: 'fail', photoIds: [pic] }, { itemKey: 'site_photo', photoIds: [pic] }] }));
    expect(done.findings[0]?.hazardId).toBeTruthy();

    const drill = ok(await s.as.safety.get<AreaDrillDown>(`/api/v1/risks/maps/areas/${area.id}/drilldown`));
    const measure = drill.events.flatMap((e) => e.measures).find((x) => x.id === m.measureId)!;
    expect(measure.recentChecks.map((c) => [c.taskId, c.status])).toEqual([
      [tuesday.id, 'done'],
      [monday.id, 'missed'],
    ]);
    expect(measure.recentChecks[0]).toMatchObject({ failedCount: 1, onTime: true, hazards: [{ id: done.findings[0]!.hazardId, number: done.findings[0]!.hazardNumber }] });
    // The area's recent hazards include the one the check raised.
    expect(drill.hazards.map((h) => h.id)).toContain(done.findings[0]!.hazardId);
    // Someone whose inspection scope does not cover the team sees the measure but not its checks.
    const outsider = ok(await s.as.operator.get<AreaDrillDown>(`/api/v1/risks/maps/areas/${area.id}/drilldown`));
    expect(outsider.events.flatMap((e) => e.measures).find((x) => x.id === m.measureId)?.recentChecks).toEqual([]);
  });

  it('prints a risk notice card per post with the risks whose measures the post carries out', async () => {
    const postId = newId();
    await t.db.tx((tx) => tx.insert(positions).values({ id: postId, tenantId: s.tenant.id, orgUnitId: s.rootUnitId, code: `P-${postId.slice(-6)}`, name: '储罐区操作工' }));
    const m = await makeMeasure(s);
    const measure = ok(await s.as.safety.get<{ version: number; eventId: string }>(`/api/v1/risks/measures/${m.measureId}`));
    ok(await s.as.safety.patch(`/api/v1/risks/measures/${m.measureId}`, { responsiblePositionId: postId, version: measure.version }));
    ok(await s.as.safety.post(`/api/v1/risks/events/${measure.eventId}/assessments`, { methodCode: 'lec', kind: 'inherent', factors: { L: 6, E: 6, C: 15 } }), 201);
    const res = await s.as.worker.get(`/api/v1/risks/posts/${postId}/notice-card.pdf`);
    if (findCjkFont() === null) {
      // A machine without a CJK font refuses to print empty boxes (platform/pdf/fonts.ts).
      expect(res.statusCode).toBe(503);
      expect((res.body as { code?: string }).code).toBe('pdf_font_missing');
    } else {
      expect(res.statusCode).toBe(200);
      expect(String(res.headers['content-type'])).toContain('application/pdf');
      expect(res.raw.subarray(0, 5).toString()).toBe('%PDF-');
      let hasPdfText = true;
      try {
        execFileSync('which', ['pdftotext'], { stdio: 'ignore' });
      } catch {
        hasPdfText = false;
      }
      if (hasPdfText) {
        const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'post-card-')), 'card.pdf');
        fs.writeFileSync(file, res.raw);
        const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' }).replace(/[ \t]+/g, ' ');
        for (const want of ['风险告知卡', '岗位', '储罐区操作工', '可燃气体报警器完好', '重大风险', '应急措施']) expect(text).toContain(want);
      }
    }
    expect((await s.stranger.get(`/api/v1/risks/posts/${postId}/notice-card.pdf`)).statusCode).toBe(404);
    expect((await s.as.worker.get(`/api/v1/risks/posts/${newId()}/notice-card.pdf`)).statusCode).toBe(404);
  });
});
