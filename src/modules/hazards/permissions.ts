import { builtinRoleCodes, registerPermissions, type BuiltinRoleCode } from '../../platform/auth/permissions.ts';

/** Hazard permissions with the built-in roles that hold them by default (synced at start). */
export const hazardPermissions = {
  report: 'hazard:report',
  read: 'hazard:read',
  triage: 'hazard:triage',
  rectify: 'hazard:rectify',
  verify: 'hazard:verify',
  approveExtension: 'hazard:approve_extension',
  signoff: 'hazard:signoff',
  configure: 'hazard:configure',
  export: 'hazard:export',
  import: 'hazard:import',
} as const;

const all: BuiltinRoleCode[] = [...builtinRoleCodes];

registerPermissions([
  // Anyone on site reports; the auditor only reads.
  { code: 'hazard:report', group: 'hazard', label: { 'zh-CN': '上报隐患', en: 'Report hazards' }, roles: all.filter((r) => r !== 'auditor') },
  { code: 'hazard:read', group: 'hazard', label: { 'zh-CN': '查看隐患', en: 'View hazards' }, roles: all },
  { code: 'hazard:triage', group: 'hazard', label: { 'zh-CN': '隐患分派与处理', en: 'Triage and assign hazards' }, roles: ['safety_officer', 'safety_director', 'dept_head'] },
  { code: 'hazard:rectify', group: 'hazard', label: { 'zh-CN': '隐患整改', en: 'Rectify hazards' }, roles: ['dept_head', 'team_leader', 'employee', 'contractor'] },
  { code: 'hazard:verify', group: 'hazard', label: { 'zh-CN': '隐患复查验收', en: 'Verify rectification' }, roles: ['safety_officer', 'safety_director', 'dept_head', 'team_leader'] },
  { code: 'hazard:approve_extension', group: 'hazard', label: { 'zh-CN': '审批整改延期', en: 'Approve deadline extensions' }, roles: ['dept_head', 'safety_director'] },
  { code: 'hazard:signoff', group: 'hazard', label: { 'zh-CN': '重大隐患签批', en: 'Sign off major hazards' }, roles: ['safety_director'] },
  { code: 'hazard:configure', group: 'hazard', label: { 'zh-CN': '配置隐患字典与规则', en: 'Configure hazard dictionaries and rules' }, roles: ['safety_director'] },
  { code: 'hazard:export', group: 'hazard', label: { 'zh-CN': '导出隐患台账', en: 'Export the hazard ledger' }, roles: ['safety_officer', 'safety_director', 'dept_head', 'auditor'] },
  { code: 'hazard:import', group: 'hazard', label: { 'zh-CN': '导入历史隐患', en: 'Import historical hazards' }, roles: ['safety_director'] },
]);
