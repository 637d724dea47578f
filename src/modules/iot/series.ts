import { and, asc, eq, gte, inArray, isNull, lt, ne, or } from 'drizzle-orm';
import type { Ctx } from '../../platform/auth/actor.ts';
import { requirePermission } from '../../platform/auth/scope.ts';
import { invalid } from '../../platform/http/errors.ts';
import { iotPermissions as P } from './permissions.ts';
import { readablePoint } from './registry.ts';
import { iotAlarmRules, iotAlarms, iotReadings, iotRollups, type AlarmSeverity, type RuleKind } from './schema.ts';

/**
 * The trend chart of one point: a bounded series whatever the range (raw readings for short ranges, the
 * minute rollups up to three days, the hour rollups beyond), downsampled to at most `maxPoints` buckets
 * that keep each bucket's min and max, so a 1 s spike stays visible on a 7-day chart; the thresholds of
 * the point's enabled rules (per point and per point type) and its alarm periods inside the range.
 */

export const TREND_RANGES = { '1h': 3_600_000, '24h': 86_400_000, '7d': 7 * 86_400_000 } as const;
export type TrendRange = keyof typeof TREND_RANGES;
export const DEFAULT_TREND_POINTS = 600;
export const MAX_TREND_POINTS = 2000;
/** Longest custom range (rollups are kept three years; a chart of more than 31 days belongs in a report). */
export const MAX_TREND_DAYS = 31;
/** Rows read from the database for one chart; raw readings beyond it fall back to the minute rollups. */
const MAX_READ = 20_000;

export type TrendGrain = 'raw' | 'minute' | 'hour';

export interface TrendItem {
  ts: string;
  value: number;
  min: number;
  max: number;
}

export interface TrendThreshold {
  ruleId: string;
  name: string;
  kind: RuleKind;
  severity: AlarmSeverity;
  limit: number;
  deadband: number;
}

export interface AlarmPeriod {
  alarmId: string;
  kind: RuleKind;
  severity: AlarmSeverity;
  state: string;
  start: string;
  end: string;
  open: boolean;
}

export interface Trend {
  pointId: string;
  from: string;
  to: string;
  grain: TrendGrain;
  /** Width of one output bucket in ms (0 when the source rows were returned as they are). */
  bucketMs: number;
  maxPoints: number;
  items: TrendItem[];
  thresholds: TrendThreshold[];
  alarms: AlarmPeriod[];
}

/** The resolution a range is read at: raw up to 2 h, minute rollups up to 3 days, hour rollups beyond. */
export function grainFor(rangeMs: number): TrendGrain {
  if (rangeMs <= 2 * 3_600_000) return 'raw';
  if (rangeMs <= 3 * 86_400_000) return 'minute';
  return 'hour';
}

/** At most `maxPoints` time buckets over [from, to): average of the averages, min of mins, max of maxes. */
export function downsample(rows: readonly { ts: number; value: number; min: number; max: number }[], from: number, to: number, maxPoints: number): { items: TrendItem[]; bucketMs: number } {
  if (rows.length <= maxPoints) return { items: rows.map((r) => ({ ts: new Date(r.ts).toISOString(), value: r.value, min: r.min, max: r.max })), bucketMs: 0 };
  const bucketMs = Math.ceil((to - from) / maxPoints);
  const out: TrendItem[] = [];
  let cur: { b: number; sum: number; n: number; min: number; max: number } | null = null;
  const flush = () => {
    if (cur) out.push({ ts: new Date(from + cur.b * bucketMs).toISOString(), value: cur.sum / cur.n, min: cur.min, max: cur.max });
  };
  for (const r of rows) {
    const b = Math.min(maxPoints - 1, Math.floor((r.ts - from) / bucketMs));
    if (!cur || cur.b !== b) {
      flush();
      cur = { b, sum: 0, n: 0, min: r.min, max: r.max };
    }
    cur.sum += r.value;
    cur.n++;
    cur.min = Math.min(cur.min, r.min);
    cur.max = Math.max(cur.max, r.max);
  }
  flush();
  return { items: out, bucketMs };
}

export interface TrendQuery {
  range?: TrendRange;
  from?: string;
  to?: string;
  maxPoints?: number;
}

export async function pointTrend(ctx: Ctx, pointId: string, q: TrendQuery): Promise<Trend> {
  requirePermission(ctx.actor, P.read);
  const to = q.to ? new Date(q.to) : ctx.now();
  if (Number.isNaN(to.getTime())) throw invalid('to', 'format', 'to: an ISO 8601 time');
  const from = q.from ? new Date(q.from) : new Date(to.getTime() - TREND_RANGES[q.range ?? '24h']);
  if (Number.isNaN(from.getTime())) throw invalid('from', 'format', 'from: an ISO 8601 time');
  if (to.getTime() <= from.getTime()) throw invalid('to', 'minimum', 'to: must be after from');
  if (to.getTime() - from.getTime() > MAX_TREND_DAYS * 86_400_000) throw invalid('from', 'range', `from: at most ${MAX_TREND_DAYS} days before to`);
  const maxPoints = q.maxPoints ?? DEFAULT_TREND_POINTS;
  if (!Number.isInteger(maxPoints) || maxPoints < 10 || maxPoints > MAX_TREND_POINTS) throw invalid('maxPoints', 'range', `maxPoints: 10 to ${MAX_TREND_POINTS}`);
  return ctx.db.read(async (tx) => {
    const point = await readablePoint(tx, ctx, pointId);
    let grain = grainFor(to.getTime() - from.getTime());
    let rows: { ts: number; value: number; min: number; max: number }[] = [];
    if (grain === 'raw') {
      const raw = await tx
        .select({ ts: iotReadings.ts, value: iotReadings.value })
        .from(iotReadings)
        .where(and(eq(iotReadings.pointId, pointId), gte(iotReadings.ts, from), lt(iotReadings.ts, to)))
        .orderBy(asc(iotReadings.ts))
        .limit(MAX_READ + 1);
      if (raw.length <= MAX_READ) rows = raw.map((r) => ({ ts: r.ts.getTime(), value: r.value, min: r.value, max: r.value }));
      // A fast point (many readings a second) reads the minute rollups instead of an unbounded raw scan.
      else grain = 'minute';
    }
    if (grain !== 'raw') {
      const roll = await tx
        .select()
        .from(iotRollups)
        .where(and(eq(iotRollups.pointId, pointId), eq(iotRollups.grain, grain), gte(iotRollups.bucket, from), lt(iotRollups.bucket, to)))
        .orderBy(asc(iotRollups.bucket))
        .limit(MAX_READ);
      rows = roll.map((r) => ({ ts: r.bucket.getTime(), value: r.sum / r.count, min: r.min, max: r.max }));
    }
    const { items, bucketMs } = downsample(rows, from.getTime(), to.getTime(), maxPoints);

    const rules = await tx
      .select()
      .from(iotAlarmRules)
      .where(and(eq(iotAlarmRules.tenantId, point.tenantId), eq(iotAlarmRules.enabled, true), inArray(iotAlarmRules.kind, ['high_high', 'high', 'low', 'low_low']), or(eq(iotAlarmRules.pointId, point.id), and(isNull(iotAlarmRules.pointId), eq(iotAlarmRules.pointType, point.type)))));
    // A point rule and a type rule at the same limit draw one line (the point's own rule named first).
    const thresholds: TrendThreshold[] = [];
    for (const r of [...rules].sort((a, b) => Number(b.pointId !== null) - Number(a.pointId !== null))) {
      if (r.limit === null || thresholds.some((x) => x.kind === r.kind && x.limit === r.limit)) continue;
      thresholds.push({ ruleId: r.id, name: r.name, kind: r.kind, severity: r.severity, limit: r.limit, deadband: r.deadband });
    }

    const alarms = await tx
      .select()
      .from(iotAlarms)
      .where(and(eq(iotAlarms.pointId, point.id), lt(iotAlarms.raisedAt, to), or(ne(iotAlarms.state, 'cleared_ack'), isNull(iotAlarms.clearedAt), gte(iotAlarms.clearedAt, from))))
      .orderBy(asc(iotAlarms.raisedAt))
      .limit(500);
    const periods: AlarmPeriod[] = alarms.map((a) => {
      const active = a.state === 'active_unack' || a.state === 'active_ack';
      const end = active || !a.clearedAt ? to : a.clearedAt < to ? a.clearedAt : to;
      return { alarmId: a.id, kind: a.kind, severity: a.severity, state: a.state, start: (a.raisedAt > from ? a.raisedAt : from).toISOString(), end: end.toISOString(), open: active };
    });
    return { pointId, from: from.toISOString(), to: to.toISOString(), grain, bucketMs, maxPoints, items, thresholds, alarms: periods };
  });
}
