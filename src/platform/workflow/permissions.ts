import { builtinRoleCodes, registerPermissions } from '../auth/permissions.ts';

/**
 * Workflow permissions. Deciding a task needs no permission at all: it needs being the task's assignee
 * (or the delegate it was routed to), which the service checks. `workflow:read` shows definitions and the
 * instances inside the reader's data scope; everyone holds it so applicants can follow their own requests.
 */
export const workflowPermissions = { read: 'workflow:read', design: 'workflow:design' } as const;

registerPermissions([
  { code: 'workflow:read', group: 'workflow', label: { 'zh-CN': '查看审批流程与审批记录', en: 'View approval flows and approvals' }, roles: [...builtinRoleCodes] },
  { code: 'workflow:design', group: 'workflow', label: { 'zh-CN': '设计与发布审批流程', en: 'Design and publish approval flows' }, roles: ['safety_director'] },
]);
