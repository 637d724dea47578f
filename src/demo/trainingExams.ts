import type { Tx } from '../platform/db/client.ts';
import { newId } from '../platform/db/columns.ts';
import { normaliseQuestion } from '../modules/training/questions.ts';
import { exams, questions } from '../modules/training/schema.ts';
import { demoQuestionBank } from './trainingQuestions.ts';

/**
 * The demo question bank (≥ 100 questions, in src/demo/trainingQuestions.ts) and two exams: the new-hire
 * three-level induction exam drawn at random from several categories, and a fixed hot-work exam (pass mark
 * 80, one re-sit, as the 特种作业 exams: reference §4). Ids are fresh, everything else is fixed.
 */
export async function seedDemoExams(tx: Tx, tenantId: string, now: Date): Promise<{ questions: number; exams: number }> {
  const rows = Object.entries(demoQuestionBank).flatMap(([category, list]) =>
    list.map(([kind, difficulty, stem, options, answer, explanation], i) => ({
      id: newId(),
      tenantId,
      ...normaliseQuestion({ kind, category, difficulty, stem, options, answer: answer.split(''), explanation: explanation ?? null }),
      externalKey: `demo:${category}:${i + 1}`,
      createdAt: now,
      updatedAt: now,
    })),
  );
  await tx.insert(questions).values(rows);
  const hotWork = rows.filter((r) => r.category === '动火作业').map((r) => r.id);
  await tx.insert(exams).values([
    {
      id: newId(),
      tenantId,
      title: '新员工三级安全教育考试',
      description: '安全生产法、消防、用电、个体防护与应急常识，随机抽题。',
      mode: 'random',
      rules: [
        { category: '安全生产法', difficulty: null, count: 4 },
        { category: '安全培训', difficulty: null, count: 2 },
        { category: '消防安全', difficulty: null, count: 3 },
        { category: '用电安全', difficulty: null, count: 2 },
        { category: '个体防护', difficulty: null, count: 2 },
        { category: '应急救援', difficulty: null, count: 2 },
      ],
      timeLimitMinutes: 30,
      passMark: 80,
      retakes: 2,
      createdAt: now,
      updatedAt: now,
    },
    { id: newId(), tenantId, title: '动火作业专项考试（GB 30871-2022）', description: '动火作业分级、作业票有效期、气体分析与现场防护。', mode: 'fixed', questionIds: hotWork, timeLimitMinutes: 20, passMark: 80, retakes: 1, createdAt: new Date(now.getTime() - 1000), updatedAt: now },
  ]);
  return { questions: rows.length, exams: 2 };
}
