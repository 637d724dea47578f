import { and, eq, inArray, lte, or, sql } from 'drizzle-orm';
import { systemActor, systemCtx } from '../../platform/auth/actor.ts';
import type { Database, Tx } from '../../platform/db/client.ts';
import { registerJobHandler, registerSchedule } from '../../platform/jobs/service.ts';
import { notifications } from '../../platform/notify/schema.ts';
import { notifyUsers } from '../../platform/notify/service.ts';
import { addDays, dayIn, tenantZone } from '../../platform/org/calendar.ts';
import { departmentHeadLogin, loginOf, namesOf } from '../../platform/org/directory.ts';
import { tenants } from '../../platform/org/schema.ts';
import { ensureInspectionSettings } from './defaults.ts';
import { generateTasksTx } from './generate.ts';
import { notices } from './messages.ts';
import { syncMeasurePlansTx } from './plans.ts';
import { inspectionPlans, inspectionTasks } from './schema.ts';
import { recordInspection } from './store.ts';

/**
 * The module's background work, as cron sweeps of the job runner (claimed in PostgreSQL, so several app
 * instances run each slot once):
 *   inspection.generate.daily   00:10 every day: sync plans from control measures, generate the horizon,
 *                               tell each assignee how many checks they have today.
 *   inspection.missed.sweep     every 5 minutes: tasks whose window ended (plus the grace for one begun)
 *                               become missed, each exactly once (a guarded status update), audited, the
 *                               assignee and their department head notified.
 */

export const DAILY_KIND = 'inspection.generate.daily';
export const MISSED_KIND = 'inspection.missed.sweep';

async function tenantIds(db: Database): Promise<string[]> {
  return db.read(async (tx) => (await tx.select({ id: tenants.id }).from(tenants)).map((t) => t.id));
}

export interface DailyResult {
  plansCreated: number;
  tasksCreated: number;
}

/** The daily run for one tenant; safe to repeat (unique keys everywhere). */
export async function runDailyGeneration(db: Database, tenantId: string, now: Date, opts: { notify?: boolean } = {}): Promise<DailyResult> {
  const ctx = systemCtx(db, tenantId, () => now);
  return db.tx(async (tx) => {
    const { timeZone, locale } = await tenantZone(tx, tenantId);
    const settings = await ensureInspectionSettings(tx, tenantId);
    const today = dayIn(now, timeZone);
    const sync = await syncMeasurePlansTx(tx, ctx, { startsOn: today });
    const g = await generateTasksTx(tx, tenantId, { from: today, to: addDays(today, settings.horizonDays), timeZone, now });
    if (g.created > 0) await recordInspection(tx, ctx, { action: 'inspection.tasks.generated', entityType: 'tenant', entityId: tenantId, after: { from: today, to: addDays(today, settings.horizonDays), created: g.created } });
    if (opts.notify !== false) await pushToday(tx, tenantId, today, timeZone, locale, now);
    return { plansCreated: sync.created, tasksCreated: g.created };
  });
}


/** "Today's tasks" to each assignee with a login, once per person and day. */
async function pushToday(tx: Tx, tenantId: string, today: string, timeZone: string, locale: 'zh-CN' | 'en', now: Date): Promise<void> {
  const rows = await tx
    .select({ personId: inspectionTasks.assigneePersonId, n: sql<number>`count(*)::int` })
    .from(inspectionTasks)
    .where(and(eq(inspectionTasks.tenantId, tenantId), eq(inspectionTasks.status, 'planned'), sql`to_char(${inspectionTasks.windowStart} AT TIME ZONE ${timeZone}, 'YYYY-MM-DD') = ${today}`))
    .groupBy(inspectionTasks.assigneePersonId);
  for (const r of rows) {
    if (!r.personId) continue;
    const userId = await loginOf(tx, tenantId, r.personId);
    if (!userId) continue;
    const key = `inspection-today:${r.personId}:${today}`;
    const [sent] = await tx
      .select({ id: notifications.id })
      .from(notifications)
      .where(and(eq(notifications.tenantId, tenantId), sql`${notifications.data}->>'reminderKey' = ${key}`))
      .limit(1);
    if (sent) continue;
    const n = notices.todaysTasks(r.n);
    await notifyUsers(tx, { actor: systemActor(tenantId), now: () => now }, { userIds: [userId], type: n.type, title: n.title[locale], body: n.body[locale], link: '/inspections/my', data: { reminderKey: key, count: r.n } });
  }
}

/**
 * Marks every task whose time is up as missed, exactly once: the update only matches tasks still open, so
 * a second sweep (or a second instance) finds nothing. Returns how many were marked.
 */
export async function sweepMissedTasks(db: Database, now: Date): Promise<number> {
  let total = 0;
  for (const tenantId of await tenantIds(db)) {
    for (;;) {
      const n = await db.tx(async (tx) => {
        const settings = await ensureInspectionSettings(tx, tenantId);
        const graceCut = new Date(now.getTime() - settings.graceMinutes * 60_000);
        const marked = await tx
          .update(inspectionTasks)
          .set({ status: 'missed', missedAt: now, updatedAt: now, version: sql`${inspectionTasks.version} + 1` })
          .where(
            inArray(
              inspectionTasks.id,
              tx
                .select({ id: inspectionTasks.id })
                .from(inspectionTasks)
                .where(
                  and(
                    eq(inspectionTasks.tenantId, tenantId),
                    or(and(eq(inspectionTasks.status, 'planned'), lte(inspectionTasks.windowEnd, now)), and(eq(inspectionTasks.status, 'in_progress'), lte(inspectionTasks.windowEnd, graceCut))),
                  ),
                )
                .limit(500),
            ),
          )
          .returning();
        if (marked.length === 0) return 0;
        const ctx = systemCtx(db, tenantId, () => now);
        const { timeZone, locale } = await tenantZone(tx, tenantId);
        const planNames = new Map(
          (await tx.select({ id: inspectionPlans.id, name: inspectionPlans.name }).from(inspectionPlans).where(and(eq(inspectionPlans.tenantId, tenantId), inArray(inspectionPlans.id, [...new Set(marked.map((m) => m.planId))])))).map((p) => [p.id, p.name]),
        );
        const names = await namesOf(tx, tenantId, [], marked.map((m) => m.assigneePersonId));
        const fmt = (d: Date) => new Intl.DateTimeFormat('zh-CN', { timeZone, month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(d);
        for (const t of marked) {
          await recordInspection(tx, ctx, {
            action: 'inspection.task.missed',
            entityType: 'inspection_task',
            entityId: t.id,
            before: { status: 'open' },
            after: { status: 'missed', windowEnd: t.windowEnd.toISOString(), assigneePersonId: t.assigneePersonId },
            payload: { planId: t.planId, assigneePersonId: t.assigneePersonId, controlMeasureId: t.controlMeasureId, windowStart: t.windowStart.toISOString(), windowEnd: t.windowEnd.toISOString() },
          });
          const assignee = t.assigneePersonId ? await loginOf(tx, tenantId, t.assigneePersonId) : null;
          const head = await departmentHeadLogin(tx, tenantId, t.orgUnitId, t.assigneePersonId);
          const userIds = [...new Set([assignee, head].filter((v): v is string => v !== null))];
          if (userIds.length === 0) continue;
          const n = notices.missed({ planName: planNames.get(t.planId) ?? '', windowStart: fmt(t.windowStart), windowEnd: fmt(t.windowEnd), assigneeName: t.assigneePersonId ? (names.people.get(t.assigneePersonId) ?? null) : null });
          await notifyUsers(tx, ctx, { userIds, type: n.type, severity: 'warning', title: n.title[locale].slice(0, 200), body: n.body[locale].slice(0, 1000), link: `/inspections/tasks/${t.id}`, data: { taskId: t.id, planId: t.planId } });
        }
        return marked.length;
      });
      total += n;
      if (n < 500) break;
    }
  }
  return total;
}

registerJobHandler(DAILY_KIND, async ({ db, now }) => {
  for (const tenantId of await tenantIds(db)) await runDailyGeneration(db, tenantId, now);
});

registerJobHandler(MISSED_KIND, async ({ db, now }) => {
  await sweepMissedTasks(db, now);
});

registerSchedule({ name: 'inspections.daily', cron: '10 0 * * *', kind: DAILY_KIND });
registerSchedule({ name: 'inspections.missed', cron: '*/5 * * * *', kind: MISSED_KIND });
