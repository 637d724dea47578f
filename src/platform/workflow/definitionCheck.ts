import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsImport from 'ajv-formats';
import type { FieldError } from '../http/errors.ts';
import { toFieldErrors } from '../http/validation.ts';
import { MAX_NODES, NodeId, nodeSchemas, nodeTypes, type FlowGraph, type FlowNode, type NodeType } from './definitionSchema.ts';

/**
 * Checks a flow graph before it is saved (structure) and before it is published (structure and meaning).
 * Pure: no database. Every error names the node (`nodes.<id>.<field>`), so the editor can point at it.
 */

const addFormats = addFormatsImport as unknown as (ajv: Ajv) => Ajv;
const ajv = addFormats(new Ajv({ allErrors: false, strict: false, coerceTypes: false, useDefaults: false }));
const nodeValidators = Object.fromEntries(nodeTypes.map((t) => [t, ajv.compile(nodeSchemas[t])])) as Record<NodeType, ValidateFunction>;
const validNodeId = ajv.compile(NodeId);

export interface GraphCheck {
  errors: FieldError[];
  /** The graph, typed, when it has no structural errors (meaning errors may remain). */
  graph: FlowGraph | null;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function label(node: { id?: unknown; name?: unknown }): string {
  const id = String(node.id);
  return typeof node.name === 'string' && node.name ? `node "${id}" (${node.name})` : `node "${id}"`;
}

/** Structure: a start, 1..100 nodes, each valid for its type, with unique ids. */
export function checkStructure(input: unknown): GraphCheck {
  const errors: FieldError[] = [];
  const err = (field: string, rule: string, message: string) => errors.push({ field, rule, message });
  if (!isObject(input)) return { errors: [{ field: 'graph', rule: 'type', message: 'graph: must be an object with start and nodes' }], graph: null };
  const { start, nodes } = input;
  if (typeof start !== 'string' || !validNodeId(start)) err('start', 'format', 'start: the id of the first node');
  if (!Array.isArray(nodes) || nodes.length === 0 || nodes.length > MAX_NODES) {
    err('nodes', 'size', `nodes: 1 to ${MAX_NODES} nodes`);
    return { errors, graph: null };
  }
  const seen = new Set<string>();
  nodes.forEach((raw, i) => {
    if (!isObject(raw) || typeof raw.id !== 'string' || !validNodeId(raw.id)) {
      err(`nodes.${i}.id`, 'format', `nodes.${i}.id: letters, digits, _ or -, starting with a letter, at most 64`);
      return;
    }
    const where = `nodes.${raw.id}`;
    if (seen.has(raw.id)) err(`${where}.id`, 'unique', `${label(raw)}: another node has the same id`);
    seen.add(raw.id);
    const type = raw.type as NodeType;
    if (!nodeTypes.includes(type)) {
      err(`${where}.type`, 'enum', `${label(raw)}: type must be one of ${nodeTypes.join(', ')}`);
      return;
    }
    const validate = nodeValidators[type];
    if (!validate(raw)) {
      for (const e of toFieldErrors(validate.errors ?? [], 'node')) {
        const field = e.field === 'node' ? where : `${where}.${e.field}`;
        err(field, e.rule, `${label(raw)}: ${e.message}`);
      }
    }
  });
  return { errors, graph: errors.length === 0 ? (input as unknown as FlowGraph) : null };
}

/**
 * Meaning, on a structurally valid graph: references exist, every approval and CC node has a rule,
 * every condition node has exactly one default branch, every node is reachable, there is no cycle, and
 * at least one approval node can be reached.
 */
export function checkMeaning(graph: FlowGraph): FieldError[] {
  const errors: FieldError[] = [];
  const err = (field: string, rule: string, message: string) => errors.push({ field, rule, message });
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  if (!byId.has(graph.start)) err('start', 'exists', `start: there is no node "${graph.start}"`);

  const edges = new Map<string, string[]>();
  for (const node of graph.nodes) {
    const where = `nodes.${node.id}`;
    const out: string[] = [];
    const ref = (field: string, target: string | undefined) => {
      if (target === undefined) return;
      if (!byId.has(target)) err(`${where}.${field}`, 'exists', `${label(node)}: ${field} points at "${target}", which is not a node`);
      else out.push(target);
    };
    if (node.type === 'approval') {
      if (!node.approvers || ruleIsEmpty(node.approvers)) err(`${where}.approvers`, 'required', `${label(node)}: no approver rule`);
      if (node.timeout?.action === 'escalate' && (!node.timeout.escalateTo || ruleIsEmpty(node.timeout.escalateTo))) {
        err(`${where}.timeout.escalateTo`, 'required', `${label(node)}: a timeout that escalates needs escalateTo`);
      }
      ref('next', node.next);
    } else if (node.type === 'cc') {
      if (!node.recipients || ruleIsEmpty(node.recipients)) err(`${where}.recipients`, 'required', `${label(node)}: no recipient rule`);
      ref('next', node.next);
    } else {
      const defaults = node.branches.filter((b) => b.default === true).length;
      if (defaults !== 1) err(`${where}.branches`, 'default', `${label(node)}: needs exactly one default branch (has ${defaults})`);
      node.branches.forEach((b, i) => {
        if (b.default === true && b.when && b.when.length > 0) err(`${where}.branches.${i}.when`, 'default', `${label(node)}: the default branch takes no conditions`);
        if (b.default !== true && (!b.when || b.when.length === 0)) err(`${where}.branches.${i}.when`, 'required', `${label(node)}: branch ${i + 1} has no condition`);
        (b.when ?? []).forEach((c, j) => {
          const list = Array.isArray(c.value);
          if (c.op === 'in' && !list) err(`${where}.branches.${i}.when.${j}.value`, 'type', `${label(node)}: "in" takes a list of values`);
          if (c.op !== 'in' && list) err(`${where}.branches.${i}.when.${j}.value`, 'type', `${label(node)}: "${c.op}" takes one value, not a list`);
        });
        ref(`branches.${i}.next`, b.next);
      });
    }
    edges.set(node.id, out);
  }

  // Reachability from the start.
  const reached = new Set<string>();
  const queue = byId.has(graph.start) ? [graph.start] : [];
  while (queue.length > 0) {
    const id = queue.pop()!;
    if (reached.has(id)) continue;
    reached.add(id);
    queue.push(...(edges.get(id) ?? []));
  }
  for (const node of graph.nodes) {
    if (!reached.has(node.id)) err(`nodes.${node.id}`, 'reachable', `${label(node)}: cannot be reached from the start`);
  }
  if (![...reached].some((id) => byId.get(id)?.type === 'approval')) err('nodes', 'approval', 'nodes: the flow reaches no approval node');

  // Cycles (over all nodes, reachable or not): a flow must end. Colour DFS; a grey target closes a cycle.
  const colour = new Map<string, 'grey' | 'black'>();
  const reported = new Set<string>();
  const visit = (id: string) => {
    colour.set(id, 'grey');
    for (const to of edges.get(id) ?? []) {
      const c = colour.get(to);
      if (c === 'grey') {
        if (!reported.has(id)) err(`nodes.${id}`, 'acyclic', `${label(byId.get(id)!)}: leads back to node "${to}" (a cycle)`);
        reported.add(id);
      } else if (c === undefined) visit(to);
    }
    colour.set(id, 'black');
  };
  for (const node of graph.nodes) if (!colour.has(node.id)) visit(node.id);
  return errors;
}

function ruleIsEmpty(rule: { kind: string; personIds?: string[]; roleCodes?: string[]; positionCodes?: string[] }): boolean {
  if (rule.kind === 'person') return (rule.personIds ?? []).length === 0;
  if (rule.kind === 'role') return (rule.roleCodes ?? []).length === 0;
  if (rule.kind === 'position') return (rule.positionCodes ?? []).length === 0;
  return false;
}

/** Both checks; `graph` is set when the definition may be published. */
export function checkGraph(input: unknown): GraphCheck {
  const structure = checkStructure(input);
  if (!structure.graph) return structure;
  const errors = checkMeaning(structure.graph);
  return { errors, graph: errors.length === 0 ? structure.graph : null };
}

export function findNode(graph: FlowGraph, id: string): FlowNode | undefined {
  return graph.nodes.find((n) => n.id === id);
}
