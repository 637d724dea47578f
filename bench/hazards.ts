/**
 * `npm run bench -- hazards`: the hazard ledger at the medium data set (~5,000 people, ~180k hazards over
 * three years, ~5 steps and ~2 photo rows each; bench/hazardData.ts), on PGlite and on PostgreSQL.
 * Everything goes through the real app (createServer: every plugin and hook) with `app.inject`, signed in
 * over `POST /auth/login` as a safety officer (company scope) and as the 焊接车间 head (department scope):
 *   list      GET /api/v1/hazards with the filters people use (see CASES), p50/p95 over all requests
 *   figures   GET /api/v1/hazards/figures by department for a year and for a month, median of several
 *   baselines GET /api/v1/health through the same app, and the bare indexed SELECT of one ledger page
 *             (no HTTP, no scope, no lookups) on the same database: the ratios put the numbers next to them.
 * Env: BENCH_HAZARDS (180000), BENCH_PEOPLE (5000), BENCH_LIST_ROUNDS (30: rounds over all cases and both
 * users, 30 × 9 × 2 = 540 list requests), BENCH_FIGURES_REPS (5), BENCH_DBS (pglite,postgres),
 * BENCH_DATABASE_URL (PostgreSQL server; default postgres://postgres@127.0.0.1:5432/postgres): a fresh
 * database `safeloop_bench` is created on it and dropped at the end.
 */
import os from 'node:os';
import path from 'node:path';
import { and, desc, eq } from 'drizzle-orm';
import { loadConfig } from '../src/config.ts';
import { hashPassword } from '../src/platform/auth/password.ts';
import type { Database } from '../src/platform/db/client.ts';
import type { App } from '../src/platform/http/app.ts';
import { hazards } from '../src/modules/hazards/schema.ts';
import { createServer } from '../src/server.ts';
import { generateHazards, seedBenchOrg, type BenchOrg, type HazardCounts } from './hazardData.ts';
import { adminQuery, envNumber, machine, median, printTable, round, type BenchResult, withScratchPglite, withScratchPostgres } from './lib.ts';

const PASSWORD = 'Bench@2026-hazards';
const DEFAULT_SERVER = 'postgres://postgres@127.0.0.1:5432/postgres';
const BENCH_DB = 'safeloop_bench';
const TARGETS = { list_p95_ms: 50, figures_ms: 200 };

type DbKind = 'pglite' | 'postgres';

interface Case {
  name: string;
  query: (ctx: CaseCtx) => string;
}

interface CaseCtx {
  /** The user's own or another workshop, for the department filter. */
  departmentId: string;
  /** First page's cursor of the unfiltered list, per user. */
  cursor: string;
  from: string;
  to: string;
  number: string;
}

const OPEN = 'status=reported&status=assigned&status=rectifying&status=rework&status=pending_verification';

/** The filter combinations of the ledger screen, each a first page of 50 (the route's default). */
const CASES: Case[] = [
  { name: 'all', query: () => '' },
  { name: 'open', query: () => OPEN },
  { name: 'overdue', query: () => 'overdue=true' },
  { name: 'level', query: () => 'level=serious&level=major' },
  { name: 'category_dates', query: (c) => `category=electrical&from=${c.from}&to=${c.to}` },
  { name: 'department', query: (c) => `departmentId=${c.departmentId}` },
  { name: 'text', query: () => `q=${encodeURIComponent('灭火器')}` },
  { name: 'number', query: (c) => `q=${encodeURIComponent(c.number)}` },
  { name: 'page2', query: (c) => `cursor=${encodeURIComponent(c.cursor)}` },
];

const dateOnly = (d: Date) => d.toISOString().slice(0, 10);
const DAY = 86400_000;

function percentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  if (s.length === 0) return 0;
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? 0;
}

async function timed<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const t0 = performance.now();
  const r = await fn();
  return [performance.now() - t0, r];
}

interface Measured {
  db: DbKind;
  org: BenchOrg;
  counts: HazardCounts;
  seedMs: number;
  list: { user: 'officer' | 'head'; kase: string; ms: number; items: number }[];
  health: number[];
  bareSelect: number[];
  figures: Record<string, number[]>;
  measureMs: number;
  /** The machine's load when this database's measurement began (the load at the start is in `machine`). */
  loadAvg1m: number;
}

async function get(app: App, url: string, authorization?: string): Promise<{ ms: number; body: unknown }> {
  const [ms, res] = await timed(() => app.inject({ method: 'GET', url, headers: authorization ? { authorization } : {} }));
  if (res.statusCode !== 200) throw new Error(`GET ${url}: ${res.statusCode} ${res.body.slice(0, 300)}`);
  return { ms, body: res.json() };
}

async function measure(kind: DbKind, db: Database, o: { hazards: number; people: number; rounds: number; figureReps: number }): Promise<Measured> {
  const now = new Date();
  const t0 = performance.now();
  const org = await seedBenchOrg(db, await hashPassword(PASSWORD), o.people);
  const seedMs = performance.now() - t0;
  console.log(`  ${kind}: ${org.people} people, ${org.units} units, ${org.users} logins in ${round(seedMs / 1000, 1)} s; generating ${o.hazards} hazards…`);
  const counts = await generateHazards(db, org, o.hazards, now);
  console.log(`  ${kind}: ${counts.hazards} hazards, ${counts.events} steps, ${counts.files} photo rows in ${round(counts.generateMs / 1000, 1)} s`);

  const config = loadConfig({ NODE_ENV: 'production', LOG_LEVEL: 'silent', DEMO: 'false', DATA_DIR: path.join(os.tmpdir(), 'safeloop-bench'), RATE_LIMIT_PER_MINUTE: '1000000' });
  const app = await createServer({ config, db });
  await app.ready();
  const tm = performance.now();
  const loadAvg1m = round(os.loadavg()[0] ?? 0, 2);
  try {
    const login = async (username: string) => {
      const res = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password: PASSWORD } });
      if (res.statusCode !== 200) throw new Error(`login ${username}: ${res.statusCode} ${res.body}`);
      return `Bearer ${(res.json() as { token: string }).token}`;
    };
    const auth = { officer: await login(org.officer), head: await login(org.head) };
    const [sample] = await db.read((tx) =>
      tx.select({ number: hazards.number }).from(hazards).where(eq(hazards.tenantId, org.tenantId)).orderBy(desc(hazards.reportedAt)).offset(Math.floor(counts.hazards / 3)).limit(1),
    );
    const ctxOf = async (user: 'officer' | 'head'): Promise<CaseCtx> => {
      const first = (await get(app, '/api/v1/hazards', auth[user])).body as { nextCursor: string | null };
      if (!first.nextCursor) throw new Error(`${user}: the first page has no next page`);
      return {
        departmentId: user === 'head' ? org.headUnitId : org.otherWorkshopId,
        cursor: first.nextCursor,
        from: dateOnly(new Date(now.getTime() - 90 * DAY)),
        to: dateOnly(now),
        number: sample?.number ?? 'YH-',
      };
    };
    const ctx = { officer: await ctxOf('officer'), head: await ctxOf('head') };
    const users = ['officer', 'head'] as const;
    const bare = () =>
      timed(() =>
        db.read((tx) =>
          tx
            .select()
            .from(hazards)
            .where(and(eq(hazards.tenantId, org.tenantId)))
            .orderBy(desc(hazards.reportedAt), desc(hazards.id))
            .limit(51),
        ),
      );
    // Warm-up: one pass over everything (plans, caches, JIT), thrown away.
    for (const u of users) for (const c of CASES) await get(app, `/api/v1/hazards?${c.query(ctx[u])}`, auth[u]);
    await get(app, '/api/v1/health');
    await bare();

    const list: Measured['list'] = [];
    const health: number[] = [];
    const bareSelect: number[] = [];
    for (let r = 0; r < o.rounds; r++) {
      for (const u of users) {
        for (const c of CASES) {
          const { ms, body } = await get(app, `/api/v1/hazards?${c.query(ctx[u])}`, auth[u]);
          list.push({ user: u, kase: c.name, ms, items: (body as { items: unknown[] }).items.length });
        }
      }
      // Baselines in the same rounds, so a burst of other work on the machine hits them too.
      for (let k = 0; k < 4; k++) health.push((await get(app, '/api/v1/health')).ms);
      for (let k = 0; k < 4; k++) bareSelect.push((await bare())[0]);
    }

    const yearFrom = dateOnly(new Date(now.getTime() - 365 * DAY));
    const monthFrom = dateOnly(new Date(now.getTime() - 30 * DAY));
    const to = dateOnly(now);
    const figureQueries: Record<string, [string, 'officer' | 'head']> = {
      figures_year_company: [`groupBy=department&from=${yearFrom}&to=${to}`, 'officer'],
      figures_month_company: [`groupBy=department&from=${monthFrom}&to=${to}`, 'officer'],
      figures_year_department: [`groupBy=department&from=${yearFrom}&to=${to}`, 'head'],
      figures_month_department: [`groupBy=department&from=${monthFrom}&to=${to}`, 'head'],
    };
    const figures: Record<string, number[]> = {};
    for (const [name, [q, u]] of Object.entries(figureQueries)) {
      await get(app, `/api/v1/hazards/figures?${q}`, auth[u]);
      figures[name] = [];
      for (let k = 0; k < o.figureReps; k++) figures[name].push((await get(app, `/api/v1/hazards/figures?${q}`, auth[u])).ms);
    }
    return { db: kind, org, counts, seedMs, list, health, bareSelect, figures, measureMs: performance.now() - tm, loadAvg1m };
  } finally {
    await app.close();
  }
}

async function reachable(serverUrl: string): Promise<boolean> {
  try {
    await adminQuery(serverUrl, 'SELECT 1');
    return true;
  } catch {
    return false;
  }
}

function summarize(m: Measured) {
  const all = m.list.map((l) => l.ms);
  const fig = (name: string) => round(median(m.figures[name] ?? []), 1);
  const run: BenchResult['runs'][number] = {
    db: m.db,
    rows: m.counts.hazards,
    list_p50_ms: round(percentile(all, 50), 1),
    list_p95_ms: round(percentile(all, 95), 1),
    figures_ms: fig('figures_year_company'),
    people: m.org.people,
    events: m.counts.events,
    photo_files: m.counts.files,
    seed_org_s: round(m.seedMs / 1000, 1),
    generate_s: round(m.counts.generateMs / 1000, 1),
    list_requests: all.length,
    list_max_ms: round(Math.max(...all), 1),
    list_company_p95_ms: round(percentile(m.list.filter((l) => l.user === 'officer').map((l) => l.ms), 95), 1),
    list_department_p95_ms: round(percentile(m.list.filter((l) => l.user === 'head').map((l) => l.ms), 95), 1),
  };
  for (const c of CASES) {
    for (const u of ['officer', 'head'] as const) {
      const xs = m.list.filter((l) => l.kase === c.name && l.user === u).map((l) => l.ms);
      run[`list_${c.name}_${u === 'officer' ? 'company' : 'department'}_p50_ms`] = round(percentile(xs, 50), 1);
    }
  }
  for (const name of Object.keys(m.figures)) run[`${name}_ms`] = fig(name);
  run.health_p50_ms = round(percentile(m.health, 50), 2);
  run.bare_page_select_p50_ms = round(percentile(m.bareSelect, 50), 2);
  run.bare_page_select_p95_ms = round(percentile(m.bareSelect, 95), 2);
  run.measure_s = round(m.measureMs / 1000, 1);
  run.load_avg_1m = m.loadAvg1m;
  for (const [name, ms] of Object.entries(m.counts.steps)) run[`generate_${name}_s`] = round(ms / 1000, 1);
  return run;
}

export async function runHazardsBench(): Promise<BenchResult> {
  const o = {
    hazards: Math.round(envNumber('BENCH_HAZARDS', 180_000)),
    people: Math.round(envNumber('BENCH_PEOPLE', 5000)),
    rounds: Math.round(envNumber('BENCH_LIST_ROUNDS', 30)),
    figureReps: Math.round(envNumber('BENCH_FIGURES_REPS', 5)),
  };
  const dbs = (process.env.BENCH_DBS || 'pglite,postgres').split(',').map((s) => s.trim());
  const at = new Date().toISOString();
  const mach = machine();
  const notes: string[] = [];
  const measured: Measured[] = [];
  const t0 = performance.now();
  if (dbs.includes('pglite')) measured.push(await withScratchPglite('sl-bench-hazards-', (db) => measure('pglite', db, o)));
  if (dbs.includes('postgres')) {
    const server = process.env.BENCH_DATABASE_URL || DEFAULT_SERVER;
    if (process.env.BENCH_DATABASE_URL || (await reachable(server))) measured.push(await withScratchPostgres(server, BENCH_DB, (db) => measure('postgres', db, o)));
    else notes.push(`postgres skipped: no server at ${server} (set BENCH_DATABASE_URL)`);
  }

  const runs = measured.map(summarize);
  const ratios: Record<string, number> = {};
  for (const r of runs) {
    const suffix = r.db === 'pglite' ? '' : `_${r.db}`;
    const num = (k: string) => Number(r[k] ?? 0);
    const ratio = (a: string, b: string) => (num(b) > 0 ? round(num(a) / num(b), 2) : 0);
    ratios[`list_p50_vs_health_p50${suffix}`] = ratio('list_p50_ms', 'health_p50_ms');
    ratios[`list_p50_vs_bare_page_select_p50${suffix}`] = ratio('list_p50_ms', 'bare_page_select_p50_ms');
    ratios[`list_p95_vs_bare_page_select_p95${suffix}`] = ratio('list_p95_ms', 'bare_page_select_p95_ms');
    ratios[`figures_vs_bare_page_select_p50${suffix}`] = ratio('figures_ms', 'bare_page_select_p50_ms');
  }
  notes.push(
    `list: ${CASES.map((c) => c.name).join(', ')}; first page of 50 each (page2 = the second page by cursor), as a safety officer (company scope) and a workshop head (department scope); p50/p95 over all list requests`,
    'figures_ms = GET /hazards/figures?groupBy=department for the last 365 days as the safety officer (median); the month and department-scope variants are beside it',
    'baselines: health = GET /api/v1/health through the same app; bare_page_select = SELECT * FROM hazards WHERE tenant_id = $1 ORDER BY reported_at DESC, id DESC LIMIT 51 without HTTP, scope or lookups',
    `targets on postgres: list_p95_ms <= ${TARGETS.list_p95_ms}, figures_ms <= ${TARGETS.figures_ms}`,
    `app.inject in the bench process; the machine's ${mach.cpus} cores are shared with other work (see machine.loadAvg1m)`,
  );

  console.log(`\nhazards: ${o.hazards} hazards, ${o.people} people, ${o.rounds} rounds (${mach.cpus} cpus, load ${mach.loadAvg1m}), ${round((performance.now() - t0) / 1000, 0)} s in all`);
  const table: (string | number)[][] = [['case', ...measured.flatMap((m) => [`${m.db} company p50`, `${m.db} dept p50`])]];
  for (const c of CASES) table.push([c.name, ...runs.flatMap((r) => [Number(r[`list_${c.name}_company_p50_ms`]), Number(r[`list_${c.name}_department_p50_ms`])])]);
  printTable(table);
  console.log('');
  const keys = ['load_avg_1m', 'rows', 'events', 'photo_files', 'generate_s', 'list_p50_ms', 'list_p95_ms', 'list_max_ms', 'figures_ms', 'figures_month_company_ms', 'figures_year_department_ms', 'figures_month_department_ms', 'health_p50_ms', 'bare_page_select_p50_ms'];
  printTable([['metric', ...runs.map((r) => r.db)], ...keys.map((k) => [k, ...runs.map((r) => Number(r[k] ?? 0))])]);
  const pgRun = runs.find((r) => r.db === 'postgres');
  if (pgRun) {
    const misses = (Object.entries(TARGETS) as [keyof typeof TARGETS, number][]).filter(([k, max]) => Number(pgRun[k]) > max);
    console.log(misses.length ? `targets missed on postgres: ${misses.map(([k, max]) => `${k}=${pgRun[k]} (> ${max})`).join(', ')}` : `targets met on postgres (list p95 <= ${TARGETS.list_p95_ms} ms, figures <= ${TARGETS.figures_ms} ms)`);
  }
  return { name: 'hazards', at, machine: mach, runs, ratios, notes };
}
