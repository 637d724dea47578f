import { and, eq, sql } from 'drizzle-orm';
import { systemActor } from '../../platform/auth/actor.ts';
import type { Tx } from '../../platform/db/client.ts';
import { cancelJobsByPrefix, registerJobHandler, rescheduleJob, scheduleJob, type JobHandlerInput } from '../../platform/jobs/service.ts';
import { notifications } from '../../platform/notify/schema.ts';
import { notifyUsers } from '../../platform/notify/service.ts';
import { addDays, dayIn, daysBetween, instantOf, tenantZone } from '../../platform/org/calendar.ts';
import { ensureEquipmentDefaults } from './defaults.ts';
import { departmentHeadLogin, loginOf } from '../../platform/org/directory.ts';
import { notices } from './messages.ts';
import { equipment } from './schema.ts';

/**
 * Statutory inspection reminders, as durable jobs keyed per equipment and threshold:
 *   equipment:<id>:inspection:<days>   <days> before the due day (0 = on the due day), at the tenant's
 *                                      reminder hour (08:00 by default) in its time zone.
 * The thresholds are tenant settings (30, 7 and 0 days by default). A new due date re-arms every threshold
 * (a reminder that fired for the old date fires again for the new one); stopping or scrapping the
 * equipment cancels them. Thresholds already past when the date is set are skipped: the ledger shows the
 * equipment as due.
 */

export const REMIND_KIND = 'equipment.inspection.remind';
export const timerPrefix = (equipmentId: string) => `equipment:${equipmentId}:inspection:`;
export const reminderKey = (equipmentId: string, days: number) => `${timerPrefix(equipmentId)}${days}`;

type EquipmentRow = typeof equipment.$inferSelect;

/** Arms the reminders of the equipment's due date, or cancels them when it has none or is out of service. */
export async function armInspectionReminders(tx: Tx, row: EquipmentRow, before: EquipmentRow | null, now: Date): Promise<void> {
  const unchanged = before && before.nextInspectionDue === row.nextInspectionDue && before.status === row.status;
  if (unchanged) return;
  await cancelJobsByPrefix(tx, timerPrefix(row.id), now);
  if (!row.nextInspectionDue || row.status !== 'in_service') return;
  const settings = await ensureEquipmentDefaults(tx, row.tenantId);
  const { timeZone } = await tenantZone(tx, row.tenantId);
  for (const days of settings.reminderDays) {
    const runAt = instantOf(addDays(row.nextInspectionDue, -days), timeZone, settings.reminderHour);
    if (runAt.getTime() <= now.getTime()) continue;
    const job = { kind: REMIND_KIND, runAt, tenantId: row.tenantId, dedupeKey: reminderKey(row.id, days), payload: { tenantId: row.tenantId, equipmentId: row.id, day: row.nextInspectionDue, days } };
    // A fired or cancelled timer of the same key is armed again for the new date.
    const moved = await rescheduleJob(tx, job.dedupeKey, job.runAt, { payload: job.payload });
    if (!moved) await scheduleJob(tx, job);
  }
}

export async function cancelInspectionReminders(tx: Tx, equipmentId: string, now: Date): Promise<number> {
  return cancelJobsByPrefix(tx, timerPrefix(equipmentId), now);
}

interface Payload {
  tenantId: string;
  equipmentId: string;
  day: string;
  days: number;
}

function parsePayload(p: Record<string, unknown>): Payload | null {
  if (typeof p.tenantId !== 'string' || typeof p.equipmentId !== 'string' || typeof p.day !== 'string' || typeof p.days !== 'number') return null;
  return { tenantId: p.tenantId, equipmentId: p.equipmentId, day: p.day, days: p.days };
}

async function remind({ db, job, now }: JobHandlerInput): Promise<void> {
  const p = parsePayload(job.payload);
  // A payload we did not write: nothing to act on, and retrying would not help.
  if (!p) return;
  await db.tx(async (tx) => {
    const [e] = await tx
      .select()
      .from(equipment)
      .where(and(eq(equipment.id, p.equipmentId), eq(equipment.tenantId, p.tenantId)))
      .for('update');
    // Re-checked: the job may have been claimed just before the date moved or the equipment was scrapped.
    if (!e || e.status !== 'in_service' || e.nextInspectionDue !== p.day) return;
    const fence = `${job.dedupeKey ?? job.id}@${p.day}`;
    // Delivery is at least once: a run that committed its notifications but died before the job was marked
    // done must not remind twice.
    const [sent] = await tx
      .select({ id: notifications.id })
      .from(notifications)
      .where(and(eq(notifications.tenantId, p.tenantId), sql`${notifications.data}->>'reminderKey' = ${fence}`))
      .limit(1);
    if (sent) return;
    const responsible = e.responsiblePersonId ? await loginOf(tx, p.tenantId, e.responsiblePersonId) : null;
    const head = await departmentHeadLogin(tx, p.tenantId, e.orgUnitId, e.responsiblePersonId);
    const recipients = [responsible, head].filter((v): v is string => v !== null);
    if (recipients.length === 0) return;
    const { timeZone, locale } = await tenantZone(tx, p.tenantId);
    const notice = notices.inspectionDue({ code: e.code, name: e.name, registrationNo: e.registrationNo, day: p.day, daysLeft: daysBetween(dayIn(now, timeZone), p.day) });
    await notifyUsers(tx, { actor: systemActor(p.tenantId), now: () => now }, {
      userIds: recipients,
      type: notice.type,
      severity: p.days <= 7 ? 'critical' : 'warning',
      title: notice.title[locale].slice(0, 200),
      body: notice.body[locale].slice(0, 1000),
      link: `/equipment?focus=${e.id}`,
      data: { equipmentId: e.id, days: p.days, day: p.day, reminderKey: fence },
    });
  });
}

registerJobHandler(REMIND_KIND, remind);
