import { and, asc, eq, gte, inArray, lt, sql, type SQL } from 'drizzle-orm';
import { recordChange } from '../../platform/audit/record.ts';
import type { Ctx } from '../../platform/auth/actor.ts';
import { requirePermission, scopeWhere } from '../../platform/auth/scope.ts';
import type { Tx } from '../../platform/db/client.ts';
import { invalid } from '../../platform/http/errors.ts';
import { activeUnit } from '../../platform/org/directory.ts';
import { orgUnits } from '../../platform/org/schema.ts';
import { versionConflict } from '../../platform/org/sqlHelpers.ts';
import { iotPermissions as P } from './permissions.ts';
import { iotAlarmEvents, iotAlarmRules, iotAlarms, iotHealthSettings, iotPoints, iotReadings, type AlarmSeverity, type RuleKind } from './schema.ts';

/**
 * Alarm health after ISA-18.2 and EEMUA 191: how many alarms an operator faces per 10 min and per hour,
 * floods, chattering / fleeting / stale alarms, the priority split against the EEMUA target, the "bad
 * actors", and for each chattering point a suggested deadband or on-delay computed from its own history.
 *
 * Definitions (docs/iot.md, "Alarm health"):
 * - An **activation** is an alarm annunciation: an alarm raised, or an open (cleared, unacknowledged) alarm
 *   whose condition returned (event `updated` with `retriggered`).
 * - **Operators** are the distinct people who acknowledged at least one alarm of the area (or tenant) in the
 *   period; rates per operator divide by that count (by 1 when nobody acknowledged: one console).
 * - A **flood** begins when more than `floodCount` activations fall in a trailing `floodWindowMin` window and
 *   ends when that trailing count drops below `floodEndCount` (ISA-18.2 hysteresis 10 → 5), so one storm is
 *   one flood however the clock's 10-minute buckets cut it.
 * - **Chattering**: one (point, rule) activating at least `chatterCount` times within `chatterWindowS`.
 * - **Fleeting**: an activation cleared by the process within `fleetingS` seconds.
 * - **Stale**: still active (acknowledged or not) more than `staleHours` after it was raised.
 */

export type HealthSettingsRow = typeof iotHealthSettings.$inferSelect;

export const DEFAULT_HEALTH_SETTINGS = {
  floodCount: 10,
  floodEndCount: 5,
  floodWindowMin: 10,
  chatterCount: 3,
  chatterWindowS: 60,
  fleetingS: 5,
  staleHours: 24,
  targetPer10Min: 1,
  targetPerHour: 6,
  targetHighPct: 5,
  targetMediumPct: 15,
  targetLowPct: 80,
} as const;

export type HealthSettings = { -readonly [K in keyof typeof DEFAULT_HEALTH_SETTINGS]: number };

/** Longest period one health report covers: beyond that the raw events are the wrong tool. */
export const MAX_HEALTH_DAYS = 31;
/** Activations read for one report; more marks the report truncated rather than exhausting memory. */
export const MAX_HEALTH_EVENTS = 100_000;
const MAX_SUGGESTIONS = 20;
const MAX_SUGGESTION_READINGS = 20_000;

export async function ensureHealthSettings(tx: Tx, tenantId: string): Promise<HealthSettingsRow> {
  const [existing] = await tx.select().from(iotHealthSettings).where(eq(iotHealthSettings.tenantId, tenantId));
  if (existing) return existing;
  await tx
    .insert(iotHealthSettings)
    .values({ tenantId, ...DEFAULT_HEALTH_SETTINGS })
    .onConflictDoNothing();
  const [row] = await tx.select().from(iotHealthSettings).where(eq(iotHealthSettings.tenantId, tenantId));
  if (!row) throw new Error('iot health settings vanished');
  return row;
}

const settingsOf = (r: HealthSettingsRow): HealthSettings & { version: number } => ({
  floodCount: r.floodCount,
  floodEndCount: r.floodEndCount,
  floodWindowMin: r.floodWindowMin,
  chatterCount: r.chatterCount,
  chatterWindowS: r.chatterWindowS,
  fleetingS: r.fleetingS,
  staleHours: r.staleHours,
  targetPer10Min: r.targetPer10Min,
  targetPerHour: r.targetPerHour,
  targetHighPct: r.targetHighPct,
  targetMediumPct: r.targetMediumPct,
  targetLowPct: r.targetLowPct,
  version: r.version,
});

export async function getHealthSettings(ctx: Ctx): Promise<HealthSettings & { version: number }> {
  requirePermission(ctx.actor, P.read);
  return ctx.db.tx(async (tx) => settingsOf(await ensureHealthSettings(tx, ctx.actor.tenantId)));
}

export function checkHealthSettings(s: HealthSettings): void {
  const whole = (field: keyof HealthSettings, min: number, max: number) => {
    const v = s[field];
    if (!Number.isInteger(v) || v < min || v > max) throw invalid(field, 'range', `${field}: a whole number from ${min} to ${max}`);
  };
  whole('floodCount', 1, 10_000);
  whole('floodEndCount', 0, 10_000);
  whole('floodWindowMin', 1, 1440);
  whole('chatterCount', 2, 1000);
  whole('chatterWindowS', 1, 3600);
  whole('fleetingS', 1, 3600);
  whole('staleHours', 1, 24 * 90);
  if (s.floodEndCount > s.floodCount) throw invalid('floodEndCount', 'maximum', 'floodEndCount: at most floodCount (a flood ends below the count that began it)');
  for (const f of ['targetPer10Min', 'targetPerHour'] as const) if (!(s[f] > 0) || s[f] > 10_000) throw invalid(f, 'range', `${f}: more than 0`);
  for (const f of ['targetHighPct', 'targetMediumPct', 'targetLowPct'] as const) if (!(s[f] >= 0 && s[f] <= 100)) throw invalid(f, 'range', `${f}: 0 to 100`);
  if (Math.abs(s.targetHighPct + s.targetMediumPct + s.targetLowPct - 100) > 0.01) throw invalid('targetLowPct', 'sum', 'targetHighPct + targetMediumPct + targetLowPct: must add up to 100');
}

export async function updateHealthSettings(ctx: Ctx, patch: Partial<HealthSettings>, version: number): Promise<HealthSettings & { version: number }> {
  requirePermission(ctx.actor, P.configure);
  return ctx.db.tx(async (tx) => {
    const before = await ensureHealthSettings(tx, ctx.actor.tenantId);
    const [locked] = await tx.select().from(iotHealthSettings).where(eq(iotHealthSettings.tenantId, ctx.actor.tenantId)).for('update');
    const cur = locked ?? before;
    if (cur.version !== version) throw versionConflict(cur.version);
    const merged: HealthSettings = { ...settingsOf(cur), ...Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) };
    checkHealthSettings(merged);
    const [after] = await tx
      .update(iotHealthSettings)
      .set({ ...merged, version: cur.version + 1, updatedAt: ctx.now(), updatedBy: ctx.actor.userId })
      .where(eq(iotHealthSettings.tenantId, ctx.actor.tenantId))
      .returning();
    await recordChange(tx, ctx, { action: 'iot.health_settings.updated', entityType: 'iot_health_settings', entityId: ctx.actor.tenantId, before: settingsOf(cur), after: settingsOf(after!) }, { type: 'iot.health_settings.updated', entityType: 'iot_health_settings', entityId: ctx.actor.tenantId, payload: {} });
    return settingsOf(after!);
  });
}

// ---------------------------------------------------------------------------------------------------------
// Pure figures (unit-tested without a database)
// ---------------------------------------------------------------------------------------------------------

export interface Flood {
  start: number;
  end: number;
  /** Activations from the flood's start to its end. */
  count: number;
  /** Highest trailing-window count reached. */
  peak: number;
}

/**
 * Floods over sorted activation times (ms): a sweep over "enters" (an activation) and "exits" (an
 * activation leaving the trailing window), so the trailing count is exact at every instant.
 */
export function floodsOf(times: readonly number[], cfg: { floodCount: number; floodEndCount: number; floodWindowMin: number }, until: number): Flood[] {
  const w = cfg.floodWindowMin * 60_000;
  const floods: Flood[] = [];
  let inWin = 0;
  let exitIdx = 0;
  let current: (Flood & { firstIdx: number }) | null = null;
  const closeAt = (at: number, idx: number) => {
    if (!current) return;
    floods.push({ start: current.start, end: at, count: idx - current.firstIdx, peak: current.peak });
    current = null;
  };
  for (let i = 0; i <= times.length; i++) {
    const next = i < times.length ? times[i]! : Number.POSITIVE_INFINITY;
    // Exits due before (or at) this activation: the window is (t − w, t], so t₀ + w no longer counts t₀.
    while (exitIdx < i && times[exitIdx]! + w <= next) {
      const at = times[exitIdx]! + w;
      inWin--;
      exitIdx++;
      if (current && inWin < cfg.floodEndCount) closeAt(Math.min(at, until), i);
    }
    if (i === times.length) break;
    inWin++;
    if (!current && inWin > cfg.floodCount) {
      // The flood started with the first activation still inside the window that tipped it over.
      const firstIdx = exitIdx;
      current = { start: times[firstIdx]!, end: 0, count: 0, peak: inWin, firstIdx };
    } else if (current) current.peak = Math.max(current.peak, inWin);
  }
  if (current) closeAt(until, times.length);
  return floods;
}

/** The most activations of one series inside any window of `windowMs` (sorted times). */
export function maxInWindow(times: readonly number[], windowMs: number): number {
  let best = 0;
  let lo = 0;
  for (let hi = 0; hi < times.length; hi++) {
    while (times[hi]! - times[lo]! >= windowMs) lo++;
    best = Math.max(best, hi - lo + 1);
  }
  return best;
}

/** Nearest-rank percentile (p in 0..1) of a non-empty list. */
export function percentile(values: readonly number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length, Math.max(1, Math.ceil(p * s.length))) - 1]!;
}

/** The smallest 1 / 2 / 2.5 / 5 × 10ⁿ strictly above x (x > 0): a deadband a person would type. */
export function niceAbove(x: number): number {
  let exp = Math.floor(Math.log10(x));
  for (;;) {
    for (const m of [1, 2, 2.5, 5]) {
      const v = Number((m * 10 ** exp).toPrecision(6));
      if (v > x) return v;
    }
    exp++;
  }
}

const NICE_SECONDS = [1, 2, 3, 5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 300, 600, 900, 1800, 3600];
export const niceSecondsAbove = (s: number): number => NICE_SECONDS.find((v) => v > s) ?? Math.ceil(s / 3600 + 1) * 3600;

export interface Reading {
  ts: number;
  value: number;
}

export interface Episode {
  /** Activation time (ms). */
  on: number;
  /** Clear time (ms), null while still active. */
  off: number | null;
  /** The reading that cleared it, when the event recorded one. */
  offValue: number | null;
}

export interface Suggestion {
  /** Deadband that would have kept every (95th percentile) return from clearing, or null when none can. */
  deadband: number | null;
  /** On-delay that would have kept the short activations (95th percentile) from raising. */
  onDelayS: number | null;
  recommended: 'deadband' | 'onDelay' | null;
  /** How far the value went back inside the limit between a clear and the next activation. */
  returnDepths: number[];
  /** How long the short activations lasted (s). */
  pulseSeconds: number[];
  /** The largest deadband recommended before an on-delay is preferred (5 % of the span). */
  deadbandCap: number;
}

const isHigh = (k: RuleKind) => k === 'high' || k === 'high_high';
const isLow = (k: RuleKind) => k === 'low' || k === 'low_low';

/**
 * The suggestion for one chattering (point, rule), from its episodes and raw readings:
 * - deadband: for each clear followed by a new activation within the chatter window, the depth the value
 *   reached back inside the limit (high: limit − lowest reading until the next activation; low: mirrored).
 *   A deadband above the 95th percentile of those depths (rounded up to 1/2/2.5/5×10ⁿ) would have kept
 *   the alarm latched through them, so it would not have chattered.
 * - on-delay: for each activation cleared within the chatter window, its duration; an on-delay above the
 *   95th percentile (rounded up to a round number of seconds) would not have raised them at all.
 * - recommended: the deadband when it stays within 5 % of the point's span (EEMUA 191 puts deadbands at
 *   about 1–5 % of range) and is larger than the rule's present one; otherwise the on-delay.
 */
export function suggestFor(rule: { kind: RuleKind; limit: number | null; deadband: number; onDelayS: number }, span: number | null, episodes: readonly Episode[], readings: readonly Reading[], chatterWindowS: number): Suggestion {
  const win = chatterWindowS * 1000;
  const depths: number[] = [];
  const pulses: number[] = [];
  const threshold = isHigh(rule.kind) || isLow(rule.kind);
  for (let i = 0; i < episodes.length; i++) {
    const e = episodes[i]!;
    if (e.off === null) continue;
    if (e.off - e.on <= win) pulses.push((e.off - e.on) / 1000);
    const next = episodes[i + 1];
    if (!threshold || rule.limit === null || !next || next.on - e.off > win) continue;
    const inside = readings.filter((r) => r.ts >= e.off! && r.ts < next.on).map((r) => r.value);
    if (e.offValue !== null) inside.push(e.offValue);
    if (inside.length === 0) continue;
    const depth = isHigh(rule.kind) ? rule.limit - Math.min(...inside) : Math.max(...inside) - rule.limit;
    if (depth > 0) depths.push(Number(depth.toPrecision(10)));
  }
  const cap = 0.05 * (span && span > 0 ? span : Math.abs(rule.limit ?? 0));
  let deadband = depths.length ? niceAbove(percentile(depths, 0.95)) : null;
  if (deadband !== null && deadband <= rule.deadband) deadband = null;
  const onDelayS = pulses.length ? niceSecondsAbove(Math.max(percentile(pulses, 0.95), rule.onDelayS)) : null;
  const recommended = deadband !== null && (cap === 0 || deadband <= cap) ? 'deadband' : onDelayS !== null ? 'onDelay' : deadband !== null ? 'deadband' : null;
  return { deadband, onDelayS, recommended, returnDepths: depths, pulseSeconds: pulses, deadbandCap: Number(cap.toPrecision(6)) };
}

// ---------------------------------------------------------------------------------------------------------
// The report
// ---------------------------------------------------------------------------------------------------------

export interface HealthQuery {
  from?: string;
  to?: string;
  orgUnitId?: string;
}

export interface PointRef {
  pointId: string;
  pointCode: string | null;
  pointName: string | null;
  ruleId: string;
  ruleName: string | null;
  kind: RuleKind;
  severity: AlarmSeverity;
}

export interface ChatteringItem extends PointRef {
  activations: number;
  maxInWindow: number;
  rule: { limit: number | null; deadband: number; onDelayS: number; version: number; perPoint: boolean } | null;
  suggestion: Suggestion | null;
}

export interface HealthReport {
  from: string;
  to: string;
  orgUnitId: string | null;
  settings: HealthSettings & { version: number };
  truncated: boolean;
  activations: number;
  operators: number;
  rates: {
    avgPer10Min: number;
    peakPer10Min: number;
    avgPerHour: number;
    peakPerHour: number;
    /** Share of 10-minute intervals above the per-operator target. */
    pctIntervalsOver10MinTarget: number;
  };
  floods: { count: number; pctTimeInFlood: number; items: { start: string; end: string; count: number; peak: number }[] };
  chattering: ChatteringItem[];
  fleeting: { count: number; items: (PointRef & { count: number })[] };
  stale: { count: number; items: (PointRef & { alarmId: string; raisedAt: string; hours: number; state: string })[] };
  priority: { severity: Record<AlarmSeverity, number>; groups: { group: 'high' | 'medium' | 'low'; count: number; pct: number; targetPct: number }[] };
  topContributors: (PointRef & { activations: number; pct: number })[];
}

const round = (v: number, d = 2) => Math.round(v * 10 ** d) / 10 ** d;

/** Alarms of the actor's scope, narrowed to an area (the unit and everything below it) when asked. */
function alarmScope(ctx: Ctx, areaPath: string | null): SQL {
  const conds: SQL[] = [scopeWhere(ctx.actor, { tenantId: iotAlarms.tenantId, orgUnitId: iotAlarms.orgUnitId })];
  if (areaPath !== null) conds.push(sql`${iotAlarms.orgUnitId} IN (SELECT ${orgUnits.id} FROM ${orgUnits} WHERE ${orgUnits.tenantId} = ${ctx.actor.tenantId} AND ${orgUnits.path} LIKE ${areaPath + '%'})`);
  return and(...conds) as SQL;
}

export async function alarmHealth(ctx: Ctx, q: HealthQuery): Promise<HealthReport> {
  requirePermission(ctx.actor, P.read);
  const to = q.to ? new Date(q.to) : ctx.now();
  const from = q.from ? new Date(q.from) : new Date(to.getTime() - 7 * 86_400_000);
  if (Number.isNaN(from.getTime())) throw invalid('from', 'format', 'from: an ISO 8601 time');
  if (Number.isNaN(to.getTime())) throw invalid('to', 'format', 'to: an ISO 8601 time');
  if (to.getTime() <= from.getTime()) throw invalid('to', 'minimum', 'to: must be after from');
  if (to.getTime() - from.getTime() > MAX_HEALTH_DAYS * 86_400_000) throw invalid('from', 'range', `from: at most ${MAX_HEALTH_DAYS} days before to`);
  const tenantId = ctx.actor.tenantId;
  return ctx.db.tx(async (tx) => {
    const settings = settingsOf(await ensureHealthSettings(tx, tenantId));
    const area = q.orgUnitId ? await activeUnit(tx, tenantId, q.orgUnitId, 'orgUnitId') : null;
    const scope = alarmScope(ctx, area?.path ?? null);
    const rows = await tx
      .select({ alarmId: iotAlarmEvents.alarmId, kind: iotAlarmEvents.kind, at: iotAlarmEvents.at, by: iotAlarmEvents.byUserId, value: iotAlarmEvents.value, data: iotAlarmEvents.data, pointId: iotAlarms.pointId, ruleId: iotAlarms.ruleId, ruleKind: iotAlarms.kind, severity: iotAlarms.severity })
      .from(iotAlarmEvents)
      .innerJoin(iotAlarms, eq(iotAlarms.id, iotAlarmEvents.alarmId))
      .where(and(scope, gte(iotAlarmEvents.at, from), lt(iotAlarmEvents.at, to), inArray(iotAlarmEvents.kind, ['raised', 'updated', 'cleared', 'acknowledged'])))
      .orderBy(asc(iotAlarmEvents.at), asc(iotAlarmEvents.id))
      .limit(MAX_HEALTH_EVENTS + 1);
    const truncated = rows.length > MAX_HEALTH_EVENTS;
    const events = rows.slice(0, MAX_HEALTH_EVENTS);
    const isActivation = (e: (typeof events)[number]) => e.kind === 'raised' || (e.kind === 'updated' && e.data.retriggered === true);
    const activations = events.filter(isActivation);
    const operators = new Set(events.filter((e) => e.kind === 'acknowledged' && e.by).map((e) => e.by)).size;
    const perOp = Math.max(operators, 1);
    const spanMs = to.getTime() - from.getTime();
    const times = activations.map((e) => e.at.getTime());

    // Rates per operator: averages over the period, peaks over clock-aligned intervals.
    const buckets = (ms: number) => {
      const m = new Map<number, number>();
      for (const t of times) m.set(Math.floor(t / ms), (m.get(Math.floor(t / ms)) ?? 0) + 1);
      return m;
    };
    const b10 = buckets(600_000);
    const b60 = buckets(3_600_000);
    const intervals10 = Math.max(1, Math.ceil(spanMs / 600_000));
    const over = [...b10.values()].filter((n) => n / perOp > settings.targetPer10Min).length;
    const rates = {
      avgPer10Min: round(times.length / perOp / (spanMs / 600_000), 3),
      peakPer10Min: round(Math.max(0, ...b10.values()) / perOp, 3),
      avgPerHour: round(times.length / perOp / (spanMs / 3_600_000), 3),
      peakPerHour: round(Math.max(0, ...b60.values()) / perOp, 3),
      pctIntervalsOver10MinTarget: round((100 * over) / intervals10, 1),
    };

    const floods = floodsOf(times, settings, to.getTime());
    const floodMs = floods.reduce((n, f) => n + (f.end - f.start), 0);

    // Per (point, rule): activations, episodes (activation → clear), fleeting.
    const series = new Map<string, { pointId: string; ruleId: string; kind: RuleKind; severity: AlarmSeverity; on: number[]; episodes: Episode[]; fleeting: number }>();
    const openEpisode = new Map<string, Episode>();
    for (const e of events) {
      const key = `${e.pointId}|${e.ruleId}`;
      let s = series.get(key);
      if (!s) {
        s = { pointId: e.pointId, ruleId: e.ruleId, kind: e.ruleKind, severity: e.severity, on: [], episodes: [], fleeting: 0 };
        series.set(key, s);
      }
      if (isActivation(e)) {
        const ep: Episode = { on: e.at.getTime(), off: null, offValue: null };
        s.on.push(ep.on);
        s.episodes.push(ep);
        openEpisode.set(key, ep);
      } else if (e.kind === 'cleared') {
        const ep = openEpisode.get(key);
        if (ep && ep.off === null) {
          ep.off = e.at.getTime();
          ep.offValue = e.value;
          // A clear by a person is not the process returning: only the process makes an alarm fleeting.
          if (!e.by && ep.off - ep.on < settings.fleetingS * 1000) s.fleeting++;
          openEpisode.delete(key);
        }
      }
    }

    const pointIds = [...new Set([...series.values()].map((s) => s.pointId))];
    const stale = await tx
      .select({ id: iotAlarms.id, pointId: iotAlarms.pointId, ruleId: iotAlarms.ruleId, kind: iotAlarms.kind, severity: iotAlarms.severity, raisedAt: iotAlarms.raisedAt, state: iotAlarms.state })
      .from(iotAlarms)
      .where(and(scope, inArray(iotAlarms.state, ['active_unack', 'active_ack']), lt(iotAlarms.raisedAt, new Date(ctx.now().getTime() - settings.staleHours * 3_600_000))))
      .orderBy(asc(iotAlarms.raisedAt))
      .limit(201);
    const allPointIds = [...new Set([...pointIds, ...stale.map((a) => a.pointId)])];
    const allRuleIds = [...new Set([...[...series.values()].map((s) => s.ruleId), ...stale.map((a) => a.ruleId)])];
    const points = allPointIds.length ? await tx.select().from(iotPoints).where(and(eq(iotPoints.tenantId, tenantId), inArray(iotPoints.id, allPointIds))) : [];
    const rules = allRuleIds.length ? await tx.select().from(iotAlarmRules).where(and(eq(iotAlarmRules.tenantId, tenantId), inArray(iotAlarmRules.id, allRuleIds))) : [];
    const pointById = new Map(points.map((p) => [p.id, p]));
    const ruleById = new Map(rules.map((r) => [r.id, r]));
    const ref = (s: { pointId: string; ruleId: string; kind: RuleKind; severity: AlarmSeverity }): PointRef => ({
      pointId: s.pointId,
      pointCode: pointById.get(s.pointId)?.code ?? null,
      pointName: pointById.get(s.pointId)?.name ?? null,
      ruleId: s.ruleId,
      ruleName: ruleById.get(s.ruleId)?.name ?? null,
      kind: s.kind,
      severity: s.severity,
    });

    const chatterers = [...series.values()]
      .map((s) => ({ s, max: maxInWindow(s.on, settings.chatterWindowS * 1000) }))
      .filter((c) => c.max >= settings.chatterCount)
      .sort((a, b) => b.s.on.length - a.s.on.length);
    const chattering: ChatteringItem[] = [];
    for (const [i, { s, max }] of chatterers.entries()) {
      const rule = ruleById.get(s.ruleId) ?? null;
      const point = pointById.get(s.pointId);
      let suggestion: Suggestion | null = null;
      if (rule && point && i < MAX_SUGGESTIONS) {
        const first = s.episodes[0]!.on;
        const last = Math.max(...s.episodes.map((e) => e.off ?? e.on));
        const readings = await tx
          .select({ ts: iotReadings.ts, value: iotReadings.value })
          .from(iotReadings)
          .where(and(eq(iotReadings.pointId, s.pointId), gte(iotReadings.ts, new Date(first)), lt(iotReadings.ts, new Date(last + 1))))
          .orderBy(asc(iotReadings.ts))
          .limit(MAX_SUGGESTION_READINGS);
        const span = point.rangeMin !== null && point.rangeMax !== null ? point.rangeMax - point.rangeMin : null;
        suggestion = suggestFor(rule, span, s.episodes, readings.map((r) => ({ ts: r.ts.getTime(), value: r.value })), settings.chatterWindowS);
      }
      chattering.push({ ...ref(s), activations: s.on.length, maxInWindow: max, rule: rule ? { limit: rule.limit, deadband: rule.deadband, onDelayS: rule.onDelayS, version: rule.version, perPoint: rule.pointId !== null } : null, suggestion });
    }

    const fleetingItems = [...series.values()].filter((s) => s.fleeting > 0).sort((a, b) => b.fleeting - a.fleeting);
    const sev: Record<AlarmSeverity, number> = { critical: 0, major: 0, minor: 0, warning: 0 };
    for (const a of activations) sev[a.severity]++;
    const total = activations.length;
    const pct = (n: number) => (total ? round((100 * n) / total, 1) : 0);
    // EEMUA 191 has three priorities; the four severities map critical → high, major → medium, the rest → low.
    const groups = [
      { group: 'high' as const, count: sev.critical, targetPct: settings.targetHighPct },
      { group: 'medium' as const, count: sev.major, targetPct: settings.targetMediumPct },
      { group: 'low' as const, count: sev.minor + sev.warning, targetPct: settings.targetLowPct },
    ].map((g) => ({ ...g, pct: pct(g.count) }));
    const nowMs = ctx.now().getTime();

    return {
      from: from.toISOString(),
      to: to.toISOString(),
      orgUnitId: area?.id ?? null,
      settings,
      truncated,
      activations: total,
      operators,
      rates,
      floods: { count: floods.length, pctTimeInFlood: round((100 * floodMs) / spanMs, 2), items: floods.slice(0, 100).map((f) => ({ start: new Date(f.start).toISOString(), end: new Date(f.end).toISOString(), count: f.count, peak: f.peak })) },
      chattering,
      fleeting: { count: fleetingItems.reduce((n, s) => n + s.fleeting, 0), items: fleetingItems.slice(0, 50).map((s) => ({ ...ref(s), count: s.fleeting })) },
      stale: { count: stale.length, items: stale.slice(0, 200).map((a) => ({ ...ref(a), alarmId: a.id, raisedAt: a.raisedAt.toISOString(), hours: round((nowMs - a.raisedAt.getTime()) / 3_600_000, 1), state: a.state })) },
      priority: { severity: sev, groups },
      topContributors: [...series.values()]
        .filter((s) => s.on.length > 0)
        .sort((a, b) => b.on.length - a.on.length)
        .slice(0, 10)
        .map((s) => ({ ...ref(s), activations: s.on.length, pct: pct(s.on.length) })),
    };
  });
}
