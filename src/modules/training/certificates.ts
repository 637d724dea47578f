import { and, asc, eq, gt, gte, ilike, isNotNull, isNull, lt, lte, or, sql, type SQL } from 'drizzle-orm';
import { recordChange } from '../../platform/audit/record.ts';
import type { Actor, Ctx } from '../../platform/auth/actor.ts';
import { assertInScope, requirePermission, scopeWhere } from '../../platform/auth/scope.ts';
import type { Tx } from '../../platform/db/client.ts';
import { newId } from '../../platform/db/columns.ts';
import { files } from '../../platform/files/schema.ts';
import { AppError, invalid, notFound } from '../../platform/http/errors.ts';
import { decodeCursor, pageOf } from '../../platform/http/pagination.ts';
import { orgUnits, people } from '../../platform/org/schema.ts';
import { addDays, addMonths, dayIn, daysBetween, isDay, tenantZone } from '../../platform/org/calendar.ts';
import { categoryLabel, ensureTrainingDefaults, readTypes, typeName, type CertificateTypeRow } from './defaults.ts';
import { loadPersonRow, type PersonRow } from '../../platform/org/directory.ts';
import type { Locale } from './messages.ts';
import { trainingPermissions as P } from './permissions.ts';
import { refreshQualificationStates } from './qualification.ts';
import { armCertificateTimers, cancelCertificateTimers } from './reminders.ts';
import { certificates, certificateTypes } from './schema.ts';
import { certificateStatus, expiringWindow, type CertificateStatus } from './status.ts';

/** The certificate register (证书台账): record, correct, revoke (never delete), list and filter. */

export type CertificateRow = typeof certificates.$inferSelect;

export interface CertificateView {
  id: string;
  personId: string;
  personName: string;
  employeeNo: string;
  personKind: 'employee' | 'contractor';
  orgUnitId: string | null;
  orgUnitName: string | null;
  typeId: string;
  typeCode: string;
  typeName: string;
  category: string | null;
  categoryLabel: string | null;
  number: string;
  issuer: string;
  issuedOn: string;
  validUntil: string;
  nextReviewOn: string | null;
  scanFileId: string | null;
  notes: string | null;
  status: CertificateStatus;
  /** Days from today (tenant time zone) to the last valid day; negative once expired. */
  daysToExpiry: number;
  daysToReview: number | null;
  revokedAt: string | null;
  revokeReason: string | null;
  createdAt: string;
  updatedAt: string;
  version: number;
}

interface Joined {
  c: CertificateRow;
  personName: string;
  employeeNo: string;
  personKind: 'employee' | 'contractor';
  personUnitId: string | null;
  unitName: string | null;
}

function toView(r: Joined, type: CertificateTypeRow | undefined, today: string, locale: Locale): CertificateView {
  const c = r.c;
  return {
    id: c.id,
    personId: c.personId,
    personName: r.personName,
    employeeNo: r.employeeNo,
    personKind: r.personKind,
    orgUnitId: r.personUnitId,
    orgUnitName: r.unitName,
    typeId: c.typeId,
    typeCode: type?.code ?? '',
    typeName: typeName(type, locale),
    category: c.category,
    categoryLabel: categoryLabel(type, c.category, locale),
    number: c.number,
    issuer: c.issuer,
    issuedOn: c.issuedOn,
    validUntil: c.validUntil,
    nextReviewOn: c.nextReviewOn,
    scanFileId: c.scanFileId,
    notes: c.notes,
    status: certificateStatus(c, today, expiringWindow(type?.reminderDays ?? [])),
    daysToExpiry: daysBetween(today, c.validUntil),
    daysToReview: c.nextReviewOn ? daysBetween(today, c.nextReviewOn) : null,
    revokedAt: c.revokedAt?.toISOString() ?? null,
    revokeReason: c.revokeReason,
    createdAt: c.createdAt.toISOString(),
    updatedAt: c.updatedAt.toISOString(),
    version: c.version,
  };
}

/** Data scope by the holder's current unit; everyone sees their own certificates (self scope: owners). */
function certificateScope(actor: Actor): SQL {
  return scopeWhere(actor, { tenantId: certificates.tenantId, orgUnitId: people.orgUnitId, owners: [certificates.personId] });
}

function joinedQuery(tx: Tx) {
  return tx
    .select({ c: certificates, personName: people.name, employeeNo: people.employeeNo, personKind: people.kind, personUnitId: people.orgUnitId, unitName: orgUnits.name })
    .from(certificates)
    .innerJoin(people, eq(people.id, certificates.personId))
    .leftJoin(orgUnits, eq(orgUnits.id, people.orgUnitId));
}

async function today(tx: Tx, tenantId: string, now: Date): Promise<string> {
  return dayIn(now, (await tenantZone(tx, tenantId)).timeZone);
}

async function viewOf(tx: Tx, ctx: Ctx, id: string): Promise<CertificateView> {
  const [row] = await joinedQuery(tx).where(and(eq(certificates.id, id), eq(certificates.tenantId, ctx.actor.tenantId)));
  if (!row) throw notFound('certificate');
  const types = await readTypes(tx, ctx.actor.tenantId);
  return toView(row, types.find((t) => t.id === row.c.typeId), await today(tx, ctx.actor.tenantId, ctx.now()), ctx.locale);
}

// ---------------------------------------------------------------------------------------------------------
// Reads
// ---------------------------------------------------------------------------------------------------------

export interface ListCertificatesInput {
  typeId?: string;
  status?: CertificateStatus;
  /** Live certificates whose last valid day is within this many days from today (0 = today). */
  expiringWithinDays?: number;
  /** Holders in this org unit or below. */
  departmentId?: string;
  personId?: string;
  q?: string;
  limit: number;
  cursor?: string;
}

/** SQL form of `certificateStatus`, so the ledger filters by status in the database. */
function statusWhere(status: CertificateStatus, day: string): SQL {
  const d = sql`${day}::date`;
  const live = isNull(certificates.revokedAt);
  const notExpired = gte(certificates.validUntil, day);
  const reviewOk = or(isNull(certificates.nextReviewOn), gte(certificates.nextReviewOn, day)) as SQL;
  const soonest = sql`LEAST(${certificates.validUntil}, COALESCE(${certificates.nextReviewOn}, ${certificates.validUntil}))`;
  const windowEnd = sql`(${d} + (SELECT COALESCE(MAX(x), 0) FROM unnest(${certificateTypes.reminderDays}) AS x))`;
  switch (status) {
    case 'revoked':
      return isNotNull(certificates.revokedAt);
    case 'expired':
      return and(live, lt(certificates.validUntil, day)) as SQL;
    case 'review_due':
      return and(live, notExpired, lt(certificates.nextReviewOn, day)) as SQL;
    case 'expiring':
      return and(live, notExpired, reviewOk, sql`${soonest} <= ${windowEnd}`) as SQL;
    case 'valid':
      return and(live, notExpired, reviewOk, sql`${soonest} > ${windowEnd}`) as SQL;
  }
}

const likeEscape = (s: string) => s.replace(/[%_\\]/g, '\\$&');

export async function listCertificates(ctx: Ctx, input: ListCertificatesInput) {
  requirePermission(ctx.actor, P.read);
  const after = decodeCursor<{ v: string; id: string }>(input.cursor, { v: 'string', id: 'string' });
  if (after && (!isDay(after.v) || !/^[0-9a-f-]{36}$/i.test(after.id))) throw invalid('cursor', 'format', 'cursor: invalid');
  return ctx.db.read(async (tx) => {
    const tenantId = ctx.actor.tenantId;
    const day = await today(tx, tenantId, ctx.now());
    const conds: SQL[] = [certificateScope(ctx.actor)];
    if (input.typeId) conds.push(eq(certificates.typeId, input.typeId));
    if (input.personId) conds.push(eq(certificates.personId, input.personId));
    if (input.status) conds.push(statusWhere(input.status, day));
    if (input.expiringWithinDays !== undefined) {
      conds.push(isNull(certificates.revokedAt), gte(certificates.validUntil, day), lte(certificates.validUntil, addDays(day, input.expiringWithinDays)));
    }
    if (input.departmentId) {
      conds.push(
        sql`${people.orgUnitId} IN (SELECT u.id FROM ${orgUnits} u WHERE u.tenant_id = ${tenantId} AND u.path LIKE (SELECT p.path FROM ${orgUnits} p WHERE p.id = ${input.departmentId} AND p.tenant_id = ${tenantId}) || '%')`,
      );
    }
    if (input.q?.trim()) {
      const pattern = `%${likeEscape(input.q.trim())}%`;
      conds.push(or(ilike(certificates.number, pattern), ilike(people.name, pattern), ilike(people.employeeNo, pattern)) as SQL);
    }
    // Soonest expiry first: the ledger is read for what needs renewing next.
    if (after) conds.push(or(gt(certificates.validUntil, after.v), and(eq(certificates.validUntil, after.v), gt(certificates.id, after.id))) as SQL);
    const rows = await joinedQuery(tx)
      .innerJoin(certificateTypes, eq(certificateTypes.id, certificates.typeId))
      .where(and(...conds))
      .orderBy(asc(certificates.validUntil), asc(certificates.id))
      .limit(input.limit + 1);
    const types = new Map((await readTypes(tx, tenantId)).map((t) => [t.id, t]));
    const page = pageOf(rows, input.limit, (r) => ({ v: r.c.validUntil, id: r.c.id }));
    return { items: page.items.map((r) => toView(r, types.get(r.c.typeId), day, ctx.locale)), nextCursor: page.nextCursor };
  });
}

export async function getCertificate(ctx: Ctx, id: string): Promise<CertificateView> {
  requirePermission(ctx.actor, P.read);
  return ctx.db.read(async (tx) => {
    await loadCertificate(tx, ctx.actor, id);
    return viewOf(tx, ctx, id);
  });
}

/**
 * A person's certificates, revoked ones included (the file of a person keeps everything). Anyone may read
 * their own; others need training:read and the person in their data scope.
 */
export async function listPersonCertificates(ctx: Ctx, personId: string): Promise<{ items: CertificateView[] }> {
  const own = ctx.actor.personId === personId;
  if (!own) requirePermission(ctx.actor, P.read);
  return ctx.db.read(async (tx) => {
    const person = await loadPersonRow(tx, ctx.actor.tenantId, personId);
    if (!person) throw notFound('person');
    if (!own) await assertInScope(tx, ctx.actor, person, [person.id]);
    const rows = await joinedQuery(tx)
      .where(and(eq(certificates.tenantId, ctx.actor.tenantId), eq(certificates.personId, personId)))
      .orderBy(asc(certificates.validUntil), asc(certificates.id))
      .limit(500);
    const types = new Map((await readTypes(tx, ctx.actor.tenantId)).map((t) => [t.id, t]));
    const day = await today(tx, ctx.actor.tenantId, ctx.now());
    return { items: rows.map((r) => toView(r, types.get(r.c.typeId), day, ctx.locale)) };
  });
}

// ---------------------------------------------------------------------------------------------------------
// Writes
// ---------------------------------------------------------------------------------------------------------

export interface CertificateFields {
  category?: string | null;
  number?: string;
  issuer?: string;
  issuedOn?: string;
  validUntil?: string;
  nextReviewOn?: string | null;
  scanFileId?: string | null;
  notes?: string | null;
}

export interface CreateCertificateInput extends CertificateFields {
  personId: string;
  typeId: string;
  number: string;
  issuer: string;
  issuedOn: string;
}

/** Loads a certificate of the actor's tenant and scope (holder's unit; the holder themselves). */
async function loadCertificate(tx: Tx, actor: Actor, id: string, opts: { forUpdate?: boolean } = {}): Promise<{ c: CertificateRow; person: PersonRow }> {
  const q = tx
    .select()
    .from(certificates)
    .where(and(eq(certificates.id, id), eq(certificates.tenantId, actor.tenantId)));
  const [c] = opts.forUpdate ? await q.for('update') : await q;
  if (!c) throw notFound('certificate');
  const person = await loadPersonRow(tx, actor.tenantId, c.personId);
  if (!person) throw notFound('certificate');
  await assertInScope(tx, actor, person, [person.id]);
  return { c, person };
}

async function loadType(tx: Tx, tenantId: string, typeId: string): Promise<CertificateTypeRow> {
  await ensureTrainingDefaults(tx, tenantId);
  const [t] = await tx
    .select()
    .from(certificateTypes)
    .where(and(eq(certificateTypes.tenantId, tenantId), eq(certificateTypes.id, typeId)));
  if (!t) throw invalid('typeId', 'exists', `typeId: no certificate type ${typeId}`);
  return t;
}

interface Resolved {
  category: string | null;
  number: string;
  issuer: string;
  issuedOn: string;
  validUntil: string;
  nextReviewOn: string | null;
  scanFileId: string | null;
  notes: string | null;
}

/**
 * Checks the fields against the type and fills the dates the type implies: valid until = issue date +
 * validity − 1 day; next review = issue date + review interval − 1 day (30号令 Art. 21: every 3 years).
 */
async function resolveFields(tx: Tx, tenantId: string, type: CertificateTypeRow, f: Resolved & { validUntilGiven: boolean; reviewGiven: boolean }): Promise<Resolved> {
  for (const [field, value] of [['issuedOn', f.issuedOn], ['validUntil', f.validUntil], ['nextReviewOn', f.nextReviewOn]] as const) {
    if (value !== null && value !== '' && !isDay(value)) throw invalid(field, 'format', `${field}: a calendar day YYYY-MM-DD`);
  }
  if (type.categories.length > 0) {
    if (!f.category) throw invalid('category', 'required', `category: required for ${type.nameEn} (${type.categories.map((c) => c.code).join(', ')})`);
    if (!type.categories.some((c) => c.code === f.category)) throw invalid('category', 'enum', `category: one of ${type.categories.map((c) => c.code).join(', ')}`);
  } else if (f.category) {
    throw invalid('category', 'enum', `category: ${type.nameEn} has no categories`);
  }
  let validUntil = f.validUntil;
  if (!f.validUntilGiven) {
    if (type.validityMonths === null) throw invalid('validUntil', 'required', `validUntil: required for ${type.nameEn} (no default validity)`);
    validUntil = addDays(addMonths(f.issuedOn, type.validityMonths), -1);
  }
  if (validUntil < f.issuedOn) throw invalid('validUntil', 'minimum', `validUntil: must not be before issuedOn (${f.issuedOn})`);
  let nextReviewOn = f.nextReviewOn;
  if (!f.reviewGiven) {
    const implied = type.reviewIntervalMonths === null ? null : addDays(addMonths(f.issuedOn, type.reviewIntervalMonths), -1);
    nextReviewOn = implied && implied < validUntil ? implied : null;
  }
  if (nextReviewOn !== null && (nextReviewOn < f.issuedOn || nextReviewOn > validUntil)) {
    throw invalid('nextReviewOn', 'range', `nextReviewOn: between issuedOn (${f.issuedOn}) and validUntil (${validUntil})`);
  }
  if (f.scanFileId) {
    const [file] = await tx
      .select({ kind: files.kind })
      .from(files)
      .where(and(eq(files.tenantId, tenantId), eq(files.id, f.scanFileId)));
    if (!file) throw invalid('scanFileId', 'exists', `scanFileId: no uploaded file ${f.scanFileId}; upload it first (POST /api/v1/files)`);
    if (file.kind !== 'image' && file.kind !== 'pdf') throw invalid('scanFileId', 'kind', `scanFileId: expected an image or a PDF, got ${file.kind}`);
  }
  const number = f.number.trim();
  const issuer = f.issuer.trim();
  if (!number) throw invalid('number', 'minLength', 'number: required');
  if (!issuer) throw invalid('issuer', 'minLength', 'issuer: required');
  return { category: f.category, number, issuer, issuedOn: f.issuedOn, validUntil, nextReviewOn, scanFileId: f.scanFileId, notes: f.notes?.trim() || null };
}

async function assertNumberFree(tx: Tx, tenantId: string, typeId: string, number: string, exceptId: string | null): Promise<void> {
  const [other] = await tx
    .select({ id: certificates.id })
    .from(certificates)
    .where(and(eq(certificates.tenantId, tenantId), eq(certificates.typeId, typeId), eq(certificates.number, number), isNull(certificates.revokedAt)));
  if (other && other.id !== exceptId) throw new AppError('already_exists', `a live certificate of this type already has number ${number}`, { extra: { certificateId: other.id } });
}

function auditView(c: CertificateRow): Record<string, unknown> {
  return {
    personId: c.personId,
    typeId: c.typeId,
    category: c.category,
    number: c.number,
    issuer: c.issuer,
    issuedOn: c.issuedOn,
    validUntil: c.validUntil,
    nextReviewOn: c.nextReviewOn,
    scanFileId: c.scanFileId,
    revokedAt: c.revokedAt,
    revokeReason: c.revokeReason,
    version: c.version,
  };
}

async function record(tx: Tx, ctx: Ctx, what: 'created' | 'updated' | 'revoked', before: CertificateRow | null, after: CertificateRow): Promise<void> {
  await recordChange(
    tx,
    ctx,
    { action: `certificate.${what}`, entityType: 'certificate', entityId: after.id, before: before ? auditView(before) : null, after: auditView(after) },
    { type: `certificate.${what}`, entityType: 'certificate', entityId: after.id, payload: { certificateId: after.id, personId: after.personId, typeId: after.typeId, category: after.category, validUntil: after.validUntil } },
  );
}

export async function createCertificate(ctx: Ctx, input: CreateCertificateInput): Promise<CertificateView> {
  requirePermission(ctx.actor, P.write);
  return ctx.db.tx(async (tx) => {
    const tenantId = ctx.actor.tenantId;
    const person = await loadPersonRow(tx, tenantId, input.personId);
    if (!person) throw notFound('person');
    await assertInScope(tx, ctx.actor, person);
    const type = await loadType(tx, tenantId, input.typeId);
    const f = await resolveFields(tx, tenantId, type, {
      category: input.category ?? null,
      number: input.number,
      issuer: input.issuer,
      issuedOn: input.issuedOn,
      validUntil: input.validUntil ?? '',
      nextReviewOn: input.nextReviewOn ?? null,
      scanFileId: input.scanFileId ?? null,
      notes: input.notes ?? null,
      validUntilGiven: input.validUntil !== undefined,
      reviewGiven: input.nextReviewOn !== undefined,
    });
    await assertNumberFree(tx, tenantId, type.id, f.number, null);
    const now = ctx.now();
    const [row] = await tx
      .insert(certificates)
      .values({ id: newId(), tenantId, orgUnitId: person.orgUnitId, personId: person.id, typeId: type.id, ...f, createdAt: now, createdBy: ctx.actor.userId, updatedAt: now, updatedBy: ctx.actor.userId })
      .returning();
    const created = row!;
    await armCertificateTimers(tx, created, type, null, now);
    await record(tx, ctx, 'created', null, created);
    await refreshQualificationStates(tx, ctx, person.id);
    return viewOf(tx, ctx, created.id);
  });
}

export async function updateCertificate(ctx: Ctx, id: string, patch: CertificateFields, version: number): Promise<CertificateView> {
  requirePermission(ctx.actor, P.write);
  return ctx.db.tx(async (tx) => {
    const tenantId = ctx.actor.tenantId;
    const { c: before, person } = await loadCertificate(tx, ctx.actor, id, { forUpdate: true });
    if (before.version !== version) throw versionConflict(before.version);
    if (before.revokedAt) throw new AppError('conflict', 'a revoked certificate cannot be edited; record a new one', { extra: { certificateStatus: 'revoked' } });
    const type = await loadType(tx, tenantId, before.typeId);
    const has = <K extends keyof CertificateFields>(k: K) => Object.prototype.hasOwnProperty.call(patch, k) && patch[k] !== undefined;
    const issuedOn = patch.issuedOn ?? before.issuedOn;
    const f = await resolveFields(tx, tenantId, type, {
      category: has('category') ? (patch.category ?? null) : before.category,
      number: patch.number ?? before.number,
      issuer: patch.issuer ?? before.issuer,
      issuedOn,
      validUntil: patch.validUntil ?? before.validUntil,
      nextReviewOn: has('nextReviewOn') ? (patch.nextReviewOn ?? null) : before.nextReviewOn,
      scanFileId: has('scanFileId') ? (patch.scanFileId ?? null) : before.scanFileId,
      notes: has('notes') ? (patch.notes ?? null) : before.notes,
      // Dates the client did not send are kept as they are (an edit never silently recomputes them).
      validUntilGiven: true,
      reviewGiven: true,
    });
    await assertNumberFree(tx, tenantId, type.id, f.number, before.id);
    const now = ctx.now();
    const [after] = await tx
      .update(certificates)
      .set({ ...f, orgUnitId: person.orgUnitId, version: before.version + 1, updatedAt: now, updatedBy: ctx.actor.userId })
      .where(and(eq(certificates.id, id), eq(certificates.version, before.version)))
      .returning();
    if (!after) throw versionConflict(before.version);
    await armCertificateTimers(tx, after, type, before, now);
    await record(tx, ctx, 'updated', before, after);
    await refreshQualificationStates(tx, ctx, person.id);
    return viewOf(tx, ctx, id);
  });
}

/** Withdraws a certificate with a reason; it stays in the register (and the person's file) as revoked. */
export async function revokeCertificate(ctx: Ctx, id: string, input: { reason: string }, version: number): Promise<CertificateView> {
  requirePermission(ctx.actor, P.write);
  const reason = input.reason.trim();
  if (!reason) throw invalid('reason', 'required', 'reason: required to revoke a certificate');
  return ctx.db.tx(async (tx) => {
    const { c: before, person } = await loadCertificate(tx, ctx.actor, id, { forUpdate: true });
    if (before.version !== version) throw versionConflict(before.version);
    if (before.revokedAt) throw new AppError('conflict', 'the certificate is already revoked', { extra: { certificateStatus: 'revoked' } });
    const now = ctx.now();
    const [after] = await tx
      .update(certificates)
      .set({ revokedAt: now, revokedBy: ctx.actor.userId, revokeReason: reason, version: before.version + 1, updatedAt: now, updatedBy: ctx.actor.userId })
      .where(and(eq(certificates.id, id), eq(certificates.version, before.version)))
      .returning();
    if (!after) throw versionConflict(before.version);
    await cancelCertificateTimers(tx, id, now);
    await record(tx, ctx, 'revoked', before, after);
    await refreshQualificationStates(tx, ctx, person.id);
    return viewOf(tx, ctx, id);
  });
}

function versionConflict(current: number): AppError {
  return new AppError('version_conflict', `the certificate is at version ${current}; reload and try again`, { extra: { currentVersion: current } });
}
