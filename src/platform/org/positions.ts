import { and, asc, eq, ne } from 'drizzle-orm';
import { recordChange } from '../audit/record.ts';
import type { Ctx } from '../auth/actor.ts';
import { requirePermission } from '../auth/scope.ts';
import type { Tx } from '../db/client.ts';
import { newId } from '../db/columns.ts';
import { AppError } from '../http/errors.ts';
import { positions } from './schema.ts';
import { alreadyExists, changedKeys, mapUniqueViolation, pick, versionConflict } from './sqlHelpers.ts';

export interface PositionView {
  id: string;
  code: string;
  name: string;
  special: boolean;
  active: boolean;
  version: number;
}

type PositionRow = typeof positions.$inferSelect;

const view = (p: PositionRow): PositionView => ({ id: p.id, code: p.code, name: p.name, special: p.special, active: p.active, version: p.version });

/** Positions are tenant-wide (a welder is a welder in every workshop), so only the tenant narrows them. */
export async function listPositions(ctx: Ctx): Promise<{ items: PositionView[] }> {
  requirePermission(ctx.actor, 'org:read');
  const rows = await ctx.db.read((tx) => tx.select().from(positions).where(eq(positions.tenantId, ctx.actor.tenantId)).orderBy(asc(positions.code)));
  return { items: rows.map(view) };
}

export async function loadPosition(tx: Tx, tenantId: string, id: string, field = 'id'): Promise<PositionRow> {
  const [p] = await tx.select().from(positions).where(and(eq(positions.id, id), eq(positions.tenantId, tenantId)));
  if (!p) throw new AppError('not_found', `${field}: position ${id} not found`);
  return p;
}

async function assertCodeFree(tx: Tx, tenantId: string, code: string, exceptId?: string): Promise<void> {
  const [dupe] = await tx
    .select({ id: positions.id })
    .from(positions)
    .where(and(eq(positions.tenantId, tenantId), eq(positions.code, code), exceptId ? ne(positions.id, exceptId) : undefined));
  if (dupe) throw alreadyExists('code', `code: a position with code ${code} already exists`);
}

export interface CreatePositionInput {
  code: string;
  name: string;
  special?: boolean;
}

export async function createPosition(ctx: Ctx, input: CreatePositionInput): Promise<PositionView> {
  const a = ctx.actor;
  return ctx.db.tx(async (tx) => {
    requirePermission(a, 'org:write');
    const code = input.code.trim();
    await assertCodeFree(tx, a.tenantId, code);
    const now = ctx.now();
    const id = newId();
    const [row] = await mapUniqueViolation(
      () =>
        tx
          .insert(positions)
          .values({ id, tenantId: a.tenantId, code, name: input.name.trim(), special: input.special ?? false, createdAt: now, createdBy: a.userId, updatedAt: now, updatedBy: a.userId })
          .returning(),
      'code',
      `code: a position with code ${code} already exists`,
    );
    if (!row) throw new Error('position insert returned nothing');
    await recordChange(
      tx,
      ctx,
      { action: 'position.created', entityType: 'position', entityId: id, after: pick(row, ['code', 'name', 'special']) },
      { type: 'position.created', entityType: 'position', entityId: id },
    );
    return view(row);
  });
}

export interface UpdatePositionInput {
  id: string;
  version: number;
  code?: string;
  name?: string;
  special?: boolean;
  active?: boolean;
}

/** Deactivating a position keeps it on the people who hold it; it can no longer be given to anyone new. */
export async function updatePosition(ctx: Ctx, input: UpdatePositionInput): Promise<PositionView> {
  const a = ctx.actor;
  return ctx.db.tx(async (tx) => {
    requirePermission(a, 'org:write');
    const p = await loadPosition(tx, a.tenantId, input.id);
    if (p.version !== input.version) throw versionConflict(p.version);
    const patch: Partial<PositionRow> = {};
    if (input.code !== undefined && input.code.trim() !== p.code) {
      patch.code = input.code.trim();
      await assertCodeFree(tx, a.tenantId, patch.code, p.id);
    }
    if (input.name !== undefined) patch.name = input.name.trim();
    if (input.special !== undefined) patch.special = input.special;
    if (input.active !== undefined) patch.active = input.active;
    const keys = changedKeys(p, patch);
    if (keys.length === 0) return view(p);
    const [row] = await mapUniqueViolation(
      () =>
        tx
          .update(positions)
          .set({ ...patch, version: p.version + 1, updatedAt: ctx.now(), updatedBy: a.userId })
          .where(and(eq(positions.id, p.id), eq(positions.version, input.version)))
          .returning(),
      'code',
      `code: a position with code ${patch.code ?? ''} already exists`,
    );
    if (!row) throw versionConflict(p.version + 1);
    await recordChange(
      tx,
      ctx,
      { action: 'position.updated', entityType: 'position', entityId: p.id, before: pick(p, keys), after: pick(row, keys) },
      { type: 'position.updated', entityType: 'position', entityId: p.id, payload: { changed: keys } },
    );
    return view(row);
  });
}
