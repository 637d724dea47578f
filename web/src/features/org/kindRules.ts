import type { OrgUnitKind } from './api.ts';

/**
 * Which kind of unit may sit directly under which — a copy of src/platform/org/kindRules.ts (the web app
 * imports no server code). The server checks again; this only keeps impossible choices out of the forms.
 */
export const allowedParentKinds: Record<OrgUnitKind, readonly OrgUnitKind[]> = {
  company: [],
  plant: ['company'],
  department: ['company', 'plant', 'department'],
  workshop: ['plant'],
  team: ['workshop', 'department'],
  contractor: ['company'],
};

/** Kinds that may be created under a unit of `parentKind`, most usual first. */
export function childKindsOf(parentKind: OrgUnitKind): OrgUnitKind[] {
  const order: OrgUnitKind[] = ['plant', 'workshop', 'team', 'department', 'contractor'];
  return order.filter((k) => allowedParentKinds[k].includes(parentKind));
}
