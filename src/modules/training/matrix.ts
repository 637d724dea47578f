import { and, asc, eq, inArray, isNotNull, sql } from 'drizzle-orm';
import { recordChange } from '../../platform/audit/record.ts';
import type { Ctx } from '../../platform/auth/actor.ts';
import { assertInScope, requirePermission, scopeWhere } from '../../platform/auth/scope.ts';
import { queryRows, type Tx } from '../../platform/db/client.ts';
import { newId } from '../../platform/db/columns.ts';
import { AppError, invalid, notFound } from '../../platform/http/errors.ts';
import { addDays, addMonths, dayIn, tenantZone } from '../../platform/org/calendar.ts';
import { loadPersonRow, namesOf } from '../../platform/org/directory.ts';
import { orgUnits, people, positions } from '../../platform/org/schema.ts';
import { categoryLabel, ensureTrainingDefaults, loadTypes, type CertificateTypeRow } from './defaults.ts';
import type { Locale } from './messages.ts';
import { trainingPermissions as P } from './permissions.ts';
import { parseTarget, targetString } from './qualification.ts';
import { attendances, certificates, classSessions, courseProgress, courses, positionRequirements, type MatrixKind } from './schema.ts';
import { certificateCounts, certificateStatus, expiringWindow } from './status.ts';

/**
 * The required-training matrix (岗位培训矩阵): what each position needs — completed courses (again every
 * `validMonths`, if set) and certificates — and, per person, which of it is met and which is a gap. The same
 * evaluation feeds the matrix page, a person's gaps, the coverage statistics and, for rows that gate a
 * qualification target, the qualification check.
 */

export type PositionRequirementRow = typeof positionRequirements.$inferSelect;

export const cellStates = ['met', 'expiring', 'missing', 'expired', 'review_overdue', 'revoked'] as const;
export type CellState = (typeof cellStates)[number];
/** A completed course whose renewal falls due within this many days shows as expiring. */
const COURSE_EXPIRING_DAYS = 30;

export interface MatrixCell {
  requirementId: string;
  state: CellState;
  /** Last day the met requirement holds (certificate valid until, course renewal due), when known. */
  until: string | null;
  certificateId: string | null;
}

/** What a person's cells rest on: their certificates and the days they completed each course. */
export interface PersonTrainingFacts {
  certs: (typeof certificates.$inferSelect)[];
  /** courseId → the latest day (tenant zone) the person completed it online or attended a session of it. */
  courseDays: Map<string, string>;
}

/** Latest completion day per person and course: online completion or attendance at a session of the course. */
export async function courseDaysOf(tx: Tx, tenantId: string, personIds: string[], timeZone: string): Promise<Map<string, Map<string, string>>> {
  const out = new Map<string, Map<string, string>>(personIds.map((id) => [id, new Map()]));
  if (personIds.length === 0) return out;
  const put = (personId: string, courseId: string, day: string) => {
    const m = out.get(personId);
    if (m && (m.get(courseId) ?? '') < day) m.set(courseId, day);
  };
  for (let i = 0; i < personIds.length; i += 500) {
    const chunk = personIds.slice(i, i + 500);
    const online = await tx
      .select({ personId: courseProgress.personId, courseId: courseProgress.courseId, at: courseProgress.completedAt })
      .from(courseProgress)
      .where(and(eq(courseProgress.tenantId, tenantId), inArray(courseProgress.personId, chunk), isNotNull(courseProgress.completedAt)));
    for (const o of online) put(o.personId, o.courseId, dayIn(o.at!, timeZone));
    const inClass = await tx
      .select({ personId: attendances.personId, courseId: classSessions.courseId, at: classSessions.startsAt })
      .from(attendances)
      .innerJoin(classSessions, eq(classSessions.id, attendances.sessionId))
      .where(and(eq(attendances.tenantId, tenantId), inArray(attendances.personId, chunk), isNotNull(classSessions.courseId)));
    for (const c of inClass) put(c.personId, c.courseId!, dayIn(c.at, timeZone));
  }
  return out;
}

export async function certificatesOf(tx: Tx, tenantId: string, personIds: string[]): Promise<Map<string, (typeof certificates.$inferSelect)[]>> {
  const out = new Map<string, (typeof certificates.$inferSelect)[]>(personIds.map((id) => [id, []]));
  for (let i = 0; i < personIds.length; i += 500) {
    const rows = await tx
      .select()
      .from(certificates)
      .where(and(eq(certificates.tenantId, tenantId), inArray(certificates.personId, personIds.slice(i, i + 500))));
    for (const r of rows) out.get(r.personId)?.push(r);
  }
  return out;
}

/** One requirement for one person on `today`. */
export function evaluateCell(r: PositionRequirementRow, facts: PersonTrainingFacts, types: Map<string, CertificateTypeRow>, today: string): MatrixCell {
  const base = { requirementId: r.id, until: null, certificateId: null };
  if (r.kind === 'course') {
    const done = r.courseId ? facts.courseDays.get(r.courseId) : undefined;
    if (!done) return { ...base, state: 'missing' };
    if (r.validMonths === null) return { ...base, state: 'met' };
    // Re-training every validMonths (e.g. the annual refresher of 3号令 Art. 9): due the day before the anniversary.
    const until = addDays(addMonths(done, r.validMonths), -1);
    if (today > until) return { ...base, state: 'expired', until };
    return { ...base, state: addDays(today, COURSE_EXPIRING_DAYS) >= until ? 'expiring' : 'met', until };
  }
  const candidates = facts.certs.filter((c) => c.typeId === r.typeId && (r.categories.length === 0 || (c.category !== null && r.categories.includes(c.category))));
  const latest = (list: typeof candidates) => [...list].sort((a, b) => (a.validUntil < b.validUntil ? 1 : -1))[0];
  const good = latest(candidates.filter((c) => certificateCounts(c, today)));
  if (good) {
    const type = types.get(good.typeId);
    const status = certificateStatus(good, today, expiringWindow(type?.reminderDays ?? [60, 30, 7]));
    return { requirementId: r.id, state: status === 'expiring' ? 'expiring' : 'met', until: good.validUntil, certificateId: good.id };
  }
  const live = candidates.filter((c) => !c.revokedAt);
  const overdue = latest(live.filter((c) => today <= c.validUntil && c.nextReviewOn !== null && today > c.nextReviewOn));
  if (overdue) return { requirementId: r.id, state: 'review_overdue', until: overdue.nextReviewOn, certificateId: overdue.id };
  const expired = latest(live.filter((c) => today > c.validUntil));
  if (expired) return { requirementId: r.id, state: 'expired', until: expired.validUntil, certificateId: expired.id };
  const revoked = latest(candidates.filter((c) => c.revokedAt));
  if (revoked) return { requirementId: r.id, state: 'revoked', until: null, certificateId: revoked.id };
  return { ...base, state: 'missing' };
}

export const isGap = (s: CellState) => s !== 'met' && s !== 'expiring';

/** Active matrix rows of these positions (all positions when `positionIds` is null). */
export async function loadMatrixRows(tx: Tx, tenantId: string, positionIds: string[] | null, includeInactive = false): Promise<PositionRequirementRow[]> {
  if (positionIds !== null && positionIds.length === 0) return [];
  return tx
    .select()
    .from(positionRequirements)
    .where(
      and(
        eq(positionRequirements.tenantId, tenantId),
        includeInactive ? undefined : eq(positionRequirements.active, true),
        positionIds ? inArray(positionRequirements.positionId, positionIds) : undefined,
      ),
    )
    .orderBy(asc(positionRequirements.positionId), asc(positionRequirements.kind), asc(positionRequirements.createdAt));
}

/** Matrix rows of a position that gate this qualification target (e.g. the hot-work course for welders). */
export async function gatingRows(tx: Tx, tenantId: string, positionId: string | null, target: string): Promise<PositionRequirementRow[]> {
  if (!positionId) return [];
  return tx
    .select()
    .from(positionRequirements)
    .where(and(eq(positionRequirements.tenantId, tenantId), eq(positionRequirements.positionId, positionId), eq(positionRequirements.active, true), sql`${target} = ANY(${positionRequirements.gates})`));
}

/** Distinct targets gated by any matrix row (watched for qualification.changed like requirement targets). */
export async function gatedTargets(tx: Tx, tenantId: string): Promise<string[]> {
  const rows = await queryRows<{ target: string }>(tx, sql`SELECT DISTINCT unnest(${positionRequirements.gates}) AS target FROM ${positionRequirements} WHERE ${positionRequirements.tenantId} = ${tenantId} AND ${positionRequirements.active}`);
  return rows.map((r) => r.target);
}

// ---- matrix rows (tenant data) ----

export interface RequirementLabel {
  kind: MatrixKind;
  label: { 'zh-CN': string; en: string };
}

function labelOf(r: PositionRequirementRow, types: Map<string, CertificateTypeRow>, courseTitles: Map<string, string>): { 'zh-CN': string; en: string } {
  if (r.kind === 'course') {
    const title = courseTitles.get(r.courseId ?? '') ?? '?';
    const every = r.validMonths ? { zh: `（每 ${r.validMonths} 个月）`, en: ` (every ${r.validMonths} months)` } : { zh: '', en: '' };
    return { 'zh-CN': `课程：${title}${every.zh}`, en: `Course: ${title}${every.en}` };
  }
  const type = types.get(r.typeId ?? '');
  const cats = (l: Locale) => r.categories.map((c) => categoryLabel(type, c, l) ?? c).join(l === 'en' ? ' or ' : '或');
  return {
    'zh-CN': `${type?.nameZh ?? '?'}${r.categories.length ? `（${cats('zh-CN')}）` : ''}`,
    en: `${type?.nameEn ?? '?'}${r.categories.length ? ` (${cats('en')})` : ''}`,
  };
}

export interface MatrixRequirementView {
  id: string;
  positionId: string;
  positionName: string;
  kind: MatrixKind;
  courseId: string | null;
  typeId: string | null;
  categories: string[];
  validMonths: number | null;
  gates: string[];
  label: string;
  note: string | null;
  active: boolean;
  version: number;
}

async function requirementViews(tx: Tx, tenantId: string, rows: PositionRequirementRow[], locale: Locale): Promise<MatrixRequirementView[]> {
  const types = new Map((await loadTypes(tx, tenantId)).map((t) => [t.id, t]));
  const courseIds = [...new Set(rows.map((r) => r.courseId).filter((v): v is string => !!v))];
  const titles = new Map(courseIds.length ? (await tx.select({ id: courses.id, title: courses.title }).from(courses).where(and(eq(courses.tenantId, tenantId), inArray(courses.id, courseIds)))).map((c) => [c.id, c.title]) : []);
  const posIds = [...new Set(rows.map((r) => r.positionId))];
  const posNames = new Map(posIds.length ? (await tx.select({ id: positions.id, name: positions.name }).from(positions).where(inArray(positions.id, posIds))).map((p) => [p.id, p.name]) : []);
  return rows.map((r) => ({
    id: r.id,
    positionId: r.positionId,
    positionName: posNames.get(r.positionId) ?? '',
    kind: r.kind,
    courseId: r.courseId,
    typeId: r.typeId,
    categories: r.categories,
    validMonths: r.validMonths,
    gates: r.gates,
    label: labelOf(r, types, titles)[locale],
    note: r.note,
    active: r.active,
    version: r.version,
  }));
}

export interface MatrixRequirementInput {
  positionId: string;
  kind: MatrixKind;
  courseId?: string | null;
  typeId?: string | null;
  categories?: string[];
  validMonths?: number | null;
  gates?: string[];
  note?: string | null;
}

async function checkRequirementInput(tx: Tx, tenantId: string, input: MatrixRequirementInput): Promise<{ courseId: string | null; typeId: string | null; categories: string[]; gates: string[] }> {
  const [pos] = await tx
    .select({ id: positions.id })
    .from(positions)
    .where(and(eq(positions.tenantId, tenantId), eq(positions.id, input.positionId)));
  if (!pos) throw invalid('positionId', 'exists', `positionId: no position ${input.positionId}`);
  const gates = [...new Set(input.gates ?? [])].map((g, i) => {
    try {
      return targetString(parseTarget(g));
    } catch {
      throw invalid(`gates.${i}`, 'pattern', `gates.${i}: operation:<type>, equipment:<kind or id> or area:<org unit id>`);
    }
  });
  if (input.kind === 'course') {
    if (!input.courseId) throw invalid('courseId', 'required', 'courseId: a course requirement names its course');
    const [c] = await tx
      .select({ id: courses.id })
      .from(courses)
      .where(and(eq(courses.tenantId, tenantId), eq(courses.id, input.courseId)));
    if (!c) throw invalid('courseId', 'exists', `courseId: no course ${input.courseId}`);
    if (input.categories?.length) throw invalid('categories', 'forbidden', 'categories: only for certificate requirements');
    return { courseId: input.courseId, typeId: null, categories: [], gates };
  }
  if (!input.typeId) throw invalid('typeId', 'required', 'typeId: a certificate requirement names its certificate type');
  if (input.validMonths !== undefined && input.validMonths !== null) throw invalid('validMonths', 'forbidden', 'validMonths: a certificate has its own validity; only for course requirements');
  const type = (await loadTypes(tx, tenantId)).find((t) => t.id === input.typeId);
  if (!type) throw invalid('typeId', 'exists', `typeId: no certificate type ${input.typeId}`);
  const categories = [...new Set(input.categories ?? [])];
  categories.forEach((c, i) => {
    if (!type.categories.some((x) => x.code === c)) throw invalid(`categories.${i}`, 'enum', `categories.${i}: ${type.nameEn} has no category ${c}`);
  });
  return { courseId: null, typeId: type.id, categories, gates };
}

export async function createMatrixRequirement(ctx: Ctx, input: MatrixRequirementInput): Promise<MatrixRequirementView> {
  requirePermission(ctx.actor, P.configure);
  return ctx.db.tx(async (tx) => {
    await ensureTrainingDefaults(tx, ctx.actor.tenantId);
    const checked = await checkRequirementInput(tx, ctx.actor.tenantId, input);
    const now = ctx.now();
    const [row] = await tx
      .insert(positionRequirements)
      .values({ id: newId(), tenantId: ctx.actor.tenantId, positionId: input.positionId, kind: input.kind, ...checked, validMonths: input.kind === 'course' ? (input.validMonths ?? null) : null, note: input.note?.trim() || null, createdAt: now, updatedAt: now, updatedBy: ctx.actor.userId })
      .returning();
    const r = row!;
    await recordChange(
      tx,
      ctx,
      { action: 'training_matrix.created', entityType: 'training_matrix', entityId: r.id, after: { positionId: r.positionId, kind: r.kind, courseId: r.courseId, typeId: r.typeId, categories: r.categories, validMonths: r.validMonths, gates: r.gates } },
      { type: 'training_matrix.created', entityType: 'training_matrix', entityId: r.id, payload: { positionId: r.positionId } },
    );
    return (await requirementViews(tx, ctx.actor.tenantId, [r], ctx.locale))[0]!;
  });
}

export interface MatrixRequirementPatch {
  categories?: string[];
  validMonths?: number | null;
  gates?: string[];
  note?: string | null;
  active?: boolean;
}

export async function updateMatrixRequirement(ctx: Ctx, id: string, patch: MatrixRequirementPatch, version: number): Promise<MatrixRequirementView> {
  requirePermission(ctx.actor, P.configure);
  return ctx.db.tx(async (tx) => {
    const [before] = await tx
      .select()
      .from(positionRequirements)
      .where(and(eq(positionRequirements.tenantId, ctx.actor.tenantId), eq(positionRequirements.id, id)))
      .for('update');
    if (!before) throw notFound('matrix requirement');
    if (before.version !== version) throw new AppError('version_conflict', `the requirement is at version ${before.version}`, { extra: { currentVersion: before.version } });
    const checked = await checkRequirementInput(tx, ctx.actor.tenantId, {
      positionId: before.positionId,
      kind: before.kind,
      courseId: before.courseId,
      typeId: before.typeId,
      categories: patch.categories ?? before.categories,
      validMonths: before.kind === 'course' ? undefined : (patch.validMonths ?? null),
      gates: patch.gates ?? before.gates,
    });
    const [after] = await tx
      .update(positionRequirements)
      .set({
        categories: checked.categories,
        gates: checked.gates,
        ...(before.kind === 'course' && patch.validMonths !== undefined ? { validMonths: patch.validMonths } : {}),
        ...(patch.note !== undefined ? { note: patch.note?.trim() || null } : {}),
        ...(patch.active !== undefined ? { active: patch.active } : {}),
        version: before.version + 1,
        updatedAt: ctx.now(),
        updatedBy: ctx.actor.userId,
      })
      .where(and(eq(positionRequirements.id, id), eq(positionRequirements.version, before.version)))
      .returning();
    if (!after) throw new AppError('version_conflict', 'the requirement changed meanwhile');
    await recordChange(
      tx,
      ctx,
      { action: 'training_matrix.updated', entityType: 'training_matrix', entityId: id, before: { categories: before.categories, validMonths: before.validMonths, gates: before.gates, active: before.active }, after: { categories: after.categories, validMonths: after.validMonths, gates: after.gates, active: after.active } },
      { type: 'training_matrix.updated', entityType: 'training_matrix', entityId: id, payload: { positionId: after.positionId } },
    );
    return (await requirementViews(tx, ctx.actor.tenantId, [after], ctx.locale))[0]!;
  });
}

// ---- the matrix: people × requirements ----

export interface MatrixPersonRow {
  personId: string;
  name: string;
  employeeNo: string;
  orgUnitId: string | null;
  orgUnitName: string | null;
  positionId: string;
  positionName: string;
  cells: MatrixCell[];
  gaps: number;
}

export interface MatrixView {
  checkedOn: string;
  requirements: MatrixRequirementView[];
  people: MatrixPersonRow[];
  summary: { people: number; withGaps: number; gaps: number };
}

export interface MatrixQuery {
  departmentId?: string;
  positionId?: string;
  gapsOnly?: boolean;
}

/** Evaluated matrix for the active people in scope (in a department's subtree, of a position). */
export async function evaluateMatrix(tx: Tx, ctx: Ctx, query: MatrixQuery): Promise<MatrixView & { rows: PositionRequirementRow[] }> {
  const tenantId = ctx.actor.tenantId;
  const { timeZone } = await tenantZone(tx, tenantId);
  const today = dayIn(ctx.now(), timeZone);
  const allRows = await loadMatrixRows(tx, tenantId, query.positionId ? [query.positionId] : null);
  const positionIds = [...new Set(allRows.map((r) => r.positionId))];
  const where = [scopeWhere(ctx.actor, { tenantId: people.tenantId, orgUnitId: people.orgUnitId, owners: [people.id] }), eq(people.status, 'active'), positionIds.length ? inArray(people.positionId, positionIds) : sql`false`];
  if (query.departmentId) {
    const [unit] = await tx
      .select({ path: orgUnits.path })
      .from(orgUnits)
      .where(and(eq(orgUnits.tenantId, tenantId), eq(orgUnits.id, query.departmentId)));
    if (!unit) throw invalid('departmentId', 'exists', `departmentId: no unit ${query.departmentId}`);
    where.push(sql`${people.orgUnitId} IN (SELECT ${orgUnits.id} FROM ${orgUnits} WHERE ${orgUnits.tenantId} = ${tenantId} AND ${orgUnits.path} LIKE ${unit.path + '%'})`);
  }
  const persons = await tx
    .select({ id: people.id, name: people.name, employeeNo: people.employeeNo, orgUnitId: people.orgUnitId, positionId: people.positionId })
    .from(people)
    .where(and(...where))
    .orderBy(asc(people.employeeNo))
    .limit(20_000);
  const ids = persons.map((p) => p.id);
  const types = new Map((await loadTypes(tx, tenantId)).map((t) => [t.id, t]));
  const certs = await certificatesOf(tx, tenantId, ids);
  const days = await courseDaysOf(tx, tenantId, ids, timeZone);
  const names = await namesOf(
    tx,
    tenantId,
    persons.map((p) => p.orgUnitId),
    [],
  );
  const reqViews = await requirementViews(tx, tenantId, allRows, ctx.locale);
  const posName = new Map(reqViews.map((r) => [r.positionId, r.positionName]));
  const out: MatrixPersonRow[] = [];
  let gaps = 0;
  let withGaps = 0;
  for (const p of persons) {
    const facts = { certs: certs.get(p.id) ?? [], courseDays: days.get(p.id) ?? new Map<string, string>() };
    const cells = allRows.filter((r) => r.positionId === p.positionId).map((r) => evaluateCell(r, facts, types, today));
    const n = cells.filter((c) => isGap(c.state)).length;
    gaps += n;
    if (n > 0) withGaps++;
    if (query.gapsOnly && n === 0) continue;
    out.push({ personId: p.id, name: p.name, employeeNo: p.employeeNo, orgUnitId: p.orgUnitId, orgUnitName: p.orgUnitId ? (names.units.get(p.orgUnitId) ?? null) : null, positionId: p.positionId!, positionName: posName.get(p.positionId!) ?? '', cells, gaps: n });
  }
  return { checkedOn: today, requirements: reqViews, people: out, summary: { people: persons.length, withGaps, gaps }, rows: allRows };
}

/** `GET /api/v1/training/matrix`: the matrix page (training:read, narrowed by data scope). */
export async function trainingMatrix(ctx: Ctx, query: MatrixQuery): Promise<MatrixView> {
  requirePermission(ctx.actor, P.read);
  return ctx.db.read(async (tx) => {
    const { rows: _rows, ...view } = await evaluateMatrix(tx, ctx, query);
    return view;
  });
}

/** Every matrix row, inactive ones too (the configuration table). */
export async function listMatrixRequirements(ctx: Ctx): Promise<{ items: MatrixRequirementView[] }> {
  requirePermission(ctx.actor, P.read);
  return ctx.db.read(async (tx) => ({ items: await requirementViews(tx, ctx.actor.tenantId, await loadMatrixRows(tx, ctx.actor.tenantId, null, true), ctx.locale) }));
}

/** One person's requirements and gaps: their own always, anybody else's with training:read in scope. */
export async function personGaps(ctx: Ctx, personId: string): Promise<{ personId: string; checkedOn: string; items: (MatrixCell & { label: string; kind: MatrixKind })[] }> {
  const own = ctx.actor.personId === personId;
  if (!own) requirePermission(ctx.actor, P.read);
  return ctx.db.read(async (tx) => {
    const person = await loadPersonRow(tx, ctx.actor.tenantId, personId);
    if (!person) throw notFound('person');
    if (!own) await assertInScope(tx, ctx.actor, person, [person.id]);
    const { timeZone } = await tenantZone(tx, person.tenantId);
    const today = dayIn(ctx.now(), timeZone);
    const rows = person.positionId ? await loadMatrixRows(tx, person.tenantId, [person.positionId]) : [];
    const types = new Map((await loadTypes(tx, person.tenantId)).map((t) => [t.id, t]));
    const facts = { certs: (await certificatesOf(tx, person.tenantId, [person.id])).get(person.id) ?? [], courseDays: (await courseDaysOf(tx, person.tenantId, [person.id], timeZone)).get(person.id) ?? new Map<string, string>() };
    const views = await requirementViews(tx, person.tenantId, rows, ctx.locale);
    return { personId, checkedOn: today, items: rows.map((r, i) => ({ ...evaluateCell(r, facts, types, today), label: views[i]!.label, kind: r.kind })) };
  });
}
