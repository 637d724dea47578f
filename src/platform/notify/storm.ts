import { and, eq, sql } from 'drizzle-orm';
import type { Tx } from '../db/client.ts';
import { newId } from '../db/columns.ts';
import { scheduleJob } from '../jobs/service.ts';
import { notificationStormWindows } from './schema.ts';
import { severityRank, type Severity } from './service.ts';
import type { SettingsRow } from './preferences.ts';

/**
 * Alarm-storm grouping. Windows are aligned on the clock (window length from the tenant's settings): within
 * one window, for one recipient on one channel, the first `stormMaxPerWindow` notifications of a type and
 * source go out one by one and the rest are counted; at the end of the window ONE summary goes out
 * ("37 more alarms in Plant 1 in the last minute: 20 × LEL high …"). A window that follows a stormy one
 * sends nothing one by one, only its summary, until a calm window ends the storm: a leak that lasts ten
 * minutes gives ten summaries, not ten bursts of five.
 *
 * Counting is an upsert on a unique key (several instances agree), the summary is a durable job keyed by
 * the window (it survives a restart and is scheduled once), and the job writes the summary once
 * (summary_sent_at, under a row lock).
 */

export const STORM_SUMMARY_JOB = 'notify.storm.summary';
export type WindowRow = typeof notificationStormWindows.$inferSelect;

export interface StormKey {
  tenantId: string;
  /** Channel id, or "sse". */
  channelKey: string;
  /** User id, or "*" for a group robot. */
  recipientKey: string;
  type: string;
  sourceKey: string | null;
  place: string | null;
  label: string | null;
  severity: Severity;
  /** notifyUsers call; a group robot counts one message per call. */
  batchId?: string;
}

export const groupKeyOf = (type: string, sourceKey: string | null) => `${type}|${sourceKey ?? ''}`;

export function windowOf(now: Date, settings: Pick<SettingsRow, 'stormWindowSeconds'>): { start: Date; end: Date } {
  const ms = settings.stormWindowSeconds * 1000;
  const start = Math.floor(now.getTime() / ms) * ms;
  return { start: new Date(start), end: new Date(start + ms) };
}

/** 'send': deliver this one now; 'suppressed': counted for the window's summary. */
export async function stormGate(tx: Tx, now: Date, settings: SettingsRow, key: StormKey): Promise<'send' | 'suppressed'> {
  const groupKey = groupKeyOf(key.type, key.sourceKey);
  const { start, end } = windowOf(now, settings);
  const same = (windowStart: Date) =>
    and(
      eq(notificationStormWindows.channelKey, key.channelKey),
      eq(notificationStormWindows.recipientKey, key.recipientKey),
      eq(notificationStormWindows.groupKey, groupKey),
      eq(notificationStormWindows.windowStart, windowStart),
    );
  if (key.batchId) {
    const [current] = await tx.select().from(notificationStormWindows).where(same(start));
    // Another recipient of a call already counted (and suppressed) for this group: nothing more to count.
    if (current && current.lastBatchId === key.batchId) return 'suppressed';
  }
  const [prev] = await tx
    .select({ suppressed: notificationStormWindows.suppressed })
    .from(notificationStormWindows)
    .where(same(new Date(start.getTime() - settings.stormWindowSeconds * 1000)));
  const [row] = await tx
    .insert(notificationStormWindows)
    .values({
      id: newId(),
      tenantId: key.tenantId,
      channelKey: key.channelKey,
      recipientKey: key.recipientKey,
      groupKey,
      type: key.type,
      place: key.place,
      windowStart: start,
      windowEnd: end,
      continued: (prev?.suppressed ?? 0) > 0,
      count: 1,
      lastBatchId: key.batchId ?? null,
    })
    .onConflictDoUpdate({
      target: [notificationStormWindows.channelKey, notificationStormWindows.recipientKey, notificationStormWindows.groupKey, notificationStormWindows.windowStart],
      set: { count: sql`${notificationStormWindows.count} + 1`, lastBatchId: key.batchId ?? null },
    })
    .returning();
  if (!row) throw new Error('storm window upsert returned nothing');
  const allowance = row.continued ? 0 : settings.stormMaxPerWindow;
  if (row.count <= allowance) return 'send';

  const label = (key.label ?? key.type).slice(0, 100);
  const breakdown = { ...row.breakdown, [label]: (row.breakdown[label] ?? 0) + 1 };
  const severity = severityRank[key.severity] > severityRank[row.severity as Severity] ? key.severity : row.severity;
  const [after] = await tx
    .update(notificationStormWindows)
    .set({ suppressed: sql`${notificationStormWindows.suppressed} + 1`, breakdown, severity })
    .where(eq(notificationStormWindows.id, row.id))
    .returning({ suppressed: notificationStormWindows.suppressed });
  if (after?.suppressed === 1) {
    await scheduleJob(tx, { kind: STORM_SUMMARY_JOB, runAt: row.windowEnd, tenantId: key.tenantId, dedupeKey: `notify:storm:${row.id}`, payload: { windowId: row.id } });
  }
  return 'suppressed';
}

export interface SummaryText {
  title: string;
  body: string;
}

function windowText(seconds: number, locale: 'zh-CN' | 'en'): string {
  if (locale === 'en') return seconds === 60 ? 'the last minute' : seconds % 60 === 0 ? `the last ${seconds / 60} minutes` : `the last ${seconds} s`;
  return seconds === 60 ? '过去 1 分钟' : seconds % 60 === 0 ? `过去 ${seconds / 60} 分钟` : `过去 ${seconds} 秒`;
}

/** "37 more alarms in Plant 1 in the last minute: 20 × LEL high, 17 × H2S high". */
export function renderSummary(w: Pick<WindowRow, 'type' | 'place' | 'suppressed' | 'breakdown' | 'windowStart' | 'windowEnd'>, locale: 'zh-CN' | 'en'): SummaryText {
  const alarms = w.type.startsWith('iot.alarm');
  const seconds = Math.round((w.windowEnd.getTime() - w.windowStart.getTime()) / 1000);
  const parts = Object.entries(w.breakdown).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const shown = parts.slice(0, 5);
  const rest = parts.length - shown.length;
  if (locale === 'en') {
    const noun = alarms ? (w.suppressed === 1 ? 'alarm' : 'alarms') : w.suppressed === 1 ? 'notification' : 'notifications';
    const where = w.place ? ` in ${w.place}` : '';
    const list = shown.map(([l, n]) => `${n} × ${l}`).join(', ') + (rest > 0 ? `, and ${rest} more kinds` : '');
    return { title: `${w.suppressed} more ${noun}${where}`, body: `${w.suppressed} more ${noun}${where} in ${windowText(seconds, 'en')}: ${list}` };
  }
  const noun = alarms ? '报警' : '通知';
  const list = shown.map(([l, n]) => `${l} × ${n}`).join('、') + (rest > 0 ? ` 等 ${parts.length} 类` : '');
  const title = `${w.place ? `${w.place} ` : ''}又有 ${w.suppressed} 条${noun}`;
  return { title, body: `${windowText(seconds, 'zh-CN')} ${title}：${list}` };
}
