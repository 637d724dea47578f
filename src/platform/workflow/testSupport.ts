import { randomBytes } from 'node:crypto';
import { and, asc, eq } from 'drizzle-orm';
import { expect } from 'vitest';
import { auditLog } from '../audit/schema.ts';
import { sessions } from '../auth/schema.ts';
import { newSecret, sha256 } from '../auth/service.ts';
import { newId } from '../db/columns.ts';
import { outboxEvents } from '../events/schema.ts';
import { files } from '../files/schema.ts';
import { runDueJobs, type JobLogger } from '../jobs/runner.ts';
import { orgUnits, people, positions } from '../org/schema.ts';
import { seedSmallCompany, type TestApp } from '../../test/app.ts';
import { ctxFor, makeOrgUnit, makeUser } from '../../test/factories.ts';
import { startFlow, type StartFlowInput } from './engine.ts';
import { workflowActions, workflowInstances, workflowTasks } from './schema.ts';
import { registerFlowSubject, type FlowInstance } from './subjects.ts';

/**
 * Fixtures of the workflow tests: the small company with unit managers (team leader › department head ›
 * plant manager › safety director at the root), a safety engineer by position, spare employees, a test
 * subject type whose handlers record the outcomes they saw, and an HTTP client per user.
 */

export const SUBJECT = 'wf_test';

/** Outcomes the test subject's handlers saw, in order; a subject id starting with "fail" makes them throw. */
export const outcomes: { event: string; subjectId: string; status: string }[] = [];

const record = (event: string) => async (_tx: unknown, _ctx: unknown, i: FlowInstance) => {
  if (i.subjectId.startsWith('fail')) throw new Error(`subject ${i.subjectId} refuses ${event}`);
  outcomes.push({ event, subjectId: i.subjectId, status: i.status });
};

registerFlowSubject(SUBJECT, {
  onApproved: record('approved'),
  onRejected: record('rejected'),
  onWithdrawn: record('withdrawn'),
  onSentBack: record('sent_back'),
  onResubmitted: record('resubmitted'),
});

export interface Res<T> {
  statusCode: number;
  body: T & { code?: string; errors?: { field: string; rule: string; message: string }[]; currentVersion?: number };
}

export interface Client {
  get<T = Record<string, unknown>>(url: string): Promise<Res<T>>;
  post<T = Record<string, unknown>>(url: string, payload?: unknown, headers?: Record<string, string>): Promise<Res<T>>;
  put<T = Record<string, unknown>>(url: string, payload?: unknown, headers?: Record<string, string>): Promise<Res<T>>;
  del<T = Record<string, unknown>>(url: string, headers?: Record<string, string>): Promise<Res<T>>;
}

function client(t: TestApp, authorization: string): Client {
  const send = async <T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown, headers: Record<string, string> = {}): Promise<Res<T>> => {
    const res = await t.app.inject({ method, url, headers: { authorization, 'accept-language': 'en', ...headers }, ...(payload !== undefined ? { payload: payload as object } : {}) });
    return { statusCode: res.statusCode, body: (res.body ? res.json() : {}) as Res<T>['body'] };
  };
  return {
    get: (url) => send('GET', url),
    post: (url, payload, headers) => send('POST', url, payload ?? {}, headers),
    put: (url, payload, headers) => send('PUT', url, payload ?? {}, headers),
    del: (url, headers) => send('DELETE', url, undefined, headers),
  };
}

/** A session without the login endpoint (its rate limit and 12 h lifetime get in the way of clock moves). */
async function signIn(t: TestApp, user: { id: string; tenantId: string }): Promise<Client> {
  const token = newSecret();
  await t.db.tx((tx) => tx.insert(sessions).values({ tokenHash: sha256(token), userId: user.id, tenantId: user.tenantId, createdAt: new Date(), expiresAt: new Date('2100-01-01T00:00:00Z') }));
  return client(t, `Bearer ${token}`);
}

export type Seed = Awaited<ReturnType<typeof seedFlowCompany>>;

export async function seedFlowCompany(t: TestApp) {
  const s = await seedSmallCompany(t);
  const plantManager = await makeUser(t.db, s.tenant.id, s.plant.id, ['dept_head']);
  const officer = await makeUser(t.db, s.tenant.id, s.rootUnitId, ['safety_officer']);
  const colleague = await makeUser(t.db, s.tenant.id, s.team.id, ['employee']);
  const deputy = await makeUser(t.db, s.tenant.id, s.workshop.id, ['employee']);
  const otherHead = await makeUser(t.db, s.tenant.id, s.otherWorkshop.id, ['dept_head']);
  const otherWorker = await makeUser(t.db, s.tenant.id, s.otherTeam.id, ['employee']);
  // A unit without a manager between the team and the workshop is skipped by levels-up.
  const section = await makeOrgUnit(t.db, s.tenant.id, s.team.id, 'team', 'Section 1');
  const sectionWorker = await makeUser(t.db, s.tenant.id, section.id, ['employee']);
  await t.db.tx(async (tx) => {
    const manage = (unitId: string, personId: string) => tx.update(orgUnits).set({ managerPersonId: personId }).where(eq(orgUnits.id, unitId));
    await manage(s.team.id, s.leader.person.id);
    await manage(s.workshop.id, s.head.person.id);
    await manage(s.plant.id, plantManager.person.id);
    await manage(s.rootUnitId, s.safety.person.id);
    await manage(s.otherWorkshop.id, otherHead.person.id);
    const [pos] = await tx.insert(positions).values({ tenantId: s.tenant.id, code: 'safety_engineer', name: '安全工程师' }).returning();
    await tx.update(people).set({ positionId: pos!.id }).where(eq(people.id, officer.person.id));
  });
  const who = { ...s, plantManager, officer, colleague, deputy, otherHead, otherWorker, section, sectionWorker };
  const keys = ['admin', 'safety', 'head', 'leader', 'worker', 'auditor', 'plantManager', 'officer', 'colleague', 'deputy', 'otherHead', 'otherWorker', 'sectionWorker'] as const;
  const as = {} as Record<(typeof keys)[number], Client>;
  for (const k of keys) as[k] = await signIn(t, who[k].user);
  return { ...who, as };
}

/** A second company with its own designer, to prove nothing crosses tenants. */
export async function seedOtherCompany(t: TestApp) {
  const s = await seedSmallCompany(t);
  return { ...s, as: { safety: await signIn(t, s.safety.user), worker: await signIn(t, s.worker.user) } };
}

export type Graph = { start: string; nodes: Record<string, unknown>[] };

let keySeq = 0;
/** Creates and publishes a flow as the safety director; returns the definition id and key. */
export async function publishFlow(s: { as: { safety: Client } }, graph: Graph, key = `test.flow_${++keySeq}_${randomBytes(2).toString('hex')}`) {
  const created = await s.as.safety.post<{ id: string; version: number }>('/api/v1/workflow/definitions', { key, name: `Flow ${key}`, graph });
  expect(created.statusCode, JSON.stringify(created.body)).toBe(201);
  const pub = await s.as.safety.post<{ definition: { version: number } }>(`/api/v1/workflow/definitions/${created.body.id}/publish`, { version: created.body.version });
  expect(pub.statusCode, JSON.stringify(pub.body)).toBe(200);
  return { id: created.body.id, key, version: pub.body.definition.version };
}

let subjectSeq = 0;
/** Starts a flow in its own transaction, as a module would inside its own. */
export async function start(t: TestApp, applicant: { user: { id: string } }, key: string, form: Record<string, unknown> = {}, over: Partial<StartFlowInput> = {}): Promise<FlowInstance> {
  const ctx = await ctxFor(t.db, applicant.user.id, () => t.clock.now);
  return t.db.tx((tx) => startFlow(tx, ctx, { key, subjectType: SUBJECT, subjectId: `s-${++subjectSeq}`, applicantId: applicant.user.id, form, title: 'Test request', summary: 'Summary', ...over }));
}

export const tasksOf = (t: TestApp, instanceId: string) =>
  t.db.read((tx) => tx.select().from(workflowTasks).where(eq(workflowTasks.instanceId, instanceId)).orderBy(asc(workflowTasks.createdAt), asc(workflowTasks.id)));

export async function pendingTasks(t: TestApp, instanceId: string) {
  return (await tasksOf(t, instanceId)).filter((x) => x.status === 'pending');
}

/** The one pending task of `userId` on the instance. */
export async function taskFor(t: TestApp, instanceId: string, userId: string) {
  const mine = (await pendingTasks(t, instanceId)).filter((x) => x.assigneeUserId === userId);
  expect(mine, `pending tasks of ${userId}`).toHaveLength(1);
  return mine[0]!;
}

export async function instanceRow(t: TestApp, id: string) {
  const [row] = await t.db.read((tx) => tx.select().from(workflowInstances).where(eq(workflowInstances.id, id)));
  return row!;
}

export async function history(t: TestApp, instanceId: string) {
  return t.db.read((tx) => tx.select().from(workflowActions).where(eq(workflowActions.instanceId, instanceId)).orderBy(asc(workflowActions.at), asc(workflowActions.id)));
}

export async function eventsOf(t: TestApp, entityId: string) {
  return (await t.db.read((tx) => tx.select().from(outboxEvents).where(eq(outboxEvents.entityId, entityId)).orderBy(asc(outboxEvents.createdAt), asc(outboxEvents.id)))).map((e) => e.type);
}

export async function auditOf(t: TestApp, tenantId: string, entityId: string) {
  return (await t.db.read((tx) => tx.select().from(auditLog).where(and(eq(auditLog.tenantId, tenantId), eq(auditLog.entityId, entityId))).orderBy(asc(auditLog.seq)))).map((a) => a.action);
}

/** An uploaded image row (a signature); the bytes do not matter to the engine. */
export async function makeImage(t: TestApp, tenantId: string): Promise<{ id: string; sha256: string }> {
  const id = newId();
  const hash = randomBytes(32).toString('hex');
  await t.db.tx((tx) => tx.insert(files).values({ id, tenantId, sha256: hash, size: 2048, mime: 'image/png', kind: 'image', createdAt: new Date() }));
  return { id, sha256: hash };
}

const jobErrors: string[] = [];
const log: JobLogger = { info: () => undefined, warn: (o, m) => jobErrors.push(`${m} ${JSON.stringify(o)}`), error: (o, m) => jobErrors.push(`${m} ${JSON.stringify(o)}`) };

/** Moves the clock by `ms` and runs every job that is due; returns how many ran. */
export async function advanceAndRun(t: TestApp, ms: number): Promise<number> {
  t.clock.advance(ms);
  let total = 0;
  for (;;) {
    const r = await runDueJobs(t.db, { now: () => t.clock.now, instanceId: 'wf-test', log });
    expect(r.outcomes.failed + r.outcomes.retry, jobErrors.join('\n')).toBe(0);
    total += r.claimed;
    if (r.claimed === 0) return total;
  }
}

export const MIN = 60_000;
export const HOUR = 60 * MIN;

/** An approval node. */
export const approval = (id: string, approvers: Record<string, unknown>, over: Record<string, unknown> = {}) => ({ id, type: 'approval', name: `Step ${id}`, approvers, mode: 'any', ...over });
