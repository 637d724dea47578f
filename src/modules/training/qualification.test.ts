import { and, asc, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog } from '../../platform/audit/schema.ts';
import { dispatchPending } from '../../platform/events/dispatcher.ts';
import { outboxEvents } from '../../platform/events/schema.ts';
import { createTestApp, type TestApp } from '../../test/app.ts';
import { ctxFor, makeOrgUnit, makePerson, makeTenant } from '../../test/factories.ts';
import { checkQualification, checkQualificationTx } from './qualification.ts';
import type { CertificateT, InductionT, QualificationResultT, RequirementT } from './routes.ts';
import { inductions } from './schema.ts';
import { client, runJobsAt, seedTrainingCompany, type Seed } from './testSupport.ts';

let t: TestApp;
let s: Seed;
const START = new Date('2026-12-01T02:00:00Z'); // 10:00 in Shanghai

beforeAll(async () => {
  t = await createTestApp({ RATE_LIMIT_PER_MINUTE: '100000' });
  t.clock.now = START;
  s = await seedTrainingCompany(t);
});
afterAll(() => t.close());

let seq = 0;
const newPerson = (unitId = s.team.id) => makePerson(t.db, s.tenant.id, unitId);
const record = async (personId: string, over: Record<string, unknown> = {}) => {
  const res = await s.as.officer.post('/api/v1/training/certificates', {
    personId,
    typeId: s.typeId('special_operation'),
    category: 'welding',
    number: `Q${++seq}`,
    issuer: '应急管理局',
    issuedOn: '2024-06-01',
    ...over,
  });
  expect(res.statusCode, JSON.stringify(res.body)).toBe(201);
  return res.body;
};
const check = (personId: string, target: string, as = s.as.officer) => as.get<QualificationResultT>(`/api/v1/qualifications/check?personId=${personId}&for=${encodeURIComponent(target)}`);
const changes = (personId: string) =>
  t.db.read((tx) =>
    tx
      .select()
      .from(outboxEvents)
      .where(and(eq(outboxEvents.type, 'qualification.changed'), eq(outboxEvents.entityId, personId)))
      .orderBy(asc(outboxEvents.createdAt), asc(outboxEvents.id)),
  );

describe('qualification check', () => {
  it('allows hot work for a welder with a valid welding certificate', async () => {
    const p = await newPerson();
    await record(p.id);
    const res = await check(p.id, 'operation:hot_work');
    expect(res.statusCode).toBe(200);
    expect(res.body).toMatchObject({ allowed: true, personId: p.id, target: 'operation:hot_work', checkedOn: '2026-12-01', reasons: [] });
    // No requirement configured for confined space: only the induction counts.
    expect((await check(p.id, 'operation:confined_space')).body.allowed).toBe(true);
  });

  it('denies with certificate_missing when the person has none, or one of another category', async () => {
    const p = await newPerson();
    await record(p.id, { category: 'electrical' });
    const res = await check(p.id, 'operation:hot_work');
    expect(res.body.allowed).toBe(false);
    expect(res.body.reasons).toEqual([expect.objectContaining({ code: 'certificate_missing', detail: 'No valid certificate: Special operation certificate (Welding and thermal cutting)' })]);
    expect((await check(p.id, 'operation:temp_power')).body.allowed).toBe(true);
  });

  it('denies with certificate_expired, certificate_review_overdue and certificate_revoked naming the certificate', async () => {
    const expiredP = await newPerson();
    const expired = await record(expiredP.id, { issuedOn: '2020-11-01', validUntil: '2026-11-30', nextReviewOn: null });
    expect((await check(expiredP.id, 'operation:hot_work')).body.reasons).toEqual([expect.objectContaining({ code: 'certificate_expired', certificateId: expired.id })]);

    const overdueP = await newPerson();
    const overdue = await record(overdueP.id, { issuedOn: '2023-11-01', nextReviewOn: '2026-11-30' });
    expect((await check(overdueP.id, 'operation:hot_work')).body.reasons).toEqual([expect.objectContaining({ code: 'certificate_review_overdue', certificateId: overdue.id })]);

    const revokedP = await newPerson();
    const revoked = await record(revokedP.id);
    await s.as.officer.post(`/api/v1/training/certificates/${revoked.id}/revoke`, { reason: '违章', version: 1 });
    const res = await check(revokedP.id, 'operation:hot_work');
    expect(res.body.reasons).toEqual([expect.objectContaining({ code: 'certificate_revoked', certificateId: revoked.id })]);
    expect(res.body.reasons[0]!.detail).toContain('违章');
  });

  it('treats the last valid day by the tenant time zone: allowed at 23:30 Shanghai, expired at 00:30 the next day', async () => {
    const p = await newPerson();
    await record(p.id, { issuedOn: '2020-12-02', validUntil: '2026-12-01', nextReviewOn: null });
    t.clock.now = new Date('2026-12-01T15:30:00Z');
    expect((await check(p.id, 'operation:hot_work')).body).toMatchObject({ allowed: true, checkedOn: '2026-12-01' });
    // Still 1 December in UTC, already 2 December in Shanghai.
    t.clock.now = new Date('2026-12-01T16:30:00Z');
    expect((await check(p.id, 'operation:hot_work')).body).toMatchObject({ allowed: false, checkedOn: '2026-12-02', reasons: [expect.objectContaining({ code: 'certificate_expired' })] });
    t.clock.now = START;
  });

  it('denies with induction_incomplete until all three levels are complete', async () => {
    const p = await newPerson();
    await record(p.id);
    const opened = await s.as.officer.post<{ items: InductionT[] }>(`/api/v1/training/people/${p.id}/inductions`);
    expect(opened.statusCode).toBe(200);
    expect(opened.body.items.map((i) => [i.level, i.status, i.dueOn])).toEqual([
      ['company', 'pending', '2026-12-04'],
      ['workshop', 'pending', '2026-12-04'],
      ['team', 'pending', '2026-12-04'],
    ]);
    const denied = await check(p.id, 'operation:hot_work');
    expect(denied.body.reasons).toEqual([expect.objectContaining({ code: 'induction_incomplete', detail: 'Three-level safety induction incomplete: company, workshop, team' })]);
    for (const level of ['company', 'workshop'] as const) {
      const done = await s.as.officer.post<InductionT>(`/api/v1/training/people/${p.id}/inductions/${level}/complete`, { hours: 8, trainer: '王老师', version: 1 });
      expect(done.body.status).toBe('completed');
    }
    expect((await check(p.id, 'operation:hot_work')).body.reasons.map((r) => r.detail)).toEqual(['Three-level safety induction incomplete: team']);
    const stale = await s.as.officer.post(`/api/v1/training/people/${p.id}/inductions/company/complete`, { version: 1 });
    expect(stale.statusCode).toBe(409);
    await s.as.officer.post(`/api/v1/training/people/${p.id}/inductions/team/complete`, { hours: 8, version: 1 });
    expect((await check(p.id, 'operation:hot_work')).body.allowed).toBe(true);
  });

  it('creates the induction levels once when a person is hired, also when the event is delivered again', async () => {
    const created = await s.as.admin.post<{ id: string }>('/api/v1/people', { kind: 'employee', employeeNo: 'HIRE-1', name: '新入职', orgUnitId: s.team.id });
    expect(created.statusCode, JSON.stringify(created.body)).toBe(201);
    await dispatchPending(t.db, { now: t.clock.now });
    const [event] = await t.db.read((tx) => tx.select().from(outboxEvents).where(and(eq(outboxEvents.type, 'person.created'), eq(outboxEvents.entityId, created.body.id))));
    // Redelivery (a crashed dispatcher) must not duplicate: make the event due again and dispatch.
    expect(event!.dispatchedAt).not.toBeNull();
    await t.db.tx(async (tx) => {
      await tx.execute(sql`UPDATE outbox_events SET dispatched_at = NULL, next_attempt_at = ${t.clock.now.toISOString()}::timestamptz WHERE id = ${event!.id}`);
      await tx.execute(sql`DELETE FROM event_deliveries WHERE event_id = ${event!.id}`);
    });
    expect((await dispatchPending(t.db, { now: t.clock.now })).dispatched).toBeGreaterThanOrEqual(1);
    const created1 = await t.db.read((tx) => tx.select().from(auditLog).where(and(eq(auditLog.action, 'induction.created'), eq(auditLog.entityId, created.body.id))));
    expect(created1).toHaveLength(1);
    const rows = await t.db.read((tx) => tx.select().from(inductions).where(eq(inductions.personId, created.body.id)));
    expect(rows.map((r) => r.level).sort()).toEqual(['company', 'team', 'workshop']);
    expect((await check(created.body.id, 'operation:hot_work')).body.reasons.map((r) => r.code)).toEqual(['certificate_missing', 'induction_incomplete']);
  });

  it('checks equipment by kind and areas with the requirements of the areas above', async () => {
    const p = await newPerson();
    await record(p.id, { typeId: s.typeId('special_equipment'), category: 'Q2' });
    expect((await check(p.id, 'equipment:forklift')).body.reasons.map((r) => r.code)).toEqual(['certificate_missing']);
    expect((await check(p.id, 'equipment:crane')).body.allowed).toBe(true);
    expect((await check(p.id, 'operation:lifting')).body.allowed).toBe(true);
    // The Assembly workshop requires an electrician's certificate to enter; Team A lies inside it.
    const req = await s.as.safety.post<RequirementT>('/api/v1/training/config/requirements', { target: `area:${s.workshop.id}`, typeId: s.typeId('special_operation'), categories: ['electrical'] });
    expect(req.statusCode).toBe(201);
    expect((await check(p.id, `area:${s.team.id}`)).body.reasons).toEqual([expect.objectContaining({ code: 'certificate_missing', requirementId: req.body.id })]);
    expect((await check(p.id, `area:${s.otherTeam.id}`)).body.allowed).toBe(true);
    await s.as.safety.patch(`/api/v1/training/config/requirements/${req.body.id}`, { active: false, version: 1 });
    expect((await check(p.id, `area:${s.team.id}`)).body.allowed).toBe(true);
  });

  it('audits every check: who asked, the person, the target and the answer', async () => {
    const p = await newPerson();
    await check(p.id, 'operation:hot_work');
    await check(p.id, 'operation:hot_work');
    await check(p.id, 'equipment:forklift', s.as.head);
    const entries = await t.db.read((tx) => tx.select().from(auditLog).where(and(eq(auditLog.action, 'qualification.checked'), eq(auditLog.entityId, p.id))).orderBy(asc(auditLog.seq)));
    expect(entries).toHaveLength(3);
    expect(entries[0]).toMatchObject({ actorUserId: s.officer.user.id, entityType: 'person', after: { target: 'operation:hot_work', allowed: false, reasons: ['certificate_missing'], via: 'user' } });
    expect(entries[2]).toMatchObject({ actorUserId: s.head.user.id, after: { target: 'equipment:forklift' } });
  });

  it('answers an integration over an API token with qualification:check, audited as a token', async () => {
    const p = await newPerson();
    await record(p.id);
    const token = await s.as.safety.post<{ token: string }>('/api/v1/tokens', { name: '门禁系统', scopes: ['qualification:check'] });
    expect(token.statusCode).toBe(201);
    const gate = client(t, `Bearer ${token.body.token}`);
    const res = await check(p.id, 'operation:hot_work', gate);
    expect(res.statusCode).toBe(200);
    expect(res.body.allowed).toBe(true);
    const [entry] = await t.db.read((tx) => tx.select().from(auditLog).where(and(eq(auditLog.action, 'qualification.checked'), eq(auditLog.entityId, p.id))));
    expect(entry).toMatchObject({ actorUserId: s.safety.user.id, after: { via: 'token', allowed: true } });
    // The token reads nothing else.
    expect((await gate.get('/api/v1/training/certificates')).statusCode).toBe(403);
    const narrow = await s.as.safety.post<{ token: string }>('/api/v1/tokens', { name: 'read', scopes: ['training:read'] });
    expect((await check(p.id, 'operation:hot_work', client(t, `Bearer ${narrow.body.token}`))).statusCode).toBe(403);
  });

  it('refuses: 403 without qualification:check, 404 for another tenant’s person or an unknown area, 400 for a bad target', async () => {
    const p = await newPerson();
    expect((await check(p.id, 'operation:hot_work', s.as.worker)).statusCode).toBe(403);
    expect((await check(p.id, 'operation:hot_work', s.as.auditor)).statusCode).toBe(403);
    // A department head checks only people of their department.
    expect((await check(s.painter.id, 'operation:hot_work', s.as.head)).statusCode).toBe(403);
    const { tenant, rootUnitId } = await makeTenant(t.db, 'Elsewhere');
    const stranger = await makePerson(t.db, tenant.id, (await makeOrgUnit(t.db, tenant.id, rootUnitId, 'plant')).id);
    expect((await check(stranger.id, 'operation:hot_work')).statusCode).toBe(404);
    expect((await check(p.id, `area:${rootUnitId}`)).statusCode).toBe(404);
    for (const bad of ['operation:dancing', 'area:not-a-uuid', 'hot_work', 'equipment:', 'equipment:a b']) {
      const res = await check(p.id, bad);
      expect(res.statusCode, bad).toBe(400);
      expect(res.body.errors?.[0]?.field).toBe('for');
    }
    expect((await s.as.officer.get(`/api/v1/qualifications/check?personId=${p.id}`)).statusCode).toBe(400);
    expect((await s.as.officer.get('/api/v1/qualifications/check?personId=nope&for=operation:hot_work')).statusCode).toBe(400);
  });

  it('offers the check to other modules: checkQualification with permission, checkQualificationTx inside the caller’s transaction', async () => {
    const p = await newPerson();
    await record(p.id);
    const ctx = await ctxFor(t.db, s.officer.user.id, () => t.clock.now);
    expect((await checkQualification(ctx, { personId: p.id, target: 'operation:hot_work' })).allowed).toBe(true);
    const workerCtx = await ctxFor(t.db, s.worker.user.id, () => t.clock.now);
    await expect(checkQualification(workerCtx, { personId: p.id, target: 'operation:hot_work' })).rejects.toMatchObject({ code: 'forbidden' });
    const inTx = await t.db.tx((tx) => checkQualificationTx(tx, workerCtx, { personId: p.id, target: { kind: 'operation', key: 'height' } }));
    expect(inTx.reasons.map((r) => r.code)).toEqual(['certificate_missing']);
  });
});

describe('qualification.changed', () => {
  it('announces a grant when a certificate is added, a withdrawal when it is revoked, and nothing for an unrelated edit', async () => {
    const p = await newPerson();
    const c = await record(p.id);
    let events = await changes(p.id);
    expect(events.map((e) => [e.payload.target, e.payload.allowed])).toEqual([['operation:hot_work', true]]);
    await s.as.officer.patch(`/api/v1/training/certificates/${c.id}`, { issuer: '另一发证机关', version: 1 });
    expect(await changes(p.id)).toHaveLength(1);
    await s.as.officer.post(`/api/v1/training/certificates/${c.id}/revoke`, { reason: '离职收回', version: 2 });
    events = await changes(p.id);
    expect(events.map((e) => [e.payload.target, e.payload.allowed, e.payload.reasons])).toEqual([
      ['operation:hot_work', true, []],
      ['operation:hot_work', false, ['certificate_revoked']],
    ]);
    const audit = await t.db.read((tx) => tx.select().from(auditLog).where(and(eq(auditLog.action, 'qualification.changed'), eq(auditLog.entityId, p.id))));
    expect(audit).toHaveLength(2);
  });

  it('announces a withdrawal when a certificate lapses overnight (job at midnight in the tenant zone), once', async () => {
    const p = await newPerson();
    await record(p.id, { issuedOn: '2020-12-04', validUntil: '2026-12-03', nextReviewOn: null });
    expect((await changes(p.id)).map((e) => e.payload.allowed)).toEqual([true]);
    // 23:59 on 3 December in Shanghai: still valid.
    await runJobsAt(t, new Date('2026-12-03T15:59:00Z'));
    expect(await changes(p.id)).toHaveLength(1);
    await runJobsAt(t, new Date('2026-12-03T16:00:00Z'));
    await runJobsAt(t, new Date('2026-12-03T17:00:00Z'));
    const events = await changes(p.id);
    expect(events.map((e) => [e.payload.allowed, e.payload.reasons])).toEqual([
      [true, []],
      [false, ['certificate_expired']],
    ]);
    t.clock.now = START;
  });
});

export type { CertificateT };
