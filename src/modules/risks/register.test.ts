import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog } from '../../platform/audit/schema.ts';
import { outboxEvents } from '../../platform/events/schema.ts';
import { createTestApp, type TestApp } from '../../test/app.ts';
import type { EventDetailT, EventListItemT, MeasureT, RiskObjectT, RiskUnitT, TreeT } from './routes.ts';
import { riskControlMeasures, riskEvents, riskUnits } from './schema.ts';
import { makeRegister, seedRiskCompany, type Seed } from './testSupport.ts';

let t: TestApp;
let s: Seed;

beforeAll(async () => {
  t = await createTestApp({ RATE_LIMIT_PER_MINUTE: '100000' });
  s = await seedRiskCompany(t);
});
afterAll(() => t.close());

interface PageOf<T> {
  items: T[];
  nextCursor: string | null;
}

describe('the register chain', () => {
  it('creates object → unit → event → measure with names resolved, each audited and announced', async () => {
    const r = await makeRegister(s);
    expect(r.object).toMatchObject({ type: 'area', orgUnitId: s.workshop.id, orgUnitName: 'Assembly', version: 1, archivedAt: null });
    expect(r.unit).toMatchObject({ objectId: r.object.id, orgUnitId: s.workshop.id, responsiblePersonId: s.head.person.id, responsiblePersonName: s.head.person.name });
    expect(r.event).toMatchObject({ unitId: r.unit.id, objectId: r.object.id, orgUnitId: s.workshop.id, currentLevel: null, measures: [] });
    expect(r.measure).toMatchObject({ eventId: r.event.id, classify1: 'engineering', classify2: 'key_equipment', checkCycle: 1, checkCycleUnit: 'day', workDayType: 'workdays', orgUnitId: s.workshop.id, dataSource: 'manual' });
    for (const [id, action] of [
      [r.object.id, 'risk.object_created'],
      [r.unit.id, 'risk.unit_created'],
      [r.event.id, 'risk.event_created'],
      [r.measure.id, 'risk.measure_created'],
    ] as const) {
      expect(await t.db.read((tx) => tx.select().from(auditLog).where(and(eq(auditLog.entityId, id), eq(auditLog.action, action))))).toHaveLength(1);
      expect(await t.db.read((tx) => tx.select().from(outboxEvents).where(and(eq(outboxEvents.entityId, id), eq(outboxEvents.type, action))))).toHaveLength(1);
    }
    const detail = (await s.as.head.get<EventDetailT>(`/api/v1/risks/events/${r.event.id}`)).body;
    expect(detail.object?.code).toBe(r.object.code);
    expect(detail.unit?.name).toBe(r.unit.name);
    expect(detail.measures.map((m) => m.id)).toEqual([r.measure.id]);
  });

  it('refuses a classify2 that is not a child of classify1, and a duplicate object code', async () => {
    const r = await makeRegister(s);
    const bad = await s.as.safety.post<MeasureT>('/api/v1/risks/measures', {
      eventId: r.event.id,
      description: 'x',
      classify1: 'engineering',
      classify2: 'ppe',
      troubleshootContent: 'x',
      checkCycle: 1,
      checkCycleUnit: 'week',
      workDayType: 'every_day',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.body.errors?.[0]?.field).toBe('classify2');
    const cycle = await s.as.safety.post<MeasureT>('/api/v1/risks/measures', { eventId: r.event.id, description: 'x', classify1: 'engineering', troubleshootContent: 'x', checkCycle: 1, checkCycleUnit: 'fortnight', workDayType: 'every_day' });
    expect(cycle.statusCode).toBe(400);
    const dup = await s.as.safety.post<RiskObjectT>('/api/v1/risks/objects', { code: r.object.code, name: 'again', type: 'equipment', orgUnitId: s.workshop.id });
    expect(dup.statusCode).toBe(409);
    expect(dup.body.code).toBe('already_exists');
  });

  it('updates with the version (stale → 409, none → 428) and moving a unit moves its events’ scope', async () => {
    const r = await makeRegister(s);
    const ok = await s.as.safety.patch<EventDetailT>(`/api/v1/risks/events/${r.event.id}`, { name: '焊接烟尘职业危害', version: r.event.version });
    expect(ok.statusCode).toBe(200);
    expect(ok.body).toMatchObject({ name: '焊接烟尘职业危害', version: r.event.version + 1 });
    const stale = await s.as.safety.patch<EventDetailT>(`/api/v1/risks/events/${r.event.id}`, { name: 'stale', version: r.event.version });
    expect(stale.statusCode).toBe(409);
    expect(stale.body).toMatchObject({ code: 'version_conflict', currentVersion: r.event.version + 1 });
    const none = await s.as.safety.patch(`/api/v1/risks/events/${r.event.id}`, { name: 'no version' });
    expect(none.statusCode).toBe(428);
    const ifMatch = await s.as.safety.patch<MeasureT>(`/api/v1/risks/measures/${r.measure.id}`, { checkCycle: 2, checkCycleUnit: 'week' }, { 'if-match': `"${r.measure.version}"` });
    expect(ifMatch.statusCode).toBe(200);
    expect(ifMatch.body).toMatchObject({ checkCycle: 2, checkCycleUnit: 'week', version: r.measure.version + 1 });

    const moved = await s.as.safety.patch<RiskUnitT>(`/api/v1/risks/units/${r.unit.id}`, { orgUnitId: s.otherWorkshop.id, version: r.unit.version });
    expect(moved.statusCode).toBe(200);
    const [event] = await t.db.read((tx) => tx.select().from(riskEvents).where(eq(riskEvents.id, r.event.id)));
    expect(event!.orgUnitId).toBe(s.otherWorkshop.id);
    // Paint's head now sees it; Assembly still carries out the measure, so Assembly's head keeps seeing
    // the event through it (visibility runs up the chain), but may no longer edit it.
    expect((await s.as.otherHead.get(`/api/v1/risks/events/${r.event.id}`)).statusCode).toBe(200);
    expect((await s.as.head.get(`/api/v1/risks/events/${r.event.id}`)).statusCode).toBe(200);
    const headEdit = await s.as.head.patch(`/api/v1/risks/events/${r.event.id}`, { name: 'x', version: event!.version });
    expect(headEdit.statusCode).toBe(403);
  });

  it('archives with a reason instead of deleting, taking what hangs below along, and refuses changes afterwards', async () => {
    const r = await makeRegister(s);
    const noReason = await s.as.safety.post(`/api/v1/risks/units/${r.unit.id}/archive`, { version: r.unit.version });
    expect(noReason.statusCode).toBe(400);
    const res = await s.as.safety.post<RiskUnitT>(`/api/v1/risks/units/${r.unit.id}/archive`, { reason: '生产线拆除', version: r.unit.version });
    expect(res.statusCode).toBe(200);
    expect(res.body).toMatchObject({ archiveReason: '生产线拆除', version: r.unit.version + 1 });
    expect(res.body.archivedAt).not.toBeNull();
    const [unit] = await t.db.read((tx) => tx.select().from(riskUnits).where(eq(riskUnits.id, r.unit.id)));
    expect(unit).toBeDefined();
    const [event] = await t.db.read((tx) => tx.select().from(riskEvents).where(eq(riskEvents.id, r.event.id)));
    const [measure] = await t.db.read((tx) => tx.select().from(riskControlMeasures).where(eq(riskControlMeasures.id, r.measure.id)));
    expect(event!.archiveReason).toBe('生产线拆除');
    expect(measure!.archiveReason).toBe('生产线拆除');
    const audit = await t.db.read((tx) => tx.select().from(auditLog).where(and(eq(auditLog.entityId, r.unit.id), eq(auditLog.action, 'risk.unit_archived'))));
    expect(audit[0]!.after).toMatchObject({ archivedBelow: { units: 0, events: 1, measures: 1 } });
    const announced = await t.db.read((tx) => tx.select().from(outboxEvents).where(and(eq(outboxEvents.entityId, r.measure.id), eq(outboxEvents.type, 'risk.measure_archived'))));
    expect(announced.map((e) => e.payload)).toEqual([{ id: r.measure.id, eventId: r.event.id, withParent: true }]);
    const edit = await s.as.safety.patch(`/api/v1/risks/events/${r.event.id}`, { name: 'x', version: event!.version });
    expect(edit.statusCode).toBe(409);
    const list = (await s.as.safety.get<PageOf<EventListItemT>>(`/api/v1/risks/events?unitId=${r.unit.id}`)).body;
    expect(list.items).toHaveLength(0);
    const withArchived = (await s.as.safety.get<PageOf<EventListItemT>>(`/api/v1/risks/events?unitId=${r.unit.id}&includeArchived=true`)).body;
    expect(withArchived.items.map((e) => e.id)).toEqual([r.event.id]);
  });
});

describe('lists, tree and data scope', () => {
  it('filters events by level, department and object, and pages with a cursor', async () => {
    const a = await makeRegister(s);
    const b = await makeRegister(s, s.as.safety, { orgUnitId: s.otherWorkshop.id, responsiblePersonId: s.otherHead.person.id });
    await s.as.safety.post(`/api/v1/risks/events/${a.event.id}/assessments`, { methodCode: 'lec', kind: 'inherent', factors: { L: 6, E: 6, C: 15 } });
    await s.as.safety.post(`/api/v1/risks/events/${b.event.id}/assessments`, { methodCode: 'lec', kind: 'inherent', factors: { L: 1, E: 2, C: 7 } });
    const major = (await s.as.safety.get<PageOf<EventListItemT>>('/api/v1/risks/events?level=major&limit=200')).body.items.map((e) => e.id);
    expect(major).toContain(a.event.id);
    expect(major).not.toContain(b.event.id);
    const low = (await s.as.safety.get<PageOf<EventListItemT>>(`/api/v1/risks/events?level=low&orgUnitId=${s.otherWorkshop.id}`)).body.items;
    expect(low.map((e) => e.id)).toEqual([b.event.id]);
    expect(low[0]).toMatchObject({ objectCode: b.object.code, unitName: b.unit.name, measureCount: 1, currentColour: '#00b0f0' });
    const byObject = (await s.as.safety.get<PageOf<EventListItemT>>(`/api/v1/risks/events?objectId=${a.object.id}`)).body.items.map((e) => e.id);
    expect(byObject).toEqual([a.event.id]);
    const p1 = (await s.as.safety.get<PageOf<EventListItemT>>('/api/v1/risks/events?limit=1')).body;
    expect(p1.items).toHaveLength(1);
    const p2 = (await s.as.safety.get<PageOf<EventListItemT>>(`/api/v1/risks/events?limit=1&cursor=${p1.nextCursor}`)).body;
    expect(p2.items[0]!.id > p1.items[0]!.id).toBe(true);
    const forged = await s.as.safety.get('/api/v1/risks/events?cursor=eyJpZCI6Im5vIn0');
    expect(forged.statusCode).toBe(400);

    const tree = (await s.as.safety.get<TreeT>(`/api/v1/risks/tree?level=major`)).body;
    const obj = tree.objects.find((o) => o.id === a.object.id)!;
    expect(obj.highestLevel).toBe('major');
    expect(obj.units[0]!.events[0]!.measures.map((m) => m.id)).toEqual([a.measure.id]);
    expect(tree.objects.some((o) => o.id === b.object.id)).toBe(false);
  });

  it('narrows by data scope: a department head sees their department, a team leader what their team carries out, another company nothing', async () => {
    const a = await makeRegister(s);
    const b = await makeRegister(s, s.as.safety, { orgUnitId: s.otherWorkshop.id, responsiblePersonId: s.otherHead.person.id });
    const headTree = (await s.as.head.get<TreeT>('/api/v1/risks/tree')).body;
    expect(headTree.objects.some((o) => o.id === a.object.id)).toBe(true);
    expect(headTree.objects.some((o) => o.id === b.object.id)).toBe(false);
    expect((await s.as.head.get(`/api/v1/risks/events/${b.event.id}`)).statusCode).toBe(403);
    expect((await s.as.head.get(`/api/v1/risks/events/${b.event.id}`)).body).toMatchObject({ code: 'out_of_scope' });

    // The team leader sees nothing of Assembly's register until a measure is their team's to carry out.
    expect((await s.as.leader.get(`/api/v1/risks/events/${a.event.id}`)).statusCode).toBe(403);
    const give = await s.as.safety.patch<MeasureT>(`/api/v1/risks/measures/${a.measure.id}`, { orgUnitId: s.team.id, version: a.measure.version });
    expect(give.statusCode).toBe(200);
    expect((await s.as.leader.get(`/api/v1/risks/events/${a.event.id}`)).statusCode).toBe(200);
    const leaderTree = (await s.as.leader.get<TreeT>('/api/v1/risks/tree')).body;
    expect(leaderTree.objects.map((o) => o.id)).toEqual([a.object.id]);

    expect((await s.as.stranger.get(`/api/v1/risks/events/${a.event.id}`)).statusCode).toBe(404);
    expect((await s.as.stranger.get(`/api/v1/risks/objects/${a.object.id}`)).statusCode).toBe(404);
    expect((await s.as.stranger.get(`/api/v1/risks/measures/${a.measure.id}`)).statusCode).toBe(404);
    const strangerTree = (await s.as.stranger.get<TreeT>('/api/v1/risks/tree')).body;
    expect(strangerTree.objects).toHaveLength(0);
  });

  it('returns 403 for writes without risk:write and for another department’s records', async () => {
    const a = await makeRegister(s);
    expect((await s.as.auditor.post('/api/v1/risks/objects', { code: 'AUD-1', name: 'x', type: 'area', orgUnitId: s.workshop.id })).statusCode).toBe(403);
    expect((await s.as.worker.patch(`/api/v1/risks/events/${a.event.id}`, { name: 'x', version: 1 })).statusCode).toBe(403);
    expect((await s.as.auditor.get(`/api/v1/risks/events/${a.event.id}`)).statusCode).toBe(200);
    const other = await s.as.otherHead.post('/api/v1/risks/units', { objectId: a.object.id, name: 'x', orgUnitId: s.otherWorkshop.id });
    expect(other.statusCode).toBe(403);
    const outside = await s.as.head.post('/api/v1/risks/objects', { code: 'HEAD-OUT', name: 'x', type: 'area', orgUnitId: s.otherWorkshop.id });
    expect(outside.statusCode).toBe(400);
    expect(outside.body.errors?.[0]).toMatchObject({ field: 'orgUnitId', rule: 'scope' });
    expect((await s.as.stranger.patch(`/api/v1/risks/events/${a.event.id}`, { name: 'x', version: 1 })).statusCode).toBe(404);
  });
});
