import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import sharp from 'sharp';

export const baseUrl = process.env.E2E_BASE_URL ?? 'http://127.0.0.1:3000';
export const DEMO_PASSWORD = 'SafeLoop@2026';

export const viewports = {
  desktop: { width: 1440, height: 900 },
  phone: { width: 390, height: 844 },
} as const;
export type ViewportName = keyof typeof viewports;

const screenshotDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'screenshots');

/** Headless Debian Chromium; the flags keep it quiet and offline on CI machines without a GPU. */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.E2E_CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    timeout: 120_000,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
}

export interface Session {
  context: BrowserContext;
  page: Page;
  /** Uncaught page errors and console errors, reported by the tests that care. */
  pageErrors: string[];
  consoleErrors: string[];
}

type StorageState = Awaited<ReturnType<BrowserContext['storageState']>>;

export async function openSession(browser: Browser, viewport: ViewportName, storageState?: StorageState): Promise<Session> {
  const phone = viewport === 'phone';
  const context = await browser.newContext({
    baseURL: baseUrl,
    viewport: viewports[viewport],
    deviceScaleFactor: 1,
    isMobile: phone,
    hasTouch: phone,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    // The app honours "reduce motion": drawers and dropdowns open and close at once, so a click on a busy
    // CI machine never lands on a panel that is still animating (the flaky failures of earlier runs).
    reducedMotion: 'reduce',
    storageState,
  });
  context.setDefaultTimeout(30_000);
  context.setDefaultNavigationTimeout(60_000);
  const page = await context.newPage();
  const pageErrors: string[] = [];
  const consoleErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('console', (m) => {
    // The signed-out /me probe answers 401 by design; the browser logs every non-2xx fetch.
    if (m.text().includes('status of 401')) return;
    if (m.type() === 'error' || (m.type() === 'warning' && m.text().includes('[antd'))) consoleErrors.push(m.text());
  });
  return { context, page, pageErrors, consoleErrors };
}

/**
 * Signs in through the login form. Login is rate-limited per IP (20/min); when a long run hits the limit
 * we wait the advertised time and try again instead of failing.
 */
export async function loginUi(page: Page, username: string, password = DEMO_PASSWORD): Promise<void> {
  for (let attempt = 0; attempt < 3; attempt++) {
    // Start where a user starts: the site address; signed out, the app routes to its login page.
    await page.goto('/');
    await page.getByTestId('login-card').waitFor();
    await page.locator('#username').fill(username);
    await page.locator('#password').fill(password);
    const response = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/login'));
    await page.getByTestId('login-submit').click();
    const res = await response;
    if (res.status() === 429) {
      const body = (await res.json().catch(() => ({}))) as { retryAfterSeconds?: number };
      await page.waitForTimeout(((body.retryAfterSeconds ?? 60) + 1) * 1000);
      continue;
    }
    if (res.status() !== 200) throw new Error(`login ${username}: HTTP ${res.status()} ${await res.text()}`);
    await page.waitForURL((u) => !u.pathname.startsWith('/login'));
    await page.locator('.ant-layout-header').waitFor();
    return;
  }
  throw new Error(`login ${username}: still rate-limited`);
}

/** The API as the signed-in browser user (the context shares its cookie jar). */
export async function apiAs<T>(page: Page, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', p: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await page.context().request.fetch(`${baseUrl}/api/v1${p}`, {
    method,
    data: body === undefined ? undefined : body,
    headers: { Accept: 'application/json', 'Accept-Language': 'zh-CN' },
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    // Not JSON (e.g. a file); keep the text.
  }
  return { status: res.status(), body: parsed as T };
}

/**
 * Viewport screenshot, quantised to a 256-colour palette so the committed PNGs stay small (a UI has few
 * colours; the result is visually the same at a fraction of the size).
 */
export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(screenshotDir, { recursive: true });
  // Let fonts and antd motion settle so the picture is what a user sees.
  await page.evaluate('document.fonts.ready');
  await page.waitForTimeout(400);
  const raw = await page.screenshot({ type: 'png', animations: 'disabled', caret: 'hide' });
  const file = path.join(screenshotDir, `${name}.png`);
  await sharp(raw).png({ palette: true, colours: 128, compressionLevel: 9, effort: 7 }).toFile(file);
  return file;
}

/** True when the page is wider than the viewport (sideways scrolling on a phone). */
export async function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
}

/** Visible buttons and inputs under a selector that are shorter than 44 px (touch target size). */
export async function smallTouchTargets(page: Page, scope: string): Promise<string[]> {
  return page.evaluate<string[]>(`(() => {
    const out = [];
    const els = document.querySelectorAll(${JSON.stringify(scope)} + ' button, ' + ${JSON.stringify(scope)} + ' .ant-input-affix-wrapper, ' + ${JSON.stringify(scope)} + ' .ant-select, ' + ${JSON.stringify(scope)} + ' input.ant-input:not(.ant-input-affix-wrapper input)');
    for (const el of els) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0) continue;
      const style = getComputedStyle(el);
      if (style.visibility === 'hidden' || style.display === 'none') continue;
      // In-field affordances (clear ×) sit inside a 44 px field, which is the touch target.
      if (el.closest('.ant-input-clear-icon, .ant-select-clear, .ant-typography-copy, .ant-table-row-expand-icon-cell, .ant-tree-switcher')) continue;
      if (r.height < 43.5) out.push((el.getAttribute('data-testid') || el.getAttribute('aria-label') || el.textContent || el.className).toString().trim().slice(0, 40) + ' ' + Math.round(r.width) + 'x' + Math.round(r.height));
    }
    return out;
  })()`);
}
