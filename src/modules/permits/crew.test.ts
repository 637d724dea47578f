import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog } from '../../platform/audit/schema.ts';
import { outboxEvents } from '../../platform/events/schema.ts';
import { createTestApp, type TestApp } from '../../test/app.ts';
import { makeUser } from '../../test/factories.ts';
import { DEFAULT_PERMIT_CONFIG, type PermitConfig } from './defaults.ts';
import { permitWorkers } from './schema.ts';
import { certifyWelder, hotWorkBody, makeImage, passingGas, seedPermitCompany, type Client, type Seed } from './testSupport.ts';

/** Issue 6 leftovers: people added after approval, and the rules editor's versions (running permits keep theirs). */

let t: TestApp;
let s: Seed;
let welder2: Awaited<ReturnType<typeof makeUser>>;

beforeAll(async () => {
  t = await createTestApp();
  s = await seedPermitCompany(t);
  await certifyWelder(t, s);
  welder2 = await makeUser(t.db, s.tenant.id, s.team.id, ['employee']);
  await certifyWelder(t, s, welder2.person.id);
});
afterAll(async () => t.close());

async function approveAll(permitId: string, approvers: Client[]): Promise<void> {
  for (const c of approvers) {
    const r = await c.get<{ items: { taskId: string; subjectId: string }[] }>('/api/v1/workflow/tasks?status=pending');
    const task = r.body.items.find((x) => x.subjectId === permitId);
    if (!task) throw new Error('no task');
    const d = await c.post(`/api/v1/workflow/tasks/${task.taskId}/approve`, { comment: 'ok' });
    if (d.statusCode !== 200) throw new Error(`approve: ${d.statusCode} ${JSON.stringify(d.body)}`);
  }
}

async function draftHotWork(over: Record<string, unknown> = {}) {
  const created = await s.as.leader.post('/api/v1/permits', hotWorkBody(s, t, over));
  expect(created.statusCode, JSON.stringify(created.body)).toBe(201);
  return created.body;
}

async function approvedHotWork() {
  const { id } = await draftHotWork();
  expect((await s.as.officer.post(`/api/v1/permits/${id}/gas-readings`, passingGas(t.clock.now))).body.status).toBe('gas_tested');
  const p = await s.as.leader.get(`/api/v1/permits/${id}`);
  for (const m of p.body.measures) await s.as.leader.post(`/api/v1/permits/${id}/measures/${m.id}/confirm`, { applicable: true, signatureFileId: await makeImage(t, s.tenant.id) });
  expect((await s.as.leader.post(`/api/v1/permits/${id}/submit`, {})).statusCode).toBe(200);
  await approveAll(id, [s.as.head, s.as.officer]);
  const detail = (await s.as.leader.get(`/api/v1/permits/${id}`)).body;
  expect(detail.status).toBe('approved');
  return detail;
}

describe('people added after approval', () => {
  it('lets the issuer add a certified welder with a signature: the worker row, the audit entry and the event say so', async () => {
    const p = await approvedHotWork();
    expect(p.issuerUserId).toBe(s.officer.user.id);
    const sig = await makeImage(t, s.tenant.id);
    const r = await s.as.officer.post(`/api/v1/permits/${p.id}/workers`, { personId: welder2.person.id, role: 'worker', certificateNo: 'T-777', signatureFileId: sig, version: p.version });
    expect(r.statusCode, JSON.stringify(r.body)).toBe(200);
    const added = r.body.workers.find((w) => w.personId === welder2.person.id)!;
    expect(added).toMatchObject({ role: 'worker', certificateNo: 'T-777', confirmedBy: s.officer.user.id, signatureFileId: sig });
    expect(added.qualification).toMatchObject({ allowed: true });
    // The people on the permit at approval carry no after-approval confirmation.
    expect(r.body.workers.find((w) => w.personId === s.welder.person.id)!.confirmedBy).toBeNull();
    expect(r.body.version).toBe(p.version + 1);
    expect(r.body.status).toBe('approved');
    const [entry] = await t.db.read((tx) => tx.select().from(auditLog).where(and(eq(auditLog.entityId, p.id), eq(auditLog.action, 'permit.worker_added'))));
    expect(entry!.after).toMatchObject({ personId: welder2.person.id, role: 'worker', confirmedBy: s.officer.user.id, signatureFileId: sig });
    const events = await t.db.read((tx) => tx.select().from(outboxEvents).where(and(eq(outboxEvents.entityId, p.id), eq(outboxEvents.type, 'permit.worker_added'))));
    expect(events).toHaveLength(1);
    // And the public e-permit lists the new name.
    const pub = await s.as.leader.post<{ workers: { name: string }[] }>('/api/v1/permit-status', { token: p.qrToken });
    expect(pub.body.workers.map((w) => w.name)).toContain(welder2.person.name);
  });

  it('refuses the applicant (403), an uncertified worker (422 with reasons), the guardian and a duplicate (400), a draft (409), no signature (400) — writing nothing', async () => {
    const p = await approvedHotWork();
    const url = `/api/v1/permits/${p.id}/workers`;
    const body = async (over: Record<string, unknown> = {}) => ({ personId: welder2.person.id, role: 'worker', signatureFileId: await makeImage(t, s.tenant.id), ...over });
    const byApplicant = await s.as.leader.post(url, await body());
    expect(byApplicant.statusCode).toBe(403);
    const unqualified = await s.as.officer.post(url, await body({ personId: s.worker.person.id }));
    expect(unqualified.statusCode).toBe(422);
    expect(unqualified.body).toMatchObject({ code: 'permit_refused', rule: 'worker_not_qualified' });
    expect(unqualified.body.workers?.[0]?.reasons[0]?.code).toBe('certificate_missing');
    const guardian = await s.as.officer.post(url, await body({ personId: s.guardian.person.id, role: 'leader' }));
    expect(guardian.statusCode).toBe(400);
    expect(guardian.body.errors?.[0]).toMatchObject({ field: 'personId', rule: 'guardian' });
    const dup = await s.as.officer.post(url, await body({ personId: s.welder.person.id }));
    expect(dup.statusCode).toBe(400);
    expect(dup.body.errors?.[0]).toMatchObject({ field: 'personId', rule: 'unique' });
    const noSig = await s.as.officer.post(url, { personId: welder2.person.id, role: 'worker' });
    expect(noSig.statusCode).toBe(400);
    const notImage = await s.as.officer.post(url, await body({ signatureFileId: '0190aaaa-0000-7000-8000-000000000000' }));
    expect(notImage.statusCode).toBe(400);
    const stale = await s.as.officer.post(url, await body({ version: p.version - 1 }));
    expect(stale.statusCode).toBe(409);
    const rows = await t.db.read((tx) => tx.select().from(permitWorkers).where(eq(permitWorkers.permitId, p.id)));
    expect(rows).toHaveLength(1);

    const draft = await draftHotWork();
    const inDraft = await s.as.safety.post(`/api/v1/permits/${draft.id}/workers`, await body());
    expect(inDraft.statusCode).toBe(409);
    expect(inDraft.body.permitStatus).toBe('draft');
  });

  it('lets a holder of permit:manage (the safety director) add a person too', async () => {
    const p = await approvedHotWork();
    const r = await s.as.safety.post(`/api/v1/permits/${p.id}/workers`, { personId: s.worker.person.id, role: 'fire_watch', signatureFileId: await makeImage(t, s.tenant.id) });
    // A fire watch is not a special-operation worker: no certificate check (4.9 applies to the operation's workers).
    expect(r.statusCode, JSON.stringify(r.body)).toBe(200);
    expect(r.body.workers.find((w) => w.personId === s.worker.person.id)).toMatchObject({ role: 'fire_watch', confirmedBy: s.safety.user.id });
  });
});

describe('rules editor: versions, validation, running permits keep their rules', () => {
  const load = () => s.as.safety.get<{ config: PermitConfig; version: number }>('/api/v1/permits/config');

  it('refuses bad rules with the field and the rule, changing nothing', async () => {
    const before = await load();
    const bad = (mutate: (c: PermitConfig) => void) => {
      const c = structuredClone(before.body.config);
      mutate(c);
      return s.as.safety.put<{ version: number }>('/api/v1/permits/config', { config: c, version: before.body.version });
    };
    const cases: [string, (c: PermitConfig) => void][] = [
      ['types.hot_work.grades.1.maxValidityHours', (c) => (c.types.hot_work.grades[1]!.maxValidityHours = 0)],
      ['types.hot_work.grades.1.gasTestValidMinutes', (c) => (c.types.hot_work.grades[1]!.gasTestValidMinutes = -5)],
      ['types.hot_work.grades.0.measures.0', (c) => (c.types.hot_work.grades[0]!.measures[0]!.zh = ' ')],
      ['gas.lowLelMaxPct', (c) => (c.gas.lowLelMaxPct = 0.9)],
      ['gas.o2MinPct', (c) => (c.gas.o2MinPct = 22)],
      ['guardianMaxActive', (c) => (c.guardianMaxActive = 0)],
      ['types.hot_work.grades.1.code', (c) => (c.types.hot_work.grades[1]!.code = 'special')],
    ];
    for (const [field, mutate] of cases) {
      const r = await bad(mutate);
      expect(r.statusCode, field).toBe(400);
      expect(r.body.errors?.[0]?.field).toBe(field);
    }
    expect((await load()).body.version).toBe(before.body.version);
  });

  it('keeps the rules a permit was applied under when the rules are edited, and lists the earlier version', async () => {
    const old = await draftHotWork();
    const before = await load();
    expect(old.rules.configVersion).toBe(before.body.version);
    expect(old.rules.maxValidityHours).toBe(8);
    const edited = structuredClone(before.body.config);
    edited.types.hot_work.grades[1]!.maxValidityHours = 4;
    edited.gas.o2MinPct = 20.9;
    const put = await s.as.safety.put<{ version: number }>('/api/v1/permits/config', { config: edited, version: before.body.version });
    expect(put.statusCode, JSON.stringify(put.body)).toBe(200);
    expect(put.body.version).toBe(before.body.version + 1);

    // The running permit still reads 8 h and O₂ ≥ 19.5 %: a 20.8 % reading passes on it.
    const kept = await s.as.leader.get(`/api/v1/permits/${old.id}`);
    expect(kept.body.rules).toMatchObject({ maxValidityHours: 8, configVersion: before.body.version });
    const oldGas = await s.as.officer.post(`/api/v1/permits/${old.id}/gas-readings`, passingGas(t.clock.now));
    expect(oldGas.body.gasReadings.at(-1)!.passed).toBe(true);
    // A new application gets the new rules: 6 h is now too long, and 20.8 % O₂ fails.
    const tooLong = await s.as.leader.post('/api/v1/permits', hotWorkBody(s, t));
    expect(tooLong.statusCode).toBe(400);
    expect(tooLong.body.errors?.[0]?.message).toContain('at most 4 h');
    const from = new Date(t.clock.now.getTime() + 10 * 60_000);
    const fresh = await draftHotWork({ validFrom: from.toISOString(), validUntil: new Date(from.getTime() + 3 * 3600_000).toISOString() });
    expect(fresh.rules).toMatchObject({ maxValidityHours: 4, configVersion: put.body.version });
    const newGas = await s.as.officer.post(`/api/v1/permits/${fresh.id}/gas-readings`, passingGas(t.clock.now));
    expect(newGas.body.gasReadings.at(-1)!.passed).toBe(false);

    const versions = await s.as.officer.get<{ items: { version: number; config: PermitConfig; createdBy: string | null }[] }>('/api/v1/permits/config/versions');
    expect(versions.statusCode).toBe(200);
    expect(versions.body.items.map((v) => v.version).slice(0, 2)).toEqual([put.body.version, before.body.version]);
    expect(versions.body.items[0]!.createdBy).toBe(s.safety.user.id);
    expect(versions.body.items[1]!.config.types.hot_work.grades[1]!.maxValidityHours).toBe(8);
    const [entry] = await t.db.read((tx) => tx.select().from(auditLog).where(and(eq(auditLog.tenantId, s.tenant.id), eq(auditLog.action, 'permit_settings.updated'))));
    expect(entry).toBeTruthy();
  });
});

describe('send back to the applicant and resubmit', () => {
  it('puts the permit back to draft; resubmitting needs a fresh gas test and goes on in the same flow', async () => {
    // The rules test above tightened the rules: back to the seeded defaults (a new version) first.
    const current = await s.as.safety.get<{ version: number }>('/api/v1/permits/config');
    expect((await s.as.safety.put('/api/v1/permits/config', { config: DEFAULT_PERMIT_CONFIG, version: current.body.version })).statusCode).toBe(200);
    const { id } = await draftHotWork();
    await s.as.officer.post(`/api/v1/permits/${id}/gas-readings`, passingGas(t.clock.now));
    const p = await s.as.leader.get(`/api/v1/permits/${id}`);
    for (const m of p.body.measures) await s.as.leader.post(`/api/v1/permits/${id}/measures/${m.id}/confirm`, { applicable: true, signatureFileId: await makeImage(t, s.tenant.id) });
    const sub = await s.as.leader.post(`/api/v1/permits/${id}/submit`, {});
    expect(sub.body.status).toBe('approving');
    const flowId = sub.body.flowInstanceId!;
    const todo = await s.as.head.get<{ items: { taskId: string; subjectId: string }[] }>('/api/v1/workflow/tasks?status=pending');
    const task = todo.body.items.find((x) => x.subjectId === id)!;
    const back = await s.as.head.post<{ status: string; version: number }>(`/api/v1/workflow/tasks/${task.taskId}/send-back`, { to: 'applicant', comment: '补充动火点照片' });
    expect(back.body.status).toBe('sent_back');
    expect((await s.as.leader.get(`/api/v1/permits/${id}`)).body.status).toBe('draft');

    // The generic resubmit of the to-do drawer runs the permit's checks too: no fresh gas test → 422, nothing moves.
    const viaDrawer = await s.as.leader.post<{ code: string; rule: string }>(`/api/v1/workflow/instances/${flowId}/resubmit`, { version: back.body.version });
    expect(viaDrawer.statusCode).toBe(422);
    expect(viaDrawer.body.rule).toBe('gas_test_missing');
    const viaPermit = await s.as.leader.post(`/api/v1/permits/${id}/submit`, {});
    expect(viaPermit.statusCode).toBe(422);
    expect(viaPermit.body.rule).toBe('gas_test_missing');
    expect((await s.as.leader.get(`/api/v1/permits/${id}`)).body.status).toBe('draft');

    await s.as.officer.post(`/api/v1/permits/${id}/gas-readings`, passingGas(t.clock.now));
    const again = await s.as.leader.post(`/api/v1/permits/${id}/submit`, {});
    expect(again.statusCode, JSON.stringify(again.body)).toBe(200);
    expect(again.body).toMatchObject({ status: 'approving', flowInstanceId: flowId });
    const flow = await s.as.leader.get<{ status: string; history: { action: string }[] }>(`/api/v1/workflow/instances/${flowId}`);
    expect(flow.body.status).toBe('running');
    expect(flow.body.history.map((h) => h.action)).toContain('resubmitted');
    const [entry] = await t.db.read((tx) => tx.select().from(auditLog).where(and(eq(auditLog.entityId, id), eq(auditLog.action, 'permit.resubmitted'))));
    expect(entry).toBeTruthy();
  });
});
