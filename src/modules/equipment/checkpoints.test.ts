import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog } from '../../platform/audit/schema.ts';
import { createTestApp, seedSmallCompany, type TestApp } from '../../test/app.ts';
import { ctxFor, makeUser } from '../../test/factories.ts';
import { AppError } from '../../platform/http/errors.ts';
import { overrideCjkFonts } from '../../platform/pdf/fonts.ts';
import type { CheckpointT, ScanLogT, ScanResultT } from './routes.ts';
import { checkpointScans } from './schema.ts';
import { verifyCheckpointScan } from './service.ts';
import { addCheckpoint, addEquipment, decodeQrPng, signIn, seedEquipmentCompany, type Client, type Seed } from './testSupport.ts';

const PUBLIC_URL = 'https://safety.example.com';
let t: TestApp;
let s: Seed;
let stranger: Client;
let strangerCode: string;
type Page = { items: CheckpointT[]; nextCursor: string | null };
const CENTRE = { lat: 31.2304, lng: 121.4737 };

beforeAll(async () => {
  t = await createTestApp({ RATE_LIMIT_PER_MINUTE: '100000', PUBLIC_URL });
  s = await seedEquipmentCompany(t);
  const other = await seedSmallCompany(t);
  stranger = await signIn(t, (await makeUser(t.db, other.tenant.id, other.rootUnitId, ['safety_director'])).user);
  const theirs = await stranger.post<CheckpointT>('/api/v1/checkpoints', { name: 'Elsewhere', orgUnitId: other.team.id });
  strangerCode = theirs.body.scanCode!;
});
afterAll(() => t.close());

const scanAs = (c: Client, body: Record<string, unknown>) => c.post<ScanResultT>('/api/v1/checkpoints/scan', body);
const refusals = (entityId: string) => t.db.read((tx) => tx.select().from(auditLog).where(and(eq(auditLog.entityId, entityId), eq(auditLog.action, 'checkpoint.scan_refused'))));

describe('checkpoints and their QR codes', () => {
  it('gives each checkpoint a random code shown only to checkpoint:manage, printed as <PUBLIC_URL>/s#<code>', async () => {
    const crane = await addEquipment(s, { name: '5t 桥式起重机' });
    const cp = await addCheckpoint(s, { name: '行车检查点', equipmentId: crane.id, description: '吊钩、钢丝绳' });
    expect(cp.scanCode).toMatch(/^[A-Z2-7]{24}$/);
    expect(cp.scanUrl).toBe(`${PUBLIC_URL}/s#${cp.scanCode}`);
    expect(cp).toMatchObject({ equipmentId: crane.id, equipmentName: '5t 桥式起重机', orgUnitName: 'Team A' });
    const other = await addCheckpoint(s);
    expect(other.scanCode).not.toBe(cp.scanCode);
    // A worker (and a team leader) reads checkpoints without the code.
    const asWorker = await s.as.leader.get<CheckpointT>(`/api/v1/checkpoints/${cp.id}`);
    expect(asWorker.statusCode).toBe(200);
    expect(asWorker.body).not.toHaveProperty('scanCode');
    expect(asWorker.body).not.toHaveProperty('scanUrl');
    const list = await s.as.leader.get<Page>('/api/v1/checkpoints');
    expect(list.body.items.length).toBeGreaterThan(0);
    expect(JSON.stringify(list.body)).not.toContain(cp.scanCode);
    expect((await s.as.officer.get<Page>('/api/v1/checkpoints')).body.items.find((c) => c.id === cp.id)?.scanCode).toBe(cp.scanCode);
    // Creating one takes checkpoint:manage; no audit entry carries the code.
    expect((await s.as.worker.post('/api/v1/checkpoints', { name: 'x', orgUnitId: s.team.id })).statusCode).toBe(403);
    const audit = await t.db.read((tx) => tx.select().from(auditLog).where(eq(auditLog.entityId, cp.id)));
    expect(audit.map((a) => a.action)).toEqual(['checkpoint.created']);
    expect(JSON.stringify(audit)).not.toContain(cp.scanCode);
  });

  it('renders a QR PNG that decodes to the scan URL, the same on every re-print; SVG too; 403 without checkpoint:manage', async () => {
    const cp = await addCheckpoint(s);
    const png = await s.as.officer.get(`/api/v1/checkpoints/${cp.id}/qr.png`);
    expect(png.statusCode).toBe(200);
    expect(png.headers['content-type']).toBe('image/png');
    expect(await decodeQrPng(png.raw)).toBe(`${PUBLIC_URL}/s#${cp.scanCode}`);
    // The web app adds ?v=<version> to bust the browser cache after a rotation.
    const again = await s.as.officer.get(`/api/v1/checkpoints/${cp.id}/qr.png?v=1`);
    expect(await decodeQrPng(again.raw)).toBe(`${PUBLIC_URL}/s#${cp.scanCode}`);
    const svg = await s.as.officer.get(`/api/v1/checkpoints/${cp.id}/qr.svg`);
    expect(svg.headers['content-type']).toContain('image/svg+xml');
    expect(svg.raw.toString('utf8')).toContain('<svg');
    expect((await s.as.leader.get(`/api/v1/checkpoints/${cp.id}/qr.png`)).statusCode).toBe(403);
    expect((await stranger.get(`/api/v1/checkpoints/${cp.id}/qr.png`)).statusCode).toBe(404);
  });

  it('prints an A4 label sheet for the selected checkpoints, and 503 pdf_font_missing without a CJK font', async () => {
    const picked = [];
    for (let i = 0; i < 9; i++) picked.push((await addCheckpoint(s, { name: `泵房巡检点 ${i + 1}` })).id);
    const pdf = await s.as.officer.get(`/api/v1/checkpoints/labels.pdf?ids=${picked.join(',')}`);
    expect(pdf.statusCode).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect(pdf.raw.subarray(0, 5).toString()).toBe('%PDF-');
    // 8 labels a page: 9 checkpoints take two pages.
    expect(pdf.raw.toString('latin1').match(/\/Type \/Page\b/g)).toHaveLength(2);
    expect((await s.as.officer.get(`/api/v1/checkpoints/labels.pdf?ids=${picked[0]},not-a-uuid`)).statusCode).toBe(400);
    expect((await s.as.leader.get(`/api/v1/checkpoints/labels.pdf?ids=${picked[0]}`)).statusCode).toBe(403);
    expect((await stranger.get(`/api/v1/checkpoints/labels.pdf?ids=${picked[0]}`)).statusCode).toBe(404);
    overrideCjkFonts([]);
    try {
      const missing = await s.as.officer.get(`/api/v1/checkpoints/labels.pdf?ids=${picked[0]}`);
      expect(missing.statusCode).toBe(503);
      expect(missing.body.code).toBe('pdf_font_missing');
    } finally {
      overrideCjkFonts(null);
    }
  });

  it('edits with the version (409 when stale), 404 for another tenant, 400 for half a position', async () => {
    const cp = await addCheckpoint(s);
    const ok = await s.as.officer.patch<CheckpointT>(`/api/v1/checkpoints/${cp.id}`, { ...CENTRE, radiusM: 50, version: 1 });
    expect(ok.body).toMatchObject({ lat: CENTRE.lat, radiusM: 50, version: 2, scanCode: cp.scanCode });
    expect((await s.as.officer.patch(`/api/v1/checkpoints/${cp.id}`, { name: 'x', version: 1 })).statusCode).toBe(409);
    expect((await stranger.patch(`/api/v1/checkpoints/${cp.id}`, { name: 'x', version: 2 })).statusCode).toBe(404);
    const half = await s.as.officer.post('/api/v1/checkpoints', { name: 'x', orgUnitId: s.team.id, lat: 31.2 });
    expect(half.statusCode).toBe(400);
    const radiusOnly = await s.as.officer.post('/api/v1/checkpoints', { name: 'x', orgUnitId: s.team.id, radiusM: 30 });
    expect(radiusOnly.statusCode).toBe(400);
    expect(radiusOnly.body.errors?.[0]?.field).toBe('radiusM');
  });
});

describe('scan verification (POST /checkpoints/scan)', () => {
  it('accepts a valid code and answers the checkpoint with its area and equipment, logging the scan', async () => {
    const forklift = await addEquipment(s, { kind: 'forklift', name: '3t 叉车', nextInspectionDue: '2026-12-01' });
    const cp = await addCheckpoint(s, { name: '叉车充电区', equipmentId: forklift.id });
    const r = await scanAs(s.as.worker, { code: cp.scanCode });
    expect(r.statusCode).toBe(200);
    expect(r.body).toMatchObject({ checkpointId: cp.id, name: '叉车充电区', orgUnitId: s.team.id, orgUnitName: 'Team A', distanceM: null });
    expect(r.body.equipment).toMatchObject({ id: forklift.id, code: forklift.code, name: '3t 叉车', special: true });
    expect(r.body).not.toHaveProperty('scanCode');
    // Typed in by hand from a label: lower case and spaces are fine.
    expect((await scanAs(s.as.worker, { code: ` ${cp.scanCode!.toLowerCase().slice(0, 12)} ${cp.scanCode!.toLowerCase().slice(12)}` })).statusCode).toBe(200);
    const log = await s.as.officer.get<{ items: ScanLogT[] }>(`/api/v1/checkpoints/${cp.id}/scans`);
    expect(log.body.items).toHaveLength(2);
    expect(log.body.items[0]).toMatchObject({ userId: s.worker.user.id, result: 'ok' });
    expect((await s.as.worker.get(`/api/v1/checkpoints/${cp.id}/scans`)).statusCode).toBe(403);
  });

  it('refuses an unknown code and another company’s code with 404 checkpoint_code_unknown, logged and audited', async () => {
    const unknown = await scanAs(s.as.worker, { code: 'ABCDEFGHIJKLMNOPQRSTUVWX' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.body.code).toBe('checkpoint_code_unknown');
    const theirs = await scanAs(s.as.worker, { code: strangerCode });
    expect(theirs.statusCode).toBe(404);
    expect(theirs.body.code).toBe('checkpoint_code_unknown');
    const rows = await t.db.read((tx) => tx.select().from(checkpointScans).where(and(eq(checkpointScans.tenantId, s.tenant.id), eq(checkpointScans.result, 'unknown_code'))));
    expect(rows).toHaveLength(2);
    expect(rows.every((r) => r.checkpointId === null && r.userId === s.worker.user.id)).toBe(true);
    expect(await refusals(rows[0]!.id)).toHaveLength(1);
    expect((await scanAs(s.as.worker, { code: 'x'.repeat(101) })).statusCode).toBe(400);
  });

  it('rotates the code with a reason (audited): old labels answer 404 checkpoint_code_rotated, the new one works', async () => {
    const cp = await addCheckpoint(s);
    const old = cp.scanCode!;
    expect((await s.as.officer.post(`/api/v1/checkpoints/${cp.id}/rotate-code`, { reason: '', version: 1 })).statusCode).toBe(400);
    expect((await s.as.leader.post(`/api/v1/checkpoints/${cp.id}/rotate-code`, { reason: '标签被拍照外传', version: 1 })).statusCode).toBe(403);
    const rotated = await s.as.officer.post<CheckpointT>(`/api/v1/checkpoints/${cp.id}/rotate-code`, { reason: '标签被拍照外传', version: 1 });
    expect(rotated.statusCode).toBe(200);
    expect(rotated.body.scanCode).toMatch(/^[A-Z2-7]{24}$/);
    expect(rotated.body.scanCode).not.toBe(old);
    expect(rotated.body.codeRotatedAt).not.toBeNull();
    const stale = await scanAs(s.as.worker, { code: old });
    expect(stale.statusCode).toBe(404);
    expect(stale.body.code).toBe('checkpoint_code_rotated');
    expect((await scanAs(s.as.worker, { code: rotated.body.scanCode })).statusCode).toBe(200);
    const png = await s.as.officer.get(`/api/v1/checkpoints/${cp.id}/qr.png`);
    expect(await decodeQrPng(png.raw)).toBe(`${PUBLIC_URL}/s#${rotated.body.scanCode}`);
    const audit = await t.db.read((tx) => tx.select().from(auditLog).where(and(eq(auditLog.entityId, cp.id), eq(auditLog.action, 'checkpoint.code_rotated'))));
    expect(audit).toHaveLength(1);
    expect(audit[0]!.after).toMatchObject({ reason: '标签被拍照外传' });
    expect(JSON.stringify(audit)).not.toContain(old);
    expect(await refusals(cp.id)).toHaveLength(1);
  });

  it('refuses a position outside the radius with 422 checkpoint_out_of_range and the distance, accepts one inside', async () => {
    const cp = await addCheckpoint(s, { ...CENTRE, radiusM: 50 });
    // 0.0018° of latitude ≈ 200 m north.
    const far = await scanAs(s.as.worker, { code: cp.scanCode, lat: CENTRE.lat + 0.0018, lng: CENTRE.lng, accuracy: 12 });
    expect(far.statusCode).toBe(422);
    expect(far.body.code).toBe('checkpoint_out_of_range');
    expect(far.body.distanceM).toBeGreaterThan(190);
    expect(far.body.distanceM).toBeLessThan(210);
    const near = await scanAs(s.as.worker, { code: cp.scanCode, lat: CENTRE.lat + 0.0002, lng: CENTRE.lng });
    expect(near.statusCode).toBe(200);
    expect(near.body.distanceM).toBeGreaterThan(15);
    expect(near.body.distanceM).toBeLessThan(30);
    // Without a position the code alone is accepted (GPS is optional on the phone).
    expect((await scanAs(s.as.worker, { code: cp.scanCode })).statusCode).toBe(200);
    expect((await scanAs(s.as.worker, { code: cp.scanCode, lat: CENTRE.lat })).statusCode).toBe(400);
    const rows = await t.db.read((tx) => tx.select().from(checkpointScans).where(eq(checkpointScans.checkpointId, cp.id)));
    expect(rows.map((r) => r.result).sort()).toEqual(['ok', 'ok', 'out_of_range']);
    expect(rows.find((r) => r.result === 'out_of_range')).toMatchObject({ accuracyM: 12, lat: CENTRE.lat + 0.0018 });
    expect(await refusals(cp.id)).toHaveLength(1);
  });

  it('refuses the code of another checkpoint in verifyCheckpointScan (checkpoint_mismatch) and accepts the right one', async () => {
    const a = await addCheckpoint(s, { name: '一号泵' });
    const b = await addCheckpoint(s, { name: '二号泵' });
    const ctx = await ctxFor(t.db, s.worker.user.id, () => t.clock.now);
    const ok = await verifyCheckpointScan(ctx, { checkpointId: a.id, code: a.scanCode!, position: null });
    expect(ok).toMatchObject({ checkpointId: a.id, name: '一号泵' });
    const wrong = await verifyCheckpointScan(ctx, { checkpointId: a.id, code: b.scanCode! }).catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(AppError);
    expect(wrong).toMatchObject({ code: 'checkpoint_mismatch', status: 422, extra: { expectedCheckpointId: a.id, scannedCheckpointId: b.id } });
    const rows = await t.db.read((tx) => tx.select().from(checkpointScans).where(eq(checkpointScans.expectedCheckpointId, a.id)));
    expect(rows.map((r) => r.result).sort()).toEqual(['mismatch', 'ok']);
    expect(await refusals(b.id)).toHaveLength(1);
    await expect(verifyCheckpointScan(ctx, { checkpointId: 'nope', code: a.scanCode! })).rejects.toMatchObject({ code: 'validation_failed' });
  });

  it('refuses the code of an archived checkpoint with checkpoint_archived', async () => {
    const cp = await addCheckpoint(s);
    const archived = await s.as.officer.post<CheckpointT>(`/api/v1/checkpoints/${cp.id}/archive`, { reason: '设备已拆除', version: 1 });
    expect(archived.body).toMatchObject({ archived: true, archiveReason: '设备已拆除' });
    const r = await scanAs(s.as.worker, { code: cp.scanCode });
    expect(r.statusCode).toBe(404);
    expect(r.body.code).toBe('checkpoint_archived');
    expect((await s.as.officer.get<Page>('/api/v1/checkpoints')).body.items.map((c) => c.id)).not.toContain(cp.id);
    expect((await s.as.officer.get<Page>('/api/v1/checkpoints?archived=true')).body.items.map((c) => c.id)).toContain(cp.id);
  });
});
