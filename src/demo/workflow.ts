import { and, eq, inArray } from 'drizzle-orm';
import { systemCtx, type Ctx } from '../platform/auth/actor.ts';
import { users } from '../platform/auth/schema.ts';
import type { Database, Tx } from '../platform/db/client.ts';
import type { FlowNode } from '../platform/workflow/definitionSchema.ts';
import { seedFlowDefinition } from '../platform/workflow/definitions.ts';
import { startFlow } from '../platform/workflow/engine.ts';
import { registerFlowSubject } from '../platform/workflow/subjects.ts';

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

/**
 * The demo requests' subject type. A real module applies the outcome to its record; a demo request has no
 * record beyond the flow itself, so there is nothing to apply. Registered at import, like a module's.
 */
export const DEMO_REQUEST = 'demo_request';
const noop = async () => {};
registerFlowSubject(DEMO_REQUEST, { onApproved: noop, onRejected: noop });

/**
 * Requests waiting in the demo company, so the to-do page is not empty: the team leader's and a welder's
 * requests wait for the welding workshop head (head1), another welder's for the team leader (leader1).
 */
const demoRequests = [
  { applicant: 'leader1', key: 'generic.two_level', title: '安全投入申请：焊接车间烟尘净化器更换', summary: '二车间焊接班 3 台移动式烟尘净化器滤芯老化，申请更换', form: { amountYuan: 18_600 } },
  { applicant: 'worker1', key: 'generic.by_amount', title: '安全投入申请：焊接工位防护屏与通风改造', summary: '焊接班 12 个工位加装防弧光屏，局部排风改造', form: { amountYuan: 68_000 } },
  { applicant: 'worker1', key: 'generic.two_level', title: '劳保用品申领：焊接手套与自动变光面罩', summary: '焊接手套 20 副，自动变光焊接面罩 4 个', form: { amountYuan: 3_200 } },
] as const;

async function startDemoRequests(tx: Tx, ctx: Ctx, tenantId: string): Promise<void> {
  const names = [...new Set(demoRequests.map((r) => r.applicant))];
  const rows = await tx.select({ id: users.id, username: users.username }).from(users).where(and(eq(users.tenantId, tenantId), inArray(users.username, names)));
  const idOf = new Map(rows.map((r) => [r.username, r.id]));
  for (const [i, r] of demoRequests.entries()) {
    const applicantId = idOf.get(r.applicant);
    // The branch company has no such logins: it gets the flows only.
    if (!applicantId) continue;
    await startFlow(tx, ctx, { key: r.key, subjectType: DEMO_REQUEST, subjectId: `DEMO-REQ-${i + 1}`, applicantId, form: { ...r.form }, title: r.title, summary: r.summary });
  }
}

export async function seedDemoWorkflows(tx: Tx, db: Database, tenantId: string, now: () => Date): Promise<void> {
  const ctx = systemCtx(db, tenantId, now);
  await seedFlowDefinition(tx, ctx, { key: 'generic.two_level', name: '通用两级审批', description: '直接主管 → 部门负责人；主管超时 24 小时催办，部门负责人超时 48 小时转安全总监', graph: generic });
  await seedFlowDefinition(tx, ctx, { key: 'generic.by_amount', name: '按金额审批（安全投入）', description: '部门负责人审批；5 万元及以上再由安全总监审批（会签）；抄送安全管理部门', graph: byAmount });
  await startDemoRequests(tx, ctx, tenantId);
}
