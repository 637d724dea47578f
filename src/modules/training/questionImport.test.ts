import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog } from '../../platform/audit/schema.ts';
import { createTestApp, type TestApp } from '../../test/app.ts';
import type { QuestionImportResultT } from './planRoutes.ts';
import { XLSX_MIME } from './recordExports.ts';
import { questions } from './schema.ts';
import { seedTrainingCompany, type Client, type Seed } from './testSupport.ts';

let t: TestApp;
let s: Seed;

beforeAll(async () => {
  t = await createTestApp({ RATE_LIMIT_PER_MINUTE: '100000' });
  s = await seedTrainingCompany(t);
});
afterAll(() => t.close());

const HEAD = ['编号', '题型', '分类', '难度', '题干', '选项A', '选项B', '选项C', '选项D', '选项E', '选项F', '答案', '解析', '启用'];

async function workbook(rows: (string | number)[][], head = HEAD): Promise<Buffer> {
  const { default: ExcelJS } = await import('exceljs');
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('题库');
  ws.addRow(head);
  for (const r of rows) ws.addRow(r);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

const upload = async (file: Buffer, c: Client = s.as.officer, dryRun = false) => {
  const boundary = `----safeloop${Math.random().toString(16).slice(2)}`;
  const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="q.xlsx"\r\nContent-Type: ${XLSX_MIME}\r\n\r\n`);
  const res = await t.app.inject({
    method: 'POST',
    url: `/api/v1/training/questions/import${dryRun ? '?dryRun=true' : ''}`,
    headers: { authorization: c.authorization, 'accept-language': 'en', 'content-type': `multipart/form-data; boundary=${boundary}` },
    payload: Buffer.concat([head, file, Buffer.from(`\r\n--${boundary}--\r\n`)]),
  });
  return { statusCode: res.statusCode, body: res.json() as QuestionImportResultT & { code?: string; rowErrors?: { row: number; field: string; column: string; message: string }[]; rowErrorCount?: number } };
};
const count = async () => (await t.db.read((tx) => tx.select({ n: sql<number>`count(*)::int` }).from(questions).where(eq(questions.tenantId, s.tenant.id))))[0]!.n;

describe('question bank Excel import', () => {
  const good: (string | number)[][] = [
    ['Q-1', '单选', '动火作业', 1, '特级动火作业票的有效期最长为多少小时？', '4', '8', '12', '24', '', '', 'B', 'GB 30871-2022', ''],
    ['Q-2', '多选', '动火作业', '中', '动火作业前必须做到哪些？', '办理作业票', '气体分析合格', '清除可燃物', '口头通知即可', '', '', 'A、B、C', '', '是'],
    ['', '判断', '消防安全', '易', '发现火情应先报警。', '', '', '', '', '', '', '正确', '', ''],
  ];

  it('reports every bad row by row and column and writes nothing', async () => {
    const before = await count();
    const audits = (await t.db.read((tx) => tx.select({ n: sql<number>`count(*)::int` }).from(auditLog)))[0]!.n;
    const res = await upload(
      await workbook([
        ...good,
        ['Q-4', '填空', '动火作业', 1, '？', 'a', 'b', '', '', '', '', 'A', '', ''],
        ['Q-5', '单选', '动火作业', 5, '难度不对', 'a', 'b', '', '', '', '', 'A', '', ''],
        ['Q-6', '单选', '动火作业', 1, '两个答案', 'a', 'b', '', '', '', '', 'AB', '', ''],
        ['Q-7', '多选', '动火作业', 1, '答案不在选项里', 'a', 'b', '', '', '', '', 'AD', '', ''],
        ['Q-1', '判断', '动火作业', 1, '编号重复', '', '', '', '', '', '', '错误', '', ''],
        ['Q-8', '单选', '动火作业', 1, '选项中间空了', 'a', '', 'c', '', '', '', 'A', '', ''],
      ]),
    );
    expect(res.statusCode).toBe(422);
    expect(res.body.code).toBe('import_failed');
    expect(res.body.rowErrors?.map((e) => [e.row, e.field])).toEqual([
      [5, 'kind'],
      [6, 'difficulty'],
      [7, 'answer'],
      [8, 'answer'],
      [9, 'externalKey'],
      [10, 'optionB'],
    ]);
    expect(res.body.rowErrors?.[4]?.message).toContain('also row 2');
    expect(await count()).toBe(before);
    expect((await t.db.read((tx) => tx.select({ n: sql<number>`count(*)::int` }).from(auditLog)))[0]!.n).toBe(audits);
    // A missing required column is a row-1 error.
    const noAnswer = await upload(await workbook([good[0]!.slice(0, 11)], HEAD.slice(0, 11)));
    expect(noAnswer.body.rowErrors?.[0]).toMatchObject({ row: 1, field: 'answer' });
  });

  it('imports a good file whole, updates by key on re-import, and the export reads back unchanged', async () => {
    const before = await count();
    const dry = await upload(await workbook(good), s.as.officer, true);
    expect(dry.body).toMatchObject({ ok: true, dryRun: true, created: 3, updated: 0 });
    expect(await count()).toBe(before);
    const res = await upload(await workbook(good));
    expect(res.statusCode, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ created: 3, updated: 0, unchanged: 0 });
    expect(await count()).toBe(before + 3);
    const [q2] = await t.db.read((tx) => tx.select().from(questions).where(eq(questions.externalKey, 'Q-2')));
    expect(q2).toMatchObject({ kind: 'multiple', difficulty: 2, answer: ['A', 'B', 'C'], active: true });
    expect(q2!.options.map((o) => o.key)).toEqual(['A', 'B', 'C', 'D']);
    const [audit] = await t.db.read((tx) => tx.select().from(auditLog).where(eq(auditLog.action, 'question.imported')));
    expect(audit?.after).toMatchObject({ created: 3, updated: 0 });

    // Re-import with Q-1 changed and Q-2 retired: two updates, nothing new for keyed rows.
    const edited = good.slice(0, 2).map((r) => [...r]);
    edited[0]![11] = 'C';
    edited[1]![13] = '否';
    const again = await upload(await workbook(edited));
    expect(again.body).toMatchObject({ created: 0, updated: 2, unchanged: 0 });
    const [q1] = await t.db.read((tx) => tx.select().from(questions).where(eq(questions.externalKey, 'Q-1')));
    expect(q1).toMatchObject({ answer: ['C'], version: 2 });

    const exported = await t.app.inject({ method: 'GET', url: '/api/v1/training/questions.xlsx', headers: { authorization: s.as.officer.authorization } });
    expect(exported.statusCode).toBe(200);
    const back = await upload(exported.rawPayload);
    // Unkeyed questions come back as new ones; keyed ones are unchanged.
    expect(back.body).toMatchObject({ updated: 0, unchanged: 2, created: 1 });

    const template = await t.app.inject({ method: 'GET', url: '/api/v1/training/questions/template.xlsx', headers: { authorization: s.as.officer.authorization } });
    expect(template.statusCode).toBe(200);
    expect((await upload(template.rawPayload, s.as.officer, true)).body).toMatchObject({ ok: true, created: 3 });
    expect((await upload(await workbook(good), s.as.welder)).statusCode).toBe(403);
  });
});
