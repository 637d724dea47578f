import type { Ctx } from '../auth/actor.ts';
import type { Tx } from '../db/client.ts';
import { newId } from '../db/columns.ts';
import { wakeDispatcher } from './dispatcher.ts';
import { outboxEvents } from './schema.ts';

export interface DomainEvent {
  /** Dotted, past tense: "person.created", "hazard.assigned". */
  type: string;
  entityType?: string;
  entityId?: string;
  payload?: Record<string, unknown>;
}

/**
 * Records an event in the caller's transaction (transactional outbox): it exists if and only if the
 * change it announces committed. The dispatcher delivers it to subscribers afterwards, at least once.
 */
export async function publishEvent(tx: Tx, ctx: Pick<Ctx, 'actor' | 'now'>, event: DomainEvent): Promise<string> {
  const [id] = await publishEvents(tx, ctx, [event]);
  return id!;
}

/** Many events in few statements (bulk imports): same guarantees as publishEvent. */
export async function publishEvents(tx: Tx, ctx: Pick<Ctx, 'actor' | 'now'>, events: DomainEvent[], chunkSize = 1000): Promise<string[]> {
  const now = ctx.now();
  const rows = events.map((event) => ({
    id: newId(),
    tenantId: ctx.actor.tenantId,
    type: event.type,
    entityType: event.entityType ?? null,
    entityId: event.entityId ?? null,
    actorUserId: ctx.actor.userId,
    payload: event.payload ?? {},
    createdAt: now,
    nextAttemptAt: now,
  }));
  for (let i = 0; i < rows.length; i += chunkSize) {
    await tx.insert(outboxEvents).values(rows.slice(i, i + chunkSize));
  }
  // Only nudges the local poll loop (no I/O); the events are claimable once this transaction commits.
  if (rows.length > 0) wakeDispatcher();
  return rows.map((r) => r.id);
}
