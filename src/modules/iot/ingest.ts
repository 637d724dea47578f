import { and, eq, inArray, isNull, or, sql, type AnyColumn } from 'drizzle-orm';
import { systemCtx } from '../../platform/auth/actor.ts';
import type { Database, Tx } from '../../platform/db/client.ts';
import { publishEvent } from '../../platform/events/outbox.ts';
import { AppError, invalid } from '../../platform/http/errors.ts';
import type { PointRow } from './alarmStore.ts';
import { applyOutcome, ruleDef, type RuleRow } from './conditions.ts';
import { emptyState, evaluateReading, type RuleState } from './evaluate.ts';
import type { ParsedReading } from './payload.ts';
import { iotAlarmRules, iotDevices, iotPoints, iotRuleStates, type RollupGrain } from './schema.ts';
import { hashDeviceToken, looksLikeDeviceToken } from './tokens.ts';

/**
 * Storing device readings: validate the whole message against the device's points first (a bad one changes
 * nothing), then in one transaction insert the raw rows (a redelivered message is a no-op by the primary
 * key), upsert the minute and hour rollups, move the points' live values and the device's last-seen time,
 * and evaluate the alarm rules. The caller acknowledges the message only after this commits.
 */

export type DeviceRow = typeof iotDevices.$inferSelect;

export interface IngestResult {
  stored: number;
  duplicates: number;
}

/** The active device of a token (HTTP and the embedded broker), or null. */
export async function deviceByToken(tx: Tx, token: string): Promise<DeviceRow | null> {
  if (!looksLikeDeviceToken(token)) return null;
  const [d] = await tx
    .select()
    .from(iotDevices)
    .where(and(eq(iotDevices.tokenHash, hashDeviceToken(token)), isNull(iotDevices.archivedAt)));
  return d ?? null;
}

async function activeDevice(tx: Tx, deviceId: string): Promise<DeviceRow> {
  const [d] = await tx
    .select()
    .from(iotDevices)
    .where(and(eq(iotDevices.id, deviceId), isNull(iotDevices.archivedAt)));
  if (!d) throw new AppError('not_found', `device ${deviceId} not found`);
  return d;
}

const bucketOf = (ts: Date, grain: RollupGrain) => new Date(Math.floor(ts.getTime() / (grain === 'minute' ? 60_000 : 3_600_000)) * (grain === 'minute' ? 60_000 : 3_600_000));

/** The rows of a raw `tx.execute` (node-postgres and PGlite both answer `{ rows }`). */
function rowsOf<T>(res: unknown): T[] {
  return (res as { rows: T[] }).rows;
}

/**
 * A PostgreSQL array literal for one `unnest($n::type[])` parameter: one parameter per column instead of
 * one per value, so a bulk UPDATE of hundreds of rows is a single short statement on both drivers.
 * Only values that need no quoting reach it (uuids, finite numbers, ISO times, booleans).
 */
function pgArray(values: (string | number | boolean | Date | null)[]): string {
  return `{${values.map((v) => (v === null ? 'NULL' : v instanceof Date ? `"${v.toISOString()}"` : typeof v === 'boolean' ? (v ? 't' : 'f') : String(v))).join(',')}}`;
}

/** `col = ANY($1::uuid[])`: one parameter for any number of ids (drizzle's inArray binds one per id). */
const anyUuid = (col: AnyColumn, ids: string[]) => sql`${col} = ANY(${pgArray(ids)}::uuid[])`;

async function upsertRollups(tx: Tx, rows: { tenantId: string; pointId: string; ts: Date; value: number }[]): Promise<void> {
  const acc = new Map<string, { tenantId: string; pointId: string; grain: RollupGrain; bucket: Date; count: number; sum: number; min: number; max: number }>();
  for (const r of rows) {
    for (const grain of ['minute', 'hour'] as const) {
      const bucket = bucketOf(r.ts, grain);
      const k = `${r.pointId}|${grain}|${bucket.getTime()}`;
      const a = acc.get(k);
      if (a) {
        a.count++;
        a.sum += r.value;
        a.min = Math.min(a.min, r.value);
        a.max = Math.max(a.max, r.value);
      } else acc.set(k, { tenantId: r.tenantId, pointId: r.pointId, grain, bucket, count: 1, sum: r.value, min: r.value, max: r.value });
    }
  }
  if (acc.size === 0) return;
  // Sorted by key: two instances upserting the same buckets lock them in the same order (no deadlock).
  // One statement with one array parameter per column, whatever the batch size (see pgArray).
  const v = [...acc.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, x]) => x);
  await tx.execute(sql`
    INSERT INTO iot_rollups (tenant_id, point_id, grain, bucket, count, sum, min, max)
    SELECT * FROM unnest(${pgArray(v.map((x) => x.tenantId))}::uuid[], ${pgArray(v.map((x) => x.pointId))}::uuid[], ${pgArray(v.map((x) => x.grain))}::text[],
                         ${pgArray(v.map((x) => x.bucket))}::timestamptz[], ${pgArray(v.map((x) => x.count))}::bigint[], ${pgArray(v.map((x) => x.sum))}::double precision[],
                         ${pgArray(v.map((x) => x.min))}::double precision[], ${pgArray(v.map((x) => x.max))}::double precision[])
    ON CONFLICT (point_id, grain, bucket) DO UPDATE SET count = iot_rollups.count + excluded.count, sum = iot_rollups.sum + excluded.sum,
      min = LEAST(iot_rollups.min, excluded.min), max = GREATEST(iot_rollups.max, excluded.max)`);
}

/** Rules that apply to a point: its own, and those of its point type. */
export async function rulesFor(tx: Tx, tenantId: string, points: PointRow[]): Promise<Map<string, RuleRow[]>> {
  const out = new Map<string, RuleRow[]>(points.map((p) => [p.id, []]));
  if (points.length === 0) return out;
  const types = [...new Set(points.map((p) => p.type))];
  const rules = await tx
    .select()
    .from(iotAlarmRules)
    .where(
      and(
        eq(iotAlarmRules.tenantId, tenantId),
        eq(iotAlarmRules.enabled, true),
        or(
          anyUuid(
            iotAlarmRules.pointId,
            points.map((p) => p.id),
          ),
          and(isNull(iotAlarmRules.pointId), inArray(iotAlarmRules.pointType, types)),
        ),
      ),
    );
  for (const p of points) out.set(p.id, rules.filter((r) => r.pointId === p.id || (r.pointId === null && r.pointType === p.type)));
  return out;
}

interface PairWork {
  point: PointRow;
  rule: RuleRow;
  readings: { ts: Date; value: number }[];
}

/**
 * Evaluates the rules of every touched point of a batch. The state rows of all (point, rule) pairs are
 * created and locked with one statement each (sorted, so concurrent instances lock in the same order and
 * concurrent readings of a point are evaluated one after the other), evaluated in memory, and written back
 * with one UPDATE; only an outcome (raise, update, clear) touches the alarm tables.
 */
async function evaluatePairs(tx: Tx, db: Database, now: Date, work: PairWork[]): Promise<void> {
  if (work.length === 0) return;
  work.sort((a, b) => (a.point.id === b.point.id ? (a.rule.id < b.rule.id ? -1 : 1) : a.point.id < b.point.id ? -1 : 1));
  await tx.execute(sql`
    INSERT INTO iot_rule_states (tenant_id, point_id, rule_id)
    SELECT * FROM unnest(${pgArray(work.map((w) => w.point.tenantId))}::uuid[], ${pgArray(work.map((w) => w.point.id))}::uuid[], ${pgArray(work.map((w) => w.rule.id))}::uuid[])
    ON CONFLICT DO NOTHING`);
  const pointIds = [...new Set(work.map((w) => w.point.id))];
  const ruleIds = [...new Set(work.map((w) => w.rule.id))];
  const rows = await tx
    .select()
    .from(iotRuleStates)
    .where(and(anyUuid(iotRuleStates.pointId, pointIds), anyUuid(iotRuleStates.ruleId, ruleIds)))
    .orderBy(iotRuleStates.pointId, iotRuleStates.ruleId)
    .for('update');
  const stateOf = new Map(rows.map((s) => [`${s.pointId}|${s.ruleId}`, { latched: s.latched, breachSince: s.breachSince, breachCount: s.breachCount, prevValue: s.prevValue, prevTs: s.prevTs } as RuleState]));
  const ctxByTenant = new Map<string, ReturnType<typeof systemCtx>>();
  const saved: { pointId: string; ruleId: string; s: RuleState }[] = [];
  for (const w of work) {
    let ctx = ctxByTenant.get(w.point.tenantId);
    if (!ctx) ctxByTenant.set(w.point.tenantId, (ctx = systemCtx(db, w.point.tenantId, () => now)));
    let state = stateOf.get(`${w.point.id}|${w.rule.id}`) ?? emptyState();
    for (const r of w.readings) {
      const o = evaluateReading(ruleDef(w.rule), state, r);
      state = o.state;
      if (o.action !== 'none') await applyOutcome(tx, ctx, w.point, w.rule, o, r.value, r.ts);
    }
    saved.push({ pointId: w.point.id, ruleId: w.rule.id, s: state });
  }
  await tx.execute(sql`
    UPDATE iot_rule_states AS s SET latched = v.latched, breach_since = v.breach_since, breach_count = v.breach_count, prev_value = v.prev_value, prev_ts = v.prev_ts
    FROM (SELECT unnest(${pgArray(saved.map((x) => x.pointId))}::uuid[]) AS point_id,
                 unnest(${pgArray(saved.map((x) => x.ruleId))}::uuid[]) AS rule_id,
                 unnest(${pgArray(saved.map((x) => x.s.latched))}::boolean[]) AS latched,
                 unnest(${pgArray(saved.map((x) => x.s.breachSince))}::timestamptz[]) AS breach_since,
                 unnest(${pgArray(saved.map((x) => x.s.breachCount))}::integer[]) AS breach_count,
                 unnest(${pgArray(saved.map((x) => x.s.prevValue))}::double precision[]) AS prev_value,
                 unnest(${pgArray(saved.map((x) => x.s.prevTs))}::timestamptz[]) AS prev_ts) AS v
    WHERE s.point_id = v.point_id AND s.rule_id = v.rule_id`);
}

/** The readings of one device message (MQTT message or HTTP request body). */
export interface DeviceMessage {
  deviceId: string;
  readings: ParsedReading[];
}

/** Per message: what was stored, or the 4xx reason it was refused whole (nothing of it written). */
export type MessageOutcome = ({ ok: true } & IngestResult) | { ok: false; error: AppError };

/**
 * Stores many device messages in the caller's transaction with a fixed number of statements per batch
 * (group commit): devices and points are read once, every message is validated in memory (a message naming
 * an unknown point is refused whole, the others go on), the accepted readings go in with multi-row
 * `INSERT … ON CONFLICT DO NOTHING` (a redelivered message stores nothing twice), then rollups, live values,
 * rule evaluation and the devices' last-seen time, each as one statement for the batch.
 */
export async function ingestMessagesInTx(tx: Tx, db: Database, msgs: DeviceMessage[], now: Date): Promise<MessageOutcome[]> {
  const out: (MessageOutcome | null)[] = msgs.map(() => null);
  if (msgs.length === 0) return [];
  const deviceIds = [...new Set(msgs.map((m) => m.deviceId))];
  // Devices and their live points in one statement: a batch's cost is mostly per statement (PGlite above all).
  const joined = await tx
    .select({ device: iotDevices, point: iotPoints })
    .from(iotDevices)
    .leftJoin(iotPoints, and(eq(iotPoints.deviceId, iotDevices.id), isNull(iotPoints.archivedAt)))
    .where(and(anyUuid(iotDevices.id, deviceIds), isNull(iotDevices.archivedAt)));
  const deviceById = new Map(joined.map((r) => [r.device.id, r.device]));
  const points = joined.flatMap((r) => (r.point ? [r.point] : []));
  const pointByKey = new Map(points.map((p) => [`${p.deviceId}|${p.key}`, p]));

  // Validation in memory; a key (point, ts) claimed by an earlier message of the batch is a duplicate.
  const claimed = new Map<string, number>();
  const rows: { tenantId: string; pointId: string; ts: Date; value: number; receivedAt: Date }[] = [];
  msgs.forEach((m, i) => {
    const device = deviceById.get(m.deviceId);
    if (!device) {
      out[i] = { ok: false, error: new AppError('not_found', `device ${m.deviceId} not found`) };
      return;
    }
    const mine: typeof rows = [];
    for (const [j, r] of m.readings.entries()) {
      const p = pointByKey.get(`${device.id}|${r.key}`);
      if (!p) {
        out[i] = { ok: false, error: invalid(`readings[${j}].point`, 'exists', `readings[${j}].point: device ${device.code} has no point "${r.key}"`) };
        return;
      }
      mine.push({ tenantId: device.tenantId, pointId: p.id, ts: r.ts, value: r.value, receivedAt: now });
    }
    for (const row of mine) {
      const k = `${row.pointId}|${row.ts.getTime()}`;
      if (claimed.has(k)) continue;
      claimed.set(k, i);
      rows.push(row);
    }
  });

  // One INSERT for the batch with one array parameter per column: building a multi-row VALUES statement
  // of thousands of rows cost more CPU than the database spent on it.
  const inserted: { pointId: string; ts: Date; value: number }[] =
    rows.length === 0
      ? []
      : rowsOf<{ point_id: string; ts: Date | string; value: number }>(
          await tx.execute(sql`
            INSERT INTO iot_readings (tenant_id, point_id, ts, value, received_at)
            SELECT * FROM unnest(${pgArray(rows.map((r) => r.tenantId))}::uuid[], ${pgArray(rows.map((r) => r.pointId))}::uuid[], ${pgArray(rows.map((r) => r.ts))}::timestamptz[],
                                 ${pgArray(rows.map((r) => r.value))}::double precision[], ${pgArray(rows.map((r) => r.receivedAt))}::timestamptz[])
            ON CONFLICT DO NOTHING
            RETURNING point_id, ts, value`),
        ).map((r) => ({ pointId: r.point_id, ts: new Date(r.ts), value: Number(r.value) }));
  const storedPer = new Map<number, number>();
  for (const r of inserted) {
    const i = claimed.get(`${r.pointId}|${r.ts.getTime()}`);
    if (i !== undefined) storedPer.set(i, (storedPer.get(i) ?? 0) + 1);
  }
  msgs.forEach((m, i) => {
    if (out[i]) return;
    const stored = storedPer.get(i) ?? 0;
    out[i] = { ok: true, stored, duplicates: m.readings.length - stored };
  });

  const pointById = new Map(points.map((p) => [p.id, p]));
  await upsertRollups(
    tx,
    inserted.map((r) => ({ ...r, tenantId: pointById.get(r.pointId)!.tenantId })),
  );

  // Per touched point: its new readings in time order, the live value moved forward only.
  const perPoint = new Map<string, { ts: Date; value: number }[]>();
  for (const r of inserted) {
    const list = perPoint.get(r.pointId);
    if (list) list.push({ ts: r.ts, value: r.value });
    else perPoint.set(r.pointId, [{ ts: r.ts, value: r.value }]);
  }
  const touched = [...perPoint.keys()].sort().map((id) => pointById.get(id)!);
  const live: { id: string; value: number; ts: Date }[] = [];
  for (const p of touched) {
    const list = perPoint.get(p.id)!.sort((a, b) => a.ts.getTime() - b.ts.getTime());
    const latest = list[list.length - 1]!;
    if (!p.lastTs || latest.ts.getTime() >= p.lastTs.getTime()) live.push({ id: p.id, value: latest.value, ts: latest.ts });
  }
  if (live.length > 0) {
    // The WHERE guards against a concurrent instance having moved the live value further meanwhile.
    await tx.execute(sql`
      UPDATE iot_points AS p SET last_value = v.value, last_ts = v.ts
      FROM (SELECT unnest(${pgArray(live.map((l) => l.id))}::uuid[]) AS id,
                   unnest(${pgArray(live.map((l) => l.value))}::double precision[]) AS value,
                   unnest(${pgArray(live.map((l) => l.ts))}::timestamptz[]) AS ts) AS v
      WHERE p.id = v.id AND (p.last_ts IS NULL OR p.last_ts <= v.ts)`);
  }

  const work: PairWork[] = [];
  for (const tenantId of new Set(touched.map((p) => p.tenantId))) {
    const mine = touched.filter((p) => p.tenantId === tenantId);
    const rules = await rulesFor(tx, tenantId, mine);
    for (const p of mine) for (const rule of rules.get(p.id) ?? []) work.push({ point: p, rule, readings: perPoint.get(p.id)! });
  }
  await evaluatePairs(tx, db, now, work);

  // Last seen: every device that sent an accepted message (a refused one proves nothing about the device).
  const seen = [...new Set(msgs.filter((_, i) => out[i]!.ok).map((m) => m.deviceId))].sort();
  if (seen.length > 0) {
    await tx.update(iotDevices).set({ lastSeenAt: now, status: 'online' }).where(anyUuid(iotDevices.id, seen));
    for (const id of seen) {
      const d = deviceById.get(id)!;
      if (d.status !== 'online') await publishEvent(tx, systemCtx(db, d.tenantId, () => now), { type: 'iot.device.online', entityType: 'iot_device', entityId: d.id, payload: { deviceId: d.id, code: d.code } });
    }
  }
  return out.map((o) => o!);
}

/**
 * Stores one message of a device in the caller's transaction. Throws the 4xx AppError (nothing written)
 * when the device is unknown or a reading names no point of the device.
 */
export async function ingestInTx(tx: Tx, db: Database, deviceId: string, readings: ParsedReading[], now: Date): Promise<IngestResult> {
  const [o] = await ingestMessagesInTx(tx, db, [{ deviceId, readings }], now);
  if (!o!.ok) throw o!.error;
  return { stored: o!.stored, duplicates: o!.duplicates };
}

/** Last-seen time and online state; a change of state is announced (not audited: it is telemetry). */
export async function markSeen(tx: Tx, db: Database, device: DeviceRow, status: 'online' | 'offline', now: Date): Promise<void> {
  await tx
    .update(iotDevices)
    .set({ lastSeenAt: now, status })
    .where(eq(iotDevices.id, device.id));
  if (device.status !== status) {
    await publishEvent(tx, systemCtx(db, device.tenantId, () => now), { type: `iot.device.${status}`, entityType: 'iot_device', entityId: device.id, payload: { deviceId: device.id, code: device.code } });
  }
}

export async function ingestReadings(db: Database, deviceId: string, readings: ParsedReading[], now: Date): Promise<IngestResult> {
  return db.tx((tx) => ingestInTx(tx, db, deviceId, readings, now));
}

export async function recordDeviceStatus(db: Database, deviceId: string, status: 'online' | 'offline', now: Date): Promise<void> {
  await db.tx(async (tx) => markSeen(tx, db, await activeDevice(tx, deviceId), status, now));
}
