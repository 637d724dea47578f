import { describe, expect, it } from 'vitest';
import { buildPaper, drawByRules, DrawShortage, gradeAttempt, isCorrect, seededShuffle, type BankQuestion } from './examPaper.ts';

const q = (id: string, category: string, difficulty: number, kind: BankQuestion['kind'] = 'single'): BankQuestion => ({
  id,
  kind,
  category,
  difficulty,
  stem: id,
  options: kind === 'true_false' ? [{ key: 'T', text: '正确' }, { key: 'F', text: '错误' }] : ['A', 'B', 'C', 'D'].map((key) => ({ key, text: key.toLowerCase() })),
  answer: kind === 'multiple' ? ['A', 'C'] : kind === 'true_false' ? ['T'] : ['B'],
  explanation: null,
});

describe('exam paper', () => {
  it('shuffles the same way for the same seed and differently for another', () => {
    const items = Array.from({ length: 20 }, (_, i) => i);
    expect(seededShuffle(items, 7)).toEqual(seededShuffle(items, 7));
    expect(seededShuffle(items, 7)).not.toEqual(seededShuffle(items, 8));
    expect([...seededShuffle(items, 7)].sort((a, b) => a - b)).toEqual(items);
  });

  it('draws count questions per category × difficulty without repeats, and refuses a rule the bank cannot fill', () => {
    const bank = [q('a1', 'A', 1), q('a2', 'A', 1), q('a3', 'A', 2), q('b1', 'B', 1)];
    const drawn = drawByRules(bank, [{ category: 'A', difficulty: 1, count: 2 }, { category: 'A', difficulty: null, count: 1 }], 3);
    expect(drawn.map((x) => x.id).sort()).toEqual(['a1', 'a2', 'a3']);
    expect(() => drawByRules(bank, [{ category: 'B', difficulty: 1, count: 2 }], 3)).toThrow(DrawShortage);
  });

  it('keeps true/false options in order and shuffles choice options', () => {
    const paper = buildPaper([q('t', 'A', 1, 'true_false'), ...Array.from({ length: 6 }, (_, i) => q(`s${i}`, 'A', 1))], 11);
    expect(paper.find((p) => p.questionId === 't')?.options.map((o) => o.key)).toEqual(['T', 'F']);
    const orders = new Set(paper.filter((p) => p.kind === 'single').map((p) => p.options.map((o) => o.key).join('')));
    expect(orders.size).toBeGreaterThan(1);
  });

  it('grades single, multiple (all or nothing) and true/false; unanswered is wrong; score rounds down', () => {
    const paper = buildPaper([q('s', 'A', 1), q('m', 'A', 1, 'multiple'), q('t', 'A', 1, 'true_false')], 5);
    expect(isCorrect(paper.find((p) => p.questionId === 'm')!, ['C', 'A'])).toBe(true);
    expect(isCorrect(paper.find((p) => p.questionId === 'm')!, ['A'])).toBe(false);
    expect(isCorrect(paper.find((p) => p.questionId === 'm')!, ['A', 'B', 'C'])).toBe(false);
    expect(isCorrect(paper.find((p) => p.questionId === 's')!, undefined)).toBe(false);
    expect(gradeAttempt(paper, { s: ['B'], m: ['A', 'C'], t: ['T'] }, 80)).toEqual({ correctCount: 3, total: 3, score: 100, passed: true });
    expect(gradeAttempt(paper, { s: ['B'], m: ['A', 'C'] }, 80)).toEqual({ correctCount: 2, total: 3, score: 66, passed: false });
    expect(gradeAttempt(paper, { s: ['B'], m: ['A', 'C'] }, 66).passed).toBe(true);
  });
});
