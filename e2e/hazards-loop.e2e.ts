import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiAs, baseUrl, horizontalOverflow, launchBrowser, loginUi, openSession, screenshot, smallTouchTargets, type Session } from './lib/browser.ts';

/**
 * The hazard closed loop on a phone (issue 4 proof): a worker reports with a photo → the assignee the
 * server picked accepts and submits the after-photo → the reporter verifies (谁发现谁验收, on by default)
 * → closed, and the ledger shows it closed. On the way the safety officer prints the rectification notice.
 */
let browser: Browser;
const sessions: Session[] = [];
let safety: Session | undefined;
let hazardId = '';
const stamp = Date.now().toString(36).slice(-6).toUpperCase();
const title = `E2E 闭环 ${stamp} 护栏缺失`;

interface Detail {
  id: string;
  number: string;
  status: string;
  assigneeUserId: string | null;
  assigneeName: string | null;
  reporterName: string | null;
  actions: string[];
  afterPhotos: unknown[];
  timeline: { action: string; actorUserId: string | null }[];
}

async function jpeg(color: { r: number; g: number; b: number }): Promise<Buffer> {
  return sharp({ create: { width: 1200, height: 900, channels: 3, background: color } })
    .jpeg({ quality: 80 })
    .toBuffer();
}

async function phone(username: string): Promise<Session> {
  const s = await openSession(browser, 'phone');
  sessions.push(s);
  await loginUi(s.page, username);
  return s;
}

async function status(page: Page, id: string): Promise<string> {
  const d = await apiAs<Detail>(page, 'GET', `/hazards/${id}`);
  return d.body.status;
}

async function checkPhoneLayout(page: Page, label: string) {
  expect(await horizontalOverflow(page), `${label}: wider than the phone`).toBeLessThanOrEqual(1);
  expect(await smallTouchTargets(page, '.ant-layout-content'), `${label}: touch targets < 44 px`).toEqual([]);
}

beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  for (const s of sessions) {
    if (s.pageErrors.length > 0) console.log(`page errors: ${s.pageErrors.join(' | ')}`);
    await s.context.close().catch(() => undefined);
  }
  await browser?.close();
});

describe('hazard closed loop on a phone', () => {
  it('worker reports with a photo → assignee accepts and submits the after-photo → the reporter passes verification → closed in the ledger', async () => {
    // ---- 1. worker1 reports ----
    const worker = await phone('worker1');
    const wp = worker.page;
    await wp.goto('/hazards/report');
    await wp.getByTestId('hazard-report-page').waitFor();
    await checkPhoneLayout(wp, 'report page');
    await wp.getByTestId('report-photos-camera').setInputFiles({ name: 'before.jpg', mimeType: 'image/jpeg', buffer: await jpeg({ r: 200, g: 80, b: 40 }) });
    await wp.getByTestId('picked-photo').first().waitFor();
    await wp.getByTestId('report-title').fill(title);
    await wp.getByTestId('report-description').fill(`二楼平台东侧护栏缺失一段，约 2 米。${stamp}`);
    await wp.getByTestId('report-category').click();
    await wp.locator('.ant-select-dropdown:visible .ant-select-item-option').first().click();
    // The area defaults to the worker's own unit (焊接一班), whose head has a login: the area owner.
    await expect.poll(() => wp.getByTestId('report-area').textContent(), { timeout: 30_000 }).not.toBe('');
    await screenshot(wp, 'hazards-loop-1-report-form-phone');
    await wp.getByTestId('report-submit').click();
    const done = wp.getByTestId('hazard-report-done');
    await done.waitFor();
    const id = (await done.getAttribute('data-hazard-id')) ?? '';
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    hazardId = id;
    await screenshot(wp, 'hazards-loop-2-reported-phone');

    const reported = await apiAs<Detail & { photos: { id: string }[] }>(wp, 'GET', `/hazards/${id}`);
    expect(reported.status).toBe(200);
    expect(reported.body.photos).toHaveLength(1);
    expect(reported.body.status, 'the demo area has an owner, so the report is assigned at once').toBe('assigned');
    expect(reported.body.assigneeUserId).not.toBeNull();
    await wp.getByTestId('report-open').click();
    await wp.getByTestId('hazard-detail-page').waitFor();
    await wp.getByTestId('hazard-timeline').waitFor();
    // No notice was issued yet and an employee may not issue one: no print button.
    expect(await wp.getByTestId('hazard-notice-pdf').count()).toBe(0);
    await screenshot(wp, 'hazards-loop-3-reporter-detail-phone');

    // Who did the server assign? The safety director may read the user list.
    const director = await phone('safety');
    safety = director;
    const users = await apiAs<{ items: { id: string; username: string }[] }>(director.page, 'GET', '/users?limit=200');
    expect(users.status).toBe(200);
    const assignee = users.body.items.find((u) => u.id === reported.body.assigneeUserId);
    expect(assignee, `assignee ${reported.body.assigneeName} has a login`).toBeDefined();

    // ---- 2. the assignee accepts and submits the after-photo ----
    const owner = await phone(assignee?.username ?? '');
    const op = owner.page;
    await op.goto('/hazards/tasks');
    await op.getByTestId('hazard-tasks-page').waitFor();
    const myTask = op.getByTestId('tasks-rectify').locator(`[data-testid="hazard-link"][data-hazard-id="${id}"]`);
    await myTask.waitFor();
    await checkPhoneLayout(op, 'my tasks');
    await screenshot(op, 'hazards-loop-4-assignee-tasks-phone');
    await myTask.click();
    const detail = op.getByTestId('hazard-detail-page');
    await detail.waitFor();
    await op.getByTestId('action-accept').waitFor();
    await checkPhoneLayout(op, 'detail page');
    await screenshot(op, 'hazards-loop-5-assignee-detail-phone');
    await op.getByTestId('action-accept').click();
    await op.getByTestId('step-ok').click();
    await expect.poll(() => detail.getAttribute('data-status'), { timeout: 30_000 }).toBe('rectifying');

    await op.getByTestId('action-submit').click();
    await op.getByTestId('step-photos-camera').setInputFiles({ name: 'after.jpg', mimeType: 'image/jpeg', buffer: await jpeg({ r: 40, g: 160, b: 80 }) });
    await op.locator('.ant-modal:visible').getByTestId('picked-photo').first().waitFor();
    await op.getByTestId('step-notes').fill('已补装护栏并刷警示色');
    await screenshot(op, 'hazards-loop-6-submit-fix-phone');
    await op.getByTestId('step-ok').click();
    await expect.poll(() => detail.getAttribute('data-status'), { timeout: 30_000 }).toBe('pending_verification');
    await op.getByTestId('hazard-after-photos').waitFor();
    await screenshot(op, 'hazards-loop-7-submitted-phone');
    expect(await status(op, id)).toBe('pending_verification');

    // ---- 3a. the safety officer prints the rectification notice (整改通知书) of the open finding ----
    const officer = await phone('officer');
    const ofp = officer.page;
    await ofp.goto(`/hazards/${id}`);
    await ofp.getByTestId('hazard-detail-page').waitFor();
    const noticeButton = ofp.getByTestId('hazard-notice-pdf');
    await noticeButton.waitFor();
    expect(await noticeButton.getAttribute('href')).toBe(`/api/v1/hazards/${id}/notice.pdf`);
    await screenshot(ofp, 'hazards-loop-7a-officer-notice-button-phone');
    const pdf = await ofp.context().request.get(`${baseUrl}/api/v1/hazards/${id}/notice.pdf`);
    expect(pdf.status(), await pdf.text().catch(() => '')).toBe(200);
    expect(pdf.headers()['content-type']).toContain('application/pdf');
    expect((await pdf.body()).subarray(0, 5).toString('latin1')).toBe('%PDF-');
    // The first print issued a one-finding notice: it is a step of the hazard now, and the reporter (no
    // hazard:triage) sees no print button until one exists, then may print that same notice.
    const noticed = await apiAs<Detail>(ofp, 'GET', `/hazards/${id}`);
    expect(noticed.body.timeline.map((s) => s.action)).toContain('notice_issued');

    // ---- 3b. the reporter verifies (谁发现谁验收): the server named worker1, an employee, as the verifier ----
    const submitted = await apiAs<Detail & { verifierUserId: string | null; verifierName: string | null }>(op, 'GET', `/hazards/${id}`);
    const workerUser = users.body.items.find((u) => u.username === 'worker1');
    expect(workerUser, 'worker1 has a login').toBeDefined();
    expect(submitted.body.verifierUserId, 'the reporter is the designated verifier').toBe(workerUser?.id);
    expect(submitted.body.verifierName).toBe(reported.body.reporterName);

    // The department head, the area owner who verified before 谁发现谁验收, is no longer the designated
    // verifier: his page names the reporter. (He holds hazard:triage, and the server lets the safety
    // office stand in for a named verifier, so pass/fail stay on his page by design.)
    const head = assignee?.username === 'head1' ? owner : await phone('head1');
    const hp = head.page;
    await hp.goto(`/hazards/${id}`);
    await hp.getByTestId('hazard-detail-page').waitFor();
    const verifierField = hp.getByTestId('hazard-verifier');
    expect(await verifierField.getAttribute('data-user-id')).toBe(workerUser?.id);
    expect(await verifierField.innerText()).toBe(reported.body.reporterName);
    await screenshot(hp, 'hazards-loop-7b-head-sees-reporter-verifies-phone');

    await wp.goto('/hazards/tasks');
    await wp.getByTestId('tasks-tab-verify').click();
    const verifyTask = wp.getByTestId('tasks-verify').locator(`[data-testid="hazard-link"][data-hazard-id="${id}"]`);
    await verifyTask.waitFor();
    await screenshot(wp, 'hazards-loop-8-verifier-tasks-phone');
    const queue = await apiAs<{ items: { id: string }[] }>(wp, 'GET', `/hazards?mine=verify&q=${encodeURIComponent(stamp)}&limit=5`);
    expect(queue.body.items.map((h) => h.id), 'waiting in the reporter\'s verification queue').toContain(id);
    await verifyTask.click();
    const vdetail = wp.getByTestId('hazard-detail-page');
    await vdetail.waitFor();
    await wp.getByTestId('action-pass').waitFor();
    await wp.getByTestId('action-fail').waitFor();
    // The notice exists now, so the reporter may print it too.
    await wp.getByTestId('hazard-notice-pdf').waitFor();
    await checkPhoneLayout(wp, 'reporter verifies');
    await screenshot(wp, 'hazards-loop-9-verifier-detail-phone');
    await wp.getByTestId('action-pass').click();
    await wp.getByTestId('step-comment').fill('现场复查，护栏牢固');
    await wp.getByTestId('step-ok').click();
    await expect.poll(() => vdetail.getAttribute('data-status'), { timeout: 30_000 }).toBe('closed');
    await wp.locator('[data-testid="timeline-step"][data-action="passed"]').waitFor();
    await screenshot(wp, 'hazards-loop-10-closed-phone');

    const closed = await apiAs<Detail>(wp, 'GET', `/hazards/${id}`);
    expect(closed.body.status).toBe('closed');
    expect(closed.body.afterPhotos).toHaveLength(1);
    expect(closed.body.timeline.map((s) => s.action)).toEqual(expect.arrayContaining(['reported', 'assigned', 'accepted', 'submitted', 'notice_issued', 'passed']));
    expect(closed.body.timeline.find((s) => s.action === 'passed')?.actorUserId, 'the reporter passed it').toBe(workerUser?.id);

    // ---- 4. the ledger (the safety director's) shows it closed ----
    const sp = director.page;
    await sp.goto('/hazards');
    await sp.getByTestId('hazard-ledger-page').waitFor();
    await sp.getByTestId('ledger-search').locator('input').fill(stamp);
    await sp.getByTestId('ledger-search').locator('input').press('Enter');
    const row = sp.getByTestId('hazard-ledger-list').getByTestId('data-card').filter({ has: sp.locator(`[data-hazard-id="${id}"]`) });
    await row.waitFor();
    await expect.poll(() => row.getByTestId('hazard-status').getAttribute('data-status'), { timeout: 30_000 }).toBe('closed');
    await checkPhoneLayout(sp, 'ledger');
    await screenshot(sp, 'hazards-loop-11-ledger-closed-phone');

    // The reporter's own page says closed after a reload, and offers no more steps.
    await wp.reload();
    await wp.getByTestId('hazard-detail-page').waitFor();
    expect(await wp.getByTestId('hazard-detail-page').getAttribute('data-status')).toBe('closed');
    expect(await wp.getByTestId('action-pass').count()).toBe(0);
    for (const s of sessions) expect(s.pageErrors, 'uncaught errors in the page').toEqual([]);
  });

  it('a stale step is refused with 409 and the page offers to reload', async () => {
    expect(hazardId, 'the loop test made a hazard').not.toBe('');
    const s = safety ?? (await phone('safety'));
    const p = s.page;
    await p.goto(`/hazards/${hazardId}`);
    const detail = p.getByTestId('hazard-detail-page');
    await detail.waitFor();
    await p.getByTestId('action-reopen').waitFor();
    const version = Number(await detail.getAttribute('data-version'));
    // Someone else reopens it meanwhile (through the API): the page still shows the old version.
    const reopened = await apiAs<{ version: number; status: string }>(p, 'POST', `/hazards/${hazardId}/reopen`, { reason: '复查发现护栏又松动', version });
    expect(reopened.status, JSON.stringify(reopened.body)).toBe(200);
    await p.getByTestId('action-reopen').click();
    await p.getByTestId('step-reason').fill('再次打开');
    await p.getByTestId('step-ok').click();
    await p.locator('.ant-modal-confirm-title', { hasText: '记录已被他人修改' }).waitFor();
    await screenshot(p, 'hazards-loop-12-version-conflict-phone');
    await p.locator('.ant-modal-confirm .ant-btn-primary').click();
    const now = await apiAs<{ version: number }>(p, 'GET', `/hazards/${hazardId}`);
    await expect.poll(() => detail.getAttribute('data-version'), { timeout: 30_000 }).toBe(String(now.body.version));
    expect(now.body.version).toBeGreaterThan(version);
  });

  it('ledger: the officer picks findings of two departments → refused with the server\'s reason; one department → one numbered notice', async () => {
    const desk = await openSession(browser, 'desktop');
    sessions.push(desk);
    await loginUi(desk.page, 'officer');
    const p = desk.page;
    const units = await apiAs<{ items: { id: string; code: string }[] }>(p, 'GET', '/org/units');
    expect(units.status).toBe(200);
    const unitId = (code: string) => units.body.items.find((u) => u.code === code)?.id ?? '';
    const tag = `${stamp}-ZG`;
    const ids: string[] = [];
    const numbers: string[] = [];
    // Two open findings of two departments (焊接车间's team and 铸造车间), each assigned to its area owner.
    for (const [i, code] of ['P2-HJ-1', 'P1-ZZ'].entries()) {
      const png = await sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 90, g: 90, b: 200 } } }).png().toBuffer();
      const up = await p.context().request.post(`${baseUrl}/api/v1/files`, { multipart: { file: { name: 'n.png', mimeType: 'image/png', buffer: png } } });
      expect(up.status()).toBe(201);
      const photo = ((await up.json()) as { items: { id: string }[] }).items[0]?.id;
      const res = await apiAs<{ id: string; number: string }>(p, 'POST', '/hazards', { title: `E2E 通知书 ${tag} ${i}`, category: 'fire', level: 'general', orgUnitId: unitId(code), photoIds: [photo] });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      ids.push(res.body.id);
      numbers.push(res.body.number);
    }
    await p.goto('/hazards');
    await p.getByTestId('hazard-ledger-page').waitFor();
    await p.getByTestId('ledger-search').locator('input').fill(tag);
    await p.getByTestId('ledger-search').locator('input').press('Enter');
    await p.getByTestId('ledger-notice-start').click();
    const box = (hid: string) => p.locator(`[data-testid="hazard-select"][data-hazard-id="${hid}"]`);
    for (const hid of ids) await box(hid).click();
    await p.getByTestId('ledger-notice-issue').click();
    const refused = p.getByTestId('ledger-notice-error');
    await refused.waitFor();
    // The page says why in its own words, and the server's message names each department's findings.
    const reason = await refused.innerText();
    expect(reason).toContain('所选隐患属于多个责任部门');
    for (const n of numbers) expect(reason).toContain(n);
    await screenshot(p, 'hazards-loop-15-ledger-notice-mixed-desktop');

    await box(ids[1] ?? '').click();
    await p.getByTestId('ledger-notice-issue').click();
    const issued = p.getByTestId('ledger-notice-issued');
    await issued.waitFor();
    expect(await issued.innerText()).toMatch(/ZG-\d{4}-\d{4}/);
    await screenshot(p, 'hazards-loop-16-ledger-notice-issued-desktop');
    const noticeId = (await issued.getAttribute('data-notice-id')) ?? '';
    const notice = await apiAs<{ number: string; hazards: { id: string }[]; pdfUrl: string }>(p, 'GET', `/hazards/notices/${noticeId}`);
    expect(notice.status).toBe(200);
    expect(notice.body.hazards.map((h) => h.id)).toEqual([ids[0]]);
    const pdf = await p.context().request.get(`${baseUrl}${notice.body.pdfUrl}`);
    expect(pdf.status()).toBe(200);
    expect(pdf.headers()['content-type']).toContain('application/pdf');
    // The other finding got no notice: nothing was written by the refused attempt.
    const other = await apiAs<Detail>(p, 'GET', `/hazards/${ids[1] ?? ''}`);
    expect(other.body.timeline.map((s) => s.action)).not.toContain('notice_issued');
    expect(desk.pageErrors).toEqual([]);
  });

  it('anonymous report: the tracking code is shown once and opens the public track page without signing in', async () => {
    const worker = sessions[0] ?? (await phone('worker1'));
    const wp = worker.page;
    await wp.goto('/hazards/report');
    await wp.getByTestId('hazard-report-page').waitFor();
    await wp.getByTestId('report-photos-camera').setInputFiles({ name: 'anon.jpg', mimeType: 'image/jpeg', buffer: await jpeg({ r: 240, g: 200, b: 0 }) });
    await wp.getByTestId('picked-photo').first().waitFor();
    await wp.getByTestId('report-title').fill(`E2E 匿名 ${stamp} 班长违章指挥`);
    await wp.getByTestId('report-category').click();
    await wp.locator('.ant-select-dropdown:visible .ant-select-item-option').first().click();
    await wp.getByTestId('report-anonymous').click();
    await wp.getByTestId('report-submit').click();
    await wp.getByTestId('hazard-report-done').waitFor();
    const code = (await wp.getByTestId('tracking-code').textContent())?.trim() ?? '';
    expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{16}$/);
    // No link to the detail: nobody is recorded as the reporter, so it is not "mine" to open.
    expect(await wp.getByTestId('report-open').count()).toBe(0);
    await screenshot(wp, 'hazards-loop-13-anonymous-code-phone');

    const anon = await openSession(browser, 'phone');
    sessions.push(anon);
    const tracked = anon.page.waitForResponse((r) => r.url().endsWith('/api/v1/hazards/track') && r.request().method() === 'POST');
    await anon.page.goto(`/track#${code}`);
    expect((await tracked).status()).toBe(200);
    const result = anon.page.getByTestId('track-result');
    await result.waitFor();
    expect(await result.textContent()).toMatch(/YH-\d{4}-\d{6}/);
    await screenshot(anon.page, 'hazards-loop-14-track-page-phone');
  });
});
