import { and, asc, eq, inArray } from 'drizzle-orm';
import type ExcelJS from 'exceljs';
import { recordChange } from '../../platform/audit/record.ts';
import type { Ctx } from '../../platform/auth/actor.ts';
import { requirePermission } from '../../platform/auth/scope.ts';
import { newId } from '../../platform/db/columns.ts';
import { findSheet, loadWorkbook, readSheet, type RowError, type SheetColumn } from '../../platform/excel/read.ts';
import { AppError } from '../../platform/http/errors.ts';
import { trainingPermissions as P } from './permissions.ts';
import { normaliseQuestion, type QuestionInput, type QuestionRow } from './questions.ts';
import { questions, type QuestionKind } from './schema.ts';

/**
 * The question bank as Excel (题库导入导出): a template, the export (which reads back in unchanged) and the
 * import. An import is all or nothing: every row is checked first, and one bad row means 422 import_failed
 * with every row error (sheet, row, column, message) and nothing written. A row with a 编号 (key) that the
 * bank already has updates that question; rows without one are added.
 */

export const MAX_QUESTION_IMPORT_BYTES = 5 * 1024 * 1024;
export const MAX_QUESTION_ROWS = 5000;
const MAX_ROW_ERRORS = 500;
const OPTION_KEYS = ['A', 'B', 'C', 'D', 'E', 'F'] as const;

export const sheetName = { 'zh-CN': '题库', en: 'Questions' };

type Key = 'externalKey' | 'kind' | 'category' | 'difficulty' | 'stem' | 'optionA' | 'optionB' | 'optionC' | 'optionD' | 'optionE' | 'optionF' | 'answer' | 'explanation' | 'active';

export const questionColumns: readonly SheetColumn<Key>[] = [
  { key: 'externalKey', 'zh-CN': '编号', en: 'Key', aliases: ['题号'] },
  { key: 'kind', 'zh-CN': '题型', en: 'Type', required: true },
  { key: 'category', 'zh-CN': '分类', en: 'Category', required: true },
  { key: 'difficulty', 'zh-CN': '难度', en: 'Difficulty', required: true },
  { key: 'stem', 'zh-CN': '题干', en: 'Question', aliases: ['题目'], required: true },
  ...OPTION_KEYS.map((k) => ({ key: `option${k}` as Key, 'zh-CN': `选项${k}`, en: `Option ${k}` })),
  { key: 'answer', 'zh-CN': '答案', en: 'Answer', aliases: ['正确答案'], required: true },
  { key: 'explanation', 'zh-CN': '解析', en: 'Explanation' },
  { key: 'active', 'zh-CN': '启用', en: 'Active' },
];

const kindNames: Record<QuestionKind, string[]> = { single: ['单选', '单选题', 'single'], multiple: ['多选', '多选题', 'multiple'], true_false: ['判断', '判断题', 'true_false', 'true/false'] };
const kindLabel: Record<QuestionKind, string> = { single: '单选', multiple: '多选', true_false: '判断' };
const difficultyNames: Record<string, number> = { '1': 1, '2': 2, '3': 3, 易: 1, 简单: 1, 中: 2, 中等: 2, 难: 3, 困难: 3, easy: 1, medium: 2, hard: 3 };

function kindOf(raw: string): QuestionKind | null {
  const v = raw.trim().toLowerCase();
  for (const [k, names] of Object.entries(kindNames) as [QuestionKind, string[]][]) if (names.includes(v)) return k;
  return null;
}

/** 答案 as people type it: "AC", "A,C", "A、C"; 正确/错误/对/错/√/× for true/false. */
function answerOf(raw: string, kind: QuestionKind): string[] {
  const v = raw.trim().toUpperCase();
  if (kind === 'true_false') {
    if (['T', 'TRUE', '正确', '对', '√', '是', 'Y'].includes(v)) return ['T'];
    if (['F', 'FALSE', '错误', '错', '×', '否', 'N'].includes(v)) return ['F'];
    return [v];
  }
  return v.replace(/[\s,，、;；]/g, '').split('');
}

function activeOf(raw: string): boolean | null {
  const v = raw.trim().toLowerCase();
  if (v === '') return true;
  if (['是', 'y', 'yes', 'true', '1', '启用'].includes(v)) return true;
  if (['否', 'n', 'no', 'false', '0', '停用'].includes(v)) return false;
  return null;
}

/** Which column a normaliseQuestion field error belongs to. */
function columnOfField(field: string): Key {
  const m = /^options\.(\d)$/.exec(field);
  if (m) return `option${OPTION_KEYS[Number(m[1])] ?? 'A'}` as Key;
  if (field === 'options') return 'optionA';
  return (['stem', 'category', 'difficulty', 'answer'].includes(field) ? field : 'stem') as Key;
}

interface PlannedQuestion {
  row: number;
  externalKey: string | null;
  fields: ReturnType<typeof normaliseQuestion>;
  active: boolean;
  existing: QuestionRow | null;
}

function addSheet(wb: ExcelJS.Workbook, rows: QuestionRow[]) {
  const ws = wb.addWorksheet(sheetName['zh-CN']);
  ws.columns = questionColumns.map((c) => ({ header: c['zh-CN'], key: c.key, width: c.key === 'stem' ? 50 : c.key.startsWith('option') ? 22 : c.key === 'explanation' ? 40 : 10 }));
  for (const q of rows) {
    const opts = q.kind === 'true_false' ? [] : q.options;
    ws.addRow({
      externalKey: q.externalKey ?? '',
      kind: kindLabel[q.kind],
      category: q.category,
      difficulty: q.difficulty,
      stem: q.stem,
      ...Object.fromEntries(OPTION_KEYS.map((k, i) => [`option${k}`, opts[i]?.text ?? ''])),
      answer: q.kind === 'true_false' ? (q.answer[0] === 'T' ? '正确' : '错误') : q.answer.join(''),
      explanation: q.explanation ?? '',
      active: q.active ? '是' : '否',
    });
  }
  ws.getRow(1).font = { bold: true };
  return ws;
}

/** The template: the header and three example rows, one per question type. */
export async function questionTemplate(ctx: Ctx): Promise<Buffer> {
  requirePermission(ctx.actor, P.write);
  const { default: ExcelJS } = await import('exceljs');
  const wb = new ExcelJS.Workbook();
  const example = (kind: QuestionKind, stem: string, options: string[], answer: string[]): QuestionRow =>
    ({ externalKey: null, kind, category: '动火作业', difficulty: 1, stem, options: options.map((text, i) => ({ key: OPTION_KEYS[i]!, text })), answer, explanation: '', active: true }) as unknown as QuestionRow;
  addSheet(wb, [
    example('single', '特级动火作业票的有效期最长为多少小时？', ['4', '8', '12', '24'], ['B']),
    example('multiple', '动火作业前必须做到哪些？', ['办理作业票', '气体分析合格', '清除可燃物', '口头通知即可'], ['A', 'B', 'C']),
    example('true_false', '动火作业中断超过 60 分钟应重新进行气体分析。', [], ['T']),
  ]);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** The whole bank (retired questions too) in the template's columns, ready to edit and import again. */
export async function exportQuestionsExcel(ctx: Ctx): Promise<Buffer> {
  requirePermission(ctx.actor, P.write);
  const rows = await ctx.db.read((tx) => tx.select().from(questions).where(eq(questions.tenantId, ctx.actor.tenantId)).orderBy(asc(questions.category), asc(questions.id)));
  const { default: ExcelJS } = await import('exceljs');
  const wb = new ExcelJS.Workbook();
  addSheet(wb, rows);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

export interface QuestionImportResult {
  ok: true;
  dryRun: boolean;
  created: number;
  updated: number;
  unchanged: number;
}

export async function importQuestions(ctx: Ctx, input: { file: Buffer; dryRun: boolean }): Promise<QuestionImportResult> {
  requirePermission(ctx.actor, P.write);
  const wb = await loadWorkbook(input.file);
  const errors: RowError[] = [];
  const ws = findSheet(wb, sheetName) ?? wb.worksheets[0];
  if (!ws) throw new AppError('import_failed', 'the workbook has no sheet', { extra: { rowErrors: [], rowErrorCount: 0, rowErrorsTruncated: false } });
  if (ws.actualRowCount > MAX_QUESTION_ROWS + 1) throw new AppError('payload_too_large', `file: at most ${MAX_QUESTION_ROWS} questions per import`);
  const read = readSheet(ws, questionColumns, errors);
  const err = (row: number, key: Key, message: string) => {
    const column = read.headerOf.get(key) ?? questionColumns.find((c) => c.key === key)?.['zh-CN'] ?? key;
    errors.push({ sheet: ws.name, row, field: key, column, message: `${column}: ${message}` });
  };

  return ctx.db.tx(async (tx) => {
    const keys = [...new Set(read.rows.map((r) => r.cells.externalKey.trim()).filter(Boolean))];
    const existing = keys.length ? await tx.select().from(questions).where(and(eq(questions.tenantId, ctx.actor.tenantId), inArray(questions.externalKey, keys))) : [];
    const byKey = new Map(existing.map((q) => [q.externalKey!, q]));
    const seen = new Map<string, number>();
    const planned: PlannedQuestion[] = [];
    if (read.rows.length === 0 && errors.length === 0) err(2, 'stem', 'the sheet has no questions');
    for (const r of read.rows) {
      const c = r.cells;
      const key = c.externalKey.trim() || null;
      if (key && key.length > 100) {
        err(r.row, 'externalKey', 'at most 100 characters');
        continue;
      }
      if (key && seen.has(key)) {
        err(r.row, 'externalKey', `${key} appears twice (also row ${seen.get(key)})`);
        continue;
      }
      if (key) seen.set(key, r.row);
      const kind = kindOf(c.kind);
      if (!kind) {
        err(r.row, 'kind', `"${c.kind}" is not one of 单选/多选/判断`);
        continue;
      }
      const difficulty = difficultyNames[c.difficulty.trim().toLowerCase()];
      if (!difficulty) {
        err(r.row, 'difficulty', `"${c.difficulty}" is not 1/2/3 (易/中/难)`);
        continue;
      }
      const active = activeOf(c.active);
      if (active === null) {
        err(r.row, 'active', `"${c.active}" is not 是/否`);
        continue;
      }
      // Options are read up to the last filled one, so a gap (A, B, _, D) is reported rather than closed up.
      const raw = OPTION_KEYS.map((k) => c[`option${k}` as Key]);
      const last = raw.reduce((n, v, i) => (v.trim() ? i + 1 : n), 0);
      const qi: QuestionInput = { kind, category: c.category, difficulty, stem: c.stem, options: raw.slice(0, last), answer: answerOf(c.answer, kind), explanation: c.explanation || null };
      if (c.stem.length > 2000) {
        err(r.row, 'stem', 'at most 2000 characters');
        continue;
      }
      try {
        const fields = normaliseQuestion(qi);
        planned.push({ row: r.row, externalKey: key, fields, active, existing: key ? (byKey.get(key) ?? null) : null });
      } catch (e) {
        if (!(e instanceof AppError)) throw e;
        const field = e.errors?.[0]?.field ?? 'stem';
        err(r.row, columnOfField(field), e.message.replace(/^[\w.]+: /, ''));
      }
    }
    if (errors.length > 0) {
      throw new AppError('import_failed', `${errors.length} problem${errors.length === 1 ? '' : 's'} found; nothing was imported`, {
        extra: { rowErrors: errors.slice(0, MAX_ROW_ERRORS), rowErrorCount: errors.length, rowErrorsTruncated: errors.length > MAX_ROW_ERRORS },
      });
    }
    const same = (p: PlannedQuestion) => {
      const q = p.existing!;
      return q.kind === p.fields.kind && q.category === p.fields.category && q.difficulty === p.fields.difficulty && q.stem === p.fields.stem && JSON.stringify(q.options) === JSON.stringify(p.fields.options) && q.answer.join() === p.fields.answer.join() && (q.explanation ?? null) === p.fields.explanation && q.active === p.active;
    };
    const toCreate = planned.filter((p) => !p.existing);
    const toUpdate = planned.filter((p) => p.existing && !same(p));
    const result: QuestionImportResult = { ok: true, dryRun: input.dryRun, created: toCreate.length, updated: toUpdate.length, unchanged: planned.length - toCreate.length - toUpdate.length };
    if (input.dryRun) return result;
    const now = ctx.now();
    const createdIds: string[] = [];
    for (let i = 0; i < toCreate.length; i += 500) {
      const values = toCreate.slice(i, i + 500).map((p) => {
        const id = newId();
        createdIds.push(id);
        return { id, tenantId: ctx.actor.tenantId, orgUnitId: ctx.actor.orgUnitId, ...p.fields, active: p.active, externalKey: p.externalKey, createdAt: now, createdBy: ctx.actor.userId, updatedAt: now, updatedBy: ctx.actor.userId };
      });
      if (values.length) await tx.insert(questions).values(values);
    }
    for (const p of toUpdate) {
      await tx
        .update(questions)
        .set({ ...p.fields, active: p.active, version: p.existing!.version + 1, updatedAt: now, updatedBy: ctx.actor.userId })
        .where(eq(questions.id, p.existing!.id));
    }
    await recordChange(
      tx,
      ctx,
      { action: 'question.imported', entityType: 'question_bank', entityId: ctx.actor.tenantId, after: { created: result.created, updated: result.updated, unchanged: result.unchanged, createdIds, updatedIds: toUpdate.map((p) => p.existing!.id) } },
      { type: 'question.imported', entityType: 'question_bank', entityId: ctx.actor.tenantId, payload: { created: result.created, updated: result.updated } },
    );
    return result;
  });
}
