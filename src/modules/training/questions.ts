import { and, asc, eq, gt, ilike, or, sql, type SQL } from 'drizzle-orm';
import { recordChange } from '../../platform/audit/record.ts';
import type { Ctx } from '../../platform/auth/actor.ts';
import { requirePermission } from '../../platform/auth/scope.ts';
import { newId } from '../../platform/db/columns.ts';
import { AppError, invalid, notFound } from '../../platform/http/errors.ts';
import { decodeCursor, pageOf } from '../../platform/http/pagination.ts';
import { trainingPermissions as P } from './permissions.ts';
import { questions, type QuestionKind, type QuestionOption } from './schema.ts';

/**
 * The question bank (题库): single choice, multiple choice and true/false, by category and difficulty.
 * The bank holds the correct answers, so reading it needs training:write (the people who set exams);
 * exam takers only ever see the attempt's paper without answers.
 */

export type QuestionRow = typeof questions.$inferSelect;

const KEYS = ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H'];
export const TRUE_FALSE_OPTIONS: QuestionOption[] = [
  { key: 'T', text: '正确' },
  { key: 'F', text: '错误' },
];

export interface QuestionInput {
  kind: QuestionKind;
  category: string;
  difficulty: number;
  stem: string;
  /** Option texts in order (keys A, B, C… are given by position); ignored for true/false. */
  options: string[];
  /** Correct keys: A… for choices, T or F for true/false. */
  answer: string[];
  explanation?: string | null;
  externalKey?: string | null;
}

/** Checks and normalises a question; the message names the field and the rule. */
export function normaliseQuestion(input: QuestionInput): Pick<QuestionRow, 'kind' | 'category' | 'difficulty' | 'stem' | 'options' | 'answer' | 'explanation'> {
  const stem = input.stem.trim();
  const category = input.category.trim();
  if (!stem) throw invalid('stem', 'minLength', 'stem: must not be empty');
  if (!category) throw invalid('category', 'minLength', 'category: must not be empty');
  if (![1, 2, 3].includes(input.difficulty)) throw invalid('difficulty', 'enum', 'difficulty: 1 (easy), 2 (medium) or 3 (hard)');
  const answer = [...new Set(input.answer.map((a) => a.trim().toUpperCase()))].sort();
  let options: QuestionOption[];
  if (input.kind === 'true_false') {
    options = TRUE_FALSE_OPTIONS;
    if (answer.length !== 1 || !['T', 'F'].includes(answer[0] ?? '')) throw invalid('answer', 'enum', 'answer: a true/false question has the answer T or F');
  } else {
    const texts = input.options.map((o) => o.trim());
    if (texts.length < 2 || texts.length > KEYS.length) throw invalid('options', 'count', `options: 2 to ${KEYS.length} options`);
    texts.forEach((t, i) => {
      if (!t) throw invalid(`options.${i}`, 'minLength', `options.${i}: must not be empty`);
    });
    if (new Set(texts).size !== texts.length) throw invalid('options', 'unique', 'options: two options have the same text');
    options = texts.map((text, i) => ({ key: KEYS[i] as string, text }));
    const keys = new Set(options.map((o) => o.key));
    const bad = answer.find((a) => !keys.has(a));
    if (bad) throw invalid('answer', 'enum', `answer: ${bad} is not one of the options`);
    if (input.kind === 'single' && answer.length !== 1) throw invalid('answer', 'count', 'answer: a single-choice question has exactly one correct option');
    // A multiple-choice question with one right option would be a single-choice one in disguise.
    if (input.kind === 'multiple' && answer.length < 2) throw invalid('answer', 'count', 'answer: a multiple-choice question has at least two correct options');
  }
  return { kind: input.kind, category, difficulty: input.difficulty, stem, options, answer, explanation: input.explanation?.trim() || null };
}

export interface QuestionQuery {
  category?: string;
  difficulty?: number;
  kind?: QuestionKind;
  q?: string;
  active?: boolean;
  limit: number;
  cursor?: string;
}

export async function listQuestions(ctx: Ctx, query: QuestionQuery) {
  requirePermission(ctx.actor, P.write);
  const after = decodeCursor<{ id: string }>(query.cursor, { id: 'string' });
  const where: (SQL | undefined)[] = [eq(questions.tenantId, ctx.actor.tenantId)];
  if (query.category) where.push(eq(questions.category, query.category));
  if (query.difficulty) where.push(eq(questions.difficulty, query.difficulty));
  if (query.kind) where.push(eq(questions.kind, query.kind));
  if (query.active !== undefined) where.push(eq(questions.active, query.active));
  if (query.q) where.push(or(ilike(questions.stem, `%${query.q.replace(/[%_\\]/g, '\\$&')}%`)));
  if (after) where.push(gt(questions.id, after.id));
  return ctx.db.read(async (tx) => {
    const rows = await tx
      .select()
      .from(questions)
      .where(and(...where))
      .orderBy(asc(questions.id))
      .limit(query.limit + 1);
    return pageOf(rows, query.limit, (r) => ({ id: r.id }));
  });
}

/** Categories with counts per difficulty: what a random paper's rules can draw from. */
export async function questionCategories(ctx: Ctx): Promise<{ items: { category: string; difficulty: number; count: number }[] }> {
  requirePermission(ctx.actor, P.write);
  return ctx.db.read(async (tx) => {
    const rows = await tx
      .select({ category: questions.category, difficulty: questions.difficulty, count: sql<number>`count(*)::int` })
      .from(questions)
      .where(and(eq(questions.tenantId, ctx.actor.tenantId), eq(questions.active, true)))
      .groupBy(questions.category, questions.difficulty)
      .orderBy(asc(questions.category), asc(questions.difficulty));
    return { items: rows };
  });
}

export async function createQuestion(ctx: Ctx, input: QuestionInput): Promise<QuestionRow> {
  requirePermission(ctx.actor, P.write);
  const fields = normaliseQuestion(input);
  return ctx.db.tx(async (tx) => {
    const now = ctx.now();
    const [row] = await tx
      .insert(questions)
      .values({ id: newId(), tenantId: ctx.actor.tenantId, orgUnitId: ctx.actor.orgUnitId, ...fields, externalKey: input.externalKey?.trim() || null, createdAt: now, createdBy: ctx.actor.userId, updatedAt: now, updatedBy: ctx.actor.userId })
      .onConflictDoNothing()
      .returning();
    if (!row) throw new AppError('already_exists', `a question with the key ${input.externalKey} exists`);
    await recordChange(
      tx,
      ctx,
      { action: 'question.created', entityType: 'question', entityId: row.id, after: { kind: row.kind, category: row.category, difficulty: row.difficulty, stem: row.stem } },
      { type: 'question.created', entityType: 'question', entityId: row.id, payload: { category: row.category } },
    );
    return row;
  });
}

/** Edits a question (a running or graded attempt keeps its snapshot). `active: false` retires it. */
export async function updateQuestion(ctx: Ctx, id: string, patch: Partial<QuestionInput> & { active?: boolean }, version: number): Promise<QuestionRow> {
  requirePermission(ctx.actor, P.write);
  return ctx.db.tx(async (tx) => {
    const [before] = await tx
      .select()
      .from(questions)
      .where(and(eq(questions.tenantId, ctx.actor.tenantId), eq(questions.id, id)))
      .for('update');
    if (!before) throw notFound('question');
    if (before.version !== version) throw new AppError('version_conflict', `the question is at version ${before.version}`, { extra: { currentVersion: before.version } });
    const merged = normaliseQuestion({
      kind: patch.kind ?? before.kind,
      category: patch.category ?? before.category,
      difficulty: patch.difficulty ?? before.difficulty,
      stem: patch.stem ?? before.stem,
      options: patch.options ?? before.options.map((o) => o.text),
      answer: patch.answer ?? before.answer,
      explanation: patch.explanation !== undefined ? patch.explanation : before.explanation,
    });
    const [after] = await tx
      .update(questions)
      .set({ ...merged, ...(patch.active !== undefined ? { active: patch.active } : {}), version: before.version + 1, updatedAt: ctx.now(), updatedBy: ctx.actor.userId })
      .where(and(eq(questions.id, id), eq(questions.version, before.version)))
      .returning();
    if (!after) throw new AppError('version_conflict', 'the question changed meanwhile');
    await recordChange(
      tx,
      ctx,
      { action: 'question.updated', entityType: 'question', entityId: id, before: { stem: before.stem, answer: before.answer, active: before.active }, after: { stem: after.stem, answer: after.answer, active: after.active } },
      { type: 'question.updated', entityType: 'question', entityId: id, payload: { category: after.category } },
    );
    return after;
  });
}
