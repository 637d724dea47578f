import { and, asc, eq, gte, lte } from 'drizzle-orm';
import type { Tx } from '../db/client.ts';
import { calendarDays, type CalendarDayKind, tenants } from './schema.ts';

/**
 * Calendar days in the tenant's time zone. Certificate validity, statutory inspection due dates and other
 * regulatory dates are days (`YYYY-MM-DD`) where the plant is: "valid until 2026-12-01" means through the
 * whole of that day there, whatever the server's zone.
 */

export interface TenantZone {
  timeZone: string;
  locale: 'zh-CN' | 'en';
  /** The company's name (printed documents). */
  name: string;
}

export async function tenantZone(tx: Tx, tenantId: string): Promise<TenantZone> {
  const [t] = await tx.select({ timeZone: tenants.timeZone, locale: tenants.locale, name: tenants.name }).from(tenants).where(eq(tenants.id, tenantId));
  return { timeZone: t?.timeZone ?? 'Asia/Shanghai', locale: t?.locale === 'en' ? 'en' : 'zh-CN', name: t?.name ?? '' };
}

const DAY_MS = 86_400_000;
const ISO_DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Whether `s` is a real calendar day (2026-02-30 is not). */
export function isDay(s: string): boolean {
  const m = ISO_DAY.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === s;
}

/** The calendar day an instant falls on in `timeZone`. */
export function dayIn(at: Date, timeZone: string): string {
  // en-CA formats as YYYY-MM-DD.
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
}

function utcOf(day: string): number {
  const m = ISO_DAY.exec(day);
  if (!m) throw new Error(`not a day: ${day}`);
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
}

export function addDays(day: string, n: number): string {
  return new Date(utcOf(day) + n * DAY_MS).toISOString().slice(0, 10);
}

/** Same day of the month `n` months later; the 31st becomes the last day of a shorter month. */
export function addMonths(day: string, n: number): string {
  const d = new Date(utcOf(day));
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth() + n;
  const last = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  return new Date(Date.UTC(y, m, Math.min(d.getUTCDate(), last))).toISOString().slice(0, 10);
}

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return Math.round((utcOf(to) - utcOf(from)) / DAY_MS);
}

/** The instant a local wall-clock time on `day` names in `timeZone` (zones with DST resolve forwards). */
export function instantOf(day: string, timeZone: string, hour = 0): Date {
  const guess = utcOf(day) + hour * 3_600_000;
  let at = guess;
  for (let i = 0; i < 2; i++) {
    const parts = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', hourCycle: 'h23' }).formatToParts(new Date(at));
    const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
    const shown = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'));
    at += guess - shown;
  }
  return new Date(at);
}

// ---- work days ----

/**
 * A tenant's work-day calendar: Monday–Friday, except its public holidays (`holidays`, weekdays off) and
 * its make-up working days (`workdays`, 调休: a Saturday or Sunday worked in exchange). Plain sets so a
 * year of schedules can ask day by day without a database.
 */
export interface WorkCalendar {
  holidays: ReadonlySet<string>;
  workdays: ReadonlySet<string>;
}

export const weekdaysOnly: WorkCalendar = { holidays: new Set(), workdays: new Set() };

/** 0 = Sunday … 6 = Saturday of a calendar day. */
export function weekdayOf(day: string): number {
  return new Date(utcOf(day)).getUTCDay();
}

export function isWorkDay(day: string, cal: WorkCalendar = weekdaysOnly): boolean {
  if (cal.workdays.has(day)) return true;
  if (cal.holidays.has(day)) return false;
  const d = weekdayOf(day);
  return d !== 0 && d !== 6;
}

/** The tenant's calendar exceptions between two days (inclusive). */
export async function loadWorkCalendar(tx: Tx, tenantId: string, from: string, to: string): Promise<WorkCalendar> {
  const rows = await tx
    .select({ day: calendarDays.day, kind: calendarDays.kind })
    .from(calendarDays)
    .where(and(eq(calendarDays.tenantId, tenantId), gte(calendarDays.day, from), lte(calendarDays.day, to)));
  return {
    holidays: new Set(rows.filter((r) => r.kind === 'holiday').map((r) => r.day)),
    workdays: new Set(rows.filter((r) => r.kind === 'workday').map((r) => r.day)),
  };
}

export interface CalendarDay {
  day: string;
  kind: CalendarDayKind;
  name: string;
}

export async function listCalendarDays(tx: Tx, tenantId: string, from: string, to: string): Promise<CalendarDay[]> {
  return tx
    .select({ day: calendarDays.day, kind: calendarDays.kind, name: calendarDays.name })
    .from(calendarDays)
    .where(and(eq(calendarDays.tenantId, tenantId), gte(calendarDays.day, from), lte(calendarDays.day, to)))
    .orderBy(asc(calendarDays.day));
}

/** Sets (or replaces) one day's exception. Returns the row it replaced, if any. The caller checks permission and audits. */
export async function putCalendarDay(tx: Tx, tenantId: string, d: CalendarDay, by: string | null, now: Date): Promise<CalendarDay | null> {
  const [before] = await tx
    .select({ day: calendarDays.day, kind: calendarDays.kind, name: calendarDays.name })
    .from(calendarDays)
    .where(and(eq(calendarDays.tenantId, tenantId), eq(calendarDays.day, d.day)))
    .for('update');
  await tx
    .insert(calendarDays)
    .values({ tenantId, day: d.day, kind: d.kind, name: d.name, updatedAt: now, updatedBy: by })
    .onConflictDoUpdate({ target: [calendarDays.tenantId, calendarDays.day], set: { kind: d.kind, name: d.name, updatedAt: now, updatedBy: by } });
  return before ?? null;
}

/** Removes one day's exception (the day follows the weekday rule again). Returns the removed row, if any. */
export async function removeCalendarDay(tx: Tx, tenantId: string, day: string): Promise<CalendarDay | null> {
  const [gone] = await tx
    .delete(calendarDays)
    .where(and(eq(calendarDays.tenantId, tenantId), eq(calendarDays.day, day)))
    .returning({ day: calendarDays.day, kind: calendarDays.kind, name: calendarDays.name });
  return gone ?? null;
}

/**
 * China's public holidays and make-up working days as announced by the State Council (国务院办公厅关于2026年
 * 部分节假日安排的通知, 国办发明电〔2025〕7号). For 2027 only the fixed-date statutory days are listed (全国年节及纪念日
 * 放假办法, 2024 revision: 元旦 1 day, 劳动节 2 days, 国庆节 3 days); the 2027 lunar holidays and make-up days are
 * announced late in 2026 and entered by an administrator. Weekend days inside a holiday need no row (already off).
 */
const chinaPublicDays: readonly CalendarDay[] = [
  ...dayRange('2026-01-01', '2026-01-02', 'holiday', '元旦'),
  { day: '2026-01-04', kind: 'workday', name: '元旦调休上班' },
  { day: '2026-02-14', kind: 'workday', name: '春节调休上班' },
  ...dayRange('2026-02-16', '2026-02-20', 'holiday', '春节'),
  { day: '2026-02-23', kind: 'holiday', name: '春节' },
  { day: '2026-02-28', kind: 'workday', name: '春节调休上班' },
  { day: '2026-04-06', kind: 'holiday', name: '清明节' },
  ...dayRange('2026-05-01', '2026-05-01', 'holiday', '劳动节'),
  ...dayRange('2026-05-04', '2026-05-05', 'holiday', '劳动节'),
  { day: '2026-05-09', kind: 'workday', name: '劳动节调休上班' },
  { day: '2026-06-19', kind: 'holiday', name: '端午节' },
  { day: '2026-09-20', kind: 'workday', name: '国庆节调休上班' },
  { day: '2026-09-25', kind: 'holiday', name: '中秋节' },
  ...dayRange('2026-10-01', '2026-10-02', 'holiday', '国庆节'),
  ...dayRange('2026-10-05', '2026-10-07', 'holiday', '国庆节'),
  { day: '2026-10-10', kind: 'workday', name: '国庆节调休上班' },
  { day: '2027-01-01', kind: 'holiday', name: '元旦' },
  // 1–2 May 2027 are a Saturday and a Sunday; 2 and 3 October 2027 a Saturday and a Sunday.
  { day: '2027-10-01', kind: 'holiday', name: '国庆节' },
];

function dayRange(from: string, to: string, kind: CalendarDayKind, name: string): CalendarDay[] {
  const out: CalendarDay[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) out.push({ day: d, kind, name });
  return out;
}

/** The days of `chinaPublicDays` that the tenant has no entry for yet (an administrator's edit wins). */
export async function seedChinaPublicDays(tx: Tx, tenantId: string, now: Date): Promise<number> {
  const rows = await tx
    .insert(calendarDays)
    .values(chinaPublicDays.map((d) => ({ tenantId, ...d, updatedAt: now })))
    .onConflictDoNothing()
    .returning({ day: calendarDays.day });
  return rows.length;
}
