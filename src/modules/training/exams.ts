import { and, asc, desc, eq, inArray } from 'drizzle-orm';
import { recordChange } from '../../platform/audit/record.ts';
import type { Ctx } from '../../platform/auth/actor.ts';
import { requirePermission } from '../../platform/auth/scope.ts';
import type { Tx } from '../../platform/db/client.ts';
import { newId } from '../../platform/db/columns.ts';
import { AppError, invalid, notFound } from '../../platform/http/errors.ts';
import { drawByRules, DrawShortage, type BankQuestion } from './examPaper.ts';
import { trainingPermissions as P } from './permissions.ts';
import { examAttempts, exams, questions, type DrawRule, type PaperMode } from './schema.ts';

/** Exams (试卷): a fixed list of questions or random draw rules, with time limit, pass mark and retakes. */

export type ExamRow = typeof exams.$inferSelect;

export interface ExamInput {
  title: string;
  description?: string | null;
  mode: PaperMode;
  questionIds?: string[];
  rules?: DrawRule[];
  timeLimitMinutes: number;
  passMark: number;
  retakes: number;
  active?: boolean;
}

/** The active bank questions a paper may use. */
export async function activeBank(tx: Tx, tenantId: string, ids?: string[]): Promise<BankQuestion[]> {
  const where = [eq(questions.tenantId, tenantId), eq(questions.active, true)];
  if (ids) where.push(inArray(questions.id, ids.length > 0 ? ids : ['00000000-0000-0000-0000-000000000000']));
  return tx
    .select({ id: questions.id, kind: questions.kind, category: questions.category, difficulty: questions.difficulty, stem: questions.stem, options: questions.options, answer: questions.answer, explanation: questions.explanation })
    .from(questions)
    .where(and(...where))
    .orderBy(asc(questions.id));
}

/** A paper that could not be drawn today is refused when the exam is saved, not when a worker starts it. */
async function checkPaper(tx: Tx, tenantId: string, input: Pick<ExamInput, 'mode' | 'questionIds' | 'rules'>): Promise<{ questionIds: string[]; rules: DrawRule[] }> {
  if (input.mode === 'fixed') {
    const ids = [...new Set(input.questionIds ?? [])];
    if (ids.length === 0) throw invalid('questionIds', 'minItems', 'questionIds: a fixed paper needs at least one question');
    const found = new Set((await activeBank(tx, tenantId, ids)).map((q) => q.id));
    const missing = ids.find((id) => !found.has(id));
    if (missing) throw invalid('questionIds', 'exists', `questionIds: ${missing} is not an active question of the bank`);
    return { questionIds: ids, rules: [] };
  }
  const rules = input.rules ?? [];
  if (rules.length === 0) throw invalid('rules', 'minItems', 'rules: a random paper needs at least one draw rule');
  try {
    drawByRules(await activeBank(tx, tenantId), rules, 1);
  } catch (e) {
    if (!(e instanceof DrawShortage)) throw e;
    const i = rules.indexOf(e.rule);
    throw invalid(`rules.${i}.count`, 'available', `rules.${i}.count: ${e.rule.category} (difficulty ${e.rule.difficulty ?? 'any'}) has ${e.available} active questions, ${e.rule.count} asked`);
  }
  return { questionIds: [], rules };
}

function checkSettings(input: Pick<ExamInput, 'title' | 'timeLimitMinutes' | 'passMark' | 'retakes'>): void {
  if (!input.title.trim()) throw invalid('title', 'minLength', 'title: must not be empty');
}

export async function createExam(ctx: Ctx, input: ExamInput): Promise<ExamRow> {
  requirePermission(ctx.actor, P.write);
  checkSettings(input);
  return ctx.db.tx(async (tx) => {
    const paper = await checkPaper(tx, ctx.actor.tenantId, input);
    const now = ctx.now();
    const [row] = await tx
      .insert(exams)
      .values({
        id: newId(),
        tenantId: ctx.actor.tenantId,
        orgUnitId: ctx.actor.orgUnitId,
        title: input.title.trim(),
        description: input.description?.trim() || null,
        mode: input.mode,
        ...paper,
        timeLimitMinutes: input.timeLimitMinutes,
        passMark: input.passMark,
        retakes: input.retakes,
        active: input.active ?? true,
        createdAt: now,
        createdBy: ctx.actor.userId,
        updatedAt: now,
        updatedBy: ctx.actor.userId,
      })
      .returning();
    const exam = row!;
    await recordChange(
      tx,
      ctx,
      { action: 'exam.created', entityType: 'exam', entityId: exam.id, after: { title: exam.title, mode: exam.mode, passMark: exam.passMark, timeLimitMinutes: exam.timeLimitMinutes, retakes: exam.retakes } },
      { type: 'exam.created', entityType: 'exam', entityId: exam.id, payload: { title: exam.title } },
    );
    return exam;
  });
}

export async function updateExam(ctx: Ctx, id: string, patch: Partial<ExamInput>, version: number): Promise<ExamRow> {
  requirePermission(ctx.actor, P.write);
  return ctx.db.tx(async (tx) => {
    const [before] = await tx
      .select()
      .from(exams)
      .where(and(eq(exams.tenantId, ctx.actor.tenantId), eq(exams.id, id)))
      .for('update');
    if (!before) throw notFound('exam');
    if (before.version !== version) throw new AppError('version_conflict', `the exam is at version ${before.version}`, { extra: { currentVersion: before.version } });
    const merged = { title: patch.title ?? before.title, timeLimitMinutes: patch.timeLimitMinutes ?? before.timeLimitMinutes, passMark: patch.passMark ?? before.passMark, retakes: patch.retakes ?? before.retakes };
    checkSettings(merged);
    const paperChanged = patch.mode !== undefined || patch.questionIds !== undefined || patch.rules !== undefined;
    const paper = paperChanged ? await checkPaper(tx, ctx.actor.tenantId, { mode: patch.mode ?? before.mode, questionIds: patch.questionIds ?? before.questionIds, rules: patch.rules ?? before.rules }) : { questionIds: before.questionIds, rules: before.rules };
    const [after] = await tx
      .update(exams)
      .set({
        ...merged,
        title: merged.title.trim(),
        ...(patch.description !== undefined ? { description: patch.description?.trim() || null } : {}),
        mode: patch.mode ?? before.mode,
        ...paper,
        ...(patch.active !== undefined ? { active: patch.active } : {}),
        version: before.version + 1,
        updatedAt: ctx.now(),
        updatedBy: ctx.actor.userId,
      })
      .where(and(eq(exams.id, id), eq(exams.version, before.version)))
      .returning();
    if (!after) throw new AppError('version_conflict', 'the exam changed meanwhile');
    await recordChange(
      tx,
      ctx,
      { action: 'exam.updated', entityType: 'exam', entityId: id, before: { title: before.title, passMark: before.passMark, retakes: before.retakes, active: before.active }, after: { title: after.title, passMark: after.passMark, retakes: after.retakes, active: after.active } },
      { type: 'exam.updated', entityType: 'exam', entityId: id, payload: { title: after.title } },
    );
    return after;
  });
}

export async function listExams(ctx: Ctx): Promise<{ items: ExamRow[] }> {
  requirePermission(ctx.actor, P.write);
  return ctx.db.read(async (tx) => ({ items: await tx.select().from(exams).where(eq(exams.tenantId, ctx.actor.tenantId)).orderBy(desc(exams.createdAt)) }));
}

export async function getExam(ctx: Ctx, id: string): Promise<ExamRow> {
  requirePermission(ctx.actor, P.write);
  return ctx.db.read(async (tx) => {
    const [row] = await tx
      .select()
      .from(exams)
      .where(and(eq(exams.tenantId, ctx.actor.tenantId), eq(exams.id, id)));
    if (!row) throw notFound('exam');
    return row;
  });
}

export interface MyExam {
  id: string;
  title: string;
  description: string | null;
  questionCount: number;
  timeLimitMinutes: number;
  passMark: number;
  attemptsAllowed: number;
  attemptsUsed: number;
  bestScore: number | null;
  passed: boolean;
  activeAttemptId: string | null;
}

export const questionCount = (e: Pick<ExamRow, 'mode' | 'questionIds' | 'rules'>) => (e.mode === 'fixed' ? e.questionIds.length : e.rules.reduce((n, r) => n + r.count, 0));

/** The active exams a person may take, with their own attempts (anyone with a person record). */
export async function listMyExams(ctx: Ctx): Promise<{ items: MyExam[] }> {
  const personId = ctx.actor.personId;
  if (!personId) return { items: [] };
  return ctx.db.read(async (tx) => {
    const rows = await tx
      .select()
      .from(exams)
      .where(and(eq(exams.tenantId, ctx.actor.tenantId), eq(exams.active, true)))
      .orderBy(desc(exams.createdAt));
    const attempts = await tx
      .select({ examId: examAttempts.examId, id: examAttempts.id, status: examAttempts.status, score: examAttempts.score, passed: examAttempts.passed, deadlineAt: examAttempts.deadlineAt })
      .from(examAttempts)
      .where(and(eq(examAttempts.tenantId, ctx.actor.tenantId), eq(examAttempts.personId, personId)));
    const now = ctx.now().getTime();
    return {
      items: rows.map((e) => {
        const mine = attempts.filter((a) => a.examId === e.id);
        const scores = mine.map((a) => a.score).filter((s): s is number => s !== null);
        const open = mine.find((a) => a.status === 'active' && a.deadlineAt.getTime() > now);
        return {
          id: e.id,
          title: e.title,
          description: e.description,
          questionCount: questionCount(e),
          timeLimitMinutes: e.timeLimitMinutes,
          passMark: e.passMark,
          attemptsAllowed: 1 + e.retakes,
          attemptsUsed: mine.length,
          bestScore: scores.length > 0 ? Math.max(...scores) : null,
          passed: mine.some((a) => a.passed === true),
          activeAttemptId: open?.id ?? null,
        };
      }),
    };
  });
}
