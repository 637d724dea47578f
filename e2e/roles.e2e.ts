import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiAs, horizontalOverflow, launchBrowser, loginUi, openSession, screenshot, smallTouchTargets, type Session, type ViewportName } from './lib/browser.ts';
import { adminPages, allowedPages, contentChecks, pageSpecs, type Me, type PageKey } from './lib/pages.ts';

/** The demo logins (src/demo/seed.ts) and what the brief promises about each. */
const demoUsers: { username: string; mustSee: PageKey[]; mustNotSee: PageKey[] }[] = [
  { username: 'admin', mustSee: ['home', ...adminPages], mustNotSee: [] },
  { username: 'safety', mustSee: ['home', 'org', 'people', 'audit'], mustNotSee: [] },
  { username: 'officer', mustSee: ['home', 'org', 'people'], mustNotSee: ['roles', 'users', 'import'] },
  { username: 'head1', mustSee: ['home', 'org', 'people'], mustNotSee: ['roles', 'users', 'audit', 'import'] },
  { username: 'leader1', mustSee: ['home', 'org'], mustNotSee: ['roles', 'users', 'audit', 'import'] },
  { username: 'worker1', mustSee: ['home'], mustNotSee: ['roles', 'users', 'audit', 'import', 'people'] },
  { username: 'contractor1', mustSee: ['home'], mustNotSee: adminPages },
];

// Phone-first users sign in on the phone; the others reuse their desktop session, because sign-in is
// rate-limited per IP and the whole matrix would otherwise wait on it.
const phoneLogin = new Set(['worker1', 'contractor1', 'leader1']);

type StorageState = Awaited<ReturnType<BrowserContext['storageState']>>;

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

async function openMenu(page: Page, viewport: ViewportName) {
  if (viewport === 'phone') {
    await page.getByTestId('menu-toggle').click();
    await page.locator('.ant-drawer-open').getByTestId('nav-menu').waitFor();
    return page.locator('.ant-drawer-open').getByTestId('nav-menu');
  }
  return page.getByTestId('sider').getByTestId('nav-menu');
}

async function closeMenu(page: Page, viewport: ViewportName) {
  if (viewport !== 'phone') return;
  await page.keyboard.press('Escape');
  await page.locator('.ant-drawer-open').waitFor({ state: 'detached' }).catch(() => undefined);
}

async function gotoViaMenu(page: Page, viewport: ViewportName, key: PageKey) {
  const menu = await openMenu(page, viewport);
  await menu.getByTestId(`menu-${key}`).click();
  const spec = pageSpecs.find((p) => p.key === key);
  await page.waitForURL((u) => u.pathname === spec?.path);
  if (viewport === 'phone') await page.locator('.ant-drawer-open').waitFor({ state: 'detached' }).catch(() => undefined);
}

async function checkNoProblemsOnPage(page: Page, viewport: ViewportName, label: string) {
  const content = page.locator('.ant-layout-content');
  expect(await content.locator('.ant-result-403').count(), `${label}: shows 403`).toBe(0);
  expect(await content.locator('.ant-alert-error').count(), `${label}: shows a load error`).toBe(0);
  if (viewport === 'phone') {
    expect(await horizontalOverflow(page), `${label}: page wider than the phone`).toBeLessThanOrEqual(1);
    expect(await smallTouchTargets(page, '.ant-layout-header'), `${label}: header touch targets < 44 px`).toEqual([]);
    expect(await smallTouchTargets(page, '.ant-layout-content'), `${label}: touch targets < 44 px`).toEqual([]);
  }
}

async function checkUser(s: Session, viewport: ViewportName, user: (typeof demoUsers)[number], me: Me) {
  const { page } = s;
  const allowed = allowedPages(me.permissions);
  for (const k of user.mustSee) expect(allowed, `${user.username} should be allowed ${k} (permissions ${me.permissions.join(',')})`).toContain(k);
  for (const k of user.mustNotSee) expect(allowed, `${user.username} must not be allowed ${k}`).not.toContain(k);

  // The menu lists exactly the pages the role may open.
  const menu = await openMenu(page, viewport);
  for (const p of pageSpecs) {
    const item = menu.getByTestId(`menu-${p.key}`);
    if (allowed.includes(p.key)) await item.waitFor();
    else expect(await item.count(), `${user.username} menu shows ${p.key}`).toBe(0);
  }
  if (viewport === 'phone') await screenshot(page, `${user.username}-menu-phone`);
  await closeMenu(page, viewport);

  for (const key of allowed) {
    await gotoViaMenu(page, viewport, key);
    await contentChecks[key](page, viewport, me);
    await checkNoProblemsOnPage(page, viewport, `${user.username} ${key} ${viewport}`);
    await screenshot(page, `${user.username}-${key}-${viewport}`);
  }

  // A page the role may not open shows a 403 result, not a crash or an empty table.
  const denied = pageSpecs.find((p) => !allowed.includes(p.key));
  if (denied) {
    await page.goto(denied.path);
    await page.locator('.ant-layout-content .ant-result-403').waitFor();
    if (user.username === 'worker1') await screenshot(page, `${user.username}-forbidden-${viewport}`);
  }

  expect(s.pageErrors, 'uncaught errors in the page').toEqual([]);
  if (s.consoleErrors.length > 0) console.log(`[${user.username} ${viewport}] console: ${[...new Set(s.consoleErrors)].slice(0, 5).join(' | ')}`);
}

for (const user of demoUsers) {
  describe(`${user.username}`, () => {
    let state: StorageState | undefined;

    it('desktop 1440×900: signs in, menu matches permissions, every allowed page shows real content', async () => {
      const s = await openSession(browser, 'desktop');
      try {
        await loginUi(s.page, user.username);
        const me = await apiAs<Me>(s.page, 'GET', '/me');
        expect(me.status).toBe(200);
        state = await s.context.storageState();
        await checkUser(s, 'desktop', user, me.body);
      } finally {
        await s.context.close();
      }
    });

    it('phone 390×844: drawer menu, card lists, no sideways scrolling, 44 px touch targets', async () => {
      const s = await openSession(browser, 'phone', phoneLogin.has(user.username) ? undefined : state);
      try {
        if (phoneLogin.has(user.username) || !state) {
          await loginUi(s.page, user.username);
          if (user.username === 'worker1') await screenshot(s.page, 'worker1-home-after-login-phone');
        } else {
          await s.page.goto('/');
          await s.page.locator('.ant-layout-header').waitFor();
        }
        const me = await apiAs<Me>(s.page, 'GET', '/me');
        expect(me.status).toBe(200);
        await checkUser(s, 'phone', user, me.body);
      } finally {
        await s.context.close();
      }
    });
  });
}
