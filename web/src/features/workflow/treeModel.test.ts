import { describe, expect, it } from 'vitest';
import { fromGraph, toGraph } from './treeModel.ts';
import { insertStep, moveStep, newStep, removeStep } from './treeOps.ts';
import type { FlowGraph } from './types.ts';
import { issueCount, validateFlow } from './validate.ts';

const names = { approval: '审批人', cc: '抄送人', condition: '条件分支', branch: (n: number) => `条件${n}`, otherwise: '其他' };

// The demo "by amount" flow (src/demo/workflow.ts): a condition whose branches join at the CC node.
const byAmount: FlowGraph = {
  start: 'dept_head',
  nodes: [
    { id: 'dept_head', type: 'approval', name: '部门负责人审批', approvers: { kind: 'dept_head' }, mode: 'any', next: 'route' },
    {
      id: 'route',
      type: 'condition',
      name: '按金额',
      branches: [
        { name: '≥ 5 万', when: [{ field: 'amountYuan', op: 'gte', value: 50_000 }], next: 'director' },
        { name: '其他', default: true, next: 'cc_safety' },
      ],
    },
    { id: 'director', type: 'approval', name: '安全总监审批', approvers: { kind: 'role', roleCodes: ['safety_director'] }, mode: 'all', next: 'cc_safety' },
    { id: 'cc_safety', type: 'cc', name: '抄送', recipients: { kind: 'role', roleCodes: ['safety_officer'] } },
  ],
};

describe('flow tree ↔ graph', () => {
  it('reads branches that join below the condition, and writes the same graph back', () => {
    const flow = fromGraph(byAmount);
    expect(flow.detached).toEqual([]);
    expect(flow.steps.map((s) => s.id)).toEqual(['dept_head', 'route', 'cc_safety']);
    const route = flow.steps[1];
    expect(route?.type === 'condition' && route.branches.map((b) => b.steps.map((s) => s.id))).toEqual([['director'], []]);
    const back = toGraph(flow);
    expect(back.start).toBe('dept_head');
    expect(new Map(back.nodes.map((n) => [n.id, n]))).toEqual(new Map(byAmount.nodes.map((n) => [n.id, n])));
    expect(issueCount(validateFlow(fromGraph(back)))).toBe(0);
  });

  it('keeps nodes the start cannot reach apart, so the editor can flag them', () => {
    const graph: FlowGraph = { ...byAmount, nodes: [...byAmount.nodes, { id: 'lost', type: 'cc', name: '孤立', recipients: { kind: 'dept_head' } }] };
    const flow = fromGraph(graph);
    expect(flow.detached.map((n) => n.id)).toEqual(['lost']);
    expect(toGraph(flow).nodes.map((n) => n.id)).toContain('lost');
    expect(validateFlow(flow).nodes).toEqual({ lost: [{ code: 'unreachable' }] });
  });

  it('reads branches that all end (no join) and nested conditions', () => {
    const graph: FlowGraph = {
      start: 'c1',
      nodes: [
        { id: 'c1', type: 'condition', name: 'c1', branches: [{ when: [{ field: 'a', op: 'eq', value: 1 }], next: 'a1' }, { default: true, next: 'c2' }] },
        { id: 'a1', type: 'approval', name: 'a1', approvers: { kind: 'dept_head' }, mode: 'any' },
        { id: 'c2', type: 'condition', name: 'c2', branches: [{ when: [{ field: 'b', op: 'eq', value: 'x' }], next: 'a2' }, { default: true, next: 'a3' }] },
        { id: 'a2', type: 'approval', name: 'a2', approvers: { kind: 'dept_head' }, mode: 'any', next: 'a3' },
        { id: 'a3', type: 'approval', name: 'a3', approvers: { kind: 'levels_up', levels: 2 }, mode: 'all' },
      ],
    };
    const flow = fromGraph(graph);
    expect(flow.detached).toEqual([]);
    const back = toGraph(flow);
    expect(new Map(back.nodes.map((n) => [n.id, n]))).toEqual(new Map(graph.nodes.map((n) => [n.id, n])));
  });

  it('inserts, moves and removes steps, and the graph follows', () => {
    let flow = fromGraph(byAmount);
    const step = newStep(flow, 'approval', names);
    expect(step.id).toBe('approval_1');
    flow = insertStep(flow, { conditionId: 'route', branch: 1 }, 0, step);
    const cond = newStep(flow, 'condition', names);
    flow = insertStep(flow, { conditionId: null }, 0, cond);
    flow = moveStep(flow, cond.id, 1);
    expect(flow.steps.map((s) => s.id)).toEqual(['dept_head', 'condition_1', 'route', 'cc_safety']);
    // The graph keeps the new nodes in place: route's default branch now starts at approval_1.
    const graph = toGraph(flow);
    const route = graph.nodes.find((n) => n.id === 'route');
    expect(route?.type === 'condition' && route.branches[1]?.next).toBe('approval_1');
    expect(graph.nodes.find((n) => n.id === 'approval_1')).toMatchObject({ next: 'cc_safety' });
    const issues = validateFlow(flow).nodes;
    expect(issues.approval_1).toEqual([{ code: 'noApprover' }]);
    expect(issues.condition_1).toEqual([{ code: 'branchNoCondition', branch: 0 }]);
    flow = removeStep(removeStep(flow, 'approval_1'), 'condition_1');
    expect(toGraph(flow)).toEqual(byAmount);
  });
});
