import { and, eq } from 'drizzle-orm';
import { newId } from '../db/columns.ts';
import { matchesPattern, registerSubscriber } from '../events/dispatcher.ts';
import type { WebhookPayload } from './channels.ts';
import { wakeDeliveries } from './delivery.ts';
import { notificationChannels, notificationDeliveries } from './schema.ts';
import { readChannelConfig, type ChannelRow } from './service.ts';

/**
 * Domain events to webhook channels whose `config.source` is `events` (DESIGN: integrations — thin,
 * versioned payloads: event type, resource id, time; the receiver fetches the details with its own API
 * token, so no personal data travels in the hook and what it fetches is checked against that token's
 * permissions). Door-access and machine-interlock systems use it for `qualification.changed`, BI tools for
 * `hazard.*`.
 *
 * Written in the dispatcher's transaction, once per event and channel (the subscriber's delivery row is
 * the idempotency key); sent by the same delivery loop as notifications, with its signature, retries and log.
 */

/** Notifications have channels of their own kind (notify.channels); users' inbox items are not integration events. */
const isNotificationEvent = (type: string) => type.startsWith('notification.');

export function eventChannelMatches(channel: ChannelRow, type: string): boolean {
  if (!channel.enabled || channel.kind !== 'webhook' || readChannelConfig(channel).source !== 'events') return false;
  return channel.eventTypes.length === 0 || channel.eventTypes.some((p) => matchesPattern(p, type));
}

registerSubscriber('notify.event_webhooks', '*', async (tx, event, { now }) => {
  if (!event.tenantId || isNotificationEvent(event.type)) return;
  const channels = (
    await tx
      .select()
      .from(notificationChannels)
      .where(and(eq(notificationChannels.tenantId, event.tenantId), eq(notificationChannels.kind, 'webhook'), eq(notificationChannels.enabled, true)))
  ).filter((c) => eventChannelMatches(c, event.type));
  if (channels.length === 0) return;
  const payload: WebhookPayload = {
    id: event.id,
    type: event.type,
    occurredAt: event.createdAt.toISOString(),
    tenantId: event.tenantId,
    data: { entityType: event.entityType, entityId: event.entityId },
  };
  await tx.insert(notificationDeliveries).values(
    channels.map((c) => ({
      id: newId(),
      tenantId: event.tenantId as string,
      channelId: c.id,
      notificationId: null,
      eventType: event.type,
      status: 'pending' as const,
      recipient: readChannelConfig(c).url ?? null,
      payload: { ...payload },
      createdAt: now,
      nextAttemptAt: now,
    })),
  );
  wakeDeliveries();
});
