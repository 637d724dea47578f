import { describe, expect, it } from 'vitest';
import { conditionHolds, pickBranch } from './conditions.ts';
import { checkGraph } from './definitionCheck.ts';
import type { ConditionNode } from './definitionSchema.ts';

const head = { kind: 'dept_head' };
const ok = {
  start: 'a',
  nodes: [
    { id: 'a', type: 'approval', name: 'Head', approvers: head, mode: 'any', next: 'b' },
    { id: 'b', type: 'condition', name: 'By grade', branches: [{ when: [{ field: 'grade', op: 'eq', value: 1 }], next: 'c' }, { default: true }] },
    { id: 'c', type: 'cc', name: 'Safety office', recipients: { kind: 'role', roleCodes: ['safety_officer'] } },
  ],
};

const fields = (g: unknown) => checkGraph(g).errors.map((e) => `${e.field}:${e.rule}`);

describe('flow definition checks', () => {
  it('accepts a graph with an approval, a branch with a default and a CC node', () => {
    expect(checkGraph(ok).errors).toEqual([]);
    expect(checkGraph(ok).graph).not.toBeNull();
  });

  it('names the node of an approval step without an approver rule', () => {
    const g = { start: 'a', nodes: [{ id: 'a', type: 'approval', name: 'Head', mode: 'any' }] };
    const errors = checkGraph(g).errors;
    expect(errors).toEqual([expect.objectContaining({ field: 'nodes.a.approvers', rule: 'required' })]);
    expect(errors[0]!.message).toContain('node "a" (Head)');
    expect(fields({ start: 'a', nodes: [{ id: 'a', type: 'approval', name: 'Head', mode: 'any', approvers: { kind: 'person', personIds: [] } }] })).toEqual(['nodes.a.approvers:required']);
  });

  it('refuses a condition node without a default branch, or with two', () => {
    const g = structuredClone(ok);
    (g.nodes[1] as { branches: unknown[] }).branches = [{ when: [{ field: 'grade', op: 'eq', value: 1 }], next: 'c' }];
    expect(fields(g)).toContain('nodes.b.branches:default');
    (g.nodes[1] as { branches: unknown[] }).branches = [{ default: true, next: 'c' }, { default: true }];
    expect(fields(g)).toContain('nodes.b.branches:default');
  });

  it('refuses an unreachable node and names it', () => {
    const g = structuredClone(ok);
    g.nodes.push({ id: 'orphan', type: 'approval', name: 'Nobody points here', approvers: head, mode: 'all' } as never);
    expect(fields(g)).toEqual(['nodes.orphan:reachable']);
  });

  it('refuses a cycle and names the node that closes it', () => {
    const g = {
      start: 'a',
      nodes: [
        { id: 'a', type: 'approval', name: 'A', approvers: head, mode: 'any', next: 'b' },
        { id: 'b', type: 'approval', name: 'B', approvers: head, mode: 'any', next: 'a' },
      ],
    };
    expect(fields(g)).toEqual(['nodes.b:acyclic']);
  });

  it('refuses references to missing nodes, duplicate ids, unknown types and bad node fields, naming each node', () => {
    expect(fields({ ...ok, start: 'zz' })).toContain('start:exists');
    const g = structuredClone(ok);
    (g.nodes[0] as { next: string }).next = 'nope';
    expect(fields(g)).toContain('nodes.a.next:exists');
    expect(fields({ start: 'a', nodes: [ok.nodes[0], { ...ok.nodes[0], next: undefined }] })).toContain('nodes.a.id:unique');
    expect(fields({ start: 'a', nodes: [{ id: 'a', type: 'magic', name: 'x' }] })).toEqual(['nodes.a.type:enum']);
    const bad = checkGraph({ start: 'a', nodes: [{ id: 'a', type: 'approval', name: 'Head', approvers: head }] }).errors;
    expect(bad).toEqual([expect.objectContaining({ field: 'nodes.a.mode', rule: 'required' })]);
    expect(fields({ start: 'a', nodes: [{ ...ok.nodes[0], next: undefined, timeout: { minutes: 30, action: 'escalate' } }] })).toEqual(['nodes.a.timeout.escalateTo:required']);
  });

  it('refuses a flow that reaches no approval node', () => {
    expect(fields({ start: 'c', nodes: [{ id: 'c', type: 'cc', name: 'cc', recipients: head }] })).toEqual(['nodes:approval']);
  });
});

describe('condition branches', () => {
  const form = { grade: 2, area: 'tank_farm', amount: 12000, when: '2026-12-01', nested: { level: 'high' } };
  it('compares numbers and strings with eq/ne/in/gt/gte/lt/lte', () => {
    expect(conditionHolds({ field: 'grade', op: 'eq', value: 2 }, form)).toBe(true);
    expect(conditionHolds({ field: 'grade', op: 'ne', value: 2 }, form)).toBe(false);
    expect(conditionHolds({ field: 'area', op: 'in', value: ['tank_farm', 'warehouse'] }, form)).toBe(true);
    expect(conditionHolds({ field: 'amount', op: 'gt', value: 12000 }, form)).toBe(false);
    expect(conditionHolds({ field: 'amount', op: 'gte', value: 12000 }, form)).toBe(true);
    expect(conditionHolds({ field: 'amount', op: 'lt', value: 20000 }, form)).toBe(true);
    expect(conditionHolds({ field: 'when', op: 'lte', value: '2026-11-30' }, form)).toBe(false);
    expect(conditionHolds({ field: 'nested.level', op: 'eq', value: 'high' }, form)).toBe(true);
  });

  it('treats a missing field or a number-vs-string comparison as not matching', () => {
    expect(conditionHolds({ field: 'missing', op: 'ne', value: 1 }, form)).toBe(false);
    expect(conditionHolds({ field: 'grade', op: 'eq', value: '2' }, form)).toBe(false);
    expect(conditionHolds({ field: 'grade', op: 'in', value: ['2'] }, form)).toBe(false);
  });

  it('takes the first matching branch, else the default', () => {
    const node: ConditionNode = {
      id: 'b',
      type: 'condition',
      name: 'b',
      branches: [
        { when: [{ field: 'grade', op: 'eq', value: 1 }], next: 'one' },
        { when: [{ field: 'grade', op: 'lte', value: 2 }, { field: 'area', op: 'eq', value: 'tank_farm' }], next: 'two' },
        { default: true, next: 'other' },
      ],
    };
    expect(pickBranch(node, form).next).toBe('two');
    expect(pickBranch(node, { grade: 1 }).next).toBe('one');
    expect(pickBranch(node, {}).next).toBe('other');
  });
});
