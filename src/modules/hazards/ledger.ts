import { createHash } from 'node:crypto';
import { and, asc, desc, eq, ilike, inArray, isNull, notInArray, or, sql, type SQL } from 'drizzle-orm';
import { PgTransaction, type AnyPgColumn } from 'drizzle-orm/pg-core';
import type { Ctx } from '../../platform/auth/actor.ts';
import { users } from '../../platform/auth/schema.ts';
import { can, requirePermission } from '../../platform/auth/scope.ts';
import { queryRows, type Database, type Tx } from '../../platform/db/client.ts';
import { files } from '../../platform/files/schema.ts';
import { invalid, notFound, type Locale } from '../../platform/http/errors.ts';
import { decodeCursor, pageOf } from '../../platform/http/pagination.ts';
import { orgUnits, people } from '../../platform/org/schema.ts';
import { labelOf, readLabels, readPolicy, type Labels } from './dictionaries.ts';
import { tenantInfo, zonedTime } from './directory.ts';
import { availableHazardActions, isTerminal, type HazardState } from './lifecycle.ts';
import { hazardPermissions as P } from './permissions.ts';
import { pointsOfHazard, type PointsRow } from './points.ts';
import { hazardEvents, hazardExtensions, hazards, hazardSignoffs, type GeoPoint, type HazardLevel, type HazardOrigin, type RectificationPlan, type TreatmentPlan } from './schema.ts';
import { loadHazard, OPEN_STATES, partiesOf, type HazardRow } from './store.ts';
import { maySignOff, signoffStatus, type SignoffRequirement } from './verify.ts';

/** The ledger (台账): list with filters, one hazard with its timeline, and the anonymous tracking view. */

export interface FileRef {
  id: string;
  url: string;
  thumbUrl: string | null;
  mime: string;
  kind: string;
}

export interface HazardListItem {
  id: string;
  number: string;
  title: string;
  status: HazardState;
  level: HazardLevel;
  levelLabel: string;
  category: string;
  categoryLabel: string;
  source: string | null;
  sourceLabel: string | null;
  orgUnitId: string | null;
  areaName: string | null;
  departmentId: string | null;
  departmentName: string | null;
  anonymous: boolean;
  reporterUserId: string | null;
  reporterName: string | null;
  reportedAt: string;
  assigneeUserId: string | null;
  assigneeName: string | null;
  assigneeUnitId: string | null;
  assigneeUnitName: string | null;
  respondDueAt: string | null;
  rectifyDueAt: string | null;
  respondOverdue: boolean;
  rectifyOverdue: boolean;
  escalationLevel: number;
  reworkCount: number;
  fixOnSpot: boolean;
  possibleDuplicateOf: string | null;
  mergedIntoId: string | null;
  closedAt: string | null;
  thumbUrl: string | null;
  version: number;
}

export interface TimelineEntry {
  id: string;
  at: string;
  action: string;
  actorUserId: string | null;
  actorName: string | null;
  fromStatus: HazardState | null;
  toStatus: HazardState | null;
  comment: string | null;
  photos: FileRef[];
  data: Record<string, unknown>;
}

export interface ExtensionView {
  id: string;
  requestedBy: string;
  requestedByName: string | null;
  requestedAt: string;
  previousDueAt: string | null;
  newDueAt: string;
  reason: string;
  status: 'pending' | 'approved' | 'refused';
  decidedBy: string | null;
  decidedByName: string | null;
  decidedAt: string | null;
  decisionComment: string | null;
}

export interface SignoffView {
  id: string;
  userId: string;
  userName: string | null;
  roleCodes: string[];
  planVersion: number;
  comment: string | null;
  signedAt: string;
}

export interface HazardDetail extends HazardListItem {
  description: string | null;
  location: GeoPoint | null;
  photos: FileRef[];
  video: FileRef | null;
  voice: FileRef | null;
  suggestedFix: string | null;
  verifierUserId: string | null;
  verifierName: string | null;
  assignedAt: string | null;
  assignmentRuleId: string | null;
  respondedAt: string | null;
  plan: (RectificationPlan & { responsiblePersonName: string | null }) | null;
  afterPhotos: FileRef[];
  rectifyNotes: string | null;
  submittedAt: string | null;
  closedOnTime: boolean | null;
  rejectedAt: string | null;
  rejectReason: string | null;
  possibleDuplicateNumber: string | null;
  mergedIntoNumber: string | null;
  treatmentPlan: TreatmentPlan | null;
  treatmentPlanVersion: number;
  reportToAuthority: boolean;
  reportedToAuthorityAt: string | null;
  authorityReference: string | null;
  /** How it entered the register; 'alarm' hazards link the IoT alarm that is their evidence. */
  origin: HazardOrigin;
  alarmId: string | null;
  timeline: TimelineEntry[];
  extensions: ExtensionView[];
  signoffs: SignoffView[];
  signoffRequirements: SignoffRequirement[];
  points: PointsRow[];
  /** What the caller may do now (buttons): lifecycle actions plus plan, extension, sign-off steps. */
  actions: string[];
  /** Why the hazard cannot be closed yet (major hazards): treatment plan or sign-offs missing. */
  blockers: string[];
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/**
 * Independent reads at once where that is possible: outside a transaction on PostgreSQL each takes its
 * own pooled connection (one round trip instead of several); PGlite queues them itself. A transaction has
 * one connection, and pg deprecates overlapping queries on one client, so there they run one by one.
 */
async function readTogether<T extends unknown[]>(tx: Tx, ...reads: { [K in keyof T]: () => Promise<T[K]> }): Promise<T> {
  if (tx instanceof PgTransaction) {
    const out: unknown[] = [];
    for (const read of reads) out.push(await read());
    return out as T;
  }
  return (await Promise.all(reads.map((read) => read()))) as T;
}

async function fileRefs(tx: Tx, tenantId: string, ids: string[]): Promise<Map<string, FileRef>> {
  const wanted = [...new Set(ids)];
  if (wanted.length === 0) return new Map();
  const rows = await tx
    .select({ id: files.id, mime: files.mime, kind: files.kind, thumb: files.thumbSha256 })
    .from(files)
    .where(and(eq(files.tenantId, tenantId), inArray(files.id, wanted)));
  return new Map(rows.map((f) => [f.id, { id: f.id, url: `/api/v1/files/${f.id}`, thumbUrl: f.thumb ? `/api/v1/files/${f.id}/thumb` : null, mime: f.mime, kind: f.kind }]));
}

const refsOf = (map: Map<string, FileRef>, ids: string[]) => ids.map((id) => map.get(id)).filter((f): f is FileRef => f !== undefined);

export interface Lookups {
  labels: Labels;
  userName: (id: string | null) => string | null;
  unitName: (id: string | null) => string | null;
  files: Map<string, FileRef>;
}

export async function ledgerLookups(tx: Tx, tenantId: string, rows: HazardRow[], extra: { userIds?: string[]; fileIds?: string[] } = {}): Promise<Lookups> {
  const userIds = [...new Set([...rows.flatMap((r) => [r.reporterUserId, r.assigneeUserId, r.verifierUserId]), ...(extra.userIds ?? [])].filter((v): v is string => v !== null))];
  const unitIds = [...new Set(rows.flatMap((r) => [r.orgUnitId, r.assigneeUnitId, r.departmentId]).filter((v): v is string => v !== null))];
  const [names, units, labels, fileMap] = await readTogether(
    tx,
    async () => (userIds.length ? tx.select({ id: users.id, name: users.displayName }).from(users).where(and(eq(users.tenantId, tenantId), inArray(users.id, userIds))) : []),
    async () => (unitIds.length ? tx.select({ id: orgUnits.id, name: orgUnits.name }).from(orgUnits).where(and(eq(orgUnits.tenantId, tenantId), inArray(orgUnits.id, unitIds))) : []),
    () => readLabels(tx, tenantId),
    () => fileRefs(tx, tenantId, [...rows.map((r) => r.photoIds[0]).filter((v): v is string => v !== undefined), ...(extra.fileIds ?? [])]),
  );
  const userMap = new Map(names.map((n) => [n.id, n.name]));
  const unitMap = new Map(units.map((u) => [u.id, u.name]));
  return {
    labels,
    userName: (id) => (id ? (userMap.get(id) ?? null) : null),
    unitName: (id) => (id ? (unitMap.get(id) ?? null) : null),
    files: fileMap,
  };
}

export function toListItem(r: HazardRow, l: Lookups, locale: Locale): HazardListItem {
  const thumb = r.photoIds[0] ? l.files.get(r.photoIds[0]) : undefined;
  return {
    id: r.id,
    number: r.number,
    title: r.title,
    status: r.status,
    level: r.level,
    levelLabel: labelOf(l.labels, 'level', r.level, locale) ?? r.level,
    category: r.category,
    categoryLabel: labelOf(l.labels, 'category', r.category, locale) ?? r.category,
    source: r.source,
    sourceLabel: labelOf(l.labels, 'source', r.source, locale),
    orgUnitId: r.orgUnitId,
    areaName: l.unitName(r.orgUnitId),
    departmentId: r.departmentId,
    departmentName: l.unitName(r.departmentId),
    anonymous: r.anonymous,
    reporterUserId: r.reporterUserId,
    reporterName: l.userName(r.reporterUserId),
    reportedAt: r.reportedAt.toISOString(),
    assigneeUserId: r.assigneeUserId,
    assigneeName: l.userName(r.assigneeUserId),
    assigneeUnitId: r.assigneeUnitId,
    assigneeUnitName: l.unitName(r.assigneeUnitId),
    respondDueAt: iso(r.respondDueAt),
    rectifyDueAt: iso(r.rectifyDueAt),
    respondOverdue: r.respondOverdue,
    rectifyOverdue: r.rectifyOverdue,
    escalationLevel: r.escalationLevel,
    reworkCount: r.reworkCount,
    fixOnSpot: r.fixOnSpot,
    possibleDuplicateOf: r.possibleDuplicateOf,
    mergedIntoId: r.mergedIntoId,
    closedAt: iso(r.closedAt),
    thumbUrl: thumb ? (thumb.thumbUrl ?? thumb.url) : null,
    version: r.version,
  };
}

/** The full record as one actor sees it (the row was already checked to be in their scope). */
export async function hazardDetail(tx: Tx, ctx: Ctx, h: HazardRow): Promise<HazardDetail> {
  const timeline = await tx
    .select()
    .from(hazardEvents)
    .where(and(eq(hazardEvents.tenantId, h.tenantId), eq(hazardEvents.hazardId, h.id)))
    .orderBy(asc(hazardEvents.at), asc(hazardEvents.id));
  const extensions = await tx
    .select()
    .from(hazardExtensions)
    .where(and(eq(hazardExtensions.tenantId, h.tenantId), eq(hazardExtensions.hazardId, h.id)))
    .orderBy(asc(hazardExtensions.requestedAt), asc(hazardExtensions.id));
  const signoffs = await tx
    .select()
    .from(hazardSignoffs)
    .where(and(eq(hazardSignoffs.tenantId, h.tenantId), eq(hazardSignoffs.hazardId, h.id)))
    .orderBy(asc(hazardSignoffs.signedAt), asc(hazardSignoffs.id));
  const fileIds = [...h.photoIds, ...h.afterPhotoIds, ...timeline.flatMap((e) => e.photoIds), ...[h.videoId, h.voiceId].filter((v): v is string => v !== null)];
  const l = await ledgerLookups(tx, h.tenantId, [h], {
    userIds: [...extensions.flatMap((e) => [e.requestedBy, e.decidedBy]), ...signoffs.map((s) => s.userId)].filter((v): v is string => v !== null),
    fileIds,
  });
  const linked = [h.possibleDuplicateOf, h.mergedIntoId].filter((v): v is string => v !== null);
  const linkedRows = linked.length ? await tx.select({ id: hazards.id, number: hazards.number }).from(hazards).where(and(eq(hazards.tenantId, h.tenantId), inArray(hazards.id, linked))) : [];
  const numberOf = (id: string | null) => (id ? (linkedRows.find((r) => r.id === id)?.number ?? null) : null);
  let plan: HazardDetail['plan'] = null;
  if (h.plan) {
    const [person] = await tx.select({ name: people.name }).from(people).where(and(eq(people.tenantId, h.tenantId), eq(people.id, h.plan.responsiblePersonId)));
    plan = { ...h.plan, responsiblePersonName: person?.name ?? null };
  }
  const status = await signoffStatus(tx, h, ctx.locale);
  const pendingExtension = extensions.find((e) => e.status === 'pending');
  const parties = partiesOf(ctx.actor, h);
  const actions: string[] = availableHazardActions(h.status, parties).filter((a) => a !== 'fix_on_spot' && !(a === 'pass' && status.blockers.length > 0));
  const assignee = parties.includes('assignee');
  const open = !isTerminal(h.status);
  if (assignee && (h.status === 'rectifying' || h.status === 'rework')) actions.push('save_plan');
  if (assignee && ['assigned', 'rectifying', 'rework'].includes(h.status) && !pendingExtension) actions.push('request_extension');
  if (pendingExtension && can(ctx.actor, P.approveExtension) && ctx.actor.userId !== pendingExtension.requestedBy && ctx.actor.userId !== h.assigneeUserId) actions.push('decide_extension');
  const policy = await readPolicy(tx, h.tenantId, h.level);
  if (policy.requiresTreatmentPlan && open && (assignee || parties.includes('triage'))) actions.push('save_treatment_plan');
  if (await maySignOff(tx, ctx, h, status)) actions.push('sign_off');
  if (h.reportToAuthority && !h.reportedToAuthorityAt && parties.includes('triage')) actions.push('report_to_authority');
  // regrade.ts refuses the rest (downgrading a major hazard whose sign-off started) with a reason the page shows.
  if (open && parties.includes('triage')) actions.push('regrade');
  return {
    ...toListItem(h, l, ctx.locale),
    description: h.description,
    location: h.location,
    photos: refsOf(l.files, h.photoIds),
    video: h.videoId ? (l.files.get(h.videoId) ?? null) : null,
    voice: h.voiceId ? (l.files.get(h.voiceId) ?? null) : null,
    suggestedFix: h.suggestedFix,
    verifierUserId: h.verifierUserId,
    verifierName: l.userName(h.verifierUserId),
    assignedAt: iso(h.assignedAt),
    assignmentRuleId: h.assignmentRuleId,
    respondedAt: iso(h.respondedAt),
    plan,
    afterPhotos: refsOf(l.files, h.afterPhotoIds),
    rectifyNotes: h.rectifyNotes,
    submittedAt: iso(h.submittedAt),
    closedOnTime: h.closedOnTime,
    rejectedAt: iso(h.rejectedAt),
    rejectReason: h.rejectReason,
    possibleDuplicateNumber: numberOf(h.possibleDuplicateOf),
    mergedIntoNumber: numberOf(h.mergedIntoId),
    treatmentPlan: h.treatmentPlan,
    treatmentPlanVersion: h.treatmentPlanVersion,
    reportToAuthority: h.reportToAuthority,
    reportedToAuthorityAt: iso(h.reportedToAuthorityAt),
    authorityReference: h.authorityReference,
    origin: h.origin,
    alarmId: h.alarmId,
    timeline: timeline.map((e) => ({
      id: e.id,
      at: e.at.toISOString(),
      action: e.action,
      actorUserId: e.actorUserId,
      actorName: e.actorName,
      fromStatus: e.fromStatus,
      toStatus: e.toStatus,
      comment: e.comment,
      photos: refsOf(l.files, e.photoIds),
      data: e.data,
    })),
    extensions: extensions.map((e) => ({
      id: e.id,
      requestedBy: e.requestedBy,
      requestedByName: l.userName(e.requestedBy),
      requestedAt: e.requestedAt.toISOString(),
      previousDueAt: iso(e.previousDueAt),
      newDueAt: e.newDueAt.toISOString(),
      reason: e.reason,
      status: e.status,
      decidedBy: e.decidedBy,
      decidedByName: l.userName(e.decidedBy),
      decidedAt: iso(e.decidedAt),
      decisionComment: e.decisionComment,
    })),
    signoffs: signoffs.map((s) => ({ id: s.id, userId: s.userId, userName: l.userName(s.userId), roleCodes: s.roleCodes, planVersion: s.planVersion, comment: s.comment, signedAt: s.signedAt.toISOString() })),
    signoffRequirements: status.requirements,
    points: await pointsOfHazard(tx, h.tenantId, h.id),
    actions,
    blockers: status.blockers,
  };
}

export async function getHazard(ctx: Ctx, id: string): Promise<HazardDetail> {
  requirePermission(ctx.actor, P.read);
  return ctx.db.read(async (tx) => hazardDetail(tx, ctx, await loadHazard(tx, ctx.actor, id)));
}

/** Runs a write service, then answers with the record as the caller now sees it. */
export async function detailAfter(ctx: Ctx, write: Promise<HazardRow>): Promise<HazardDetail> {
  const row = await write;
  return ctx.db.read(async (tx) => {
    // The write may have moved it out of the caller's scope (reassigned elsewhere): they still get the result.
    const [fresh] = await tx.select().from(hazards).where(and(eq(hazards.id, row.id), eq(hazards.tenantId, ctx.actor.tenantId)));
    return hazardDetail(tx, ctx, fresh ?? row);
  });
}

// ---------------------------------------------------------------------------------------------------------
// List
// ---------------------------------------------------------------------------------------------------------

export const hazardSorts = ['reported_desc', 'reported_asc', 'due_asc', 'number_desc'] as const;
export type HazardSort = (typeof hazardSorts)[number];

export interface HazardFilter {
  status?: HazardState[];
  level?: HazardLevel[];
  category?: string[];
  source?: string;
  areaUnitId?: string;
  departmentId?: string;
  reporterUserId?: string;
  assigneeUserId?: string;
  from?: string;
  to?: string;
  overdue?: boolean;
  possibleDuplicate?: boolean;
  q?: string;
  mine?: 'reported' | 'assigned' | 'verify';
}

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** `YYYY-MM-DD` is a day in the tenant's zone (`to` includes that day); anything else must be an ISO time. */
function parseBound(raw: string, field: 'from' | 'to', timeZone: string): Date {
  const m = DATE_ONLY.exec(raw);
  if (m) {
    const d = zonedTime(timeZone, Number(m[1]), Number(m[2]), Number(m[3]) + (field === 'to' ? 1 : 0));
    if (!Number.isNaN(d.getTime())) return d;
  } else if (/^\d{4}-\d{2}-\d{2}T/.test(raw)) {
    const d = new Date(raw);
    if (!Number.isNaN(d.getTime())) return d;
  }
  throw invalid(field, 'format', `${field}: a date YYYY-MM-DD or an ISO date-time`);
}

const likeText = (s: string) => `%${s.replace(/[\\%_]/g, '\\$&')}%`;

/** Ids of a unit and the units below it (one query: paths are chains of ids, "/a/b/" is under "/a/"). */
async function subtreeIds(tx: Tx, tenantId: string, unitId: string): Promise<string[]> {
  const rows = await queryRows<{ id: string }>(
    tx,
    sql`SELECT u.id FROM ${orgUnits} u JOIN ${orgUnits} p ON p.id = ${unitId} AND p.tenant_id = ${tenantId}
        WHERE u.tenant_id = ${tenantId} AND left(u.path, length(p.path)) = p.path`,
  );
  return rows.map((r) => r.id);
}

const anyOf = (column: AnyPgColumn, ids: string[]): SQL => (ids.length ? inArray(column, ids) : sql`false`);

/**
 * The rows of hazardScopeWhere (store.ts), written so an index can find them: the scope's units are read
 * first and compared as a literal list, so PostgreSQL can OR the area, responsible-unit and own-row indexes
 * (a bitmap of a department's few thousand rows) instead of testing every hazard of the company against a
 * subquery. Same rows: area or responsible unit in the subtree, or the actor is reporter, assignee or verifier.
 */
async function listScope(tx: Tx, actor: Ctx['actor']): Promise<{ cond: SQL | null; narrow: boolean }> {
  if (actor.dataScope === 'company' || actor.scopePath === null) return { cond: null, narrow: false };
  const ownIds = [actor.userId, actor.personId].filter((v): v is string => v !== null);
  const own = ownIds.length ? [inArray(hazards.reporterUserId, ownIds), inArray(hazards.assigneeUserId, ownIds), inArray(hazards.verifierUserId, ownIds)] : [];
  if (actor.dataScope === 'self') return { cond: own.length ? (or(...own) as SQL) : sql`false`, narrow: true };
  const [row] = await queryRows<{ ids: string[] | null; total: number }>(
    tx,
    sql`SELECT array_agg(${orgUnits.id}) FILTER (WHERE ${orgUnits.path} LIKE ${actor.scopePath.replace(/[\\%_]/g, '\\$&') + '%'}) AS ids, count(*)::int AS total
        FROM ${orgUnits} WHERE ${orgUnits.tenantId} = ${actor.tenantId}`,
  );
  const units = row?.ids ?? [];
  // A workshop or a team: a small share of the company's units, so of its hazards too.
  const narrow = units.length * 4 <= (row?.total ?? 0);
  return { cond: or(anyOf(hazards.orgUnitId, units), anyOf(hazards.assigneeUnitId, units), ...own) as SQL, narrow };
}

/** A whole hazard number (YH-2026-000123): looked up by the unique number index instead of a scan. */
const WHOLE_NUMBER = /^YH-\d{4}-\d{6}$/i;

/** Tenant, data scope and the filters, shared by the list, the export and the figures. */
export async function filterConditions(tx: Tx, ctx: Ctx, f: HazardFilter): Promise<SQL[]> {
  return (await filterParts(tx, ctx, f)).conds;
}

/** The conditions, and whether to find the scope's rows first (a narrow scope and a filter besides). */
async function filterParts(tx: Tx, ctx: Ctx, f: HazardFilter): Promise<{ conds: SQL[]; narrowScope: boolean }> {
  const a = ctx.actor;
  const conds: SQL[] = [eq(hazards.tenantId, a.tenantId)];
  // Independent reads: one round trip before the hazard query instead of up to four.
  const { areaUnitId, departmentId } = f;
  const [scope, areaIds, departmentIds, zone] = await readTogether(
    tx,
    () => listScope(tx, a),
    async () => (areaUnitId ? subtreeIds(tx, a.tenantId, areaUnitId) : null),
    async () => (departmentId ? subtreeIds(tx, a.tenantId, departmentId) : null),
    async () => (f.from || f.to ? tenantInfo(tx, a.tenantId) : null),
  );
  if (scope.cond) conds.push(scope.cond);
  if (f.status?.length) conds.push(inArray(hazards.status, f.status));
  if (f.level?.length) conds.push(inArray(hazards.level, f.level));
  if (f.category?.length) conds.push(inArray(hazards.category, f.category));
  if (f.source) conds.push(eq(hazards.source, f.source));
  if (areaIds) conds.push(anyOf(hazards.orgUnitId, areaIds));
  if (departmentIds) conds.push(anyOf(hazards.departmentId, departmentIds));
  if (f.reporterUserId) conds.push(eq(hazards.reporterUserId, f.reporterUserId));
  if (f.assigneeUserId) conds.push(eq(hazards.assigneeUserId, f.assigneeUserId));
  if (zone) {
    const { timeZone } = zone;
    if (f.from) conds.push(sql`${hazards.reportedAt} >= ${parseBound(f.from, 'from', timeZone).toISOString()}::timestamptz`);
    if (f.to) conds.push(sql`${hazards.reportedAt} < ${parseBound(f.to, 'to', timeZone).toISOString()}::timestamptz`);
  }
  if (f.overdue) conds.push(and(or(eq(hazards.respondOverdue, true), eq(hazards.rectifyOverdue, true)), inArray(hazards.status, [...OPEN_STATES])) as SQL);
  if (f.possibleDuplicate !== undefined) conds.push(f.possibleDuplicate ? sql`${hazards.possibleDuplicateOf} IS NOT NULL` : isNull(hazards.possibleDuplicateOf));
  if (f.q?.trim()) {
    const q = f.q.trim();
    if (WHOLE_NUMBER.test(q)) {
      // Someone pasted a number: it is that hazard (numbers are unique per tenant), not a substring scan of
      // every title and description, which at 180k hazards took ~0.5 s.
      conds.push(eq(hazards.number, q.toUpperCase()));
    } else {
      const p = likeText(q);
      conds.push(or(ilike(hazards.number, p), ilike(hazards.title, p), ilike(hazards.description, p)) as SQL);
    }
  }
  if (f.mine) {
    const me = a.userId ?? '00000000-0000-0000-0000-000000000000';
    if (f.mine === 'reported') conds.push(eq(hazards.reporterUserId, me));
    if (f.mine === 'assigned') conds.push(and(eq(hazards.assigneeUserId, me), notInArray(hazards.status, ['closed', 'rejected'])) as SQL);
    if (f.mine === 'verify') {
      const mayPool = can(a, P.verify);
      conds.push(
        and(
          eq(hazards.status, 'pending_verification'),
          mayPool ? (or(eq(hazards.verifierUserId, me), isNull(hazards.verifierUserId)) as SQL) : eq(hazards.verifierUserId, me),
          sql`${hazards.assigneeUserId} IS DISTINCT FROM ${me}::uuid`,
        ) as SQL,
      );
    }
  }
  // Scope first only when another filter thins the rows out further: for a plain page, walking the
  // reported_at index (recent rows sit together on disk) meets a workshop's 50 newest in a few thousand.
  const filtered = FILTER_KEYS.some((k) => {
    const v = f[k];
    return v !== undefined && v !== '' && !(Array.isArray(v) && v.length === 0);
  });
  return { conds, narrowScope: scope.narrow && filtered };
}

const FILTER_KEYS: readonly (keyof HazardFilter)[] = [
  'status',
  'level',
  'category',
  'source',
  'areaUnitId',
  'departmentId',
  'reporterUserId',
  'assigneeUserId',
  'from',
  'to',
  'overdue',
  'possibleDuplicate',
  'q',
  'mine',
];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const dueKey = sql`coalesce(${hazards.rectifyDueAt}, 'infinity'::timestamptz)`;

/**
 * With `scopeFirst` the sort keys are wrapped so that no index can deliver the order: PostgreSQL then
 * finds the scope's rows through the scope indexes (a workshop: a few thousand) and sorts them, instead of
 * walking the company's whole reported_at index hoping to meet 50 of them. Its estimates for the scope's
 * OR of columns are several times too high, so on its own it walks: 0.4 s for a workshop head's text search
 * at 180k hazards, against a few ms this way. Same order, same rows.
 */
function sortSpec(sort: HazardSort, after: { k: string; id: string } | null, scopeFirst = false): { order: SQL[]; cond: SQL | null; key: (r: HazardRow) => string } {
  const reportedAt = scopeFirst ? sql`(${hazards.reportedAt} + interval '0 s')` : hazards.reportedAt;
  const number = scopeFirst ? sql`(${hazards.number} || '')` : hazards.number;
  if (after && !UUID.test(after.id)) throw invalid('cursor', 'format', 'cursor: invalid');
  const time = (k: string) => {
    if (k !== 'infinity' && Number.isNaN(new Date(k).getTime())) throw invalid('cursor', 'format', 'cursor: invalid');
    return sql`${k}::timestamptz`;
  };
  switch (sort) {
    case 'reported_asc':
      return {
        order: [asc(reportedAt), asc(hazards.id)],
        cond: after ? sql`(${hazards.reportedAt}, ${hazards.id}) > (${time(after.k)}, ${after.id}::uuid)` : null,
        key: (r) => r.reportedAt.toISOString(),
      };
    case 'due_asc':
      return {
        order: [sql`${dueKey} ASC`, asc(hazards.id)],
        cond: after ? sql`(${dueKey}, ${hazards.id}) > (${time(after.k)}, ${after.id}::uuid)` : null,
        key: (r) => (r.rectifyDueAt ? r.rectifyDueAt.toISOString() : 'infinity'),
      };
    case 'number_desc':
      return {
        order: [desc(number), desc(hazards.id)],
        cond: after ? sql`(${hazards.number}, ${hazards.id}) < (${after.k}, ${after.id}::uuid)` : null,
        key: (r) => r.number,
      };
    default:
      return {
        order: [desc(reportedAt), desc(hazards.id)],
        cond: after ? sql`(${hazards.reportedAt}, ${hazards.id}) < (${time(after.k)}, ${after.id}::uuid)` : null,
        key: (r) => r.reportedAt.toISOString(),
      };
  }
}

export async function queryHazardRows(tx: Tx, ctx: Ctx, f: HazardFilter, sort: HazardSort, limit: number, cursor?: string): Promise<{ rows: HazardRow[]; key: (r: HazardRow) => string }> {
  const after = decodeCursor<{ k: string; id: string }>(cursor, { k: 'string', id: 'string' });
  sortSpec(sort, after); // a bad cursor is refused before any query
  const { conds, narrowScope } = await filterParts(tx, ctx, f);
  const spec = sortSpec(sort, after, narrowScope);
  if (spec.cond) conds.push(spec.cond);
  const rows = await tx
    .select()
    .from(hazards)
    .where(and(...conds))
    .orderBy(...spec.order)
    .limit(limit);
  return { rows, key: spec.key };
}

export async function listHazards(ctx: Ctx, q: HazardFilter & { sort?: HazardSort; limit: number; cursor?: string }) {
  requirePermission(ctx.actor, P.read);
  return ctx.db.read(async (tx) => {
    const { rows, key } = await queryHazardRows(tx, ctx, q, q.sort ?? 'reported_desc', q.limit + 1, q.cursor);
    const page = pageOf(rows, q.limit, (r) => ({ k: key(r), id: r.id }));
    const l = await ledgerLookups(tx, ctx.actor.tenantId, page.items);
    return { items: page.items.map((r) => toListItem(r, l, ctx.locale)), nextCursor: page.nextCursor };
  });
}


// ---------------------------------------------------------------------------------------------------------
// Anonymous tracking
// ---------------------------------------------------------------------------------------------------------

export const TRACKING_CODE = /^[0-9A-HJKMNP-TV-Z]{16}$/;

export function trackingHash(code: string): string {
  return createHash('sha256').update(`hazard-tracking:${code}`).digest('hex');
}

export interface TrackView {
  number: string;
  status: HazardState;
  level: HazardLevel;
  levelLabel: string;
  category: string;
  categoryLabel: string;
  reportedAt: string;
  closedAt: string | null;
  timeline: { at: string; action: string; toStatus: HazardState | null }[];
}

/**
 * What an anonymous reporter sees with their code: status and steps, no names, no comments (a comment
 * may name people). The code is the only key; it is stored hashed.
 */
export async function trackHazard(db: Database, code: string, locale: Locale): Promise<TrackView> {
  if (!TRACKING_CODE.test(code)) throw notFound('hazard');
  return db.read(async (tx) => {
    const [h] = await tx.select().from(hazards).where(eq(hazards.trackingCodeHash, trackingHash(code)));
    if (!h) throw notFound('hazard');
    const events = await tx
      .select({ at: hazardEvents.at, action: hazardEvents.action, toStatus: hazardEvents.toStatus })
      .from(hazardEvents)
      .where(and(eq(hazardEvents.tenantId, h.tenantId), eq(hazardEvents.hazardId, h.id)))
      .orderBy(asc(hazardEvents.at), asc(hazardEvents.id));
    const labels = await readLabels(tx, h.tenantId);
    return {
      number: h.number,
      status: h.status,
      level: h.level,
      levelLabel: labelOf(labels, 'level', h.level, locale) ?? h.level,
      category: h.category,
      categoryLabel: labelOf(labels, 'category', h.category, locale) ?? h.category,
      reportedAt: h.reportedAt.toISOString(),
      closedAt: iso(h.closedAt),
      timeline: events.map((e) => ({ at: e.at.toISOString(), action: e.action, toStatus: e.toStatus })),
    };
  });
}
