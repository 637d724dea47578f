import { describe, expect, it } from 'vitest';
import { fromGraph, toGraph } from '../../../web/src/features/workflow/treeModel.ts';
import { insertStep, newStep, replaceStep } from '../../../web/src/features/workflow/treeOps.ts';
import { checkGraph } from './definitionCheck.ts';
import type { FlowGraph } from './definitionSchema.ts';

/**
 * The web flow editor (web/src/features/workflow) edits a tree and writes the engine's graph. These tests
 * hold the two together: what the editor writes is what the engine validates and publishes.
 */

const names = { approval: '审批人', cc: '抄送人', condition: '条件分支', branch: (n: number) => `条件${n}`, otherwise: '其他' };
const base: FlowGraph = {
  start: 'supervisor',
  nodes: [
    { id: 'supervisor', type: 'approval', name: '直接主管审批', approvers: { kind: 'levels_up', levels: 1 }, mode: 'any', next: 'dept_head' },
    { id: 'dept_head', type: 'approval', name: '部门负责人审批', approvers: { kind: 'dept_head' }, mode: 'any' },
  ],
};

describe('the flow editor writes graphs the engine accepts', () => {
  it('an approver and a condition branch with a CC in one branch, once their rules are set', () => {
    let flow = fromGraph(base);
    const approval = newStep(flow, 'approval', names);
    flow = insertStep(flow, { conditionId: null }, 1, approval);
    const cond = newStep(flow, 'condition', names);
    flow = insertStep(flow, { conditionId: null }, 3, cond);
    const cc = newStep(flow, 'cc', names);
    flow = insertStep(flow, { conditionId: cond.id, branch: 0 }, 0, cc);

    // As added: the engine names the same problems the editor shows.
    const fields = checkGraph(toGraph(flow)).errors.map((e) => e.field);
    expect(fields).toEqual(expect.arrayContaining([`nodes.${approval.id}.approvers`, `nodes.${cc.id}.recipients`, `nodes.${cond.id}.branches.0.when`]));

    if (approval.type !== 'approval' || cc.type !== 'cc' || cond.type !== 'condition') throw new Error('unexpected step types');
    flow = replaceStep(flow, { ...approval, approvers: { kind: 'role', roleCodes: ['safety_officer'] }, mode: 'all', timeout: { minutes: 120, action: 'escalate', escalateTo: { kind: 'dept_head', of: 'assignee' } } });
    flow = replaceStep(flow, { ...cc, recipients: { kind: 'dept_head' } });
    flow = replaceStep(flow, { ...cond, branches: cond.branches.map((b, i) => (i === 0 ? { ...b, when: [{ field: 'grade', op: 'in' as const, value: ['special', '1'] }], steps: [{ ...cc, recipients: { kind: 'dept_head' as const } }] } : b)) });
    const graph = toGraph(flow);
    const check = checkGraph(graph);
    expect(check.errors).toEqual([]);
    expect(graph.nodes.map((n) => n.id)).toEqual(['supervisor', approval.id, 'dept_head', cond.id, cc.id]);
    // And it reads back into the same tree.
    expect(fromGraph(graph).steps).toEqual(flow.steps);
  });
});
