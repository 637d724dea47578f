import { builtinRoleCodes, registerPermissions, type BuiltinRoleCode } from '../../platform/auth/permissions.ts';

/** Training permissions with the built-in roles that hold them by default (synced at start). */
export const trainingPermissions = {
  read: 'training:read',
  write: 'training:write',
  configure: 'training:configure',
  check: 'qualification:check',
} as const;

const all: BuiltinRoleCode[] = [...builtinRoleCodes];

registerPermissions([
  // Employees and contractors read with their "self" data scope: their own certificates and inductions.
  { code: 'training:read', group: 'training', label: { 'zh-CN': '查看培训与证书', en: 'View training and certificates' }, roles: all },
  { code: 'training:write', group: 'training', label: { 'zh-CN': '维护证书与入职教育', en: 'Edit certificates and inductions' }, roles: ['safety_director', 'safety_officer', 'dept_head'] },
  { code: 'training:configure', group: 'training', label: { 'zh-CN': '配置证书类型与资格要求', en: 'Configure certificate types and requirements' }, roles: ['safety_director'] },
  // Whoever assigns work asks whether a person may do it; door and machine systems use an API token with it.
  { code: 'qualification:check', group: 'training', label: { 'zh-CN': '查询作业资格', en: 'Check qualifications' }, roles: ['safety_director', 'safety_officer', 'dept_head', 'team_leader'] },
]);
