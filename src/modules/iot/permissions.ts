import { builtinRoleCodes, registerPermissions, type BuiltinRoleCode } from '../../platform/auth/permissions.ts';

/** IoT monitoring permissions with the built-in roles that hold them by default (synced at start). */
export const iotPermissions = {
  read: 'iot:read',
  configure: 'iot:configure',
  handleAlarms: 'iot:alarm',
} as const;

const all: BuiltinRoleCode[] = [...builtinRoleCodes];

registerPermissions([
  // Live values and alarms are for everyone on site in their data scope: a gas alarm is everybody's business.
  { code: 'iot:read', group: 'iot', label: { 'zh-CN': '查看监测数据与报警', en: 'View monitoring data and alarms' }, roles: all },
  { code: 'iot:configure', group: 'iot', label: { 'zh-CN': '管理网关、设备、测点与报警规则', en: 'Manage gateways, devices, points and alarm rules' }, roles: ['sys_admin', 'safety_director', 'safety_officer'] },
  // Acknowledging is an operator's duty (ISA-18.2): the people who respond in the area.
  { code: 'iot:alarm', group: 'iot', label: { 'zh-CN': '确认、搁置、评论与清除报警', en: 'Acknowledge, shelve, comment and clear alarms' }, roles: ['safety_director', 'safety_officer', 'dept_head', 'team_leader'] },
]);
