import type { ApprovalStep, CcStep, ConditionStep, EditorBranch, EditorFlow, SeqRef, Step } from './types.ts';

/**
 * Edits of the editor's tree, pure and immutable (React state). Steps are found by id anywhere in the
 * tree; a list of steps by its SeqRef (the top level or one branch of a condition).
 */

type StepsFn = (steps: Step[]) => Step[];

function mapAll(steps: Step[], fn: StepsFn): Step[] {
  return fn(steps).map((s) => (s.type === 'condition' ? { ...s, branches: s.branches.map((b) => ({ ...b, steps: mapAll(b.steps, fn) })) } : s));
}

function mapSeq(steps: Step[], ref: SeqRef, fn: StepsFn): Step[] {
  if (ref.conditionId === null) return fn(steps);
  return steps.map((s) => {
    if (s.type !== 'condition') return s;
    return {
      ...s,
      branches: s.branches.map((b, i) => ({ ...b, steps: s.id === ref.conditionId && i === ref.branch ? fn(b.steps) : mapSeq(b.steps, ref, fn) })),
    };
  });
}

export function insertStep(flow: EditorFlow, ref: SeqRef, index: number, step: Step): EditorFlow {
  return { ...flow, steps: mapSeq(flow.steps, ref, (steps) => [...steps.slice(0, index), step, ...steps.slice(index)]) };
}

export function removeStep(flow: EditorFlow, id: string): EditorFlow {
  return { steps: mapAll(flow.steps, (steps) => steps.filter((s) => s.id !== id)), detached: flow.detached.filter((n) => n.id !== id) };
}

/** Moves a step up (-1) or down (+1) within its own list. */
export function moveStep(flow: EditorFlow, id: string, delta: -1 | 1): EditorFlow {
  return {
    ...flow,
    steps: mapAll(flow.steps, (steps) => {
      const i = steps.findIndex((s) => s.id === id);
      const j = i + delta;
      if (i < 0 || j < 0 || j >= steps.length) return steps;
      const copy = [...steps];
      [copy[i], copy[j]] = [copy[j]!, copy[i]!];
      return copy;
    }),
  };
}

export function replaceStep(flow: EditorFlow, step: Step): EditorFlow {
  return { ...flow, steps: mapAll(flow.steps, (steps) => steps.map((s) => (s.id === step.id ? step : s))) };
}

export function findStep(steps: Step[], id: string): Step | undefined {
  for (const s of steps) {
    if (s.id === id) return s;
    if (s.type === 'condition') {
      for (const b of s.branches) {
        const found = findStep(b.steps, id);
        if (found) return found;
      }
    }
  }
  return undefined;
}

/** Every id in the tree (and the detached nodes), for fresh ids. */
export function allIds(flow: EditorFlow): Set<string> {
  const ids = new Set(flow.detached.map((n) => n.id));
  const walk = (steps: Step[]) => {
    for (const s of steps) {
      ids.add(s.id);
      if (s.type === 'condition') for (const b of s.branches) walk(b.steps);
    }
  };
  walk(flow.steps);
  return ids;
}

export function freshId(flow: EditorFlow, prefix: string): string {
  const ids = allIds(flow);
  for (let n = 1; ; n++) if (!ids.has(`${prefix}_${n}`)) return `${prefix}_${n}`;
}

export interface NewStepNames {
  approval: string;
  cc: string;
  condition: string;
  branch: (n: number) => string;
  otherwise: string;
}

/** A new step as the "+" button adds it: approvers and recipients still to be chosen in the drawer. */
export function newStep(flow: EditorFlow, type: Step['type'], names: NewStepNames): Step {
  if (type === 'approval') {
    const step: ApprovalStep = { id: freshId(flow, 'approval'), type: 'approval', name: names.approval, mode: 'any' };
    return step;
  }
  if (type === 'cc') {
    const step: CcStep = { id: freshId(flow, 'cc'), type: 'cc', name: names.cc };
    return step;
  }
  const step: ConditionStep = {
    id: freshId(flow, 'condition'),
    type: 'condition',
    name: names.condition,
    branches: [
      { name: names.branch(1), when: [], steps: [] },
      { name: names.otherwise, default: true, steps: [] },
    ],
  };
  return step;
}

/** A new conditional branch goes before the default one, which stays last (it is taken when none holds). */
export function addBranch(step: ConditionStep, name: string): ConditionStep {
  const branch: EditorBranch = { name, when: [], steps: [] };
  const at = step.branches.findIndex((b) => b.default === true);
  const branches = at < 0 ? [...step.branches, branch] : [...step.branches.slice(0, at), branch, ...step.branches.slice(at)];
  return { ...step, branches };
}

export function removeBranch(step: ConditionStep, index: number): ConditionStep {
  return { ...step, branches: step.branches.filter((_, i) => i !== index) };
}

export function replaceBranch(step: ConditionStep, index: number, branch: EditorBranch): ConditionStep {
  return { ...step, branches: step.branches.map((b, i) => (i === index ? branch : b)) };
}
