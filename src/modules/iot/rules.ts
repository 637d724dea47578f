import { and, asc, eq, type SQL } from 'drizzle-orm';
import { recordChange } from '../../platform/audit/record.ts';
import type { Ctx } from '../../platform/auth/actor.ts';
import { requirePermission } from '../../platform/auth/scope.ts';
import type { Tx } from '../../platform/db/client.ts';
import { newId } from '../../platform/db/columns.ts';
import { invalid, notFound } from '../../platform/http/errors.ts';
import { versionConflict } from '../../platform/org/sqlHelpers.ts';
import { ensureIotDefaults, pointTypeExists } from './defaults.ts';
import { iotPermissions as P } from './permissions.ts';
import { alarmSeverities, iotAlarmRules, iotPoints, iotRuleStates, ruleKinds, type AlarmSeverity, type RuleKind } from './schema.ts';

/** Alarm rules per point or per point type (tenant configuration): CRUD with validation, audited. */

export type RuleRow = typeof iotAlarmRules.$inferSelect;

export interface RuleInput {
  pointId?: string | null;
  pointType?: string | null;
  name: string;
  kind: RuleKind;
  limit?: number | null;
  deadband?: number;
  onDelayS?: number;
  consecutive?: number;
  timeoutS?: number | null;
  severity: AlarmSeverity;
  enabled?: boolean;
}

/** The rule's own consistency: what each kind needs. */
export function checkRule(r: RuleInput): void {
  if (!ruleKinds.includes(r.kind)) throw invalid('kind', 'enum', `kind: one of ${ruleKinds.join(', ')}`);
  if (!alarmSeverities.includes(r.severity)) throw invalid('severity', 'enum', `severity: one of ${alarmSeverities.join(', ')}`);
  if (Boolean(r.pointId) === Boolean(r.pointType)) throw invalid('pointId', 'oneOf', 'pointId or pointType: exactly one of them');
  if (r.kind === 'no_data') {
    if (!r.timeoutS || r.timeoutS < 10) throw invalid('timeoutS', 'minimum', 'timeoutS: a no_data rule needs a timeout of at least 10 s');
  } else if (r.limit === null || r.limit === undefined || !Number.isFinite(r.limit)) {
    throw invalid('limit', 'required', `limit: a ${r.kind} rule needs a limit`);
  }
  if (r.kind === 'rate_of_change' && (r.limit ?? 0) <= 0) throw invalid('limit', 'minimum', 'limit: a rate of change (per minute) must be positive');
  if ((r.deadband ?? 0) < 0) throw invalid('deadband', 'minimum', 'deadband: 0 or more');
  if (r.onDelayS !== undefined && (r.onDelayS < 0 || r.onDelayS > 86_400)) throw invalid('onDelayS', 'range', 'onDelayS: 0 to 86400');
  if (r.consecutive !== undefined && (r.consecutive < 1 || r.consecutive > 1000)) throw invalid('consecutive', 'range', 'consecutive: 1 to 1000');
}

async function checkTarget(tx: Tx, tenantId: string, r: RuleInput): Promise<void> {
  if (r.pointId) {
    const [p] = await tx
      .select({ id: iotPoints.id })
      .from(iotPoints)
      .where(and(eq(iotPoints.tenantId, tenantId), eq(iotPoints.id, r.pointId)));
    if (!p) throw invalid('pointId', 'exists', `pointId: no point ${r.pointId}`);
  } else if (r.pointType) {
    await ensureIotDefaults(tx, tenantId);
    if (!(await pointTypeExists(tx, tenantId, r.pointType))) throw invalid('pointType', 'exists', `pointType: no point type ${r.pointType}`);
  }
}

const view = (r: RuleRow) => ({ pointId: r.pointId, pointType: r.pointType, name: r.name, kind: r.kind, limit: r.limit, deadband: r.deadband, onDelayS: r.onDelayS, consecutive: r.consecutive, timeoutS: r.timeoutS, severity: r.severity, enabled: r.enabled, version: r.version });

export async function createRule(ctx: Ctx, input: RuleInput): Promise<RuleRow> {
  requirePermission(ctx.actor, P.configure);
  checkRule(input);
  return ctx.db.tx(async (tx) => {
    const tenantId = ctx.actor.tenantId;
    await checkTarget(tx, tenantId, input);
    const now = ctx.now();
    const [r] = await tx
      .insert(iotAlarmRules)
      .values({
        id: newId(),
        tenantId,
        pointId: input.pointId ?? null,
        pointType: input.pointType ?? null,
        name: input.name.trim(),
        kind: input.kind,
        limit: input.kind === 'no_data' ? null : (input.limit ?? null),
        deadband: input.deadband ?? 0,
        onDelayS: input.onDelayS ?? 0,
        consecutive: input.consecutive ?? 1,
        timeoutS: input.kind === 'no_data' ? (input.timeoutS ?? null) : null,
        severity: input.severity,
        enabled: input.enabled ?? true,
        createdAt: now,
        createdBy: ctx.actor.userId,
        updatedAt: now,
        updatedBy: ctx.actor.userId,
      })
      .returning();
    await recordChange(tx, ctx, { action: 'iot.rule.created', entityType: 'iot_alarm_rule', entityId: r!.id, after: view(r!) }, { type: 'iot.rule.created', entityType: 'iot_alarm_rule', entityId: r!.id, payload: { ruleId: r!.id, kind: r!.kind } });
    return r!;
  });
}

export type RulePatch = Partial<Omit<RuleInput, 'pointId' | 'pointType' | 'kind'>>;

export async function updateRule(ctx: Ctx, id: string, patch: RulePatch, version: number): Promise<RuleRow> {
  requirePermission(ctx.actor, P.configure);
  return ctx.db.tx(async (tx) => {
    const [r] = await tx
      .select()
      .from(iotAlarmRules)
      .where(and(eq(iotAlarmRules.id, id), eq(iotAlarmRules.tenantId, ctx.actor.tenantId)))
      .for('update');
    if (!r) throw notFound('rule');
    if (r.version !== version) throw versionConflict(r.version);
    const merged: RuleInput = { ...view(r), ...Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) } as RuleInput;
    checkRule(merged);
    const [after] = await tx
      .update(iotAlarmRules)
      .set({ name: merged.name.trim(), limit: merged.limit ?? null, deadband: merged.deadband ?? 0, onDelayS: merged.onDelayS ?? 0, consecutive: merged.consecutive ?? 1, timeoutS: merged.timeoutS ?? null, severity: merged.severity, enabled: merged.enabled ?? true, updatedAt: ctx.now(), updatedBy: ctx.actor.userId, version: r.version + 1 })
      .where(eq(iotAlarmRules.id, id))
      .returning();
    // New limits: on-delay and consecutive counts start again (the latch stays with its open alarm).
    await tx.update(iotRuleStates).set({ breachSince: null, breachCount: 0 }).where(eq(iotRuleStates.ruleId, id));
    await recordChange(tx, ctx, { action: 'iot.rule.updated', entityType: 'iot_alarm_rule', entityId: id, before: view(r), after: view(after!) }, { type: 'iot.rule.updated', entityType: 'iot_alarm_rule', entityId: id, payload: { ruleId: id } });
    return after!;
  });
}

export async function listRules(ctx: Ctx, f: { pointId?: string; pointType?: string } = {}): Promise<RuleRow[]> {
  requirePermission(ctx.actor, P.read);
  return ctx.db.read(async (tx) => {
    const conds: SQL[] = [eq(iotAlarmRules.tenantId, ctx.actor.tenantId)];
    if (f.pointId) conds.push(eq(iotAlarmRules.pointId, f.pointId));
    if (f.pointType) conds.push(eq(iotAlarmRules.pointType, f.pointType));
    return tx
      .select()
      .from(iotAlarmRules)
      .where(and(...conds))
      .orderBy(asc(iotAlarmRules.createdAt))
      .limit(1000);
  });
}
