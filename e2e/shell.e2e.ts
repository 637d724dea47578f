import type { Browser, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiAs, baseUrl, launchBrowser, loginUi, openSession, screenshot } from './lib/browser.ts';

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

describe('login page', () => {
  it('shows the server’s own message for a wrong password, in the chosen language', async () => {
    for (const viewport of ['desktop', 'phone'] as const) {
      const { page, context } = await openSession(browser, viewport);
      try {
        await page.goto('/admin/people');
        // Signed out: every page sends you to the login page, remembering where you wanted to go.
        await page.waitForURL((u) => u.pathname === '/login' && u.searchParams.get('next') === '/admin/people');
        await screenshot(page, `login-${viewport}`);
        // An unknown user gets the same answer as a wrong password, and no account is locked by the test.
        await page.locator('#username').fill('no-such-user');
        await page.locator('#password').fill('wrong-password');
        await page.getByTestId('login-submit').click();
        await expect.poll(() => page.getByTestId('login-error').textContent()).toContain('用户名或密码错误');
        if (viewport === 'phone') await screenshot(page, 'login-error-phone');
        await page.getByTestId('lang-switch').click();
        await page.getByText('Sign in with your username or mobile number').waitFor();
        await page.getByTestId('login-submit').click();
        await expect.poll(() => page.getByTestId('login-error').textContent()).toContain('Wrong username or password');
      } finally {
        await context.close();
      }
    }
  });

  it('comes back to a scanned link after sign-in with its fragment, which never goes into the query string', async () => {
    const { page, context } = await openSession(browser, 'phone');
    try {
      const paths: string[] = [];
      page.on('request', (r: Request) => paths.push(new URL(r.url()).pathname + new URL(r.url()).search));
      await page.goto('/hazards/report#area=0190a0a0-0000-7000-8000-00000000abcd');
      await page.waitForURL((u) => u.pathname === '/login' && u.searchParams.get('next') === '/hazards/report');
      expect(new URL(page.url()).hash).toBe('#area=0190a0a0-0000-7000-8000-00000000abcd');
      await page.locator('#username').fill('worker1');
      await page.locator('#password').fill('SafeLoop@2026');
      await page.getByTestId('login-submit').click();
      await page.waitForURL((u) => u.pathname === '/hazards/report');
      expect(new URL(page.url()).hash).toBe('#area=0190a0a0-0000-7000-8000-00000000abcd');
      expect(paths.filter((p) => p.includes('abcd'))).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('shows the lockout message after repeated wrong passwords (on a throw-away account)', async (ctx) => {
    const { page, context } = await openSession(browser, 'desktop');
    try {
      await loginUi(page, 'admin');
      const roles = await apiAs<{ items: { id: string; code: string }[] }>(page, 'GET', '/roles');
      const employee = roles.status === 200 ? roles.body.items.find((r) => r.code === 'employee') : undefined;
      const username = `e2e-lock-${Date.now().toString(36)}`;
      const created = await apiAs(page, 'POST', '/users', { username, displayName: 'E2E lock test', password: 'Lock@Test-2026', roleIds: employee ? [employee.id] : [] });
      if (created.status !== 201 && created.status !== 200) {
        console.log(`SKIPPED lockout test: POST /users answered ${created.status} (users API not available)`);
        ctx.skip();
        return;
      }
      await page.getByTestId('user-menu').click();
      await page.getByTestId('logout').click();
      await page.waitForURL((u) => u.pathname === '/login');
      let status = 0;
      for (let i = 0; i < 8 && status !== 423; i++) {
        await page.locator('#username').fill(username);
        await page.locator('#password').fill(`wrong-${i}`);
        const res = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/login'));
        await page.getByTestId('login-submit').click();
        status = (await res).status();
      }
      expect(status).toBe(423);
      await expect.poll(async () => (await page.getByTestId('login-error').textContent()) ?? '').toMatch(/锁定/);
      await screenshot(page, 'login-locked-desktop');
    } finally {
      await context.close();
    }
  });
});

describe('shell', () => {
  it('switches zh-CN → en: texts, antd locale, Accept-Language, and remembers the choice', async () => {
    const { page, context } = await openSession(browser, 'desktop');
    try {
      await loginUi(page, 'safety');
      const menu = page.getByTestId('sider');
      await menu.getByText('首页').waitFor();
      expect(await page.getAttribute('html', 'lang')).toBe('zh-CN');

      await page.getByTestId('lang-switch').click();
      await menu.getByText('Home').waitFor();
      expect(await menu.getByText('首页').count()).toBe(0);
      expect(await page.getAttribute('html', 'lang')).toBe('en');
      await page.getByTestId('page-title').getByText(/Good (morning|afternoon|evening)/).waitFor();

      // API calls now ask for English (server messages follow).
      const req = page.waitForRequest((r: Request) => r.url().startsWith(`${baseUrl}/api/v1/`));
      await page.reload();
      const headers = await (await req).allHeaders();
      expect(headers['accept-language']).toBe('en');
      // Still English after the reload: the choice is stored on the device.
      await menu.getByText('Home').waitFor();
      await screenshot(page, 'safety-home-en-desktop');

      // antd's own texts follow too (its locale, not ours): the date range picker of the audit log.
      await menu.getByText('Audit log').click();
      await page.getByTestId('audit-filters').locator('input[placeholder="Start date"]').waitFor();
      await screenshot(page, 'safety-audit-en-desktop');

      await page.getByTestId('lang-switch').click();
      await menu.getByText('审计日志').waitFor();
      await page.getByTestId('audit-filters').locator('input[placeholder="开始日期"]').waitFor();
    } finally {
      await context.close();
    }
  });

  it('signs out from the user menu and protects pages afterwards', async () => {
    const { page, context } = await openSession(browser, 'phone');
    try {
      await loginUi(page, 'worker1');
      await page.getByTestId('user-menu').click();
      await page.getByTestId('logout').click();
      await page.waitForURL((u) => u.pathname === '/login');
      const me = await apiAs(page, 'GET', '/me');
      expect(me.status).toBe(401);
      await page.goto('/');
      await page.waitForURL((u) => u.pathname === '/login');
    } finally {
      await context.close();
    }
  });
});
