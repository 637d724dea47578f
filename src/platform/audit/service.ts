import { createHash } from 'node:crypto';
import { and, asc, desc, eq, gt, gte, lt, lte, sql, type SQL } from 'drizzle-orm';
import type { Ctx } from '../auth/actor.ts';
import { requirePermission } from '../auth/scope.ts';
import type { Tx } from '../db/client.ts';
import { newId } from '../db/columns.ts';
import { auditHeads, auditLog } from './schema.ts';

const GENESIS = '0'.repeat(64);

export interface AuditInput {
  action: string;
  entityType: string;
  entityId?: string | null;
  before?: unknown;
  after?: unknown;
}

/** JSON with sorted keys, so the hash does not depend on how jsonb reorders keys. */
export function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Plain JSON copy (Dates → ISO strings), the same shape jsonb gives back. */
function plain(value: unknown): unknown {
  return value === undefined ? null : (JSON.parse(JSON.stringify(value)) as unknown);
}

interface HashedFields {
  tenantId: string;
  seq: number;
  at: Date;
  actorUserId: string | null;
  actorName: string | null;
  ip: string | null;
  action: string;
  entityType: string;
  entityId: string | null;
  before: unknown;
  after: unknown;
}

export function entryHash(prevHash: string, e: HashedFields): string {
  const body = canonicalJson({ ...e, at: e.at.toISOString() });
  return createHash('sha256').update(prevHash).update('\n').update(body).digest('hex');
}

/**
 * Appends one entry to the tenant's chain inside the caller's transaction, so the change and its audit
 * entry commit together. The chain head row is locked, so concurrent writers queue instead of forking.
 */
export async function appendAudit(tx: Tx, ctx: Pick<Ctx, 'actor' | 'now' | 'ip'>, input: AuditInput): Promise<void> {
  const tenantId = ctx.actor.tenantId;
  await tx.insert(auditHeads).values({ tenantId, seq: 0, hash: GENESIS }).onConflictDoNothing();
  const [head] = await tx.select().from(auditHeads).where(eq(auditHeads.tenantId, tenantId)).for('update');
  if (!head) throw new Error('audit head missing');
  const fields: HashedFields = {
    tenantId,
    seq: head.seq + 1,
    at: ctx.now(),
    actorUserId: ctx.actor.userId,
    actorName: ctx.actor.name,
    ip: ctx.ip,
    action: input.action,
    entityType: input.entityType,
    entityId: input.entityId ?? null,
    before: plain(input.before),
    after: plain(input.after),
  };
  const hash = entryHash(head.hash, fields);
  await tx.insert(auditLog).values({ id: newId(), ...fields, prevHash: head.hash, hash });
  await tx.update(auditHeads).set({ seq: fields.seq, hash }).where(eq(auditHeads.tenantId, tenantId));
}

export interface VerifyResult {
  ok: boolean;
  checked: number;
  headSeq: number;
  problems: { seq: number | null; problem: 'hash_mismatch' | 'broken_link' | 'missing_entry' | 'head_mismatch'; detail: string }[];
}

/**
 * Walks the chain in order and recomputes every hash. Detects an edited entry (hash mismatch), a deleted
 * entry (gap in seq / broken link) and a deleted tail (head says more entries exist than remain).
 */
export async function verifyAuditChain(tx: Tx, tenantId: string, batch = 2000): Promise<VerifyResult> {
  const problems: VerifyResult['problems'] = [];
  const [head] = await tx.select().from(auditHeads).where(eq(auditHeads.tenantId, tenantId));
  let prevHash = GENESIS;
  let expectedSeq = 1;
  let checked = 0;
  let lastSeq = 0;
  for (;;) {
    const rows = await tx
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.tenantId, tenantId), gt(auditLog.seq, lastSeq)))
      .orderBy(asc(auditLog.seq))
      .limit(batch);
    for (const r of rows) {
      if (r.seq !== expectedSeq) {
        problems.push({ seq: expectedSeq, problem: 'missing_entry', detail: `entries ${expectedSeq}..${r.seq - 1} are missing` });
      }
      if (r.prevHash !== prevHash) {
        problems.push({ seq: r.seq, problem: 'broken_link', detail: 'prev_hash does not match the previous entry' });
      }
      const recomputed = entryHash(r.prevHash, {
        tenantId: r.tenantId,
        seq: r.seq,
        at: r.at,
        actorUserId: r.actorUserId,
        actorName: r.actorName,
        ip: r.ip,
        action: r.action,
        entityType: r.entityType,
        entityId: r.entityId,
        before: r.before,
        after: r.after,
      });
      if (recomputed !== r.hash) {
        problems.push({ seq: r.seq, problem: 'hash_mismatch', detail: 'entry content was changed after it was written' });
      }
      prevHash = r.hash;
      expectedSeq = r.seq + 1;
      lastSeq = r.seq;
      checked++;
    }
    if (rows.length < batch) break;
  }
  const headSeq = head?.seq ?? 0;
  if (head && (head.seq !== lastSeq || head.hash !== prevHash)) {
    problems.push({ seq: head.seq, problem: 'head_mismatch', detail: `chain head is at ${head.seq} but the log ends at ${lastSeq}` });
  }
  return { ok: problems.length === 0, checked, headSeq, problems };
}

export interface AuditQuery {
  entityType?: string;
  entityId?: string;
  actorUserId?: string;
  action?: string;
  from?: string;
  to?: string;
  beforeSeq?: number;
  limit: number;
}

export async function listAudit(ctx: Ctx, q: AuditQuery) {
  requirePermission(ctx.actor, 'audit:read');
  const conds: SQL[] = [eq(auditLog.tenantId, ctx.actor.tenantId)];
  if (q.entityType) conds.push(eq(auditLog.entityType, q.entityType));
  if (q.entityId) conds.push(eq(auditLog.entityId, q.entityId));
  if (q.actorUserId) conds.push(eq(auditLog.actorUserId, q.actorUserId));
  if (q.action) conds.push(sql`${auditLog.action} LIKE ${q.action.replace(/[%_\\]/g, '\\$&') + '%'}`);
  if (q.from) conds.push(gte(auditLog.at, new Date(q.from)));
  if (q.to) conds.push(lte(auditLog.at, new Date(q.to)));
  if (q.beforeSeq !== undefined) conds.push(lt(auditLog.seq, q.beforeSeq));
  const rows = await ctx.db.read((tx) =>
    tx.select().from(auditLog).where(and(...conds)).orderBy(desc(auditLog.seq)).limit(q.limit + 1),
  );
  const more = rows.length > q.limit;
  const items = rows.slice(0, q.limit);
  return { items, nextCursor: more ? String(items[items.length - 1]?.seq) : null };
}

export async function verifyAudit(ctx: Ctx): Promise<VerifyResult> {
  requirePermission(ctx.actor, 'audit:verify');
  return ctx.db.read((tx) => verifyAuditChain(tx, ctx.actor.tenantId));
}
