import type { Ctx } from '../../platform/auth/actor.ts';
import type { Tx } from '../../platform/db/client.ts';
import { AppError } from '../../platform/http/errors.ts';
import { registerFlowSubject, type FlowInstance } from '../../platform/workflow/subjects.ts';
import { submitChecks } from './apply.ts';
import { ensurePermitConfig } from './config.ts';
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
  // A resubmission (from the permit's 提交 or the to-do drawer) needs what a first submit needs: a permit
  // sent back goes to draft, so a grade that requires gas analysis needs a fresh passing one first.
  onResubmitted: async (tx, ctx, instance) => {
    const p = await lockPermit(tx, instance.tenantId, instance.subjectId);
    if (!p || !nextStatus(p.status, 'submit')) throw new AppError('conflict', `the permit is ${p?.status ?? 'gone'}; it cannot be resubmitted`, { extra: { permitStatus: p?.status ?? null } });
    const { config } = await ensurePermitConfig(tx, ctx);
    await submitChecks(tx, ctx, config, p);
    await transition(tx, ctx, p, 'submit', { event: 'resubmitted', extra: { flowInstanceId: instance.id } });
  },
});
