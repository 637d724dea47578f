import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobs } from '../jobs/schema.ts';
import { notifications } from '../notify/schema.ts';
import { createTestApp, type TestApp } from '../../test/app.ts';
import { handleTaskTimeout } from './timeouts.ts';
import { timeoutKey } from './store.ts';
import { advanceAndRun, approval, eventsOf, history, instanceRow, MIN, outcomes, pendingTasks, publishFlow, seedFlowCompany, start, taskFor, tasksOf, type Seed } from './testSupport.ts';

let t: TestApp;
let s: Seed;

beforeAll(async () => {
  t = await createTestApp({ RATE_LIMIT_PER_MINUTE: '100000' });
  s = await seedFlowCompany(t);
});
afterAll(() => t.close());

const reminders = (userId: string, taskId: string) =>
  t.db.read(async (tx) => (await tx.select().from(notifications).where(and(eq(notifications.userId, userId), eq(notifications.type, 'workflow.task_reminder')))).filter((n) => n.data.taskId === taskId).length);
const actions = async (instanceId: string, action: string) => (await history(t, instanceId)).filter((h) => h.action === action);
const jobOf = async (taskId: string) => (await t.db.read((tx) => tx.select().from(jobs).where(eq(jobs.dedupeKey, timeoutKey(taskId)))))[0]!;

const timed = (timeout: Record<string, unknown>, over: Record<string, unknown> = {}) => ({ start: 'a', nodes: [approval('a', { kind: 'dept_head' }, { timeout, ...over })] });

describe('per-node timeouts with the test clock', () => {
  it('remind: reminds the assignee once at the time limit, never again, and the task stays open', async () => {
    const flow = await publishFlow(s, timed({ minutes: 60, action: 'remind' }));
    const i = await start(t, s.worker, flow.key);
    const task = await taskFor(t, i.id, s.head.user.id);
    await advanceAndRun(t, 59 * MIN);
    expect(await reminders(s.head.user.id, task.id)).toBe(0);
    await advanceAndRun(t, 2 * MIN);
    expect(await reminders(s.head.user.id, task.id)).toBe(1);
    await advanceAndRun(t, 10 * 60 * MIN);
    expect(await reminders(s.head.user.id, task.id)).toBe(1);
    expect(await actions(i.id, 'reminded')).toHaveLength(1);
    expect(await eventsOf(t, task.id)).toEqual(['workflow.task.created', 'workflow.task.reminded']);
    expect((await taskFor(t, i.id, s.head.user.id)).status).toBe('pending');
  });

  it('acts once even when the runner delivers the same timeout job twice', async () => {
    const flow = await publishFlow(s, timed({ minutes: 30, action: 'remind' }));
    const i = await start(t, s.worker, flow.key);
    const task = await taskFor(t, i.id, s.head.user.id);
    t.clock.advance(31 * MIN);
    const job = await jobOf(task.id);
    await handleTaskTimeout({ db: t.db, job, now: t.clock.now });
    await handleTaskTimeout({ db: t.db, job, now: t.clock.now });
    expect(await reminders(s.head.user.id, task.id)).toBe(1);
  });

  it('escalate: hands the overdue approver’s slot to the escalation target, once; the target’s approval completes the node', async () => {
    const flow = await publishFlow(s, {
      start: 'a',
      nodes: [approval('a', { kind: 'person', personIds: [s.head.person.id, s.officer.person.id] }, { mode: 'all', timeout: { minutes: 120, action: 'escalate', escalateTo: { kind: 'role', roleCodes: ['safety_director'] } } })],
    });
    const i = await start(t, s.worker, flow.key);
    // The officer approves in time; the head does not.
    await s.as.officer.post(`/api/v1/workflow/tasks/${(await taskFor(t, i.id, s.officer.user.id)).id}/approve`, {});
    const headTask = await taskFor(t, i.id, s.head.user.id);
    await advanceAndRun(t, 121 * MIN);
    const escalatedTo = await taskFor(t, i.id, s.safety.user.id);
    expect(escalatedTo).toMatchObject({ escalatedFromTaskId: headTask.id, slot: headTask.slot, dueAt: null });
    expect((await tasksOf(t, i.id)).find((x) => x.id === headTask.id)!.status).toBe('escalated');
    expect(await eventsOf(t, headTask.id)).toEqual(['workflow.task.created', 'workflow.task.escalated']);
    // The head's late approval is refused: the slot moved on.
    expect((await s.as.head.post(`/api/v1/workflow/tasks/${headTask.id}/approve`, {})).statusCode).toBe(409);
    await advanceAndRun(t, 48 * 60 * MIN);
    expect(await pendingTasks(t, i.id)).toHaveLength(1);
    const res = await s.as.safety.post<{ status: string }>(`/api/v1/workflow/tasks/${escalatedTo.id}/approve`, { comment: 'approved for the head' });
    expect(res.body.status).toBe('approved');
  });

  it('escalate to the overdue approver’s department head', async () => {
    const flow = await publishFlow(s, {
      start: 'a',
      nodes: [approval('a', { kind: 'levels_up', levels: 1 }, { timeout: { minutes: 10, action: 'escalate', escalateTo: { kind: 'dept_head', of: 'assignee' } } })],
    });
    const i = await start(t, s.worker, flow.key);
    expect((await pendingTasks(t, i.id)).map((x) => x.assigneeUserId)).toEqual([s.leader.user.id]);
    await advanceAndRun(t, 11 * MIN);
    expect((await pendingTasks(t, i.id)).map((x) => x.assigneeUserId)).toEqual([s.head.user.id]);
  });

  it('auto_approve: the system approves at the time limit and the flow goes on; the history says so', async () => {
    const flow = await publishFlow(s, timed({ minutes: 60, action: 'auto_approve' }));
    const i = await start(t, s.worker, flow.key);
    await advanceAndRun(t, 61 * MIN);
    expect((await instanceRow(t, i.id)).status).toBe('approved');
    expect(outcomes.filter((o) => o.subjectId === i.subjectId).map((o) => o.event)).toEqual(['approved']);
    const [approved] = await actions(i.id, 'approved');
    expect(approved).toMatchObject({ actorUserId: null, actorName: 'system', data: { auto: true } });
    expect((await tasksOf(t, i.id))[0]).toMatchObject({ status: 'approved', decidedByUserId: null });
  });

  it('auto_reject: the system rejects at the time limit', async () => {
    const flow = await publishFlow(s, timed({ minutes: 60, action: 'auto_reject' }));
    const i = await start(t, s.worker, flow.key);
    await advanceAndRun(t, 61 * MIN);
    expect((await instanceRow(t, i.id)).status).toBe('rejected');
    expect(await eventsOf(t, i.id)).toContain('workflow.instance.rejected');
  });

  it('does nothing after the task was decided in time: the timer is cancelled', async () => {
    const flow = await publishFlow(s, { start: 'a', nodes: [approval('a', { kind: 'dept_head' }, { timeout: { minutes: 60, action: 'auto_reject' }, next: 'b' }), approval('b', { kind: 'role', roleCodes: ['safety_director'] })] });
    const i = await start(t, s.worker, flow.key);
    const task = await taskFor(t, i.id, s.head.user.id);
    await advanceAndRun(t, 30 * MIN);
    await s.as.head.post(`/api/v1/workflow/tasks/${task.id}/approve`, {});
    expect((await jobOf(task.id)).status).toBe('cancelled');
    await advanceAndRun(t, 5 * 60 * MIN);
    expect((await instanceRow(t, i.id)).status).toBe('running');
    expect(await actions(i.id, 'reminded')).toHaveLength(0);
    expect((await pendingTasks(t, i.id)).map((x) => x.nodeId)).toEqual(['b']);
    // The job, run late anyway (a runner that claimed it before the cancel), changes nothing.
    await handleTaskTimeout({ db: t.db, job: await jobOf(task.id), now: t.clock.now });
    expect((await instanceRow(t, i.id)).status).toBe('running');
  });
});
