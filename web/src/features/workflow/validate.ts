import type { ApproverRule, Condition, EditorFlow, EscalationRule, Step } from './types.ts';

/**
 * The checks the engine makes before publishing (src/platform/workflow/definitionCheck.ts), made on the
 * editor's tree so each problem lands on its node before anything is sent. The server checks again on
 * publish; its problem+json field errors are mapped onto the same nodes by `serverIssuesByNode`.
 */

export const issueCodes = [
  'noName',
  'noApprover',
  'noRecipient',
  'noEscalateTo',
  'branchNoCondition',
  'branchDefault',
  'defaultHasCondition',
  'fewBranches',
  'conditionField',
  'conditionValue',
  'duplicateId',
  'unreachable',
  'noApproval',
  'server',
] as const;
export type IssueCode = (typeof issueCodes)[number];

export interface Issue {
  code: IssueCode;
  /** The branch (0-based) a condition-node issue is about. */
  branch?: number;
  /** The server's own text (code 'server'). */
  message?: string;
}

export interface ValidationResult {
  /** Issues per node id. */
  nodes: Record<string, Issue[]>;
  /** Issues of the flow as a whole. */
  flow: Issue[];
}

export const issueCount = (r: ValidationResult): number => r.flow.length + Object.values(r.nodes).reduce((n, list) => n + list.length, 0);

function ruleIsEmpty(rule: ApproverRule | EscalationRule | undefined): boolean {
  if (!rule) return true;
  if (rule.kind === 'person') return rule.personIds.length === 0;
  if (rule.kind === 'role') return rule.roleCodes.length === 0;
  if (rule.kind === 'position') return rule.positionCodes.length === 0;
  if (rule.kind === 'levels_up') return !Number.isInteger(rule.levels) || rule.levels < 1 || rule.levels > 10;
  return false;
}

const FIELD = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;

function conditionProblem(c: Condition): IssueCode | null {
  if (!FIELD.test(c.field)) return 'conditionField';
  if (c.op === 'in' ? !Array.isArray(c.value) || c.value.length === 0 : Array.isArray(c.value)) return 'conditionValue';
  const values = Array.isArray(c.value) ? c.value : [c.value];
  if (values.some((v) => (typeof v === 'string' ? v.trim() === '' : !Number.isFinite(v)))) return 'conditionValue';
  return null;
}

export function validateFlow(flow: EditorFlow): ValidationResult {
  const nodes: Record<string, Issue[]> = {};
  const flowIssues: Issue[] = [];
  const add = (id: string, issue: Issue) => (nodes[id] ??= []).push(issue);
  const seen = new Set<string>();
  let approvals = 0;

  const walk = (steps: Step[]) => {
    for (const s of steps) {
      if (seen.has(s.id)) add(s.id, { code: 'duplicateId' });
      seen.add(s.id);
      if (!s.name.trim()) add(s.id, { code: 'noName' });
      if (s.type === 'approval') {
        approvals++;
        if (ruleIsEmpty(s.approvers)) add(s.id, { code: 'noApprover' });
        if (s.timeout?.action === 'escalate' && ruleIsEmpty(s.timeout.escalateTo)) add(s.id, { code: 'noEscalateTo' });
      } else if (s.type === 'cc') {
        if (ruleIsEmpty(s.recipients)) add(s.id, { code: 'noRecipient' });
      } else {
        if (s.branches.length < 2) add(s.id, { code: 'fewBranches' });
        const defaults = s.branches.filter((b) => b.default === true).length;
        if (defaults !== 1) add(s.id, { code: 'branchDefault' });
        s.branches.forEach((b, i) => {
          const when = b.when ?? [];
          if (b.default === true && when.length > 0) add(s.id, { code: 'defaultHasCondition', branch: i });
          if (b.default !== true && when.length === 0) add(s.id, { code: 'branchNoCondition', branch: i });
          for (const c of when) {
            const problem = conditionProblem(c);
            if (problem) {
              add(s.id, { code: problem, branch: i });
              break;
            }
          }
          walk(b.steps);
        });
      }
    }
  };
  walk(flow.steps);
  for (const n of flow.detached) add(n.id, { code: 'unreachable' });
  if (approvals === 0) flowIssues.push({ code: 'noApproval' });
  return { nodes, flow: flowIssues };
}

export interface ServerFieldError {
  field: string;
  message: string;
}

/**
 * The server's field errors (`graph.nodes.<id>.approvers`, `nodes.<id>`, `start`…) onto nodes; the rest
 * belong to the flow as a whole. Index-named fields (`nodes.3.id`) only happen for a bad id, so they go
 * to the flow too.
 */
export function serverIssuesByNode(errors: readonly ServerFieldError[], knownIds: ReadonlySet<string>): ValidationResult {
  const nodes: Record<string, Issue[]> = {};
  const flow: Issue[] = [];
  for (const e of errors) {
    const m = /^(?:graph\.)?nodes\.([^.]+)/.exec(e.field);
    const id = m?.[1];
    const issue: Issue = { code: 'server', message: e.message };
    if (id !== undefined && knownIds.has(id)) (nodes[id] ??= []).push(issue);
    else flow.push(issue);
  }
  return { nodes, flow };
}

export function mergeResults(a: ValidationResult, b: ValidationResult): ValidationResult {
  const nodes: Record<string, Issue[]> = { ...a.nodes };
  for (const [id, list] of Object.entries(b.nodes)) nodes[id] = [...(nodes[id] ?? []), ...list];
  return { nodes, flow: [...a.flow, ...b.flow] };
}
