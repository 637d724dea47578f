import { and, desc, eq, inArray, sql } from 'drizzle-orm';
import type { Ctx } from '../../platform/auth/actor.ts';
import { users } from '../../platform/auth/schema.ts';
import { requirePermission } from '../../platform/auth/scope.ts';
import { queryRows, type Tx } from '../../platform/db/client.ts';
import { newId } from '../../platform/db/columns.ts';
import { invalid } from '../../platform/http/errors.ts';
import { orgUnits } from '../../platform/org/schema.ts';
import { readSettings } from './dictionaries.ts';
import { departmentOf, loadUser, tenantInfo, zonedParts, zonedTime } from './directory.ts';
import { hazardPermissions as P } from './permissions.ts';
import { hazardPoints, type PointReason } from './schema.ts';
import type { HazardRow } from './store.ts';

/**
 * Points for taking part (issue 4): a valid report (the assignee accepted it as a real hazard, or a fix
 * on the spot passed verification), a verified fix, optionally a (negative) value for a rejected report,
 * and the reversal of a report's points when it turns out not to be one. One row per hazard, person and
 * reason (unique key): a repeated step never pays twice. Anonymous reports earn nothing: nobody to credit.
 */

async function award(tx: Tx, ctx: Pick<Ctx, 'now'>, h: HazardRow, userId: string | null, reason: PointReason, points: number): Promise<boolean> {
  if (!userId || points === 0) return false;
  const user = await loadUser(tx, h.tenantId, userId);
  const departmentId = await departmentOf(tx, h.tenantId, user?.orgUnitId ?? null);
  const rows = await tx
    .insert(hazardPoints)
    .values({ id: newId(), tenantId: h.tenantId, hazardId: h.id, userId, departmentId, reason, points, at: ctx.now() })
    .onConflictDoNothing()
    .returning({ id: hazardPoints.id });
  return rows.length > 0;
}

export async function awardValidReport(tx: Tx, ctx: Pick<Ctx, 'now'>, h: HazardRow): Promise<void> {
  const s = await readSettings(tx, h.tenantId);
  await award(tx, ctx, h, h.reporterUserId, 'valid_report', s.pointsValidReport);
}

export async function awardVerifiedFix(tx: Tx, ctx: Pick<Ctx, 'now'>, h: HazardRow): Promise<void> {
  const s = await readSettings(tx, h.tenantId);
  await award(tx, ctx, h, h.assigneeUserId, 'verified_fix', s.pointsVerifiedFix);
}

/**
 * A report rejected (or merged as a duplicate): its valid-report points are taken back; the rejected-report
 * value applies to rejections only (a duplicate is a true report that someone else made first).
 */
export async function settleRejectedReport(tx: Tx, ctx: Pick<Ctx, 'now'>, h: HazardRow, opts: { duplicate?: boolean } = {}): Promise<void> {
  if (!h.reporterUserId) return;
  const [given] = await tx
    .select()
    .from(hazardPoints)
    .where(and(eq(hazardPoints.hazardId, h.id), eq(hazardPoints.userId, h.reporterUserId), eq(hazardPoints.reason, 'valid_report')));
  if (given) await award(tx, ctx, h, h.reporterUserId, 'valid_report_reversed', -given.points);
  if (opts.duplicate) return;
  const s = await readSettings(tx, h.tenantId);
  await award(tx, ctx, h, h.reporterUserId, 'rejected_report', s.pointsRejectedReport);
}

export interface PointsRow {
  hazardId: string;
  userId: string;
  reason: PointReason;
  points: number;
  at: string;
}

export async function pointsOfHazard(tx: Tx, tenantId: string, hazardId: string): Promise<PointsRow[]> {
  const rows = await tx
    .select()
    .from(hazardPoints)
    .where(and(eq(hazardPoints.tenantId, tenantId), eq(hazardPoints.hazardId, hazardId)))
    .orderBy(hazardPoints.at, hazardPoints.id);
  return rows.map((r) => ({ hazardId: r.hazardId, userId: r.userId, reason: r.reason, points: r.points, at: r.at.toISOString() }));
}

// ---------------------------------------------------------------------------------------------------------
// Leaderboard
// ---------------------------------------------------------------------------------------------------------

export interface Leaderboard {
  month: string;
  departments: { departmentId: string | null; name: string | null; points: number; people: number }[];
  people: { userId: string; name: string; departmentId: string | null; departmentName: string | null; points: number; validReports: number; verifiedFixes: number }[];
}

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

/**
 * Points of one calendar month in the tenant's time zone, per department and per person (top 100). Open
 * to everyone who reads hazards: a leaderboard that only managers see motivates nobody.
 */
export async function hazardLeaderboard(ctx: Ctx, month?: string): Promise<Leaderboard> {
  requirePermission(ctx.actor, P.read);
  const tenantId = ctx.actor.tenantId;
  return ctx.db.read(async (tx) => {
    const { timeZone } = await tenantInfo(tx, tenantId);
    let year: number;
    let mon: number;
    if (month) {
      const m = MONTH.exec(month);
      if (!m) throw invalid('month', 'pattern', 'month: YYYY-MM');
      year = Number(m[1]);
      mon = Number(m[2]);
    } else {
      const p = zonedParts(ctx.now(), timeZone);
      year = p.year;
      mon = p.month;
    }
    const from = zonedTime(timeZone, year, mon, 1);
    const to = mon === 12 ? zonedTime(timeZone, year + 1, 1, 1) : zonedTime(timeZone, year, mon + 1, 1);
    const inMonth = and(eq(hazardPoints.tenantId, tenantId), sql`${hazardPoints.at} >= ${from.toISOString()}::timestamptz`, sql`${hazardPoints.at} < ${to.toISOString()}::timestamptz`);
    const perPerson = await tx
      .select({
        userId: hazardPoints.userId,
        departmentId: sql<string | null>`(array_agg(${hazardPoints.departmentId} ORDER BY ${hazardPoints.at} DESC))[1]`,
        points: sql<number>`sum(${hazardPoints.points})::int`,
        validReports: sql<number>`count(*) FILTER (WHERE ${hazardPoints.reason} = 'valid_report')::int - count(*) FILTER (WHERE ${hazardPoints.reason} = 'valid_report_reversed')::int`,
        verifiedFixes: sql<number>`count(*) FILTER (WHERE ${hazardPoints.reason} = 'verified_fix')::int`,
      })
      .from(hazardPoints)
      .where(inMonth)
      .groupBy(hazardPoints.userId)
      .orderBy(desc(sql`sum(${hazardPoints.points})`), hazardPoints.userId)
      .limit(100);
    const perDept = await queryRows<{ department_id: string | null; points: number; people: number }>(
      tx,
      sql`SELECT department_id, sum(points)::int AS points, count(DISTINCT user_id)::int AS people
          FROM hazard_points
          WHERE tenant_id = ${tenantId} AND at >= ${from.toISOString()}::timestamptz AND at < ${to.toISOString()}::timestamptz
          GROUP BY department_id ORDER BY sum(points) DESC, department_id NULLS LAST`,
    );
    const unitIds = [...new Set([...perDept.map((d) => d.department_id), ...perPerson.map((p) => p.departmentId)].filter((v): v is string => v !== null))];
    const units = unitIds.length ? await tx.select({ id: orgUnits.id, name: orgUnits.name }).from(orgUnits).where(and(eq(orgUnits.tenantId, tenantId), inArray(orgUnits.id, unitIds))) : [];
    const userIds = perPerson.map((p) => p.userId);
    const names = userIds.length ? await tx.select({ id: users.id, name: users.displayName }).from(users).where(and(eq(users.tenantId, tenantId), inArray(users.id, userIds))) : [];
    const unitName = (id: string | null) => (id ? (units.find((u) => u.id === id)?.name ?? null) : null);
    return {
      month: `${year}-${String(mon).padStart(2, '0')}`,
      departments: perDept.map((d) => ({ departmentId: d.department_id, name: unitName(d.department_id), points: d.points, people: d.people })),
      people: perPerson.map((p) => ({
        userId: p.userId,
        name: names.find((n) => n.id === p.userId)?.name ?? '',
        departmentId: p.departmentId,
        departmentName: unitName(p.departmentId),
        points: p.points,
        validReports: p.validReports,
        verifiedFixes: p.verifiedFixes,
      })),
    };
  });
}
