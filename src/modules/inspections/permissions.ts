import { builtinRoleCodes, registerPermissions, type BuiltinRoleCode } from '../../platform/auth/permissions.ts';

/** Inspection permissions with the built-in roles that hold them by default (synced at start). */
export const inspectionPermissions = {
  read: 'inspection:read',
  perform: 'inspection:perform',
  plan: 'inspection:plan',
  oversee: 'inspection:oversee',
  calendar: 'inspection:calendar',
} as const;

const all: BuiltinRoleCode[] = [...builtinRoleCodes];

registerPermissions([
  { code: 'inspection:read', group: 'inspection', label: { 'zh-CN': '查看巡检任务与记录', en: 'View inspection tasks and records' }, roles: all },
  // Doing a check writes records and may raise hazards: the read-only auditor does not.
  { code: 'inspection:perform', group: 'inspection', label: { 'zh-CN': '执行巡检（扫码、填写检查表）', en: 'Carry out inspections (scan, fill checklists)' }, roles: all.filter((r) => r !== 'auditor') },
  { code: 'inspection:plan', group: 'inspection', label: { 'zh-CN': '维护检查表、巡检路线与计划', en: 'Edit checklists, routes and inspection plans' }, roles: ['safety_director', 'safety_officer', 'dept_head'] },
  // The company's holidays move every plan's work days: the safety director and the administrator only.
  { code: 'inspection:calendar', group: 'inspection', label: { 'zh-CN': '维护工作日历（节假日、调休）', en: 'Edit the work-day calendar (holidays, make-up days)' }, roles: ['safety_director', 'sys_admin'] },
  { code: 'inspection:oversee', group: 'inspection', label: { 'zh-CN': '查看巡检完成率与排查日历', en: 'View inspection rates and the check calendar' }, roles: ['safety_director', 'safety_officer', 'dept_head', 'auditor', 'sys_admin'] },
]);
