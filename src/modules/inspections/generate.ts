import { and, eq, inArray, isNull, lt, or, sql } from 'drizzle-orm';
import { queryRows, type Tx } from '../../platform/db/client.ts';
import { newId } from '../../platform/db/columns.ts';
import { addDays, loadWorkCalendar } from '../../platform/org/calendar.ts';
import { getCheckpointRef } from '../equipment/service.ts';
import { windowsOf } from './cycles.ts';
import { ensureInspectionSettings } from './defaults.ts';
import { loadOrgFacts } from './directory.ts';
import { inspectionPlans, inspectionRoutes, type inspectionTasks, inspectionTemplates, inspectionTemplateVersions, type TaskStop } from './schema.ts';

/**
 * Task generation: every active plan's windows over a range of days become tasks. Idempotent by the
 * unique (plan, window_start): running it again, or over an overlapping range, adds only what is missing.
 * Each plan remembers the last day it was generated for, so the daily run only looks at new days.
 */

type PlanRow = typeof inspectionPlans.$inferSelect;

export interface GenerateResult {
  plans: number;
  created: number;
}

const BATCH = 1000;

export async function generateTasksTx(tx: Tx, tenantId: string, opts: { from: string; to: string; timeZone: string; now: Date; planIds?: string[]; force?: boolean }): Promise<GenerateResult> {
  const settings = await ensureInspectionSettings(tx, tenantId);
  const plans = await tx
    .select()
    .from(inspectionPlans)
    .where(
      and(
        eq(inspectionPlans.tenantId, tenantId),
        eq(inspectionPlans.active, true),
        ...(opts.planIds ? [inArray(inspectionPlans.id, opts.planIds)] : []),
        ...(opts.force ? [] : [or(isNull(inspectionPlans.generatedUntil), lt(inspectionPlans.generatedUntil, opts.to))]),
      ),
    );
  if (plans.length === 0) return { plans: 0, created: 0 };
  const facts = await loadOrgFacts(tx, tenantId);
  const templates = await tx
    .select({ id: inspectionTemplates.id, no: inspectionTemplates.currentVersionNo, versionId: inspectionTemplateVersions.id })
    .from(inspectionTemplates)
    .innerJoin(inspectionTemplateVersions, and(eq(inspectionTemplateVersions.templateId, inspectionTemplates.id), eq(inspectionTemplateVersions.versionNo, inspectionTemplates.currentVersionNo)))
    .where(eq(inspectionTemplates.tenantId, tenantId));
  const versionOf = new Map(templates.map((t) => [t.id, t.versionId]));
  const routes = await tx.select().from(inspectionRoutes).where(eq(inspectionRoutes.tenantId, tenantId));
  const cpNames = new Map<string, string>();
  const nameOf = async (id: string) => {
    let n = cpNames.get(id);
    if (n === undefined) {
      n = (await getCheckpointRef(tx, tenantId, id))?.name ?? id;
      cpNames.set(id, n);
    }
    return n;
  };
  const stopsOf = async (p: PlanRow): Promise<TaskStop[]> => {
    const blank = { scannedAt: null, scanId: null, submittedAt: null };
    if (p.routeId) {
      const r = routes.find((x) => x.id === p.routeId);
      if (r && r.checkpointIds.length) {
        const out: TaskStop[] = [];
        for (const id of r.checkpointIds) out.push({ checkpointId: id, name: await nameOf(id), ...blank });
        return out;
      }
    }
    if (p.checkpointId) return [{ checkpointId: p.checkpointId, name: await nameOf(p.checkpointId), ...blank }];
    // No checkpoint: a 现场确认 check without a scan.
    return [{ checkpointId: null, name: p.name, ...blank }];
  };

  // From the earliest plan start: every n-th work day is counted from each plan's first day.
  const earliest = plans.reduce((m, p) => (p.startsOn < m ? p.startsOn : m), opts.from);
  const calendar = await loadWorkCalendar(tx, tenantId, earliest, opts.to);
  const zone = { timeZone: opts.timeZone, shiftStartHours: settings.shiftStartHours, calendar };
  let created = 0;
  let rows: (typeof inspectionTasks.$inferInsert)[] = [];
  const flush = async () => {
    if (rows.length === 0) return;
    // One JSON parameter per batch instead of ~16 per row: PGlite spends most of a wide insert binding them.
    const payload = JSON.stringify(
      rows.map((r) => ({
        id: r.id,
        tenant_id: r.tenantId,
        org_unit_id: r.orgUnitId,
        created_at: opts.now.toISOString(),
        plan_id: r.planId,
        window_start: (r.windowStart as Date).toISOString(),
        window_end: (r.windowEnd as Date).toISOString(),
        department_id: r.departmentId,
        assignee_person_id: r.assigneePersonId,
        assignee_position_id: r.assigneePositionId,
        control_measure_id: r.controlMeasureId,
        route_id: r.routeId,
        template_version_id: r.templateVersionId,
        check_type: r.checkType,
        stops: r.stops,
      })),
    );
    const inserted = await queryRows<{ id: string }>(
      tx,
      sql`INSERT INTO inspection_tasks (id, tenant_id, org_unit_id, created_at, updated_at, plan_id, window_start, window_end, department_id, assignee_person_id, assignee_position_id, control_measure_id, route_id, template_version_id, check_type, stops)
        SELECT id, tenant_id, org_unit_id, created_at, created_at, plan_id, window_start, window_end, department_id, assignee_person_id, assignee_position_id, control_measure_id, route_id, template_version_id, check_type, stops
        FROM jsonb_to_recordset(${payload}::jsonb) AS x(id uuid, tenant_id uuid, org_unit_id uuid, created_at timestamptz, plan_id uuid, window_start timestamptz, window_end timestamptz, department_id uuid, assignee_person_id uuid, assignee_position_id uuid, control_measure_id uuid, route_id uuid, template_version_id uuid, check_type text, stops jsonb)
        ON CONFLICT (plan_id, window_start) DO NOTHING
        RETURNING id`,
    );
    created += inserted.length;
    rows = [];
  };
  const done: string[] = [];
  for (const p of plans) {
    const versionId = versionOf.get(p.templateId);
    if (!versionId) continue;
    const from = !opts.force && p.generatedUntil && p.generatedUntil >= opts.from ? addDays(p.generatedUntil, 1) : opts.from;
    const windows = windowsOf(p, from, opts.to, zone);
    done.push(p.id);
    if (windows.length === 0) continue;
    const stops = await stopsOf(p);
    const assignee = p.assigneePersonId ?? (p.assigneePositionId ? facts.holderOf(p.assigneePositionId, p.orgUnitId) : null);
    const departmentId = facts.departmentOf(p.orgUnitId);
    for (const w of windows) {
      rows.push({
        id: newId(),
        tenantId,
        orgUnitId: p.orgUnitId,
        createdAt: opts.now,
        updatedAt: opts.now,
        planId: p.id,
        windowStart: w.start,
        windowEnd: w.end,
        departmentId,
        assigneePersonId: assignee,
        assigneePositionId: p.assigneePositionId,
        controlMeasureId: p.controlMeasureId,
        routeId: p.routeId,
        templateVersionId: versionId,
        checkType: p.checkType,
        stops,
      });
      if (rows.length >= BATCH) await flush();
    }
  }
  await flush();
  for (let i = 0; i < done.length; i += BATCH) {
    await tx
      .update(inspectionPlans)
      .set({ generatedUntil: opts.to })
      .where(and(eq(inspectionPlans.tenantId, tenantId), inArray(inspectionPlans.id, done.slice(i, i + BATCH)), or(isNull(inspectionPlans.generatedUntil), lt(inspectionPlans.generatedUntil, opts.to))));
  }
  return { plans: plans.length, created };
}
