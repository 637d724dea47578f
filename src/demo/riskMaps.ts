import { Readable } from 'node:stream';
import { and, asc, eq, inArray, isNull } from 'drizzle-orm';
import type { Tx } from '../platform/db/client.ts';
import { newId } from '../platform/db/columns.ts';
import { files } from '../platform/files/schema.ts';
import { THUMB_MAX_PX } from '../platform/files/service.ts';
import type { BlobStore } from '../platform/files/storage.ts';
import { orgUnits } from '../platform/org/schema.ts';
import { findCjkFont } from '../platform/pdf/fonts.ts';
import { riskMapAreas, riskMaps, riskObjects, riskUnits, type MapPoint } from '../modules/risks/schema.ts';

/**
 * The four-colour map of every demo plant: one site plan drawn here as SVG (buildings on a 4 × 4 grid,
 * roads, a gate, labels; no binary assets in the repository), rendered once to PNG by sharp and stored
 * content-addressed, and per plant a map whose areas are the buildings, each linked to one risk unit of
 * the plant's register — so the map shows red, orange, yellow and blue areas as the register grades them.
 */

export const PLAN_W = 1600;
export const PLAN_H = 1000;
const COLS = 4;
const ROWS = 4;
const MARGIN_X = 110;
const MARGIN_Y = 90;
const ROAD = 70;
const CELL_W = (PLAN_W - 2 * MARGIN_X - (COLS - 1) * ROAD) / COLS;
const CELL_H = (PLAN_H - 2 * MARGIN_Y - (ROWS - 1) * ROAD) / ROWS;

/** Building i (row-major) as pixel rectangle; odd ones are L-shaped so the map is not a chessboard. */
function building(i: number): [number, number][] {
  const c = i % COLS;
  const r = Math.floor(i / COLS);
  const x = MARGIN_X + c * (CELL_W + ROAD);
  const y = MARGIN_Y + r * (CELL_H + ROAD);
  if (i % 3 !== 1) {
    return [
      [x, y],
      [x + CELL_W, y],
      [x + CELL_W, y + CELL_H],
      [x, y + CELL_H],
    ];
  }
  const notchW = CELL_W * 0.35;
  const notchH = CELL_H * 0.4;
  return [
    [x, y],
    [x + CELL_W - notchW, y],
    [x + CELL_W - notchW, y + notchH],
    [x + CELL_W, y + notchH],
    [x + CELL_W, y + CELL_H],
    [x, y + CELL_H],
  ];
}

export const DEMO_MAP_BUILDINGS = COLS * ROWS;

/** The polygon of building i in normalized points (what a map area stores). */
export function buildingPolygon(i: number): MapPoint[] {
  return building(i).map(([x, y]) => [Math.round((x / PLAN_W) * 1e6) / 1e6, Math.round((y / PLAN_H) * 1e6) / 1e6]);
}

export function floorPlanSvg(cjk: boolean): string {
  const font = cjk ? "'Noto Sans CJK SC', 'Noto Sans SC', sans-serif" : "'DejaVu Sans', sans-serif";
  const roads: string[] = [];
  for (let c = 1; c < COLS; c++) roads.push(`<rect x="${MARGIN_X + c * (CELL_W + ROAD) - ROAD}" y="40" width="${ROAD}" height="${PLAN_H - 80}" fill="#d5d5d5"/>`);
  for (let r = 1; r < ROWS; r++) roads.push(`<rect x="40" y="${MARGIN_Y + r * (CELL_H + ROAD) - ROAD}" width="${PLAN_W - 80}" height="${ROAD}" fill="#d5d5d5"/>`);
  const houses = Array.from({ length: DEMO_MAP_BUILDINGS }, (_, i) => {
    const pts = building(i);
    const [x, y] = pts[0]!;
    const label = cjk ? `${i + 1}号厂房` : `Building ${i + 1}`;
    return `<polygon points="${pts.map((p) => p.join(',')).join(' ')}" fill="#f4f1ea" stroke="#5b5b5b" stroke-width="4"/>
      <text x="${x + 16}" y="${y + CELL_H - 18}" font-family="${font}" font-size="24" fill="#444">${label}</text>`;
  }).join('');
  const gate = cjk ? '大门' : 'Gate';
  const north = cjk ? '北' : 'N';
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${PLAN_W}" height="${PLAN_H}" viewBox="0 0 ${PLAN_W} ${PLAN_H}">
    <rect width="${PLAN_W}" height="${PLAN_H}" fill="#e7efe3"/>
    <rect x="40" y="40" width="${PLAN_W - 80}" height="${PLAN_H - 80}" fill="#eef2ec" stroke="#7c8c74" stroke-width="6" stroke-dasharray="18 10"/>
    ${roads.join('')}
    ${houses}
    <rect x="${PLAN_W / 2 - 70}" y="${PLAN_H - 52}" width="140" height="24" fill="#7c8c74"/>
    <text x="${PLAN_W / 2}" y="${PLAN_H - 60}" text-anchor="middle" font-family="${font}" font-size="26" fill="#334">${gate}</text>
    <polygon points="${PLAN_W - 70},60 ${PLAN_W - 85},100 ${PLAN_W - 55},100" fill="#334"/>
    <text x="${PLAN_W - 70}" y="128" text-anchor="middle" font-family="${font}" font-size="24" fill="#334">${north}</text>
  </svg>`;
}

export interface DemoPlanBlob {
  sha256: string;
  size: number;
  thumbSha256: string;
}

/** Renders the site plan once (PNG + WebP thumbnail) and stores it; content-addressed, so reruns add nothing. */
export async function storeDemoFloorPlan(store: BlobStore): Promise<DemoPlanBlob> {
  const { default: sharp } = await import('sharp');
  const png = await sharp(Buffer.from(floorPlanSvg(findCjkFont() !== null))).png({ compressionLevel: 6 }).toBuffer();
  const thumb = await sharp(png).resize(THUMB_MAX_PX, THUMB_MAX_PX, { fit: 'inside' }).webp({ quality: 80 }).toBuffer();
  const blob = await store.put(Readable.from([png]));
  const thumbBlob = await store.put(Readable.from([thumb]));
  return { sha256: blob.sha256, size: blob.size, thumbSha256: thumbBlob.sha256 };
}

/** One map per plant of the tenant, its buildings linked to the plant's risk units in register order. */
export async function seedDemoRiskMaps(tx: Tx, tenantId: string, now: Date, plan: DemoPlanBlob | null): Promise<{ maps: number; areas: number }> {
  const plants = await tx
    .select()
    .from(orgUnits)
    .where(and(eq(orgUnits.tenantId, tenantId), eq(orgUnits.kind, 'plant')))
    .orderBy(asc(orgUnits.code));
  if (plants.length === 0) return { maps: 0, areas: 0 };
  let fileId: string | null = null;
  if (plan) {
    fileId = newId();
    await tx.insert(files).values({ id: fileId, tenantId, sha256: plan.sha256, size: plan.size, mime: 'image/png', kind: 'image', originalName: 'demo-site-plan.png', width: PLAN_W, height: PLAN_H, thumbSha256: plan.thumbSha256, createdAt: now });
  }
  // Risk units by their object's code (`<plant>-FX-01` …): the register order, so each plant's map is alike.
  const units = await tx
    .select({ id: riskUnits.id, name: riskUnits.name, orgUnitId: riskUnits.orgUnitId, code: riskObjects.code })
    .from(riskUnits)
    .innerJoin(riskObjects, eq(riskObjects.id, riskUnits.objectId))
    .where(and(eq(riskUnits.tenantId, tenantId), isNull(riskUnits.archivedAt), inArray(riskObjects.code, plants.flatMap((p) => Array.from({ length: DEMO_MAP_BUILDINGS }, (_, i) => `${p.code}-FX-${String(i + 1).padStart(2, '0')}`)))))
    .orderBy(asc(riskObjects.code));
  const base = { tenantId, createdAt: now, updatedAt: now };
  const maps: (typeof riskMaps.$inferInsert)[] = [];
  const areas: (typeof riskMapAreas.$inferInsert)[] = [];
  plants.forEach((plant, p) => {
    const mine = units.filter((u) => u.code.startsWith(`${plant.code}-FX-`));
    if (mine.length === 0) return;
    const mapId = newId();
    maps.push({ id: mapId, ...base, orgUnitId: plant.id, name: `${plant.name}平面图`, imageFileId: fileId, width: PLAN_W, height: PLAN_H, sort: p });
    mine.slice(0, DEMO_MAP_BUILDINGS).forEach((u, i) => {
      areas.push({ id: newId(), ...base, orgUnitId: u.orgUnitId, mapId, name: u.name, polygon: buildingPolygon(i), riskUnitIds: [u.id], sort: i });
    });
  });
  if (maps.length > 0) await tx.insert(riskMaps).values(maps);
  if (areas.length > 0) await tx.insert(riskMapAreas).values(areas);
  return { maps: maps.length, areas: areas.length };
}
