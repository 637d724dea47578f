import ExcelJS from 'exceljs';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog } from '../../platform/audit/schema.ts';
import { outboxEvents } from '../../platform/events/schema.ts';
import { createTestApp, seedSmallCompany, type TestApp } from '../../test/app.ts';
import { makeUser } from '../../test/factories.ts';
import type { EquipmentConfigT, EquipmentT, InspectionT } from './routes.ts';
import { addEquipment, makeFile, signIn, uniqueCode, seedEquipmentCompany, type Client, type Seed } from './testSupport.ts';

let t: TestApp;
let s: Seed;
let stranger: Client;
type Page = { items: EquipmentT[]; nextCursor: string | null };
const START = new Date('2026-12-01T02:00:00Z'); // 10:00 on 1 December in Shanghai

beforeAll(async () => {
  t = await createTestApp({ RATE_LIMIT_PER_MINUTE: '100000' });
  t.clock.now = START;
  s = await seedEquipmentCompany(t);
  const other = await seedSmallCompany(t);
  stranger = await signIn(t, (await makeUser(t.db, other.tenant.id, other.rootUnitId, ['safety_director'])).user);
});
afterAll(() => t.close());

describe('equipment register', () => {
  it('seeds the kinds dictionary with special-equipment defaults and the 30/7/0-day reminder thresholds', async () => {
    const r = await s.as.worker.get<EquipmentConfigT>('/api/v1/equipment/config');
    expect(r.statusCode).toBe(200);
    const crane = r.body.kinds.find((k) => k.code === 'crane');
    expect(crane).toMatchObject({ nameZh: '起重机械', special: true, inspectionIntervalMonths: 24 });
    expect(r.body.kinds.find((k) => k.code === 'forklift')).toMatchObject({ special: true, inspectionIntervalMonths: 12 });
    expect(r.body.kinds.find((k) => k.code === 'electrical_panel')).toMatchObject({ special: false, inspectionIntervalMonths: null });
    expect(r.body.settings.reminderDays).toEqual([30, 7, 0]);
  });

  it('creates special equipment with the kind defaults and computes the next due date, audited with an event', async () => {
    const e = await addEquipment(s, { kind: 'forklift', name: '内燃叉车', registrationNo: '车11沪A0001', lastInspectedOn: '2026-03-10' });
    expect(e).toMatchObject({ kind: 'forklift', kindName: expect.stringContaining('Forklift'), special: true, inspectionIntervalMonths: 12, nextInspectionDue: '2027-03-10', status: 'in_service', version: 1, orgUnitName: 'Team A', dueState: 'ok' });
    expect(e.responsiblePersonName).toBe(s.operator.person.name);
    const audit = await t.db.read((tx) => tx.select().from(auditLog).where(and(eq(auditLog.entityId, e.id), eq(auditLog.action, 'equipment.created'))));
    expect(audit).toHaveLength(1);
    const events = await t.db.read((tx) => tx.select().from(outboxEvents).where(and(eq(outboxEvents.entityId, e.id), eq(outboxEvents.type, 'equipment.created'))));
    expect(events).toHaveLength(1);
  });

  it('refuses a duplicate code (409), an unknown kind and a bad date (400), and a reader without equipment:write (403)', async () => {
    const code = uniqueCode('DUP');
    await addEquipment(s, { code });
    const dup = await s.as.officer.post('/api/v1/equipment', { code, name: 'x', kind: 'crane', orgUnitId: s.team.id });
    expect(dup.statusCode).toBe(409);
    expect(dup.body.code).toBe('already_exists');
    const kind = await s.as.officer.post('/api/v1/equipment', { code: uniqueCode('K'), name: 'x', kind: 'spaceship', orgUnitId: s.team.id });
    expect(kind.statusCode).toBe(400);
    expect(kind.body.errors?.[0]).toMatchObject({ field: 'kind', rule: 'enum' });
    const day = await s.as.officer.post('/api/v1/equipment', { code: uniqueCode('D'), name: 'x', kind: 'crane', orgUnitId: s.team.id, lastInspectedOn: '2026-02-30' });
    expect(day.statusCode).toBe(400);
    const extra = await s.as.officer.post('/api/v1/equipment', { code: uniqueCode('X'), name: 'x', kind: 'crane', orgUnitId: s.team.id, colour: 'red' });
    expect(extra.statusCode).toBe(400);
    const worker = await s.as.worker.post('/api/v1/equipment', { code: uniqueCode('W'), name: 'x', kind: 'crane', orgUnitId: s.team.id });
    expect(worker.statusCode).toBe(403);
    expect(worker.body.code).toBe('forbidden');
  });

  it('updates with the version (If-Match), answers 409 on a stale one and 428 without one', async () => {
    const e = await addEquipment(s, { lastInspectedOn: '2026-01-15' });
    const ok = await s.as.officer.patch(`/api/v1/equipment/${e.id}`, { location: '二号跨' }, { 'if-match': '"1"' });
    expect(ok.statusCode).toBe(200);
    expect(ok.body).toMatchObject({ location: '二号跨', version: 2, nextInspectionDue: '2028-01-15' });
    const stale = await s.as.officer.patch(`/api/v1/equipment/${e.id}`, { location: '三号跨', version: 1 });
    expect(stale.statusCode).toBe(409);
    expect(stale.body).toMatchObject({ code: 'version_conflict', currentVersion: 2 });
    expect((await s.as.officer.patch(`/api/v1/equipment/${e.id}`, { location: '三号跨' })).statusCode).toBe(428);
    // A changed interval recomputes the due date; an explicit due date wins.
    const interval = await s.as.officer.patch(`/api/v1/equipment/${e.id}`, { inspectionIntervalMonths: 12, version: 2 });
    expect(interval.body.nextInspectionDue).toBe('2027-01-15');
    const explicit = await s.as.officer.patch(`/api/v1/equipment/${e.id}`, { nextInspectionDue: '2026-12-20', version: 3 });
    expect(explicit.body).toMatchObject({ nextInspectionDue: '2026-12-20', dueState: 'due_soon', daysToDue: 19 });
  });

  it('answers 404 for another tenant’s equipment and 403 out of the data scope', async () => {
    const e = await addEquipment(s);
    expect((await stranger.get(`/api/v1/equipment/${e.id}`)).statusCode).toBe(404);
    expect((await stranger.patch(`/api/v1/equipment/${e.id}`, { name: 'x', version: 1 })).statusCode).toBe(404);
    const painter = await signIn(t, (await makeUser(t.db, s.tenant.id, s.otherTeam.id, ['team_leader'])).user);
    const out = await painter.get(`/api/v1/equipment/${e.id}`);
    expect(out.statusCode).toBe(403);
    expect(out.body.code).toBe('out_of_scope');
    // The responsible person sees their equipment whatever their scope.
    expect((await s.as.operator.get(`/api/v1/equipment/${e.id}`)).statusCode).toBe(200);
  });

  it('stops and scraps with a reason, never deletes, and refuses edits of scrapped equipment', async () => {
    const e = await addEquipment(s);
    const noReason = await s.as.officer.post(`/api/v1/equipment/${e.id}/status`, { status: 'scrapped', version: 1 });
    expect(noReason.statusCode).toBe(400);
    const stopped = await s.as.officer.post(`/api/v1/equipment/${e.id}/status`, { status: 'stopped', reason: '大修', version: 1 });
    expect(stopped.body).toMatchObject({ status: 'stopped', statusReason: '大修', version: 2 });
    const scrapped = await s.as.officer.post(`/api/v1/equipment/${e.id}/status`, { status: 'scrapped', reason: '超过设计使用年限', version: 2 });
    expect(scrapped.body).toMatchObject({ status: 'scrapped', version: 3 });
    const edit = await s.as.officer.patch(`/api/v1/equipment/${e.id}`, { name: 'again', version: 3 });
    expect(edit.statusCode).toBe(409);
    const back = await s.as.officer.post(`/api/v1/equipment/${e.id}/status`, { status: 'in_service', version: 3 });
    expect(back.statusCode).toBe(409);
    expect((await s.as.officer.get(`/api/v1/equipment/${e.id}`)).body.status).toBe('scrapped');
  });

  it('records a statutory inspection that moves the due date; a failed one needs the re-inspection deadline', async () => {
    const e = await addEquipment(s, { kind: 'boiler', name: '燃气锅炉', lastInspectedOn: '2025-12-05' });
    expect(e.nextInspectionDue).toBe('2026-12-05');
    const cert = await makeFile(t, s.tenant.id, 'pdf');
    const failed = await s.as.officer.post(`/api/v1/equipment/${e.id}/inspections`, { inspectedOn: '2026-11-30', result: 'failed', version: 1 });
    expect(failed.statusCode).toBe(400);
    expect(failed.body.errors?.[0]).toMatchObject({ field: 'nextDue', rule: 'required' });
    const future = await s.as.officer.post(`/api/v1/equipment/${e.id}/inspections`, { inspectedOn: '2026-12-02', result: 'passed', version: 1 });
    expect(future.statusCode).toBe(400);
    const r = await s.as.officer.post<{ inspection: InspectionT; equipment: EquipmentT }>(`/api/v1/equipment/${e.id}/inspections`, { inspectedOn: '2026-11-30', result: 'passed', inspector: '省特检院', reportNo: 'GL-2026-118', certificateFileId: cert, version: 1 });
    expect(r.statusCode).toBe(201);
    expect(r.body.inspection).toMatchObject({ result: 'passed', certificateFileId: cert, nextDue: '2027-11-30' });
    expect(r.body.equipment).toMatchObject({ lastInspectedOn: '2026-11-30', nextInspectionDue: '2027-11-30', version: 2 });
    const list = await s.as.leader.get<{ items: InspectionT[] }>(`/api/v1/equipment/${e.id}/inspections`);
    expect(list.body.items.map((i) => i.reportNo)).toEqual(['GL-2026-118']);
    const badFile = await s.as.officer.post(`/api/v1/equipment/${e.id}/inspections`, { inspectedOn: '2026-11-30', result: 'passed', certificateFileId: await makeFile(t, s.tenant.id, 'video'), version: 2 });
    expect(badFile.statusCode).toBe(400);
    const audit = await t.db.read((tx) => tx.select().from(auditLog).where(and(eq(auditLog.entityId, e.id), eq(auditLog.action, 'equipment.inspection_recorded'))));
    expect(audit).toHaveLength(1);
  });

  it('filters by kind, special, overdue, due within N days and org unit, soonest due first', async () => {
    const tag = uniqueCode('F');
    const overdue = await addEquipment(s, { code: `${tag}-1`, kind: 'elevator', nextInspectionDue: '2026-11-20' });
    const soon = await addEquipment(s, { code: `${tag}-2`, kind: 'elevator', nextInspectionDue: '2026-12-25' });
    const later = await addEquipment(s, { code: `${tag}-3`, kind: 'elevator', nextInspectionDue: '2027-08-01' });
    const panel = await addEquipment(s, { code: `${tag}-4`, kind: 'electrical_panel', orgUnitId: s.otherTeam.id, responsiblePersonId: null });
    const ids = async (q: string) => (await s.as.safety.get<Page>(`/api/v1/equipment?q=${tag}&${q}`)).body.items.map((e) => e.id);
    expect(await ids('kind=elevator')).toEqual([overdue.id, soon.id, later.id]);
    expect(await ids('overdue=true')).toEqual([overdue.id]);
    expect(await ids('dueWithinDays=30')).toEqual([overdue.id, soon.id]);
    expect(await ids('special=false')).toEqual([panel.id]);
    expect(await ids(`orgUnitId=${s.otherWorkshop.id}`)).toEqual([panel.id]);
    const page = await s.as.safety.get<Page>(`/api/v1/equipment?q=${tag}&limit=2`);
    expect(page.body.items).toHaveLength(2);
    const next = await s.as.safety.get<Page>(`/api/v1/equipment?q=${tag}&limit=2&cursor=${page.body.nextCursor}`);
    expect(next.body.items.map((e) => e.id)).toEqual([later.id, panel.id]);
    expect((await s.as.safety.get<Page>(`/api/v1/equipment?q=${tag}`)).body.items.find((e) => e.id === overdue.id)?.dueState).toBe('overdue');
    expect((await s.as.safety.get('/api/v1/equipment?dueWithinDays=99999')).statusCode).toBe(400);
  });

  it('links active risk units of the company and refuses unknown or foreign ones (400 naming the item)', async () => {
    const obj = await s.as.officer.post<{ id: string }>('/api/v1/risks/objects', { code: uniqueCode('RO'), name: '行车', type: 'equipment', orgUnitId: s.team.id });
    expect(obj.statusCode).toBe(201);
    const unit = await s.as.officer.post<{ id: string }>('/api/v1/risks/units', { objectId: obj.body.id, name: '行车吊运区', orgUnitId: s.team.id });
    expect(unit.statusCode).toBe(201);
    const e = await addEquipment(s, { riskUnitIds: [unit.body.id, unit.body.id.toUpperCase()] });
    expect(e.riskUnitIds).toEqual([unit.body.id]);
    const unknown = await s.as.officer.patch(`/api/v1/equipment/${e.id}`, { riskUnitIds: [unit.body.id, '0190a1b2-0000-7000-8000-000000000000'], version: 1 });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.body.errors?.[0]).toMatchObject({ field: 'riskUnitIds.1', rule: 'exists' });
    const bad = await s.as.officer.patch(`/api/v1/equipment/${e.id}`, { riskUnitIds: ['not-a-uuid'], version: 1 });
    expect(bad.statusCode).toBe(400);
    const cp = await s.as.officer.post<{ riskUnitIds: string[] }>('/api/v1/checkpoints', { name: '吊运区', orgUnitId: s.team.id, riskUnitIds: [unit.body.id] });
    expect(cp.body.riskUnitIds).toEqual([unit.body.id]);
  });

  it('exports the filtered register as Excel', async () => {
    const tag = uniqueCode('XL');
    await addEquipment(s, { code: `${tag}-1`, kind: 'pressure_vessel', name: '储气罐', registrationNo: '容3AA沪A0001', nextInspectionDue: '2027-05-01' });
    const ok = await s.as.safety.get(`/api/v1/equipment/export.xlsx?q=${tag}`);
    expect(ok.statusCode).toBe(200);
    expect(String(ok.headers['content-type'])).toContain('spreadsheetml');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(ok.raw as unknown as ArrayBuffer);
    const ws = wb.worksheets[0]!;
    expect(ws.rowCount).toBe(2);
    expect(ws.getRow(2).getCell(1).value).toBe(`${tag}-1`);
    expect(ws.getRow(2).getCell(5).value).toBe('容3AA沪A0001');
  });
});
