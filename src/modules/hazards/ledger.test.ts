import { and, eq, like, sql } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog } from '../../platform/audit/schema.ts';
import { outboxEvents } from '../../platform/events/schema.ts';
import { runDueJobs } from '../../platform/jobs/runner.ts';
import { jobs } from '../../platform/jobs/schema.ts';
import { XLSX_MIME } from '../../platform/org/exportExcel.ts';
import { orgUnits } from '../../platform/org/schema.ts';
import { createTestApp, type TestApp } from '../../test/app.ts';
import type { HazardImportResult } from './excel.ts';
import type { Figures } from './figures.ts';
import type { HazardListItem } from './ledger.ts';
import { hazards } from './schema.ts';
import { HOUR, makeFile, seedHazardCompany, type Client, type Seed } from './testSupport.ts';

let t: TestApp;
let s: Seed;
let photo: string;
let T0: Date;
/** H1–H4 in Assembly's Team A, H5 in Paint. */
const H: Record<string, { id: string; number: string; version: number }> = {};

type Page = { items: HazardListItem[]; nextCursor: string | null };

async function at(hours: number) {
  t.clock.now = new Date(T0.getTime() + hours * HOUR);
}
const v = async (key: string) => (await t.db.read((tx) => tx.select({ version: hazards.version }).from(hazards).where(eq(hazards.id, H[key]!.id))))[0]!.version;
const step = async (c: Client, key: string, path: string, body: Record<string, unknown> = {}) => {
  const res = await c.post(`/api/v1/hazards/${H[key]!.id}/${path}`, { ...body, version: await v(key) });
  expect(res.statusCode, `${key} ${path}: ${JSON.stringify(res.body).slice(0, 300)}`).toBe(200);
  return res.body;
};

/**
 * A known data set, every step at a known hour after T0:
 *   H1 accept 1 h, submit 5 h, pass 5 h                → closed on time, respond 1 h, close 5 h
 *   H2 respond deadline missed (2 h), accept 3 h, submit 30 h (deadline 24 h), pass 30 h → closed late
 *   H3 accept 2 h, submit 4 h, fail 5 h, submit 6 h, pass 6 h → closed on time after one rework
 *   H4 rejected by the assignee at 1 h
 *   H5 (Paint) never answered: open and overdue since 2 h
 */
beforeAll(async () => {
  t = await createTestApp({ RATE_LIMIT_PER_MINUTE: '100000' });
  s = await seedHazardCompany(t);
  photo = await makeFile(t, s.tenant.id);
  T0 = new Date(t.clock.now.getTime());
  const cats = { H1: 'safety', H2: 'process', H3: 'electrical', H4: 'fire' } as const;
  for (const [key, category] of Object.entries(cats)) {
    const r = await s.as.worker.post('/api/v1/hazards', { title: `Ledger ${key} hazard`, category, level: 'general', orgUnitId: s.team.id, photoIds: [photo] });
    H[key] = r.body;
  }
  H.H5 = (await s.as.otherWorker.post('/api/v1/hazards', { title: 'Ledger H5 hazard', category: 'other', level: 'general', orgUnitId: s.otherTeam.id, photoIds: [photo] })).body;
  await at(1);
  await step(s.as.leader, 'H1', 'accept');
  await step(s.as.leader, 'H4', 'reject', { reason: 'Not a hazard: the cover is a design feature' });
  await at(2);
  await step(s.as.leader, 'H3', 'accept');
  await runDueJobs(t.db, { now: () => t.clock.now, instanceId: 'ledger' });
  await at(3);
  await step(s.as.leader, 'H2', 'accept');
  await at(4);
  await step(s.as.leader, 'H3', 'submit', { afterPhotoIds: [photo] });
  await at(5);
  await step(s.as.leader, 'H1', 'submit', { afterPhotoIds: [photo] });
  await step(s.as.head, 'H1', 'pass');
  await step(s.as.head, 'H3', 'fail', { reason: 'Cable still exposed' });
  await at(6);
  await step(s.as.leader, 'H3', 'submit', { afterPhotoIds: [photo] });
  await step(s.as.head, 'H3', 'pass');
  await at(30);
  await step(s.as.leader, 'H2', 'submit', { afterPhotoIds: [photo] });
  await step(s.as.head, 'H2', 'pass');
}, 120_000);
afterAll(() => t.close());

const ids = (p: Page) => p.items.map((i) => i.id);
const keysOf = (p: Page) => p.items.map((i) => Object.entries(H).find(([, h]) => h.id === i.id)?.[0] ?? i.id);

describe('ledger list', () => {
  it('filters by status, level, category, area subtree, department, assignee, overdue, text and dates', async () => {
    const q = async (query: string, c: Client = s.as.safety) => {
      const res = await c.get<Page>(`/api/v1/hazards?sort=reported_asc&limit=200&${query}`);
      expect(res.statusCode, query).toBe(200);
      return keysOf(res.body);
    };
    expect(await q('')).toEqual(['H1', 'H2', 'H3', 'H4', 'H5']);
    expect(await q('status=closed')).toEqual(['H1', 'H2', 'H3']);
    expect(await q('status=closed&status=rejected')).toEqual(['H1', 'H2', 'H3', 'H4']);
    expect(await q('category=electrical&category=fire')).toEqual(['H3', 'H4']);
    expect(await q('level=major')).toEqual([]);
    expect(await q(`areaUnitId=${s.workshop.id}`)).toEqual(['H1', 'H2', 'H3', 'H4']);
    expect(await q(`areaUnitId=${s.plant.id}`)).toEqual(['H1', 'H2', 'H3', 'H4', 'H5']);
    expect(await q(`departmentId=${s.otherWorkshop.id}`)).toEqual(['H5']);
    expect(await q(`assigneeUserId=${s.otherLeader.user.id}`)).toEqual(['H5']);
    expect(await q(`reporterUserId=${s.otherWorker.user.id}`)).toEqual(['H5']);
    expect(await q('overdue=true')).toEqual(['H5']);
    expect(await q(`q=${H.H3!.number}`)).toEqual(['H3']);
    expect(await q('q=ledger%20h2')).toEqual(['H2']);
    expect(await q('q=100%25')).toEqual([]);
    expect(await q(`from=${new Date(T0.getTime() - HOUR).toISOString()}&to=${new Date(T0.getTime() + HOUR).toISOString()}`)).toEqual(['H1', 'H2', 'H3', 'H4', 'H5']);
    expect(await q(`from=${new Date(T0.getTime() + HOUR).toISOString()}`)).toEqual([]);
    expect(await q('to=2001-01-01')).toEqual([]);
    expect(await q('mine=assigned', s.as.otherLeader)).toEqual(['H5']);
    expect(await q('mine=assigned', s.as.leader)).toEqual([]);
    expect(await q('mine=reported', s.as.worker)).toEqual(['H1', 'H2', 'H3', 'H4']);
    // Data scope applies to every filter: the Assembly head never sees Paint's H5.
    expect(await q('', s.as.head)).toEqual(['H1', 'H2', 'H3', 'H4']);
    expect(await q('overdue=true', s.as.head)).toEqual([]);
    expect((await s.as.safety.get('/api/v1/hazards?from=yesterday')).statusCode).toBe(400);
  });

  it('pages with a cursor in a stable order and refuses a forged cursor', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: { body: Page } = await s.as.safety.get<Page>(`/api/v1/hazards?sort=reported_asc&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...ids(res.body));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(['H1', 'H2', 'H3', 'H4', 'H5'].map((k) => H[k]!.id));
    const desc = await s.as.safety.get<Page>('/api/v1/hazards?limit=200');
    expect(ids(desc.body)).toEqual([...seen].reverse());
    const byNumber = await s.as.safety.get<Page>('/api/v1/hazards?sort=number_desc&limit=3');
    const next = await s.as.safety.get<Page>(`/api/v1/hazards?sort=number_desc&limit=3&cursor=${byNumber.body.nextCursor}`);
    expect([...byNumber.body.items, ...next.body.items].map((i) => i.number)).toEqual(['H5', 'H4', 'H3', 'H2', 'H1'].map((k) => H[k]!.number));
    const forged = Buffer.from(JSON.stringify({ k: "'; DROP TABLE hazards; --", id: 'x' })).toString('base64url');
    expect((await s.as.safety.get(`/api/v1/hazards?cursor=${forged}`)).statusCode).toBe(400);
    expect((await s.as.safety.get('/api/v1/hazards?cursor=garbage')).statusCode).toBe(400);
  });
});

describe('figures', () => {
  const period = () => `from=${new Date(T0.getTime() - HOUR).toISOString()}&to=${new Date(T0.getTime() + 72 * HOUR).toISOString()}`;

  it('counts open/overdue, the on-time rate, mean hours to respond and close, and the rework rate per department', async () => {
    const res = await s.as.safety.get<Figures>(`/api/v1/hazards/figures?groupBy=department&${period()}`);
    expect(res.statusCode).toBe(200);
    const assembly = res.body.groups.find((g) => g.key === s.workshop.id);
    expect(assembly).toEqual({
      key: s.workshop.id,
      label: 'Assembly',
      reported: 4,
      open: 0,
      overdue: 0,
      closed: 3,
      rejected: 1,
      onTimeRate: 0.6667,
      meanHoursToRespond: 1.75,
      meanHoursToClose: 13.67,
      reworkRate: 0.3333,
    });
    expect(res.body.groups.find((g) => g.key === s.otherWorkshop.id)).toEqual({
      key: s.otherWorkshop.id,
      label: 'Paint',
      reported: 1,
      open: 1,
      overdue: 1,
      closed: 0,
      rejected: 0,
      onTimeRate: null,
      meanHoursToRespond: null,
      meanHoursToClose: null,
      reworkRate: null,
    });
    expect(res.body.total).toMatchObject({ key: null, reported: 5, open: 1, overdue: 1, closed: 3, rejected: 1, onTimeRate: 0.6667, meanHoursToRespond: 1.75, meanHoursToClose: 13.67, reworkRate: 0.3333 });
  });

  it('groups by month in the company’s time zone and respects data scope', async () => {
    const p = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit' }).formatToParts(T0);
    const month = `${p.find((x) => x.type === 'year')!.value}-${p.find((x) => x.type === 'month')!.value}`;
    const res = await s.as.safety.get<Figures>(`/api/v1/hazards/figures?groupBy=month&${period()}`);
    expect(res.body.groups.map((g) => [g.key, g.reported, g.closed])).toEqual([[month, 5, 3]]);
    const head = await s.as.head.get<Figures>(`/api/v1/hazards/figures?${period()}`);
    expect(head.body.total).toMatchObject({ reported: 4, open: 0, overdue: 0 });
    expect(head.body.groups.map((g) => g.key)).toEqual([s.workshop.id]);
    const empty = await s.as.safety.get<Figures>('/api/v1/hazards/figures?from=2001-01-01&to=2001-01-31');
    expect(empty.body.total).toMatchObject({ reported: 0, onTimeRate: null, meanHoursToClose: null });
    expect((await s.as.safety.get('/api/v1/hazards/figures?groupBy=weekday')).statusCode).toBe(400);
  });
});

describe('Excel export', () => {
  async function sheetOf(raw: Buffer) {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(raw as unknown as Parameters<typeof wb.xlsx.load>[0]);
    const ws = wb.worksheets[0]!;
    const rows: string[][] = [];
    ws.eachRow((r) => rows.push((r.values as unknown[]).slice(1).map((x) => (x === null || x === undefined ? '' : String(x)))));
    return { name: ws.name, rows };
  }

  it('streams the filtered ledger the actor may see, one row per hazard', async () => {
    const res = await s.as.safety.get(`/api/v1/hazards/export.xlsx?status=closed`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain(XLSX_MIME);
    expect(String(res.headers['content-disposition'])).toMatch(/^attachment; filename="hazards-\d{4}-\d{2}-\d{2}\.xlsx"/);
    const { name, rows } = await sheetOf(res.raw);
    expect(name).toBe('Hazards');
    const head = rows[0]!;
    expect(head.slice(0, 8)).toEqual(['Number', 'Title', 'Description', 'Category', 'Level', 'Source', 'Status', 'Area code']);
    const col = (h: string) => head.indexOf(h);
    expect(rows.slice(1).map((r) => r[col('Number')])).toEqual(['H3', 'H2', 'H1'].map((k) => H[k]!.number).sort().reverse());
    const h2 = rows.find((r) => r[col('Number')] === H.H2!.number)!;
    expect(h2[col('Status')]).toBe('Closed');
    expect(h2[col('Category')]).toBe('Process');
    expect(h2[col('Fixed on time')]).toBe('no');
    expect(h2[col('Response overdue')]).toBe('yes');
    expect(h2[col('Assignee no')]).toBe(s.leader.person.employeeNo);
    expect(h2[col('Reporter no')]).toBe(s.worker.person.employeeNo);

    const scoped = await sheetOf((await s.as.head.get('/api/v1/hazards/export.xlsx')).raw);
    expect(scoped.rows).toHaveLength(5);
    expect((await s.as.worker.get('/api/v1/hazards/export.xlsx')).statusCode).toBe(403);
    const zh = await sheetOf((await s.as.safety.get('/api/v1/hazards/export.xlsx', { 'accept-language': 'zh-CN' })).raw);
    expect(zh.name).toBe('隐患台账');
    expect(zh.rows[0]!.slice(0, 2)).toEqual(['隐患编号', '隐患名称']);
    expect((await s.as.safety.get('/api/v1/hazards/export.xlsx?from=yesterday')).statusCode).toBe(400);
  });
});

describe('Excel import of historical hazards', () => {
  const HEAD = ['隐患编号', '隐患名称', '隐患类别', '隐患级别', '状态', '区域编码', '上报时间', '上报人工号', '整改责任人工号', '整改期限', '整改措施', '整改资金(元)', '关闭时间', '验收人工号', '驳回原因'];

  async function book(rows: (string | number | Date)[][]) {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('隐患台账');
    ws.addRow(HEAD);
    for (const r of rows) ws.addRow(r);
    return Buffer.from(await wb.xlsx.writeBuffer());
  }

  function multipart(file: Buffer) {
    const boundary = `----safeloop${Math.random().toString(16).slice(2)}`;
    const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="hazards.xlsx"\r\nContent-Type: ${XLSX_MIME}\r\n\r\n`);
    return { payload: Buffer.concat([head, file, Buffer.from(`\r\n--${boundary}--\r\n`)]), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
  }

  const upload = async (file: Buffer, c: Client = s.as.safety, dryRun = false) => {
    const m = multipart(file);
    const res = await t.app.inject({ method: 'POST', url: `/api/v1/hazards/import${dryRun ? '?dryRun=true' : ''}`, headers: { authorization: c.authorization, ...m.headers }, payload: m.payload });
    return { statusCode: res.statusCode, body: res.json() as HazardImportResult & { code?: string; rowErrors?: { row: number; field: string; message: string }[]; rowErrorCount?: number } };
  };

  const counts = () =>
    t.db.read(async (tx) => {
      const n = async (q: Promise<{ n: number }[]>) => (await q)[0]!.n;
      return {
        hazards: await n(tx.select({ n: sql<number>`count(*)::int` }).from(hazards)),
        audit: await n(tx.select({ n: sql<number>`count(*)::int` }).from(auditLog)),
        events: await n(tx.select({ n: sql<number>`count(*)::int` }).from(outboxEvents)),
        jobs: await n(tx.select({ n: sql<number>`count(*)::int` }).from(jobs)),
      };
    });

  it('rejects a file with bad rows with a row-by-row report and writes nothing; a good file is imported whole', async () => {
    const [team] = await t.db.read((tx) => tx.select({ code: orgUnits.code }).from(orgUnits).where(eq(orgUnits.id, s.team.id)));
    const leaderNo = s.leader.person.employeeNo;
    const headNo = s.head.person.employeeNo;
    const future = new Date(t.clock.now.getTime() + 10 * 24 * HOUR);
    const futureText = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(future);
    const good: (string | number)[][] = [
      ['YH-2020-000007', 'Old guard rail', '安全', '一般', '已关闭', team!.code, '2020-03-05 09:30', '', leaderNo, '2020-03-07', 'Rail welded', '1,200', '2020-03-06', headNo, ''],
      ['', 'Tank level alarm broken', 'instrument', 'major', '整改中', team!.code, '2020-04-01', '', leaderNo, futureText, '', '', '', '', ''],
      ['', 'Not a hazard', '其他', '一般', 'rejected', team!.code, '2020/5/1', '', '', '', '', '', '', '', 'Duplicate of a paper record'],
    ];
    const bad = [
      ...good,
      ['YH-2020-000007', '', 'bogus', '超大', '已上报', 'NOPE', '2020-02-30', 'E-404', '', '', '', '-5', '', '', ''],
      ['', 'Closed without a date', '消防', '一般', '已关闭', team!.code, '2020-03-05', '', '', '', '', '', '', '', ''],
    ];
    const before = await counts();
    const refused = await upload(await book(bad));
    expect(refused.statusCode).toBe(422);
    expect(refused.body.code).toBe('import_failed');
    const errs = refused.body.rowErrors!.map((e) => `${e.row}:${e.field}`);
    expect(errs).toEqual(['5:number', '5:title', '5:category', '5:level', '5:status', '5:areaCode', '5:reportedAt', '5:reporterNo', '5:fundsYuan', '6:closedAt']);
    expect(refused.body.rowErrorCount).toBe(10);
    expect(await counts()).toEqual(before);
    expect((await upload(await book(good), s.as.head)).statusCode).toBe(403);

    const dry = await upload(await book(good), s.as.safety, true);
    expect(dry.body).toMatchObject({ ok: true, dryRun: true, created: 3 });
    expect(await counts()).toEqual(before);

    const done = await upload(await book(good));
    expect(done.statusCode).toBe(200);
    expect(done.body).toMatchObject({ ok: true, dryRun: false, created: 3 });
    expect(done.body.numbers[0]).toBe('YH-2020-000007');
    // Generated numbers continue after the explicit one in the same year.
    expect(done.body.numbers.slice(1)).toEqual(['YH-2020-000008', 'YH-2020-000009']);
    const rows = await t.db.read((tx) => tx.select().from(hazards).where(and(eq(hazards.tenantId, s.tenant.id), like(hazards.number, 'YH-2020-%'))));
    const old = rows.find((r) => r.number === 'YH-2020-000007')!;
    expect(old).toMatchObject({ status: 'closed', origin: 'import', category: 'safety', closedOnTime: true, assigneeUserId: s.leader.user.id, closedBy: s.head.user.id });
    expect(old.plan).toMatchObject({ measures: 'Rail welded', fundsYuan: 1200 });
    expect(old.reportedAt.toISOString()).toBe('2020-03-05T01:30:00.000Z');
    const open = rows.find((r) => r.title === 'Tank level alarm broken')!;
    expect(open).toMatchObject({ status: 'rectifying', level: 'major', reportToAuthority: true });
    const timers = await t.db.read((tx) => tx.select({ key: jobs.dedupeKey }).from(jobs).where(and(like(jobs.dedupeKey, `hazard:${open.id}:%`), eq(jobs.status, 'pending'))));
    expect(timers.map((j) => j.key).sort()).toEqual([`hazard:${open.id}:rectify:breach`, `hazard:${open.id}:rectify:escalate`, `hazard:${open.id}:rectify:remind`]);
    expect(rows.find((r) => r.title === 'Not a hazard')).toMatchObject({ status: 'rejected', rejectReason: 'Duplicate of a paper record' });
    const audit = await t.db.read((tx) => tx.select().from(auditLog).where(and(eq(auditLog.tenantId, s.tenant.id), eq(auditLog.action, 'hazards.imported'))));
    expect(audit).toHaveLength(1);
    expect(audit[0]!.after).toMatchObject({ created: 3, numbers: done.body.numbers });
    // The same file again: the explicit number exists now.
    const again = await upload(await book(good));
    expect(again.statusCode).toBe(422);
    expect(again.body.rowErrors!.map((e) => `${e.row}:${e.field}`)).toEqual(['2:number']);
    // New reports of 2020 would continue after the import (the counter moved).
    const template = await s.as.safety.get('/api/v1/hazards/import-template.xlsx');
    expect(template.statusCode).toBe(200);
    const notXlsx = await upload(Buffer.from('not a workbook'));
    expect(notXlsx.statusCode).toBe(415);
  });
});
