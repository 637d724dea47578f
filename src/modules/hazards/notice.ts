import { and, asc, desc, eq, inArray, sql } from 'drizzle-orm';
import { recordChange } from '../../platform/audit/record.ts';
import type { Ctx } from '../../platform/auth/actor.ts';
import { can, requirePermission } from '../../platform/auth/scope.ts';
import type { Tx } from '../../platform/db/client.ts';
import { newId } from '../../platform/db/columns.ts';
import { files } from '../../platform/files/schema.ts';
import type { BlobStore } from '../../platform/files/storage.ts';
import { AppError, invalid, notFound } from '../../platform/http/errors.ts';
import { tenants } from '../../platform/org/schema.ts';
import { labelOf, readLabels } from './dictionaries.ts';
import { loadUser, loadUnit, tenantInfo, zonedParts } from './directory.ts';
import { renderNoticePdf, type NoticeFinding, type NoticePrint } from './noticePdf.ts';
import { hazardPermissions as P } from './permissions.ts';
import type { HazardState } from './lifecycle.ts';
import { hazardNoticeCounters, hazardNoticeItems, hazardNotices, hazards, type HazardLevel } from './schema.ts';
import { addTimeline, assertHazardInScope, loadHazard, type HazardRow } from './store.ts';

/**
 * 整改通知书: the safety office issues one notice to one responsible department for one or several open
 * findings (DESIGN: "several findings for one department can share one rectification notice"). Numbered
 * ZG-<year>-<4 digits> per tenant and year; printed as PDF with a QR code per finding.
 */

export type NoticeRow = typeof hazardNotices.$inferSelect;

export const MAX_NOTICE_HAZARDS = 50;

export const formatNoticeNumber = (year: number, seq: number) => `ZG-${year}-${String(seq).padStart(4, '0')}`;

/** As nextHazardNumber: the counter row stays locked until commit, so numbers have no gaps and no repeats. */
export async function nextNoticeNumber(tx: Tx, tenantId: string, at: Date): Promise<{ year: number; seq: number; number: string }> {
  const { timeZone } = await tenantInfo(tx, tenantId);
  const year = zonedParts(at, timeZone).year;
  const [row] = await tx
    .insert(hazardNoticeCounters)
    .values({ tenantId, year, last: 1 })
    .onConflictDoUpdate({ target: [hazardNoticeCounters.tenantId, hazardNoticeCounters.year], set: { last: sql`${hazardNoticeCounters.last} + 1` } })
    .returning({ last: hazardNoticeCounters.last });
  if (!row) throw new Error('notice counter upsert returned nothing');
  return { year, seq: row.last, number: formatNoticeNumber(year, row.last) };
}

/** The hazard's page in the web app: what each finding's QR code opens. */
export function hazardLink(publicUrl: string, hazardId: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/hazards/${hazardId}`;
}

export interface NoticeView {
  id: string;
  number: string;
  departmentId: string;
  departmentName: string | null;
  issuedAt: string;
  issuedBy: string | null;
  issuedByName: string | null;
  pdfUrl: string;
  hazards: { id: string; number: string; title: string; status: HazardState; level: HazardLevel }[];
  version: number;
}

const CLOSED = new Set(['closed', 'rejected']);

export async function issueNotice(ctx: Ctx, input: { hazardIds: string[] }): Promise<NoticeView> {
  requirePermission(ctx.actor, P.triage);
  return ctx.db.tx(async (tx) => issueNoticeIn(tx, ctx, input.hazardIds));
}

async function issueNoticeIn(tx: Tx, ctx: Ctx, hazardIds: string[]): Promise<NoticeView> {
  const ids = [...new Set(hazardIds)];
  if (ids.length === 0) throw invalid('hazardIds', 'minItems', 'hazardIds: at least one hazard');
  if (ids.length > MAX_NOTICE_HAZARDS) throw invalid('hazardIds', 'maxItems', `hazardIds: at most ${MAX_NOTICE_HAZARDS} hazards per notice`);
  const tenantId = ctx.actor.tenantId;
  // Locked in id order, so two notices over overlapping hazards cannot deadlock.
  const rows: HazardRow[] = [];
  for (const id of [...ids].sort()) rows.push(await loadHazard(tx, ctx.actor, id, { forUpdate: true }));
  const ordered = ids.map((id) => rows.find((r) => r.id === id)).filter((r): r is HazardRow => r !== undefined);
  for (const [i, h] of ordered.entries()) {
    if (CLOSED.has(h.status)) {
      throw new AppError('conflict', `hazardIds.${i}: ${h.number} is ${h.status}; a rectification notice is only for open findings`, { extra: { hazardId: h.id, hazardStatus: h.status } });
    }
    if (!h.departmentId) throw invalid(`hazardIds.${i}`, 'department', `hazardIds.${i}: ${h.number} has no responsible department yet; assign it first`);
  }
  const departments = [...new Set(ordered.map((h) => h.departmentId as string))];
  if (departments.length > 1) {
    const groups = await Promise.all(
      departments.map(async (d) => ({ departmentId: d, name: (await loadUnit(tx, tenantId, d))?.name ?? null, numbers: ordered.filter((h) => h.departmentId === d).map((h) => h.number) })),
    );
    const list = groups.map((g) => `${g.name ?? g.departmentId}: ${g.numbers.join(', ')}`).join('; ');
    throw new AppError('notice_mixed_departments', `hazardIds: the hazards belong to ${groups.length} responsible departments (${list}); issue one notice per department`, {
      extra: { departments: groups },
    });
  }
  const departmentId = departments[0] as string;
  const now = ctx.now();
  const { year, seq, number } = await nextNoticeNumber(tx, tenantId, now);
  const [notice] = await tx
    .insert(hazardNotices)
    .values({
      id: newId(),
      tenantId,
      orgUnitId: departmentId,
      createdAt: now,
      createdBy: ctx.actor.userId,
      updatedAt: now,
      updatedBy: ctx.actor.userId,
      number,
      year,
      seq,
      departmentId,
      issuedAt: now,
      issuedBy: ctx.actor.userId,
      issuedByName: ctx.actor.userId ? ctx.actor.name : null,
    })
    .returning();
  if (!notice) throw new AppError('internal');
  await tx.insert(hazardNoticeItems).values(ordered.map((h, position) => ({ tenantId, noticeId: notice.id, hazardId: h.id, position })));
  for (const h of ordered) {
    await addTimeline(tx, ctx, h, { action: 'notice_issued', data: { noticeId: notice.id, noticeNumber: number } });
  }
  const numbers = ordered.map((h) => h.number);
  await recordChange(
    tx,
    ctx,
    { action: 'hazard_notice.issued', entityType: 'hazard_notice', entityId: notice.id, before: null, after: { number, departmentId, hazardIds: ordered.map((h) => h.id), hazardNumbers: numbers } },
    { type: 'hazard.notice_issued', entityType: 'hazard_notice', entityId: notice.id, payload: { noticeId: notice.id, number, departmentId, hazardIds: ordered.map((h) => h.id) } },
  );
  return noticeView(tx, notice);
}

async function noticeHazards(tx: Tx, notice: NoticeRow): Promise<HazardRow[]> {
  const items = await tx
    .select({ hazardId: hazardNoticeItems.hazardId })
    .from(hazardNoticeItems)
    .where(and(eq(hazardNoticeItems.tenantId, notice.tenantId), eq(hazardNoticeItems.noticeId, notice.id)))
    .orderBy(asc(hazardNoticeItems.position));
  if (items.length === 0) return [];
  const rows = await tx
    .select()
    .from(hazards)
    .where(
      and(
        eq(hazards.tenantId, notice.tenantId),
        inArray(
          hazards.id,
          items.map((i) => i.hazardId),
        ),
      ),
    );
  return items.map((i) => rows.find((r) => r.id === i.hazardId)).filter((r): r is HazardRow => r !== undefined);
}

async function noticeView(tx: Tx, notice: NoticeRow, rows?: HazardRow[]): Promise<NoticeView> {
  const list = rows ?? (await noticeHazards(tx, notice));
  return {
    id: notice.id,
    number: notice.number,
    departmentId: notice.departmentId,
    departmentName: (await loadUnit(tx, notice.tenantId, notice.departmentId))?.name ?? null,
    issuedAt: notice.issuedAt.toISOString(),
    issuedBy: notice.issuedBy,
    issuedByName: notice.issuedByName,
    pdfUrl: `/api/v1/hazards/notices/${notice.id}/pdf`,
    hazards: list.map((h) => ({ id: h.id, number: h.number, title: h.title, status: h.status, level: h.level })),
    version: notice.version,
  };
}

/** A notice of the actor's tenant whose every finding they may see (another tenant's → 404). */
async function loadNotice(tx: Tx, ctx: Ctx, id: string): Promise<{ notice: NoticeRow; rows: HazardRow[] }> {
  const [notice] = await tx
    .select()
    .from(hazardNotices)
    .where(and(eq(hazardNotices.id, id), eq(hazardNotices.tenantId, ctx.actor.tenantId)));
  if (!notice) throw notFound('rectification notice');
  const rows = await noticeHazards(tx, notice);
  for (const h of rows) await assertHazardInScope(tx, ctx.actor, h);
  return { notice, rows };
}

export async function getNotice(ctx: Ctx, id: string): Promise<NoticeView> {
  requirePermission(ctx.actor, P.read);
  return ctx.db.read(async (tx) => {
    const { notice, rows } = await loadNotice(tx, ctx, id);
    return noticeView(tx, notice, rows);
  });
}

// ---------------------------------------------------------------------------------------------------------
// PDF
// ---------------------------------------------------------------------------------------------------------

export interface NoticePdfDeps {
  store: BlobStore;
  publicUrl: string;
}

export interface NoticePdf {
  pdf: Buffer;
  fileName: string;
  notice: NoticeView;
}

const twoDigits = (n: number) => String(n).padStart(2, '0');

function formatDay(at: Date, timeZone: string, locale: 'zh-CN' | 'en'): string {
  const p = zonedParts(at, timeZone);
  return locale === 'zh-CN' ? `${p.year}年${p.month}月${p.day}日` : `${p.year}-${twoDigits(p.month)}-${twoDigits(p.day)}`;
}

function formatMinute(at: Date, timeZone: string, locale: 'zh-CN' | 'en'): string {
  const p = zonedParts(at, timeZone);
  return `${formatDay(at, timeZone, locale)} ${twoDigits(p.hour)}:${twoDigits(p.minute)}`;
}

/** Which stored blob shows the first photo: its thumbnail, else the photo itself when pdfkit-convertible. */
async function photoShaOf(tx: Tx, tenantId: string, fileId: string | undefined): Promise<string | null> {
  if (!fileId) return null;
  const [f] = await tx
    .select({ thumb: files.thumbSha256, sha: files.sha256, mime: files.mime })
    .from(files)
    .where(and(eq(files.tenantId, tenantId), eq(files.id, fileId)));
  if (!f) return null;
  return f.thumb ?? (['image/jpeg', 'image/png', 'image/webp'].includes(f.mime) ? f.sha : null);
}

/** The photo as JPEG (pdfkit embeds JPEG and PNG; thumbnails are WebP). Read outside any transaction. */
async function loadPhoto(store: BlobStore, sha: string | null): Promise<Buffer | null> {
  if (!sha) return null;
  try {
    const stream = await store.get(sha);
    if (!stream) return null;
    const parts: Buffer[] = [];
    for await (const c of stream) parts.push(Buffer.isBuffer(c) ? c : Buffer.from(c as Uint8Array));
    const { default: sharp } = await import('sharp');
    return await sharp(Buffer.concat(parts), { failOn: 'none' }).autoOrient().resize(480, 360, { fit: 'inside', withoutEnlargement: true }).jpeg({ quality: 80 }).toBuffer();
  } catch {
    // A missing or damaged blob prints the notice without that photo rather than failing it.
    return null;
  }
}

async function printData(tx: Tx, deps: NoticePdfDeps, notice: NoticeRow, rows: HazardRow[]): Promise<{ print: NoticePrint; photoShas: (string | null)[] }> {
  const tenantId = notice.tenantId;
  const { timeZone, locale } = await tenantInfo(tx, tenantId);
  const [tenant] = await tx.select({ name: tenants.name }).from(tenants).where(eq(tenants.id, tenantId));
  const labels = await readLabels(tx, tenantId);
  const issuer = await loadUser(tx, tenantId, notice.issuedBy);
  const issuerUnit = issuer?.orgUnitId ? await loadUnit(tx, tenantId, issuer.orgUnitId) : null;
  const findings: NoticeFinding[] = [];
  const photoShas: (string | null)[] = [];
  for (const h of rows) {
    const area = h.orgUnitId ? await loadUnit(tx, tenantId, h.orgUnitId) : null;
    const planDeadline = h.plan?.deadline ? new Date(h.plan.deadline) : null;
    const deadline = planDeadline && !Number.isNaN(planDeadline.getTime()) ? planDeadline : h.rectifyDueAt;
    findings.push({
      hazardId: h.id,
      number: h.number,
      title: h.title,
      areaName: area?.name ?? null,
      categoryLabel: labelOf(labels, 'category', h.category, locale) ?? h.category,
      level: h.level,
      levelLabel: labelOf(labels, 'level', h.level, locale) ?? h.level,
      description: h.description,
      // The plan's measures once the department has made one; before that, the reporter's suggestion.
      measures: h.plan?.measures ?? h.suggestedFix,
      deadline: deadline ? formatMinute(deadline, timeZone, locale) : null,
      photo: null,
      qrUrl: hazardLink(deps.publicUrl, h.id),
    });
    photoShas.push(await photoShaOf(tx, tenantId, h.photoIds[0]));
  }
  const print: NoticePrint = {
    locale,
    companyName: tenant?.name ?? '',
    number: notice.number,
    departmentName: (await loadUnit(tx, tenantId, notice.departmentId))?.name ?? '',
    issuedDate: formatDay(notice.issuedAt, timeZone, locale),
    issuerName: notice.issuedByName,
    issuerUnitName: issuerUnit?.name ?? null,
    findings,
  };
  return { print, photoShas };
}

export async function noticePdf(ctx: Ctx, deps: NoticePdfDeps, id: string): Promise<NoticePdf> {
  requirePermission(ctx.actor, P.read);
  const { print, photoShas, view } = await ctx.db.read(async (tx) => {
    const { notice, rows } = await loadNotice(tx, ctx, id);
    return { ...(await printData(tx, deps, notice, rows)), view: await noticeView(tx, notice, rows) };
  });
  // Photos and rendering outside the transaction: they take a while and need no database (PGlite has one connection).
  for (const [i, f] of print.findings.entries()) f.photo = await loadPhoto(deps.store, photoShas[i] ?? null);
  const pdf = await renderNoticePdf(print);
  return { pdf, fileName: `${print.number}.pdf`, notice: view };
}

/**
 * The notice of one hazard: the latest one that lists it. When none was issued yet and the actor may issue
 * one (hazard:triage) and the hazard is open, a one-finding notice is issued now (numbered and audited once;
 * later calls print the same notice).
 */
export async function hazardNoticePdf(ctx: Ctx, deps: NoticePdfDeps, hazardId: string): Promise<NoticePdf> {
  requirePermission(ctx.actor, P.read);
  const noticeId = await ctx.db.tx(async (tx) => {
    const h = await loadHazard(tx, ctx.actor, hazardId, { forUpdate: true });
    const [latest] = await tx
      .select({ id: hazardNotices.id })
      .from(hazardNoticeItems)
      .innerJoin(hazardNotices, eq(hazardNotices.id, hazardNoticeItems.noticeId))
      .where(and(eq(hazardNoticeItems.tenantId, h.tenantId), eq(hazardNoticeItems.hazardId, h.id)))
      .orderBy(desc(hazardNotices.issuedAt), desc(hazardNotices.id))
      .limit(1);
    if (latest) return latest.id;
    if (!can(ctx.actor, P.triage)) throw new AppError('not_found', `no rectification notice was issued for ${h.number} yet; the safety office issues one`);
    if (CLOSED.has(h.status)) throw new AppError('not_found', `no rectification notice was issued for ${h.number}, and it is ${h.status} now`);
    return (await issueNoticeIn(tx, ctx, [h.id])).id;
  });
  return noticePdf(ctx, deps, noticeId);
}
