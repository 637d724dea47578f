import type { CheckCycleUnit, ControlLevel, RiskLevel, RiskObjectType, WorkDayType } from './schema.ts';

/**
 * Names of the fixed codes in spreadsheets and messages (the web app has its own i18n). Level names are
 * the regulation's words (重大/较大/一般/低); the numbers behind them are tenant data.
 */

type Label = { 'zh-CN': string; en: string };

export const levelLabels: Record<RiskLevel, Label> = {
  major: { 'zh-CN': '重大', en: 'Major' },
  serious: { 'zh-CN': '较大', en: 'Serious' },
  general: { 'zh-CN': '一般', en: 'General' },
  low: { 'zh-CN': '低', en: 'Low' },
};

export const controlLevelLabels: Record<ControlLevel, Label> = {
  company: { 'zh-CN': '公司级', en: 'Company' },
  workshop: { 'zh-CN': '车间级', en: 'Workshop' },
  team: { 'zh-CN': '班组级', en: 'Team' },
  post: { 'zh-CN': '岗位级', en: 'Post' },
};

export const objectTypeLabels: Record<RiskObjectType, Label> = {
  area: { 'zh-CN': '区域场所', en: 'Area' },
  equipment: { 'zh-CN': '设备设施', en: 'Equipment' },
  operation: { 'zh-CN': '作业活动', en: 'Operation' },
  process: { 'zh-CN': '工艺过程', en: 'Process' },
  other: { 'zh-CN': '其他', en: 'Other' },
};

export const cycleUnitLabels: Record<CheckCycleUnit, Label> = {
  hour: { 'zh-CN': '小时', en: 'hour' },
  day: { 'zh-CN': '天', en: 'day' },
  week: { 'zh-CN': '周', en: 'week' },
  month: { 'zh-CN': '月', en: 'month' },
  quarter: { 'zh-CN': '季度', en: 'quarter' },
  year: { 'zh-CN': '年', en: 'year' },
};

export const workDayLabels: Record<WorkDayType, Label> = {
  workdays: { 'zh-CN': '工作日', en: 'workdays' },
  non_workdays: { 'zh-CN': '非工作日', en: 'non-workdays' },
  every_day: { 'zh-CN': '每天', en: 'every day' },
};

/** The code whose code, zh-CN or en label is `raw` (case-insensitive), or null. */
export function codeOf<K extends string>(labels: Record<K, Label>, raw: string): K | null {
  const v = raw.trim().toLowerCase();
  if (!v) return null;
  return (Object.keys(labels) as K[]).find((k) => k.toLowerCase() === v || labels[k]['zh-CN'] === raw.trim() || labels[k].en.toLowerCase() === v) ?? null;
}
