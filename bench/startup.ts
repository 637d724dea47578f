/**
 * `npm run bench -- startup`: how long `npm start` (the server bundle, dist/server/main.mjs) takes to be ready, on a fresh DATA_DIR (first
 * start: migrations + demo company) and again on the same folder (later start). Reads the "ready in X s"
 * line main.ts prints (time since its node process started, module loading included) and also records the
 * wall time from spawn to that line.
 * Limits: first start <= 15 s, later start <= 3 s on a 2-core machine.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { machine, printTable, repoDir, round, type BenchResult } from './lib.ts';

const FIRST_LIMIT_S = 15;
const LATER_LIMIT_S = 3;

interface Start {
  ready_s: number;
  wall_s: number;
  seeded: boolean;
}

/** Runs main.ts until it prints its ready line, then stops it (SIGTERM, graceful) and waits for the exit. */
function startOnce(dataDir: string): Promise<Start> {
  const t0 = performance.now();
  // What `npm start` runs: the esbuild bundle of the server (built once before the runs, see below).
  const child = spawn(process.execPath, ['--enable-source-maps', 'dist/server/main.mjs'], {
    cwd: repoDir,
    // PORT 0: any free port, so the run never collides with a developer's server on 3000.
    env: { ...process.env, DATA_DIR: dataDir, PORT: '0', MQTT_PORT: '0', LOG_LEVEL: 'warn', DEMO: 'true', NODE_ENV: 'development', DATABASE_URL: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  return new Promise<Start>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`main.ts not ready after 120 s:\n${out}`));
    }, 120_000);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const m = /ready in ([\d.]+) s(.*)/.exec(out);
      if (!m) return;
      const wall = (performance.now() - t0) / 1000;
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.once('exit', () => resolve({ ready_s: Number(m[1]), wall_s: round(wall), seeded: (m[2] ?? '').includes('first start') }));
      child.kill('SIGTERM');
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (c: Buffer) => (out += c.toString()));
    child.once('exit', (code) => {
      if (!/ready in/.test(out)) {
        clearTimeout(timer);
        reject(new Error(`main.ts exited with ${code} before it was ready:\n${out}`));
      }
    });
  });
}

export async function runStartupBench(): Promise<BenchResult> {
  const at = new Date().toISOString();
  const mach = machine();
  // As `npm start` does first: bring the bundle up to date (not part of the measured start).
  const bundle = spawnSync(process.execPath, ['scripts/build-server.mjs', '--if-stale'], { cwd: repoDir, stdio: 'inherit' });
  if (bundle.status !== 0) throw new Error('server bundle failed');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sl-startup-'));
  let first: Start;
  let later: Start;
  try {
    first = await startOnce(dir);
    later = await startOnce(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  if (!first.seeded || later.seeded) throw new Error('expected the demo company to be created on the first start only');
  const result: BenchResult = {
    name: 'startup',
    at,
    machine: mach,
    runs: [{ db: 'pglite', first_start_s: first.ready_s, later_start_s: later.ready_s, first_start_wall_s: first.wall_s, later_start_wall_s: later.wall_s }],
    ratios: { first_start_vs_limit: round(first.ready_s / FIRST_LIMIT_S, 3), later_start_vs_limit: round(later.ready_s / LATER_LIMIT_S, 3) },
    notes: [`limits: first start <= ${FIRST_LIMIT_S} s, later start <= ${LATER_LIMIT_S} s ("ready in" line of main.ts); ready = since the node process started (module loading included); wall = from spawn to that line`],
  };
  console.log(`\nstartup (${mach.cpus} cpus, load ${mach.loadAvg1m})`);
  printTable([
    ['start', 'ready s', 'wall s', 'limit s'],
    ['first (fresh DATA_DIR, demo seeded)', first.ready_s, first.wall_s, FIRST_LIMIT_S],
    ['later (same DATA_DIR)', later.ready_s, later.wall_s, LATER_LIMIT_S],
  ]);
  return result;
}
