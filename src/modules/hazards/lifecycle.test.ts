import { describe, expect, it } from 'vitest';
import { availableHazardActions, hazardActions, hazardStates, isTerminal, nextHazardState, waitingStates } from './lifecycle.ts';

describe('hazard lifecycle', () => {
  it('walks the normal closed loop: report → assign → accept → submit → pass', () => {
    let s = nextHazardState('reported', 'assign', ['triage']);
    expect(s).toEqual({ ok: true, to: 'assigned' });
    s = nextHazardState('assigned', 'accept', ['assignee']);
    expect(s).toEqual({ ok: true, to: 'rectifying' });
    s = nextHazardState('rectifying', 'submit', ['assignee']);
    expect(s).toEqual({ ok: true, to: 'pending_verification' });
    s = nextHazardState('pending_verification', 'pass', ['verifier']);
    expect(s).toEqual({ ok: true, to: 'closed' });
  });

  it('a failed verification needs a reason and sends the hazard to rework, from which it is resubmitted', () => {
    expect(nextHazardState('pending_verification', 'fail', ['verifier'])).toEqual({ ok: false, reason: 'reason_required' });
    expect(nextHazardState('pending_verification', 'fail', ['verifier'], '  ')).toEqual({ ok: false, reason: 'reason_required' });
    expect(nextHazardState('pending_verification', 'fail', ['verifier'], 'guard rail still loose')).toEqual({ ok: true, to: 'rework' });
    expect(nextHazardState('rework', 'submit', ['assignee'])).toEqual({ ok: true, to: 'pending_verification' });
  });

  it('fix on the spot goes straight to verification, only for the reporter and only from reported', () => {
    expect(nextHazardState('reported', 'fix_on_spot', ['reporter'])).toEqual({ ok: true, to: 'pending_verification' });
    expect(nextHazardState('reported', 'fix_on_spot', ['assignee'])).toEqual({ ok: false, reason: 'not_allowed_for_party' });
    expect(nextHazardState('assigned', 'fix_on_spot', ['reporter'])).toEqual({ ok: false, reason: 'not_allowed_from_state' });
  });

  it('the assignee cannot verify their own work; the verifier cannot submit it', () => {
    expect(nextHazardState('pending_verification', 'pass', ['assignee'])).toEqual({ ok: false, reason: 'not_allowed_for_party' });
    expect(nextHazardState('rectifying', 'submit', ['verifier'])).toEqual({ ok: false, reason: 'not_allowed_for_party' });
  });

  it('terminal states allow nothing but reopening by triage with a reason', () => {
    for (const s of ['closed', 'rejected'] as const) {
      expect(isTerminal(s)).toBe(true);
      expect(availableHazardActions(s, ['assignee', 'verifier', 'reporter'])).toEqual([]);
      expect(availableHazardActions(s, ['triage'])).toEqual(['reopen']);
      expect(nextHazardState(s, 'reopen', ['triage'], 'still there')).toEqual({ ok: true, to: 'reported' });
    }
  });

  it('every state except the terminal ones has an SLA clock and at least one way forward', () => {
    for (const s of hazardStates) {
      const any = availableHazardActions(s, ['triage', 'assignee', 'verifier', 'reporter']);
      expect(any.length).toBeGreaterThan(0);
      expect(waitingStates.includes(s)).toBe(!isTerminal(s));
    }
    expect(hazardActions.length).toBe(11);
  });

  it('the assignee hands a wrongly assigned hazard back to triage with a reason; only from assigned or rectifying', () => {
    expect(nextHazardState('assigned', 'hand_back', ['assignee'])).toEqual({ ok: false, reason: 'reason_required' });
    expect(nextHazardState('assigned', 'hand_back', ['assignee'], 'not our equipment')).toEqual({ ok: true, to: 'reported' });
    expect(nextHazardState('rectifying', 'hand_back', ['assignee'], 'not ours')).toEqual({ ok: true, to: 'reported' });
    expect(nextHazardState('assigned', 'hand_back', ['triage'], 'x')).toEqual({ ok: false, reason: 'not_allowed_for_party' });
    expect(nextHazardState('pending_verification', 'hand_back', ['assignee'], 'x')).toEqual({ ok: false, reason: 'not_allowed_from_state' });
  });

  it('triage merges a duplicate from any open state into rejected, never a closed one', () => {
    for (const s of ['reported', 'assigned', 'rectifying', 'rework', 'pending_verification'] as const) {
      expect(nextHazardState(s, 'merge', ['triage'])).toEqual({ ok: true, to: 'rejected' });
      expect(nextHazardState(s, 'merge', ['assignee', 'verifier', 'reporter'])).toEqual({ ok: false, reason: 'not_allowed_for_party' });
    }
    expect(nextHazardState('closed', 'merge', ['triage'])).toEqual({ ok: false, reason: 'not_allowed_from_state' });
  });

  it('triage may reassign a hazard in rework; the assignee sees reassign and hand back while assigned', () => {
    expect(nextHazardState('rework', 'reassign', ['triage'], 'wrong team')).toEqual({ ok: true, to: 'assigned' });
    expect(availableHazardActions('assigned', ['assignee'])).toEqual(['reassign', 'hand_back', 'accept', 'reject']);
  });
});
