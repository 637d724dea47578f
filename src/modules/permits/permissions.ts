import { builtinRoleCodes, registerPermissions, type BuiltinRoleCode } from '../../platform/auth/permissions.ts';

/** Permit permissions with the built-in roles that hold them by default (synced at start). */
export const permitPermissions = {
  read: 'permit:read',
  apply: 'permit:apply',
  gasTest: 'permit:gas_test',
  manage: 'permit:manage',
  configure: 'permit:configure',
} as const;

const all: BuiltinRoleCode[] = [...builtinRoleCodes];

registerPermissions([
  { code: 'permit:read', group: 'permit', label: { 'zh-CN': '查看作业票', en: 'View work permits' }, roles: all },
  // Work units and contractors apply; the auditor only reads.
  { code: 'permit:apply', group: 'permit', label: { 'zh-CN': '申请作业票', en: 'Apply for work permits' }, roles: all.filter((r) => r !== 'auditor') },
  { code: 'permit:gas_test', group: 'permit', label: { 'zh-CN': '录入气体分析', en: 'Record gas analyses' }, roles: ['safety_director', 'safety_officer', 'dept_head', 'team_leader'] },
  // Suspend, cancel or accept the closing of anyone's permit (the guardian and applicant do their own).
  { code: 'permit:manage', group: 'permit', label: { 'zh-CN': '作业票监管（暂停、取消、验收）', en: 'Supervise permits (suspend, cancel, accept)' }, roles: ['safety_director', 'safety_officer', 'dept_head'] },
  { code: 'permit:configure', group: 'permit', label: { 'zh-CN': '配置作业票规则', en: 'Configure permit rules' }, roles: ['safety_director'] },
]);
