import { and, eq } from 'drizzle-orm';
import { systemActor } from '../../platform/auth/actor.ts';
import type { Tx } from '../../platform/db/client.ts';
import { registerJobHandler, scheduleJob, type JobHandlerInput } from '../../platform/jobs/service.ts';
import { notifyUsers } from '../../platform/notify/service.ts';
import { addDays, instantOf, tenantZone } from '../../platform/org/calendar.ts';
import { departmentHeadLogin, loadPersonRow } from '../../platform/org/directory.ts';
import { ensureTrainingDefaults } from './defaults.ts';
import { inductions } from './schema.ts';

/**
 * Issue 7: an induction still pending after its due day escalates to the department head of the person's
 * unit. One durable job per person and due day (training:induction:<personId>:overdue:<day>), at the
 * tenant's reminder hour on the day after; it does nothing when every level is complete by then.
 */

export const OVERDUE_KIND = 'training.induction.overdue';

export async function armInductionEscalation(tx: Tx, tenantId: string, personId: string, dueOn: string): Promise<void> {
  const settings = await ensureTrainingDefaults(tx, tenantId);
  const { timeZone } = await tenantZone(tx, tenantId);
  await scheduleJob(tx, { kind: OVERDUE_KIND, runAt: instantOf(addDays(dueOn, 1), timeZone, settings.reminderHour), tenantId, dedupeKey: `training:induction:${personId}:overdue:${dueOn}`, payload: { tenantId, personId, dueOn } });
}

const levelZh: Record<string, string> = { company: '厂级', workshop: '车间级', team: '班组级' };

async function escalate({ db, job, now }: JobHandlerInput): Promise<void> {
  const { tenantId, personId, dueOn } = job.payload;
  if (typeof tenantId !== 'string' || typeof personId !== 'string' || typeof dueOn !== 'string') return;
  await db.tx(async (tx) => {
    const pending = await tx
      .select({ level: inductions.level })
      .from(inductions)
      .where(and(eq(inductions.tenantId, tenantId), eq(inductions.personId, personId), eq(inductions.status, 'pending')));
    const person = await loadPersonRow(tx, tenantId, personId);
    if (pending.length === 0 || !person || person.status !== 'active') return;
    const head = await departmentHeadLogin(tx, tenantId, person.orgUnitId, person.id);
    if (!head) return;
    const { locale } = await tenantZone(tx, tenantId);
    const levels = pending.map((p) => p.level);
    const title = { 'zh-CN': `三级安全教育逾期：${person.name}`, en: `Induction overdue: ${person.name}` };
    const body = {
      'zh-CN': `${person.name}（${person.employeeNo}）的${levels.map((l) => levelZh[l] ?? l).join('、')}安全教育应于 ${dueOn} 前完成，至今未完成；完成前不得安排其作业。`,
      en: `${person.name} (${person.employeeNo}) was due to complete the ${levels.join(', ')} induction by ${dueOn}; they may not be assigned to work until it is complete.`,
    };
    await notifyUsers(tx, { actor: systemActor(tenantId), now: () => now }, { userIds: [head], type: 'training.induction_overdue', severity: 'warning', title: title[locale], body: body[locale], link: `/training/people/${person.id}`, data: { personId, dueOn, levels } });
  });
}

registerJobHandler(OVERDUE_KIND, escalate);
