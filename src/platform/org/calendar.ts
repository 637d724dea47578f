import { eq } from 'drizzle-orm';
import type { Tx } from '../db/client.ts';
import { tenants } from './schema.ts';

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
