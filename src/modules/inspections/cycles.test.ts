import { describe, expect, it } from 'vitest';
import { isWorkDay } from '../../platform/org/calendar.ts';
import { windowsOf, type Schedule } from './cycles.ts';

const z = { timeZone: 'Asia/Shanghai', shiftStartHours: [0, 8, 16] };
const base: Schedule = { cycleUnit: 'day', cycleInterval: 1, dayType: 'every_day', startsOn: '2026-03-01', endsOn: null };
const march = (s: Partial<Schedule>) => windowsOf({ ...base, ...s }, '2026-03-01', '2026-03-31', z);

describe('check windows of a cycle over March 2026', () => {
  it('gives 31 daily windows every day and 22 on work days only', () => {
    expect(march({})).toHaveLength(31);
    const work = march({ dayType: 'workdays' });
    expect(work).toHaveLength(22);
    // Beijing midnight of Monday 2 March is 16:00 UTC the day before.
    expect(work[0]!.start.toISOString()).toBe('2026-03-01T16:00:00.000Z');
    expect(work[0]!.end.toISOString()).toBe('2026-03-02T16:00:00.000Z');
    expect(march({ dayType: 'non_workdays' })).toHaveLength(9);
  });

  it('counts every second work day from the first day and stays stable over sub-ranges', () => {
    const all = march({ dayType: 'workdays', cycleInterval: 2 });
    expect(all).toHaveLength(11);
    const later = windowsOf({ ...base, dayType: 'workdays', cycleInterval: 2 }, '2026-03-16', '2026-03-31', z);
    expect(later.map((w) => w.start.toISOString())).toEqual(all.filter((w) => w.start.toISOString() >= '2026-03-15T16:00').map((w) => w.start.toISOString()));
  });

  it('splits a day into shifts and hours', () => {
    expect(march({ cycleUnit: 'shift' })).toHaveLength(93);
    expect(march({ cycleUnit: 'shift', dayType: 'workdays' })).toHaveLength(66);
    expect(march({ cycleUnit: 'hour', cycleInterval: 2, dayType: 'workdays' })).toHaveLength(22 * 12);
    const night = march({ cycleUnit: 'shift' })[2]!;
    expect(night.end.getTime() - night.start.getTime()).toBe(8 * 3_600_000);
  });

  it('gives whole weeks, months and quarters from the first day', () => {
    // 1 March 2026 is a Sunday: its week is a partial first window, then 5 Mondays (2, 9, 16, 23, 30).
    expect(march({ cycleUnit: 'week' })).toHaveLength(6);
    expect(march({ cycleUnit: 'month' })).toHaveLength(1);
    const year = windowsOf({ ...base, startsOn: '2026-01-01', cycleUnit: 'quarter' }, '2026-01-01', '2026-12-31', z);
    expect(year.map((w) => w.start.toISOString().slice(0, 10))).toEqual(['2025-12-31', '2026-03-31', '2026-06-30', '2026-09-30']);
  });

  it('respects the end day and a start inside the range', () => {
    expect(march({ startsOn: '2026-03-10', endsOn: '2026-03-19' })).toHaveLength(10);
    expect(isWorkDay('2026-03-07')).toBe(false);
  });
});

describe('work days from the tenant calendar', () => {
  // Labour Day 2026: Fri 1 May and Mon–Tue 4–5 May off, Sat 9 May worked (调休).
  const calendar = { holidays: new Set(['2026-05-01', '2026-05-04', '2026-05-05']), workdays: new Set(['2026-05-09']) };
  const week = (cal?: typeof calendar) =>
    windowsOf({ ...base, startsOn: '2026-04-27', dayType: 'workdays' }, '2026-04-27', '2026-05-10', { ...z, ...(cal ? { calendar: cal } : {}) }).map((w) => w.start.toISOString().slice(0, 10));

  it('gives no work-day window on a holiday and one on a make-up Saturday', () => {
    const days = week(calendar);
    // Window starts are Beijing midnights: the UTC date is the day before.
    expect(days).not.toContain('2026-04-30'); // 1 May
    expect(days).not.toContain('2026-05-03'); // 4 May
    expect(days).not.toContain('2026-05-04'); // 5 May
    expect(days).toContain('2026-05-08'); // Saturday 9 May
    expect(days).toHaveLength(10 - 3 + 1);
    expect(week()).toHaveLength(10);
  });

  it('turns the holidays into non-work days and the make-up day into a work day', () => {
    expect(isWorkDay('2026-05-01', calendar)).toBe(false);
    expect(isWorkDay('2026-05-09', calendar)).toBe(true);
    expect(isWorkDay('2026-05-09')).toBe(false);
    const off = windowsOf({ ...base, startsOn: '2026-05-01', endsOn: '2026-05-10', dayType: 'non_workdays' }, '2026-05-01', '2026-05-10', { ...z, calendar });
    // 1, 2, 3, 4, 5 and 10 May are off; 9 May is worked.
    expect(off).toHaveLength(6);
  });
});
