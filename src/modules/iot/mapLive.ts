import { and, asc, eq, inArray, isNull } from 'drizzle-orm';
import type { Ctx } from '../../platform/auth/actor.ts';
import { requirePermission, scopeWhere } from '../../platform/auth/scope.ts';
import { orgUnits } from '../../platform/org/schema.ts';
import { listRiskMaps, riskMapView } from '../risks/mapView.ts';
import { iotPermissions as P } from './permissions.ts';
import { pointViews, type PointView } from './registry.ts';
import { iotPoints } from './schema.ts';

/**
 * Live values on the site plans of the risk module (四色图): each area of a plan with the points that
 * belong to it and their live value and alarm state, each point placed at the area's centroid (several
 * points of one area on a small ring around it). Read-only use of the risk module: its plan and areas come
 * from its own read functions; nothing of it is written.
 *
 * A point belongs to an area when it is linked to one of the area's risk units; otherwise when its org unit
 * is the area's org unit or lies below it (the deepest such area wins). Points in no area are counted as
 * `unplaced` so a plan that misses a workshop is visible.
 */

export interface LivePoint extends Pick<PointView, 'id' | 'code' | 'name' | 'type' | 'unit' | 'lastValue' | 'lastTs' | 'alarmState' | 'alarmSeverity' | 'deviceStatus' | 'rangeMin' | 'rangeMax'> {
  /** Position on the plan as fractions (0..1) of its width and height. */
  x: number;
  y: number;
}

export interface LiveArea {
  id: string;
  name: string;
  polygon: [number, number][];
  orgUnitId: string | null;
  centroid: [number, number];
  /** Worst alarm state among its points ('normal' without any). */
  alarmState: PointView['alarmState'];
  points: LivePoint[];
}

export interface LiveMap {
  map: { id: string; name: string; imageFileId: string | null; width: number; height: number };
  areas: LiveArea[];
  unplaced: number;
}

/** Area-weighted centroid of a polygon (shoelace); the vertex mean for degenerate shapes. */
export function polygonCentroid(pts: readonly [number, number][]): [number, number] {
  let a = 0;
  let cx = 0;
  let cy = 0;
  for (let i = 0; i < pts.length; i++) {
    const [x0, y0] = pts[i]!;
    const [x1, y1] = pts[(i + 1) % pts.length]!;
    const f = x0 * y1 - x1 * y0;
    a += f;
    cx += (x0 + x1) * f;
    cy += (y0 + y1) * f;
  }
  if (Math.abs(a) < 1e-12) {
    const n = Math.max(1, pts.length);
    return [pts.reduce((s, p) => s + p[0], 0) / n, pts.reduce((s, p) => s + p[1], 0) / n];
  }
  return [cx / (3 * a), cy / (3 * a)];
}

const rank: Record<PointView['alarmState'], number> = { normal: 0, active_ack: 1, cleared_unack: 2, active_unack: 3 };

export async function listLiveMaps(ctx: Ctx) {
  requirePermission(ctx.actor, P.read);
  return listRiskMaps(ctx);
}

export async function liveMap(ctx: Ctx, mapId: string): Promise<LiveMap> {
  requirePermission(ctx.actor, P.read);
  const view = await riskMapView(ctx, mapId);
  return ctx.db.read(async (tx) => {
    const rows = await tx
      .select()
      .from(iotPoints)
      .where(and(scopeWhere(ctx.actor, { tenantId: iotPoints.tenantId, orgUnitId: iotPoints.orgUnitId }), isNull(iotPoints.archivedAt)))
      .orderBy(asc(iotPoints.code))
      .limit(2000);
    const points = await pointViews(tx, rows);
    const unitIds = [...new Set([...view.areas.map((a) => a.orgUnitId), ...points.map((p) => p.orgUnitId)].filter((v): v is string => v !== null))];
    const paths = new Map((unitIds.length ? await tx.select({ id: orgUnits.id, path: orgUnits.path }).from(orgUnits).where(and(eq(orgUnits.tenantId, ctx.actor.tenantId), inArray(orgUnits.id, unitIds))) : []).map((u) => [u.id, u.path]));
    const byArea = new Map<string, PointView[]>(view.areas.map((a) => [a.id, []]));
    let unplaced = 0;
    for (const p of points) {
      let area = view.areas.find((a) => p.riskUnitIds.some((r) => a.riskUnitIds.includes(r)));
      if (!area && p.orgUnitId) {
        const pp = paths.get(p.orgUnitId) ?? '';
        let best = -1;
        for (const a of view.areas) {
          const ap = a.orgUnitId ? paths.get(a.orgUnitId) : undefined;
          if (ap && pp.startsWith(ap) && ap.length > best) {
            best = ap.length;
            area = a;
          }
        }
      }
      if (area) byArea.get(area.id)!.push(p);
      else unplaced++;
    }
    const areas: LiveArea[] = view.areas.map((a) => {
      const polygon = a.polygon;
      const c = polygonCentroid(polygon);
      const mine = byArea.get(a.id) ?? [];
      // A ring small against the plan (and against the area): markers stay inside a building's outline.
      const xs = polygon.map((p) => p[0]);
      const ys = polygon.map((p) => p[1]);
      const r = mine.length > 1 ? Math.min(0.04, (Math.max(...xs) - Math.min(...xs)) / 4, (Math.max(...ys) - Math.min(...ys)) / 4) : 0;
      const live: LivePoint[] = mine.map((p, i) => {
        const angle = (2 * Math.PI * i) / Math.max(1, mine.length) - Math.PI / 2;
        const round = (v: number) => Math.round(Math.min(1, Math.max(0, v)) * 1e4) / 1e4;
        return { id: p.id, code: p.code, name: p.name, type: p.type, unit: p.unit, lastValue: p.lastValue, lastTs: p.lastTs, alarmState: p.alarmState, alarmSeverity: p.alarmSeverity, deviceStatus: p.deviceStatus, rangeMin: p.rangeMin, rangeMax: p.rangeMax, x: round(c[0] + r * Math.cos(angle)), y: round(c[1] + r * Math.sin(angle)) };
      });
      const worst = mine.reduce<PointView['alarmState']>((w, p) => (rank[p.alarmState] > rank[w] ? p.alarmState : w), 'normal');
      return { id: a.id, name: a.name, polygon, orgUnitId: a.orgUnitId, centroid: [Math.round(c[0] * 1e4) / 1e4, Math.round(c[1] * 1e4) / 1e4], alarmState: worst, points: live };
    });
    return { map: { id: view.map.id, name: view.map.name, imageFileId: view.map.imageFileId, width: view.map.width, height: view.map.height }, areas, unplaced };
  });
}
