import type { Ctx } from '../auth/actor.ts';
import type { Tx } from '../db/client.ts';
import { publishEvent, type DomainEvent } from '../events/outbox.ts';
import { appendAudit, type AuditInput } from './service.ts';

/**
 * The one call every state change makes inside its transaction: the audit entry and, when given, the
 * outbox event. Keeping them together means no change is ever audited without being announced or vice versa.
 */
export async function recordChange(tx: Tx, ctx: Ctx, audit: AuditInput, event?: DomainEvent): Promise<void> {
  await appendAudit(tx, ctx, audit);
  if (event) await publishEvent(tx, ctx, event);
}
