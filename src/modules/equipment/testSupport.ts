import { randomBytes } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import jsQRModule from 'jsqr';
import sharp from 'sharp';
import { sessions } from '../../platform/auth/schema.ts';
import { newSecret, sha256 } from '../../platform/auth/service.ts';
import { newId } from '../../platform/db/columns.ts';
import { files } from '../../platform/files/schema.ts';
import { runDueJobs, type JobLogger } from '../../platform/jobs/runner.ts';
import { orgUnits } from '../../platform/org/schema.ts';
import { seedSmallCompany, type TestApp } from '../../test/app.ts';
import { makeUser } from '../../test/factories.ts';
import type { CheckpointT, EquipmentT } from './routes.ts';

/**
 * Test fixtures of the equipment module: the small company with unit managers (the Assembly head owns the
 * workshop, Team A's leader the team), a safety officer, a crane operator responsible for equipment, and
 * an HTTP client per user.
 */

export type Seed = Awaited<ReturnType<typeof seedEquipmentCompany>>;

export async function seedEquipmentCompany(t: TestApp) {
  const s = await seedSmallCompany(t);
  const officer = await makeUser(t.db, s.tenant.id, s.rootUnitId, ['safety_officer']);
  const operator = await makeUser(t.db, s.tenant.id, s.team.id, ['employee']);
  await t.db.tx(async (tx) => {
    const manage = (unitId: string, personId: string) => tx.update(orgUnits).set({ managerPersonId: personId }).where(and(eq(orgUnits.id, unitId), eq(orgUnits.tenantId, s.tenant.id)));
    await manage(s.team.id, s.leader.person.id);
    await manage(s.workshop.id, s.head.person.id);
  });
  const who = { ...s, officer, operator };
  const keys = ['admin', 'safety', 'head', 'leader', 'worker', 'auditor', 'officer', 'operator'] as const;
  const as = {} as Record<(typeof keys)[number], Client>;
  for (const key of keys) as[key] = await signIn(t, who[key].user);
  return { ...who, as };
}

export interface ProblemLike {
  code?: string;
  detail?: string;
  errors?: { field: string; rule: string; message: string }[];
  currentVersion?: number;
  distanceM?: number;
}

export interface Res<T> {
  statusCode: number;
  headers: Record<string, unknown>;
  raw: Buffer;
  body: T & ProblemLike;
}

export interface Client {
  get<T = EquipmentT>(url: string): Promise<Res<T>>;
  post<T = EquipmentT>(url: string, payload?: unknown, headers?: Record<string, string>): Promise<Res<T>>;
  patch<T = EquipmentT>(url: string, payload?: unknown, headers?: Record<string, string>): Promise<Res<T>>;
}

export function client(t: TestApp, authorization: string): Client {
  const send = async <T>(method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown, headers: Record<string, string> = {}): Promise<Res<T>> => {
    const res = await t.app.inject({ method, url, headers: { authorization, 'accept-language': 'en', ...headers }, ...(payload !== undefined ? { payload: payload as object } : {}) });
    const isJson = String(res.headers['content-type'] ?? '').includes('json');
    return { statusCode: res.statusCode, headers: res.headers, raw: res.rawPayload, body: (isJson ? res.json() : {}) as T & ProblemLike };
  };
  return {
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

export async function makeFile(t: TestApp, tenantId: string, kind: 'image' | 'pdf' | 'video' = 'pdf'): Promise<string> {
  const id = newId();
  const mime = { image: 'image/jpeg', pdf: 'application/pdf', video: 'video/mp4' }[kind];
  await t.db.tx((tx) => tx.insert(files).values({ id, tenantId, sha256: randomBytes(32).toString('hex'), size: 1234, mime, kind, createdAt: new Date() }));
  return id;
}

let seq = 0;
export const uniqueCode = (prefix: string) => `${prefix}-${++seq}-${Math.random().toString(36).slice(2, 6)}`;

/** Registers a piece of equipment in Team A as the safety officer; fields override the defaults. */
export async function addEquipment(s: Seed, over: Record<string, unknown> = {}): Promise<EquipmentT> {
  const res = await s.as.officer.post('/api/v1/equipment', { code: uniqueCode('EQ'), name: '桥式起重机', kind: 'crane', orgUnitId: s.team.id, responsiblePersonId: s.operator.person.id, ...over });
  if (res.statusCode !== 201) throw new Error(`addEquipment: ${res.statusCode} ${JSON.stringify(res.body)}`);
  return res.body;
}

export async function addCheckpoint(s: Seed, over: Record<string, unknown> = {}): Promise<CheckpointT> {
  const res = await s.as.officer.post<CheckpointT>('/api/v1/checkpoints', { name: uniqueCode('CP'), orgUnitId: s.team.id, ...over });
  if (res.statusCode !== 201) throw new Error(`addCheckpoint: ${res.statusCode} ${JSON.stringify(res.body)}`);
  return res.body;
}

const quiet: JobLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** Moves the shared clock to `at` and runs every job that is due then; returns how many ran. */
export async function runJobsAt(t: TestApp, at: Date): Promise<number> {
  t.clock.now = at;
  let total = 0;
  for (;;) {
    const r = await runDueJobs(t.db, { now: () => t.clock.now, instanceId: 'equipment-test', log: quiet });
    if (r.outcomes.failed + r.outcomes.retry > 0) throw new Error(`jobs failed: ${JSON.stringify(r.outcomes)}`);
    total += r.claimed;
    if (r.claimed === 0) return total;
  }
}

// jsqr is CommonJS typed as an ES module: to TypeScript its default import is the module, at run time the function.
const jsQR = ((jsQRModule as unknown as { default?: unknown }).default ?? jsQRModule) as typeof jsQRModule.default;

export async function decodeQrPng(png: Buffer): Promise<string | null> {
  const { data, info } = await sharp(png).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return jsQR(new Uint8ClampedArray(data.buffer, data.byteOffset, data.byteLength), info.width, info.height)?.data ?? null;
}
