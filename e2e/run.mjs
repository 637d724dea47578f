#!/usr/bin/env node
// `npm run e2e [-- <vitest filters>]`: builds the web app if stale, starts the real server on a free port
// with a fresh DATA_DIR (so the demo company is seeded), waits for /api/v1/health, runs the browser tests
// (vitest, e2e/vitest.config.ts) in headless Debian Chromium, stops the server and exits non-zero on failure.
// The server runs with a movable clock (e2e/lib/clock.mjs, E2E_CLOCK_FILE) that tests can move forward.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const tmpRoot = path.join(root, 'e2e', '.tmp');
const CHROMIUM = process.env.E2E_CHROMIUM || '/usr/bin/chromium';
const started = Date.now();
const secs = () => ((Date.now() - started) / 1000).toFixed(0);
const log = (msg) => console.log(`[e2e ${secs()}s] ${msg}`);

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

async function waitForHealth(url, server, timeoutMs) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (server.exitCode !== null) throw new Error(`server exited with code ${server.exitCode} before it was ready`);
    try {
      const res = await fetch(`${url}/api/v1/health`);
      if (res.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`server not healthy after ${timeoutMs / 1000} s`);
}

function stopServer(server) {
  return new Promise((resolve) => {
    if (server.exitCode !== null) return resolve();
    const kill = setTimeout(() => server.kill('SIGKILL'), 15_000);
    server.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    server.kill('SIGTERM');
  });
}

function tail(file, lines) {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no server log)';
  }
}

async function main() {
  if (!fs.existsSync(CHROMIUM)) {
    console.error(`${CHROMIUM} not found: run \`bash scripts/install-chromium.sh\` first`);
    return 2;
  }

  log('building the web app if stale');
  const build = spawnSync(process.execPath, [path.join(root, 'scripts', 'build-web.mjs'), '--if-stale'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) {
    console.error('web build failed');
    return 1;
  }
  const bundle = spawnSync(process.execPath, [path.join(root, 'scripts', 'build-server.mjs'), '--if-stale'], { cwd: root, stdio: 'inherit' });
  if (bundle.status !== 0) {
    console.error('server bundle failed');
    return 1;
  }

  fs.mkdirSync(tmpRoot, { recursive: true });
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'safeloop-e2e-'));
  const serverLog = path.join(tmpRoot, 'server.log');
  const port = await freePort();
  const mqttPort = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  log(`starting the server on ${baseUrl} (DATA_DIR ${dataDir}, log e2e/.tmp/server.log)`);
  const out = fs.openSync(serverLog, 'w');
  // The server's movable clock (e2e/lib/clock.mjs): tests write an offset here (advanceServerClock) to let
  // timers such as permit expiry come due without waiting in real time. In the run's DATA_DIR, so it starts
  // at 0 every run and is removed with it.
  const clockFile = path.join(dataDir, 'clock-offset-ms');
  // What `npm start` runs (the server bundle, rebuilt above when a source file is newer), plus the clock
  // preload, which only this runner passes.
  const nodeArgs = ['--enable-source-maps', '--import', pathToFileURL(path.join(root, 'e2e', 'lib', 'clock.mjs')).href, path.join(root, 'dist', 'server', 'main.mjs')];
  const server = spawn(process.execPath, nodeArgs, {
    cwd: root,
    env: {
      ...process.env,
      E2E_CLOCK_FILE: clockFile,
      NODE_ENV: 'development',
      DEMO: 'true',
      HOST: '127.0.0.1',
      PORT: String(port),
      PUBLIC_URL: baseUrl,
      DATA_DIR: dataDir,
      DB_DIR: path.join(dataDir, 'db'),
      FILES_DIR: path.join(dataDir, 'files'),
      MQTT_PORT: String(mqttPort),
      LOG_LEVEL: process.env.E2E_LOG_LEVEL || 'warn',
      // Every browser test comes from 127.0.0.1, page assets included; the default 600/min per IP would
      // throttle the run itself. Login keeps its own fixed limit (20/min), which the tests respect.
      RATE_LIMIT_PER_MINUTE: '100000',
    },
    stdio: ['ignore', out, out],
  });

  let code = 1;
  try {
    await waitForHealth(baseUrl, server, 180_000);
    log('server is healthy; running the browser tests');
    const vitest = spawnSync(
      process.execPath,
      [path.join(root, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--config', 'e2e/vitest.config.ts', ...process.argv.slice(2)],
      { cwd: root, stdio: 'inherit', env: { ...process.env, E2E_BASE_URL: baseUrl, E2E_CHROMIUM: CHROMIUM, E2E_CLOCK_FILE: clockFile } },
    );
    code = vitest.status ?? 1;
  } catch (e) {
    console.error(String(e instanceof Error ? e.message : e));
    console.error(`--- last lines of e2e/.tmp/server.log ---\n${tail(serverLog, 40)}`);
    code = 1;
  } finally {
    await stopServer(server);
    fs.closeSync(out);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  if (code !== 0) console.error(`--- last lines of e2e/.tmp/server.log ---\n${tail(serverLog, 20)}`);
  console.log(`\n${code === 0 ? 'E2E PASSED' : `E2E FAILED (exit code ${code})`} in ${secs()} s; screenshots in e2e/screenshots/`);
  return code;
}

process.exitCode = await main();
