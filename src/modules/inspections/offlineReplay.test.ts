import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog } from '../../platform/audit/schema.ts';
import { createTestApp, type TestApp } from '../../test/app.ts';
import { queryRows } from '../../platform/db/client.ts';
import type { TaskDetail as TaskDetailT } from './tasks.ts';
import { inspectionFindings, inspectionResults } from './schema.ts';
import { currentTask, makeCheckpointPlan, makeTemplate, ok, photo, seedInspectionCompany, type Seed } from './testSupport.ts';

/**
 * A check done offline on the phone is replayed from its queue (web/src/features/inspections/checkOutbox.ts):
 * the scan and the results each carry the Idempotency-Key made when the inspector did them, and may arrive
 * twice (the answer was lost on a weak signal) or at the same time (two tabs). Each is applied once.
 */

let t: TestApp;
let s: Seed;

beforeAll(async () => {
  t = await createTestApp();
  t.clock.now = new Date('2026-03-04T02:00:00Z');
  s = await seedInspectionCompany(t);
}, 240_000);
afterAll(() => t.close());

describe('replayed offline checks', () => {
  it('applies a scan and a failed check sent twice with the same keys once: one result per item, one hazard', async () => {
    const tpl = await makeTemplate(s);
    const { plan, code } = await makeCheckpointPlan(s, tpl);
    const task = await currentTask(s.as.worker, plan.id, t.clock.now);
    const scanKey = { 'idempotency-key': `scan-${task.id}` };
    const scanned = ok(await s.as.worker.post<TaskDetailT>(`/api/v1/inspections/tasks/${task.id}/scan`, { code, stop: 0 }, scanKey));
    const scannedAgain = await s.as.worker.post<TaskDetailT>(`/api/v1/inspections/tasks/${task.id}/scan`, { code, stop: 0 }, scanKey);
    expect(scannedAgain.statusCode).toBe(200);
    expect(scannedAgain.headers['idempotent-replayed']).toBe('true');
    // The replayed answer carries the version the queue submits the results with.
    expect(scannedAgain.body.version).toBe(scanned.version);
    const started = await t.db.read((tx) => tx.select().from(auditLog).where(and(eq(auditLog.entityId, task.id), eq(auditLog.action, 'inspection.task.started'))));
    expect(started).toHaveLength(1);

    const pic = await photo(t, s);
    const sig = await photo(t, s);
    const body = {
      stop: 0,
      version: scanned.version,
      results: [
        { itemKey: 'gauge_ok', value: 'fail', photoIds: [pic], remark: '离线检查：表盘破裂' },
        { itemKey: 'pressure', reading: 0.5 },
        { itemKey: 'sign', signatureFileId: sig },
      ],
    };
    const key = { 'idempotency-key': `check-${task.id}-0` };
    const [a, b] = await Promise.all([
      s.as.worker.post<TaskDetailT>(`/api/v1/inspections/tasks/${task.id}/results`, body, key),
      s.as.worker.post<TaskDetailT>(`/api/v1/inspections/tasks/${task.id}/results`, body, key),
    ]);
    // Two copies at once: one runs; the other is its stored answer or "still running" (409, retried by the queue).
    const statuses = [a.statusCode, b.statusCode].sort();
    expect(statuses[0]).toBe(200);
    expect([200, 409]).toContain(statuses[1]);
    const later = await s.as.worker.post<TaskDetailT>(`/api/v1/inspections/tasks/${task.id}/results`, body, key);
    expect(later.statusCode).toBe(200);
    expect(later.headers['idempotent-replayed']).toBe('true');
    expect(later.body.status).toBe('done');

    const results = await t.db.read((tx) => tx.select().from(inspectionResults).where(eq(inspectionResults.taskId, task.id)));
    expect(results.map((r) => r.itemKey).sort()).toEqual(['gauge_ok', 'pressure', 'sign']);
    const findings = await t.db.read((tx) => tx.select().from(inspectionFindings).where(eq(inspectionFindings.taskId, task.id)));
    expect(findings).toHaveLength(1);
    const hazard = ok(await s.as.safety.get<{ id: string; description: string }>(`/api/v1/hazards/${findings[0]!.hazardId}`));
    expect(hazard.description).toContain('离线检查：表盘破裂');
    // Counted in the database (not only the link): one hazard in the company carries this check's remark.
    const rows = await t.db.read((tx) => queryRows<{ n: number }>(tx, sql`SELECT count(*)::int AS n FROM hazards WHERE tenant_id = ${s.tenant.id} AND description LIKE ${'%离线检查：表盘破裂%'}`));
    expect(rows[0]!.n).toBe(1);
    const done = await t.db.read((tx) => tx.select().from(auditLog).where(and(eq(auditLog.entityId, task.id), eq(auditLog.action, 'inspection.task.done'))));
    expect(done).toHaveLength(1);

    // The same key with different answers is refused, not applied.
    const changed = await s.as.worker.post(`/api/v1/inspections/tasks/${task.id}/results`, { ...body, results: body.results.slice(1) }, key);
    expect(changed.statusCode).toBeGreaterThanOrEqual(400);
    expect(changed.statusCode).toBeLessThan(500);
  });
});
