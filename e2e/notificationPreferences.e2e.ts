import { beforeAll, describe, expect, it } from 'vitest';
import { apiAs, screenshot, type Session } from './lib/browser.ts';
import { browserSuite } from './lib/suite.ts';

/**
 * Notification preferences (issue 8): from the user menu to 通知设置; critical in-app pop-ups are locked
 * with the reason shown; switching warnings on for SMS is saved and read back; back to defaults.
 */
const suite = browserSuite('notification-preferences');
let safety: Session;

beforeAll(async () => {
  safety = await suite.signIn('desktop', 'safety');
});

describe('notification preferences', () => {
  it('opens from the user menu, keeps critical pop-ups locked, saves an SMS choice and resets it', async () => {
    const { page } = safety;
    await page.getByTestId('user-menu').click();
    await page.getByTestId('menu-notification-settings').click();
    await page.getByTestId('notification-preferences').waitFor();
    expect(page.url()).toContain('/me/notifications');
    const locked = page.getByTestId('pref-in_app-critical');
    expect(await locked.isChecked()).toBe(true);
    expect(await locked.isDisabled()).toBe(true);
    expect(await page.getByTestId('locked-why').textContent()).toContain('紧急通知的应用内弹窗不能关闭');

    expect(await page.getByTestId('pref-sms-warning').isChecked()).toBe(false);
    await page.getByTestId('pref-sms-warning').check();
    const saved = page.waitForResponse((r) => r.url().endsWith('/api/v1/me/notification-preferences') && r.request().method() === 'PUT');
    await page.getByTestId('save-preferences').click();
    expect((await saved).status()).toBe(200);
    const after = await apiAs<{ preferences: { sms: string[]; in_app: string[] } }>(page, 'GET', '/me/notification-preferences');
    expect(after.body.preferences.sms).toEqual(['warning', 'critical']);
    await screenshot(page, 'notification-preferences-desktop');

    await page.getByRole('button', { name: '恢复默认' }).click();
    const reset = page.waitForResponse((r) => r.url().endsWith('/api/v1/me/notification-preferences') && r.request().method() === 'PUT');
    await page.getByTestId('save-preferences').click();
    expect((await reset).status()).toBe(200);
    expect((await apiAs<{ preferences: { sms: string[] } }>(page, 'GET', '/me/notification-preferences')).body.preferences.sms).toEqual(['critical']);
  });
});
