import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog } from '../../platform/audit/schema.ts';
import { createTestApp, type TestApp } from '../../test/app.ts';
import { makeUser } from '../../test/factories.ts';
import type { AttemptT, ExamT, MyExamT, QuestionT } from './examRoutes.ts';
import { examAttempts } from './schema.ts';
import { runJobsAt, signIn, seedTrainingCompany, type Client, type Seed } from './testSupport.ts';

let t: TestApp;
let s: Seed;
const START = new Date('2026-12-01T02:00:00Z');

beforeAll(async () => {
  t = await createTestApp({ RATE_LIMIT_PER_MINUTE: '100000' });
  t.clock.now = START;
  s = await seedTrainingCompany(t);
});
afterAll(() => t.close());

let seq = 0;
const addQuestion = async (over: Record<string, unknown> = {}) => {
  const res = await s.as.officer.post<QuestionT>('/api/v1/training/questions', { kind: 'single', category: `动火作业`, difficulty: 1, stem: `题目 ${++seq}`, options: ['甲', '乙', '丙', '丁'], answer: ['B'], ...over });
  expect(res.statusCode, JSON.stringify(res.body)).toBe(201);
  return res.body;
};
const addExam = async (over: Record<string, unknown>) => {
  const res = await s.as.officer.post<ExamT>('/api/v1/training/exams', { title: `考试 ${++seq}`, timeLimitMinutes: 30, passMark: 80, retakes: 1, ...over });
  expect(res.statusCode, JSON.stringify(res.body)).toBe(201);
  return res.body;
};
const newTaker = async (): Promise<Client> => signIn(t, (await makeUser(t.db, s.tenant.id, s.team.id, ['employee'])).user);
const start = (c: Client, examId: string) => c.post<AttemptT>(`/api/v1/training/exams/${examId}/attempts`);

/** The right answers, taken from the bank (the officer may read it; takers never get them before submitting). */
async function answersFor(attempt: AttemptT, wrong = 0): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const [i, q] of attempt.questions.entries()) {
    const bank = (await s.as.officer.get<{ items: QuestionT[] }>(`/api/v1/training/questions?limit=200`)).body.items.find((b) => b.id === q.questionId)!;
    out[q.questionId] = i < wrong ? q.options.map((o) => o.key).filter((k) => !bank.answer.includes(k)).slice(0, 1) : bank.answer;
  }
  return out;
}

describe('question bank', () => {
  it('validates each kind: single needs one answer, multiple at least two, true/false T or F', async () => {
    expect((await s.as.officer.post('/api/v1/training/questions', { kind: 'single', category: 'x', difficulty: 1, stem: 's', options: ['a', 'b'], answer: ['A', 'B'] })).body.errors?.[0]?.field).toBe('answer');
    expect((await s.as.officer.post('/api/v1/training/questions', { kind: 'multiple', category: 'x', difficulty: 1, stem: 's', options: ['a', 'b', 'c'], answer: ['A'] })).statusCode).toBe(400);
    expect((await s.as.officer.post('/api/v1/training/questions', { kind: 'single', category: 'x', difficulty: 1, stem: 's', options: ['a', 'b'], answer: ['C'] })).statusCode).toBe(400);
    expect((await s.as.officer.post('/api/v1/training/questions', { kind: 'true_false', category: 'x', difficulty: 1, stem: 's', options: [], answer: ['A'] })).statusCode).toBe(400);
    const tf = await addQuestion({ kind: 'true_false', options: [], answer: ['F'] });
    expect(tf.options.map((o) => o.key)).toEqual(['T', 'F']);
  });

  it('refuses workers reading the bank (it holds the answers)', async () => {
    expect((await s.as.welder.get('/api/v1/training/questions')).statusCode).toBe(403);
  });

  it('refuses a random paper the bank cannot fill, naming the rule', async () => {
    const res = await s.as.officer.post('/api/v1/training/exams', { title: 'x', mode: 'random', rules: [{ category: '不存在', difficulty: null, count: 3 }], timeLimitMinutes: 10, passMark: 60, retakes: 0 });
    expect(res.statusCode).toBe(400);
    expect(res.body.errors?.[0]?.field).toBe('rules.0.count');
  });
});

describe('taking an exam', () => {
  it('sends the paper without answers, shuffles per attempt, grades every question type and shows the review after submission', async () => {
    const single = await addQuestion({ category: '评分', options: ['一', '二', '三', '四'], answer: ['C'] });
    const multi = await addQuestion({ category: '评分', kind: 'multiple', options: ['一', '二', '三', '四', '五'], answer: ['A', 'D'] });
    const tf = await addQuestion({ category: '评分', kind: 'true_false', options: [], answer: ['T'] });
    const exam = await addExam({ mode: 'fixed', questionIds: [single.id, multi.id, tf.id], passMark: 60 });
    const taker = await newTaker();
    const started = await start(taker, exam.id);
    expect(started.statusCode).toBe(201);
    const raw = JSON.stringify(started.body);
    expect(raw).not.toContain('"answer"');
    expect(raw).not.toContain('explanation');
    expect(started.body.questions.every((q) => q.correct === undefined)).toBe(true);
    // Reading it again while it runs still hides them.
    expect(JSON.stringify((await taker.get(`/api/v1/training/attempts/${started.body.id}`)).body)).not.toContain('"answer"');

    // Correct single and true/false, multiple with one option missing (all or nothing): 2 of 3 = 66.
    const saved = await taker.post<AttemptT>(`/api/v1/training/attempts/${started.body.id}/submit`, { answers: { [single.id]: ['C'], [multi.id]: ['A'], [tf.id]: ['T'] } });
    expect(saved.statusCode, JSON.stringify(saved.body)).toBe(200);
    expect(saved.body.result).toMatchObject({ correctCount: 2, total: 3, score: 66, passed: true });
    const review = new Map(saved.body.questions.map((q) => [q.questionId, q]));
    expect(review.get(multi.id)).toMatchObject({ correct: false, chosen: ['A'], answer: ['A', 'D'] });
    expect(review.get(single.id)).toMatchObject({ correct: true });
    // Multiple: exactly the right set counts; an extra option is wrong too.
    const exam2 = await addExam({ mode: 'fixed', questionIds: [multi.id], passMark: 100 });
    const a2 = (await start(taker, exam2.id)).body;
    expect((await taker.post<AttemptT>(`/api/v1/training/attempts/${a2.id}/submit`, { answers: { [multi.id]: ['A', 'D', 'B'] } })).body.result).toMatchObject({ score: 0, passed: false });
    const audit = await t.db.read((tx) => tx.select().from(auditLog).where(and(eq(auditLog.entityId, started.body.id), eq(auditLog.action, 'exam.attempt_graded'))));
    expect(audit).toHaveLength(1);
  });

  it('shuffles questions and options with a stored seed, differently per attempt', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 8; i++) ids.push((await addQuestion({ category: '乱序', options: ['a', 'b', 'c', 'd', 'e'] })).id);
    const exam = await addExam({ mode: 'fixed', questionIds: ids });
    const orders = new Set<string>();
    for (let i = 0; i < 3; i++) {
      const a = (await start(await newTaker(), exam.id)).body;
      orders.add(a.questions.map((q) => q.questionId + q.options.map((o) => o.key).join('')).join('|'));
    }
    expect(orders.size).toBeGreaterThan(1);
    const rows = await t.db.read((tx) => tx.select({ seed: examAttempts.seed }).from(examAttempts).where(eq(examAttempts.examId, exam.id)));
    expect(rows.every((r) => r.seed > 0)).toBe(true);
  });

  it('draws a random paper by category × difficulty × count', async () => {
    for (let i = 0; i < 5; i++) await addQuestion({ category: '随机', difficulty: 1 });
    for (let i = 0; i < 4; i++) await addQuestion({ category: '随机', difficulty: 3 });
    const exam = await addExam({ mode: 'random', rules: [{ category: '随机', difficulty: 1, count: 3 }, { category: '随机', difficulty: 3, count: 2 }] });
    expect(exam.questionCount).toBe(5);
    const a = (await start(await newTaker(), exam.id)).body;
    expect(a.questions).toHaveLength(5);
    expect(new Set(a.questions.map((q) => q.questionId)).size).toBe(5);
  });

  it('refuses a second active attempt at the same exam', async () => {
    const exam = await addExam({ mode: 'fixed', questionIds: [(await addQuestion()).id] });
    const taker = await newTaker();
    const first = await start(taker, exam.id);
    expect(first.statusCode).toBe(201);
    const second = await start(taker, exam.id);
    expect(second.statusCode).toBe(409);
    expect(second.body).toMatchObject({ code: 'training_refused', reason: 'attempt_active', attemptId: first.body.id });
    const rows = await t.db.read((tx) => tx.select().from(examAttempts).where(eq(examAttempts.examId, exam.id)));
    expect(rows).toHaveLength(1);
  });

  it('refuses a late submission and grades only the answers saved in time', async () => {
    const q1 = await addQuestion();
    const q2 = await addQuestion();
    const exam = await addExam({ mode: 'fixed', questionIds: [q1.id, q2.id], timeLimitMinutes: 10, passMark: 50 });
    const taker = await newTaker();
    t.clock.now = START;
    const a = (await start(taker, exam.id)).body;
    expect((await taker.post<AttemptT>(`/api/v1/training/attempts/${a.id}/answer`, { questionId: q1.id, answer: ['B'] })).statusCode).toBe(200);
    t.clock.now = new Date(START.getTime() + 10 * 60_000 + 1000);
    const late = await taker.post(`/api/v1/training/attempts/${a.id}/submit`, { answers: { [q2.id]: ['B'] } });
    expect(late.statusCode).toBe(409);
    expect(late.body).toMatchObject({ code: 'training_refused', reason: 'deadline_passed' });
    const after = (await taker.get<AttemptT>(`/api/v1/training/attempts/${a.id}`)).body;
    expect(after.status).toBe('expired');
    expect(after.result).toMatchObject({ correctCount: 1, total: 2, score: 50, passed: true });
    expect((await taker.post(`/api/v1/training/attempts/${a.id}/answer`, { questionId: q2.id, answer: ['B'] })).body).toMatchObject({ reason: 'attempt_finished' });
    t.clock.now = START;
  });

  it('closes an abandoned attempt at its deadline (durable job)', async () => {
    const q = await addQuestion();
    const exam = await addExam({ mode: 'fixed', questionIds: [q.id], timeLimitMinutes: 5 });
    const taker = await newTaker();
    t.clock.now = START;
    const a = (await start(taker, exam.id)).body;
    await runJobsAt(t, new Date(START.getTime() + 5 * 60_000 + 1));
    const after = (await taker.get<AttemptT>(`/api/v1/training/attempts/${a.id}`)).body;
    expect(after).toMatchObject({ status: 'expired', result: { score: 0, passed: false } });
    t.clock.now = START;
  });

  it('allows 1 + retakes attempts after failing, then refuses; none after a pass', async () => {
    const q = await addQuestion();
    const exam = await addExam({ mode: 'fixed', questionIds: [q.id], retakes: 1 });
    const taker = await newTaker();
    for (let i = 0; i < 2; i++) {
      const a = (await start(taker, exam.id)).body;
      expect(a.attemptNo).toBe(i + 1);
      expect((await taker.post<AttemptT>(`/api/v1/training/attempts/${a.id}/submit`, { answers: { [q.id]: ['A'] } })).body.result?.passed).toBe(false);
    }
    const third = await start(taker, exam.id);
    expect(third.statusCode).toBe(409);
    expect(third.body).toMatchObject({ reason: 'retakes_exhausted', attemptsAllowed: 2 });

    const passer = await newTaker();
    const a = (await start(passer, exam.id)).body;
    await passer.post(`/api/v1/training/attempts/${a.id}/submit`, { answers: await answersFor(a) });
    expect((await start(passer, exam.id)).body).toMatchObject({ reason: 'already_passed' });
    const mine = (await passer.get<{ items: MyExamT[] }>('/api/v1/training/my/exams')).body.items.find((e) => e.id === exam.id);
    expect(mine).toMatchObject({ attemptsUsed: 1, attemptsAllowed: 2, bestScore: 100, passed: true, activeAttemptId: null });
  });

  it("hides another person's attempt and refuses an answer with an unknown option", async () => {
    const q = await addQuestion();
    const exam = await addExam({ mode: 'fixed', questionIds: [q.id] });
    const taker = await newTaker();
    const a = (await start(taker, exam.id)).body;
    const other = await newTaker();
    expect((await other.get(`/api/v1/training/attempts/${a.id}`)).statusCode).toBe(404);
    expect((await other.post(`/api/v1/training/attempts/${a.id}/submit`, {})).statusCode).toBe(404);
    expect((await taker.post(`/api/v1/training/attempts/${a.id}/answer`, { questionId: q.id, answer: ['E'] })).statusCode).toBe(400);
    expect((await taker.post(`/api/v1/training/attempts/${a.id}/answer`, { questionId: q.id, answer: ['A', 'B'] })).statusCode).toBe(400);
    // The officer sees results in scope; the running attempt has no score yet.
    const results = (await s.as.officer.get<{ items: { attemptId: string; score: number | null }[] }>(`/api/v1/training/exams/${exam.id}/results`)).body.items;
    expect(results).toEqual([expect.objectContaining({ attemptId: a.id, score: null })]);
  });
});
