import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { and, eq, sql } from 'drizzle-orm';
import jsQRModule from 'jsqr';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog } from '../../platform/audit/schema.ts';
import { outboxEvents } from '../../platform/events/schema.ts';
import { orgUnits, tenants } from '../../platform/org/schema.ts';
import { createTestApp, type TestApp } from '../../test/app.ts';
import type { NoticeView } from './notice.ts';
import { findCjkFont, overrideCjkFonts } from '../../platform/pdf/fonts.ts';
import { hazardNoticeItems, hazardNotices } from './schema.ts';
import { makeFile, seedHazardCompany, type Client, type Seed } from './testSupport.ts';

// jsqr is CommonJS typed as an ES module: to TypeScript its default import is the module, at run time the function.
const jsQR = ((jsQRModule as unknown as { default?: unknown }).default ?? jsQRModule) as typeof jsQRModule.default;

const PUBLIC_URL = 'https://safety.example.com';
const filesDir = fs.mkdtempSync(path.join(os.tmpdir(), 'safeloop-notice-'));
const hasFont = findCjkFont() !== null;
const has = (tool: string) => {
  try {
    execFileSync('which', [tool], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};
const hasPoppler = has('pdftotext') && has('pdftoppm');

let t: TestApp;
let s: Seed;
let other: Seed;
let photo: string;

/** A real photo through the upload endpoint, so storage has its bytes and a thumbnail. */
async function uploadPhoto(c: Client): Promise<string> {
  const png = await sharp({ create: { width: 640, height: 480, channels: 3, background: { r: 200, g: 60, b: 40 } } })
    .composite([{ input: Buffer.from('<svg width="640" height="480"><rect x="200" y="120" width="240" height="240" fill="#ffd400"/></svg>'), top: 0, left: 0 }])
    .png()
    .toBuffer();
  const boundary = '----safeloopnotice';
  const payload = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="site.png"\r\nContent-Type: image/png\r\n\r\n`),
    png,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  const res = await t.app.inject({ method: 'POST', url: '/api/v1/files', payload, headers: { authorization: c.authorization, 'content-type': `multipart/form-data; boundary=${boundary}` } });
  expect(res.statusCode).toBe(201);
  return (res.json() as { items: { id: string }[] }).items[0]!.id;
}

beforeAll(async () => {
  t = await createTestApp({ RATE_LIMIT_PER_MINUTE: '100000', FILES_DIR: filesDir, PUBLIC_URL });
  s = await seedHazardCompany(t);
  other = await seedHazardCompany(t);
  await t.db.tx(async (tx) => {
    await tx.update(tenants).set({ name: '华东精工机械有限公司' }).where(eq(tenants.id, s.tenant.id));
    await tx.update(orgUnits).set({ name: '装配车间' }).where(eq(orgUnits.id, s.workshop.id));
    await tx.update(orgUnits).set({ name: '装配一班' }).where(eq(orgUnits.id, s.team.id));
  });
  photo = await uploadPhoto(s.as.worker);
});
afterAll(async () => {
  overrideCjkFonts(null);
  await t.close();
  fs.rmSync(filesDir, { recursive: true, force: true });
});

interface Reported {
  id: string;
  number: string;
  version: number;
}

async function report(c: Client, orgUnitId: string, over: Record<string, unknown> = {}, photoId = photo): Promise<Reported> {
  const res = await c.post<Reported>('/api/v1/hazards', {
    title: '冲压机防护罩缺失',
    description: '3 号冲压机右侧防护罩拆下后未恢复，操作人员手部可进入危险区。',
    suggestedFix: '立即恢复防护罩并加装联锁开关。',
    category: 'equipment',
    level: 'serious',
    orgUnitId,
    photoIds: [photoId],
    ...over,
  });
  expect(res.statusCode).toBe(201);
  return res.body;
}

const issue = (c: Client, hazardIds: string[]) => c.post<NoticeView>('/api/v1/hazards/notices', { hazardIds });
const year = () => new Date(t.clock.now.getTime() + 8 * 3600_000).getUTCFullYear();

function pdfText(pdf: Buffer): string {
  const file = path.join(filesDir, `notice-${Math.random().toString(16).slice(2)}.pdf`);
  fs.writeFileSync(file, pdf);
  return execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
}

async function firstPagePixels(pdf: Buffer, name: string): Promise<{ data: Uint8ClampedArray; width: number; height: number; png: string }> {
  const file = path.join(filesDir, `${name}.pdf`);
  fs.writeFileSync(file, pdf);
  execFileSync('pdftoppm', ['-png', '-r', '110', '-f', '1', '-l', '1', '-singlefile', file, path.join(filesDir, name)]);
  const png = path.join(filesDir, `${name}.png`);
  const { data, info } = await sharp(png).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8ClampedArray(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height, png };
}

describe('issuing a rectification notice', () => {
  it('numbers notices ZG-<year>-0001, 0002 … per tenant, records the findings in order, audits and announces it', async () => {
    const a = await report(s.as.worker, s.team.id);
    const b = await report(s.as.leader, s.team.id, { title: '配电箱门未关闭', category: 'electrical', level: 'general' });
    const first = await issue(s.as.officer, [b.id, a.id]);
    expect(first.statusCode).toBe(201);
    expect(first.body.number).toBe(`ZG-${year()}-0001`);
    expect(first.body.departmentId).toBe(s.workshop.id);
    expect(first.body.departmentName).toBe('装配车间');
    expect(first.body.hazards.map((h) => h.number)).toEqual([b.number, a.number]);
    expect(first.body.pdfUrl).toBe(`/api/v1/hazards/notices/${first.body.id}/pdf`);

    const second = await issue(s.as.safety, [a.id]);
    expect(second.statusCode).toBe(201);
    expect(second.body.number).toBe(`ZG-${year()}-0002`);
    // Another company counts from 1 on its own.
    const theirs = await report(other.as.worker, other.team.id, {}, await makeFile(t, other.tenant.id));
    const elsewhere = await issue(other.as.officer, [theirs.id]);
    expect(elsewhere.body.number).toBe(`ZG-${year()}-0001`);

    const items = await t.db.read((tx) => tx.select().from(hazardNoticeItems).where(eq(hazardNoticeItems.noticeId, first.body.id)));
    expect(items.sort((x, y) => x.position - y.position).map((i) => i.hazardId)).toEqual([b.id, a.id]);
    const audit = await t.db.read((tx) =>
      tx
        .select()
        .from(auditLog)
        .where(and(eq(auditLog.tenantId, s.tenant.id), eq(auditLog.action, 'hazard_notice.issued'), eq(auditLog.entityId, first.body.id))),
    );
    expect(audit).toHaveLength(1);
    expect(audit[0]!.actorUserId).toBe(s.officer.user.id);
    expect(audit[0]!.after).toMatchObject({ number: first.body.number, departmentId: s.workshop.id, hazardNumbers: [b.number, a.number] });
    const events = await t.db.read((tx) => tx.select().from(outboxEvents).where(and(eq(outboxEvents.type, 'hazard.notice_issued'), eq(outboxEvents.entityId, first.body.id))));
    expect(events).toHaveLength(1);
    expect(events[0]!.payload).toMatchObject({ number: first.body.number, hazardIds: [b.id, a.id] });
    // The hazard's timeline shows the notice.
    const detail = await s.as.worker.get(`/api/v1/hazards/${a.id}`);
    expect(detail.body.timeline.filter((e) => e.action === 'notice_issued').map((e) => e.data.noticeNumber)).toEqual([first.body.number, second.body.number]);
    // Read back as JSON by someone who sees its findings.
    const read = await s.as.head.get<NoticeView>(`/api/v1/hazards/notices/${first.body.id}`);
    expect(read.statusCode).toBe(200);
    expect(read.body.number).toBe(first.body.number);
  });

  it('refuses hazards of two departments with 422 notice_mixed_departments naming both, and writes nothing', async () => {
    const here = await report(s.as.worker, s.team.id);
    const there = await report(s.as.otherWorker, s.otherTeam.id);
    const before = await t.db.read(async (tx) => (await tx.select({ n: sql<number>`count(*)::int` }).from(hazardNotices))[0]!.n);
    const res = await issue(s.as.officer, [here.id, there.id]);
    expect(res.statusCode).toBe(422);
    expect(res.body.code).toBe('notice_mixed_departments');
    expect(res.body.detail).toContain(here.number);
    expect(res.body.detail).toContain(there.number);
    expect(res.body.detail).toContain('one notice per department');
    const after = await t.db.read(async (tx) => (await tx.select({ n: sql<number>`count(*)::int` }).from(hazardNotices))[0]!.n);
    expect(after).toBe(before);
  });

  it('refuses a closed or rejected hazard with 409, an unknown id and another tenant’s hazard with 404', async () => {
    const open = await report(s.as.worker, s.team.id);
    const fixed = await report(s.as.leader, s.team.id, { fixOnSpot: true, afterPhotoIds: [await makeFile(t, s.tenant.id)], level: 'general' });
    const passed = await s.as.officer.post(`/api/v1/hazards/${fixed.id}/pass`, { version: (await s.as.officer.get(`/api/v1/hazards/${fixed.id}`)).body.version });
    expect(passed.body.status).toBe('closed');
    const closedRes = await issue(s.as.officer, [open.id, fixed.id]);
    expect(closedRes.statusCode).toBe(409);
    expect(closedRes.body.detail).toContain(`${fixed.number} is closed`);

    const dud = await report(s.as.worker, s.team.id);
    const rejected = await s.as.officer.post(`/api/v1/hazards/${dud.id}/reject`, { reason: '非隐患：设备已停用挂牌', version: (await s.as.officer.get(`/api/v1/hazards/${dud.id}`)).body.version });
    expect(rejected.body.status).toBe('rejected');
    expect((await issue(s.as.officer, [dud.id])).statusCode).toBe(409);

    const unknown = await issue(s.as.officer, [open.id, '0190a0a0-0000-7000-8000-000000000000']);
    expect(unknown.statusCode).toBe(404);
    const theirs = await report(other.as.worker, other.team.id, {}, await makeFile(t, other.tenant.id));
    const foreign = await issue(s.as.officer, [theirs.id]);
    expect(foreign.statusCode).toBe(404);
    expect(foreign.body.code).toBe('not_found');
  });

  it('refuses a hazard outside the issuer’s data scope (403 out_of_scope) and a worker without hazard:triage (403)', async () => {
    const paint = await report(s.as.otherWorker, s.otherTeam.id);
    // The Assembly head holds hazard:triage with department scope: Paint is not theirs.
    const res = await issue(s.as.head, [paint.id]);
    expect(res.statusCode).toBe(403);
    expect(res.body.code).toBe('out_of_scope');
    const mine = await report(s.as.worker, s.team.id);
    const worker = await issue(s.as.worker, [mine.id]);
    expect(worker.statusCode).toBe(403);
    expect(worker.body.code).toBe('forbidden');
    // The notice of a finding they cannot see is not theirs to read either.
    const notice = await issue(s.as.officer, [paint.id]);
    expect((await s.as.head.get(`/api/v1/hazards/notices/${notice.body.id}`)).statusCode).toBe(403);
    expect((await other.as.officer.get(`/api/v1/hazards/notices/${notice.body.id}`)).statusCode).toBe(404);
  });

  it('validates the body: empty list and bad ids are 400', async () => {
    expect((await issue(s.as.officer, [])).statusCode).toBe(400);
    expect((await s.as.officer.post('/api/v1/hazards/notices', { hazardIds: ['nope'] })).statusCode).toBe(400);
    expect((await s.as.officer.post('/api/v1/hazards/notices', { hazardIds: [], extra: 1 })).statusCode).toBe(400);
  });
});

describe('the notice as PDF', () => {
  it.runIf(hasFont)('is a real PDF whose text has the company, notice number, department and every finding', async () => {
    const a = await report(s.as.worker, s.team.id);
    const b = await report(s.as.worker, s.team.id, { title: '消防通道堆放物料', category: 'fire', level: 'general' });
    const notice = await issue(s.as.officer, [a.id, b.id]);
    const res = await s.as.officer.get(`/api/v1/hazards/notices/${notice.body.id}/pdf`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(String(res.headers['content-disposition'])).toContain(`${notice.body.number}.pdf`);
    expect(res.raw.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(res.raw.subarray(-8).toString('latin1')).toContain('%%EOF');
    // The trailer's Subject is plain ASCII: checkable even without poppler.
    expect(res.raw.toString('latin1')).toContain(`${notice.body.number} ${a.number} ${b.number}`);
    if (!hasPoppler) return;
    const text = pdfText(res.raw).replace(/[ \t]+/g, ' ');
    for (const want of ['华东精工机械有限公司', '隐患整改通知书', notice.body.number, '装配车间', a.number, b.number, '冲压机防护罩缺失', '消防通道堆放物料', '较大', '一般', '装配一班', '立即恢复防护罩并加装联锁开关', '签发人', '接收人', '扫码查看隐患']) {
      expect(text, want).toContain(want);
    }
  });

  it.runIf(hasFont && hasPoppler)('prints a QR code that decodes to the hazard’s page, and the photo thumbnail', async () => {
    const a = await report(s.as.worker, s.team.id);
    // The one-hazard shortcut: the safety office's first call issues the notice, the next prints the same one.
    const res = await s.as.officer.get(`/api/v1/hazards/${a.id}/notice.pdf`);
    expect(res.statusCode).toBe(200);
    const again = await s.as.officer.get(`/api/v1/hazards/${a.id}/notice.pdf`);
    expect(again.statusCode).toBe(200);
    const issued = await t.db.read((tx) => tx.select().from(hazardNoticeItems).where(eq(hazardNoticeItems.hazardId, a.id)));
    expect(issued).toHaveLength(1);
    const page = await firstPagePixels(res.raw, 'single');
    const qr = jsQR(page.data, page.width, page.height);
    expect(qr?.data).toBe(`${PUBLIC_URL}/hazards/${a.id}`);
    // The red-yellow test photo is on the page: some pixels are that yellow.
    let yellow = 0;
    for (let i = 0; i < page.data.length; i += 4) {
      if (page.data[i]! > 230 && page.data[i + 1]! > 190 && page.data[i + 2]! < 60) yellow++;
    }
    expect(yellow).toBeGreaterThan(500);
    if (process.env.NOTICE_PNG) fs.copyFileSync(page.png, process.env.NOTICE_PNG);
  });

  it('the one-hazard shortcut answers 404 to someone who may not issue a notice when none exists', async () => {
    const a = await report(s.as.worker, s.team.id);
    const res = await s.as.worker.get(`/api/v1/hazards/${a.id}/notice.pdf`);
    expect(res.statusCode).toBe(404);
    expect(res.body.detail).toContain(a.number);
    expect(await t.db.read((tx) => tx.select().from(hazardNoticeItems).where(eq(hazardNoticeItems.hazardId, a.id)))).toHaveLength(0);
  });

  it('answers 503 pdf_font_missing naming the Debian package when the server has no CJK font', async () => {
    const a = await report(s.as.worker, s.team.id);
    const notice = await issue(s.as.officer, [a.id]);
    overrideCjkFonts([{ regular: { path: '/nonexistent/NotoSansCJK-Regular.ttc', name: 'NotoSansCJKsc-Regular' } }]);
    try {
      const res = await s.as.officer.get(`/api/v1/hazards/notices/${notice.body.id}/pdf`);
      expect(res.statusCode).toBe(503);
      expect(String(res.headers['content-type'])).toContain('application/problem+json');
      expect(res.body.code).toBe('pdf_font_missing');
      expect(res.body.detail).toContain('fonts-noto-cjk');
    } finally {
      overrideCjkFonts(null);
    }
  });
});
