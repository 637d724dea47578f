import { and, eq, like, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobs } from '../../platform/jobs/schema.ts';
import { notifications } from '../../platform/notify/schema.ts';
import { createTestApp, type TestApp } from '../../test/app.ts';
import type { EquipmentConfigT } from './routes.ts';
import { addEquipment, runJobsAt, seedEquipmentCompany, type Seed } from './testSupport.ts';

let t: TestApp;
let s: Seed;
const START = new Date('2026-12-01T02:00:00Z'); // 10:00 on 1 December in Shanghai
/** 08:00 Shanghai (the default reminder hour) on a day. */
const eight = (day: string) => new Date(`${day}T00:00:00Z`);

beforeAll(async () => {
  t = await createTestApp({ RATE_LIMIT_PER_MINUTE: '100000' });
  t.clock.now = START;
  s = await seedEquipmentCompany(t);
});
afterAll(() => t.close());

const daysOf = async (userId: string, equipmentId: string) =>
  (
    await t.db.read((tx) =>
      tx
        .select({ days: sql<number>`(${notifications.data}->>'days')::int` })
        .from(notifications)
        .where(and(eq(notifications.userId, userId), eq(notifications.type, 'equipment.inspection_due'), sql`${notifications.data}->>'equipmentId' = ${equipmentId}`)),
    )
  )
    .map((r) => r.days)
    .sort((a, b) => b - a);
const timers = (equipmentId: string) => t.db.read((tx) => tx.select({ key: jobs.dedupeKey, runAt: jobs.runAt, status: jobs.status }).from(jobs).where(like(jobs.dedupeKey, `equipment:${equipmentId}:inspection:%`)));

describe('statutory inspection reminders with the controlled clock', () => {
  it('reminds the responsible person and the department head 30 and 7 days before and on the due day, each exactly once', async () => {
    t.clock.now = START;
    const e = await addEquipment(s, { kind: 'crane', registrationNo: '起17沪A0001', nextInspectionDue: '2027-01-20' });
    await runJobsAt(t, new Date(eight('2026-12-21').getTime() - 60_000));
    expect(await daysOf(s.operator.user.id, e.id)).toEqual([]);
    await runJobsAt(t, eight('2026-12-21'));
    expect(await daysOf(s.operator.user.id, e.id)).toEqual([30]);
    // The head of the Assembly workshop (the department), not the team leader.
    expect(await daysOf(s.head.user.id, e.id)).toEqual([30]);
    expect(await daysOf(s.leader.user.id, e.id)).toEqual([]);
    await runJobsAt(t, eight('2026-12-28'));
    expect(await daysOf(s.operator.user.id, e.id)).toEqual([30]);
    await runJobsAt(t, eight('2027-01-13'));
    await runJobsAt(t, eight('2027-01-20'));
    await runJobsAt(t, eight('2027-02-20'));
    expect(await daysOf(s.operator.user.id, e.id)).toEqual([30, 7, 0]);
    expect(await daysOf(s.head.user.id, e.id)).toEqual([30, 7, 0]);
    const [dueDay] = await t.db.read((tx) => tx.select().from(notifications).where(and(eq(notifications.userId, s.operator.user.id), sql`${notifications.data}->>'equipmentId' = ${e.id}`, sql`${notifications.data}->>'days' = '0'`)));
    expect(dueDay).toMatchObject({ severity: 'critical', link: `/equipment?focus=${e.id}` });
    expect(dueDay!.body).toContain('2027-01-20');
    expect(dueDay!.title).toContain('今日');
    t.clock.now = START;
  });

  it('re-arms the reminders when an inspection moves the due date: the old date passes silently, the new one is reminded', async () => {
    t.clock.now = START;
    // Due 20 December: the 30-day threshold is already past when registered, 7 days before is 13 December.
    const e = await addEquipment(s, { kind: 'boiler', name: '锅炉', lastInspectedOn: '2025-12-20', responsiblePersonId: s.operator.person.id });
    expect(e.nextInspectionDue).toBe('2026-12-20');
    expect((await timers(e.id)).map((j) => j.key).sort()).toEqual([`equipment:${e.id}:inspection:0`, `equipment:${e.id}:inspection:7`]);
    await runJobsAt(t, eight('2026-12-13'));
    expect(await daysOf(s.operator.user.id, e.id)).toEqual([7]);
    t.clock.now = new Date('2026-12-14T03:00:00Z');
    const rec = await s.as.officer.post(`/api/v1/equipment/${e.id}/inspections`, { inspectedOn: '2026-12-14', result: 'passed', version: 1 });
    expect(rec.statusCode).toBe(201);
    const armed = await timers(e.id);
    expect(armed.find((j) => j.key?.endsWith(':30'))).toMatchObject({ status: 'pending', runAt: eight('2027-11-14') });
    // The 7-day reminder that fired for the old date is armed again for the new one.
    expect(armed.find((j) => j.key?.endsWith(':7'))).toMatchObject({ status: 'pending', runAt: eight('2027-12-07') });
    await runJobsAt(t, eight('2026-12-20'));
    expect(await daysOf(s.operator.user.id, e.id)).toEqual([7]);
    await runJobsAt(t, eight('2027-11-14'));
    expect(await daysOf(s.operator.user.id, e.id)).toEqual([30, 7]);
    t.clock.now = START;
  });

  it('re-arms when the due date is edited by hand, and not when another field changes', async () => {
    t.clock.now = START;
    const e = await addEquipment(s, { nextInspectionDue: '2027-03-01' });
    const moved = await s.as.officer.patch(`/api/v1/equipment/${e.id}`, { nextInspectionDue: '2027-04-01', version: 1 });
    expect(moved.statusCode).toBe(200);
    expect((await timers(e.id)).find((j) => j.key?.endsWith(':30'))).toMatchObject({ status: 'pending', runAt: eight('2027-03-02') });
    const before = await timers(e.id);
    await s.as.officer.patch(`/api/v1/equipment/${e.id}`, { location: '东跨', version: 2 });
    expect(await timers(e.id)).toEqual(before);
    await runJobsAt(t, eight('2027-01-30'));
    expect(await daysOf(s.operator.user.id, e.id)).toEqual([]);
    t.clock.now = START;
  });

  it('cancels every reminder when the equipment is scrapped', async () => {
    t.clock.now = START;
    const e = await addEquipment(s, { nextInspectionDue: '2027-02-10' });
    const r = await s.as.officer.post(`/api/v1/equipment/${e.id}/status`, { status: 'scrapped', reason: '报废', version: 1 });
    expect(r.statusCode).toBe(200);
    const states = await timers(e.id);
    expect(states).toHaveLength(3);
    expect(states.every((j) => j.status === 'cancelled')).toBe(true);
    await runJobsAt(t, eight('2027-02-11'));
    expect(await daysOf(s.operator.user.id, e.id)).toEqual([]);
    t.clock.now = START;
  });

  it('uses the tenant’s thresholds: changing them re-arms the reminders of equipment in service', async () => {
    t.clock.now = START;
    const e = await addEquipment(s, { nextInspectionDue: '2027-06-30' });
    const config = (await s.as.safety.get<EquipmentConfigT>('/api/v1/equipment/config')).body;
    expect((await s.as.officer.patch('/api/v1/equipment/config/settings', { reminderDays: [60], version: config.settings.version })).statusCode).toBe(403);
    const r = await s.as.safety.patch<EquipmentConfigT['settings']>('/api/v1/equipment/config/settings', { reminderDays: [60, 15], version: config.settings.version });
    expect(r.statusCode).toBe(200);
    expect(r.body.reminderDays).toEqual([60, 15]);
    const armed = await timers(e.id);
    expect(armed.filter((j) => j.status === 'pending').map((j) => j.key).sort()).toEqual([`equipment:${e.id}:inspection:15`, `equipment:${e.id}:inspection:60`]);
    await runJobsAt(t, eight('2027-05-01'));
    expect(await daysOf(s.operator.user.id, e.id)).toEqual([60]);
    t.clock.now = START;
  });
});
