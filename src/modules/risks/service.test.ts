import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/app.ts';
import type { TreeT } from './routes.ts';
import { getControlMeasureRef, listActiveControlMeasures, riskLevelsOfUnits } from './service.ts';
import { makeRegister, seedRiskCompany, type Seed } from './testSupport.ts';

let t: TestApp;
let s: Seed;

beforeAll(async () => {
  t = await createTestApp({ RATE_LIMIT_PER_MINUTE: '100000' });
  s = await seedRiskCompany(t);
});
afterAll(() => t.close());

describe('the public API for inspections and the map', () => {
  it('pages through the active control measures of a tenant with what planning needs, and leaves archived ones out', async () => {
    const a = await makeRegister(s);
    const b = await makeRegister(s);
    const c = await makeRegister(s);
    await s.as.safety.post(`/api/v1/risks/events/${a.event.id}/assessments`, { methodCode: 'lec', kind: 'inherent', factors: { L: 6, E: 6, C: 15 } });
    await s.as.safety.post(`/api/v1/risks/measures/${c.measure.id}/archive`, { reason: '措施已合并', version: c.measure.version });

    const first = await t.db.read((tx) => listActiveControlMeasures(tx, s.tenant.id, { limit: 1 }));
    expect(first).toHaveLength(1);
    const rest = await t.db.read((tx) => listActiveControlMeasures(tx, s.tenant.id, { afterId: first[0]!.id, limit: 100 }));
    const all = [...first, ...rest];
    expect(all.map((m) => m.id)).toEqual([a.measure.id, b.measure.id]);
    expect(all[0]).toMatchObject({
      eventId: a.event.id,
      eventName: a.event.name,
      unitName: a.unit.name,
      objectCode: a.object.code,
      checkCycle: 1,
      checkCycleUnit: 'day',
      workDayType: 'workdays',
      orgUnitId: s.workshop.id,
      riskUnitOrgUnitId: s.workshop.id,
      eventLevel: 'major',
      archived: false,
    });
    // Another tenant sees none of them.
    expect(await t.db.read((tx) => listActiveControlMeasures(tx, s.other.tenant.id, { limit: 100 }))).toHaveLength(0);
    // One measure by id: archived ones too (a check history still points at them), another tenant's never.
    expect(await t.db.read((tx) => getControlMeasureRef(tx, s.tenant.id, c.measure.id))).toMatchObject({ id: c.measure.id, archived: true });
    expect(await t.db.read((tx) => getControlMeasureRef(tx, s.other.tenant.id, a.measure.id))).toBeNull();
  });

  it('gives each risk unit its highest current level and colour, and drills down one unit in the tree', async () => {
    const a = await makeRegister(s);
    const second = await s.as.safety.post<{ id: string }>('/api/v1/risks/events', { unitId: a.unit.id, name: '焊渣飞溅灼烫' });
    await s.as.safety.post(`/api/v1/risks/events/${a.event.id}/assessments`, { methodCode: 'lec', kind: 'inherent', factors: { L: 1, E: 6, C: 3 } });
    await s.as.safety.post(`/api/v1/risks/events/${second.body.id}/assessments`, { methodCode: 'lec', kind: 'inherent', factors: { L: 3, E: 6, C: 15 } });
    const empty = await makeRegister(s);
    const levels = await t.db.read((tx) => riskLevelsOfUnits(tx, s.tenant.id, [a.unit.id, empty.unit.id, 'not-a-uuid']));
    expect(levels).toEqual(
      expect.arrayContaining([
        { unitId: a.unit.id, highestLevel: 'serious', colour: '#f48400', eventCount: 2 },
        { unitId: empty.unit.id, highestLevel: null, colour: null, eventCount: 1 },
      ]),
    );
    expect(levels).toHaveLength(2);
    expect(await t.db.read((tx) => riskLevelsOfUnits(tx, s.other.tenant.id, [a.unit.id]))).toEqual([]);

    const tree = (await s.as.head.get<TreeT>(`/api/v1/risks/tree?unitId=${a.unit.id}`)).body;
    expect(tree.objects.map((o) => o.id)).toEqual([a.object.id]);
    expect(tree.objects[0]!.units.map((u) => u.id)).toEqual([a.unit.id]);
    expect(tree.objects[0]!.units[0]!.events.map((e) => e.name).sort()).toEqual([a.event.name, '焊渣飞溅灼烫'].sort());
    expect(tree.objects[0]!.highestLevel).toBe('serious');
  });
});
