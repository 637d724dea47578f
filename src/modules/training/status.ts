import { daysBetween } from '../../platform/org/calendar.ts';

/**
 * A certificate's status on a given day, computed (never stored, so it cannot go stale):
 *   revoked     withdrawn by the issuer or the company (with a reason);
 *   expired     today is after the last valid day;
 *   review_due  the review (复审) date has passed without a recorded review: it does not count until reviewed
 *               (30号令 Art. 21: a special-operation certificate not reviewed in time is not valid for work);
 *   expiring    the last valid day or the review date is within the type's largest reminder threshold;
 *   valid       otherwise.
 */
export const certificateStatuses = ['valid', 'expiring', 'review_due', 'expired', 'revoked'] as const;
export type CertificateStatus = (typeof certificateStatuses)[number];

export interface StatusInput {
  revokedAt: Date | null;
  validUntil: string;
  nextReviewOn: string | null;
}

export function certificateStatus(c: StatusInput, today: string, expiringWithinDays: number): CertificateStatus {
  if (c.revokedAt) return 'revoked';
  if (today > c.validUntil) return 'expired';
  if (c.nextReviewOn && today > c.nextReviewOn) return 'review_due';
  const soonest = c.nextReviewOn && c.nextReviewOn < c.validUntil ? c.nextReviewOn : c.validUntil;
  if (daysBetween(today, soonest) <= expiringWithinDays) return 'expiring';
  return 'valid';
}

/** Whether the certificate counts for a qualification today (valid or merely expiring). */
export function certificateCounts(c: StatusInput, today: string): boolean {
  return !c.revokedAt && today <= c.validUntil && (!c.nextReviewOn || today <= c.nextReviewOn);
}

/** The largest reminder threshold: a certificate inside it shows as expiring. */
export function expiringWindow(reminderDays: readonly number[]): number {
  return reminderDays.length > 0 ? Math.max(...reminderDays) : 0;
}
