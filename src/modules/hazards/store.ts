import { and, eq, inArray, or, type SQL } from 'drizzle-orm';
import { recordChange } from '../../platform/audit/record.ts';
import { systemActor, type Actor, type Ctx } from '../../platform/auth/actor.ts';
import { can, scopeWhere } from '../../platform/auth/scope.ts';
import type { Database, Tx } from '../../platform/db/client.ts';
import { newId } from '../../platform/db/columns.ts';
import { files } from '../../platform/files/schema.ts';
import { AppError, invalid, notFound } from '../../platform/http/errors.ts';
import { notifyUsers, type Severity } from '../../platform/notify/service.ts';
import { orgUnits } from '../../platform/org/schema.ts';
import { tenantInfo } from './directory.ts';
import { nextHazardState, type HazardAction, type HazardParty, type HazardState } from './lifecycle.ts';
import { hazardPermissions as P } from './permissions.ts';
import { hazardEvents, hazards, type HazardLevel } from './schema.ts';

/** Shared plumbing of the hazard services: load in scope, version, save, timeline, audit, notify. */

export type HazardRow = typeof hazards.$inferSelect;
export type HazardPatch = Partial<typeof hazards.$inferInsert>;

export const OPEN_STATES: readonly HazardState[] = ['reported', 'assigned', 'rectifying', 'rework', 'pending_verification'];

/**
 * The hazards an actor may see: the area's subtree (data scope), the responsible unit's subtree (a
 * department sees what it must fix elsewhere), and for everyone the ones they reported, own or verify.
 */
export function hazardScopeWhere(actor: Actor): SQL {
  const byArea = scopeWhere(actor, { tenantId: hazards.tenantId, orgUnitId: hazards.orgUnitId, owners: [hazards.reporterUserId, hazards.assigneeUserId, hazards.verifierUserId] });
  const byOwner = scopeWhere(actor, { tenantId: hazards.tenantId, orgUnitId: hazards.assigneeUnitId });
  return or(byArea, byOwner) as SQL;
}

/** Single-record form of hazardScopeWhere: another tenant → 404, outside the scope → 403. */
export async function assertHazardInScope(tx: Tx, actor: Actor, row: HazardRow): Promise<void> {
  if (row.tenantId !== actor.tenantId) throw notFound('hazard');
  if (actor.dataScope === 'company' || actor.scopePath === null) return;
  const own = [row.reporterUserId, row.assigneeUserId, row.verifierUserId].filter((v): v is string => v !== null);
  if (actor.userId && own.includes(actor.userId)) return;
  if (actor.dataScope === 'self') throw new AppError('out_of_scope');
  const unitIds = [row.orgUnitId, row.assigneeUnitId].filter((v): v is string => v !== null);
  if (unitIds.length > 0) {
    const units = await tx
      .select({ path: orgUnits.path })
      .from(orgUnits)
      .where(and(eq(orgUnits.tenantId, actor.tenantId), inArray(orgUnits.id, unitIds)));
    if (units.some((u) => u.path.startsWith(actor.scopePath ?? '\u0000'))) return;
  }
  throw new AppError('out_of_scope');
}

/** Loads a hazard of the actor's tenant and scope; with `forUpdate` the row stays locked until commit. */
export async function loadHazard(tx: Tx, actor: Actor, id: string, opts: { forUpdate?: boolean } = {}): Promise<HazardRow> {
  const q = tx.select().from(hazards).where(and(eq(hazards.id, id), eq(hazards.tenantId, actor.tenantId)));
  const [row] = opts.forUpdate ? await q.for('update') : await q;
  if (!row) throw notFound('hazard');
  await assertHazardInScope(tx, actor, row);
  return row;
}

export function versionConflict(current: number): AppError {
  return new AppError('version_conflict', `the hazard is at version ${current}; reload and try again`, { extra: { currentVersion: current } });
}

export function checkVersion(row: HazardRow, expected: number): void {
  if (row.version !== expected) throw versionConflict(row.version);
}

/** `UPDATE … WHERE id = ? AND version = ?`: the row must still be the one the caller decided on. */
export async function saveHazard(tx: Tx, ctx: Pick<Ctx, 'actor' | 'now'>, before: HazardRow, patch: HazardPatch): Promise<HazardRow> {
  const [after] = await tx
    .update(hazards)
    .set({ ...patch, version: before.version + 1, updatedAt: ctx.now(), updatedBy: ctx.actor.userId })
    .where(and(eq(hazards.id, before.id), eq(hazards.version, before.version)))
    .returning();
  if (!after) throw versionConflict(before.version);
  return after;
}

// ---------------------------------------------------------------------------------------------------------
// Who the actor is for this hazard
// ---------------------------------------------------------------------------------------------------------

/**
 * Whoever fixed it never verifies it (the assignee, whoever submitted the fix, the reporter of a fix on
 * the spot). Otherwise: the designated verifier, or anyone holding hazard:verify when none is designated;
 * the safety office (triage) may always stand in.
 */
export function isVerifier(actor: Actor, row: HazardRow): boolean {
  if (!actor.userId) return false;
  // Nobody verifies their own work.
  if (actor.userId === row.assigneeUserId || actor.userId === row.submittedBy) return false;
  // The designated verifier (the reporter under 谁发现谁验收, or the one named at triage) verifies whatever
  // their role; everybody else needs hazard:verify, and the safety office may step in for a named verifier.
  if (row.verifierUserId === actor.userId) return true;
  if (!can(actor, P.verify)) return false;
  return row.verifierUserId === null || can(actor, P.triage);
}

export function partiesOf(actor: Actor, row: HazardRow): HazardParty[] {
  const parties: HazardParty[] = [];
  if (can(actor, P.triage)) parties.push('triage');
  if (actor.userId && row.assigneeUserId === actor.userId && can(actor, P.rectify)) parties.push('assignee');
  if (actor.userId && row.reporterUserId === actor.userId) parties.push('reporter');
  if (isVerifier(actor, row)) parties.push('verifier');
  return parties;
}

const partyNames: Record<HazardParty, string> = { triage: 'the safety office (hazard:triage)', assignee: 'the assignee', verifier: 'the verifier', reporter: 'the reporter' };

/** The lifecycle's answer, as the HTTP error a client can act on. */
export function transitionOrThrow(row: HazardRow, action: HazardAction, parties: HazardParty[], reason?: string | null, allowedBy?: HazardParty[]): HazardState {
  const result = nextHazardState(row.status, action, parties, reason);
  if (result.ok) return result.to;
  if (result.reason === 'not_allowed_from_state') {
    throw new AppError('conflict', `cannot ${action.replace('_', ' ')} a hazard that is ${row.status}`, { extra: { hazardStatus: row.status, action } });
  }
  if (result.reason === 'reason_required') throw invalid('reason', 'required', `reason: required to ${action.replace('_', ' ')} a hazard`);
  const who = (allowedBy ?? []).map((p) => partyNames[p]).join(' or ');
  throw new AppError('forbidden', `only ${who || 'another party'} may ${action.replace('_', ' ')} this hazard`, { extra: { action } });
}

// ---------------------------------------------------------------------------------------------------------
// Contexts: the system (timers, automatic steps) and the anonymous reporter
// ---------------------------------------------------------------------------------------------------------

export function systemCtxAt(db: Database, tenantId: string, now: Date): Ctx {
  return { db, actor: systemActor(tenantId), now: () => now, ip: null, locale: 'zh-CN' };
}

/**
 * The anonymous reporter as the audit log and the outbox see them: no user, no name, no IP address. The
 * permission was checked on the real actor before this context is used.
 */
export function anonymousCtx(ctx: Ctx): Ctx {
  return { ...ctx, ip: null, actor: { ...systemActor(ctx.actor.tenantId), name: 'anonymous', permissions: new Set() } };
}

// ---------------------------------------------------------------------------------------------------------
// Timeline, audit, events
// ---------------------------------------------------------------------------------------------------------

export interface TimelineStep {
  action: string;
  from?: HazardState | null;
  to?: HazardState | null;
  comment?: string | null;
  photoIds?: string[];
  data?: Record<string, unknown>;
  /** Timer steps: one row per key ever; a second attempt inserts nothing and returns false. */
  dedupeKey?: string;
}

export async function addTimeline(tx: Tx, ctx: Pick<Ctx, 'actor' | 'now'>, hazard: HazardRow, step: TimelineStep): Promise<boolean> {
  const system = ctx.actor.kind === 'system';
  const rows = await tx
    .insert(hazardEvents)
    .values({
      id: newId(),
      tenantId: hazard.tenantId,
      hazardId: hazard.id,
      at: ctx.now(),
      actorUserId: ctx.actor.userId,
      // The system names itself; the anonymous reporter has no name at all.
      actorName: system ? (ctx.actor.name === 'anonymous' ? null : 'system') : ctx.actor.name,
      action: step.action,
      fromStatus: step.from ?? null,
      toStatus: step.to ?? null,
      comment: step.comment ?? null,
      photoIds: step.photoIds ?? [],
      data: step.data ?? {},
      dedupeKey: step.dedupeKey ?? null,
    })
    .onConflictDoNothing()
    .returning({ id: hazardEvents.id });
  return rows.length > 0;
}

/** What the audit log keeps of a hazard: the workflow fields, not the photos or long texts. */
export function auditView(row: HazardRow | null): Record<string, unknown> | null {
  if (!row) return null;
  return {
    number: row.number,
    status: row.status,
    level: row.level,
    category: row.category,
    orgUnitId: row.orgUnitId,
    assigneeUserId: row.assigneeUserId,
    assigneeUnitId: row.assigneeUnitId,
    verifierUserId: row.verifierUserId,
    respondDueAt: row.respondDueAt,
    rectifyDueAt: row.rectifyDueAt,
    respondOverdue: row.respondOverdue,
    rectifyOverdue: row.rectifyOverdue,
    escalationLevel: row.escalationLevel,
    reworkCount: row.reworkCount,
    mergedIntoId: row.mergedIntoId,
    version: row.version,
  };
}

/** Audit entry `hazard.<what>` and outbox event of the same name (thin payload: ids, number, states). */
export async function recordHazard(
  tx: Tx,
  ctx: Ctx,
  what: string,
  before: HazardRow | null,
  after: HazardRow,
  extra: { audit?: Record<string, unknown>; payload?: Record<string, unknown> } = {},
): Promise<void> {
  await recordChange(
    tx,
    ctx,
    { action: `hazard.${what}`, entityType: 'hazard', entityId: after.id, before: auditView(before), after: { ...auditView(after), ...(extra.audit ?? {}) } },
    {
      type: `hazard.${what}`,
      entityType: 'hazard',
      entityId: after.id,
      payload: { hazardId: after.id, number: after.number, status: after.status, level: after.level, fromStatus: before?.status ?? null, ...(extra.payload ?? {}) },
    },
  );
}

// ---------------------------------------------------------------------------------------------------------
// Notifications
// ---------------------------------------------------------------------------------------------------------

export const levelSeverity: Record<HazardLevel, Severity> = { general: 'info', serious: 'warning', major: 'critical' };

export interface HazardNotice {
  type: string;
  title: { 'zh-CN': string; en: string };
  body?: { 'zh-CN': string; en: string };
  severity?: Severity;
  /** Also notify the actor (default: whoever acted already knows). */
  includeActor?: boolean;
}

/** In-app + stream + channels, in the caller's transaction, in the tenant's language. */
export async function notifyHazard(tx: Tx, ctx: Pick<Ctx, 'actor' | 'now'>, hazard: HazardRow, userIds: (string | null | undefined)[], notice: HazardNotice): Promise<string[]> {
  const recipients = [...new Set(userIds.filter((v): v is string => typeof v === 'string'))].filter((id) => notice.includeActor || id !== ctx.actor.userId);
  if (recipients.length === 0) return [];
  const { locale } = await tenantInfo(tx, hazard.tenantId);
  const { ids } = await notifyUsers(tx, ctx, {
    userIds: recipients,
    type: notice.type,
    severity: notice.severity ?? levelSeverity[hazard.level],
    title: notice.title[locale].slice(0, 200),
    body: notice.body ? notice.body[locale].slice(0, 1000) : null,
    link: `/hazards/${hazard.id}`,
    data: { hazardId: hazard.id, number: hazard.number },
  });
  return ids;
}

// ---------------------------------------------------------------------------------------------------------
// Input checks shared by the services
// ---------------------------------------------------------------------------------------------------------

type FileKind = 'image' | 'video' | 'audio' | 'pdf';

/** Uploaded files referenced by a hazard: they must exist in this tenant and be of the expected kind. */
export async function checkFiles(tx: Tx, tenantId: string, ids: string[], kinds: FileKind[], field: string, opts: { single?: boolean } = {}): Promise<string[]> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return [];
  const rows = await tx
    .select({ id: files.id, kind: files.kind })
    .from(files)
    .where(and(eq(files.tenantId, tenantId), inArray(files.id, unique)));
  for (const [i, id] of unique.entries()) {
    const name = opts.single ? field : `${field}.${i}`;
    const f = rows.find((r) => r.id === id);
    if (!f) throw invalid(name, 'exists', `${name}: no uploaded file ${id}; upload it first (POST /api/v1/files)`);
    if (!kinds.includes(f.kind)) throw invalid(name, 'kind', `${name}: expected ${kinds.join(' or ')}, got ${f.kind}`);
  }
  return unique;
}

export function trimOrNull(s: string | null | undefined): string | null {
  const v = s?.trim();
  return v ? v : null;
}
