import { PassThrough, type Readable } from 'node:stream';
import { asc, eq } from 'drizzle-orm';
import type ExcelJS from 'exceljs';
import type { Ctx } from '../auth/actor.ts';
import { can, requirePermission } from '../auth/scope.ts';
import type { Locale } from '../http/errors.ts';
import { orgKindLabels } from './kindRules.ts';
import { listAllPeople, type PeopleFilter, type PersonView } from './people.ts';
import { orgUnits, type OrgUnitKind } from './schema.ts';

/**
 * The one layout shared by the template, the export and the import, so an exported file imports back
 * unchanged. Headers are written in the caller's language; the import accepts either language.
 */
export const XLSX_MIME = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
/** People rows in one export; beyond that a filter is the better tool. */
export const MAX_EXPORT_ROWS = 50_000;

export const sheetNames = {
  org: { 'zh-CN': '组织架构', en: 'Org units' },
  people: { 'zh-CN': '人员', en: 'People' },
  help: { 'zh-CN': '说明', en: 'Instructions' },
} as const;

export interface Column<K extends string> {
  key: K;
  'zh-CN': string;
  en: string;
  /** Other header spellings accepted on import. */
  aliases?: string[];
  width: number;
  required?: boolean;
}

export type OrgColumnKey = 'code' | 'parentCode' | 'kind' | 'name';
export type PeopleColumnKey = 'employeeNo' | 'name' | 'phone' | 'email' | 'gender' | 'orgUnitCode' | 'position' | 'kind' | 'contractorUnitCode' | 'hireDate';

export const orgColumns: Column<OrgColumnKey>[] = [
  { key: 'code', 'zh-CN': '编码', en: 'Code', width: 18, required: true },
  { key: 'parentCode', 'zh-CN': '上级编码', en: 'Parent code', width: 18 },
  { key: 'kind', 'zh-CN': '类型', en: 'Kind', width: 12, required: true },
  { key: 'name', 'zh-CN': '名称', en: 'Name', width: 30, required: true },
];

export const peopleColumns: Column<PeopleColumnKey>[] = [
  { key: 'employeeNo', 'zh-CN': '工号', en: 'Employee no', aliases: ['employee number', '员工编号'], width: 14, required: true },
  { key: 'name', 'zh-CN': '姓名', en: 'Name', width: 14, required: true },
  { key: 'phone', 'zh-CN': '手机', en: 'Mobile', aliases: ['phone', '手机号', '电话'], width: 16 },
  { key: 'email', 'zh-CN': '邮箱', en: 'Email', aliases: ['e-mail', '电子邮箱'], width: 24 },
  { key: 'gender', 'zh-CN': '性别', en: 'Gender', width: 8 },
  { key: 'orgUnitCode', 'zh-CN': '部门编码', en: 'Unit code', aliases: ['org unit code', 'department code', '单位编码', '组织编码'], width: 16 },
  { key: 'position', 'zh-CN': '岗位', en: 'Position', aliases: ['岗位名称'], width: 16 },
  { key: 'kind', 'zh-CN': '类型(员工/承包商)', en: 'Kind (employee/contractor)', aliases: ['人员类型'], width: 18 },
  { key: 'contractorUnitCode', 'zh-CN': '承包商单位编码', en: 'Contractor unit code', width: 18 },
  { key: 'hireDate', 'zh-CN': '入职日期', en: 'Hire date', aliases: ['入职时间'], width: 14 },
];

export const genderLabels = { male: { 'zh-CN': '男', en: 'male' }, female: { 'zh-CN': '女', en: 'female' }, other: { 'zh-CN': '其他', en: 'other' } } as const;
export const personKindLabels = { employee: { 'zh-CN': '员工', en: 'employee' }, contractor: { 'zh-CN': '承包商', en: 'contractor' } } as const;

interface UnitLine {
  code: string;
  parentCode: string;
  kind: OrgUnitKind;
  name: string;
}

const instructions: Record<Locale, string[]> = {
  'zh-CN': [
    '填写说明',
    '1. 「组织架构」每行一个单位：编码唯一；上级编码留空表示直属公司；类型为 厂区/车间/部门/班组/承包商。',
    '   层级规则：厂区在公司下，车间在厂区下，班组在车间或部门下，部门在公司/厂区/部门下，承包商单位在公司下。',
    '2. 「人员」每行一人：工号唯一；手机为 11 位大陆手机号或留空；性别 男/女/其他；入职日期 YYYY-MM-DD。',
    '   部门编码可引用本文件或系统中已有的单位编码；岗位按名称或编码匹配，不存在时自动新建。',
    '   类型为“承包商”时必须填写承包商单位编码（类型为承包商的单位），部门编码留空则默认为该承包商单位。',
    '3. 已存在的编码/工号会被更新，不存在的会被新建；文件中没有的列不会改动已有数据。',
    '4. 系统先校验所有行，有任何错误则整份文件都不导入，并列出每个错误的工作表、行号和字段。',
    '5. 可先选择“仅校验”试导入，不会写入任何数据。单个文件最多 5 MB、20000 行。',
  ],
  en: [
    'How to fill in this workbook',
    '1. "Org units": one unit per row. Codes are unique; leave the parent code empty for a unit directly under the company; kind is plant, workshop, department, team or contractor.',
    '   Placement: plant under company, workshop under plant, team under workshop or department, department under company/plant/department, contractor under company.',
    '2. "People": one person per row. Employee numbers are unique; mobile is an 11-digit mainland number or empty; gender male/female/other; hire date YYYY-MM-DD.',
    '   Unit codes may refer to this file or to units already in the system; positions match by name or code and are created when unknown.',
    '   A contractor worker needs a contractor unit code (a unit of kind contractor); their unit defaults to it.',
    '3. Existing codes / employee numbers are updated, new ones created; columns missing from the file leave existing data alone.',
    '4. Every row is checked first; if any row has an error nothing is imported and every error is listed with sheet, row and field.',
    '5. Use "validate only" (dry run) to check a file without writing anything. At most 5 MB and 20,000 rows per file.',
  ],
};

/** Sets a list validation on a column (rows 2..n) so Excel offers the allowed values. */
function listValidation(ws: ExcelJS.Worksheet, col: string, values: string[]): void {
  const dv = (ws as unknown as { dataValidations: { add(address: string, v: ExcelJS.DataValidation): void } }).dataValidations;
  dv.add(`${col}2:${col}20001`, { type: 'list', allowBlank: true, formulae: [`"${values.join(',')}"`], showErrorMessage: true });
}

function columnLetter(index: number): string {
  return String.fromCharCode('A'.charCodeAt(0) + index);
}

/**
 * Writes the workbook to a stream as it goes (the export of a large company does not sit in memory
 * twice): instructions, org units, people.
 */
async function writeWorkbook(out: PassThrough, locale: Locale, units: UnitLine[], persons: PersonView[]): Promise<void> {
  const { default: Excel } = await import('exceljs');
  const wb = new Excel.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  wb.creator = 'SafeLoop';

  const orgWs = wb.addWorksheet(sheetNames.org[locale], { views: [{ state: 'frozen', ySplit: 1 }] });
  orgWs.columns = orgColumns.map((c) => ({ header: c[locale], key: c.key, width: c.width, style: { numFmt: '@' } }));
  orgWs.getRow(1).font = { bold: true };
  listValidation(
    orgWs,
    columnLetter(orgColumns.findIndex((c) => c.key === 'kind')),
    (['plant', 'workshop', 'department', 'team', 'contractor'] as const).map((k) => orgKindLabels[k][locale]),
  );
  for (const u of units) orgWs.addRow({ code: u.code, parentCode: u.parentCode, kind: orgKindLabels[u.kind][locale], name: u.name }).commit();
  orgWs.commit();

  const peopleWs = wb.addWorksheet(sheetNames.people[locale], { views: [{ state: 'frozen', ySplit: 1 }] });
  // Text format keeps leading zeros of employee numbers and stops Excel turning phone numbers into 1.38E+10.
  peopleWs.columns = peopleColumns.map((c) => ({ header: c[locale], key: c.key, width: c.width, style: { numFmt: '@' } }));
  peopleWs.getRow(1).font = { bold: true };
  listValidation(peopleWs, columnLetter(peopleColumns.findIndex((c) => c.key === 'gender')), Object.values(genderLabels).map((g) => g[locale]));
  listValidation(peopleWs, columnLetter(peopleColumns.findIndex((c) => c.key === 'kind')), Object.values(personKindLabels).map((k) => k[locale]));
  for (const p of persons) {
    peopleWs
      .addRow({
        employeeNo: p.employeeNo,
        name: p.name,
        phone: p.phone ?? '',
        email: p.email ?? '',
        gender: p.gender ? genderLabels[p.gender][locale] : '',
        // A contractor placed in their own company's unit: leave the unit empty, it defaults to the company.
        orgUnitCode: p.kind === 'contractor' && p.orgUnitId === p.contractorUnitId ? '' : (p.orgUnitCode ?? ''),
        position: p.positionName ?? '',
        kind: personKindLabels[p.kind][locale],
        contractorUnitCode: p.contractorUnitCode ?? '',
        hireDate: p.hireDate ?? '',
      })
      .commit();
  }
  peopleWs.commit();

  const helpWs = wb.addWorksheet(sheetNames.help[locale]);
  helpWs.getColumn(1).width = 120;
  for (const line of instructions[locale]) helpWs.addRow([line]).commit();
  helpWs.commit();
  await wb.commit();
}

function startWriting(locale: Locale, units: UnitLine[], persons: PersonView[]): Readable {
  const out = new PassThrough();
  writeWorkbook(out, locale, units, persons).catch((e: unknown) => out.destroy(e instanceof Error ? e : new Error(String(e))));
  return out;
}

/** `GET /import/people-template.xlsx`: empty sheets with the headers, value lists and instructions. */
export function peopleTemplate(ctx: Ctx): { stream: Readable; fileName: string } {
  requirePermission(ctx.actor, 'people:import');
  const fileName = ctx.locale === 'en' ? 'people-import-template.xlsx' : '人员导入模板.xlsx';
  return { stream: startWriting(ctx.locale, [], []), fileName };
}

/**
 * `GET /people/export.xlsx`: the people the actor may see (same filters as the list) plus the org tree,
 * in the import layout, so export → edit → import round-trips.
 */
export async function exportPeople(ctx: Ctx, filter: PeopleFilter): Promise<{ stream: Readable; fileName: string }> {
  requirePermission(ctx.actor, 'people:read');
  const persons = await listAllPeople(ctx, filter, MAX_EXPORT_ROWS);
  let units: UnitLine[] = [];
  if (can(ctx.actor, 'org:read')) {
    const rows = await ctx.db.read((tx) =>
      tx.select().from(orgUnits).where(eq(orgUnits.tenantId, ctx.actor.tenantId)).orderBy(asc(orgUnits.depth), asc(orgUnits.sort), asc(orgUnits.code)),
    );
    const codeOf = new Map(rows.map((u) => [u.id, u.code]));
    units = rows.map((u) => ({ code: u.code, parentCode: u.parentId ? (codeOf.get(u.parentId) ?? '') : '', kind: u.kind, name: u.name }));
  }
  const day = ctx.now().toISOString().slice(0, 10);
  const fileName = ctx.locale === 'en' ? `people-${day}.xlsx` : `人员-${day}.xlsx`;
  return { stream: startWriting(ctx.locale, units, persons), fileName };
}
