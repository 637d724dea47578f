import { randomBytes } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { sessions } from '../../platform/auth/schema.ts';
import { newSecret, sha256 } from '../../platform/auth/service.ts';
import { newId } from '../../platform/db/columns.ts';
import { files } from '../../platform/files/schema.ts';
import { runDueJobs, type JobLogger } from '../../platform/jobs/runner.ts';
import { orgUnits } from '../../platform/org/schema.ts';
import { seedSmallCompany, type TestApp } from '../../test/app.ts';
import { makeUser } from '../../test/factories.ts';
import type { PermitDetailT } from './routes.ts';

/**
 * Test fixtures of the permit module: the small company with unit managers (the Assembly head approves as
 * 所在单位), a safety officer (安全管理部门), a welder, two guardians and an HTTP client per user.
 */

export type Seed = Awaited<ReturnType<typeof seedPermitCompany>>;

export async function seedPermitCompany(t: TestApp) {
  const s = await seedSmallCompany(t);
  const officer = await makeUser(t.db, s.tenant.id, s.rootUnitId, ['safety_officer']);
  const welder = await makeUser(t.db, s.tenant.id, s.team.id, ['employee']);
  const guardian = await makeUser(t.db, s.tenant.id, s.team.id, ['employee']);
  const guardian2 = await makeUser(t.db, s.tenant.id, s.team.id, ['employee']);
  await t.db.tx(async (tx) => {
    const manage = (unitId: string, personId: string) => tx.update(orgUnits).set({ managerPersonId: personId }).where(and(eq(orgUnits.id, unitId), eq(orgUnits.tenantId, s.tenant.id)));
    await manage(s.team.id, s.leader.person.id);
    await manage(s.workshop.id, s.head.person.id);
  });
  const who = { ...s, officer, welder, guardian, guardian2 };
  const keys = ['admin', 'safety', 'head', 'leader', 'worker', 'auditor', 'officer', 'welder', 'guardian', 'guardian2'] as const;
  const as = {} as Record<(typeof keys)[number], Client>;
  for (const key of keys) as[key] = await signIn(t, who[key].user);
  return { ...who, as };
}

export interface ProblemLike {
  code?: string;
  detail?: string;
  rule?: string;
  errors?: { field: string; rule: string; message: string }[];
  workers?: { personId: string; reasons: { code: string; detail: string }[] }[];
  measures?: string[];
  permitStatus?: string;
}

export interface Res<T> {
  statusCode: number;
  headers: Record<string, unknown>;
  raw: Buffer;
  body: T & ProblemLike;
}

export interface Client {
  get<T = PermitDetailT>(url: string): Promise<Res<T>>;
  post<T = PermitDetailT>(url: string, payload?: unknown): Promise<Res<T>>;
  put<T = PermitDetailT>(url: string, payload?: unknown): Promise<Res<T>>;
}

export function client(t: TestApp, authorization: string | null): Client {
  const send = async <T>(method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown): Promise<Res<T>> => {
    const headers: Record<string, string> = { 'accept-language': 'en', ...(authorization ? { authorization } : {}) };
    const res = await t.app.inject({ method, url, headers, ...(payload !== undefined ? { payload: payload as object } : {}) });
    const isJson = String(res.headers['content-type'] ?? '').includes('json');
    return { statusCode: res.statusCode, headers: res.headers, raw: res.rawPayload, body: (isJson ? res.json() : {}) as T & ProblemLike };
  };
  return {
    get: <T>(url: string) => send<T>('GET', url),
    post: <T>(url: string, payload?: unknown) => send<T>('POST', url, payload ?? {}),
    put: <T>(url: string, payload?: unknown) => send<T>('PUT', url, payload ?? {}),
  };
}

/** A session without the login endpoint (its rate limit and lifetime get in the way of clock moves). */
export async function signIn(t: TestApp, user: { id: string; tenantId: string }): Promise<Client> {
  const token = newSecret();
  await t.db.tx((tx) => tx.insert(sessions).values({ tokenHash: sha256(token), userId: user.id, tenantId: user.tenantId, createdAt: new Date(), expiresAt: new Date('2100-01-01T00:00:00Z') }));
  return client(t, `Bearer ${token}`);
}

/** An uploaded image (signature, photo) without going through multipart. */
export async function makeImage(t: TestApp, tenantId: string): Promise<string> {
  const id = newId();
  await t.db.tx((tx) => tx.insert(files).values({ id, tenantId, sha256: randomBytes(32).toString('hex'), size: 1234, mime: 'image/png', kind: 'image', createdAt: new Date() }));
  return id;
}

const quiet: JobLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** Moves the shared clock to `at` and runs every job due then; returns how many ran. */
export async function runJobsAt(t: TestApp, at: Date): Promise<number> {
  t.clock.now = at;
  let total = 0;
  for (;;) {
    const r = await runDueJobs(t.db, { now: () => t.clock.now, instanceId: 'permits-test', log: quiet });
    if (r.outcomes.failed + r.outcomes.retry > 0) throw new Error(`jobs failed: ${JSON.stringify(r.outcomes)}`);
    total += r.claimed;
    if (r.claimed === 0) return total;
  }
}

export const MIN = 60_000;
export const HOUR = 60 * MIN;

/** Grants the welder a valid welding certificate (training's registry), so hot-work checks pass. */
export async function certifyWelder(t: TestApp, s: Seed, personId = s.welder.person.id, validUntil?: string): Promise<void> {
  const cfg = await s.as.admin.get<{ types: { id: string; code: string }[] }>('/api/v1/training/config');
  const type = cfg.body.types.find((x) => x.code === 'special_operation');
  if (!type) throw new Error(`no special_operation type: ${cfg.statusCode}`);
  const res = await s.as.admin.post('/api/v1/training/certificates', { personId, typeId: type.id, category: 'welding', number: `T${Math.random().toString(36).slice(2, 10)}`, issuer: '应急管理局', issuedOn: '2024-01-10', ...(validUntil ? { validUntil } : {}) });
  if (res.statusCode !== 201) throw new Error(`certificate: ${res.statusCode} ${JSON.stringify(res.body)}`);
}

/** A grade-1 hot-work application body by the team leader, starting in 10 minutes for 6 h. */
export function hotWorkBody(s: Seed, t: TestApp, over: Record<string, unknown> = {}) {
  const from = new Date(t.clock.now.getTime() + 10 * MIN);
  return {
    type: 'hot_work',
    grade: '1',
    orgUnitId: s.team.id,
    location: '2# 反应釜出口管线',
    content: '更换法兰，电焊',
    validFrom: from.toISOString(),
    validUntil: new Date(from.getTime() + 6 * HOUR).toISOString(),
    guardianPersonId: s.guardian.person.id,
    workers: [{ personId: s.welder.person.id, role: 'worker', certificateNo: 'T123' }],
    fields: { method: '电焊' },
    jsa: [{ step: '动火', hazard: '残留可燃气', control: '置换并分析' }],
    ...over,
  };
}

export const passingGas = (at: Date) => ({ takenAt: at.toISOString(), point: '法兰下方 1 m', o2Pct: 20.8, flammablePct: 0.1, flammableLelPct: 5, toxics: [{ code: 'H2S', value: 1 }], analystName: '王分析' });
