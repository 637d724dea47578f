import { and, eq, isNull, lt, or } from 'drizzle-orm';
import type { Ctx } from '../../platform/auth/actor.ts';
import { AppError } from '../../platform/http/errors.ts';
import { tenantZone } from '../../platform/org/calendar.ts';
import { getCheckpointRef } from '../equipment/service.ts';
import { reportHazard } from '../hazards/report.ts';
import { getControlMeasureRef } from '../risks/service.ts';
import { findingText } from './messages.ts';
import { inspectionFindings, inspectionPlans, inspectionResults, inspectionTasks } from './schema.ts';
import { recordInspection } from './store.ts';
import { templateVersionOf } from './tasks.ts';

/**
 * A failed item raises exactly one hazard through the hazards module, pre-filled with the area (the
 * checkpoint's unit, else the measure's risk unit department, else the task's unit), the control measure
 * and the photos. The finding row (unique per task, stop and item) is the link: it is written with the
 * results, then claimed, the hazard reported and its id stored. A retry or replay finds the hazard already
 * linked; a claim left by a crashed request is taken over after CLAIM_MS.
 */

const CLAIM_MS = 2 * 60_000;

export async function raiseFindingHazards(ctx: Ctx, taskId: string): Promise<{ raised: number; pending: number }> {
  const pending = await ctx.db.read((tx) =>
    tx
      .select()
      .from(inspectionFindings)
      .where(and(eq(inspectionFindings.tenantId, ctx.actor.tenantId), eq(inspectionFindings.taskId, taskId), isNull(inspectionFindings.hazardId))),
  );
  let raised = 0;
  let left = 0;
  for (const f of pending) {
    const now = ctx.now();
    const claimed = await ctx.db.tx(async (tx) => {
      const [row] = await tx
        .update(inspectionFindings)
        .set({ claimedAt: now })
        .where(and(eq(inspectionFindings.id, f.id), isNull(inspectionFindings.hazardId), or(isNull(inspectionFindings.claimedAt), lt(inspectionFindings.claimedAt, new Date(now.getTime() - CLAIM_MS)))))
        .returning();
      if (!row) return null;
      const [task] = await tx.select().from(inspectionTasks).where(eq(inspectionTasks.id, f.taskId));
      const [result] = await tx.select().from(inspectionResults).where(eq(inspectionResults.id, f.resultId));
      if (!task || !result) return null;
      const [plan] = await tx.select({ name: inspectionPlans.name, source: inspectionPlans.source }).from(inspectionPlans).where(eq(inspectionPlans.id, task.planId));
      const stop = task.stops[f.stop];
      const cp = stop?.checkpointId ? await getCheckpointRef(tx, task.tenantId, stop.checkpointId) : null;
      const m = task.controlMeasureId ? await getControlMeasureRef(tx, task.tenantId, task.controlMeasureId) : null;
      const item = (await templateVersionOf(tx, task.templateVersionId)).items.find((i) => i.key === f.itemKey);
      const { locale } = await tenantZone(tx, task.tenantId);
      const reading = result.reading !== null ? `${result.reading}${item?.unit ? ` ${item.unit}` : ''}` : null;
      const text = findingText(locale, { planName: plan?.name ?? '', itemLabel: item?.label ?? f.itemKey, measure: m ? `${m.description}（${m.eventName}）` : null, checkpoint: cp?.name ?? null, reading, remark: result.remark });
      return {
        text,
        orgUnitId: cp?.orgUnitId ?? m?.riskUnitOrgUnitId ?? task.orgUnitId,
        // 管控措施失效 (reference §2.5 source 9) for a measure's check; otherwise the plan's check type.
        source: plan?.source === 'control_measure' ? 'control_failure' : task.checkType,
        photoIds: result.photoIds,
      };
    });
    if (!claimed || !claimed.orgUnitId) {
      left++;
      continue;
    }
    try {
      const h = await reportHazard(ctx, { title: claimed.text.title, description: claimed.text.description, category: 'safety', level: 'general', source: claimed.source, orgUnitId: claimed.orgUnitId, photoIds: claimed.photoIds });
      await ctx.db.tx(async (tx) => {
        const [linked] = await tx
          .update(inspectionFindings)
          .set({ hazardId: h.id, hazardNumber: h.number, lastError: null })
          .where(and(eq(inspectionFindings.id, f.id), isNull(inspectionFindings.hazardId)))
          .returning();
        if (!linked) throw new AppError('conflict', 'the finding was linked meanwhile');
        await recordInspection(tx, ctx, {
          action: 'inspection.finding.hazard_raised',
          entityType: 'inspection_task',
          entityId: f.taskId,
          after: { findingId: f.id, stop: f.stop, itemKey: f.itemKey, hazardId: h.id, hazardNumber: h.number },
          payload: { findingId: f.id, hazardId: h.id, controlMeasureId: f.controlMeasureId },
        });
      });
      raised++;
    } catch (e) {
      // The results stand; the hazard is raised again on the next try (POST …/findings/raise).
      const message = e instanceof Error ? e.message.slice(0, 500) : 'error';
      await ctx.db.tx((tx) => tx.update(inspectionFindings).set({ claimedAt: null, lastError: message }).where(eq(inspectionFindings.id, f.id)));
      left++;
    }
  }
  return { raised, pending: left };
}

