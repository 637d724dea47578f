import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/app.ts';
import type { LiveMap } from './mapLive.ts';
import type { PointT } from './routes.ts';
import { addDevice, addRule, seedIot, uniqueCode, type IotSeed } from './testSupport.ts';

let t: TestApp;
let s: IotSeed;

beforeAll(async () => {
  t = await createTestApp({ RATE_LIMIT_PER_MINUTE: '100000' });
  s = await seedIot(t);
}, 240_000);
afterAll(() => t.close());

const square = (x: number, y: number, w: number): [number, number][] => [
  [x, y],
  [x + w, y],
  [x + w, y + w],
  [x, y + w],
];

describe('live values on the site map', () => {
  it('places each point in the deepest area of its org unit at the centroid, with its live value and alarm state', async () => {
    const map = await s.as.safety.post<{ id: string }>('/api/v1/risks/maps', { name: '一号厂区', orgUnitId: s.plant.id, width: 1200, height: 800 });
    expect(map.statusCode, JSON.stringify(map.body)).toBe(201);
    const shop = await s.as.safety.post<{ id: string }>(`/api/v1/risks/maps/${map.body.id}/areas`, { name: '装配车间', polygon: square(0.1, 0.1, 0.6), riskUnitIds: [], orgUnitId: s.workshop.id });
    expect(shop.statusCode, JSON.stringify(shop.body)).toBe(201);
    const team = await s.as.safety.post<{ id: string }>(`/api/v1/risks/maps/${map.body.id}/areas`, { name: '甲班', polygon: square(0.5, 0.5, 0.2), riskUnitIds: [], orgUnitId: s.team.id });
    expect(team.statusCode).toBe(201);

    const { device, token, points } = await addDevice(s, ['ch1', 'ch2']);
    await addRule(s, { pointId: points.ch1!.id, kind: 'high', limit: 25, severity: 'critical' });
    const post = await t.app.inject({ method: 'POST', url: '/api/v1/iot/readings', headers: { authorization: `Bearer ${token}` }, payload: { ts: t.clock.now.toISOString(), values: { ch1: 40, ch2: 12 } } });
    expect(post.statusCode, post.body).toBe(200);
    // A point of another workshop, which no area of this plan covers.
    const other = await s.as.safety.post<{ id: string }>('/api/v1/iot/devices', { code: uniqueCode('OD'), name: 'other', orgUnitId: s.otherTeam.id });
    expect((await s.as.safety.post<PointT>('/api/v1/iot/points', { deviceId: other.body.id, key: 'x', code: uniqueCode('OP'), name: 'other', type: 'gas_toxic', orgUnitId: s.otherTeam.id })).statusCode).toBe(201);
    expect(device.id).toBeTruthy();

    const live = await s.as.safety.get<LiveMap>(`/api/v1/iot/maps/${map.body.id}/live`);
    expect(live.statusCode, JSON.stringify(live.body)).toBe(200);
    expect(live.body.unplaced).toBe(1);
    const byName = (n: string) => live.body.areas.find((a) => a.name === n)!;
    expect(byName('装配车间').points).toHaveLength(0);
    const area = byName('甲班');
    expect(area.centroid).toEqual([0.6, 0.6]);
    expect(area.alarmState).toBe('active_unack');
    const p1 = area.points.find((p) => p.code === points.ch1!.code)!;
    const p2 = area.points.find((p) => p.code === points.ch2!.code)!;
    expect(p1).toMatchObject({ lastValue: 40, alarmState: 'active_unack', alarmSeverity: 'critical' });
    expect(p2).toMatchObject({ lastValue: 12, alarmState: 'normal' });
    // Two points of one area sit on a small ring around the centroid, inside the area.
    for (const p of [p1, p2]) {
      expect(p.x).toBeGreaterThan(0.5);
      expect(p.x).toBeLessThan(0.7);
      expect(p.y).toBeGreaterThan(0.5);
      expect(p.y).toBeLessThan(0.7);
    }
    expect([p1.x, p1.y]).not.toEqual([p2.x, p2.y]);

    const list = await s.as.leader.get<{ items: { id: string }[] }>('/api/v1/iot/maps');
    expect(list.body.items.map((m) => m.id)).toContain(map.body.id);
    expect((await s.as.leader.get('/api/v1/iot/maps/00000000-0000-7000-8000-000000000000/live')).statusCode).toBe(404);
  });
});
