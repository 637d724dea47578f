import type { Ctx } from '../../platform/auth/actor.ts';
import type { Tx } from '../../platform/db/client.ts';
import { registerFlowSubject, type FlowInstance } from '../../platform/workflow/subjects.ts';
import { nextStatus, type PermitAction } from './rules.ts';
import { lockPermit, transition } from './store.ts';

/**
 * The permit's side of its approval flow. The engine calls these inside the transaction that decides the
 * flow, so a permit is approved if and only if the approval committed. The last approver is the issuer
 * (签发人), who may verify the permit on site besides the guardian.
 */

async function move(tx: Tx, ctx: Ctx, instance: FlowInstance, action: PermitAction, event: string, reason: string | null, set: Record<string, unknown> = {}): Promise<void> {
  const p = await lockPermit(tx, instance.tenantId, instance.subjectId);
  // A permit that expired or was cancelled while under approval stays where it is.
  if (!p || !nextStatus(p.status, action)) return;
  await transition(tx, ctx, p, action, { event, reason, set, extra: { flowInstanceId: instance.id } });
}

registerFlowSubject('permit', {
  onApproved: (tx, ctx, instance) => move(tx, ctx, instance, 'approve', 'approved', null, { approvedAt: ctx.now(), issuerUserId: ctx.actor.userId }),
  onRejected: (tx, ctx, instance) => move(tx, ctx, instance, 'back_to_draft', 'rejected', 'approval rejected'),
  onWithdrawn: (tx, ctx, instance) => move(tx, ctx, instance, 'back_to_draft', 'withdrawn', 'approval withdrawn'),
  onSentBack: (tx, ctx, instance) => move(tx, ctx, instance, 'back_to_draft', 'sent_back', 'sent back to the applicant'),
  onResubmitted: (tx, ctx, instance) => move(tx, ctx, instance, 'submit', 'resubmitted', null),
});
