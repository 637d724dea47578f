import { createHash } from 'node:crypto';
import { and, eq, inArray, sql } from 'drizzle-orm';
import type ExcelJS from 'exceljs';
import { recordChange } from '../audit/record.ts';
import type { Actor, Ctx } from '../auth/actor.ts';
import { users } from '../auth/schema.ts';
import { pathInScope, requirePermission } from '../auth/scope.ts';
import { clearActorCache } from '../auth/service.ts';
import { queryRows, type Tx } from '../db/client.ts';
import { newId } from '../db/columns.ts';
import { publishEvents } from '../events/outbox.ts';
import { findSheet, loadWorkbook, readSheet, type RowError } from '../excel/read.ts';
import { AppError } from '../http/errors.ts';
import { genderLabels, orgColumns, peopleColumns, personKindLabels, sheetNames, type Column, type OrgColumnKey, type PeopleColumnKey } from './exportExcel.ts';
import { kindPlacementProblem, orgKindLabels } from './kindRules.ts';
import { ORG_CODE_PATTERN } from './orgUnits.ts';
import { normalizePhone, personFieldProblems, type Gender } from './people.ts';
import { mapUniqueViolation } from './sqlHelpers.ts';
import { orgUnits, people, positions, type OrgUnitKind, type PersonKind } from './schema.ts';

export const MAX_IMPORT_BYTES = 5 * 1024 * 1024;
export const MAX_IMPORT_ROWS = 20_000;
/** Row errors returned at most; the count says how many there were. */
const MAX_ROW_ERRORS = 1000;
const CHUNK = 1000;

export type { RowError };

export interface Counts {
  orgUnits: number;
  positions: number;
  people: number;
}

export interface ImportResult {
  ok: true;
  dryRun: boolean;
  created: Counts;
  updated: Counts;
  unchanged: Counts;
}

type Cells<K extends string> = { row: number } & Record<K, string>;

interface ParsedSheet<K extends string> {
  name: string;
  /** Keys of the columns present in the file (absent columns leave existing data alone). */
  present: Set<K>;
  headerOf: Map<K, string>;
  rows: Cells<K>[];
}

function isoDateOf(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/** Dates as people type them: 2024-03-05, 2024/3/5, 2024.3.5, 2024年3月5日, or an Excel serial day number. */
export function parseDate(raw: string): string | null {
  if (raw === '') return null;
  if (/^\d{5}(\.\d+)?$/.test(raw)) {
    // Excel serial date (days since 1899-12-30) when the cell was a date but not formatted as one.
    return isoDateOf(new Date(Math.round((Number(raw) - 25_569) * 86_400_000)));
  }
  const m = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$/.exec(raw);
  if (!m) return raw;
  return `${m[1]}-${m[2]!.padStart(2, '0')}-${m[3]!.padStart(2, '0')}`;
}

/** Org and people sheets as flat rows (`r.name`, `r.row`), the shape the checks below read. */
function readOrgSheet<K extends string>(ws: ExcelJS.Worksheet, columns: Column<K>[], errors: RowError[]): ParsedSheet<K> {
  const read = readSheet(ws, columns, errors);
  return { name: ws.name, present: read.present, headerOf: read.headerOf, rows: read.rows.map((r) => ({ ...r.cells, row: r.row })) };
}

/** Reads the workbook and the header rows; content checks come later, with the database at hand. */
async function parseWorkbook(file: Buffer) {
  const wb = await loadWorkbook(file);
  const errors: RowError[] = [];
  const orgWs = findSheet(wb, sheetNames.org);
  const peopleWs = findSheet(wb, sheetNames.people);
  if (!orgWs && !peopleWs) {
    errors.push({ sheet: '', row: 0, field: 'sheet', column: '', message: `no sheet named ${sheetNames.org['zh-CN']} / ${sheetNames.org.en} or ${sheetNames.people['zh-CN']} / ${sheetNames.people.en}` });
  }
  const rowCount = (orgWs?.actualRowCount ?? 0) + (peopleWs?.actualRowCount ?? 0);
  if (rowCount > MAX_IMPORT_ROWS + 2) throw new AppError('payload_too_large', `file: at most ${MAX_IMPORT_ROWS} rows per import`);
  const org = orgWs ? readOrgSheet<OrgColumnKey>(orgWs, orgColumns, errors) : null;
  const ppl = peopleWs ? readOrgSheet<PeopleColumnKey>(peopleWs, peopleColumns, errors) : null;
  if ((org?.rows.length ?? 0) + (ppl?.rows.length ?? 0) > MAX_IMPORT_ROWS) throw new AppError('payload_too_large', `file: at most ${MAX_IMPORT_ROWS} rows per import`);
  return { org, people: ppl, errors };
}

function labelLookup<T extends string>(labels: Record<T, { 'zh-CN': string; en: string }>, raw: string): T | null {
  const v = raw.trim().toLowerCase();
  for (const [key, l] of Object.entries(labels) as [T, { 'zh-CN': string; en: string }][]) {
    if (v === key.toLowerCase() || v === l['zh-CN'] || v === l.en.toLowerCase()) return key;
  }
  return null;
}

const genderAliases: Record<string, Gender> = { m: 'male', f: 'female', 男性: 'male', 女性: 'female' };

type UnitRow = typeof orgUnits.$inferSelect;
type PersonRow = typeof people.$inferSelect;

interface PlannedUnit {
  id: string;
  code: string;
  kind: OrgUnitKind;
  name: string;
  parentCode: string | null;
  existing: UnitRow | null;
  row: number | null;
  path?: string;
  depth?: number;
  parentId?: string | null;
}

interface PlannedPerson {
  row: number;
  existing: PersonRow | null;
  values: {
    id: string;
    kind: PersonKind;
    employeeNo: string;
    name: string;
    phone: string | null;
    email: string | null;
    gender: Gender | null;
    orgUnitId: string;
    positionId: string | null;
    contractorUnitId: string | null;
    hireDate: string | null;
  };
}

const counts = (): Counts => ({ orgUnits: 0, positions: 0, people: 0 });

/**
 * Validates every row against the file and the database and plans the writes. Returns the errors
 * (every one, not just the first) and the plan; writes nothing.
 */
async function plan(tx: Tx, a: Actor, parsed: Awaited<ReturnType<typeof parseWorkbook>>) {
  const errors = [...parsed.errors];
  const created = counts();
  const updated = counts();
  const unchanged = counts();
  const err = <K extends string>(sheet: ParsedSheet<K>, row: number, key: K, message: string) => {
    const column = sheet.headerOf.get(key) ?? key;
    errors.push({ sheet: sheet.name, row, field: key, column, message: `${column}: ${message}` });
  };

  const existingUnits = await tx.select().from(orgUnits).where(eq(orgUnits.tenantId, a.tenantId));
  const root = existingUnits.find((u) => u.parentId === null);
  if (!root) throw new Error('tenant has no root org unit');
  const codeById = new Map(existingUnits.map((u) => [u.id, u.code]));
  const units = new Map<string, PlannedUnit>();
  for (const u of existingUnits) {
    units.set(u.code, { id: u.id, code: u.code, kind: u.kind, name: u.name, parentCode: u.parentId ? (codeById.get(u.parentId) ?? null) : null, existing: u, row: null });
  }

  // ---- Org units -------------------------------------------------------------------------------
  const org = parsed.org;
  const fileUnits: PlannedUnit[] = [];
  if (org) {
    const seen = new Map<string, number>();
    for (const r of org.rows) {
      const code = r.code;
      let ok = true;
      if (!ORG_CODE_PATTERN.test(code)) {
        err(org, r.row, 'code', 'required; 1 to 50 letters, digits, . _ -');
        ok = false;
      } else if (seen.has(code)) {
        err(org, r.row, 'code', `${code} appears twice (also row ${seen.get(code)})`);
        ok = false;
      }
      seen.set(code, r.row);
      if (r.name === '' || r.name.length > 100) {
        err(org, r.row, 'name', 'required, at most 100 characters');
        ok = false;
      }
      const kind = labelLookup(orgKindLabels, r.kind);
      if (!kind) {
        err(org, r.row, 'kind', `"${r.kind}" is not one of ${Object.values(orgKindLabels).map((l) => l['zh-CN']).join('/')}`);
        ok = false;
      }
      if (!ok || !kind) continue;
      const existing = units.get(code)?.existing ?? null;
      if (existing?.parentId === null) {
        // The company row (as exported): only its name may change.
        if (r.parentCode !== '') err(org, r.row, 'parentCode', 'the company is the root of the tree; leave it empty');
        if (kind !== 'company') err(org, r.row, 'kind', `${code} is the company`);
        const p: PlannedUnit = { ...units.get(code)!, name: r.name, row: r.row };
        units.set(code, p);
        fileUnits.push(p);
        continue;
      }
      if (kind === 'company') {
        err(org, r.row, 'kind', 'only the root of the tree is a company');
        continue;
      }
      if (existing && existing.kind !== kind) {
        err(org, r.row, 'kind', `cannot change the kind of ${code} (it is a ${orgKindLabels[existing.kind]['zh-CN']} / ${existing.kind})`);
        continue;
      }
      const parentCode = r.parentCode === '' ? root.code : r.parentCode;
      const p: PlannedUnit = { id: existing?.id ?? newId(), code, kind, name: r.name, parentCode, existing, row: r.row };
      units.set(code, p);
      fileUnits.push(p);
    }
    for (const p of fileUnits) {
      if (p.parentCode === null) continue;
      const parent = units.get(p.parentCode);
      if (!parent) {
        err(org, p.row!, 'parentCode', `no unit with code ${p.parentCode} in this file or in the system`);
        p.parentCode = null;
        continue;
      }
      if (parent.code === p.code) {
        err(org, p.row!, 'parentCode', 'a unit cannot be its own parent');
        p.parentCode = null;
        continue;
      }
      const problem = kindPlacementProblem(p.kind, parent.kind);
      if (problem) err(org, p.row!, 'parentCode', problem);
      if (parent.existing && !parent.existing.active) err(org, p.row!, 'parentCode', `the parent unit ${parent.code} is deactivated`);
    }
    // A unit may not end up below itself (A under B in the file, B under A): every unit on a cycle is reported.
    const onCycle = fileUnits.filter((p) => {
      const visited = new Set<string>([p.code]);
      for (let cur = p.parentCode ? units.get(p.parentCode) : undefined; cur; cur = cur.parentCode ? units.get(cur.parentCode) : undefined) {
        if (cur.code === p.code) return true;
        if (visited.has(cur.code)) return false;
        visited.add(cur.code);
      }
      return false;
    });
    for (const p of onCycle) {
      err(org, p.row!, 'parentCode', 'this would put the unit below itself (a cycle of parent codes)');
      p.parentCode = null;
    }
  }

  // Final paths for the whole tree (a moved unit drags its subtree along).
  const pathOf = (u: PlannedUnit, guard = 0): { path: string; depth: number } => {
    if (u.path !== undefined && u.depth !== undefined) return { path: u.path, depth: u.depth };
    const parent = u.parentCode ? units.get(u.parentCode) : undefined;
    if (!parent || guard > 100) {
      u.path = u.existing?.parentId === null ? `/${u.id}/` : (u.existing?.path ?? `/${u.id}/`);
      u.depth = u.existing?.depth ?? 0;
    } else {
      const pp = pathOf(parent, guard + 1);
      u.path = `${pp.path}${u.id}/`;
      u.depth = pp.depth + 1;
    }
    return { path: u.path, depth: u.depth };
  };
  for (const u of units.values()) {
    pathOf(u);
    u.parentId = u.parentCode ? (units.get(u.parentCode)?.id ?? null) : null;
  }

  const unitWrites: { insert: PlannedUnit[]; update: PlannedUnit[] } = { insert: [], update: [] };
  if (org) {
    for (const p of fileUnits) {
      const parent = p.parentCode ? units.get(p.parentCode) : undefined;
      const changed = !p.existing || p.existing.name !== p.name || (parent !== undefined && p.existing.parentId !== parent.id);
      if (!changed) {
        unchanged.orgUnits++;
        continue;
      }
      // Both where it is and where it goes must be inside the importer's scope.
      const within = (!p.existing || pathInScope(a, p.existing.path)) && (!parent || pathInScope(a, parent.path ?? ''));
      if (!within) err(org, p.row!, 'code', `${p.code} is outside your data scope`);
      if (p.existing) updated.orgUnits++;
      else created.orgUnits++;
    }
  }
  for (const u of units.values()) {
    if (!u.existing) unitWrites.insert.push(u);
    else if (u.existing.path !== u.path || u.existing.name !== u.name || u.existing.parentId !== u.parentId) unitWrites.update.push(u);
  }

  // ---- People ----------------------------------------------------------------------------------
  const ppl = parsed.people;
  const personWrites: PlannedPerson[] = [];
  const newPositions = new Map<string, { id: string; code: string; name: string }>();
  if (ppl) {
    const has = (k: PeopleColumnKey) => ppl.present.has(k);
    const nos = [...new Set(ppl.rows.map((r) => r.employeeNo).filter(Boolean))];
    const existingPeople = new Map<string, PersonRow>();
    for (let i = 0; i < nos.length; i += 5000) {
      const rows = await tx
        .select()
        .from(people)
        .where(and(eq(people.tenantId, a.tenantId), inArray(people.employeeNo, nos.slice(i, i + 5000))));
      for (const p of rows) existingPeople.set(p.employeeNo, p);
    }
    const allPositions = await tx.select().from(positions).where(eq(positions.tenantId, a.tenantId));
    const positionCodes = new Set(allPositions.map((p) => p.code.toLowerCase()));
    let positionSeq = 0;
    const nextPositionCode = () => {
      let code: string;
      do code = `P${String(++positionSeq).padStart(4, '0')}`;
      while (positionCodes.has(code.toLowerCase()));
      positionCodes.add(code.toLowerCase());
      return code;
    };
    const unitById = new Map([...units.values()].map((u) => [u.id, u]));
    const seen = new Map<string, number>();

    for (const r of ppl.rows) {
      const rowErrorsBefore = errors.length;
      const existing = existingPeople.get(r.employeeNo) ?? null;
      const employeeNo = r.employeeNo;
      if (employeeNo && seen.has(employeeNo)) err(ppl, r.row, 'employeeNo', `${employeeNo} appears twice (also row ${seen.get(employeeNo)})`);
      if (employeeNo) seen.set(employeeNo, r.row);

      const phone = has('phone') ? normalizePhone(r.phone) : (existing?.phone ?? null);
      const email = has('email') ? r.email || null : (existing?.email ?? null);
      const hireDate = has('hireDate') ? parseDate(r.hireDate) : (existing?.hireDate ?? null);
      for (const p of personFieldProblems({ employeeNo, name: r.name, phone, email, hireDate })) err(ppl, r.row, p.field as PeopleColumnKey, p.message.replace(/^\w+: /, ''));

      let gender: Gender | null = existing?.gender ?? null;
      if (has('gender')) {
        gender = r.gender === '' ? null : (labelLookup(genderLabels, r.gender) ?? genderAliases[r.gender.toLowerCase()] ?? null);
        if (r.gender !== '' && !gender) err(ppl, r.row, 'gender', `"${r.gender}" is not one of 男/女/其他 (male/female/other)`);
      }
      let kind: PersonKind = existing?.kind ?? 'employee';
      if (has('kind') && r.kind !== '') {
        const k = labelLookup(personKindLabels, r.kind);
        if (!k) err(ppl, r.row, 'kind', `"${r.kind}" is not 员工 or 承包商 (employee or contractor)`);
        else kind = k;
      }

      // Placement, by codes from this file or the system.
      let contractorUnit: PlannedUnit | undefined;
      const contractorCode = has('contractorUnitCode') ? r.contractorUnitCode : existing?.contractorUnitId ? (unitById.get(existing.contractorUnitId)?.code ?? '') : '';
      if (kind === 'contractor') {
        if (contractorCode === '') err(ppl, r.row, 'contractorUnitCode', 'required for a contractor worker');
        else {
          contractorUnit = units.get(contractorCode);
          if (!contractorUnit) err(ppl, r.row, 'contractorUnitCode', `no unit with code ${contractorCode} in this file or in the system`);
          else if (contractorUnit.kind !== 'contractor') err(ppl, r.row, 'contractorUnitCode', `${contractorCode} is not a contractor unit`);
        }
      } else if (has('contractorUnitCode') && r.contractorUnitCode !== '') {
        err(ppl, r.row, 'contractorUnitCode', 'only contractor workers belong to a contractor unit');
      }
      let unit: PlannedUnit | undefined;
      const unitCode = has('orgUnitCode') ? r.orgUnitCode : existing?.orgUnitId ? (unitById.get(existing.orgUnitId)?.code ?? '') : '';
      if (unitCode !== '') {
        unit = units.get(unitCode);
        if (!unit) err(ppl, r.row, 'orgUnitCode', `no unit with code ${unitCode} in this file or in the system`);
      } else if (kind === 'contractor') {
        unit = contractorUnit;
      } else {
        err(ppl, r.row, 'orgUnitCode', 'required for an employee');
      }
      if (unit && kind === 'employee' && unit.kind === 'contractor') err(ppl, r.row, 'orgUnitCode', 'an employee cannot be placed in a contractor unit');
      const unitMoves = !existing || existing.orgUnitId !== unit?.id;
      if (unit && unitMoves && unit.existing && !unit.existing.active) err(ppl, r.row, 'orgUnitCode', `the unit ${unit.code} is deactivated`);

      let positionId: string | null = existing?.positionId ?? null;
      if (has('position')) {
        const want = r.position.trim();
        if (want === '') positionId = null;
        else {
          const lc = want.toLowerCase();
          const byCode = allPositions.find((p) => p.code.toLowerCase() === lc);
          const byName = allPositions.filter((p) => p.name.toLowerCase() === lc);
          const found = byCode ?? (byName.length === 1 ? byName[0] : undefined);
          if (!found && byName.length > 1) err(ppl, r.row, 'position', `several positions are named ${want}; use the position code`);
          else if (found && !found.active && found.id !== existing?.positionId) err(ppl, r.row, 'position', `the position ${want} is deactivated`);
          else if (found) positionId = found.id;
          else {
            let np = newPositions.get(lc);
            if (!np) {
              np = { id: newId(), code: nextPositionCode(), name: want.slice(0, 100) };
              newPositions.set(lc, np);
            }
            positionId = np.id;
          }
        }
      }

      if (errors.length > rowErrorsBefore || !unit) continue;
      const values: PlannedPerson['values'] = {
        id: existing?.id ?? newId(),
        kind,
        employeeNo,
        name: r.name,
        phone,
        email,
        gender,
        orgUnitId: unit.id,
        positionId,
        contractorUnitId: kind === 'contractor' ? (contractorUnit?.id ?? null) : null,
        hireDate,
      };
      const changed =
        !existing ||
        (['kind', 'name', 'phone', 'email', 'gender', 'orgUnitId', 'positionId', 'contractorUnitId', 'hireDate'] as const).some((k) => existing[k] !== values[k]);
      if (!changed) {
        unchanged.people++;
        continue;
      }
      // Data scope: the person as they are (unless it is the importer) and where they go.
      const currentPath = existing?.orgUnitId ? unitById.get(existing.orgUnitId)?.existing?.path : undefined;
      const currentOk = !existing || existing.id === a.personId || (currentPath !== undefined && pathInScope(a, currentPath));
      if (!currentOk || !pathInScope(a, unit.path ?? '')) {
        err(ppl, r.row, 'employeeNo', `${employeeNo}: ${!currentOk ? 'this person' : `unit ${unit.code}`} is outside your data scope`);
        continue;
      }
      if (existing) updated.people++;
      else created.people++;
      personWrites.push({ row: r.row, existing, values });
    }
  }
  created.positions = newPositions.size;
  return { errors, created, updated, unchanged, unitWrites, personWrites, newPositions: [...newPositions.values()] };
}

/** Rows validated at the start of the import were edited by someone else before it wrote: never overwrite blindly. */
function changedMeanwhile(): AppError {
  return new AppError('version_conflict', 'some records in the file were changed by someone else while the import ran; nothing was imported, run it again');
}

function chunks<T>(items: T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** The plan, written in bulk: a handful of statements for any number of rows. */
async function write(tx: Tx, ctx: Ctx, p: Awaited<ReturnType<typeof plan>>, fileInfo: { fileName: string; sha256: string }, result: ImportResult): Promise<boolean> {
  const a = ctx.actor;
  const now = ctx.now();
  const nowIso = now.toISOString();
  const audit = { createdBy: a.userId, updatedBy: a.userId, createdAt: now, updatedAt: now };

  for (const c of chunks(p.newPositions)) {
    await tx.insert(positions).values(c.map((np) => ({ id: np.id, tenantId: a.tenantId, code: np.code, name: np.name, ...audit })));
  }
  for (const c of chunks(p.unitWrites.insert)) {
    await tx.insert(orgUnits).values(
      c.map((u) => ({
        id: u.id,
        tenantId: a.tenantId,
        parentId: u.parentId ?? null,
        kind: u.kind,
        code: u.code,
        name: u.name,
        path: u.path ?? '',
        depth: u.depth ?? 0,
        ...audit,
      })),
    );
  }
  for (const c of chunks(p.unitWrites.update)) {
    const values = sql.join(
      c.map((u) => sql`(${u.id}::uuid, ${u.name}::text, ${u.parentId ?? null}::uuid, ${u.path}::text, ${u.depth}::int, ${u.existing?.version ?? 0}::int)`),
      sql`, `,
    );
    const done = await queryRows<{ id: string }>(
      tx,
      sql`
      UPDATE org_units AS u SET name = v.name, parent_id = v.parent_id, path = v.path, depth = v.depth, version = u.version + 1,
        updated_at = ${nowIso}::timestamptz, updated_by = ${a.userId}::uuid
      FROM (VALUES ${values}) AS v(id, name, parent_id, path, depth, version)
      WHERE u.id = v.id AND u.tenant_id = ${a.tenantId}::uuid AND u.version = v.version
      RETURNING u.id`,
    );
    if (done.length !== c.length) throw changedMeanwhile();
  }

  const inserts = p.personWrites.filter((w) => !w.existing);
  const updates = p.personWrites.filter((w) => w.existing);
  for (const c of chunks(inserts)) {
    await tx.insert(people).values(c.map((w) => ({ ...w.values, tenantId: a.tenantId, ...audit })));
  }
  for (const c of chunks(updates)) {
    const values = sql.join(
      c.map(
        ({ values: v, existing }) =>
          sql`(${v.id}::uuid, ${v.kind}::text, ${v.name}::text, ${v.phone}::text, ${v.email}::text, ${v.gender}::text, ${v.orgUnitId}::uuid, ${v.positionId}::uuid, ${v.contractorUnitId}::uuid, ${v.hireDate}::date, ${existing?.version ?? 0}::int)`,
      ),
      sql`, `,
    );
    const done = await queryRows<{ id: string }>(
      tx,
      sql`
      UPDATE people AS p SET kind = v.kind, name = v.name, phone = v.phone, email = v.email, gender = v.gender,
        org_unit_id = v.org_unit_id, position_id = v.position_id, contractor_unit_id = v.contractor_unit_id, hire_date = v.hire_date,
        version = p.version + 1, updated_at = ${nowIso}::timestamptz, updated_by = ${a.userId}::uuid
      FROM (VALUES ${values}) AS v(id, kind, name, phone, email, gender, org_unit_id, position_id, contractor_unit_id, hire_date, version)
      WHERE p.id = v.id AND p.tenant_id = ${a.tenantId}::uuid AND p.version = v.version
      RETURNING p.id`,
    );
    if (done.length !== c.length) throw changedMeanwhile();
  }
  // Logins follow their person's unit (data scope is anchored there).
  const moved = updates.filter((w) => w.existing?.orgUnitId !== w.values.orgUnitId).map((w) => w.values.id);
  for (const c of chunks(moved)) {
    await tx
      .update(users)
      .set({ orgUnitId: sql`(SELECT org_unit_id FROM people WHERE people.id = ${users.personId})`, updatedAt: now })
      .where(and(eq(users.tenantId, a.tenantId), inArray(users.personId, c)));
  }

  // One event per created/changed record, so subscribers (e.g. onboarding training for new hires) see
  // each of them, inserted in bulk; then the summary event and the one audit entry for the import.
  const events = [
    ...p.unitWrites.insert.map((u) => ({ type: 'org_unit.created', entityType: 'org_unit', entityId: u.id, payload: { kind: u.kind, source: 'import' } })),
    ...inserts.map((w) => ({ type: 'person.created', entityType: 'person', entityId: w.values.id, payload: { kind: w.values.kind, orgUnitId: w.values.orgUnitId, positionId: w.values.positionId, source: 'import' } })),
    ...updates.map((w) => ({ type: 'person.updated', entityType: 'person', entityId: w.values.id, payload: { orgUnitId: w.values.orgUnitId, source: 'import' } })),
  ];
  await publishEvents(tx, ctx, events);
  const importId = newId();
  await recordChange(
    tx,
    ctx,
    {
      action: 'people.imported',
      entityType: 'import',
      entityId: importId,
      after: {
        ...fileInfo,
        created: result.created,
        updated: result.updated,
        unchanged: result.unchanged,
        // Enough to answer "which import changed this person?" from the audit log.
        people: p.personWrites.map((w) => w.values.employeeNo),
        orgUnits: [...p.unitWrites.insert, ...p.unitWrites.update].map((u) => u.code),
      },
    },
    { type: 'people.imported', entityType: 'import', entityId: importId, payload: { created: result.created, updated: result.updated } },
  );
  return moved.length > 0 || p.unitWrites.update.length > 0;
}

/**
 * `POST /import/people`: org units and people from one workbook. Every row is checked first; any error
 * → 422 `import_failed` with all row errors and nothing written. Otherwise everything is written in one
 * transaction (never half an import). `dryRun` checks and counts without writing.
 */
export async function importPeople(ctx: Ctx, input: { file: Buffer; fileName: string; dryRun: boolean }): Promise<ImportResult> {
  const a = ctx.actor;
  requirePermission(a, 'people:import');
  if (input.file.length > MAX_IMPORT_BYTES) throw new AppError('payload_too_large', `file: at most ${MAX_IMPORT_BYTES / 1024 / 1024} MB`);
  const parsed = await parseWorkbook(input.file);
  const fileInfo = { fileName: input.fileName.slice(0, 200), sha256: createHash('sha256').update(input.file).digest('hex') };
  let scopesChanged = false;
  const run = async (tx: Tx): Promise<ImportResult> => {
    requirePermission(a, 'people:import');
    const p = await plan(tx, a, parsed);
    if (p.errors.length > 0) {
      const rowErrors = p.errors.sort((x, y) => x.sheet.localeCompare(y.sheet) || x.row - y.row).slice(0, MAX_ROW_ERRORS);
      throw new AppError('import_failed', `${p.errors.length} problem${p.errors.length === 1 ? '' : 's'} found; nothing was imported`, {
        extra: { rowErrors, rowErrorCount: p.errors.length, rowErrorsTruncated: p.errors.length > MAX_ROW_ERRORS },
      });
    }
    const result: ImportResult = { ok: true, dryRun: input.dryRun, created: p.created, updated: p.updated, unchanged: p.unchanged };
    if (!input.dryRun) {
      // A unique key hit here means someone created the same code or employee number after validation.
      scopesChanged = await mapUniqueViolation(
        () => write(tx, ctx, p, fileInfo, result),
        'file',
        'file: a unit code or employee number in the file was created by someone else while the import ran; nothing was imported, run it again',
      );
    }
    return result;
  };
  const result = input.dryRun ? await ctx.db.read(run) : await ctx.db.tx(run);
  if (scopesChanged) clearActorCache();
  return result;
}
