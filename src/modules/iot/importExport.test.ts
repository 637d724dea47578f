import { and, eq, sql } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog } from '../../platform/audit/schema.ts';
import { outboxEvents } from '../../platform/events/schema.ts';
import { XLSX_MIME } from '../../platform/org/exportExcel.ts';
import { createTestApp, type TestApp } from '../../test/app.ts';
import type { IotImportResult } from './importExport.ts';
import { iotDevices, iotGateways, iotPoints } from './schema.ts';
import { seedIot, type IotSeed } from './testSupport.ts';

let t: TestApp;
let s: IotSeed;
let auth: { safety: string; worker: string };

beforeAll(async () => {
  t = await createTestApp({ RATE_LIMIT_PER_MINUTE: '100000' });
  s = await seedIot(t);
  auth = { safety: (await t.login(s.safety.username, s.safety.password)).authorization, worker: (await t.login(s.worker.username, s.worker.password)).authorization };
  await s.as.safety.post('/api/v1/iot/gateways', { code: 'GW-1', name: 'Gateway 1', orgUnitId: s.team.id });
}, 240_000);
afterAll(() => t.close());

interface Problem {
  code: string;
  rowErrors: { sheet: string; row: number; field: string; column: string; message: string }[];
  rowErrorCount: number;
}

async function workbook(devices: string[][], points: string[][], headers = { d: ['设备编码', '设备名称', '型号', '网关编码', '所在区域编码', '离线判定秒数'], p: ['设备编码', '通道标识', '测点编码', '测点名称', '测点类型', '单位', '量程下限', '量程上限', '所在区域编码'] }): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const d = wb.addWorksheet('设备');
  d.addRow(headers.d);
  for (const r of devices) d.addRow(r);
  const p = wb.addWorksheet('测点');
  p.addRow(headers.p);
  for (const r of points) p.addRow(r);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

function multipart(file: Buffer) {
  const boundary = `----safeloop${Math.random().toString(16).slice(2)}`;
  const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="iot.xlsx"\r\nContent-Type: ${XLSX_MIME}\r\n\r\n`);
  return { payload: Buffer.concat([head, file, Buffer.from(`\r\n--${boundary}--\r\n`)]), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

async function upload(file: Buffer, authorization = auth.safety, dryRun = false) {
  const m = multipart(file);
  const res = await t.app.inject({ method: 'POST', url: `/api/v1/iot/import${dryRun ? '?dryRun=true' : ''}`, headers: { authorization, 'accept-language': 'en', ...m.headers }, payload: m.payload });
  return { statusCode: res.statusCode, body: res.json() as IotImportResult & Problem };
}

const counts = () =>
  t.db.read(async (tx) => {
    const n = sql<number>`count(*)::int`;
    return {
      devices: (await tx.select({ n }).from(iotDevices).where(eq(iotDevices.tenantId, s.tenant.id)))[0]!.n,
      points: (await tx.select({ n }).from(iotPoints).where(eq(iotPoints.tenantId, s.tenant.id)))[0]!.n,
      audit: (await tx.select({ n }).from(auditLog).where(eq(auditLog.tenantId, s.tenant.id)))[0]!.n,
      events: (await tx.select({ n }).from(outboxEvents))[0]!.n,
    };
  });

describe('devices and points in Excel', () => {
  it('reports every row error of both sheets and imports nothing when any row is wrong', async () => {
    const area = s.team.code;
    const before = await counts();
    const file = await workbook(
      [
        ['IMP-D1', 'Detector 1', 'GT-100', 'GW-1', area, '120'],
        ['IMP-D2', 'Detector 2', '', 'GW-404', area, '5'],
        ['IMP-D1', 'Twice', '', '', area, ''],
      ],
      [
        ['IMP-D1', 'ch1', 'IMP-P1', 'Gas 1', 'gas_flammable', '', '0', '100', area],
        ['IMP-D1', 'ch1', 'IMP-P2', 'Gas 2', 'gas_flammable', '', '', '', area],
        ['IMP-D9', 'ch1', 'IMP-P3', 'Gas 3', 'plasma', '', '10', '5', 'NO-SUCH-UNIT'],
      ],
    );
    const r = await upload(file);
    expect(r.statusCode).toBe(422);
    expect(r.body.code).toBe('import_failed');
    const where = r.body.rowErrors.map((e) => `${e.sheet}:${e.row}:${e.field}`).sort();
    expect(where).toEqual(['测点:3:key', '测点:4:areaCode', '测点:4:deviceCode', '测点:4:rangeMax', '测点:4:type', '设备:3:gatewayCode', '设备:3:offlineAfterS', '设备:4:code'].sort());
    expect(r.body.rowErrors.find((e) => e.field === 'type')).toMatchObject({ column: '测点类型' });
    expect(await counts()).toEqual(before);
  });

  it('imports a correct file in one go, audited, and keeps existing devices and points on a second import', async () => {
    const area = s.team.code;
    const rows = {
      d: [
        ['IMP-D1', 'Detector 1', 'GT-100', 'GW-1', area, '120'],
        ['IMP-D2', 'Detector 2', '', '', area, ''],
      ],
      p: [
        ['IMP-D1', 'ch1', 'IMP-P1', 'Gas 1', '可燃气体', '', '0', '100', area],
        ['IMP-D1', 'ch2', 'IMP-P2', 'Oxygen 1', 'oxygen', '%VOL', '', '', area],
        ['IMP-D2', 'ch1', 'IMP-P3', 'H2S', 'gas_toxic', '', '', '', area],
      ],
    };
    const file = await workbook(rows.d, rows.p);
    expect((await upload(file, auth.worker)).statusCode).toBe(403);
    const dry = await upload(file, auth.safety, true);
    expect(dry.body).toEqual({ ok: true, dryRun: true, devices: { created: 2, unchanged: 0 }, points: { created: 3, unchanged: 0 } });
    const before = await counts();
    const r = await upload(file);
    expect(r.statusCode).toBe(200);
    expect(r.body).toEqual({ ok: true, dryRun: false, devices: { created: 2, unchanged: 0 }, points: { created: 3, unchanged: 0 } });
    const after = await counts();
    expect(after.devices - before.devices).toBe(2);
    expect(after.points - before.points).toBe(3);
    const [gw] = await t.db.read((tx) => tx.select().from(iotGateways).where(and(eq(iotGateways.tenantId, s.tenant.id), eq(iotGateways.code, 'GW-1'))));
    const [d1] = await t.db.read((tx) => tx.select().from(iotDevices).where(and(eq(iotDevices.tenantId, s.tenant.id), eq(iotDevices.code, 'IMP-D1'))));
    expect(d1).toMatchObject({ name: 'Detector 1', model: 'GT-100', gatewayId: gw!.id, orgUnitId: s.team.id, offlineAfterS: 120, tokenHash: null });
    const pts = await t.db.read((tx) => tx.select().from(iotPoints).where(eq(iotPoints.tenantId, s.tenant.id)));
    expect(pts.find((p) => p.code === 'IMP-P1')).toMatchObject({ deviceId: d1!.id, key: 'ch1', type: 'gas_flammable', unit: '%LEL', rangeMin: 0, rangeMax: 100 });
    expect(pts.find((p) => p.code === 'IMP-P3')).toMatchObject({ type: 'gas_toxic', unit: 'ppm' });
    const actions = await t.db.read((tx) => tx.select({ action: auditLog.action }).from(auditLog).where(eq(auditLog.tenantId, s.tenant.id)));
    expect(actions.filter((a) => a.action === 'iot.device.created')).toHaveLength(2);
    expect(actions.filter((a) => a.action === 'iot.point.created')).toHaveLength(3);
    expect(actions.filter((a) => a.action === 'iot.registry_imported')).toHaveLength(1);

    // Export → import: nothing new, everything matched.
    const exp = await t.app.inject({ method: 'GET', url: '/api/v1/iot/export.xlsx', headers: { authorization: auth.safety } });
    expect(exp.statusCode).toBe(200);
    expect(String(exp.headers['content-type'])).toContain(XLSX_MIME);
    const again = await upload(exp.rawPayload);
    expect(again.statusCode).toBe(200);
    expect(again.body).toMatchObject({ devices: { created: 0, unchanged: 2 }, points: { created: 0, unchanged: 3 } });
    expect((await counts()).points).toBe(after.points);
  });

  it('refuses a point code claimed for another channel, and serves the template with both sheets', async () => {
    const r = await upload(await workbook([], [['IMP-D2', 'ch9', 'IMP-P1', 'Gas 1', 'gas_flammable', '', '', '', s.team.code]]));
    expect(r.statusCode).toBe(422);
    expect(r.body.rowErrors).toEqual([expect.objectContaining({ sheet: '测点', row: 2, field: 'code' })]);
    const tpl = await t.app.inject({ method: 'GET', url: '/api/v1/iot/import-template.xlsx', headers: { authorization: auth.safety, 'accept-language': 'en' } });
    expect(tpl.statusCode).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(tpl.rawPayload as unknown as Parameters<typeof wb.xlsx.load>[0]);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['Devices', 'Points', 'Instructions']);
    expect((wb.worksheets[1]!.getRow(1).values as unknown[]).filter(Boolean)).toEqual(['Device code', 'Channel key', 'Point code', 'Point name', 'Point type', 'Unit', 'Range min', 'Range max', 'Area code']);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/iot/import-template.xlsx', headers: { authorization: auth.worker } })).statusCode).toBe(403);
  });
});
