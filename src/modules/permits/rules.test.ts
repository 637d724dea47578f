import { describe, expect, it } from 'vitest';
import { DEFAULT_PERMIT_CONFIG } from './defaults.ts';
import { conflictsOf, gasFailures, gasStartProblem, nextStatus, validityProblem } from './rules.ts';

const HOUR = 3_600_000;
const grade1 = DEFAULT_PERMIT_CONFIG.types.hot_work.grades.find((g) => g.code === '1')!;
const gas = DEFAULT_PERMIT_CONFIG.gas;

describe('permit rules (pure)', () => {
  it('allows only the table transitions', () => {
    expect(nextStatus('draft', 'submit')).toBe('approving');
    expect(nextStatus('approved', 'verify')).toBe('active');
    expect(nextStatus('draft', 'verify')).toBeNull();
    expect(nextStatus('closed', 'expire')).toBeNull();
    expect(nextStatus('active', 'cancel')).toBeNull();
  });

  it('refuses a window beyond the limit and one that ends before it starts', () => {
    const from = new Date('2026-12-01T01:00:00Z');
    expect(validityProblem(from, new Date(from.getTime() + 8 * HOUR), 8)).toBeNull();
    expect(validityProblem(from, new Date(from.getTime() + 8 * HOUR + 1), 8)).toContain('at most 8 h');
    expect(validityProblem(from, from, null)).toContain('after validFrom');
  });

  it('judges O₂, flammables by their LEL class, and toxics', () => {
    expect(gasFailures({ o2Pct: 20.8, flammablePct: 0.4, flammableLelPct: 5, toxics: [] }, gas)).toEqual([]);
    expect(gasFailures({ o2Pct: 20.8, flammablePct: 0.4, flammableLelPct: 2, toxics: [] }, gas)).toHaveLength(1);
    expect(gasFailures({ o2Pct: 19, flammablePct: null, flammableLelPct: null, toxics: [{ code: 'H2S', value: 12 }, { code: 'XYZ', value: 1 }] }, gas)).toHaveLength(3);
  });

  it('needs a passing analysis at most 30 min old, and a new one after a long break', () => {
    const now = new Date('2026-12-01T02:00:00Z');
    const ago = (m: number) => new Date(now.getTime() - m * 60_000);
    expect(gasStartProblem([], grade1, now)?.rule).toBe('gas_test_missing');
    expect(gasStartProblem([{ takenAt: ago(31), passed: true }], grade1, now)?.rule).toBe('gas_test_stale');
    expect(gasStartProblem([{ takenAt: ago(10), passed: false }], grade1, now)?.rule).toBe('gas_test_failed');
    expect(gasStartProblem([{ takenAt: ago(10), passed: true }], grade1, now)).toBeNull();
    const lenient = { ...grade1, gasTestValidMinutes: 120 };
    expect(gasStartProblem([{ takenAt: ago(40), passed: true }], lenient, now, ago(35))?.rule).toBe('gas_retest_required');
  });

  it('warns of configured pairs in one area or one inside the other, unless cross-referenced', () => {
    const hw = { id: 'a', type: 'hot_work' as const, areaPath: '/p/w/', relatedPermitIds: [] };
    const cs = { id: 'b', type: 'confined_space' as const, areaPath: '/p/w/t/', relatedPermitIds: [] };
    const far = { id: 'c', type: 'confined_space' as const, areaPath: '/p/x/', relatedPermitIds: [] };
    expect(conflictsOf(hw, [hw, cs, far], DEFAULT_PERMIT_CONFIG.conflicts).map((c) => c.otherPermitId)).toEqual(['b']);
    expect(conflictsOf({ ...hw, relatedPermitIds: ['b'] }, [cs], DEFAULT_PERMIT_CONFIG.conflicts)).toEqual([]);
  });
});
