import { describe, expect, it } from 'vitest';
import { addDays, addMonths, dayIn, daysBetween, instantOf, isDay } from '../../platform/org/calendar.ts';
import { certificateCounts, certificateStatus } from './status.ts';

const cert = (validUntil: string, nextReviewOn: string | null = null, revokedAt: Date | null = null) => ({ validUntil, nextReviewOn, revokedAt });

describe('certificate status', () => {
  it('is valid through the last valid day and expired the day after', () => {
    expect(certificateStatus(cert('2026-12-01'), '2026-12-01', 60)).toBe('expiring');
    expect(certificateCounts(cert('2026-12-01'), '2026-12-01')).toBe(true);
    expect(certificateStatus(cert('2026-12-01'), '2026-12-02', 60)).toBe('expired');
    expect(certificateCounts(cert('2026-12-01'), '2026-12-02')).toBe(false);
  });

  it('is expiring inside the largest reminder threshold and valid outside it', () => {
    expect(certificateStatus(cert('2027-01-30'), '2026-12-01', 60)).toBe('expiring');
    expect(certificateStatus(cert('2027-01-31'), '2026-12-01', 60)).toBe('valid');
  });

  it('is review_due once the review date passed, expiring when the review is near, revoked above all', () => {
    expect(certificateStatus(cert('2030-01-01', '2026-11-30'), '2026-12-01', 60)).toBe('review_due');
    expect(certificateCounts(cert('2030-01-01', '2026-11-30'), '2026-12-01')).toBe(false);
    expect(certificateStatus(cert('2030-01-01', '2026-12-20'), '2026-12-01', 60)).toBe('expiring');
    expect(certificateStatus(cert('2030-01-01', null, new Date()), '2026-12-01', 60)).toBe('revoked');
    expect(certificateCounts(cert('2030-01-01', null, new Date()), '2026-12-01')).toBe(false);
  });
});

describe('calendar days', () => {
  it('adds months clamping to the month end, counts days, and rejects impossible days', () => {
    expect(addMonths('2024-02-29', 72)).toBe('2030-02-28');
    expect(addMonths('2026-01-31', 1)).toBe('2026-02-28');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(daysBetween('2026-12-01', '2026-11-29')).toBe(-2);
    expect(isDay('2026-02-30')).toBe(false);
    expect(isDay('2026-02-28')).toBe(true);
  });

  it('reads the day in the tenant zone: 23:30 in Shanghai is still 1 December, 00:30 is the 2nd', () => {
    expect(dayIn(new Date('2026-12-01T15:30:00Z'), 'Asia/Shanghai')).toBe('2026-12-01');
    expect(dayIn(new Date('2026-12-01T16:30:00Z'), 'Asia/Shanghai')).toBe('2026-12-02');
    expect(instantOf('2026-12-02', 'Asia/Shanghai', 8).toISOString()).toBe('2026-12-02T00:00:00.000Z');
  });
});
