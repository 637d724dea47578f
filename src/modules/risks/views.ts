import { and, eq, inArray } from 'drizzle-orm';
import type { Tx } from '../../platform/db/client.ts';
import { orgUnits, people, positions } from '../../platform/org/schema.ts';
import type { AssessmentRow } from './assess.ts';
import type { MeasureRow, RiskEventRow, RiskObjectRow, RiskUnitRow } from './store.ts';

/** API shapes of the register, with the names of the org units, people and positions they refer to. */

export interface Names {
  unit(id: string | null): string | null;
  person(id: string | null): string | null;
  position(id: string | null): string | null;
}

export async function loadNames(tx: Tx, tenantId: string, ids: { units?: (string | null)[]; people?: (string | null)[]; positions?: (string | null)[] }): Promise<Names> {
  const uniq = (xs: (string | null)[] = []) => [...new Set(xs.filter((v): v is string => v !== null))];
  const unitIds = uniq(ids.units);
  const personIds = uniq(ids.people);
  const positionIds = uniq(ids.positions);
  const units = unitIds.length ? await tx.select({ id: orgUnits.id, name: orgUnits.name }).from(orgUnits).where(and(eq(orgUnits.tenantId, tenantId), inArray(orgUnits.id, unitIds))) : [];
  const persons = personIds.length ? await tx.select({ id: people.id, name: people.name }).from(people).where(and(eq(people.tenantId, tenantId), inArray(people.id, personIds))) : [];
  const posts = positionIds.length ? await tx.select({ id: positions.id, name: positions.name }).from(positions).where(and(eq(positions.tenantId, tenantId), inArray(positions.id, positionIds))) : [];
  const map = (rows: { id: string; name: string }[]) => new Map(rows.map((r) => [r.id, r.name]));
  const u = map(units);
  const p = map(persons);
  const q = map(posts);
  return {
    unit: (id) => (id ? (u.get(id) ?? null) : null),
    person: (id) => (id ? (p.get(id) ?? null) : null),
    position: (id) => (id ? (q.get(id) ?? null) : null),
  };
}

const archiveView = (r: { archivedAt: Date | null; archiveReason: string | null }) => ({ archivedAt: r.archivedAt?.toISOString() ?? null, archiveReason: r.archiveReason });

export function objectView(r: RiskObjectRow, n: Names) {
  return {
    id: r.id,
    code: r.code,
    name: r.name,
    type: r.type,
    description: r.description,
    orgUnitId: r.orgUnitId,
    orgUnitName: n.unit(r.orgUnitId),
    ...archiveView(r),
    version: r.version,
  };
}
export type ObjectView = ReturnType<typeof objectView>;

export function unitView(r: RiskUnitRow, n: Names) {
  return {
    id: r.id,
    objectId: r.objectId,
    name: r.name,
    description: r.description,
    orgUnitId: r.orgUnitId,
    orgUnitName: n.unit(r.orgUnitId),
    responsiblePersonId: r.responsiblePersonId,
    responsiblePersonName: n.person(r.responsiblePersonId),
    ...archiveView(r),
    version: r.version,
  };
}
export type UnitView = ReturnType<typeof unitView>;

export function eventView(r: RiskEventRow, n: Names) {
  return {
    id: r.id,
    objectId: r.objectId,
    unitId: r.unitId,
    name: r.name,
    description: r.description,
    consequences: r.consequences,
    orgUnitId: r.orgUnitId,
    orgUnitName: n.unit(r.orgUnitId),
    currentAssessmentId: r.currentAssessmentId,
    currentKind: r.currentKind,
    currentScore: r.currentScore,
    currentLevel: r.currentLevel,
    currentColour: r.currentColour,
    currentControlLevels: r.currentControlLevels ?? [],
    assessedAt: r.assessedAt?.toISOString() ?? null,
    reassessDueAt: r.reassessDueAt?.toISOString() ?? null,
    ...archiveView(r),
    version: r.version,
  };
}
export type EventView = ReturnType<typeof eventView>;

export function measureView(r: MeasureRow, n: Names) {
  return {
    id: r.id,
    objectId: r.objectId,
    unitId: r.unitId,
    eventId: r.eventId,
    description: r.description,
    classify1: r.classify1,
    classify2: r.classify2,
    classify3: r.classify3,
    troubleshootContent: r.troubleshootContent,
    checkCycle: r.checkCycle,
    checkCycleUnit: r.checkCycleUnit,
    workDayType: r.workDayType,
    orgUnitId: r.orgUnitId,
    orgUnitName: n.unit(r.orgUnitId),
    responsiblePositionId: r.responsiblePositionId,
    responsiblePositionName: n.position(r.responsiblePositionId),
    responsiblePersonId: r.responsiblePersonId,
    responsiblePersonName: n.person(r.responsiblePersonId),
    dataSource: r.dataSource,
    ...archiveView(r),
    version: r.version,
  };
}
export type MeasureView = ReturnType<typeof measureView>;

export function assessmentView(r: AssessmentRow) {
  return {
    id: r.id,
    eventId: r.eventId,
    methodCode: r.methodCode,
    methodVersion: r.methodVersion,
    kind: r.kind,
    factors: r.factors,
    score: r.score,
    level: r.level,
    colour: r.colour,
    controlLevels: r.controlLevels,
    bandLabel: r.bandLabel,
    note: r.note,
    assessedBy: r.assessedBy,
    assessedByName: r.assessedByName,
    assessedAt: r.assessedAt.toISOString(),
    nextDueAt: r.nextDueAt.toISOString(),
  };
}
export type AssessmentView = ReturnType<typeof assessmentView>;

export const namesOfRows = (rows: { orgUnitId: string | null; responsiblePersonId?: string | null; responsiblePositionId?: string | null }[]) => ({
  units: rows.map((r) => r.orgUnitId),
  people: rows.map((r) => r.responsiblePersonId ?? null),
  positions: rows.map((r) => r.responsiblePositionId ?? null),
});
