import { and, asc, eq, gt, ilike, lt, lte, or, sql, type SQL } from 'drizzle-orm';
import type { Actor, Ctx } from '../../platform/auth/actor.ts';
import { pathInScope, requirePermission, scopeWhere } from '../../platform/auth/scope.ts';
import type { Tx } from '../../platform/db/client.ts';
import { newId } from '../../platform/db/columns.ts';
import { AppError, invalid } from '../../platform/http/errors.ts';
import { decodeCursor, pageOf } from '../../platform/http/pagination.ts';
import { orgUnits } from '../../platform/org/schema.ts';
import { alreadyExists, containsPattern, isUniqueViolation } from '../../platform/org/sqlHelpers.ts';
import { addDays, addMonths, dayIn, daysBetween, isDay, tenantZone } from '../../platform/org/calendar.ts';
import { DEFAULT_REMINDER_DAYS, ensureEquipmentDefaults, kindName, loadKinds, type EquipmentKindRow } from './defaults.ts';
import { activePerson, activeUnit, namesOf } from '../../platform/org/directory.ts';
import { equipmentPermissions as P } from './permissions.ts';
import { armInspectionReminders, cancelInspectionReminders } from './reminders.ts';
import { checkRiskUnitLinks } from './riskLinks.ts';
import { equipment, equipmentSettings, type EquipmentStatus } from './schema.ts';
import { loadEquipment, recordEquipment, versionConflict, type EquipmentRow } from './store.ts';

/**
 * The equipment register (设备台账): record, edit, stop or scrap (never delete), list and filter. Special
 * equipment carries its registration number and the statutory inspection dates the reminders count to.
 * Linked risk units must be active risk units of the company (checked through the risks module's service).
 */

export type DueState = 'none' | 'ok' | 'due_soon' | 'overdue';

export interface EquipmentView {
  id: string;
  code: string;
  name: string;
  kind: string;
  kindName: string;
  model: string | null;
  manufacturer: string | null;
  location: string | null;
  special: boolean;
  registrationNo: string | null;
  lastInspectedOn: string | null;
  inspectionIntervalMonths: number | null;
  nextInspectionDue: string | null;
  /** Days from today (tenant time zone) to the due day; negative once overdue. */
  daysToDue: number | null;
  dueState: DueState;
  orgUnitId: string | null;
  orgUnitName: string | null;
  responsiblePersonId: string | null;
  responsiblePersonName: string | null;
  riskUnitIds: string[];
  status: EquipmentStatus;
  statusReason: string | null;
  statusChangedAt: string | null;
  notes: string | null;
  createdAt: string;
  updatedAt: string;
  version: number;
}

interface ViewContext {
  today: string;
  /** The largest reminder threshold: "due soon" from then on (the ledger colours what reminders announce). */
  soonDays: number;
  kinds: Map<string, EquipmentKindRow>;
  units: Map<string, string>;
  people: Map<string, string>;
  locale: 'zh-CN' | 'en';
}

export function dueStateOf(e: Pick<EquipmentRow, 'nextInspectionDue' | 'status'>, today: string, soonDays: number): DueState {
  if (!e.nextInspectionDue || e.status !== 'in_service') return 'none';
  const left = daysBetween(today, e.nextInspectionDue);
  if (left < 0) return 'overdue';
  return left <= soonDays ? 'due_soon' : 'ok';
}

function toView(e: EquipmentRow, v: ViewContext): EquipmentView {
  return {
    id: e.id,
    code: e.code,
    name: e.name,
    kind: e.kind,
    kindName: kindName(v.kinds.get(e.kind), v.locale, e.kind),
    model: e.model,
    manufacturer: e.manufacturer,
    location: e.location,
    special: e.special,
    registrationNo: e.registrationNo,
    lastInspectedOn: e.lastInspectedOn,
    inspectionIntervalMonths: e.inspectionIntervalMonths,
    nextInspectionDue: e.nextInspectionDue,
    daysToDue: e.nextInspectionDue ? daysBetween(v.today, e.nextInspectionDue) : null,
    dueState: dueStateOf(e, v.today, v.soonDays),
    orgUnitId: e.orgUnitId,
    orgUnitName: e.orgUnitId ? (v.units.get(e.orgUnitId) ?? null) : null,
    responsiblePersonId: e.responsiblePersonId,
    responsiblePersonName: e.responsiblePersonId ? (v.people.get(e.responsiblePersonId) ?? null) : null,
    riskUnitIds: e.riskUnitIds,
    status: e.status,
    statusReason: e.statusReason,
    statusChangedAt: e.statusChangedAt?.toISOString() ?? null,
    notes: e.notes,
    createdAt: e.createdAt.toISOString(),
    updatedAt: e.updatedAt.toISOString(),
    version: e.version,
  };
}

/** Everything a view needs besides the rows, in a handful of queries for a whole page. */
export async function viewsOf(tx: Tx, ctx: Ctx, rows: EquipmentRow[]): Promise<EquipmentView[]> {
  const tenantId = ctx.actor.tenantId;
  const { timeZone } = await tenantZone(tx, tenantId);
  const [settings] = await tx.select({ reminderDays: equipmentSettings.reminderDays }).from(equipmentSettings).where(eq(equipmentSettings.tenantId, tenantId));
  const days = settings?.reminderDays ?? DEFAULT_REMINDER_DAYS;
  const kinds = new Map((await loadKinds(tx, tenantId)).map((k) => [k.code, k]));
  const names = await namesOf(
    tx,
    tenantId,
    rows.map((r) => r.orgUnitId),
    rows.map((r) => r.responsiblePersonId),
  );
  const v: ViewContext = { today: dayIn(ctx.now(), timeZone), soonDays: Math.max(0, ...days), kinds, units: names.units, people: names.people, locale: ctx.locale };
  return rows.map((r) => toView(r, v));
}

async function viewOf(tx: Tx, ctx: Ctx, row: EquipmentRow): Promise<EquipmentView> {
  const [v] = await viewsOf(tx, ctx, [row]);
  return v!;
}

// ---------------------------------------------------------------------------------------------------------
// Reads
// ---------------------------------------------------------------------------------------------------------

export interface EquipmentFilter {
  kind?: string;
  special?: boolean;
  status?: EquipmentStatus;
  /** In service with the next statutory inspection due within this many days from today, overdue included. */
  dueWithinDays?: number;
  /** In service and past the due day. */
  overdue?: boolean;
  /** Responsible unit, or any unit below it. */
  orgUnitId?: string;
  q?: string;
}

function equipmentScope(actor: Actor): SQL {
  return scopeWhere(actor, { tenantId: equipment.tenantId, orgUnitId: equipment.orgUnitId, owners: [equipment.responsiblePersonId] });
}

/** Soonest due first, equipment without a due date last: the ledger is read for what to book next. */
const dueKey = sql<string>`COALESCE(${equipment.nextInspectionDue}, DATE '9999-12-31')`;

export async function filterWhere(tx: Tx, ctx: Ctx, f: EquipmentFilter): Promise<SQL[]> {
  const tenantId = ctx.actor.tenantId;
  const conds: SQL[] = [equipmentScope(ctx.actor)];
  if (f.kind) conds.push(eq(equipment.kind, f.kind));
  if (f.special !== undefined) conds.push(eq(equipment.special, f.special));
  if (f.status) conds.push(eq(equipment.status, f.status));
  if (f.dueWithinDays !== undefined || f.overdue) {
    const today = dayIn(ctx.now(), (await tenantZone(tx, tenantId)).timeZone);
    conds.push(eq(equipment.status, 'in_service'));
    if (f.dueWithinDays !== undefined) conds.push(lte(equipment.nextInspectionDue, addDays(today, f.dueWithinDays)));
    if (f.overdue) conds.push(lt(equipment.nextInspectionDue, today));
  }
  if (f.orgUnitId) {
    conds.push(
      sql`${equipment.orgUnitId} IN (SELECT u.id FROM ${orgUnits} u WHERE u.tenant_id = ${tenantId} AND u.path LIKE (SELECT p.path FROM ${orgUnits} p WHERE p.id = ${f.orgUnitId} AND p.tenant_id = ${tenantId}) || '%')`,
    );
  }
  if (f.q?.trim()) {
    const pattern = containsPattern(f.q.trim());
    conds.push(or(ilike(equipment.code, pattern), ilike(equipment.name, pattern), ilike(equipment.registrationNo, pattern)) as SQL);
  }
  return conds;
}

export async function listEquipment(ctx: Ctx, input: EquipmentFilter & { limit: number; cursor?: string }) {
  requirePermission(ctx.actor, P.read);
  const after = decodeCursor<{ v: string; id: string }>(input.cursor, { v: 'string', id: 'string' });
  if (after && (!isDay(after.v) || !/^[0-9a-f-]{36}$/i.test(after.id))) throw invalid('cursor', 'format', 'cursor: invalid');
  return ctx.db.read(async (tx) => {
    const conds = await filterWhere(tx, ctx, input);
    if (after) conds.push(or(sql`${dueKey} > ${after.v}::date`, and(sql`${dueKey} = ${after.v}::date`, gt(equipment.id, after.id))) as SQL);
    const rows = await tx
      .select({ e: equipment, v: sql<string>`to_char(${dueKey}, 'YYYY-MM-DD')` })
      .from(equipment)
      .where(and(...conds))
      .orderBy(asc(dueKey), asc(equipment.id))
      .limit(input.limit + 1);
    const page = pageOf(rows, input.limit, (r) => ({ v: r.v, id: r.e.id }));
    return { items: await viewsOf(tx, ctx, page.items.map((r) => r.e)), nextCursor: page.nextCursor };
  });
}

export async function getEquipment(ctx: Ctx, id: string): Promise<EquipmentView> {
  requirePermission(ctx.actor, P.read);
  return ctx.db.read(async (tx) => viewOf(tx, ctx, await loadEquipment(tx, ctx.actor, id)));
}

// ---------------------------------------------------------------------------------------------------------
// Writes
// ---------------------------------------------------------------------------------------------------------

export interface EquipmentFields {
  code?: string;
  name?: string;
  kind?: string;
  model?: string | null;
  manufacturer?: string | null;
  location?: string | null;
  special?: boolean;
  registrationNo?: string | null;
  lastInspectedOn?: string | null;
  inspectionIntervalMonths?: number | null;
  nextInspectionDue?: string | null;
  orgUnitId?: string;
  responsiblePersonId?: string | null;
  riskUnitIds?: string[];
  notes?: string | null;
}

export interface CreateEquipmentInput extends EquipmentFields {
  code: string;
  name: string;
  kind: string;
  orgUnitId: string;
}

const trimOrNull = (s: string | null | undefined) => (s === undefined || s === null ? null : s.trim() || null);

async function activeKind(tx: Tx, tenantId: string, code: string): Promise<EquipmentKindRow> {
  await ensureEquipmentDefaults(tx, tenantId);
  const kinds = await loadKinds(tx, tenantId);
  const kind = kinds.find((k) => k.code === code && k.active);
  if (!kind) {
    const codes = kinds.filter((k) => k.active).map((k) => k.code);
    throw invalid('kind', 'enum', `kind: one of ${codes.join(', ')}`);
  }
  return kind;
}

function checkDay(field: string, value: string | null | undefined): void {
  if (value !== null && value !== undefined && !isDay(value)) throw invalid(field, 'format', `${field}: a calendar day YYYY-MM-DD`);
}

/** Next due = last inspection + interval, unless the inspection body's report named another day. */
export function impliedDue(lastInspectedOn: string | null, intervalMonths: number | null): string | null {
  return lastInspectedOn && intervalMonths ? addMonths(lastInspectedOn, intervalMonths) : null;
}

async function assertCodeFree(tx: Tx, tenantId: string, code: string, exceptId: string | null): Promise<void> {
  const [other] = await tx
    .select({ id: equipment.id })
    .from(equipment)
    .where(and(eq(equipment.tenantId, tenantId), eq(equipment.code, code)));
  if (other && other.id !== exceptId) throw alreadyExists('code', `equipment code ${code} is already used`);
}

async function checkPlacement(tx: Tx, ctx: Ctx, orgUnitId: string, personId: string | null): Promise<void> {
  const unit = await activeUnit(tx, ctx.actor.tenantId, orgUnitId, 'orgUnitId');
  // A unit outside the actor's scope would hide the equipment from its author: refused as out of scope.
  if (!pathInScope(ctx.actor, unit.path)) throw new AppError('out_of_scope', `org unit ${unit.name} is outside your data scope`);
  if (personId) await activePerson(tx, ctx.actor.tenantId, personId, 'responsiblePersonId');
}

async function insertOrConflict<T>(code: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    // Two people registering the same code at once: both passed the pre-check.
    if (isUniqueViolation(e)) throw alreadyExists('code', `equipment code ${code} is already used`);
    throw e;
  }
}

export async function createEquipment(ctx: Ctx, input: CreateEquipmentInput): Promise<EquipmentView> {
  requirePermission(ctx.actor, P.write);
  for (const f of ['lastInspectedOn', 'nextInspectionDue'] as const) checkDay(f, input[f]);
  const code = input.code.trim();
  const name = input.name.trim();
  if (!code) throw invalid('code', 'minLength', 'code: required');
  if (!name) throw invalid('name', 'minLength', 'name: required');
  return ctx.db.tx(async (tx) => {
    const tenantId = ctx.actor.tenantId;
    const kind = await activeKind(tx, tenantId, input.kind);
    await checkPlacement(tx, ctx, input.orgUnitId, input.responsiblePersonId ?? null);
    await assertCodeFree(tx, tenantId, code, null);
    const riskUnitIds = await checkRiskUnitLinks(tx, tenantId, input.riskUnitIds ?? []);
    const interval = input.inspectionIntervalMonths !== undefined ? input.inspectionIntervalMonths : kind.inspectionIntervalMonths;
    const last = input.lastInspectedOn ?? null;
    const next = input.nextInspectionDue !== undefined ? input.nextInspectionDue : impliedDue(last, interval);
    if (last && next && next <= last) throw invalid('nextInspectionDue', 'minimum', `nextInspectionDue: must be after lastInspectedOn (${last})`);
    const now = ctx.now();
    const [row] = await insertOrConflict(code, () =>
      tx
        .insert(equipment)
        .values({
          id: newId(),
          tenantId,
          orgUnitId: input.orgUnitId,
          code,
          name,
          kind: kind.code,
          model: trimOrNull(input.model),
          manufacturer: trimOrNull(input.manufacturer),
          location: trimOrNull(input.location),
          special: input.special ?? kind.special,
          registrationNo: trimOrNull(input.registrationNo),
          lastInspectedOn: last,
          inspectionIntervalMonths: interval,
          nextInspectionDue: next,
          responsiblePersonId: input.responsiblePersonId ?? null,
          riskUnitIds,
          notes: trimOrNull(input.notes),
          createdAt: now,
          createdBy: ctx.actor.userId,
          updatedAt: now,
          updatedBy: ctx.actor.userId,
        })
        .returning(),
    );
    const created = row!;
    await armInspectionReminders(tx, created, null, now);
    await recordEquipment(tx, ctx, 'created', null, created);
    return viewOf(tx, ctx, created);
  });
}

export async function updateEquipment(ctx: Ctx, id: string, patch: EquipmentFields, version: number): Promise<EquipmentView> {
  requirePermission(ctx.actor, P.write);
  for (const f of ['lastInspectedOn', 'nextInspectionDue'] as const) checkDay(f, patch[f]);
  return ctx.db.tx(async (tx) => {
    const tenantId = ctx.actor.tenantId;
    const before = await loadEquipment(tx, ctx.actor, id, { forUpdate: true });
    if (before.version !== version) throw versionConflict(before.version);
    if (before.status === 'scrapped') throw new AppError('conflict', 'scrapped equipment cannot be edited', { extra: { equipmentStatus: 'scrapped' } });
    const kind = patch.kind !== undefined && patch.kind !== before.kind ? (await activeKind(tx, tenantId, patch.kind)).code : before.kind;
    const code = patch.code !== undefined ? patch.code.trim() : before.code;
    const name = patch.name !== undefined ? patch.name.trim() : before.name;
    if (!code) throw invalid('code', 'minLength', 'code: required');
    if (!name) throw invalid('name', 'minLength', 'name: required');
    if (code !== before.code) await assertCodeFree(tx, tenantId, code, before.id);
    const orgUnitId = patch.orgUnitId ?? before.orgUnitId;
    const personId = patch.responsiblePersonId !== undefined ? patch.responsiblePersonId : before.responsiblePersonId;
    if (!orgUnitId) throw invalid('orgUnitId', 'required', 'orgUnitId: required');
    if (patch.orgUnitId !== undefined || (patch.responsiblePersonId !== undefined && patch.responsiblePersonId !== before.responsiblePersonId)) {
      await checkPlacement(tx, ctx, orgUnitId, personId !== before.responsiblePersonId ? personId : null);
    }
    const last = patch.lastInspectedOn !== undefined ? patch.lastInspectedOn : before.lastInspectedOn;
    const interval = patch.inspectionIntervalMonths !== undefined ? patch.inspectionIntervalMonths : before.inspectionIntervalMonths;
    // An explicit due day wins; a changed last inspection or interval recomputes it; otherwise it stays.
    const basisChanged = last !== before.lastInspectedOn || interval !== before.inspectionIntervalMonths;
    const next = patch.nextInspectionDue !== undefined ? patch.nextInspectionDue : basisChanged ? impliedDue(last, interval) : before.nextInspectionDue;
    if (last && next && next <= last) throw invalid('nextInspectionDue', 'minimum', `nextInspectionDue: must be after lastInspectedOn (${last})`);
    const riskUnitIds = patch.riskUnitIds !== undefined ? await checkRiskUnitLinks(tx, tenantId, patch.riskUnitIds, before.riskUnitIds) : before.riskUnitIds;
    const text = (k: 'model' | 'manufacturer' | 'location' | 'registrationNo' | 'notes') => (patch[k] !== undefined ? trimOrNull(patch[k]) : before[k]);
    const now = ctx.now();
    const [after] = await insertOrConflict(code, () =>
      tx
        .update(equipment)
        .set({
          code,
          name,
          kind,
          model: text('model'),
          manufacturer: text('manufacturer'),
          location: text('location'),
          special: patch.special ?? before.special,
          registrationNo: text('registrationNo'),
          lastInspectedOn: last,
          inspectionIntervalMonths: interval,
          nextInspectionDue: next,
          orgUnitId,
          responsiblePersonId: personId,
          riskUnitIds,
          notes: text('notes'),
          version: before.version + 1,
          updatedAt: now,
          updatedBy: ctx.actor.userId,
        })
        .where(and(eq(equipment.id, id), eq(equipment.version, before.version)))
        .returning(),
    );
    if (!after) throw versionConflict(before.version);
    await armInspectionReminders(tx, after, before, now);
    await recordEquipment(tx, ctx, 'updated', before, after);
    return viewOf(tx, ctx, after);
  });
}

/**
 * Takes equipment out of service (停用) or scraps it (报废), with a reason, or returns a stopped one to
 * service. Scrapping is final. Out of service, nothing is reminded: 特种设备安全法 Art. 40 forbids using
 * equipment without a valid inspection, and a stopped unit is inspected again before it returns to use.
 */
export async function changeEquipmentStatus(ctx: Ctx, id: string, input: { status: EquipmentStatus; reason?: string | null }, version: number): Promise<EquipmentView> {
  requirePermission(ctx.actor, P.write);
  const reason = input.reason?.trim() || null;
  if (input.status !== 'in_service' && !reason) throw invalid('reason', 'required', `reason: required to mark equipment ${input.status}`);
  return ctx.db.tx(async (tx) => {
    const before = await loadEquipment(tx, ctx.actor, id, { forUpdate: true });
    if (before.version !== version) throw versionConflict(before.version);
    if (before.status === 'scrapped') throw new AppError('conflict', 'scrapped equipment stays scrapped', { extra: { equipmentStatus: 'scrapped' } });
    if (before.status === input.status) throw new AppError('conflict', `the equipment is already ${input.status}`, { extra: { equipmentStatus: before.status } });
    const now = ctx.now();
    const [after] = await tx
      .update(equipment)
      .set({ status: input.status, statusReason: reason, statusChangedAt: now, version: before.version + 1, updatedAt: now, updatedBy: ctx.actor.userId })
      .where(and(eq(equipment.id, id), eq(equipment.version, before.version)))
      .returning();
    if (!after) throw versionConflict(before.version);
    if (after.status === 'in_service') await armInspectionReminders(tx, after, before, now);
    else await cancelInspectionReminders(tx, after.id, now);
    await recordEquipment(tx, ctx, 'status_changed', before, after, { reason });
    return viewOf(tx, ctx, after);
  });
}
