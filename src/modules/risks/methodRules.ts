import { AppError, type FieldError, type Locale } from '../../platform/http/errors.ts';
import { controlLevels, riskLevels, type FactorSnapshot, type MethodBand, type MethodFactor } from './schema.ts';

/**
 * Pure rules of assessment methods: what a valid method definition is, how factor values become a score
 * (the product of the factors) and which band a score falls in. No database: tested on their own.
 */

export const MAX_FACTORS = 6;
export const MAX_OPTIONS = 20;
const FACTOR_KEY = /^[A-Za-z][A-Za-z0-9_]{0,9}$/;
const COLOUR = /^#[0-9a-fA-F]{6}$/;

/** Scores keep six decimals: 0.1 × 3 is 0.3, not 0.30000000000000004. */
export const roundScore = (x: number) => Math.round(x * 1e6) / 1e6;

const fail = (errors: FieldError[]) => new AppError('validation_failed', errors.map((e) => e.message).join('; '), { errors });

export function checkFactors(factors: MethodFactor[], field = 'factors'): void {
  const errors: FieldError[] = [];
  const push = (f: string, rule: string, message: string) => errors.push({ field: f, rule, message: `${f}: ${message}` });
  if (factors.length < 1 || factors.length > MAX_FACTORS) push(field, 'count', `1 to ${MAX_FACTORS} factors`);
  const keys = new Set<string>();
  factors.forEach((f, i) => {
    const at = `${field}.${i}`;
    if (!FACTOR_KEY.test(f.key)) push(`${at}.key`, 'pattern', 'a letter, then letters, digits or _, at most 10');
    else if (keys.has(f.key.toUpperCase())) push(`${at}.key`, 'unique', `factor ${f.key} appears twice`);
    keys.add(f.key.toUpperCase());
    if (f.options.length < 1 || f.options.length > MAX_OPTIONS) push(`${at}.options`, 'count', `1 to ${MAX_OPTIONS} options`);
    const values = new Set<number>();
    f.options.forEach((o, j) => {
      if (!Number.isFinite(o.value) || o.value <= 0) push(`${at}.options.${j}.value`, 'minimum', 'a positive number');
      else if (values.has(o.value)) push(`${at}.options.${j}.value`, 'unique', `value ${o.value} appears twice`);
      values.add(o.value);
    });
  });
  if (errors.length > 0) throw fail(errors);
}

/**
 * Bands must cover every score from the lowest band's minimum upwards without gaps or overlaps (the top
 * band has no maximum), name each level at most once, and rank higher scores at least as severe.
 */
export function checkBands(bands: MethodBand[], field = 'bands'): void {
  const errors: FieldError[] = [];
  const push = (f: string, rule: string, message: string) => errors.push({ field: f, rule, message: `${f}: ${message}` });
  if (bands.length < 1 || bands.length > riskLevels.length) push(field, 'count', `1 to ${riskLevels.length} bands`);
  const levels = new Set<string>();
  bands.forEach((b, i) => {
    const at = `${field}.${i}`;
    if (levels.has(b.level)) push(`${at}.level`, 'unique', `level ${b.level} has two bands`);
    levels.add(b.level);
    if (!COLOUR.test(b.colour)) push(`${at}.colour`, 'pattern', 'a colour such as #e63031');
    if (!Number.isFinite(b.minScore) || b.minScore < 0) push(`${at}.minScore`, 'minimum', 'zero or more');
    if (b.maxScore !== null && !(b.maxScore > b.minScore)) push(`${at}.maxScore`, 'minimum', 'greater than minScore');
    if (b.controlLevels.some((c) => !controlLevels.includes(c)) || new Set(b.controlLevels).size !== b.controlLevels.length) {
      push(`${at}.controlLevels`, 'enum', `distinct values of ${controlLevels.join(', ')}`);
    }
  });
  if (errors.length === 0) {
    const sorted = bands.map((b, i) => ({ b, i })).sort((x, y) => x.b.minScore - y.b.minScore);
    sorted.forEach(({ b, i }, k) => {
      const next = sorted[k + 1];
      if (!next) {
        if (b.maxScore !== null) push(`${field}.${i}.maxScore`, 'unbounded', 'the highest band has no maximum (every score above is in it)');
        return;
      }
      if (b.maxScore !== next.b.minScore) {
        push(`${field}.${next.i}.minScore`, 'contiguous', `must equal the maximum of the band below (${b.maxScore ?? 'none'}): no gaps, no overlaps`);
      }
      if (riskLevels.indexOf(next.b.level) > riskLevels.indexOf(b.level)) {
        push(`${field}.${next.i}.level`, 'order', `a higher score cannot be a lower level than ${b.level}`);
      }
    });
  }
  if (errors.length > 0) throw fail(errors);
}

export interface ScoredFactors {
  score: number;
  snapshot: FactorSnapshot[];
}

/**
 * The score of one assessment: every factor of the method must be given, with a value from its option
 * table, and nothing else. Errors name the field (`factors.L`) and list the allowed values.
 */
export function scoreFactors(method: { factors: MethodFactor[] }, given: Record<string, number>, locale: Locale): ScoredFactors {
  const errors: FieldError[] = [];
  const push = (f: string, rule: string, message: string) => errors.push({ field: f, rule, message: `${f}: ${message}` });
  for (const key of Object.keys(given)) {
    if (!method.factors.some((f) => f.key === key)) push(`factors.${key}`, 'unknown', `not a factor of this method (${method.factors.map((f) => f.key).join(', ')})`);
  }
  const snapshot: FactorSnapshot[] = [];
  let score = 1;
  for (const f of method.factors) {
    const value = given[f.key];
    const name = locale === 'en' ? f.nameEn : f.nameZh;
    if (value === undefined) {
      push(`factors.${f.key}`, 'required', `required (${name})`);
      continue;
    }
    const option = f.options.find((o) => o.value === value);
    if (!option) {
      push(`factors.${f.key}`, 'enum', `${value} is not one of the values of ${f.key} (${f.options.map((o) => o.value).join(', ')})`);
      continue;
    }
    snapshot.push({ key: f.key, name, value, label: locale === 'en' ? option.labelEn : option.labelZh });
    score *= value;
  }
  if (errors.length > 0) throw fail(errors);
  return { score: roundScore(score), snapshot };
}

/** The band that holds the score: minScore ≤ score < maxScore. */
export function bandFor(bands: MethodBand[], score: number): MethodBand | null {
  return bands.find((b) => score >= b.minScore && (b.maxScore === null || score < b.maxScore)) ?? null;
}
