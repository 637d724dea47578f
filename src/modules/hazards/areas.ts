import { and, asc, eq, like } from 'drizzle-orm';
import type { Ctx } from '../../platform/auth/actor.ts';
import { requirePermission } from '../../platform/auth/scope.ts';
import type { Tx } from '../../platform/db/client.ts';
import { notFound } from '../../platform/http/errors.ts';
import { orgUnits, tenants } from '../../platform/org/schema.ts';
import { tenantInfo } from './directory.ts';
import { renderAreaLabelsPdf, type AreaLabel } from './areaLabelsPdf.ts';
import { hazardPermissions as P } from './permissions.ts';
import { qrImage } from '../../platform/pdf/document.ts';

/**
 * Areas (org units) as the report page needs them, and their printable QR codes.
 *
 * Every reporter picks an area, also a contractor or a worker without org:read, so the hazard module
 * answers the site tree itself: ids, names, kinds and parents of the tenant's active units, no people, no
 * managers, no head counts. The QR code of an area is a plain link to the report page with the area id
 * after `#` (`<PUBLIC_URL>/hazards/report#area=<id>`): no secret, the same code on every re-print, and the
 * fragment never reaches a server log.
 */

export interface ReportArea {
  id: string;
  parentId: string | null;
  kind: string;
  code: string;
  name: string;
  path: string;
  depth: number;
  sort: number;
}

/** Link a printed area label opens: the report page, area preselected. */
export function areaReportUrl(publicUrl: string, areaId: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/hazards/report#area=${areaId}`;
}

async function activeUnits(tx: Tx, tenantId: string, underPath?: string): Promise<ReportArea[]> {
  const conds = [eq(orgUnits.tenantId, tenantId), eq(orgUnits.active, true)];
  if (underPath) conds.push(like(orgUnits.path, `${underPath.replace(/[\\%_]/g, '\\$&')}%`));
  return tx
    .select({ id: orgUnits.id, parentId: orgUnits.parentId, kind: orgUnits.kind, code: orgUnits.code, name: orgUnits.name, path: orgUnits.path, depth: orgUnits.depth, sort: orgUnits.sort })
    .from(orgUnits)
    .where(and(...conds))
    .orderBy(asc(orgUnits.depth), asc(orgUnits.sort), asc(orgUnits.name));
}

/**
 * The tenant's whole site tree, for everyone who may report: a hazard may be found anywhere on site, not
 * only in the reporter's own unit (report.ts accepts any active unit of the tenant).
 */
export async function listReportAreas(ctx: Ctx): Promise<{ items: ReportArea[] }> {
  requirePermission(ctx.actor, P.report);
  return ctx.db.read(async (tx) => ({ items: await activeUnits(tx, ctx.actor.tenantId) }));
}

async function loadArea(tx: Tx, tenantId: string, id: string): Promise<ReportArea> {
  const [u] = await tx
    .select({ id: orgUnits.id, parentId: orgUnits.parentId, kind: orgUnits.kind, code: orgUnits.code, name: orgUnits.name, path: orgUnits.path, depth: orgUnits.depth, sort: orgUnits.sort, active: orgUnits.active })
    .from(orgUnits)
    .where(and(eq(orgUnits.tenantId, tenantId), eq(orgUnits.id, id)));
  // An inactive unit takes no reports, so it gets no label either; another tenant's id is simply unknown.
  if (!u || !u.active) throw notFound('area');
  return u;
}

export type QrFormat = 'png' | 'svg';

/** The QR code of one area's report link, as PNG (for chat and phones) or SVG (for print shops). */
export async function areaQr(ctx: Ctx, deps: { publicUrl: string }, id: string, format: QrFormat): Promise<{ body: Buffer; mime: string; fileName: string }> {
  requirePermission(ctx.actor, P.read);
  const area = await ctx.db.read((tx) => loadArea(tx, ctx.actor.tenantId, id));
  const url = areaReportUrl(deps.publicUrl, area.id);
  // Level M (qrImage) survives a scratched or dirty label on a workshop wall (15 % of the code may be lost).
  const body = await qrImage(url, format);
  return { body, mime: format === 'png' ? 'image/png' : 'image/svg+xml', fileName: `area-${area.code}.${format}` };
}

/**
 * An A4 sheet of area labels (QR, area name, its place in the tree, "scan to report") for one unit and
 * the units below it, or the whole site.
 */
export async function areaLabelsPdf(ctx: Ctx, deps: { publicUrl: string }, input: { rootId?: string }): Promise<{ pdf: Buffer; fileName: string }> {
  requirePermission(ctx.actor, P.read);
  const { labels, companyName, locale, rootCode } = await ctx.db.read(async (tx) => {
    const tenantId = ctx.actor.tenantId;
    const root = input.rootId ? await loadArea(tx, tenantId, input.rootId) : null;
    const units = await activeUnits(tx, tenantId, root?.path);
    const all = root ? await activeUnits(tx, tenantId) : units;
    const byId = new Map(all.map((u) => [u.id, u]));
    const info = await tenantInfo(tx, tenantId);
    const [tenant] = await tx.select({ name: tenants.name }).from(tenants).where(eq(tenants.id, tenantId));
    const labels: AreaLabel[] = orderAsTree(units).map((u) => ({
      name: u.name,
      // The chain above, without the company itself: "一厂 › 铸造车间".
      trail: u.path
        .split('/')
        .filter(Boolean)
        .slice(1, -1)
        .map((pid) => byId.get(pid)?.name ?? '')
        .filter(Boolean)
        .join(' › '),
      code: u.code,
      url: areaReportUrl(deps.publicUrl, u.id),
    }));
    return { labels, companyName: tenant?.name ?? '', locale: info.locale, rootCode: root?.code ?? null };
  });
  const pdf = await renderAreaLabelsPdf({ locale, companyName, labels });
  return { pdf, fileName: rootCode ? `area-labels-${rootCode}.pdf` : 'area-labels.pdf' };
}

/** Depth-first, siblings by sort and name: the sheet reads like the tree (a workshop, then its teams). */
function orderAsTree(units: ReportArea[]): ReportArea[] {
  const children = new Map<string | null, ReportArea[]>();
  const ids = new Set(units.map((u) => u.id));
  for (const u of units) {
    const parent = u.parentId && ids.has(u.parentId) ? u.parentId : null;
    children.set(parent, [...(children.get(parent) ?? []), u]);
  }
  const out: ReportArea[] = [];
  const walk = (parent: string | null) => {
    for (const u of (children.get(parent) ?? []).sort((a, b) => a.sort - b.sort || a.name.localeCompare(b.name, 'zh-CN'))) {
      out.push(u);
      walk(u.id);
    }
  };
  walk(null);
  return out;
}
