import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog } from '../audit/schema.ts';
import { notifications } from '../notify/schema.ts';
import { createTestApp, type TestApp } from '../../test/app.ts';
import {
  approval,
  auditOf,
  eventsOf,
  history,
  HOUR,
  instanceRow,
  makeImage,
  outcomes,
  pendingTasks,
  publishFlow,
  seedFlowCompany,
  seedOtherCompany,
  start,
  taskFor,
  tasksOf,
  type Seed,
} from './testSupport.ts';

let t: TestApp;
let s: Seed;
let other: Awaited<ReturnType<typeof seedOtherCompany>>;

beforeAll(async () => {
  t = await createTestApp({ RATE_LIMIT_PER_MINUTE: '100000' });
  s = await seedFlowCompany(t);
  other = await seedOtherCompany(t);
});
afterAll(() => t.close());

const pair = () => ({ kind: 'person', personIds: [s.officer.person.id, s.head.person.id] });
const approve = (c: Seed['as'][keyof Seed['as']], taskId: string, body: Record<string, unknown> = {}) => c.post<{ status: string; version: number }>(`/api/v1/workflow/tasks/${taskId}/approve`, body);
const outcomeOf = (subjectId: string) => outcomes.filter((o) => o.subjectId === subjectId).map((o) => o.event);

describe('countersign (all) and any-one (any)', () => {
  it('all: the node waits for every approver, then the flow is approved and the subject told in the same transaction', async () => {
    const flow = await publishFlow(s, { start: 'a', nodes: [approval('a', pair(), { mode: 'all' })] });
    const i = await start(t, s.worker, flow.key);
    const first = await approve(s.as.officer, (await taskFor(t, i.id, s.officer.user.id)).id, { comment: 'ok from safety' });
    expect(first.statusCode).toBe(200);
    expect(first.body.status).toBe('running');
    expect(outcomeOf(i.subjectId)).toEqual([]);
    const second = await approve(s.as.head, (await taskFor(t, i.id, s.head.user.id)).id);
    expect(second.body.status).toBe('approved');
    expect(outcomeOf(i.subjectId)).toEqual(['approved']);
    expect(await eventsOf(t, i.id)).toEqual(['workflow.instance.started', 'workflow.instance.approved']);
    expect(await auditOf(t, s.tenant.id, i.id)).toEqual(['workflow.instance.started', 'workflow.instance.approved']);
    const tasks = await tasksOf(t, i.id);
    for (const task of tasks) expect(await eventsOf(t, task.id)).toEqual(['workflow.task.created', 'workflow.task.decided']);
    // The applicant hears of the outcome.
    const note = await t.db.read((tx) => tx.select().from(notifications).where(and(eq(notifications.userId, s.worker.user.id), eq(notifications.type, 'workflow.instance_approved'))));
    expect(note).toHaveLength(1);
  });

  it('any: the first approval decides the node and cancels the other approvers’ tasks', async () => {
    const flow = await publishFlow(s, { start: 'a', nodes: [approval('a', pair(), { mode: 'any', next: 'b' }), approval('b', { kind: 'role', roleCodes: ['safety_director'] })] });
    const i = await start(t, s.worker, flow.key);
    await approve(s.as.head, (await taskFor(t, i.id, s.head.user.id)).id);
    const tasks = await tasksOf(t, i.id);
    expect(tasks.filter((x) => x.nodeId === 'a').map((x) => [x.assigneeUserId, x.status])).toEqual([
      [s.officer.user.id, 'cancelled'],
      [s.head.user.id, 'approved'],
    ]);
    expect((await pendingTasks(t, i.id)).map((x) => [x.nodeId, x.assigneeUserId])).toEqual([['b', s.safety.user.id]]);
  });

  it('a rejection by one countersigner rejects the request, cancels the rest, and needs a comment', async () => {
    const flow = await publishFlow(s, { start: 'a', nodes: [approval('a', pair(), { mode: 'all' })] });
    const i = await start(t, s.worker, flow.key);
    const task = await taskFor(t, i.id, s.officer.user.id);
    const bare = await s.as.officer.post(`/api/v1/workflow/tasks/${task.id}/reject`, {});
    expect(bare.statusCode).toBe(400);
    expect(bare.body.errors![0]!.field).toBe('comment');
    const res = await s.as.officer.post<{ status: string }>(`/api/v1/workflow/tasks/${task.id}/reject`, { comment: 'no gas test attached' });
    expect(res.body.status).toBe('rejected');
    expect((await tasksOf(t, i.id)).map((x) => x.status)).toEqual(['rejected', 'cancelled']);
    expect(outcomeOf(i.subjectId)).toEqual(['rejected']);
    expect(await eventsOf(t, i.id)).toContain('workflow.instance.rejected');
  });
});

describe('CC, to-do list, detail and signatures', () => {
  it('copies CC recipients without waiting for them, and lists the copy under status=cc', async () => {
    const flow = await publishFlow(s, {
      start: 'cc',
      nodes: [{ id: 'cc', type: 'cc', name: 'Notify safety', recipients: { kind: 'role', roleCodes: ['safety_officer'] }, next: 'a' }, approval('a', { kind: 'dept_head' })],
    });
    const i = await start(t, s.worker, flow.key, {}, { title: 'Hot work at tank 3' });
    const tasks = await tasksOf(t, i.id);
    expect(tasks.map((x) => [x.kind, x.status, x.assigneeUserId])).toEqual([
      ['cc', 'notified', s.officer.user.id],
      ['approval', 'pending', s.head.user.id],
    ]);
    const cc = await s.as.officer.get<{ items: { instanceId: string; nodeName: string; kind: string }[] }>('/api/v1/workflow/tasks?status=cc');
    expect(cc.body.items.find((x) => x.instanceId === i.id)).toMatchObject({ nodeName: 'Notify safety', kind: 'cc' });
    const note = await t.db.read((tx) => tx.select().from(notifications).where(and(eq(notifications.userId, s.officer.user.id), eq(notifications.type, 'workflow.cc'))));
    expect(note.length).toBeGreaterThan(0);
    expect(await auditOf(t, s.tenant.id, i.id)).toEqual(['workflow.instance.started', 'workflow.instance.cc']);
  });

  it('shows a person’s pending tasks across subjects with title, node and due time, then the done list', async () => {
    const flow = await publishFlow(s, { start: 'a', nodes: [approval('a', { kind: 'dept_head' }, { timeout: { minutes: 120, action: 'remind' } })] });
    const i = await start(t, s.worker, flow.key, {}, { subjectType: 'wf_test', title: 'Extension for YH-2026-000001', summary: '3 more days' });
    const todo = await s.as.head.get<{ items: Record<string, unknown>[] }>('/api/v1/workflow/tasks?status=pending');
    expect(todo.statusCode).toBe(200);
    const item = todo.body.items.find((x) => x.instanceId === i.id)!;
    expect(item).toMatchObject({ subjectType: 'wf_test', subjectId: i.subjectId, title: 'Extension for YH-2026-000001', summary: '3 more days', nodeId: 'a', nodeName: 'Step a', applicantUserId: s.worker.user.id });
    expect(new Date(item.dueAt as string).getTime() - new Date(item.createdAt as string).getTime()).toBe(2 * HOUR);
    expect((await s.as.worker.get<{ items: unknown[] }>('/api/v1/workflow/tasks')).body.items.find((x) => (x as { instanceId: string }).instanceId === i.id)).toBeUndefined();

    await approve(s.as.head, item.taskId as string, { comment: 'fine' });
    const pending = await s.as.head.get<{ items: { instanceId: string }[] }>('/api/v1/workflow/tasks?status=pending');
    expect(pending.body.items.find((x) => x.instanceId === i.id)).toBeUndefined();
    const done = await s.as.head.get<{ items: { instanceId: string; status: string; comment: string }[] }>('/api/v1/workflow/tasks?status=done');
    expect(done.body.items.find((x) => x.instanceId === i.id)).toMatchObject({ status: 'approved', comment: 'fine' });
  });

  it('stores a handwritten signature (file id + SHA-256) on the task, the history and the audit entry; refuses a missing one when required', async () => {
    const flow = await publishFlow(s, { start: 'a', nodes: [approval('a', { kind: 'dept_head' }, { requireSignature: true })] });
    const i = await start(t, s.worker, flow.key);
    const task = await taskFor(t, i.id, s.head.user.id);
    const unsigned = await approve(s.as.head, task.id, { comment: 'ok' });
    expect(unsigned.statusCode).toBe(400);
    expect(unsigned.body.errors![0]!.field).toBe('signatureFileId');
    const foreignImage = await makeImage(t, other.tenant.id);
    expect((await approve(s.as.head, task.id, { signatureFileId: foreignImage.id })).statusCode).toBe(400);

    const sig = await makeImage(t, s.tenant.id);
    expect((await approve(s.as.head, task.id, { comment: 'signed on site', signatureFileId: sig.id })).statusCode).toBe(200);
    const detail = await s.as.worker.get<{ status: string; tasks: { signatureFileId: string; signatureSha256: string }[]; history: { action: string; actorName: string; comment: string; signatureFileId: string; signatureSha256: string; at: string }[] }>(
      `/api/v1/workflow/instances/${i.id}`,
    );
    expect(detail.statusCode).toBe(200);
    expect(detail.body.status).toBe('approved');
    expect(detail.body.tasks[0]).toMatchObject({ signatureFileId: sig.id, signatureSha256: sig.sha256 });
    expect(detail.body.history.map((h) => h.action)).toEqual(['started', 'node_entered', 'approved', 'finished']);
    expect(detail.body.history[2]).toMatchObject({ actorName: s.head.person.name, comment: 'signed on site', signatureFileId: sig.id, signatureSha256: sig.sha256 });
    const [entry] = await t.db.read((tx) => tx.select().from(auditLog).where(and(eq(auditLog.entityId, task.id), eq(auditLog.action, 'workflow.task.decided'))));
    expect(entry!.after).toMatchObject({ signatureFileId: sig.id, signatureSha256: sig.sha256, decision: 'approved' });
  });
});

describe('send back and withdraw', () => {
  const threeSteps = () => ({
    start: 'route',
    nodes: [
      { id: 'route', type: 'condition', name: 'By amount', branches: [{ when: [{ field: 'amount', op: 'gt', value: 1000 }], next: 'leader' }, { default: true, next: 'head' }] },
      approval('leader', { kind: 'levels_up', levels: 1 }, { next: 'head' }),
      approval('head', { kind: 'dept_head' }, { next: 'safety' }),
      approval('safety', { kind: 'role', roleCodes: ['safety_director'] }),
    ],
  });

  it('sends back to the applicant, who resubmits a changed form and the flow starts over on the new values', async () => {
    const flow = await publishFlow(s, threeSteps());
    const i = await start(t, s.worker, flow.key, { amount: 5000 });
    await approve(s.as.leader, (await taskFor(t, i.id, s.leader.user.id)).id);
    const back = await s.as.head.post<{ status: string; version: number }>(`/api/v1/workflow/tasks/${(await taskFor(t, i.id, s.head.user.id)).id}/send-back`, { to: 'applicant', comment: 'attach the JSA' });
    expect(back.statusCode).toBe(200);
    expect(back.body.status).toBe('sent_back');
    expect(await pendingTasks(t, i.id)).toEqual([]);
    expect(outcomeOf(i.subjectId)).toEqual(['sent_back']);
    expect(await eventsOf(t, i.id)).toContain('workflow.instance.sent_back');

    const notMine = await s.as.colleague.post(`/api/v1/workflow/instances/${i.id}/resubmit`, { version: back.body.version });
    expect(notMine.statusCode).toBe(403);
    expect(notMine.body.code).toBe('workflow_not_applicant');
    const again = await s.as.worker.post<{ status: string; currentNodeId: string }>(`/api/v1/workflow/instances/${i.id}/resubmit`, { form: { amount: 200 }, comment: 'JSA attached', version: back.body.version });
    expect(again.statusCode).toBe(200);
    // amount 200 takes the default branch: straight to the department head.
    expect(again.body).toMatchObject({ status: 'running', currentNodeId: 'head' });
    expect((await instanceRow(t, i.id)).form).toEqual({ amount: 200 });
    expect(outcomeOf(i.subjectId)).toEqual(['sent_back', 'resubmitted']);
  });

  it('sends back to an earlier node, whose approver decides again; refuses a node not yet passed', async () => {
    const flow = await publishFlow(s, threeSteps());
    const i = await start(t, s.worker, flow.key, { amount: 5000 });
    await approve(s.as.leader, (await taskFor(t, i.id, s.leader.user.id)).id);
    await approve(s.as.head, (await taskFor(t, i.id, s.head.user.id)).id);
    const safetyTask = await taskFor(t, i.id, s.safety.user.id);
    const ahead = await s.as.safety.post(`/api/v1/workflow/tasks/${safetyTask.id}/send-back`, { to: 'nowhere', comment: 'x' });
    expect(ahead.statusCode).toBe(400);
    expect(ahead.body.errors![0]!.field).toBe('to');
    const back = await s.as.safety.post<{ status: string; currentNodeId: string }>(`/api/v1/workflow/tasks/${safetyTask.id}/send-back`, { to: 'leader', comment: 'check the fire watch' });
    expect(back.body).toMatchObject({ status: 'running', currentNodeId: 'leader' });
    const fresh = await taskFor(t, i.id, s.leader.user.id);
    expect(fresh.round).toBeGreaterThan(safetyTask.round);
    // Through leader and head again, then safety approves.
    await approve(s.as.leader, fresh.id);
    await approve(s.as.head, (await taskFor(t, i.id, s.head.user.id)).id);
    const done = await approve(s.as.safety, (await taskFor(t, i.id, s.safety.user.id)).id);
    expect(done.body.status).toBe('approved');
    const actions = (await history(t, i.id)).map((h) => `${h.action}:${h.nodeId ?? ''}`);
    expect(actions).toContain('sent_back:safety');
    expect((await tasksOf(t, i.id)).filter((x) => x.status === 'sent_back').map((x) => x.comment)).toEqual(['check the fire watch']);
  });

  it('lets the applicant withdraw while running (tasks cancelled, subject told), not others, not twice, not with a stale version', async () => {
    const flow = await publishFlow(s, threeSteps());
    const i = await start(t, s.worker, flow.key, { amount: 5 });
    const current = await instanceRow(t, i.id);
    const byHead = await s.as.head.post(`/api/v1/workflow/instances/${i.id}/withdraw`, { version: current.version });
    expect(byHead.statusCode).toBe(403);
    const stale = await s.as.worker.post(`/api/v1/workflow/instances/${i.id}/withdraw`, { version: current.version - 1 });
    expect(stale.statusCode).toBe(409);
    expect(stale.body.code).toBe('version_conflict');
    const ok = await s.as.worker.post<{ status: string; version: number }>(`/api/v1/workflow/instances/${i.id}/withdraw`, { comment: 'wrong date', version: current.version });
    expect(ok.body.status).toBe('withdrawn');
    expect((await tasksOf(t, i.id)).map((x) => x.status)).toEqual(['cancelled']);
    expect(outcomeOf(i.subjectId)).toEqual(['withdrawn']);
    expect(await eventsOf(t, i.id)).toContain('workflow.instance.withdrawn');
    const twice = await s.as.worker.post(`/api/v1/workflow/instances/${i.id}/withdraw`, { version: ok.body.version });
    expect(twice.statusCode).toBe(409);
    expect(twice.body.code).toBe('workflow_instance_finished');
  });
});

describe('delegation while away', () => {
  it('routes new tasks to the delegate on behalf of the approver during the period, and back after clearing', async () => {
    const flow = await publishFlow(s, { start: 'a', nodes: [approval('a', { kind: 'dept_head' })] });
    const before = await start(t, s.worker, flow.key);
    const now = t.clock.now.getTime();
    const set = await s.as.head.put<{ version: number; delegateUserId: string }>('/api/v1/workflow/delegation', {
      delegateUserId: s.deputy.user.id,
      startsAt: new Date(now - HOUR).toISOString(),
      endsAt: new Date(now + 72 * HOUR).toISOString(),
      reason: 'business trip',
    });
    expect(set.statusCode).toBe(200);
    expect(await auditOf(t, s.tenant.id, (await s.as.head.get<{ delegation: { id: string } }>('/api/v1/workflow/delegation')).body.delegation.id)).toEqual(['workflow.delegation.set']);

    const during = await start(t, s.worker, flow.key);
    const task = await taskFor(t, during.id, s.deputy.user.id);
    expect(task.onBehalfOfUserId).toBe(s.head.user.id);
    // The task created before the delegation stays with the head.
    expect((await taskFor(t, before.id, s.head.user.id)).onBehalfOfUserId).toBeNull();
    // The head no longer holds the delegated task; the deputy decides it.
    expect((await approve(s.as.head, task.id)).statusCode).toBe(403);
    const todo = await s.as.deputy.get<{ items: { taskId: string; onBehalfOfName: string }[] }>('/api/v1/workflow/tasks');
    expect(todo.body.items.find((x) => x.taskId === task.id)?.onBehalfOfName).toBe(s.head.person.name);
    expect((await approve(s.as.deputy, task.id)).body.status).toBe('approved');
    const approved = (await history(t, during.id)).find((h) => h.action === 'approved');
    expect(approved).toMatchObject({ actorUserId: s.deputy.user.id, onBehalfOfUserId: s.head.user.id });

    const noVersion = await s.as.head.put('/api/v1/workflow/delegation', { delegateUserId: s.deputy.user.id, startsAt: new Date(now).toISOString(), endsAt: new Date(now + HOUR).toISOString() });
    expect(noVersion.statusCode).toBe(428);
    const stale = await s.as.head.del('/api/v1/workflow/delegation', { 'if-match': String(set.body.version + 5) });
    expect(stale.statusCode).toBe(409);
    const cleared = await s.as.head.del('/api/v1/workflow/delegation', { 'if-match': String(set.body.version) });
    expect(cleared.statusCode).toBe(200);
    const after = await start(t, s.worker, flow.key);
    expect((await taskFor(t, after.id, s.head.user.id)).onBehalfOfUserId).toBeNull();
  });

  it('keeps the task with the approver when their delegate is the applicant', async () => {
    const flow = await publishFlow(s, { start: 'a', nodes: [approval('a', { kind: 'levels_up', levels: 1 })] });
    const now = t.clock.now.getTime();
    const set = await s.as.leader.put('/api/v1/workflow/delegation', { delegateUserId: s.colleague.user.id, startsAt: new Date(now - HOUR).toISOString(), endsAt: new Date(now + HOUR).toISOString() });
    expect(set.statusCode).toBe(200);
    const own = await start(t, s.colleague, flow.key);
    expect((await taskFor(t, own.id, s.leader.user.id)).onBehalfOfUserId).toBeNull();
    const others = await start(t, s.worker, flow.key);
    expect((await taskFor(t, others.id, s.colleague.user.id)).onBehalfOfUserId).toBe(s.leader.user.id);
    expect((await s.as.leader.del('/api/v1/workflow/delegation', { 'if-match': String((set.body as { version: number }).version) })).statusCode).toBe(200);
  });

  it('refuses delegating to oneself, to another company’s user, or for a period already over', async () => {
    const now = t.clock.now.getTime();
    const period = { startsAt: new Date(now).toISOString(), endsAt: new Date(now + HOUR).toISOString() };
    expect((await s.as.leader.put('/api/v1/workflow/delegation', { delegateUserId: s.leader.user.id, ...period })).statusCode).toBe(400);
    expect((await s.as.leader.put('/api/v1/workflow/delegation', { delegateUserId: other.worker.user.id, ...period })).statusCode).toBe(400);
    const past = await s.as.leader.put('/api/v1/workflow/delegation', { delegateUserId: s.deputy.user.id, startsAt: new Date(now - 3 * HOUR).toISOString(), endsAt: new Date(now - HOUR).toISOString() });
    expect(past.statusCode).toBe(400);
    expect(past.body.errors![0]!.field).toBe('endsAt');
  });
});

describe('refusals', () => {
  it('returns 403 to someone who is not the assignee, 409 on a decided task, 404 to another company', async () => {
    const flow = await publishFlow(s, { start: 'a', nodes: [approval('a', { kind: 'dept_head' }, { next: 'b' }), approval('b', { kind: 'role', roleCodes: ['safety_director'] })] });
    const i = await start(t, s.worker, flow.key);
    const task = await taskFor(t, i.id, s.head.user.id);
    // Even the administrator (every permission) is not the assignee.
    const admin = await approve(s.as.admin, task.id);
    expect(admin.statusCode).toBe(403);
    expect(admin.body.code).toBe('workflow_not_assignee');
    expect((await approve(s.as.worker, task.id)).statusCode).toBe(403);
    const stale = await approve(s.as.head, task.id, { version: task.version + 1 });
    expect(stale.statusCode).toBe(409);
    expect(stale.body.code).toBe('version_conflict');
    expect((await approve(s.as.head, task.id, { version: task.version })).statusCode).toBe(200);
    const again = await approve(s.as.head, task.id);
    expect(again.statusCode).toBe(409);
    expect(again.body.code).toBe('workflow_task_decided');
    const sendBack = await s.as.head.post(`/api/v1/workflow/tasks/${task.id}/send-back`, { to: 'applicant', comment: 'late' });
    expect(sendBack.statusCode).toBe(409);

    const foreignTask = await other.as.worker.post(`/api/v1/workflow/tasks/${task.id}/approve`, {});
    expect(foreignTask.statusCode).toBe(404);
    expect((await other.as.safety.get(`/api/v1/workflow/instances/${i.id}`)).statusCode).toBe(404);
    expect((await other.as.safety.get('/api/v1/workflow/instances')).body).toMatchObject({ items: [] });
  });

  it('shows an instance to its applicant and approvers, to readers in scope, and 403 out_of_scope to others', async () => {
    const flow = await publishFlow(s, { start: 'a', nodes: [approval('a', { kind: 'dept_head' })] });
    const i = await start(t, s.worker, flow.key);
    expect((await s.as.worker.get(`/api/v1/workflow/instances/${i.id}`)).statusCode).toBe(200);
    expect((await s.as.head.get(`/api/v1/workflow/instances/${i.id}`)).statusCode).toBe(200);
    expect((await s.as.auditor.get(`/api/v1/workflow/instances/${i.id}`)).statusCode).toBe(200);
    const otherHead = await s.as.otherHead.get(`/api/v1/workflow/instances/${i.id}`);
    expect(otherHead.statusCode).toBe(403);
    expect(otherHead.body.code).toBe('out_of_scope');
    expect((await s.as.colleague.get(`/api/v1/workflow/instances/${i.id}`)).statusCode).toBe(403);
    const mine = await s.as.worker.get<{ items: { id: string }[] }>('/api/v1/workflow/instances?mine=true');
    expect(mine.body.items.map((x) => x.id)).toContain(i.id);
    expect((await s.as.colleague.get<{ items: { id: string }[] }>('/api/v1/workflow/instances')).body.items.map((x) => x.id)).not.toContain(i.id);
  });

  it('rolls the approval back when the subject’s handler fails in the same transaction', async () => {
    const flow = await publishFlow(s, { start: 'a', nodes: [approval('a', { kind: 'dept_head' })] });
    const i = await start(t, s.worker, flow.key, {}, { subjectId: 'fail-1' });
    const task = await taskFor(t, i.id, s.head.user.id);
    const res = await approve(s.as.head, task.id);
    expect(res.statusCode).toBe(500);
    expect((await taskFor(t, i.id, s.head.user.id)).status).toBe('pending');
    expect((await instanceRow(t, i.id)).status).toBe('running');
    expect(await eventsOf(t, task.id)).toEqual(['workflow.task.created']);
  });

  it('refuses a second running flow for the same subject', async () => {
    const flow = await publishFlow(s, { start: 'a', nodes: [approval('a', { kind: 'dept_head' })] });
    await start(t, s.worker, flow.key, {}, { subjectId: 'dup-1' });
    await expect(start(t, s.worker, flow.key, {}, { subjectId: 'dup-1' })).rejects.toMatchObject({ code: 'conflict' });
    // Two starts at the same moment: one wins, the other is the same 409 (pre-check or unique index).
    const race = await Promise.allSettled([start(t, s.worker, flow.key, {}, { subjectId: 'dup-2' }), start(t, s.colleague, flow.key, {}, { subjectId: 'dup-2' })]);
    expect(race.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(race.find((r) => r.status === 'rejected')).toMatchObject({ reason: { code: 'conflict' } });
  });
});
