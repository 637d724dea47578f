import { describe, expect, it } from 'vitest';
import type { MethodT } from './api.ts';
import { previewScore } from './score.ts';

const opts = (...values: number[]) => values.map((value) => ({ value, labelZh: String(value), labelEn: String(value) }));
const band = (level: MethodT['bands'][number]['level'], minScore: number, maxScore: number | null, colour: string) => ({ level, minScore, maxScore, colour, controlLevels: [], labelZh: '', labelEn: '' });
// The seeded LEC defaults (src/modules/risks/defaults.ts), as the config endpoint returns them.
const lec: Pick<MethodT, 'factors' | 'bands'> = {
  factors: [
    { key: 'L', nameZh: 'L', nameEn: 'L', options: opts(10, 6, 3, 1, 0.5, 0.2, 0.1) },
    { key: 'E', nameZh: 'E', nameEn: 'E', options: opts(10, 6, 3, 2, 1, 0.5) },
    { key: 'C', nameZh: 'C', nameEn: 'C', options: opts(100, 40, 15, 7, 3, 1) },
  ],
  bands: [band('major', 320, null, '#e63031'), band('serious', 160, 320, '#f48400'), band('general', 70, 160, '#f1dd00'), band('low', 0, 70, '#00b0f0')],
};

describe('assess dialog preview', () => {
  it('shows 540 / 重大 red for L=6, E=6, C=15 with the default bands, like the server', () => {
    expect(previewScore(lec, { L: 6, E: 6, C: 15 })).toMatchObject({ score: 540, band: { level: 'major', colour: '#e63031' } });
  });
  it('shows nothing until every factor has a value from its table', () => {
    expect(previewScore(lec, { L: 6, E: 6 })).toBeNull();
    expect(previewScore(lec, { L: 7, E: 6, C: 15 })).toBeNull();
  });
  it('rounds like the server (0.1 × 3 × 1 = 0.3, low) and puts edges on the upper band', () => {
    expect(previewScore(lec, { L: 0.1, E: 3, C: 1 })).toMatchObject({ score: 0.3, band: { level: 'low' } });
    expect(previewScore(lec, { L: 1, E: 10, C: 7 })).toMatchObject({ score: 70, band: { level: 'general' } });
  });
});
