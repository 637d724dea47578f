import type { Condition, ConditionNode } from './definitionSchema.ts';

/**
 * Condition branches on form fields. Pure. A comparison only holds between values of the same kind
 * (number with number, string with string); a missing field or a kind mismatch makes the condition
 * false, so an incomplete form falls through to the default branch instead of matching by accident.
 */

function fieldValue(form: Record<string, unknown>, path: string): unknown {
  let v: unknown = form;
  for (const part of path.split('.')) {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
    v = (v as Record<string, unknown>)[part];
  }
  return v;
}

type Scalar = string | number;
const isScalar = (v: unknown): v is Scalar => typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v));
const sameKind = (a: Scalar, b: Scalar) => typeof a === typeof b;

function compare(a: Scalar, b: Scalar): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  // Strings compare by code point, so ISO dates and zero-padded codes order as they read.
  return a < b ? -1 : a > b ? 1 : 0;
}

export function conditionHolds(c: Condition, form: Record<string, unknown>): boolean {
  const actual = fieldValue(form, c.field);
  if (!isScalar(actual)) return false;
  if (c.op === 'in') return Array.isArray(c.value) && c.value.some((v) => sameKind(v, actual) && compare(actual, v) === 0);
  if (Array.isArray(c.value) || !sameKind(actual, c.value)) return false;
  const d = compare(actual, c.value);
  switch (c.op) {
    case 'eq':
      return d === 0;
    case 'ne':
      return d !== 0;
    case 'gt':
      return d > 0;
    case 'gte':
      return d >= 0;
    case 'lt':
      return d < 0;
    case 'lte':
      return d <= 0;
  }
  return false;
}

/** The first branch whose conditions all hold, else the default branch (publishing guarantees one). */
export function pickBranch(node: ConditionNode, form: Record<string, unknown>): { index: number; next: string | undefined } {
  const index = node.branches.findIndex((b) => b.default !== true && (b.when ?? []).length > 0 && (b.when ?? []).every((c) => conditionHolds(c, form)));
  if (index >= 0) return { index, next: node.branches[index]!.next };
  const def = node.branches.findIndex((b) => b.default === true);
  if (def < 0) throw new Error(`workflow: condition node ${node.id} has no default branch`);
  return { index: def, next: node.branches[def]!.next };
}
