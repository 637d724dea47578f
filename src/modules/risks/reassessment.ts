import { and, eq, isNull, sql } from 'drizzle-orm';
import { recordChange } from '../../platform/audit/record.ts';
import { systemActor, type Ctx } from '../../platform/auth/actor.ts';
import type { Database, Tx } from '../../platform/db/client.ts';
import { cancelJobsByPrefix, registerJobHandler, scheduleJob, type JobHandlerInput } from '../../platform/jobs/service.ts';
import { notifyUsers } from '../../platform/notify/service.ts';
import { formatDay, responsibleLogin, tenantInfo } from './directory.ts';
import { notices, type RiskNotice } from './messages.ts';
import { riskEvents, riskReassessmentRequests, riskUnits } from './schema.ts';
import type { RiskEventRow } from './store.ts';

/**
 * Re-assessment (issue 5): an event is due again the re-assessment interval after its latest assessment
 * (yearly by default), and at once when a linked hazard or incident occurs (`requestReassessment`).
 *
 * The yearly reminder is one durable job per event and due time, key `risk:event:<id>:reassess:<due ISO>`;
 * a new assessment cancels the pending one and arms the next. The handler acts only while the event is
 * still due at that time, and writes `reassess_notified_for` under the event's row lock before it
 * notifies: the responsible person hears once, also when the runner delivers the job twice.
 */

export const REASSESS_JOB = 'risk.reassessment_due';
const keyPrefix = (eventId: string) => `risk:event:${eventId}:reassess:`;
export const reassessKey = (eventId: string, dueAt: Date) => `${keyPrefix(eventId)}${dueAt.toISOString()}`;

interface ReassessPayload extends Record<string, unknown> {
  eventId: string;
  tenantId: string;
  dueAt: string;
}

/** Arms the reminder for the event's current due time (and cancels any other of this event). */
export async function armReassessment(tx: Tx, event: RiskEventRow, now: Date): Promise<void> {
  await cancelJobsByPrefix(tx, keyPrefix(event.id), now);
  if (!event.reassessDueAt || event.archivedAt) return;
  const payload: ReassessPayload = { eventId: event.id, tenantId: event.tenantId, dueAt: event.reassessDueAt.toISOString() };
  await scheduleJob(tx, { kind: REASSESS_JOB, runAt: event.reassessDueAt, payload, tenantId: event.tenantId, dedupeKey: reassessKey(event.id, event.reassessDueAt) });
}

export async function cancelReassessment(tx: Tx, eventId: string, now: Date): Promise<void> {
  await cancelJobsByPrefix(tx, keyPrefix(eventId), now);
}

/** In-app + stream + channels, in the tenant's language, in the caller's transaction. */
export async function notifyResponsible(tx: Tx, ctx: Pick<Ctx, 'actor' | 'now'>, event: RiskEventRow, make: (locale: 'zh-CN' | 'en', timeZone: string) => RiskNotice): Promise<string | null> {
  const [unit] = await tx
    .select({ responsiblePersonId: riskUnits.responsiblePersonId, orgUnitId: riskUnits.orgUnitId })
    .from(riskUnits)
    .where(and(eq(riskUnits.id, event.unitId), eq(riskUnits.tenantId, event.tenantId)));
  const userId = await responsibleLogin(tx, event.tenantId, unit?.responsiblePersonId ?? null, unit?.orgUnitId ?? event.orgUnitId);
  if (!userId) return null;
  const { locale, timeZone } = await tenantInfo(tx, event.tenantId);
  const n = make(locale, timeZone);
  await notifyUsers(tx, ctx, {
    userIds: [userId],
    type: n.type,
    severity: n.severity,
    title: n.title[locale].slice(0, 200),
    body: n.body ? n.body[locale].slice(0, 1000) : null,
    link: `/risks?event=${event.id}`,
    data: { riskEventId: event.id },
  });
  return userId;
}

function parsePayload(p: Record<string, unknown>): ReassessPayload | null {
  if (typeof p.eventId !== 'string' || typeof p.tenantId !== 'string' || typeof p.dueAt !== 'string') return null;
  return { eventId: p.eventId, tenantId: p.tenantId, dueAt: p.dueAt };
}

export async function runReassessmentDue({ db, job, now }: JobHandlerInput): Promise<void> {
  const p = parsePayload(job.payload);
  // A payload we did not write: nothing to act on, and retrying would not help.
  if (!p) return;
  await db.tx(async (tx) => {
    const ctx = systemCtxAt(db, p.tenantId, now);
    const [event] = await tx
      .select()
      .from(riskEvents)
      .where(and(eq(riskEvents.id, p.eventId), eq(riskEvents.tenantId, p.tenantId)))
      .for('update');
    if (!event || event.archivedAt || !event.reassessDueAt || event.reassessDueAt.toISOString() !== p.dueAt) return;
    // The fence: this due time was already announced (a second delivery of the job, or a request in between).
    if (event.reassessNotifiedFor && event.reassessNotifiedFor.getTime() === event.reassessDueAt.getTime()) return;
    await tx.update(riskEvents).set({ reassessNotifiedFor: event.reassessDueAt }).where(eq(riskEvents.id, event.id));
    const due = event.reassessDueAt;
    const userId = await notifyResponsible(tx, ctx, event, (_l, tz) => notices.reassessmentDue(event.name, formatDay(due, tz)));
    await recordChange(
      tx,
      ctx,
      { action: 'risk.reassessment_due', entityType: 'risk_event', entityId: event.id, after: { dueAt: p.dueAt, notifiedUserId: userId } },
      { type: 'risk.reassessment_due', entityType: 'risk_event', entityId: event.id, payload: { id: event.id, dueAt: p.dueAt } },
    );
  });
}

registerJobHandler(REASSESS_JOB, runReassessmentDue);

function systemCtxAt(db: Database, tenantId: string, now: Date): Ctx {
  return { db, actor: systemActor(tenantId), now: () => now, ip: null, locale: 'zh-CN' };
}

/** Open requests are answered by the next assessment of the event. */
export async function resolveRequests(tx: Tx, eventId: string, assessmentId: string, at: Date, by: string | null): Promise<number> {
  const rows = await tx
    .update(riskReassessmentRequests)
    .set({ resolvedAt: at, resolvedAssessmentId: assessmentId, updatedAt: at, updatedBy: by, version: sql`${riskReassessmentRequests.version} + 1` })
    .where(and(eq(riskReassessmentRequests.eventId, eventId), isNull(riskReassessmentRequests.resolvedAt)))
    .returning({ id: riskReassessmentRequests.id });
  return rows.length;
}
