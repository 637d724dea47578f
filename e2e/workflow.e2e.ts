import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { screenshot, type Session } from './lib/browser.ts';
import { browserSuite } from './lib/suite.ts';

/**
 * Approval flows (issue 6) in the browser. The safety director opens the demo two-level flow in the
 * visual editor, adds an approver and a condition branch, is stopped by the approver-less node, fixes it
 * and publishes version 2. The welding workshop head (head1) then approves a demo request from the to-do
 * list with a handwritten signature; the timeline shows the approval with the signature, and the request
 * keeps the version it started on (v1). A welder on a phone withdraws one of his own requests.
 */
const suite = browserSuite('workflow');
let designer: Session;
let approver: Session;
let applicant: Session;

beforeAll(async () => {
  designer = await suite.signIn('desktop', 'safety');
});

/** Picks an option of a plain antd Select; a click during the dropdown's opening is sometimes lost, so retry. */
async function pickOption(page: Page, testId: string, text: string) {
  const select = page.getByTestId(testId);
  for (let attempt = 0; attempt < 3; attempt++) {
    await select.click();
    await page.locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: text }).first().click();
    if (await select.getByText(text).first().waitFor({ timeout: 5000 }).then(() => true, () => false)) return;
    await page.keyboard.press('Escape');
  }
  throw new Error(`could not pick ${text} in ${testId}`);
}

async function closeDrawer(page: Page) {
  await page.getByTestId('wf-drawer-done').click();
  await page.getByTestId('wf-drawer').waitFor({ state: 'hidden' });
}

describe('approval flows', () => {
  it('designs a flow: adds an approver and a condition branch, is stopped by the approver-less node, fixes it, publishes v2', async () => {
    const { page } = designer;
    await page.goto('/workflow/definitions');
    const link = page.getByTestId('wf-definition-generic.two_level');
    await link.waitFor();
    expect(await page.getByTestId('wf-definition-generic.by_amount').count()).toBe(1);
    await screenshot(page, 'workflow-1-definitions-desktop');

    await link.click();
    await page.getByTestId('wf-node-supervisor').waitFor();
    await page.getByTestId('wf-version-1').waitFor();

    // An approver between the two demo steps: the drawer opens for it at once.
    await page.getByTestId('wf-add-root-1').click();
    await page.getByTestId('wf-add-approval').click();
    await page.getByTestId('wf-drawer').waitFor();
    await page.getByTestId('wf-node-name').fill('车间安全员审核');
    await closeDrawer(page);
    await expect.poll(() => page.getByTestId('wf-node-approval_1').textContent()).toContain('车间安全员审核');

    // A condition branch after the department head: branch 1 "urgent = yes", the other branch by default.
    await page.getByTestId('wf-add-root-3').click();
    await page.getByTestId('wf-add-condition').click();
    await page.getByTestId('wf-branch-condition_1-0').waitFor();
    await page.getByTestId('wf-cond-add').click();
    await page.getByTestId('wf-cond-field-0').fill('urgent');
    await page.getByTestId('wf-cond-value-0').fill('yes');
    await closeDrawer(page);
    await expect.poll(() => page.getByTestId('wf-branch-condition_1-0').textContent()).toContain('urgent');
    expect(await page.getByTestId('wf-branch-condition_1-1').textContent()).toContain('其他');

    // Publishing is refused before anything is sent: the new approver has nobody to approve.
    let publishCalls = 0;
    page.on('request', (r) => {
      if (r.url().endsWith('/publish')) publishCalls++;
    });
    await page.getByTestId('wf-publish').click();
    const issues = page.getByTestId('wf-node-approval_1-issues');
    await issues.waitFor();
    expect(await issues.textContent()).toContain('未设置审批人');
    expect(await page.getByTestId('wf-node-approval_1').getAttribute('data-invalid')).toBe('true');
    expect(publishCalls).toBe(0);
    await screenshot(page, 'workflow-2-editor-invalid-desktop');

    // Fix: the applicant's department head approves.
    await page.getByTestId('wf-node-approval_1').click();
    await page.getByTestId('wf-drawer-issues').waitFor();
    await pickOption(page, 'wf-rule-kind', '部门负责人');
    await closeDrawer(page);
    await issues.waitFor({ state: 'detached' });
    expect(await page.getByTestId('wf-node-approval_1').textContent()).toContain('发起人的部门负责人');

    const saved = page.waitForResponse((r) => r.url().includes('/api/v1/workflow/definitions/') && r.request().method() === 'PUT');
    const published = page.waitForResponse((r) => r.url().endsWith('/publish'));
    await page.getByTestId('wf-publish').click();
    expect((await saved).status()).toBe(200);
    const res = await published;
    expect(res.status()).toBe(200);
    expect(((await res.json()) as { version: { versionNo: number } }).version.versionNo).toBe(2);
    await page.getByTestId('wf-version-2').waitFor();
    await expect.poll(() => page.getByTestId('wf-published-version').textContent()).toContain('v2');
    await page.getByTestId('wf-node-condition_1').scrollIntoViewIfNeeded();
    await screenshot(page, 'workflow-3-editor-published-desktop');
    expect(designer.pageErrors).toEqual([]);
  });

  it('approves a to-do with a drawn signature; the timeline shows it and the request keeps version 1', async () => {
    approver = await suite.signIn('desktop', 'head1');
    const { page } = approver;
    await page.goto('/workflow/todo');
    const row = page.getByTestId('tasks-pending').locator('.ant-table-row', { hasText: '烟尘净化器' });
    await row.waitFor();
    await screenshot(page, 'workflow-4-todo-desktop');

    await row.getByRole('button').first().click();
    await page.getByTestId('instance-timeline').waitFor();
    expect(await page.getByTestId('instance-version').textContent()).toContain('v1');
    await page.getByTestId('task-approve').click();
    await page.getByTestId('decision-comment').fill('同意更换，请设备科采购');

    // Sign with the mouse: a stroke across the pad.
    const pad = page.getByTestId('signature-pad');
    const box = await pad.boundingBox();
    if (!box) throw new Error('signature pad not visible');
    await page.mouse.move(box.x + 30, box.y + box.height * 0.6);
    await page.mouse.down();
    for (let i = 1; i <= 12; i++) await page.mouse.move(box.x + 30 + i * 18, box.y + box.height * (0.6 + 0.25 * Math.sin(i / 2)), { steps: 2 });
    await page.mouse.up();
    await expect.poll(() => page.getByTestId('signature-field').getAttribute('data-ready')).toBe('true');
    await screenshot(page, 'workflow-5-signature-desktop');

    const upload = page.waitForResponse((r) => r.url().endsWith('/api/v1/files') && r.request().method() === 'POST');
    const approve = page.waitForResponse((r) => r.url().includes('/api/v1/workflow/tasks/') && r.url().endsWith('/approve'));
    await page.getByTestId('decision-submit').click();
    expect((await upload).status()).toBe(201);
    const decided = await approve;
    expect(decided.status()).toBe(200);
    const body = decided.request().postDataJSON() as { signatureFileId: string | null };
    expect(body.signatureFileId).toBeTruthy();

    // The timeline: head1's approval with the comment and the signature image.
    const entry = page.getByTestId('timeline-approved');
    await entry.waitFor();
    expect(await entry.textContent()).toContain('同意更换');
    await entry.getByTestId('timeline-signature').locator('img').or(entry.locator('img')).first().waitFor();
    await expect.poll(() => entry.locator('img').first().evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth)).toBeGreaterThan(0);
    expect(await page.getByTestId('instance-version').textContent()).toContain('v1');
    await screenshot(page, 'workflow-6-timeline-desktop');
    expect(approver.pageErrors).toEqual([]);
  });

  it('lets the applicant withdraw his own running request on a phone', async () => {
    applicant = await suite.signIn('phone', 'worker1');
    const { page } = applicant;
    await page.goto('/workflow/todo');
    await page.getByTestId('todo-tab-mine').click();
    const card = page.getByTestId('my-requests').getByTestId('data-card').filter({ hasText: '劳保用品' });
    await card.waitFor();
    expect(await card.textContent()).toContain('generic.two_level v1');
    await screenshot(page, 'workflow-7-my-requests-phone');
    await card.getByRole('button').last().click();
    await page.getByTestId('instance-timeline').waitFor();
    expect(await page.getByTestId('instance-drawer-status').getAttribute('data-status')).toBe('running');
    await page.getByTestId('instance-withdraw').click();
    const withdrawn = page.waitForResponse((r) => r.url().endsWith('/withdraw'));
    await page.getByTestId('withdraw-ok').click();
    expect((await withdrawn).status()).toBe(200);
    await expect.poll(() => page.getByTestId('instance-drawer-status').getAttribute('data-status')).toBe('withdrawn');
    await page.getByTestId('timeline-withdrawn').or(page.getByTestId('timeline-finished')).first().waitFor();
    await screenshot(page, 'workflow-8-withdrawn-phone');
    expect(applicant.pageErrors).toEqual([]);
  });
});
