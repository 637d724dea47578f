import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog } from '../../platform/audit/schema.ts';
import { newId } from '../../platform/db/columns.ts';
import { files } from '../../platform/files/schema.ts';
import { findCjkFont } from '../../platform/pdf/fonts.ts';
import { createTestApp, type TestApp } from '../../test/app.ts';
import type { AreaDrillDown, MapSummary, MapView } from './mapView.ts';
import type { ConfigResponse, EventDetailT, MethodT } from './routes.ts';
import { makeRegister, seedRiskCompany, type Seed } from './testSupport.ts';

const PUBLIC_URL = 'https://safety.example.com';
const hasPdfText = (() => {
  try {
    execFileSync('which', ['pdftotext'], { stdio: 'ignore' });
    return findCjkFont() !== null;
  } catch {
    return false;
  }
})();

let t: TestApp;
let s: Seed;

beforeAll(async () => {
  t = await createTestApp({ RATE_LIMIT_PER_MINUTE: '100000', PUBLIC_URL });
  s = await seedRiskCompany(t);
});
afterAll(() => t.close());

const square = [
  [0.1, 0.1],
  [0.4, 0.1],
  [0.4, 0.4],
  [0.1, 0.4],
];

async function fileRow(kind: 'image' | 'pdf', size = 1000): Promise<string> {
  const id = newId();
  await t.db.tx((tx) =>
    tx.insert(files).values({ id, tenantId: s.tenant.id, sha256: 'a'.repeat(64), size, mime: kind === 'image' ? 'image/png' : 'application/pdf', kind, width: 1200, height: 800, createdAt: new Date() }),
  );
  return id;
}

async function newMap(): Promise<MapSummary> {
  const res = await s.as.safety.post<MapSummary>('/api/v1/risks/maps', { name: '一号厂区', orgUnitId: s.workshop.id, imageFileId: await fileRow('image') });
  expect(res.statusCode, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

const assess = async (eventId: string, factors: Record<string, number>) => {
  const res = await s.as.safety.post(`/api/v1/risks/events/${eventId}/assessments`, { methodCode: 'lec', kind: 'inherent', factors });
  expect(res.statusCode, JSON.stringify(res.body)).toBe(201);
};

describe('four-colour map', () => {
  it('colours an area by the highest level of its units (red + blue → red), from the configured colours', async () => {
    const map = await newMap();
    expect(map).toMatchObject({ width: 1200, height: 800, version: 1 });
    const r = await makeRegister(s);
    await assess(r.event.id, { L: 6, E: 6, C: 15 }); // 540 → major / red
    const low = await s.as.safety.post<EventDetailT>('/api/v1/risks/events', { unitId: r.unit.id, name: '地面湿滑摔倒' });
    expect(low.statusCode).toBe(201);
    await assess(low.body.id, { L: 1, E: 1, C: 1 }); // 1 → low / blue
    const blueOnly = await makeRegister(s);
    await assess(blueOnly.event.id, { L: 1, E: 1, C: 1 });

    const area = await s.as.safety.post<{ id: string; version: number }>(`/api/v1/risks/maps/${map.id}/areas`, { name: '焊接区', polygon: square, riskUnitIds: [r.unit.id], orgUnitId: s.workshop.id });
    expect(area.statusCode, JSON.stringify(area.body)).toBe(201);
    const blue = await s.as.safety.post<{ id: string }>(`/api/v1/risks/maps/${map.id}/areas`, { name: '仓库', polygon: square.map(([x, y]) => [x! + 0.5, y!]), riskUnitIds: [blueOnly.unit.id] });
    expect(blue.statusCode).toBe(201);

    const view = await s.as.worker.get<MapView>(`/api/v1/risks/maps/${map.id}/view`);
    expect(view.statusCode, JSON.stringify(view.body)).toBe(200);
    const byName = (v: MapView, name: string) => v.areas.find((a) => a.name === name)!;
    expect(byName(view.body, '焊接区')).toMatchObject({ level: 'major', colour: '#e63031', eventCount: 2, openHazards: 0 });
    expect(byName(view.body, '仓库')).toMatchObject({ level: 'low', colour: '#00b0f0' });
    expect(view.body.legend.map((l) => l.colour)).toEqual(['#e63031', '#f48400', '#f1dd00', '#00b0f0']);

    // The tenant changes the colour of 重大 in the method's bands: the map follows at once.
    const cfg = (await s.as.safety.get<ConfigResponse>('/api/v1/risks/config')).body;
    const lec = cfg.methods.find((m) => m.code === 'lec')!;
    const bands = lec.bands.map((b) => (b.level === 'major' ? { ...b, colour: '#aa0000' } : b));
    const edit = await s.as.safety.patch<MethodT>(`/api/v1/risks/config/methods/${lec.id}`, { bands, version: lec.version });
    expect(edit.statusCode, JSON.stringify(edit.body)).toBe(200);
    const after = await s.as.worker.get<MapView>(`/api/v1/risks/maps/${map.id}/view`);
    expect(byName(after.body, '焊接区').colour).toBe('#aa0000');
    expect(byName(after.body, '仓库').colour).toBe('#00b0f0');
    await s.as.safety.patch(`/api/v1/risks/config/methods/${lec.id}`, { bands: lec.bands, version: lec.version + 1 });

    // Drill-down: area → events (highest first) → measures.
    const drill = await s.as.worker.get<AreaDrillDown>(`/api/v1/risks/maps/areas/${area.body.id}/drilldown`);
    expect(drill.statusCode).toBe(200);
    expect(drill.body.events.map((e) => e.level)).toEqual(['major', 'low']);
    expect(drill.body.events[0]!.measures.map((m) => m.id)).toEqual([r.measure.id]);

    const audit = await t.db.read((tx) => tx.select().from(auditLog).where(and(eq(auditLog.entityId, area.body.id), eq(auditLog.action, 'risk.map_area_created'))));
    expect(audit).toHaveLength(1);
  });

  it('refuses bad polygons, changing nothing', async () => {
    const map = await newMap();
    const bad: unknown[] = [
      square.slice(0, 2),
      [...square.slice(0, 3), [1.2, 0.5]],
      [...square.slice(0, 3), [-0.1, 0.5]],
      Array.from({ length: 201 }, (_, i) => [i / 201, (i % 2) / 2]),
      [[0.1, 0.1], [0.2, 0.2], ['x', 0.3]],
      [[0.1, 0.1], [0.2], [0.3, 0.3]],
    ];
    for (const polygon of bad) {
      const res = await s.as.safety.post(`/api/v1/risks/maps/${map.id}/areas`, { name: '坏区', polygon });
      expect(res.statusCode, JSON.stringify(polygon).slice(0, 80)).toBe(400);
      expect(String(res.headers['content-type'])).toContain('application/problem+json');
    }
    const view = await s.as.safety.get<MapView>(`/api/v1/risks/maps/${map.id}/view`);
    expect(view.body.areas).toHaveLength(0);
  });

  it('refuses a non-image plan, a stale version, and hides another company’s map (404)', async () => {
    const pdf = await fileRow('pdf');
    const notImage = await s.as.safety.post('/api/v1/risks/maps', { name: 'x', orgUnitId: s.workshop.id, imageFileId: pdf });
    expect(notImage.statusCode).toBe(400);
    const huge = await s.as.safety.post('/api/v1/risks/maps', { name: 'x', orgUnitId: s.workshop.id, imageFileId: await fileRow('image', 50 * 1024 * 1024) });
    expect(huge.statusCode).toBe(400);

    const map = await newMap();
    const renamed = await s.as.safety.patch<MapSummary>(`/api/v1/risks/maps/${map.id}`, { name: '一号厂区（新）', version: 1 });
    expect(renamed.statusCode).toBe(200);
    expect(renamed.body.version).toBe(2);
    const stale = await s.as.safety.patch(`/api/v1/risks/maps/${map.id}`, { name: '旧', version: 1 });
    expect(stale.statusCode).toBe(409);
    const noVersion = await s.as.safety.patch(`/api/v1/risks/maps/${map.id}`, { name: '旧' });
    expect(noVersion.statusCode).toBe(428);

    for (const url of [`/api/v1/risks/maps/${map.id}`, `/api/v1/risks/maps/${map.id}/view`]) {
      expect((await s.as.stranger.get(url)).statusCode).toBe(404);
    }
    expect((await s.as.stranger.patch(`/api/v1/risks/maps/${map.id}`, { name: 'x', version: 2 })).statusCode).toBe(404);
    // A worker reads the map but cannot draw on it.
    expect((await s.as.worker.post(`/api/v1/risks/maps/${map.id}/areas`, { name: 'x', polygon: square })).statusCode).toBe(403);
  });

  it.skipIf(!hasPdfText)('prints a risk notice card per area: risks, consequences, controls, emergency measures, a QR code to the live area', async () => {
    const map = await newMap();
    const r = await makeRegister(s);
    await assess(r.event.id, { L: 6, E: 6, C: 15 });
    const area = await s.as.safety.post<{ id: string }>(`/api/v1/risks/maps/${map.id}/areas`, { name: '焊接区告知', polygon: square, riskUnitIds: [r.unit.id] });
    const res = await s.as.worker.get(`/api/v1/risks/maps/areas/${area.body.id}/notice-card.pdf`);
    expect(res.statusCode).toBe(200);
    expect(String(res.headers['content-type'])).toContain('application/pdf');
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'safeloop-card-')), 'card.pdf');
    fs.writeFileSync(file, res.raw);
    const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' }).replace(/[ \t]+/g, ' ');
    for (const want of ['风险告知卡', '焊接区告知', '重大风险', r.event.name, '中毒和窒息', '焊接烟尘净化器运行正常', '应急措施', '119']) expect(text).toContain(want);
    expect((await s.as.stranger.get(`/api/v1/risks/maps/areas/${area.body.id}/notice-card.pdf`)).statusCode).toBe(404);
  });
});
