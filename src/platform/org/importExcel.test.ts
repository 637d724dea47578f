import { and, eq, inArray, sql } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, seedSmallCompany, type TestApp } from '../../test/app.ts';
import { makeOrgUnit } from '../../test/factories.ts';
import { auditLog } from '../audit/schema.ts';
import { outboxEvents } from '../events/schema.ts';
import { XLSX_MIME } from './exportExcel.ts';
import { zipInflatedSize } from '../excel/read.ts';
import { parseDate } from './importExcel.ts';
import { orgUnits, people, positions } from './schema.ts';

let t: TestApp;
let s: Awaited<ReturnType<typeof seedSmallCompany>>;
let admin: string;
let rootCode: string;
let plantCode: string;
let teamCode: string;
let otherWorkshopCode: string;

beforeAll(async () => {
  t = await createTestApp({ RATE_LIMIT_PER_MINUTE: '100000' });
  s = await seedSmallCompany(t);
  admin = (await t.login(s.admin.username, s.admin.password)).authorization;
  const codes = await t.db.read((tx) => tx.select({ id: orgUnits.id, code: orgUnits.code }).from(orgUnits).where(eq(orgUnits.tenantId, s.tenant.id)));
  const codeOf = (id: string) => codes.find((c) => c.id === id)!.code;
  rootCode = codeOf(s.rootUnitId);
  plantCode = codeOf(s.plant.id);
  teamCode = codeOf(s.team.id);
  otherWorkshopCode = codeOf(s.otherWorkshop.id);
});
afterAll(() => t.close());

const ORG_HEAD = ['编码', '上级编码', '类型', '名称'];
const PEOPLE_HEAD = ['工号', '姓名', '手机', '邮箱', '性别', '部门编码', '岗位', '类型(员工/承包商)', '承包商单位编码', '入职日期'];

async function workbook(org: (string | number)[][] | null, ppl: (string | number | Date)[][] | null, heads = { org: ORG_HEAD, people: PEOPLE_HEAD, names: ['组织架构', '人员'] }) {
  const wb = new ExcelJS.Workbook();
  if (org) {
    const ws = wb.addWorksheet(heads.names[0]);
    ws.addRow(heads.org);
    for (const r of org) ws.addRow(r);
  }
  if (ppl) {
    const ws = wb.addWorksheet(heads.names[1]);
    ws.addRow(heads.people);
    for (const r of ppl) ws.addRow(r);
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}

function multipart(file: Buffer, filename = 'people.xlsx', type = XLSX_MIME) {
  const boundary = `----safeloop${Math.random().toString(16).slice(2)}`;
  const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: ${type}\r\n\r\n`);
  return { payload: Buffer.concat([head, file, Buffer.from(`\r\n--${boundary}--\r\n`)]), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

const upload = (file: Buffer, opts: { dryRun?: boolean; auth?: string; filename?: string; type?: string } = {}) => {
  const m = multipart(file, opts.filename, opts.type);
  return t.app.inject({
    method: 'POST',
    url: `/api/v1/import/people${opts.dryRun ? '?dryRun=true' : ''}`,
    headers: { authorization: opts.auth ?? admin, ...m.headers },
    payload: m.payload,
  });
};

/** Row counts that an import may touch: the "nothing was written" fingerprint. */
async function counts() {
  return t.db.read(async (tx) => {
    const n = async (table: typeof people | typeof orgUnits | typeof positions | typeof auditLog | typeof outboxEvents) =>
      (await tx.select({ n: sql<number>`count(*)::int` }).from(table))[0]!.n;
    return { people: await n(people), orgUnits: await n(orgUnits), positions: await n(positions), audit: await n(auditLog), events: await n(outboxEvents) };
  });
}

const peopleByNo = (nos: string[]) =>
  t.db.read((tx) => tx.select().from(people).where(and(eq(people.tenantId, s.tenant.id), inArray(people.employeeNo, nos))));
const unitByCode = async (code: string) =>
  t.db.read(async (tx) => (await tx.select().from(orgUnits).where(and(eq(orgUnits.tenantId, s.tenant.id), eq(orgUnits.code, code))))[0]);

describe('Excel template', () => {
  it('downloads a template with the two sheets, Chinese headers and instructions', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/import/people-template.xlsx', headers: { authorization: admin } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain(XLSX_MIME);
    expect(String(res.headers['content-disposition'])).toMatch(/attachment; filename=".*\.xlsx"; filename\*=UTF-8''/);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.rawPayload as unknown as Parameters<typeof wb.xlsx.load>[0]);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['组织架构', '人员', '说明']);
    const header = (name: string) => (wb.getWorksheet(name)!.getRow(1).values as unknown[]).slice(1);
    expect(header('组织架构')).toEqual(ORG_HEAD);
    expect(header('人员')).toEqual(PEOPLE_HEAD);
    expect(wb.getWorksheet('说明')!.actualRowCount).toBeGreaterThan(3);
  });

  it('writes English headers for an English caller', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/import/people-template.xlsx', headers: { authorization: admin, 'accept-language': 'en' } });
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.rawPayload as unknown as Parameters<typeof wb.xlsx.load>[0]);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['Org units', 'People', 'Instructions']);
  });

  it('returns 403 on import and template when the actor lacks people:import', async () => {
    const head = (await t.login(s.head.username, s.head.password)).authorization;
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/import/people-template.xlsx', headers: { authorization: head } })).statusCode).toBe(403);
    const res = await upload(await workbook(null, [['X1', 'x', '', '', '', teamCode, '', '员工', '', '']]), { auth: head });
    expect(res.statusCode).toBe(403);
  });
});

describe('Excel import', () => {
  it('imports units (in any row order) and people, creating unknown positions, in one go', async () => {
    const before = await counts();
    const file = await workbook(
      [
        // The team comes before its workshop: order in the file does not matter.
        ['IMP-T1', 'IMP-WS', '班组', '一班'],
        ['IMP-WS', plantCode, '车间', '焊接车间'],
        ['IMP-CTR', '', '承包商', '华安建设'],
      ],
      [
        ['IMP-001', '李四', '13900139000', 'li@example.com', '男', 'IMP-T1', '焊工', '员工', '', '2023-05-06'],
        ['IMP-002', '王五', 13700137000, '', '女', 'IMP-WS', '焊工', '员工', '', new Date(Date.UTC(2022, 0, 15))],
        ['IMP-003', '赵六', '', '', '', teamCode, '', '', '', '2021/7/1'],
        ['IMP-004', 'Contractor Joe', '', '', 'male', '', '架子工', '承包商', 'IMP-CTR', ''],
      ],
    );
    const res = await upload(file);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({
      ok: true,
      dryRun: false,
      created: { orgUnits: 3, positions: 2, people: 4 },
      updated: { orgUnits: 0, positions: 0, people: 0 },
      unchanged: { orgUnits: 0, positions: 0, people: 0 },
    });
    const ws = (await unitByCode('IMP-WS'))!;
    const t1 = (await unitByCode('IMP-T1'))!;
    const ctr = (await unitByCode('IMP-CTR'))!;
    expect(ws).toMatchObject({ kind: 'workshop', parentId: s.plant.id, path: `${s.plant.path}${ws.id}/`, depth: s.plant.depth + 1 });
    expect(t1).toMatchObject({ kind: 'team', parentId: ws.id, path: `${ws.path}${t1.id}/` });
    expect(ctr).toMatchObject({ kind: 'contractor', parentId: s.rootUnitId, depth: 1 });
    const rows = await peopleByNo(['IMP-001', 'IMP-002', 'IMP-003', 'IMP-004']);
    const byNo = new Map(rows.map((p) => [p.employeeNo, p]));
    expect(byNo.get('IMP-001')).toMatchObject({ name: '李四', phone: '13900139000', gender: 'male', orgUnitId: t1.id, hireDate: '2023-05-06', kind: 'employee' });
    expect(byNo.get('IMP-002')).toMatchObject({ phone: '13700137000', gender: 'female', orgUnitId: ws.id, hireDate: '2022-01-15' });
    expect(byNo.get('IMP-003')).toMatchObject({ orgUnitId: s.team.id, hireDate: '2021-07-01', positionId: null });
    expect(byNo.get('IMP-004')).toMatchObject({ kind: 'contractor', contractorUnitId: ctr.id, orgUnitId: ctr.id });
    expect(byNo.get('IMP-001')!.positionId).toBe(byNo.get('IMP-002')!.positionId);
    const after = await counts();
    expect(after.people - before.people).toBe(4);
    expect(after.positions - before.positions).toBe(2);
    // One audit entry for the whole import; one event per created record plus the summary.
    expect(after.audit - before.audit).toBe(1);
    const [entry] = await t.db.read((tx) => tx.select().from(auditLog).where(eq(auditLog.action, 'people.imported')));
    expect(entry!.after).toMatchObject({ created: { people: 4, orgUnits: 3 }, people: expect.arrayContaining(['IMP-001', 'IMP-004']) });
    const events = await t.db.read((tx) => tx.select({ type: outboxEvents.type }).from(outboxEvents).where(eq(outboxEvents.tenantId, s.tenant.id)));
    expect(events.filter((e) => e.type === 'person.created')).toHaveLength(4);
    expect(events.filter((e) => e.type === 'people.imported')).toHaveLength(1);
  });

  it('reports every bad row (sheet, row, field) with 422 and writes nothing', async () => {
    const before = await counts();
    const file = await workbook(
      [['BAD-WS', plantCode, '车间', 'Fine workshop']],
      [
        ['OK-1', 'Fine', '', '', '', 'BAD-WS', '', '员工', '', ''],
        ['BAD-1', 'Bad phone', '12345', '', '', teamCode, '', '员工', '', ''],
        ['OK-2', 'Fine too', '13800000001', '', '', teamCode, '', '员工', '', ''],
        ['BAD-2', 'Unknown unit', '', '', '', 'NO-SUCH-UNIT', '', '员工', '', ''],
        ['BAD-3', 'Contractor without unit', '', '', '', '', '', '承包商', '', ''],
      ],
    );
    const res = await upload(file);
    expect(res.statusCode).toBe(422);
    const body = res.json();
    expect(body.code).toBe('import_failed');
    expect(body.rowErrors.map((e: Record<string, unknown>) => [e.sheet, e.row, e.field])).toEqual([
      ['人员', 3, 'phone'],
      ['人员', 5, 'orgUnitCode'],
      ['人员', 6, 'contractorUnitCode'],
    ]);
    expect(body.rowErrors[0].message).toMatch(/^手机: /);
    expect(await counts()).toEqual(before);
    expect(await unitByCode('BAD-WS')).toBeUndefined();
  });

  it('finds org sheet problems too: duplicates, bad kinds, wrong placement, cycles, unknown parents', async () => {
    const before = await counts();
    const res = await upload(
      await workbook(
        [
          ['CYC-A', 'CYC-B', '部门', 'A'],
          ['CYC-B', 'CYC-A', '部门', 'B'],
          ['DUP', plantCode, '车间', 'one'],
          ['DUP', plantCode, '车间', 'two'],
          ['KIND', plantCode, '工段', 'bad kind'],
          ['PLACE', plantCode, '班组', 'team under plant'],
          ['ORPHAN', 'NOWHERE', '部门', 'unknown parent'],
        ],
        null,
      ),
    );
    expect(res.statusCode).toBe(422);
    const got = res.json().rowErrors.map((e: Record<string, unknown>) => `${e.row}:${e.field}`);
    expect(got).toEqual(expect.arrayContaining(['2:parentCode', '3:parentCode', '5:code', '6:kind', '7:parentCode', '8:parentCode']));
    expect(await counts()).toEqual(before);
  });

  it('validates without writing on dryRun=true', async () => {
    const before = await counts();
    const res = await upload(await workbook([['DRY-WS', plantCode, 'workshop', 'Dry']], [['DRY-1', 'Dry run', '', '', '', 'DRY-WS', 'Painter', 'employee', '', '']]), { dryRun: true });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ ok: true, dryRun: true, created: { orgUnits: 1, positions: 1, people: 1 } });
    expect(await counts()).toEqual(before);
  });

  it('accepts English sheet names and headers', async () => {
    const res = await upload(
      await workbook(null, [['EN-1', 'English', '13600136000', '', 'female', teamCode, '', 'employee', '', '2020-01-01']], {
        org: ORG_HEAD,
        people: ['Employee no', 'Name', 'Mobile', 'Email', 'Gender', 'Unit code', 'Position', 'Kind', 'Contractor unit code', 'Hire date'],
        names: ['Org units', 'People'],
      }),
    );
    expect(res.statusCode, res.body).toBe(200);
    expect((await peopleByNo(['EN-1']))[0]).toMatchObject({ gender: 'female', orgUnitId: s.team.id });
  });

  it('updates by code and employee number, moving a unit with its people re-pathed', async () => {
    const res = await upload(
      await workbook(
        [['IMP-T1', otherWorkshopCode, '班组', '一班（已调整）']],
        [['IMP-001', '李四', '13900139001', 'li@example.com', '男', 'IMP-T1', '焊工', '员工', '', '2023-05-06']],
      ),
    );
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ created: { orgUnits: 0, people: 0, positions: 0 }, updated: { orgUnits: 1, people: 1 } });
    const t1 = (await unitByCode('IMP-T1'))!;
    expect(t1).toMatchObject({ parentId: s.otherWorkshop.id, path: `${s.otherWorkshop.path}${t1.id}/`, name: '一班（已调整）', version: 2 });
    expect((await peopleByNo(['IMP-001']))[0]).toMatchObject({ phone: '13900139001', version: 2, orgUnitId: t1.id });
  });

  it('round-trips: an exported file imports back unchanged, and an edited cell updates just that person', async () => {
    const exported = await t.app.inject({ method: 'GET', url: '/api/v1/people/export.xlsx', headers: { authorization: admin } });
    expect(exported.statusCode).toBe(200);
    expect(exported.headers['content-type']).toContain(XLSX_MIME);
    const file = exported.rawPayload;
    const total = (await t.db.read((tx) => tx.select({ n: sql<number>`count(*)::int` }).from(people).where(eq(people.tenantId, s.tenant.id))))[0]!.n;
    const unitsTotal = (await t.db.read((tx) => tx.select({ n: sql<number>`count(*)::int` }).from(orgUnits).where(eq(orgUnits.tenantId, s.tenant.id))))[0]!.n;
    const before = await counts();
    const again = await upload(file);
    expect(again.statusCode, again.body).toBe(200);
    expect(again.json()).toMatchObject({
      created: { orgUnits: 0, positions: 0, people: 0 },
      updated: { orgUnits: 0, positions: 0, people: 0 },
      unchanged: { people: total, orgUnits: unitsTotal },
    });
    expect((await counts()).people).toBe(before.people);

    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(file as unknown as Parameters<typeof wb.xlsx.load>[0]);
    const ws = wb.getWorksheet('人员')!;
    let edited = 0;
    ws.eachRow((row, n) => {
      if (n > 1 && row.getCell(1).value === 'IMP-003') {
        row.getCell(3).value = '13512345678';
        edited = n;
      }
    });
    expect(edited).toBeGreaterThan(1);
    const res = await upload(Buffer.from(await wb.xlsx.writeBuffer()));
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ updated: { people: 1 }, unchanged: { people: total - 1 } });
    expect((await peopleByNo(['IMP-003']))[0]!.phone).toBe('13512345678');
  });

  it('exports only the people in the caller’s data scope', async () => {
    const head = (await t.login(s.head.username, s.head.password)).authorization;
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/people/export.xlsx', headers: { authorization: head } });
    expect(res.statusCode).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.rawPayload as unknown as Parameters<typeof wb.xlsx.load>[0]);
    const nos: string[] = [];
    wb.getWorksheet('人员')!.eachRow((row, n) => {
      if (n > 1) nos.push(String(row.getCell(1).value));
    });
    expect(nos).toContain(s.head.person.employeeNo);
    expect(nos).not.toContain(s.admin.person.employeeNo);
    expect(nos).not.toContain('IMP-002');
  });

  it('refuses non-xlsx content with 415, an oversized file with 413 and a missing file with 400', async () => {
    const before = await counts();
    const text = await upload(Buffer.from('工号,姓名\nE1,张三\n'), { filename: 'people.csv', type: 'text/csv' });
    expect(text.statusCode).toBe(415);
    expect(text.json().code).toBe('unsupported_media_type');
    const fakeZip = await upload(Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(100)]));
    expect(fakeZip.statusCode).toBe(415);
    const big = await upload(Buffer.alloc(5 * 1024 * 1024 + 10, 1));
    expect(big.statusCode).toBe(413);
    const json = await t.app.inject({ method: 'POST', url: '/api/v1/import/people', headers: { authorization: admin }, payload: { file: 'x' } });
    expect(json.statusCode).toBe(415);
    const boundary = '----nofile';
    const noFile = await t.app.inject({
      method: 'POST',
      url: '/api/v1/import/people',
      headers: { authorization: admin, 'content-type': `multipart/form-data; boundary=${boundary}` },
      payload: `--${boundary}\r\nContent-Disposition: form-data; name="note"\r\n\r\nhello\r\n--${boundary}--\r\n`,
    });
    expect(noFile.statusCode).toBe(400);
    expect(noFile.json().errors[0].field).toBe('file');
    expect(await counts()).toEqual(before);
  });

  it('imports 500 people in one transaction with one audit entry', async () => {
    const before = await counts();
    const rows = Array.from({ length: 500 }, (_, i) => [`BULK-${String(i).padStart(4, '0')}`, `工人${i}`, `139${String(i).padStart(8, '0')}`, '', i % 2 ? '男' : '女', teamCode, i % 3 ? '操作工' : '', '员工', '', '2024-01-02']);
    const res = await upload(await workbook(null, rows));
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().created.people).toBe(500);
    const after = await counts();
    expect(after.people - before.people).toBe(500);
    expect(after.audit - before.audit).toBe(1);
    expect(after.events - before.events).toBe(501);
  });
});

describe('import helpers', () => {
  it('parses the date spellings people type', () => {
    expect(parseDate('2024-3-5')).toBe('2024-03-05');
    expect(parseDate('2024/03/05')).toBe('2024-03-05');
    expect(parseDate('2024年3月5日')).toBe('2024-03-05');
    expect(parseDate('45356')).toBe('2024-03-05');
    expect(parseDate('')).toBeNull();
    expect(parseDate('soon')).toBe('soon');
  });

  it('reads the declared inflated size of a zip and rejects non-zips', async () => {
    const file = await workbook([['A', '', '厂区', 'x']], null);
    expect(zipInflatedSize(file)).toBeGreaterThan(file.length);
    expect(zipInflatedSize(Buffer.from('not a zip at all, just text'))).toBeNull();
  });

  it('accepts the company row of an export, renaming only, and refuses giving it a parent', async () => {
    const extra = await makeOrgUnit(t.db, s.tenant.id, s.rootUnitId, 'plant');
    const renamed = await upload(await workbook([[rootCode, '', '公司', 'Renamed Co']], null));
    expect(renamed.statusCode, renamed.body).toBe(200);
    expect(renamed.json().updated.orgUnits).toBe(1);
    expect((await unitByCode(rootCode))!.name).toBe('Renamed Co');
    const moved = await upload(await workbook([[rootCode, extra.code, '公司', 'Renamed Co']], null));
    expect(moved.statusCode).toBe(422);
    expect(moved.json().rowErrors[0]).toMatchObject({ row: 2, field: 'parentCode' });
  });
});
