import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemoWorkflows } from '../../demo/workflow.ts';
import { createTestApp, type TestApp } from '../../test/app.ts';
import { workflowDefinitionVersions } from './schema.ts';
import { approval, auditOf, eventsOf, instanceRow, pendingTasks, publishFlow, seedFlowCompany, seedOtherCompany, start, taskFor, type Seed } from './testSupport.ts';

let t: TestApp;
let s: Seed;
let other: Awaited<ReturnType<typeof seedOtherCompany>>;

beforeAll(async () => {
  t = await createTestApp({ RATE_LIMIT_PER_MINUTE: '100000' });
  s = await seedFlowCompany(t);
  other = await seedOtherCompany(t);
});
afterAll(() => t.close());

const twoSteps = () => ({ start: 'head', nodes: [approval('head', { kind: 'dept_head' }, { next: 'safety' }), approval('safety', { kind: 'role', roleCodes: ['safety_director'] })] });

interface Def {
  id: string;
  key: string;
  version: number;
  publishedVersion: number | null;
  draft: { nodes: { id: string }[] };
}

describe('flow definitions', () => {
  it('creates a draft, publishes it as version 1, audits and announces both', async () => {
    const created = await s.as.safety.post<Def>('/api/v1/workflow/definitions', { key: 'permit.hot_work', name: '动火作业审批', graph: twoSteps() });
    expect(created.statusCode).toBe(201);
    expect(created.body.publishedVersion).toBeNull();
    const pub = await s.as.safety.post<{ definition: Def; version: { versionNo: number; warnings: unknown[] } }>(`/api/v1/workflow/definitions/${created.body.id}/publish`, { version: created.body.version });
    expect(pub.statusCode).toBe(200);
    expect(pub.body.definition.publishedVersion).toBe(1);
    expect(pub.body.version).toMatchObject({ versionNo: 1, warnings: [] });
    expect(await auditOf(t, s.tenant.id, created.body.id)).toEqual(['workflow.definition.created', 'workflow.definition.published']);
    expect(await eventsOf(t, created.body.id)).toEqual(['workflow.definition.created', 'workflow.definition.published']);
    const list = await s.as.worker.get<{ items: Def[] }>('/api/v1/workflow/definitions');
    expect(list.body.items.map((d) => d.key)).toContain('permit.hot_work');
  });

  it('keeps a running instance on v1 after v2 is published, while new instances use v2', async () => {
    const flow = await publishFlow(s, { start: 'head', nodes: [approval('head', { kind: 'dept_head' })] });
    const onV1 = await start(t, s.worker, flow.key);
    expect(onV1.definitionVersionNo).toBe(1);

    // v2 adds a safety step after the department head.
    const put = await s.as.safety.put<Def>(`/api/v1/workflow/definitions/${flow.id}`, { graph: twoSteps(), version: flow.version });
    expect(put.statusCode).toBe(200);
    const pub = await s.as.safety.post<{ definition: Def }>(`/api/v1/workflow/definitions/${flow.id}/publish`, { version: put.body.version });
    expect(pub.body.definition.publishedVersion).toBe(2);
    const onV2 = await start(t, s.worker, flow.key);
    expect(onV2.definitionVersionNo).toBe(2);

    // The v1 instance ends after the head's approval (v1 has one step); the v2 one goes on to safety.
    expect((await s.as.head.post(`/api/v1/workflow/tasks/${(await taskFor(t, onV1.id, s.head.user.id)).id}/approve`, {})).statusCode).toBe(200);
    expect((await instanceRow(t, onV1.id)).status).toBe('approved');
    await s.as.head.post(`/api/v1/workflow/tasks/${(await taskFor(t, onV2.id, s.head.user.id)).id}/approve`, {});
    expect((await instanceRow(t, onV2.id)).status).toBe('running');
    expect((await instanceRow(t, onV2.id)).currentNodeId).toBe('safety');

    const versions = await s.as.safety.get<{ items: { versionNo: number; graph: { nodes: unknown[] } }[] }>(`/api/v1/workflow/definitions/${flow.id}/versions`);
    expect(versions.body.items.map((v) => [v.versionNo, v.graph.nodes.length])).toEqual([
      [2, 2],
      [1, 1],
    ]);
    const v1 = await s.as.safety.get<{ versionNo: number }>(`/api/v1/workflow/definitions/${flow.id}/versions/1`);
    expect(v1.body.versionNo).toBe(1);
  });

  it('returns 400 with errors naming each bad node when publishing an invalid draft, and publishes nothing', async () => {
    const bad = {
      start: 'a',
      nodes: [
        { id: 'a', type: 'approval', name: 'No rule', mode: 'any', next: 'b' },
        { id: 'b', type: 'condition', name: 'No default', branches: [{ when: [{ field: 'grade', op: 'eq', value: 1 }], next: 'a' }] },
        approval('lost', { kind: 'dept_head' }),
      ],
    };
    const created = await s.as.safety.post<Def>('/api/v1/workflow/definitions', { key: 'test.invalid', name: 'Invalid', graph: bad });
    expect(created.statusCode).toBe(201);
    const pub = await s.as.safety.post(`/api/v1/workflow/definitions/${created.body.id}/publish`, { version: created.body.version });
    expect(pub.statusCode).toBe(400);
    expect(pub.body.code).toBe('workflow_definition_invalid');
    expect(pub.body.errors!.map((e) => `${e.field}:${e.rule}`).sort()).toEqual(['graph.nodes.a.approvers:required', 'graph.nodes.b.branches:default', 'graph.nodes.b:acyclic', 'graph.nodes.lost:reachable'].sort());
    expect(pub.body.errors!.find((e) => e.rule === 'required')!.message).toContain('node "a" (No rule)');
    const versions = await t.db.read((tx) => tx.select().from(workflowDefinitionVersions).where(eq(workflowDefinitionVersions.definitionId, created.body.id)));
    expect(versions).toHaveLength(0);

    const check = await s.as.safety.post<{ valid: boolean; errors: unknown[] }>(`/api/v1/workflow/definitions/${created.body.id}/validate`, {});
    expect(check.statusCode).toBe(200);
    expect(check.body.valid).toBe(false);
    expect(check.body.errors).toHaveLength(4);
  });

  it('refuses a structurally bad graph on save with a node-named 400', async () => {
    const res = await s.as.safety.post('/api/v1/workflow/definitions', { key: 'test.bad_shape', name: 'Bad', graph: { start: 'a', nodes: [{ id: 'a', type: 'approval', name: 'x', mode: 'sometimes', approvers: { kind: 'dept_head' } }] } });
    expect(res.statusCode).toBe(400);
    expect(res.body.code).toBe('workflow_definition_invalid');
    expect(res.body.errors![0]!.field).toMatch(/^graph\.nodes\.a\.mode/);
  });

  it('publishes with a warning when a rule names nobody in this company today', async () => {
    const flow = await s.as.safety.post<Def>('/api/v1/workflow/definitions', { key: 'test.warn', name: 'Warn', graph: { start: 'a', nodes: [approval('a', { kind: 'role', roleCodes: ['no_such_role'] })] } });
    const pub = await s.as.safety.post<{ version: { warnings: { nodeId: string; field: string }[] } }>(`/api/v1/workflow/definitions/${flow.body.id}/publish`, { version: flow.body.version });
    expect(pub.statusCode).toBe(200);
    expect(pub.body.version.warnings).toEqual([expect.objectContaining({ nodeId: 'a', field: 'nodes.a.approvers' })]);
  });

  it('returns 409 on a stale version and 409 on a duplicate key', async () => {
    const flow = await publishFlow(s, twoSteps());
    const stale = await s.as.safety.put(`/api/v1/workflow/definitions/${flow.id}`, { name: 'Renamed', version: flow.version - 1 });
    expect(stale.statusCode).toBe(409);
    expect(stale.body.code).toBe('version_conflict');
    const noVersion = await s.as.safety.put(`/api/v1/workflow/definitions/${flow.id}`, { name: 'Renamed' });
    expect(noVersion.statusCode).toBe(428);
    const dup = await s.as.safety.post('/api/v1/workflow/definitions', { key: flow.key, name: 'again', graph: twoSteps() });
    expect(dup.statusCode).toBe(409);
    expect(dup.body.code).toBe('already_exists');
  });

  it('returns 403 to a user without workflow:design and 404 for another company’s definition', async () => {
    const flow = await publishFlow(s, twoSteps());
    const worker = await s.as.worker.post('/api/v1/workflow/definitions', { key: 'test.by_worker', name: 'x', graph: twoSteps() });
    expect(worker.statusCode).toBe(403);
    const head = await s.as.head.post(`/api/v1/workflow/definitions/${flow.id}/publish`, { version: flow.version });
    expect(head.statusCode).toBe(403);
    const foreign = await other.as.safety.get(`/api/v1/workflow/definitions/${flow.id}`);
    expect(foreign.statusCode).toBe(404);
    const foreignPublish = await other.as.safety.post(`/api/v1/workflow/definitions/${flow.id}/publish`, { version: flow.version });
    expect(foreignPublish.statusCode).toBe(404);
  });

  it('starts no instance of an archived flow (422), and one of an unpublished key neither', async () => {
    const flow = await publishFlow(s, twoSteps());
    const arch = await s.as.safety.post(`/api/v1/workflow/definitions/${flow.id}/archive`, { version: flow.version });
    expect(arch.statusCode).toBe(200);
    await expect(start(t, s.worker, flow.key)).rejects.toMatchObject({ code: 'workflow_not_published' });
    await expect(start(t, s.worker, 'test.never_created')).rejects.toMatchObject({ code: 'workflow_not_published' });
  });

  it('seeds the demo flows published and startable, and leaves them alone when seeded again', async () => {
    await t.db.tx((tx) => seedDemoWorkflows(tx, t.db, s.tenant.id, () => t.clock.now));
    await t.db.tx((tx) => seedDemoWorkflows(tx, t.db, s.tenant.id, () => t.clock.now));
    const list = await s.as.safety.get<{ items: Def[] }>('/api/v1/workflow/definitions');
    const demo = list.body.items.filter((d) => d.key.startsWith('generic.'));
    expect(demo.map((d) => [d.key, d.publishedVersion])).toEqual([
      ['generic.by_amount', 1],
      ['generic.two_level', 1],
    ]);
    const i = await start(t, s.worker, 'generic.two_level');
    expect((await pendingTasks(t, i.id)).map((x) => [x.nodeId, x.assigneeUserId])).toEqual([['supervisor', s.leader.user.id]]);
    const big = await start(t, s.worker, 'generic.by_amount', { amountYuan: 80_000 });
    await s.as.head.post(`/api/v1/workflow/tasks/${(await taskFor(t, big.id, s.head.user.id)).id}/approve`, {});
    expect((await pendingTasks(t, big.id)).map((x) => [x.nodeId, x.assigneeUserId])).toEqual([['director', s.safety.user.id]]);
  });
});
