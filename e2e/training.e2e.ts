import { beforeAll, describe, expect, it } from 'vitest';
import { apiAs, screenshot, type Session } from './lib/browser.ts';
import { browserSuite } from './lib/suite.ts';

/**
 * Certificates (issue 7) in the browser: the safety officer reads the register of the demo company (expired
 * ones flagged, the 30-day filter), records a certificate with the form (dates filled from the type), and a
 * welder reads their own certificates on a phone.
 */
const suite = browserSuite('training');
let officer: Session;
let worker: Session;
const stamp = Date.now().toString(36).slice(-6).toUpperCase();

interface Cert {
  number: string;
  status: string;
  validUntil: string;
  nextReviewOn: string | null;
}

beforeAll(async () => {
  officer = await suite.signIn('desktop', 'officer');
});

describe('certificate register', () => {
  it('shows the register with expired certificates flagged and filters those expiring within 30 days', async () => {
    const { page } = officer;
    await page.goto('/training/certificates');
    const ledger = page.getByTestId('cert-ledger');
    await ledger.locator('.ant-table-row').first().waitFor();
    await page.getByTestId('cert-expired-alert').waitFor();
    expect(await ledger.getByTestId('cert-status-expired').count()).toBeGreaterThan(0);
    await screenshot(page, 'training-ledger-desktop');

    const filtered = page.waitForResponse((r) => r.url().includes('/api/v1/training/certificates') && r.url().includes('expiringWithinDays=30'));
    await page.getByTestId('cert-expiring').click();
    await filtered;
    await ledger.locator('.ant-table-row').first().waitFor();
    const rows = await ledger.locator('.ant-table-row').count();
    expect(rows).toBeGreaterThan(0);
    expect(await ledger.getByTestId('cert-status-expiring').count()).toBe(rows);
    await screenshot(page, 'training-ledger-expiring-desktop');
    expect(officer.pageErrors).toEqual([]);
  });

  it('records a special-operation certificate with the form; validity and review come from the type', async () => {
    const { page } = officer;
    const people = await apiAs<{ items: { name: string; employeeNo: string }[] }>(page, 'GET', '/people?limit=1&status=active');
    const holder = people.body.items[0]!;
    await page.goto('/training/certificates');
    await page.getByTestId('cert-add').click();
    const dialog = page.locator('.ant-modal');
    await dialog.waitFor();
    await dialog.getByTestId('cert-person').click();
    await page.keyboard.type(holder.employeeNo);
    await page.locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: holder.name }).first().click();
    await dialog.getByTestId('cert-type').click();
    await page.locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: '特种作业操作证' }).click();
    await dialog.getByTestId('cert-category').click();
    await page.locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: '焊接与热切割作业' }).click();
    await dialog.getByTestId('cert-category').getByText('焊接与热切割作业').waitFor();
    const number = `T3206E2E${stamp}`;
    await dialog.getByTestId('cert-number').fill(number);
    await dialog.locator('#issuer').fill('江苏省应急管理厅');
    await dialog.locator('#issuedOn').fill('2025-06-01');
    await page.keyboard.press('Enter');
    await screenshot(page, 'training-add-desktop');
    const saved = page.waitForResponse((r) => r.url().endsWith('/api/v1/training/certificates') && r.request().method() === 'POST');
    await dialog.locator('.ant-btn-primary').click();
    expect((await saved).status()).toBe(201);
    await dialog.waitFor({ state: 'hidden' });
    const list = await apiAs<{ items: Cert[] }>(page, 'GET', `/training/certificates?q=${number}`);
    expect(list.body.items).toEqual([expect.objectContaining({ number, validUntil: '2031-05-31', nextReviewOn: '2028-05-31', status: 'valid' })]);
  });
});

describe('my certificates on a phone', () => {
  it('shows a welder their own certificates', async () => {
    worker = await suite.signIn('phone', 'worker1');
    await worker.page.goto('/training/my');
    await worker.page.getByTestId('person-cert').first().waitFor();
    await screenshot(worker.page, 'training-my-phone');
    expect(worker.pageErrors).toEqual([]);
  });
});

describe('plans, matrix, courses and statistics', () => {
  it('shows the required-training matrix with gaps highlighted, filtered to people with gaps', async () => {
    const { page } = officer;
    await page.goto('/training/matrix');
    const table = page.getByTestId('matrix-table');
    await table.locator('.ant-table-row').first().waitFor();
    const loaded = page.waitForResponse((r) => r.url().includes('/api/v1/training/matrix') && r.url().includes('gapsOnly=true'));
    await page.getByTestId('matrix-gaps-only').click();
    expect((await loaded).status()).toBe(200);
    await table.locator('.ant-table-row').first().waitFor();
    const gaps = (await table.getByTestId('cell-missing').count()) + (await table.getByTestId('cell-expired').count()) + (await table.getByTestId('cell-review_overdue').count());
    expect(gaps).toBeGreaterThan(0);
    await expect.poll(() => page.getByTestId('matrix-summary').textContent()).toMatch(/\d/);
    await screenshot(page, 'training-matrix-gaps-desktop');
    expect(officer.pageErrors).toEqual([]);
  });

  it('lists the year’s plans with completion computed from the records', async () => {
    const { page } = officer;
    await page.goto('/training/plans');
    await page.getByTestId('plan-row').first().waitFor();
    await page.getByTestId('plan-items').locator('.ant-table-row').first().waitFor();
    expect(await page.getByTestId('plan-items').locator('.ant-progress').count()).toBeGreaterThan(0);
    await screenshot(page, 'training-plans-desktop');
    await page.goto('/training/statistics');
    await page.getByTestId('stats-table').locator('.ant-table-row').first().waitFor();
    await page.getByTestId('stats-coverage-chart').locator('canvas').waitFor();
    await screenshot(page, 'training-statistics-desktop');
    expect(officer.pageErrors).toEqual([]);
  });

  it('lets a worker learn a course on a phone: progress and hours shown, heartbeats accepted', async () => {
    worker ??= await suite.signIn('phone', 'worker1');
    const { page } = worker;
    await page.goto('/training/courses');
    await page.getByTestId('course-card').first().waitFor();
    await screenshot(page, 'training-courses-phone');
    const beat = page.waitForResponse((r) => /\/api\/v1\/training\/courses\/[^/]+\/heartbeat$/.test(r.url()));
    // A course not yet completed (a demo welder has done the hot-work course): learning sends heartbeats.
    await page.getByTestId('course-card').filter({ hasNotText: '已完成' }).first().getByTestId('course-learn').click();
    expect((await beat).status()).toBe(200);
    await page.getByTestId('learn-progress').waitFor();
    await page.getByTestId('learn-material').waitFor();
    await screenshot(page, 'training-learning-phone');
    expect(worker.pageErrors).toEqual([]);
  });
});
