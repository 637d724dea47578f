import { and, eq, sql } from 'drizzle-orm';
import type { Ctx } from '../../platform/auth/actor.ts';
import type { Tx } from '../../platform/db/client.ts';
import { newId } from '../../platform/db/columns.ts';
import { emptyState, worse, type Outcome, type RuleDef, type RuleState } from './evaluate.ts';
import { nextAlarmState } from './lifecycle.ts';
import { armEscalation, cancelEscalation, openAlarmFor, recordAlarmEvent, type AlarmRow, type PointRow } from './alarmStore.ts';
import { type iotAlarmRules, iotAlarms, iotRuleStates } from './schema.ts';
// Linkage commands are queued in the same transaction as the alarm change (sent after commit).
import { queueLinkage } from './linkage.ts';

/**
 * Turns rule outcomes into alarm rows: raise (or re-activate the one open alarm of the point and rule),
 * update it, or clear it, always with the rule state row locked so concurrent readings of one point are
 * evaluated one after the other and never raise two alarms (the partial unique index is the last guard).
 */

export type RuleRow = typeof iotAlarmRules.$inferSelect;

export const ruleDef = (r: RuleRow): RuleDef => ({ kind: r.kind, limit: r.limit, deadband: r.deadband, onDelayS: r.onDelayS, consecutive: r.consecutive, timeoutS: r.timeoutS });

/** The state row of (point, rule), created on first use, locked for the rest of the transaction. */
export async function lockRuleState(tx: Tx, tenantId: string, pointId: string, ruleId: string): Promise<RuleState> {
  await tx.insert(iotRuleStates).values({ tenantId, pointId, ruleId }).onConflictDoNothing();
  const [s] = await tx
    .select()
    .from(iotRuleStates)
    .where(and(eq(iotRuleStates.pointId, pointId), eq(iotRuleStates.ruleId, ruleId)))
    .for('update');
  if (!s) return emptyState();
  return { latched: s.latched, breachSince: s.breachSince, breachCount: s.breachCount, prevValue: s.prevValue, prevTs: s.prevTs };
}

export async function saveRuleState(tx: Tx, pointId: string, ruleId: string, s: RuleState): Promise<void> {
  await tx
    .update(iotRuleStates)
    .set({ latched: s.latched, breachSince: s.breachSince, breachCount: s.breachCount, prevValue: s.prevValue, prevTs: s.prevTs })
    .where(and(eq(iotRuleStates.pointId, pointId), eq(iotRuleStates.ruleId, ruleId)));
}

async function raise(tx: Tx, ctx: Ctx, point: PointRow, rule: RuleRow, value: number | null, at: Date): Promise<void> {
  const open = await openAlarmFor(tx, point.id, rule.id);
  if (open) {
    const next = nextAlarmState(open.state, 'retrigger') ?? open.state;
    const [after] = await tx
      .update(iotAlarms)
      .set({ state: next, lastValue: value, lastAt: at, peakValue: value !== null && worse(rule.kind, value, open.peakValue) ? value : open.peakValue, clearedAt: null, clearedBy: null, updateCount: sql`${iotAlarms.updateCount} + 1`, updatedAt: ctx.now(), version: open.version + 1 })
      .where(eq(iotAlarms.id, open.id))
      .returning();
    await recordAlarmEvent(tx, ctx, 'updated', open, after!, { value, data: { retriggered: true } });
    // Cleared (unacknowledged) and back: for the devices it is a new raise (start the fan again).
    if (open.state === 'cleared_unack') await queueLinkage(tx, ctx, after!, 'raised');
    if (next === 'active_unack' && open.state !== 'active_unack') await armEscalation(tx, ctx, after!);
    return;
  }
  const [a] = await tx
    .insert(iotAlarms)
    .values({ id: newId(), tenantId: point.tenantId, orgUnitId: point.orgUnitId, pointId: point.id, ruleId: rule.id, kind: rule.kind, severity: rule.severity, state: 'active_unack', limit: rule.kind === 'no_data' ? rule.timeoutS : rule.limit, raisedAt: at, raisedValue: value, lastValue: value, peakValue: value, lastAt: at, updatedAt: ctx.now() })
    .returning();
  await recordAlarmEvent(tx, ctx, 'raised', null, a!, { value });
  await queueLinkage(tx, ctx, a!, 'raised');
  await armEscalation(tx, ctx, a!);
}

async function update(tx: Tx, ctx: Ctx, point: PointRow, rule: RuleRow, value: number, at: Date): Promise<void> {
  const open = await openAlarmFor(tx, point.id, rule.id);
  if (!open) {
    // Latched without an open alarm: someone cleared it by hand while the condition held; raise anew.
    await raise(tx, ctx, point, rule, value, at);
    return;
  }
  // Telemetry on an open alarm, not a state change: no audit entry per reading (it would drown the log).
  await tx
    .update(iotAlarms)
    .set({ lastValue: value, lastAt: at, peakValue: worse(rule.kind, value, open.peakValue) ? value : open.peakValue, updateCount: sql`${iotAlarms.updateCount} + 1` })
    .where(eq(iotAlarms.id, open.id));
}

/** Clears the open alarm of (point, rule) by the condition returning to normal (or by a person). */
export async function clearOpenAlarm(tx: Tx, ctx: Ctx, open: AlarmRow, value: number | null, note: string | null): Promise<AlarmRow | null> {
  const next = nextAlarmState(open.state, 'clear');
  if (!next) return null;
  const [after] = await tx
    .update(iotAlarms)
    .set({ state: next, lastValue: value ?? open.lastValue, clearedAt: ctx.now(), clearedBy: ctx.actor.userId, updatedAt: ctx.now(), version: open.version + 1 })
    .where(eq(iotAlarms.id, open.id))
    .returning();
  await recordAlarmEvent(tx, ctx, 'cleared', open, after!, { value, note });
  await queueLinkage(tx, ctx, after!, 'cleared');
  await cancelEscalation(tx, open.id, ctx.now());
  return after!;
}

export async function applyOutcome(tx: Tx, ctx: Ctx, point: PointRow, rule: RuleRow, o: Outcome, value: number | null, at: Date): Promise<void> {
  if (o.action === 'raise') await raise(tx, ctx, point, rule, value, at);
  else if (o.action === 'update' && value !== null) await update(tx, ctx, point, rule, value, at);
  else if (o.action === 'clear') {
    const open = await openAlarmFor(tx, point.id, rule.id);
    if (open) await clearOpenAlarm(tx, ctx, open, value, null);
  }
}
