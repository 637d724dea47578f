import { and, asc, eq, inArray, isNull } from 'drizzle-orm';
import type { Ctx } from '../../platform/auth/actor.ts';
import { requirePermission } from '../../platform/auth/scope.ts';
import type { Tx } from '../../platform/db/client.ts';
import { openHazardCountsByArea, recentHazardsOfArea, type AreaHazardRef } from '../hazards/areaCounts.ts';
import { recentChecksOfMeasures, type MeasureCheckRef } from '../inspections/measureChecks.ts';
import { activePermitsByArea, type AreaPermitRef } from '../permits/areaMarkers.ts';
import { ensureRiskDefaults } from './defaults.ts';
import { listMapRows, loadArea, loadMap, type RiskMapAreaRow, type RiskMapRow } from './maps.ts';
import { riskPermissions as P } from './permissions.ts';
import { riskControlMeasures, riskEvents, riskLevels, riskMapAreas, riskMethods, riskSettings, riskUnits, type MapPoint, type RiskLevel } from './schema.ts';
import { riskLevelsOfUnits } from './service.ts';

/**
 * What the four-colour map shows: each area coloured by the highest current level of its risk units (the
 * latest assessment of each event, residual once assessed after controls), with the colour of that level
 * from the tenant's default method as configured *now* — a colour change in the configuration recolours
 * the map at once — and the open hazards and the permits at work (active or suspended) of the area as markers.
 *
 * Reading is open to risk:read across the company: the map is the 风险告知 everybody on site should see.
 * The permit markers and the recent checks are the exception: they come narrowed to the reader's own
 * permit:read / inspection:read scope (a permit's details are not the site's notice board).
 */

const levelRank: Record<RiskLevel, number> = { major: 4, serious: 3, general: 2, low: 1 };

export interface MapSummary {
  id: string;
  name: string;
  orgUnitId: string | null;
  imageFileId: string | null;
  width: number;
  height: number;
  sort: number;
  archivedAt: string | null;
  version: number;
}

export interface AreaView {
  id: string;
  mapId: string;
  name: string;
  polygon: MapPoint[];
  riskUnitIds: string[];
  orgUnitId: string | null;
  sort: number;
  version: number;
  level: RiskLevel | null;
  colour: string | null;
  eventCount: number;
  openHazards: number;
  /** Active and suspended permits in the area's org unit or below that the reader may see (at most 20). */
  permits: AreaPermitMarker[];
}

export type AreaPermitMarker = Pick<AreaPermitRef, 'id' | 'number' | 'type' | 'status'>;

export interface LevelLegend {
  level: RiskLevel;
  colour: string;
  labelZh: string;
  labelEn: string;
}

export interface MapView {
  map: MapSummary;
  legend: LevelLegend[];
  areas: AreaView[];
}

export const mapSummary = (m: RiskMapRow): MapSummary => ({
  id: m.id,
  name: m.name,
  orgUnitId: m.orgUnitId,
  imageFileId: m.imageFileId,
  width: m.width,
  height: m.height,
  sort: m.sort,
  archivedAt: m.archivedAt?.toISOString() ?? null,
  version: m.version,
});

const areaBase = (a: RiskMapAreaRow) => ({ id: a.id, mapId: a.mapId, name: a.name, polygon: a.polygon, riskUnitIds: a.riskUnitIds, orgUnitId: a.orgUnitId, sort: a.sort, version: a.version });

const levelNames: LevelLegend[] = [
  { level: 'major', colour: '#e63031', labelZh: '重大风险', labelEn: 'Major risk' },
  { level: 'serious', colour: '#f48400', labelZh: '较大风险', labelEn: 'Serious risk' },
  { level: 'general', colour: '#f1dd00', labelZh: '一般风险', labelEn: 'General risk' },
  { level: 'low', colour: '#00b0f0', labelZh: '低风险', labelEn: 'Low risk' },
];

/** Level → colour from the tenant's default method's bands (tenant configuration), with the level's name. */
export async function levelLegend(tx: Tx, tenantId: string): Promise<LevelLegend[]> {
  await ensureRiskDefaults(tx, tenantId);
  const [settings] = await tx.select().from(riskSettings).where(eq(riskSettings.tenantId, tenantId));
  const [method] = settings
    ? await tx
        .select({ bands: riskMethods.bands })
        .from(riskMethods)
        .where(and(eq(riskMethods.tenantId, tenantId), eq(riskMethods.code, settings.defaultMethodCode)))
    : [];
  return riskLevels.map((level) => {
    const band = method?.bands.find((b) => b.level === level);
    const fallback = levelNames.find((l) => l.level === level) as LevelLegend;
    // Level names are fixed (重大/较大/一般/低风险); a band's label describes the score range (e.g. LEC's 极其危险).
    return band ? { ...fallback, colour: band.colour } : fallback;
  });
}

export async function listRiskMaps(ctx: Ctx, includeArchived = false): Promise<{ items: MapSummary[] }> {
  requirePermission(ctx.actor, P.read);
  return ctx.db.read(async (tx) => ({ items: (await listMapRows(tx, ctx.actor.tenantId, includeArchived)).map(mapSummary) }));
}

export async function getRiskMap(ctx: Ctx, id: string): Promise<MapSummary> {
  requirePermission(ctx.actor, P.read);
  return ctx.db.read(async (tx) => mapSummary(await loadMap(tx, ctx.actor.tenantId, id)));
}

export async function getMapArea(ctx: Ctx, id: string): Promise<ReturnType<typeof areaBase>> {
  requirePermission(ctx.actor, P.read);
  return ctx.db.read(async (tx) => areaBase(await loadArea(tx, ctx.actor.tenantId, id)));
}

/** `GET /risks/maps/:id/view`: the map, its legend and each active area with level, colour and hazard count. */
export async function riskMapView(ctx: Ctx, id: string): Promise<MapView> {
  requirePermission(ctx.actor, P.read);
  const tenantId = ctx.actor.tenantId;
  // A transaction, not a read: the legend seeds the tenant's defaults on first use.
  return ctx.db.tx(async (tx) => {
    const map = await loadMap(tx, tenantId, id);
    const legend = await levelLegend(tx, tenantId);
    const areas = await tx
      .select()
      .from(riskMapAreas)
      .where(and(eq(riskMapAreas.tenantId, tenantId), eq(riskMapAreas.mapId, map.id), isNull(riskMapAreas.archivedAt)))
      .orderBy(asc(riskMapAreas.sort), asc(riskMapAreas.name));
    const levels = await riskLevelsOfUnits(tx, tenantId, areas.flatMap((a) => a.riskUnitIds));
    const areaUnits = areas.flatMap((a) => (a.orgUnitId ? [a.orgUnitId] : []));
    const hazardCounts = await openHazardCountsByArea(tx, tenantId, areaUnits);
    const permits = await activePermitsByArea(tx, ctx.actor, areaUnits);
    return {
      map: mapSummary(map),
      legend,
      areas: areas.map((a) => {
        const mine = levels.filter((l) => a.riskUnitIds.includes(l.unitId));
        const top = mine.reduce<RiskLevel | null>((best, l) => (l.highestLevel && (!best || levelRank[l.highestLevel] > levelRank[best]) ? l.highestLevel : best), null);
        return {
          ...areaBase(a),
          level: top,
          colour: top ? (legend.find((l) => l.level === top)?.colour ?? null) : null,
          eventCount: mine.reduce((n, l) => n + l.eventCount, 0),
          openHazards: a.orgUnitId ? (hazardCounts.get(a.orgUnitId) ?? 0) : 0,
          permits: a.orgUnitId ? (permits.get(a.orgUnitId) ?? []).map((p) => ({ id: p.id, number: p.number, type: p.type, status: p.status })) : [],
        };
      }),
    };
  });
}

export interface AreaDrillDown {
  area: ReturnType<typeof areaBase>;
  events: {
    id: string;
    name: string;
    unitId: string;
    unitName: string;
    consequences: string | null;
    level: RiskLevel | null;
    colour: string | null;
    score: number | null;
    kind: string | null;
    measures: { id: string; description: string; classify1: string; troubleshootContent: string; checkCycle: number; checkCycleUnit: string; recentChecks: MeasureCheckRef[] }[];
  }[];
  hazards: AreaHazardRef[];
  permits: AreaPermitRef[];
}

/**
 * `GET /risks/maps/areas/:id/drilldown`: area → risk events (highest first) → control measures → their
 * latest checks (with the hazards those raised), the area's recent hazards and its permits at work.
 */
export async function areaDrillDown(ctx: Ctx, id: string): Promise<AreaDrillDown> {
  requirePermission(ctx.actor, P.read);
  const tenantId = ctx.actor.tenantId;
  return ctx.db.tx(async (tx) => {
    const area = await loadArea(tx, tenantId, id);
    const legend = await levelLegend(tx, tenantId);
    const ids = area.riskUnitIds;
    const events = ids.length
      ? await tx
          .select({ e: riskEvents, unitName: riskUnits.name })
          .from(riskEvents)
          .innerJoin(riskUnits, eq(riskUnits.id, riskEvents.unitId))
          .where(and(eq(riskEvents.tenantId, tenantId), inArray(riskEvents.unitId, ids), isNull(riskEvents.archivedAt), isNull(riskUnits.archivedAt)))
      : [];
    const measures = events.length
      ? await tx
          .select()
          .from(riskControlMeasures)
          .where(and(eq(riskControlMeasures.tenantId, tenantId), inArray(riskControlMeasures.eventId, events.map((r) => r.e.id)), isNull(riskControlMeasures.archivedAt)))
          .orderBy(asc(riskControlMeasures.createdAt))
      : [];
    const recent = area.orgUnitId ? await recentHazardsOfArea(tx, tenantId, area.orgUnitId, 10) : [];
    const checks = await recentChecksOfMeasures(tx, ctx.actor, measures.map((m) => m.id), ctx.now(), 3);
    const permits = area.orgUnitId ? ((await activePermitsByArea(tx, ctx.actor, [area.orgUnitId])).get(area.orgUnitId) ?? []) : [];
    const rank = (l: RiskLevel | null) => (l ? levelRank[l] : 0);
    return {
      area: areaBase(area),
      events: events
        .sort((a, b) => rank(b.e.currentLevel) - rank(a.e.currentLevel) || a.e.name.localeCompare(b.e.name))
        .map(({ e, unitName }) => ({
          id: e.id,
          name: e.name,
          unitId: e.unitId,
          unitName,
          consequences: e.consequences,
          level: e.currentLevel,
          colour: e.currentLevel ? (legend.find((l) => l.level === e.currentLevel)?.colour ?? null) : null,
          score: e.currentScore,
          kind: e.currentKind,
          measures: measures
            .filter((m) => m.eventId === e.id)
            .map((m) => ({ id: m.id, description: m.description, classify1: m.classify1, troubleshootContent: m.troubleshootContent, checkCycle: m.checkCycle, checkCycleUnit: m.checkCycleUnit, recentChecks: checks.get(m.id) ?? [] })),
        })),
      hazards: recent,
      permits,
    };
  });
}
