/**
 * `npm run bench -- inspections`: task generation at scale. A company with BENCH_MEASURES (5,000) active
 * control measures (cycles as plants have them: daily on work days, daily every day, weekly, monthly):
 *   year    one plan per measure (the sync) and every task of a calendar year (generateTasksTx), timed
 *           as one transaction: rows written per second.
 *   daily   the daily job the day after (sync + the horizon's new days + today's push), timed.
 *   baseline the same number of task-shaped rows (uuid, timestamps, a jsonb stop) inserted into a bare
 *           table with the same batch size: the ratio says what the generator costs over the raw insert.
 * Env: BENCH_MEASURES (5000), BENCH_DBS (pglite,postgres), BENCH_DATABASE_URL (PostgreSQL server; default
 * postgres://postgres@127.0.0.1:5432/postgres: a fresh database `safeloop_bench_insp` is made and dropped).
 */
import { sql } from 'drizzle-orm';
import { systemCtx } from '../src/platform/auth/actor.ts';
import type { Database } from '../src/platform/db/client.ts';
import { newId } from '../src/platform/db/columns.ts';
import { orgUnits } from '../src/platform/org/schema.ts';
import { createTenant } from '../src/platform/org/tenants.ts';
import { riskControlMeasures, riskEvents, riskObjects, riskUnits } from '../src/modules/risks/schema.ts';
import { generateTasksTx } from '../src/modules/inspections/generate.ts';
import { runDailyGeneration } from '../src/modules/inspections/jobs.ts';
import { syncMeasurePlansTx } from '../src/modules/inspections/plans.ts';
import { envNumber, machine, printTable, round, type BenchResult, withScratchPglite, withScratchPostgres } from './lib.ts';

const DEFAULT_SERVER = 'postgres://postgres@127.0.0.1:5432/postgres';
const BENCH_DB = 'safeloop_bench_insp';
const YEAR = { from: '2026-01-01', to: '2026-12-31' };
const BATCH = 1000;

type Cycle = { checkCycle: number; checkCycleUnit: 'day' | 'week' | 'month'; workDayType: 'workdays' | 'every_day' };
const cycles: Cycle[] = [
  ...Array<Cycle>(6).fill({ checkCycle: 1, checkCycleUnit: 'day', workDayType: 'workdays' }),
  ...Array<Cycle>(2).fill({ checkCycle: 1, checkCycleUnit: 'day', workDayType: 'every_day' }),
  { checkCycle: 1, checkCycleUnit: 'week', workDayType: 'workdays' },
  { checkCycle: 1, checkCycleUnit: 'month', workDayType: 'workdays' },
];

async function seedMeasures(db: Database, n: number): Promise<string> {
  return db.tx(async (tx) => {
    const { tenant, rootUnitId } = await createTenant(tx, { code: `BENCH-INSP-${Date.now()}`, name: 'Bench inspections', groupName: null });
    const unitId = newId();
    await tx.insert(orgUnits).values({ id: unitId, tenantId: tenant.id, parentId: rootUnitId, kind: 'workshop', name: 'Workshop', code: 'WS1', path: `/${rootUnitId}/${unitId}/`, depth: 1 });
    const base = { tenantId: tenant.id, orgUnitId: unitId };
    const objectId = newId();
    await tx.insert(riskObjects).values({ id: objectId, ...base, code: 'OBJ', name: 'Plant', type: 'area' });
    const units = Array.from({ length: Math.ceil(n / 10) }, (_, i) => ({ id: newId(), ...base, objectId, name: `Unit ${i}` }));
    const events = units.map((u, i) => ({ id: newId(), ...base, objectId, unitId: u.id, name: `Event ${i}` }));
    const measures = Array.from({ length: n }, (_, i) => {
      const e = events[Math.floor(i / 10)]!;
      return { id: newId(), ...base, objectId, unitId: e.unitId, eventId: e.id, description: `Measure ${i}`, classify1: 'engineering', troubleshootContent: 'check', ...cycles[i % cycles.length]! };
    });
    for (let i = 0; i < units.length; i += BATCH) await tx.insert(riskUnits).values(units.slice(i, i + BATCH));
    for (let i = 0; i < events.length; i += BATCH) await tx.insert(riskEvents).values(events.slice(i, i + BATCH));
    for (let i = 0; i < measures.length; i += BATCH) await tx.insert(riskControlMeasures).values(measures.slice(i, i + BATCH));
    return tenant.id;
  });
}

async function bareInsert(db: Database, rows: number): Promise<number> {
  const t0 = performance.now();
  await db.tx(async (tx) => {
    await tx.execute(sql`CREATE TEMP TABLE bench_bare (id uuid PRIMARY KEY, plan_id uuid, window_start timestamptz, window_end timestamptz, stops jsonb) ON COMMIT DROP`);
    const plan = newId();
    const stops = JSON.stringify([{ checkpointId: null, name: 'x', scannedAt: null, scanId: null, submittedAt: null }]);
    for (let i = 0; i < rows; i += BATCH) {
      const values = Array.from({ length: Math.min(BATCH, rows - i) }, (_, k) => sql`(${newId()}, ${plan}, ${new Date(Date.UTC(2026, 0, 1) + (i + k) * 60_000)}, ${new Date(Date.UTC(2026, 0, 1) + (i + k + 1) * 60_000)}, ${stops}::jsonb)`);
      await tx.execute(sql`INSERT INTO bench_bare VALUES ${sql.join(values, sql`, `)}`);
    }
  });
  return performance.now() - t0;
}

async function runOn(kind: 'pglite' | 'postgres', db: Database, n: number) {
  const tenantId = await seedMeasures(db, n);
  const now = new Date('2026-01-01T00:05:00+08:00');
  const ctx = systemCtx(db, tenantId, () => now);
  const t0 = performance.now();
  const year = await db.tx(async (tx) => {
    const sync = await syncMeasurePlansTx(tx, ctx, { startsOn: YEAR.from });
    const g = await generateTasksTx(tx, tenantId, { ...YEAR, timeZone: 'Asia/Shanghai', now, force: true });
    return { plans: sync.created, tasks: g.created };
  });
  const yearMs = performance.now() - t0;
  const t1 = performance.now();
  const daily = await runDailyGeneration(db, tenantId, new Date('2027-01-01T00:10:00+08:00'));
  const dailyMs = performance.now() - t1;
  const bareMs = await bareInsert(db, year.tasks);
  const rowsPerS = year.tasks / (yearMs / 1000);
  return {
    db: kind,
    measures: n,
    plans_created: year.plans,
    tasks_year: year.tasks,
    year_ms: round(yearMs),
    year_rows_s: round(rowsPerS),
    daily_tasks: daily.tasksCreated,
    daily_ms: round(dailyMs),
    daily_rows_s: round(daily.tasksCreated / (dailyMs / 1000)),
    bare_insert_ms: round(bareMs),
    bare_insert_rows_s: round(year.tasks / (bareMs / 1000)),
  };
}

export async function runInspectionsBench(): Promise<BenchResult> {
  const n = envNumber('BENCH_MEASURES', 5000);
  const dbs = (process.env.BENCH_DBS ?? 'pglite,postgres').split(',').map((s) => s.trim());
  const serverUrl = process.env.BENCH_DATABASE_URL ?? DEFAULT_SERVER;
  const runs: BenchResult['runs'] = [];
  const notes: string[] = [];
  for (const kind of dbs) {
    if (kind === 'pglite') runs.push(await withScratchPglite('sl-bench-insp-', (db) => runOn('pglite', db, n)));
    else if (kind === 'postgres') {
      try {
        runs.push(await withScratchPostgres(serverUrl, BENCH_DB, (db) => runOn('postgres', db, n)));
      } catch (e) {
        notes.push(`postgres skipped: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  }
  printTable([['db', 'tasks/year', 'year ms', 'rows/s', 'daily ms', 'bare rows/s'], ...runs.map((r) => [r.db, String(r.tasks_year), String(r.year_ms), String(r.year_rows_s), String(r.daily_ms), String(r.bare_insert_rows_s)])]);
  const ratios: Record<string, number> = {};
  for (const r of runs) ratios[`year_rows_s_vs_bare_insert_${r.db}`] = round(Number(r.year_rows_s) / Number(r.bare_insert_rows_s), 3);
  return { name: 'inspections', at: new Date().toISOString(), machine: machine(), runs, ratios, ...(notes.length ? { notes } : {}) };
}
