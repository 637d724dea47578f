import { randomBytes } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { sessions } from '../../platform/auth/schema.ts';
import { newSecret, sha256 } from '../../platform/auth/service.ts';
import { newId } from '../../platform/db/columns.ts';
import { files } from '../../platform/files/schema.ts';
import { orgUnits } from '../../platform/org/schema.ts';
import { runDueJobs, type JobLogger } from '../../platform/jobs/runner.ts';
import { seedSmallCompany, type TestApp } from '../../test/app.ts';
import { makePerson, makeUser } from '../../test/factories.ts';
import type { CertificateT, TrainingConfigT } from './routes.ts';

/**
 * Test fixtures of the training module: the small company with unit managers (the Assembly head owns the
 * workshop, Team A's leader the team), a safety officer, a welder with a login, a contractor worker without
 * one, a person in the Paint workshop, and an HTTP client per user.
 */

export type Seed = Awaited<ReturnType<typeof seedTrainingCompany>>;

export async function seedTrainingCompany(t: TestApp) {
  const s = await seedSmallCompany(t);
  const officer = await makeUser(t.db, s.tenant.id, s.rootUnitId, ['safety_officer']);
  const welder = await makeUser(t.db, s.tenant.id, s.team.id, ['employee']);
  const otherHead = await makeUser(t.db, s.tenant.id, s.otherWorkshop.id, ['dept_head']);
  const contractorWorker = await makePerson(t.db, s.tenant.id, s.team.id, { kind: 'contractor', name: '承包商焊工' });
  const painter = await makePerson(t.db, s.tenant.id, s.otherTeam.id, { name: '喷涂工' });
  await t.db.tx(async (tx) => {
    const manage = (unitId: string, personId: string) => tx.update(orgUnits).set({ managerPersonId: personId }).where(and(eq(orgUnits.id, unitId), eq(orgUnits.tenantId, s.tenant.id)));
    await manage(s.team.id, s.leader.person.id);
    await manage(s.workshop.id, s.head.person.id);
    await manage(s.otherWorkshop.id, otherHead.person.id);
  });
  const who = { ...s, officer, welder, otherHead };
  const keys = ['admin', 'safety', 'head', 'leader', 'worker', 'auditor', 'officer', 'welder', 'otherHead'] as const;
  const as = {} as Record<(typeof keys)[number], Client>;
  for (const key of keys) as[key] = await signIn(t, who[key].user);
  const config = (await as.safety.get<TrainingConfigT>('/api/v1/training/config')).body;
  const typeId = (code: string) => {
    const type = config.types.find((x) => x.code === code);
    if (!type) throw new Error(`type ${code} missing`);
    return type.id;
  };
  return { ...who, contractorWorker, painter, as, config, typeId };
}

export interface ProblemLike {
  code?: string;
  detail?: string;
  errors?: { field: string; rule: string; message: string }[];
  currentVersion?: number;
}

export interface Res<T> {
  statusCode: number;
  body: T & ProblemLike;
}

export interface Client {
  authorization: string;
  get<T = CertificateT>(url: string): Promise<Res<T>>;
  post<T = CertificateT>(url: string, payload?: unknown): Promise<Res<T>>;
  patch<T = CertificateT>(url: string, payload?: unknown): Promise<Res<T>>;
  put<T = CertificateT>(url: string, payload?: unknown): Promise<Res<T>>;
}

export function client(t: TestApp, authorization: string): Client {
  const send = async <T>(method: 'GET' | 'POST' | 'PATCH' | 'PUT', url: string, payload?: unknown): Promise<Res<T>> => {
    const res = await t.app.inject({ method, url, headers: { authorization, 'accept-language': 'en' }, ...(payload !== undefined ? { payload: payload as object } : {}) });
    return { statusCode: res.statusCode, body: res.json() as T & ProblemLike };
  };
  return {
    authorization,
    get: <T>(url: string) => send<T>('GET', url),
    post: <T>(url: string, payload?: unknown) => send<T>('POST', url, payload ?? {}),
    patch: <T>(url: string, payload?: unknown) => send<T>('PATCH', url, payload ?? {}),
    put: <T>(url: string, payload?: unknown) => send<T>('PUT', url, payload ?? {}),
  };
}

/** A session without the login endpoint (its rate limit and 12 h lifetime get in the way of clock moves). */
export async function signIn(t: TestApp, user: { id: string; tenantId: string }): Promise<Client> {
  const token = newSecret();
  await t.db.tx((tx) => tx.insert(sessions).values({ tokenHash: sha256(token), userId: user.id, tenantId: user.tenantId, createdAt: new Date(), expiresAt: new Date('2100-01-01T00:00:00Z') }));
  return client(t, `Bearer ${token}`);
}

export async function makeScan(t: TestApp, tenantId: string, kind: 'image' | 'pdf' | 'video' = 'pdf'): Promise<string> {
  const id = newId();
  const mime = { image: 'image/jpeg', pdf: 'application/pdf', video: 'video/mp4' }[kind];
  await t.db.tx((tx) => tx.insert(files).values({ id, tenantId, sha256: randomBytes(32).toString('hex'), size: 1234, mime, kind, createdAt: new Date() }));
  return id;
}

const quiet: JobLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** Moves the shared clock to `at` and runs every job that is due then; returns how many ran. */
export async function runJobsAt(t: TestApp, at: Date): Promise<number> {
  t.clock.now = at;
  let total = 0;
  for (;;) {
    const r = await runDueJobs(t.db, { now: () => t.clock.now, instanceId: 'training-test', log: quiet });
    if (r.outcomes.failed + r.outcomes.retry > 0) throw new Error(`jobs failed: ${JSON.stringify(r.outcomes)}`);
    total += r.claimed;
    if (r.claimed === 0) return total;
  }
}
