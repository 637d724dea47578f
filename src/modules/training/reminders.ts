import { and, eq, sql } from 'drizzle-orm';
import { systemActor, type Ctx } from '../../platform/auth/actor.ts';
import type { Database, Tx } from '../../platform/db/client.ts';
import { cancelJob, cancelJobsByPrefix, registerJobHandler, rescheduleJob, scheduleJob, type JobHandlerInput, type ScheduleJobInput } from '../../platform/jobs/service.ts';
import { notifications } from '../../platform/notify/schema.ts';
import { notifyUsers } from '../../platform/notify/service.ts';
import { addDays, daysBetween, dayIn, instantOf, tenantZone } from '../../platform/org/calendar.ts';
import { categoryLabel, ensureTrainingDefaults, type CertificateTypeRow } from './defaults.ts';
import { departmentHeadLogin, loadPersonRow, loginOf } from '../../platform/org/directory.ts';
import { notices } from './messages.ts';
import { refreshQualificationStates } from './qualification.ts';
import { certificateTypes, certificates } from './schema.ts';

/**
 * Certificate timers, as durable jobs keyed per certificate:
 *   training:cert:<id>:expiry:<days>   reminder <days> before the last valid day (holder + department head)
 *   training:cert:<id>:review:<days>   reminder <days> before the review date
 *   training:cert:<id>:lapse:expiry    the first day after expiry: recompute the holder's qualifications
 *   training:cert:<id>:lapse:review    the first day after the review date: the same
 * Reminders go out at the tenant's reminder hour (08:00 by default) in its time zone. A change of a date
 * re-arms that date's timers (a fired reminder fires again for the new date); revoking cancels them all.
 * Thresholds already past when a date is set are skipped: the ledger shows the certificate as expiring.
 */

export const REMIND_KIND = 'training.certificate.remind';
export const LAPSE_KIND = 'training.certificate.lapse';

export type DateKind = 'expiry' | 'review';
export const reminderKey = (certificateId: string, what: DateKind, days: number) => `training:cert:${certificateId}:${what}:${days}`;
export const lapseKey = (certificateId: string, what: DateKind) => `training:cert:${certificateId}:lapse:${what}`;

type CertRow = typeof certificates.$inferSelect;

const dayOf = (c: Pick<CertRow, 'validUntil' | 'nextReviewOn'>, what: DateKind) => (what === 'expiry' ? c.validUntil : c.nextReviewOn);

export type PlannedTimer = ScheduleJobInput & { dedupeKey: string; payload: Record<string, unknown> };

/** The timers one date of a certificate needs: reminders still ahead of `now`, and the lapse the day after. */
export function plannedTimers(cert: Pick<CertRow, 'id' | 'tenantId' | 'validUntil' | 'nextReviewOn'>, type: Pick<CertificateTypeRow, 'reminderDays'>, what: DateKind, at: { timeZone: string; reminderHour: number; now: Date }): PlannedTimer[] {
  const day = dayOf(cert, what);
  // A review date on or after expiry is covered by the expiry reminders.
  if (!day || (what === 'review' && day >= cert.validUntil)) return [];
  const out: PlannedTimer[] = [];
  for (const days of type.reminderDays) {
    const runAt = instantOf(addDays(day, -days), at.timeZone, at.reminderHour);
    if (runAt.getTime() <= at.now.getTime()) continue;
    out.push({ kind: REMIND_KIND, runAt, tenantId: cert.tenantId, dedupeKey: reminderKey(cert.id, what, days), payload: { tenantId: cert.tenantId, certificateId: cert.id, what, days, day } });
  }
  out.push({ kind: LAPSE_KIND, runAt: instantOf(addDays(day, 1), at.timeZone, 0), tenantId: cert.tenantId, dedupeKey: lapseKey(cert.id, what), payload: { tenantId: cert.tenantId, certificateId: cert.id, what, day } });
  return out;
}

/** Arms (or, after an edit, re-arms) the timers of the dates that are new or changed. */
export async function armCertificateTimers(tx: Tx, cert: CertRow, type: CertificateTypeRow, before: CertRow | null, now: Date): Promise<void> {
  const settings = await ensureTrainingDefaults(tx, cert.tenantId);
  const { timeZone } = await tenantZone(tx, cert.tenantId);
  for (const what of ['expiry', 'review'] as const) {
    if (before && dayOf(before, what) === dayOf(cert, what)) continue;
    await cancelJobsByPrefix(tx, `training:cert:${cert.id}:${what}:`, now);
    await cancelJob(tx, lapseKey(cert.id, what), now);
    for (const job of plannedTimers(cert, type, what, { timeZone, reminderHour: settings.reminderHour, now })) {
      // A fired or cancelled timer of the same key is armed again for the new date.
      const moved = await rescheduleJob(tx, job.dedupeKey, job.runAt, { payload: job.payload });
      if (!moved) await scheduleJob(tx, job);
    }
  }
}

export async function cancelCertificateTimers(tx: Tx, certificateId: string, now: Date): Promise<number> {
  return cancelJobsByPrefix(tx, `training:cert:${certificateId}:`, now);
}

// ---------------------------------------------------------------------------------------------------------
// Handlers
// ---------------------------------------------------------------------------------------------------------

interface TimerPayload {
  tenantId: string;
  certificateId: string;
  what: DateKind;
  day: string;
  days?: number;
}

function parsePayload(p: Record<string, unknown>): TimerPayload | null {
  if (typeof p.tenantId !== 'string' || typeof p.certificateId !== 'string' || typeof p.day !== 'string') return null;
  if (p.what !== 'expiry' && p.what !== 'review') return null;
  return { tenantId: p.tenantId, certificateId: p.certificateId, what: p.what, day: p.day, ...(typeof p.days === 'number' ? { days: p.days } : {}) };
}

function systemCtxAt(db: Database, tenantId: string, now: Date): Ctx {
  return { db, actor: systemActor(tenantId), now: () => now, ip: null, locale: 'zh-CN' };
}

/** The certificate the timer was armed for: still live, with the same date. */
async function armedCertificate(tx: Tx, p: TimerPayload): Promise<CertRow | null> {
  const [c] = await tx
    .select()
    .from(certificates)
    .where(and(eq(certificates.id, p.certificateId), eq(certificates.tenantId, p.tenantId)))
    .for('update');
  if (!c || c.revokedAt || dayOf(c, p.what) !== p.day) return null;
  return c;
}

async function remind({ db, job, now }: JobHandlerInput): Promise<void> {
  const p = parsePayload(job.payload);
  // A payload we did not write: nothing to act on, and retrying would not help.
  if (!p || p.days === undefined) return;
  const days = p.days;
  await db.tx(async (tx) => {
    const c = await armedCertificate(tx, p);
    if (!c) return;
    const person = await loadPersonRow(tx, p.tenantId, c.personId);
    if (!person || person.status !== 'active') return;
    const fence = `${job.dedupeKey ?? job.id}@${p.day}`;
    // Delivery is at least once: a run that committed its notifications but died before the job was marked
    // done must not remind twice.
    const [sent] = await tx
      .select({ id: notifications.id })
      .from(notifications)
      .where(and(eq(notifications.tenantId, p.tenantId), sql`${notifications.data}->>'reminderKey' = ${fence}`))
      .limit(1);
    if (sent) return;
    const [type] = await tx.select().from(certificateTypes).where(eq(certificateTypes.id, c.typeId));
    const { timeZone, locale } = await tenantZone(tx, p.tenantId);
    const label = (l: 'zh-CN' | 'en') => {
      const name = l === 'en' ? (type?.nameEn ?? '') : (type?.nameZh ?? '');
      const category = categoryLabel(type, c.category, l);
      return category ? (l === 'en' ? `${name} (${category})` : `${name}（${category}）`) : name;
    };
    const facts = { personName: person.name, certificate: { 'zh-CN': label('zh-CN'), en: label('en') }, number: c.number, day: p.day, daysLeft: daysBetween(dayIn(now, timeZone), p.day) };
    const notice = p.what === 'expiry' ? notices.expiring(facts) : notices.reviewDue(facts);
    const recipients = [await loginOf(tx, p.tenantId, person.id), await departmentHeadLogin(tx, p.tenantId, person.orgUnitId, person.id)].filter((v): v is string => v !== null);
    if (recipients.length === 0) return;
    await notifyUsers(tx, systemCtxAt(db, p.tenantId, now), {
      userIds: recipients,
      type: notice.type,
      severity: days <= 7 ? 'critical' : 'warning',
      title: notice.title[locale].slice(0, 200),
      body: notice.body[locale].slice(0, 1000),
      link: `/training/certificates?person=${person.id}`,
      data: { certificateId: c.id, personId: person.id, days, reminderKey: fence },
    });
  });
}

async function lapse({ db, job, now }: JobHandlerInput): Promise<void> {
  const p = parsePayload(job.payload);
  if (!p) return;
  await db.tx(async (tx) => {
    const c = await armedCertificate(tx, p);
    if (!c) return;
    await refreshQualificationStates(tx, systemCtxAt(db, p.tenantId, now), c.personId);
  });
}

registerJobHandler(REMIND_KIND, remind);
registerJobHandler(LAPSE_KIND, lapse);
