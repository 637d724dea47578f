import type { ConflictRule, GasThresholds, GradeConfig } from './defaults.ts';
import type { PermitStatus, PermitType, ToxicReading } from './schema.ts';

/**
 * The permit rules as pure functions (DESIGN: lifecycles are pure transition tables tested without a
 * database): the transition table, the validity limit, the gas pass criteria and freshness, conflicts.
 */

export type PermitAction = 'gas_test' | 'submit' | 'approve' | 'back_to_draft' | 'verify' | 'suspend' | 'resume' | 'request_close' | 'accept' | 'cancel' | 'expire';

const table: Record<PermitAction, { from: readonly PermitStatus[]; to: PermitStatus }> = {
  gas_test: { from: ['draft'], to: 'gas_tested' },
  submit: { from: ['draft', 'gas_tested'], to: 'approving' },
  approve: { from: ['approving'], to: 'approved' },
  back_to_draft: { from: ['approving'], to: 'draft' },
  verify: { from: ['approved'], to: 'active' },
  suspend: { from: ['active'], to: 'suspended' },
  resume: { from: ['suspended'], to: 'active' },
  request_close: { from: ['active', 'suspended'], to: 'closing' },
  accept: { from: ['closing'], to: 'closed' },
  cancel: { from: ['draft', 'gas_tested', 'approved', 'suspended'], to: 'cancelled' },
  expire: { from: ['draft', 'gas_tested', 'approving', 'approved', 'active', 'suspended'], to: 'expired' },
};

/** The status after `action`, or null when the action is not allowed from `status`. */
export function nextStatus(status: PermitStatus, action: PermitAction): PermitStatus | null {
  const t = table[action];
  return t.from.includes(status) ? t.to : null;
}

export function allowedFrom(action: PermitAction): readonly PermitStatus[] {
  return table[action].from;
}

/** Statuses in which the work is, or may at once be, going on (site view, conflicts, guardian load). */
export const liveStatuses: readonly PermitStatus[] = ['approved', 'active', 'suspended'];

const HOUR = 3_600_000;

/** Why a time window is refused, or null. `limitHours` null = the grade sets no limit. */
export function validityProblem(from: Date, until: Date, limitHours: number | null): string | null {
  if (until.getTime() <= from.getTime()) return 'validUntil: after validFrom';
  if (limitHours !== null && until.getTime() - from.getTime() > limitHours * HOUR) return `validUntil: at most ${limitHours} h after validFrom`;
  return null;
}

export interface GasInput {
  o2Pct: number | null;
  flammablePct: number | null;
  flammableLelPct: number | null;
  toxics: ToxicReading[];
}

/**
 * The failures of one reading against the thresholds (empty = passed). GB 30871-2022 6.4: O₂ within
 * 19.5–21 %; 5.3.2: flammables ≤ 0.5 % v/v when the medium's LEL ≥ 4 %, else ≤ 0.2 %; toxics at most
 * their configured limit. A toxic gas without a configured limit fails (it cannot be judged).
 */
export function gasFailures(r: GasInput, t: GasThresholds): string[] {
  const f: string[] = [];
  if (r.o2Pct !== null && (r.o2Pct < t.o2MinPct || r.o2Pct > t.o2MaxPct)) f.push(`o2: ${r.o2Pct} % outside ${t.o2MinPct}–${t.o2MaxPct} %`);
  if (r.flammablePct !== null) {
    const limit = (r.flammableLelPct ?? t.lelBoundaryPct) >= t.lelBoundaryPct ? t.highLelMaxPct : t.lowLelMaxPct;
    if (r.flammablePct > limit) f.push(`flammable: ${r.flammablePct} % v/v above ${limit} %`);
  }
  for (const x of r.toxics) {
    const gas = t.toxics.find((g) => g.code === x.code);
    if (!gas) f.push(`${x.code}: no limit configured`);
    else if (x.value > gas.max) f.push(`${x.code}: ${x.value} ${gas.unit} above ${gas.max} ${gas.unit}`);
  }
  return f;
}

export interface ReadingFact {
  takenAt: Date;
  passed: boolean;
}

/**
 * Whether the gas analysis allows starting (or resuming) now: the newest reading passed and was taken at
 * most `gasTestValidMinutes` before now (5.3.1c: ≤ 30 min); after an interruption longer than
 * `interruptionRetestMinutes` it must also be newer than the interruption (5.3.1d, 6.3f). Null = allowed.
 */
export function gasStartProblem(readings: ReadingFact[], grade: GradeConfig, now: Date, interruptedAt: Date | null = null): { rule: string; message: string } | null {
  if (!grade.gasTestRequired) return null;
  const latest = [...readings].filter((r) => r.takenAt.getTime() <= now.getTime()).sort((a, b) => b.takenAt.getTime() - a.takenAt.getTime())[0];
  if (!latest) return { rule: 'gas_test_missing', message: 'no gas analysis recorded' };
  if (!latest.passed) return { rule: 'gas_test_failed', message: 'the latest gas analysis failed' };
  const age = (now.getTime() - latest.takenAt.getTime()) / 60_000;
  if (age > grade.gasTestValidMinutes) return { rule: 'gas_test_stale', message: `the latest gas analysis is ${Math.floor(age)} min old; at most ${grade.gasTestValidMinutes} min before start` };
  if (interruptedAt && (now.getTime() - interruptedAt.getTime()) / 60_000 > grade.interruptionRetestMinutes && latest.takenAt.getTime() <= interruptedAt.getTime()) {
    return { rule: 'gas_retest_required', message: `interrupted for more than ${grade.interruptionRetestMinutes} min: a new gas analysis is required` };
  }
  return null;
}

export interface AreaPermit {
  id: string;
  type: PermitType;
  /** Org path of the permit's area ("/a/b/"). */
  areaPath: string;
  relatedPermitIds: string[];
}

export interface ConflictWarning {
  code: 'conflict';
  permitId: string;
  otherPermitId: string;
  zh: string;
  en: string;
}

/**
 * Conflicting simultaneous operations (configured pairs) in one area: same area, or one area inside the
 * other. Permits that reference each other (4.6: cross-referenced, e.g. hot work inside a confined space
 * under both permits) are planned together and do not warn.
 */
export function conflictsOf(p: AreaPermit, others: AreaPermit[], rules: ConflictRule[]): ConflictWarning[] {
  const out: ConflictWarning[] = [];
  for (const o of others) {
    if (o.id === p.id) continue;
    if (!(o.areaPath.startsWith(p.areaPath) || p.areaPath.startsWith(o.areaPath))) continue;
    if (p.relatedPermitIds.includes(o.id) || o.relatedPermitIds.includes(p.id)) continue;
    const rule = rules.find((r) => (r.a === p.type && r.b === o.type) || (r.b === p.type && r.a === o.type));
    if (rule) out.push({ code: 'conflict', permitId: p.id, otherPermitId: o.id, zh: rule.zh, en: rule.en });
  }
  return out;
}
