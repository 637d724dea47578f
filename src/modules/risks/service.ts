import { and, asc, eq, gt, inArray, isNull } from 'drizzle-orm';
import { recordChange } from '../../platform/audit/record.ts';
import type { Ctx } from '../../platform/auth/actor.ts';
import { requirePermission } from '../../platform/auth/scope.ts';
import type { Tx } from '../../platform/db/client.ts';
import { newId } from '../../platform/db/columns.ts';
import { AppError, invalid, notFound } from '../../platform/http/errors.ts';
import { notices } from './messages.ts';
import { riskPermissions as P } from './permissions.ts';
import { cancelReassessment, notifyResponsible } from './reassessment.ts';
import { riskControlMeasures, riskEvents, riskObjects, riskReassessmentRequests, riskUnits, type CheckCycleUnit, type RiskLevel, type WorkDayType } from './schema.ts';
import { assertWritable, loadInScope } from './store.ts';

/**
 * The risk module's public API for other modules (DESIGN: a module reaches another only through its
 * service.ts): re-assessment requests from hazards and incidents, and control measures for inspections.
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface ReassessmentRequestInput {
  riskEventId: string;
  reason: string;
  /** What caused it (`{ type: 'hazard', id }`): the same source asks once, however often it is repeated. */
  source?: { type: string; id: string };
}

export interface ReassessmentRequestResult {
  requestId: string;
  /** False when this source had already asked: nothing changed, nobody was notified again. */
  created: boolean;
  notifiedUserId: string | null;
}

/**
 * Marks the event due for re-assessment now and notifies its responsible person, in the caller's
 * transaction. The caller has already decided the actor may cause it (a hazard reporter need not hold
 * risk:assess); the event must be of the actor's tenant (else 404) and not archived (409).
 */
export async function requestReassessmentTx(tx: Tx, ctx: Ctx, input: ReassessmentRequestInput): Promise<ReassessmentRequestResult> {
  const reason = input.reason.trim().slice(0, 1000);
  if (!reason) throw invalid('reason', 'required', 'reason: required');
  // Callers are other modules: a malformed id is their bug, reported as 400 rather than a database error.
  if (!UUID.test(input.riskEventId)) throw invalid('riskEventId', 'format', 'riskEventId: a UUID');
  const sourceType = input.source ? input.source.type.trim().slice(0, 50) : null;
  const sourceId = input.source ? input.source.id.trim().slice(0, 100) : null;
  const [event] = await tx
    .select()
    .from(riskEvents)
    .where(and(eq(riskEvents.id, input.riskEventId), eq(riskEvents.tenantId, ctx.actor.tenantId)))
    .for('update');
  if (!event) throw notFound('risk event');
  if (event.archivedAt) throw new AppError('conflict', 'the risk event is archived');
  const now = ctx.now();
  const [request] = await tx
    .insert(riskReassessmentRequests)
    .values({
      id: newId(),
      tenantId: event.tenantId,
      orgUnitId: event.orgUnitId,
      createdAt: now,
      createdBy: ctx.actor.userId,
      updatedAt: now,
      updatedBy: ctx.actor.userId,
      eventId: event.id,
      reason,
      sourceType,
      sourceId,
      requestedAt: now,
      requestedBy: ctx.actor.userId,
    })
    .onConflictDoNothing()
    .returning();
  if (!request) {
    const [existing] = await tx
      .select({ id: riskReassessmentRequests.id })
      .from(riskReassessmentRequests)
      .where(
        and(
          eq(riskReassessmentRequests.eventId, event.id),
          eq(riskReassessmentRequests.sourceType, sourceType ?? ''),
          eq(riskReassessmentRequests.sourceId, sourceId ?? ''),
        ),
      );
    return { requestId: existing?.id ?? '', created: false, notifiedUserId: null };
  }
  // Due now; announced now (so the yearly job, if one is still pending, is cancelled rather than repeating it).
  const [after] = await tx
    .update(riskEvents)
    .set({ reassessDueAt: now, reassessNotifiedFor: now })
    .where(eq(riskEvents.id, event.id))
    .returning();
  await cancelReassessment(tx, event.id, now);
  const userId = await notifyResponsible(tx, ctx, after ?? event, () => notices.reassessmentRequested(event.name, reason));
  await recordChange(
    tx,
    ctx,
    {
      action: 'risk.reassessment_requested',
      entityType: 'risk_event',
      entityId: event.id,
      before: { reassessDueAt: event.reassessDueAt },
      after: { reassessDueAt: now, reason, source: input.source ?? null, notifiedUserId: userId },
    },
    { type: 'risk.reassessment_requested', entityType: 'risk_event', entityId: event.id, payload: { id: event.id, requestId: request.id, sourceType: request.sourceType, sourceId: request.sourceId } },
  );
  return { requestId: request.id, created: true, notifiedUserId: userId };
}

/** `requestReassessment` in its own transaction (the usual call from another module's service). */
export async function requestReassessment(ctx: Ctx, input: ReassessmentRequestInput): Promise<ReassessmentRequestResult> {
  return ctx.db.tx((tx) => requestReassessmentTx(tx, ctx, input));
}

/** `POST /risks/events/:id/reassessment-requests`: a person asks, with risk:assess and the event in their scope. */
export async function requestReassessmentByUser(ctx: Ctx, input: ReassessmentRequestInput): Promise<ReassessmentRequestResult> {
  requirePermission(ctx.actor, P.assess);
  return ctx.db.tx(async (tx) => {
    const event = await loadInScope(tx, ctx.actor, 'event', input.riskEventId);
    await assertWritable(tx, ctx.actor, [event.orgUnitId]);
    return requestReassessmentTx(tx, ctx, { riskEventId: event.id, reason: input.reason });
  });
}

// ---------------------------------------------------------------------------------------------------------
// Control measures for inspection planning
// ---------------------------------------------------------------------------------------------------------

/** What inspections need of a control measure to plan and pre-fill checks (a failed check → hazard). */
export interface ControlMeasureRef {
  id: string;
  tenantId: string;
  eventId: string;
  eventName: string;
  unitId: string;
  unitName: string;
  objectId: string;
  objectCode: string;
  objectName: string;
  description: string;
  troubleshootContent: string;
  checkCycle: number;
  checkCycleUnit: CheckCycleUnit;
  workDayType: WorkDayType;
  /** Responsible unit of the measure (where tasks land). */
  orgUnitId: string | null;
  /** The risk unit's responsible department: the area of a hazard raised by a failed check. */
  riskUnitOrgUnitId: string | null;
  responsiblePositionId: string | null;
  responsiblePersonId: string | null;
  /** Current risk level of the event (null before its first assessment). */
  eventLevel: string | null;
  archived: boolean;
  version: number;
}

const refColumns = {
  id: riskControlMeasures.id,
  tenantId: riskControlMeasures.tenantId,
  eventId: riskControlMeasures.eventId,
  eventName: riskEvents.name,
  unitId: riskControlMeasures.unitId,
  unitName: riskUnits.name,
  objectId: riskControlMeasures.objectId,
  objectCode: riskObjects.code,
  objectName: riskObjects.name,
  description: riskControlMeasures.description,
  troubleshootContent: riskControlMeasures.troubleshootContent,
  checkCycle: riskControlMeasures.checkCycle,
  checkCycleUnit: riskControlMeasures.checkCycleUnit,
  workDayType: riskControlMeasures.workDayType,
  orgUnitId: riskControlMeasures.orgUnitId,
  riskUnitOrgUnitId: riskUnits.orgUnitId,
  responsiblePositionId: riskControlMeasures.responsiblePositionId,
  responsiblePersonId: riskControlMeasures.responsiblePersonId,
  eventLevel: riskEvents.currentLevel,
  archivedAt: riskControlMeasures.archivedAt,
  version: riskControlMeasures.version,
};

type RefRow = { archivedAt: Date | null } & Omit<ControlMeasureRef, 'archived'>;
const toRef = ({ archivedAt, ...r }: RefRow): ControlMeasureRef => ({ ...r, archived: archivedAt !== null });

function refQuery(tx: Tx) {
  return tx
    .select(refColumns)
    .from(riskControlMeasures)
    .innerJoin(riskEvents, eq(riskEvents.id, riskControlMeasures.eventId))
    .innerJoin(riskUnits, eq(riskUnits.id, riskControlMeasures.unitId))
    .innerJoin(riskObjects, eq(riskObjects.id, riskControlMeasures.objectId));
}

/**
 * One control measure of the tenant (archived ones too: a check history still points at them), or null.
 * System-level read for planning and linking; the caller applies its own permission.
 */
export async function getControlMeasureRef(tx: Tx, tenantId: string, measureId: string): Promise<ControlMeasureRef | null> {
  const [row] = await refQuery(tx).where(and(eq(riskControlMeasures.tenantId, tenantId), eq(riskControlMeasures.id, measureId)));
  return row ? toRef(row) : null;
}

/**
 * The tenant's active control measures in a stable order (id), a page at a time: what a plan generator
 * walks through. Pass the last id of the previous page as `afterId`.
 */
export async function listActiveControlMeasures(tx: Tx, tenantId: string, opts: { afterId?: string | null; limit: number }): Promise<ControlMeasureRef[]> {
  const limit = Math.min(Math.max(1, opts.limit), 5000);
  const rows = await refQuery(tx)
    .where(
      and(
        eq(riskControlMeasures.tenantId, tenantId),
        isNull(riskControlMeasures.archivedAt),
        ...(opts.afterId ? [gt(riskControlMeasures.id, opts.afterId)] : []),
      ),
    )
    .orderBy(asc(riskControlMeasures.id))
    .limit(limit);
  return rows.map(toRef);
}

// ---------------------------------------------------------------------------------------------------------
// For the four-colour map: the level of each risk unit
// ---------------------------------------------------------------------------------------------------------

export interface UnitRiskLevel {
  unitId: string;
  /** The highest current level of the unit's active events; null when none is assessed. */
  highestLevel: RiskLevel | null;
  /** The colour that level was given (the tenant's band colour at assessment time). */
  colour: string | null;
  eventCount: number;
}

const levelRank: Record<RiskLevel, number> = { major: 4, serious: 3, general: 2, low: 1 };

/** The highest current risk level of each of these risk units (a map area colours by it). Unknown ids are left out. */
export async function riskLevelsOfUnits(tx: Tx, tenantId: string, unitIds: string[]): Promise<UnitRiskLevel[]> {
  const ids = [...new Set(unitIds)].filter((id) => UUID.test(id));
  if (ids.length === 0) return [];
  const units = await tx
    .select({ id: riskUnits.id })
    .from(riskUnits)
    .where(and(eq(riskUnits.tenantId, tenantId), inArray(riskUnits.id, ids), isNull(riskUnits.archivedAt)));
  const events = await tx
    .select({ unitId: riskEvents.unitId, level: riskEvents.currentLevel, colour: riskEvents.currentColour })
    .from(riskEvents)
    .where(and(eq(riskEvents.tenantId, tenantId), inArray(riskEvents.unitId, ids), isNull(riskEvents.archivedAt)));
  return units.map((u) => {
    const mine = events.filter((e) => e.unitId === u.id);
    const top = mine.reduce<(typeof mine)[number] | null>((best, e) => (e.level && (!best?.level || levelRank[e.level] > levelRank[best.level]) ? e : best), null);
    return { unitId: u.id, highestLevel: top?.level ?? null, colour: top?.colour ?? null, eventCount: mine.length };
  });
}
