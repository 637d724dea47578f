import { and, eq, inArray, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog } from '../../platform/audit/schema.ts';
import { roles } from '../../platform/auth/schema.ts';
import { outboxEvents } from '../../platform/events/schema.ts';
import { queryRows } from '../../platform/db/client.ts';
import { createTestApp, type TestApp } from '../../test/app.ts';
import { makeUser } from '../../test/factories.ts';
import { makeFile, signIn } from '../hazards/testSupport.ts';
import type { AlarmDetailT, AlarmT } from './routes.ts';
import { iotAlarmEvents, iotAlarms } from './schema.ts';
import { addDevice, addRule, seedIot, type Client, type IotSeed } from './testSupport.ts';

let t: TestApp;
let s: IotSeed;
let other: IotSeed;

beforeAll(async () => {
  t = await createTestApp({ RATE_LIMIT_PER_MINUTE: '100000' });
  s = await seedIot(t);
  other = await seedIot(t);
});
afterAll(async () => {
  await t.close();
});

interface Opened {
  alarm: AlarmT;
  hazard: { id: string; number: string; title: string; status: string; level: string; category: string; source: string | null; orgUnitId: string; origin: string; alarmId: string | null };
}
interface HazardView {
  id: string;
  number: string;
  title: string;
  description: string | null;
  orgUnitId: string;
  source: string | null;
  origin: string;
  alarmId: string | null;
  photos: unknown[];
  timeline: { action: string; data: Record<string, unknown> }[];
}
interface ProblemBody {
  code: string;
  detail?: string;
  hazardId?: string;
  hazardNumber?: string;
  errors?: { field: string }[];
}

/** A fresh point with a high rule at 25 %LEL and one reading of 40: one open alarm. */
async function raiseAlarm(seed: IotSeed = s): Promise<AlarmT & { pointName: string; pointCode: string }> {
  const { token, points } = await addDevice(seed, ['ch1']);
  const p = points.ch1!;
  await addRule(seed, { pointId: p.id, kind: 'high', limit: 25, severity: 'major' });
  const r = await t.app.inject({ method: 'POST', url: '/api/v1/iot/readings', headers: { authorization: `Bearer ${token}` }, payload: { point: 'ch1', value: 40, ts: new Date(t.clock.now.getTime()).toISOString() } });
  expect(r.statusCode, r.body).toBe(200);
  const list = await seed.as.safety.get<{ items: AlarmT[] }>(`/api/v1/iot/alarms?pointId=${p.id}`);
  expect(list.body.items).toHaveLength(1);
  return { ...list.body.items[0]!, pointName: p.name, pointCode: p.code };
}

interface HazardRow {
  id: string;
  tenantId: string;
  orgUnitId: string;
  title: string;
  description: string | null;
  level: string;
  origin: string;
  source: string | null;
  photoIds: string[];
  reporterUserId: string | null;
}
// The hazards module's table read directly (tests may; the module code goes through its functions).
const hazardsOfAlarm = (alarmId: string) =>
  t.db.read((tx) =>
    queryRows<HazardRow>(
      tx,
      sql`SELECT id, tenant_id AS "tenantId", org_unit_id AS "orgUnitId", title, description, level, origin, source, photo_ids AS "photoIds", reporter_user_id AS "reporterUserId" FROM hazards WHERE alarm_id = ${alarmId}`,
    ),
  );
const alarmRow = async (id: string) => (await t.db.read((tx) => tx.select().from(iotAlarms).where(eq(iotAlarms.id, id))))[0]!;
const openAs = (c: Client, alarmId: string, body: unknown = {}) => c.post<Opened & ProblemBody>(`/api/v1/iot/alarms/${alarmId}/hazard`, body);

describe('POST /api/v1/iot/alarms/:id/hazard', () => {
  it('creates exactly one hazard pre-filled from the alarm, without a photo, linked both ways and audited', async () => {
    const a = await raiseAlarm();
    const res = await openAs(s.as.leader, a.id);
    expect(res.statusCode, JSON.stringify(res.body)).toBe(201);
    const h = res.body.hazard;
    expect(h.number).toMatch(/^YH-\d{4}-\d{6}$/);
    expect(h).toMatchObject({ orgUnitId: s.team.id, source: 'iot_alarm', origin: 'alarm', alarmId: a.id, level: 'general', category: 'other' });
    // Title and description come from the alarm: point name and code, value, limit, severity, time.
    expect(h.title).toContain(a.pointName);
    expect(h.title).toContain(a.pointCode);
    expect(h.title).toContain('40');
    expect(h.title).toContain('25');
    expect(res.body.alarm).toMatchObject({ id: a.id, hazardId: h.id, hazardNumber: h.number, version: a.version + 1 });

    const rows = await hazardsOfAlarm(a.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]!).toMatchObject({ id: h.id, tenantId: s.tenant.id, orgUnitId: s.team.id, origin: 'alarm', source: 'iot_alarm', photoIds: [], reporterUserId: s.leader.user.id });
    expect(rows[0]!.description).toMatch(/40/);
    expect(rows[0]!.description).toMatch(/25/);

    // The alarm points at the hazard and has a hazard_opened step in its timeline.
    expect((await alarmRow(a.id)).hazardId).toBe(h.id);
    const detail = await s.as.leader.get<AlarmDetailT>(`/api/v1/iot/alarms/${a.id}`);
    expect(detail.body.alarm.hazardNumber).toBe(h.number);
    const opened = detail.body.events.filter((e) => e.kind === 'hazard_opened');
    expect(opened).toHaveLength(1);
    expect(opened[0]!.note).toBe(h.number);
    expect(opened[0]!.byUserId).toBe(s.leader.user.id);

    // The hazard shows its alarm.
    const hv = await s.as.leader.get<HazardView>(`/api/v1/hazards/${h.id}`);
    expect(hv.statusCode).toBe(200);
    expect(hv.body).toMatchObject({ origin: 'alarm', alarmId: a.id, source: 'iot_alarm', photos: [] });
    expect(hv.body.timeline[0]).toMatchObject({ action: 'reported', data: { origin: 'alarm', alarmId: a.id } });

    // Audit of both halves, and their outbox events.
    const audit = await t.db.read((tx) => tx.select().from(auditLog).where(inArray(auditLog.entityId, [a.id, h.id])));
    const actions = audit.map((x) => x.action);
    expect(actions).toContain('iot.alarm.hazard_opened');
    expect(actions.some((x) => x.startsWith('hazard.') && x.includes('reported'))).toBe(true);
    expect(audit.find((x) => x.action === 'iot.alarm.hazard_opened')!.actorUserId).toBe(s.leader.user.id);
    const events = await t.db.read((tx) => tx.select().from(outboxEvents).where(and(eq(outboxEvents.entityId, a.id), eq(outboxEvents.type, 'iot.alarm.hazard_opened'))));
    expect(events).toHaveLength(1);
  });

  it('takes the operator’s title, description, level and photos; the source item is seeded for the tenant', async () => {
    const a = await raiseAlarm();
    const photo = await makeFile(t, s.tenant.id);
    const res = await openAs(s.as.safety, a.id, { title: 'Gas leak at valve V-3', description: 'Flange weeps', level: 'serious', photoFileIds: [photo] });
    expect(res.statusCode, JSON.stringify(res.body)).toBe(201);
    const [row] = await hazardsOfAlarm(a.id);
    expect(row).toMatchObject({ title: 'Gas leak at valve V-3', description: 'Flange weeps', level: 'serious', photoIds: [photo] });
    const item = await t.db.read((tx) => queryRows(tx, sql`SELECT id FROM hazard_dict_items WHERE tenant_id = ${s.tenant.id} AND kind = 'source' AND code = 'iot_alarm'`));
    expect(item).toHaveLength(1);
  });

  it('refuses a second hazard for the same alarm with 409 naming the existing one', async () => {
    const a = await raiseAlarm();
    const first = await openAs(s.as.leader, a.id);
    expect(first.statusCode).toBe(201);
    const second = await openAs(s.as.safety, a.id, { title: 'again' });
    expect(second.statusCode).toBe(409);
    expect(second.body).toMatchObject({ code: 'conflict', hazardId: first.body.hazard.id, hazardNumber: first.body.hazard.number });
    expect(await hazardsOfAlarm(a.id)).toHaveLength(1);
    const opened = await t.db.read((tx) => tx.select().from(iotAlarmEvents).where(and(eq(iotAlarmEvents.alarmId, a.id), eq(iotAlarmEvents.kind, 'hazard_opened'))));
    expect(opened).toHaveLength(1);
  });

  it('concurrent calls create one hazard', async () => {
    const a = await raiseAlarm();
    const results = await Promise.all([openAs(s.as.leader, a.id), openAs(s.as.safety, a.id), openAs(s.as.leader, a.id)]);
    expect(results.map((r) => r.statusCode).sort()).toEqual([201, 409, 409]);
    const rows = await hazardsOfAlarm(a.id);
    expect(rows).toHaveLength(1);
    expect((await alarmRow(a.id)).hazardId).toBe(rows[0]!.id);
    for (const r of results.filter((x) => x.statusCode === 409)) expect(r.body.hazardId).toBe(rows[0]!.id);
  });

  it('still refuses a normal report without a photo, and a normal report cannot claim the alarm source', async () => {
    const base = { title: 'Loose guard', category: 'safety', level: 'general', orgUnitId: s.team.id };
    const noPhoto = await s.as.leader.post<ProblemBody>('/api/v1/hazards', { ...base, photoIds: [] });
    expect(noPhoto.statusCode).toBe(400);
    const photo = await makeFile(t, s.tenant.id);
    const claimed = await s.as.leader.post<ProblemBody>('/api/v1/hazards', { ...base, source: 'iot_alarm', photoIds: [photo] });
    expect(claimed.statusCode).toBe(400);
    expect(claimed.body.errors?.[0]?.field).toBe('source');
    const count = await t.db.read((tx) => queryRows(tx, sql`SELECT id FROM hazards WHERE tenant_id = ${s.tenant.id} AND title = 'Loose guard'`));
    expect(count).toHaveLength(0);
  });

  it('answers 404 for another tenant’s alarm and changes nothing', async () => {
    const a = await raiseAlarm(other);
    const res = await openAs(s.as.safety, a.id);
    expect(res.statusCode).toBe(404);
    expect(await hazardsOfAlarm(a.id)).toHaveLength(0);
    expect((await alarmRow(a.id)).hazardId).toBeNull();
  });

  it('needs both iot:alarm and hazard:report (403 otherwise)', async () => {
    const a = await raiseAlarm();
    // An employee reports hazards but does not handle alarms.
    const worker = await openAs(s.as.worker, a.id);
    expect(worker.statusCode).toBe(403);
    // A console operator role without hazard:report.
    await t.db.tx((tx) => tx.insert(roles).values({ tenantId: s.tenant.id, code: 'console_only', name: '值班', nameEn: 'Console only', builtin: false, permissions: ['iot:read', 'iot:alarm'], dataScope: 'company' }));
    const op = await makeUser(t.db, s.tenant.id, s.rootUnitId, ['console_only']);
    const opClient = await signIn(t, op.user);
    const res = await t.app.inject({ method: 'POST', url: `/api/v1/iot/alarms/${a.id}/hazard`, headers: { authorization: opClient.authorization }, payload: {} });
    expect(res.statusCode).toBe(403);
    expect(res.json<ProblemBody>().detail).toContain('hazard:report');
    expect(await hazardsOfAlarm(a.id)).toHaveLength(0);
    expect((await alarmRow(a.id)).hazardId).toBeNull();
  });

  it('answers 400 for bad input and changes nothing', async () => {
    const a = await raiseAlarm();
    for (const body of [{ level: 'huge' }, { title: '' }, { photoFileIds: ['not-a-uuid'] }, { extra: 1 }, { category: 'no_such_category' }]) {
      const res = await openAs(s.as.leader, a.id, body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
    }
    // A photo of another tenant is not this company's file.
    const foreign = await makeFile(t, other.tenant.id);
    expect((await openAs(s.as.leader, a.id, { photoFileIds: [foreign] })).statusCode).toBe(400);
    expect((await openAs(s.as.leader, '00000000-0000-4000-8000-000000000000')).statusCode).toBe(404);
    expect(await hazardsOfAlarm(a.id)).toHaveLength(0);
    expect((await alarmRow(a.id)).hazardId).toBeNull();
    // No body at all is fine: everything is pre-filled.
    const { authorization } = await t.login(s.leader.username, s.leader.password);
    const bare = await t.app.inject({ method: 'POST', url: `/api/v1/iot/alarms/${a.id}/hazard`, headers: { authorization } });
    expect(bare.statusCode, bare.body).toBe(201);
  });
});

