import { and, asc, eq, gt, inArray, isNull, lte, sql } from 'drizzle-orm';
import type { Config } from '../../config.ts';
import type { Ctx } from '../auth/actor.ts';
import { requirePermission } from '../auth/scope.ts';
import { users } from '../auth/schema.ts';
import type { Database, Tx } from '../db/client.ts';
import { newId } from '../db/columns.ts';
import { matchesPattern, registerSubscriber, silentLog, startPollLoop, type Log, type OutboxEvent } from '../events/dispatcher.ts';
import { registerStreamReplay, sendToUser, type StreamFrame } from '../events/stream.ts';
import { AppError, invalid } from '../http/errors.ts';
import { registerJobHandler } from '../jobs/service.ts';
import { tenantZone } from '../org/calendar.ts';
import { people } from '../org/schema.ts';
import {
  dingTalkChannel,
  emailChannel,
  smsChannel,
  smsText,
  webhookChannel,
  weComChannel,
  type Channel,
  type EmailMessage,
  type RobotMessage,
  type SendResult,
  type SmsMessage,
  type WebhookMessage,
  type WebhookPayload,
} from './channels.ts';
import { ensureNotifySettings, preferenceChannelOf, preferencesOf, wants } from './preferences.ts';
import { notificationChannels, notificationDeliveries, notifications, notificationStormWindows } from './schema.ts';
import { renderSummary, STORM_SUMMARY_JOB, stormGate } from './storm.ts';
import {
  getChannel,
  isRobotKind,
  NOTIFICATION_CREATED,
  readChannelConfig,
  severityRank,
  toNotificationDto,
  type ChannelRow,
  type DeliveryRow,
  type NotificationRow,
  type Severity,
} from './service.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

async function loadNotification(tx: Tx, event: OutboxEvent): Promise<NotificationRow | null> {
  const id = event.payload.notificationId ?? event.entityId;
  if (typeof id !== 'string' || !UUID.test(id)) return null;
  const [n] = await tx.select().from(notifications).where(eq(notifications.id, id));
  return n ?? null;
}

export function notificationFrame(n: NotificationRow): StreamFrame {
  return { event: 'notification', id: n.id, data: toNotificationDto(n) };
}

// Registered at import time (see registerSubscriber): both exist before the dispatcher's first round.

/**
 * Live push: the new notification goes to the user's open streams on every instance, if the user wants
 * pop-ups of this severity (critical always) and no alarm storm is being summarised for them.
 */
registerSubscriber('notify.stream', NOTIFICATION_CREATED, async (tx, event) => {
  const n = await loadNotification(tx, event);
  if (!n || n.readAt) return;
  const prefs = (await preferencesOf(tx, n.tenantId, [n.userId])).get(n.userId);
  if (!wants(prefs, 'in_app', n.severity)) return;
  const settings = await ensureNotifySettings(tx, n.tenantId);
  const gate = await stormGate(tx, n.createdAt, settings, {
    tenantId: n.tenantId,
    channelKey: 'sse',
    recipientKey: n.userId,
    type: n.type,
    sourceKey: n.sourceKey,
    place: n.place,
    label: n.label,
    severity: n.severity,
  });
  if (gate === 'send') await sendToUser(tx, n.userId, notificationFrame(n));
});

/** Reconnecting streams get the unread notifications newer than Last-Event-ID (UUIDv7 ids sort by time). */
registerStreamReplay(async (tx, actor, lastEventId) => {
  if (!actor.userId) return [];
  const rows = await tx
    .select()
    .from(notifications)
    .where(and(eq(notifications.tenantId, actor.tenantId), eq(notifications.userId, actor.userId), isNull(notifications.readAt), gt(notifications.id, lastEventId)))
    .orderBy(asc(notifications.id))
    .limit(100);
  return rows.map(notificationFrame);
});

export const severityLabel: Record<'zh-CN' | 'en', Record<Severity, string>> = {
  'zh-CN': { info: '通知', warning: '警告', critical: '紧急' },
  en: { info: 'Notice', warning: 'Warning', critical: 'Critical' },
};

export function renderEmail(n: Pick<NotificationRow, 'severity' | 'title' | 'body' | 'link'>, to: string, locale: 'zh-CN' | 'en'): EmailMessage {
  const label = severityLabel[locale][n.severity];
  return {
    to,
    subject: locale === 'en' ? `[SafeLoop ${label}] ${n.title}` : `【SafeLoop ${label}】${n.title}`,
    text: n.body ? `${n.title}\n\n${n.body}` : n.title,
    link: n.link,
  };
}

export function channelMatches(channel: ChannelRow, type: string, severity: Severity): boolean {
  if (!channel.enabled) return false;
  // A channel of domain events gets no notifications (eventWebhooks.ts fills it).
  if (readChannelConfig(channel).source === 'events') return false;
  if (channel.eventTypes.length > 0 && !channel.eventTypes.some((p) => matchesPattern(p, type))) return false;
  const min = readChannelConfig(channel).minSeverity ?? 'info';
  return severityRank[severity] >= severityRank[min];
}

interface Person {
  email: string | null;
  phone: string | null;
  locale: 'zh-CN' | 'en';
}

async function personOf(tx: Tx, userId: string): Promise<Person> {
  // E-mail and mobile live on the person (people.email/phone), reached through users.personId.
  const [u] = await tx
    .select({ email: people.email, phone: people.phone, locale: users.locale })
    .from(users)
    .leftJoin(people, eq(people.id, users.personId))
    .where(eq(users.id, userId));
  return { email: u?.email?.trim() || null, phone: u?.phone?.trim() || null, locale: u?.locale === 'en' ? 'en' : 'zh-CN' };
}

export function renderRobot(n: Pick<NotificationRow, 'severity' | 'title' | 'body' | 'link' | 'place'>, locale: 'zh-CN' | 'en', atMobiles: string[]): RobotMessage & { link: string | null } {
  const label = severityLabel[locale][n.severity];
  const lines = [`### ${locale === 'en' ? `[${label}]` : `【${label}】`} ${n.title}`];
  if (n.place) lines.push(locale === 'en' ? `Place: ${n.place}` : `地点：${n.place}`);
  if (n.body) lines.push(n.body);
  return { title: n.title.slice(0, 100), text: lines.join('\n\n'), atMobiles, link: n.link };
}

export function renderSms(n: Pick<NotificationRow, 'severity' | 'title' | 'place'>, phone: string, locale: 'zh-CN' | 'en', maxLength: number): SmsMessage {
  const severity = locale === 'en' ? `[${severityLabel.en[n.severity]}] ` : `【${severityLabel['zh-CN'][n.severity]}】`;
  return {
    to: [phone],
    text: smsText({ severity, place: n.place, title: n.title }, maxLength),
    params: { severity: severityLabel[locale][n.severity], place: n.place ?? '', title: n.title.slice(0, 60) },
  };
}

export const DEFAULT_SMS_MAX_LENGTH = 70;

/**
 * Channel fan-out: one `notification_deliveries` row per matching channel, written in the dispatcher's
 * transaction (so exactly once per notification). Personal channels (e-mail, SMS, robots) honour the
 * recipient's preferences and the storm rule; a group robot gets one message per notifyUsers call with
 * every recipient who wants it @-mentioned. Sending is left to `deliverPending`, outside any transaction,
 * with its own retries: a slow mail server never holds up the outbox.
 */
registerSubscriber('notify.channels', NOTIFICATION_CREATED, async (tx, event, { now }) => {
  const n = await loadNotification(tx, event);
  if (!n) return;
  const channels = (await tx
    .select()
    .from(notificationChannels)
    .where(and(eq(notificationChannels.tenantId, n.tenantId), eq(notificationChannels.enabled, true)))).filter((c) => channelMatches(c, n.type, n.severity));
  if (channels.length === 0) return;
  const personal = channels.some((c) => c.kind !== 'webhook');
  const person = personal ? await personOf(tx, n.userId) : null;
  const prefs = personal ? (await preferencesOf(tx, n.tenantId, [n.userId])).get(n.userId) : undefined;
  const settings = personal ? await ensureNotifySettings(tx, n.tenantId) : null;
  const batchId = typeof event.payload.batchId === 'string' ? event.payload.batchId : n.id;
  const stormKey = { tenantId: n.tenantId, type: n.type, sourceKey: n.sourceKey, place: n.place, label: n.label, severity: n.severity };
  const rows: (typeof notificationDeliveries.$inferInsert)[] = [];
  for (const c of channels) {
    const base = { id: newId(), tenantId: n.tenantId, channelId: c.id, notificationId: n.id, eventType: n.type, createdAt: now, nextAttemptAt: now };
    const pc = preferenceChannelOf(c.kind);
    // The recipient chose not to get this severity here: nothing to send, nothing to log.
    if (pc && !wants(prefs, pc, n.severity)) continue;
    if (c.kind === 'webhook') {
      const payload: WebhookPayload = {
        id: event.id,
        type: n.type,
        occurredAt: n.createdAt.toISOString(),
        tenantId: n.tenantId,
        data: { notificationId: n.id, userId: n.userId, severity: n.severity, title: n.title, link: n.link, refs: n.data },
      };
      rows.push({ ...base, status: 'pending', recipient: readChannelConfig(c).url ?? null, payload: { ...payload } });
      continue;
    }
    if (!person || !settings) continue;
    if (isRobotKind(c.kind)) {
      const dedupeKey = `robot:${c.id}:${batchId}`;
      const mention = person.phone ? [person.phone] : [];
      const [existing] = await tx.select({ id: notificationDeliveries.id, status: notificationDeliveries.status }).from(notificationDeliveries).where(eq(notificationDeliveries.dedupeKey, dedupeKey));
      if (existing) {
        // Same call, another recipient: one group message, one more @-mention (while it has not gone yet).
        if (existing.status === 'pending' && mention.length > 0) {
          await tx
            .update(notificationDeliveries)
            .set({ payload: sql`jsonb_set(${notificationDeliveries.payload}, '{atMobiles}', coalesce(${notificationDeliveries.payload}->'atMobiles', '[]'::jsonb) || ${JSON.stringify(mention)}::jsonb)` })
            .where(eq(notificationDeliveries.id, existing.id));
        }
        continue;
      }
      if ((await stormGate(tx, n.createdAt, settings, { ...stormKey, channelKey: c.id, recipientKey: '*', batchId })) === 'suppressed') continue;
      const { locale } = await tenantZone(tx, n.tenantId);
      rows.push({ ...base, status: 'pending', dedupeKey, recipient: c.name, payload: { ...renderRobot(n, locale, mention) } });
      continue;
    }
    const address = c.kind === 'email' ? person.email : person.phone;
    if (!address) {
      // Logged, not silently skipped: the delivery log is where an operator looks for a missing message.
      const error = c.kind === 'email' ? 'recipient has no e-mail address (people.email)' : 'recipient has no mobile number (people.phone)';
      rows.push({ ...base, status: 'failed', error, payload: {} });
      continue;
    }
    if ((await stormGate(tx, n.createdAt, settings, { ...stormKey, channelKey: c.id, recipientKey: n.userId })) === 'suppressed') continue;
    const payload =
      c.kind === 'email' ? { ...renderEmail(n, address, person.locale) } : { ...renderSms(n, address, person.locale, readChannelConfig(c).maxLength ?? DEFAULT_SMS_MAX_LENGTH) };
    rows.push({ ...base, status: 'pending', recipient: address, payload });
  }
  if (rows.length === 0) return;
  await tx.insert(notificationDeliveries).values(rows);
  wakeDeliveries();
});

/**
 * End of a stormy window: ONE summary to the recipient on that channel (live stream or a delivery).
 * Idempotent: the window row is locked and `summary_sent_at` written in the same transaction, and a
 * delivery is keyed `storm:<window>`, so a job run twice (crash after commit) sends nothing twice.
 */
registerJobHandler(STORM_SUMMARY_JOB, async ({ db, job, now }) => {
  const windowId = typeof job.payload.windowId === 'string' ? job.payload.windowId : null;
  if (!windowId || !UUID.test(windowId)) return;
  await db.tx(async (tx) => {
    const [w] = await tx.select().from(notificationStormWindows).where(eq(notificationStormWindows.id, windowId)).for('update');
    if (!w || w.summarySentAt || w.suppressed === 0) return;
    await tx.update(notificationStormWindows).set({ summarySentAt: now }).where(eq(notificationStormWindows.id, w.id));
    const severity = (severityRank[w.severity as Severity] === undefined ? 'info' : w.severity) as Severity;
    if (w.channelKey === 'sse') {
      const person = await personOf(tx, w.recipientKey);
      const text = renderSummary(w, person.locale);
      await sendToUser(tx, w.recipientKey, {
        event: 'notification.summary',
        data: { id: w.id, type: w.type, severity, title: text.title, body: text.body, count: w.suppressed, place: w.place, windowStart: w.windowStart.toISOString(), windowEnd: w.windowEnd.toISOString() },
      });
      return;
    }
    const [c] = await tx.select().from(notificationChannels).where(eq(notificationChannels.id, w.channelKey));
    if (!c || !c.enabled) return;
    const base = { id: newId(), tenantId: w.tenantId, channelId: c.id, notificationId: null, eventType: 'notification.summary', createdAt: now, nextAttemptAt: now, dedupeKey: `storm:${w.id}` };
    let row: typeof notificationDeliveries.$inferInsert;
    if (isRobotKind(c.kind)) {
      const { locale } = await tenantZone(tx, w.tenantId);
      const text = renderSummary(w, locale);
      row = { ...base, status: 'pending', recipient: c.name, payload: { ...renderRobot({ severity, title: text.title, body: text.body, link: null, place: null }, locale, []) } };
    } else {
      const person = await personOf(tx, w.recipientKey);
      const text = renderSummary(w, person.locale);
      const address = c.kind === 'email' ? person.email : person.phone;
      if (!address) return;
      const summary = { severity, title: text.body, body: null, link: null, place: w.place };
      row = {
        ...base,
        status: 'pending',
        recipient: address,
        payload:
          c.kind === 'email'
            ? { ...renderEmail({ ...summary, title: text.title, body: text.body }, address, person.locale) }
            : { ...renderSms({ ...summary, place: null }, address, person.locale, readChannelConfig(c).maxLength ?? DEFAULT_SMS_MAX_LENGTH) },
      };
    }
    await tx.insert(notificationDeliveries).values(row).onConflictDoNothing();
    wakeDeliveries();
  });
});

export interface DeliverySettings {
  smtpUrl: string | null;
  smtpFrom: string;
  publicUrl: string;
  webhookTimeoutMs?: number;
  /** Deliveries claimed per round. */
  batch?: number;
  /** Sent in parallel within a round. */
  concurrency?: number;
  /** How long a claimed delivery is hidden from other instances while it is being sent. */
  leaseMs?: number;
}

export function deliverySettingsFrom(config: Pick<Config, 'smtpUrl' | 'smtpFrom' | 'publicUrl'>): DeliverySettings {
  return { smtpUrl: config.smtpUrl, smtpFrom: config.smtpFrom, publicUrl: config.publicUrl };
}

/** Attempts per delivery: 30 s, 1, 2, 4 … min apart, capped at 1 h; ten attempts span about four hours. */
export const MAX_DELIVERY_ATTEMPTS = 10;
export function deliveryBackoffMs(attempts: number): number {
  return Math.min(3_600_000, 30_000 * 2 ** Math.min(Math.max(attempts - 1, 0), 20));
}

function isEmailMessage(p: Record<string, unknown>): p is Record<string, unknown> & EmailMessage {
  return typeof p.to === 'string' && typeof p.subject === 'string' && typeof p.text === 'string';
}

function isRobotMessage(p: Record<string, unknown>): p is Record<string, unknown> & RobotMessage {
  return typeof p.title === 'string' && typeof p.text === 'string' && Array.isArray(p.atMobiles) && p.atMobiles.every((m) => typeof m === 'string');
}

function isSmsMessage(p: Record<string, unknown>): p is Record<string, unknown> & SmsMessage {
  return Array.isArray(p.to) && p.to.every((m) => typeof m === 'string') && typeof p.text === 'string' && typeof p.params === 'object' && p.params !== null;
}

const absolute = (link: unknown, publicUrl: string): string | null =>
  typeof link === 'string' && link ? (/^https?:\/\//.test(link) ? link : publicUrl.replace(/\/$/, '') + link) : null;

function isWebhookPayload(p: Record<string, unknown>): p is Record<string, unknown> & WebhookPayload {
  return typeof p.id === 'string' && typeof p.type === 'string' && typeof p.occurredAt === 'string' && typeof p.tenantId === 'string' && typeof p.data === 'object';
}

const emailChannels = new Map<string, Channel<EmailMessage>>();

/** One transport per SMTP URL and sender, reused across rounds. */
function emailFor(settings: DeliverySettings): Channel<EmailMessage> {
  const key = `${settings.smtpUrl ?? ''}|${settings.smtpFrom}|${settings.publicUrl}`;
  let ch = emailChannels.get(key);
  if (!ch) {
    ch = emailChannel({ smtpUrl: settings.smtpUrl, from: settings.smtpFrom, publicUrl: settings.publicUrl });
    if (emailChannels.size > 20) emailChannels.clear();
    emailChannels.set(key, ch);
  }
  return ch;
}

interface Outcome extends SendResult {
  /** No point retrying (channel gone, message unreadable). */
  final?: boolean;
}

async function sendOne(d: DeliveryRow, channel: ChannelRow | undefined, settings: DeliverySettings, now: Date): Promise<Outcome> {
  if (!channel) return { ok: false, error: 'channel deleted', final: true };
  if (!channel.enabled) return { ok: false, error: 'channel disabled', final: true };
  if (channel.kind === 'email') {
    if (!isEmailMessage(d.payload)) return { ok: false, error: 'stored e-mail message is malformed', final: true };
    return emailFor(settings).send({ to: d.payload.to, subject: d.payload.subject, text: d.payload.text, link: typeof d.payload.link === 'string' ? d.payload.link : null });
  }
  const cfg = readChannelConfig(channel);
  if (isRobotKind(channel.kind)) {
    if (!cfg.token) return { ok: false, error: 'robot channel has no token', final: true };
    if (!isRobotMessage(d.payload)) return { ok: false, error: 'stored robot message is malformed', final: true };
    const link = absolute(d.payload.link, settings.publicUrl);
    const message: RobotMessage = { title: d.payload.title, text: link ? `${d.payload.text}\n\n[${link}](${link})` : d.payload.text, atMobiles: [...new Set(d.payload.atMobiles)] };
    return channel.kind === 'dingtalk'
      ? dingTalkChannel({ url: cfg.url, token: cfg.token, secret: cfg.secret, timeoutMs: settings.webhookTimeoutMs, now: () => now }).send(message)
      : weComChannel({ url: cfg.url, token: cfg.token, timeoutMs: settings.webhookTimeoutMs }).send(message);
  }
  if (channel.kind === 'sms') {
    if (!cfg.url) return { ok: false, error: 'SMS channel has no url', final: true };
    if (!isSmsMessage(d.payload)) return { ok: false, error: 'stored SMS message is malformed', final: true };
    const params = Object.fromEntries(Object.entries(d.payload.params).map(([k, v]) => [k, String(v)]));
    return smsChannel({ url: cfg.url, token: cfg.token, secret: cfg.secret, templateId: cfg.templateId, timeoutMs: settings.webhookTimeoutMs, now: () => now }).send({ to: d.payload.to, text: d.payload.text, params });
  }
  if (!cfg.url || !cfg.secret) return { ok: false, error: 'webhook channel has no url or secret', final: true };
  if (!isWebhookPayload(d.payload)) return { ok: false, error: 'stored webhook payload is malformed', final: true };
  const payload: WebhookPayload = { id: d.payload.id, type: d.payload.type, occurredAt: d.payload.occurredAt, tenantId: d.payload.tenantId, data: d.payload.data };
  return webhookChannel({ url: cfg.url, secret: cfg.secret, timeoutMs: settings.webhookTimeoutMs, now: () => now }).send({ deliveryId: d.id, payload });
}

async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  });
  await Promise.all(workers);
  return out;
}

export interface DeliverResult {
  claimed: number;
  sent: number;
  retrying: number;
  failed: number;
}

/**
 * Sends due deliveries. Claim (short transaction, `FOR UPDATE SKIP LOCKED`, lease on next_attempt_at) →
 * send outside any transaction → record the outcome. A crash between sending and recording resends after
 * the lease: receivers de-duplicate on X-SafeLoop-Delivery (webhook); an e-mail may arrive twice.
 */
export async function deliverPending(db: Database, now: Date, settings: DeliverySettings): Promise<DeliverResult> {
  const batch = settings.batch ?? 20;
  const leaseUntil = new Date(now.getTime() + (settings.leaseMs ?? 300_000));
  const claimed = await db.tx(async (tx) => {
    const due = tx
      .select({ id: notificationDeliveries.id })
      .from(notificationDeliveries)
      .where(and(eq(notificationDeliveries.status, 'pending'), lte(notificationDeliveries.nextAttemptAt, now)))
      .orderBy(asc(notificationDeliveries.nextAttemptAt), asc(notificationDeliveries.id))
      .limit(batch)
      .for('update', { skipLocked: true });
    return tx.update(notificationDeliveries).set({ nextAttemptAt: leaseUntil }).where(inArray(notificationDeliveries.id, due)).returning();
  });
  const result: DeliverResult = { claimed: claimed.length, sent: 0, retrying: 0, failed: 0 };
  if (claimed.length === 0) return result;
  const channelIds = [...new Set(claimed.map((d) => d.channelId))];
  const channels = await db.read((tx) => tx.select().from(notificationChannels).where(inArray(notificationChannels.id, channelIds)));
  const byId = new Map(channels.map((c) => [c.id, c]));
  const outcomes = await mapLimit(claimed, settings.concurrency ?? 4, (d) =>
    sendOne(d, byId.get(d.channelId), settings, now).catch((e: unknown): Outcome => ({ ok: false, error: e instanceof Error ? e.message : String(e) })),
  );
  await db.tx(async (tx) => {
    for (const [i, d] of claimed.entries()) {
      const o = outcomes[i] ?? { ok: false, error: 'no outcome' };
      const attempts = d.attempts + 1;
      const common = { attempts, responseCode: o.responseCode ?? null };
      if (o.ok) {
        result.sent++;
        await tx.update(notificationDeliveries).set({ ...common, status: 'sent', sentAt: now, error: null }).where(eq(notificationDeliveries.id, d.id));
      } else if (o.final || attempts >= MAX_DELIVERY_ATTEMPTS) {
        result.failed++;
        await tx.update(notificationDeliveries).set({ ...common, status: 'failed', error: o.error ?? 'failed' }).where(eq(notificationDeliveries.id, d.id));
      } else {
        result.retrying++;
        await tx
          .update(notificationDeliveries)
          .set({ ...common, error: o.error ?? 'failed', nextAttemptAt: new Date(now.getTime() + deliveryBackoffMs(attempts)) })
          .where(eq(notificationDeliveries.id, d.id));
      }
    }
  });
  return result;
}

const wakers = new Set<() => void>();

/** Nudges the local delivery loop (no I/O; fine inside a transaction). */
export function wakeDeliveries(): void {
  for (const w of wakers) w();
}

export interface StartNotifyOptions {
  db: Database;
  config: Pick<Config, 'smtpUrl' | 'smtpFrom' | 'publicUrl'>;
  now?: () => Date;
  log?: Log;
  intervalMs?: number;
  /** Overrides for tests (timeouts, batch). */
  settings?: Partial<DeliverySettings>;
}

/** Starts the delivery loop (every second, or at once when new deliveries are written). */
export function startNotify(opts: StartNotifyOptions): { stop(): Promise<void> } {
  const settings = { ...deliverySettingsFrom(opts.config), ...opts.settings };
  const now = opts.now ?? (() => new Date());
  const log = opts.log ?? silentLog;
  const batch = settings.batch ?? 20;
  const loop = startPollLoop(
    async () => {
      const r = await deliverPending(opts.db, now(), settings);
      if (r.retrying + r.failed > 0) log.warn({ ...r }, 'some notification deliveries failed');
      return r.claimed === batch;
    },
    { intervalMs: opts.intervalMs ?? 1000, log, name: 'notification delivery', wakers },
  );
  return { stop: loop.stop };
}

export interface TestChannelResult {
  ok: boolean;
  responseCode: number | null;
  error: string | null;
  deliveryId: string;
}

/**
 * Sends a test message through a channel now (outside any transaction) and logs it as a delivery
 * (`notify.test`). E-mail goes to `to`, or to the administrator's own address.
 */
export async function testChannel(ctx: Ctx, settings: DeliverySettings, id: string, input: { to?: string; phone?: string }): Promise<TestChannelResult> {
  requirePermission(ctx.actor, 'notify:manage');
  const channel = await getChannel(ctx, id);
  const now = ctx.now();
  const deliveryId = newId();
  const type = 'notify.test';
  let outcome: Outcome;
  let recipient: string | null;
  let payload: Record<string, unknown>;
  const locale = ctx.locale;
  const title = locale === 'en' ? 'SafeLoop test message' : 'SafeLoop 测试消息';
  const body = locale === 'en' ? `Channel "${channel.name}" works.` : `通知渠道“${channel.name}”配置正确。`;
  if (channel.kind === 'email') {
    let to = input.to ?? null;
    if (!to && ctx.actor.userId) {
      const [u] = await ctx.db.read((tx) =>
        tx.select({ email: people.email }).from(users).leftJoin(people, eq(people.id, users.personId)).where(eq(users.id, ctx.actor.userId ?? '')),
      );
      to = u?.email ?? null;
    }
    if (!to) throw invalid('to', 'required', 'to: your account has no e-mail address; give one to send the test to');
    const message = renderEmail({ severity: 'info', title, body, link: '/' }, to, locale);
    recipient = to;
    payload = { ...message };
    outcome = await emailFor(settings).send(message);
  } else if (channel.kind !== 'webhook') {
    // Robots and SMS go through the same code as real deliveries (sendOne), only logged at once.
    const cfg = readChannelConfig(channel);
    let phone = input.phone ?? null;
    if (!phone && ctx.actor.userId) phone = (await ctx.db.read((tx) => personOf(tx, ctx.actor.userId ?? ''))).phone;
    const n = { severity: 'info' as const, title, body, link: '/', place: null };
    if (channel.kind === 'sms') {
      if (!phone) throw invalid('phone', 'required', 'phone: your person record has no mobile number; give one to send the test to');
      payload = { ...renderSms(n, phone, locale, cfg.maxLength ?? DEFAULT_SMS_MAX_LENGTH) };
      recipient = phone;
    } else {
      payload = { ...renderRobot(n, locale, phone ? [phone] : []) };
      recipient = channel.name;
    }
    const fake: DeliveryRow = {
      id: deliveryId,
      tenantId: ctx.actor.tenantId,
      channelId: channel.id,
      notificationId: null,
      eventType: type,
      status: 'pending',
      attempts: 0,
      responseCode: null,
      error: null,
      payload,
      createdAt: now,
      sentAt: null,
      nextAttemptAt: now,
      recipient,
      dedupeKey: null,
    };
    outcome = await sendOne(fake, channel, settings, now);
  } else {
    const cfg = readChannelConfig(channel);
    if (!cfg.url || !cfg.secret) throw new AppError('conflict', 'webhook channel has no url or secret');
    const webhook: WebhookPayload = { id: newId(), type, occurredAt: now.toISOString(), tenantId: ctx.actor.tenantId, data: { title, body } };
    recipient = cfg.url;
    payload = { ...webhook };
    const message: WebhookMessage = { deliveryId, payload: webhook };
    outcome = await webhookChannel({ url: cfg.url, secret: cfg.secret, timeoutMs: settings.webhookTimeoutMs, now: ctx.now }).send(message);
  }
  await ctx.db.tx((tx) =>
    tx.insert(notificationDeliveries).values({
      id: deliveryId,
      tenantId: ctx.actor.tenantId,
      channelId: channel.id,
      notificationId: null,
      eventType: type,
      status: outcome.ok ? 'sent' : 'failed',
      attempts: 1,
      responseCode: outcome.responseCode ?? null,
      error: outcome.ok ? null : (outcome.error ?? 'failed'),
      payload,
      recipient,
      createdAt: now,
      sentAt: outcome.ok ? now : null,
      nextAttemptAt: now,
    }),
  );
  return { ok: outcome.ok, responseCode: outcome.responseCode ?? null, error: outcome.ok ? null : (outcome.error ?? 'failed'), deliveryId };
}
