import { runDueJobs } from '../../platform/jobs/runner.ts';
import { seedSmallCompany, type TestApp } from '../../test/app.ts';
import type { DeviceT, PointT, RuleT } from './routes.ts';

/** Shared set-up of the IoT tests: a company, HTTP clients per role, a device with a token and points. */

export interface Res<T> {
  statusCode: number;
  body: T;
}

export interface Client {
  get<T>(url: string): Promise<Res<T>>;
  post<T>(url: string, payload?: unknown, headers?: Record<string, string>): Promise<Res<T>>;
  patch<T>(url: string, payload?: unknown): Promise<Res<T>>;
}

export function clientOf(t: TestApp, authorization: string): Client {
  const call = async <T>(method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown, headers: Record<string, string> = {}): Promise<Res<T>> => {
    const r = await t.app.inject({ method, url, headers: { authorization, ...headers }, ...(payload !== undefined ? { payload: payload as object } : {}) });
    return { statusCode: r.statusCode, body: (r.body ? r.json() : null) as T };
  };
  return { get: (u) => call('GET', u), post: (u, p, h) => call('POST', u, p ?? {}, h), patch: (u, p) => call('PATCH', u, p ?? {}) };
}

let seq = 0;
export const uniqueCode = (p: string) => `${p}-${++seq}-${Math.random().toString(36).slice(2, 6)}`;

export async function seedIot(t: TestApp) {
  const co = await seedSmallCompany(t);
  const safety = clientOf(t, (await t.login(co.safety.username, co.safety.password)).authorization);
  const leader = clientOf(t, (await t.login(co.leader.username, co.leader.password)).authorization);
  const worker = clientOf(t, (await t.login(co.worker.username, co.worker.password)).authorization);
  return { ...co, as: { safety, leader, worker } };
}

export type IotSeed = Awaited<ReturnType<typeof seedIot>>;

/** A device with a token and one point per key (flammable gas by default). */
export async function addDevice(s: IotSeed, keys: string[], type = 'gas_flammable') {
  const d = await s.as.safety.post<DeviceT>('/api/v1/iot/devices', { code: uniqueCode('GD'), name: 'Gas detector', orgUnitId: s.team.id });
  if (d.statusCode !== 201) throw new Error(`device: ${d.statusCode} ${JSON.stringify(d.body)}`);
  const tok = await s.as.safety.post<{ token: string }>(`/api/v1/iot/devices/${d.body.id}/token`, {});
  const points: Record<string, PointT> = {};
  for (const key of keys) {
    const p = await s.as.safety.post<PointT>('/api/v1/iot/points', { deviceId: d.body.id, key, code: uniqueCode('P'), name: `Point ${key}`, type, unit: '%LEL', orgUnitId: s.team.id });
    if (p.statusCode !== 201) throw new Error(`point: ${p.statusCode} ${JSON.stringify(p.body)}`);
    points[key] = p.body;
  }
  return { device: d.body, token: tok.body.token, points };
}

export async function addRule(s: IotSeed, body: Record<string, unknown>): Promise<RuleT> {
  const r = await s.as.safety.post<RuleT>('/api/v1/iot/rules', { name: 'rule', severity: 'critical', ...body });
  if (r.statusCode !== 201) throw new Error(`rule: ${r.statusCode} ${JSON.stringify(r.body)}`);
  return r.body;
}

const quiet = { error: () => undefined, warn: () => undefined, info: () => undefined };

export async function runJobsAt(t: TestApp, at: Date): Promise<number> {
  t.clock.now = at;
  let total = 0;
  for (;;) {
    const r = await runDueJobs(t.db, { now: () => t.clock.now, instanceId: 'iot-test', log: quiet });
    if (r.outcomes.failed + r.outcomes.retry > 0) throw new Error(`jobs failed: ${JSON.stringify(r.outcomes)}`);
    total += r.claimed;
    if (r.claimed === 0) return total;
  }
}
