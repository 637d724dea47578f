import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { apiAs, screenshot, type Session } from './lib/browser.ts';
import { browserSuite } from './lib/suite.ts';

/**
 * Inspections (issue 5) on a phone: the safety officer plans a check at a fresh checkpoint for worker1
 * (over the API, so no other test's data matters); worker1 opens the task from "my inspections", visits the
 * checkpoint's QR URL (/s#<code>), starts the check there, fails an item with a photo, signs, submits —
 * and sees the hazard it raised with its number.
 */
const suite = browserSuite('inspections');
let officer: Session;
let worker: Session;

async function jpeg(): Promise<Buffer> {
  return sharp({ create: { width: 800, height: 600, channels: 3, background: { r: 180, g: 60, b: 40 } } })
    .jpeg({ quality: 80 })
    .toBuffer();
}

beforeAll(async () => {
  officer = await suite.signIn('desktop', 'officer');
  worker = await suite.signIn('phone', 'worker1');
});

describe('a check on the phone', () => {
  it('opens the task, scans by visiting the QR URL, fails an item and gets a hazard with its number', async () => {
    const stamp = Date.now().toString(36);
    const me = await apiAs<{ personId: string; orgUnit: { id: string } | null }>(worker.page, 'GET', '/me');
    expect(me.status).toBe(200);
    const unitId = me.body.orgUnit!.id;
    const cp = await apiAs<{ id: string; scanUrl: string }>(officer.page, 'POST', '/checkpoints', { name: `E2E 空压站巡检点 ${stamp}`, orgUnitId: unitId });
    expect(cp.status, JSON.stringify(cp.body)).toBe(201);
    const tpl = await apiAs<{ id: string }>(officer.page, 'POST', '/inspections/templates', {
      name: `E2E 储气罐巡检 ${stamp}`,
      items: [
        { key: 'gauge_ok', label: '压力表、安全阀完好', kind: 'pass_fail', required: true },
        { key: 'pressure', label: '工作压力', kind: 'number', required: true, min: 0.4, max: 0.8, unit: 'MPa' },
        { key: 'sign', label: '巡检人签字', kind: 'signature', required: true },
      ],
    });
    expect(tpl.status, JSON.stringify(tpl.body)).toBe(201);
    const planName = `E2E 储气罐日检 ${stamp}`;
    const plan = await apiAs<{ id: string }>(officer.page, 'POST', '/inspections/plans', { name: planName, checkType: 'daily', cycleUnit: 'day', cycleInterval: 1, dayType: 'every_day', orgUnitId: unitId, assigneePersonId: me.body.personId, checkpointId: cp.body.id, templateId: tpl.body.id });
    expect(plan.status, JSON.stringify(plan.body)).toBe(201);

    const { page } = worker;
    await page.goto('/inspections/my');
    const card = page.getByTestId('my-task').filter({ hasText: planName });
    await card.waitFor();
    await screenshot(page, 'inspections-1-my-tasks-phone');
    await card.click();
    await page.getByTestId('scan-step').waitFor();
    await screenshot(page, 'inspections-2-task-scan-step-phone');

    // The phone camera opens the label's URL: the scan page proves presence and offers the check here.
    await page.goto(`/s${new URL(cp.body.scanUrl).hash}`);
    await page.getByTestId('scan-ok').waitFor();
    const start = page.getByTestId('inspection-start-here');
    await start.waitFor();
    await screenshot(page, 'inspections-3-scan-offer-phone');
    const scanned = page.waitForResponse((r) => r.url().includes('/api/v1/inspections/tasks/') && r.url().endsWith('/scan') && r.request().method() === 'POST');
    await start.click();
    expect((await scanned).status()).toBe(200);
    await page.getByTestId('checklist').waitFor();

    await page.getByTestId('item-gauge_ok-fail').click();
    await page.getByTestId('item-gauge_ok-photos-camera').setInputFiles({ name: 'gauge.jpg', mimeType: 'image/jpeg', buffer: await jpeg() });
    await page.getByTestId('item-gauge_ok').getByTestId('picked-photo').first().waitFor();
    await page.getByTestId('item-gauge_ok-remark').fill('压力表表盘破裂');
    await page.getByTestId('item-pressure-reading').locator('input').fill('0.65');
    const pad = page.getByTestId('item-sign-signature');
    await pad.scrollIntoViewIfNeeded();
    const box = (await pad.boundingBox())!;
    await page.mouse.move(box.x + 20, box.y + 60);
    await page.mouse.down();
    await page.mouse.move(box.x + 120, box.y + 30, { steps: 8 });
    await page.mouse.move(box.x + 220, box.y + 80, { steps: 8 });
    await page.mouse.up();
    await screenshot(page, 'inspections-4-checklist-failed-item-phone');

    const submitted = page.waitForResponse((r) => r.url().includes('/api/v1/inspections/tasks/') && r.url().endsWith('/results'));
    await page.getByTestId('checklist-submit').click();
    const res = await submitted;
    expect(res.status()).toBe(200);
    await page.getByTestId('task-done').waitFor();
    const link = page.getByTestId('finding-hazard');
    await link.waitFor();
    const number = (await link.innerText()).trim();
    expect(number).toMatch(/^YH-\d{4}-\d{6}$/);
    await screenshot(page, 'inspections-5-done-hazard-raised-phone');

    // The hazard exists, in the checkpoint's area, with the photo and the remark.
    const body = (await res.json()) as { findings: { hazardId: string }[] };
    expect(body.findings).toHaveLength(1);
    const hazard = await apiAs<{ number: string; orgUnitId: string; photos: unknown[]; description: string }>(officer.page, 'GET', `/hazards/${body.findings[0]!.hazardId}`);
    expect(hazard.body.number).toBe(number);
    expect(hazard.body.orgUnitId).toBe(unitId);
    expect(hazard.body.photos).toHaveLength(1);
    expect(hazard.body.description).toContain('压力表表盘破裂');
    await link.click();
    await page.waitForURL(/\/hazards\//);
    expect(worker.pageErrors).toEqual([]);
  });

  it('works offline: the scan and the answers with a photo wait on the phone, then go out once when back online', async () => {
    const stamp = `off-${Date.now().toString(36)}`;
    const me = await apiAs<{ personId: string; orgUnit: { id: string } | null }>(worker.page, 'GET', '/me');
    const unitId = me.body.orgUnit!.id;
    const cp = await apiAs<{ id: string; scanUrl: string }>(officer.page, 'POST', '/checkpoints', { name: `E2E 泵房巡检点 ${stamp}`, orgUnitId: unitId });
    expect(cp.status, JSON.stringify(cp.body)).toBe(201);
    const tpl = await apiAs<{ id: string }>(officer.page, 'POST', '/inspections/templates', {
      name: `E2E 泵房巡检 ${stamp}`,
      items: [{ key: 'seal_ok', label: '机械密封无泄漏', kind: 'pass_fail', required: true }],
    });
    expect(tpl.status, JSON.stringify(tpl.body)).toBe(201);
    const planName = `E2E 泵房日检 ${stamp}`;
    const plan = await apiAs<{ id: string }>(officer.page, 'POST', '/inspections/plans', { name: planName, checkType: 'daily', cycleUnit: 'day', cycleInterval: 1, dayType: 'every_day', orgUnitId: unitId, assigneePersonId: me.body.personId, checkpointId: cp.body.id, templateId: tpl.body.id });
    expect(plan.status, JSON.stringify(plan.body)).toBe(201);

    const { page } = worker;
    await page.goto('/inspections/my');
    const card = page.getByTestId('my-task').filter({ hasText: planName });
    await card.waitFor();
    await card.click();
    await page.getByTestId('scan-step').waitFor();
    const taskId = new URL(page.url()).pathname.split('/').pop()!;

    // No signal in the pump room: the code typed under the label is kept to be verified later.
    await page.context().setOffline(true);
    const code = decodeURIComponent(new URL(cp.body.scanUrl).hash.slice(1));
    await page.getByTestId('scan-code-input').fill(code);
    await page.getByTestId('scan-code-submit').click();
    await page.getByTestId('check-offline').waitFor();
    await page.getByTestId('checklist').waitFor();
    await page.getByTestId('item-seal_ok-fail').click();
    await page.getByTestId('item-seal_ok-photos-camera').setInputFiles({ name: 'seal.jpg', mimeType: 'image/jpeg', buffer: await jpeg() });
    await page.getByTestId('item-seal_ok').getByTestId('picked-photo').first().waitFor();
    await page.getByTestId('item-seal_ok-remark').fill('离线：机械密封滴漏');
    await page.getByTestId('checklist-submit').click();
    await page.getByTestId('check-queued').waitFor();
    await screenshot(page, 'inspections-6-offline-check-queued-phone');
    // Nothing reached the server yet.
    const before = await apiAs<{ status: string }>(officer.page, 'GET', `/inspections/tasks/${taskId}`);
    expect(before.body.status).toBe('planned');

    // Back online: the queue replays the scan, uploads the photo and sends the answers with their keys.
    const sent = page.waitForResponse((r) => r.url().endsWith(`/inspections/tasks/${taskId}/results`) && r.request().method() === 'POST', { timeout: 60_000 });
    await page.context().setOffline(false);
    expect((await sent).status()).toBe(200);
    await page.getByTestId('task-done').waitFor({ timeout: 60_000 });
    await page.getByTestId('finding-hazard').waitFor();
    await screenshot(page, 'inspections-7-offline-check-synced-phone');

    const after = await apiAs<{ status: string; findings: { hazardId: string | null }[]; results: { itemKey: string }[] }>(officer.page, 'GET', `/inspections/tasks/${taskId}`);
    expect(after.body.status).toBe('done');
    expect(after.body.results.filter((r) => r.itemKey === 'seal_ok')).toHaveLength(1);
    expect(after.body.findings).toHaveLength(1);
    const hazard = await apiAs<{ description: string; photos: unknown[] }>(officer.page, 'GET', `/hazards/${after.body.findings[0]!.hazardId}`);
    expect(hazard.body.description).toContain('离线：机械密封滴漏');
    expect(hazard.body.photos).toHaveLength(1);
    expect(worker.pageErrors).toEqual([]);
  });
});
