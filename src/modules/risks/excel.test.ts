import { eq, sql } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog } from '../../platform/audit/schema.ts';
import { XLSX_MIME } from '../../platform/org/exportExcel.ts';
import { orgUnits } from '../../platform/org/schema.ts';
import { createTestApp, type TestApp } from '../../test/app.ts';
import type { RiskImportResult } from './excel.ts';
import { parseFactors } from './excel.ts';
import type { EventListItemT } from './routes.ts';
import { riskAssessments, riskControlMeasures, riskEvents, riskObjects, riskUnits } from './schema.ts';
import { makeRegister, seedRiskCompany, type Client, type ProblemLike, type Register, type Seed } from './testSupport.ts';

let t: TestApp;
let s: Seed;
let a: Register;
let b: Register;

beforeAll(async () => {
  t = await createTestApp({ RATE_LIMIT_PER_MINUTE: '100000' });
  s = await seedRiskCompany(t);
  a = await makeRegister(s);
  b = await makeRegister(s, s.as.safety, { orgUnitId: s.otherWorkshop.id, responsiblePersonId: s.otherHead.person.id });
  await s.as.safety.post(`/api/v1/risks/events/${a.event.id}/assessments`, { methodCode: 'lec', kind: 'inherent', factors: { L: 6, E: 6, C: 15 } });
});
afterAll(() => t.close());

function multipart(file: Buffer) {
  const boundary = `----safeloop${Math.random().toString(16).slice(2)}`;
  const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="risks.xlsx"\r\nContent-Type: ${XLSX_MIME}\r\n\r\n`);
  return { payload: Buffer.concat([head, file, Buffer.from(`\r\n--${boundary}--\r\n`)]), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

const upload = async (file: Buffer, c: Client = s.as.safety, dryRun = false) => {
  const m = multipart(file);
  const res = await t.app.inject({ method: 'POST', url: `/api/v1/risks/import${dryRun ? '?dryRun=true' : ''}`, headers: { authorization: c.authorization, 'accept-language': 'en', ...m.headers }, payload: m.payload });
  return { statusCode: res.statusCode, body: res.json() as RiskImportResult & ProblemLike };
};

const download = async (c: Client = s.as.safety) => {
  const res = await c.get<string>('/api/v1/risks/export.xlsx');
  expect(res.statusCode).toBe(200);
  expect(String(res.headers['content-type'])).toContain(XLSX_MIME);
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(res.raw as unknown as Parameters<typeof wb.xlsx.load>[0]);
  return wb;
};

/** The sheet as header → value records. */
function records(wb: ExcelJS.Workbook): Record<string, string>[] {
  const ws = wb.worksheets[0]!;
  const header = (ws.getRow(1).values as unknown[]).map((v) => String(v ?? ''));
  const out: Record<string, string>[] = [];
  ws.eachRow((row, n) => {
    if (n === 1) return;
    const rec: Record<string, string> = {};
    (row.values as unknown[]).forEach((v, i) => (rec[header[i]!] = v === null || v === undefined ? '' : String(v)));
    out.push(rec);
  });
  return out;
}

const counts = () =>
  t.db.read(async (tx) => {
    const n = async (q: Promise<{ n: number }[]>) => (await q)[0]!.n;
    const count = sql<number>`count(*)::int`;
    return {
      objects: await n(tx.select({ n: count }).from(riskObjects)),
      units: await n(tx.select({ n: count }).from(riskUnits)),
      events: await n(tx.select({ n: count }).from(riskEvents)),
      measures: await n(tx.select({ n: count }).from(riskControlMeasures)),
      assessments: await n(tx.select({ n: count }).from(riskAssessments)),
      audit: await n(tx.select({ n: count }).from(auditLog)),
    };
  });

const unitCode = async (id: string) => (await t.db.read((tx) => tx.select({ code: orgUnits.code }).from(orgUnits).where(eq(orgUnits.id, id))))[0]!.code;

describe('the register in Excel', () => {
  it('exports one row per control measure with the current assessment, and the same file imports back without changes', async () => {
    const wb = await download();
    const rows = records(wb);
    const rowA = rows.find((r) => r['Object code'] === a.object.code)!;
    expect(rowA).toMatchObject({ 'Risk event': a.event.name, Method: 'lec', Factors: 'L=6;E=6;C=15', Score: '540', Level: 'Major', 'Control measure': a.measure.description, 'Cycle unit': 'day', 'Work-day type': 'workdays' });
    expect(rowA['Responsible department code']).toBe(await unitCode(s.workshop.id));
    expect(rows.find((r) => r['Object code'] === b.object.code)?.['Unit owner no']).toBe(s.otherHead.person.employeeNo);

    const before = await counts();
    const again = await upload(Buffer.from(await wb.xlsx.writeBuffer()));
    expect(again.statusCode, JSON.stringify(again.body)).toBe(200);
    expect(again.body).toMatchObject({ ok: true, rows: rows.length, created: { objects: 0, units: 0, events: 0, measures: 0, assessments: 0 }, unchanged: rows.length });
    const after = await counts();
    expect({ ...after, audit: 0 }).toEqual({ ...before, audit: 0 });
  });

  it('imports new rows (creating the event, its measure and its assessment) and exports them again', async () => {
    const wb = await download();
    const ws = wb.worksheets[0]!;
    const template = ws.getRow(2).values as unknown[];
    const header = (ws.getRow(1).values as unknown[]).map((v) => String(v ?? ''));
    const col = (name: string) => header.indexOf(name);
    const fresh = [...template];
    fresh[col('Object code')] = a.object.code;
    fresh[col('Risk unit')] = a.unit.name;
    fresh[col('Risk event')] = '砂轮片破裂飞出伤人';
    fresh[col('Method')] = 'lec';
    fresh[col('Factors')] = 'L=3；E=6；C=7';
    fresh[col('Control measure')] = '砂轮防护罩完好，托架间隙不大于 3 mm';
    fresh[col('Class 1')] = '工程技术';
    fresh[col('Class 2')] = '安全附件';
    fresh[col('Check content')] = '检查防护罩和托架间隙';
    fresh[col('Check cycle')] = '1';
    fresh[col('Cycle unit')] = '周';
    fresh[col('Work-day type')] = '每天';
    ws.addRow(fresh.slice(1));
    const res = await upload(Buffer.from(await wb.xlsx.writeBuffer()));
    expect(res.statusCode, JSON.stringify(res.body)).toBe(200);
    expect(res.body.created).toEqual({ objects: 0, units: 0, events: 1, measures: 1, assessments: 1 });
    const events = (await s.as.safety.get<{ items: EventListItemT[] }>(`/api/v1/risks/events?unitId=${a.unit.id}`)).body.items;
    const created = events.find((e) => e.name === '砂轮片破裂飞出伤人')!;
    expect(created).toMatchObject({ currentScore: 126, currentLevel: 'general', measureCount: 1 });
    const [measure] = await t.db.read((tx) => tx.select().from(riskControlMeasures).where(eq(riskControlMeasures.eventId, created.id)));
    expect(measure).toMatchObject({ classify1: 'engineering', classify2: 'safety_accessory', checkCycleUnit: 'week', workDayType: 'every_day', dataSource: 'import' });
    const exported = records(await download());
    expect(exported.find((r) => r['Risk event'] === '砂轮片破裂飞出伤人')).toMatchObject({ Factors: 'L=3;E=6;C=7', Score: '126', Level: 'General' });
  });

  it('reports every bad row by row and column and writes nothing, not even the good rows', async () => {
    const dept = await unitCode(s.workshop.id);
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('风险分级管控清单');
    ws.addRow(['风险分析对象编码', '风险分析对象', '对象类型', '所属单位编码', '风险分析单元', '责任部门编码', '风险事件', '评价方法', '评价因子', '管控措施', '措施分类1', '隐患排查内容', '排查周期', '周期单位', '工作日类型']);
    ws.addRow(['NEW-1', '新冲压线', '设备设施', dept, '冲压区', dept, '冲压机误动作伤手', 'lec', 'L=3;E=6;C=7', '双手按钮与光电保护有效', '工程技术', '检查光幕', '1', '天', '工作日']);
    ws.addRow(['NEW-1', '新冲压线', '设备设施', dept, '冲压区', dept, '模具崩裂', 'lec', 'L=7;E=6;C=15', '', '', '', '', '', '']);
    ws.addRow(['NEW-1', '新冲压线', '设备设施', dept, '冲压区', 'NO-SUCH-UNIT', '噪声', '', '', '佩戴耳塞', '应急措施', '检查佩戴', '1', '两周', '每天']);
    const before = await counts();
    const res = await upload(Buffer.from(await wb.xlsx.writeBuffer()));
    expect(res.statusCode).toBe(422);
    expect(res.body.code).toBe('import_failed');
    const errs = res.body.rowErrors!.map((e) => [e.row, e.field]);
    expect(errs).toEqual(
      expect.arrayContaining([
        [3, 'factors'],
        [4, 'unitDeptCode'],
        [4, 'checkCycleUnit'],
      ]),
    );
    expect(res.body.rowErrors!.find((e) => e.row === 3)).toMatchObject({ column: '评价因子', sheet: '风险分级管控清单' });
    expect(res.body.rowErrors!.some((e) => e.row === 2)).toBe(false);
    expect(await counts()).toEqual(before);
    const dry = await upload(Buffer.from(await wb.xlsx.writeBuffer()), s.as.safety, true);
    expect(dry.statusCode).toBe(422);
  });

  it('needs risk:write to import and offers a template', async () => {
    const wb = await download();
    const res = await upload(Buffer.from(await wb.xlsx.writeBuffer()), s.as.auditor);
    expect(res.statusCode).toBe(403);
    const tpl = await s.as.safety.get('/api/v1/risks/import-template.xlsx');
    expect(tpl.statusCode).toBe(200);
    const twb = new ExcelJS.Workbook();
    await twb.xlsx.load(tpl.raw as unknown as Parameters<typeof twb.xlsx.load>[0]);
    expect(twb.worksheets.map((w) => w.name)).toEqual(['Risk register', 'Instructions']);
    expect((await s.as.auditor.get('/api/v1/risks/import-template.xlsx')).statusCode).toBe(403);
  });

  it('reads factor lists written in different ways', () => {
    expect(parseFactors('L=6;E=6;C=15')).toEqual({ L: 6, E: 6, C: 15 });
    expect(parseFactors('L＝0.5， E=1 C=3')).toEqual({ L: 0.5, E: 1, C: 3 });
    expect(parseFactors('L6;E=6')).toBeNull();
    expect(parseFactors('')).toBeNull();
  });
});
