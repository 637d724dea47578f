import { and, asc, eq, inArray } from 'drizzle-orm';
import type { Ctx } from '../../platform/auth/actor.ts';
import { requirePermission, scopeWhere } from '../../platform/auth/scope.ts';
import { notFound } from '../../platform/http/errors.ts';
import { qrImage } from '../../platform/pdf/document.ts';
import { tenantZone } from '../../platform/org/calendar.ts';
import { loadCheckpoint } from './checkpoints.ts';
import { scanUrl } from './codes.ts';
import { namesOf } from '../../platform/org/directory.ts';
import { renderCheckpointLabelsPdf } from './labelsPdf.ts';
import { equipmentPermissions as P } from './permissions.ts';
import { checkpoints, equipment } from './schema.ts';

/**
 * Printable QR codes of checkpoints (checkpoint:manage only: the picture carries the code). Re-printing
 * gives the same code until someone rotates it.
 */

export type QrFormat = 'png' | 'svg';

export async function checkpointQr(ctx: Ctx, deps: { publicUrl: string }, id: string, format: QrFormat): Promise<{ body: Buffer; mime: string; fileName: string }> {
  requirePermission(ctx.actor, P.manageCheckpoints);
  const cp = await ctx.db.read((tx) => loadCheckpoint(tx, ctx.actor, id));
  if (cp.archivedAt) throw notFound('checkpoint');
  const url = scanUrl(deps.publicUrl, cp.scanCode);
  // Error correction level M (qrImage) survives a scratched or dirty label on a workshop wall.
  const body = await qrImage(url, format);
  return { body, mime: format === 'png' ? 'image/png' : 'image/svg+xml', fileName: `checkpoint-${cp.id.slice(0, 8)}.${format}` };
}

/** An A4 sheet of labels for the selected checkpoints (in the order given; unknown or archived ones: 404). */
export async function checkpointLabelsPdf(ctx: Ctx, deps: { publicUrl: string }, ids: string[]): Promise<{ pdf: Buffer; fileName: string }> {
  requirePermission(ctx.actor, P.manageCheckpoints);
  const unique = [...new Set(ids.map((s) => s.toLowerCase()))];
  const print = await ctx.db.read(async (tx) => {
    const tenantId = ctx.actor.tenantId;
    const rows = await tx
      .select()
      .from(checkpoints)
      .where(and(scopeWhere(ctx.actor, { tenantId: checkpoints.tenantId, orgUnitId: checkpoints.orgUnitId }), inArray(checkpoints.id, unique)))
      .orderBy(asc(checkpoints.id));
    const live = rows.filter((r) => !r.archivedAt);
    if (live.length !== unique.length) throw notFound('checkpoint');
    const byId = new Map(live.map((r) => [r.id, r]));
    const names = await namesOf(
      tx,
      tenantId,
      live.map((r) => r.orgUnitId),
      [],
    );
    const eqIds = live.map((r) => r.equipmentId).filter((v): v is string => v !== null);
    const eqRows = eqIds.length ? await tx.select({ id: equipment.id, code: equipment.code, name: equipment.name }).from(equipment).where(and(eq(equipment.tenantId, tenantId), inArray(equipment.id, eqIds))) : [];
    const eqById = new Map(eqRows.map((e) => [e.id, `${e.code} ${e.name}`]));
    const zone = await tenantZone(tx, tenantId);
    return {
      locale: zone.locale,
      companyName: zone.name,
      labels: unique.map((id) => {
        const r = byId.get(id)!;
        return { name: r.name, areaName: (r.orgUnitId && names.units.get(r.orgUnitId)) || '', equipment: r.equipmentId ? (eqById.get(r.equipmentId) ?? null) : null, url: scanUrl(deps.publicUrl, r.scanCode) };
      }),
    };
  });
  return { pdf: await renderCheckpointLabelsPdf(print), fileName: 'checkpoint-labels.pdf' };
}
