import type { AlarmState } from './schema.ts';

/**
 * The alarm lifecycle as a transition table (DESIGN: Alarm `active_unack → active_ack → cleared_ack`, or
 * `cleared_unack`). `retrigger` is the condition returning while the alarm is still open: the same alarm
 * becomes active again (one open alarm per point and rule) and needs a new acknowledgement.
 */

export type AlarmCommand = 'ack' | 'clear' | 'retrigger';

const table: Record<AlarmState, Partial<Record<AlarmCommand, AlarmState>>> = {
  active_unack: { ack: 'active_ack', clear: 'cleared_unack', retrigger: 'active_unack' },
  active_ack: { clear: 'cleared_ack', retrigger: 'active_ack' },
  cleared_unack: { ack: 'cleared_ack', retrigger: 'active_unack' },
  cleared_ack: {},
};

/** The next state, or null when the command does not apply in this state. */
export function nextAlarmState(state: AlarmState, command: AlarmCommand): AlarmState | null {
  return table[state][command] ?? null;
}

export const isOpen = (s: AlarmState) => s !== 'cleared_ack';
export const isActive = (s: AlarmState) => s === 'active_unack' || s === 'active_ack';
export const isUnacked = (s: AlarmState) => s === 'active_unack' || s === 'cleared_unack';
