import { and, eq, inArray, sql } from 'drizzle-orm';
import { recordChange } from '../audit/record.ts';
import type { Ctx } from '../auth/actor.ts';
import { requirePermission } from '../auth/scope.ts';
import type { Tx } from '../db/client.ts';
import { AppError, invalid } from '../http/errors.ts';
import { notificationPreferences, notificationSettings } from './schema.ts';
import { severities, type ChannelKind, type Severity } from './service.ts';

/**
 * Personal channels a user decides about. `in_app` is the live pop-up (SSE); the inbox itself always
 * keeps every notification. `robot` covers both group robots (DingTalk, WeCom): whether a message for this
 * user is posted to the group, with them @-mentioned. The generic webhook is an integration, not a person's
 * channel: only its own channel filter applies.
 */
export const preferenceChannels = ['in_app', 'email', 'sms', 'robot'] as const;
export type PreferenceChannel = (typeof preferenceChannels)[number];
export type Preferences = Record<PreferenceChannel, Severity[]>;

/**
 * Critical notifications (critical and major IoT alarms, major hazards) always pop up in the app: a gas
 * leak must not depend on someone having switched pop-ups off months ago.
 */
export const LOCKED: Record<PreferenceChannel, Severity[]> = { in_app: ['critical'], email: [], sms: [], robot: [] };

/** Seed of the tenant's defaults: everything in the app and by e-mail, only critical by SMS and robots. */
export const DEFAULT_PREFERENCES: Preferences = {
  in_app: ['info', 'warning', 'critical'],
  email: ['info', 'warning', 'critical'],
  sms: ['critical'],
  robot: ['critical'],
};
/** Seed of the storm rule: more than 5 of one type/source to one recipient within 60 s are summarised. */
export const DEFAULT_STORM = { windowSeconds: 60, maxPerWindow: 5 };

export type SettingsRow = typeof notificationSettings.$inferSelect;

export function preferenceChannelOf(kind: ChannelKind): PreferenceChannel | null {
  if (kind === 'email' || kind === 'sms') return kind;
  if (kind === 'dingtalk' || kind === 'wecom') return 'robot';
  return null;
}

function normalise(list: readonly string[]): Severity[] {
  return severities.filter((s) => list.includes(s));
}

function readPreferences(raw: Record<string, string[]>): Preferences {
  const out = { ...DEFAULT_PREFERENCES };
  for (const c of preferenceChannels) {
    const v = raw[c];
    if (Array.isArray(v)) out[c] = normalise([...v, ...LOCKED[c]]);
  }
  return out;
}

/** The tenant's notification settings, seeded with the defaults on first use (tenant data, not constants). */
export async function ensureNotifySettings(tx: Tx, tenantId: string): Promise<SettingsRow> {
  const [row] = await tx.select().from(notificationSettings).where(eq(notificationSettings.tenantId, tenantId));
  if (row) return row;
  await tx
    .insert(notificationSettings)
    .values({ tenantId, stormWindowSeconds: DEFAULT_STORM.windowSeconds, stormMaxPerWindow: DEFAULT_STORM.maxPerWindow, defaultPreferences: { ...DEFAULT_PREFERENCES } })
    .onConflictDoNothing();
  const [seeded] = await tx.select().from(notificationSettings).where(eq(notificationSettings.tenantId, tenantId));
  if (!seeded) throw new AppError('internal', 'notification settings could not be seeded');
  return seeded;
}

/** Effective preferences of several users (their own choice per channel, else the tenant default). */
export async function preferencesOf(tx: Tx, tenantId: string, userIds: string[]): Promise<Map<string, Preferences>> {
  const settings = await ensureNotifySettings(tx, tenantId);
  const base = readPreferences(settings.defaultPreferences);
  const out = new Map<string, Preferences>(userIds.map((u) => [u, { ...base }]));
  if (userIds.length === 0) return out;
  const rows = await tx
    .select()
    .from(notificationPreferences)
    .where(and(eq(notificationPreferences.tenantId, tenantId), inArray(notificationPreferences.userId, userIds)));
  for (const r of rows) {
    const p = out.get(r.userId);
    if (p && (preferenceChannels as readonly string[]).includes(r.channel)) {
      const c = r.channel as PreferenceChannel;
      p[c] = normalise([...r.severities, ...LOCKED[c]]);
    }
  }
  return out;
}

export function wants(p: Preferences | undefined, channel: PreferenceChannel, severity: Severity): boolean {
  return (p ?? DEFAULT_PREFERENCES)[channel].includes(severity) || LOCKED[channel].includes(severity);
}

export interface PreferencesDto {
  preferences: Preferences;
  /** Severities that cannot be switched off, per channel. */
  locked: Record<PreferenceChannel, Severity[]>;
  /** The tenant default the user gets for a channel they have not set. */
  defaults: Preferences;
}

function ownUser(ctx: Ctx): string {
  if (!ctx.actor.userId) throw new AppError('forbidden', 'only users have notification preferences');
  return ctx.actor.userId;
}

export async function getMyPreferences(ctx: Ctx): Promise<PreferencesDto> {
  const userId = ownUser(ctx);
  // A transaction, not a read: the first look seeds the tenant's defaults.
  return ctx.db.tx(async (tx) => {
    const settings = await ensureNotifySettings(tx, ctx.actor.tenantId);
    const mine = await preferencesOf(tx, ctx.actor.tenantId, [userId]);
    return { preferences: mine.get(userId) ?? readPreferences(settings.defaultPreferences), locked: LOCKED, defaults: readPreferences(settings.defaultPreferences) };
  });
}

function checkPreferences(input: Partial<Record<string, string[]>>): Partial<Preferences> {
  const out: Partial<Preferences> = {};
  for (const [key, list] of Object.entries(input)) {
    if (!(preferenceChannels as readonly string[]).includes(key)) throw invalid(`preferences.${key}`, 'enum', `preferences.${key}: not a channel (in_app, email, sms, robot)`);
    const c = key as PreferenceChannel;
    for (const [i, s] of (list ?? []).entries()) {
      if (!(severities as readonly string[]).includes(s)) throw invalid(`preferences.${c}.${i}`, 'enum', `preferences.${c}.${i}: info, warning or critical`);
    }
    const missing = LOCKED[c].filter((s) => !(list ?? []).includes(s));
    if (missing.length > 0) {
      throw invalid(`preferences.${c}`, 'locked', `preferences.${c}: ${missing.join(', ')} cannot be switched off here — critical alarms always pop up in the app so nobody misses a leak`);
    }
    out[c] = normalise(list ?? []);
  }
  return out;
}

/** Replaces the user's choice for the channels given; channels left out keep what they had. Audited. */
export async function putMyPreferences(ctx: Ctx, input: Partial<Record<string, string[]>>): Promise<PreferencesDto> {
  const userId = ownUser(ctx);
  const next = checkPreferences(input);
  await ctx.db.tx(async (tx) => {
    const before = (await preferencesOf(tx, ctx.actor.tenantId, [userId])).get(userId);
    for (const [channel, list] of Object.entries(next)) {
      await tx
        .insert(notificationPreferences)
        .values({ tenantId: ctx.actor.tenantId, userId, channel, severities: list, updatedAt: ctx.now() })
        .onConflictDoUpdate({ target: [notificationPreferences.userId, notificationPreferences.channel], set: { severities: list, updatedAt: ctx.now() } });
    }
    const after = (await preferencesOf(tx, ctx.actor.tenantId, [userId])).get(userId);
    await recordChange(tx, ctx, { action: 'notify.preferences_updated', entityType: 'user', entityId: userId, before: { ...before }, after: { ...after } });
  });
  return getMyPreferences(ctx);
}

export interface NotifySettingsDto {
  stormWindowSeconds: number;
  stormMaxPerWindow: number;
  defaultPreferences: Preferences;
  version: number;
}

const settingsDto = (r: SettingsRow): NotifySettingsDto => ({
  stormWindowSeconds: r.stormWindowSeconds,
  stormMaxPerWindow: r.stormMaxPerWindow,
  defaultPreferences: readPreferences(r.defaultPreferences),
  version: r.version,
});

export async function getNotifySettings(ctx: Ctx): Promise<NotifySettingsDto> {
  requirePermission(ctx.actor, 'notify:manage');
  return settingsDto(await ctx.db.tx((tx) => ensureNotifySettings(tx, ctx.actor.tenantId)));
}

export async function updateNotifySettings(
  ctx: Ctx,
  patch: { stormWindowSeconds?: number; stormMaxPerWindow?: number; defaultPreferences?: Partial<Record<string, string[]>> },
  version: number,
): Promise<NotifySettingsDto> {
  requirePermission(ctx.actor, 'notify:manage');
  const defaults = patch.defaultPreferences ? checkPreferences(patch.defaultPreferences) : undefined;
  const row = await ctx.db.tx(async (tx) => {
    const before = await ensureNotifySettings(tx, ctx.actor.tenantId);
    const [after] = await tx
      .update(notificationSettings)
      .set({
        ...(patch.stormWindowSeconds !== undefined ? { stormWindowSeconds: patch.stormWindowSeconds } : {}),
        ...(patch.stormMaxPerWindow !== undefined ? { stormMaxPerWindow: patch.stormMaxPerWindow } : {}),
        ...(defaults ? { defaultPreferences: { ...readPreferences(before.defaultPreferences), ...defaults } } : {}),
        updatedAt: ctx.now(),
        version: sql`${notificationSettings.version} + 1`,
      })
      .where(and(eq(notificationSettings.tenantId, ctx.actor.tenantId), eq(notificationSettings.version, version)))
      .returning();
    if (!after) throw new AppError('version_conflict', undefined, { extra: { currentVersion: before.version } });
    await recordChange(tx, ctx, { action: 'notify.settings_updated', entityType: 'notification_settings', entityId: ctx.actor.tenantId, before: settingsDto(before), after: settingsDto(after) });
    return after;
  });
  return settingsDto(row);
}
