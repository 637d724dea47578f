import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/app.ts';
import type { TaskDetailT, TemplateT } from './routes.ts';
import { currentTask, makeCheckpointPlan, makeTemplate, ok, photo, seedInspectionCompany, type Seed } from './testSupport.ts';

let t: TestApp;
let s: Seed;

beforeAll(async () => {
  t = await createTestApp();
  t.clock.now = new Date('2026-03-10T02:00:00Z');
  s = await seedInspectionCompany(t);
}, 60_000);
afterAll(() => t.close());

const UNKNOWN = '01900000-0000-7000-8000-000000000000';

describe('bad input changes nothing', () => {
  it('answers unknown ids and another company’s task with 404', async () => {
    expect((await s.as.worker.get(`/api/v1/inspections/tasks/${UNKNOWN}`)).statusCode).toBe(404);
    expect((await s.as.worker.get('/api/v1/inspections/tasks/not-a-uuid')).statusCode).toBe(400);
    const tpl = await makeTemplate(s);
    const { plan, code } = await makeCheckpointPlan(s, tpl);
    const task = await currentTask(s.as.worker, plan.id, t.clock.now);
    const theirs = await s.stranger.get(`/api/v1/inspections/tasks/${task.id}`);
    expect(theirs.statusCode).toBe(404);
    expect((await s.stranger.post(`/api/v1/inspections/tasks/${task.id}/scan`, { code })).statusCode).toBe(404);
    const badPlan = await s.as.officer.post('/api/v1/inspections/plans', { name: 'x', checkType: 'daily', cycleUnit: 'day', cycleInterval: 1, dayType: 'every_day', orgUnitId: s.team.id, assigneePersonId: s.worker.person.id, templateId: UNKNOWN });
    expect(badPlan.statusCode).toBe(400);
    expect(badPlan.body.errors?.[0]?.field).toBe('templateId');
  });

  it('refuses wrong types, unknown items, missing photos and signatures, and a stale version', async () => {
    const tpl = await makeTemplate(s);
    const { plan, code } = await makeCheckpointPlan(s, tpl);
    const task = await currentTask(s.as.worker, plan.id, t.clock.now);
    const url = `/api/v1/inspections/tasks/${task.id}/results`;
    // Results before the scan: the checklist is not open yet.
    expect((await s.as.worker.post(url, { version: task.version, results: [] })).statusCode).toBe(409);
    const started = ok(await s.as.worker.post<TaskDetailT>(`/api/v1/inspections/tasks/${task.id}/scan`, { code }));
    const v = started.version;
    const sig = await photo(t, s);
    const good = [{ itemKey: 'gauge_ok', value: 'pass' }, { itemKey: 'pressure', reading: 0.5 }, { itemKey: 'sign', signatureFileId: sig }];
    expect((await s.as.worker.post(url, { version: v, results: [{ itemKey: 'pressure', reading: 'abc' }] })).statusCode).toBe(400);
    const unknown = await s.as.worker.post(url, { version: v, results: [...good, { itemKey: 'nope', value: 'x' }] });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.body.errors?.map((e) => e.field)).toContain('results.3.itemKey');
    const noSign = await s.as.worker.post(url, { version: v, results: good.slice(0, 2) });
    expect(noSign.statusCode).toBe(400);
    expect(noSign.body.errors?.[0]?.field).toBe('results[sign].signatureFileId');
    const failNoPhoto = await s.as.worker.post(url, { version: v, results: [{ itemKey: 'gauge_ok', value: 'fail' }, good[1], good[2]] });
    expect(failNoPhoto.statusCode).toBe(400);
    expect(failNoPhoto.body.errors?.[0]?.rule).toBe('required');
    const badValue = await s.as.worker.post(url, { version: v, results: [{ itemKey: 'gauge_ok', value: 'maybe' }, good[1], good[2]] });
    expect(badValue.statusCode).toBe(400);
    const missingFile = await s.as.worker.post(url, { version: v, results: [good[0], good[1], { itemKey: 'sign', signatureFileId: UNKNOWN }] });
    expect(missingFile.statusCode).toBe(400);
    const stale = await s.as.worker.post(url, { version: v - 1, results: good });
    expect(stale.statusCode).toBe(409);
    expect(stale.body.code).toBe('version_conflict');
    // Nothing of the above changed the task.
    const still = ok(await s.as.worker.get<TaskDetailT>(`/api/v1/inspections/tasks/${task.id}`));
    expect(still.status).toBe('in_progress');
    expect(still.results).toEqual([]);
    expect(still.version).toBe(v);
    // The auditor reads but does not inspect.
    expect((await s.as.auditor.post(url, { version: v, results: good })).statusCode).toBe(403);
    expect(ok(await s.as.worker.post<TaskDetailT>(url, { version: v, results: good })).status).toBe('done');
  });

  it('keeps planned tasks on their template version when the template is edited; a stale edit is refused', async () => {
    const tpl = await makeTemplate(s);
    const { plan } = await makeCheckpointPlan(s, tpl);
    const task = await currentTask(s.as.worker, plan.id, t.clock.now);
    const items = [...tpl.items, { key: 'valve', label: '阀门无泄漏', kind: 'pass_fail', required: true }];
    const edited = ok(await s.as.officer.patch<TemplateT>(`/api/v1/inspections/templates/${tpl.id}`, { items, version: tpl.version }));
    expect(edited.currentVersionNo).toBe(2);
    const detail = ok(await s.as.worker.get<TaskDetailT>(`/api/v1/inspections/tasks/${task.id}`));
    expect(detail.templateVersionNo).toBe(1);
    expect(detail.items.map((i) => i.key)).not.toContain('valve');
    const stale = await s.as.officer.patch(`/api/v1/inspections/templates/${tpl.id}`, { name: 'again', version: tpl.version });
    expect(stale.statusCode).toBe(409);
    const dup = await s.as.officer.post('/api/v1/inspections/templates', { name: 'dup', items: [{ key: 'a', label: 'A', kind: 'text', required: false }, { key: 'a', label: 'B', kind: 'text', required: false }] });
    expect(dup.statusCode).toBe(400);
    expect(dup.body.errors?.[0]?.field).toBe('items.1.key');
    const range = await s.as.officer.post('/api/v1/inspections/templates', { name: 'r', items: [{ key: 'n', label: 'N', kind: 'number', required: true, min: 5, max: 1 }] });
    expect(range.statusCode).toBe(400);
    expect((await s.as.worker.post('/api/v1/inspections/templates', { name: 'w', items: [{ key: 'a', label: 'A', kind: 'text', required: false }] })).statusCode).toBe(403);
  });
});
