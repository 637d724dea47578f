import { describe, expect, it } from 'vitest';
import { AppError } from '../../platform/http/errors.ts';
import { lecBands, lecFactors, lsBands, lsFactors } from './defaults.ts';
import { bandFor, checkBands, checkFactors, scoreFactors } from './methodRules.ts';
import type { MethodBand } from './schema.ts';

const lec = { factors: lecFactors };
const ls = { factors: lsFactors };

function fieldsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof AppError) return (e.errors ?? []).map((x) => x.field);
    throw e;
  }
  throw new Error('expected an AppError');
}

describe('scoring and banding with the reference defaults', () => {
  it('LEC 6 × 6 × 15 = 540 is 重大 (red) with company-to-post control', () => {
    const { score, snapshot } = scoreFactors(lec, { L: 6, E: 6, C: 15 }, 'zh-CN');
    expect(score).toBe(540);
    expect(snapshot.map((f) => f.label)).toEqual(['相当可能', '每天工作时间内暴露', '非常严重，一人死亡']);
    const band = bandFor(lecBands, score);
    expect(band?.level).toBe('major');
    expect(band?.colour).toBe('#e63031');
    expect(band?.controlLevels).toEqual(['company', 'workshop', 'team', 'post']);
  });

  it('puts LEC band edges on the upper band (minScore inclusive, maxScore exclusive)', () => {
    expect(bandFor(lecBands, 320)?.level).toBe('major');
    expect(bandFor(lecBands, 319.5)?.level).toBe('serious');
    expect(bandFor(lecBands, 160)?.level).toBe('serious');
    expect(bandFor(lecBands, 70)?.level).toBe('general');
    expect(bandFor(lecBands, 69)?.level).toBe('low');
    expect(bandFor(lecBands, 0.1 * 0.5 * 1)?.level).toBe('low');
    // Whatever order the bands are stored in.
    const ascending = [...lecBands].reverse();
    expect(bandFor(ascending, 320)?.level).toBe('major');
    expect(bandFor(ascending, 160)?.level).toBe('serious');
    expect(bandFor(ascending, 70)?.level).toBe('general');
  });

  it('keeps scores free of floating-point noise (0.1 × 3 × 1 = 0.3)', () => {
    expect(scoreFactors(lec, { L: 0.1, E: 3, C: 1 }, 'en').score).toBe(0.3);
  });

  it('LS 4 × 4 = 16 is 较大 (orange), 3 × 3 = 9 一般 (yellow), 5 × 4 = 20 重大, 2 × 4 = 8 低 (blue)', () => {
    const level = (L: number, S: number) => bandFor(lsBands, scoreFactors(ls, { L, S }, 'zh-CN').score);
    expect(level(4, 4)).toMatchObject({ level: 'serious', colour: '#f48400' });
    expect(level(3, 3)).toMatchObject({ level: 'general', colour: '#f1dd00', controlLevels: ['workshop', 'team', 'post'] });
    expect(level(5, 4)?.level).toBe('major');
    expect(level(2, 4)).toMatchObject({ level: 'low', colour: '#00b0f0', controlLevels: ['team', 'post'] });
  });

  it('refuses a value outside the option table, a missing factor and an unknown one, naming each field', () => {
    expect(fieldsOf(() => scoreFactors(lec, { L: 7, E: 6, C: 15 }, 'en'))).toEqual(['factors.L']);
    expect(fieldsOf(() => scoreFactors(lec, { L: 6, E: 6 }, 'en'))).toEqual(['factors.C']);
    expect(fieldsOf(() => scoreFactors(lec, { L: 6, E: 6, C: 15, X: 1 }, 'en'))).toEqual(['factors.X']);
    try {
      scoreFactors(lec, { L: 7, E: 6, C: 15 }, 'en');
    } catch (e) {
      expect((e as AppError).message).toContain('7 is not one of the values of L (10, 6, 3, 1, 0.5, 0.2, 0.1)');
    }
  });
});

describe('method definitions', () => {
  const bands = (over: Partial<MethodBand>[]): MethodBand[] => lsBands.map((b, i) => ({ ...b, ...(over[i] ?? {}) }));

  it('accepts the seeded LEC and LS definitions', () => {
    expect(() => checkFactors(lecFactors)).not.toThrow();
    expect(() => checkBands(lecBands)).not.toThrow();
    expect(() => checkBands(lsBands)).not.toThrow();
  });

  it('refuses gaps, overlaps, a bounded top band, a lower level above a higher one and a bad colour', () => {
    expect(fieldsOf(() => checkBands(bands([{}, { minScore: 14 }])))).toContain('bands.1.minScore');
    expect(fieldsOf(() => checkBands(bands([{ maxScore: 30 }])))).toContain('bands.0.maxScore');
    expect(fieldsOf(() => checkBands(bands([{ level: 'low' }, {}, {}, { level: 'major' }])))).toEqual(expect.arrayContaining(['bands.0.level']));
    expect(fieldsOf(() => checkBands(bands([{ colour: 'red' }])))).toEqual(['bands.0.colour']);
  });

  it('refuses duplicate factor keys, duplicate option values and non-positive values', () => {
    const f = lecFactors[0]!;
    expect(fieldsOf(() => checkFactors([f, { ...f }]))).toEqual(['factors.1.key']);
    expect(fieldsOf(() => checkFactors([{ ...f, options: [f.options[0]!, f.options[0]!] }]))).toEqual(['factors.0.options.1.value']);
    expect(fieldsOf(() => checkFactors([{ ...f, options: [{ value: 0, labelZh: '无', labelEn: 'none' }] }]))).toEqual(['factors.0.options.0.value']);
  });
});
