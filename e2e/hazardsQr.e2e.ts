import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import QRCode from 'qrcode';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiAs, baseUrl, launchBrowser, loginUi, openSession, screenshot, type Session } from './lib/browser.ts';

/**
 * Issue 4, the rest of the loop: a contractor (no org:read) opens the report page from an area's QR label
 * (`/hazards/report#area=<id>`) and finds the area picked; a photo of another label picks that one; a code
 * that is not a SafeLoop area says so. The safety officer regrades a hazard from its page, the department
 * head decides an extension from "待我审批的延期", and the demo hazards show their photos.
 */
let browser: Browser;
const sessions: Session[] = [];
const stamp = Date.now().toString(36).slice(-6).toUpperCase();

interface Area {
  id: string;
  code: string;
  name: string;
}
interface Detail {
  id: string;
  orgUnitId: string;
  level: string;
  version: number;
  status: string;
  rectifyDueAt: string | null;
  extensions: { id: string; status: string }[];
  photos: unknown[];
  afterPhotos: unknown[];
}

async function session(username: string, viewport: 'phone' | 'desktop' = 'phone'): Promise<Session> {
  const s = await openSession(browser, viewport);
  sessions.push(s);
  await loginUi(s.page, username);
  return s;
}

async function areaByCode(page: Page, code: string): Promise<Area> {
  const res = await apiAs<{ items: Area[] }>(page, 'GET', '/hazards/areas');
  expect(res.status).toBe(200);
  const a = res.body.items.find((x) => x.code === code);
  if (!a) throw new Error(`area ${code} missing`);
  return a;
}

/** The label's QR code as the server prints it, photographed: on a grey wall, a little off-centre. */
async function photoOfLabel(png: Buffer): Promise<Buffer> {
  const code = await sharp(png).resize(420, 420).toBuffer();
  return sharp({ create: { width: 1200, height: 900, channels: 3, background: { r: 150, g: 155, b: 160 } } })
    .composite([{ input: code, left: 480, top: 300 }])
    .jpeg({ quality: 85 })
    .toBuffer();
}

/**
 * A Y4M video (what Chromium's fake camera plays in a loop) of one still frame: the label on a grey wall.
 * 4:2:0, the chroma planes neutral grey — a black-and-white label needs no colour.
 */
async function labelVideo(png: Buffer): Promise<string> {
  const W = 640;
  const H = 480;
  const code = await sharp(png).resize(300, 300).toBuffer();
  // Luma: the picture in grey, one byte a pixel.
  const y = await sharp({ create: { width: W, height: H, channels: 3, background: { r: 150, g: 155, b: 160 } } })
    .composite([{ input: code, left: 170, top: 90 }])
    .greyscale()
    .extractChannel(0)
    .raw()
    .toBuffer();
  const chroma = Buffer.alloc((W / 2) * (H / 2) * 2, 128);
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'safeloop-camera-')), 'label.y4m');
  fs.writeFileSync(file, Buffer.concat([Buffer.from(`YUV4MPEG2 W${W} H${H} F5:1 Ip A1:1 C420jpeg\n`), Buffer.from('FRAME\n'), y, chroma]));
  return file;
}

async function openFromLabel(page: Page, areaId: string) {
  await page.goto(`/hazards/report#area=${areaId}`);
  await page.getByTestId('hazard-report-page').waitFor();
  await page.getByTestId('report-area-note').waitFor();
}

beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  for (const s of sessions) await s.context.close();
  await browser?.close();
});

describe('area QR codes on the report page', () => {
  it('a contractor opens the report page from a label: the area is picked, and the report lands there', async () => {
    const { page, pageErrors } = await session('contractor1');
    // The contractor may not read the org tree, yet the area picker has the whole site.
    expect((await apiAs(page, 'GET', '/org/units')).status).toBe(403);
    const area = await areaByCode(page, 'P2-HJ-2');
    await openFromLabel(page, area.id);
    expect(await page.getByTestId('report-area-note').getAttribute('data-kind')).toBe('picked');
    await expect.poll(() => page.getByTestId('report-area').textContent(), { timeout: 20_000 }).toContain(area.name);
    await screenshot(page, 'hazards-qr-1-area-from-label-phone');

    await page.getByTestId('report-photos-camera').setInputFiles({ name: 'scaffold.jpg', mimeType: 'image/jpeg', buffer: await sharp({ create: { width: 900, height: 1200, channels: 3, background: { r: 200, g: 120, b: 40 } } }).jpeg().toBuffer() });
    await page.getByTestId('picked-photo').first().waitFor();
    await page.getByTestId('report-title').fill(`E2E 扫码 ${stamp} 脚手架缺踢脚板`);
    await page.getByTestId('report-category').click();
    await page.locator('.ant-select-dropdown:visible .ant-select-item-option').first().click();
    await page.getByTestId('report-submit').click();
    const done = page.getByTestId('hazard-report-done');
    await done.waitFor({ timeout: 30_000 });
    const id = (await done.getAttribute('data-hazard-id')) ?? '';
    const h = await apiAs<Detail>(page, 'GET', `/hazards/${id}`);
    expect(h.body.orgUnitId).toBe(area.id);
    expect(pageErrors).toEqual([]);
  });

  it('a photo of another label picks that area; an unknown area or a foreign code is refused with a message', async () => {
    const { page } = await session('worker1');
    const other = await areaByCode(page, 'P2-HJ-3');
    await openFromLabel(page, '0192f0aa-1b2c-7d3e-8f40-123456789abc');
    expect(await page.getByTestId('report-area-note').getAttribute('data-kind')).toBe('unknown');
    await screenshot(page, 'hazards-qr-2-unknown-area-phone');

    const png = await page.context().request.get(`${baseUrl}/api/v1/hazards/areas/${other.id}/qr.png`);
    expect(png.status()).toBe(200);
    await page.getByTestId('report-scan').click();
    // Headless Chromium has no camera: the modal says so and offers the photo instead.
    await page.getByTestId('scan-no-camera').waitFor();
    await page.getByTestId('report-scan-photo-input').setInputFiles({ name: 'label.jpg', mimeType: 'image/jpeg', buffer: await photoOfLabel(await png.body()) });
    await expect.poll(() => page.getByTestId('report-area-note').getAttribute('data-kind'), { timeout: 15_000 }).toBe('picked');
    await expect.poll(() => page.getByTestId('report-area').textContent(), { timeout: 20_000 }).toContain(other.name);
    await screenshot(page, 'hazards-qr-3-scanned-photo-phone');

    const wifi = await QRCode.toBuffer('WIFI:S:plant-guest;T:WPA;P:secret;;', { type: 'png', width: 400 });
    await page.getByTestId('report-scan').click();
    await page.getByTestId('scan-photo').waitFor();
    await page.getByTestId('report-scan-photo-input').setInputFiles({ name: 'wifi.jpg', mimeType: 'image/jpeg', buffer: await photoOfLabel(wifi) });
    await expect.poll(() => page.getByTestId('report-area-note').getAttribute('data-kind'), { timeout: 15_000 }).toBe('not_area');
    // The area picked before stays.
    expect(await page.getByTestId('report-area').textContent()).toContain(other.name);
  });
});

describe('scanning with the camera', () => {
  it('reads the label through the back camera and picks its area', async () => {
    // A browser whose camera "films" the label: Chromium's fake capture device plays the Y4M file.
    const setup = await session('officer');
    const area = await areaByCode(setup.page, 'P1-ZZ-1');
    const png = await setup.page.context().request.get(`${baseUrl}/api/v1/hazards/areas/${area.id}/qr.png`);
    const video = await labelVideo(await png.body());
    const camera = await chromium.launch({
      executablePath: process.env.E2E_CHROMIUM ?? '/usr/bin/chromium',
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${video}`],
    });
    try {
      const context = await camera.newContext({ baseURL: baseUrl, viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale: 'zh-CN', reducedMotion: 'reduce', storageState: await setup.context.storageState() });
      await context.grantPermissions(['camera'], { origin: baseUrl });
      const page = await context.newPage();
      await page.goto('/hazards/report');
      await page.getByTestId('hazard-report-page').waitFor();
      await page.getByTestId('report-scan').click();
      await page.getByTestId('scan-video').waitFor();
      await expect.poll(() => page.getByTestId('report-area-note').getAttribute('data-kind').catch(() => null), { timeout: 30_000 }).toBe('picked');
      await expect.poll(() => page.getByTestId('report-area').textContent(), { timeout: 20_000 }).toContain(area.name);
      await screenshot(page, 'hazards-qr-7-scanned-camera-phone');
      await context.close();
    } finally {
      await camera.close();
      fs.rmSync(path.dirname(video), { recursive: true, force: true });
    }
  });
});

describe('regrade, extensions to decide, demo photos', () => {
  it('the safety officer raises a hazard to 较大 from its page; the deadline follows', async () => {
    const { page } = await session('officer', 'desktop');
    const list = await apiAs<{ items: { id: string }[] }>(page, 'GET', '/hazards?status=rectifying&level=general&limit=5');
    const id = list.body.items[0]?.id ?? '';
    const before = (await apiAs<Detail>(page, 'GET', `/hazards/${id}`)).body;
    await page.goto(`/hazards/${id}`);
    await page.getByTestId('action-regrade').click();
    await page.getByTestId('regrade-level').waitFor();
    await page.getByTestId('regrade-level').getByText('较大').click();
    await page.getByTestId('step-reason').fill('夜间无人值守运行，风险高于一般隐患');
    await screenshot(page, 'hazards-qr-4-regrade-desktop');
    await page.getByTestId('step-ok').click();
    await page.locator('[data-testid="timeline-step"][data-action="regraded"]').waitFor();
    const after = (await apiAs<Detail>(page, 'GET', `/hazards/${id}`)).body;
    expect(after.level).toBe('serious');
    // The deadline moves by the difference of the two levels' windows, read from the tenant's SLA data (another
    // browser test edits them).
    const cfg = (await apiAs<{ slaPolicies: { level: string; rectifyMinutes: number }[] }>(page, 'GET', '/hazards/config')).body;
    const minutes = (level: string) => cfg.slaPolicies.find((p) => p.level === level)?.rectifyMinutes ?? NaN;
    expect(new Date(after.rectifyDueAt ?? '').getTime() - new Date(before.rectifyDueAt ?? '').getTime()).toBe((minutes('serious') - minutes('general')) * 60_000);
  });

  it('the department head approves an extension from "待我审批的延期"', async () => {
    const leader = await session('leader1');
    const mine = await apiAs<{ items: { id: string }[] }>(leader.page, 'GET', '/hazards?mine=assigned&status=rectifying&limit=20');
    let asked: Detail | null = null;
    for (const item of mine.body.items) {
      const d = (await apiAs<Detail>(leader.page, 'GET', `/hazards/${item.id}`)).body;
      if (d.extensions.some((e) => e.status === 'pending')) continue;
      const newDueAt = new Date(Math.max(Date.now(), new Date(d.rectifyDueAt ?? 0).getTime()) + 3 * 24 * 3600_000).toISOString();
      const r = await apiAs<Detail>(leader.page, 'POST', `/hazards/${d.id}/extensions`, { version: d.version, newDueAt, reason: `E2E ${stamp} 钢板下周到货` });
      if (r.status === 200) {
        asked = r.body;
        break;
      }
    }
    expect(asked).not.toBeNull();
    const { page } = await session('head1');
    await page.goto('/hazards/tasks');
    await page.getByTestId('tasks-tab-extensions').click();
    const card = page.locator(`[data-testid="pending-extension"]`).filter({ hasText: `E2E ${stamp}` });
    await card.waitFor();
    await screenshot(page, 'hazards-qr-5-extensions-to-decide-phone');
    await card.getByTestId('extension-approve').click();
    await page.getByTestId('extension-comment').fill('同意，期间保持围挡');
    await page.getByTestId('extension-decide-ok').click();
    await expect.poll(() => card.count(), { timeout: 20_000 }).toBe(0);
    const d = (await apiAs<Detail>(page, 'GET', `/hazards/${asked?.id ?? ''}`)).body;
    expect(d.extensions.at(-1)?.status).toBe('approved');
  });

  it('a closed demo hazard shows its before and after photos', async () => {
    const { page } = await session('safety', 'desktop');
    const list = await apiAs<{ items: { id: string; thumbUrl: string | null }[] }>(page, 'GET', '/hazards?status=closed&limit=30');
    const id = list.body.items.find((i) => i.thumbUrl)?.id ?? '';
    await page.goto(`/hazards/${id}`);
    const imgs = page.locator('[data-testid="hazard-photos"] img, [data-testid="hazard-after-photos"] img');
    await expect.poll(() => imgs.count(), { timeout: 20_000 }).toBe(2);
    // Loaded, not broken: the server has the bytes (the server tsconfig has no DOM types, hence the plain shape).
    const loaded = () => imgs.evaluateAll((els) => els.map((e) => e as unknown as { complete: boolean; naturalWidth: number }).every((img) => img.complete && img.naturalWidth > 0));
    await expect.poll(loaded, { timeout: 20_000 }).toBe(true);
    await screenshot(page, 'hazards-qr-6-demo-photos-desktop');
  });
});
