/**
 * `npm run bench -- api`: HTTP throughput of SafeLoop against a bare Fastify app measured in the same run.
 *   bare    GET /hello on plain Fastify (baseline: what Node + Fastify can do on this machine)
 *   health  GET /api/v1/health on the real app (every plugin and hook, no database)
 *   me      GET /api/v1/me with a bearer token from a real login (auth hook + profile)
 * Each server runs in its own child process; autocannon drives it from this one over loopback.
 * PGlite always; PostgreSQL too when BENCH_DATABASE_URL or TEST_DATABASE_URL names a server (a fresh
 * database is created and dropped). Env: BENCH_DURATION_S (10, measured seconds per target, split into
 * BENCH_ROUNDS rounds, 5), BENCH_WARMUP_S (3), BENCH_CONNECTIONS (50).
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEMO_PASSWORD } from '../src/demo/seed.ts';
import { envNumber, load, machine, median, printTable, round, startServer, warmUp, type BenchResult, type LoadResult, type ServerHandle, withScratchDatabase } from './lib.ts';

/** The user whose profile /me returns: a workshop head (department scope, a real permission list). */
const ME_USER = 'head1';
const TARGETS = ['bare', 'health', 'me'] as const;
type TargetName = (typeof TARGETS)[number];

interface Options {
  connections: number;
  warmupS: number;
  rounds: number;
  roundS: number;
}

interface ApiRun {
  db: 'pglite' | 'postgres';
  rounds: Record<TargetName, LoadResult[]>;
}

async function loginToken(port: number): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${port}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: ME_USER, password: DEMO_PASSWORD }),
  });
  if (res.status !== 200) throw new Error(`login ${ME_USER} failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { token: string }).token;
}

/**
 * Both servers run side by side and the targets take turns, round after round: a burst of other work on
 * the machine then hits bare and SafeLoop alike, and the ratio of each round stays meaningful.
 */
async function measure(db: 'pglite' | 'postgres', target: string, o: Options): Promise<ApiRun> {
  const bare = await startServer(['bare']);
  let app: ServerHandle | null = null;
  try {
    app = await startServer(['safeloop', db, target]);
    const authorization = `Bearer ${await loginToken(app.port)}`;
    const targets: Record<TargetName, { server: ServerHandle; url: string; headers?: Record<string, string> }> = {
      bare: { server: bare, url: `http://127.0.0.1:${bare.port}/hello` },
      health: { server: app, url: `http://127.0.0.1:${app.port}/api/v1/health` },
      me: { server: app, url: `http://127.0.0.1:${app.port}/api/v1/me`, headers: { authorization } },
    };
    for (const name of TARGETS) await warmUp({ ...targets[name], connections: o.connections, durationS: o.warmupS });
    const rounds: Record<TargetName, LoadResult[]> = { bare: [], health: [], me: [] };
    for (let i = 0; i < o.rounds; i++) {
      for (const name of TARGETS) {
        const t = targets[name];
        rounds[name].push(await load(t.server, { url: t.url, headers: t.headers, connections: o.connections, durationS: o.roundS }));
      }
    }
    return { db, rounds };
  } finally {
    await app?.stop();
    await bare.stop();
  }
}

interface Summary {
  req_s: number;
  p50_ms: number;
  p99_ms: number;
  cpu_us: number;
  failed: number;
}

const summarize = (rs: LoadResult[]): Summary => ({
  req_s: Math.round(median(rs.map((r) => r.req_s))),
  p50_ms: median(rs.map((r) => r.p50_ms)),
  p99_ms: median(rs.map((r) => r.p99_ms)),
  cpu_us: round(median(rs.map((r) => r.cpu_us)), 1),
  failed: rs.reduce((n, r) => n + r.failed, 0),
});

/** Median over rounds of (target req/s ÷ bare req/s in the same round). */
function roundRatio(run: ApiRun, name: TargetName): number {
  return round(median(run.rounds[name].map((r, i) => (r.req_s > 0 ? r.req_s / (run.rounds.bare[i]?.req_s || Infinity) : 0))), 3);
}

export async function runApiBench(): Promise<BenchResult> {
  const durationS = envNumber('BENCH_DURATION_S', 10);
  const rounds = Math.max(1, Math.round(envNumber('BENCH_ROUNDS', 5)));
  const o: Options = { connections: envNumber('BENCH_CONNECTIONS', 50), warmupS: envNumber('BENCH_WARMUP_S', 3), rounds, roundS: durationS / rounds };
  const at = new Date().toISOString();
  const mach = machine();
  const runs: ApiRun[] = [];

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sl-bench-'));
  try {
    runs.push(await measure('pglite', dir, o));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const pgUrl = process.env.BENCH_DATABASE_URL || process.env.TEST_DATABASE_URL;
  if (pgUrl) runs.push(await withScratchDatabase(pgUrl, `sl_bench_${randomBytes(6).toString('hex')}`, (url) => measure('postgres', url, o)));

  const ratios: Record<string, number> = {};
  for (const r of runs) {
    const suffix = r.db === 'pglite' ? '' : `_${r.db}`;
    ratios[`health_vs_bare${suffix}`] = roundRatio(r, 'health');
    ratios[`me_vs_bare${suffix}`] = roundRatio(r, 'me');
  }
  // The same comparison by server CPU per request (bare CPU ÷ target CPU): what the server could do if it
  // had a core to itself; steadier than req/s when other work shares the machine.
  for (const r of runs) {
    const suffix = r.db === 'pglite' ? '' : `_${r.db}`;
    const bareCpu = summarize(r.rounds.bare).cpu_us;
    for (const name of ['health', 'me'] as const) {
      const cpu = summarize(r.rounds[name]).cpu_us;
      ratios[`${name}_vs_bare_by_cpu${suffix}`] = cpu > 0 ? round(bareCpu / cpu, 3) : 0;
    }
  }
  const result: BenchResult = {
    name: 'api',
    at,
    machine: mach,
    runs: runs.map((r) => {
      const s = { bare: summarize(r.rounds.bare), health: summarize(r.rounds.health), me: summarize(r.rounds.me) };
      return {
        db: r.db,
        bare_req_s: s.bare.req_s,
        health_req_s: s.health.req_s,
        me_req_s: s.me.req_s,
        bare_p99_ms: s.bare.p99_ms,
        health_p99_ms: s.health.p99_ms,
        me_p99_ms: s.me.p99_ms,
        bare_p50_ms: s.bare.p50_ms,
        health_p50_ms: s.health.p50_ms,
        me_p50_ms: s.me.p50_ms,
        bare_cpu_us: s.bare.cpu_us,
        health_cpu_us: s.health.cpu_us,
        me_cpu_us: s.me.cpu_us,
        failed_requests: s.bare.failed + s.health.failed + s.me.failed,
        connections: o.connections,
        rounds: o.rounds,
        round_s: round(o.roundS, 2),
      };
    }),
    ratios,
    notes: [
      'req/s, p50 and p99: median over rounds; *_vs_bare: median over rounds of target/bare req/s measured back to back',
      '*_cpu_us: server CPU time per request (user + system); *_vs_bare_by_cpu = bare cpu / target cpu',
      `targets: health_vs_bare >= 0.9, me_vs_bare >= 0.5 (pglite); /me as ${ME_USER}`,
      `load generator (autocannon, one thread) and server share the machine's ${mach.cpus} cores`,
    ],
  };

  const rows: (string | number)[][] = [['db', 'target', 'req/s', 'p50 ms', 'p99 ms', 'cpu µs/req', 'vs bare', 'vs bare (cpu)', 'failed']];
  for (const r of runs) {
    const suffix = r.db === 'pglite' ? '' : `_${r.db}`;
    for (const name of TARGETS) {
      const s = summarize(r.rounds[name]);
      const vs = name === 'bare' ? 1 : (ratios[`${name}_vs_bare${suffix}`] ?? 0);
      const vsCpu = name === 'bare' ? 1 : (ratios[`${name}_vs_bare_by_cpu${suffix}`] ?? 0);
      rows.push([r.db, name, s.req_s, s.p50_ms, s.p99_ms, s.cpu_us, vs, vsCpu, s.failed]);
    }
  }
  console.log(`\napi: ${o.connections} connections, ${o.rounds} rounds x ${round(o.roundS, 2)} s per target after ${o.warmupS} s warm-up (${mach.cpus} cpus, load ${mach.loadAvg1m})`);
  printTable(rows);
  const goals: [string, number][] = [
    ['health_vs_bare', 0.9],
    ['me_vs_bare', 0.5],
  ];
  const misses = goals.filter(([k, min]) => (ratios[k] ?? 0) < min);
  console.log(misses.length ? `targets missed: ${misses.map(([k, min]) => `${k}=${ratios[k]} (< ${min})`).join(', ')}` : 'targets met (health >= 0.9x bare, me >= 0.5x bare)');
  return result;
}
