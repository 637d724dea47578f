/**
 * The topic and JSON payload convention of device messages (docs/iot.md), parsed without touching the
 * database so a bad message is refused whole before anything is written.
 *
 *   safeloop/v1/devices/<deviceId>/readings
 *     {"point":"ch1","value":12.5,"ts":"2026-12-01T08:00:00Z"}              one reading (ts optional)
 *     {"ts":"…","values":{"ch1":12.5,"ch2":20.9}}                           several points, one time
 *     {"readings":[{"point":"ch1","value":12.5,"ts":"…"}, …]}               a batch (≤ 1000)
 *   safeloop/v1/devices/<deviceId>/status
 *     {"status":"online"} | {"status":"offline"}
 *
 * `ts` is an ISO 8601 time or epoch milliseconds; without it the receive time is used.
 */

export const MAX_READINGS_PER_MESSAGE = 1000;
export const MAX_PAYLOAD_BYTES = 256 * 1024;
/** A device clock this far ahead is wrong; older than the window is a replay we do not accept. */
export const MAX_FUTURE_MS = 5 * 60_000;
export const MAX_PAST_MS = 30 * 24 * 3600_000;

export interface ParsedReading {
  key: string;
  value: number;
  ts: Date;
}

export type ParsedMessage = { kind: 'readings'; deviceId: string; readings: ParsedReading[] } | { kind: 'status'; deviceId: string; status: 'online' | 'offline' };

export class PayloadError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TOPIC = /^safeloop\/v1\/devices\/([^/]+)\/(readings|status)$/;
const KEY = /^[\w.:-]{1,64}$/;

export function parseTopic(topic: string): { deviceId: string; kind: 'readings' | 'status' } | null {
  const m = TOPIC.exec(topic);
  if (!m || !UUID.test(m[1]!)) return null;
  return { deviceId: m[1]!.toLowerCase(), kind: m[2] as 'readings' | 'status' };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function parseTs(raw: unknown, field: string, fallback: Date, now: Date): Date {
  if (raw === undefined || raw === null) return fallback;
  const d = typeof raw === 'number' ? new Date(raw) : typeof raw === 'string' ? new Date(raw) : null;
  if (!d || Number.isNaN(d.getTime())) throw new PayloadError(field, `${field}: an ISO 8601 time or epoch milliseconds`);
  if (d.getTime() > now.getTime() + MAX_FUTURE_MS) throw new PayloadError(field, `${field}: more than 5 minutes in the future (device clock?)`);
  if (d.getTime() < now.getTime() - MAX_PAST_MS) throw new PayloadError(field, `${field}: older than 30 days`);
  return d;
}

function parseValue(raw: unknown, field: string): number {
  if (typeof raw !== 'number' || !Number.isFinite(raw)) throw new PayloadError(field, `${field}: a finite number`);
  return raw;
}

function parseKey(raw: unknown, field: string): string {
  if (typeof raw !== 'string' || !KEY.test(raw)) throw new PayloadError(field, `${field}: 1 to 64 letters, digits, _ . : -`);
  return raw;
}

/** The readings of one message body (already JSON-decoded); throws PayloadError naming the first bad field. */
export function parseReadingsBody(body: unknown, now: Date): ParsedReading[] {
  if (!isObject(body)) throw new PayloadError('body', 'body: a JSON object');
  const baseTs = parseTs(body.ts, 'ts', now, now);
  const out: ParsedReading[] = [];
  if (Array.isArray(body.readings)) {
    if (body.readings.length > MAX_READINGS_PER_MESSAGE) throw new PayloadError('readings', `readings: at most ${MAX_READINGS_PER_MESSAGE}`);
    body.readings.forEach((r: unknown, i) => {
      if (!isObject(r)) throw new PayloadError(`readings[${i}]`, `readings[${i}]: an object {point, value, ts?}`);
      out.push({ key: parseKey(r.point, `readings[${i}].point`), value: parseValue(r.value, `readings[${i}].value`), ts: parseTs(r.ts, `readings[${i}].ts`, baseTs, now) });
    });
  } else if (isObject(body.values)) {
    const entries = Object.entries(body.values);
    if (entries.length > MAX_READINGS_PER_MESSAGE) throw new PayloadError('values', `values: at most ${MAX_READINGS_PER_MESSAGE}`);
    for (const [k, v] of entries) out.push({ key: parseKey(k, `values.${k}`), value: parseValue(v, `values.${k}`), ts: baseTs });
  } else if (body.point !== undefined) {
    out.push({ key: parseKey(body.point, 'point'), value: parseValue(body.value, 'value'), ts: baseTs });
  } else {
    throw new PayloadError('body', 'body: {point, value}, {values: {…}} or {readings: […]}');
  }
  if (out.length === 0) throw new PayloadError('readings', 'readings: at least one');
  // The same point twice at the same instant is ambiguous: refused rather than silently keeping one.
  const seen = new Set<string>();
  for (const r of out) {
    const k = `${r.key}@${r.ts.getTime()}`;
    if (seen.has(k)) throw new PayloadError('readings', `readings: point ${r.key} twice at ${r.ts.toISOString()}`);
    seen.add(k);
  }
  return out;
}

/** A whole MQTT message: topic + bytes. */
export function parseMessage(topic: string, payload: Buffer, now: Date): ParsedMessage {
  const t = parseTopic(topic);
  if (!t) throw new PayloadError('topic', 'topic: safeloop/v1/devices/<deviceId>/readings or …/status');
  if (payload.length > MAX_PAYLOAD_BYTES) throw new PayloadError('body', `body: at most ${MAX_PAYLOAD_BYTES} bytes`);
  let body: unknown;
  try {
    body = JSON.parse(payload.toString('utf8'));
  } catch {
    throw new PayloadError('body', 'body: not valid JSON');
  }
  if (t.kind === 'status') {
    if (!isObject(body) || (body.status !== 'online' && body.status !== 'offline')) throw new PayloadError('status', 'status: online or offline');
    return { kind: 'status', deviceId: t.deviceId, status: body.status };
  }
  return { kind: 'readings', deviceId: t.deviceId, readings: parseReadingsBody(body, now) };
}
