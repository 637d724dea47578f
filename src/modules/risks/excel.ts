import { createHash } from 'node:crypto';
import { and, asc, eq, inArray, isNull } from 'drizzle-orm';
import { recordChange } from '../../platform/audit/record.ts';
import type { Ctx } from '../../platform/auth/actor.ts';
import { can, pathInScope, requirePermission } from '../../platform/auth/scope.ts';
import type { Tx } from '../../platform/db/client.ts';
import { newId } from '../../platform/db/columns.ts';
import { AppError, type Locale } from '../../platform/http/errors.ts';
import { findSheet, loadWorkbook, readSheet, type RowError, type SheetRow } from '../../platform/excel/read.ts';
import { orgUnits, people, positions } from '../../platform/org/schema.ts';
import { assessRiskEventTx } from './assess.ts';
import { configOf } from './config.ts';
import { formatDay, tenantInfo } from './directory.ts';
import { createRiskEventTx } from './events.ts';
import { codeOf, controlLevelLabels, cycleUnitLabels, levelLabels, objectTypeLabels, workDayLabels } from './labels.ts';
import { createMeasureTx } from './measures.ts';
import { scoreFactors } from './methodRules.ts';
import { riskPermissions as P } from './permissions.ts';
import { createRiskObjectTx, createRiskUnitTx } from './register.ts';
import { riskAssessments, riskControlMeasures as M, riskEvents as E, riskObjects as O, riskUnits as U, type CheckCycleUnit, type RiskObjectType, type WorkDayType } from './schema.ts';
import { eventScope, measureScope, objectScope, unitScope } from './store.ts';

/**
 * The register in Excel (风险分级管控清单): one row per control measure, with its event, unit and object
 * on the same row (an event without measures gets one row of its own). Export and import share one
 * column layout, so an exported sheet imports again. Import matches what exists (object by code, unit by
 * name in its object, event by name in its unit, measure by description in its event) and creates the
 * rest; every row is checked first, and any problem means nothing is written.
 */

export const MAX_IMPORT_BYTES = 5 * 1024 * 1024;
export const MAX_IMPORT_ROWS = 5_000;
export const MAX_EXPORT_ROWS = 50_000;
const MAX_ROW_ERRORS = 1000;

export const sheetName = { 'zh-CN': '风险分级管控清单', en: 'Risk register' } as const;

type ColumnKey =
  | 'objectCode'
  | 'objectName'
  | 'objectType'
  | 'objectUnitCode'
  | 'unitName'
  | 'unitDeptCode'
  | 'unitPersonNo'
  | 'eventName'
  | 'eventDescription'
  | 'consequences'
  | 'method'
  | 'factors'
  | 'score'
  | 'level'
  | 'controlLevels'
  | 'reassessDueAt'
  | 'measure'
  | 'classify1'
  | 'classify2'
  | 'classify3'
  | 'troubleshootContent'
  | 'checkCycle'
  | 'checkCycleUnit'
  | 'workDayType'
  | 'measureUnitCode'
  | 'positionCode'
  | 'measurePersonNo';

interface Column {
  key: ColumnKey;
  'zh-CN': string;
  en: string;
  width: number;
  imported?: boolean;
  required?: boolean;
}

export const riskColumns: Column[] = [
  { key: 'objectCode', 'zh-CN': '风险分析对象编码', en: 'Object code', width: 14, imported: true, required: true },
  { key: 'objectName', 'zh-CN': '风险分析对象', en: 'Object', width: 20, imported: true, required: true },
  { key: 'objectType', 'zh-CN': '对象类型', en: 'Object type', width: 10, imported: true, required: true },
  { key: 'objectUnitCode', 'zh-CN': '所属单位编码', en: 'Owning unit code', width: 12, imported: true, required: true },
  { key: 'unitName', 'zh-CN': '风险分析单元', en: 'Risk unit', width: 20, imported: true, required: true },
  { key: 'unitDeptCode', 'zh-CN': '责任部门编码', en: 'Responsible department code', width: 12, imported: true, required: true },
  { key: 'unitPersonNo', 'zh-CN': '单元责任人工号', en: 'Unit owner no', width: 12, imported: true },
  { key: 'eventName', 'zh-CN': '风险事件', en: 'Risk event', width: 24, imported: true, required: true },
  { key: 'eventDescription', 'zh-CN': '事件描述', en: 'Event description', width: 30, imported: true },
  { key: 'consequences', 'zh-CN': '可能导致的后果', en: 'Consequences', width: 20, imported: true },
  { key: 'method', 'zh-CN': '评价方法', en: 'Method', width: 8, imported: true },
  { key: 'factors', 'zh-CN': '评价因子', en: 'Factors', width: 16, imported: true },
  { key: 'score', 'zh-CN': '风险值', en: 'Score', width: 8 },
  { key: 'level', 'zh-CN': '风险等级', en: 'Level', width: 8 },
  { key: 'controlLevels', 'zh-CN': '管控层级', en: 'Control levels', width: 20 },
  { key: 'reassessDueAt', 'zh-CN': '复评日期', en: 'Re-assess by', width: 12 },
  { key: 'measure', 'zh-CN': '管控措施', en: 'Control measure', width: 36, imported: true },
  { key: 'classify1', 'zh-CN': '措施分类1', en: 'Class 1', width: 10, imported: true },
  { key: 'classify2', 'zh-CN': '措施分类2', en: 'Class 2', width: 12, imported: true },
  { key: 'classify3', 'zh-CN': '措施分类3', en: 'Class 3', width: 12, imported: true },
  { key: 'troubleshootContent', 'zh-CN': '隐患排查内容', en: 'Check content', width: 30, imported: true },
  { key: 'checkCycle', 'zh-CN': '排查周期', en: 'Check cycle', width: 8, imported: true },
  { key: 'checkCycleUnit', 'zh-CN': '周期单位', en: 'Cycle unit', width: 8, imported: true },
  { key: 'workDayType', 'zh-CN': '工作日类型', en: 'Work-day type', width: 10, imported: true },
  { key: 'measureUnitCode', 'zh-CN': '措施责任单位编码', en: 'Measure unit code', width: 14, imported: true },
  { key: 'positionCode', 'zh-CN': '责任岗位编码', en: 'Position code', width: 12, imported: true },
  { key: 'measurePersonNo', 'zh-CN': '措施责任人工号', en: 'Measure owner no', width: 12, imported: true },
];

type Line = Record<ColumnKey, string | number>;

// ---------------------------------------------------------------------------------------------------------
// Export
// ---------------------------------------------------------------------------------------------------------

async function codesOf(tx: Tx, tenantId: string, ids: { units: (string | null)[]; people: (string | null)[]; positions: (string | null)[] }) {
  const uniq = (xs: (string | null)[]) => [...new Set(xs.filter((v): v is string => v !== null))];
  const u = uniq(ids.units);
  const p = uniq(ids.people);
  const q = uniq(ids.positions);
  const unitRows = u.length ? await tx.select({ id: orgUnits.id, code: orgUnits.code }).from(orgUnits).where(and(eq(orgUnits.tenantId, tenantId), inArray(orgUnits.id, u))) : [];
  const personRows = p.length ? await tx.select({ id: people.id, code: people.employeeNo }).from(people).where(and(eq(people.tenantId, tenantId), inArray(people.id, p))) : [];
  const positionRows = q.length ? await tx.select({ id: positions.id, code: positions.code }).from(positions).where(and(eq(positions.tenantId, tenantId), inArray(positions.id, q))) : [];
  const map = (rows: { id: string; code: string }[]) => {
    const m = new Map(rows.map((r) => [r.id, r.code]));
    return (id: string | null) => (id ? (m.get(id) ?? '') : '');
  };
  return { unit: map(unitRows), person: map(personRows), position: map(positionRows) };
}

async function registerLines(tx: Tx, ctx: Ctx): Promise<Line[]> {
  const tenantId = ctx.actor.tenantId;
  const locale: Locale = ctx.locale;
  const { timeZone } = await tenantInfo(tx, tenantId);
  const config = await configOf(tx, tenantId);
  const classLabel = (code: string | null) => {
    if (!code) return '';
    const c = config.measureClasses.find((x) => x.code === code);
    return c ? (locale === 'en' ? c.labelEn : c.labelZh) : code;
  };
  const events = await tx
    .select()
    .from(E)
    .where(and(eventScope(ctx.actor), isNull(E.archivedAt)))
    .orderBy(asc(E.objectId), asc(E.unitId), asc(E.id))
    .limit(MAX_EXPORT_ROWS);
  const objects = await tx.select().from(O).where(and(objectScope(ctx.actor), isNull(O.archivedAt)));
  const units = await tx.select().from(U).where(and(unitScope(ctx.actor), isNull(U.archivedAt)));
  const measures = events.length ? await tx.select().from(M).where(and(measureScope(ctx.actor), isNull(M.archivedAt))).orderBy(asc(M.id)) : [];
  const currentIds = events.map((e) => e.currentAssessmentId).filter((v): v is string => v !== null);
  const current = currentIds.length ? await tx.select().from(riskAssessments).where(and(eq(riskAssessments.tenantId, tenantId), inArray(riskAssessments.id, currentIds))) : [];
  const codes = await codesOf(tx, tenantId, {
    units: [...objects.map((o) => o.orgUnitId), ...units.map((u) => u.orgUnitId), ...measures.map((m) => m.orgUnitId)],
    people: [...units.map((u) => u.responsiblePersonId), ...measures.map((m) => m.responsiblePersonId)],
    positions: measures.map((m) => m.responsiblePositionId),
  });
  const objectOrder = new Map([...objects].sort((a, b) => a.code.localeCompare(b.code)).map((o, i) => [o.id, i]));
  const sorted = [...events].sort((a, b) => (objectOrder.get(a.objectId) ?? 0) - (objectOrder.get(b.objectId) ?? 0));
  const lines: Line[] = [];
  for (const e of sorted) {
    const o = objects.find((x) => x.id === e.objectId);
    const u = units.find((x) => x.id === e.unitId);
    // A part of the register outside the caller's sight (an object of another plant) is not exported.
    if (!o || !u) continue;
    const a = current.find((x) => x.id === e.currentAssessmentId);
    const base = {
      objectCode: o.code,
      objectName: o.name,
      objectType: objectTypeLabels[o.type][locale],
      objectUnitCode: codes.unit(o.orgUnitId),
      unitName: u.name,
      unitDeptCode: codes.unit(u.orgUnitId),
      unitPersonNo: codes.person(u.responsiblePersonId),
      eventName: e.name,
      eventDescription: e.description ?? '',
      consequences: e.consequences ?? '',
      method: a?.methodCode ?? '',
      factors: a ? a.factors.map((f) => `${f.key}=${f.value}`).join(';') : '',
      score: a ? a.score : '',
      level: a ? levelLabels[a.level][locale] : '',
      controlLevels: a ? a.controlLevels.map((c) => controlLevelLabels[c][locale]).join('、') : '',
      reassessDueAt: formatDay(e.reassessDueAt, timeZone),
    };
    const ms = measures.filter((m) => m.eventId === e.id);
    const empty = { measure: '', classify1: '', classify2: '', classify3: '', troubleshootContent: '', checkCycle: '', checkCycleUnit: '', workDayType: '', measureUnitCode: '', positionCode: '', measurePersonNo: '' };
    if (ms.length === 0) lines.push({ ...base, ...empty });
    for (const m of ms) {
      lines.push({
        ...base,
        measure: m.description,
        classify1: classLabel(m.classify1),
        classify2: classLabel(m.classify2),
        classify3: m.classify3 ?? '',
        troubleshootContent: m.troubleshootContent,
        checkCycle: m.checkCycle,
        checkCycleUnit: cycleUnitLabels[m.checkCycleUnit][locale],
        workDayType: workDayLabels[m.workDayType][locale],
        measureUnitCode: codes.unit(m.orgUnitId),
        positionCode: codes.position(m.responsiblePositionId),
        measurePersonNo: codes.person(m.responsiblePersonId),
      });
    }
  }
  return lines;
}

/**
 * `GET /risks/export.xlsx`: the register the caller may see. A register is thousands of rows, not the
 * hundreds of thousands of a hazard ledger, so it is built in memory (capped at MAX_EXPORT_ROWS events).
 */
export async function exportRiskRegister(ctx: Ctx): Promise<{ buffer: Buffer; fileName: string }> {
  requirePermission(ctx.actor, P.read);
  // configOf seeds the defaults for a tenant that never used the register: a write, hence tx.
  const { lines, timeZone } = await ctx.db.tx(async (tx) => ({ lines: await registerLines(tx, ctx), timeZone: (await tenantInfo(tx, ctx.actor.tenantId)).timeZone }));
  const { default: Excel } = await import('exceljs');
  const wb = new Excel.Workbook();
  wb.creator = 'SafeLoop';
  const ws = wb.addWorksheet(sheetName[ctx.locale], { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.columns = riskColumns.map((c) => ({ header: c[ctx.locale], key: c.key, width: c.width, style: { numFmt: c.key === 'score' || c.key === 'checkCycle' ? 'General' : '@' } }));
  ws.getRow(1).font = { bold: true };
  for (const line of lines) ws.addRow(line);
  const buffer = Buffer.from(await wb.xlsx.writeBuffer());
  const day = formatDay(ctx.now(), timeZone);
  return { buffer, fileName: ctx.locale === 'en' ? `risk-register-${day}.xlsx` : `风险分级管控清单-${day}.xlsx` };
}

/** An empty workbook with the import columns and a sheet of instructions. */
export async function riskImportTemplate(ctx: Ctx): Promise<{ buffer: Buffer; fileName: string }> {
  requirePermission(ctx.actor, P.write);
  const config = await ctx.db.tx((tx) => configOf(tx, ctx.actor.tenantId));
  const en = ctx.locale === 'en';
  const { default: Excel } = await import('exceljs');
  const wb = new Excel.Workbook();
  const ws = wb.addWorksheet(sheetName[ctx.locale]);
  ws.columns = riskColumns.filter((c) => c.imported).map((c) => ({ header: c[ctx.locale], key: c.key, width: c.width, style: { numFmt: '@' } }));
  ws.getRow(1).font = { bold: true };
  const help = wb.addWorksheet(en ? 'Instructions' : '说明');
  help.getColumn(1).width = 130;
  const label = (l: { 'zh-CN': string; en: string }) => l[ctx.locale];
  const methods = config.methods.filter((m) => m.active).map((m) => `${m.code}: ${m.factors.map((f) => `${f.key} ∈ {${f.options.map((o) => o.value).join(', ')}}`).join('; ')}`);
  const classes = config.measureClasses.filter((c) => c.parentCode === null && c.active).map((c) => `${en ? c.labelEn : c.labelZh} → ${config.measureClasses.filter((x) => x.parentCode === c.code && x.active).map((x) => (en ? x.labelEn : x.labelZh)).join('/')}`);
  const lines = en
    ? [
        'One control measure per row, with its object, risk unit and risk event on the same row. An event without measures: leave the measure columns empty.',
        'Required: Object code, Object, Object type, Owning unit code, Risk unit, Responsible department code, Risk event. With a measure also: Class 1, Check content, Check cycle, Cycle unit, Work-day type.',
        `Object type: ${Object.values(objectTypeLabels).map(label).join(' / ')}. Cycle unit: ${Object.values(cycleUnitLabels).map(label).join(' / ')}. Work-day type: ${Object.values(workDayLabels).map(label).join(' / ')}.`,
        `Method and factors assess a new (or never assessed) event, e.g. lec with L=6;E=6;C=15. ${methods.join(' | ')}`,
        `Measure classes: ${classes.join('; ')}.`,
        'Existing objects (by code), units (by name), events (by name) and measures (by description) are kept as they are. If any row has a problem nothing is imported and every problem is listed.',
      ]
    : [
        '每行一条管控措施，同一行填写其风险分析对象、分析单元和风险事件；没有措施的风险事件，措施各列留空。',
        '必填：风险分析对象编码、风险分析对象、对象类型、所属单位编码、风险分析单元、责任部门编码、风险事件；有措施时还需：措施分类1、隐患排查内容、排查周期、周期单位、工作日类型。',
        `对象类型：${Object.values(objectTypeLabels).map(label).join('、')}；周期单位：${Object.values(cycleUnitLabels).map(label).join('、')}；工作日类型：${Object.values(workDayLabels).map(label).join('、')}。`,
        `评价方法与评价因子用于新的（或尚未评价的）风险事件，例如 lec 与 L=6;E=6;C=15。${methods.join(' | ')}`,
        `措施分类：${classes.join('；')}。`,
        '已有的对象（按编码）、单元（按名称）、事件（按名称）和措施（按内容）保持不变。系统先校验所有行，任何一行有错则整份文件都不导入，并列出每个错误。',
      ];
  for (const l of lines) help.addRow([l]);
  return { buffer: Buffer.from(await wb.xlsx.writeBuffer()), fileName: en ? 'risk-register-template.xlsx' : '风险清单导入模板.xlsx' };
}

// ---------------------------------------------------------------------------------------------------------
// Import
// ---------------------------------------------------------------------------------------------------------

export type { RowError };

export interface RiskImportResult {
  ok: true;
  dryRun: boolean;
  rows: number;
  created: { objects: number; units: number; events: number; measures: number; assessments: number };
  unchanged: number;
}


type ParsedRow = SheetRow<ColumnKey>;

async function parseWorkbook(file: Buffer): Promise<{ sheet: string; rows: ParsedRow[]; errors: RowError[] }> {
  const wb = await loadWorkbook(file);
  const ws = findSheet(wb, sheetName) ?? wb.worksheets[0];
  if (!ws) return { sheet: '', rows: [], errors: [{ sheet: '', row: 0, field: 'sheet', column: '', message: `no sheet named ${sheetName['zh-CN']} / ${sheetName.en}` }] };
  if (ws.actualRowCount > MAX_IMPORT_ROWS + 1) throw new AppError('payload_too_large', `file: at most ${MAX_IMPORT_ROWS} rows per import`);
  const errors: RowError[] = [];
  const { rows } = readSheet(ws, riskColumns, errors, {
    imported: (c) => c.imported === true,
  });
  if (rows.length > MAX_IMPORT_ROWS) throw new AppError('payload_too_large', `file: at most ${MAX_IMPORT_ROWS} rows per import`);
  return { sheet: ws.name, rows, errors };
}

/** "L=6;E=6;C=15" (also with commas, ；, ＝ or spaces) → { L: 6, E: 6, C: 15 }; null when malformed. */
export function parseFactors(raw: string): Record<string, number> | null {
  const out: Record<string, number> = {};
  const parts = raw
    .replace(/＝/g, '=')
    .split(/[;；,，\s]+/)
    .filter(Boolean);
  for (const p of parts) {
    const m = /^([A-Za-z][A-Za-z0-9_]{0,9})=(-?\d+(?:\.\d+)?)$/.exec(p);
    if (!m) return null;
    out[m[1] as string] = Number(m[2]);
  }
  return parts.length ? out : null;
}

interface PlannedMeasure {
  description: string;
  classify1: string;
  classify2: string | null;
  classify3: string | null;
  troubleshootContent: string;
  checkCycle: number;
  checkCycleUnit: CheckCycleUnit;
  workDayType: WorkDayType;
  orgUnitId: string | null;
  responsiblePositionId: string | null;
  responsiblePersonId: string | null;
}

interface PlannedRow {
  row: number;
  object: { code: string; name: string; type: RiskObjectType; orgUnitId: string };
  unit: { name: string; orgUnitId: string; responsiblePersonId: string | null };
  event: { name: string; description: string | null; consequences: string | null };
  assessment: { methodCode: string; factors: Record<string, number> } | null;
  measure: PlannedMeasure | null;
}

const LIMITS: Partial<Record<ColumnKey, number>> = {
  objectCode: 50,
  objectName: 200,
  unitName: 200,
  eventName: 200,
  eventDescription: 2000,
  consequences: 1000,
  measure: 2000,
  classify3: 200,
  troubleshootContent: 2000,
};

async function planImport(tx: Tx, ctx: Ctx, sheet: string, rows: ParsedRow[], errors: RowError[]): Promise<PlannedRow[]> {
  const tenantId = ctx.actor.tenantId;
  const err = (row: number, field: ColumnKey, message: string) => {
    const c = riskColumns.find((x) => x.key === field);
    errors.push({ sheet, row, field, column: c?.['zh-CN'] ?? field, message });
  };
  const config = await configOf(tx, tenantId);
  const classOf = (raw: string, parent: string | null) => {
    const v = raw.trim();
    return config.measureClasses.find((c) => c.active && c.parentCode === parent && (c.code === v.toLowerCase() || c.labelZh === v || c.labelEn.toLowerCase() === v.toLowerCase())) ?? null;
  };
  const unitCodes = [...new Set(rows.flatMap((r) => [r.cells.objectUnitCode, r.cells.unitDeptCode, r.cells.measureUnitCode]).filter(Boolean))];
  const units = unitCodes.length ? await tx.select().from(orgUnits).where(and(eq(orgUnits.tenantId, tenantId), inArray(orgUnits.code, unitCodes))) : [];
  const nos = [...new Set(rows.flatMap((r) => [r.cells.unitPersonNo, r.cells.measurePersonNo]).filter(Boolean))];
  const persons = nos.length ? await tx.select({ id: people.id, no: people.employeeNo, status: people.status }).from(people).where(and(eq(people.tenantId, tenantId), inArray(people.employeeNo, nos))) : [];
  const posCodes = [...new Set(rows.map((r) => r.cells.positionCode).filter(Boolean))];
  const posts = posCodes.length ? await tx.select({ id: positions.id, code: positions.code, active: positions.active }).from(positions).where(and(eq(positions.tenantId, tenantId), inArray(positions.code, posCodes))) : [];
  const mayAssess = can(ctx.actor, P.assess);
  const out: PlannedRow[] = [];
  for (const { row, cells: c } of rows) {
    const before = errors.length;
    for (const col of riskColumns) {
      if (col.imported && col.required && !c[col.key]) err(row, col.key, 'required');
      const max = LIMITS[col.key];
      if (max && c[col.key].length > max) err(row, col.key, `at most ${max} characters`);
    }
    const orgUnit = (field: ColumnKey) => {
      const code = c[field];
      if (!code) return null;
      const u = units.find((x) => x.code === code && x.active);
      if (!u) err(row, field, `"${code}" is not an org unit code of this company`);
      else if (!pathInScope(ctx.actor, u.path)) err(row, field, `${code} is outside your data scope`);
      return u ?? null;
    };
    const person = (field: ColumnKey) => {
      const no = c[field];
      if (!no) return null;
      const p = persons.find((x) => x.no === no && x.status === 'active');
      if (!p) err(row, field, `no active person with employee number ${no}`);
      return p ?? null;
    };
    const objectType = codeOf(objectTypeLabels, c.objectType);
    if (c.objectType && !objectType) err(row, 'objectType', `"${c.objectType}" is not an object type (${Object.values(objectTypeLabels).map((l) => l['zh-CN']).join('/')})`);
    const objectUnit = orgUnit('objectUnitCode');
    const dept = orgUnit('unitDeptCode');
    const unitPerson = person('unitPersonNo');
    let assessment: PlannedRow['assessment'] = null;
    if (c.factors || c.method) {
      const code = (c.method || config.settings.defaultMethodCode).toLowerCase();
      const method = config.methods.find((m) => m.code === code && m.active);
      const factors = c.factors ? parseFactors(c.factors) : null;
      if (!mayAssess) err(row, 'factors', 'assessing needs the permission risk:assess; leave Method and Factors empty');
      else if (!method) err(row, 'method', `"${c.method}" is not an active assessment method (${config.methods.filter((m) => m.active).map((m) => m.code).join(', ')})`);
      else if (!factors) err(row, 'factors', `"${c.factors}" is not a list of factor values such as L=6;E=6;C=15`);
      else {
        try {
          scoreFactors(method, factors, 'zh-CN');
          assessment = { methodCode: method.code, factors };
        } catch (e) {
          if (!(e instanceof AppError)) throw e;
          for (const fe of e.errors ?? []) err(row, 'factors', fe.message);
        }
      }
    }
    let measure: PlannedMeasure | null = null;
    if (c.measure) {
      for (const key of ['classify1', 'troubleshootContent', 'checkCycle', 'checkCycleUnit', 'workDayType'] as const) if (!c[key]) err(row, key, 'required with a control measure');
      const c1 = c.classify1 ? classOf(c.classify1, null) : null;
      if (c.classify1 && !c1) err(row, 'classify1', `"${c.classify1}" is not a control-measure class`);
      const c2 = c.classify2 && c1 ? classOf(c.classify2, c1.code) : null;
      if (c.classify2 && c1 && !c2) err(row, 'classify2', `"${c.classify2}" is not a sub-class of ${c.classify1}`);
      const cycle = Number(c.checkCycle);
      if (c.checkCycle && (!Number.isInteger(cycle) || cycle < 1 || cycle > 1000)) err(row, 'checkCycle', `"${c.checkCycle}" is not a whole number from 1 to 1000`);
      const cycleUnit = codeOf(cycleUnitLabels, c.checkCycleUnit);
      if (c.checkCycleUnit && !cycleUnit) err(row, 'checkCycleUnit', `"${c.checkCycleUnit}" is not a cycle unit (${Object.values(cycleUnitLabels).map((l) => l['zh-CN']).join('/')})`);
      const workDay = codeOf(workDayLabels, c.workDayType);
      if (c.workDayType && !workDay) err(row, 'workDayType', `"${c.workDayType}" is not a work-day type (${Object.values(workDayLabels).map((l) => l['zh-CN']).join('/')})`);
      const mUnit = orgUnit('measureUnitCode');
      const mPerson = person('measurePersonNo');
      const post = c.positionCode ? posts.find((p) => p.code === c.positionCode && p.active) : null;
      if (c.positionCode && !post) err(row, 'positionCode', `"${c.positionCode}" is not a position code of this company`);
      if (c1 && cycleUnit && workDay && errors.length === before) {
        measure = {
          description: c.measure,
          classify1: c1.code,
          classify2: c2?.code ?? null,
          classify3: c.classify3 || null,
          troubleshootContent: c.troubleshootContent,
          checkCycle: cycle,
          checkCycleUnit: cycleUnit,
          workDayType: workDay,
          orgUnitId: mUnit?.id ?? null,
          responsiblePositionId: post?.id ?? null,
          responsiblePersonId: mPerson?.id ?? null,
        };
      }
    }
    if (errors.length > before || !objectType || !objectUnit || !dept) continue;
    out.push({
      row,
      object: { code: c.objectCode, name: c.objectName, type: objectType, orgUnitId: objectUnit.id },
      unit: { name: c.unitName, orgUnitId: dept.id, responsiblePersonId: unitPerson?.id ?? null },
      event: { name: c.eventName, description: c.eventDescription || null, consequences: c.consequences || null },
      assessment,
      measure,
    });
  }
  return out;
}

async function writeImport(tx: Tx, ctx: Ctx, planned: PlannedRow[], fileInfo: { fileName: string; sha256: string }): Promise<RiskImportResult> {
  const tenantId = ctx.actor.tenantId;
  const created = { objects: 0, units: 0, events: 0, measures: 0, assessments: 0 };
  let unchanged = 0;
  const objectIds = new Map<string, string>();
  const unitIds = new Map<string, string>();
  const eventIds = new Map<string, { id: string; assessed: boolean }>();
  for (const p of planned) {
    let objectId = objectIds.get(p.object.code);
    if (!objectId) {
      const [existing] = await tx
        .select({ id: O.id, archivedAt: O.archivedAt })
        .from(O)
        .where(and(eq(O.tenantId, tenantId), eq(O.code, p.object.code)));
      if (existing?.archivedAt) throw rowFailure(p.row, 'objectCode', `${p.object.code} is an archived risk object; use another code`);
      objectId = existing?.id ?? (await createRiskObjectTx(tx, ctx, p.object)).id;
      if (!existing) created.objects++;
      objectIds.set(p.object.code, objectId);
    }
    const unitKey = `${objectId}\u0000${p.unit.name}`;
    let unitId = unitIds.get(unitKey);
    if (!unitId) {
      const [existing] = await tx
        .select({ id: U.id })
        .from(U)
        .where(and(eq(U.tenantId, tenantId), eq(U.objectId, objectId), eq(U.name, p.unit.name), isNull(U.archivedAt)));
      unitId = existing?.id ?? (await createRiskUnitTx(tx, ctx, { objectId, ...p.unit })).id;
      if (!existing) created.units++;
      unitIds.set(unitKey, unitId);
    }
    const eventKey = `${unitId}\u0000${p.event.name}`;
    let event = eventIds.get(eventKey);
    if (!event) {
      const [existing] = await tx
        .select({ id: E.id, assessed: E.currentAssessmentId })
        .from(E)
        .where(and(eq(E.tenantId, tenantId), eq(E.unitId, unitId), eq(E.name, p.event.name), isNull(E.archivedAt)));
      event = existing ? { id: existing.id, assessed: existing.assessed !== null } : { id: (await createRiskEventTx(tx, ctx, { unitId, ...p.event })).id, assessed: false };
      if (!existing) created.events++;
      eventIds.set(eventKey, event);
    }
    // Only an event that has no assessment yet takes the sheet's: existing results are never overwritten.
    if (p.assessment && !event.assessed) {
      await assessRiskEventTx(tx, ctx, { eventId: event.id, kind: 'inherent', methodCode: p.assessment.methodCode, factors: p.assessment.factors, note: `Excel: ${fileInfo.fileName}`.slice(0, 1000) });
      event.assessed = true;
      created.assessments++;
    }
    if (p.measure) {
      const [existing] = await tx
        .select({ id: M.id })
        .from(M)
        .where(and(eq(M.tenantId, tenantId), eq(M.eventId, event.id), eq(M.description, p.measure.description), isNull(M.archivedAt)));
      if (existing) unchanged++;
      else {
        await createMeasureTx(tx, ctx, { eventId: event.id, ...p.measure, dataSource: 'import' });
        created.measures++;
      }
    } else {
      unchanged++;
    }
  }
  const importId = newId();
  await recordChange(
    tx,
    ctx,
    { action: 'risk.register_imported', entityType: 'import', entityId: importId, after: { ...fileInfo, rows: planned.length, created, unchanged } },
    { type: 'risk.register_imported', entityType: 'import', entityId: importId, payload: { rows: planned.length, ...created } },
  );
  return { ok: true, dryRun: false, rows: planned.length, created, unchanged };
}

function rowFailure(row: number, field: ColumnKey, message: string): AppError {
  const c = riskColumns.find((x) => x.key === field);
  return new AppError('import_failed', `row ${row}: ${message}; nothing was imported`, {
    extra: { rowErrors: [{ sheet: '', row, field, column: c?.['zh-CN'] ?? field, message }], rowErrorCount: 1, rowErrorsTruncated: false },
  });
}

/**
 * `POST /risks/import`: every row is checked first; any problem → 422 `import_failed` with every row error
 * (sheet, row, column, message) and nothing written. Otherwise the whole file is written in one
 * transaction. `dryRun` checks and counts rows without writing.
 */
export async function importRiskRegister(ctx: Ctx, input: { file: Buffer; fileName: string; dryRun: boolean }): Promise<RiskImportResult> {
  requirePermission(ctx.actor, P.write);
  if (input.file.length > MAX_IMPORT_BYTES) throw new AppError('payload_too_large', `file: at most ${MAX_IMPORT_BYTES / 1024 / 1024} MB`);
  const parsed = await parseWorkbook(input.file);
  const fileInfo = { fileName: input.fileName.slice(0, 200), sha256: createHash('sha256').update(input.file).digest('hex') };
  return ctx.db.tx(async (tx) => {
    const errors = [...parsed.errors];
    const planned = errors.length === 0 ? await planImport(tx, ctx, parsed.sheet, parsed.rows, errors) : [];
    if (errors.length === 0 && parsed.rows.length === 0) errors.push({ sheet: parsed.sheet, row: 2, field: 'objectCode', column: riskColumns[0]!['zh-CN'], message: 'the sheet has no rows' });
    if (errors.length > 0) {
      throw new AppError('import_failed', `${errors.length} problem${errors.length === 1 ? '' : 's'} found; nothing was imported`, {
        extra: { rowErrors: errors.slice(0, MAX_ROW_ERRORS), rowErrorCount: errors.length, rowErrorsTruncated: errors.length > MAX_ROW_ERRORS },
      });
    }
    if (input.dryRun) return { ok: true, dryRun: true, rows: planned.length, created: { objects: 0, units: 0, events: 0, measures: 0, assessments: 0 }, unchanged: 0 };
    return writeImport(tx, ctx, planned, fileInfo);
  });
}
