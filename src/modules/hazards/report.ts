import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Ctx } from '../../platform/auth/actor.ts';
import { requirePermission } from '../../platform/auth/scope.ts';
import type { Tx } from '../../platform/db/client.ts';
import { newId } from '../../platform/db/columns.ts';
import { AppError, invalid } from '../../platform/http/errors.ts';
import { autoAssign } from './assignment.ts';
import { ALARM_SOURCE, ensureDefaultSource, ensureHazardDefaults, readPolicy, requireActiveItem } from './dictionaries.ts';
import { departmentOf, loadUnit, loadUser, tenantInfo, zonedParts } from './directory.ts';
import { findPossibleDuplicate } from './duplicates.ts';
import { hazardDetail, trackingHash, type HazardDetail } from './ledger.ts';
import { notices } from './messages.ts';
import { hazardPermissions as P } from './permissions.ts';
import { hazardCounters, hazardLevels, hazards, type GeoPoint, type HazardLevel } from './schema.ts';
import { armDeadline, armVerify, triageTargets } from './sla.ts';
import { addTimeline, anonymousCtx, checkFiles, notifyHazard, partiesOf, recordHazard, saveHazard, systemCtxAt, transitionOrThrow, trimOrNull } from './store.ts';
import { chooseVerifier, signoffStatus } from './verify.ts';

/** Reporting a hazard (phone first): numbering, anonymity, fix on the spot, then automatic assignment. */

export const formatHazardNumber = (year: number, seq: number) => `YH-${year}-${String(seq).padStart(6, '0')}`;

/**
 * The next number of the tenant's year (in the tenant's zone): an upsert that increments the counter row
 * and holds its row lock (as SELECT … FOR UPDATE would) until the report commits. Concurrent reports queue
 * on that row, and a report that rolls back takes its increment with it, so numbers have no gaps and no
 * repeats.
 */
export async function nextHazardNumber(tx: Tx, tenantId: string, at: Date): Promise<{ year: number; seq: number; number: string }> {
  const { timeZone } = await tenantInfo(tx, tenantId);
  const year = zonedParts(at, timeZone).year;
  const [row] = await tx
    .insert(hazardCounters)
    .values({ tenantId, year, last: 1 })
    .onConflictDoUpdate({ target: [hazardCounters.tenantId, hazardCounters.year], set: { last: sql`${hazardCounters.last} + 1` } })
    .returning({ last: hazardCounters.last });
  if (!row) throw new Error('hazard counter upsert returned nothing');
  return { year, seq: row.last, number: formatHazardNumber(year, row.last) };
}

/** Moves the counter past a number given explicitly (historical import), so new reports never collide. */
export async function reserveHazardNumber(tx: Tx, tenantId: string, year: number, seq: number): Promise<void> {
  await tx
    .insert(hazardCounters)
    .values({ tenantId, year, last: seq })
    .onConflictDoUpdate({ target: [hazardCounters.tenantId, hazardCounters.year], set: { last: sql`greatest(${hazardCounters.last}, excluded.last)` } });
}

// Crockford base32 without I, L, O, U: read aloud or typed from a slip of paper without mistakes.
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** 16 characters = 80 random bits: not guessable, short enough to write down. */
export function newTrackingCode(): string {
  const bytes = randomBytes(16);
  let out = '';
  for (const b of bytes) out += ALPHABET[b & 31];
  return out;
}

export interface ReportInput {
  title: string;
  description?: string | null;
  category: string;
  level: HazardLevel;
  source?: string | null;
  orgUnitId: string;
  location?: GeoPoint | null;
  photoIds: string[];
  videoId?: string | null;
  voiceId?: string | null;
  suggestedFix?: string | null;
  anonymous?: boolean;
  fixOnSpot?: boolean;
  afterPhotoIds?: string[];
  rectifyNotes?: string | null;
}

export type ReportResult = HazardDetail & { trackingCode: string | null };

/**
 * Evidence a caller inside the server attaches to a report (never taken from a request body): the IoT
 * alarm whose readings show the hazard. It sets origin 'alarm' and source ALARM_SOURCE, and it is the one
 * case where a report may come without a photo (docs/hazards.md, "Photo rule").
 */
export interface ReportEvidence {
  alarmId: string;
}

export async function reportHazard(ctx: Ctx, input: ReportInput): Promise<ReportResult> {
  checkReportInput(ctx, input);
  return ctx.db.tx((tx) => reportHazardTx(tx, ctx, input));
}

function checkReportInput(ctx: Ctx, input: ReportInput): void {
  requirePermission(ctx.actor, P.report);
  const anonymous = input.anonymous === true;
  const fixOnSpot = input.fixOnSpot === true;
  if (fixOnSpot) {
    requirePermission(ctx.actor, P.rectify);
    if (anonymous) throw invalid('fixOnSpot', 'conflict', 'fixOnSpot: a fix on the spot is verified against its reporter, so it cannot be anonymous');
    // reference §3.1: a major hazard needs time, a plan and often a shutdown; by definition not fixed on the spot.
    if (input.level === 'major') throw invalid('fixOnSpot', 'conflict', 'fixOnSpot: a major hazard (重大隐患) needs a treatment plan; it cannot be closed as fixed on the spot');
    if (!input.afterPhotoIds?.length) throw invalid('afterPhotoIds', 'minItems', 'afterPhotoIds: a fix on the spot needs at least one photo of the fixed state');
  } else if (input.afterPhotoIds?.length) {
    throw invalid('afterPhotoIds', 'not_allowed', 'afterPhotoIds: only with fixOnSpot');
  }
  if (!hazardLevels.includes(input.level)) throw invalid('level', 'enum', `level: one of ${hazardLevels.join(', ')}`);
  const title = input.title.trim();
  if (!title) throw invalid('title', 'minLength', 'title: required');
  if (!anonymous && !ctx.actor.userId) throw new AppError('forbidden', 'a report needs a signed-in person (or anonymous: true)');
}

/**
 * The report in the caller's transaction: another module (the IoT alarm console) opens a hazard in the
 * same transaction as its own change, so both commit or neither does.
 */
export async function reportHazardTx(tx: Tx, ctx: Ctx, input: ReportInput, evidence?: ReportEvidence): Promise<ReportResult> {
  checkReportInput(ctx, input);
  if (evidence && (input.anonymous || input.fixOnSpot)) throw new Error('an alarm-sourced report is neither anonymous nor fixed on the spot');
  const anonymous = input.anonymous === true;
  const fixOnSpot = input.fixOnSpot === true;
  const source = evidence ? ALARM_SOURCE : (input.source ?? null);
  const title = input.title.trim();
  const tenantId = ctx.actor.tenantId;
  await ensureHazardDefaults(tx, tenantId);
  await requireActiveItem(tx, tenantId, 'category', input.category, 'category');
  if (evidence) {
    // Seeded on demand: tenants created before the source existed get it the first time an alarm needs it.
    await ensureDefaultSource(tx, tenantId, ALARM_SOURCE);
  } else if (source === ALARM_SOURCE) {
    throw invalid('source', 'not_allowed', `source: "${ALARM_SOURCE}" is set only by opening a hazard from an alarm`);
  } else if (source) {
    await requireActiveItem(tx, tenantId, 'source', source, 'source');
  }
  const area = await loadUnit(tx, tenantId, input.orgUnitId);
  if (!area || !area.active) throw invalid('orgUnitId', 'exists', `orgUnitId: no active org unit ${input.orgUnitId} in this company`);
  const photoIds = await checkFiles(tx, tenantId, input.photoIds, ['image'], 'photoIds');
  // Photo rule: a person's report shows what they saw. An alarm-sourced report's evidence is the alarm
  // (its readings, limit and timeline, linked by alarm_id), so a photo is optional there and only there.
  if (photoIds.length === 0 && !evidence) throw invalid('photoIds', 'minItems', 'photoIds: at least one photo');
  const [videoId] = await checkFiles(tx, tenantId, input.videoId ? [input.videoId] : [], ['video'], 'videoId', { single: true });
  // A browser voice note (MediaRecorder WebM) is typed as video/webm by its bytes.
  const [voiceId] = await checkFiles(tx, tenantId, input.voiceId ? [input.voiceId] : [], ['audio', 'video'], 'voiceId', { single: true });
  const afterPhotoIds = fixOnSpot ? await checkFiles(tx, tenantId, input.afterPhotoIds ?? [], ['image'], 'afterPhotoIds') : [];

  const now = ctx.now();
  const policy = await readPolicy(tx, tenantId, input.level);
  const { year, seq, number } = await nextHazardNumber(tx, tenantId, now);
  const duplicate = await findPossibleDuplicate(tx, tenantId, { orgUnitId: area.id, category: input.category, at: now });
  const trackingCode = anonymous ? newTrackingCode() : null;
  const reporterId = anonymous ? null : ctx.actor.userId;
  const [h] = await tx
    .insert(hazards)
    .values({
      id: newId(),
      tenantId,
      orgUnitId: area.id,
      createdAt: now,
      createdBy: reporterId,
      updatedAt: now,
      updatedBy: reporterId,
      number,
      year,
      seq,
      title,
      description: trimOrNull(input.description),
      category: input.category,
      level: input.level,
      source,
      status: 'reported',
      origin: evidence ? 'alarm' : 'report',
      alarmId: evidence?.alarmId ?? null,
      location: input.location ?? null,
      photoIds,
      videoId: videoId ?? null,
      voiceId: voiceId ?? null,
      suggestedFix: trimOrNull(input.suggestedFix),
      anonymous,
      trackingCodeHash: trackingCode ? trackingHash(trackingCode) : null,
      reporterUserId: reporterId,
      reporterPersonId: anonymous ? null : ctx.actor.personId,
      reportedAt: now,
      fixOnSpot,
      departmentId: await departmentOf(tx, tenantId, area.id),
      respondDueAt: fixOnSpot ? null : new Date(now.getTime() + policy.respondMinutes * 60_000),
      rectifyDueAt: fixOnSpot ? null : new Date(now.getTime() + policy.rectifyMinutes * 60_000),
      possibleDuplicateOf: duplicate?.id ?? null,
      // 安全生产法 Art. 41: major hazards are reported to the authority and the workers' congress.
      reportToAuthority: input.level === 'major',
    })
    .returning();
  if (!h) throw new AppError('internal');
  // The anonymous reporter leaves no trace in the record, its timeline, the audit log or the event.
  const reporterCtx = anonymous ? anonymousCtx(ctx) : ctx;
  const origin = evidence ? { origin: 'alarm', alarmId: evidence.alarmId } : {};
  await addTimeline(tx, reporterCtx, h, { action: 'reported', to: 'reported', photoIds, data: { anonymous, fixOnSpot, ...origin } });
  await recordHazard(tx, reporterCtx, 'reported', null, h, { payload: { anonymous, fixOnSpot, possibleDuplicateOf: h.possibleDuplicateOf, orgUnitId: h.orgUnitId, category: h.category, ...origin } });
  if (duplicate) {
    await addTimeline(tx, systemCtxAt(ctx.db, tenantId, now), h, { action: 'possible_duplicate', data: { ofId: duplicate.id, ofNumber: duplicate.number } });
  }

  let current = h;
  if (fixOnSpot) {
    // 即查即改: the reporter fixed it at once; it goes straight to verification by someone else.
    const to = transitionOrThrow(h, 'fix_on_spot', partiesOf(ctx.actor, h), null, ['reporter']);
    const reporter = await loadUser(tx, tenantId, ctx.actor.userId);
    const unitId = reporter?.orgUnitId ?? area.id;
    const draft = { ...h, assigneeUserId: ctx.actor.userId, submittedBy: ctx.actor.userId };
    const verifierUserId = await chooseVerifier(tx, draft, { fixOnSpot: true });
    current = await saveHazard(tx, ctx, h, {
      status: to,
      assigneeUserId: ctx.actor.userId,
      assigneeUnitId: unitId,
      assignedAt: now,
      departmentId: await departmentOf(tx, tenantId, unitId),
      respondedAt: now,
      submittedAt: now,
      submittedBy: ctx.actor.userId,
      afterPhotoIds,
      rectifyNotes: trimOrNull(input.rectifyNotes),
      verifierUserId,
    });
    await addTimeline(tx, ctx, current, { action: 'fixed_on_spot', from: h.status, to, comment: trimOrNull(input.rectifyNotes), photoIds: afterPhotoIds, data: { verifierUserId } });
    await recordHazard(tx, ctx, 'fixed_on_spot', h, current, { payload: { verifierUserId } });
    await armVerify(tx, current, policy);
    await notifyHazard(tx, ctx, current, verifierUserId ? [verifierUserId] : await triageTargets(tx, tenantId), notices.submitted(current));
  } else {
    await armDeadline(tx, h, 'rectify', now, policy);
    current = await autoAssign(tx, ctx, h);
    // Nobody to assign to: the response clock runs for triage.
    if (current.status === 'reported') await armDeadline(tx, current, 'respond', now, policy);
  }
  // 安全生产法 Art. 41 / 16号令: management must learn of a major hazard at once (plan, sign-off, report to the
  // authority), not only when its plan is ready; the signers and the safety office are told now.
  if (policy.requiresTreatmentPlan) {
    const { signers } = await signoffStatus(tx, current);
    await notifyHazard(tx, ctx, current, [...signers, ...(await triageTargets(tx, tenantId))], { ...notices.majorReported(current), includeActor: false });
  }
  return { ...(await hazardDetail(tx, ctx, current)), trackingCode };
}
