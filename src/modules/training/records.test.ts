import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { and, eq, inArray, like } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatchPending } from '../../platform/events/dispatcher.ts';
import { orgUnits, people } from '../../platform/org/schema.ts';
import { findCjkFont } from '../../platform/pdf/fonts.ts';
import { createTestApp, type TestApp } from '../../test/app.ts';
import type { PersonFileT } from './learningRoutes.ts';
import { inductions } from './schema.ts';
import { seedTrainingCompany, type Seed } from './testSupport.ts';
import type { InductionT } from './routes.ts';

let t: TestApp;
let s: Seed;
const START = new Date('2026-12-01T02:00:00Z');
const has = (tool: string) => {
  try {
    execFileSync('which', [tool], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};
const canPdf = findCjkFont() !== null && has('pdftotext');

beforeAll(async () => {
  t = await createTestApp({ RATE_LIMIT_PER_MINUTE: '100000' });
  t.clock.now = START;
  s = await seedTrainingCompany(t);
});
afterAll(() => t.close());

const raw = (url: string, authorization = s.as.officer.authorization) => t.app.inject({ method: 'GET', url, headers: { authorization } });

/** A person with a completed company-level induction, so the file has one record with hours and trainer. */
async function inductedPerson(): Promise<string> {
  const p = (await s.as.officer.post<{ items: InductionT[] }>(`/api/v1/training/people/${s.painter.id}/inductions`)).body;
  const company = p.items.find((i) => i.level === 'company')!;
  const done = await s.as.officer.post(`/api/v1/training/people/${s.painter.id}/inductions/company/complete`, { hours: 8, trainer: '王安全', version: company.version });
  expect(done.statusCode).toBe(200);
  return s.painter.id;
}

describe('training file (一人一档)', () => {
  it('lists time, content, hours, trainer and result, prints as PDF and exports all as Excel', async () => {
    const personId = await inductedPerson();
    const file = (await s.as.officer.get<PersonFileT>(`/api/v1/training/people/${personId}/records`)).body;
    expect(file.totalHours).toBe(8);
    expect(file.items).toEqual([expect.objectContaining({ kind: 'induction', content: '三级安全教育：厂级安全教育', hours: 8, trainer: '王安全', result: '合格' })]);

    const xlsx = await raw('/api/v1/training/records.xlsx');
    expect(xlsx.statusCode).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.rawPayload as unknown as Parameters<typeof wb.xlsx.load>[0]);
    const detail = wb.getWorksheet('培训记录')!;
    const rows = detail.getSheetValues().filter(Boolean) as unknown[][];
    expect(rows.some((r) => r.includes('三级安全教育：厂级安全教育') && r.includes('王安全'))).toBe(true);
    expect(wb.getWorksheet('人员汇总')!.rowCount).toBeGreaterThan(5);

    const stats = (await s.as.officer.get<{ items: { orgUnitName: string; people: number; trained: number; hours: number; coverage: number }[] }>('/api/v1/training/statistics')).body.items;
    expect(stats.find((x) => x.orgUnitName === 'Team P')).toMatchObject({ trained: 1, hours: 8 });

    // A worker reads their own file but not the export of everybody... (training:read with self scope: only themselves).
    const mine = await raw('/api/v1/training/statistics', s.as.welder.authorization);
    expect(mine.statusCode).toBe(200);
    expect(mine.json<{ items: { people: number }[] }>().items.reduce((n, x) => n + x.people, 0)).toBe(1);

    if (!canPdf) return;
    const pdf = await raw(`/api/v1/training/people/${personId}/records.pdf`);
    expect(pdf.statusCode).toBe(200);
    expect(pdf.headers['content-type']).toContain('application/pdf');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'safeloop-records-'));
    const f = path.join(dir, 'r.pdf');
    fs.writeFileSync(f, pdf.rawPayload);
    const text = execFileSync('pdftotext', ['-layout', f, '-'], { encoding: 'utf8' });
    expect(text).toContain('个人安全培训档案');
    expect(text).toContain('累计学时：8');
    expect(text).toContain('王安全');
  });
});

describe('induction on Excel import', () => {
  it('creates company, workshop and team induction exactly once for each of 500 imported people', async () => {
    const [unit] = await t.db.read((tx) => tx.select({ code: orgUnits.code }).from(orgUnits).where(eq(orgUnits.id, s.team.id)));
    const codeOf = unit!.code;
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('人员');
    ws.addRow(['工号', '姓名', '手机', '邮箱', '性别', '部门编码', '岗位', '类型(员工/承包商)', '承包商单位编码', '入职日期']);
    for (let i = 0; i < 500; i++) ws.addRow([`IMP500-${String(i).padStart(3, '0')}`, `新员工${i}`, '', '', '', codeOf, '操作工', '员工', '', '2026-12-01']);
    const file = Buffer.from(await wb.xlsx.writeBuffer());
    const boundary = '----safeloop500';
    const payload = Buffer.concat([Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="p.xlsx"\r\nContent-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\n\r\n`), file, Buffer.from(`\r\n--${boundary}--\r\n`)]);
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/import/people', headers: { authorization: s.as.admin.authorization, 'content-type': `multipart/form-data; boundary=${boundary}` }, payload });
    expect(res.statusCode, res.body).toBe(200);
    // The person.created events reach the training subscriber; a second round (a redelivery) adds nothing.
    for (let i = 0; i < 30; i++) if ((await dispatchPending(t.db, { now: t.clock.now, batch: 200 })).dispatched === 0) break;
    const imported = await t.db.read((tx) => tx.select({ id: people.id }).from(people).where(and(eq(people.tenantId, s.tenant.id), like(people.employeeNo, 'IMP500-%'))));
    expect(imported).toHaveLength(500);
    const rows = await t.db.read((tx) =>
      tx
        .select()
        .from(inductions)
        .where(
          and(
            eq(inductions.tenantId, s.tenant.id),
            inArray(
              inductions.personId,
              imported.map((p) => p.id),
            ),
          ),
        ),
    );
    expect(rows).toHaveLength(1500);
    const perPerson = new Map<string, string[]>();
    for (const r of rows) perPerson.set(r.personId, [...(perPerson.get(r.personId) ?? []), r.level]);
    for (const levels of perPerson.values()) expect(levels.sort()).toEqual(['company', 'team', 'workshop']);
    expect(rows.every((r) => r.status === 'pending' && r.dueOn === '2026-12-04')).toBe(true);
  }, 300_000);
});
