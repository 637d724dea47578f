import type {
  ApprovalNode,
  ApproverRule,
  Branch,
  CcNode,
  Condition,
  ConditionNode,
  ConditionOp,
  EscalationRule,
  FlowGraph,
  FlowNode,
  NodeTimeout,
  TimeoutAction,
} from '../../../../src/platform/workflow/definitionSchema.ts';
import type {
  FlowDefinition as FlowDefinitionT,
  FlowDefinitionVersion as FlowDefinitionVersionT,
  FlowInstanceDetail as FlowInstanceDetailT,
  MyTask as MyTaskT,
} from '../../../../src/platform/workflow/routes.ts';

/**
 * The flow definition format is the server's (src/platform/workflow/definitionSchema.ts), shared as types
 * only: the web bundle must not pull in TypeBox. The few value lists below are typed against those types,
 * so a new operator or action on the server fails the web type-check until it is added here too.
 */
export type { ApprovalNode, ApproverRule, Branch, CcNode, Condition, ConditionNode, ConditionOp, EscalationRule, FlowGraph, FlowNode, NodeTimeout, TimeoutAction };

export type FlowDefinition = FlowDefinitionT;
export type FlowDefinitionVersion = FlowDefinitionVersionT;
export type FlowInstanceDetail = FlowInstanceDetailT;
export type MyTask = MyTaskT;
export type InstanceStatus = FlowInstanceDetail['status'];
export type HistoryEntry = FlowInstanceDetail['history'][number];

/** GET /api/v1/workflow/instances items (FlowInstanceSummary on the server). */
export type FlowInstanceSummary = Omit<FlowInstanceDetail, 'definitionName' | 'summary' | 'form' | 'nodes' | 'tasks' | 'history'>;

export const conditionOps = ['eq', 'ne', 'in', 'gt', 'gte', 'lt', 'lte'] as const satisfies readonly ConditionOp[];
export const timeoutActions = ['remind', 'escalate', 'auto_approve', 'auto_reject'] as const satisfies readonly TimeoutAction[];
export const approverKinds = ['person', 'role', 'position', 'dept_head', 'levels_up'] as const satisfies readonly ApproverRule['kind'][];
export type ApproverKind = (typeof approverKinds)[number];
/** Escalation targets as the editor offers them: dept_head is split by whose head. */
export const escalationKinds = ['person', 'role', 'dept_head_applicant', 'dept_head_assignee'] as const;
export type EscalationKind = (typeof escalationKinds)[number];

// ---------------------------------------------------------------------------------------------------------
// The editor's tree. The engine's graph joins nodes by `next`; the editor shows what users know from
// DingTalk: a top-down list of steps where a condition step holds side-by-side branch columns, each with
// its own steps, and all branches join again below the condition. treeModel.ts converts both ways.
// ---------------------------------------------------------------------------------------------------------

/** An approver or CC step; `next` is implied by the position in the tree. */
export type ApprovalStep = Omit<ApprovalNode, 'next'>;
export type CcStep = Omit<CcNode, 'next'>;

export interface EditorBranch {
  name?: string;
  when?: Condition[];
  default?: boolean;
  steps: Step[];
}

export interface ConditionStep {
  id: string;
  type: 'condition';
  name: string;
  branches: EditorBranch[];
}

export type Step = ApprovalStep | CcStep | ConditionStep;

export interface EditorFlow {
  steps: Step[];
  /** Nodes of a loaded graph that cannot be reached from the start (shown apart, flagged, deletable). */
  detached: FlowNode[];
}

/** Where a list of steps lives: the top level, or one branch of a condition step. */
export type SeqRef = { conditionId: null } | { conditionId: string; branch: number };

/** What the side drawer edits. */
export type Selection = { kind: 'node'; id: string } | { kind: 'branch'; id: string; branch: number } | null;
