import { beforeAll, describe, expect, it } from 'vitest';
import { apiAs, screenshot, type Session } from './lib/browser.ts';
import { browserSuite } from './lib/suite.ts';

/**
 * Equipment and checkpoints (issue 5) in the browser: the safety officer reads the demo register (overdue
 * special equipment red, due within 30 days orange), previews a checkpoint's QR code, and a worker on a phone
 * opens a checkpoint label's link (/s#<code>) and gets the checkpoint with its area and equipment.
 */
const suite = browserSuite('equipment');
let officer: Session;
let worker: Session;

beforeAll(async () => {
  officer = await suite.signIn('desktop', 'officer');
});

describe('equipment register and checkpoints', () => {
  it('shows the register with overdue inspections red and those due within 30 days orange', async () => {
    const { page } = officer;
    await page.goto('/equipment');
    const ledger = page.getByTestId('eq-ledger');
    await ledger.locator('.ant-table-row').first().waitFor();
    await page.getByTestId('eq-overdue-alert').waitFor();
    expect(await ledger.getByTestId('due-overdue').count()).toBeGreaterThan(0);
    expect(await ledger.getByTestId('due-due_soon').count()).toBeGreaterThan(0);
    await screenshot(page, 'equipment-ledger-desktop');
    const filtered = page.waitForResponse((r) => r.url().includes('/api/v1/equipment?') && r.url().includes('dueWithinDays=30'));
    await page.getByTestId('eq-due30').click();
    await filtered;
    await ledger.locator('.ant-table-row').first().waitFor();
    const rows = await ledger.locator('.ant-table-row').count();
    expect((await ledger.getByTestId('due-overdue').count()) + (await ledger.getByTestId('due-due_soon').count())).toBe(rows);
    expect(officer.pageErrors).toEqual([]);
  });

  it('previews a checkpoint QR code for printing', async () => {
    const { page } = officer;
    await page.goto('/equipment/checkpoints');
    const list = page.getByTestId('cp-list');
    await list.locator('.ant-table-row').first().waitFor();
    await list.getByTestId('cp-qr').first().click();
    const img = page.locator('.ant-modal img').first();
    await img.waitFor();
    // The PNG came from the server and decoded: an <img> with a natural width.
    await expect
      .poll(() =>
        img.evaluate((el) => {
          const i = el as unknown as { complete: boolean; naturalWidth: number };
          return i.complete && i.naturalWidth > 0;
        }),
      )
      .toBe(true);
    await screenshot(page, 'equipment-checkpoint-qr-desktop');
    expect(officer.pageErrors).toEqual([]);
  });

  it('opens a checkpoint label on a phone: the checkpoint, its area and equipment, and a hazard report for the area', async () => {
    const cps = await apiAs<{ items: { id: string; name: string; equipmentId: string | null; scanUrl?: string }[] }>(officer.page, 'GET', '/checkpoints?limit=50');
    const cp = cps.body.items.find((c) => c.equipmentId !== null);
    expect(cp?.scanUrl).toBeTruthy();
    const hash = new URL(cp!.scanUrl!).hash;
    worker = await suite.signIn('phone', 'worker1');
    const { page } = worker;
    await page.goto(`/s${hash}`);
    const ok = page.getByTestId('scan-ok');
    await ok.waitFor({ timeout: 20_000 });
    await ok.getByText(cp!.name).first().waitFor();
    await screenshot(page, 'equipment-scan-phone');
    await page.getByTestId('scan-report-hazard').click();
    await page.waitForURL(/\/hazards\/report#area=/);

    await page.goto('/s#ABCDEFGHIJKLMNOPQRSTUVWX');
    await page.getByTestId('scan-refused').waitFor({ timeout: 20_000 });
    await screenshot(page, 'equipment-scan-refused-phone');
    expect(worker.pageErrors).toEqual([]);
  });
});
