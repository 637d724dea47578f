import { beforeAll, describe, expect, it } from 'vitest';
import { apiAs, screenshot, type Session } from './lib/browser.ts';
import { browserSuite } from './lib/suite.ts';

/**
 * Exams (issue 7) on a phone: the safety officer sets a small exam from the demo question bank (through the
 * API, with a unique title so no other browser test's data matters); worker1 takes it on a phone, answers
 * all but one question right, submits, and sees the score, the verdict and the one wrong answer in review,
 * then finds the exam in their training file.
 */
const suite = browserSuite('exams');
let officer: Session;
let worker: Session;
const stamp = Date.now().toString(36).slice(-6).toUpperCase();

interface Question {
  id: string;
  kind: 'single' | 'multiple' | 'true_false';
  answer: string[];
}
interface Attempt {
  id: string;
  questions: { questionId: string; kind: Question['kind']; options: { key: string; text: string }[] }[];
}

beforeAll(async () => {
  officer = await suite.signIn('desktop', 'officer');
});

describe('taking an exam on a phone', () => {
  it('a worker starts, answers, submits and sees the score and the wrong-answer review', async () => {
    const bank = await apiAs<{ items: Question[] }>(officer.page, 'GET', '/training/questions?category=%E6%B6%88%E9%98%B2%E5%AE%89%E5%85%A8&limit=200');
    expect(bank.status).toBe(200);
    const pick = [...bank.body.items.filter((q) => q.kind === 'single').slice(0, 3), ...bank.body.items.filter((q) => q.kind === 'multiple').slice(0, 1), ...bank.body.items.filter((q) => q.kind === 'true_false').slice(0, 1)];
    expect(pick).toHaveLength(5);
    const title = `消防安全随堂测验 ${stamp}`;
    const exam = await apiAs<{ id: string }>(officer.page, 'POST', '/training/exams', { title, mode: 'fixed', questionIds: pick.map((q) => q.id), timeLimitMinutes: 15, passMark: 60, retakes: 1 });
    expect(exam.status).toBe(201);
    const answerOf = new Map(pick.map((q) => [q.id, q.answer]));

    worker = await suite.signIn('phone', 'worker1');
    const { page } = worker;
    await page.goto('/training/exams');
    const card = page.getByTestId('exam-card').filter({ hasText: title });
    await card.waitFor();
    await screenshot(page, 'exams-1-list-phone');
    await card.getByTestId('exam-start').click();
    const started = page.waitForResponse((r) => r.url().includes(`/api/v1/training/exams/${exam.body.id}/attempts`) && r.request().method() === 'POST');
    await page.locator('.ant-modal-confirm .ant-btn-primary').click();
    const attempt = (await (await started).json()) as Attempt;
    await page.waitForURL(`**/training/attempts/${attempt.id}`);
    await page.getByTestId('question-card').first().waitFor();
    expect(await page.getByTestId('question-card').count()).toBe(5);
    // The paper in the browser carries no answers.
    expect(JSON.stringify(attempt)).not.toContain('"answer"');
    await page.getByTestId('exam-timer').waitFor();
    await screenshot(page, 'exams-2-paper-phone');

    // All right except the first question on this (shuffled) paper.
    for (const [i, q] of attempt.questions.entries()) {
      const right = answerOf.get(q.questionId) ?? [];
      const keys = i === 0 ? [q.options.find((o) => !right.includes(o.key))!.key] : right;
      const qCard = page.locator(`[data-testid="question-card"][data-qid="${q.questionId}"]`);
      for (const key of keys) {
        const index = q.options.findIndex((o) => o.key === key);
        const saved = page.waitForResponse((r) => r.url().includes(`/api/v1/training/attempts/${attempt.id}/answer`) && r.status() === 200);
        await qCard.locator('label.ant-radio-wrapper, label.ant-checkbox-wrapper').nth(index).click();
        await saved;
      }
    }
    await page.getByTestId('exam-submit').scrollIntoViewIfNeeded();
    await screenshot(page, 'exams-3-answered-phone');
    await page.getByTestId('exam-submit').click();
    const submitted = page.waitForResponse((r) => r.url().includes(`/api/v1/training/attempts/${attempt.id}/submit`));
    await page.locator('.ant-modal-confirm .ant-btn-primary').click();
    expect((await submitted).status()).toBe(200);

    await page.getByTestId('exam-score').waitFor();
    expect(await page.getByTestId('exam-score').innerText()).toContain('80');
    expect(await page.getByTestId('exam-verdict').innerText()).toBe('合格');
    // Wrong answers only: exactly the one answered wrong, with its correct answer shown.
    await expect.poll(() => page.getByTestId('review-item').count()).toBe(1);
    expect(await page.getByTestId('review-right').first().innerText()).toContain('正确答案');
    await screenshot(page, 'exams-4-result-review-phone');

    // Back on the list: passed, best score shown, no start button.
    await page.goto('/training/exams');
    await card.waitFor();
    expect(await card.innerText()).toContain('最高 80 分');
    expect(await card.getByTestId('exam-start').count()).toBe(0);

    // The worker's training file lists the graded exam with its result.
    await page.goto('/training/my');
    const records = page.getByTestId('training-records');
    await records.getByText(`考试：${title}（第 1 次）`).waitFor();
    expect(await records.innerText()).toContain('80 分，合格');
    await records.scrollIntoViewIfNeeded();
    await screenshot(page, 'exams-5-training-record-phone');
    expect(worker.pageErrors).toEqual([]);
  });
});
