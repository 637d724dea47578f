import { registerPermissions } from '../../platform/auth/permissions.ts';

/** Risk-register permissions with the built-in roles that hold them by default (synced at start). */
export const riskPermissions = {
  read: 'risk:read',
  write: 'risk:write',
  assess: 'risk:assess',
  configure: 'risk:configure',
} as const;

registerPermissions([
  // Everyone on the shop floor should know the risks of their post (风险告知); contractors see them on notice cards.
  { code: 'risk:read', group: 'risk', label: { 'zh-CN': '查看风险清单', en: 'View the risk register' }, roles: ['safety_director', 'safety_officer', 'dept_head', 'team_leader', 'employee', 'auditor'] },
  { code: 'risk:write', group: 'risk', label: { 'zh-CN': '维护风险清单与管控措施', en: 'Edit the risk register and control measures' }, roles: ['safety_director', 'safety_officer', 'dept_head'] },
  { code: 'risk:assess', group: 'risk', label: { 'zh-CN': '风险评价', en: 'Assess risks' }, roles: ['safety_director', 'safety_officer', 'dept_head'] },
  { code: 'risk:configure', group: 'risk', label: { 'zh-CN': '配置风险评价方法与分级', en: 'Configure assessment methods and bands' }, roles: ['safety_director'] },
]);
