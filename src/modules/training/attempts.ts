import { randomInt } from 'node:crypto';
import { and, desc, eq } from 'drizzle-orm';
import type { Ctx } from '../../platform/auth/actor.ts';
import { assertInScope, can, requirePermission, scopeWhere } from '../../platform/auth/scope.ts';
import type { Tx } from '../../platform/db/client.ts';
import { newId } from '../../platform/db/columns.ts';
import { AppError, invalid, notFound } from '../../platform/http/errors.ts';
import { cancelJob, scheduleJob } from '../../platform/jobs/service.ts';
import { loadPersonRow, namesOf } from '../../platform/org/directory.ts';
import { answerProblem, buildPaper, drawByRules, DrawShortage, gradeAttempt, isCorrect } from './examPaper.ts';
import { activeBank, type ExamRow } from './exams.ts';
import { trainingPermissions as P } from './permissions.ts';
import { recordIn, type WriteCtx } from './record.ts';
import { examAttempts, exams, type AttemptQuestion } from './schema.ts';

/**
 * Taking an exam. Anti-cheating basics (issue 7), all enforced here on the server:
 * - questions and options are shuffled per attempt with a stored seed (each person sees another order);
 * - one active attempt per person and exam (partial unique index, so two phones cannot start two);
 * - answers are accepted only before the attempt's deadline (start + time limit, by the server's clock);
 *   a late submission is refused and the attempt is graded on the answers saved in time;
 * - the correct answers never leave the server while the attempt runs: the paper is sent without them,
 *   the review (answers, explanations) only after submission;
 * - at most 1 + retakes attempts, none after a pass.
 */

export type AttemptRow = typeof examAttempts.$inferSelect;
export const DEADLINE_KIND = 'training.exam.deadline';
export const deadlineKey = (attemptId: string) => `training:attempt:${attemptId}:deadline`;

/** Why a start, answer or submit is refused; in the problem body as `reason` (HTTP 409). */
export type AttemptRefusal = 'attempt_active' | 'retakes_exhausted' | 'already_passed' | 'deadline_passed' | 'attempt_finished' | 'exam_inactive' | 'paper_unavailable';
const refuse = (reason: AttemptRefusal, detail: string, extra: Record<string, unknown> = {}) => new AppError('training_refused', detail, { extra: { reason, ...extra } });

export interface AttemptQuestionView {
  questionId: string;
  kind: AttemptQuestion['kind'];
  stem: string;
  options: { key: string; text: string }[];
  chosen: string[];
  /** After submission only. */
  correct?: boolean;
  answer?: string[];
  explanation?: string | null;
}

export interface AttemptView {
  id: string;
  examId: string;
  examTitle: string;
  personId: string;
  attemptNo: number;
  attemptsAllowed: number;
  status: AttemptRow['status'];
  startedAt: string;
  deadlineAt: string;
  /** The server's clock when this answer was made, so a phone with a wrong clock still counts down right. */
  serverNow: string;
  passMark: number;
  questions: AttemptQuestionView[];
  result: { correctCount: number; total: number; score: number; passed: boolean; submittedAt: string | null } | null;
}

export function toAttemptView(a: AttemptRow, exam: Pick<ExamRow, 'title' | 'passMark' | 'retakes'>, now: Date): AttemptView {
  const finished = a.status !== 'active';
  return {
    id: a.id,
    examId: a.examId,
    examTitle: exam.title,
    personId: a.personId,
    attemptNo: a.attemptNo,
    attemptsAllowed: 1 + exam.retakes,
    status: a.status,
    startedAt: a.startedAt.toISOString(),
    deadlineAt: a.deadlineAt.toISOString(),
    serverNow: now.toISOString(),
    passMark: exam.passMark,
    questions: a.questions.map((q) => {
      const chosen = a.answers[q.questionId] ?? [];
      // While the attempt runs, nothing that tells the right answer: no answer, no explanation, no flag.
      const base: AttemptQuestionView = { questionId: q.questionId, kind: q.kind, stem: q.stem, options: q.options.map((o) => ({ key: o.key, text: o.text })), chosen };
      return finished ? { ...base, correct: isCorrect(q, chosen), answer: q.answer, explanation: q.explanation } : base;
    }),
    result:
      finished && a.score !== null && a.correctCount !== null && a.passed !== null
        ? { correctCount: a.correctCount, total: a.questions.length, score: a.score, passed: a.passed, submittedAt: a.submittedAt?.toISOString() ?? null }
        : null,
  };
}

async function examOf(tx: Tx, tenantId: string, examId: string): Promise<ExamRow> {
  const [exam] = await tx
    .select()
    .from(exams)
    .where(and(eq(exams.tenantId, tenantId), eq(exams.id, examId)));
  if (!exam) throw notFound('exam');
  return exam;
}

/**
 * Grades an attempt on its saved answers and closes it: `submitted` when the taker submitted in time,
 * `expired` when the deadline closed it. Writes the audit entry and the `exam.attempt_graded` event.
 */
export async function finishAttempt(tx: Tx, ctx: WriteCtx, a: AttemptRow, exam: ExamRow, status: 'submitted' | 'expired', answers: Record<string, string[]>): Promise<AttemptRow> {
  const grade = gradeAttempt(a.questions, answers, exam.passMark);
  const now = ctx.now();
  const [after] = await tx
    .update(examAttempts)
    .set({ status, answers, submittedAt: status === 'submitted' ? now : a.deadlineAt, correctCount: grade.correctCount, score: grade.score, passed: grade.passed, version: a.version + 1, updatedAt: now, updatedBy: ctx.actor.userId })
    .where(and(eq(examAttempts.id, a.id), eq(examAttempts.status, 'active')))
    .returning();
  if (!after) throw refuse('attempt_finished', 'the attempt is already closed');
  await cancelJob(tx, deadlineKey(a.id), now);
  await recordIn(
    tx,
    ctx,
    { action: 'exam.attempt_graded', entityType: 'exam_attempt', entityId: a.id, before: { status: a.status }, after: { status, examId: a.examId, personId: a.personId, attemptNo: a.attemptNo, score: grade.score, passed: grade.passed, correctCount: grade.correctCount, total: grade.total } },
    { type: 'exam.attempt_graded', entityType: 'exam_attempt', entityId: a.id, payload: { examId: a.examId, personId: a.personId, score: grade.score, passed: grade.passed } },
  );
  return after;
}

const pastDeadline = (a: AttemptRow, now: Date) => now.getTime() >= a.deadlineAt.getTime();

/** Starts an attempt for the signed-in person. */
export async function startAttempt(ctx: Ctx, examId: string): Promise<AttemptView> {
  const personId = ctx.actor.personId;
  if (!personId) throw new AppError('forbidden', 'only a person can take an exam');
  const outcome = await ctx.db.tx(async (tx) => {
    const exam = await examOf(tx, ctx.actor.tenantId, examId);
    if (!exam.active) throw refuse('exam_inactive', 'the exam is closed');
    const person = await loadPersonRow(tx, ctx.actor.tenantId, personId);
    if (!person) throw notFound('person');
    const mine = await tx
      .select()
      .from(examAttempts)
      .where(and(eq(examAttempts.tenantId, exam.tenantId), eq(examAttempts.examId, exam.id), eq(examAttempts.personId, personId)))
      .for('update');
    const now = ctx.now();
    for (const a of mine.filter((x) => x.status === 'active')) {
      // One running attempt at a time; one whose time is up (its deadline job not run yet) is closed now.
      if (!pastDeadline(a, now)) return { refused: refuse('attempt_active', 'an attempt at this exam is already running', { attemptId: a.id }) };
      const closed = await finishAttempt(tx, ctx, a, exam, 'expired', a.answers);
      mine.splice(mine.indexOf(a), 1, closed);
    }
    if (mine.some((a) => a.passed)) return { refused: refuse('already_passed', 'the exam is already passed') };
    const allowed = 1 + exam.retakes;
    if (mine.length >= allowed) return { refused: refuse('retakes_exhausted', `all ${allowed} attempts are used`, { attemptsAllowed: allowed }) };
    const seed = randomInt(1, 2 ** 31 - 1);
    let drawn;
    try {
      drawn = exam.mode === 'fixed' ? await activeBank(tx, exam.tenantId, exam.questionIds) : drawByRules(await activeBank(tx, exam.tenantId), exam.rules, seed);
    } catch (e) {
      if (e instanceof DrawShortage) throw refuse('paper_unavailable', `the question bank no longer has enough questions: ${e.message}`);
      throw e;
    }
    if (drawn.length === 0) throw refuse('paper_unavailable', 'the exam has no active questions');
    const [row] = await tx
      .insert(examAttempts)
      .values({
        id: newId(),
        tenantId: exam.tenantId,
        orgUnitId: person.orgUnitId,
        examId: exam.id,
        personId,
        attemptNo: mine.length + 1,
        seed,
        questions: buildPaper(drawn, seed),
        startedAt: now,
        deadlineAt: new Date(now.getTime() + exam.timeLimitMinutes * 60_000),
        createdAt: now,
        createdBy: ctx.actor.userId,
        updatedAt: now,
        updatedBy: ctx.actor.userId,
      })
      .onConflictDoNothing()
      .returning();
    // Lost a race with another start of the same person (the partial unique index decided).
    if (!row) return { refused: refuse('attempt_active', 'an attempt at this exam is already running') };
    await scheduleJob(tx, { kind: DEADLINE_KIND, runAt: row.deadlineAt, tenantId: row.tenantId, dedupeKey: deadlineKey(row.id), payload: { tenantId: row.tenantId, attemptId: row.id } });
    await recordIn(
      tx,
      ctx,
      { action: 'exam.attempt_started', entityType: 'exam_attempt', entityId: row.id, after: { examId: exam.id, personId, attemptNo: row.attemptNo, seed, deadlineAt: row.deadlineAt.toISOString() } },
      { type: 'exam.attempt_started', entityType: 'exam_attempt', entityId: row.id, payload: { examId: exam.id, personId } },
    );
    return { view: toAttemptView(row, exam, now) };
  });
  // Refusals are returned, not thrown, so that an expired attempt closed above is committed with them.
  if ('refused' in outcome) throw outcome.refused;
  return outcome.view;
}

/** The attempt of the signed-in person, locked for a write; refuses anyone else's. */
async function ownAttempt(tx: Tx, ctx: Ctx, attemptId: string): Promise<{ a: AttemptRow; exam: ExamRow }> {
  const [a] = await tx
    .select()
    .from(examAttempts)
    .where(and(eq(examAttempts.tenantId, ctx.actor.tenantId), eq(examAttempts.id, attemptId)))
    .for('update');
  // Someone else's attempt is not revealed.
  if (!a || a.personId !== ctx.actor.personId) throw notFound('attempt');
  return { a, exam: await examOf(tx, a.tenantId, a.examId) };
}

function checkAnswer(a: AttemptRow, questionId: string, given: string[], field: string): string[] {
  const q = a.questions.find((x) => x.questionId === questionId);
  if (!q) throw invalid(field, 'exists', `${field}: question ${questionId} is not on this paper`);
  const problem = answerProblem(q, given);
  if (problem) throw invalid(field, 'option', `${field}: ${problem}`);
  return [...new Set(given)].sort();
}

/** Saves one answer while the attempt runs (phones save each choice, so a lost signal loses nothing). */
export async function saveAnswer(ctx: Ctx, attemptId: string, questionId: string, given: string[]): Promise<AttemptView> {
  const outcome = await ctx.db.tx(async (tx) => {
    const { a, exam } = await ownAttempt(tx, ctx, attemptId);
    const now = ctx.now();
    if (a.status !== 'active') return { refused: refuse('attempt_finished', 'the attempt is already closed') };
    if (pastDeadline(a, now)) {
      await finishAttempt(tx, ctx, a, exam, 'expired', a.answers);
      return { refused: refuse('deadline_passed', `the time was up at ${a.deadlineAt.toISOString()}; the answers saved before count`) };
    }
    const answers = { ...a.answers, [questionId]: checkAnswer(a, questionId, given, 'answer') };
    const [after] = await tx
      .update(examAttempts)
      .set({ answers, version: a.version + 1, updatedAt: now, updatedBy: ctx.actor.userId })
      .where(eq(examAttempts.id, a.id))
      .returning();
    return { view: toAttemptView(after!, exam, now) };
  });
  if ('refused' in outcome) throw outcome.refused;
  return outcome.view;
}

/** Submits: the last answers (optional) are merged with the saved ones, then the attempt is graded. */
export async function submitAttempt(ctx: Ctx, attemptId: string, last: Record<string, string[]> = {}): Promise<AttemptView> {
  const outcome = await ctx.db.tx(async (tx) => {
    const { a, exam } = await ownAttempt(tx, ctx, attemptId);
    const now = ctx.now();
    if (a.status !== 'active') return { refused: refuse('attempt_finished', 'the attempt is already closed') };
    if (pastDeadline(a, now)) {
      // Late: the answers in this request are refused; those saved in time are graded.
      await finishAttempt(tx, ctx, a, exam, 'expired', a.answers);
      return { refused: refuse('deadline_passed', `the time was up at ${a.deadlineAt.toISOString()}; the answers saved before count`) };
    }
    const answers = { ...a.answers };
    for (const [qid, given] of Object.entries(last)) answers[qid] = checkAnswer(a, qid, given, `answers.${qid}`);
    const after = await finishAttempt(tx, ctx, a, exam, 'submitted', answers);
    return { view: toAttemptView(after, exam, now) };
  });
  if ('refused' in outcome) throw outcome.refused;
  return outcome.view;
}

/** The taker reads their own attempt; people with training:write read those in their data scope. */
export async function getAttempt(ctx: Ctx, attemptId: string): Promise<AttemptView> {
  return ctx.db.read(async (tx) => {
    const [a] = await tx
      .select()
      .from(examAttempts)
      .where(and(eq(examAttempts.tenantId, ctx.actor.tenantId), eq(examAttempts.id, attemptId)));
    if (!a) throw notFound('attempt');
    if (a.personId !== ctx.actor.personId) {
      // To another taker the attempt does not exist; setters read those in their data scope.
      if (!can(ctx.actor, P.write)) throw notFound('attempt');
      await assertInScope(tx, ctx.actor, a, [a.personId]);
    }
    return toAttemptView(a, await examOf(tx, a.tenantId, a.examId), ctx.now());
  });
}

export interface ResultRow {
  attemptId: string;
  personId: string;
  personName: string;
  orgUnitName: string | null;
  attemptNo: number;
  status: AttemptRow['status'];
  startedAt: string;
  submittedAt: string | null;
  score: number | null;
  passed: boolean | null;
}

/** The results of an exam (成绩), newest first, in the asker's data scope. */
export async function listExamResults(ctx: Ctx, examId: string): Promise<{ items: ResultRow[] }> {
  requirePermission(ctx.actor, P.write);
  return ctx.db.read(async (tx) => {
    await examOf(tx, ctx.actor.tenantId, examId);
    const rows = await tx
      .select()
      .from(examAttempts)
      .where(and(scopeWhere(ctx.actor, { tenantId: examAttempts.tenantId, orgUnitId: examAttempts.orgUnitId, owners: [examAttempts.personId] }), eq(examAttempts.examId, examId)))
      .orderBy(desc(examAttempts.startedAt))
      .limit(1000);
    const names = await namesOf(
      tx,
      ctx.actor.tenantId,
      rows.map((r) => r.orgUnitId),
      rows.map((r) => r.personId),
    );
    return {
      items: rows.map((r) => ({
        attemptId: r.id,
        personId: r.personId,
        personName: names.people.get(r.personId) ?? '',
        orgUnitName: r.orgUnitId ? (names.units.get(r.orgUnitId) ?? null) : null,
        attemptNo: r.attemptNo,
        status: r.status,
        startedAt: r.startedAt.toISOString(),
        submittedAt: r.submittedAt?.toISOString() ?? null,
        score: r.score,
        passed: r.passed,
      })),
    };
  });
}
