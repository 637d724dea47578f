import { and, eq, inArray, ne } from 'drizzle-orm';
import type { Ctx } from '../../platform/auth/actor.ts';
import { can, requirePermission } from '../../platform/auth/scope.ts';
import type { Tx } from '../../platform/db/client.ts';
import { newId } from '../../platform/db/columns.ts';
import { AppError, invalid } from '../../platform/http/errors.ts';
import { ensurePermitConfig, rulesOf } from './config.ts';
import type { PermitConfig } from './defaults.ts';
import { armExpiry, armReanalysis, scheduleFollowUp, stopPermitTimers, suspendInTx } from './jobs.ts';
import { permitPermissions as P } from './permissions.ts';
import { gasStartProblem, validityProblem } from './rules.ts';
import { permitFollowUps, permitGasReadings, permits, permitVerifications } from './schema.ts';
import { checkVersion, loadPermit, recordPermit, refused, transition, uploadedFile, versionConflict, type PermitRow } from './store.ts';

/**
 * On site: verification and activation, suspension and resumption, closing with acceptance, extension,
 * and the fire-watch round after hot work.
 */

const isGuardian = (ctx: Ctx, p: PermitRow) => ctx.actor.personId !== null && ctx.actor.personId === p.guardianPersonId;
const isIssuer = (ctx: Ctx, p: PermitRow) => ctx.actor.userId !== null && ctx.actor.userId === p.issuerUserId;

async function readingsOf(tx: Tx, p: PermitRow) {
  return tx
    .select({ takenAt: permitGasReadings.takenAt, passed: permitGasReadings.passed })
    .from(permitGasReadings)
    .where(and(eq(permitGasReadings.tenantId, p.tenantId), eq(permitGasReadings.permitId, p.id)));
}

/** Other active permits watched by this guardian (4.10: a guardian does no other work). */
export async function guardianLoad(tx: Tx, p: PermitRow): Promise<number> {
  const rows = await tx
    .select({ id: permits.id })
    .from(permits)
    .where(and(eq(permits.tenantId, p.tenantId), eq(permits.guardianPersonId, p.guardianPersonId), inArray(permits.status, ['active', 'suspended']), ne(permits.id, p.id)));
  return rows.length;
}

async function checkGuardian(tx: Tx, config: PermitConfig, p: PermitRow): Promise<string[]> {
  const load = await guardianLoad(tx, p);
  if (load + 1 <= config.guardianMaxActive) return [];
  const message = `the guardian already watches ${load} active permit(s); at most ${config.guardianMaxActive}`;
  if (config.guardianOverload === 'refuse') throw refused('guardian_overloaded', message, { activePermits: load, max: config.guardianMaxActive });
  return ['guardian_overloaded'];
}

async function checkGas(tx: Tx, ctx: Ctx, config: PermitConfig, p: PermitRow, interruptedAt: Date | null): Promise<void> {
  const grade = rulesOf(config, p).grade;
  const problem = gasStartProblem(await readingsOf(tx, p), grade, ctx.now(), interruptedAt);
  if (problem) throw refused(problem.rule, problem.message);
}

async function armPeriodic(tx: Tx, ctx: Ctx, config: PermitConfig, p: PermitRow): Promise<void> {
  const minutes = rulesOf(config, p).grade.periodicReanalysisMinutes;
  if (minutes === null) return;
  const latest = (await readingsOf(tx, p)).sort((a, b) => b.takenAt.getTime() - a.takenAt.getTime())[0];
  await armReanalysis(tx, p, new Date((latest?.takenAt ?? ctx.now()).getTime() + minutes * 60_000));
}

export interface VerifyInput {
  token: string;
  lat: number;
  lng: number;
  accuracyM?: number | null;
  photoFileId: string;
}

/**
 * On-site verification (4.11, issue 6): the issuer or the guardian scans the permit's QR on site, with
 * position and a photo; only then does the approved permit become active. Refused before the window,
 * without a passing gas analysis within the allowed minutes, or with an overloaded guardian.
 */
export async function verifyOnSite(ctx: Ctx, permitId: string, input: VerifyInput): Promise<{ permit: PermitRow; warnings: string[] }> {
  requirePermission(ctx.actor, P.read);
  return ctx.db.tx(async (tx) => {
    const p = await loadPermit(tx, ctx.actor, permitId, { forUpdate: true });
    if (!isGuardian(ctx, p) && !isIssuer(ctx, p)) throw new AppError('forbidden', 'only the guardian or the issuer verifies the permit on site');
    if (p.status !== 'approved') throw new AppError('conflict', `permit ${p.number} is ${p.status}; verification needs approved`, { extra: { permitStatus: p.status } });
    if (input.token !== p.qrToken) throw refused('qr_mismatch', 'the scanned code is not the code of this permit');
    const photo = await uploadedFile(tx, p.tenantId, input.photoFileId, 'photoFileId', 'image');
    const now = ctx.now();
    if (now.getTime() < p.validFrom.getTime()) throw refused('not_started', `the permit is valid from ${p.validFrom.toISOString()}`);
    if (now.getTime() >= p.validUntil.getTime()) throw refused('validity_ended', 'the permit window has ended');
    const { config } = await ensurePermitConfig(tx, ctx);
    await checkGas(tx, ctx, config, p, null);
    const warnings = await checkGuardian(tx, config, p);
    const [v] = await tx
      .insert(permitVerifications)
      .values({ id: newId(), tenantId: p.tenantId, permitId: p.id, userId: ctx.actor.userId!, at: now, lat: input.lat, lng: input.lng, accuracyM: input.accuracyM ?? null, photoFileId: photo.id, photoSha256: photo.sha256 })
      .returning();
    const after = await transition(tx, ctx, p, 'verify', { event: 'activated', set: { activatedAt: now }, extra: { verificationId: v!.id, lat: input.lat, lng: input.lng, photoSha256: photo.sha256, warnings } });
    await armPeriodic(tx, ctx, config, after);
    return { permit: after, warnings };
  });
}

function mayRun(ctx: Ctx, p: PermitRow): boolean {
  return isGuardian(ctx, p) || isIssuer(ctx, p) || can(ctx.actor, P.manage);
}

/** 4.10: the guardian (or a supervisor) stops the work and takes back the permit. */
export async function suspendPermit(ctx: Ctx, permitId: string, input: { reason: string; version?: number }): Promise<PermitRow> {
  requirePermission(ctx.actor, P.read);
  return ctx.db.tx(async (tx) => {
    const p = await loadPermit(tx, ctx.actor, permitId, { forUpdate: true });
    checkVersion(p, input.version);
    if (!mayRun(ctx, p)) throw new AppError('forbidden', 'only the guardian, the issuer or a supervisor suspends the work');
    return suspendInTx(tx, ctx, p, input.reason.trim());
  });
}

/** Resumes after an interruption: a passing analysis within the window, newer than the stop if it was long. */
export async function resumePermit(ctx: Ctx, permitId: string, input: { version?: number }): Promise<PermitRow> {
  requirePermission(ctx.actor, P.read);
  return ctx.db.tx(async (tx) => {
    const p = await loadPermit(tx, ctx.actor, permitId, { forUpdate: true });
    checkVersion(p, input.version);
    if (!mayRun(ctx, p)) throw new AppError('forbidden', 'only the guardian, the issuer or a supervisor resumes the work');
    if (p.status !== 'suspended') throw new AppError('conflict', `permit ${p.number} is ${p.status}; resume needs suspended`, { extra: { permitStatus: p.status } });
    if (ctx.now().getTime() >= p.validUntil.getTime()) throw refused('validity_ended', 'the permit window has ended');
    const { config } = await ensurePermitConfig(tx, ctx);
    await checkGas(tx, ctx, config, p, p.suspendedAt);
    const after = await transition(tx, ctx, p, 'resume', { event: 'resumed', set: { suspendedAt: null, suspendReason: null } });
    await armPeriodic(tx, ctx, config, after);
    return after;
  });
}

export async function requestClose(ctx: Ctx, permitId: string, input: { version?: number }): Promise<PermitRow> {
  requirePermission(ctx.actor, P.read);
  return ctx.db.tx(async (tx) => {
    const p = await loadPermit(tx, ctx.actor, permitId, { forUpdate: true });
    checkVersion(p, input.version);
    if (!mayRun(ctx, p) && p.applicantUserId !== ctx.actor.userId) throw new AppError('forbidden', 'only the applicant, the guardian, the issuer or a supervisor ends the work');
    const after = await transition(tx, ctx, p, 'request_close', { event: 'closing' });
    // The work has ended: no periodic analysis, no expiry while the acceptance is pending.
    await stopPermitTimers(tx, after, ctx.now());
    return after;
  });
}

export interface AcceptInput {
  siteClean: boolean;
  fireWatchDone?: boolean;
  remarks?: string | null;
  signatureFileId: string;
  version?: number;
}

/** 4.14–4.15 完工验收: site restored and clean, fire watch done after hot work, signed. */
export async function acceptClose(ctx: Ctx, permitId: string, input: AcceptInput): Promise<PermitRow> {
  requirePermission(ctx.actor, P.read);
  return ctx.db.tx(async (tx) => {
    const p = await loadPermit(tx, ctx.actor, permitId, { forUpdate: true });
    checkVersion(p, input.version);
    if (!isIssuer(ctx, p) && !can(ctx.actor, P.manage)) throw new AppError('forbidden', `only the issuer or a holder of ${P.manage} accepts the completed work`);
    if (p.status !== 'closing') throw new AppError('conflict', `permit ${p.number} is ${p.status}; acceptance needs closing`, { extra: { permitStatus: p.status } });
    if (!input.siteClean) throw refused('site_not_clean', 'the site must be restored and clean before acceptance (4.14)');
    if (p.type === 'hot_work' && !input.fireWatchDone) throw refused('fire_watch_pending', 'the fire watch must be done before a hot-work permit closes');
    const sig = await uploadedFile(tx, p.tenantId, input.signatureFileId, 'signatureFileId', 'image');
    const now = ctx.now();
    const acceptance = { siteClean: true, fireWatchDone: input.fireWatchDone ?? null, remarks: input.remarks?.trim() || null, byUserId: ctx.actor.userId, at: now.toISOString(), signatureFileId: sig.id, signatureSha256: sig.sha256 };
    const after = await transition(tx, ctx, p, 'accept', { event: 'closed', set: { closedAt: now, acceptance }, extra: { signatureSha256: sig.sha256 } });
    await scheduleFollowUp(tx, ctx, after, now);
    return after;
  });
}

/** Extension only where the grade allows one (temporary power: 15 → 30 days, 10.8); others re-issue (4.16). */
export async function extendPermit(ctx: Ctx, permitId: string, input: { validUntil: string; version?: number }): Promise<PermitRow> {
  requirePermission(ctx.actor, P.apply);
  const until = new Date(input.validUntil);
  if (Number.isNaN(until.getTime())) throw invalid('validUntil', 'format', 'validUntil: an ISO date-time');
  return ctx.db.tx(async (tx) => {
    const p = await loadPermit(tx, ctx.actor, permitId, { forUpdate: true });
    checkVersion(p, input.version);
    if (p.applicantUserId !== ctx.actor.userId && !can(ctx.actor, P.manage)) throw new AppError('forbidden', 'only the applicant or a supervisor extends a permit');
    if (!['approved', 'active', 'suspended'].includes(p.status)) throw new AppError('conflict', `permit ${p.number} is ${p.status}; extension needs approved, active or suspended`, { extra: { permitStatus: p.status } });
    const { config } = await ensurePermitConfig(tx, ctx);
    const g = rulesOf(config, p).grade;
    if (g.extensionMaxHours === null) throw refused('extension_not_allowed', `a ${config.types[p.type].nameEn.toLowerCase()} permit cannot be extended; apply for a new one (GB 30871 4.16)`);
    if (until.getTime() <= p.validUntil.getTime()) throw invalid('validUntil', 'min', 'validUntil: after the current end');
    const problem = validityProblem(p.validFrom, until, g.extensionMaxHours);
    if (problem) throw invalid('validUntil', 'max', `validUntil: at most ${g.extensionMaxHours} h after validFrom, extension included`);
    const now = ctx.now();
    const [after] = await tx
      .update(permits)
      .set({ validUntil: until, version: p.version + 1, updatedAt: now, updatedBy: ctx.actor.userId })
      .where(and(eq(permits.id, p.id), eq(permits.version, p.version)))
      .returning();
    if (!after) throw versionConflict(p.version + 1);
    await recordPermit(tx, ctx, 'extended', p, after, { previousValidUntil: p.validUntil.toISOString() });
    await armExpiry(tx, after);
    return after;
  });
}

export interface FollowUpInput {
  ok: boolean;
  notes?: string | null;
  photoFileId: string;
  signatureFileId: string;
}

/** The fire-watch round after hot work, with photo and signature (the guardian, a fire watch or a supervisor). */
export async function completeFollowUp(ctx: Ctx, permitId: string, input: FollowUpInput): Promise<void> {
  requirePermission(ctx.actor, P.read);
  await ctx.db.tx(async (tx) => {
    const p = await loadPermit(tx, ctx.actor, permitId, { forUpdate: true });
    if (!isGuardian(ctx, p) && !can(ctx.actor, P.manage)) throw new AppError('forbidden', 'only the guardian or a supervisor records the follow-up check');
    const [f] = await tx
      .select()
      .from(permitFollowUps)
      .where(and(eq(permitFollowUps.tenantId, p.tenantId), eq(permitFollowUps.permitId, p.id)))
      .for('update');
    if (!f) throw new AppError('not_found', 'this permit has no follow-up check');
    if (f.status === 'done') throw new AppError('conflict', 'the follow-up check is already done');
    const photo = await uploadedFile(tx, p.tenantId, input.photoFileId, 'photoFileId', 'image');
    const sig = await uploadedFile(tx, p.tenantId, input.signatureFileId, 'signatureFileId', 'image');
    const now = ctx.now();
    await tx
      .update(permitFollowUps)
      .set({ status: 'done', doneAt: now, doneBy: ctx.actor.userId, ok: input.ok, notes: input.notes?.trim() || null, photoFileId: photo.id, signatureFileId: sig.id, signatureSha256: sig.sha256, version: f.version + 1 })
      .where(eq(permitFollowUps.id, f.id));
    await recordPermit(tx, ctx, 'follow_up_done', p, p, { followUpId: f.id, ok: input.ok, afterDue: now.getTime() >= f.dueAt.getTime(), signatureSha256: sig.sha256 });
  });
}
