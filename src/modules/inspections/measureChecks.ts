import { and, desc, eq, inArray, lt, sql } from 'drizzle-orm';
import type { Actor } from '../../platform/auth/actor.ts';
import { can, scopeWhere } from '../../platform/auth/scope.ts';
import type { Tx } from '../../platform/db/client.ts';
import { inspectionPermissions as P } from './permissions.ts';
import { inspectionFindings, inspectionTasks, type TaskStatus } from './schema.ts';

/**
 * Read-only view of the latest checks of control measures, for other modules (the risk map's drill-down:
 * area → risk events → measures → recent checks), so they need not know this module's tables. Narrowed to
 * the reader as the task list is: nothing without `inspection:read`, else the tasks of their data scope
 * and their own. Only checks whose window has begun and that were started, done or missed count.
 */

export interface MeasureCheckRef {
  taskId: string;
  status: TaskStatus;
  windowStart: string;
  windowEnd: string;
  doneAt: string | null;
  onTime: boolean | null;
  failedCount: number;
  /** Hazards raised by failed items of this check. */
  hazards: { id: string; number: string | null }[];
}

const counted: TaskStatus[] = ['in_progress', 'done', 'missed'];

/** The `perMeasure` latest checks of each measure, newest first; a measure without any maps to an empty list. */
export async function recentChecksOfMeasures(tx: Tx, actor: Actor, measureIds: string[], now: Date, perMeasure = 3): Promise<Map<string, MeasureCheckRef[]>> {
  const ids = [...new Set(measureIds)];
  const out = new Map<string, MeasureCheckRef[]>(ids.map((id) => [id, []]));
  if (ids.length === 0 || !can(actor, P.read)) return out;
  const n = Math.min(Math.max(1, Math.floor(perMeasure)), 20);
  // The n latest per measure in one query: rank inside each measure by window, newest first.
  const ranked = tx
    .select({
      id: inspectionTasks.id,
      measureId: inspectionTasks.controlMeasureId,
      status: inspectionTasks.status,
      windowStart: inspectionTasks.windowStart,
      windowEnd: inspectionTasks.windowEnd,
      doneAt: inspectionTasks.doneAt,
      onTime: inspectionTasks.onTime,
      failedCount: inspectionTasks.failedCount,
      rank: sql<number>`row_number() OVER (PARTITION BY ${inspectionTasks.controlMeasureId} ORDER BY ${inspectionTasks.windowStart} DESC, ${inspectionTasks.id} DESC)`.as('rank'),
    })
    .from(inspectionTasks)
    .where(
      and(
        scopeWhere(actor, { tenantId: inspectionTasks.tenantId, orgUnitId: inspectionTasks.orgUnitId, owners: [inspectionTasks.assigneePersonId] }),
        inArray(inspectionTasks.controlMeasureId, ids),
        inArray(inspectionTasks.status, counted),
        lt(inspectionTasks.windowStart, now),
      ),
    )
    .as('ranked');
  const rows = await tx
    .select()
    .from(ranked)
    .where(sql`${ranked.rank} <= ${n}`)
    .orderBy(desc(ranked.windowStart));
  const findings = rows.length
    ? await tx
        .select({ taskId: inspectionFindings.taskId, hazardId: inspectionFindings.hazardId, hazardNumber: inspectionFindings.hazardNumber })
        .from(inspectionFindings)
        .where(and(eq(inspectionFindings.tenantId, actor.tenantId), inArray(inspectionFindings.taskId, rows.map((r) => r.id))))
    : [];
  for (const r of rows) {
    if (!r.measureId) continue;
    out.get(r.measureId)?.push({
      taskId: r.id,
      status: r.status,
      windowStart: r.windowStart.toISOString(),
      windowEnd: r.windowEnd.toISOString(),
      doneAt: r.doneAt?.toISOString() ?? null,
      onTime: r.onTime,
      failedCount: r.failedCount,
      hazards: findings.filter((f) => f.taskId === r.id && f.hazardId).map((f) => ({ id: f.hazardId as string, number: f.hazardNumber })),
    });
  }
  return out;
}
