import type { Ctx } from '../../platform/auth/actor.ts';
import { appendAudit, type AuditInput } from '../../platform/audit/service.ts';
import type { Tx } from '../../platform/db/client.ts';
import { publishEvent, type DomainEvent } from '../../platform/events/outbox.ts';

/** What writing a change needs of a context: an event subscriber has no database handle, only its `tx`. */
export type WriteCtx = Pick<Ctx, 'actor' | 'now' | 'ip'>;

/**
 * `recordChange` (audit entry + outbox event in the caller's transaction) for a context without `db`:
 * the same two calls, so changes made from the person.created subscriber are audited like any other.
 */
export async function recordIn(tx: Tx, ctx: WriteCtx, audit: AuditInput, event?: DomainEvent): Promise<void> {
  await appendAudit(tx, ctx, audit);
  if (event) await publishEvent(tx, ctx, event);
}
