import { describe, expect, it } from 'vitest';
import { issueCount, serverIssuesByNode, validateFlow } from './validate.ts';
import type { EditorFlow } from './types.ts';

const ok: EditorFlow = {
  steps: [
    { id: 'a', type: 'approval', name: '主管', approvers: { kind: 'levels_up', levels: 1 }, mode: 'any' },
    {
      id: 'c',
      type: 'condition',
      name: '按等级',
      branches: [
        { name: '一级', when: [{ field: 'grade', op: 'in', value: ['special', '1'] }], steps: [{ id: 'b', type: 'approval', name: '安全', approvers: { kind: 'role', roleCodes: ['safety_officer'] }, mode: 'all' }] },
        { name: '其他', default: true, steps: [] },
      ],
    },
    { id: 'cc', type: 'cc', name: '抄送', recipients: { kind: 'dept_head' } },
  ],
  detached: [],
};

describe('validateFlow', () => {
  it('passes a complete flow', () => {
    expect(issueCount(validateFlow(ok))).toBe(0);
  });

  it('flags an approver-less node, a CC without recipients and an escalation without a target on their nodes', () => {
    const r = validateFlow({
      steps: [
        { id: 'a', type: 'approval', name: '主管', mode: 'any' },
        { id: 'p', type: 'approval', name: '指定人', approvers: { kind: 'person', personIds: [] }, mode: 'all', timeout: { minutes: 60, action: 'escalate' } },
        { id: 'cc', type: 'cc', name: '抄送', recipients: { kind: 'role', roleCodes: [] } },
      ],
      detached: [],
    });
    expect(r.nodes).toEqual({ a: [{ code: 'noApprover' }], p: [{ code: 'noApprover' }, { code: 'noEscalateTo' }], cc: [{ code: 'noRecipient' }] });
    expect(r.flow).toEqual([]);
  });

  it('flags a branch without a condition, a missing or doubled default, bad values, unreachable nodes and a flow with no approval', () => {
    const r = validateFlow({
      steps: [
        {
          id: 'c',
          type: 'condition',
          name: '分支',
          branches: [
            { name: '1', when: [], steps: [] },
            { name: '2', when: [{ field: 'amount', op: 'in', value: 5 }], steps: [] },
            { name: '3', when: [{ field: '1bad', op: 'eq', value: 1 }], steps: [] },
          ],
        },
      ],
      detached: [{ id: 'lost', type: 'cc', name: '孤立', recipients: { kind: 'dept_head' } }],
    });
    expect(r.nodes.c).toEqual([{ code: 'branchDefault' }, { code: 'branchNoCondition', branch: 0 }, { code: 'conditionValue', branch: 1 }, { code: 'conditionField', branch: 2 }]);
    expect(r.nodes.lost).toEqual([{ code: 'unreachable' }]);
    expect(r.flow).toEqual([{ code: 'noApproval' }]);
  });

  it('maps the server problem+json field errors onto nodes', () => {
    const r = serverIssuesByNode(
      [
        { field: 'graph.nodes.a.approvers', message: 'node "a": no approver rule' },
        { field: 'nodes.c.branches', message: 'needs exactly one default branch' },
        { field: 'start', message: 'start: there is no node "x"' },
      ],
      new Set(['a', 'c']),
    );
    expect(Object.keys(r.nodes)).toEqual(['a', 'c']);
    expect(r.nodes.a?.[0]).toEqual({ code: 'server', message: 'node "a": no approver rule' });
    expect(r.flow).toHaveLength(1);
  });
});
