import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notifications } from '../notify/schema.ts';
import { createTestApp, type TestApp } from '../../test/app.ts';
import { approval, auditOf, eventsOf, history, HOUR, instanceRow, publishFlow, seedFlowCompany, seedOtherCompany, start, taskFor, tasksOf, type Seed } from './testSupport.ts';

let t: TestApp;
let s: Seed;
let other: Awaited<ReturnType<typeof seedOtherCompany>>;

beforeAll(async () => {
  t = await createTestApp({ RATE_LIMIT_PER_MINUTE: '100000' });
  s = await seedFlowCompany(t);
  other = await seedOtherCompany(t);
});
afterAll(() => t.close());

interface TransferRes {
  status: string;
  taskId: string;
  assigneeUserId: string;
}

describe('hand-over of one task (转交)', () => {
  it('moves my pending task to a colleague with the same slot and due time, audited, and the colleague decides it', async () => {
    const flow = await publishFlow(s, { start: 'a', nodes: [approval('a', { kind: 'dept_head' }, { timeout: { minutes: 240, action: 'remind' } })] });
    const i = await start(t, s.worker, flow.key);
    const mine = await taskFor(t, i.id, s.head.user.id);
    const r = await s.as.head.post<TransferRes>(`/api/v1/workflow/tasks/${mine.id}/transfer`, { toUserId: s.deputy.user.id, comment: 'you are on site today' });
    expect(r.statusCode, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ status: 'running', assigneeUserId: s.deputy.user.id });
    const tasks = await tasksOf(t, i.id);
    const old = tasks.find((x) => x.id === mine.id)!;
    const fresh = tasks.find((x) => x.id === r.body.taskId)!;
    expect(old).toMatchObject({ status: 'transferred', decidedByUserId: s.head.user.id, comment: 'you are on site today' });
    expect(fresh).toMatchObject({ status: 'pending', assigneeUserId: s.deputy.user.id, slot: old.slot, round: old.round });
    // A hand-over does not buy a fresh deadline.
    expect(fresh.dueAt!.getTime()).toBe(old.dueAt!.getTime());
    expect(fresh.dueAt!.getTime() - old.createdAt.getTime()).toBe(4 * HOUR);
    expect((await history(t, i.id)).find((h) => h.action === 'transferred')).toMatchObject({ actorUserId: s.head.user.id, comment: 'you are on site today', data: { to: s.deputy.user.id } });
    expect(await auditOf(t, s.tenant.id, mine.id)).toContain('workflow.task.transferred');
    expect(await eventsOf(t, mine.id)).toContain('workflow.task.transferred');
    const note = await t.db.read((tx) => tx.select().from(notifications).where(and(eq(notifications.userId, s.deputy.user.id), eq(notifications.type, 'workflow.task_assigned'))));
    expect(note.some((n) => n.title.includes('转交') || n.title.includes('handed'))).toBe(true);
    // The old holder sees it as done, the new one as pending, and only the new one may decide.
    const done = await s.as.head.get<{ items: { taskId: string; status: string }[] }>('/api/v1/workflow/tasks?status=done');
    expect(done.body.items.find((x) => x.taskId === mine.id)?.status).toBe('transferred');
    expect((await s.as.head.post(`/api/v1/workflow/tasks/${mine.id}/approve`, {})).statusCode).toBe(409);
    const ok = await s.as.deputy.post<{ status: string }>(`/api/v1/workflow/tasks/${r.body.taskId}/approve`, { comment: 'checked' });
    expect(ok.body.status).toBe('approved');
  });

  it('refuses someone else’s task, the applicant, myself, an unknown or foreign user, a colleague already on the step, and a decided task', async () => {
    const flow = await publishFlow(s, { start: 'a', nodes: [approval('a', { kind: 'person', personIds: [s.head.person.id, s.officer.person.id] }, { mode: 'all' })] });
    const i = await start(t, s.worker, flow.key);
    const mine = await taskFor(t, i.id, s.head.user.id);
    const url = `/api/v1/workflow/tasks/${mine.id}/transfer`;
    const notMine = await s.as.officer.post(url, { toUserId: s.deputy.user.id });
    expect(notMine.statusCode).toBe(403);
    expect(notMine.body.code).toBe('workflow_not_assignee');
    for (const [toUserId, rule] of [
      [s.worker.user.id, 'not_applicant'],
      [s.head.user.id, 'other'],
      [other.worker.user.id, 'exists'],
      ['0190aaaa-0000-7000-8000-000000000000', 'exists'],
      [s.officer.user.id, 'unique'],
    ] as const) {
      const r = await s.as.head.post(url, { toUserId });
      expect(r.statusCode, rule).toBe(400);
      expect(r.body.errors![0]).toMatchObject({ field: 'toUserId', rule });
    }
    expect((await s.as.head.post(url, { toUserId: 'not-a-uuid' })).statusCode).toBe(400);
    // Nothing changed by the refusals.
    expect((await tasksOf(t, i.id)).map((x) => x.status)).toEqual(['pending', 'pending']);
    expect((await s.as.head.post(url, { toUserId: s.deputy.user.id, version: mine.version + 5 })).statusCode).toBe(409);
    await s.as.head.post(`/api/v1/workflow/tasks/${mine.id}/approve`, {});
    const decided = await s.as.head.post(url, { toUserId: s.deputy.user.id });
    expect(decided.statusCode).toBe(409);
    expect(decided.body.code).toBe('workflow_task_decided');
    expect((await other.as.worker.post(`/api/v1/workflow/tasks/${(await taskFor(t, i.id, s.officer.user.id)).id}/transfer`, { toUserId: other.safety.user.id })).statusCode).toBe(404);
  });

  it('keeps countersign (all) exact: the colleague’s approval fills the slot of the one who handed over', async () => {
    const flow = await publishFlow(s, { start: 'a', nodes: [approval('a', { kind: 'person', personIds: [s.head.person.id, s.officer.person.id] }, { mode: 'all' })] });
    const i = await start(t, s.worker, flow.key);
    const r = await s.as.head.post<TransferRes>(`/api/v1/workflow/tasks/${(await taskFor(t, i.id, s.head.user.id)).id}/transfer`, { toUserId: s.plantManager.user.id });
    expect(r.statusCode).toBe(200);
    expect((await s.as.plantManager.post<{ status: string }>(`/api/v1/workflow/tasks/${r.body.taskId}/approve`, {})).body.status).toBe('running');
    expect((await s.as.officer.post<{ status: string }>(`/api/v1/workflow/tasks/${(await taskFor(t, i.id, s.officer.user.id)).id}/approve`, {})).body.status).toBe('approved');
  });
});

describe('comments without a decision', () => {
  it('lets the applicant and an approver comment; the history, audit and event carry it; the others are told', async () => {
    const flow = await publishFlow(s, { start: 'a', nodes: [approval('a', { kind: 'dept_head' })] });
    const i = await start(t, s.worker, flow.key);
    const byHead = await s.as.head.post<{ status: string }>(`/api/v1/workflow/instances/${i.id}/comments`, { comment: 'Which welder?' });
    expect(byHead.statusCode).toBe(201);
    expect(byHead.body.status).toBe('running');
    const byApplicant = await s.as.worker.post(`/api/v1/workflow/instances/${i.id}/comments`, { comment: 'Zhang San, cert T-123' });
    expect(byApplicant.statusCode).toBe(201);
    const detail = await s.as.worker.get<{ history: { action: string; actorUserId: string; comment: string }[] }>(`/api/v1/workflow/instances/${i.id}`);
    expect(detail.body.history.filter((h) => h.action === 'commented').map((h) => [h.actorUserId, h.comment])).toEqual([
      [s.head.user.id, 'Which welder?'],
      [s.worker.user.id, 'Zhang San, cert T-123'],
    ]);
    expect((await auditOf(t, s.tenant.id, i.id)).filter((a) => a === 'workflow.instance.commented')).toHaveLength(2);
    expect((await eventsOf(t, i.id)).filter((e) => e === 'workflow.instance.commented')).toHaveLength(2);
    const toWorker = await t.db.read((tx) => tx.select().from(notifications).where(and(eq(notifications.userId, s.worker.user.id), eq(notifications.type, 'workflow.instance_commented'))));
    expect(toWorker.length).toBeGreaterThan(0);
    // A comment decides nothing: the task still waits.
    expect((await instanceRow(t, i.id)).status).toBe('running');
    expect((await taskFor(t, i.id, s.head.user.id)).status).toBe('pending');
  });

  it('refuses an empty comment, an outsider without scope (403) and another company (404)', async () => {
    const flow = await publishFlow(s, { start: 'a', nodes: [approval('a', { kind: 'dept_head' })] });
    const i = await start(t, s.worker, flow.key);
    const before = (await history(t, i.id)).length;
    expect((await s.as.worker.post(`/api/v1/workflow/instances/${i.id}/comments`, { comment: '   ' })).statusCode).toBe(400);
    expect((await s.as.worker.post(`/api/v1/workflow/instances/${i.id}/comments`, {})).statusCode).toBe(400);
    const outsider = await s.as.otherWorker.post(`/api/v1/workflow/instances/${i.id}/comments`, { comment: 'hi' });
    expect(outsider.statusCode).toBe(403);
    expect((await other.as.safety.post(`/api/v1/workflow/instances/${i.id}/comments`, { comment: 'hi' })).statusCode).toBe(404);
    expect((await history(t, i.id)).length).toBe(before);
  });
});
