import { AppError } from './errors.ts';

/** Opaque cursor: base64url of the last row's sort key. Tampered cursors are a 400, not a 500. */
export function encodeCursor(key: Record<string, string | number>): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

export function decodeCursor<K extends Record<string, string | number>>(cursor: string | undefined, shape: { [P in keyof K]: 'string' | 'number' }): K | null {
  if (!cursor) return null;
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Record<string, unknown>;
    for (const [k, t] of Object.entries(shape)) {
      if (typeof parsed[k] !== t) throw new Error(k);
    }
    return parsed as K;
  } catch {
    throw new AppError('validation_failed', 'cursor: invalid', { errors: [{ field: 'cursor', rule: 'format', message: 'cursor: invalid' }] });
  }
}

/** Takes limit+1 rows, returns a page and the cursor of the last row shown. */
export function pageOf<T>(rows: T[], limit: number, keyOf: (row: T) => Record<string, string | number>) {
  const more = rows.length > limit;
  const items = more ? rows.slice(0, limit) : rows;
  const last = items[items.length - 1];
  return { items, nextCursor: more && last ? encodeCursor(keyOf(last)) : null };
}
