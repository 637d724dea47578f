import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Database } from '../../platform/db/client.ts';
import { newId } from '../../platform/db/columns.ts';
import { makeOrgUnit, makeTenant, makeUser } from '../../test/factories.ts';
import { iotAlarmRules, iotDevices, iotEscalationSteps, iotPoints } from './schema.ts';
import { hashDeviceToken } from './tokens.ts';

/**
 * Test and benchmark support for ingestion end to end: a database prepared with many devices (known
 * tokens), their points and a high-alarm rule, and the real app (`src/main.ts`, bundled like `npm start`)
 * started in its own process on that database, so it can be killed with SIGKILL and started again.
 * Used by the crash test (crash.test.ts) and `npm run bench -- ingest`.
 */

const repoDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export interface FixtureDevice {
  id: string;
  token: string;
}

export interface IngestFixture {
  tenantId: string;
  devices: FixtureDevice[];
  /** Point keys of every device (readings name them). */
  keys: string[];
  /** Devices for alarm-latency probes, each in an area of its own (alarm notifications of one area are grouped). */
  probes: FixtureDevice[];
  /** Every point of type gas_flammable alarms above this value (rule per point type). */
  alarmLimit: number;
  user: { username: string; password: string };
}

/** A tenant with `devices` devices × `keys` points, a high rule per point type, a user notified at once on a raise. */
export async function seedIngestFixture(db: Database, opts: { devices: number; probes?: number; keys?: string[]; alarmLimit?: number }): Promise<IngestFixture> {
  const keys = opts.keys ?? ['ch1', 'ch2', 'ch3'];
  const alarmLimit = opts.alarmLimit ?? 50;
  const { tenant, rootUnitId } = await makeTenant(db, 'Ingest Co');
  const u = await makeUser(db, tenant.id, rootUnitId, ['safety_director'], `ingest${Math.random().toString(36).slice(2, 8)}`);
  const devices: FixtureDevice[] = Array.from({ length: opts.devices }, (_, i) => ({ id: newId(), token: `sld_bench_${i}_${Math.random().toString(36).slice(2, 12)}` }));
  const probes: FixtureDevice[] = Array.from({ length: opts.probes ?? 0 }, (_, i) => ({ id: newId(), token: `sld_probe_${i}_${Math.random().toString(36).slice(2, 12)}` }));
  const areas: string[] = [];
  for (let i = 0; i < probes.length; i++) areas.push((await makeOrgUnit(db, tenant.id, rootUnitId, 'workshop')).id);
  await db.tx(async (tx) => {
    for (let i = 0; i < devices.length; i += 500) {
      const chunk = devices.slice(i, i + 500);
      await tx.insert(iotDevices).values(chunk.map((d, j) => ({ id: d.id, tenantId: tenant.id, orgUnitId: rootUnitId, code: `D${i + j}`, name: `Device ${i + j}`, tokenHash: hashDeviceToken(d.token), tokenIssuedAt: new Date() })));
      await tx.insert(iotPoints).values(chunk.flatMap((d, j) => keys.map((k) => ({ tenantId: tenant.id, orgUnitId: rootUnitId, deviceId: d.id, key: k, code: `P${i + j}-${k}`, name: `Point ${i + j} ${k}`, type: 'gas_flammable', unit: '%LEL' }))));
    }
    for (const [i, d] of probes.entries()) {
      const unit = areas[i]!;
      await tx.insert(iotDevices).values({ id: d.id, tenantId: tenant.id, orgUnitId: unit, code: `PROBE${i}`, name: `Probe ${i}`, tokenHash: hashDeviceToken(d.token), tokenIssuedAt: new Date() });
      await tx.insert(iotPoints).values(keys.map((k) => ({ tenantId: tenant.id, orgUnitId: unit, deviceId: d.id, key: k, code: `PR${i}-${k}`, name: `Probe ${i} ${k}`, type: 'gas_flammable', unit: '%LEL' })));
    }
    await tx.insert(iotAlarmRules).values({ tenantId: tenant.id, pointType: 'gas_flammable', name: 'High gas', kind: 'high', limit: alarmLimit, deadband: 5, severity: 'critical' });
    await tx.insert(iotEscalationSteps).values({ tenantId: tenant.id, afterMinutes: 0, personId: u.person.id });
  });
  return { tenantId: tenant.id, devices, probes, keys, alarmLimit, user: { username: u.username, password: u.password } };
}

export function freePort(): Promise<number> {
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

let bundle: Promise<string> | undefined;

/** `src/main.ts` bundled with esbuild (packages external), as scripts/build-server.mjs does for `npm start`. */
export function bundledMain(): Promise<string> {
  bundle ??= (async () => {
    const outfile = path.join(repoDir, 'dist', 'ingest-harness', `main-${process.pid}.mjs`);
    const { build } = await import('esbuild');
    await build({ entryPoints: [path.join(repoDir, 'src', 'main.ts')], outfile, bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', logLevel: 'warning' });
    process.once('exit', () => fs.rmSync(outfile, { force: true }));
    return outfile;
  })();
  return bundle;
}

export interface AppProcess {
  child: ChildProcess;
  httpPort: number;
  mqttPort: number;
  /** Peak resident set size seen by `sampleRss` (MB). */
  rssMb(): number;
  /** SIGKILL: no shutdown hook runs, exactly like a power cut or the OOM killer. */
  kill9(): Promise<void>;
  stop(): Promise<void>;
}

export interface AppEnv {
  /** PGlite data folder, or null with `databaseUrl`. */
  dataDir: string;
  databaseUrl?: string | null;
  mqttUrl?: string | null;
  mqttPort: number;
  httpPort: number;
  /** Stable across restarts: the external broker keeps the persistent session of this client id. */
  instanceId?: string;
}

const exited = (child: ChildProcess) => new Promise<void>((r) => (child.exitCode !== null || child.signalCode !== null ? r() : child.once('exit', () => r())));

/** Starts the app and resolves once it printed its "ready" line (HTTP and MQTT listening). */
export async function startApp(env: AppEnv, timeoutMs = 120_000): Promise<AppProcess> {
  const main = await bundledMain();
  const child = spawn(process.execPath, [main], {
    cwd: repoDir,
    env: {
      ...process.env,
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      DEMO: 'false',
      HOST: '127.0.0.1',
      PORT: String(env.httpPort),
      MQTT_PORT: String(env.mqttPort),
      DATA_DIR: env.dataDir,
      DATABASE_URL: env.databaseUrl ?? '',
      MQTT_URL: env.mqttUrl ?? '',
      INSTANCE_ID: env.instanceId ?? 'ingest-harness',
      RATE_LIMIT_PER_MINUTE: '1000000',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let peakRss = 0;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`app did not start in ${timeoutMs / 1000} s:\n${out.slice(-2000)}`)), timeoutMs);
    const onData = (b: Buffer) => {
      out += b.toString();
      if (process.env.INGEST_HARNESS_VERBOSE) process.stderr.write(b);
      if (out.includes('SafeLoop is ready')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (b: Buffer) => {
      out += b.toString();
      if (process.env.INGEST_HARNESS_VERBOSE) process.stderr.write(b);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`app exited (${code ?? signal}) before it was ready:\n${out.slice(-2000)}`));
    });
  });
  // Resident memory of the app process, sampled from /proc (Linux) while it runs.
  const sampler = setInterval(() => {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (m) peakRss = Math.max(peakRss, Number(m[1]) / 1024);
    } catch {
      // Gone.
    }
  }, 200);
  sampler.unref();
  child.once('exit', () => clearInterval(sampler));
  return {
    child,
    httpPort: env.httpPort,
    mqttPort: env.mqttPort,
    rssMb: () => Math.round(peakRss),
    kill9: async () => {
      child.kill('SIGKILL');
      await exited(child);
    },
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const hard = setTimeout(() => child.kill('SIGKILL'), 15_000);
      child.kill('SIGTERM');
      await exited(child);
      clearTimeout(hard);
    },
  };
}

export interface Mosquitto {
  port: number;
  log(): string;
  stop(): Promise<void>;
}

/**
 * A Mosquitto of our own on a spare port, configured as docs/iot.md asks operators to (QoS 1 never dropped:
 * unlimited queue and in-flight window, persistence on). Anonymous access on 127.0.0.1 only: it is a test broker.
 */
export async function startMosquitto(parent: string): Promise<Mosquitto> {
  let dir = parent;
  const port = await freePort();
  // Started as root, mosquitto drops to its own user: its folder must be writable for it (persistence, log).
  dir = path.join(dir, 'mosquitto');
  fs.mkdirSync(dir, { recursive: true, mode: 0o777 });
  fs.chmodSync(dir, 0o777);
  const conf = path.join(dir, 'mosquitto.conf');
  fs.writeFileSync(
    conf,
    [`listener ${port} 127.0.0.1`, 'allow_anonymous true', 'persistence true', `persistence_location ${dir}/`, 'autosave_interval 1', 'max_queued_messages 0', 'max_inflight_messages 0', 'max_queued_bytes 0', 'log_type error', 'log_type warning', 'log_type notice', `log_dest file ${dir}/mosquitto.log`, ''].join('\n'),
  );
  const child = spawn('/usr/sbin/mosquitto', ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (b: Buffer) => (err += b.toString()));
  const until = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`mosquitto exited: ${err}`);
    const ok = await new Promise<boolean>((r) => {
      const s = net.connect(port, '127.0.0.1', () => {
        s.end();
        r(true);
      });
      s.on('error', () => r(false));
    });
    if (ok) break;
    if (Date.now() > until) throw new Error(`mosquitto did not listen on ${port}: ${err}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    port,
    log: () => {
      try {
        return fs.readFileSync(path.join(dir, 'mosquitto.log'), 'utf8');
      } catch {
        return '';
      }
    },
    stop: async () => {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await exited(child);
    },
  };
}

/** Payload of one message with three values at one time (the simulator's form). */
export function readingPayload(keys: string[], ts: number, values: number[]): string {
  return JSON.stringify({ ts, values: Object.fromEntries(keys.map((k, i) => [k, values[i] ?? 0])) });
}
