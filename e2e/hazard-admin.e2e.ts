import type { Browser, BrowserContext, Page } from 'playwright-core';
import fs from 'node:fs';
import sharp from 'sharp';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { apiAs, baseUrl, horizontalOverflow, launchBrowser, loginUi, openSession, screenshot, smallTouchTargets, type Session } from './lib/browser.ts';

/**
 * The safety director configures the hazard module (dictionary, SLA, assignment matrix) and reads the
 * figures, on a desktop and on a phone. Every change made in the UI is read back through the API.
 */
let browser: Browser;
let safety: Session;
let state: Awaited<ReturnType<BrowserContext['storageState']>>;
const stamp = Date.now().toString(36).slice(-5);

beforeAll(async () => {
  browser = await launchBrowser();
  safety = await openSession(browser, 'desktop');
  await loginUi(safety.page, 'safety');
  state = await safety.context.storageState();
});
afterEach(async (ctx) => {
  if (ctx.task.result?.state !== 'fail' || !safety) return;
  fs.mkdirSync('e2e/.tmp', { recursive: true });
  await safety.page.screenshot({ path: `e2e/.tmp/fail-${ctx.task.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 60)}.png` }).catch(() => undefined);
});
afterAll(async () => {
  await safety?.context.close();
  await browser?.close();
});

interface DictItem {
  code: string;
  labelZh: string;
  active: boolean;
  version: number;
}
interface Config {
  categories: DictItem[];
  slaPolicies: { level: string; respondMinutes: number; rectifyMinutes: number; version: number }[];
}
interface OrgUnit {
  id: string;
  code: string;
  name: string;
}
interface Person {
  name: string;
  username: string | null;
  userId: string | null;
}

async function config(page: Page): Promise<Config> {
  const res = await apiAs<Config>(page, 'GET', '/hazards/config');
  expect(res.status, 'GET /hazards/config').toBe(200);
  return res.body;
}

async function unitByCode(page: Page, code: string): Promise<OrgUnit> {
  const res = await apiAs<{ items: OrgUnit[] }>(page, 'GET', '/org/units');
  expect(res.status).toBe(200);
  const unit = res.body.items.find((u) => u.code === code);
  if (!unit) throw new Error(`no org unit ${code}`);
  return unit;
}

async function personOf(page: Page, username: string): Promise<Person & { userId: string }> {
  const res = await apiAs<{ items: Person[] }>(page, 'GET', '/people?status=active&limit=200');
  expect(res.status).toBe(200);
  const p = res.body.items.find((x) => x.username === username);
  if (!p?.userId) throw new Error(`no person with the login ${username}`);
  return { ...p, userId: p.userId };
}

/** Picks an option of an antd Select (or a unit of a TreeSelect) by typing part of its label. */
async function pick(page: Page, testId: string, text: string, tree = false) {
  await page.getByTestId(testId).click();
  await page.keyboard.type(text);
  const option = tree ? '.ant-select-dropdown:visible .ant-select-tree-title' : '.ant-select-dropdown:visible .ant-select-item-option';
  await page.locator(option, { hasText: text }).first().click();
}

/** A small photo for a report (reports need at least one), uploaded as the signed-in user. */
async function uploadPhoto(page: Page): Promise<string> {
  const png = await sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 200, g: 80, b: 40 } } }).png().toBuffer();
  const res = await page.context().request.post(`${baseUrl}/api/v1/files`, { multipart: { file: { name: 'hazard.png', mimeType: 'image/png', buffer: png } } });
  expect(res.status(), await res.text()).toBe(201);
  const body = (await res.json()) as { items: { id: string }[] };
  const id = body.items[0]?.id;
  if (!id) throw new Error('upload returned no file');
  return id;
}

describe('hazard configuration and figures (safety director)', () => {
  it('adds a category in the dictionary and deactivates it; the API lists it inactive, never deleted', async () => {
    const { page } = safety;
    await page.goto('/hazards/config');
    await page.getByTestId('hazard-config-page').waitFor();
    await page.getByTestId('dict-list').getByText('电气').first().waitFor();
    await screenshot(page, 'safety-hazard-config-desktop');

    const code = `e2e_${stamp}`;
    await page.getByTestId('dict-add').click();
    const form = page.getByTestId('dict-form');
    await form.locator('#code').fill(code);
    await form.locator('#labelZh').fill(`高处坠落 ${stamp}`);
    await form.locator('#labelEn').fill(`Fall from height ${stamp}`);
    await page.locator('.ant-modal:visible .ant-btn-primary').click();
    await page.getByTestId(`dict-${code}`).waitFor();
    const added = (await config(page)).categories.find((c) => c.code === code);
    expect(added).toMatchObject({ labelZh: `高处坠落 ${stamp}`, active: true });

    // A code that already exists is refused with the field named, and nothing is added.
    await page.getByTestId('dict-add').click();
    await form.locator('#code').fill(code);
    await form.locator('#labelZh').fill('重复');
    await form.locator('#labelEn').fill('Duplicate');
    await page.locator('.ant-modal:visible .ant-btn-primary').click();
    await form.getByText(`编码 ${code} 已存在`).waitFor();
    await screenshot(page, 'safety-hazard-dict-duplicate-desktop');
    await page.locator('.ant-modal:visible .ant-modal-footer .ant-btn').first().click();
    expect((await config(page)).categories.filter((c) => c.code === code)).toHaveLength(1);

    await page.getByTestId(`dict-deactivate-${code}`).click();
    await page.locator('.ant-popover:visible .ant-btn-primary').click();
    await page.getByTestId(`dict-activate-${code}`).waitFor();
    const after = (await config(page)).categories.find((c) => c.code === code);
    expect(after).toMatchObject({ active: false, version: (added?.version ?? 0) + 1 });
  });

  it('changes the rectification deadline of general hazards; it sticks after a reload and in the API', async () => {
    const { page } = safety;
    await page.goto('/hazards/config?tab=sla');
    const card = page.getByTestId('sla-general');
    await card.waitFor();
    const before = (await config(page)).slaPolicies.find((p) => p.level === 'general');
    expect(before).toBeDefined();

    // A rectification window shorter than the response window is refused in the form.
    await card.locator('#rectifyHours').fill('1');
    await card.locator('#respondHours').fill('2');
    await page.getByTestId('sla-general-save').click();
    await card.getByText('整改时限不能短于响应时限').waitFor();

    await card.locator('#rectifyHours').fill('36');
    await page.getByTestId('sla-general-save').click();
    await page.locator('.ant-message').getByText('已保存').waitFor();
    const saved = (await config(page)).slaPolicies.find((p) => p.level === 'general');
    expect(saved).toMatchObject({ rectifyMinutes: 36 * 60, respondMinutes: 120, version: (before?.version ?? 0) + 1 });

    await page.reload();
    await page.getByTestId('sla-general').locator('#rectifyHours').waitFor();
    expect(await page.getByTestId('sla-general').locator('#rectifyHours').inputValue()).toBe('36');
    await screenshot(page, 'safety-hazard-sla-desktop');
  });

  it('changes points and the duplicate window in the settings; the API returns the new values', async () => {
    const { page } = safety;
    await page.goto('/hazards/config?tab=settings');
    const form = page.getByTestId('settings-tab');
    await form.waitFor();
    const before = await apiAs<{ settings: { version: number } }>(page, 'GET', '/hazards/config');

    // Out of range is refused in the form, before anything is sent.
    await form.locator('#pointsValidReport').fill('500');
    await form.locator('#pointsValidReport').blur();
    await page.getByTestId('settings-save').click();
    await form.getByText('请输入 -100 到 100 之间的整数').first().waitFor();

    await form.locator('#pointsValidReport').fill('5');
    await form.locator('#duplicateWindowHours').fill('48');
    await page.getByTestId('settings-save').click();
    await page.locator('.ant-message').getByText('已保存').first().waitFor();
    const after = await apiAs<{ settings: { pointsValidReport: number; duplicateWindowHours: number; version: number } }>(page, 'GET', '/hazards/config');
    expect(after.body.settings).toMatchObject({ pointsValidReport: 5, duplicateWindowHours: 48, version: before.body.settings.version + 1 });
    await screenshot(page, 'safety-hazard-settings-desktop');
  });

  it('turns 谁发现谁验收 off and on again in the settings; the API follows each save', async () => {
    const { page } = safety;
    type Settings = { settings: { reporterVerifies: boolean; version: number } };
    const before = await apiAs<Settings>(page, 'GET', '/hazards/config');
    expect(before.body.settings.reporterVerifies, 'on by default').toBe(true);
    await page.goto('/hazards/config?tab=settings');
    const form = page.getByTestId('settings-tab');
    await form.waitFor();
    const toggle = page.getByTestId('settings-reporter-verifies');
    await form.getByText('谁发现谁验收').first().waitFor();
    expect(await toggle.getAttribute('aria-checked')).toBe('true');
    try {
      await toggle.click();
      expect(await toggle.getAttribute('aria-checked')).toBe('false');
      await page.getByTestId('settings-save').click();
      await expect.poll(async () => (await apiAs<Settings>(page, 'GET', '/hazards/config')).body.settings, { timeout: 15_000 }).toMatchObject({ reporterVerifies: false, version: before.body.settings.version + 1 });
      await page.reload();
      await toggle.waitFor();
      expect(await toggle.getAttribute('aria-checked'), 'off after a reload').toBe('false');
      await screenshot(page, 'safety-hazard-settings-reporter-verifies-off-desktop');

      await toggle.click();
      await page.getByTestId('settings-save').click();
      await expect.poll(async () => (await apiAs<Settings>(page, 'GET', '/hazards/config')).body.settings, { timeout: 15_000 }).toMatchObject({ reporterVerifies: true, version: before.body.settings.version + 2 });
      expect(await toggle.getAttribute('aria-checked')).toBe('true');
    } finally {
      // Other tests (the closed loop) rely on the default: put it back even when an assertion failed.
      const now = await apiAs<Settings>(page, 'GET', '/hazards/config');
      if (!now.body.settings.reporterVerifies) await apiAs(page, 'PATCH', '/hazards/config/settings', { reporterVerifies: true, version: now.body.settings.version });
    }
  });

  it('adds an assignment rule; the preview names the person the rule points at', async () => {
    const { page } = safety;
    const workshop = await unitByCode(page, 'P2-HJ');
    const team = await unitByCode(page, 'P2-HJ-1');
    const worker = await personOf(page, 'worker1');
    await page.goto('/hazards/config?tab=assignment');
    await page.getByTestId('rules-tab').waitFor();

    const name = `电气归焊工 ${stamp}`;
    await page.getByTestId('rule-add').click();
    const form = page.getByTestId('rule-form');
    await form.locator('#name').fill(name);
    await form.locator('#priority').fill('1');
    await pick(page, 'rule-category', '电气');
    await pick(page, 'rule-area', workshop.name, true);
    await pick(page, 'rule-user', worker.name);
    await page.locator('.ant-modal:visible .ant-btn-primary').click();
    await page.getByTestId('rules-list').getByText(name).waitFor();

    const rules = await apiAs<{ items: { id: string; name: string; category: string | null; areaUnitId: string | null; responsibleUserId: string | null; active: boolean }[] }>(page, 'GET', '/hazards/assignment-rules');
    expect(rules.status).toBe(200);
    const rule = rules.body.items.find((r) => r.name === name);
    expect(rule).toMatchObject({ category: 'electrical', areaUnitId: workshop.id, responsibleUserId: worker.userId, active: true });

    // A hazard in a team below the workshop falls under the rule's area subtree.
    await pick(page, 'preview-category', '电气');
    await pick(page, 'preview-area', team.name, true);
    await page.getByTestId('preview-user').getByText(worker.name).waitFor();
    await page.getByTestId('preview-via').getByText(name).waitFor();
    await screenshot(page, 'safety-hazard-rules-desktop');
    const preview = await apiAs<{ userId: string; ruleId: string; via: string }>(page, 'GET', `/hazards/assignment-rules/preview?category=electrical&orgUnitId=${team.id}`);
    expect(preview.body).toMatchObject({ userId: worker.userId, ruleId: rule?.id, via: 'rule' });

    // Disabled, the rule no longer decides: the next rule (or the area owner) does.
    await page.getByTestId(`rule-toggle-${rule?.id}`).click();
    await page.locator(`[data-testid="rule-toggle-${rule?.id}"]:not(.ant-btn-dangerous)`).waitFor();
    await expect.poll(async () => page.getByTestId('preview-via').innerText()).not.toContain(name);
    const off = await apiAs<{ ruleId: string | null; via: string }>(page, 'GET', `/hazards/assignment-rules/preview?category=electrical&orgUnitId=${team.id}`);
    expect(off.body.ruleId).not.toBe(rule?.id);
    const disabled = await apiAs<{ items: { id: string; active: boolean }[] }>(page, 'GET', '/hazards/assignment-rules');
    expect(disabled.body.items.find((r) => r.id === rule?.id)?.active).toBe(false);
  });

  it('figures page: totals and charts for hazards just reported, by department and by month', async () => {
    const { page } = safety;
    const team = await unitByCode(page, 'P2-HJ-1');
    for (const [i, category] of ['electrical', 'fire', 'equipment'].entries()) {
      const photo = await uploadPhoto(page);
      const res = await apiAs<{ number: string }>(page, 'POST', '/hazards', { title: `E2E 统计用隐患 ${stamp}-${i}`, category, level: 'general', orgUnitId: team.id, photoIds: [photo] });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
    }
    const figures = await apiAs<{ total: { reported: number; open: number } }>(page, 'GET', '/hazards/figures');
    expect(figures.status).toBe(200);
    expect(figures.body.total.reported).toBeGreaterThanOrEqual(3);

    await page.goto('/hazards/figures');
    await page.getByTestId('hazard-figures-page').waitFor();
    await page.getByTestId('chart-counts').locator('canvas').first().waitFor();
    await page.getByTestId('chart-rates').locator('canvas').first().waitFor();
    await page.getByTestId('chart-hours').locator('canvas').first().waitFor();
    const reported = Number(await page.getByTestId('figure-reported').locator('.ant-statistic-content-value').innerText());
    expect(reported).toBeGreaterThanOrEqual(3);
    const open = Number(await page.getByTestId('figure-open').locator('.ant-statistic-content-value').innerText());
    expect(open).toBeGreaterThanOrEqual(3);
    await page.getByTestId('figures-list').locator('tbody tr.ant-table-row').first().waitFor();
    await page.getByTestId('leaderboard').waitFor();
    await screenshot(page, 'safety-hazard-figures-desktop');

    await page.getByTestId('figures-by-month').click();
    await page.getByTestId('figures-list').getByText(new Date().toISOString().slice(0, 7)).first().waitFor();
    await page.getByTestId('chart-counts').locator('canvas').first().waitFor();
    await screenshot(page, 'safety-hazard-figures-month-desktop');
    expect(safety.pageErrors).toEqual([]);
  });

  it('phone 390 px: the figures page fits the screen with charts, cards and 44 px targets', async () => {
    const s = await openSession(browser, 'phone', state);
    try {
      const { page } = s;
      await page.goto('/hazards/figures');
      await page.getByTestId('hazard-figures-page').waitFor();
      await page.getByTestId('chart-counts').locator('canvas').first().waitFor();
      await page.getByTestId('figures-list').getByTestId('data-card').first().waitFor();
      expect(await horizontalOverflow(page)).toBeLessThanOrEqual(1);
      expect(await smallTouchTargets(page, '.ant-layout-content')).toEqual([]);
      await screenshot(page, 'safety-hazard-figures-phone');
      await page.getByTestId('chart-counts').scrollIntoViewIfNeeded();
      await screenshot(page, 'safety-hazard-figures-charts-phone');
      await page.getByTestId('leaderboard').scrollIntoViewIfNeeded();
      await screenshot(page, 'safety-hazard-leaderboard-phone');

      await page.goto('/hazards/config?tab=sla');
      await page.getByTestId('sla-general').waitFor();
      expect(await horizontalOverflow(page)).toBeLessThanOrEqual(1);
      expect(await smallTouchTargets(page, '.ant-layout-content')).toEqual([]);
      await screenshot(page, 'safety-hazard-sla-phone');
      expect(s.pageErrors).toEqual([]);
    } catch (e) {
      fs.mkdirSync('e2e/.tmp', { recursive: true });
      await s.page.screenshot({ path: 'e2e/.tmp/fail-phone.png' }).catch(() => undefined);
      throw e;
    } finally {
      await s.context.close();
    }
  });
});
