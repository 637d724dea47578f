import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog } from '../../platform/audit/schema.ts';
import { notifications } from '../../platform/notify/schema.ts';
import { createTestApp, type TestApp } from '../../test/app.ts';
import { runDailyGeneration, sweepMissedTasks } from './jobs.ts';
import type { PlanT, TaskDetailT, TaskListItemT } from './routes.ts';
import { currentTask, makeCheckpointPlan, makeMeasure, makeTemplate, ok, photo, seedInspectionCompany, type Seed } from './testSupport.ts';

let t: TestApp;
let s: Seed;
// Sunday 1 March 2026, 00:30 in Shanghai.
const MARCH_1 = new Date('2026-02-28T16:30:00Z');

beforeAll(async () => {
  t = await createTestApp();
  t.clock.now = MARCH_1;
  s = await seedInspectionCompany(t);
}, 60_000);
afterAll(() => t.close());

const tasksOf = async (q: string) => ok(await s.as.safety.get<{ items: TaskListItemT[]; nextCursor: string | null }>(`/api/v1/inspections/tasks?limit=200&${q}`)).items;

describe('plans from control measures', () => {
  it('generates a month of tasks from each measure’s cycle: 22 on work days only, 31 every day, once however often it runs', async () => {
    const work = await makeMeasure(s, { workDayType: 'workdays' });
    const every = await makeMeasure(s, { workDayType: 'every_day' });
    const weekly = await makeMeasure(s, { checkCycleUnit: 'week', workDayType: 'workdays' });
    // The daily job of every day of March (7 days ahead each), then again for the 10th: nothing new.
    for (let d = 0; d < 31; d++) await runDailyGeneration(t.db, s.tenant.id, new Date(MARCH_1.getTime() + d * 86_400_000), { notify: false });
    await runDailyGeneration(t.db, s.tenant.id, new Date(MARCH_1.getTime() + 9 * 86_400_000), { notify: false });
    const month = 'from=2026-03-01&to=2026-03-31';
    const w = await tasksOf(`${month}&controlMeasureId=${work.measureId}`);
    const e = await tasksOf(`${month}&controlMeasureId=${every.measureId}`);
    expect(w).toHaveLength(22);
    expect(e).toHaveLength(31);
    // 1 March is a Sunday: a partial first week, then the weeks of 2, 9, 16, 23 and 30 March.
    expect(await tasksOf(`${month}&controlMeasureId=${weekly.measureId}`)).toHaveLength(6);
    // No Saturday or Sunday among the work-day tasks (windows start at local midnight: 16:00 UTC the day before).
    const weekdays = w.map((x) => new Date(new Date(x.windowStart).getTime() + 8 * 3_600_000).getUTCDay());
    expect(weekdays.filter((d) => d === 0 || d === 6)).toEqual([]);
    // For the person responsible for the measure, in their own list.
    expect(new Set(w.map((x) => x.assigneePersonId))).toEqual(new Set([s.worker.person.id]));
    const mine = ok(await s.as.worker.get<{ items: TaskListItemT[] }>(`/api/v1/inspections/tasks?mine=true&day=2026-03-02&controlMeasureId=${work.measureId}`));
    expect(mine.items).toHaveLength(1);
    const plans = ok(await s.as.safety.get<{ items: PlanT[] }>('/api/v1/inspections/plans?source=control_measure'));
    expect(plans.items.filter((p) => [work.measureId, every.measureId].includes(p.controlMeasureId ?? ''))).toHaveLength(2);
  });

  it('follows a measure whose cycle changes: its untouched future tasks are planned again', async () => {
    t.clock.now = MARCH_1;
    const m = await makeMeasure(s, { workDayType: 'workdays' });
    ok(await s.as.safety.post('/api/v1/inspections/plans/sync'));
    expect(await tasksOf(`from=2026-03-01&to=2026-03-08&controlMeasureId=${m.measureId}`)).toHaveLength(5);
    const measure = ok(await s.as.safety.get<{ version: number }>(`/api/v1/risks/measures/${m.measureId}`));
    ok(await s.as.safety.patch(`/api/v1/risks/measures/${m.measureId}`, { workDayType: 'every_day', version: measure.version }));
    const sync = ok(await s.as.safety.post<{ updated: number }>('/api/v1/inspections/plans/sync'));
    expect(sync.updated).toBeGreaterThanOrEqual(1);
    expect(await tasksOf(`from=2026-03-01&to=2026-03-08&controlMeasureId=${m.measureId}`)).toHaveLength(8);
  });
});

describe('missed tasks', () => {
  it('marks a task not done in its window missed exactly once, audited, assignee and department head told', async () => {
    t.clock.now = new Date('2026-03-02T02:00:00Z');
    const tpl = await makeTemplate(s);
    const { plan } = await makeCheckpointPlan(s, tpl);
    const task = await currentTask(s.as.worker, plan.id, t.clock.now);
    // Still inside the window: nothing happens.
    await sweepMissedTasks(t.db, new Date(task.windowEnd).getTime() - 1000 > 0 ? new Date(new Date(task.windowEnd).getTime() - 1000) : t.clock.now);
    expect(ok(await s.as.worker.get<TaskDetailT>(`/api/v1/inspections/tasks/${task.id}`)).status).toBe('planned');
    const after = new Date(new Date(task.windowEnd).getTime() + 60_000);
    t.clock.now = after;
    const first = await sweepMissedTasks(t.db, after);
    const second = await sweepMissedTasks(t.db, new Date(after.getTime() + 3_600_000));
    expect(first).toBeGreaterThanOrEqual(1);
    expect(second).toBe(0);
    const d = ok(await s.as.worker.get<TaskDetailT>(`/api/v1/inspections/tasks/${task.id}`));
    expect(d.status).toBe('missed');
    const audits = await t.db.read((tx) => tx.select().from(auditLog).where(and(eq(auditLog.entityId, task.id), eq(auditLog.action, 'inspection.task.missed'))));
    expect(audits).toHaveLength(1);
    const notes = await t.db.read((tx) => tx.select().from(notifications).where(and(eq(notifications.tenantId, s.tenant.id), eq(notifications.type, 'inspection.task.missed'))));
    const mine = notes.filter((n) => (n.data as { taskId?: string }).taskId === task.id);
    expect(new Set(mine.map((n) => n.userId))).toEqual(new Set([s.worker.user.id, s.head.user.id]));
    // A missed task takes no more answers.
    const late = await s.as.worker.post(`/api/v1/inspections/tasks/${task.id}/scan`, { code: 'x'.repeat(20) });
    expect(late.statusCode).toBe(409);
  });
});

describe('doing a check', () => {
  it('refuses the QR code of another checkpoint (problem+json) and starts the task with its own', async () => {
    t.clock.now = new Date('2026-03-03T02:00:00Z');
    const tpl = await makeTemplate(s);
    const a = await makeCheckpointPlan(s, tpl);
    const b = await makeCheckpointPlan(s, tpl);
    const task = await currentTask(s.as.worker, a.plan.id, t.clock.now);
    const wrong = await s.as.worker.post(`/api/v1/inspections/tasks/${task.id}/scan`, { code: b.code });
    expect(wrong.statusCode).toBe(422);
    expect(String(wrong.headers['content-type'])).toContain('application/problem+json');
    expect(wrong.body.code).toBe('checkpoint_mismatch');
    expect(ok(await s.as.worker.get<TaskDetailT>(`/api/v1/inspections/tasks/${task.id}`)).status).toBe('planned');
    const refused = await t.db.read((tx) => tx.select().from(auditLog).where(and(eq(auditLog.entityId, b.checkpoint.id), eq(auditLog.action, 'checkpoint.scan_refused'))));
    expect(refused).toHaveLength(1);
    // Someone else's task is not theirs to start.
    expect((await s.as.operator.post(`/api/v1/inspections/tasks/${task.id}/scan`, { code: a.code })).statusCode).toBe(403);
    const started = ok(await s.as.worker.post<TaskDetailT>(`/api/v1/inspections/tasks/${task.id}/scan`, { code: a.code }));
    expect(started.status).toBe('in_progress');
    expect(started.stops[0]!.scannedAt).not.toBeNull();
    // The scan page finds it at the checkpoint.
    const at = ok(await s.as.worker.get<{ items: TaskListItemT[] }>(`/api/v1/inspections/tasks/at-checkpoint/${a.checkpoint.id}`));
    expect(at.items.map((x) => x.id)).toContain(task.id);
  });

  it('raises exactly one linked hazard for a failed item, also on a replay and a retry', async () => {
    t.clock.now = new Date('2026-03-04T02:00:00Z');
    const tpl = await makeTemplate(s);
    const { plan, code } = await makeCheckpointPlan(s, tpl);
    const task = await currentTask(s.as.worker, plan.id, t.clock.now);
    const started = ok(await s.as.worker.post<TaskDetailT>(`/api/v1/inspections/tasks/${task.id}/scan`, { code }));
    const pic = await photo(t, s);
    const sig = await photo(t, s);
    const body = {
      version: started.version,
      results: [
        { itemKey: 'gauge_ok', value: 'fail', photoIds: [pic], remark: '表盘破裂' },
        { itemKey: 'pressure', reading: 0.5 },
        { itemKey: 'sign', signatureFileId: sig },
      ],
    };
    const key = { 'idempotency-key': `insp-${task.id}` };
    const res = await s.as.worker.post<TaskDetailT>(`/api/v1/inspections/tasks/${task.id}/results`, body, key);
    const done = ok(res);
    expect(done.status).toBe('done');
    expect(done.onTime).toBe(true);
    expect(done.findings).toHaveLength(1);
    const f = done.findings[0]!;
    expect(f.itemKey).toBe('gauge_ok');
    expect(f.hazardNumber).toMatch(/^YH-2026-\d{6}$/);
    const replay = await s.as.worker.post<TaskDetailT>(`/api/v1/inspections/tasks/${task.id}/results`, body, key);
    expect(replay.statusCode).toBe(200);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body.findings[0]!.hazardId).toBe(f.hazardId);
    const retry = await s.as.worker.post(`/api/v1/inspections/tasks/${task.id}/results`, body);
    expect(retry.statusCode).toBe(409);
    const again = ok(await s.as.worker.post<TaskDetailT>(`/api/v1/inspections/tasks/${task.id}/findings/raise`));
    expect(again.findings.map((x) => x.hazardId)).toEqual([f.hazardId]);
    const hazard = ok(await s.as.safety.get<{ id: string; orgUnitId: string; photos: unknown[]; source: string; description: string }>(`/api/v1/hazards/${f.hazardId}`));
    expect(hazard.orgUnitId).toBe(s.team.id);
    expect(hazard.photos).toHaveLength(1);
    expect(hazard.description).toContain('表盘破裂');
    const raised = await t.db.read((tx) => tx.select().from(auditLog).where(and(eq(auditLog.entityId, task.id), eq(auditLog.action, 'inspection.finding.hazard_raised'))));
    expect(raised).toHaveLength(1);
  });

  it('fails a number outside its range, pre-fills the control measure, and counts in the measure’s history', async () => {
    t.clock.now = new Date('2026-03-05T02:00:00Z');
    const m = await makeMeasure(s, { workDayType: 'every_day' });
    const tpl = await makeTemplate(s);
    ok(await s.as.safety.post('/api/v1/inspections/plans/sync'));
    const plans = ok(await s.as.safety.get<{ items: PlanT[] }>('/api/v1/inspections/plans?source=control_measure&limit=200'));
    const plan = plans.items.find((p) => p.controlMeasureId === m.measureId)!;
    const { checkpoint, code } = await makeCheckpointPlan(s, tpl);
    ok(await s.as.officer.patch(`/api/v1/inspections/plans/${plan.id}`, { checkpointId: checkpoint.id, templateId: tpl.id, version: plan.version }));
    // Today's task keeps what it was planned with; tomorrow's (01:00 on 6 March) is at the checkpoint.
    t.clock.now = new Date('2026-03-05T17:00:00Z');
    const task = await currentTask(s.as.worker, plan.id, t.clock.now);
    const started = ok(await s.as.worker.post<TaskDetailT>(`/api/v1/inspections/tasks/${task.id}/scan`, { code }));
    expect(started.measure?.id).toBe(m.measureId);
    const done = ok(
      await s.as.worker.post<TaskDetailT>(`/api/v1/inspections/tasks/${task.id}/results`, {
        version: started.version,
        results: [
          { itemKey: 'gauge_ok', value: 'pass', photoIds: [await photo(t, s)] },
          { itemKey: 'pressure', reading: 1.2 },
          { itemKey: 'sign', signatureFileId: await photo(t, s) },
        ],
      }),
    );
    expect(done.results.find((r) => r.itemKey === 'pressure')?.passed).toBe(false);
    expect(done.findings.map((x) => x.itemKey)).toEqual(['pressure']);
    const hazard = ok(await s.as.safety.get<{ description: string; source: string }>(`/api/v1/hazards/${done.findings[0]!.hazardId}`));
    expect(hazard.description).toContain('可燃气体报警器完好');
    expect(hazard.source).toBe('control_failure');
    const history = ok(await s.as.safety.get<{ items: TaskListItemT[]; findings: { taskId: string }[] }>(`/api/v1/inspections/measures/${m.measureId}/history`));
    expect(history.items.find((x) => x.id === task.id)?.status).toBe('done');
    expect(history.findings.map((x) => x.taskId)).toContain(task.id);
  });
});

describe('oversight', () => {
  it('gives completion and on-time rates by department, person and route, and a calendar', async () => {
    const rates = ok(await s.as.safety.get<{ overall: { done: number; missed: number; completionRate: number | null }; byPerson: { key: string | null; done: number }[]; byDepartment: { key: string | null }[] }>('/api/v1/inspections/oversight/rates?from=2026-03-01&to=2026-03-31'));
    expect(rates.overall.done).toBeGreaterThanOrEqual(2);
    expect(rates.overall.missed).toBeGreaterThanOrEqual(1);
    expect(rates.overall.completionRate).toBeGreaterThan(0);
    expect(rates.byPerson.find((p) => p.key === s.worker.person.id)?.done).toBeGreaterThanOrEqual(2);
    expect(rates.byDepartment.map((d) => d.key)).toContain(s.workshop.id);
    const cal = ok(await s.as.safety.get<{ days: { day: string; total: number; done: number }[] }>('/api/v1/inspections/oversight/calendar?month=2026-03'));
    expect(cal.days).toHaveLength(31);
    expect(cal.days.find((d) => d.day === '2026-03-04')?.done).toBeGreaterThanOrEqual(1);
    expect((await s.as.worker.get('/api/v1/inspections/oversight/rates?from=2026-03-01&to=2026-03-31')).statusCode).toBe(403);
  });
});
