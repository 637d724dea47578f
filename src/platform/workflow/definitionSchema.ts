import { Type, type Static, type TSchema } from '@fastify/type-provider-typebox';

/**
 * The JSON format of a flow definition (docs/workflow.md). A graph of nodes joined by `next`; a missing
 * `next` ends the flow as approved. Nodes are checked one by one against the schema of their `type`
 * (definitionCheck.ts), so an error names the node instead of "must match a schema in anyOf".
 */

const Uuid = Type.String({ format: 'uuid' });
export const NodeId = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z][A-Za-z0-9_-]*$' });
const Name = Type.String({ minLength: 1, maxLength: 100 });
const Code = Type.String({ minLength: 1, maxLength: 60 });
const strict = { additionalProperties: false } as const;

export const PersonRule = Type.Object({ kind: Type.Literal('person'), personIds: Type.Array(Uuid, { maxItems: 50 }) }, strict);
export const RoleRule = Type.Object({ kind: Type.Literal('role'), roleCodes: Type.Array(Code, { maxItems: 20 }) }, strict);
export const PositionRule = Type.Object({ kind: Type.Literal('position'), positionCodes: Type.Array(Code, { maxItems: 20 }) }, strict);
/** The head (manager) of the applicant's department: the nearest workshop/department/plant at or above their unit. */
export const DeptHeadRule = Type.Object({ kind: Type.Literal('dept_head') }, strict);
/** The N-th distinct manager walking up the org tree from the applicant's unit (1 = direct supervisor). */
export const LevelsUpRule = Type.Object({ kind: Type.Literal('levels_up'), levels: Type.Integer({ minimum: 1, maximum: 10 }) }, strict);

export const approverKinds = ['person', 'role', 'position', 'dept_head', 'levels_up'] as const;
export type ApproverKind = (typeof approverKinds)[number];
export const ApproverRule = Type.Union([PersonRule, RoleRule, PositionRule, DeptHeadRule, LevelsUpRule]);
export type ApproverRule = Static<typeof ApproverRule>;

/** Escalation targets: a person, a role, or the department head of the applicant or of the overdue approver. */
export const EscalationDeptHead = Type.Object({ kind: Type.Literal('dept_head'), of: Type.Union([Type.Literal('applicant'), Type.Literal('assignee')]) }, strict);
export const EscalationRule = Type.Union([PersonRule, RoleRule, EscalationDeptHead]);
export type EscalationRule = Static<typeof EscalationRule>;

export const timeoutActions = ['remind', 'escalate', 'auto_approve', 'auto_reject'] as const;
export type TimeoutAction = (typeof timeoutActions)[number];
export const NodeTimeout = Type.Object(
  {
    /** After this many minutes without a decision (at most 30 days). */
    minutes: Type.Integer({ minimum: 1, maximum: 43_200 }),
    action: Type.Union([Type.Literal('remind'), Type.Literal('escalate'), Type.Literal('auto_approve'), Type.Literal('auto_reject')]),
    escalateTo: Type.Optional(EscalationRule),
  },
  strict,
);
export type NodeTimeout = Static<typeof NodeTimeout>;

export const conditionOps = ['eq', 'ne', 'in', 'gt', 'gte', 'lt', 'lte'] as const;
export type ConditionOp = (typeof conditionOps)[number];
const Scalar = Type.Union([Type.String({ maxLength: 200 }), Type.Number({ minimum: -1e15, maximum: 1e15 })]);
export const Condition = Type.Object(
  {
    /** A form field, dotted for nested objects: `grade`, `area.code`. */
    field: Type.String({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*$' }),
    op: Type.Union([Type.Literal('eq'), Type.Literal('ne'), Type.Literal('in'), Type.Literal('gt'), Type.Literal('gte'), Type.Literal('lt'), Type.Literal('lte')]),
    value: Type.Union([Scalar, Type.Array(Scalar, { minItems: 1, maxItems: 50 })]),
  },
  strict,
);
export type Condition = Static<typeof Condition>;

export const Branch = Type.Object(
  {
    name: Type.Optional(Name),
    /** All conditions must hold (AND). The default branch has none. */
    when: Type.Optional(Type.Array(Condition, { maxItems: 20 })),
    default: Type.Optional(Type.Boolean()),
    next: Type.Optional(NodeId),
  },
  strict,
);
export type Branch = Static<typeof Branch>;

export const ApprovalNode = Type.Object(
  {
    id: NodeId,
    type: Type.Literal('approval'),
    name: Name,
    approvers: Type.Optional(ApproverRule),
    /** all = 会签 (every approver must approve); any = 或签 (the first approval decides). */
    mode: Type.Union([Type.Literal('all'), Type.Literal('any')]),
    timeout: Type.Optional(NodeTimeout),
    requireSignature: Type.Optional(Type.Boolean()),
    next: Type.Optional(NodeId),
  },
  strict,
);
export type ApprovalNode = Static<typeof ApprovalNode>;

export const CcNode = Type.Object({ id: NodeId, type: Type.Literal('cc'), name: Name, recipients: Type.Optional(ApproverRule), next: Type.Optional(NodeId) }, strict);
export type CcNode = Static<typeof CcNode>;

export const ConditionNode = Type.Object({ id: NodeId, type: Type.Literal('condition'), name: Name, branches: Type.Array(Branch, { maxItems: 20 }) }, strict);
export type ConditionNode = Static<typeof ConditionNode>;

export const nodeTypes = ['approval', 'cc', 'condition'] as const;
export type NodeType = (typeof nodeTypes)[number];
export const nodeSchemas: Record<NodeType, TSchema> = { approval: ApprovalNode, cc: CcNode, condition: ConditionNode };

export type FlowNode = ApprovalNode | CcNode | ConditionNode;

export const MAX_NODES = 100;

/** The checked graph. */
export interface FlowGraph {
  start: string;
  nodes: FlowNode[];
}

/**
 * What a request body may carry as a graph: bounded in size, each node with an id, type and name; the
 * rest of each node is checked per type by `checkGraph`, which names the node in every error.
 */
export const FlowGraphInput = Type.Object(
  {
    start: Type.String({ minLength: 1, maxLength: 64 }),
    nodes: Type.Array(
      Type.Object(
        { id: Type.String({ minLength: 1, maxLength: 64 }), type: Type.String({ minLength: 1, maxLength: 20 }), name: Type.String({ maxLength: 100 }) },
        { additionalProperties: true, maxProperties: 12, description: 'an approval, cc or condition node (docs/workflow.md)' },
      ),
      { minItems: 1, maxItems: MAX_NODES },
    ),
  },
  { additionalProperties: false },
);
export type FlowGraphInput = Static<typeof FlowGraphInput>;
