import { and, desc, eq, inArray } from 'drizzle-orm';
import type { Ctx } from '../../platform/auth/actor.ts';
import { requirePermission } from '../../platform/auth/scope.ts';
import type { Tx } from '../../platform/db/client.ts';
import { newId } from '../../platform/db/columns.ts';
import { AppError } from '../../platform/http/errors.ts';
import { requireMethod } from './config.ts';
import { ensureRiskDefaults } from './defaults.ts';
import { tenantInfo } from './directory.ts';
import { bandFor, scoreFactors } from './methodRules.ts';
import { riskPermissions as P } from './permissions.ts';
import { armReassessment, resolveRequests } from './reassessment.ts';
import { riskAssessments, riskEvents, type AssessmentKind } from './schema.ts';
import { assertWritable, loadInScope, notArchived, recordRisk, trimOrNull, type RiskEventRow } from './store.ts';

/**
 * Assessing a risk event (issue 5): the factor values must come from the method's option tables, the score
 * is their product, the method's bands give level, colour and control levels. The result is stored as it
 * was computed, becomes the event's current risk, and sets the next re-assessment due date.
 */

export type AssessmentRow = typeof riskAssessments.$inferSelect;

export interface AssessInput {
  eventId: string;
  /** Default: the tenant's default method. */
  methodCode?: string;
  kind: AssessmentKind;
  factors: Record<string, number>;
  note?: string | null;
}

/** `months` calendar months later, on the last day of the month when the day does not exist (31 Jan → 28/29 Feb). */
export function addMonths(at: Date, months: number): Date {
  const d = new Date(at.getTime());
  const day = d.getUTCDate();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() + months);
  const last = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  d.setUTCDate(Math.min(day, last));
  return d;
}

export async function assessRiskEventTx(tx: Tx, ctx: Ctx, input: AssessInput): Promise<{ assessment: AssessmentRow; event: RiskEventRow }> {
  const tenantId = ctx.actor.tenantId;
  const before = await loadInScope(tx, ctx.actor, 'event', input.eventId, { forUpdate: true });
  await assertWritable(tx, ctx.actor, [before.orgUnitId]);
  notArchived(before, 'risk event');
  const settings = await ensureRiskDefaults(tx, tenantId);
  const method = await requireMethod(tx, tenantId, input.methodCode ?? settings.defaultMethodCode, 'methodCode');
  const { locale } = await tenantInfo(tx, tenantId);
  const { score, snapshot } = scoreFactors(method, input.factors, locale);
  const band = bandFor(method.bands, score);
  if (!band) {
    throw new AppError('risk_no_band', `score ${score} of method ${method.code} falls in none of its bands; extend the lowest band`, { extra: { score, methodCode: method.code } });
  }
  if (input.kind === 'residual') {
    // Residual risk is the risk left after the controls: it needs the inherent risk it is compared with.
    const [inherent] = await tx
      .select({ id: riskAssessments.id })
      .from(riskAssessments)
      .where(and(eq(riskAssessments.eventId, before.id), eq(riskAssessments.kind, 'inherent')))
      .limit(1);
    if (!inherent) throw new AppError('conflict', 'assess the inherent risk of this event before its residual risk');
  }
  const now = ctx.now();
  const nextDueAt = addMonths(now, settings.reassessIntervalMonths);
  const [assessment] = await tx
    .insert(riskAssessments)
    .values({
      id: newId(),
      tenantId,
      orgUnitId: before.orgUnitId,
      createdAt: now,
      createdBy: ctx.actor.userId,
      updatedAt: now,
      updatedBy: ctx.actor.userId,
      eventId: before.id,
      methodId: method.id,
      methodCode: method.code,
      methodVersion: method.version,
      kind: input.kind,
      factors: snapshot,
      score,
      level: band.level,
      colour: band.colour,
      controlLevels: band.controlLevels,
      bandLabel: locale === 'en' ? band.labelEn : band.labelZh,
      note: trimOrNull(input.note),
      assessedBy: ctx.actor.userId,
      assessedByName: ctx.actor.kind === 'system' ? 'system' : ctx.actor.name,
      assessedAt: now,
      nextDueAt,
    })
    .returning();
  if (!assessment) throw new AppError('internal');
  const [event] = await tx
    .update(riskEvents)
    .set({
      currentAssessmentId: assessment.id,
      currentKind: assessment.kind,
      currentScore: assessment.score,
      currentLevel: assessment.level,
      currentColour: assessment.colour,
      currentControlLevels: assessment.controlLevels,
      assessedAt: now,
      reassessDueAt: nextDueAt,
      reassessNotifiedFor: null,
      version: before.version + 1,
      updatedAt: now,
      updatedBy: ctx.actor.userId,
    })
    .where(eq(riskEvents.id, before.id))
    .returning();
  if (!event) throw new AppError('internal');
  const resolved = await resolveRequests(tx, event.id, assessment.id, now, ctx.actor.userId);
  await armReassessment(tx, event, now);
  await recordRisk(
    tx,
    ctx,
    'event',
    'assessed',
    { currentLevel: before.currentLevel, currentScore: before.currentScore, reassessDueAt: before.reassessDueAt },
    { id: event.id, assessmentId: assessment.id, kind: assessment.kind, methodCode: method.code, factors: snapshot, score, level: band.level, colour: band.colour, controlLevels: band.controlLevels, reassessDueAt: nextDueAt, resolvedRequests: resolved },
    { assessmentId: assessment.id, kind: assessment.kind, level: band.level, score },
  );
  return { assessment, event };
}

export async function assessRiskEvent(ctx: Ctx, input: AssessInput): Promise<{ assessment: AssessmentRow; event: RiskEventRow }> {
  requirePermission(ctx.actor, P.assess);
  return ctx.db.tx((tx) => assessRiskEventTx(tx, ctx, input));
}

/** The history of an event, newest first. */
export async function assessmentsOf(tx: Tx, tenantId: string, eventIds: string[]): Promise<AssessmentRow[]> {
  if (eventIds.length === 0) return [];
  return tx
    .select()
    .from(riskAssessments)
    .where(and(eq(riskAssessments.tenantId, tenantId), inArray(riskAssessments.eventId, eventIds)))
    .orderBy(desc(riskAssessments.assessedAt), desc(riskAssessments.id));
}
