import { describe, expect, it } from 'vitest';
import { emptyState, evaluateReading, evaluateSilence, type Action, type RuleDef, type RuleState } from './evaluate.ts';
import { nextAlarmState } from './lifecycle.ts';

const t0 = new Date('2026-12-01T00:00:00Z');
const at = (s: number) => new Date(t0.getTime() + s * 1000);
const rule = (over: Partial<RuleDef>): RuleDef => ({ kind: 'high', limit: 50, deadband: 0, onDelayS: 0, consecutive: 1, timeoutS: null, ...over });

/** Feeds readings [seconds, value] and returns the actions in order. */
function run(r: RuleDef, readings: [number, number][], state: RuleState = emptyState()): Action[] {
  const actions: Action[] = [];
  let s = state;
  for (const [sec, value] of readings) {
    const o = evaluateReading(r, s, { ts: at(sec), value });
    s = o.state;
    actions.push(o.action);
  }
  return actions;
}

describe('threshold rules', () => {
  it('raises a high alarm once, updates it while beyond and clears below the limit', () => {
    expect(run(rule({}), [[0, 10], [1, 55], [2, 60], [3, 51], [4, 40], [5, 30]])).toEqual(['none', 'raise', 'update', 'update', 'clear', 'none']);
  });

  it('does not raise at exactly the high limit', () => {
    expect(run(rule({}), [[0, 50]])).toEqual(['none']);
  });

  it('keeps the alarm inside the deadband and clears only past it (hysteresis)', () => {
    const r = rule({ deadband: 5 });
    expect(run(r, [[0, 55], [1, 49], [2, 46], [3, 44.9]])).toEqual(['raise', 'none', 'none', 'clear']);
  });

  it('a value hovering around the limit with a deadband raises once instead of chattering', () => {
    const hover: [number, number][] = [[0, 51], [1, 49], [2, 51], [3, 49], [4, 51], [5, 49]];
    expect(run(rule({ deadband: 0 }), hover).filter((a) => a === 'raise')).toHaveLength(3);
    expect(run(rule({ deadband: 3 }), hover).filter((a) => a === 'raise')).toHaveLength(1);
  });

  it('mirrors the comparison for low and low-low rules', () => {
    const r = rule({ kind: 'low', limit: 19.5, deadband: 0.5 });
    expect(run(r, [[0, 20.9], [1, 19], [2, 19.8], [3, 20.1]])).toEqual(['none', 'raise', 'none', 'clear']);
    expect(run(rule({ kind: 'low_low', limit: 18 }), [[0, 17.9]])).toEqual(['raise']);
  });

  it('needs N consecutive readings beyond the limit; one back inside resets the count', () => {
    const r = rule({ consecutive: 3 });
    expect(run(r, [[0, 60], [1, 60], [2, 40], [3, 60], [4, 60], [5, 60], [6, 60]])).toEqual(['none', 'none', 'none', 'none', 'none', 'raise', 'update']);
  });

  it('waits for the on-delay before raising, counted from the first reading beyond', () => {
    const r = rule({ onDelayS: 10 });
    expect(run(r, [[0, 60], [5, 60], [9, 60], [10, 60]])).toEqual(['none', 'none', 'none', 'raise']);
    expect(run(r, [[0, 60], [5, 40], [9, 60], [15, 60], [19, 60]])).toEqual(['none', 'none', 'none', 'none', 'raise']);
  });

  it('combines on-delay and consecutive: both must hold', () => {
    const r = rule({ onDelayS: 2, consecutive: 4 });
    expect(run(r, [[0, 60], [10, 60], [20, 60], [30, 60]])).toEqual(['none', 'none', 'none', 'raise']);
  });

  it('ignores a reading older than the last one evaluated', () => {
    expect(run(rule({}), [[10, 10], [5, 90], [11, 10]])).toEqual(['none', 'none', 'none']);
  });
});

describe('rate of change', () => {
  it('raises when the value moves faster than the limit per minute, in either direction', () => {
    const r = rule({ kind: 'rate_of_change', limit: 10 });
    // 0 → 5 in 60 s = 5/min; 5 → 20 in 30 s = 30/min; then 20 → 21 in 60 s clears.
    expect(run(r, [[0, 0], [60, 5], [90, 20], [150, 21]])).toEqual(['none', 'none', 'raise', 'clear']);
    expect(run(r, [[0, 100], [30, 80]])).toEqual(['none', 'raise']);
  });

  it('has no rate for the first reading', () => {
    expect(evaluateReading(rule({ kind: 'rate_of_change', limit: 1 }), emptyState(), { ts: t0, value: 1000 }).action).toBe('none');
  });
});

describe('no data', () => {
  const r = rule({ kind: 'no_data', limit: null, timeoutS: 300 });

  it('raises once the point has been silent for the timeout, and not again while latched', () => {
    expect(evaluateSilence(r, emptyState(), at(0), t0, at(299)).action).toBe('none');
    const o = evaluateSilence(r, emptyState(), at(0), t0, at(300));
    expect(o.action).toBe('raise');
    expect(evaluateSilence(r, o.state, at(0), t0, at(900)).action).toBe('none');
  });

  it('counts a point that never reported from when it was created', () => {
    expect(evaluateSilence(r, emptyState(), null, at(0), at(301)).action).toBe('raise');
  });

  it('clears on the next reading', () => {
    const latched = evaluateSilence(r, emptyState(), at(0), t0, at(400)).state;
    expect(evaluateReading(r, latched, { ts: at(401), value: 1 }).action).toBe('clear');
  });
});

describe('alarm lifecycle', () => {
  it('follows active_unack → active_ack → cleared_ack, or cleared_unack → cleared_ack', () => {
    expect(nextAlarmState('active_unack', 'ack')).toBe('active_ack');
    expect(nextAlarmState('active_ack', 'clear')).toBe('cleared_ack');
    expect(nextAlarmState('active_unack', 'clear')).toBe('cleared_unack');
    expect(nextAlarmState('cleared_unack', 'ack')).toBe('cleared_ack');
  });

  it('re-activates a cleared but unacknowledged alarm when the condition returns, and refuses commands on a closed one', () => {
    expect(nextAlarmState('cleared_unack', 'retrigger')).toBe('active_unack');
    expect(nextAlarmState('active_ack', 'ack')).toBeNull();
    expect(nextAlarmState('cleared_ack', 'ack')).toBeNull();
    expect(nextAlarmState('cleared_ack', 'clear')).toBeNull();
  });
});
