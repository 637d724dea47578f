import { addDays, addMonths, daysBetween, instantOf, isWorkDay, weekdayOf, type WorkCalendar } from '../../platform/org/calendar.ts';
import type { CycleUnit, DayType } from './schema.ts';

/**
 * Check windows of a schedule, computed without a database so they can be tested exactly (issue 5:
 * "control-measure cycle generates the expected tasks over a month").
 *
 * A cycle of `interval` × `unit` counts from the plan's first day (`startsOn`):
 * - shift / hour / day look at the day type: only work days (工作日), only non-work days, or every day;
 *   every n-th eligible day (or every n-th shift / n-hour slot on an eligible day) gets a window.
 * - week / month / quarter / year are calendar periods (a week from Monday); they always contain work
 *   days, so the day type is not used: the window is the whole period.
 * Work days come from the tenant's work-day calendar (platform/org/calendar.ts): Monday to Friday, minus
 * public holidays, plus make-up working days (调休).
 */

export interface Schedule {
  cycleUnit: CycleUnit;
  cycleInterval: number;
  dayType: DayType;
  startsOn: string;
  endsOn: string | null;
}

export interface Window {
  start: Date;
  end: Date;
}

export interface ZoneRules {
  timeZone: string;
  /** Local start hours of a day's shifts, e.g. [0, 8, 16]. */
  shiftStartHours: number[];
  /** The tenant's holidays and make-up work days over the range asked (none: plain Monday–Friday). */
  calendar?: WorkCalendar;
}

export function dayMatches(day: string, type: DayType, cal?: WorkCalendar): boolean {
  if (type === 'every_day') return true;
  return type === 'workdays' ? isWorkDay(day, cal) : !isWorkDay(day, cal);
}

/** Monday of the week of `day`. */
function mondayOf(day: string): string {
  return addDays(day, -((weekdayOf(day) + 6) % 7));
}

function firstOfMonth(day: string): string {
  return `${day.slice(0, 7)}-01`;
}

function monthsBetween(a: string, b: string): number {
  return (Number(b.slice(0, 4)) - Number(a.slice(0, 4))) * 12 + (Number(b.slice(5, 7)) - Number(a.slice(5, 7)));
}

const HOUR_MS = 3_600_000;
const midnights = new Map<string, number>();

/**
 * Local midnight of a day, memoised (Intl formatting is slow and a year of plans asks for the same days
 * again and again). Hours are added to midnight: shift and hour windows follow elapsed time, which only
 * differs from wall-clock time on a daylight-saving change day.
 */
function midnightOf(day: string, timeZone: string): number {
  const key = `${timeZone}|${day}`;
  let t = midnights.get(key);
  if (t === undefined) {
    if (midnights.size > 20_000) midnights.clear();
    t = instantOf(day, timeZone, 0).getTime();
    midnights.set(key, t);
  }
  return t;
}

const periodMonths: Partial<Record<CycleUnit, number>> = { month: 1, quarter: 3, year: 12 };

/**
 * The windows of a schedule whose start day lies in [from, to] (inclusive days), in order. Stable: the
 * same schedule gives the same windows for a day whatever range is asked (generation is idempotent).
 */
export function windowsOf(s: Schedule, from: string, to: string, z: ZoneRules): Window[] {
  const interval = Math.max(1, Math.floor(s.cycleInterval));
  const first = from < s.startsOn ? s.startsOn : from;
  const last = s.endsOn && s.endsOn < to ? s.endsOn : to;
  if (first > last) return [];
  const at = (day: string, hour = 0) => new Date(midnightOf(day, z.timeZone) + hour * HOUR_MS);
  const out: Window[] = [];

  if (s.cycleUnit === 'week') {
    const anchor = mondayOf(s.startsOn);
    for (let mon = mondayOf(first); mon <= last; mon = addDays(mon, 7)) {
      const n = daysBetween(anchor, mon) / 7;
      if (n % interval !== 0) continue;
      // The first week of a plan starting mid-week starts on its first day.
      const start = mon < s.startsOn ? s.startsOn : mon;
      if (start < first) continue;
      out.push({ start: at(start), end: at(addDays(mon, 7 * interval)) });
    }
    return out;
  }

  const months = periodMonths[s.cycleUnit];
  if (months) {
    const anchor = firstOfMonth(s.startsOn);
    const step = months * interval;
    // Period starts are anchor + k·step months; a quarter follows the calendar when the plan starts on one.
    const k0 = Math.max(0, Math.floor(monthsBetween(anchor, firstOfMonth(first)) / step));
    for (let k = k0; ; k++) {
      const periodStart = addMonths(anchor, k * step);
      if (periodStart > last) break;
      const start = periodStart < s.startsOn ? s.startsOn : periodStart;
      if (start < first) continue;
      out.push({ start: at(start), end: at(addMonths(anchor, (k + 1) * step)) });
    }
    return out;
  }

  // Day-or-shorter: count eligible days from startsOn so every n-th one is stable across ranges.
  let ordinal = 0;
  for (let day = s.startsOn; day <= last; day = addDays(day, 1)) {
    if (!dayMatches(day, s.dayType, z.calendar)) continue;
    const n = ordinal++;
    if (day < first) continue;
    if (s.cycleUnit === 'day') {
      if (n % interval === 0) out.push({ start: at(day), end: at(addDays(day, 1)) });
    } else if (s.cycleUnit === 'hour') {
      for (let h = 0; h < 24; h += interval) out.push({ start: at(day, h), end: at(day, Math.min(24, h + interval)) });
    } else {
      const hours = [...new Set(z.shiftStartHours)].filter((h) => h >= 0 && h < 24).sort((a, b) => a - b);
      const list = hours.length ? hours : [0];
      list.forEach((h, i) => {
        if ((n * list.length + i) % interval !== 0) return;
        const next = list[i + 1];
        out.push({ start: at(day, h), end: next === undefined ? at(day, 24 + (list[0] ?? 0)) : at(day, next) });
      });
    }
  }
  return out;
}
