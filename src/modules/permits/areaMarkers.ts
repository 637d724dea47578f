import { and, asc, eq, inArray, like, or, type SQL } from 'drizzle-orm';
import type { Actor } from '../../platform/auth/actor.ts';
import { can, scopeWhere } from '../../platform/auth/scope.ts';
import type { Tx } from '../../platform/db/client.ts';
import { orgUnits } from '../../platform/org/schema.ts';
import { permitPermissions as P } from './permissions.ts';
import { permits, type PermitStatus, type PermitType } from './schema.ts';

/**
 * Read-only view of the permits at work in an area, for other modules (the risk map's permit markers and
 * drill-down), so they need not know this module's tables. "At work" is active or suspended (a suspended
 * permit's work is stopped but its site is still set up: barriers, isolations, a guardian). An area
 * counts the permits placed in its org unit and in the units below it.
 *
 * Unlike the hazard counts this is narrowed to the reader: without `permit:read` nothing is returned, and
 * with it only the permits of the reader's data scope (or those they apply for or guard), as the permits
 * list would show them.
 */

const atWork: PermitStatus[] = ['active', 'suspended'];

export interface AreaPermitRef {
  id: string;
  number: string;
  type: PermitType;
  grade: string;
  status: PermitStatus;
  location: string;
  orgUnitId: string | null;
  validUntil: string;
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, '\\$&');

/**
 * Active and suspended permits in each of these org units or below, visible to `actor`, by area id (each
 * area's list ends by validity, soonest first, at most `limit` per area). Unknown ids map to an empty list.
 */
export async function activePermitsByArea(tx: Tx, actor: Actor, orgUnitIds: string[], limit = 20): Promise<Map<string, AreaPermitRef[]>> {
  const ids = [...new Set(orgUnitIds)];
  const out = new Map<string, AreaPermitRef[]>(ids.map((id) => [id, []]));
  if (ids.length === 0 || !can(actor, P.read)) return out;
  const areas = await tx
    .select({ id: orgUnits.id, path: orgUnits.path })
    .from(orgUnits)
    .where(and(eq(orgUnits.tenantId, actor.tenantId), inArray(orgUnits.id, ids)));
  if (areas.length === 0) return out;
  const under: SQL[] = areas.map((a) => like(orgUnits.path, `${escapeLike(a.path)}%`));
  const rows = await tx
    .select({
      id: permits.id,
      number: permits.number,
      type: permits.type,
      grade: permits.grade,
      status: permits.status,
      location: permits.location,
      orgUnitId: permits.orgUnitId,
      validUntil: permits.validUntil,
      path: orgUnits.path,
    })
    .from(permits)
    .innerJoin(orgUnits, eq(orgUnits.id, permits.orgUnitId))
    .where(
      and(
        scopeWhere(actor, { tenantId: permits.tenantId, orgUnitId: permits.orgUnitId, owners: [permits.applicantUserId, permits.applicantPersonId, permits.guardianPersonId] }),
        inArray(permits.status, atWork),
        or(...under),
      ),
    )
    .orderBy(asc(permits.validUntil), asc(permits.id))
    .limit(1000);
  for (const r of rows) {
    const ref: AreaPermitRef = { id: r.id, number: r.number, type: r.type, grade: r.grade, status: r.status, location: r.location, orgUnitId: r.orgUnitId, validUntil: r.validUntil.toISOString() };
    // A permit in a unit below several areas (nested areas) is shown on each of them.
    for (const a of areas) {
      const list = out.get(a.id);
      if (list && r.path.startsWith(a.path) && list.length < limit) list.push(ref);
    }
  }
  return out;
}
