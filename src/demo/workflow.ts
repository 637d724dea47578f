import { systemCtx } from '../platform/auth/actor.ts';
import type { Database, Tx } from '../platform/db/client.ts';
import type { FlowNode } from '../platform/workflow/definitionSchema.ts';
import { seedFlowDefinition } from '../platform/workflow/definitions.ts';

/**
 * Demo approval flows, published in every demo company so the flow list and a module trying the engine
 * have something to start: a generic two-level approval (direct supervisor, then department head) and a
 * amount-dependent one (the safety director also approves from 50 000 yuan, then the safety office is copied), with reminders and an
 * escalation on the timeouts. Tenants edit or replace them like any other definition.
 */

const generic: { start: string; nodes: FlowNode[] } = {
  start: 'supervisor',
  nodes: [
    { id: 'supervisor', type: 'approval', name: '直接主管审批', approvers: { kind: 'levels_up', levels: 1 }, mode: 'any', timeout: { minutes: 24 * 60, action: 'remind' }, next: 'dept_head' },
    {
      id: 'dept_head',
      type: 'approval',
      name: '部门负责人审批',
      approvers: { kind: 'dept_head' },
      mode: 'any',
      timeout: { minutes: 48 * 60, action: 'escalate', escalateTo: { kind: 'role', roleCodes: ['safety_director'] } },
    },
  ],
};

const byAmount: { start: string; nodes: FlowNode[] } = {
  start: 'dept_head',
  nodes: [
    { id: 'dept_head', type: 'approval', name: '部门负责人审批', approvers: { kind: 'dept_head' }, mode: 'any', next: 'route' },
    {
      id: 'route',
      type: 'condition',
      name: '按金额',
      branches: [
        { name: '金额 ≥ 5 万元', when: [{ field: 'amountYuan', op: 'gte', value: 50_000 }], next: 'director' },
        { name: '其他', default: true, next: 'cc_safety' },
      ],
    },
    { id: 'director', type: 'approval', name: '安全总监审批', approvers: { kind: 'role', roleCodes: ['safety_director'] }, mode: 'all', next: 'cc_safety' },
    { id: 'cc_safety', type: 'cc', name: '抄送安全管理部门', recipients: { kind: 'role', roleCodes: ['safety_officer'] } },
  ],
};

export async function seedDemoWorkflows(tx: Tx, db: Database, tenantId: string, now: () => Date): Promise<void> {
  const ctx = systemCtx(db, tenantId, now);
  await seedFlowDefinition(tx, ctx, { key: 'generic.two_level', name: '通用两级审批', description: '直接主管 → 部门负责人；主管超时 24 小时催办，部门负责人超时 48 小时转安全总监', graph: generic });
  await seedFlowDefinition(tx, ctx, { key: 'generic.by_amount', name: '按金额审批（安全投入）', description: '部门负责人审批；5 万元及以上再由安全总监审批（会签）；抄送安全管理部门', graph: byAmount });
}
