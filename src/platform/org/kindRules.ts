import type { OrgUnitKind } from './schema.ts';

/**
 * Which kind of unit may sit directly under which. The company is only ever the root (created with the
 * tenant). Contractor companies hang off the company itself: they are outside the production line, and
 * their workers are placed in a workshop by their own `orgUnitId` when they work there.
 */
export const allowedParentKinds: Record<OrgUnitKind, readonly OrgUnitKind[]> = {
  company: [],
  plant: ['company'],
  department: ['company', 'plant', 'department'],
  workshop: ['plant'],
  team: ['workshop', 'department'],
  contractor: ['company'],
};

/** Null when `kind` may sit under `parentKind`, otherwise the reason (used as the validation message). */
export function kindPlacementProblem(kind: OrgUnitKind, parentKind: OrgUnitKind): string | null {
  const allowed = allowedParentKinds[kind];
  if (allowed.includes(parentKind)) return null;
  if (allowed.length === 0) return `a ${kind} can only be the root of the org tree`;
  return `a ${kind} must be placed under ${allowed.join(' or ')}, not under a ${parentKind}`;
}

/** zh-CN labels, used by the Excel template and accepted on import beside the English codes. */
export const orgKindLabels: Record<OrgUnitKind, { 'zh-CN': string; en: string }> = {
  company: { 'zh-CN': '公司', en: 'company' },
  plant: { 'zh-CN': '厂区', en: 'plant' },
  workshop: { 'zh-CN': '车间', en: 'workshop' },
  department: { 'zh-CN': '部门', en: 'department' },
  team: { 'zh-CN': '班组', en: 'team' },
  contractor: { 'zh-CN': '承包商', en: 'contractor' },
};
