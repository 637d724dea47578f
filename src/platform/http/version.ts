import type { FastifyRequest } from 'fastify';
import { AppError } from './errors.ts';

/**
 * The version the client expects to update, from `If-Match: "3"` (or W/"3") or a `version` body field.
 * Updates without one are refused (428): a phone that edits a stale copy must not overwrite newer data.
 */
export function expectedVersion(request: FastifyRequest, bodyVersion?: number): number {
  const header = request.headers['if-match'];
  if (typeof header === 'string' && header.length > 0) {
    const m = /^(?:W\/)?"?(\d{1,9})"?$/.exec(header.trim());
    if (!m) throw new AppError('bad_request', 'If-Match: expected a version number such as "3"');
    return Number(m[1]);
  }
  if (bodyVersion !== undefined) return bodyVersion;
  throw new AppError('precondition_required', 'send the record version in If-Match or in the body');
}
