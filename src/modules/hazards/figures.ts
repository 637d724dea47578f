import { and, inArray, sql } from 'drizzle-orm';
import type { Ctx } from '../../platform/auth/actor.ts';
import { requirePermission } from '../../platform/auth/scope.ts';
import { orgUnits } from '../../platform/org/schema.ts';
import { tenantInfo } from './directory.ts';
import { filterConditions, type HazardFilter } from './ledger.ts';
import { hazardPermissions as P } from './permissions.ts';
import { hazards } from './schema.ts';

/**
 * Figures (issue 4) over the hazards reported in [from, to) that the actor may see, per responsible
 * department or per month of reporting (tenant time zone), plus the total:
 *   reported        all reports, duplicates merged away excluded
 *   open            not closed or rejected
 *   overdue         open and past a response or rectification deadline
 *   closed / rejected
 *   onTimeRate      closed whose fix was submitted by the deadline in force ÷ closed
 *   meanHoursToRespond  report → accepted/rejected by the owner (those that were)
 *   meanHoursToClose    report → closed (closed ones)
 *   reworkRate      closed that failed verification at least once ÷ closed
 * Rates and means are null when nothing counts towards them.
 */

export interface FigureRow {
  key: string | null;
  label: string | null;
  reported: number;
  open: number;
  overdue: number;
  closed: number;
  rejected: number;
  onTimeRate: number | null;
  meanHoursToRespond: number | null;
  meanHoursToClose: number | null;
  reworkRate: number | null;
}

export interface Figures {
  from: string;
  to: string;
  groupBy: 'department' | 'month';
  total: FigureRow;
  groups: FigureRow[];
}

interface Raw {
  key: string | null;
  reported: number;
  open: number;
  overdue: number;
  closed: number;
  rejected: number;
  closed_on_time: number;
  reworked: number;
  /** Sums and counts, not means: the total row adds up the groups instead of scanning the rows again. */
  respond_hours_sum: number | null;
  responded: number;
  close_hours_sum: number | null;
  closed_timed: number;
}

const ZERO: Raw = { key: null, reported: 0, open: 0, overdue: 0, closed: 0, rejected: 0, closed_on_time: 0, reworked: 0, respond_hours_sum: null, responded: 0, close_hours_sum: null, closed_timed: 0 };

/** The total over all groups (every counted row is in exactly one group). */
function sumOf(groups: Raw[]): Raw {
  const add = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : a + b);
  return groups.reduce<Raw>(
    (t, g) => ({
      key: null,
      reported: t.reported + g.reported,
      open: t.open + g.open,
      overdue: t.overdue + g.overdue,
      closed: t.closed + g.closed,
      rejected: t.rejected + g.rejected,
      closed_on_time: t.closed_on_time + g.closed_on_time,
      reworked: t.reworked + g.reworked,
      respond_hours_sum: add(t.respond_hours_sum, g.respond_hours_sum),
      responded: t.responded + g.responded,
      close_hours_sum: add(t.close_hours_sum, g.close_hours_sum),
      closed_timed: t.closed_timed + g.closed_timed,
    }),
    ZERO,
  );
}

const round = (v: number | null, digits = 2) => (v === null || Number.isNaN(v) ? null : Math.round(v * 10 ** digits) / 10 ** digits);

function toRow(r: Raw, label: string | null): FigureRow {
  return {
    key: r.key,
    label,
    reported: r.reported,
    open: r.open,
    overdue: r.overdue,
    closed: r.closed,
    rejected: r.rejected,
    onTimeRate: r.closed > 0 ? round(r.closed_on_time / r.closed, 4) : null,
    meanHoursToRespond: r.responded > 0 && r.respond_hours_sum !== null ? round(Number(r.respond_hours_sum) / r.responded) : null,
    meanHoursToClose: r.closed_timed > 0 && r.close_hours_sum !== null ? round(Number(r.close_hours_sum) / r.closed_timed) : null,
    reworkRate: r.closed > 0 ? round(r.reworked / r.closed, 4) : null,
  };
}

const DAY = 24 * 3600_000;

export async function hazardFigures(ctx: Ctx, q: { from?: string; to?: string; groupBy?: 'department' | 'month'; filter?: HazardFilter }): Promise<Figures> {
  requirePermission(ctx.actor, P.read);
  const groupBy = q.groupBy ?? 'department';
  return ctx.db.read(async (tx) => {
    const { timeZone } = await tenantInfo(tx, ctx.actor.tenantId);
    // Default period: the last 365 days up to now.
    const to = q.to ?? new Date(ctx.now().getTime() + 1).toISOString();
    const from = q.from ?? new Date(ctx.now().getTime() - 365 * DAY).toISOString();
    const conds = await filterConditions(tx, ctx, { ...(q.filter ?? {}), from, to });
    conds.push(sql`${hazards.mergedIntoId} IS NULL`);
    const key = groupBy === 'month' ? sql<string>`to_char(${hazards.reportedAt} AT TIME ZONE ${timeZone}, 'YYYY-MM')` : sql<string | null>`${hazards.departmentId}::text`;
    const open = sql`${hazards.status} NOT IN ('closed', 'rejected')`;
    const responded = sql`${hazards.respondedAt} IS NOT NULL AND NOT ${hazards.fixOnSpot}`;
    const closedTimed = sql`${hazards.status} = 'closed' AND ${hazards.closedAt} IS NOT NULL`;
    const aggregates = {
      reported: sql<number>`count(*)::int`,
      open: sql<number>`count(*) FILTER (WHERE ${open})::int`,
      overdue: sql<number>`count(*) FILTER (WHERE ${open} AND (${hazards.respondOverdue} OR ${hazards.rectifyOverdue}))::int`,
      closed: sql<number>`count(*) FILTER (WHERE ${hazards.status} = 'closed')::int`,
      rejected: sql<number>`count(*) FILTER (WHERE ${hazards.status} = 'rejected')::int`,
      closed_on_time: sql<number>`count(*) FILTER (WHERE ${hazards.status} = 'closed' AND ${hazards.closedOnTime})::int`,
      reworked: sql<number>`count(*) FILTER (WHERE ${hazards.status} = 'closed' AND ${hazards.reworkCount} > 0)::int`,
      respond_hours_sum: sql<number | null>`(sum(extract(epoch FROM ${hazards.respondedAt} - ${hazards.reportedAt})) FILTER (WHERE ${responded}) / 3600)::float8`,
      responded: sql<number>`count(*) FILTER (WHERE ${responded})::int`,
      close_hours_sum: sql<number | null>`(sum(extract(epoch FROM ${hazards.closedAt} - ${hazards.reportedAt})) FILTER (WHERE ${closedTimed}) / 3600)::float8`,
      closed_timed: sql<number>`count(*) FILTER (WHERE ${closedTimed})::int`,
    };
    const grouped = (await tx
      .select({ key, ...aggregates })
      .from(hazards)
      .where(and(...conds))
      // By position: the zone is a bound parameter, and PostgreSQL would not match two copies of the expression.
      .groupBy(sql`1`)
      .orderBy(sql`1`)) as Raw[];
    // One scan: the total is the sum of the groups.
    const total = sumOf(grouped);
    let names = new Map<string, string>();
    if (groupBy === 'department') {
      const ids = grouped.map((g) => g.key).filter((v): v is string => v !== null);
      if (ids.length) {
        const units = await tx.select({ id: orgUnits.id, name: orgUnits.name }).from(orgUnits).where(inArray(orgUnits.id, ids));
        names = new Map(units.map((u) => [u.id, u.name]));
      }
    }
    return {
      from,
      to,
      groupBy,
      total: toRow(total, null),
      groups: grouped.map((g) => toRow(g, groupBy === 'department' ? (g.key ? (names.get(g.key) ?? null) : null) : g.key)),
    };
  });
}
