import type { DataScope } from './schema.ts';

/**
 * The permission catalog. Platform and modules register their permissions with the built-in roles that
 * get them by default; built-in roles are re-synced with the catalog at start, custom roles are not.
 */
export interface PermissionDef {
  code: string;
  /** zh-CN and en labels for the roles page. */
  label: { 'zh-CN': string; en: string };
  group: string;
  /** Built-in role codes that hold this permission by default. */
  roles: BuiltinRoleCode[];
}

export const builtinRoleCodes = [
  'sys_admin',
  'safety_director',
  'safety_officer',
  'dept_head',
  'team_leader',
  'employee',
  'contractor',
  'auditor',
] as const;
export type BuiltinRoleCode = (typeof builtinRoleCodes)[number];

export const builtinRoles: Record<BuiltinRoleCode, { name: string; nameEn: string; dataScope: DataScope }> = {
  sys_admin: { name: '系统管理员', nameEn: 'System administrator', dataScope: 'company' },
  safety_director: { name: '安全总监', nameEn: 'Safety director', dataScope: 'company' },
  safety_officer: { name: '安全员', nameEn: 'Safety officer', dataScope: 'company' },
  dept_head: { name: '部门负责人', nameEn: 'Department head', dataScope: 'department' },
  team_leader: { name: '班组长', nameEn: 'Team leader', dataScope: 'team' },
  employee: { name: '员工', nameEn: 'Employee', dataScope: 'self' },
  contractor: { name: '承包商', nameEn: 'Contractor', dataScope: 'self' },
  auditor: { name: '审计员（只读）', nameEn: 'Auditor (read-only)', dataScope: 'company' },
};

const catalog = new Map<string, PermissionDef>();

export function registerPermissions(defs: PermissionDef[]): void {
  for (const d of defs) catalog.set(d.code, d);
}

export function permissionCatalog(): PermissionDef[] {
  return [...catalog.values()];
}

/** The admin holds every permission, present and future. */
export function defaultPermissionsFor(role: BuiltinRoleCode): string[] {
  if (role === 'sys_admin') return ['*'];
  return permissionCatalog()
    .filter((p) => p.roles.includes(role))
    .map((p) => p.code);
}

/** `*` grants everything; `org:*` grants every org permission. */
export function grants(held: ReadonlySet<string>, wanted: string): boolean {
  if (held.has('*') || held.has(wanted)) return true;
  const colon = wanted.indexOf(':');
  return colon > 0 && held.has(`${wanted.slice(0, colon)}:*`);
}

const all: BuiltinRoleCode[] = [...builtinRoleCodes];
const readers: BuiltinRoleCode[] = ['safety_director', 'safety_officer', 'dept_head', 'team_leader', 'auditor'];

registerPermissions([
  { code: 'org:read', group: 'org', label: { 'zh-CN': '查看组织架构', en: 'View org tree' }, roles: [...readers, 'employee'] },
  { code: 'org:write', group: 'org', label: { 'zh-CN': '维护组织架构', en: 'Edit org tree' }, roles: [] },
  { code: 'people:read', group: 'org', label: { 'zh-CN': '查看人员', en: 'View people' }, roles: readers },
  { code: 'people:write', group: 'org', label: { 'zh-CN': '维护人员', en: 'Edit people' }, roles: ['safety_director', 'dept_head'] },
  { code: 'people:import', group: 'org', label: { 'zh-CN': '导入人员与组织', en: 'Import people and org' }, roles: [] },
  { code: 'roles:read', group: 'admin', label: { 'zh-CN': '查看角色权限', en: 'View roles' }, roles: ['safety_director', 'auditor'] },
  { code: 'roles:write', group: 'admin', label: { 'zh-CN': '维护角色与授权', en: 'Edit roles and grants' }, roles: [] },
  { code: 'users:write', group: 'admin', label: { 'zh-CN': '维护登录账号', en: 'Manage user accounts' }, roles: [] },
  { code: 'tokens:own', group: 'admin', label: { 'zh-CN': '管理自己的 API 令牌', en: 'Manage own API tokens' }, roles: all.filter((r) => r !== 'contractor') },
  { code: 'tokens:manage', group: 'admin', label: { 'zh-CN': '管理所有 API 令牌', en: 'Manage all API tokens' }, roles: [] },
  { code: 'audit:read', group: 'admin', label: { 'zh-CN': '查看审计日志', en: 'View audit log' }, roles: ['safety_director', 'auditor'] },
  { code: 'audit:verify', group: 'admin', label: { 'zh-CN': '校验审计日志', en: 'Verify audit log' }, roles: ['safety_director', 'auditor'] },
  { code: 'files:upload', group: 'files', label: { 'zh-CN': '上传文件', en: 'Upload files' }, roles: all.filter((r) => r !== 'auditor') },
  { code: 'notify:manage', group: 'admin', label: { 'zh-CN': '配置通知渠道', en: 'Configure notification channels' }, roles: [] },
  { code: 'jobs:read', group: 'admin', label: { 'zh-CN': '查看后台任务', en: 'View background jobs' }, roles: [] },
  { code: 'jobs:manage', group: 'admin', label: { 'zh-CN': '重试后台任务', en: 'Retry background jobs' }, roles: [] },
]);
