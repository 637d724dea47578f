import { and, eq, inArray, isNull, or, sql } from 'drizzle-orm';
import { systemCtx } from '../../platform/auth/actor.ts';
import type { Database, Tx } from '../../platform/db/client.ts';
import { publishEvent } from '../../platform/events/outbox.ts';
import { AppError, invalid } from '../../platform/http/errors.ts';
import type { PointRow } from './alarmStore.ts';
import { applyOutcome, lockRuleState, ruleDef, saveRuleState, type RuleRow } from './conditions.ts';
import { evaluateReading } from './evaluate.ts';
import type { ParsedReading } from './payload.ts';
import { iotAlarmRules, iotDevices, iotPoints, iotReadings, iotRollups, type RollupGrain } from './schema.ts';
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

async function upsertRollups(tx: Tx, tenantId: string, rows: { pointId: string; ts: Date; value: number }[]): Promise<void> {
  const acc = new Map<string, { pointId: string; grain: RollupGrain; bucket: Date; count: number; sum: number; min: number; max: number }>();
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
      } else acc.set(k, { pointId: r.pointId, grain, bucket, count: 1, sum: r.value, min: r.value, max: r.value });
    }
  }
  if (acc.size === 0) return;
  await tx
    .insert(iotRollups)
    .values([...acc.values()].map((a) => ({ tenantId, ...a })))
    .onConflictDoUpdate({
      target: [iotRollups.pointId, iotRollups.grain, iotRollups.bucket],
      set: {
        count: sql`${iotRollups.count} + excluded.count`,
        sum: sql`${iotRollups.sum} + excluded.sum`,
        min: sql`LEAST(${iotRollups.min}, excluded.min)`,
        max: sql`GREATEST(${iotRollups.max}, excluded.max)`,
      },
    });
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
          inArray(
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

async function evaluatePoint(tx: Tx, ctx: ReturnType<typeof systemCtx>, point: PointRow, rules: RuleRow[], readings: { ts: Date; value: number }[]): Promise<void> {
  for (const rule of rules) {
    let state = await lockRuleState(tx, point.tenantId, point.id, rule.id);
    for (const r of readings) {
      const o = evaluateReading(ruleDef(rule), state, r);
      state = o.state;
      if (o.action !== 'none') await applyOutcome(tx, ctx, point, rule, o, r.value, r.ts);
    }
    await saveRuleState(tx, point.id, rule.id, state);
  }
}

/**
 * Stores one message of a device in the caller's transaction. Throws a 400 AppError (nothing written) when
 * a reading names no point of the device.
 */
export async function ingestInTx(tx: Tx, db: Database, deviceId: string, readings: ParsedReading[], now: Date): Promise<IngestResult> {
  const device = await activeDevice(tx, deviceId);
  const keys = [...new Set(readings.map((r) => r.key))];
  const points = await tx
    .select()
    .from(iotPoints)
    .where(and(eq(iotPoints.deviceId, device.id), inArray(iotPoints.key, keys), isNull(iotPoints.archivedAt)));
  const byKey = new Map(points.map((p) => [p.key, p]));
  readings.forEach((r, i) => {
    if (!byKey.has(r.key)) throw invalid(`readings[${i}].point`, 'exists', `readings[${i}].point: device ${device.code} has no point "${r.key}"`);
  });
  const rows = readings.map((r) => ({ tenantId: device.tenantId, pointId: byKey.get(r.key)!.id, ts: r.ts, value: r.value, receivedAt: now }));
  const inserted = await tx.insert(iotReadings).values(rows).onConflictDoNothing().returning({ pointId: iotReadings.pointId, ts: iotReadings.ts, value: iotReadings.value });
  await upsertRollups(tx, device.tenantId, inserted);

  const ctx = systemCtx(db, device.tenantId, () => now);
  const perPoint = new Map<string, { ts: Date; value: number }[]>();
  for (const r of inserted) perPoint.set(r.pointId, [...(perPoint.get(r.pointId) ?? []), { ts: r.ts, value: r.value }]);
  const touched = points.filter((p) => perPoint.has(p.id));
  const rules = await rulesFor(tx, device.tenantId, touched);
  for (const p of touched) {
    const list = perPoint.get(p.id)!.sort((a, b) => a.ts.getTime() - b.ts.getTime());
    const latest = list[list.length - 1]!;
    if (!p.lastTs || latest.ts.getTime() >= p.lastTs.getTime()) {
      await tx.update(iotPoints).set({ lastValue: latest.value, lastTs: latest.ts }).where(eq(iotPoints.id, p.id));
    }
    await evaluatePoint(tx, ctx, p, rules.get(p.id) ?? [], list);
  }
  await markSeen(tx, db, device, 'online', now);
  return { stored: inserted.length, duplicates: rows.length - inserted.length };
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
