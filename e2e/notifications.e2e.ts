import type { Browser, Locator } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiAs, launchBrowser, loginUi, openSession, screenshot } from './lib/browser.ts';

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

async function unread(bell: Locator): Promise<number> {
  return Number((await bell.getAttribute('data-unread')) ?? 'NaN');
}

describe('notification bell', () => {
  it('desktop: the stream opens, a notification arrives live (badge + toast), mark all read clears it', async () => {
    const { page, context } = await openSession(browser, 'desktop');
    try {
      await loginUi(page, 'admin');
      const bell = page.getByTestId('notification-bell');
      await expect.poll(() => bell.getAttribute('data-stream'), { timeout: 30_000 }).toBe('open');
      const count = await apiAs<{ count: number }>(page, 'GET', '/notifications/unread-count');
      expect(count.status).toBe(200);
      await expect.poll(() => unread(bell)).toBe(count.body.count);

      // POST /notifications/test: "send me a test message" (notify engineer's endpoint).
      const sent = await apiAs<{ id: string }>(page, 'POST', '/notifications/test');
      expect(sent.status, JSON.stringify(sent.body)).toBe(201);
      // It arrives over SSE: the badge goes up without a reload and a toast shows it.
      await expect.poll(() => unread(bell), { timeout: 30_000 }).toBe(count.body.count + 1);
      await page.locator('.ant-notification-notice').first().waitFor();
      await bell.click();
      const panel = page.getByTestId('notification-panel');
      await panel.locator('[data-testid="notification-item"][data-unread="true"]').first().waitFor();
      await screenshot(page, 'admin-notifications-desktop');
      await panel.getByTestId('mark-all-read').click();
      await expect.poll(() => unread(bell)).toBe(0);
      expect((await apiAs<{ count: number }>(page, 'GET', '/notifications/unread-count')).body.count).toBe(0);
    } finally {
      await context.close();
    }
  });

  it('phone: a worker sends themself a test from the bell and sees it arrive; mark one read', async () => {
    const { page, context } = await openSession(browser, 'phone');
    try {
      await loginUi(page, 'worker1');
      const bell = page.getByTestId('notification-bell');
      await expect.poll(() => bell.getAttribute('data-stream'), { timeout: 30_000 }).toBe('open');
      const before = await unread(bell);
      await bell.click();
      const panel = page.getByTestId('notification-panel');
      await panel.getByTestId('notification-send-test').click();
      await expect.poll(() => unread(bell), { timeout: 30_000 }).toBe(before + 1);
      const item = panel.locator('[data-testid="notification-item"][data-unread="true"]').first();
      await item.waitFor();
      await screenshot(page, 'worker1-notifications-phone');
      await item.getByRole('button').click();
      await expect.poll(() => unread(bell)).toBe(before);
    } finally {
      await context.close();
    }
  });
});
