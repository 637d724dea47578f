import fs from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { launchBrowser, loginUi, openSession, type Session, type ViewportName } from './browser.ts';

export interface BrowserSuite {
  /** A new browser context, signed out (a visitor of a public page); closed after the file. */
  open(viewport: ViewportName): Promise<Session>;
  /** A new browser context signed in as `username` through the login form; closed after the file. */
  signIn(viewport: ViewportName, username: string): Promise<Session>;
}

/**
 * The set-up a browser test file shares: one Chromium for the file, sessions signed in as demo users, and
 * when a test fails a screenshot of every open session in e2e/.tmp (`fail-<name>-…png`). Call it at the top
 * of the file, before the file's own hooks (vitest runs `beforeAll` hooks in the order they are declared).
 */
export function browserSuite(name: string): BrowserSuite {
  let browser: Browser | undefined;
  const sessions: Session[] = [];
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterEach(async (ctx) => {
    if (ctx.task.result?.state !== 'fail') return;
    fs.mkdirSync('e2e/.tmp', { recursive: true });
    for (const [i, s] of sessions.entries()) await s.page.screenshot({ path: `e2e/.tmp/fail-${name}-${Date.now()}-${i}.png` }).catch(() => undefined);
  });
  afterAll(async () => {
    for (const s of sessions) await s.context.close().catch(() => undefined);
    await browser?.close();
  });
  const open = async (viewport: ViewportName): Promise<Session> => {
    if (!browser) throw new Error('browserSuite: a session before the browser started; open it from a hook or a test');
    const session = await openSession(browser, viewport);
    sessions.push(session);
    return session;
  };
  return {
    open,
    async signIn(viewport, username) {
      const session = await open(viewport);
      await loginUi(session.page, username);
      return session;
    },
  };
}
