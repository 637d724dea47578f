import { and, asc, eq, gte, lt } from 'drizzle-orm';
import type { Ctx } from '../../platform/auth/actor.ts';
import { requirePermission } from '../../platform/auth/scope.ts';
import { invalid } from '../../platform/http/errors.ts';
import { iotPermissions as P } from './permissions.ts';
import { readablePoint } from './registry.ts';
import { iotReadings, iotRollups } from './schema.ts';

/** Time series of one point: raw readings, or the minute / hour rollups for long ranges (trend charts). */

export type Grain = 'raw' | 'minute' | 'hour';

export interface SeriesPoint {
  ts: string;
  value: number;
  min?: number;
  max?: number;
  count?: number;
}

/** Raw readings are capped per request; a chart over days reads the rollups. */
export const MAX_SERIES = 5000;

export async function querySeries(ctx: Ctx, pointId: string, q: { from: string; to?: string; grain?: Grain; limit?: number }): Promise<{ pointId: string; grain: Grain; items: SeriesPoint[]; truncated: boolean }> {
  requirePermission(ctx.actor, P.read);
  const from = new Date(q.from);
  const to = q.to ? new Date(q.to) : ctx.now();
  if (Number.isNaN(from.getTime())) throw invalid('from', 'format', 'from: an ISO 8601 time');
  if (Number.isNaN(to.getTime())) throw invalid('to', 'format', 'to: an ISO 8601 time');
  if (to.getTime() <= from.getTime()) throw invalid('to', 'minimum', 'to: must be after from');
  const grain = q.grain ?? 'raw';
  const limit = Math.min(q.limit ?? MAX_SERIES, MAX_SERIES);
  return ctx.db.read(async (tx) => {
    await readablePoint(tx, ctx, pointId);
    if (grain === 'raw') {
      const rows = await tx
        .select({ ts: iotReadings.ts, value: iotReadings.value })
        .from(iotReadings)
        .where(and(eq(iotReadings.pointId, pointId), gte(iotReadings.ts, from), lt(iotReadings.ts, to)))
        .orderBy(asc(iotReadings.ts))
        .limit(limit + 1);
      return { pointId, grain, items: rows.slice(0, limit).map((r) => ({ ts: r.ts.toISOString(), value: r.value })), truncated: rows.length > limit };
    }
    const rows = await tx
      .select()
      .from(iotRollups)
      .where(and(eq(iotRollups.pointId, pointId), eq(iotRollups.grain, grain), gte(iotRollups.bucket, from), lt(iotRollups.bucket, to)))
      .orderBy(asc(iotRollups.bucket))
      .limit(limit + 1);
    return {
      pointId,
      grain,
      items: rows.slice(0, limit).map((r) => ({ ts: r.bucket.toISOString(), value: r.sum / r.count, min: r.min, max: r.max, count: r.count })),
      truncated: rows.length > limit,
    };
  });
}
