import { and, asc, eq } from 'drizzle-orm';
import type { Ctx } from '../../platform/auth/actor.ts';
import { requirePermission, scopeWhere } from '../../platform/auth/scope.ts';
import { dayIn, tenantZone } from '../../platform/org/calendar.ts';
import { orgUnits, people } from '../../platform/org/schema.ts';
import { loadTypes } from './defaults.ts';
import { certificatesOf, courseDaysOf, evaluateCell, isGap, loadMatrixRows } from './matrix.ts';
import { trainingPermissions as P } from './permissions.ts';
import { recordsOf } from './records.ts';

/**
 * Training statistics per department for a year (the statistics page): coverage against the required-training
 * matrix — people who need something (their position has requirements) and how many of them have no gap —
 * and training hours per month from the records. A person counts in the department they belong to: the
 * nearest workshop, department or plant above (or at) their unit.
 */

export interface DepartmentOverview {
  orgUnitId: string;
  orgUnitName: string;
  people: number;
  /** People whose position has requirements in the matrix. */
  required: number;
  /** Of those, people with every requirement met today. */
  compliant: number;
  /** compliant / required in percent (100 when nobody needs anything). */
  coverage: number;
  /** People with at least one training record in the year. */
  trained: number;
  hours: number;
  /** Hours per month, January first. */
  monthlyHours: number[];
}

export async function trainingOverview(ctx: Ctx, year: number): Promise<{ year: number; checkedOn: string; items: DepartmentOverview[] }> {
  requirePermission(ctx.actor, P.read);
  return ctx.db.read(async (tx) => {
    const tenantId = ctx.actor.tenantId;
    const { timeZone } = await tenantZone(tx, tenantId);
    const today = dayIn(ctx.now(), timeZone);
    const units = await tx.select({ id: orgUnits.id, parentId: orgUnits.parentId, kind: orgUnits.kind, name: orgUnits.name }).from(orgUnits).where(eq(orgUnits.tenantId, tenantId));
    const unitById = new Map(units.map((u) => [u.id, u]));
    const deptOf = (unitId: string | null): string | null => {
      for (let u = unitId ? unitById.get(unitId) : undefined, guard = 0; u && guard < 50; u = u.parentId ? unitById.get(u.parentId) : undefined, guard++) {
        if (u.kind === 'workshop' || u.kind === 'department' || u.kind === 'plant' || u.kind === 'contractor') return u.id;
      }
      return unitId;
    };
    const persons = await tx
      .select({ id: people.id, orgUnitId: people.orgUnitId, positionId: people.positionId })
      .from(people)
      .where(and(scopeWhere(ctx.actor, { tenantId: people.tenantId, orgUnitId: people.orgUnitId, owners: [people.id] }), eq(people.status, 'active')))
      .orderBy(asc(people.employeeNo))
      .limit(50_000);
    const ids = persons.map((p) => p.id);
    const matrix = await loadMatrixRows(tx, tenantId, null);
    const types = new Map((await loadTypes(tx, tenantId)).map((t) => [t.id, t]));
    const certs = await certificatesOf(tx, tenantId, ids);
    const days = await courseDaysOf(tx, tenantId, ids, timeZone);
    const records = await recordsOf(tx, tenantId, ids);
    const by = new Map<string, DepartmentOverview>();
    for (const p of persons) {
      const dept = deptOf(p.orgUnitId);
      if (!dept) continue;
      const s = by.get(dept) ?? { orgUnitId: dept, orgUnitName: unitById.get(dept)?.name ?? '', people: 0, required: 0, compliant: 0, coverage: 100, trained: 0, hours: 0, monthlyHours: Array.from({ length: 12 }, () => 0) };
      s.people++;
      const reqs = matrix.filter((r) => r.positionId === p.positionId);
      if (reqs.length > 0) {
        s.required++;
        const facts = { certs: certs.get(p.id) ?? [], courseDays: days.get(p.id) ?? new Map<string, string>() };
        if (!reqs.some((r) => isGap(evaluateCell(r, facts, types, today).state))) s.compliant++;
      }
      let any = false;
      for (const r of records.get(p.id) ?? []) {
        const day = dayIn(new Date(r.at), timeZone);
        if (Number(day.slice(0, 4)) !== year) continue;
        any = true;
        s.hours += r.hours;
        s.monthlyHours[Number(day.slice(5, 7)) - 1]! += r.hours;
      }
      if (any) s.trained++;
      by.set(dept, s);
    }
    const items = [...by.values()].map((s) => ({ ...s, coverage: s.required === 0 ? 100 : Math.floor((s.compliant * 100) / s.required) }));
    return { year, checkedOn: today, items: items.sort((a, b) => a.orgUnitName.localeCompare(b.orgUnitName, 'zh-CN')) };
  });
}
