/** Texts of the inspections module (zh-CN first, en beside it): notifications and default data. */

export type Locale = 'zh-CN' | 'en';
export type Text = Record<Locale, string>;

export interface MissedFacts {
  planName: string;
  windowStart: string;
  windowEnd: string;
  assigneeName: string | null;
}

export const notices = {
  missed: (f: MissedFacts): { type: string; title: Text; body: Text } => ({
    type: 'inspection.task.missed',
    title: { 'zh-CN': `巡检任务漏检：${f.planName}`, en: `Inspection missed: ${f.planName}` },
    body: {
      'zh-CN': `${f.planName}（${f.windowStart} 至 ${f.windowEnd}）未在规定时间内完成${f.assigneeName ? `，责任人：${f.assigneeName}` : ''}。请查明原因并尽快补检。`,
      en: `${f.planName} (${f.windowStart} to ${f.windowEnd}) was not done in its window${f.assigneeName ? `; assignee: ${f.assigneeName}` : ''}. Find out why and check as soon as possible.`,
    },
  }),
  todaysTasks: (count: number): { type: string; title: Text; body: Text } => ({
    type: 'inspection.tasks.today',
    title: { 'zh-CN': `今日巡检任务 ${count} 项`, en: `${count} inspection task(s) today` },
    body: { 'zh-CN': '请按时到各巡检点扫码并完成检查表。', en: 'Scan each checkpoint and fill its checklist in time.' },
  }),
};

/** A hazard raised by a failed item: title and description in the tenant's language. */
export function findingText(locale: Locale, f: { planName: string; itemLabel: string; measure: string | null; checkpoint: string | null; reading: string | null; remark: string | null }): { title: string; description: string } {
  if (locale === 'en') {
    return {
      title: `Failed check: ${f.itemLabel}`.slice(0, 200),
      description: [
        `Inspection: ${f.planName}`,
        f.checkpoint ? `Checkpoint: ${f.checkpoint}` : null,
        f.measure ? `Control measure: ${f.measure}` : null,
        `Failed item: ${f.itemLabel}${f.reading ? ` (reading ${f.reading})` : ''}`,
        f.remark ? `Remark: ${f.remark}` : null,
      ]
        .filter(Boolean)
        .join('\n'),
    };
  }
  return {
    title: `巡检不合格：${f.itemLabel}`.slice(0, 200),
    description: [
      `巡检：${f.planName}`,
      f.checkpoint ? `巡检点：${f.checkpoint}` : null,
      f.measure ? `管控措施：${f.measure}` : null,
      `不合格项：${f.itemLabel}${f.reading ? `（读数 ${f.reading}）` : ''}`,
      f.remark ? `说明：${f.remark}` : null,
    ]
      .filter(Boolean)
      .join('\n'),
  };
}

/** The checklist the tenant's control-measure plans use until someone edits it. */
export const defaultTemplate = {
  name: { 'zh-CN': '管控措施落实检查', en: 'Control measure check' },
  items: (l: Locale) => [
    { key: 'measure_ok', label: l === 'en' ? 'The control measure is in place and effective' : '管控措施落实到位、有效', kind: 'pass_fail' as const, required: true, allowNa: false, photoRequired: false },
    { key: 'site_photo', label: l === 'en' ? 'Photo of the site' : '现场照片', kind: 'photo' as const, required: true },
    { key: 'remark', label: l === 'en' ? 'Remarks' : '备注', kind: 'text' as const, required: false },
  ],
};
