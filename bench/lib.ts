import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import pg from 'pg';
import { openPglite, openPostgres, type Database } from '../src/platform/db/client.ts';

export const benchDir = path.dirname(fileURLToPath(import.meta.url));
export const repoDir = path.resolve(benchDir, '..');
export const resultsDir = path.join(benchDir, 'results');

export interface Machine {
  cpus: number;
  memGb: number;
  node: string;
  /** CPU model and load when the run started: numbers from a busy machine are not comparable. */
  cpuModel: string;
  loadAvg1m: number;
}

export function machine(): Machine {
  return {
    cpus: os.cpus().length,
    memGb: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
    loadAvg1m: Math.round((os.loadavg()[0] ?? 0) * 100) / 100,
  };
}

/** One benchmark's result file, in the DESIGN shape (Testing → benchmarks). */
export interface BenchResult {
  name: string;
  at: string;
  machine: Machine;
  runs: ({ db: 'pglite' | 'postgres' | 'none' } & Record<string, number | string | boolean | null>)[];
  ratios: Record<string, number>;
  notes?: string[];
}

export function writeResult(result: BenchResult): string {
  fs.mkdirSync(resultsDir, { recursive: true });
  const file = path.join(resultsDir, `${result.name}.json`);
  fs.writeFileSync(file, JSON.stringify(result, null, 2) + '\n');
  return file;
}

/** A positive number from the environment (durations can be cut for a quick CI run), else the default. */
export function envNumber(name: string, def: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return def;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name}: must be a positive number, got "${raw}"`);
  return n;
}

export const round = (n: number, digits = 2): number => {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
};

/** Prints rows as an aligned text table (first row = header). */
export function printTable(rows: (string | number)[][]): void {
  const cells = rows.map((r) => r.map(String));
  const widths = cells[0]?.map((_, i) => Math.max(...cells.map((r) => [...(r[i] ?? '')].length))) ?? [];
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  console.log(line(cells[0] ?? []));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of cells.slice(1)) console.log(line(r));
}

export interface ServerHandle {
  port: number;
  child: ChildProcess;
  /** The server process's CPU time so far (user + system), in microseconds. */
  cpuMicros(): Promise<number>;
  stop(): Promise<void>;
}

let bundled: Promise<string> | undefined;

/**
 * `bench/server.ts` bundled like `npm start`'s server (esbuild, packages external): the code measured is
 * the code that runs in production, not the tsx loader's output (which, among others, names every function
 * it creates at run time).
 */
function bundledServer(): Promise<string> {
  bundled ??= (async () => {
    const outfile = path.join(repoDir, 'dist', 'bench', 'server.mjs');
    const { build } = await import('esbuild');
    await build({ entryPoints: [path.join(benchDir, 'server.ts')], outfile, bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', logLevel: 'warning' });
    return outfile;
  })();
  return bundled;
}

/**
 * Starts `bench/server.ts` (bundled) with `args` in its own process (so the load generator and the server never
 * share an event loop) and waits for it to report its port.
 */
export async function startServer(args: string[], env: Record<string, string> = {}): Promise<ServerHandle> {
  const child = fork(await bundledServer(), args, {
    cwd: repoDir,
    execArgv: [],
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`bench server ${args.join(' ')} did not start in 120 s`)), 120_000);
    child.once('message', (m: unknown) => {
      clearTimeout(timer);
      const port = (m as { port?: unknown }).port;
      if (typeof port === 'number') resolve(port);
      else reject(new Error(`bench server sent ${JSON.stringify(m)}`));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`bench server ${args.join(' ')} exited with ${code}`));
    });
  });
  return {
    port,
    child,
    cpuMicros: () =>
      new Promise<number>((resolve) => {
        const onMessage = (m: unknown) => {
          const cpu = (m as { cpuMicros?: unknown }).cpuMicros;
          if (typeof cpu !== 'number') return;
          child.off('message', onMessage);
          resolve(cpu);
        };
        child.on('message', onMessage);
        child.send('cpu');
      }),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

export interface LoadOptions {
  url: string;
  headers?: Record<string, string>;
  connections: number;
  durationS: number;
}

export interface LoadResult {
  req_s: number;
  p50_ms: number;
  p99_ms: number;
  /** Server CPU time per request, in microseconds. */
  cpu_us: number;
  failed: number;
}

/** One autocannon run against `server`, with the server's CPU time measured around it. */
export async function load(server: ServerHandle, o: LoadOptions): Promise<LoadResult> {
  const cpu0 = await server.cpuMicros();
  const r = await autocannon({ url: o.url, headers: o.headers, connections: o.connections, duration: o.durationS });
  const cpu1 = await server.cpuMicros();
  const done = r['2xx'] + r.non2xx;
  return {
    // Successful responses per second: errors and 4xx/5xx do not count as throughput.
    req_s: Math.round(r['2xx'] / r.duration),
    p50_ms: r.latency.p50,
    p99_ms: r.latency.p99,
    cpu_us: done > 0 ? round((cpu1 - cpu0) / done, 1) : 0,
    failed: r.non2xx + r.errors,
  };
}

/** Warm-up (JIT, caches, connections): a run whose numbers are thrown away. */
export async function warmUp(o: LoadOptions): Promise<void> {
  await autocannon({ url: o.url, headers: o.headers, connections: o.connections, duration: o.durationS });
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  if (s.length === 0) return 0;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}

/** Runs `fn` on `db` and closes it afterwards, whatever happens. */
async function using<T>(db: Database, fn: (db: Database) => Promise<T>): Promise<T> {
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

/** An embedded PGlite in a fresh temporary folder (migrated), removed afterwards. */
export async function withScratchPglite<T>(prefix: string, fn: (db: Database) => Promise<T>): Promise<T> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  try {
    return await using(await openPglite(dir), fn);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** One statement on the PostgreSQL server itself (create/drop a database, a reachability probe). */
export async function adminQuery(serverUrl: string, text: string): Promise<void> {
  const c = new pg.Client({ connectionString: serverUrl });
  await c.connect();
  try {
    await c.query(text);
  } finally {
    await c.end();
  }
}

/**
 * A fresh database `name` on the PostgreSQL server at `serverUrl` for `fn` (given its URL), dropped
 * afterwards. A left-over from an interrupted run is dropped first: a bench always starts from empty tables.
 */
export async function withScratchDatabase<T>(serverUrl: string, name: string, fn: (url: string) => Promise<T>): Promise<T> {
  await adminQuery(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await adminQuery(serverUrl, `CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  try {
    return await fn(url.toString());
  } finally {
    await adminQuery(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
}

/** `withScratchDatabase`, opened (and migrated) as SafeLoop opens PostgreSQL. */
export function withScratchPostgres<T>(serverUrl: string, name: string, fn: (db: Database) => Promise<T>): Promise<T> {
  return withScratchDatabase(serverUrl, name, async (url) => using(await openPostgres(url), fn));
}
