import type { RuleKind } from './schema.ts';

/**
 * Alarm rule evaluation as pure functions (DESIGN: lifecycles are pure, tested without a database).
 *
 * A rule on a point carries a small memory (`RuleState`): whether its alarm condition is latched, since when
 * and for how many consecutive readings the limit has been exceeded, and the previous reading (for rate of
 * change). Each reading turns (rule, state) into a new state and at most one action:
 *   raise   the condition has held for `consecutive` readings and `onDelayS` seconds (ISA-18.2 on-delay)
 *   update  latched and still beyond the clear point: the open alarm is updated, never duplicated
 *   clear   latched and back past the limit by the deadband (hysteresis, so a value hovering at the limit
 *           does not chatter)
 */

export interface RuleDef {
  kind: RuleKind;
  limit: number | null;
  deadband: number;
  onDelayS: number;
  consecutive: number;
  timeoutS: number | null;
}

export interface RuleState {
  latched: boolean;
  breachSince: Date | null;
  breachCount: number;
  prevValue: number | null;
  prevTs: Date | null;
}

export interface Reading {
  value: number;
  ts: Date;
}

export type Action = 'none' | 'raise' | 'update' | 'clear';

export interface Outcome {
  state: RuleState;
  action: Action;
  /** The measured quantity compared with the limit: the value, or the rate per minute. */
  measured: number | null;
}

export const emptyState = (): RuleState => ({ latched: false, breachSince: null, breachCount: 0, prevValue: null, prevTs: null });

const isHigh = (k: RuleKind) => k === 'high' || k === 'high_high' || k === 'rate_of_change';

/** Beyond the limit (alarm side), and past the clear point (limit moved back by the deadband). */
function judge(kind: RuleKind, limit: number, deadband: number, measured: number): { beyond: boolean; cleared: boolean } {
  const db = Math.max(0, deadband);
  if (isHigh(kind)) return { beyond: measured > limit, cleared: measured <= limit - db };
  return { beyond: measured < limit, cleared: measured >= limit + db };
}

/** Units per minute between two readings; null without a usable previous reading. */
export function ratePerMinute(prevValue: number | null, prevTs: Date | null, r: Reading): number | null {
  if (prevValue === null || prevTs === null) return null;
  const minutes = (r.ts.getTime() - prevTs.getTime()) / 60_000;
  if (minutes <= 0) return null;
  return Math.abs(r.value - prevValue) / minutes;
}

/** One reading against one value-based rule (every kind but no_data). */
export function evaluateReading(rule: RuleDef, state: RuleState, r: Reading): Outcome {
  const withPrev = (s: RuleState): RuleState => ({ ...s, prevValue: r.value, prevTs: r.ts });
  // Readings older than the last one seen (a late batch) are stored but do not move the evaluation backwards.
  if (state.prevTs && r.ts.getTime() < state.prevTs.getTime()) return { state, action: 'none', measured: null };
  if (rule.kind === 'no_data') {
    // Any reading ends a no-data condition at once (no deadband for silence).
    return { state: withPrev({ ...state, latched: false, breachSince: null, breachCount: 0 }), action: state.latched ? 'clear' : 'none', measured: r.value };
  }
  if (rule.limit === null) return { state: withPrev(state), action: 'none', measured: null };
  const measured = rule.kind === 'rate_of_change' ? ratePerMinute(state.prevValue, state.prevTs, r) : r.value;
  if (measured === null) return { state: withPrev(state), action: 'none', measured: null };
  const { beyond, cleared } = judge(rule.kind, rule.limit, rule.deadband, measured);

  if (state.latched) {
    if (cleared) return { state: withPrev({ ...state, latched: false, breachSince: null, breachCount: 0 }), action: 'clear', measured };
    // Inside the deadband, or still beyond: the alarm stays; a reading beyond the limit updates it.
    return { state: withPrev(state), action: beyond ? 'update' : 'none', measured };
  }
  if (!beyond) return { state: withPrev({ ...state, breachSince: null, breachCount: 0 }), action: 'none', measured };
  const breachSince = state.breachSince ?? r.ts;
  const breachCount = state.breachCount + 1;
  const heldS = (r.ts.getTime() - breachSince.getTime()) / 1000;
  const due = breachCount >= Math.max(1, rule.consecutive) && heldS >= Math.max(0, rule.onDelayS);
  return { state: withPrev({ ...state, latched: due, breachSince, breachCount }), action: due ? 'raise' : 'none', measured };
}

/** A no-data rule at `now`, for a point last heard from at `lastTs` (null = never). */
export function evaluateSilence(rule: RuleDef, state: RuleState, lastTs: Date | null, since: Date, now: Date): Outcome {
  if (rule.kind !== 'no_data' || !rule.timeoutS) return { state, action: 'none', measured: null };
  const from = lastTs ?? since;
  const silentS = (now.getTime() - from.getTime()) / 1000;
  if (state.latched || silentS < rule.timeoutS) return { state, action: 'none', measured: null };
  return { state: { ...state, latched: true, breachSince: from, breachCount: 0 }, action: 'raise', measured: silentS };
}

/** Whether a value is worse than another for this rule (the alarm's peak). */
export function worse(kind: RuleKind, a: number, b: number | null): boolean {
  if (b === null) return true;
  return kind === 'low' || kind === 'low_low' ? a < b : a > b;
}
