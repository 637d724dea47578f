import type { Ctx } from '../auth/actor.ts';
import type { Tx } from '../db/client.ts';
import type { workflowInstances } from './schema.ts';

/**
 * How a module reacts to the outcome of its flows: it registers handlers for its subject type at import
 * (`registerFlowSubject('permit', { onApproved, onRejected })`), and the engine calls them **inside the
 * transaction that decides the flow**. So the permit is approved if and only if the approval committed:
 * a handler that throws rolls the decision back and the approver sees the error. The engine still
 * publishes `workflow.instance.*` outbox events for anything that may react later (notifications,
 * dashboards, webhooks). The platform never imports a module; modules call this.
 */

export type FlowInstance = typeof workflowInstances.$inferSelect;

export type FlowSubjectHandler = (tx: Tx, ctx: Ctx, instance: FlowInstance) => Promise<void>;

export interface FlowSubjectHandlers {
  onApproved: FlowSubjectHandler;
  onRejected: FlowSubjectHandler;
  /** The applicant withdrew the request. */
  onWithdrawn?: FlowSubjectHandler;
  /** Sent back to the applicant to change and resubmit (not called for a send-back to an earlier node). */
  onSentBack?: FlowSubjectHandler;
  onResubmitted?: FlowSubjectHandler;
}

const subjects = new Map<string, FlowSubjectHandlers>();

export const SUBJECT_TYPE = /^[a-z][a-z0-9_]{0,39}$/;

/** Returns a function that unregisters it (tests). */
export function registerFlowSubject(subjectType: string, handlers: FlowSubjectHandlers): () => void {
  if (!SUBJECT_TYPE.test(subjectType)) throw new Error(`flow subject type "${subjectType}": lower-case letters, digits, _ (at most 40)`);
  // Two modules claiming one subject type would each miss the other's outcomes.
  if (subjects.has(subjectType)) throw new Error(`flow subject "${subjectType}" is already registered`);
  subjects.set(subjectType, handlers);
  return () => {
    if (subjects.get(subjectType) === handlers) subjects.delete(subjectType);
  };
}

export function flowSubject(subjectType: string): FlowSubjectHandlers {
  const h = subjects.get(subjectType);
  // A flow whose outcome nobody applies would leave its subject waiting forever: refuse to start it.
  if (!h) throw new Error(`no flow subject "${subjectType}" is registered; call registerFlowSubject first`);
  return h;
}
