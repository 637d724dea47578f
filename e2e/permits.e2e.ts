import type { Page } from 'playwright-core';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { apiAs, baseUrl, screenshot, type Session } from './lib/browser.ts';
import { browserSuite } from './lib/suite.ts';

/**
 * Hazardous-work permits (issue 6) in the browser: a grade-1 hot-work permit is applied for, gas-tested,
 * approved by the department head and the safety office on its detail page, verified on site by its
 * guardian on a phone (QR token, position, photo), shown as valid on the public QR status page, and
 * expired by the server's expiry timer when its window ends (the window is set to end two minutes after
 * the start, so the real job runner expires it); the PDF is rendered to PNG.
 */
const suite = browserSuite('permits');
let leader: Session;
let head: Session;
let officer: Session;
let guardian: Session;
let visitor: Session;

interface PermitT {
  id: string;
  number: string;
  status: string;
  qrToken: string | null;
  measures: { id: string }[];
  version: number;
}

beforeAll(async () => {
  leader = await suite.signIn('desktop', 'leader1');
});

async function png(): Promise<Buffer> {
  return sharp({ create: { width: 160, height: 80, channels: 3, background: '#ffffff' } })
    .composite([{ input: Buffer.from('<svg width="160" height="80"><path d="M10 60 C 40 10, 80 90, 150 20" stroke="black" stroke-width="4" fill="none"/></svg>'), top: 0, left: 0 }])
    .png()
    .toBuffer();
}

async function upload(page: Page): Promise<string> {
  const res = await page.context().request.post(`${baseUrl}/api/v1/files`, { multipart: { file: { name: 'sig.png', mimeType: 'image/png', buffer: await png() } } });
  expect(res.status()).toBe(201);
  return ((await res.json()) as { items: { id: string }[] }).items[0]!.id;
}

async function me(page: Page): Promise<{ personId: string }> {
  return (await apiAs<{ personId: string }>(page, 'GET', '/me')).body;
}

describe('grade 1 hot-work permit', () => {
  let permit: PermitT;

  it('is applied for by the team leader (the form), gas-tested and its measures signed', async () => {
    const { page } = leader;
    await page.goto('/permits/apply');
    await page.getByTestId('apply-location').waitFor();
    await page.getByTestId('apply-location').fill('2# 反应釜出口管线');
    await page.getByTestId('apply-content').fill('更换法兰，电焊');
    await screenshot(page, 'permits-1-apply-form-desktop');

    // The application itself through the API with a window that ends soon (a controlled clock is hard in
    // a browser: the real expiry timer ends it).
    guardian = await suite.signIn('phone', 'worker1');
    const guardianPerson = (await me(guardian.page)).personId;
    officer = await suite.signIn('desktop', 'officer');
    const certs = await apiAs<{ items: { personId: string; category: string | null; status: string }[] }>(officer.page, 'GET', '/training/certificates?limit=200');
    const welder = certs.body.items.find((c) => c.category === 'welding' && c.status === 'valid' && c.personId !== guardianPerson);
    expect(welder).toBeTruthy();
    const units = await apiAs<{ items: { id: string; code: string }[] }>(leader.page, 'GET', '/hazards/areas');
    const area = units.body.items.find((u) => u.code === 'P2-HJ-1') ?? units.body.items[0]!;
    const now = Date.now();
    const created = await apiAs<PermitT>(leader.page, 'POST', '/permits', {
      type: 'hot_work',
      grade: '1',
      orgUnitId: area.id,
      location: '2# 反应釜出口管线',
      content: '更换法兰，电焊',
      validFrom: new Date(now - 60_000).toISOString(),
      validUntil: new Date(now + 150_000).toISOString(),
      guardianPersonId: guardianPerson,
      workers: [{ personId: welder!.personId, role: 'worker', certificateNo: 'T-E2E' }],
      fields: { method: '电焊' },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    permit = created.body;
    for (const m of permit.measures) {
      const r = await apiAs<PermitT>(leader.page, 'POST', `/permits/${permit.id}/measures/${m.id}/confirm`, { applicable: true, signatureFileId: await upload(leader.page) });
      expect(r.status).toBe(200);
    }

    // The gas analysis through the detail page, as the safety officer.
    await officer.page.goto(`/permits/${permit.id}`);
    await officer.page.getByTestId('permit-gas').click();
    await officer.page.getByTestId('gas-point').fill('法兰下方 1 m');
    await officer.page.getByTestId('gas-o2').fill('20.8');
    await officer.page.getByTestId('gas-flammable').fill('0.1');
    const saved = officer.page.waitForResponse((r) => r.url().includes(`/permits/${permit.id}/gas-readings`) && r.request().method() === 'POST');
    await officer.page.getByTestId('gas-ok').click();
    expect((await saved).status()).toBe(201);
    await expect.poll(() => officer.page.getByTestId('permit-status').first().textContent()).toBe('已气体分析');

    await page.goto(`/permits/${permit.id}`);
    const submitted = page.waitForResponse((r) => r.url().endsWith(`/permits/${permit.id}/submit`));
    await page.getByTestId('permit-submit').click();
    expect((await submitted).status()).toBe(200);
    await expect.poll(() => page.getByTestId('permit-status').first().textContent()).toBe('审批中');
    await screenshot(page, 'permits-2-submitted-desktop');
  });

  it('is approved by the department head and then the safety office', async () => {
    head = await suite.signIn('desktop', 'head1');
    for (const s of [head, officer]) {
      await s.page.goto(`/permits/${permit.id}`);
      const approve = s.page.getByTestId('permit-approve');
      await approve.waitFor();
      const decided = s.page.waitForResponse((r) => r.url().includes('/workflow/tasks/') && r.url().endsWith('/approve'));
      await approve.click();
      expect((await decided).status()).toBe(200);
    }
    await officer.page.reload();
    await expect.poll(() => officer.page.getByTestId('permit-status').first().textContent()).toBe('已批准');
    await screenshot(officer.page, 'permits-3-approved-desktop');
  });

  it('is verified on site by the guardian on a phone and becomes active', async () => {
    const detail = await apiAs<PermitT>(guardian.page, 'GET', `/permits/${permit.id}`);
    expect(detail.body.qrToken).toBeTruthy();
    const { page } = guardian;
    // What scanning the printed QR on site hands over: the token after #.
    await page.goto(`/permits/${permit.id}/verify#${detail.body.qrToken}`);
    await page.getByTestId('verify-latlng').fill('32.0603, 118.7969');
    const photo = path.join('e2e', '.tmp', 'permit-site.png');
    fs.mkdirSync(path.dirname(photo), { recursive: true });
    fs.writeFileSync(photo, await png());
    await page.getByTestId('verify-photo').setInputFiles(photo);
    await screenshot(page, 'permits-4-verify-phone');
    const verified = page.waitForResponse((r) => r.url().endsWith(`/permits/${permit.id}/verify`));
    await page.getByTestId('verify-submit').click();
    expect((await verified).status()).toBe(200);
    await page.waitForURL((u) => u.pathname === `/permits/${permit.id}`);
    await expect.poll(() => page.getByTestId('permit-status').first().textContent()).toBe('作业中');
    await screenshot(page, 'permits-5-active-phone');
  });

  it('shows as valid on the public QR status page, and as expired when the window has ended', async () => {
    const token = (await apiAs<PermitT>(leader.page, 'GET', `/permits/${permit.id}`)).body.qrToken!;
    visitor = await suite.open('phone');
    const { page } = visitor;
    await page.goto(`/permit-status#${token}`);
    await expect.poll(() => page.getByTestId('permit-public-state').textContent()).toBe('有效');
    expect(await page.getByTestId('permit-status-page').textContent()).toContain(permit.number);
    await screenshot(page, 'permits-6-status-valid-phone');
    // The window ends 150 s after the start; the server's job runner expires the permit.
    await expect
      .poll(async () => (await apiAs<PermitT>(leader.page, 'GET', `/permits/${permit.id}`)).body.status, { timeout: 240_000, interval: 5_000 })
      .toBe('expired');
    await page.reload();
    await expect.poll(() => page.getByTestId('permit-public-state').textContent()).toBe('已过期');
    await screenshot(page, 'permits-7-status-expired-phone');
  }, 300_000);

  it('prints in the paper layout with the QR (PDF rendered to PNG)', async () => {
    const res = await leader.page.context().request.get(`${baseUrl}/api/v1/permits/${permit.id}/pdf`);
    expect(res.status()).toBe(200);
    expect(res.headers()['content-type']).toContain('application/pdf');
    const dir = path.join('e2e', '.tmp');
    fs.mkdirSync(dir, { recursive: true });
    const pdf = path.join(dir, 'permit.pdf');
    fs.writeFileSync(pdf, await res.body());
    const text = execFileSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' });
    expect(text).toContain(permit.number);
    expect(text).toContain('动火作业安全作业票');
    execFileSync('pdftoppm', ['-png', '-r', '60', '-f', '1', '-l', '1', '-singlefile', pdf, path.join('e2e', 'screenshots', 'permits-8-pdf')]);
    expect(fs.existsSync(path.join('e2e', 'screenshots', 'permits-8-pdf.png'))).toBe(true);
  });
});
