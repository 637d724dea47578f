import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiAs, launchBrowser, loginUi, openSession, screenshot, type Session } from './lib/browser.ts';

/**
 * A report made without signal waits in IndexedDB and goes out once when the phone is back online
 * (Idempotency-Key): exactly one hazard, also after a reload and after a lost answer.
 */
let browser: Browser;
let worker: Session;
const stamp = Date.now().toString(36).slice(-6).toUpperCase();

beforeAll(async () => {
  browser = await launchBrowser();
  worker = await openSession(browser, 'phone');
  await loginUi(worker.page, 'worker1');
});
afterAll(async () => {
  await worker?.context.close();
  await browser?.close();
});

async function photo(): Promise<Buffer> {
  return sharp({ create: { width: 900, height: 1200, channels: 3, background: { r: 90, g: 90, b: 200 } } })
    .jpeg({ quality: 80 })
    .toBuffer();
}

async function hazardsWith(page: Page, text: string): Promise<{ id: string; title: string }[]> {
  const res = await apiAs<{ items: { id: string; title: string }[] }>(page, 'GET', `/hazards?q=${encodeURIComponent(text)}&limit=50`);
  expect(res.status).toBe(200);
  return res.body.items;
}

/** Reports waiting in the phone's IndexedDB outbox. */
async function queued(page: Page): Promise<number> {
  return page.evaluate<number>(`new Promise((resolve) => {
    const req = indexedDB.open('safeloop-hazards', 1);
    req.onupgradeneeded = () => req.result.createObjectStore('outbox', { keyPath: 'id' });
    req.onsuccess = () => {
      const tx = req.result.transaction('outbox', 'readonly');
      const c = tx.objectStore('outbox').count();
      c.onsuccess = () => { resolve(c.result); req.result.close(); };
    };
  })`);
}

async function fillReport(page: Page, title: string) {
  await page.getByTestId('report-photos-camera').setInputFiles({ name: 'offline.jpg', mimeType: 'image/jpeg', buffer: await photo() });
  await page.getByTestId('picked-photo').first().waitFor();
  await page.getByTestId('report-title').fill(title);
  await page.getByTestId('report-description').fill(`${title}：配电柜门未关，内部有积水`);
  await page.getByTestId('report-category').click();
  await page.locator('.ant-select-dropdown:visible .ant-select-item-option').first().click();
}

async function openReportPage(page: Page) {
  await page.goto('/hazards/report');
  await page.getByTestId('hazard-report-page').waitFor();
  // The dictionaries and the org tree load while there is signal; offline they come from the cache.
  await page.getByTestId('report-category').click();
  await page.locator('.ant-select-dropdown:visible .ant-select-item-option').first().waitFor();
  await page.keyboard.press('Escape');
}

describe('hazard report without signal', () => {
  it('offline: the report is queued on the phone; back online it is sent once, and a reload does not send it again', async () => {
    const { page, context } = worker;
    const title = `E2E 离线 ${stamp}`;
    await openReportPage(page);
    await context.setOffline(true);
    await fillReport(page, title);
    await page.getByTestId('report-submit').click();
    await page.getByTestId('hazard-report-queued').waitFor();
    await expect.poll(() => page.getByTestId('outbox-count').textContent(), { timeout: 30_000 }).toContain('1');
    expect(await queued(page)).toBe(1);
    await screenshot(page, 'hazards-offline-1-queued-phone');

    await context.setOffline(false);
    // The `online` event sends it: the outbox empties and says what went out.
    await page.getByTestId('outbox-sent').waitFor({ timeout: 60_000 });
    await expect.poll(() => queued(page), { timeout: 30_000 }).toBe(0);
    await screenshot(page, 'hazards-offline-2-sent-phone');
    const after = await hazardsWith(page, title);
    expect(after.map((h) => h.title)).toEqual([title]);

    // A reload (app start runs the outbox again) sends nothing twice.
    await page.reload();
    await page.locator('.ant-layout-header').waitFor();
    await page.waitForTimeout(3_000);
    expect(await queued(page)).toBe(0);
    expect(await hazardsWith(page, title)).toHaveLength(1);
    expect(worker.pageErrors).toEqual([]);
  });

  it('the answer is lost on the way: the report is queued and the replay with the same Idempotency-Key is applied once', async () => {
    const { page } = worker;
    const title = `E2E 丢包 ${stamp}`;
    await openReportPage(page);
    let cut = 0;
    const keys: string[] = [];
    // The server gets the first POST and answers; the phone never sees the answer (signal drops).
    await page.route('**/api/v1/hazards', async (route) => {
      const req = route.request();
      if (req.method() !== 'POST') return route.continue();
      keys.push((await req.headerValue('idempotency-key')) ?? '');
      if (cut === 0) {
        cut += 1;
        await route.fetch();
        return route.abort('connectionreset');
      }
      return route.continue();
    });
    await fillReport(page, title);
    await page.getByTestId('report-submit').click();
    await page.getByTestId('hazard-report-queued').waitFor();
    expect(await hazardsWith(page, title), 'the first POST reached the server').toHaveLength(1);
    expect(await queued(page)).toBe(1);

    await page.getByTestId('outbox-send').click();
    await page.getByTestId('outbox-sent').waitFor();
    await expect.poll(() => queued(page), { timeout: 30_000 }).toBe(0);
    await screenshot(page, 'hazards-offline-3-replayed-phone');
    expect(keys).toHaveLength(2);
    expect(keys[0]).toBe(keys[1]);
    expect(keys[0]).toMatch(/^hz-/);
    expect(await hazardsWith(page, title), 'the replay did not create a second hazard').toHaveLength(1);
    await page.unroute('**/api/v1/hazards');
  });
});
