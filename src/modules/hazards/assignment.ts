import { and, asc, eq, inArray } from 'drizzle-orm';
import { recordChange } from '../../platform/audit/record.ts';
import type { Ctx } from '../../platform/auth/actor.ts';
import { users } from '../../platform/auth/schema.ts';
import { requirePermission } from '../../platform/auth/scope.ts';
import type { Tx } from '../../platform/db/client.ts';
import { newId } from '../../platform/db/columns.ts';
import { AppError, invalid, notFound } from '../../platform/http/errors.ts';
import { orgUnits } from '../../platform/org/schema.ts';
import { ensureHazardDefaults, readPolicy, requireActiveItem } from './dictionaries.ts';
import { departmentOf, loadUnit, loadUser, managerUpTheTree, userCan } from './directory.ts';
import { notices } from './messages.ts';
import { hazardPermissions as P } from './permissions.ts';
import { hazardAssignmentRules } from './schema.ts';
import { armDeadline, cancelPhase, triageTargets } from './sla.ts';
import {
  addTimeline,
  checkVersion,
  loadHazard,
  notifyHazard,
  partiesOf,
  recordHazard,
  saveHazard,
  systemCtxAt,
  transitionOrThrow,
  trimOrNull,
  type HazardRow,
} from './store.ts';

/**
 * Automatic assignment (issue 4): the tenant's matrix of rules (category? × area subtree? → responsible
 * unit and/or person, lowest priority number first); failing that the owner of the area — the manager of
 * the area's unit, or of the nearest unit above it with one. Only people who may rectify are picked.
 */

export type AssignmentRule = typeof hazardAssignmentRules.$inferSelect;

export interface AssignmentTarget {
  userId: string;
  unitId: string | null;
  ruleId: string | null;
  via: 'rule' | 'area_owner' | 'manual';
}

export async function resolveAssignee(tx: Tx, tenantId: string, h: { category: string; orgUnitId: string | null }, exclude: string[] = []): Promise<AssignmentTarget | null> {
  const area = h.orgUnitId ? await loadUnit(tx, tenantId, h.orgUnitId) : null;
  const rules = await tx
    .select()
    .from(hazardAssignmentRules)
    .where(and(eq(hazardAssignmentRules.tenantId, tenantId), eq(hazardAssignmentRules.active, true)))
    .orderBy(asc(hazardAssignmentRules.priority), asc(hazardAssignmentRules.createdAt), asc(hazardAssignmentRules.id));
  const areaIds = [...new Set(rules.map((r) => r.areaUnitId).filter((v): v is string => v !== null))];
  const areaPaths = new Map(
    areaIds.length
      ? (await tx.select({ id: orgUnits.id, path: orgUnits.path }).from(orgUnits).where(and(eq(orgUnits.tenantId, tenantId), inArray(orgUnits.id, areaIds)))).map((u) => [u.id, u.path])
      : [],
  );
  for (const rule of rules) {
    if (rule.category !== null && rule.category !== h.category) continue;
    if (rule.areaUnitId !== null) {
      const path = areaPaths.get(rule.areaUnitId);
      if (!path || !area || !area.path.startsWith(path)) continue;
    }
    if (rule.responsibleUserId) {
      const u = await loadUser(tx, tenantId, rule.responsibleUserId);
      if (u && userCan(u, P.rectify) && !exclude.includes(u.id)) return { userId: u.id, unitId: rule.responsibleUnitId ?? u.orgUnitId, ruleId: rule.id, via: 'rule' };
    }
    // A rule naming a unit (or whose named person left): that unit's head takes it.
    if (rule.responsibleUnitId) {
      const m = await managerUpTheTree(tx, tenantId, rule.responsibleUnitId, { exclude, permission: P.rectify });
      if (m) return { userId: m.userId, unitId: rule.responsibleUnitId, ruleId: rule.id, via: 'rule' };
    }
  }
  const owner = await managerUpTheTree(tx, tenantId, h.orgUnitId, { exclude, permission: P.rectify });
  return owner ? { userId: owner.userId, unitId: owner.unitId, ruleId: null, via: 'area_owner' } : null;
}

/**
 * Puts the hazard on the assignee's desk: state `assigned`, responsible unit and department, a fresh
 * response clock; notifies the assignee in the same transaction. Used by the report (automatic), by
 * triage (assign), by reassignment and by reopening.
 */
export async function applyAssignment(
  tx: Tx,
  ctx: Ctx,
  h: HazardRow,
  target: AssignmentTarget,
  step: { what: 'assigned' | 'reassigned'; comment?: string | null; verifierUserId?: string | null },
): Promise<HazardRow> {
  const now = ctx.now();
  const policy = await readPolicy(tx, h.tenantId, h.level);
  const assignee = await loadUser(tx, h.tenantId, target.userId);
  const after = await saveHazard(tx, ctx, h, {
    status: 'assigned',
    assigneeUserId: target.userId,
    assigneeUnitId: target.unitId,
    assignedAt: now,
    assignmentRuleId: target.ruleId,
    departmentId: await departmentOf(tx, h.tenantId, target.unitId ?? h.orgUnitId),
    respondDueAt: new Date(now.getTime() + policy.respondMinutes * 60_000),
    respondOverdue: false,
    ...(step.verifierUserId !== undefined ? { verifierUserId: step.verifierUserId } : {}),
  });
  await addTimeline(tx, ctx, after, {
    action: step.what,
    from: h.status,
    to: after.status,
    comment: step.comment ?? null,
    data: { assigneeUserId: target.userId, assigneeName: assignee?.displayName ?? null, assigneeUnitId: target.unitId, ruleId: target.ruleId, via: target.via },
  });
  await recordHazard(tx, ctx, step.what, h, after, { payload: { assigneeUserId: target.userId, via: target.via, ruleId: target.ruleId } });
  await cancelPhase(tx, after.id, 'respond', now);
  await armDeadline(tx, after, 'respond', now, policy);
  await notifyHazard(tx, ctx, after, [target.userId], notices.assigned(after));
  return after;
}

/** Automatic assignment right after a report (or a reopening); with no owner found triage is asked. */
export async function autoAssign(tx: Tx, ctx: Ctx, h: HazardRow): Promise<HazardRow> {
  const sys = systemCtxAt(ctx.db, h.tenantId, ctx.now());
  const target = await resolveAssignee(tx, h.tenantId, h);
  if (target) return applyAssignment(tx, sys, h, target, { what: 'assigned' });
  await addTimeline(tx, sys, h, { action: 'assignment_failed', data: { reason: 'no matching rule and no area owner with a login' } });
  await notifyHazard(tx, sys, h, await triageTargets(tx, h.tenantId), notices.needsTriage(h, '没有匹配的分派规则，区域也没有负责人，请手工分派。 / No rule matched and the area has no owner: assign it by hand.'));
  return h;
}

async function checkAssignee(tx: Tx, tenantId: string, userId: string, field: string) {
  const u = await loadUser(tx, tenantId, userId);
  if (!u || !u.active) throw invalid(field, 'exists', `${field}: no active user ${userId} in this company`);
  if (!userCan(u, P.rectify)) throw invalid(field, 'permission', `${field}: ${u.displayName} may not rectify hazards (hazard:rectify)`);
  return u;
}

async function checkVerifier(tx: Tx, tenantId: string, userId: string, assigneeId: string) {
  const u = await loadUser(tx, tenantId, userId);
  if (!u || !u.active) throw invalid('verifierUserId', 'exists', `verifierUserId: no active user ${userId} in this company`);
  if (!userCan(u, P.verify)) throw invalid('verifierUserId', 'permission', `verifierUserId: ${u.displayName} may not verify (hazard:verify)`);
  if (userId === assigneeId) throw invalid('verifierUserId', 'distinct', 'verifierUserId: the assignee cannot verify their own work');
  return u;
}

async function checkUnit(tx: Tx, tenantId: string, unitId: string | undefined, field: string): Promise<string | null> {
  if (!unitId) return null;
  const u = await loadUnit(tx, tenantId, unitId);
  if (!u) throw invalid(field, 'exists', `${field}: no org unit ${unitId} in this company`);
  return u.id;
}

export interface AssignInput {
  id: string;
  version: number;
  userId: string;
  unitId?: string;
  verifierUserId?: string;
  comment?: string;
}

/** Triage assigns a hazard nobody owns yet. */
export async function assignHazard(ctx: Ctx, input: AssignInput): Promise<HazardRow> {
  requirePermission(ctx.actor, P.triage);
  return ctx.db.tx(async (tx) => {
    await ensureHazardDefaults(tx, ctx.actor.tenantId);
    const h = await loadHazard(tx, ctx.actor, input.id, { forUpdate: true });
    checkVersion(h, input.version);
    transitionOrThrow(h, 'assign', partiesOf(ctx.actor, h), null, ['triage']);
    const u = await checkAssignee(tx, h.tenantId, input.userId, 'userId');
    if (input.verifierUserId) await checkVerifier(tx, h.tenantId, input.verifierUserId, u.id);
    const unitId = (await checkUnit(tx, h.tenantId, input.unitId, 'unitId')) ?? u.orgUnitId;
    return applyAssignment(tx, ctx, h, { userId: u.id, unitId, ruleId: null, via: 'manual' }, { what: 'assigned', comment: trimOrNull(input.comment), verifierUserId: input.verifierUserId });
  });
}

export interface ReassignInput {
  id: string;
  version: number;
  userId: string;
  unitId?: string;
  reason: string;
}

/** Wrong owner: triage, or the assignee naming the right one, moves the hazard; its response clock restarts. */
export async function reassignHazard(ctx: Ctx, input: ReassignInput): Promise<HazardRow> {
  requirePermission(ctx.actor, P.read);
  return ctx.db.tx(async (tx) => {
    const h = await loadHazard(tx, ctx.actor, input.id, { forUpdate: true });
    checkVersion(h, input.version);
    transitionOrThrow(h, 'reassign', partiesOf(ctx.actor, h), input.reason, ['triage', 'assignee']);
    if (input.userId === h.assigneeUserId) throw invalid('userId', 'distinct', 'userId: the hazard is already assigned to this person');
    const u = await checkAssignee(tx, h.tenantId, input.userId, 'userId');
    const unitId = (await checkUnit(tx, h.tenantId, input.unitId, 'unitId')) ?? u.orgUnitId;
    // A designated verifier who becomes the assignee can no longer verify.
    const verifierUserId = h.verifierUserId === u.id ? null : undefined;
    return applyAssignment(tx, ctx, h, { userId: u.id, unitId, ruleId: null, via: 'manual' }, { what: 'reassigned', comment: input.reason.trim(), verifierUserId });
  });
}

/** The assignee hands the hazard back to triage (wrong owner, right one unknown). */
export async function handBackHazard(ctx: Ctx, input: { id: string; version: number; reason: string }): Promise<HazardRow> {
  requirePermission(ctx.actor, P.rectify);
  return ctx.db.tx(async (tx) => {
    const h = await loadHazard(tx, ctx.actor, input.id, { forUpdate: true });
    checkVersion(h, input.version);
    const to = transitionOrThrow(h, 'hand_back', partiesOf(ctx.actor, h), input.reason, ['assignee']);
    const now = ctx.now();
    const policy = await readPolicy(tx, h.tenantId, h.level);
    const after = await saveHazard(tx, ctx, h, {
      status: to,
      assigneeUserId: null,
      assigneeUnitId: null,
      assignedAt: null,
      assignmentRuleId: null,
      departmentId: await departmentOf(tx, h.tenantId, h.orgUnitId),
      // Triage now owes the next step: the response clock runs for them.
      respondDueAt: new Date(now.getTime() + policy.respondMinutes * 60_000),
      respondOverdue: false,
    });
    await addTimeline(tx, ctx, after, { action: 'handed_back', from: h.status, to, comment: input.reason.trim(), data: { previousAssigneeUserId: h.assigneeUserId } });
    await recordHazard(tx, ctx, 'handed_back', h, after, { audit: { reason: input.reason.trim() } });
    await cancelPhase(tx, after.id, 'respond', now);
    await armDeadline(tx, after, 'respond', now, policy);
    await notifyHazard(tx, ctx, after, await triageTargets(tx, h.tenantId), notices.needsTriage(after, `${ctx.actor.name}：${input.reason.trim()}`));
    return after;
  });
}

// ---------------------------------------------------------------------------------------------------------
// The matrix (hazard:configure)
// ---------------------------------------------------------------------------------------------------------

export interface AssignmentRuleView {
  id: string;
  name: string;
  priority: number;
  category: string | null;
  areaUnitId: string | null;
  areaUnitName: string | null;
  responsibleUnitId: string | null;
  responsibleUnitName: string | null;
  responsibleUserId: string | null;
  responsibleUserName: string | null;
  active: boolean;
  version: number;
}

async function ruleViews(tx: Tx, tenantId: string, rows: AssignmentRule[]): Promise<AssignmentRuleView[]> {
  const unitIds = [...new Set(rows.flatMap((r) => [r.areaUnitId, r.responsibleUnitId]).filter((v): v is string => v !== null))];
  const userIds = [...new Set(rows.map((r) => r.responsibleUserId).filter((v): v is string => v !== null))];
  const units = unitIds.length ? await tx.select({ id: orgUnits.id, name: orgUnits.name }).from(orgUnits).where(and(eq(orgUnits.tenantId, tenantId), inArray(orgUnits.id, unitIds))) : [];
  const people = userIds.length ? await tx.select({ id: users.id, name: users.displayName }).from(users).where(and(eq(users.tenantId, tenantId), inArray(users.id, userIds))) : [];
  const unitName = (id: string | null) => (id ? (units.find((u) => u.id === id)?.name ?? null) : null);
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    priority: r.priority,
    category: r.category,
    areaUnitId: r.areaUnitId,
    areaUnitName: unitName(r.areaUnitId),
    responsibleUnitId: r.responsibleUnitId,
    responsibleUnitName: unitName(r.responsibleUnitId),
    responsibleUserId: r.responsibleUserId,
    responsibleUserName: r.responsibleUserId ? (people.find((p) => p.id === r.responsibleUserId)?.name ?? null) : null,
    active: r.active,
    version: r.version,
  }));
}

export async function listAssignmentRules(ctx: Ctx): Promise<{ items: AssignmentRuleView[] }> {
  requirePermission(ctx.actor, P.configure);
  return ctx.db.read(async (tx) => {
    const rows = await tx
      .select()
      .from(hazardAssignmentRules)
      .where(eq(hazardAssignmentRules.tenantId, ctx.actor.tenantId))
      .orderBy(asc(hazardAssignmentRules.priority), asc(hazardAssignmentRules.createdAt), asc(hazardAssignmentRules.id));
    return { items: await ruleViews(tx, ctx.actor.tenantId, rows) };
  });
}

export interface RuleFields {
  name: string;
  priority: number;
  category: string | null;
  areaUnitId: string | null;
  responsibleUnitId: string | null;
  responsibleUserId: string | null;
  active: boolean;
}

async function checkRule(tx: Tx, tenantId: string, r: RuleFields): Promise<void> {
  if (!r.responsibleUnitId && !r.responsibleUserId) {
    throw invalid('responsibleUnitId', 'required', 'responsibleUnitId: name a responsible unit, a responsible person, or both');
  }
  if (r.category !== null) await requireActiveItem(tx, tenantId, 'category', r.category, 'category');
  if (r.areaUnitId) await checkUnit(tx, tenantId, r.areaUnitId, 'areaUnitId');
  if (r.responsibleUnitId) await checkUnit(tx, tenantId, r.responsibleUnitId, 'responsibleUnitId');
  if (r.responsibleUserId) await checkAssignee(tx, tenantId, r.responsibleUserId, 'responsibleUserId');
}

export async function createAssignmentRule(ctx: Ctx, input: Partial<RuleFields> & { name: string; priority: number }): Promise<AssignmentRuleView> {
  requirePermission(ctx.actor, P.configure);
  const fields: RuleFields = {
    name: input.name.trim(),
    priority: input.priority,
    category: input.category ?? null,
    areaUnitId: input.areaUnitId ?? null,
    responsibleUnitId: input.responsibleUnitId ?? null,
    responsibleUserId: input.responsibleUserId ?? null,
    active: input.active ?? true,
  };
  if (!fields.name) throw invalid('name', 'minLength', 'name: required');
  return ctx.db.tx(async (tx) => {
    await ensureHazardDefaults(tx, ctx.actor.tenantId);
    await checkRule(tx, ctx.actor.tenantId, fields);
    const now = ctx.now();
    const [row] = await tx
      .insert(hazardAssignmentRules)
      .values({ id: newId(), tenantId: ctx.actor.tenantId, ...fields, createdAt: now, createdBy: ctx.actor.userId, updatedAt: now, updatedBy: ctx.actor.userId })
      .returning();
    if (!row) throw new AppError('internal');
    await recordChange(
      tx,
      ctx,
      { action: 'hazard.assignment_rule_created', entityType: 'hazard_assignment_rule', entityId: row.id, after: fields },
      { type: 'hazard.assignment_rule_created', entityType: 'hazard_assignment_rule', entityId: row.id },
    );
    return (await ruleViews(tx, ctx.actor.tenantId, [row]))[0]!;
  });
}

export async function updateAssignmentRule(ctx: Ctx, id: string, patch: Partial<RuleFields>, version: number): Promise<AssignmentRuleView> {
  requirePermission(ctx.actor, P.configure);
  return ctx.db.tx(async (tx) => {
    const [before] = await tx
      .select()
      .from(hazardAssignmentRules)
      .where(and(eq(hazardAssignmentRules.id, id), eq(hazardAssignmentRules.tenantId, ctx.actor.tenantId)))
      .for('update');
    if (!before) throw notFound('assignment rule');
    if (before.version !== version) throw new AppError('version_conflict', `the rule is at version ${before.version}; reload and try again`, { extra: { currentVersion: before.version } });
    const defined = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as Partial<RuleFields>;
    const fields: RuleFields = {
      name: (defined.name ?? before.name).trim(),
      priority: defined.priority ?? before.priority,
      category: defined.category !== undefined ? defined.category : before.category,
      areaUnitId: defined.areaUnitId !== undefined ? defined.areaUnitId : before.areaUnitId,
      responsibleUnitId: defined.responsibleUnitId !== undefined ? defined.responsibleUnitId : before.responsibleUnitId,
      responsibleUserId: defined.responsibleUserId !== undefined ? defined.responsibleUserId : before.responsibleUserId,
      active: defined.active ?? before.active,
    };
    if (!fields.name) throw invalid('name', 'minLength', 'name: required');
    // A rule being switched off needs no valid targets any more (its person may have left).
    if (fields.active) await checkRule(tx, ctx.actor.tenantId, fields);
    const [after] = await tx
      .update(hazardAssignmentRules)
      .set({ ...fields, version: before.version + 1, updatedAt: ctx.now(), updatedBy: ctx.actor.userId })
      .where(and(eq(hazardAssignmentRules.id, id), eq(hazardAssignmentRules.version, version)))
      .returning();
    if (!after) throw new AppError('version_conflict', 'the rule changed meanwhile; reload and try again');
    const { tenantId: _t, id: _i, version: _v, createdAt: _c, createdBy: _cb, updatedAt: _u, updatedBy: _ub, ...beforeFields } = before;
    await recordChange(
      tx,
      ctx,
      { action: 'hazard.assignment_rule_updated', entityType: 'hazard_assignment_rule', entityId: id, before: beforeFields, after: fields },
      { type: 'hazard.assignment_rule_updated', entityType: 'hazard_assignment_rule', entityId: id },
    );
    return (await ruleViews(tx, ctx.actor.tenantId, [after]))[0]!;
  });
}

/** What the matrix would do for a category and an area, without reporting anything. */
export async function previewAssignment(ctx: Ctx, q: { category: string; orgUnitId: string }): Promise<{ userId: string | null; userName: string | null; unitId: string | null; ruleId: string | null; via: AssignmentTarget['via'] | null }> {
  requirePermission(ctx.actor, P.configure);
  return ctx.db.read(async (tx) => {
    const area = await loadUnit(tx, ctx.actor.tenantId, q.orgUnitId);
    if (!area) throw invalid('orgUnitId', 'exists', `orgUnitId: no org unit ${q.orgUnitId} in this company`);
    const target = await resolveAssignee(tx, ctx.actor.tenantId, { category: q.category, orgUnitId: area.id });
    if (!target) return { userId: null, userName: null, unitId: null, ruleId: null, via: null };
    const u = await loadUser(tx, ctx.actor.tenantId, target.userId);
    return { userId: target.userId, userName: u?.displayName ?? null, unitId: target.unitId, ruleId: target.ruleId, via: target.via };
  });
}
