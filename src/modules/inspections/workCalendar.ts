import type { Ctx } from '../../platform/auth/actor.ts';
import { requirePermission } from '../../platform/auth/scope.ts';
import { invalid, notFound } from '../../platform/http/errors.ts';
import { isDay, listCalendarDays, putCalendarDay, removeCalendarDay, type CalendarDay } from '../../platform/org/calendar.ts';
import type { CalendarDayKind } from '../../platform/org/schema.ts';
import { inspectionPermissions as P } from './permissions.ts';
import { recordInspection } from './store.ts';

/**
 * The company's work-day calendar as inspections plans it (public holidays, make-up work days 调休): read by
 * planners, edited by holders of `inspection:calendar`. The days live in platform/org (calendar_days); plans
 * with day type "work days" follow them from the next generation on (tasks already generated stay).
 */

export async function listWorkCalendar(ctx: Ctx, q: { year: number }): Promise<{ year: number; days: CalendarDay[] }> {
  requirePermission(ctx.actor, P.read);
  if (!Number.isInteger(q.year) || q.year < 2000 || q.year > 2100) throw invalid('year', 'range', 'year: 2000 to 2100');
  const days = await ctx.db.read((tx) => listCalendarDays(tx, ctx.actor.tenantId, `${q.year}-01-01`, `${q.year}-12-31`));
  return { year: q.year, days };
}

function checkDay(day: string): void {
  if (!isDay(day)) throw invalid('day', 'format', `day: ${day} is not a calendar day (YYYY-MM-DD)`);
}

export async function setWorkCalendarDay(ctx: Ctx, day: string, input: { kind: CalendarDayKind; name: string }): Promise<CalendarDay> {
  requirePermission(ctx.actor, P.calendar);
  checkDay(day);
  const name = input.name.trim();
  if (!name) throw invalid('name', 'required', 'name: required (e.g. 国庆节, 调休上班)');
  const next: CalendarDay = { day, kind: input.kind, name };
  return ctx.db.tx(async (tx) => {
    const before = await putCalendarDay(tx, ctx.actor.tenantId, next, ctx.actor.userId, ctx.now());
    await recordInspection(tx, ctx, { action: 'inspection.calendar_day.set', entityType: 'calendar_day', entityId: day, before: before ? { ...before } : null, after: { ...next }, payload: { day, kind: next.kind } });
    return next;
  });
}

export async function removeWorkCalendarDay(ctx: Ctx, day: string): Promise<void> {
  requirePermission(ctx.actor, P.calendar);
  checkDay(day);
  await ctx.db.tx(async (tx) => {
    const gone = await removeCalendarDay(tx, ctx.actor.tenantId, day);
    if (!gone) throw notFound(`calendar day ${day}`);
    await recordInspection(tx, ctx, { action: 'inspection.calendar_day.removed', entityType: 'calendar_day', entityId: day, before: { ...gone }, after: { day }, payload: { day } });
  });
}
