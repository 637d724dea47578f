import { beforeAll, describe, expect, it } from 'vitest';
import { apiAs, baseUrl, screenshot, type Session } from './lib/browser.ts';
import { browserSuite } from './lib/suite.ts';

/**
 * IoT monitoring (issue 8) in the browser: the safety director registers a gas detector with a point and a
 * high rule over the API, the detector posts readings with its token (an excursion to 40 %LEL), and the
 * monitoring page shows the live value and the alarm, which is acknowledged from the console.
 */
const suite = browserSuite('iot');
let safety: Session;

beforeAll(async () => {
  safety = await suite.signIn('desktop', 'safety');
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
    const now = Date.now();
    const post = await page.context().request.fetch(`${baseUrl}/api/v1/iot/readings`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      data: { readings: [5, 18, 40].map((value, i) => ({ point: 'ch1', value, ts: new Date(now - (3 - i) * 1000).toISOString() })) },
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
    expect(safety.pageErrors).toEqual([]);
  });
});
