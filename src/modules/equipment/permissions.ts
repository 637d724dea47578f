import { builtinRoleCodes, registerPermissions, type BuiltinRoleCode } from '../../platform/auth/permissions.ts';

/** Equipment and checkpoint permissions with the built-in roles that hold them by default (synced at start). */
export const equipmentPermissions = {
  read: 'equipment:read',
  write: 'equipment:write',
  configure: 'equipment:configure',
  manageCheckpoints: 'checkpoint:manage',
} as const;

const all: BuiltinRoleCode[] = [...builtinRoleCodes];

registerPermissions([
  // Everyone on site reads the register in their data scope and scans checkpoints (inspectors are workers).
  { code: 'equipment:read', group: 'equipment', label: { 'zh-CN': '查看设备与巡检点', en: 'View equipment and checkpoints' }, roles: all },
  { code: 'equipment:write', group: 'equipment', label: { 'zh-CN': '维护设备台账与检验记录', en: 'Edit equipment and inspection records' }, roles: ['safety_director', 'safety_officer', 'dept_head'] },
  { code: 'equipment:configure', group: 'equipment', label: { 'zh-CN': '配置设备类别与检验提醒', en: 'Configure equipment kinds and inspection reminders' }, roles: ['safety_director'] },
  // The QR code is the proof of presence at a check: who may see, print or rotate it is a narrower group.
  { code: 'checkpoint:manage', group: 'equipment', label: { 'zh-CN': '管理巡检点与二维码', en: 'Manage checkpoints and their QR codes' }, roles: ['safety_director', 'safety_officer', 'dept_head'] },
]);
