import { and, eq, gt, inArray, isNull, lte } from 'drizzle-orm';
import { roles, userRoles, users } from '../auth/schema.ts';
import type { Tx } from '../db/client.ts';
import { orgUnits, people, positions } from '../org/schema.ts';
import type { ApproverRule, EscalationRule } from './definitionSchema.ts';
import { workflowDelegations } from './schema.ts';

/**
 * Who an approver rule names, as active logins of the tenant, in a stable order. Reads platform tables
 * only. The org rules (department head, N levels up) walk the unit tree from a person's unit and skip
 * that person themselves: nobody approves their own request as their own supervisor.
 */

type UnitRow = typeof orgUnits.$inferSelect;

const departmentKinds = new Set(['workshop', 'department', 'plant', 'contractor']);

/** Active users of these people. */
async function loginsOf(tx: Tx, tenantId: string, personIds: string[]): Promise<{ id: string; personId: string }[]> {
  if (personIds.length === 0) return [];
  const rows = await tx
    .select({ id: users.id, personId: users.personId })
    .from(users)
    .where(and(eq(users.tenantId, tenantId), inArray(users.personId, personIds), eq(users.status, 'active')));
  return rows.filter((r): r is { id: string; personId: string } => r.personId !== null);
}

/** The user's unit: their person's unit, else the unit of the login. */
export async function unitOfUser(tx: Tx, tenantId: string, userId: string): Promise<string | null> {
  const [row] = await tx
    .select({ userUnit: users.orgUnitId, personUnit: people.orgUnitId })
    .from(users)
    .leftJoin(people, eq(people.id, users.personId))
    .where(and(eq(users.tenantId, tenantId), eq(users.id, userId)));
  return row ? (row.personUnit ?? row.userUnit) : null;
}

/** The unit and its ancestors, nearest first. */
async function unitChain(tx: Tx, tenantId: string, unitId: string): Promise<UnitRow[]> {
  const [unit] = await tx
    .select()
    .from(orgUnits)
    .where(and(eq(orgUnits.tenantId, tenantId), eq(orgUnits.id, unitId)));
  if (!unit) return [];
  const ids = unit.path.split('/').filter(Boolean);
  const rows = await tx
    .select()
    .from(orgUnits)
    .where(and(eq(orgUnits.tenantId, tenantId), inArray(orgUnits.id, ids)));
  return rows.sort((a, b) => b.depth - a.depth);
}

/**
 * The distinct managers above a user, nearest first: walking up from the user's unit, each unit's manager
 * with an active login, skipping units without one and the user themselves.
 */
async function managersAbove(tx: Tx, tenantId: string, userId: string, from: 'unit' | 'department'): Promise<string[]> {
  const unitId = await unitOfUser(tx, tenantId, userId);
  if (!unitId) return [];
  let chain = await unitChain(tx, tenantId, unitId);
  if (from === 'department') {
    const dept = chain.findIndex((u) => departmentKinds.has(u.kind));
    chain = dept >= 0 ? chain.slice(dept) : chain;
  }
  const logins = await loginsOf(
    tx,
    tenantId,
    chain.map((u) => u.managerPersonId).filter((v): v is string => v !== null),
  );
  const out: string[] = [];
  for (const unit of chain) {
    const login = logins.find((l) => l.personId === unit.managerPersonId);
    if (!login || login.id === userId || out.includes(login.id)) continue;
    out.push(login.id);
  }
  return out;
}

async function usersWithRoleCodes(tx: Tx, tenantId: string, codes: string[]): Promise<string[]> {
  if (codes.length === 0) return [];
  const rows = await tx
    .selectDistinct({ id: users.id })
    .from(userRoles)
    .innerJoin(roles, eq(roles.id, userRoles.roleId))
    .innerJoin(users, eq(users.id, userRoles.userId))
    .where(and(eq(userRoles.tenantId, tenantId), eq(roles.tenantId, tenantId), inArray(roles.code, codes), eq(users.status, 'active')));
  return rows.map((r) => r.id).sort();
}

async function usersWithPositions(tx: Tx, tenantId: string, codes: string[]): Promise<string[]> {
  if (codes.length === 0) return [];
  const holders = await tx
    .select({ personId: people.id })
    .from(people)
    .innerJoin(positions, eq(positions.id, people.positionId))
    .where(and(eq(people.tenantId, tenantId), eq(positions.tenantId, tenantId), inArray(positions.code, codes), eq(people.status, 'active')));
  const logins = await loginsOf(
    tx,
    tenantId,
    holders.map((h) => h.personId),
  );
  return logins.map((l) => l.id).sort();
}

export interface ResolveFor {
  /** The applicant: the anchor of department-head and levels-up rules. */
  applicantUserId: string | null;
  /** The overdue approver (escalation to their department head). */
  assigneeUserId?: string | null;
}

/** Users an approver, CC or escalation rule names; empty when it names nobody. */
export async function resolveRule(tx: Tx, tenantId: string, rule: ApproverRule | EscalationRule, who: ResolveFor): Promise<string[]> {
  switch (rule.kind) {
    case 'person': {
      const logins = await loginsOf(tx, tenantId, [...new Set(rule.personIds)]);
      // The designer's order: the first person listed is the first slot.
      return rule.personIds.map((p) => logins.find((l) => l.personId === p)?.id).filter((v, i, a): v is string => v !== undefined && a.indexOf(v) === i);
    }
    case 'role':
      return usersWithRoleCodes(tx, tenantId, rule.roleCodes);
    case 'position':
      return usersWithPositions(tx, tenantId, rule.positionCodes);
    case 'dept_head': {
      const anchor = 'of' in rule && rule.of === 'assignee' ? who.assigneeUserId : who.applicantUserId;
      if (!anchor) return [];
      const heads = await managersAbove(tx, tenantId, anchor, 'department');
      return heads.slice(0, 1);
    }
    case 'levels_up': {
      if (!who.applicantUserId) return [];
      const chain = await managersAbove(tx, tenantId, who.applicantUserId, 'unit');
      const at = chain[rule.levels - 1];
      return at ? [at] : [];
    }
  }
}

/**
 * Rules that can be resolved without an applicant (person, role, position): publishing warns when one
 * names nobody today. Org rules depend on the applicant and are only resolvable at start.
 */
export function resolvableAtPublish(rule: ApproverRule | EscalationRule): boolean {
  return rule.kind === 'person' || rule.kind === 'role' || rule.kind === 'position';
}

/**
 * 代理审批: the delegate a new task of `userId` goes to at `now`, if the user set one for a period that
 * covers now and the delegate can sign in. One hop only: a delegate's own delegation is not followed, so
 * two people away at once cannot bounce a task between them.
 */
export async function delegateOf(tx: Tx, tenantId: string, userId: string, now: Date): Promise<string | null> {
  const [row] = await tx
    .select({ delegate: workflowDelegations.delegateUserId, status: users.status })
    .from(workflowDelegations)
    .innerJoin(users, eq(users.id, workflowDelegations.delegateUserId))
    .where(
      and(
        eq(workflowDelegations.tenantId, tenantId),
        eq(workflowDelegations.userId, userId),
        isNull(workflowDelegations.clearedAt),
        lte(workflowDelegations.startsAt, now),
        gt(workflowDelegations.endsAt, now),
      ),
    );
  return row && row.status === 'active' ? row.delegate : null;
}

export async function userNames(tx: Tx, tenantId: string, ids: (string | null)[]): Promise<Map<string, string>> {
  const wanted = [...new Set(ids.filter((v): v is string => v !== null))];
  if (wanted.length === 0) return new Map();
  const rows = await tx
    .select({ id: users.id, name: users.displayName })
    .from(users)
    .where(and(eq(users.tenantId, tenantId), inArray(users.id, wanted)));
  return new Map(rows.map((r) => [r.id, r.name]));
}
