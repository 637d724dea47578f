import { and, eq } from 'drizzle-orm';
import { expect } from 'vitest';
import { sessions } from '../../platform/auth/schema.ts';
import { newSecret, sha256 } from '../../platform/auth/service.ts';
import { runDueJobs, type JobLogger } from '../../platform/jobs/runner.ts';
import { orgUnits } from '../../platform/org/schema.ts';
import { seedSmallCompany, type TestApp } from '../../test/app.ts';
import { makeUser } from '../../test/factories.ts';
import type { EventDetailT, MeasureT, RiskObjectT, RiskUnitT } from './routes.ts';

/**
 * Test fixtures of the risk module: the small company (Assembly and Paint workshops) with unit managers,
 * a safety officer, a second company, an HTTP client per user, and a small register to work on.
 */

export type Seed = Awaited<ReturnType<typeof seedRiskCompany>>;

export interface ProblemLike {
  code?: string;
  detail?: string;
  errors?: { field: string; rule: string; message: string }[];
  currentVersion?: number;
  rowErrors?: { sheet: string; row: number; field: string; column: string; message: string }[];
  rowErrorCount?: number;
}

export interface Res<T> {
  statusCode: number;
  body: T & ProblemLike;
  headers: Record<string, unknown>;
  raw: Buffer;
}

export interface Client {
  authorization: string;
  get<T>(url: string): Promise<Res<T>>;
  post<T>(url: string, payload?: unknown, headers?: Record<string, string>): Promise<Res<T>>;
  patch<T>(url: string, payload?: unknown, headers?: Record<string, string>): Promise<Res<T>>;
}

export function client(t: TestApp, authorization: string): Client {
  const send = async <T>(method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown, headers: Record<string, string> = {}): Promise<Res<T>> => {
    const res = await t.app.inject({ method, url, headers: { authorization, 'accept-language': 'en', ...headers }, ...(payload !== undefined ? { payload: payload as object } : {}) });
    const type = String(res.headers['content-type'] ?? '');
    return { statusCode: res.statusCode, body: (type.includes('json') ? res.json() : res.body) as T & ProblemLike, headers: res.headers, raw: res.rawPayload };
  };
  return {
    authorization,
    get: <T>(url: string) => send<T>('GET', url),
    post: <T>(url: string, payload?: unknown, headers?: Record<string, string>) => send<T>('POST', url, payload ?? {}, headers),
    patch: <T>(url: string, payload?: unknown, headers?: Record<string, string>) => send<T>('PATCH', url, payload ?? {}, headers),
  };
}

/** A session without the login endpoint (its rate limit and 12 h lifetime get in the way of clock moves). */
export async function signIn(t: TestApp, user: { id: string; tenantId: string }): Promise<Client> {
  const token = newSecret();
  await t.db.tx((tx) => tx.insert(sessions).values({ tokenHash: sha256(token), userId: user.id, tenantId: user.tenantId, createdAt: new Date(), expiresAt: new Date('2100-01-01T00:00:00Z') }));
  return client(t, `Bearer ${token}`);
}

export async function seedRiskCompany(t: TestApp) {
  const s = await seedSmallCompany(t);
  const officer = await makeUser(t.db, s.tenant.id, s.rootUnitId, ['safety_officer']);
  const otherHead = await makeUser(t.db, s.tenant.id, s.otherWorkshop.id, ['dept_head']);
  await t.db.tx(async (tx) => {
    const manage = (unitId: string, personId: string) => tx.update(orgUnits).set({ managerPersonId: personId }).where(and(eq(orgUnits.id, unitId), eq(orgUnits.tenantId, s.tenant.id)));
    await manage(s.workshop.id, s.head.person.id);
    await manage(s.otherWorkshop.id, otherHead.person.id);
  });
  const other = await seedSmallCompany(t);
  const who = { ...s, officer, otherHead, stranger: other.safety };
  const keys = ['admin', 'safety', 'head', 'leader', 'worker', 'auditor', 'officer', 'otherHead', 'stranger'] as const;
  const as = {} as Record<(typeof keys)[number], Client>;
  for (const key of keys) as[key] = await signIn(t, who[key].user);
  return { ...who, other, as };
}

export interface Register {
  object: RiskObjectT;
  unit: RiskUnitT;
  event: EventDetailT;
  measure: MeasureT;
}

let seq = 0;

/** Object → unit (Assembly, the department head responsible) → event → one measure, made over HTTP. */
export async function makeRegister(s: Seed, c: Client = s.as.safety, over: { orgUnitId?: string; responsiblePersonId?: string | null } = {}): Promise<Register> {
  const n = ++seq;
  const ok = <T>(r: Res<T>, status = 201): T => {
    expect(r.statusCode, JSON.stringify(r.body)).toBe(status);
    return r.body;
  };
  const orgUnitId = over.orgUnitId ?? s.workshop.id;
  const object = ok(await c.post<RiskObjectT>('/api/v1/risks/objects', { code: `OBJ-${n}`, name: `焊接工位 ${n}`, type: 'area', orgUnitId }));
  const unit = ok(
    await c.post<RiskUnitT>('/api/v1/risks/units', {
      objectId: object.id,
      name: `焊接区 ${n}`,
      orgUnitId,
      responsiblePersonId: over.responsiblePersonId === undefined ? s.head.person.id : over.responsiblePersonId,
    }),
  );
  const event = ok(await c.post<EventDetailT>('/api/v1/risks/events', { unitId: unit.id, name: `焊接烟尘中毒 ${n}`, consequences: '中毒和窒息' }));
  const measure = ok(
    await c.post<MeasureT>('/api/v1/risks/measures', {
      eventId: event.id,
      description: '焊接烟尘净化器运行正常',
      classify1: 'engineering',
      classify2: 'key_equipment',
      troubleshootContent: '检查净化器运行和滤芯压差',
      checkCycle: 1,
      checkCycleUnit: 'day',
      workDayType: 'workdays',
    }),
  );
  return { object, unit, event, measure };
}

const quietLog: JobLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** Moves the shared clock to `at` and lets the job runner do everything that is due. */
export async function runJobsAt(t: TestApp, at: Date): Promise<number> {
  t.clock.now = at;
  let total = 0;
  for (;;) {
    const r = await runDueJobs(t.db, { now: () => t.clock.now, instanceId: 'risk-test', log: quietLog });
    expect(r.outcomes.failed + r.outcomes.retry).toBe(0);
    total += r.claimed;
    if (r.claimed === 0) return total;
  }
}

export const DAY = 86_400_000;
