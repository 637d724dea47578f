import { beforeAll, describe, expect, it } from 'vitest';
import { apiAs, horizontalOverflow, screenshot, type Session } from './lib/browser.ts';
import { browserSuite } from './lib/suite.ts';

/**
 * The four-colour risk map (issue 5) in the browser: the demo plant's map shows areas in red, orange,
 * yellow and blue — each polygon filled with the colour the API's view gives it — and an area opens its
 * risk events; on a phone the plan scales to the screen and the drawer takes the full width.
 */
const suite = browserSuite('riskmap');
let officer: Session;
let worker: Session;

interface View {
  map: { id: string; name: string };
  areas: { id: string; name: string; level: string | null; colour: string | null; eventCount: number; permits: { id: string; number: string }[] }[];
}

beforeAll(async () => {
  officer = await suite.signIn('desktop', 'officer');
});

/** Fill colour of every polygon on the page, by area id. */
const fills = (s: Session) =>
  s.page.getByTestId('map-area').evaluateAll((els) => els.map((el) => ({ id: el.getAttribute('data-area-id') ?? '', fill: (el.getAttribute('fill') ?? '').toLowerCase() })));

describe('four-colour risk map', () => {
  it('shows the demo plant with red, orange, yellow and blue areas coloured as the API says; an area drills down to its risk events', async () => {
    const { page } = officer;
    const viewed = page.waitForResponse((r) => /\/api\/v1\/risks\/maps\/[0-9a-f-]+\/view$/.test(r.url()) && r.status() === 200);
    await page.goto('/risks/map');
    const view = (await (await viewed).json()) as View;
    await page.getByTestId('map-area').first().waitFor();
    await page.getByTestId('risk-map-image').waitFor({ state: 'attached' });

    const shown = await fills(officer);
    expect(shown).toHaveLength(view.areas.length);
    for (const a of view.areas) expect(shown.find((s) => s.id === a.id)?.fill).toBe((a.colour ?? '#bfbfbf').toLowerCase());
    expect(new Set(view.areas.map((a) => a.level))).toEqual(new Set(['major', 'serious', 'general', 'low']));
    // The tenant's default level colours (reference §2.2).
    expect(new Set(shown.map((s) => s.fill))).toEqual(new Set(['#e63031', '#f48400', '#f1dd00', '#00b0f0']));
    expect(await page.getByTestId('legend-item').count()).toBe(4);
    await screenshot(page, 'risk-map-desktop');

    const red = view.areas.find((a) => a.level === 'major')!;
    const drilled = page.waitForResponse((r) => r.url().endsWith(`/risks/maps/areas/${red.id}/drilldown`) && r.status() === 200);
    await page.locator(`[data-testid="map-area"][data-area-id="${red.id}"]`).click({ force: true });
    const drill = (await (await drilled).json()) as { events: { name: string; level: string }[] };
    const drawer = page.getByTestId('risk-area-drawer');
    await drawer.getByTestId('area-event').first().waitFor();
    expect(await drawer.getByTestId('area-event').count()).toBe(drill.events.length);
    expect(drill.events.length).toBe(red.eventCount);
    expect(drill.events[0]!.level).toBe('major');
    await expect.poll(() => drawer.getByTestId('area-event').first().textContent()).toContain(drill.events[0]!.name);
    expect(await drawer.getByTestId('area-measure').count()).toBeGreaterThan(0);
    expect(page.url()).toContain(`#area=${red.id}`);
    await screenshot(page, 'risk-map-drawer-desktop');
    expect(officer.pageErrors).toEqual([]);
  });

  it('marks the areas with permits at work; the drill-down lists them and each measure’s latest checks', async () => {
    const { page } = officer;
    const viewed = page.waitForResponse((r) => /\/api\/v1\/risks\/maps\/[0-9a-f-]+\/view$/.test(r.url()) && r.status() === 200);
    await page.goto('/risks/map');
    const view = (await (await viewed).json()) as View;
    await page.getByTestId('map-area').first().waitFor();
    // The demo plant has hot work and other permits going on in its workshops.
    const withPermits = view.areas.filter((a) => a.permits.length > 0);
    expect(withPermits.length).toBeGreaterThan(0);
    await expect.poll(() => page.getByTestId('permit-marker').count()).toBe(withPermits.length);
    const counts = await page.getByTestId('permit-marker').evaluateAll((els) => els.map((el) => Number(el.getAttribute('data-count'))));
    expect(counts.sort()).toEqual(withPermits.map((a) => a.permits.length).sort());
    await screenshot(page, 'risk-map-permit-markers-desktop');

    const area = withPermits[0]!;
    const drilled = page.waitForResponse((r) => r.url().endsWith(`/risks/maps/areas/${area.id}/drilldown`) && r.status() === 200);
    await page.locator(`[data-testid="map-area"][data-area-id="${area.id}"]`).click({ force: true });
    const drill = (await (await drilled).json()) as { permits: { number: string }[]; events: { measures: { recentChecks: unknown[] }[] }[] };
    const drawer = page.getByTestId('risk-area-drawer');
    await drawer.getByTestId('area-permit').first().waitFor();
    expect(await drawer.getByTestId('area-permit').count()).toBe(drill.permits.length);
    await expect.poll(() => drawer.getByTestId('area-permit').first().textContent()).toContain(drill.permits[0]!.number);
    const checks = drill.events.flatMap((e) => e.measures).reduce((n, m) => n + m.recentChecks.length, 0);
    expect(await drawer.getByTestId('measure-check').count()).toBe(checks);
    await drawer.getByTestId('area-permit').first().scrollIntoViewIfNeeded();
    await screenshot(page, 'risk-map-drawer-permits-checks-desktop');
    expect(officer.pageErrors).toEqual([]);
  });

  it('is readable on a phone: the plan fits the screen, the drawer is full width', async () => {
    worker = await suite.signIn('phone', 'worker1');
    const { page } = worker;
    const viewed = page.waitForResponse((r) => /\/api\/v1\/risks\/maps\/[0-9a-f-]+\/view$/.test(r.url()) && r.status() === 200);
    await page.goto('/risks/map');
    const view = (await (await viewed).json()) as View;
    await page.getByTestId('map-area').first().waitFor();
    expect(new Set((await fills(worker)).map((s) => s.fill))).toEqual(new Set(view.areas.map((a) => (a.colour ?? '#bfbfbf').toLowerCase())));
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
    const box = await page.getByTestId('risk-map-canvas').boundingBox();
    const width = page.viewportSize()!.width;
    expect(box!.width).toBeLessThanOrEqual(width);
    await screenshot(page, 'risk-map-phone');

    const blue = view.areas.find((a) => a.level === 'low')!;
    const drilled = page.waitForResponse((r) => r.url().endsWith(`/risks/maps/areas/${blue.id}/drilldown`) && r.status() === 200);
    await page.locator(`[data-testid="map-area"][data-area-id="${blue.id}"]`).click({ force: true });
    await drilled;
    const panel = page.locator('.ant-drawer-content-wrapper, .ant-drawer-section').first();
    await page.getByTestId('risk-area-drawer').getByTestId('area-event').first().waitFor();
    const drawerBox = await panel.boundingBox();
    expect(Math.round(drawerBox!.width)).toBeGreaterThanOrEqual(width - 1);
    await screenshot(page, 'risk-map-drawer-phone');
    // Workers read the map but do not edit it.
    expect(await page.getByTestId('risk-map-edit').count()).toBe(0);
    const api = await apiAs<View>(page, 'GET', `/risks/maps/${view.map.id}/view`);
    expect(api.status).toBe(200);
    expect(worker.pageErrors).toEqual([]);
  });

  it('lets the safety officer draw an area by clicking points and save it', async () => {
    const { page } = officer;
    await page.goto('/risks/map');
    await page.getByTestId('map-area').first().waitFor();
    await page.getByTestId('risk-map-edit').click();
    await page.getByTestId('area-draw').click();
    const canvas = page.getByTestId('risk-map-canvas');
    // Three clicks on the first east–west road (no building there, and inside the viewport), then "finish".
    await canvas.scrollIntoViewIfNeeded();
    const box = (await canvas.boundingBox())!;
    for (const [fx, fy] of [
      [0.2, 0.255],
      [0.3, 0.255],
      [0.25, 0.3],
    ]) {
      await page.mouse.click(box.x + box.width * fx!, box.y + box.height * fy!);
    }
    await expect.poll(() => page.getByTestId('map-draft').locator('circle').count()).toBe(3);
    await page.getByTestId('area-finish').click();
    await page.getByTestId('area-name').fill('大门岗亭');
    const created = page.waitForResponse((r) => /\/api\/v1\/risks\/maps\/[0-9a-f-]+\/areas$/.test(r.url()) && r.request().method() === 'POST');
    await page.getByTestId('area-save').click();
    const res = await created;
    expect(res.status()).toBe(201);
    const area = (await res.json()) as { id: string; polygon: number[][] };
    expect(area.polygon).toHaveLength(3);
    for (const [x, y] of area.polygon) {
      expect(x).toBeGreaterThan(0.15);
      expect(x).toBeLessThan(0.35);
      expect(y).toBeGreaterThan(0.22);
      expect(y).toBeLessThan(0.33);
    }
    await page.locator(`[data-testid="map-area"][data-area-id="${area.id}"]`).waitFor();
    await screenshot(page, 'risk-map-drawn-desktop');
    expect(officer.pageErrors).toEqual([]);
  });

  it('adds a control measure and renames a risk event from the register page forms', async () => {
    const { page } = officer;
    await page.goto('/risks');
    await page.getByTestId('risk-tree').waitFor();
    const event = page.getByTestId('risk-event').first();
    await event.waitFor();
    const eventId = (await event.getAttribute('data-event-id'))!;
    const stamp = Date.now().toString(36);

    await event.getByTestId('risk-add-measure').click();
    // The dialog's root is a zero-size portal; wait for its fields.
    await page.getByTestId('risk-form-description').waitFor();
    await page.getByTestId('risk-form-description').fill(`E2E 设置可燃气体报警器 ${stamp}`);
    await page.getByTestId('risk-form-troubleshoot').fill('检查报警器指示灯与标定日期');
    await screenshot(page, 'risk-register-measure-form-desktop');
    const created = page.waitForResponse((r) => r.url().endsWith('/api/v1/risks/measures') && r.request().method() === 'POST');
    await page.getByTestId('risk-form-save').click();
    const res = await created;
    expect(res.status(), await res.text()).toBe(201);
    const measure = (await res.json()) as { id: string; eventId: string; checkCycle: number; checkCycleUnit: string; workDayType: string; classify1: string };
    expect(measure).toMatchObject({ eventId, checkCycle: 1, checkCycleUnit: 'day', workDayType: 'workdays', classify1: 'engineering' });

    await event.getByTestId('risk-edit-event').click();
    const name = page.getByTestId('risk-form-event').getByTestId('risk-form-name');
    await name.waitFor();
    await name.fill(`E2E 泄漏着火 ${stamp}`);
    const patched = page.waitForResponse((r) => r.url().endsWith(`/api/v1/risks/events/${eventId}`) && r.request().method() === 'PATCH');
    await page.getByTestId('risk-form-save').click();
    expect((await patched).status()).toBe(200);
    const detail = await apiAs<{ name: string; measures: { id: string }[] }>(page, 'GET', `/risks/events/${eventId}`);
    expect(detail.body.name).toBe(`E2E 泄漏着火 ${stamp}`);
    expect(detail.body.measures.map((m) => m.id)).toContain(measure.id);
    await page.locator(`[data-testid="risk-event"][data-event-id="${eventId}"]`).filter({ hasText: stamp }).waitFor();
    expect(officer.pageErrors).toEqual([]);
  });
});

