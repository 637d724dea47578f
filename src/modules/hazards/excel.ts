import { createHash } from 'node:crypto';
import { PassThrough, type Readable } from 'node:stream';
import { and, eq, inArray } from 'drizzle-orm';
import { recordChange } from '../../platform/audit/record.ts';
import type { Ctx } from '../../platform/auth/actor.ts';
import { users } from '../../platform/auth/schema.ts';
import { pathInScope, requirePermission } from '../../platform/auth/scope.ts';
import type { Tx } from '../../platform/db/client.ts';
import { newId } from '../../platform/db/columns.ts';
import { publishEvent } from '../../platform/events/outbox.ts';
import { AppError, type Locale } from '../../platform/http/errors.ts';
import { findSheet, loadWorkbook, readSheet, type RowError, type SheetRow } from '../../platform/excel/read.ts';
import { orgUnits, people } from '../../platform/org/schema.ts';
import { defaultCategories, defaultLevels, defaultSources, ensureHazardDefaults, labelOf, readLabels, readPolicy } from './dictionaries.ts';
import { departmentOf, formatZoned, tenantInfo, zonedParts, zonedTime } from './directory.ts';
import { ledgerLookups, queryHazardRows, type HazardFilter } from './ledger.ts';
import type { HazardState } from './lifecycle.ts';
import { hazardPermissions as P } from './permissions.ts';
import { nextHazardNumber, reserveHazardNumber } from './report.ts';
import { hazardDictItems, hazardLevels, hazards, type DictionaryKind, type HazardLevel, type RectificationPlan } from './schema.ts';
import { armDeadline } from './sla.ts';
import { addTimeline, type HazardRow } from './store.ts';

/**
 * The ledger in Excel: export streams the filtered ledger; import takes historical hazards (closed,
 * rejected, or still being rectified) with a row-by-row report, all or nothing. Export and import share
 * one column layout, so an exported sheet is also a valid import template.
 */


export const MAX_EXPORT_ROWS = 200_000;
export const MAX_IMPORT_BYTES = 5 * 1024 * 1024;
export const MAX_IMPORT_ROWS = 5_000;
const MAX_ROW_ERRORS = 1000;
const PAGE = 1000;

export const sheetName = { 'zh-CN': '隐患台账', en: 'Hazards' } as const;

type ColumnKey =
  | 'number'
  | 'title'
  | 'description'
  | 'category'
  | 'level'
  | 'source'
  | 'status'
  | 'areaCode'
  | 'areaName'
  | 'reportedAt'
  | 'reporterNo'
  | 'reporterName'
  | 'departmentName'
  | 'assigneeNo'
  | 'assigneeName'
  | 'respondDueAt'
  | 'rectifyDueAt'
  | 'respondOverdue'
  | 'rectifyOverdue'
  | 'escalationLevel'
  | 'measures'
  | 'fundsYuan'
  | 'reworkCount'
  | 'closedAt'
  | 'closedOnTime'
  | 'verifierNo'
  | 'rejectReason'
  | 'duplicateOf'
  | 'mergedInto';

interface Column {
  key: ColumnKey;
  'zh-CN': string;
  en: string;
  width: number;
  /** Read back by the import (the rest are information only). */
  imported?: boolean;
  required?: boolean;
}

export const hazardColumns: Column[] = [
  { key: 'number', 'zh-CN': '隐患编号', en: 'Number', width: 18, imported: true },
  { key: 'title', 'zh-CN': '隐患名称', en: 'Title', width: 30, imported: true, required: true },
  { key: 'description', 'zh-CN': '隐患描述', en: 'Description', width: 40, imported: true },
  { key: 'category', 'zh-CN': '隐患类别', en: 'Category', width: 10, imported: true, required: true },
  { key: 'level', 'zh-CN': '隐患级别', en: 'Level', width: 8, imported: true, required: true },
  { key: 'source', 'zh-CN': '隐患来源', en: 'Source', width: 14, imported: true },
  { key: 'status', 'zh-CN': '状态', en: 'Status', width: 10, imported: true, required: true },
  { key: 'areaCode', 'zh-CN': '区域编码', en: 'Area code', width: 14, imported: true, required: true },
  { key: 'areaName', 'zh-CN': '区域', en: 'Area', width: 16 },
  { key: 'reportedAt', 'zh-CN': '上报时间', en: 'Reported at', width: 17, imported: true, required: true },
  { key: 'reporterNo', 'zh-CN': '上报人工号', en: 'Reporter no', width: 12, imported: true },
  { key: 'reporterName', 'zh-CN': '上报人', en: 'Reporter', width: 10 },
  { key: 'departmentName', 'zh-CN': '责任部门', en: 'Department', width: 16 },
  { key: 'assigneeNo', 'zh-CN': '整改责任人工号', en: 'Assignee no', width: 14, imported: true },
  { key: 'assigneeName', 'zh-CN': '整改责任人', en: 'Assignee', width: 10 },
  { key: 'respondDueAt', 'zh-CN': '响应期限', en: 'Respond by', width: 17 },
  { key: 'rectifyDueAt', 'zh-CN': '整改期限', en: 'Rectify by', width: 17, imported: true },
  { key: 'respondOverdue', 'zh-CN': '响应超期', en: 'Response overdue', width: 9 },
  { key: 'rectifyOverdue', 'zh-CN': '整改超期', en: 'Rectification overdue', width: 9 },
  { key: 'escalationLevel', 'zh-CN': '升级级别', en: 'Escalation level', width: 8 },
  { key: 'measures', 'zh-CN': '整改措施', en: 'Measures', width: 30, imported: true },
  { key: 'fundsYuan', 'zh-CN': '整改资金(元)', en: 'Funds (yuan)', width: 12, imported: true },
  { key: 'reworkCount', 'zh-CN': '返工次数', en: 'Rework count', width: 8 },
  { key: 'closedAt', 'zh-CN': '关闭时间', en: 'Closed at', width: 17, imported: true },
  { key: 'closedOnTime', 'zh-CN': '按期整改', en: 'Fixed on time', width: 9 },
  { key: 'verifierNo', 'zh-CN': '验收人工号', en: 'Verifier no', width: 12, imported: true },
  { key: 'rejectReason', 'zh-CN': '驳回原因', en: 'Reject reason', width: 20, imported: true },
  { key: 'duplicateOf', 'zh-CN': '疑似重复', en: 'Possible duplicate of', width: 18 },
  { key: 'mergedInto', 'zh-CN': '合并至', en: 'Merged into', width: 18 },
];

export const statusLabels: Record<HazardState, { 'zh-CN': string; en: string }> = {
  reported: { 'zh-CN': '已上报', en: 'Reported' },
  assigned: { 'zh-CN': '已分派', en: 'Assigned' },
  rectifying: { 'zh-CN': '整改中', en: 'Rectifying' },
  pending_verification: { 'zh-CN': '待验收', en: 'Pending verification' },
  rework: { 'zh-CN': '返工', en: 'Rework' },
  closed: { 'zh-CN': '已关闭', en: 'Closed' },
  rejected: { 'zh-CN': '已驳回', en: 'Rejected' },
};

const yesNo = (v: boolean | null, locale: Locale) => (v === null ? '' : v ? (locale === 'en' ? 'yes' : '是') : locale === 'en' ? 'no' : '否');

// ---------------------------------------------------------------------------------------------------------
// Export
// ---------------------------------------------------------------------------------------------------------

async function employeeNos(tx: Tx, tenantId: string, userIds: string[]): Promise<Map<string, string>> {
  const ids = [...new Set(userIds)];
  if (ids.length === 0) return new Map();
  const rows = await tx
    .select({ id: users.id, no: people.employeeNo })
    .from(users)
    .innerJoin(people, eq(people.id, users.personId))
    .where(and(eq(users.tenantId, tenantId), inArray(users.id, ids)));
  return new Map(rows.map((r) => [r.id, r.no]));
}

type Line = Record<ColumnKey, string | number>;

async function linesOf(tx: Tx, ctx: Ctx, rows: HazardRow[], timeZone: string): Promise<Line[]> {
  const locale = ctx.locale;
  const l = await ledgerLookups(tx, ctx.actor.tenantId, rows);
  const nos = await employeeNos(
    tx,
    ctx.actor.tenantId,
    rows.flatMap((r) => [r.reporterUserId, r.assigneeUserId, r.closedBy]).filter((v): v is string => v !== null),
  );
  const unitIds = [...new Set(rows.map((r) => r.orgUnitId).filter((v): v is string => v !== null))];
  const codes = unitIds.length ? await tx.select({ id: orgUnits.id, code: orgUnits.code }).from(orgUnits).where(and(eq(orgUnits.tenantId, ctx.actor.tenantId), inArray(orgUnits.id, unitIds))) : [];
  const linked = [...new Set(rows.flatMap((r) => [r.possibleDuplicateOf, r.mergedIntoId]).filter((v): v is string => v !== null))];
  const numbers = linked.length ? await tx.select({ id: hazards.id, number: hazards.number }).from(hazards).where(and(eq(hazards.tenantId, ctx.actor.tenantId), inArray(hazards.id, linked))) : [];
  const numberOf = (id: string | null) => (id ? (numbers.find((n) => n.id === id)?.number ?? '') : '');
  const t = (d: Date | null) => formatZoned(d, timeZone);
  return rows.map((r) => ({
    number: r.number,
    title: r.title,
    description: r.description ?? '',
    category: labelOf(l.labels, 'category', r.category, locale) ?? r.category,
    level: labelOf(l.labels, 'level', r.level, locale) ?? r.level,
    source: labelOf(l.labels, 'source', r.source, locale) ?? '',
    status: statusLabels[r.status][locale],
    areaCode: codes.find((c) => c.id === r.orgUnitId)?.code ?? '',
    areaName: l.unitName(r.orgUnitId) ?? '',
    reportedAt: t(r.reportedAt),
    reporterNo: r.reporterUserId ? (nos.get(r.reporterUserId) ?? '') : '',
    reporterName: r.anonymous ? (locale === 'en' ? 'anonymous' : '匿名') : (l.userName(r.reporterUserId) ?? ''),
    departmentName: l.unitName(r.departmentId) ?? '',
    assigneeNo: r.assigneeUserId ? (nos.get(r.assigneeUserId) ?? '') : '',
    assigneeName: l.userName(r.assigneeUserId) ?? '',
    respondDueAt: t(r.respondDueAt),
    rectifyDueAt: t(r.rectifyDueAt),
    respondOverdue: yesNo(r.respondOverdue, locale),
    rectifyOverdue: yesNo(r.rectifyOverdue, locale),
    escalationLevel: r.escalationLevel,
    measures: r.plan?.measures ?? '',
    fundsYuan: r.plan ? r.plan.fundsYuan : '',
    reworkCount: r.reworkCount,
    closedAt: t(r.closedAt),
    closedOnTime: yesNo(r.closedOnTime, locale),
    verifierNo: r.closedBy ? (nos.get(r.closedBy) ?? '') : '',
    rejectReason: r.rejectReason ?? '',
    duplicateOf: numberOf(r.possibleDuplicateOf),
    mergedInto: numberOf(r.mergedIntoId),
  }));
}

/**
 * `GET /hazards/export.xlsx`: the hazards the actor may see with the ledger's filters, newest first,
 * written page by page to the response (never the whole ledger in memory). Bad filters fail before the
 * first byte, so they are a 4xx and not a broken download.
 */
export async function exportHazards(ctx: Ctx, filter: HazardFilter): Promise<{ stream: Readable; fileName: string }> {
  requirePermission(ctx.actor, P.export);
  const first = await ctx.db.read(async (tx) => {
    const { timeZone } = await tenantInfo(tx, ctx.actor.tenantId);
    const { rows } = await queryHazardRows(tx, ctx, filter, 'reported_desc', PAGE);
    return { timeZone, lines: await linesOf(tx, ctx, rows, timeZone), last: rows[rows.length - 1] ?? null, full: rows.length === PAGE };
  });
  const out = new PassThrough();
  const write = async () => {
    const { default: Excel } = await import('exceljs');
    const wb = new Excel.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
    wb.creator = 'SafeLoop';
    const ws = wb.addWorksheet(sheetName[ctx.locale], { views: [{ state: 'frozen', ySplit: 1 }] });
    ws.columns = hazardColumns.map((c) => ({ header: c[ctx.locale], key: c.key, width: c.width, style: { numFmt: c.key === 'fundsYuan' ? '#,##0.00' : '@' } }));
    ws.getRow(1).font = { bold: true };
    let written = 0;
    let page = first;
    for (;;) {
      for (const line of page.lines) ws.addRow(line).commit();
      written += page.lines.length;
      if (!page.full || !page.last || written >= MAX_EXPORT_ROWS) break;
      const last: HazardRow = page.last;
      const cursor = Buffer.from(JSON.stringify({ k: last.reportedAt.toISOString(), id: last.id })).toString('base64url');
      page = await ctx.db.read(async (tx) => {
        const { rows } = await queryHazardRows(tx, ctx, filter, 'reported_desc', PAGE, cursor);
        return { timeZone: first.timeZone, lines: await linesOf(tx, ctx, rows, first.timeZone), last: rows[rows.length - 1] ?? null, full: rows.length === PAGE };
      });
    }
    ws.commit();
    await wb.commit();
  };
  write().catch((e: unknown) => out.destroy(e instanceof Error ? e : new Error(String(e))));
  const day = formatZoned(ctx.now(), first.timeZone).slice(0, 10);
  return { stream: out, fileName: ctx.locale === 'en' ? `hazards-${day}.xlsx` : `隐患台账-${day}.xlsx` };
}

// ---------------------------------------------------------------------------------------------------------
// Import
// ---------------------------------------------------------------------------------------------------------

export type { RowError };

export interface HazardImportResult {
  ok: true;
  dryRun: boolean;
  created: number;
  numbers: string[];
}

const importStates: HazardState[] = ['closed', 'rejected', 'rectifying'];


const DATE_TEXT = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::\d{2})?)?$/;

/** A time written in the sheet, read in the tenant's zone: `2026-03-05`, `2026/3/5 14:30`, or an Excel date cell. */
export function parseSheetTime(raw: string, timeZone: string): Date | null {
  if (raw.startsWith('@date:')) {
    // Excel keeps wall-clock times without a zone; exceljs hands them over as if they were UTC.
    const d = new Date(raw.slice(6));
    if (Number.isNaN(d.getTime())) return null;
    return zonedTime(timeZone, d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes());
  }
  const m = DATE_TEXT.exec(raw);
  if (!m) return null;
  const [y, mo, da, h, mi] = [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4] ?? 0), Number(m[5] ?? 0)];
  if (mo < 1 || mo > 12 || da < 1 || da > 31 || h > 23 || mi > 59) return null;
  const at = zonedTime(timeZone, y, mo, da, h, mi);
  const back = zonedParts(at, timeZone);
  return back.year === y && back.month === mo && back.day === da ? at : null;
}

type ParsedRow = SheetRow<ColumnKey>;

async function parseWorkbook(file: Buffer): Promise<{ sheet: string; rows: ParsedRow[]; errors: RowError[] }> {
  const wb = await loadWorkbook(file);
  const ws = findSheet(wb, sheetName) ?? wb.worksheets[0];
  if (!ws) return { sheet: '', rows: [], errors: [{ sheet: '', row: 0, field: 'sheet', column: '', message: `no sheet named ${sheetName['zh-CN']} / ${sheetName.en}` }] };
  if (ws.actualRowCount > MAX_IMPORT_ROWS + 1) throw new AppError('payload_too_large', `file: at most ${MAX_IMPORT_ROWS} hazards per import`);
  const errors: RowError[] = [];
  const { rows } = readSheet(ws, hazardColumns, errors, {
    // Excel keeps wall-clock times without a zone: marked here, read in the tenant's zone by parseSheetTime.
    dateText: (d) => `@date:${d.toISOString()}`,
    imported: (c) => c.imported === true,
  });
  if (rows.length > MAX_IMPORT_ROWS) throw new AppError('payload_too_large', `file: at most ${MAX_IMPORT_ROWS} hazards per import`);
  return { sheet: ws.name, rows, errors };
}

interface PlannedHazard {
  row: number;
  number: string | null;
  year: number | null;
  seq: number | null;
  title: string;
  description: string | null;
  category: string;
  level: HazardLevel;
  source: string | null;
  status: HazardState;
  orgUnitId: string;
  reportedAt: Date;
  reporter: { userId: string | null; personId: string } | null;
  assignee: { userId: string | null; personId: string; orgUnitId: string | null } | null;
  verifierUserId: string | null;
  rectifyDueAt: Date | null;
  closedAt: Date | null;
  measures: string | null;
  fundsYuan: number | null;
  rejectReason: string | null;
}

const NUMBER = /^YH-(\d{4})-(\d{6})$/;

async function planImport(tx: Tx, ctx: Ctx, sheet: string, rows: ParsedRow[], errors: RowError[]): Promise<PlannedHazard[]> {
  const tenantId = ctx.actor.tenantId;
  const { timeZone } = await tenantInfo(tx, tenantId);
  const now = ctx.now();
  const err = (row: number, field: ColumnKey, message: string) => {
    const c = hazardColumns.find((x) => x.key === field);
    errors.push({ sheet, row, field, column: c?.['zh-CN'] ?? field, message });
  };
  const stored = await tx.select().from(hazardDictItems).where(eq(hazardDictItems.tenantId, tenantId));
  // A dry run in a tenant that never used hazards: its dictionaries would be the reference defaults.
  const items: { kind: DictionaryKind; code: string; labelZh: string; labelEn: string }[] =
    stored.length > 0
      ? stored
      : ([
          ['category', defaultCategories],
          ['source', defaultSources],
          ['level', defaultLevels],
        ] as const).flatMap(([kind, list]) => list.map((d) => ({ kind, code: d.code, labelZh: d.zh, labelEn: d.en })));
  const dict = (kind: DictionaryKind, raw: string): string | null => {
    const v = raw.trim().toLowerCase();
    const hit = items.find((i) => i.kind === kind && (i.code.toLowerCase() === v || i.labelZh === raw.trim() || i.labelEn.toLowerCase() === v));
    return hit?.code ?? null;
  };
  const codes = [...new Set(rows.map((r) => r.cells.areaCode).filter(Boolean))];
  const units = codes.length ? await tx.select().from(orgUnits).where(and(eq(orgUnits.tenantId, tenantId), inArray(orgUnits.code, codes))) : [];
  const nos = [...new Set(rows.flatMap((r) => [r.cells.reporterNo, r.cells.assigneeNo, r.cells.verifierNo]).filter(Boolean))];
  const persons = nos.length
    ? await tx
        .select({ id: people.id, no: people.employeeNo, orgUnitId: people.orgUnitId, userId: users.id, userStatus: users.status })
        .from(people)
        .leftJoin(users, eq(users.personId, people.id))
        .where(and(eq(people.tenantId, tenantId), inArray(people.employeeNo, nos)))
    : [];
  const givenNumbers = rows.map((r) => r.cells.number).filter(Boolean);
  const taken = givenNumbers.length
    ? new Set((await tx.select({ n: hazards.number }).from(hazards).where(and(eq(hazards.tenantId, tenantId), inArray(hazards.number, givenNumbers)))).map((r) => r.n))
    : new Set<string>();
  const seen = new Map<string, number>();
  const out: PlannedHazard[] = [];
  for (const { row, cells: c } of rows) {
    const before = errors.length;
    let number: string | null = null;
    let year: number | null = null;
    let seq: number | null = null;
    if (c.number) {
      const m = NUMBER.exec(c.number);
      if (!m || Number(m[2]) === 0) err(row, 'number', `"${c.number}" is not a hazard number like YH-2026-000123 (or leave it empty to number it)`);
      else if (taken.has(c.number)) err(row, 'number', `${c.number} already exists`);
      else if (seen.has(c.number)) err(row, 'number', `${c.number} appears twice (also row ${seen.get(c.number)})`);
      else {
        number = c.number;
        year = Number(m[1]);
        seq = Number(m[2]);
        seen.set(c.number, row);
      }
    }
    const title = c.title.trim();
    if (!title || title.length > 200) err(row, 'title', 'required, at most 200 characters');
    if (c.description.length > 4000) err(row, 'description', 'at most 4000 characters');
    const category = dict('category', c.category);
    if (!category) err(row, 'category', `"${c.category}" is not a hazard category of this company`);
    const level = dict('level', c.level) as HazardLevel | null;
    if (!level || !hazardLevels.includes(level)) err(row, 'level', `"${c.level}" is not a level (一般/较大/重大 or general/serious/major)`);
    let source: string | null = null;
    if (c.source) {
      source = dict('source', c.source);
      if (!source) err(row, 'source', `"${c.source}" is not a hazard source of this company`);
    }
    const statusRaw = c.status.trim().toLowerCase();
    const status = (Object.keys(statusLabels) as HazardState[]).find((s) => s === statusRaw || statusLabels[s]['zh-CN'] === c.status.trim() || statusLabels[s].en.toLowerCase() === statusRaw) ?? null;
    if (!status || !importStates.includes(status)) err(row, 'status', `"${c.status}": a historical hazard is imported as 已关闭, 已驳回 or 整改中 (closed, rejected, rectifying)`);
    const unit = units.find((u) => u.code === c.areaCode);
    if (!unit) err(row, 'areaCode', `"${c.areaCode}" is not an org unit code of this company`);
    else if (!pathInScope(ctx.actor, unit.path)) err(row, 'areaCode', `${c.areaCode} is outside your data scope`);
    const reportedAt = parseSheetTime(c.reportedAt, timeZone);
    if (!reportedAt) err(row, 'reportedAt', `"${c.reportedAt}" is not a date (YYYY-MM-DD or YYYY-MM-DD HH:mm)`);
    else if (reportedAt.getTime() > now.getTime()) err(row, 'reportedAt', 'is in the future');
    const person = (field: 'reporterNo' | 'assigneeNo' | 'verifierNo') => {
      const no = c[field];
      if (!no) return null;
      const p = persons.find((x) => x.no === no);
      if (!p) err(row, field, `no person with employee number ${no}`);
      return p ?? null;
    };
    const reporter = person('reporterNo');
    const assignee = person('assigneeNo');
    const verifier = person('verifierNo');
    const rectifyDueAt = c.rectifyDueAt ? parseSheetTime(c.rectifyDueAt, timeZone) : null;
    if (c.rectifyDueAt && !rectifyDueAt) err(row, 'rectifyDueAt', `"${c.rectifyDueAt}" is not a date`);
    const closedAt = c.closedAt ? parseSheetTime(c.closedAt, timeZone) : null;
    if (c.closedAt && !closedAt) err(row, 'closedAt', `"${c.closedAt}" is not a date`);
    let fundsYuan: number | null = null;
    if (c.fundsYuan) {
      fundsYuan = Number(c.fundsYuan.replace(/,/g, ''));
      if (!Number.isFinite(fundsYuan) || fundsYuan < 0 || fundsYuan > 1e10) err(row, 'fundsYuan', `"${c.fundsYuan}" is not an amount in yuan`);
    }
    if (status === 'closed') {
      if (!closedAt) err(row, 'closedAt', 'required for a closed hazard');
      else if (reportedAt && closedAt.getTime() < reportedAt.getTime()) err(row, 'closedAt', 'is before the report');
      else if (closedAt.getTime() > now.getTime()) err(row, 'closedAt', 'is in the future');
    }
    if (status === 'rejected' && !c.rejectReason.trim()) err(row, 'rejectReason', 'required for a rejected hazard');
    if (status === 'rectifying') {
      if (!assignee) err(row, 'assigneeNo', 'required for a hazard still being rectified');
      else if (!assignee.userId || assignee.userStatus !== 'active') err(row, 'assigneeNo', `${c.assigneeNo} has no active login to rectify with`);
      if (!rectifyDueAt) err(row, 'rectifyDueAt', 'required for a hazard still being rectified');
    }
    if (rectifyDueAt && reportedAt && rectifyDueAt.getTime() < reportedAt.getTime()) err(row, 'rectifyDueAt', 'is before the report');
    if (errors.length > before || !category || !level || !status || !unit || !reportedAt) continue;
    out.push({
      row,
      number,
      year,
      seq,
      title,
      description: c.description.trim() || null,
      category,
      level,
      source,
      status,
      orgUnitId: unit.id,
      reportedAt,
      reporter: reporter ? { userId: reporter.userId, personId: reporter.id } : null,
      assignee: assignee ? { userId: assignee.userId, personId: assignee.id, orgUnitId: assignee.orgUnitId } : null,
      verifierUserId: verifier?.userId ?? null,
      rectifyDueAt,
      closedAt: status === 'closed' ? closedAt : null,
      measures: c.measures.trim() || null,
      fundsYuan,
      rejectReason: status === 'rejected' ? c.rejectReason.trim() : null,
    });
  }
  return out;
}

async function writeImport(tx: Tx, ctx: Ctx, planned: PlannedHazard[], fileInfo: { fileName: string; sha256: string }): Promise<string[]> {
  const tenantId = ctx.actor.tenantId;
  const now = ctx.now();
  const numbers: string[] = [];
  // Explicit numbers first, so generated ones continue after them.
  for (const p of planned) if (p.year !== null && p.seq !== null) await reserveHazardNumber(tx, tenantId, p.year, p.seq);
  for (const p of planned) {
    const n = p.number && p.year && p.seq ? { number: p.number, year: p.year, seq: p.seq } : await nextHazardNumber(tx, tenantId, p.reportedAt);
    const plan: RectificationPlan | null =
      p.measures && p.assignee
        ? { measures: p.measures, fundsYuan: p.fundsYuan ?? 0, deadline: (p.rectifyDueAt ?? p.closedAt ?? p.reportedAt).toISOString(), responsiblePersonId: p.assignee.personId, interimMeasures: '—' }
        : null;
    const assigneeUnit = p.assignee?.orgUnitId ?? null;
    const [h] = await tx
      .insert(hazards)
      .values({
        id: newId(),
        tenantId,
        orgUnitId: p.orgUnitId,
        createdAt: now,
        createdBy: ctx.actor.userId,
        updatedAt: now,
        updatedBy: ctx.actor.userId,
        number: n.number,
        year: n.year,
        seq: n.seq,
        title: p.title,
        description: p.description,
        category: p.category,
        level: p.level,
        source: p.source,
        status: p.status,
        origin: 'import',
        reporterUserId: p.reporter?.userId ?? null,
        reporterPersonId: p.reporter?.personId ?? null,
        reportedAt: p.reportedAt,
        departmentId: await departmentOf(tx, tenantId, assigneeUnit ?? p.orgUnitId),
        assigneeUserId: p.assignee?.userId ?? null,
        assigneeUnitId: assigneeUnit,
        assignedAt: p.assignee ? p.reportedAt : null,
        verifierUserId: p.verifierUserId,
        respondedAt: p.status === 'rectifying' || p.status === 'closed' ? p.reportedAt : null,
        rectifyDueAt: p.rectifyDueAt,
        plan,
        closedAt: p.closedAt,
        closedBy: p.status === 'closed' ? p.verifierUserId : null,
        closedOnTime: p.status === 'closed' && p.closedAt ? (p.rectifyDueAt ? p.closedAt.getTime() <= p.rectifyDueAt.getTime() : true) : null,
        rejectedAt: p.status === 'rejected' ? p.reportedAt : null,
        rejectReason: p.rejectReason,
        reportToAuthority: p.level === 'major',
      })
      .returning();
    if (!h) throw new AppError('internal');
    await addTimeline(tx, ctx, h, { action: 'imported', to: h.status, data: { row: p.row, fileName: fileInfo.fileName } });
    if (h.status === 'rectifying') await armDeadline(tx, h, 'rectify', h.reportedAt, await readPolicy(tx, tenantId, h.level));
    await publishEvent(tx, ctx, { type: 'hazard.imported', entityType: 'hazard', entityId: h.id, payload: { hazardId: h.id, number: h.number, status: h.status, level: h.level } });
    numbers.push(h.number);
  }
  const importId = newId();
  await recordChange(
    tx,
    ctx,
    { action: 'hazards.imported', entityType: 'import', entityId: importId, after: { ...fileInfo, created: numbers.length, numbers } },
    { type: 'hazards.imported', entityType: 'import', entityId: importId, payload: { created: numbers.length } },
  );
  return numbers;
}

/**
 * `POST /hazards/import`: every row is checked first; any problem → 422 `import_failed` with every row
 * error (sheet, row, column, message) and nothing written. Otherwise all rows are written in one
 * transaction. `dryRun` checks and counts without writing.
 */
export async function importHazards(ctx: Ctx, input: { file: Buffer; fileName: string; dryRun: boolean }): Promise<HazardImportResult> {
  requirePermission(ctx.actor, P.import);
  if (input.file.length > MAX_IMPORT_BYTES) throw new AppError('payload_too_large', `file: at most ${MAX_IMPORT_BYTES / 1024 / 1024} MB`);
  const parsed = await parseWorkbook(input.file);
  const fileInfo = { fileName: input.fileName.slice(0, 200), sha256: createHash('sha256').update(input.file).digest('hex') };
  const run = async (tx: Tx): Promise<HazardImportResult> => {
    if (!input.dryRun) await ensureHazardDefaults(tx, ctx.actor.tenantId);
    const errors = [...parsed.errors];
    const planned = errors.length === 0 ? await planImport(tx, ctx, parsed.sheet, parsed.rows, errors) : [];
    if (errors.length === 0 && parsed.rows.length === 0) errors.push({ sheet: parsed.sheet, row: 2, field: 'title', column: '隐患名称', message: 'the sheet has no hazard rows' });
    if (errors.length > 0) {
      throw new AppError('import_failed', `${errors.length} problem${errors.length === 1 ? '' : 's'} found; nothing was imported`, {
        extra: { rowErrors: errors.slice(0, MAX_ROW_ERRORS), rowErrorCount: errors.length, rowErrorsTruncated: errors.length > MAX_ROW_ERRORS },
      });
    }
    if (input.dryRun) return { ok: true, dryRun: true, created: planned.length, numbers: planned.map((p) => p.number ?? '').filter(Boolean) };
    const numbers = await writeImport(tx, ctx, planned, fileInfo);
    return { ok: true, dryRun: false, created: numbers.length, numbers };
  };
  return input.dryRun ? ctx.db.read(run) : ctx.db.tx(run);
}

/** An empty workbook with the import columns (and the value lists in the instructions). */
export async function hazardImportTemplate(ctx: Ctx): Promise<{ buffer: Buffer; fileName: string }> {
  requirePermission(ctx.actor, P.import);
  const labels = await ctx.db.read((tx) => readLabels(tx, ctx.actor.tenantId));
  const { default: Excel } = await import('exceljs');
  const wb = new Excel.Workbook();
  const ws = wb.addWorksheet(sheetName[ctx.locale]);
  const cols = hazardColumns.filter((c) => c.imported);
  ws.columns = cols.map((c) => ({ header: c[ctx.locale], key: c.key, width: c.width, style: { numFmt: '@' } }));
  ws.getRow(1).font = { bold: true };
  const help = wb.addWorksheet(ctx.locale === 'en' ? 'Instructions' : '说明');
  help.getColumn(1).width = 120;
  const list = (kind: DictionaryKind) => [...labels.entries()].filter(([k]) => k.startsWith(`${kind}:`)).map(([, l]) => l[ctx.locale]).join(' / ');
  const lines =
    ctx.locale === 'en'
      ? [
          'One hazard per row. Required: Title, Category, Level, Status, Area code, Reported at.',
          `Category: ${list('category')}. Level: ${list('level')}. Source: ${list('source')}.`,
          'Status: Closed (needs Closed at), Rejected (needs Reject reason) or Rectifying (needs Assignee no and Rectify by).',
          `Number: YH-YYYY-NNNNNN or empty (numbered automatically). Times: YYYY-MM-DD or YYYY-MM-DD HH:mm.`,
          'Every row is checked first; if any row has a problem nothing is imported and every problem is listed.',
        ]
      : [
          '每行一条隐患。必填：隐患名称、隐患类别、隐患级别、状态、区域编码、上报时间。',
          `隐患类别：${list('category')}；隐患级别：${list('level')}；隐患来源：${list('source')}。`,
          '状态：已关闭（需填关闭时间）、已驳回（需填驳回原因）、整改中（需填整改责任人工号和整改期限）。',
          '隐患编号：YH-年份-六位序号，或留空自动编号。时间格式：YYYY-MM-DD 或 YYYY-MM-DD HH:mm。',
          '系统先校验所有行，任何一行有错则整份文件都不导入，并列出每个错误。',
        ];
  for (const l of lines) help.addRow([l]);
  const buffer = Buffer.from(await wb.xlsx.writeBuffer());
  return { buffer, fileName: ctx.locale === 'en' ? 'hazard-import-template.xlsx' : '隐患导入模板.xlsx' };
}

