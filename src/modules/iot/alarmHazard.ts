import { eq } from 'drizzle-orm';
import type { Ctx } from '../../platform/auth/actor.ts';
import { requirePermission } from '../../platform/auth/scope.ts';
import { tenantZone } from '../../platform/org/calendar.ts';
import { AppError } from '../../platform/http/errors.ts';
import { hazardPermissions } from '../hazards/permissions.ts';
import { hazardNumbers } from '../hazards/alarmLinks.ts';
import { reportHazardTx, type ReportInput, type ReportResult } from '../hazards/report.ts';
import { loadAlarm, views, type AlarmView } from './alarms.ts';
import { alarmFacts, recordAlarmEvent } from './alarmStore.ts';
import { hazardFromAlarm } from './messages.ts';
import { iotPermissions } from './permissions.ts';
import { iotAlarms, iotPoints } from './schema.ts';

/**
 * 开隐患 from the alarm console (issue 8): the operator turns an alarm into a hazard report. The hazard is
 * created by the hazards module's own report service (numbering, SLA, assignment, audit), pre-filled from
 * the alarm, with the alarm as its evidence instead of a photo. Alarm and hazard point at each other.
 */

/** Category when the operator names none: the neutral default of the tenant's category dictionary. */
const DEFAULT_CATEGORY = 'other';

export interface OpenHazardInput {
  title?: string | null;
  description?: string | null;
  level?: ReportInput['level'];
  category?: string;
  photoFileIds?: string[];
}

export async function openHazardFromAlarm(ctx: Ctx, alarmId: string, input: OpenHazardInput): Promise<{ alarm: AlarmView; hazard: ReportResult }> {
  // Both halves of the act: handling alarms (an operator's duty) and reporting hazards.
  requirePermission(ctx.actor, iotPermissions.handleAlarms);
  requirePermission(ctx.actor, hazardPermissions.report);
  return ctx.db.tx(async (tx) => {
    // The row lock makes concurrent clicks queue here; the second one sees hazard_id and gets 409.
    const a = await loadAlarm(tx, ctx, alarmId);
    if (a.hazardId) {
      const hazardNumber = (await hazardNumbers(tx, a.tenantId, [a.hazardId])).get(a.hazardId) ?? null;
      throw new AppError('conflict', `this alarm already opened hazard ${hazardNumber ?? a.hazardId}`, { extra: { hazardId: a.hazardId, hazardNumber } });
    }
    const [point] = await tx.select({ orgUnitId: iotPoints.orgUnitId }).from(iotPoints).where(eq(iotPoints.id, a.pointId));
    const areaId = point?.orgUnitId ?? a.orgUnitId;
    if (!areaId) throw new AppError('conflict', 'the alarm’s point has no area; give the point an area first');
    const { locale, timeZone } = await tenantZone(tx, a.tenantId);
    const text = hazardFromAlarm({ ...(await alarmFacts(tx, a)), raisedAt: a.raisedAt, raisedValue: a.raisedValue, peakValue: a.peakValue, timeZone });
    const hazard = await reportHazardTx(
      tx,
      ctx,
      {
        title: (input.title?.trim() || text.title[locale]).slice(0, 200),
        description: input.description?.trim() || text.description[locale],
        category: input.category ?? DEFAULT_CATEGORY,
        level: input.level ?? 'general',
        orgUnitId: areaId,
        photoIds: input.photoFileIds ?? [],
      },
      { alarmId: a.id },
    );
    const [after] = await tx
      .update(iotAlarms)
      .set({ hazardId: hazard.id, updatedAt: ctx.now(), version: a.version + 1 })
      .where(eq(iotAlarms.id, a.id))
      .returning();
    await recordAlarmEvent(tx, ctx, 'hazard_opened', a, after!, { note: hazard.number, data: { hazardId: hazard.id, hazardNumber: hazard.number } });
    return { alarm: (await views(tx, [after!]))[0]!, hazard };
  });
}
