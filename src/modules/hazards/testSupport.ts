import { randomBytes } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { roles, sessions } from '../../platform/auth/schema.ts';
import { newSecret, sha256 } from '../../platform/auth/service.ts';
import { newId } from '../../platform/db/columns.ts';
import { files } from '../../platform/files/schema.ts';
import { orgUnits } from '../../platform/org/schema.ts';
import { seedSmallCompany, type TestApp } from '../../test/app.ts';
import { makeUser } from '../../test/factories.ts';
import type { HazardConfig } from './dictionaries.ts';
import type { HazardDetail } from './routes.ts';

/**
 * Test fixtures of the hazard module: the small company with unit managers set (team leader owns Team A,
 * department head owns the Assembly workshop, and the same for Paint), a safety officer, a general
 * manager (custom role), uploaded-photo rows, and an HTTP client per user.
 */

export type Seed = Awaited<ReturnType<typeof seedHazardCompany>>;

export async function seedHazardCompany(t: TestApp) {
  const s = await seedSmallCompany(t);
  const officer = await makeUser(t.db, s.tenant.id, s.rootUnitId, ['safety_officer']);
  const otherHead = await makeUser(t.db, s.tenant.id, s.otherWorkshop.id, ['dept_head']);
  const otherLeader = await makeUser(t.db, s.tenant.id, s.otherTeam.id, ['team_leader']);
  const otherWorker = await makeUser(t.db, s.tenant.id, s.otherTeam.id, ['employee']);
  const colleague = await makeUser(t.db, s.tenant.id, s.team.id, ['employee']);
  await t.db.tx(async (tx) => {
    await tx
      .insert(roles)
      .values({ tenantId: s.tenant.id, code: 'general_manager', name: '总经理', nameEn: 'General manager', builtin: false, permissions: ['hazard:read', 'hazard:signoff'], dataScope: 'company' });
    const manage = (unitId: string, personId: string) => tx.update(orgUnits).set({ managerPersonId: personId }).where(and(eq(orgUnits.id, unitId), eq(orgUnits.tenantId, s.tenant.id)));
    await manage(s.team.id, s.leader.person.id);
    await manage(s.workshop.id, s.head.person.id);
    await manage(s.otherTeam.id, otherLeader.person.id);
    await manage(s.otherWorkshop.id, otherHead.person.id);
  });
  const gm = await makeUser(t.db, s.tenant.id, s.rootUnitId, ['general_manager']);
  const who = { ...s, officer, otherHead, otherLeader, otherWorker, colleague, gm };
  const keys = ['admin', 'safety', 'head', 'leader', 'worker', 'auditor', 'officer', 'otherHead', 'otherLeader', 'otherWorker', 'colleague', 'gm'] as const;
  const logins = {} as Record<(typeof keys)[number], Client>;
  for (const key of keys) {
    logins[key] = await signIn(t, who[key].user);
  }
  return { ...who, as: logins };
}

/** What an error answer adds (RFC 9457 problem+json plus the module's extras). */
export interface ProblemLike {
  code?: string;
  detail?: string;
  errors?: { field: string; rule: string; message: string }[];
  blockers?: string[];
  currentVersion?: number;
  rowErrors?: { sheet: string; row: number; field: string; column: string; message: string }[];
  rowErrorCount?: number;
}

type Detail = HazardDetail & { trackingCode?: string | null };

export interface Res<T = Detail> {
  statusCode: number;
  body: T & ProblemLike;
  headers: Record<string, unknown>;
  raw: Buffer;
}

export interface Client {
  authorization: string;
  get<T = Detail>(url: string, headers?: Record<string, string>): Promise<Res<T>>;
  post<T = Detail>(url: string, payload?: unknown, headers?: Record<string, string>): Promise<Res<T>>;
  put<T = Detail>(url: string, payload?: unknown, headers?: Record<string, string>): Promise<Res<T>>;
  patch<T = Detail>(url: string, payload?: unknown, headers?: Record<string, string>): Promise<Res<T>>;
}

export function client(t: TestApp, authorization: string): Client {
  const send = async <T>(method: 'GET' | 'POST' | 'PUT' | 'PATCH', url: string, payload?: unknown, headers: Record<string, string> = {}): Promise<Res<T>> => {
    const res = await t.app.inject({ method, url, headers: { authorization, 'accept-language': 'en', ...headers }, ...(payload !== undefined ? { payload: payload as object } : {}) });
    const type = String(res.headers['content-type'] ?? '');
    const body = (type.includes('json') ? res.json() : res.body) as T & ProblemLike;
    return { statusCode: res.statusCode, body, headers: res.headers, raw: res.rawPayload };
  };
  return {
    authorization,
    get: <T>(url: string, headers?: Record<string, string>) => send<T>('GET', url, undefined, headers),
    post: <T>(url: string, payload?: unknown, headers?: Record<string, string>) => send<T>('POST', url, payload ?? {}, headers),
    put: <T>(url: string, payload?: unknown, headers?: Record<string, string>) => send<T>('PUT', url, payload ?? {}, headers),
    patch: <T>(url: string, payload?: unknown, headers?: Record<string, string>) => send<T>('PATCH', url, payload ?? {}, headers),
  };
}

/**
 * A session for a user without the login endpoint: its per-IP rate limit (20/min) and the 12 h session
 * lifetime would otherwise get in the way of tests that move the clock by days.
 */
export async function signIn(t: TestApp, user: { id: string; tenantId: string }): Promise<Client> {
  const token = newSecret();
  await t.db.tx((tx) => tx.insert(sessions).values({ tokenHash: sha256(token), userId: user.id, tenantId: user.tenantId, createdAt: new Date(), expiresAt: new Date('2100-01-01T00:00:00Z') }));
  return client(t, `Bearer ${token}`);
}

/** An uploaded file row (the bytes do not matter to the hazard module). */
export async function makeFile(t: TestApp, tenantId: string, kind: 'image' | 'video' | 'audio' | 'pdf' = 'image'): Promise<string> {
  const id = newId();
  const mime = { image: 'image/jpeg', video: 'video/mp4', audio: 'audio/mpeg', pdf: 'application/pdf' }[kind];
  await t.db.tx((tx) => tx.insert(files).values({ id, tenantId, sha256: randomBytes(32).toString('hex'), size: 1234, mime, kind, createdAt: new Date() }));
  return id;
}

/**
 * Turns 谁发现谁验收 (the reporter verifies, on by default) off for the tenant, so verification goes to the
 * area owner or the safety office by role — the path the loop and major-hazard tests follow.
 */
export async function verifyByRole(s: Seed): Promise<void> {
  const config = await s.as.safety.get<HazardConfig>('/api/v1/hazards/config');
  const res = await s.as.safety.patch('/api/v1/hazards/config/settings', { reporterVerifies: false, version: config.body.settings.version });
  if (res.statusCode !== 200) throw new Error(`verifyByRole: ${res.statusCode} ${JSON.stringify(res.body)}`);
}

export const HOUR = 3600_000;
export const MIN = 60_000;
