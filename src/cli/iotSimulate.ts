import { parseArgs } from 'node:util';
import mqtt from 'mqtt';
import { demoDeviceToken } from '../demo/iot.ts';

/**
 * `npm run iot:simulate` — publishes plausible readings for the demo devices to the embedded broker of a
 * running SafeLoop (docs/iot.md), with an optional gas-leak episode in the paint shop. It signs in to the API
 * to learn the demo devices' ids and point keys, then connects one MQTT client per device with its demo token
 * (`sld_demo_<code>_safeloop`) and publishes a `{"ts", "values": {…}}` message per device and interval, QoS 1.
 *
 *   npm run iot:simulate -- [--api http://127.0.0.1:3000] [--mqtt mqtt://127.0.0.1:1884]
 *                           [--user safety] [--password SafeLoop@2026] [--interval 5] [--leak] [--minutes 0]
 */

interface PointDto {
  id: string;
  deviceId: string;
  key: string;
  type: string;
  lastValue: number | null;
  rangeMax: number | null;
}
interface DeviceDto {
  id: string;
  code: string;
}

const { values: args } = parseArgs({
  options: {
    api: { type: 'string', default: 'http://127.0.0.1:3000' },
    mqtt: { type: 'string', default: 'mqtt://127.0.0.1:1884' },
    user: { type: 'string', default: 'safety' },
    password: { type: 'string', default: 'SafeLoop@2026' },
    interval: { type: 'string', default: '5' },
    minutes: { type: 'string', default: '0' },
    leak: { type: 'boolean', default: false },
  },
});

async function api<T>(path: string, token: string | null, body?: unknown): Promise<T> {
  const res = await fetch(`${args.api}${path}`, {
    method: body ? 'POST' : 'GET',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** Typical resting values per point type, used when a point has no live value yet. */
const restOf: Record<string, number> = { gas_flammable: 2, gas_toxic: 5, oxygen: 20.9, dust: 3, temperature: 40, pressure: 0.65, vibration: 2, level: 1.5 };
/** Noise as a share of the resting value: oxygen and pressure are steady, gas and dust readings jump. */
const noiseOf: Record<string, number> = { oxygen: 0.004, pressure: 0.03, temperature: 0.03 };

async function main(): Promise<void> {
  const { token } = await api<{ token: string }>('/api/v1/auth/login', null, { username: args.user, password: args.password });
  const devices = (await api<{ items: DeviceDto[] }>('/api/v1/iot/devices', token)).items.filter((d) => d.code.length > 0);
  const points = (await api<{ items: PointDto[] }>('/api/v1/iot/points', token)).items;
  const intervalMs = Math.max(1, Number(args.interval)) * 1000;
  const stopAt = Number(args.minutes) > 0 ? Date.now() + Number(args.minutes) * 60_000 : Infinity;
  const started = Date.now();
  const state = new Map(points.map((p) => [p.id, p.lastValue ?? restOf[p.type] ?? 1]));
  const clients = await Promise.all(
    devices.map(async (d) => ({ d, c: await mqtt.connectAsync(args.mqtt, { username: d.id, password: demoDeviceToken(d.code), reconnectPeriod: 2000, will: { topic: `safeloop/v1/devices/${d.id}/status`, payload: Buffer.from('{"status":"offline"}'), qos: 1, retain: false } }) })),
  );
  // Linkage: every device answers its commands (docs/iot.md "Linkage") after a short, realistic delay.
  let ventilatedAt: number | null = null;
  for (const { d, c } of clients) {
    await c.subscribeAsync(`safeloop/v1/devices/${d.id}/commands/#`, { qos: 1 });
    c.on('message', (topic, payload) => {
      if (!topic.startsWith(`safeloop/v1/devices/${d.id}/commands/`)) return;
      let cmd: { id?: unknown; command?: unknown };
      try {
        cmd = JSON.parse(payload.toString()) as { id?: unknown; command?: unknown };
      } catch {
        return;
      }
      if (typeof cmd.id !== 'string') return;
      const name = typeof cmd.command === 'string' ? cmd.command : '?';
      if (name === 'ventilation.start') ventilatedAt ??= Date.now();
      console.log(`${d.code}: command ${name} received, confirming`);
      setTimeout(() => void c.publishAsync(`safeloop/v1/devices/${d.id}/command-results`, JSON.stringify({ id: cmd.id, ok: true, message: `${name} done (simulated)` }), { qos: 1 }), 300 + Math.random() * 1200);
    });
  }
  console.log(`simulating ${points.length} points on ${clients.length} devices every ${intervalMs / 1000} s${args.leak ? ' with a gas leak in the paint shop' : ''}; Ctrl+C to stop`);
  let sent = 0;
  const tick = async () => {
    const elapsedMin = (Date.now() - started) / 60_000;
    await Promise.all(
      clients.map(async ({ d, c }) => {
        const values: Record<string, number> = {};
        for (const p of points.filter((x) => x.deviceId === d.id)) {
          const rest = restOf[p.type] ?? 1;
          let v = state.get(p.id)! + (rest - state.get(p.id)!) * 0.2 + (Math.random() - 0.5) * rest * (noiseOf[p.type] ?? 0.1);
          // Leak episode: the paint-shop detector ch1 ramps to ~40 %LEL over 3 min, holds, then ventilation brings it down.
          if (args.leak && d.code === 'GD-TZ-01' && p.key === 'ch1') v = elapsedMin < 3 ? 2 + elapsedMin * 13 : elapsedMin < 6 ? 40 + Math.random() * 4 : Math.max(2, 40 - (elapsedMin - 6) * 15);
          state.set(p.id, v);
          values[p.key] = Math.round(v * 1000) / 1000;
        }
        if (Object.keys(values).length === 0) return;
        await c.publishAsync(`safeloop/v1/devices/${d.id}/readings`, JSON.stringify({ ts: new Date().toISOString(), values }), { qos: 1 });
        sent++;
      }),
    );
  };
  for (;;) {
    const t0 = Date.now();
    await tick();
    if (Date.now() >= stopAt) break;
    await new Promise((r) => setTimeout(r, Math.max(0, intervalMs - (Date.now() - t0))));
  }
  console.log(`sent ${sent} messages`);
  await Promise.all(clients.map(({ c }) => c.endAsync()));
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
