import { and, asc, eq, isNull } from 'drizzle-orm';
import type { Ctx } from '../../platform/auth/actor.ts';
import { requirePermission } from '../../platform/auth/scope.ts';
import type { Tx } from '../../platform/db/client.ts';
import { newId } from '../../platform/db/columns.ts';
import { AppError, invalid, notFound } from '../../platform/http/errors.ts';
import { inspectionPermissions as P } from './permissions.ts';
import { inspectionTemplates, inspectionTemplateVersions, itemKinds, type TemplateItem } from './schema.ts';
import { recordInspection, trimOrNull, UUID, versionConflict } from './store.ts';

/**
 * Checklist templates. Items are frozen in versions: editing the items writes the next version, and every
 * task keeps the version it was generated with, so its record still reads as it was checked.
 */

type TemplateRow = typeof inspectionTemplates.$inferSelect;

export interface TemplateView {
  id: string;
  name: string;
  description: string | null;
  isDefault: boolean;
  archived: boolean;
  currentVersionNo: number;
  items: TemplateItem[];
  createdAt: string;
  updatedAt: string;
  version: number;
}

const KEY = /^[a-z][a-z0-9_]{0,39}$/;

/** Checks and normalises a list of items; names the field and the rule on a bad one. */
export function checkItems(items: TemplateItem[]): TemplateItem[] {
  if (items.length === 0) throw invalid('items', 'minItems', 'items: at least one item');
  const seen = new Set<string>();
  return items.map((it, i) => {
    const f = `items.${i}`;
    if (!KEY.test(it.key)) throw invalid(`${f}.key`, 'pattern', `${f}.key: lower-case letters, digits and _ (starting with a letter), at most 40`);
    if (seen.has(it.key)) throw invalid(`${f}.key`, 'unique', `${f}.key: "${it.key}" is used twice`);
    seen.add(it.key);
    if (!itemKinds.includes(it.kind)) throw invalid(`${f}.kind`, 'enum', `${f}.kind: one of ${itemKinds.join(', ')}`);
    const label = it.label.trim();
    if (!label) throw invalid(`${f}.label`, 'required', `${f}.label: required`);
    const min = it.kind === 'number' ? (it.min ?? null) : null;
    const max = it.kind === 'number' ? (it.max ?? null) : null;
    if (min !== null && max !== null && min > max) throw invalid(`${f}.min`, 'range', `${f}.min: at most max (${max})`);
    return {
      key: it.key,
      label,
      kind: it.kind,
      required: it.required,
      ...(it.kind === 'number' ? { min, max, unit: trimOrNull(it.unit) } : {}),
      ...(it.kind === 'pass_fail' ? { allowNa: it.allowNa ?? true } : {}),
      photoRequired: it.kind === 'photo' ? true : (it.photoRequired ?? false),
      hint: trimOrNull(it.hint),
    };
  });
}

async function itemsOf(tx: Tx, t: TemplateRow, versionNo = t.currentVersionNo): Promise<TemplateItem[]> {
  const [v] = await tx
    .select({ items: inspectionTemplateVersions.items })
    .from(inspectionTemplateVersions)
    .where(and(eq(inspectionTemplateVersions.templateId, t.id), eq(inspectionTemplateVersions.versionNo, versionNo)));
  return v?.items ?? [];
}

function view(t: TemplateRow, items: TemplateItem[]): TemplateView {
  return {
    id: t.id,
    name: t.name,
    description: t.description,
    isDefault: t.isDefault,
    archived: t.archivedAt !== null,
    currentVersionNo: t.currentVersionNo,
    items,
    createdAt: t.createdAt.toISOString(),
    updatedAt: t.updatedAt.toISOString(),
    version: t.version,
  };
}

export async function loadTemplate(tx: Tx, tenantId: string, id: string, field = 'id'): Promise<TemplateRow> {
  const [t] = UUID.test(id)
    ? await tx
        .select()
        .from(inspectionTemplates)
        .where(and(eq(inspectionTemplates.tenantId, tenantId), eq(inspectionTemplates.id, id)))
    : [];
  if (!t) throw field === 'id' ? notFound('checklist template') : invalid(field, 'exists', `${field}: no checklist template ${id} in this company`);
  return t;
}

/** The id of the current version of a template (what a newly generated task is checked against). */
export async function currentVersionId(tx: Tx, templateId: string, versionNo: number): Promise<string> {
  const [v] = await tx
    .select({ id: inspectionTemplateVersions.id })
    .from(inspectionTemplateVersions)
    .where(and(eq(inspectionTemplateVersions.templateId, templateId), eq(inspectionTemplateVersions.versionNo, versionNo)));
  if (!v) throw new AppError('internal', `template ${templateId} has no version ${versionNo}`);
  return v.id;
}

export async function listTemplates(ctx: Ctx, q: { includeArchived?: boolean }): Promise<{ items: TemplateView[] }> {
  requirePermission(ctx.actor, P.read);
  return ctx.db.read(async (tx) => {
    const rows = await tx
      .select()
      .from(inspectionTemplates)
      .where(and(eq(inspectionTemplates.tenantId, ctx.actor.tenantId), q.includeArchived ? undefined : isNull(inspectionTemplates.archivedAt)))
      .orderBy(asc(inspectionTemplates.name), asc(inspectionTemplates.id));
    const versions = rows.length
      ? await tx.select().from(inspectionTemplateVersions).where(eq(inspectionTemplateVersions.tenantId, ctx.actor.tenantId))
      : [];
    return { items: rows.map((t) => view(t, versions.find((v) => v.templateId === t.id && v.versionNo === t.currentVersionNo)?.items ?? [])) };
  });
}

export async function getTemplate(ctx: Ctx, id: string): Promise<TemplateView> {
  requirePermission(ctx.actor, P.read);
  return ctx.db.read(async (tx) => {
    const t = await loadTemplate(tx, ctx.actor.tenantId, id);
    return view(t, await itemsOf(tx, t));
  });
}

export interface TemplateInput {
  name: string;
  description?: string | null;
  items: TemplateItem[];
}

export async function createTemplate(ctx: Ctx, input: TemplateInput): Promise<TemplateView> {
  requirePermission(ctx.actor, P.plan);
  const name = input.name.trim();
  if (!name) throw invalid('name', 'required', 'name: required');
  const items = checkItems(input.items);
  return ctx.db.tx(async (tx) => {
    const now = ctx.now();
    const [t] = await tx
      .insert(inspectionTemplates)
      .values({ id: newId(), tenantId: ctx.actor.tenantId, name, description: trimOrNull(input.description), createdAt: now, createdBy: ctx.actor.userId, updatedAt: now, updatedBy: ctx.actor.userId })
      .returning();
    if (!t) throw new AppError('internal');
    await tx.insert(inspectionTemplateVersions).values({ id: newId(), tenantId: t.tenantId, templateId: t.id, versionNo: 1, items, createdAt: now, createdBy: ctx.actor.userId });
    await recordInspection(tx, ctx, { action: 'inspection.template.created', entityType: 'inspection_template', entityId: t.id, after: { name, items } });
    return view(t, items);
  });
}

export interface TemplatePatch {
  name?: string;
  description?: string | null;
  items?: TemplateItem[];
  archived?: boolean;
}

export async function updateTemplate(ctx: Ctx, id: string, patch: TemplatePatch, version: number): Promise<TemplateView> {
  requirePermission(ctx.actor, P.plan);
  const items = patch.items ? checkItems(patch.items) : null;
  const name = patch.name?.trim();
  if (patch.name !== undefined && !name) throw invalid('name', 'required', 'name: required');
  return ctx.db.tx(async (tx) => {
    const before = await loadTemplate(tx, ctx.actor.tenantId, id);
    if (before.version !== version) throw versionConflict(before.version);
    const oldItems = await itemsOf(tx, before);
    const itemsChanged = items !== null && JSON.stringify(items) !== JSON.stringify(oldItems);
    const now = ctx.now();
    const nextNo = itemsChanged ? before.currentVersionNo + 1 : before.currentVersionNo;
    const [after] = await tx
      .update(inspectionTemplates)
      .set({
        name: name ?? before.name,
        description: patch.description === undefined ? before.description : trimOrNull(patch.description),
        archivedAt: patch.archived === undefined ? before.archivedAt : patch.archived ? (before.archivedAt ?? now) : null,
        currentVersionNo: nextNo,
        updatedAt: now,
        updatedBy: ctx.actor.userId,
        version: before.version + 1,
      })
      .where(and(eq(inspectionTemplates.id, before.id), eq(inspectionTemplates.version, version)))
      .returning();
    if (!after) throw versionConflict(before.version + 1);
    if (itemsChanged) {
      // Tasks already generated keep the version they point at; new ones get this one.
      await tx.insert(inspectionTemplateVersions).values({ id: newId(), tenantId: after.tenantId, templateId: after.id, versionNo: nextNo, items, createdAt: now, createdBy: ctx.actor.userId });
    }
    await recordInspection(tx, ctx, {
      action: 'inspection.template.updated',
      entityType: 'inspection_template',
      entityId: after.id,
      before: { name: before.name, versionNo: before.currentVersionNo, archived: before.archivedAt !== null },
      after: { name: after.name, versionNo: nextNo, archived: after.archivedAt !== null, ...(itemsChanged ? { items } : {}) },
    });
    return view(after, itemsChanged && items ? items : oldItems);
  });
}
