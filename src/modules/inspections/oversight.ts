import { and, gte, lt, sql, type SQL } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import type { Ctx } from '../../platform/auth/actor.ts';
import { requirePermission, scopeWhere } from '../../platform/auth/scope.ts';
import { invalid } from '../../platform/http/errors.ts';
import { addDays, addMonths, instantOf, isDay, tenantZone } from '../../platform/org/calendar.ts';
import { namesOf } from '../../platform/org/directory.ts';
import { inspectionPermissions as P } from './permissions.ts';
import { inspectionRoutes, inspectionTasks } from './schema.ts';

/**
 * Oversight figures: completion and on-time rates by department, person and route for a period, and a
 * calendar of planned checks. Rates count the tasks whose window has ended (done or missed); a task still
 * open in its window is counted as open, not against anyone.
 */

export interface RateRow {
  key: string | null;
  name: string | null;
  total: number;
  done: number;
  onTime: number;
  missed: number;
  open: number;
  /** done / (done + missed), null when nothing is due yet. */
  completionRate: number | null;
  onTimeRate: number | null;
}

export interface Rates {
  from: string;
  to: string;
  overall: RateRow;
  byDepartment: RateRow[];
  byPerson: RateRow[];
  byRoute: RateRow[];
}

const counts = {
  total: sql<number>`count(*)::int`,
  done: sql<number>`count(*) filter (where ${inspectionTasks.status} = 'done')::int`,
  onTime: sql<number>`count(*) filter (where ${inspectionTasks.status} = 'done' and ${inspectionTasks.onTime})::int`,
  missed: sql<number>`count(*) filter (where ${inspectionTasks.status} = 'missed')::int`,
};

const rate = (n: number, d: number) => (d === 0 ? null : Math.round((n / d) * 1000) / 1000);

function row(key: string | null, name: string | null, c: { total: number; done: number; onTime: number; missed: number }): RateRow {
  const closed = c.done + c.missed;
  return { key, name, ...c, open: c.total - closed, completionRate: rate(c.done, closed), onTimeRate: rate(c.onTime, closed) };
}

export async function inspectionRates(ctx: Ctx, q: { from: string; to: string }): Promise<Rates> {
  requirePermission(ctx.actor, P.oversee);
  if (!isDay(q.from)) throw invalid('from', 'format', 'from: a calendar day YYYY-MM-DD');
  if (!isDay(q.to)) throw invalid('to', 'format', 'to: a calendar day YYYY-MM-DD');
  if (q.to < q.from) throw invalid('to', 'range', 'to: on or after from');
  if (addDays(q.from, 400) < q.to) throw invalid('to', 'range', 'to: at most 400 days after from');
  return ctx.db.read(async (tx) => {
    const tenantId = ctx.actor.tenantId;
    const { timeZone } = await tenantZone(tx, tenantId);
    const where = and(
      scopeWhere(ctx.actor, { tenantId: inspectionTasks.tenantId, orgUnitId: inspectionTasks.orgUnitId, owners: [inspectionTasks.assigneePersonId] }),
      gte(inspectionTasks.windowStart, instantOf(q.from, timeZone)),
      lt(inspectionTasks.windowStart, instantOf(addDays(q.to, 1), timeZone)),
    ) as SQL;
    const group = (col: AnyPgColumn) => tx.select({ key: col, ...counts }).from(inspectionTasks).where(where).groupBy(col);
    const [overall] = await tx.select(counts).from(inspectionTasks).where(where);
    const dept = await group(inspectionTasks.departmentId);
    const person = await group(inspectionTasks.assigneePersonId);
    const route = await group(inspectionTasks.routeId);
    const names = await namesOf(tx, tenantId, dept.map((d) => d.key as string | null), person.map((p) => p.key as string | null));
    const routeRows = await tx.select({ id: inspectionRoutes.id, name: inspectionRoutes.name }).from(inspectionRoutes).where(sql`${inspectionRoutes.tenantId} = ${tenantId}`);
    const routeName = new Map(routeRows.map((r) => [r.id, r.name]));
    const sort = (rows: RateRow[]) => rows.sort((a, b) => (a.completionRate ?? 2) - (b.completionRate ?? 2) || b.total - a.total);
    return {
      from: q.from,
      to: q.to,
      overall: row(null, null, overall ?? { total: 0, done: 0, onTime: 0, missed: 0 }),
      byDepartment: sort(dept.map((d) => row(d.key as string | null, d.key ? (names.units.get(d.key as string) ?? null) : null, d))),
      byPerson: sort(person.map((p) => row(p.key as string | null, p.key ? (names.people.get(p.key as string) ?? null) : null, p))),
      byRoute: sort(route.map((r) => row(r.key as string | null, r.key ? (routeName.get(r.key as string) ?? null) : null, r))),
    };
  });
}

export interface CalendarDay {
  day: string;
  total: number;
  planned: number;
  inProgress: number;
  done: number;
  missed: number;
}

/** Tasks per day of a month (tenant zone), by status. */
export async function inspectionCalendar(ctx: Ctx, q: { month: string }): Promise<{ month: string; days: CalendarDay[] }> {
  requirePermission(ctx.actor, P.oversee);
  if (!/^\d{4}-\d{2}$/.test(q.month) || !isDay(`${q.month}-01`)) throw invalid('month', 'format', 'month: YYYY-MM');
  return ctx.db.read(async (tx) => {
    const { timeZone } = await tenantZone(tx, ctx.actor.tenantId);
    const first = `${q.month}-01`;
    const day = sql<string>`to_char(${inspectionTasks.windowStart} AT TIME ZONE ${timeZone}, 'YYYY-MM-DD')`;
    const rows = await tx
      .select({
        day,
        total: sql<number>`count(*)::int`,
        planned: sql<number>`count(*) filter (where ${inspectionTasks.status} = 'planned')::int`,
        inProgress: sql<number>`count(*) filter (where ${inspectionTasks.status} = 'in_progress')::int`,
        done: sql<number>`count(*) filter (where ${inspectionTasks.status} = 'done')::int`,
        missed: sql<number>`count(*) filter (where ${inspectionTasks.status} = 'missed')::int`,
      })
      .from(inspectionTasks)
      .where(
        and(
          scopeWhere(ctx.actor, { tenantId: inspectionTasks.tenantId, orgUnitId: inspectionTasks.orgUnitId, owners: [inspectionTasks.assigneePersonId] }),
          gte(inspectionTasks.windowStart, instantOf(first, timeZone)),
          lt(inspectionTasks.windowStart, instantOf(addMonths(first, 1), timeZone)),
        ),
      )
      // By position: the zone is a parameter, so the same expression written twice would not match.
      .groupBy(sql`1`)
      .orderBy(sql`1`);
    // Every day of the month, empty ones too (a calendar has no gaps).
    const byDay = new Map(rows.map((r) => [r.day, r]));
    const days: CalendarDay[] = [];
    for (let d = first; d.startsWith(q.month); d = addDays(d, 1)) days.push(byDay.get(d) ?? { day: d, total: 0, planned: 0, inProgress: 0, done: 0, missed: 0 });
    return { month: q.month, days };
  });
}
