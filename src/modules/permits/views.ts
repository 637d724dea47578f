import { and, asc, desc, eq, inArray, lt, sql, type SQL } from 'drizzle-orm';
import { systemCtx, type Ctx } from '../../platform/auth/actor.ts';
import { can, requirePermission, scopeWhere } from '../../platform/auth/scope.ts';
import type { Database, Tx } from '../../platform/db/client.ts';
import { AppError, invalid } from '../../platform/http/errors.ts';
import { decodeCursor, pageOf } from '../../platform/http/pagination.ts';
import { namesOf } from '../../platform/org/directory.ts';
import { orgUnits } from '../../platform/org/schema.ts';
import { ensurePermitConfig, rulesOf } from './config.ts';
import type { PermitConfig } from './defaults.ts';
import { permitPermissions as P } from './permissions.ts';
import { conflictsOf, liveStatuses, type AreaPermit } from './rules.ts';
import { permitFollowUps, permitGasReadings, permitMeasures, permits, permitStatusHistory, permitVerifications, permitWorkers, type PermitStatus, type PermitType } from './schema.ts';
import { loadPermit, type PermitRow } from './store.ts';

/** Reads: the permit list, one permit with everything on it, the site view, and the public e-permit status. */

export interface PermitWarning {
  code: 'conflict' | 'guardian_overloaded';
  message: string;
  otherPermitId?: string;
  otherNumber?: string;
}

export interface PermitSummary {
  id: string;
  number: string;
  type: PermitType;
  typeName: string;
  grade: string;
  gradeName: string;
  status: PermitStatus;
  orgUnitId: string | null;
  areaName: string | null;
  location: string;
  content: string;
  validFrom: string;
  validUntil: string;
  applicantUserId: string;
  guardianPersonId: string;
  guardianName: string | null;
  activatedAt: string | null;
  warnings: PermitWarning[];
  version: number;
}

function names(config: PermitConfig, type: PermitType, grade: string, locale: 'zh-CN' | 'en') {
  const t = config.types[type];
  const g = t.grades.find((x) => x.code === grade);
  return { typeName: locale === 'en' ? t.nameEn : t.nameZh, gradeName: g ? (locale === 'en' ? g.nameEn : g.nameZh) : grade };
}

/**
 * Warnings of live permits: configured conflicting pairs in one area (or one inside the other) and a
 * guardian on more active permits than allowed. Computed against every live permit of the tenant, not
 * only the ones the reader may see: a conflict is a conflict whoever applied.
 */
async function warningsFor(tx: Tx, tenantId: string, config: PermitConfig, rows: PermitRow[], locale: 'zh-CN' | 'en'): Promise<Map<string, PermitWarning[]>> {
  const out = new Map<string, PermitWarning[]>();
  const live = rows.filter((r) => liveStatuses.includes(r.status));
  if (live.length === 0) return out;
  const all = await tx
    .select({ id: permits.id, type: permits.type, number: permits.number, status: permits.status, guardian: permits.guardianPersonId, related: permits.relatedPermitIds, path: orgUnits.path })
    .from(permits)
    .leftJoin(orgUnits, eq(orgUnits.id, permits.orgUnitId))
    .where(and(eq(permits.tenantId, tenantId), inArray(permits.status, [...liveStatuses])));
  const area: AreaPermit[] = all.map((a) => ({ id: a.id, type: a.type, areaPath: a.path ?? '/', relatedPermitIds: a.related }));
  const numbers = new Map(all.map((a) => [a.id, a.number]));
  for (const r of live) {
    const me = area.find((a) => a.id === r.id);
    const list: PermitWarning[] = [];
    if (me) {
      for (const c of conflictsOf(me, area, config.conflicts)) list.push({ code: 'conflict', message: `${locale === 'en' ? c.en : c.zh}: ${numbers.get(c.otherPermitId)}`, otherPermitId: c.otherPermitId, otherNumber: numbers.get(c.otherPermitId) });
    }
    const load = all.filter((a) => a.guardian === r.guardianPersonId && (a.status === 'active' || a.status === 'suspended')).length;
    if (load > config.guardianMaxActive) {
      list.push({ code: 'guardian_overloaded', message: locale === 'en' ? `The guardian watches ${load} active permits (at most ${config.guardianMaxActive})` : `监护人同时监护 ${load} 张进行中的作业票（最多 ${config.guardianMaxActive} 张）` });
    }
    out.set(r.id, list);
  }
  return out;
}

async function summariesOf(tx: Tx, ctx: Ctx, config: PermitConfig, rows: PermitRow[]): Promise<PermitSummary[]> {
  const n = await namesOf(
    tx,
    ctx.actor.tenantId,
    rows.map((r) => r.orgUnitId),
    rows.map((r) => r.guardianPersonId),
  );
  const warnings = await warningsFor(tx, ctx.actor.tenantId, config, rows, ctx.locale);
  return rows.map((r) => ({
    id: r.id,
    number: r.number,
    type: r.type,
    ...names(config, r.type, r.grade, ctx.locale),
    grade: r.grade,
    status: r.status,
    orgUnitId: r.orgUnitId,
    areaName: r.orgUnitId ? (n.units.get(r.orgUnitId) ?? null) : null,
    location: r.location,
    content: r.content,
    validFrom: r.validFrom.toISOString(),
    validUntil: r.validUntil.toISOString(),
    applicantUserId: r.applicantUserId,
    guardianPersonId: r.guardianPersonId,
    guardianName: n.people.get(r.guardianPersonId) ?? null,
    activatedAt: r.activatedAt?.toISOString() ?? null,
    warnings: warnings.get(r.id) ?? [],
    version: r.version,
  }));
}

export interface PermitFilter {
  status?: PermitStatus;
  type?: PermitType;
  orgUnitId?: string;
  live?: boolean;
}

const scope = (ctx: Ctx) => scopeWhere(ctx.actor, { tenantId: permits.tenantId, orgUnitId: permits.orgUnitId, owners: [permits.applicantUserId, permits.applicantPersonId, permits.guardianPersonId] });

/** Newest first (by id: UUIDv7 orders by creation). */
export async function listPermits(ctx: Ctx, input: PermitFilter & { limit: number; cursor?: string }) {
  requirePermission(ctx.actor, P.read);
  const after = decodeCursor<{ id: string }>(input.cursor, { id: 'string' });
  if (after && !/^[0-9a-f-]{36}$/i.test(after.id)) throw invalid('cursor', 'format', 'cursor: invalid');
  return ctx.db.tx(async (tx) => {
    const { config } = await ensurePermitConfig(tx, ctx);
    const conds: SQL[] = [scope(ctx)];
    if (input.status) conds.push(eq(permits.status, input.status));
    if (input.type) conds.push(eq(permits.type, input.type));
    if (input.live) conds.push(inArray(permits.status, [...liveStatuses]));
    if (input.orgUnitId) {
      const tenantId = ctx.actor.tenantId;
      conds.push(sql`${permits.orgUnitId} IN (SELECT u.id FROM ${orgUnits} u WHERE u.tenant_id = ${tenantId} AND u.path LIKE (SELECT p.path FROM ${orgUnits} p WHERE p.id = ${input.orgUnitId} AND p.tenant_id = ${tenantId}) || '%')`);
    }
    if (after) conds.push(lt(permits.id, after.id));
    const rows = await tx
      .select()
      .from(permits)
      .where(and(...conds))
      .orderBy(desc(permits.id))
      .limit(input.limit + 1);
    const page = pageOf(rows, input.limit, (r) => ({ id: r.id }));
    return { items: await summariesOf(tx, ctx, config, page.items), nextCursor: page.nextCursor };
  });
}

/** Live permits (approved, active, suspended) grouped by area, with their warnings: the site view. */
export async function siteView(ctx: Ctx) {
  requirePermission(ctx.actor, P.read);
  return ctx.db.tx(async (tx) => {
    const { config } = await ensurePermitConfig(tx, ctx);
    const rows = await tx
      .select()
      .from(permits)
      .where(and(scope(ctx), inArray(permits.status, [...liveStatuses])))
      .orderBy(asc(permits.validFrom));
    const items = await summariesOf(tx, ctx, config, rows);
    const areas = new Map<string, { orgUnitId: string | null; areaName: string | null; permits: PermitSummary[] }>();
    for (const s of items) {
      const k = s.orgUnitId ?? '-';
      if (!areas.has(k)) areas.set(k, { orgUnitId: s.orgUnitId, areaName: s.areaName, permits: [] });
      areas.get(k)!.permits.push(s);
    }
    return { areas: [...areas.values()], warnings: items.reduce((n, s) => n + s.warnings.length, 0) };
  });
}

async function detailParts(tx: Tx, p: PermitRow) {
  const workers = await tx.select().from(permitWorkers).where(and(eq(permitWorkers.tenantId, p.tenantId), eq(permitWorkers.permitId, p.id))).orderBy(asc(permitWorkers.addedAt));
  const measures = await tx.select().from(permitMeasures).where(and(eq(permitMeasures.tenantId, p.tenantId), eq(permitMeasures.permitId, p.id))).orderBy(asc(permitMeasures.seq));
  const gas = await tx.select().from(permitGasReadings).where(and(eq(permitGasReadings.tenantId, p.tenantId), eq(permitGasReadings.permitId, p.id))).orderBy(asc(permitGasReadings.takenAt));
  return { workers, measures, gas };
}

export async function getPermit(ctx: Ctx, id: string) {
  requirePermission(ctx.actor, P.read);
  return ctx.db.tx(async (tx) => {
    const p = await loadPermit(tx, ctx.actor, id);
    const { config } = await ensurePermitConfig(tx, ctx);
    const [summary] = await summariesOf(tx, ctx, config, [p]);
    const { workers, measures, gas } = await detailParts(tx, p);
    const history = await tx.select().from(permitStatusHistory).where(and(eq(permitStatusHistory.tenantId, p.tenantId), eq(permitStatusHistory.permitId, p.id))).orderBy(asc(permitStatusHistory.at), asc(permitStatusHistory.id));
    const verifications = await tx.select().from(permitVerifications).where(and(eq(permitVerifications.tenantId, p.tenantId), eq(permitVerifications.permitId, p.id))).orderBy(asc(permitVerifications.at));
    const [followUp] = await tx.select().from(permitFollowUps).where(and(eq(permitFollowUps.tenantId, p.tenantId), eq(permitFollowUps.permitId, p.id)));
    const n = await namesOf(tx, p.tenantId, [], [...workers.map((w) => w.personId), ...measures.map((m) => m.responsiblePersonId), p.applicantPersonId]);
    const runRules = rulesOf(config, p);
    const g = runRules.grade;
    // The QR token is a capability: only the applicant, the guardian, the issuer and supervisors (who print and scan it) get it.
    const own = ctx.actor.userId === p.applicantUserId || ctx.actor.userId === p.issuerUserId || (ctx.actor.personId !== null && ctx.actor.personId === p.guardianPersonId) || can(ctx.actor, P.manage);
    return {
      ...summary!,
      fields: p.fields,
      workUnit: p.workUnit,
      applicantName: p.applicantPersonId ? (n.people.get(p.applicantPersonId) ?? null) : null,
      relatedPermitIds: p.relatedPermitIds,
      jsa: p.jsa,
      flowInstanceId: p.flowInstanceId,
      issuerUserId: p.issuerUserId,
      approvedAt: p.approvedAt?.toISOString() ?? null,
      suspendedAt: p.suspendedAt?.toISOString() ?? null,
      suspendReason: p.suspendReason,
      closedAt: p.closedAt?.toISOString() ?? null,
      cancelReason: p.cancelReason,
      acceptance: p.acceptance,
      rules: { maxValidityHours: g.maxValidityHours, extensionMaxHours: g.extensionMaxHours, gasTestRequired: g.gasTestRequired, gasTestValidMinutes: g.gasTestValidMinutes, interruptionRetestMinutes: g.interruptionRetestMinutes, periodicReanalysisMinutes: g.periodicReanalysisMinutes, configVersion: runRules.configVersion },
      qrToken: own ? p.qrToken : null,
      workers: workers.map((w) => ({ id: w.id, personId: w.personId, name: n.people.get(w.personId) ?? null, role: w.role, certificateNo: w.certificateNo, qualification: w.qualification, addedAt: w.addedAt.toISOString(), confirmedBy: w.confirmedBy, signatureFileId: w.signatureFileId })),
      measures: measures.map((m) => ({
        id: m.id,
        seq: m.seq,
        code: m.code,
        text: m.text,
        responsiblePersonId: m.responsiblePersonId,
        responsibleName: n.people.get(m.responsiblePersonId) ?? null,
        applicable: m.applicable,
        confirmedAt: m.confirmedAt?.toISOString() ?? null,
        signatureFileId: m.signatureFileId,
        signatureSha256: m.signatureSha256,
      })),
      gasReadings: gas.map(gasView),
      history: history.map((h) => ({ from: h.fromStatus, to: h.toStatus, at: h.at.toISOString(), byUserId: h.byUserId, reason: h.reason })),
      verifications: verifications.map((v) => ({ id: v.id, userId: v.userId, at: v.at.toISOString(), lat: v.lat, lng: v.lng, accuracyM: v.accuracyM, photoFileId: v.photoFileId, photoSha256: v.photoSha256 })),
      followUp: followUp ? { id: followUp.id, dueAt: followUp.dueAt.toISOString(), status: followUp.status, doneAt: followUp.doneAt?.toISOString() ?? null, ok: followUp.ok, notes: followUp.notes } : null,
    };
  });
}

export type PermitDetail = Awaited<ReturnType<typeof getPermit>>;

function gasView(r: typeof permitGasReadings.$inferSelect) {
  return { id: r.id, takenAt: r.takenAt.toISOString(), point: r.point, o2Pct: r.o2Pct, flammablePct: r.flammablePct, flammableLelPct: r.flammableLelPct, toxics: r.toxics, analystName: r.analystName, passed: r.passed, failures: r.failures };
}

export type PublicState = 'valid' | 'suspended' | 'expired' | 'closed' | 'not_active';

/**
 * The e-permit behind the printed QR: live status, names of the people on it, measures and gas readings,
 * for anyone on site. No ids, no phone numbers, no signatures: names only (issue 6).
 */
export async function publicPermitStatus(db: Database, token: string, locale: 'zh-CN' | 'en', now: Date) {
  if (!/^[A-Za-z0-9_-]{16,64}$/.test(token)) throw new AppError('not_found', 'permit not found');
  return db.tx(async (tx) => {
    const [p] = await tx.select().from(permits).where(eq(permits.qrToken, token));
    if (!p) throw new AppError('not_found', 'permit not found');
    const { config } = await ensurePermitConfig(tx, systemCtx(db, p.tenantId, () => now));
    const { workers, measures, gas } = await detailParts(tx, p);
    const n = await namesOf(tx, p.tenantId, [p.orgUnitId], [p.guardianPersonId, ...workers.map((w) => w.personId)]);
    const inWindow = now.getTime() >= p.validFrom.getTime() && now.getTime() < p.validUntil.getTime();
    const state: PublicState =
      p.status === 'active' && inWindow ? 'valid' : p.status === 'suspended' ? 'suspended' : p.status === 'expired' || (p.status === 'active' && !inWindow) ? 'expired' : p.status === 'closed' || p.status === 'closing' ? 'closed' : 'not_active';
    return {
      number: p.number,
      ...names(config, p.type, p.grade, locale),
      type: p.type,
      grade: p.grade,
      status: p.status,
      state,
      areaName: p.orgUnitId ? (n.units.get(p.orgUnitId) ?? null) : null,
      location: p.location,
      content: p.content,
      validFrom: p.validFrom.toISOString(),
      validUntil: p.validUntil.toISOString(),
      guardianName: n.people.get(p.guardianPersonId) ?? '',
      workers: workers.map((w) => ({ name: n.people.get(w.personId) ?? '', role: w.role })),
      measures: measures.map((m) => ({ seq: m.seq, text: m.text, applicable: m.applicable, confirmed: m.confirmedAt !== null })),
      gasReadings: gas.map((r) => ({ takenAt: r.takenAt.toISOString(), point: r.point, o2Pct: r.o2Pct, flammablePct: r.flammablePct, toxics: r.toxics, analystName: r.analystName, passed: r.passed })),
    };
  });
}
