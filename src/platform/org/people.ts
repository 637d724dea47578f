import { and, asc, eq, ilike, inArray, isNull, ne, or, sql, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import { recordChange } from '../audit/record.ts';
import type { Actor, Ctx } from '../auth/actor.ts';
import { sessions, users } from '../auth/schema.ts';
import { assertInScope, pathInScope, requirePermission, scopeWhere } from '../auth/scope.ts';
import { clearActorCache } from '../auth/service.ts';
import type { Tx } from '../db/client.ts';
import { newId } from '../db/columns.ts';
import { AppError, type FieldError } from '../http/errors.ts';
import { decodeCursor, pageOf } from '../http/pagination.ts';
import { loadOrgUnit } from './orgUnits.ts';
import { loadPosition } from './positions.ts';
import { orgUnits, people, positions, type PersonKind } from './schema.ts';
import { alreadyExists, changedKeys, containsPattern, mapUniqueViolation, pick, versionConflict } from './sqlHelpers.ts';

export type Gender = 'male' | 'female' | 'other';
export type PersonStatus = 'active' | 'left';

export interface PersonView {
  id: string;
  kind: PersonKind;
  employeeNo: string;
  name: string;
  phone: string | null;
  email: string | null;
  gender: Gender | null;
  orgUnitId: string | null;
  orgUnitName: string | null;
  orgUnitCode: string | null;
  positionId: string | null;
  positionName: string | null;
  contractorUnitId: string | null;
  contractorUnitName: string | null;
  contractorUnitCode: string | null;
  hireDate: string | null;
  status: PersonStatus;
  userId: string | null;
  username: string | null;
  version: number;
}

type PersonRow = typeof people.$inferSelect;

/** Mainland China mobile numbers: 11 digits, 13x–19x. */
export const MOBILE_PATTERN = /^1[3-9]\d{9}$/;
const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const EMPLOYEE_NO_PATTERN = /^\S{1,50}$/;

/** Spaces, dashes and a +86 / 0086 prefix are how people write numbers; none of them is part of the number. */
export function normalizePhone(raw: string | null | undefined): string | null {
  if (raw === null || raw === undefined) return null;
  const s = raw.replace(/[\s-]/g, '').replace(/^(\+86|0086)/, '');
  return s === '' ? null : s;
}

/** A real calendar date written YYYY-MM-DD (2023-02-30 is refused). */
export function isIsoDate(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

export interface PersonFields {
  employeeNo: string;
  name: string;
  phone: string | null;
  email: string | null;
  hireDate: string | null;
}

/** Field rules shared by the API and the Excel import, so both refuse the same things with the same words. */
export function personFieldProblems(f: PersonFields): FieldError[] {
  const out: FieldError[] = [];
  const add = (field: string, rule: string, message: string) => out.push({ field, rule, message: `${field}: ${message}` });
  if (!EMPLOYEE_NO_PATTERN.test(f.employeeNo)) add('employeeNo', 'pattern', 'required, at most 50 characters, no spaces');
  if (f.name.trim() === '' || f.name.length > 100) add('name', 'length', 'required, at most 100 characters');
  if (f.phone !== null && !MOBILE_PATTERN.test(f.phone)) add('phone', 'pattern', 'a mainland mobile number (11 digits, 13x–19x) or empty');
  if (f.email !== null && (f.email.length > 200 || !EMAIL_PATTERN.test(f.email))) add('email', 'format', 'not a valid e-mail address');
  if (f.hireDate !== null && !isIsoDate(f.hireDate)) add('hireDate', 'format', 'a date written YYYY-MM-DD');
  return out;
}

const contractorUnits = alias(orgUnits, 'contractor_units');

const personColumns = {
  p: people,
  orgUnitName: orgUnits.name,
  orgUnitCode: orgUnits.code,
  positionName: positions.name,
  contractorUnitName: contractorUnits.name,
  contractorUnitCode: contractorUnits.code,
  userId: users.id,
  username: users.username,
};

function selectPeople(tx: Tx) {
  return tx
    .select(personColumns)
    .from(people)
    .leftJoin(orgUnits, eq(orgUnits.id, people.orgUnitId))
    .leftJoin(positions, eq(positions.id, people.positionId))
    .leftJoin(contractorUnits, eq(contractorUnits.id, people.contractorUnitId))
    .leftJoin(users, eq(users.personId, people.id));
}

type JoinedRow = { p: PersonRow; orgUnitName: string | null; orgUnitCode: string | null; positionName: string | null; contractorUnitName: string | null; contractorUnitCode: string | null; userId: string | null; username: string | null };

function toView(r: JoinedRow): PersonView {
  const p = r.p;
  return {
    id: p.id,
    kind: p.kind,
    employeeNo: p.employeeNo,
    name: p.name,
    phone: p.phone,
    email: p.email,
    gender: p.gender,
    orgUnitId: p.orgUnitId,
    orgUnitName: r.orgUnitName,
    orgUnitCode: r.orgUnitCode,
    positionId: p.positionId,
    positionName: r.positionName,
    contractorUnitId: p.contractorUnitId,
    contractorUnitName: r.contractorUnitName,
    contractorUnitCode: r.contractorUnitCode,
    hireDate: p.hireDate,
    status: p.status,
    userId: r.userId,
    username: r.username,
    version: p.version,
  };
}

export interface PeopleFilter {
  q?: string;
  orgUnitId?: string;
  contractorUnitId?: string;
  kind?: PersonKind;
  status?: PersonStatus;
}

/** The `where` for lists and exports: tenant + data scope (a person always sees themself) + filters. */
export function peopleWhere(actor: Actor, f: PeopleFilter): SQL[] {
  const conds: SQL[] = [scopeWhere(actor, { tenantId: people.tenantId, orgUnitId: people.orgUnitId, owners: [people.id] })];
  if (f.q?.trim()) {
    const pattern = containsPattern(f.q.trim());
    conds.push(or(ilike(people.name, pattern), ilike(people.employeeNo, pattern), ilike(people.phone, pattern)) as SQL);
  }
  const subtree = (unitId: string) =>
    sql`IN (SELECT c.id FROM org_units c JOIN org_units r ON c.tenant_id = r.tenant_id AND c.path LIKE r.path || '%' WHERE r.id = ${unitId} AND r.tenant_id = ${actor.tenantId})`;
  if (f.orgUnitId) conds.push(sql`${people.orgUnitId} ${subtree(f.orgUnitId)}`);
  if (f.contractorUnitId) conds.push(sql`${people.contractorUnitId} ${subtree(f.contractorUnitId)}`);
  if (f.kind) conds.push(eq(people.kind, f.kind));
  if (f.status) conds.push(eq(people.status, f.status));
  return conds;
}

export async function listPeople(ctx: Ctx, input: PeopleFilter & { limit: number; cursor?: string }) {
  requirePermission(ctx.actor, 'people:read');
  const conds = peopleWhere(ctx.actor, input);
  const cur = decodeCursor<{ no: string; id: string }>(input.cursor, { no: 'string', id: 'string' });
  if (cur) {
    if (!/^[0-9a-f-]{36}$/i.test(cur.id)) throw new AppError('validation_failed', 'cursor: invalid', { errors: [{ field: 'cursor', rule: 'format', message: 'cursor: invalid' }] });
    conds.push(sql`(${people.employeeNo}, ${people.id}) > (${cur.no}, ${cur.id}::uuid)`);
  }
  const rows = await ctx.db.read((tx) =>
    selectPeople(tx)
      .where(and(...conds))
      .orderBy(asc(people.employeeNo), asc(people.id))
      .limit(input.limit + 1),
  );
  return pageOf(rows.map(toView), input.limit, (v) => ({ no: v.employeeNo, id: v.id }));
}

/** Every matching person (exports); capped so an export cannot exhaust memory. */
export async function listAllPeople(ctx: Ctx, filter: PeopleFilter, max: number): Promise<PersonView[]> {
  requirePermission(ctx.actor, 'people:read');
  const rows = await ctx.db.read((tx) =>
    selectPeople(tx)
      .where(and(...peopleWhere(ctx.actor, filter)))
      .orderBy(asc(people.employeeNo), asc(people.id))
      .limit(max + 1),
  );
  if (rows.length > max) throw new AppError('payload_too_large', `more than ${max} people match; narrow the filter`);
  return rows.map(toView);
}

async function viewOf(tx: Tx, tenantId: string, id: string): Promise<PersonView> {
  const [r] = await selectPeople(tx).where(and(eq(people.id, id), eq(people.tenantId, tenantId)));
  if (!r) throw new AppError('not_found', 'person not found');
  return toView(r);
}

async function loadPerson(tx: Tx, tenantId: string, id: string): Promise<PersonRow> {
  const [p] = await tx.select().from(people).where(and(eq(people.id, id), eq(people.tenantId, tenantId)));
  if (!p) throw new AppError('not_found', 'person not found');
  return p;
}

export async function getPerson(ctx: Ctx, id: string): Promise<PersonView> {
  requirePermission(ctx.actor, 'people:read');
  return ctx.db.read(async (tx) => {
    const p = await loadPerson(tx, ctx.actor.tenantId, id);
    await assertInScope(tx, ctx.actor, p, [p.id]);
    return viewOf(tx, ctx.actor.tenantId, id);
  });
}

function invalidAll(errors: FieldError[]): AppError {
  return new AppError('validation_failed', errors.map((e) => e.message).join('; '), { errors });
}

/**
 * Where a person sits. A contractor worker belongs to a contractor company (an org unit of kind
 * contractor) and is placed there unless put in a workshop where they work; an employee is never placed
 * in a contractor unit. Only changed references are re-checked, so editing the phone of someone in a
 * unit that has since been closed still works.
 */
async function resolvePlacement(
  tx: Tx,
  a: Actor,
  p: { kind: PersonKind; orgUnitId: string | null; contractorUnitId: string | null },
  changed: { orgUnit: boolean; contractorUnit: boolean },
): Promise<{ orgUnitId: string; contractorUnitId: string | null }> {
  let orgUnitId = p.orgUnitId;
  if (p.kind === 'contractor') {
    if (!p.contractorUnitId) throw invalidAll([{ field: 'contractorUnitId', rule: 'required', message: 'contractorUnitId: required for a contractor worker' }]);
    const cu = await loadOrgUnit(tx, a.tenantId, p.contractorUnitId, 'contractorUnitId');
    if (cu.kind !== 'contractor') throw invalidAll([{ field: 'contractorUnitId', rule: 'kind', message: 'contractorUnitId: must be an org unit of kind contractor' }]);
    if (changed.contractorUnit && !cu.active) throw invalidAll([{ field: 'contractorUnitId', rule: 'active', message: 'contractorUnitId: the contractor unit is deactivated' }]);
    orgUnitId ??= cu.id;
  } else if (p.contractorUnitId) {
    throw invalidAll([{ field: 'contractorUnitId', rule: 'employee', message: 'contractorUnitId: only contractor workers belong to a contractor unit' }]);
  }
  if (!orgUnitId) throw invalidAll([{ field: 'orgUnitId', rule: 'required', message: 'orgUnitId: required for an employee' }]);
  const unit = await loadOrgUnit(tx, a.tenantId, orgUnitId, 'orgUnitId');
  if (p.kind === 'employee' && unit.kind === 'contractor') {
    throw invalidAll([{ field: 'orgUnitId', rule: 'kind', message: 'orgUnitId: an employee cannot be placed in a contractor unit' }]);
  }
  if (changed.orgUnit) {
    if (!unit.active) throw invalidAll([{ field: 'orgUnitId', rule: 'active', message: 'orgUnitId: the unit is deactivated' }]);
    if (!pathInScope(a, unit.path)) throw new AppError('out_of_scope', 'orgUnitId: the unit is outside your data scope');
  }
  return { orgUnitId, contractorUnitId: p.kind === 'contractor' ? p.contractorUnitId : null };
}

async function assertEmployeeNoFree(tx: Tx, tenantId: string, employeeNo: string, exceptId?: string): Promise<void> {
  const [dupe] = await tx
    .select({ id: people.id })
    .from(people)
    .where(and(eq(people.tenantId, tenantId), eq(people.employeeNo, employeeNo), exceptId ? ne(people.id, exceptId) : undefined));
  if (dupe) throw alreadyExists('employeeNo', `employeeNo: ${employeeNo} is already used by another person`);
}

async function assertPosition(tx: Tx, tenantId: string, positionId: string | null | undefined): Promise<void> {
  if (!positionId) return;
  const pos = await loadPosition(tx, tenantId, positionId, 'positionId');
  if (!pos.active) throw invalidAll([{ field: 'positionId', rule: 'active', message: 'positionId: the position is deactivated' }]);
}

export interface CreatePersonInput {
  kind: PersonKind;
  employeeNo: string;
  name: string;
  phone?: string | null;
  email?: string | null;
  gender?: Gender | null;
  orgUnitId?: string | null;
  positionId?: string | null;
  contractorUnitId?: string | null;
  hireDate?: string | null;
}

export async function createPerson(ctx: Ctx, input: CreatePersonInput): Promise<PersonView> {
  const a = ctx.actor;
  const fields: PersonFields = {
    employeeNo: input.employeeNo.trim(),
    name: input.name.trim(),
    phone: normalizePhone(input.phone),
    email: input.email?.trim() || null,
    hireDate: input.hireDate || null,
  };
  return ctx.db.tx(async (tx) => {
    requirePermission(a, 'people:write');
    const problems = personFieldProblems(fields);
    if (problems.length) throw invalidAll(problems);
    const placement = await resolvePlacement(
      tx,
      a,
      { kind: input.kind, orgUnitId: input.orgUnitId ?? null, contractorUnitId: input.contractorUnitId ?? null },
      { orgUnit: true, contractorUnit: true },
    );
    await assertPosition(tx, a.tenantId, input.positionId);
    await assertEmployeeNoFree(tx, a.tenantId, fields.employeeNo);
    const id = newId();
    const now = ctx.now();
    const row = {
      id,
      tenantId: a.tenantId,
      kind: input.kind,
      ...fields,
      gender: input.gender ?? null,
      positionId: input.positionId ?? null,
      ...placement,
      createdAt: now,
      createdBy: a.userId,
      updatedAt: now,
      updatedBy: a.userId,
    };
    await mapUniqueViolation(() => tx.insert(people).values(row), 'employeeNo', `employeeNo: ${fields.employeeNo} is already used by another person`);
    await recordChange(
      tx,
      ctx,
      {
        action: 'person.created',
        entityType: 'person',
        entityId: id,
        after: pick(row, ['kind', 'employeeNo', 'name', 'phone', 'email', 'gender', 'orgUnitId', 'positionId', 'contractorUnitId', 'hireDate']),
      },
      { type: 'person.created', entityType: 'person', entityId: id, payload: { kind: input.kind, orgUnitId: placement.orgUnitId, positionId: row.positionId } },
    );
    return viewOf(tx, a.tenantId, id);
  });
}

export interface UpdatePersonInput extends Partial<CreatePersonInput> {
  id: string;
  version: number;
  status?: PersonStatus;
}

/**
 * Edits a person. Leaving (status `left`) keeps the record, as regulations want the training and
 * permit history of former staff, and disables their login at once (sessions revoked).
 */
export async function updatePerson(ctx: Ctx, input: UpdatePersonInput): Promise<PersonView> {
  const a = ctx.actor;
  let loginsChanged = false;
  const view = await ctx.db.tx(async (tx) => {
    requirePermission(a, 'people:write');
    const p = await loadPerson(tx, a.tenantId, input.id);
    await assertInScope(tx, a, p, [p.id]);
    if (p.version !== input.version) throw versionConflict(p.version);

    const patch: Partial<PersonRow> = {};
    if (input.kind !== undefined) patch.kind = input.kind;
    if (input.employeeNo !== undefined) patch.employeeNo = input.employeeNo.trim();
    if (input.name !== undefined) patch.name = input.name.trim();
    if (input.phone !== undefined) patch.phone = normalizePhone(input.phone);
    if (input.email !== undefined) patch.email = input.email?.trim() || null;
    if (input.gender !== undefined) patch.gender = input.gender;
    if (input.hireDate !== undefined) patch.hireDate = input.hireDate || null;
    if (input.positionId !== undefined) patch.positionId = input.positionId;
    if (input.status !== undefined) patch.status = input.status;
    const merged = { ...p, ...patch };
    const problems = personFieldProblems(merged);
    if (problems.length) throw invalidAll(problems);

    // A kind change re-decides placement: a worker who becomes an employee leaves the contractor unit.
    const wantsUnit = input.orgUnitId !== undefined ? input.orgUnitId : p.orgUnitId;
    const wantsContractor = input.contractorUnitId !== undefined ? input.contractorUnitId : merged.kind === 'employee' ? null : p.contractorUnitId;
    const rejoining = p.status === 'left' && merged.status === 'active';
    const placement = await resolvePlacement(
      tx,
      a,
      { kind: merged.kind, orgUnitId: wantsUnit, contractorUnitId: wantsContractor },
      { orgUnit: wantsUnit !== p.orgUnitId || rejoining, contractorUnit: wantsContractor !== p.contractorUnitId || rejoining },
    );
    patch.orgUnitId = placement.orgUnitId;
    patch.contractorUnitId = placement.contractorUnitId;
    if (patch.positionId !== undefined && patch.positionId !== p.positionId) await assertPosition(tx, a.tenantId, patch.positionId);
    if (patch.employeeNo !== undefined && patch.employeeNo !== p.employeeNo) await assertEmployeeNoFree(tx, a.tenantId, patch.employeeNo, p.id);

    const keys = changedKeys(p, patch);
    if (keys.length === 0) return viewOf(tx, a.tenantId, p.id);
    const now = ctx.now();
    if (patch.status === 'left' && p.status !== 'left' && a.personId === p.id) {
      throw new AppError('conflict', 'status: you cannot mark yourself as left');
    }
    const updated = await mapUniqueViolation(
      () =>
        tx
          .update(people)
          .set({ ...patch, version: p.version + 1, updatedAt: now, updatedBy: a.userId })
          .where(and(eq(people.id, p.id), eq(people.version, input.version)))
          .returning({ id: people.id }),
      'employeeNo',
      `employeeNo: ${patch.employeeNo ?? ''} is already used by another person`,
    );
    if (updated.length === 0) throw versionConflict(p.version + 1);

    let disabledUserIds: string[] = [];
    if (patch.status === 'left' && p.status !== 'left') {
      const disabled = await tx
        .update(users)
        .set({ status: 'disabled', version: sql`${users.version} + 1`, updatedAt: now, updatedBy: a.userId })
        .where(and(eq(users.tenantId, a.tenantId), eq(users.personId, p.id), eq(users.status, 'active')))
        .returning({ id: users.id });
      disabledUserIds = disabled.map((u) => u.id);
      if (disabledUserIds.length) {
        await tx.update(sessions).set({ revokedAt: now }).where(and(inArray(sessions.userId, disabledUserIds), isNull(sessions.revokedAt)));
      }
    }
    if (patch.orgUnitId !== p.orgUnitId) {
      // The login's unit follows the person: data scope is anchored there.
      await tx.update(users).set({ orgUnitId: patch.orgUnitId, updatedAt: now }).where(and(eq(users.tenantId, a.tenantId), eq(users.personId, p.id)));
    }
    loginsChanged = disabledUserIds.length > 0 || patch.orgUnitId !== p.orgUnitId;

    const action = patch.status === 'left' && p.status !== 'left' ? 'person.left' : rejoining ? 'person.rejoined' : 'person.updated';
    await recordChange(
      tx,
      ctx,
      {
        action,
        entityType: 'person',
        entityId: p.id,
        before: pick(p, keys),
        after: { ...pick({ ...p, ...patch }, keys), ...(disabledUserIds.length ? { disabledUserIds } : {}) },
      },
      { type: action, entityType: 'person', entityId: p.id, payload: { changed: keys, orgUnitId: patch.orgUnitId } },
    );
    return viewOf(tx, a.tenantId, p.id);
  });
  if (loginsChanged) clearActorCache();
  return view;
}
