import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/app.ts';
import { approval, history, pendingTasks, publishFlow, seedFlowCompany, start, type Seed } from './testSupport.ts';

let t: TestApp;
let s: Seed;

beforeAll(async () => {
  t = await createTestApp({ RATE_LIMIT_PER_MINUTE: '100000' });
  s = await seedFlowCompany(t);
});
afterAll(() => t.close());

/** The users the first approval node of a one-node flow with this rule asks, for this applicant. */
async function approversFor(rule: Record<string, unknown>, applicant: { user: { id: string } } = s.worker, mode = 'all') {
  const flow = await publishFlow(s, { start: 'a', nodes: [approval('a', rule, { mode })] });
  const instance = await start(t, applicant, flow.key);
  return (await pendingTasks(t, instance.id)).map((x) => x.assigneeUserId);
}

describe('approver rules', () => {
  it('person: the logins of the people listed, in the order listed', async () => {
    expect(await approversFor({ kind: 'person', personIds: [s.officer.person.id, s.head.person.id] })).toEqual([s.officer.user.id, s.head.user.id]);
  });

  it('role: every active user holding the role', async () => {
    const got = await approversFor({ kind: 'role', roleCodes: ['dept_head'] });
    expect(new Set(got)).toEqual(new Set([s.head.user.id, s.plantManager.user.id, s.otherHead.user.id]));
  });

  it('position: the people holding the position', async () => {
    expect(await approversFor({ kind: 'position', positionCodes: ['safety_engineer'] })).toEqual([s.officer.user.id]);
  });

  it('dept_head: the manager of the applicant’s department (the workshop above the team)', async () => {
    expect(await approversFor({ kind: 'dept_head' })).toEqual([s.head.user.id]);
    expect(await approversFor({ kind: 'dept_head' }, s.otherWorker)).toEqual([s.otherHead.user.id]);
  });

  it('dept_head: a department head applying goes to the next manager up, never to themselves', async () => {
    expect(await approversFor({ kind: 'dept_head' }, s.head)).toEqual([s.plantManager.user.id]);
  });

  it('levels_up: the N-th distinct manager above the applicant, skipping units without one', async () => {
    // sectionWorker sits in Section 1 (no manager) under Team A (leader) › Assembly (head) › Plant › root.
    expect(await approversFor({ kind: 'levels_up', levels: 1 }, s.sectionWorker)).toEqual([s.leader.user.id]);
    expect(await approversFor({ kind: 'levels_up', levels: 2 }, s.sectionWorker)).toEqual([s.head.user.id]);
    expect(await approversFor({ kind: 'levels_up', levels: 3 }, s.sectionWorker)).toEqual([s.plantManager.user.id]);
    // The leader's own first level up is the department head (they manage their own team).
    expect(await approversFor({ kind: 'levels_up', levels: 1 }, s.leader)).toEqual([s.head.user.id]);
  });

  it('refuses to start (422 workflow_no_approver, naming the node) when the rule names nobody for this applicant', async () => {
    const flow = await publishFlow(s, { start: 'a', nodes: [approval('a', { kind: 'levels_up', levels: 9 })] });
    await expect(start(t, s.worker, flow.key)).rejects.toMatchObject({ code: 'workflow_no_approver', extra: { nodeId: 'a' } });
  });
});

describe('condition branches on form fields', () => {
  it('routes grade 1 to the safety director and the rest to the department head, and records the branch', async () => {
    const flow = await publishFlow(s, {
      start: 'route',
      nodes: [
        {
          id: 'route',
          type: 'condition',
          name: 'By grade',
          branches: [
            { name: 'grade 1 or special', when: [{ field: 'grade', op: 'in', value: ['1', 'special'] }], next: 'director' },
            { name: 'big amount', when: [{ field: 'amount', op: 'gte', value: 50000 }], next: 'director' },
            { default: true, next: 'head' },
          ],
        },
        approval('director', { kind: 'role', roleCodes: ['safety_director'] }),
        approval('head', { kind: 'dept_head' }),
      ],
    });
    const one = await start(t, s.worker, flow.key, { grade: '1' });
    expect((await pendingTasks(t, one.id)).map((x) => [x.nodeId, x.assigneeUserId])).toEqual([['director', s.safety.user.id]]);
    const big = await start(t, s.worker, flow.key, { grade: '2', amount: 80000 });
    expect((await pendingTasks(t, big.id)).map((x) => x.nodeId)).toEqual(['director']);
    const two = await start(t, s.worker, flow.key, { grade: '2', amount: 100 });
    expect((await pendingTasks(t, two.id)).map((x) => [x.nodeId, x.assigneeUserId])).toEqual([['head', s.head.user.id]]);
    const branch = (await history(t, two.id)).find((h) => h.action === 'branch');
    expect(branch?.data).toMatchObject({ branch: 2, next: 'head' });
  });
});
