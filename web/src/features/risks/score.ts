import type { Band, MethodT } from './api.ts';

/**
 * The live result in the assess dialog: the same rule as the server (src/modules/risks/methodRules.ts):
 * score = product of the chosen factor values, rounded to six decimals; band = minScore ≤ score < maxScore.
 * Only a preview: the server computes and stores the real result.
 */
export function previewScore(method: Pick<MethodT, 'factors' | 'bands'>, chosen: Record<string, number | undefined>): { score: number; band: Band | null } | null {
  let score = 1;
  for (const f of method.factors) {
    const v = chosen[f.key];
    if (v === undefined || !f.options.some((o) => o.value === v)) return null;
    score *= v;
  }
  score = Math.round(score * 1e6) / 1e6;
  const band = method.bands.find((b) => score >= b.minScore && (b.maxScore === null || score < b.maxScore)) ?? null;
  return { score, band };
}
