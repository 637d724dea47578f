import type { AttemptQuestion, DrawRule, QuestionOption } from './schema.ts';

/**
 * Pure paper logic of an exam attempt: the seeded shuffle, the random draw by rules and the grading.
 * No database: the attempt stores the seed and the drawn order, so an order can be explained later and
 * the same seed always gives the same paper.
 */

/** mulberry32: a small, fast, seedable PRNG (anti-cheating only needs a different order per attempt). */
export function seededShuffle<T>(items: readonly T[], seed: number): T[] {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...items];
  // Fisher–Yates.
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

export interface BankQuestion {
  id: string;
  kind: AttemptQuestion['kind'];
  category: string;
  difficulty: number;
  stem: string;
  options: QuestionOption[];
  answer: string[];
  explanation: string | null;
}

export class DrawShortage extends Error {
  constructor(
    readonly rule: DrawRule,
    readonly available: number,
  ) {
    super(`rule ${rule.category}/${rule.difficulty ?? 'any'} needs ${rule.count} questions, the bank has ${available}`);
  }
}

/**
 * Random paper: for each rule, `count` distinct questions of its category (and difficulty) not drawn by an
 * earlier rule. Throws DrawShortage when the bank has too few.
 */
export function drawByRules(bank: readonly BankQuestion[], rules: readonly DrawRule[], seed: number): BankQuestion[] {
  const taken = new Set<string>();
  const out: BankQuestion[] = [];
  for (const [i, rule] of rules.entries()) {
    const pool = bank.filter((q) => !taken.has(q.id) && q.category === rule.category && (rule.difficulty === null || q.difficulty === rule.difficulty));
    if (pool.length < rule.count) throw new DrawShortage(rule, pool.length);
    // A different sub-seed per rule, so two rules over overlapping pools do not pick in lock-step.
    for (const q of seededShuffle(pool, seed + i * 7919).slice(0, rule.count)) {
      taken.add(q.id);
      out.push(q);
    }
  }
  return out;
}

/**
 * The paper one person sees: question order and option order shuffled with the attempt's seed. True/false
 * options keep their order (对 before 错: shuffling two options helps nobody and confuses everybody).
 */
export function buildPaper(questions: readonly BankQuestion[], seed: number): AttemptQuestion[] {
  return seededShuffle(questions, seed).map((q, i) => ({
    questionId: q.id,
    kind: q.kind,
    stem: q.stem,
    options: q.kind === 'true_false' ? [...q.options] : seededShuffle(q.options, seed + 31 * (i + 1)),
    answer: [...q.answer],
    explanation: q.explanation,
  }));
}

const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && [...a].sort().join('\u0000') === [...b].sort().join('\u0000');

/**
 * Multiple choice is all or nothing (no partial credit: a missed or extra option is wrong, as in the
 * 特种作业 exams). Unanswered counts as wrong.
 */
export function isCorrect(q: Pick<AttemptQuestion, 'answer'>, given: readonly string[] | undefined): boolean {
  return given !== undefined && given.length > 0 && sameSet([...new Set(given)], q.answer);
}

export interface Grade {
  correctCount: number;
  total: number;
  /** 0..100, rounded down so a pass mark of 80 really needs 80 %. */
  score: number;
  passed: boolean;
}

export function gradeAttempt(paper: readonly AttemptQuestion[], answers: Readonly<Record<string, string[]>>, passMark: number): Grade {
  const correctCount = paper.filter((q) => isCorrect(q, answers[q.questionId])).length;
  const total = paper.length;
  const score = total === 0 ? 0 : Math.floor((correctCount * 100) / total);
  return { correctCount, total, score, passed: score >= passMark };
}

/** Checks a given answer's shape against the question: known keys, one key for single and true/false. */
export function answerProblem(q: Pick<AttemptQuestion, 'kind' | 'options'>, given: readonly string[]): string | null {
  const keys = new Set(q.options.map((o) => o.key));
  if (given.some((k) => !keys.has(k))) return 'unknown option';
  if (q.kind !== 'multiple' && given.length > 1) return 'only one option may be chosen';
  return null;
}
