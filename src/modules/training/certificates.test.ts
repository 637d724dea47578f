import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog } from '../../platform/audit/schema.ts';
import { outboxEvents } from '../../platform/events/schema.ts';
import { createTestApp, type TestApp } from '../../test/app.ts';
import { makeOrgUnit, makePerson, makeTenant, makeUser } from '../../test/factories.ts';
import type { CertificateT } from './routes.ts';
import { certificates } from './schema.ts';
import { makeScan, seedTrainingCompany, signIn, type Seed } from './testSupport.ts';

let t: TestApp;
let s: Seed;

beforeAll(async () => {
  t = await createTestApp({ RATE_LIMIT_PER_MINUTE: '100000' });
  // 10:00 in Shanghai on 1 December 2026.
  t.clock.now = new Date('2026-12-01T02:00:00Z');
  s = await seedTrainingCompany(t);
});
afterAll(() => t.close());

const welding = () => ({ personId: s.welder.person.id, typeId: s.typeId('special_operation'), category: 'welding', issuer: '江苏省应急管理厅', issuedOn: '2024-03-15' });
let seq = 0;
const number = () => `T1320${String(++seq).padStart(6, '0')}`;

describe('certificate register', () => {
  it('records a special-operation certificate with validity and review dates from the type, audited and announced', async () => {
    const scan = await makeScan(t, s.tenant.id);
    const res = await s.as.officer.post('/api/v1/training/certificates', { ...welding(), number: 'T132001198001011234', scanFileId: scan });
    expect(res.statusCode).toBe(201);
    // 30号令: valid 6 years, reviewed every 3 years (the last day before the anniversary).
    expect(res.body).toMatchObject({ typeCode: 'special_operation', category: 'welding', categoryLabel: 'Welding and thermal cutting', validUntil: '2030-03-14', nextReviewOn: '2027-03-14', status: 'valid', scanFileId: scan, version: 1, orgUnitId: s.team.id });
    const audit = await t.db.read((tx) => tx.select().from(auditLog).where(and(eq(auditLog.entityId, res.body.id), eq(auditLog.action, 'certificate.created'))));
    expect(audit).toHaveLength(1);
    expect(audit[0]!.actorUserId).toBe(s.officer.user.id);
    const events = await t.db.read((tx) => tx.select().from(outboxEvents).where(and(eq(outboxEvents.entityId, res.body.id), eq(outboxEvents.type, 'certificate.created'))));
    expect(events).toHaveLength(1);
  });

  it('uses the configured validity of a type: 4 years for special equipment, changed to 5 by the safety director', async () => {
    const typeId = s.typeId('special_equipment');
    const a = await s.as.officer.post('/api/v1/training/certificates', { personId: s.welder.person.id, typeId, category: 'N1', number: number(), issuer: '市场监督管理局', issuedOn: '2025-01-10' });
    expect(a.statusCode).toBe(201);
    expect(a.body).toMatchObject({ validUntil: '2029-01-09', nextReviewOn: null });
    const type = s.config.types.find((x) => x.id === typeId)!;
    const patched = await s.as.safety.patch(`/api/v1/training/config/types/${typeId}`, { validityMonths: 60, version: type.version });
    expect(patched.statusCode).toBe(200);
    const b = await s.as.officer.post('/api/v1/training/certificates', { personId: s.welder.person.id, typeId, category: 'N1', number: number(), issuer: '市场监督管理局', issuedOn: '2025-01-10' });
    expect(b.body.validUntil).toBe('2030-01-09');
    // The officer may record certificates but not change the types.
    expect((await s.as.officer.patch(`/api/v1/training/config/types/${typeId}`, { validityMonths: 12, version: 2 })).statusCode).toBe(403);
  });

  it('keeps configuration changes versioned and checked: stale type 409, unknown category 400, officer 403', async () => {
    const typeId = s.typeId('safety_qualification');
    const type = s.config.types.find((x) => x.id === typeId)!;
    expect((await s.as.safety.patch(`/api/v1/training/config/types/${typeId}`, { reminderDays: [90, 30, 30], version: type.version })).body).toMatchObject({ reminderDays: [90, 30] });
    const stale = await s.as.safety.patch(`/api/v1/training/config/types/${typeId}`, { reminderDays: [60], version: type.version });
    expect(stale.statusCode).toBe(409);
    const badCategory = await s.as.safety.post('/api/v1/training/config/requirements', { target: 'operation:confined_space', typeId, categories: ['welding'] });
    expect(badCategory.statusCode).toBe(400);
    expect(badCategory.body.errors?.[0]?.field).toBe('categories.0');
    const badTarget = await s.as.safety.post('/api/v1/training/config/requirements', { target: 'operation:juggling', typeId, categories: [] });
    expect(badTarget.statusCode).toBe(400);
    expect((await s.as.officer.post('/api/v1/training/config/requirements', { target: 'operation:confined_space', typeId, categories: [] })).statusCode).toBe(403);
    const audit = await t.db.read((tx) => tx.select().from(auditLog).where(and(eq(auditLog.entityId, typeId), eq(auditLog.action, 'certificate_type.updated'))));
    expect(audit).toHaveLength(1);
  });

  it('refuses bad input with 400 naming the field: valid-until before the issue date, unknown category, missing category, impossible day, video scan', async () => {
    const bad = async (over: Record<string, unknown>, field: string) => {
      const res = await s.as.officer.post('/api/v1/training/certificates', { ...welding(), number: number(), ...over });
      expect(res.statusCode, JSON.stringify(res.body)).toBe(400);
      expect(res.body.errors?.[0]?.field).toBe(field);
    };
    await bad({ validUntil: '2024-03-14' }, 'validUntil');
    await bad({ category: 'cooking' }, 'category');
    await bad({ category: null }, 'category');
    await bad({ issuedOn: '2024-02-30' }, 'issuedOn');
    await bad({ scanFileId: await makeScan(t, s.tenant.id, 'video') }, 'scanFileId');
    await bad({ nextReviewOn: '2031-01-01', validUntil: '2030-01-01' }, 'nextReviewOn');
    await bad({ typeId: s.typeId('other'), category: null }, 'validUntil');
    const unknownField = await s.as.officer.post('/api/v1/training/certificates', { ...welding(), number: number(), colour: 'red' });
    expect(unknownField.statusCode).toBe(400);
    expect(await t.db.read((tx) => tx.select().from(certificates).where(eq(certificates.validUntil, '2024-03-14')))).toHaveLength(0);
  });

  it('refuses a second live certificate with the same type and number (409) but allows it once the first is revoked', async () => {
    const n = number();
    const first = await s.as.officer.post('/api/v1/training/certificates', { ...welding(), number: n });
    expect(first.statusCode).toBe(201);
    const dup = await s.as.officer.post('/api/v1/training/certificates', { ...welding(), number: n });
    expect(dup.statusCode).toBe(409);
    expect(dup.body.code).toBe('already_exists');
    const revoked = await s.as.officer.post(`/api/v1/training/certificates/${first.body.id}/revoke`, { reason: '证件遗失补办', version: 1 });
    expect(revoked.statusCode).toBe(200);
    expect((await s.as.officer.post('/api/v1/training/certificates', { ...welding(), number: n })).statusCode).toBe(201);
  });

  it('updates with the version (stale → 409), and a revoked certificate stays in the register but cannot be edited', async () => {
    const c = (await s.as.officer.post('/api/v1/training/certificates', { ...welding(), number: number() })).body;
    const ok = await s.as.officer.patch(`/api/v1/training/certificates/${c.id}`, { issuer: '苏州市应急管理局', version: 1 });
    expect(ok.statusCode).toBe(200);
    expect(ok.body).toMatchObject({ issuer: '苏州市应急管理局', version: 2, validUntil: c.validUntil });
    const stale = await s.as.officer.patch(`/api/v1/training/certificates/${c.id}`, { issuer: 'x', version: 1 });
    expect(stale.statusCode).toBe(409);
    expect(stale.body).toMatchObject({ code: 'version_conflict', currentVersion: 2 });
    const noVersion = await s.as.officer.patch(`/api/v1/training/certificates/${c.id}`, { issuer: 'x' });
    expect(noVersion.statusCode).toBe(428);
    const before = await s.as.officer.patch(`/api/v1/training/certificates/${c.id}`, { validUntil: '2024-01-01', version: 2 });
    expect(before.statusCode).toBe(400);
    expect((await s.as.officer.post(`/api/v1/training/certificates/${c.id}/revoke`, { reason: '  ', version: 2 })).statusCode).toBe(400);
    const revoked = await s.as.officer.post(`/api/v1/training/certificates/${c.id}/revoke`, { reason: '违章作业，发证机关吊销', version: 2 });
    expect(revoked.body).toMatchObject({ status: 'revoked', revokeReason: '违章作业，发证机关吊销', version: 3 });
    const edit = await s.as.officer.patch(`/api/v1/training/certificates/${c.id}`, { issuer: 'x', version: 3 });
    expect(edit.statusCode).toBe(409);
    expect(edit.body.code).toBe('conflict');
    expect((await s.as.officer.get(`/api/v1/training/certificates/${c.id}`)).body.status).toBe('revoked');
    const audit = await t.db.read((tx) => tx.select().from(auditLog).where(and(eq(auditLog.entityId, c.id), eq(auditLog.action, 'certificate.revoked'))));
    expect(audit[0]!.after).toMatchObject({ revokeReason: '违章作业，发证机关吊销' });
  });

  it('returns 403 to roles without training:write and to a department head outside the holder’s department', async () => {
    expect((await s.as.worker.post('/api/v1/training/certificates', { ...welding(), number: number() })).statusCode).toBe(403);
    expect((await s.as.auditor.post('/api/v1/training/certificates', { ...welding(), number: number() })).statusCode).toBe(403);
    const other = await s.as.otherHead.post('/api/v1/training/certificates', { ...welding(), number: number() });
    expect(other.statusCode).toBe(403);
    expect(other.body.code).toBe('out_of_scope');
    // The holder's own department head may.
    expect((await s.as.head.post('/api/v1/training/certificates', { ...welding(), number: number() })).statusCode).toBe(201);
  });

  it('returns 404 for another tenant’s person and certificate', async () => {
    const { tenant, rootUnitId } = await makeTenant(t.db, 'Other Co');
    const plant = await makeOrgUnit(t.db, tenant.id, rootUnitId, 'plant');
    const stranger = await makePerson(t.db, tenant.id, plant.id);
    const otherAdmin = await signIn(t, (await makeUser(t.db, tenant.id, rootUnitId, ['sys_admin'])).user);
    expect((await s.as.officer.post('/api/v1/training/certificates', { ...welding(), personId: stranger.id, number: number() })).statusCode).toBe(404);
    const mine = (await s.as.officer.post('/api/v1/training/certificates', { ...welding(), number: number() })).body;
    expect((await otherAdmin.get(`/api/v1/training/certificates/${mine.id}`)).statusCode).toBe(404);
    expect((await otherAdmin.patch(`/api/v1/training/certificates/${mine.id}`, { issuer: 'x', version: 1 })).statusCode).toBe(404);
    expect((await otherAdmin.get(`/api/v1/training/people/${s.welder.person.id}/certificates`)).statusCode).toBe(404);
  });

  it('lists by type, status, expiring window, department and person, narrowed by data scope; a person reads their own', async () => {
    const painterCert = (await s.as.officer.post('/api/v1/training/certificates', { ...welding(), personId: s.painter.id, number: number(), issuedOn: '2020-12-20', validUntil: '2026-12-20', nextReviewOn: null })).body;
    const expired = (await s.as.officer.post('/api/v1/training/certificates', { ...welding(), personId: s.contractorWorker.id, number: number(), issuedOn: '2020-11-01', validUntil: '2026-11-30', nextReviewOn: null })).body;
    const overdue = (await s.as.officer.post('/api/v1/training/certificates', { ...welding(), personId: s.contractorWorker.id, number: number(), issuedOn: '2023-11-01', nextReviewOn: '2026-10-31' })).body;
    expect(painterCert).toMatchObject({ status: 'expiring', daysToExpiry: 19 });
    expect(expired).toMatchObject({ status: 'expired', daysToExpiry: -1 });
    expect(overdue.status).toBe('review_due');

    type PageT = { items: CertificateT[]; nextCursor: string | null };
    const ids = async (query: string, as = s.as.safety) => {
      const res = await as.get<PageT>(`/api/v1/training/certificates?limit=200&${query}`);
      expect(res.statusCode, JSON.stringify(res.body)).toBe(200);
      return res.body.items.map((i) => i.id);
    };
    expect(await ids('status=expired')).toEqual([expired.id]);
    expect(await ids('status=review_due')).toEqual([overdue.id]);
    expect(await ids('status=expiring')).toContain(painterCert.id);
    expect(await ids('status=valid')).not.toContain(painterCert.id);
    expect(await ids('expiringWithinDays=30')).toEqual([painterCert.id]);
    expect(await ids(`departmentId=${s.otherWorkshop.id}`)).toEqual([painterCert.id]);
    expect(await ids(`personId=${s.contractorWorker.id}`)).toEqual([expired.id, overdue.id]);
    expect((await ids(`typeId=${s.typeId('special_equipment')}`)).length).toBe(2);
    // The Assembly head sees Assembly's holders only; the Paint head only Paint's.
    expect(await ids('', s.as.head)).not.toContain(painterCert.id);
    expect(await ids('', s.as.otherHead)).toEqual([painterCert.id]);
    // The welder (employee, self scope) sees exactly their own, in the ledger and in their file.
    const own = await ids('', s.as.welder);
    expect(own.length).toBeGreaterThan(0);
    const mine = await s.as.welder.get<{ items: CertificateT[] }>('/api/v1/training/my/certificates');
    expect(mine.body.items.every((c) => c.personId === s.welder.person.id)).toBe(true);
    expect(mine.body.items.map((c) => c.id).sort()).toEqual([...own].sort());
    expect((await s.as.welder.get(`/api/v1/training/people/${s.painter.id}/certificates`)).statusCode).toBe(403);
    expect((await s.as.welder.get(`/api/v1/training/certificates/${painterCert.id}`)).statusCode).toBe(403);
    // Cursor pages cover the same rows.
    const first = await s.as.safety.get<PageT>('/api/v1/training/certificates?limit=2');
    const second = await s.as.safety.get<PageT>(`/api/v1/training/certificates?limit=2&cursor=${first.body.nextCursor}`);
    expect(second.body.items[0]!.validUntil >= first.body.items[1]!.validUntil).toBe(true);
    expect((await s.as.safety.get('/api/v1/training/certificates?status=lost')).statusCode).toBe(400);
    expect((await s.as.safety.get('/api/v1/training/certificates?cursor=xyz')).statusCode).toBe(400);
  });
});
