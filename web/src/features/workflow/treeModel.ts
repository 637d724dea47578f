import type { ApprovalNode, Branch, CcNode, ConditionNode, EditorBranch, EditorFlow, FlowGraph, FlowNode, Step } from './types.ts';

/**
 * The editor's tree ↔ the engine's graph (docs/workflow.md). Pure, so it is unit-tested.
 *
 * Tree → graph: each step's `next` is the step below it; a branch's `next` is its first step, or the step
 * below the condition when the branch is empty; the last step of a branch leads to the step below the
 * condition. Graph → tree: a condition's branches are followed until the first node all of them reach
 * (their join); whatever the start cannot reach is kept apart in `detached`.
 */

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A stored draft that at least looks like a graph (the server checked its structure on save). */
export function asGraph(draft: unknown): FlowGraph | null {
  if (!isObject(draft) || typeof draft.start !== 'string' || !Array.isArray(draft.nodes)) return null;
  const nodes = draft.nodes.filter((n): n is FlowNode => isObject(n) && typeof n.id === 'string' && (n.type === 'approval' || n.type === 'cc' || n.type === 'condition'));
  return { start: draft.start, nodes };
}

function withoutNext<T extends { next?: string }>(node: T): Omit<T, 'next'> {
  const copy: T = { ...node };
  delete copy.next;
  return copy;
}

export function toGraph(flow: EditorFlow): FlowGraph {
  const nodes: FlowNode[] = [];
  const firstId = (steps: Step[], after: string | undefined) => steps[0]?.id ?? after;
  const emit = (steps: Step[], after: string | undefined) => {
    steps.forEach((step, i) => {
      const next = firstId(steps.slice(i + 1), after);
      if (step.type === 'condition') {
        const branches: Branch[] = step.branches.map((b) => {
          const out: Branch = {};
          if (b.name) out.name = b.name;
          if (b.default === true) out.default = true;
          else out.when = b.when ?? [];
          const to = firstId(b.steps, next);
          if (to !== undefined) out.next = to;
          return out;
        });
        const node: ConditionNode = { id: step.id, type: 'condition', name: step.name, branches };
        nodes.push(node);
        for (const b of step.branches) emit(b.steps, next);
      } else {
        const node: ApprovalNode | CcNode = next === undefined ? { ...step } : { ...step, next };
        nodes.push(node);
      }
    });
  };
  emit(flow.steps, undefined);
  return { start: flow.steps[0]?.id ?? '', nodes: [...nodes, ...flow.detached] };
}

export function fromGraph(graph: FlowGraph): EditorFlow {
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const placed = new Set<string>();

  /** The ids a path from `id` passes on its own level (a nested condition jumps to its join). */
  const mainLine = (id: string | undefined, guard: Set<string>): string[] => {
    const out: string[] = [];
    let cur = id;
    while (cur !== undefined && !guard.has(cur)) {
      const node = byId.get(cur);
      if (!node) break;
      guard.add(cur);
      out.push(cur);
      cur = node.type === 'condition' ? joinOf(node, guard) : node.next;
    }
    return out;
  };

  /** The first node every branch reaches: where the branches meet again (undefined = they all end). */
  function joinOf(node: ConditionNode, guard: Set<string>): string | undefined {
    const lines = node.branches.map((b) => mainLine(b.next, new Set(guard)));
    const [first, ...rest] = lines;
    return (first ?? []).find((id) => rest.every((line) => line.includes(id)));
  }

  const chain = (id: string | undefined, stop: string | undefined): Step[] => {
    const steps: Step[] = [];
    let cur = id;
    while (cur !== undefined && cur !== stop && !placed.has(cur)) {
      const node = byId.get(cur);
      if (!node) break;
      placed.add(cur);
      if (node.type === 'condition') {
        const join = joinOf(node, new Set([cur]));
        const branches: EditorBranch[] = node.branches.map((b) => {
          const eb: EditorBranch = { steps: chain(b.next, join) };
          if (b.name !== undefined) eb.name = b.name;
          if (b.when !== undefined) eb.when = b.when;
          if (b.default !== undefined) eb.default = b.default;
          return eb;
        });
        steps.push({ id: node.id, type: 'condition', name: node.name, branches });
        cur = join;
      } else {
        // Omit over a union would drop the per-type fields, so each type is stripped on its own.
        steps.push(node.type === 'approval' ? withoutNext(node) : withoutNext(node));
        cur = node.next;
      }
    }
    return steps;
  };

  const steps = chain(graph.start, undefined);
  return { steps, detached: graph.nodes.filter((n) => !placed.has(n.id)) };
}
