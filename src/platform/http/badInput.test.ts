import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, seedSmallCompany, type TestApp } from '../../test/app.ts';
import { makeOrgUnit, makePerson, makeTenant } from '../../test/factories.ts';
import { queryRows } from '../db/client.ts';

/**
 * Sweeps EVERY route in the OpenAPI document with hostile input — wrong types, missing and unknown fields,
 * 1 MB strings, unknown ids, another tenant's ids, SQL/HTML injection in ids and filters — as the system
 * administrator (who holds every permission, so validation and not authorisation is what answers), and
 * checks each answer is a 4xx problem+json and that nothing in the database changed.
 */

interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  anyOf?: JsonSchema[];
  format?: string;
  enum?: unknown[];
  const?: unknown;
}
interface Operation {
  parameters?: { name: string; in: 'path' | 'query' | 'header'; schema: JsonSchema; required?: boolean }[];
  requestBody?: { content: Record<string, { schema: JsonSchema }> };
  security?: unknown[];
}
type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

let t: TestApp;
let s: Awaited<ReturnType<typeof seedSmallCompany>>;
let admin: string;
let otherTenantPersonId: string;
let ops: { method: Method; path: string; op: Operation }[] = [];

const HUGE = 'x'.repeat(1024 * 1024);
const INJECTIONS = ["1' OR '1'='1", "'; DROP TABLE people; --", '<script>alert(1)</script>', '../../etc/passwd', '%00'];

beforeAll(async () => {
  t = await createTestApp({ RATE_LIMIT_PER_MINUTE: '1000000' });
  s = await seedSmallCompany(t);
  admin = (await t.login(s.admin.username, s.admin.password)).authorization;
  const other = await makeTenant(t.db, 'Other Co');
  const unit = await makeOrgUnit(t.db, other.tenant.id, other.rootUnitId, 'plant');
  otherTenantPersonId = (await makePerson(t.db, other.tenant.id, unit.id)).id;
  const doc = (await t.app.inject({ method: 'GET', url: '/docs/json' })).json() as { paths: Record<string, Partial<Record<Method, Operation>>> };
  ops = Object.entries(doc.paths).flatMap(([path, item]) =>
    (['get', 'post', 'put', 'patch', 'delete'] as const).filter((m) => item[m]).map((m) => ({ method: m, path, op: item[m]! })),
  );
}, 120_000);
afterAll(() => t.close());

/** Row counts of every table: the "nothing changed" fingerprint. */
async function fingerprint(): Promise<Record<string, number>> {
  return t.db.read(async (tx) => {
    const tables = await queryRows<{ table_name: string }>(
      tx,
      sql`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name`,
    );
    const out: Record<string, number> = {};
    for (const { table_name } of tables) {
      // Sessions and idempotency claims are bookkeeping of the requests themselves, not business data.
      if (['sessions', 'idempotency_keys', '__drizzle_migrations'].includes(table_name)) continue;
      const r = await queryRows<{ n: number }>(tx, sql.raw(`SELECT count(*)::int AS n FROM "${table_name}"`));
      out[table_name] = r[0]?.n ?? 0;
    }
    return out;
  });
}

function fillPath(path: string, value: string): string {
  return path.replace(/\{[^}]+\}/g, encodeURIComponent(value));
}

function wrongValue(schema: JsonSchema): unknown {
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'string':
      return 12345;
    case 'integer':
    case 'number':
      return 'not-a-number';
    case 'boolean':
      return 'yes';
    case 'array':
      return 'not-an-array';
    case 'object':
      return 42;
    default:
      return { unexpected: ['structure'] };
  }
}

function jsonBodySchema(op: Operation): JsonSchema | null {
  return op.requestBody?.content['application/json']?.schema ?? null;
}

interface Case {
  label: string;
  method: Method;
  url: string;
  payload?: unknown;
  headers?: Record<string, string>;
}

function casesFor(method: Method, path: string, op: Operation): Case[] {
  const cases: Case[] = [];
  const hasPathParams = path.includes('{');
  const realish = fillPath(path, '00000000-0000-7000-8000-000000000000');
  const base = hasPathParams ? realish : path;
  if (hasPathParams) {
    for (const inj of INJECTIONS) cases.push({ label: `path param ${inj}`, method, url: fillPath(path, inj) });
    cases.push({ label: 'unknown id', method, url: realish, payload: method === 'get' || method === 'delete' ? undefined : {} });
    cases.push({ label: "another tenant's id", method, url: fillPath(path, otherTenantPersonId), payload: method === 'get' || method === 'delete' ? undefined : {} });
  }
  for (const p of op.parameters ?? []) {
    if (p.in !== 'query') continue;
    const type = Array.isArray(p.schema.type) ? p.schema.type[0] : p.schema.type;
    if (type === 'integer' || type === 'number' || type === 'boolean' || p.schema.enum || p.schema.format) {
      cases.push({ label: `query ${p.name} wrong type`, method, url: `${base}?${p.name}=${encodeURIComponent("'; DROP TABLE x; --")}` });
    }
    cases.push({ label: `query ${p.name} 1 MB`, method, url: `${base}?${p.name}=${'y'.repeat(20_000)}` });
  }
  if (op.parameters?.some((p) => p.in === 'query')) {
    cases.push({ label: 'unknown query parameter', method, url: `${base}?definitelyNotAParam=1` });
  }
  const body = jsonBodySchema(op);
  if (body && method !== 'get') {
    cases.push({ label: 'body is a string', method, url: base, payload: '"just a string"', headers: { 'content-type': 'application/json' } });
    cases.push({ label: 'body is an array', method, url: base, payload: [] });
    cases.push({ label: 'malformed JSON', method, url: base, payload: '{"a":', headers: { 'content-type': 'application/json' } });
    cases.push({ label: 'unknown field only', method, url: base, payload: { __definitelyUnknown: 1 } });
    for (const [name, prop] of Object.entries(body.properties ?? {})) {
      cases.push({ label: `${name} wrong type`, method, url: base, payload: { [name]: wrongValue(prop) } });
      const type = Array.isArray(prop.type) ? prop.type : [prop.type];
      if (type.includes('string') || prop.anyOf?.some((a) => a.type === 'string')) {
        cases.push({ label: `${name} 1 MB string`, method, url: base, payload: { [name]: HUGE } });
        if (prop.format === 'uuid') cases.push({ label: `${name} injection`, method, url: base, payload: { [name]: INJECTIONS[0] } });
      }
    }
  }
  return cases;
}

describe('bad input on every route', () => {
  it('finds the routes in the OpenAPI document', () => {
    expect(ops.length).toBeGreaterThan(3);
    expect(ops.map((o) => `${o.method} ${o.path}`)).toContain('post /api/v1/auth/login');
  });

  it('answers every hostile request with a 4xx problem+json and changes nothing', async () => {
    const before = await fingerprint();
    const failures: string[] = [];
    let count = 0;
    for (const { method, path, op } of ops) {
      if (path.startsWith('/docs')) continue;
      for (const c of casesFor(method, path, op)) {
        count++;
        const res = await t.app.inject({
          method: c.method.toUpperCase() as 'GET',
          url: c.url,
          headers: { authorization: admin, ...(c.headers ?? {}) },
          ...(c.payload !== undefined ? { payload: c.payload as string } : {}),
        });
        const problem = /application\/problem\+json/.test(String(res.headers['content-type']));
        if (res.statusCode < 400 || res.statusCode >= 500 || !problem) {
          failures.push(`${c.method.toUpperCase()} ${path} [${c.label}] → ${res.statusCode} ${res.body.slice(0, 160)}`);
        }
      }
    }
    expect(failures, failures.join('\n')).toEqual([]);
    expect(count).toBeGreaterThan(20);
    const after = await fingerprint();
    // Login attempts write audit rows by design; everything else must be untouched.
    expect(after).toEqual(before);
  }, 300_000);

  it('answers every non-public route with 401 problem+json without credentials', async () => {
    const failures: string[] = [];
    for (const { method, path, op } of ops) {
      if (path.startsWith('/docs') || (op.security && op.security.length === 0)) continue;
      if (path === '/api/v1/health' || path === '/api/v1/auth/login') continue;
      const res = await t.app.inject({ method: method.toUpperCase() as 'GET', url: fillPath(path, '00000000-0000-7000-8000-000000000000') });
      if (res.statusCode !== 401) failures.push(`${method.toUpperCase()} ${path} → ${res.statusCode}`);
    }
    expect(failures, failures.join('\n')).toEqual([]);
  });
});
