/**
 * Hazard (隐患) lifecycle as a pure transition table (DESIGN: core state machines). The service checks
 * who the actor is for the hazard (assigner, assignee, verifier) and persists; this file only answers
 * "may this action happen now, and where does it lead".
 *
 *   reported ─assign→ assigned ─accept→ rectifying ─submit→ pending_verification ─pass→ closed
 *      │  ▲              │  └─reassign→ assigned        ▲            │
 *      │  └──hand_back───┤                              │            └─fail→ rework ─submit┘
 *      │                 └─reject→ rejected             │
 *      ├─reject→ rejected                               │
 *      └─fix_on_spot→ pending_verification ─────────────┘   (即查即改: the reporter fixed it at once)
 *
 *   any open state ─merge→ rejected (a duplicate of another report, linked to it)
 */
export const hazardStates = ['reported', 'assigned', 'rectifying', 'pending_verification', 'rework', 'closed', 'rejected'] as const;
export type HazardState = (typeof hazardStates)[number];

export const hazardActions = ['assign', 'reassign', 'hand_back', 'accept', 'reject', 'fix_on_spot', 'submit', 'pass', 'fail', 'merge', 'reopen'] as const;
export type HazardAction = (typeof hazardActions)[number];

/** Who may take an action: the triage role (safety office / area owner), the assignee, or the verifier. */
export type HazardParty = 'triage' | 'assignee' | 'verifier' | 'reporter';

interface Transition {
  from: readonly HazardState[];
  to: HazardState;
  by: readonly HazardParty[];
  /** The action needs a written reason (rejections, failed verification, reopening). */
  reasonRequired: boolean;
}

const table: Record<HazardAction, Transition> = {
  assign: { from: ['reported'], to: 'assigned', by: ['triage'], reasonRequired: false },
  // Wrong owner: the assignee names the right owner or triage moves it; the rectification starts over.
  reassign: { from: ['assigned', 'rectifying', 'rework'], to: 'assigned', by: ['triage', 'assignee'], reasonRequired: true },
  // Wrong owner, and the assignee does not know the right one: back to the triage queue.
  hand_back: { from: ['assigned', 'rectifying'], to: 'reported', by: ['assignee'], reasonRequired: true },
  accept: { from: ['assigned'], to: 'rectifying', by: ['assignee'], reasonRequired: false },
  // "Not a hazard": only with a reason, so a rejected report can be reviewed later.
  reject: { from: ['reported', 'assigned'], to: 'rejected', by: ['triage', 'assignee'], reasonRequired: true },
  fix_on_spot: { from: ['reported'], to: 'pending_verification', by: ['reporter'], reasonRequired: false },
  submit: { from: ['rectifying', 'rework'], to: 'pending_verification', by: ['assignee'], reasonRequired: false },
  pass: { from: ['pending_verification'], to: 'closed', by: ['verifier'], reasonRequired: false },
  fail: { from: ['pending_verification'], to: 'rework', by: ['verifier'], reasonRequired: true },
  // A second report of a hazard already open: closed as a duplicate and linked to the first (reason implied).
  merge: { from: ['reported', 'assigned', 'rectifying', 'rework', 'pending_verification'], to: 'rejected', by: ['triage'], reasonRequired: false },
  // A closed or rejected hazard found to be still present is reopened rather than reported twice.
  reopen: { from: ['closed', 'rejected'], to: 'reported', by: ['triage'], reasonRequired: true },
};

export type TransitionResult =
  | { ok: true; to: HazardState }
  | { ok: false; reason: 'not_allowed_from_state' | 'not_allowed_for_party' | 'reason_required' };

export function nextHazardState(from: HazardState, action: HazardAction, parties: readonly HazardParty[], reason?: string | null): TransitionResult {
  const t = table[action];
  if (!t.from.includes(from)) return { ok: false, reason: 'not_allowed_from_state' };
  if (!t.by.some((p) => parties.includes(p))) return { ok: false, reason: 'not_allowed_for_party' };
  if (t.reasonRequired && !(reason && reason.trim().length > 0)) return { ok: false, reason: 'reason_required' };
  return { ok: true, to: t.to };
}

/** Actions open to these parties in this state: drives the buttons a person sees. */
export function availableHazardActions(from: HazardState, parties: readonly HazardParty[]): HazardAction[] {
  return hazardActions.filter((a) => table[a].from.includes(from) && table[a].by.some((p) => parties.includes(p)));
}

/** States in which an SLA clock runs (a person owes the next step). */
export const waitingStates: readonly HazardState[] = ['reported', 'assigned', 'rectifying', 'rework', 'pending_verification'];

export function isTerminal(state: HazardState): boolean {
  return state === 'closed' || state === 'rejected';
}
