import { and, desc, eq } from 'drizzle-orm';
import { systemCtx, type Ctx } from '../../platform/auth/actor.ts';
import type { Tx } from '../../platform/db/client.ts';
import { newId } from '../../platform/db/columns.ts';
import { cancelJob, cancelJobsByPrefix, registerJobHandler, rescheduleJob, scheduleJob, type JobHandlerInput } from '../../platform/jobs/service.ts';
import { notifyUsers } from '../../platform/notify/service.ts';
import { loginOf } from '../../platform/org/directory.ts';
import { tenantZone } from '../../platform/org/calendar.ts';
import { ensurePermitConfig, rulesOf } from './config.ts';
import { notices, reasons } from './messages.ts';
import { nextStatus } from './rules.ts';
import { permitFollowUps, permitGasReadings } from './schema.ts';
import { lockPermit, recordPermit, transition, type PermitRow } from './store.ts';

/**
 * Durable timers of permits, keyed per permit:
 *   permit:<id>:expire       at validUntil: the permit expires (work must stop), unless closed meanwhile;
 *   permit:<id>:reanalysis   confined space: when the periodic gas analysis is due; overdue → suspended;
 *   permit:<id>:follow_up    after hot work ends: the fire-watch round becomes due and is announced.
 */

export const EXPIRE_KIND = 'permit.expire';
export const REANALYSIS_KIND = 'permit.reanalysis';
export const FOLLOW_UP_KIND = 'permit.follow_up';

const key = (id: string, what: string) => `permit:${id}:${what}`;

async function arm(tx: Tx, kind: string, p: PermitRow, what: string, runAt: Date): Promise<void> {
  const job = { kind, runAt, tenantId: p.tenantId, dedupeKey: key(p.id, what), payload: { tenantId: p.tenantId, permitId: p.id } };
  const moved = await rescheduleJob(tx, job.dedupeKey, runAt, { payload: job.payload });
  if (!moved) await scheduleJob(tx, job);
}

export const armExpiry = (tx: Tx, p: PermitRow) => arm(tx, EXPIRE_KIND, p, 'expire', p.validUntil);
export const armReanalysis = (tx: Tx, p: PermitRow, at: Date) => arm(tx, REANALYSIS_KIND, p, 'reanalysis', at);
export const stopReanalysis = (tx: Tx, p: PermitRow, now: Date) => cancelJob(tx, key(p.id, 'reanalysis'), now);
export const stopPermitTimers = (tx: Tx, p: PermitRow, now: Date) => cancelJobsByPrefix(tx, `permit:${p.id}:`, now);

/** Schedules the fire-watch round after hot work that was carried out (it was activated). */
export async function scheduleFollowUp(tx: Tx, ctx: Ctx, p: PermitRow, endedAt: Date): Promise<void> {
  if (p.type !== 'hot_work' || !p.activatedAt) return;
  const { config } = await ensurePermitConfig(tx, ctx);
  const dueAt = new Date(endedAt.getTime() + rulesOf(config, p).followUpDelayMinutes * 60_000);
  const [existing] = await tx.select({ id: permitFollowUps.id }).from(permitFollowUps).where(and(eq(permitFollowUps.tenantId, p.tenantId), eq(permitFollowUps.permitId, p.id)));
  if (existing) return;
  await tx.insert(permitFollowUps).values({ id: newId(), tenantId: p.tenantId, permitId: p.id, dueAt });
  await scheduleJob(tx, { kind: FOLLOW_UP_KIND, runAt: dueAt, tenantId: p.tenantId, dedupeKey: key(p.id, 'follow_up'), payload: { tenantId: p.tenantId, permitId: p.id } });
}

async function tell(tx: Tx, ctx: Ctx, p: PermitRow, text: { title: Record<'zh-CN' | 'en', string>; body: Record<'zh-CN' | 'en', string> }, type: string): Promise<void> {
  const guardian = await loginOf(tx, p.tenantId, p.guardianPersonId);
  const recipients = [...new Set([p.applicantUserId, guardian].filter((v): v is string => v !== null))];
  const { locale } = await tenantZone(tx, p.tenantId);
  await notifyUsers(tx, ctx, { userIds: recipients, type, severity: 'critical', title: text.title[locale].slice(0, 200), body: text.body[locale].slice(0, 1000), link: `/permits/${p.id}`, data: { permitId: p.id } });
}

/** Suspends an active permit (system or user), cancels its periodic analysis and tells applicant and guardian. */
export async function suspendInTx(tx: Tx, ctx: Ctx, p: PermitRow, reason: string, event = 'suspended'): Promise<PermitRow> {
  const after = await transition(tx, ctx, p, 'suspend', { event, reason, set: { suspendedAt: ctx.now(), suspendReason: reason } });
  await stopReanalysis(tx, after, ctx.now());
  await tell(tx, ctx, after, notices.suspended(after.number, reason), 'permit.suspended');
  return after;
}

function payloadOf(p: Record<string, unknown>): { tenantId: string; permitId: string } | null {
  return typeof p.tenantId === 'string' && typeof p.permitId === 'string' ? { tenantId: p.tenantId, permitId: p.permitId } : null;
}

async function expire({ db, job, now }: JobHandlerInput): Promise<void> {
  const p = payloadOf(job.payload);
  if (!p) return;
  await db.tx(async (tx) => {
    const row = await lockPermit(tx, p.tenantId, p.permitId);
    // Re-checked: the permit may have closed, or been extended just before the job was claimed.
    if (!row || !nextStatus(row.status, 'expire') || row.validUntil.getTime() > now.getTime()) return;
    const ctx = systemCtx(db, p.tenantId, () => now);
    const after = await transition(tx, ctx, row, 'expire', { reason: 'validity ended' });
    await stopReanalysis(tx, after, now);
    await scheduleFollowUp(tx, ctx, after, now);
    if (row.status === 'active' || row.status === 'suspended') await tell(tx, ctx, after, notices.expired(after.number), 'permit.expired');
  });
}

/** GB 30871-2022 6.5: gas in a confined space is recorded every 2 h; an overdue analysis stops the work. */
async function reanalysis({ db, job, now }: JobHandlerInput): Promise<void | { runAgainAt: Date }> {
  const p = payloadOf(job.payload);
  if (!p) return;
  return db.tx(async (tx) => {
    const row = await lockPermit(tx, p.tenantId, p.permitId);
    if (!row || row.status !== 'active') return;
    const ctx = systemCtx(db, p.tenantId, () => now);
    const { config } = await ensurePermitConfig(tx, ctx);
    const minutes = rulesOf(config, row).grade.periodicReanalysisMinutes;
    if (minutes === null) return;
    const [latest] = await tx
      .select({ takenAt: permitGasReadings.takenAt })
      .from(permitGasReadings)
      .where(and(eq(permitGasReadings.tenantId, row.tenantId), eq(permitGasReadings.permitId, row.id)))
      .orderBy(desc(permitGasReadings.takenAt))
      .limit(1);
    const due = new Date((latest?.takenAt ?? row.activatedAt ?? now).getTime() + minutes * 60_000);
    if (due.getTime() > now.getTime()) return { runAgainAt: due };
    await suspendInTx(tx, ctx, row, reasons.reanalysisOverdue[ctx.locale], 'reanalysis_overdue');
    return undefined;
  });
}

async function followUpDue({ db, job, now }: JobHandlerInput): Promise<void> {
  const p = payloadOf(job.payload);
  if (!p) return;
  await db.tx(async (tx) => {
    const [f] = await tx
      .select()
      .from(permitFollowUps)
      .where(and(eq(permitFollowUps.tenantId, p.tenantId), eq(permitFollowUps.permitId, p.permitId)))
      .for('update');
    if (!f || f.status !== 'scheduled') return;
    await tx.update(permitFollowUps).set({ status: 'due', version: f.version + 1 }).where(eq(permitFollowUps.id, f.id));
    const row = await lockPermit(tx, p.tenantId, p.permitId);
    if (!row) return;
    const ctx = systemCtx(db, p.tenantId, () => now);
    await recordPermit(tx, ctx, 'follow_up_due', row, row, { followUpId: f.id, dueAt: f.dueAt.toISOString() });
    await tell(tx, ctx, row, notices.followUpDue(row.number), 'permit.follow_up_due');
  });
}

registerJobHandler(EXPIRE_KIND, expire);
registerJobHandler(REANALYSIS_KIND, reanalysis);
registerJobHandler(FOLLOW_UP_KIND, followUpDue);
