import type { Page } from 'playwright-core';
import { apiAs, type ViewportName } from './browser.ts';

/**
 * The pages of the web app and who may open them — the tests' own statement of web/src/app/pages.tsx,
 * kept separate on purpose so a wrong permission in the app fails a test instead of moving both.
 */
export const pageSpecs = [
  { key: 'home', path: '/', anyOf: null },
  { key: 'org', path: '/admin/org', anyOf: ['org:read'] },
  { key: 'people', path: '/admin/people', anyOf: ['people:read'] },
  { key: 'positions', path: '/admin/positions', anyOf: ['org:read'] },
  { key: 'roles', path: '/admin/roles', anyOf: ['roles:read'] },
  { key: 'users', path: '/admin/users', anyOf: ['users:write'] },
  { key: 'tokens', path: '/admin/tokens', anyOf: ['tokens:own', 'tokens:manage'] },
  { key: 'audit', path: '/admin/audit', anyOf: ['audit:read'] },
  { key: 'import', path: '/admin/import', anyOf: ['people:import'] },
  { key: 'hazardTasks', path: '/hazards/tasks', anyOf: ['hazard:read'] },
  { key: 'hazardReport', path: '/hazards/report', anyOf: ['hazard:report'] },
  { key: 'hazardLedger', path: '/hazards', anyOf: ['hazard:read'] },
  { key: 'hazardImport', path: '/hazards/import', anyOf: ['hazard:import'] },
  { key: 'hazardFigures', path: '/hazards/figures', anyOf: ['hazard:read'] },
  { key: 'hazardConfig', path: '/hazards/config', anyOf: ['hazard:configure'] },
] as const;
export type PageKey = (typeof pageSpecs)[number]['key'];
export const adminPages: PageKey[] = ['org', 'people', 'positions', 'roles', 'users', 'tokens', 'audit', 'import'];

export function grants(held: readonly string[], wanted: string): boolean {
  if (held.includes('*') || held.includes(wanted)) return true;
  const colon = wanted.indexOf(':');
  return colon > 0 && held.includes(`${wanted.slice(0, colon)}:*`);
}

export function allowedPages(permissions: readonly string[]): PageKey[] {
  return pageSpecs.filter((p) => p.anyOf === null || p.anyOf.some((x) => grants(permissions, x))).map((p) => p.key);
}

export interface Me {
  id: string;
  username: string;
  displayName: string;
  roles: string[];
  permissions: string[];
  dataScope: { scope: string };
}

/** Number of rows the UI shows for a list (table rows on desktop, cards on a phone). */
async function visibleRows(page: Page, listTestId: string, viewport: ViewportName): Promise<number> {
  const list = page.getByTestId(listTestId);
  await list.waitFor();
  const rows = viewport === 'phone' ? list.getByTestId('data-card') : list.locator('tbody tr.ant-table-row');
  // Wait for the first row if the API says there will be one (checked by the caller).
  return rows.count();
}

async function expectRows(page: Page, listTestId: string, viewport: ViewportName, apiCount: number): Promise<void> {
  if (apiCount > 0) {
    const list = page.getByTestId(listTestId);
    await (viewport === 'phone' ? list.getByTestId('data-card') : list.locator('tbody tr.ant-table-row')).first().waitFor();
  }
  const n = await visibleRows(page, listTestId, viewport);
  if (apiCount > 0 && n === 0) throw new Error(`${listTestId}: the API returns rows but the page shows none`);
}

async function expectText(page: Page, testId: string, text: string): Promise<void> {
  await page.getByTestId(testId).getByText(text, { exact: false }).first().waitFor();
}

/**
 * What "real content loaded" means per page. Counts come from the API as the same user, so the checks
 * hold for the minimal seed and for the full demo company alike.
 */
export const contentChecks: Record<PageKey, (page: Page, viewport: ViewportName, me: Me) => Promise<void>> = {
  home: async (page, _v, me) => {
    await page.getByTestId('home-page').waitFor();
    await expectText(page, 'page-title', me.displayName);
    await page.getByTestId('home-roles').waitFor();
  },
  org: async (page) => {
    const units = await apiAs<{ items: { parentId: string | null; name: string }[] }>(page, 'GET', '/org/units');
    if (units.status !== 200) throw new Error(`GET /org/units → ${units.status}`);
    const root = units.body.items.find((u) => u.parentId === null);
    if (!root) throw new Error('org tree has no root');
    await expectText(page, 'org-tree', root.name);
    await page.getByTestId('org-details').waitFor();
  },
  people: async (page, viewport) => {
    const api = await apiAs<{ items: unknown[] }>(page, 'GET', '/people?status=active&limit=5');
    if (api.status !== 200) throw new Error(`GET /people → ${api.status}`);
    await expectRows(page, 'people-list', viewport, api.body.items.length);
  },
  positions: async (page) => {
    const api = await apiAs<{ items: unknown[] }>(page, 'GET', '/positions');
    if (api.status !== 200) throw new Error(`GET /positions → ${api.status}`);
    const table = page.getByTestId('positions-table');
    await table.waitFor();
    if (api.body.items.length > 0) await table.locator('tbody tr.ant-table-row').first().waitFor();
  },
  roles: async (page) => {
    // Built-in roles always exist; the system administrator's Chinese name is fixed by the catalog.
    await expectText(page, 'roles-list', '系统管理员');
  },
  users: async (page) => {
    await expectText(page, 'users-list', '@admin');
  },
  tokens: async (page, viewport) => {
    const api = await apiAs<{ items: unknown[] }>(page, 'GET', '/tokens');
    if (api.status !== 200) throw new Error(`GET /tokens → ${api.status}`);
    await expectRows(page, 'tokens-list', viewport, api.body.items.length);
  },
  audit: async (page, viewport) => {
    const api = await apiAs<{ items: unknown[] }>(page, 'GET', '/audit?limit=1');
    if (api.status !== 200) throw new Error(`GET /audit → ${api.status}`);
    await expectRows(page, 'audit-list', viewport, api.body.items.length);
  },
  import: async (page) => {
    await page.getByTestId('import-template').waitFor();
    await page.getByTestId('import-upload').waitFor();
  },
  hazardTasks: async (page, viewport) => {
    await page.getByTestId('hazard-tasks-page').waitFor();
    // The first tab is the person's most urgent queue; its list shows what the API returns for it.
    const tab = (await page.locator('[data-testid^="tasks-tab-"]').first().getAttribute('data-testid'))?.replace('tasks-tab-', '');
    const query: Record<string, string> = { rectify: 'mine=assigned&status=assigned&status=rectifying&status=rework', verify: 'mine=verify', triage: 'status=reported', reported: 'mine=reported' };
    const api = await apiAs<{ items: unknown[] }>(page, 'GET', `/hazards?${query[tab ?? 'reported'] ?? 'mine=reported'}&limit=1`);
    if (api.status !== 200) throw new Error(`GET /hazards (${tab}) → ${api.status}`);
    await expectRows(page, `tasks-${tab}`, viewport, api.body.items.length);
  },
  hazardReport: async (page) => {
    const api = await apiAs<{ categories: { labelZh: string }[] }>(page, 'GET', '/hazards/config');
    if (api.status !== 200) throw new Error(`GET /hazards/config → ${api.status}`);
    await page.getByTestId('hazard-report-page').waitFor();
    await page.getByTestId('report-photos').waitFor();
    await page.getByTestId('report-submit').waitFor();
  },
  hazardLedger: async (page, viewport) => {
    const api = await apiAs<{ items: unknown[] }>(page, 'GET', '/hazards?limit=1');
    if (api.status !== 200) throw new Error(`GET /hazards → ${api.status}`);
    await expectRows(page, 'hazard-ledger-list', viewport, api.body.items.length);
  },
  hazardImport: async (page) => {
    await page.getByTestId('hazard-import-template').waitFor();
    await page.getByTestId('hazard-import-upload').waitFor();
  },
  hazardFigures: async (page) => {
    const api = await apiAs<{ total: { reported: number } }>(page, 'GET', '/hazards/figures');
    if (api.status !== 200) throw new Error(`GET /hazards/figures → ${api.status}`);
    await page.getByTestId('hazard-figures-page').waitFor();
    // The totals have loaded when the statistic shows a value instead of its skeleton.
    await page.getByTestId('figure-reported').locator('.ant-statistic-content-value').waitFor();
    await page.getByTestId('leaderboard').waitFor();
  },
  hazardConfig: async (page) => {
    const api = await apiAs<{ categories: { labelZh: string }[] }>(page, 'GET', '/hazards/config');
    if (api.status !== 200) throw new Error(`GET /hazards/config → ${api.status}`);
    const first = api.body.categories[0];
    if (!first) throw new Error('the hazard category dictionary is empty');
    await expectText(page, 'dict-list', first.labelZh);
  },
};
