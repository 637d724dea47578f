import { beforeAll, describe, expect, it } from 'vitest';
import { apiAs, baseUrl, screenshot, type Session } from './lib/browser.ts';
import { browserSuite } from './lib/suite.ts';

/**
 * IoT monitoring (issue 8) in the browser: the safety director registers a gas detector with a point and a
 * high rule over the API, the detector posts readings with its token (an excursion to 40 %LEL), and the
 * monitoring page shows the live value and the alarm, which is acknowledged from the console; the point's
 * trend shows the thresholds and the alarm period; the console at phone width; alarm health and the map.
 */
const suite = browserSuite('iot');
let safety: Session;
let phone: Session;
let pointCode = '';

beforeAll(async () => {
  safety = await suite.signIn('desktop', 'safety');
  phone = await suite.signIn('phone', 'safety');
});

describe('IoT monitoring', () => {
  it('shows a live gas value and its alarm, acknowledged from the console', async () => {
    const { page } = safety;
    const suffix = Date.now().toString(36);
    const demoPoints = await apiAs<{ items: { orgUnitId: string }[] }>(page, 'GET', '/iot/points');
    const area = demoPoints.body.items[0]!.orgUnitId;
    const device = await apiAs<{ id: string }>(page, 'POST', '/iot/devices', { code: `E2E-${suffix}`, name: 'E2E 气体探测器', orgUnitId: area });
    expect(device.status).toBe(201);
    const token = (await apiAs<{ token: string }>(page, 'POST', `/iot/devices/${device.body.id}/token`, {})).body.token;
    const point = await apiAs<{ id: string; code: string }>(page, 'POST', '/iot/points', { deviceId: device.body.id, key: 'ch1', code: `E2E-${suffix}-01`, name: `E2E 可燃气体 ${suffix}`, type: 'gas_flammable', unit: '%LEL', orgUnitId: area });
    expect(point.status).toBe(201);
    expect((await apiAs(page, 'POST', '/iot/rules', { pointId: point.body.id, name: 'E2E high', kind: 'high', limit: 25, deadband: 3, severity: 'critical' })).status).toBe(201);
    expect((await apiAs(page, 'POST', '/iot/rules', { pointId: point.body.id, name: 'E2E high-high', kind: 'high_high', limit: 50, severity: 'critical' })).status).toBe(201);
    // A simulated leak through the gateway's HTTP batch endpoint: 4 min of background, a ramp to 40 %LEL.
    const now = Date.now();
    const leak = [...Array.from({ length: 24 }, (_, i) => 3 + (i % 3)), 8, 12, 18, 24, 31, 36, 40];
    const post = await page.context().request.fetch(`${baseUrl}/api/v1/iot/readings`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      data: { readings: leak.map((value, i) => ({ point: 'ch1', value, ts: new Date(now - (leak.length - i) * 10_000).toISOString() })) },
    });
    expect(post.status()).toBe(200);
    const alarms = await apiAs<{ items: { id: string; pointId: string }[] }>(page, 'GET', `/iot/alarms?pointId=${point.body.id}`);
    const alarmId = alarms.body.items[0]!.id;

    await page.goto('/iot/monitor');
    await page.getByTestId(`point-value-${point.body.code}`).waitFor();
    expect(await page.getByTestId(`point-value-${point.body.code}`).textContent()).toContain('40');
    const item = page.getByTestId(`alarm-${alarmId}`);
    await item.waitFor();
    expect(await page.getByTestId(`alarm-state-${alarmId}`).textContent()).toBe('报警未确认');
    await screenshot(page, 'iot-monitor-alarm-desktop');
    await page.getByTestId(`alarm-ack-${alarmId}`).click();
    await page.getByTestId('alarm-dialog-text').fill('已启动排风，现场确认');
    const acked = page.waitForResponse((r) => r.url().endsWith(`/api/v1/iot/alarms/${alarmId}/ack`));
    await page.locator('.ant-modal .ant-btn-primary').click();
    expect((await acked).status()).toBe(200);
    await expect.poll(() => page.getByTestId(`alarm-state-${alarmId}`).textContent()).toBe('报警已确认');
    await screenshot(page, 'iot-monitor-acknowledged-desktop');

    // The trend of the point: H 25 and HH 50 drawn, the alarm period shaded.
    await page.getByTestId(`point-row-${point.body.code}`).click();
    const chart = page.getByTestId('iot-trend-chart');
    await chart.waitFor();
    await expect.poll(() => chart.getAttribute('data-thresholds')).toBe('H:25,HH:50');
    expect(Number(await chart.getAttribute('data-alarms'))).toBeGreaterThanOrEqual(1);
    await page.waitForTimeout(300);
    await screenshot(page, 'iot-trend-thresholds-desktop');
    expect(safety.pageErrors).toEqual([]);
    pointCode = point.body.code;
  });

  it('shows the alarm console at phone width without sideways scrolling', async () => {
    const { page } = phone;
    await page.goto('/iot/monitor');
    await page.getByTestId('iot-alarms').waitFor();
    await page.getByTestId(`point-value-${pointCode}`).waitFor();
    // A string, evaluated in the page: the e2e type-check has no DOM library.
    expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth + 1')).toBe(true);
    await screenshot(page, 'iot-monitor-phone');
    expect(phone.pageErrors).toEqual([]);
  });

  it('shows alarm health and live values on the site map', async () => {
    const { page } = safety;
    await page.goto('/iot/health');
    await page.getByTestId('iot-health').waitFor();
    await page.getByTestId('health-floods').waitFor();
    await screenshot(page, 'iot-health-desktop');
    await page.goto('/iot/map');
    const maps = await apiAs<{ items: { id: string }[] }>(page, 'GET', '/iot/maps');
    if (maps.body.items.length > 0) {
      await page.getByTestId('iot-live-map').waitFor();
      await page.waitForTimeout(300);
      await screenshot(page, 'iot-map-desktop');
    }
    expect(safety.pageErrors).toEqual([]);
  });
});
