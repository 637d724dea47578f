import { and, eq, gte, inArray, isNull, lt, sql } from 'drizzle-orm';
import { systemCtx } from '../../platform/auth/actor.ts';
import type { Database } from '../../platform/db/client.ts';
import { publishEvent } from '../../platform/events/outbox.ts';
import { registerJobHandler, registerSchedule, type JobHandlerInput } from '../../platform/jobs/service.ts';
import { ESCALATE_KIND, notifyStep, recordAlarmEvent, UNSHELVE_KIND } from './alarmStore.ts';
import { unshelveAlarmTx } from './alarms.ts';
import { applyOutcome, lockRuleState, ruleDef, saveRuleState } from './conditions.ts';
import { loadEscalationSteps } from './defaults.ts';
import { evaluateSilence } from './evaluate.ts';
import { iotAlarmEvents, iotAlarmRules, iotAlarms, iotDevices, iotPoints, iotPointTypes, iotReadings, iotRollups } from './schema.ts';

/**
 * Background work of the IoT module, all claimed through platform/jobs (so with several instances each runs
 * once): escalation timers of unacknowledged alarms, shelving expiry, the minute sweep (no-data rules and
 * devices gone silent) and the nightly retention of raw readings and rollups per point type.
 */

export const SWEEP_KIND = 'iot.sweep';
export const RETENTION_KIND = 'iot.retention';

const str = (v: unknown) => (typeof v === 'string' ? v : null);

async function escalate({ db, job, now }: JobHandlerInput): Promise<void> {
  const tenantId = str(job.payload.tenantId);
  const alarmId = str(job.payload.alarmId);
  const stepId = str(job.payload.stepId);
  if (!tenantId || !alarmId || !stepId) return;
  await db.tx(async (tx) => {
    const [a] = await tx
      .select()
      .from(iotAlarms)
      .where(and(eq(iotAlarms.id, alarmId), eq(iotAlarms.tenantId, tenantId)))
      .for('update');
    // Re-checked under the lock: acknowledged, cleared or shelved since the timer was armed → nothing to do.
    if (!a || a.state !== 'active_unack' || (a.shelvedUntil && a.shelvedUntil.getTime() > now.getTime())) return;
    const steps = await loadEscalationSteps(tx, tenantId);
    const index = steps.findIndex((s) => s.id === stepId);
    if (index < 0) return;
    // At least once: a run that committed but was not marked done must not notify twice.
    const [done] = await tx
      .select({ id: iotAlarmEvents.id })
      .from(iotAlarmEvents)
      .where(and(eq(iotAlarmEvents.alarmId, alarmId), eq(iotAlarmEvents.kind, 'escalated'), gte(iotAlarmEvents.at, job.runAt), sql`${iotAlarmEvents.data}->>'stepId' = ${stepId}`))
      .limit(1);
    if (done) return;
    const ctx = systemCtx(db, tenantId, () => now);
    const notified = await notifyStep(tx, ctx, a, steps[index]!, true);
    const [after] = await tx
      .update(iotAlarms)
      .set({ escalationLevel: Math.max(a.escalationLevel, index + 1), updatedAt: now, version: a.version + 1 })
      .where(eq(iotAlarms.id, a.id))
      .returning();
    await recordAlarmEvent(tx, ctx, 'escalated', a, after!, { data: { stepId, afterMinutes: steps[index]!.afterMinutes, roleCode: steps[index]!.roleCode, notified } });
  });
}

async function unshelve({ db, job, now }: JobHandlerInput): Promise<void> {
  const tenantId = str(job.payload.tenantId);
  const alarmId = str(job.payload.alarmId);
  if (!tenantId || !alarmId) return;
  await db.tx(async (tx) => {
    const [a] = await tx
      .select()
      .from(iotAlarms)
      .where(and(eq(iotAlarms.id, alarmId), eq(iotAlarms.tenantId, tenantId)))
      .for('update');
    if (!a || !a.shelvedUntil || a.shelvedUntil.getTime() > now.getTime()) return;
    await unshelveAlarmTx(tx, systemCtx(db, tenantId, () => now), a, 'shelving expired');
  });
}

/** No-data rules over every point they cover, and devices silent past their offline time. */
export async function sweepSilence(db: Database, now: Date): Promise<{ raised: number; offline: number }> {
  let raised = 0;
  const rules = await db.read((tx) => tx.select().from(iotAlarmRules).where(and(eq(iotAlarmRules.kind, 'no_data'), eq(iotAlarmRules.enabled, true))));
  for (const rule of rules) {
    await db.tx(async (tx) => {
      const points = await tx
        .select()
        .from(iotPoints)
        .where(and(eq(iotPoints.tenantId, rule.tenantId), isNull(iotPoints.archivedAt), rule.pointId ? eq(iotPoints.id, rule.pointId) : eq(iotPoints.type, rule.pointType ?? '')));
      const ctx = systemCtx(db, rule.tenantId, () => now);
      for (const p of points) {
        // Cheap pre-check before locking: most points are not silent.
        if (p.lastTs && now.getTime() - p.lastTs.getTime() < (rule.timeoutS ?? 0) * 1000) continue;
        const state = await lockRuleState(tx, rule.tenantId, p.id, rule.id);
        const o = evaluateSilence(ruleDef(rule), state, p.lastTs, p.createdAt, now);
        if (o.action === 'raise') {
          await applyOutcome(tx, ctx, p, rule, o, p.lastValue, now);
          raised++;
        }
        await saveRuleState(tx, p.id, rule.id, o.state);
      }
    });
  }
  const offline = await db.tx(async (tx) => {
    const gone = await tx
      .update(iotDevices)
      .set({ status: 'offline' })
      .where(and(eq(iotDevices.status, 'online'), isNull(iotDevices.archivedAt), lt(iotDevices.lastSeenAt, sql`${now.toISOString()}::timestamptz - make_interval(secs => ${iotDevices.offlineAfterS})`)))
      .returning({ id: iotDevices.id, tenantId: iotDevices.tenantId, code: iotDevices.code });
    for (const d of gone) await publishEvent(tx, systemCtx(db, d.tenantId, () => now), { type: 'iot.device.offline', entityType: 'iot_device', entityId: d.id, payload: { deviceId: d.id, code: d.code } });
    return gone.length;
  });
  return { raised, offline };
}

/** Deletes raw readings and rollups past their point type's retention (BRIN on time keeps this cheap). */
export async function applyRetention(db: Database, now: Date): Promise<{ readings: number; rollups: number }> {
  const types = await db.read((tx) => tx.select().from(iotPointTypes));
  let readings = 0;
  let rollups = 0;
  for (const t of types) {
    await db.tx(async (tx) => {
      const points = tx
        .select({ id: iotPoints.id })
        .from(iotPoints)
        .where(and(eq(iotPoints.tenantId, t.tenantId), eq(iotPoints.type, t.code)));
      const rawCut = new Date(now.getTime() - t.rawRetentionDays * 86_400_000);
      const rollCut = new Date(now.getTime() - t.rollupRetentionDays * 86_400_000);
      const r = await tx
        .delete(iotReadings)
        .where(and(eq(iotReadings.tenantId, t.tenantId), lt(iotReadings.ts, rawCut), inArray(iotReadings.pointId, points)))
        .returning({ ts: iotReadings.ts });
      const u = await tx
        .delete(iotRollups)
        .where(and(eq(iotRollups.tenantId, t.tenantId), lt(iotRollups.bucket, rollCut), inArray(iotRollups.pointId, points)))
        .returning({ b: iotRollups.bucket });
      readings += r.length;
      rollups += u.length;
    });
  }
  return { readings, rollups };
}

registerJobHandler(ESCALATE_KIND, escalate);
registerJobHandler(UNSHELVE_KIND, unshelve);
registerJobHandler(SWEEP_KIND, async ({ db, now }) => {
  await sweepSilence(db, now);
});
registerJobHandler(RETENTION_KIND, async ({ db, now }) => {
  await applyRetention(db, now);
});
registerSchedule({ name: 'iot.sweep.minute', cron: '* * * * *', kind: SWEEP_KIND });
registerSchedule({ name: 'iot.retention.nightly', cron: '15 3 * * *', kind: RETENTION_KIND });
