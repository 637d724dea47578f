import type { Browser, Page } from 'playwright-core';
import fs from 'node:fs';
import ExcelJS from 'exceljs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { apiAs, launchBrowser, loginUi, openSession, screenshot, type Session } from './lib/browser.ts';

/** What an administrator does with the pages: create, edit, move, revoke, verify, import. */
let browser: Browser;
let admin: Session;
const stamp = Date.now().toString(36).slice(-5).toUpperCase();

beforeAll(async () => {
  browser = await launchBrowser();
  admin = await openSession(browser, 'desktop');
  await loginUi(admin.page, 'admin');
});
// A failed flow leaves a picture of the moment it failed (not committed: e2e/.tmp is ignored).
afterEach(async (ctx) => {
  if (ctx.task.result?.state !== 'fail' || !admin) return;
  fs.mkdirSync('e2e/.tmp', { recursive: true });
  await admin.page.screenshot({ path: `e2e/.tmp/fail-${ctx.task.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 60)}.png` }).catch(() => undefined);
});
afterAll(async () => {
  await admin?.context.close();
  await browser?.close();
});

interface OrgUnit {
  id: string;
  parentId: string | null;
  kind: string;
  name: string;
  active: boolean;
  version: number;
}

async function go(page: Page, path: string, testId: string) {
  await page.goto(path);
  await page.getByTestId(testId).waitFor();
}

/** Picks a unit in an antd TreeSelect by typing part of its name. */
async function pickTreeOption(page: Page, selectTestId: string, name: string) {
  const select = page.getByTestId(selectTestId);
  // A click during the dropdown's opening animation is sometimes lost on a busy machine: try again until the
  // choice shows in the field.
  for (let attempt = 0; attempt < 3; attempt++) {
    await select.click();
    await page.keyboard.type(name);
    await page.locator('.ant-select-dropdown:visible .ant-select-tree-title', { hasText: name }).first().click();
    const shown = await select.getByText(name).first().waitFor({ timeout: 5000 }).then(() => true, () => false);
    if (shown) return;
    await page.keyboard.press('Escape');
  }
  throw new Error(`could not pick ${name} in ${selectTestId}`);
}

async function units(page: Page): Promise<OrgUnit[]> {
  const res = await apiAs<{ items: OrgUnit[] }>(page, 'GET', '/org/units');
  expect(res.status, 'GET /org/units').toBe(200);
  return res.body.items;
}

describe('administrator flows (desktop)', () => {
  it('org tree: add a plant, rename it, move a workshop between plants, deactivate', async () => {
    const { page } = admin;
    await go(page, '/admin/org', 'org-page');
    const root = (await units(page)).find((u) => u.parentId === null);
    expect(root).toBeDefined();
    // The root (company) is selected first.
    await page.getByTestId('org-details').getByText(root?.name ?? '').first().waitFor();

    await page.getByTestId('org-add-child').click();
    const form = page.getByTestId('org-create-form');
    await form.locator('#name').fill(`E2E 测试厂区 ${stamp}`);
    await form.locator('#code').fill(`E2E-P-${stamp}`);
    await page.locator('.ant-modal:visible .ant-btn-primary').click();
    await page.getByTestId('org-tree').getByText(`E2E 测试厂区 ${stamp}`).waitFor();
    await page.getByTestId('org-details').getByText(`E2E 测试厂区 ${stamp}`).first().waitFor();

    // Rename.
    await page.getByTestId('org-edit').click();
    const edit = page.getByTestId('org-edit-form');
    await edit.locator('#name').fill(`E2E 一厂 ${stamp}`);
    await page.locator('.ant-modal:visible .ant-btn-primary').click();
    await page.getByTestId('org-tree').getByText(`E2E 一厂 ${stamp}`).waitFor();

    // A second plant and a workshop under the first, made through the API to keep the test short.
    const all = await units(page);
    const plant1 = all.find((u) => u.name === `E2E 一厂 ${stamp}`);
    const plant2 = await apiAs<OrgUnit>(page, 'POST', '/org/units', { parentId: root?.id, kind: 'plant', code: `E2E-P2-${stamp}`, name: `E2E 二厂 ${stamp}` });
    expect(plant2.status).toBe(201);
    const ws = await apiAs<OrgUnit>(page, 'POST', '/org/units', { parentId: plant1?.id, kind: 'workshop', code: `E2E-W-${stamp}`, name: `E2E 车间 ${stamp}` });
    expect(ws.status).toBe(201);
    await page.reload();
    await page.getByTestId('org-filter').locator('input').fill(`E2E 车间 ${stamp}`);
    await page.getByTestId('org-tree').getByText(`E2E 车间 ${stamp}`).click();
    await page.getByTestId('org-move').click();
    await pickTreeOption(page, 'org-move-parent', `E2E 二厂 ${stamp}`);
    await page.locator('.ant-modal:visible .ant-btn-primary').click();
    await expect.poll(async () => (await units(page)).find((u) => u.id === ws.body.id)?.parentId).toBe(plant2.body.id);
    await screenshot(page, 'admin-org-moved-desktop');

    // Deactivate the (now empty) first plant.
    await page.getByTestId('org-filter').locator('input').fill(`E2E 一厂 ${stamp}`);
    await page.getByTestId('org-tree').getByText(`E2E 一厂 ${stamp}`).click();
    await page.getByTestId('org-details').getByRole('button', { name: /停用/ }).click();
    await page.locator('.ant-popconfirm .ant-btn-primary').click();
    await expect.poll(async () => (await units(page)).find((u) => u.id === plant1?.id)?.active).toBe(false);
  });

  it('people: "load more" pages through the list; the org filter includes the whole subtree', async () => {
    const { page } = admin;
    await go(page, '/admin/people', 'people-page');
    const rows = page.getByTestId('people-list').locator('tbody tr.ant-table-row');
    await rows.first().waitFor();
    const first = await apiAs<{ items: unknown[]; nextCursor: string | null }>(page, 'GET', '/people?status=active&limit=50');
    await expect.poll(() => rows.count()).toBe(first.body.items.length);
    if (first.body.nextCursor) {
      await page.getByTestId('load-more').click();
      await expect.poll(() => rows.count()).toBeGreaterThan(first.body.items.length);
    }

    // Pick a unit that has units below it; every listed person must sit in that subtree.
    const all = (await units(page)) as (OrgUnit & { path: string; headcount: number })[];
    const parent = all.find((u) => u.parentId !== null && u.headcount > 0 && all.some((c) => c.parentId === u.id));
    if (!parent) return; // Minimal seed: nothing below the company yet.
    const inSubtree = new Set(all.filter((u) => u.path.startsWith(parent.path)).map((u) => u.name));
    await pickTreeOption(page, 'people-org-filter', parent.name);
    const api = await apiAs<{ items: { orgUnitName: string | null }[] }>(page, 'GET', `/people?status=active&limit=50&orgUnitId=${parent.id}`);
    expect(api.body.items.length).toBeGreaterThan(0);
    await expect.poll(() => rows.count()).toBe(api.body.items.length);
    for (const p of api.body.items) expect(inSubtree.has(p.orgUnitName ?? ''), `${p.orgUnitName} is under ${parent.name}`).toBe(true);
    const shown = await page.getByTestId('people-list').locator('tbody tr.ant-table-row td:nth-child(3)').allTextContents();
    for (const name of shown) expect(inSubtree.has(name.trim()), `${name} is under ${parent.name}`).toBe(true);
  });

  it('people: create a person in the drawer, find them, and get a clear message on a version conflict', async () => {
    const { page } = admin;
    await go(page, '/admin/people', 'people-page');
    const all = await units(page);
    const unit = all.find((u) => u.kind === 'team') ?? all.find((u) => u.kind === 'workshop') ?? all.find((u) => u.parentId === null);
    expect(unit).toBeDefined();

    await page.getByTestId('person-new').click();
    const form = page.getByTestId('person-form');
    await form.locator('#name').fill(`测试员${stamp}`);
    await form.locator('#employeeNo').fill(`E2E${stamp}`);
    await form.locator('#phone').fill('13800138000');
    await pickTreeOption(page, 'person-org', unit?.name ?? '');
    // Client-side validation first: a bad mobile number is named at the field.
    await form.locator('#phone').fill('12345');
    await page.getByTestId('person-save').click();
    await form.getByText('请输入 11 位手机号码').waitFor();
    await form.locator('#phone').fill('13800138000');
    await page.getByTestId('person-save').click();
    await page.locator('.ant-drawer-open').waitFor({ state: 'detached' });

    await page.getByTestId('people-search').locator('input').fill(`测试员${stamp}`);
    await page.getByTestId('people-search').locator('input').press('Enter');
    const row = page.getByTestId('people-list').locator('tbody tr.ant-table-row', { hasText: `测试员${stamp}` });
    await row.waitFor();

    // Open the editor, then someone else saves first (through the API): our save must say so.
    await row.getByRole('button', { name: /编辑/ }).click();
    const person = await apiAs<{ items: { id: string; version: number }[] }>(page, 'GET', `/people?q=${encodeURIComponent(`E2E${stamp}`)}`);
    const p = person.body.items[0];
    expect(p).toBeDefined();
    const other = await apiAs(page, 'PATCH', `/people/${p?.id}`, { email: `e2e${stamp.toLowerCase()}@example.com`, version: p?.version });
    expect(other.status).toBe(200);
    await form.locator('#name').fill(`测试员${stamp}改`);
    await page.getByTestId('person-save').click();
    await page.locator('.ant-modal-confirm .ant-modal-confirm-title', { hasText: '记录已被他人修改' }).waitFor();
    await screenshot(page, 'admin-people-version-conflict-desktop');
    await page.locator('.ant-modal-confirm .ant-btn-primary').click();
  });

  it('roles: built-in roles are read-only; a custom role is created with grouped permissions', async () => {
    const { page } = admin;
    await go(page, '/admin/roles', 'roles-page');
    const builtin = page.getByTestId('roles-list').locator('tbody tr.ant-table-row', { hasText: '安全员' }).first();
    await builtin.getByTestId('role-open').click();
    const drawer = page.locator('.ant-drawer-open');
    await drawer.getByTestId('permission-picker').waitFor();
    expect(await drawer.locator('.ant-checkbox-wrapper:not(.ant-checkbox-wrapper-disabled)').count()).toBe(0);
    await screenshot(page, 'admin-roles-builtin-desktop');
    await page.keyboard.press('Escape');
    await drawer.waitFor({ state: 'detached' }).catch(() => undefined);

    await page.getByTestId('role-new').click();
    const d2 = page.locator('.ant-drawer-open');
    await d2.locator('#code').fill(`e2e_viewer_${stamp.toLowerCase()}`);
    await d2.locator('#name').fill(`E2E 只读 ${stamp}`);
    await d2.locator('[data-perm="org:read"]').click();
    await d2.locator('[data-perm="people:read"]').click();
    await page.getByTestId('role-save').click();
    await page.getByTestId('roles-list').getByText(`E2E 只读 ${stamp}`).waitFor();
  });

  it('API tokens: the secret is shown once with a copy button, then the token is revoked', async () => {
    const { page } = admin;
    await go(page, '/admin/tokens', 'tokens-page');
    await page.getByTestId('token-new').click();
    const form = page.getByTestId('token-form');
    await form.locator('#name').fill(`E2E token ${stamp}`);
    await page.getByTestId('token-scopes').click();
    await page.locator('.ant-select-dropdown:visible .ant-select-item-option').first().click();
    await page.keyboard.press('Escape');
    await page.locator('.ant-modal:visible .ant-btn-primary').click();
    const secret = page.getByTestId('token-secret');
    await secret.waitFor();
    expect(await secret.textContent()).toMatch(/^slt_/);
    expect(await secret.locator('.ant-typography-copy').count()).toBe(1);
    await screenshot(page, 'admin-tokens-secret-desktop');
    await page.getByTestId('token-secret-done').click();

    const row = page.getByTestId('tokens-list').locator('tbody tr.ant-table-row', { hasText: `E2E token ${stamp}` });
    await row.waitFor();
    expect(await row.textContent()).not.toMatch(/slt_[A-Za-z0-9_-]{20,}/);
    await row.getByTestId('token-revoke').click();
    await page.locator('.ant-popconfirm .ant-btn-primary').click();
    await row.getByText('已吊销').waitFor();
  });

  it('audit log: newest first, before/after diff, and the chain verifies', async () => {
    const { page } = admin;
    await go(page, '/admin/audit', 'audit-page');
    const rows = page.getByTestId('audit-list').locator('tbody tr.ant-table-row');
    await rows.first().waitFor();
    // Column 1 is the expand toggle, column 2 the sequence number.
    const seqs = (await page.getByTestId('audit-list').locator('tbody tr.ant-table-row td:nth-child(2)').allTextContents()).slice(0, 10).map(Number);
    const numeric = seqs.filter((n) => Number.isFinite(n));
    expect(numeric.length).toBeGreaterThan(0);
    expect([...numeric].sort((a, b) => b - a)).toEqual(numeric);

    await rows.first().locator('.ant-table-row-expand-icon').click();
    await page.getByTestId('audit-list').locator('.ant-table-expanded-row').first().waitFor();

    await page.getByTestId('audit-verify').click();
    const result = page.getByTestId('audit-verify-result');
    await result.waitFor();
    expect(await result.getAttribute('data-ok')).toBe('true');
    await screenshot(page, 'admin-audit-verified-desktop');

    // Filter by action prefix narrows the list.
    await page.getByTestId('audit-filters').locator('#action').fill('token');
    await page.getByTestId('audit-search').click();
    await expect.poll(async () => (await rows.allTextContents()).every((t) => t.includes('token'))).toBe(true);
  });

  it('import: template download; a bad row is listed with sheet/row/field, a fixed file imports', async () => {
    const { page } = admin;
    await go(page, '/admin/import', 'import-page');
    const res = await page.context().request.get('/api/v1/import/people-template.xlsx');
    expect(res.status(), 'GET /import/people-template.xlsx').toBe(200);
    const root = (await units(page)).find((u) => u.parentId === null) as (OrgUnit & { code: string }) | undefined;
    expect(root).toBeDefined();

    // Fill the server's own template: one person in a unit that does not exist, then in the company.
    const workbook = async (unitCode: string): Promise<Buffer> => {
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load((await res.body()) as unknown as Parameters<typeof wb.xlsx.load>[0]);
      const people = wb.worksheets.find((w) => w.name === '人员' || w.name === 'People');
      expect(people, 'template has a 人员/People sheet').toBeDefined();
      const header = (people?.getRow(1).values as unknown[]).map((v) => String(v ?? ''));
      const row: string[] = [];
      const put = (title: string, value: string) => {
        const i = header.findIndex((h) => h === title);
        if (i > 0) row[i - 1] = value;
      };
      put('工号', `IMP${stamp}`);
      put('姓名', `导入测试${stamp}`);
      put('部门编码', unitCode);
      put('类型(员工/承包商)', '员工');
      people?.addRow(row);
      return Buffer.from(await wb.xlsx.writeBuffer());
    };
    const upload = async (buffer: Buffer) => {
      await page.getByTestId('import-upload').locator('input[type=file]').setInputFiles({ name: `people-${stamp}.xlsx`, mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', buffer });
    };

    await upload(await workbook(`NO-SUCH-${stamp}`));
    await page.getByTestId('import-dry-run').click();
    const errors = page.getByTestId('import-row-errors');
    await errors.locator('tbody tr.ant-table-row').first().waitFor();
    expect(await errors.textContent()).toContain(`NO-SUCH-${stamp}`);
    expect(await page.getByTestId('import-run').isDisabled()).toBe(true);
    await screenshot(page, 'admin-import-row-errors-desktop');

    await upload(await workbook(root?.code ?? ''));
    await page.getByTestId('import-dry-run').click();
    await page.getByTestId('import-counts').waitFor();
    await page.getByTestId('import-run').click();
    await page.getByTestId('import-counts').getByText('导入完成').waitFor();
    await screenshot(page, 'admin-import-done-desktop');
    const found = await apiAs<{ items: unknown[] }>(page, 'GET', `/people?q=IMP${stamp}`);
    expect(found.body.items.length).toBe(1);
  });
});
