/**
 * `npm run bench -- ingest [--quick]`: MQTT ingestion of the real app (src/main.ts bundled, its own process)
 * with messages of 3 values each, on (a) embedded PGlite + the embedded aedes broker and (b) PostgreSQL
 * (BENCH_DATABASE_URL or TEST_DATABASE_URL) behind a Mosquitto the bench starts on a spare port with the
 * no-drop configuration of docs/iot.md. Per set-up:
 *   1. sustained rate: fixed offered rates, stepped up from the target while the app keeps up (every message
 *      acknowledged by the end of the step + a short drain); alarm latency probes run during the step;
 *   2. alarm latency publish → alarm row (polled over the API) and → SSE notification, p50/p95/p99;
 *   3. burst at 3× the sustained rate (60 s; --quick 5 s): lost = sent − stored;
 *   4. burst at 10× (30 s; --quick 5 s): peak RSS of the app process.
 * Everything on 127.0.0.1; stops by itself.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import pg from 'pg';
import { openPglite, openPostgres, type Database } from '../src/platform/db/client.ts';
import { freePort, readingPayload, seedIngestFixture, startApp, startMosquitto, type AppProcess, type FixtureDevice, type IngestFixture } from '../src/modules/iot/ingestHarness.ts';
import { adminQuery, envNumber, machine, printTable, round, type BenchResult } from './lib.ts';

const quick = process.argv.includes('--quick') || process.env.BENCH_QUICK === '1';
// Durations can be cut (BENCH_STEP_S, BENCH_BURST3_S, BENCH_BURST10_S) on a busy machine; the result notes them.
const STEP_S = envNumber('BENCH_STEP_S', quick ? 4 : 15);
const BURST3_S = envNumber('BENCH_BURST3_S', quick ? 5 : 60);
const BURST10_S = envNumber('BENCH_BURST10_S', quick ? 5 : 30);
const DEVICES = quick ? 50 : 200;
const PROBES = 20;
const PROBE_EVERY_MS = 250;

interface Run {
  db: 'pglite' | 'postgres';
  sustained_msg_s: number;
  sent: number;
  stored: number;
  lost: number;
  alarm_p50_ms: number;
  alarm_p95_ms: number;
  alarm_p99_ms: number;
  burst3x_lost: number;
  burst10x_peak_rss_mb: number;
  [k: string]: number | string | boolean | null;
}

const pct = (xs: number[], p: number) => {
  if (xs.length === 0) return -1;
  const s = [...xs].sort((a, b) => a - b);
  return round(s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!, 1);
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Conn {
  device: FixtureDevice;
  client: MqttClient;
  lastTs: number;
}

/** Publishers: one MQTT connection per device (a device may publish only under its own id). */
async function connectAll(url: string, devices: FixtureDevice[]): Promise<Conn[]> {
  const out: Conn[] = [];
  for (let i = 0; i < devices.length; i += 20) {
    out.push(
      ...(await Promise.all(
        devices.slice(i, i + 20).map(async (d) => {
          const client = await mqtt.connectAsync(url, { username: d.id, password: d.token, clientId: `bench-${d.id}`, reconnectPeriod: 500, connectTimeout: 30_000 });
          client.on('error', () => undefined);
          return { device: d, client, lastTs: 0 };
        }),
      )),
    );
  }
  return out;
}

class Load {
  sent = 0;
  acked = 0;
  failed = 0;
  private next = 0;
  constructor(
    private readonly conns: Conn[],
    private readonly keys: string[],
  ) {}
  /** One message of the load: three normal values, a fresh millisecond per device (unique (point, ts)). */
  publishOne(): void {
    const c = this.conns[this.next++ % this.conns.length]!;
    const ts = Math.max(Date.now(), c.lastTs + 1);
    c.lastTs = ts;
    this.sent++;
    c.client.publish(`safeloop/v1/devices/${c.device.id}/readings`, readingPayload(this.keys, ts, [10 + (this.sent % 20), 20.9, 1.5]), { qos: 1 }, (err) => {
      if (err) this.failed++;
      else this.acked++;
    });
  }
  /** Offers `rate` msg/s for `seconds` (open loop: a producer that does not wait for the broker). */
  async drive(rate: number, seconds: number, during?: () => void): Promise<void> {
    const start = Date.now();
    const first = this.sent;
    while (Date.now() - start < seconds * 1000) {
      const due = Math.floor(((Date.now() - start) / 1000) * rate);
      while (this.sent - first < due) this.publishOne();
      during?.();
      await sleep(5);
    }
  }
  async drain(timeoutMs: number): Promise<boolean> {
    const until = Date.now() + timeoutMs;
    while (this.acked + this.failed < this.sent) {
      if (Date.now() > until) return false;
      await sleep(20);
    }
    return true;
  }
}

/** Alarm probes: a value above the limit on a probe point, then the time until its alarm row and its SSE frame. */
class Probes {
  private nextPoint = 0;
  /** Probe messages published (stored like any other). */
  published = 0;
  private pending = new Map<string, number>();
  rowMs: number[] = [];
  sseMs: number[] = [];
  private sseSeen = new Map<string, number>();
  private abort = new AbortController();
  private lastProbe = 0;
  constructor(
    private readonly fx: IngestFixture,
    private readonly conns: Conn[],
    private readonly api: string,
    private readonly auth: string,
  ) {}

  async openStream(): Promise<void> {
    const res = await fetch(`${this.api}/api/v1/stream`, { headers: { authorization: this.auth }, signal: this.abort.signal });
    if (!res.ok || !res.body) throw new Error(`stream: ${res.status}`);
    const reader = res.body.getReader();
    const dec = new TextDecoder();
    void (async () => {
      let buf = '';
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) return;
          buf += dec.decode(value, { stream: true });
          let i;
          while ((i = buf.indexOf('\n\n')) >= 0) {
            const frame = buf.slice(0, i);
            buf = buf.slice(i + 2);
            if (!frame.includes('event: notification')) continue;
            for (const [pointId, t0] of this.pending) if (frame.includes(pointId) && !this.sseSeen.has(pointId)) this.sseSeen.set(pointId, Date.now() - t0);
          }
        }
      } catch {
        // Aborted at the end.
      }
    })();
  }

  /** Called from the load loop: one probe every PROBE_EVERY_MS while probe points last. */
  tick(): void {
    if (Date.now() - this.lastProbe < PROBE_EVERY_MS) return;
    const total = this.conns.length * this.fx.keys.length;
    if (this.nextPoint >= total) return;
    this.lastProbe = Date.now();
    const i = this.nextPoint++;
    this.published++;
    const c = this.conns[i % this.conns.length]!;
    const k = Math.floor(i / this.conns.length);
    const values = this.fx.keys.map((_, j) => (j === k ? this.fx.alarmLimit + 30 : 5));
    const ts = Math.max(Date.now(), c.lastTs + 1);
    c.lastTs = ts;
    const t0 = Date.now();
    c.client.publish(`safeloop/v1/devices/${c.device.id}/readings`, readingPayload(this.fx.keys, ts, values), { qos: 1 });
    void this.watchRow(c.device.id, this.fx.keys[k]!, t0);
  }

  private async pointId(deviceId: string, key: string): Promise<string> {
    const r = await fetch(`${this.api}/api/v1/iot/points?deviceId=${deviceId}`, { headers: { authorization: this.auth } });
    const body = (await r.json()) as { items: { id: string; key: string }[] };
    const p = body.items.find((x) => x.key === key);
    if (!p) throw new Error(`probe point ${deviceId}/${key} not found`);
    return p.id;
  }

  private ids = new Map<string, string>();
  async resolveIds(): Promise<void> {
    for (const c of this.conns) for (const k of this.fx.keys) this.ids.set(`${c.device.id}|${k}`, await this.pointId(c.device.id, k));
  }

  private async watchRow(deviceId: string, key: string, t0: number): Promise<void> {
    const pointId = this.ids.get(`${deviceId}|${key}`)!;
    this.pending.set(pointId, t0);
    this.waiting.set(pointId, t0);
    this.poller ??= this.poll();
  }

  /** Probes not yet seen as an alarm row, and the one poll loop (one API request per 20 ms) that watches them. */
  private waiting = new Map<string, number>();
  private poller: Promise<void> | null = null;
  private async poll(): Promise<void> {
    while (this.waiting.size > 0) {
      const r = await fetch(`${this.api}/api/v1/iot/alarms?state=open&limit=200`, { headers: { authorization: this.auth } });
      const at = Date.now();
      if (r.ok) {
        const body = (await r.json()) as { items: { pointId: string }[] };
        for (const a of body.items) {
          const t0 = this.waiting.get(a.pointId);
          if (t0 === undefined) continue;
          this.rowMs.push(at - t0);
          this.waiting.delete(a.pointId);
        }
      }
      for (const [id, t0] of this.waiting) if (at - t0 > 30_000) this.waiting.delete(id);
      await sleep(20);
    }
    this.poller = null;
  }

  async finish(): Promise<void> {
    await sleep(2000);
    this.sseMs = [...this.sseSeen.values()];
    this.abort.abort();
  }
}

async function storedCount(kind: 'pglite' | 'postgres', target: string, tenantId: string): Promise<number> {
  const q = `SELECT count(*)::int AS n FROM iot_readings WHERE tenant_id = '${tenantId}'`;
  if (kind === 'postgres') {
    const c = new pg.Client({ connectionString: target });
    await c.connect();
    try {
      return (await c.query<{ n: number }>(q)).rows[0]!.n;
    } finally {
      await c.end();
    }
  }
  const db = await openPglite(target);
  try {
    const r = await db.read(async (tx) => (await tx.execute(q)) as unknown as { rows: { n: number }[] });
    return r.rows[0]!.n;
  } finally {
    await db.close();
  }
}

async function setUp(kind: 'pglite' | 'postgres', serverUrl: string | null, dir: string) {
  let db: Database;
  let dbUrl: string | null = null;
  if (kind === 'postgres') {
    const name = 'safeloop_bench_ingest';
    await adminQuery(serverUrl!, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await adminQuery(serverUrl!, `CREATE DATABASE ${name}`);
    const u = new URL(serverUrl!);
    u.pathname = `/${name}`;
    dbUrl = u.toString();
    db = await openPostgres(dbUrl, 2);
  } else db = await openPglite(path.join(dir, 'db'));
  const fx = await seedIngestFixture(db, { devices: DEVICES, probes: PROBES });
  await db.close();
  return { fx, dbUrl };
}

async function runSetUp(kind: 'pglite' | 'postgres', serverUrl: string | null): Promise<Run> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `sl-bench-ingest-${kind}-`));
  const mosq = kind === 'postgres' ? await startMosquitto(dir) : null;
  let app: AppProcess | null = null;
  const conns: Conn[] = [];
  try {
    const { fx, dbUrl } = await setUp(kind, serverUrl, dir);
    const httpPort = await freePort();
    const mqttPort = await freePort();
    app = await startApp({ dataDir: dir, databaseUrl: dbUrl, mqttUrl: mosq ? `mqtt://127.0.0.1:${mosq.port}` : null, mqttPort, httpPort, instanceId: `bench-${kind}` });
    const api = `http://127.0.0.1:${httpPort}`;
    const login = await fetch(`${api}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(fx.user) });
    const auth = `Bearer ${((await login.json()) as { token: string }).token}`;
    const brokerUrl = mosq ? `mqtt://127.0.0.1:${mosq.port}` : `mqtt://127.0.0.1:${mqttPort}`;
    conns.push(...(await connectAll(brokerUrl, fx.devices)));
    const probeConns = await connectAll(brokerUrl, fx.probes);
    conns.push(...probeConns);
    const load = new Load(conns.slice(0, fx.devices.length), fx.keys);
    const probes = new Probes(fx, probeConns, api, auth);
    await probes.resolveIds();
    await probes.openStream();

    // Warm-up (JIT, connections, caches): not counted.
    await load.drive(200, quick ? 1 : 3);
    await load.drain(30_000);

    // Behind Mosquitto the publishers are acknowledged by the broker: "stored" is read from the database
    // until it has everything (or stops moving). On the embedded broker an acknowledgement is a commit.
    const waitStored = async (messages: number): Promise<number> => {
      if (!mosq) return messages;
      let last = -1;
      let n = 0;
      let still = 0;
      while ((n = Math.floor((await storedCount('postgres', dbUrl!, fx.tenantId)) / fx.keys.length)) < messages && still < 20) {
        still = n === last ? still + 1 : 0;
        last = n;
        await sleep(500);
      }
      return n;
    };

    const storedNow = async () => Math.floor((await storedCount('postgres', dbUrl!, fx.tenantId)) / fx.keys.length);
    /** Everything sent so far is stored (Mosquitto: read from the database) within `ms`. */
    const caughtUp = async (ms: number): Promise<boolean> => {
      if (!mosq) return load.drain(ms);
      const until = Date.now() + ms;
      const want = load.sent + probes.published;
      while ((await storedNow()) < want) {
        if (Date.now() > until) return false;
        await sleep(100);
      }
      return true;
    };

    // Sustained: step the offered rate up from the target while every message of the step is acknowledged
    // within a second of its end; the last rate that passed is the sustained rate.
    const target = kind === 'postgres' ? 5000 : 1000;
    let rate = Math.round(target / 2);
    let sustained = 0;
    const steps: string[] = [];
    for (let step = 0; step < (quick ? 3 : 5); step++) {
      // Stored messages, not acknowledgements: behind Mosquitto the broker acknowledges the publishers.
      const before = mosq ? await storedNow() : load.acked;
      const t0 = Date.now();
      await load.drive(rate, STEP_S, () => probes.tick());
      const kept = await caughtUp(1000 + rate / 10);
      const achieved = Math.round(((mosq ? await storedNow() : load.acked) - before) / ((Date.now() - t0) / 1000));
      steps.push(`${rate}→${achieved}${kept ? '' : ' (behind)'}`);
      console.log(`  ${kind} offered ${rate} msg/s: acknowledged ${achieved} msg/s${kept ? '' : ', fell behind'}`);
      if (!kept) {
        await caughtUp(300_000);
        break;
      }
      sustained = rate;
      rate = step === 0 ? target : Math.round(rate * 1.5);
    }
    await probes.finish();

    // Bursts: 3× for BURST3_S (no loss), then 10× (memory bounded).
    const base = Math.max(sustained, Math.round(target / 4));
    const before3 = { sent: load.sent, acked: load.acked };
    await load.drive(base * 3, BURST3_S);
    const drained3 = await load.drain(300_000);
    const stored3 = await waitStored(load.sent + probes.published);
    const burst3Lost = mosq ? load.sent + probes.published - stored3 : load.sent - before3.sent - (load.acked - before3.acked);
    console.log(`  ${kind} burst 3× (${base * 3} msg/s, ${BURST3_S} s): ${load.sent - before3.sent} sent, drained: ${drained3}, lost ${burst3Lost}`);
    await load.drive(base * 10, BURST10_S);
    const drained10 = await load.drain(600_000);
    await waitStored(load.sent + probes.published);
    const peakRss = app.rssMb();
    console.log(`  ${kind} burst 10× (${base * 10} msg/s, ${BURST10_S} s): drained: ${drained10}, peak RSS ${peakRss} MB`);

    for (const c of conns) await c.client.endAsync();
    conns.length = 0;
    await app.stop();
    app = null;
    const storedAll = Math.floor((await storedCount(kind, kind === 'postgres' ? dbUrl! : path.join(dir, 'db'), fx.tenantId)) / fx.keys.length);
    // Probe messages are stored too: count the load's messages only.
    const loadStored = storedAll - probes.published;
    if (kind === 'postgres') await adminQuery(serverUrl!, 'DROP DATABASE IF EXISTS safeloop_bench_ingest WITH (FORCE)');
    return {
      db: kind,
      sustained_msg_s: sustained,
      sent: load.sent,
      stored: loadStored,
      lost: load.sent - loadStored,
      alarm_p50_ms: pct(probes.rowMs, 50),
      alarm_p95_ms: pct(probes.rowMs, 95),
      alarm_p99_ms: pct(probes.rowMs, 99),
      alarm_sse_p50_ms: pct(probes.sseMs, 50),
      alarm_sse_p95_ms: pct(probes.sseMs, 95),
      alarm_sse_p99_ms: pct(probes.sseMs, 99),
      alarm_samples: probes.rowMs.length,
      alarm_sse_samples: probes.sseMs.length,
      burst3x_msg_s: base * 3,
      burst3x_lost: burst3Lost,
      burst10x_msg_s: base * 10,
      burst10x_peak_rss_mb: peakRss,
      publisher_errors: load.failed,
      steps: steps.join(', '),
    };
  } finally {
    for (const c of conns) c.client.end(true);
    await app?.stop();
    await mosq?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export async function runIngestBench(): Promise<BenchResult> {
  const m = machine();
  const serverUrl = process.env.BENCH_DATABASE_URL || process.env.TEST_DATABASE_URL || null;
  // BENCH_INGEST_DBS=postgres (or pglite) runs one set-up only, e.g. to measure a change on a busy machine.
  const only = process.env.BENCH_INGEST_DBS?.split(',').map((s) => s.trim());
  const runs: Run[] = [];
  if (!only || only.includes('pglite')) runs.push(await runSetUp('pglite', null));
  if (serverUrl && (!only || only.includes('postgres'))) runs.push(await runSetUp('postgres', serverUrl));
  else if (!serverUrl) console.log('  (no BENCH_DATABASE_URL / TEST_DATABASE_URL: PostgreSQL + Mosquitto skipped)');
  printTable([
    ['db', 'sustained msg/s', 'sent', 'stored', 'lost', 'alarm p50/p95/p99 ms', 'SSE p50/p95/p99 ms', 'burst3x lost', 'burst10x RSS MB'],
    ...runs.map((r) => [r.db, r.sustained_msg_s, r.sent, r.stored, r.lost, `${r.alarm_p50_ms}/${r.alarm_p95_ms}/${r.alarm_p99_ms}`, `${r.alarm_sse_p50_ms}/${r.alarm_sse_p95_ms}/${r.alarm_sse_p99_ms}`, r.burst3x_lost, r.burst10x_peak_rss_mb]),
  ]);
  const ratios: Record<string, number> = {};
  for (const r of runs) {
    ratios[`${r.db}_sustained_vs_target`] = round(r.sustained_msg_s / (r.db === 'postgres' ? 5000 : 1000), 3);
    ratios[`${r.db}_alarm_p99_vs_limit`] = round(r.alarm_p99_ms / 100, 3);
  }
  return {
    name: 'ingest',
    at: new Date().toISOString(),
    machine: m,
    runs,
    ratios,
    notes: [
      `${quick ? 'QUICK run (--quick): short steps, not comparable. ' : ''}steps ${STEP_S} s, burst 3x ${BURST3_S} s, burst 10x ${BURST10_S} s; messages of 3 values, QoS 1, one connection per device (${DEVICES} load devices, ${PROBES} probe devices)`,
      'sustained = highest offered rate (stepped from target/2) at which every message was stored within ~1 s of the step end (embedded broker: acknowledged = committed; Mosquitto: counted in the database)',
      'alarm latency = publish of a value above the limit -> alarm visible in GET /api/v1/iot/alarms (one poll loop, every 20 ms + request time) / -> SSE notification frame',
      'targets: >= 5000 msg/s PostgreSQL, >= 1000 msg/s PGlite, alarm p99 <= 100 ms at the sustained rate',
    ],
  };
}
