import { randomBytes } from 'node:crypto';
import { and, desc, eq, inArray, isNull, lt, or, sql, type SQL } from 'drizzle-orm';
import { recordChange } from '../audit/record.ts';
import type { Ctx } from '../auth/actor.ts';
import { requirePermission } from '../auth/scope.ts';
import { users } from '../auth/schema.ts';
import type { Tx } from '../db/client.ts';
import { newId } from '../db/columns.ts';
import { publishEvent } from '../events/outbox.ts';
import { AppError, invalid, notFound } from '../http/errors.ts';
import { decodeCursor, pageOf } from '../http/pagination.ts';
import { notificationChannels, notificationDeliveries, notifications } from './schema.ts';

export const severities = ['info', 'warning', 'critical'] as const;
export type Severity = (typeof severities)[number];
export const severityRank: Record<Severity, number> = { info: 0, warning: 1, critical: 2 };

/** The event every new inbox row announces; stream and channel delivery subscribe to it. */
export const NOTIFICATION_CREATED = 'notification.created';

export interface NotifyInput {
  userIds: string[];
  /** What it is about, dotted like event types: "hazard.assigned", "permit.expiring". Channels filter on it. */
  type: string;
  severity?: Severity;
  title: string;
  body?: string | null;
  /** App path ("/hazards/…") or absolute URL the notification opens. */
  link?: string | null;
  /** Small references (ids, numbers) for clients; not a copy of the record. */
  data?: Record<string, unknown>;
  /**
   * What raised it, for alarm-storm grouping and short texts: notifications of one type and `key` to one
   * recipient are counted together (e.g. IoT alarms of one area). `place` ("Plant 1") is kept in SMS texts
   * and summaries; `label` ("LEL high") is what a summary counts ("20 × LEL high").
   */
  source?: { key: string; place?: string | null; label?: string | null };
}

// Bounds keep one notification well inside PostgreSQL's 8000-byte NOTIFY payload (stream fan-out) and
// inside what a phone notification list can show.
const MAX_TITLE = 200;
const MAX_BODY = 1000;
const MAX_LINK = 500;
const MAX_DATA_BYTES = 2000;
const MAX_RECIPIENTS = 5000;
export const TYPE_PATTERN = /^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$/;

/**
 * Puts a message in each user's inbox, in the caller's transaction, and announces each one
 * (`notification.created`), so it appears on open streams and goes out through channels only if the
 * change that caused it commits. Users of another tenant, or unknown ids, are a caller bug and refused;
 * disabled users are skipped (nobody can read their inbox). Not audited: the change that caused the
 * notification is, and one audit entry per recipient would drown the log.
 */
export async function notifyUsers(tx: Tx, ctx: Pick<Ctx, 'actor' | 'now'>, input: NotifyInput): Promise<{ ids: string[] }> {
  const userIds = [...new Set(input.userIds)];
  if (userIds.length === 0) return { ids: [] };
  if (userIds.length > MAX_RECIPIENTS) throw invalid('userIds', 'maxItems', `userIds: at most ${MAX_RECIPIENTS} recipients per call`);
  if (!TYPE_PATTERN.test(input.type) || input.type.length > 100) throw invalid('type', 'pattern', 'type: dotted lower-case name such as "hazard.assigned"');
  const title = input.title.trim();
  if (title.length === 0 || title.length > MAX_TITLE) throw invalid('title', 'maxLength', `title: 1 to ${MAX_TITLE} characters`);
  if (input.body && input.body.length > MAX_BODY) throw invalid('body', 'maxLength', `body: at most ${MAX_BODY} characters`);
  if (input.link && (input.link.length > MAX_LINK || !/^(\/|https?:\/\/)/.test(input.link))) {
    throw invalid('link', 'format', `link: an app path starting with / or an http(s) URL, at most ${MAX_LINK} characters`);
  }
  const data = input.data ?? {};
  if (Buffer.byteLength(JSON.stringify(data)) > MAX_DATA_BYTES) throw invalid('data', 'maxLength', `data: at most ${MAX_DATA_BYTES} bytes of JSON`);
  const severity = input.severity ?? 'info';
  const source = input.source ? { key: input.source.key.slice(0, 200), place: input.source.place?.slice(0, 100) ?? null, label: input.source.label?.slice(0, 100) ?? null } : null;
  if (!severities.includes(severity)) throw invalid('severity', 'enum', 'severity: info, warning or critical');

  const tenantId = ctx.actor.tenantId;
  const found = await tx
    .select({ id: users.id, status: users.status })
    .from(users)
    .where(and(eq(users.tenantId, tenantId), inArray(users.id, userIds)));
  if (found.length !== userIds.length) {
    const known = new Set(found.map((u) => u.id));
    const missing = userIds.filter((id) => !known.has(id));
    throw invalid('userIds', 'exists', `userIds: no such user in this tenant: ${missing.slice(0, 5).join(', ')}`);
  }
  const active = new Set(found.filter((u) => u.status === 'active').map((u) => u.id));
  const now = ctx.now();
  const rows = userIds
    .filter((id) => active.has(id))
    .map((userId) => ({
      id: newId(),
      tenantId,
      userId,
      type: input.type,
      severity,
      title,
      body: input.body ?? null,
      link: input.link ?? null,
      data,
      createdAt: now,
      sourceKey: source?.key ?? null,
      place: source?.place ?? null,
      label: source?.label ?? null,
    }));
  if (rows.length === 0) return { ids: [] };
  // One id per call: a group robot posts one message for all recipients of the call, not one each.
  const batchId = newId();
  await tx.insert(notifications).values(rows);
  for (const r of rows) {
    await publishEvent(tx, ctx, {
      type: NOTIFICATION_CREATED,
      entityType: 'notification',
      entityId: r.id,
      payload: { notificationId: r.id, userId: r.userId, type: r.type, severity: r.severity, batchId },
    });
  }
  return { ids: rows.map((r) => r.id) };
}

export type NotificationRow = typeof notifications.$inferSelect;

export interface NotificationDto {
  id: string;
  type: string;
  severity: Severity;
  title: string;
  body: string | null;
  link: string | null;
  data: Record<string, unknown>;
  createdAt: string;
  readAt: string | null;
}

export function toNotificationDto(n: NotificationRow): NotificationDto {
  return {
    id: n.id,
    type: n.type,
    severity: n.severity,
    title: n.title,
    body: n.body,
    link: n.link,
    data: n.data,
    createdAt: n.createdAt.toISOString(),
    readAt: n.readAt ? n.readAt.toISOString() : null,
  };
}

/** The inbox is the signed-in user's own; an API token acts for its owner. */
function ownUser(ctx: Ctx): string {
  if (!ctx.actor.userId) throw new AppError('forbidden', 'only users have an inbox');
  return ctx.actor.userId;
}

export async function listNotifications(ctx: Ctx, q: { unread?: boolean; limit: number; cursor?: string }) {
  const userId = ownUser(ctx);
  const after = decodeCursor<{ at: string; id: string }>(q.cursor, { at: 'string', id: 'string' });
  const conds: SQL[] = [eq(notifications.tenantId, ctx.actor.tenantId), eq(notifications.userId, userId)];
  if (q.unread) conds.push(isNull(notifications.readAt));
  if (after) {
    const at = new Date(after.at);
    if (Number.isNaN(at.getTime()) || !/^[0-9a-f-]{36}$/i.test(after.id)) throw invalid('cursor', 'format', 'cursor: invalid');
    conds.push(or(lt(notifications.createdAt, at), and(eq(notifications.createdAt, at), lt(notifications.id, after.id))) as SQL);
  }
  const rows = await ctx.db.read((tx) =>
    tx
      .select()
      .from(notifications)
      .where(and(...conds))
      .orderBy(desc(notifications.createdAt), desc(notifications.id))
      .limit(q.limit + 1),
  );
  const page = pageOf(rows, q.limit, (r) => ({ at: r.createdAt.toISOString(), id: r.id }));
  return { items: page.items.map(toNotificationDto), nextCursor: page.nextCursor };
}

export async function countUnread(ctx: Ctx): Promise<{ count: number }> {
  const userId = ownUser(ctx);
  const [row] = await ctx.db.read((tx) =>
    tx
      .select({ count: sql<number>`count(*)::int` })
      .from(notifications)
      .where(and(eq(notifications.tenantId, ctx.actor.tenantId), eq(notifications.userId, userId), isNull(notifications.readAt))),
  );
  return { count: row?.count ?? 0 };
}

/**
 * Marks one of the user's own notifications read (again is fine: the first read time stays). Someone
 * else's id is "not found": whether it exists is not this user's business. Not audited (personal UI state).
 */
export async function markNotificationRead(ctx: Ctx, id: string): Promise<void> {
  const userId = ownUser(ctx);
  await ctx.db.tx(async (tx) => {
    const mine = and(eq(notifications.id, id), eq(notifications.tenantId, ctx.actor.tenantId), eq(notifications.userId, userId));
    const updated = await tx
      .update(notifications)
      .set({ readAt: ctx.now() })
      .where(and(mine, isNull(notifications.readAt)))
      .returning({ id: notifications.id });
    if (updated.length > 0) return;
    const [exists] = await tx.select({ id: notifications.id }).from(notifications).where(mine);
    if (!exists) throw notFound('notification');
  });
}

export async function markAllNotificationsRead(ctx: Ctx): Promise<{ count: number }> {
  const userId = ownUser(ctx);
  const rows = await ctx.db.tx((tx) =>
    tx
      .update(notifications)
      .set({ readAt: ctx.now() })
      .where(and(eq(notifications.tenantId, ctx.actor.tenantId), eq(notifications.userId, userId), isNull(notifications.readAt)))
      .returning({ id: notifications.id }),
  );
  return { count: rows.length };
}

// ---------------------------------------------------------------------------------------------------
// Channels (notify:manage)

export const channelKinds = ['email', 'webhook', 'dingtalk', 'wecom', 'sms'] as const;
export type ChannelKind = (typeof channelKinds)[number];
/** Channels that post to a group chat: one message per notifyUsers call, recipients @-mentioned. */
export const isRobotKind = (k: ChannelKind): k is 'dingtalk' | 'wecom' => k === 'dingtalk' || k === 'wecom';
export type ChannelRow = typeof notificationChannels.$inferSelect;

export const channelSources = ['notifications', 'events'] as const;
export type ChannelSource = (typeof channelSources)[number];

export interface ChannelConfig {
  /** webhook: where to POST. */
  url?: string;
  /** webhook: HMAC key, shown in full only in the create response. dingtalk: the 加签 secret. sms: HMAC key. Masked when read. */
  secret?: string;
  /** dingtalk: access_token; wecom: the robot key; sms: API key. A credential: masked when read, never returned. */
  token?: string;
  /** sms: the provider's template id. */
  templateId?: string;
  /** sms: longest text in characters (default 70, one segment of Chinese text). */
  maxLength?: number;
  /** Only notifications at least this severe go out through the channel. */
  minSeverity?: Severity;
  /**
   * webhook: what it carries. `notifications` (default): the notifications users get, by notification type.
   * `events`: the domain events themselves (`hazard.closed`, `qualification.changed`…) as thin payloads
   * (type, entity, time) for integrations — door access, BI, an ERP — that fetch details with their token.
   */
  source?: ChannelSource;
}

export interface ChannelInput {
  kind: ChannelKind;
  name: string;
  config: ChannelConfig;
  eventTypes?: string[];
  enabled?: boolean;
}

export interface ChannelDto {
  id: string;
  kind: ChannelKind;
  name: string;
  config: ChannelConfig;
  eventTypes: string[];
  enabled: boolean;
  createdAt: string;
  version: number;
}

const SECRET_PREFIX = 'whsec_';
const EVENT_PATTERN = /^(\*|[a-z][a-z0-9_]*(\.[a-z0-9_]+)*(\.\*)?)$/;

export function maskSecret(secret: string): string {
  return `${secret.slice(0, secret.startsWith(SECRET_PREFIX) ? SECRET_PREFIX.length + 4 : 4)}…`;
}

export function readChannelConfig(row: ChannelRow): ChannelConfig {
  const c = row.config;
  const out: ChannelConfig = {};
  if (typeof c.url === 'string') out.url = c.url;
  if (typeof c.secret === 'string') out.secret = c.secret;
  if (typeof c.token === 'string') out.token = c.token;
  if (typeof c.templateId === 'string') out.templateId = c.templateId;
  if (typeof c.maxLength === 'number') out.maxLength = c.maxLength;
  if (typeof c.minSeverity === 'string' && (severities as readonly string[]).includes(c.minSeverity)) out.minSeverity = c.minSeverity as Severity;
  if (c.source === 'events') out.source = 'events';
  return out;
}

export function toChannelDto(row: ChannelRow, opts: { revealSecret?: boolean } = {}): ChannelDto {
  const config = readChannelConfig(row);
  if (config.secret && !opts.revealSecret) config.secret = maskSecret(config.secret);
  // Never shown again once saved: the administrator sees that one is set and can replace it.
  if (config.token) config.token = maskSecret(config.token);
  return {
    id: row.id,
    kind: row.kind,
    name: row.name,
    config,
    eventTypes: row.eventTypes,
    enabled: row.enabled,
    createdAt: row.createdAt.toISOString(),
    version: row.version,
  };
}

/** Per-kind rules the TypeBox schema cannot express (which keys belong to which kind). */
function checkUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalid('config.url', 'format', 'config.url: not a valid URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw invalid('config.url', 'format', 'config.url: must be http or https');
  if (url.username || url.password) throw invalid('config.url', 'format', 'config.url: no credentials in the URL; put the key in config.token');
  return value;
}

const notAllowed = (field: string, kinds: string) => invalid(`config.${field}`, 'not_allowed', `config.${field}: only for ${kinds} channels`);

/**
 * Group robots and SMS: `token` (access token / robot key / API key) is required on create; on update a
 * token or secret left out keeps the saved one (the client only ever sees them masked).
 */
function checkPersonalConfig(kind: 'dingtalk' | 'wecom' | 'sms', config: ChannelConfig, out: ChannelConfig): ChannelConfig {
  if (config.source === 'events') throw invalid('config.source', 'not_allowed', 'config.source: domain events go to webhook channels only');
  if (kind === 'sms') {
    if (!config.url) throw invalid('config.url', 'required', 'config.url: is required for an SMS channel (the gateway endpoint)');
  } else if (config.templateId !== undefined || config.maxLength !== undefined) {
    throw notAllowed(config.templateId !== undefined ? 'templateId' : 'maxLength', 'SMS');
  }
  if (config.url) out.url = checkUrl(config.url);
  if (kind === 'wecom' && config.secret !== undefined) throw notAllowed('secret', 'DingTalk, SMS and webhook');
  if (config.secret !== undefined) out.secret = config.secret;
  if (config.token !== undefined) {
    if (config.token.trim().length === 0) throw invalid('config.token', 'minLength', 'config.token: must not be empty');
    out.token = config.token.trim();
  }
  if (config.templateId !== undefined) out.templateId = config.templateId;
  if (config.maxLength !== undefined) out.maxLength = config.maxLength;
  return out;
}

function checkConfig(kind: ChannelKind, config: ChannelConfig): ChannelConfig {
  const out: ChannelConfig = {};
  if (config.minSeverity) out.minSeverity = config.minSeverity;
  if (kind === 'dingtalk' || kind === 'wecom' || kind === 'sms') return checkPersonalConfig(kind, config, out);
  if (config.token !== undefined) throw notAllowed('token', 'DingTalk, WeCom and SMS');
  if (config.templateId !== undefined || config.maxLength !== undefined) throw notAllowed(config.templateId !== undefined ? 'templateId' : 'maxLength', 'SMS');
  if (kind === 'email') {
    if (config.url !== undefined) throw invalid('config.url', 'not_allowed', 'config.url: only for webhook channels');
    if (config.secret !== undefined) throw invalid('config.secret', 'not_allowed', 'config.secret: only for webhook channels');
    if (config.source === 'events') throw invalid('config.source', 'not_allowed', 'config.source: domain events go to webhook channels only');
    return out;
  }
  if (!config.url) throw invalid('config.url', 'required', 'config.url: is required for a webhook channel');
  out.url = checkUrl(config.url);
  if (config.source === 'events') {
    // Severity belongs to notifications; a domain event has none.
    if (config.minSeverity) throw invalid('config.minSeverity', 'not_allowed', 'config.minSeverity: only for channels of notifications');
    out.source = 'events';
  }
  if (config.secret !== undefined) {
    if (config.secret.length < 16) throw invalid('config.secret', 'minLength', 'config.secret: at least 16 characters');
    out.secret = config.secret;
  }
  return out;
}

function checkEventTypes(types: string[] | undefined): string[] {
  const list = [...new Set(types ?? [])];
  for (const [i, t] of list.entries()) {
    if (!EVENT_PATTERN.test(t)) throw invalid(`eventTypes.${i}`, 'pattern', `eventTypes.${i}: a type such as "hazard.assigned", a prefix such as "hazard.*", or "*"`);
  }
  return list;
}

function newWebhookSecret(): string {
  return SECRET_PREFIX + randomBytes(24).toString('base64url');
}

export async function listChannels(ctx: Ctx): Promise<{ items: ChannelDto[] }> {
  requirePermission(ctx.actor, 'notify:manage');
  const rows = await ctx.db.read((tx) =>
    tx.select().from(notificationChannels).where(eq(notificationChannels.tenantId, ctx.actor.tenantId)).orderBy(notificationChannels.createdAt, notificationChannels.id),
  );
  return { items: rows.map((r) => toChannelDto(r)) };
}

async function loadChannel(tx: Tx, ctx: Ctx, id: string): Promise<ChannelRow> {
  const [row] = await tx.select().from(notificationChannels).where(eq(notificationChannels.id, id));
  // Another tenant's channel is reported as missing.
  if (!row || row.tenantId !== ctx.actor.tenantId) throw notFound('channel');
  return row;
}

export async function getChannel(ctx: Ctx, id: string): Promise<ChannelRow> {
  requirePermission(ctx.actor, 'notify:manage');
  return ctx.db.read((tx) => loadChannel(tx, ctx, id));
}

/** The audit entry never holds the secret: the audit log is readable by auditors. */
const auditView = (row: ChannelRow) => toChannelDto(row);

/** Creates a channel. A webhook without a secret gets a generated one, returned in full this once. */
export async function createChannel(ctx: Ctx, input: ChannelInput): Promise<ChannelDto> {
  requirePermission(ctx.actor, 'notify:manage');
  const config = checkConfig(input.kind, input.config);
  if (input.kind === 'webhook' && !config.secret) config.secret = newWebhookSecret();
  if (input.kind !== 'email' && input.kind !== 'webhook' && !config.token) {
    throw invalid('config.token', 'required', input.kind === 'sms' ? 'config.token: the gateway API key is required' : 'config.token: the robot access token (DingTalk) or key (WeCom) is required');
  }
  const eventTypes = checkEventTypes(input.eventTypes);
  const row = await ctx.db.tx(async (tx) => {
    const [created] = await tx
      .insert(notificationChannels)
      .values({
        id: newId(),
        tenantId: ctx.actor.tenantId,
        kind: input.kind,
        name: input.name.trim(),
        config: { ...config },
        eventTypes,
        enabled: input.enabled ?? true,
        createdAt: ctx.now(),
      })
      .returning();
    if (!created) throw new AppError('internal');
    await recordChange(tx, ctx, { action: 'notify.channel_created', entityType: 'notification_channel', entityId: created.id, after: auditView(created) });
    return created;
  });
  // Only a generated webhook secret is shown (once): the administrator typed the others and has them.
  return toChannelDto(row, { revealSecret: input.kind === 'webhook' });
}

export interface ChannelPatch {
  name?: string;
  /** Replaces the config; a webhook `secret` left out keeps the current one. */
  config?: ChannelConfig;
  eventTypes?: string[];
  enabled?: boolean;
}

export async function updateChannel(ctx: Ctx, id: string, patch: ChannelPatch, version: number): Promise<ChannelDto> {
  requirePermission(ctx.actor, 'notify:manage');
  const row = await ctx.db.tx(async (tx) => {
    const before = await loadChannel(tx, ctx, id);
    const set: Partial<typeof notificationChannels.$inferInsert> = {};
    if (patch.name !== undefined) set.name = patch.name.trim();
    if (patch.config !== undefined) {
      const config = checkConfig(before.kind, patch.config);
      const old = readChannelConfig(before);
      if (before.kind === 'webhook' && !config.secret) config.secret = old.secret ?? newWebhookSecret();
      if (before.kind !== 'email' && before.kind !== 'webhook') {
        if (!config.token && old.token) config.token = old.token;
        if (config.secret === undefined && old.secret && before.kind !== 'wecom') config.secret = old.secret;
      }
      set.config = { ...config };
    }
    if (patch.eventTypes !== undefined) set.eventTypes = checkEventTypes(patch.eventTypes);
    if (patch.enabled !== undefined) set.enabled = patch.enabled;
    const [after] = await tx
      .update(notificationChannels)
      .set({ ...set, version: sql`${notificationChannels.version} + 1` })
      .where(and(eq(notificationChannels.id, id), eq(notificationChannels.version, version)))
      .returning();
    if (!after) throw new AppError('version_conflict', undefined, { extra: { currentVersion: before.version } });
    await recordChange(tx, ctx, { action: 'notify.channel_updated', entityType: 'notification_channel', entityId: id, before: auditView(before), after: auditView(after) });
    return after;
  });
  return toChannelDto(row);
}

/**
 * Removes a channel (configuration, not a record a regulation keeps). Its delivery log stays; deliveries
 * still pending fail with "channel deleted".
 */
export async function deleteChannel(ctx: Ctx, id: string): Promise<void> {
  requirePermission(ctx.actor, 'notify:manage');
  await ctx.db.tx(async (tx) => {
    const before = await loadChannel(tx, ctx, id);
    await tx.delete(notificationChannels).where(eq(notificationChannels.id, id));
    await recordChange(tx, ctx, { action: 'notify.channel_deleted', entityType: 'notification_channel', entityId: id, before: auditView(before) });
  });
}

export type DeliveryRow = typeof notificationDeliveries.$inferSelect;

export interface DeliveryDto {
  id: string;
  channelId: string;
  notificationId: string | null;
  eventType: string;
  status: 'pending' | 'sent' | 'failed';
  attempts: number;
  responseCode: number | null;
  error: string | null;
  recipient: string | null;
  createdAt: string;
  sentAt: string | null;
  nextAttemptAt: string | null;
}

export function toDeliveryDto(d: DeliveryRow): DeliveryDto {
  return {
    id: d.id,
    channelId: d.channelId,
    notificationId: d.notificationId,
    eventType: d.eventType,
    status: d.status,
    attempts: d.attempts,
    responseCode: d.responseCode,
    error: d.error,
    recipient: d.recipient,
    createdAt: d.createdAt.toISOString(),
    sentAt: d.sentAt ? d.sentAt.toISOString() : null,
    nextAttemptAt: d.status === 'pending' ? d.nextAttemptAt.toISOString() : null,
  };
}

/** Delivery log, newest first. */
export async function listDeliveries(ctx: Ctx, q: { channelId?: string; status?: 'pending' | 'sent' | 'failed'; limit: number; cursor?: string }) {
  requirePermission(ctx.actor, 'notify:manage');
  const after = decodeCursor<{ at: string; id: string }>(q.cursor, { at: 'string', id: 'string' });
  const conds: SQL[] = [eq(notificationDeliveries.tenantId, ctx.actor.tenantId)];
  if (q.channelId) conds.push(eq(notificationDeliveries.channelId, q.channelId));
  if (q.status) conds.push(eq(notificationDeliveries.status, q.status));
  if (after) {
    const at = new Date(after.at);
    if (Number.isNaN(at.getTime()) || !/^[0-9a-f-]{36}$/i.test(after.id)) throw invalid('cursor', 'format', 'cursor: invalid');
    conds.push(or(lt(notificationDeliveries.createdAt, at), and(eq(notificationDeliveries.createdAt, at), lt(notificationDeliveries.id, after.id))) as SQL);
  }
  const rows = await ctx.db.read((tx) =>
    tx
      .select()
      .from(notificationDeliveries)
      .where(and(...conds))
      .orderBy(desc(notificationDeliveries.createdAt), desc(notificationDeliveries.id))
      .limit(q.limit + 1),
  );
  const page = pageOf(rows, q.limit, (r) => ({ at: r.createdAt.toISOString(), id: r.id }));
  return { items: page.items.map(toDeliveryDto), nextCursor: page.nextCursor };
}

/** A test message to oneself, in the user's language, through the inbox, the live stream and the channels. */
export async function sendTestNotification(ctx: Ctx): Promise<{ id: string }> {
  const userId = ctx.actor.userId;
  if (!userId) throw new AppError('unauthenticated');
  const en = ctx.locale === 'en';
  const { ids } = await ctx.db.tx((tx) =>
    notifyUsers(tx, ctx, {
      userIds: [userId],
      type: 'system.test',
      severity: 'info',
      title: en ? 'Test notification' : '测试通知',
      body: en ? 'If you can read this, notifications reach you.' : '能看到这条消息，说明通知已送达。',
      link: '/',
    }),
  );
  return { id: ids[0] ?? '' };
}
