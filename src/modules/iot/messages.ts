import type { AlarmSeverity, RuleKind } from './schema.ts';

/** Notification texts of the IoT module (zh-CN first, en beside it). */

export type Locale = 'zh-CN' | 'en';
export type Text = Record<Locale, string>;

const kindText: Record<RuleKind, Text> = {
  high_high: { 'zh-CN': '高高报', en: 'high-high' },
  high: { 'zh-CN': '高报', en: 'high' },
  low: { 'zh-CN': '低报', en: 'low' },
  low_low: { 'zh-CN': '低低报', en: 'low-low' },
  rate_of_change: { 'zh-CN': '变化率超限', en: 'rate of change' },
  no_data: { 'zh-CN': '数据中断', en: 'no data' },
};

const severityText: Record<AlarmSeverity, Text> = {
  critical: { 'zh-CN': '紧急', en: 'critical' },
  major: { 'zh-CN': '重要', en: 'major' },
  minor: { 'zh-CN': '次要', en: 'minor' },
  warning: { 'zh-CN': '提示', en: 'warning' },
};

/** "LEL-01 high": what an alarm-storm summary counts ("20 × LEL-01 high"). */
export const alarmLabel = (f: Pick<AlarmFacts, 'pointName' | 'kind'>, locale: Locale): string => `${f.pointName} ${kindText[f.kind][locale]}`;

export interface AlarmFacts {
  pointCode: string;
  pointName: string;
  unit: string;
  kind: RuleKind;
  severity: AlarmSeverity;
  value: number | null;
  limit: number | null;
  minutesUnacked?: number;
}

const fmt = (v: number | null, unit: string) => (v === null ? '—' : `${Math.round(v * 1000) / 1000}${unit ? ' ' + unit : ''}`);

export const notices = {
  raised: (f: AlarmFacts): { type: string; title: Text; body: Text } => ({
    type: 'iot.alarm.raised',
    title: {
      'zh-CN': `【${severityText[f.severity]['zh-CN']}】${f.pointName}（${f.pointCode}）${kindText[f.kind]['zh-CN']}`,
      en: `[${severityText[f.severity].en}] ${f.pointName} (${f.pointCode}) ${kindText[f.kind].en} alarm`,
    },
    body: {
      'zh-CN': `当前值 ${fmt(f.value, f.unit)}，限值 ${fmt(f.limit, f.unit)}。请立即到现场确认并处置。`,
      en: `Value ${fmt(f.value, f.unit)}, limit ${fmt(f.limit, f.unit)}. Check on site and respond now.`,
    },
  }),
  escalated: (f: AlarmFacts): { type: string; title: Text; body: Text } => ({
    type: 'iot.alarm.escalated',
    title: {
      'zh-CN': `报警 ${f.minutesUnacked ?? 0} 分钟未确认：${f.pointName}（${f.pointCode}）${kindText[f.kind]['zh-CN']}`,
      en: `Alarm unacknowledged for ${f.minutesUnacked ?? 0} min: ${f.pointName} (${f.pointCode}) ${kindText[f.kind].en}`,
    },
    body: {
      'zh-CN': `${severityText[f.severity]['zh-CN']}报警仍未确认，最新值 ${fmt(f.value, f.unit)}（限值 ${fmt(f.limit, f.unit)}）。请督促现场人员确认处置。`,
      en: `A ${severityText[f.severity].en} alarm is still unacknowledged, latest value ${fmt(f.value, f.unit)} (limit ${fmt(f.limit, f.unit)}). Make sure someone on site responds.`,
    },
  }),
};

/** Pre-filled title and description of a hazard opened from an alarm (the operator may replace both). */
export const hazardFromAlarm = (f: AlarmFacts & { raisedAt: Date; raisedValue: number | null; peakValue: number | null; timeZone: string }): { title: Text; description: Text } => {
  const at = (locale: Locale) =>
    new Intl.DateTimeFormat(locale, { timeZone: f.timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false }).format(f.raisedAt);
  return {
    title: {
      'zh-CN': `${f.pointName}（${f.pointCode}）${kindText[f.kind]['zh-CN']}：${fmt(f.value, f.unit)}，限值 ${fmt(f.limit, f.unit)}`,
      en: `${f.pointName} (${f.pointCode}) ${kindText[f.kind].en} alarm: ${fmt(f.value, f.unit)}, limit ${fmt(f.limit, f.unit)}`,
    },
    description: {
      'zh-CN': `由在线监测报警开具。测点 ${f.pointName}（${f.pointCode}），${severityText[f.severity]['zh-CN']}${kindText[f.kind]['zh-CN']}，报警时间 ${at('zh-CN')}，报警值 ${fmt(f.raisedValue, f.unit)}，峰值 ${fmt(f.peakValue, f.unit)}，最新值 ${fmt(f.value, f.unit)}，限值 ${fmt(f.limit, f.unit)}。证据为该报警的读数与处置记录。`,
      en: `Opened from an IoT monitoring alarm. Point ${f.pointName} (${f.pointCode}), ${severityText[f.severity].en} ${kindText[f.kind].en} alarm raised ${at('en')}: raised at ${fmt(f.raisedValue, f.unit)}, peak ${fmt(f.peakValue, f.unit)}, latest ${fmt(f.value, f.unit)}, limit ${fmt(f.limit, f.unit)}. The evidence is the alarm's readings and timeline.`,
    },
  };
};
