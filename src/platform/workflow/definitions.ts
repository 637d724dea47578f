import { and, asc, desc, eq } from 'drizzle-orm';
import { recordChange } from '../audit/record.ts';
import type { Ctx } from '../auth/actor.ts';
import { requirePermission } from '../auth/scope.ts';
import type { Tx } from '../db/client.ts';
import { newId } from '../db/columns.ts';
import { AppError, notFound, type FieldError } from '../http/errors.ts';
import { isUniqueViolation } from '../org/sqlHelpers.ts';
import { resolvableAtPublish, resolveRule } from './approvers.ts';
import { checkGraph, checkStructure } from './definitionCheck.ts';
import type { FlowGraph } from './definitionSchema.ts';
import { workflowPermissions as P } from './permissions.ts';
import { workflowDefinitions, workflowDefinitionVersions, type PublishWarning } from './schema.ts';
import { versionConflict } from './store.ts';

/**
 * Flow definitions: a draft per tenant and key that designers edit, and immutable published versions.
 * Saving checks the structure; publishing checks the meaning too (references, rules, defaults,
 * reachability, cycles) and warns about rules that name nobody in this company today.
 */

export type DefinitionRow = typeof workflowDefinitions.$inferSelect;
export type DefinitionVersionRow = typeof workflowDefinitionVersions.$inferSelect;

export const DEFINITION_KEY = /^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$/;

function invalidDefinition(errors: FieldError[]): AppError {
  return new AppError('workflow_definition_invalid', errors.map((e) => e.message).join('; ').slice(0, 2000), { errors });
}

/** Structure check of a graph a designer saves; the errors are prefixed with `graph.`. */
function structured(graph: unknown): FlowGraph {
  const check = checkStructure(graph);
  if (!check.graph) throw invalidDefinition(check.errors.map((e) => ({ ...e, field: `graph.${e.field}` })));
  return check.graph;
}

async function loadDefinition(tx: Tx, tenantId: string, id: string, opts: { forUpdate?: boolean } = {}): Promise<DefinitionRow> {
  const q = tx
    .select()
    .from(workflowDefinitions)
    .where(and(eq(workflowDefinitions.tenantId, tenantId), eq(workflowDefinitions.id, id)));
  const [row] = opts.forUpdate ? await q.for('update') : await q;
  if (!row) throw notFound('flow definition');
  return row;
}

const auditOf = (d: DefinitionRow) => ({ key: d.key, name: d.name, publishedVersion: d.publishedVersion, archivedAt: d.archivedAt, version: d.version, nodes: d.draft.nodes.length });

async function recordDefinition(tx: Tx, ctx: Ctx, what: string, before: DefinitionRow | null, after: DefinitionRow, extra: Record<string, unknown> = {}): Promise<void> {
  const type = `workflow.definition.${what}`;
  await recordChange(
    tx,
    ctx,
    { action: type, entityType: 'workflow_definition', entityId: after.id, before: before ? auditOf(before) : null, after: { ...auditOf(after), ...extra } },
    { type, entityType: 'workflow_definition', entityId: after.id, payload: { definitionId: after.id, key: after.key, publishedVersion: after.publishedVersion, ...extra } },
  );
}

export async function listDefinitions(ctx: Ctx): Promise<DefinitionRow[]> {
  requirePermission(ctx.actor, P.read);
  return ctx.db.read((tx) => tx.select().from(workflowDefinitions).where(eq(workflowDefinitions.tenantId, ctx.actor.tenantId)).orderBy(asc(workflowDefinitions.key)));
}

export async function getDefinition(ctx: Ctx, id: string): Promise<DefinitionRow> {
  requirePermission(ctx.actor, P.read);
  return ctx.db.read((tx) => loadDefinition(tx, ctx.actor.tenantId, id));
}

export interface CreateDefinitionInput {
  key: string;
  name: string;
  description?: string | null;
  graph: unknown;
}

export async function createDefinitionInTx(tx: Tx, ctx: Ctx, input: CreateDefinitionInput): Promise<DefinitionRow> {
  if (!DEFINITION_KEY.test(input.key) || input.key.length > 100) throw invalidDefinition([{ field: 'key', rule: 'pattern', message: 'key: dotted lower-case name such as "permit.hot_work"' }]);
  const graph = structured(input.graph);
  const [dup] = await tx
    .select({ id: workflowDefinitions.id })
    .from(workflowDefinitions)
    .where(and(eq(workflowDefinitions.tenantId, ctx.actor.tenantId), eq(workflowDefinitions.key, input.key)));
  if (dup) throw new AppError('already_exists', `a flow with key "${input.key}" exists`, { extra: { id: dup.id } });
  const now = ctx.now();
  const [row] = await tx
    .insert(workflowDefinitions)
    .values({ id: newId(), tenantId: ctx.actor.tenantId, key: input.key, name: input.name.trim(), description: input.description?.trim() || null, draft: graph, createdAt: now, createdBy: ctx.actor.userId, updatedAt: now, updatedBy: ctx.actor.userId })
    .returning()
    // Two designers creating the same key at once: the second gets the same 409 as the pre-check gives.
    .catch((e: unknown) => {
      throw isUniqueViolation(e) ? new AppError('already_exists', `a flow with key "${input.key}" exists`) : e;
    });
  await recordDefinition(tx, ctx, 'created', null, row!);
  return row!;
}

export async function createDefinition(ctx: Ctx, input: CreateDefinitionInput): Promise<DefinitionRow> {
  requirePermission(ctx.actor, P.design);
  return ctx.db.tx((tx) => createDefinitionInTx(tx, ctx, input));
}

export interface UpdateDefinitionInput {
  name?: string;
  description?: string | null;
  graph?: unknown;
}

/** Edits the draft; published versions and the instances running on them are untouched. */
export async function updateDefinition(ctx: Ctx, id: string, input: UpdateDefinitionInput, version: number): Promise<DefinitionRow> {
  requirePermission(ctx.actor, P.design);
  return ctx.db.tx(async (tx) => {
    const before = await loadDefinition(tx, ctx.actor.tenantId, id, { forUpdate: true });
    if (before.version !== version) throw versionConflict('flow definition', before.version);
    const graph = input.graph === undefined ? before.draft : structured(input.graph);
    const [after] = await tx
      .update(workflowDefinitions)
      .set({
        name: input.name?.trim() ?? before.name,
        description: input.description === undefined ? before.description : input.description?.trim() || null,
        draft: graph,
        version: before.version + 1,
        updatedAt: ctx.now(),
        updatedBy: ctx.actor.userId,
      })
      .where(and(eq(workflowDefinitions.id, id), eq(workflowDefinitions.version, version)))
      .returning();
    if (!after) throw versionConflict('flow definition', before.version);
    await recordDefinition(tx, ctx, 'updated', before, after);
    return after;
  });
}

/** Rules that resolve to nobody today (person/role/position; org rules depend on the applicant). */
async function publishWarnings(tx: Tx, tenantId: string, graph: FlowGraph): Promise<PublishWarning[]> {
  const out: PublishWarning[] = [];
  for (const node of graph.nodes) {
    const rules =
      node.type === 'approval'
        ? [
            { field: 'approvers', rule: node.approvers },
            { field: 'timeout.escalateTo', rule: node.timeout?.escalateTo },
          ]
        : node.type === 'cc'
          ? [{ field: 'recipients', rule: node.recipients }]
          : [];
    for (const { field, rule } of rules) {
      if (!rule || !resolvableAtPublish(rule)) continue;
      const who = await resolveRule(tx, tenantId, rule, { applicantUserId: null });
      if (who.length === 0) out.push({ nodeId: node.id, field: `nodes.${node.id}.${field}`, message: `node "${node.id}" (${node.name}): ${field} names nobody in this company today` });
    }
  }
  return out;
}

export interface ValidationReport {
  valid: boolean;
  errors: FieldError[];
  warnings: PublishWarning[];
}

/** What publishing would say, without publishing (the editor's "check" button). */
export async function validateDefinition(ctx: Ctx, id: string): Promise<ValidationReport> {
  requirePermission(ctx.actor, P.design);
  return ctx.db.read(async (tx) => {
    const def = await loadDefinition(tx, ctx.actor.tenantId, id);
    const check = checkGraph(def.draft);
    const warnings = check.graph ? await publishWarnings(tx, ctx.actor.tenantId, check.graph) : [];
    return { valid: check.errors.length === 0, errors: check.errors.map((e) => ({ ...e, field: `graph.${e.field}` })), warnings };
  });
}

export interface PublishResult {
  definition: DefinitionRow;
  version: DefinitionVersionRow;
}

export async function publishInTx(tx: Tx, ctx: Ctx, id: string, version: number | null): Promise<PublishResult> {
  const before = await loadDefinition(tx, ctx.actor.tenantId, id, { forUpdate: true });
  if (version !== null && before.version !== version) throw versionConflict('flow definition', before.version);
  const check = checkGraph(before.draft);
  if (!check.graph) throw invalidDefinition(check.errors.map((e) => ({ ...e, field: `graph.${e.field}` })));
  const warnings = await publishWarnings(tx, ctx.actor.tenantId, check.graph);
  const versionNo = (before.publishedVersion ?? 0) + 1;
  const [v] = await tx
    .insert(workflowDefinitionVersions)
    .values({ id: newId(), tenantId: before.tenantId, definitionId: before.id, key: before.key, versionNo, name: before.name, graph: check.graph, warnings, publishedAt: ctx.now(), publishedBy: ctx.actor.userId })
    .returning();
  const [after] = await tx
    .update(workflowDefinitions)
    .set({ publishedVersion: versionNo, archivedAt: null, version: before.version + 1, updatedAt: ctx.now(), updatedBy: ctx.actor.userId })
    .where(and(eq(workflowDefinitions.id, id), eq(workflowDefinitions.version, before.version)))
    .returning();
  if (!after) throw versionConflict('flow definition', before.version);
  await recordDefinition(tx, ctx, 'published', before, after, { versionNo, warnings: warnings.length });
  return { definition: after, version: v! };
}

/** Publishes the draft as the next version; new instances use it, running ones keep theirs. */
export async function publishDefinition(ctx: Ctx, id: string, version: number): Promise<PublishResult> {
  requirePermission(ctx.actor, P.design);
  return ctx.db.tx((tx) => publishInTx(tx, ctx, id, version));
}

/** Stops new instances (running ones finish on their version); publishing again re-activates. */
export async function archiveDefinition(ctx: Ctx, id: string, version: number): Promise<DefinitionRow> {
  requirePermission(ctx.actor, P.design);
  return ctx.db.tx(async (tx) => {
    const before = await loadDefinition(tx, ctx.actor.tenantId, id, { forUpdate: true });
    if (before.version !== version) throw versionConflict('flow definition', before.version);
    if (before.archivedAt) throw new AppError('conflict', 'the flow is already archived');
    const [after] = await tx
      .update(workflowDefinitions)
      .set({ archivedAt: ctx.now(), version: before.version + 1, updatedAt: ctx.now(), updatedBy: ctx.actor.userId })
      .where(and(eq(workflowDefinitions.id, id), eq(workflowDefinitions.version, version)))
      .returning();
    if (!after) throw versionConflict('flow definition', before.version);
    await recordDefinition(tx, ctx, 'archived', before, after);
    return after;
  });
}

export async function listDefinitionVersions(ctx: Ctx, id: string): Promise<DefinitionVersionRow[]> {
  requirePermission(ctx.actor, P.read);
  return ctx.db.read(async (tx) => {
    const def = await loadDefinition(tx, ctx.actor.tenantId, id);
    return tx.select().from(workflowDefinitionVersions).where(eq(workflowDefinitionVersions.definitionId, def.id)).orderBy(desc(workflowDefinitionVersions.versionNo));
  });
}

export async function getDefinitionVersion(ctx: Ctx, id: string, versionNo: number): Promise<DefinitionVersionRow> {
  requirePermission(ctx.actor, P.read);
  return ctx.db.read(async (tx) => {
    const def = await loadDefinition(tx, ctx.actor.tenantId, id);
    const [v] = await tx
      .select()
      .from(workflowDefinitionVersions)
      .where(and(eq(workflowDefinitionVersions.definitionId, def.id), eq(workflowDefinitionVersions.versionNo, versionNo)));
    if (!v) throw notFound('flow definition version');
    return v;
  });
}

/**
 * For seeders (demo data, a module's default flows per tenant): creates and publishes the definition when
 * the tenant has none with this key; an existing one, edited by the tenant, is left alone.
 */
export async function seedFlowDefinition(tx: Tx, ctx: Ctx, input: CreateDefinitionInput): Promise<DefinitionRow> {
  const [existing] = await tx
    .select()
    .from(workflowDefinitions)
    .where(and(eq(workflowDefinitions.tenantId, ctx.actor.tenantId), eq(workflowDefinitions.key, input.key)));
  if (existing) return existing;
  const created = await createDefinitionInTx(tx, ctx, input);
  return (await publishInTx(tx, ctx, created.id, null)).definition;
}
