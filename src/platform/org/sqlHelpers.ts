import { AppError } from '../http/errors.ts';

/** PostgreSQL unique_violation (23505), whether raised by node-postgres, PGlite or wrapped by drizzle. */
export function isUniqueViolation(e: unknown): boolean {
  for (let cur: unknown = e, i = 0; cur && i < 4; i++) {
    if (typeof cur === 'object' && 'code' in cur && (cur as { code: unknown }).code === '23505') return true;
    cur = typeof cur === 'object' && 'cause' in cur ? (cur as { cause: unknown }).cause : null;
  }
  return false;
}

/**
 * Runs a write and turns a unique-key race (two admins creating the same code at once, both passing the
 * pre-check) into the same 409 the pre-check gives, instead of a 500.
 */
export async function mapUniqueViolation<T>(fn: () => Promise<T>, field: string, detail: string): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (isUniqueViolation(e)) throw alreadyExists(field, detail);
    throw e;
  }
}

export function alreadyExists(field: string, detail: string): AppError {
  return new AppError('already_exists', detail, { errors: [{ field, rule: 'unique', message: detail }] });
}

/** `%text%` for ILIKE with the user's own % and _ taken literally. */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, '\\$&')}%`;
}

/** An update sent with a version older than the row's: someone else saved in between. */
export function versionConflict(current: number): AppError {
  return new AppError('version_conflict', `the record is at version ${current}; reload and try again`, { extra: { currentVersion: current } });
}

/** Keys whose values differ between two flat records (for audit before/after and "changed?" checks). */
export function changedKeys<T extends Record<string, unknown>>(before: T, after: Partial<T>): (keyof T)[] {
  return (Object.keys(after) as (keyof T)[]).filter((k) => after[k] !== undefined && JSON.stringify(after[k]) !== JSON.stringify(before[k]));
}

/** Picks the given keys of a record (audit entries carry only what changed). */
export function pick<T extends Record<string, unknown>>(row: T, keys: (keyof T)[]): Partial<T> {
  const out: Partial<T> = {};
  for (const k of keys) out[k] = row[k];
  return out;
}
