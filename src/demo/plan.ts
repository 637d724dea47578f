import type { BuiltinRoleCode } from '../platform/auth/permissions.ts';
import type { users } from '../platform/auth/schema.ts';
import { newId } from '../platform/db/columns.ts';
import type { OrgUnitKind, orgUnits, people, positions } from '../platform/org/schema.ts';
import { CONTRACT, DEMO_POSITIONS, type CompanySpec, type PersonSelector, type Staffing, type UnitSpec } from './company.ts';
import { dateBetween, uniqueMobile, uniqueName } from './names.ts';
import { seededRandom } from './random.ts';

type PositionRow = typeof positions.$inferInsert & { id: string };
type UnitRow = typeof orgUnits.$inferInsert & { id: string };
type PersonRow = typeof people.$inferInsert & { id: string };
type UserRow = typeof users.$inferInsert & { id: string };

export interface DemoCounts {
  plants: number;
  workshops: number;
  departments: number;
  teams: number;
  contractors: number;
  employees: number;
  contractorWorkers: number;
  positions: number;
  logins: number;
}

/** Every row of one demo company, ids included, ready for a few bulk inserts. */
export interface DemoPlan {
  positions: PositionRow[];
  /** All units except the root, which `createTenant` already made. */
  units: UnitRow[];
  rootManagerPersonId: string | null;
  people: PersonRow[];
  logins: { user: UserRow; role: BuiltinRoleCode }[];
  counts: DemoCounts;
}

export interface PlanInput {
  tenantId: string;
  rootUnitId: string;
  /** One argon2 hash shared by every demo login (see seed.ts). */
  passwordHash: string;
  /** Phones already handed out: user phones are unique across tenants. */
  takenPhones: Set<string>;
}

interface PlacedUnit {
  id: string;
  path: string;
  depth: number;
}

/**
 * Builds the rows of one company from its spec, with the org paths computed here (no query per unit).
 * Deterministic: the same spec gives the same names, phones, numbers and dates every time; only the
 * UUIDs differ.
 */
export function planDemoCompany(spec: CompanySpec, input: PlanInput): DemoPlan {
  const rng = seededRandom(spec.seed);
  const { tenantId } = input;
  const positionSpecs = new Map(DEMO_POSITIONS.map((p) => [p.code, p]));
  const positionRows: PositionRow[] = DEMO_POSITIONS.map((p) => ({ id: newId(), tenantId, code: p.code, name: p.name, special: p.special ?? false }));
  const positionIds = new Map(positionRows.map((p) => [p.code, p.id]));

  const units: UnitRow[] = [];
  const placed = new Map<string, PlacedUnit>([[spec.code, { id: input.rootUnitId, path: `/${input.rootUnitId}/`, depth: 0 }]]);
  const peopleRows: PersonRow[] = [];
  const heads = new Map<string, string>();
  const firstByPosition = new Map<string, string>();
  const takenNames = new Set<string>();
  const counts: DemoCounts = { plants: 0, workshops: 0, departments: 0, teams: 0, contractors: 0, employees: 0, contractorWorkers: 0, positions: positionRows.length, logins: 0 };
  let employeeSeq = 0;

  const addUnit = (code: string, name: string, kind: OrgUnitKind, parentCode: string, sort: number): PlacedUnit => {
    const parent = placed.get(parentCode);
    if (!parent) throw new Error(`demo spec: unit ${code} placed under unknown ${parentCode}`);
    const id = newId();
    const unit = { id, path: `${parent.path}${id}/`, depth: parent.depth + 1 };
    units.push({ id, tenantId, parentId: parent.id, kind, code, name, path: unit.path, depth: unit.depth, sort });
    placed.set(code, unit);
    return unit;
  };

  const addPerson = (unitCode: string, positionCode: string, head: boolean, contractor?: { unitId: string; no: string }): PersonRow => {
    const unit = placed.get(unitCode);
    const pos = positionSpecs.get(positionCode);
    const positionId = positionIds.get(positionCode);
    if (!unit || !pos || !positionId) throw new Error(`demo spec: unknown unit ${unitCode} or position ${positionCode}`);
    const gender = rng.chance(pos.female) ? 'female' : 'male';
    const row: PersonRow = {
      id: newId(),
      tenantId,
      orgUnitId: unit.id,
      kind: contractor ? 'contractor' : 'employee',
      employeeNo: contractor ? contractor.no : `${spec.employeeNoPrefix}${String(++employeeSeq + 10_000)}`,
      name: uniqueName(rng, gender, takenNames),
      phone: uniqueMobile(rng, input.takenPhones),
      gender,
      positionId,
      contractorUnitId: contractor?.unitId ?? null,
      hireDate: contractor ? dateBetween(rng, CONTRACT[0], CONTRACT[1]) : dateBetween(rng, pos.hired[0], pos.hired[1]),
    };
    peopleRows.push(row);
    if (contractor) counts.contractorWorkers++;
    else counts.employees++;
    if (head) heads.set(unitCode, row.id);
    else if (!firstByPosition.has(`${unitCode}|${positionCode}`)) firstByPosition.set(`${unitCode}|${positionCode}`, row.id);
    return row;
  };

  const staff = (unitCode: string, staffing: Staffing) => {
    for (const [position, n] of staffing) for (let i = 0; i < n; i++) addPerson(unitCode, position, false);
  };

  const setManager = (unitId: string, personId: string) => {
    const row = units.find((u) => u.id === unitId);
    if (row) row.managerPersonId = personId;
  };

  const addUnitTree = (u: UnitSpec, parentCode: string, sort: number) => {
    const unit = addUnit(u.code, u.name, u.kind, parentCode, sort);
    if (u.kind === 'plant') counts.plants++;
    else if (u.kind === 'workshop') counts.workshops++;
    else counts.departments++;
    setManager(unit.id, addPerson(u.code, u.head, true).id);
    staff(u.code, u.staff);
    (u.teams ?? []).forEach((t, i) => {
      const teamUnit = addUnit(t.code, t.name, 'team', u.code, i + 1);
      counts.teams++;
      // The team leader (班组长) heads the team and works in it.
      setManager(teamUnit.id, addPerson(t.code, 'LEADER', true).id);
      staff(t.code, t.members);
    });
    (u.units ?? []).forEach((child, i) => addUnitTree(child, u.code, i + 1));
  };

  // The first of the leadership (总经理) heads the company.
  spec.leadership.forEach(([position, n], i) => {
    for (let k = 0; k < n; k++) addPerson(spec.code, position, i === 0 && k === 0);
  });
  spec.units.forEach((u, i) => addUnitTree(u, spec.code, i + 1));

  spec.contractors.forEach((c, i) => {
    const unit = addUnit(c.code, c.name, 'contractor', spec.code, 100 + i);
    counts.contractors++;
    let seq = 0;
    const no = () => `${c.workerNoPrefix}${String(++seq).padStart(3, '0')}`;
    setManager(unit.id, addPerson(c.code, c.head, true, { unitId: unit.id, no: no() }).id);
    for (const [position, n] of c.workers) {
      for (let k = 0; k < n; k++) {
        const worker = addPerson(c.workingIn ?? c.code, position, false, { unitId: unit.id, no: no() });
        // Indexed under the contractor too, so a login can be picked as "a welder of 江苏安建".
        if (c.workingIn && !firstByPosition.has(`${c.code}|${position}`)) firstByPosition.set(`${c.code}|${position}`, worker.id);
      }
    }
  });

  const byId = new Map(peopleRows.map((p) => [p.id, p]));
  const select = (s: PersonSelector): PersonRow => {
    const id = 'head' in s ? heads.get(s.unit) : firstByPosition.get(`${s.unit}|${s.position}`);
    const person = id ? byId.get(id) : undefined;
    if (!person) throw new Error(`demo spec: no person for ${JSON.stringify(s)}`);
    return person;
  };
  const logins = spec.logins.map((l) => {
    const p = select(l.person);
    const user: UserRow = {
      id: newId(),
      tenantId,
      orgUnitId: p.orgUnitId ?? null,
      personId: p.id,
      username: l.username,
      phone: p.phone ?? null,
      displayName: p.name,
      passwordHash: input.passwordHash,
    };
    return { user, role: l.role };
  });
  counts.logins = logins.length;

  return { positions: positionRows, units, rootManagerPersonId: heads.get(spec.code) ?? null, people: peopleRows, logins, counts };
}
