import { and, eq, sql } from 'drizzle-orm';
import { systemCtx } from '../../platform/auth/actor.ts';
import { queryRows } from '../../platform/db/client.ts';
import { registerSubscriber } from '../../platform/events/dispatcher.ts';
import { sendToUser } from '../../platform/events/stream.ts';
import { registerJobHandler, scheduleJob, type JobHandlerInput, type JobHandlerResult } from '../../platform/jobs/service.ts';
import { recordExecution, SEND_KIND, TIMEOUT_KIND, timeoutKey } from './linkage.ts';
import { commandPublisher } from './linkageMqtt.ts';
import { iotLinkageExecutions } from './schema.ts';

/**
 * The durable half of linkage, claimed through platform/jobs so each runs once across instances:
 * `iot.linkage.send` publishes a committed execution's command, `iot.linkage.timeout` marks it timed out
 * when no reply came. Plus the SSE push of every linkage change to the operators of the area.
 */

/** While no broker connection is up the send is retried this often, until the command's own timeout has passed. */
const RESEND_WAIT_MS = 2000;

const str = (v: unknown) => (typeof v === 'string' ? v : null);

async function send({ db, job, now }: JobHandlerInput): Promise<JobHandlerResult> {
  const tenantId = str(job.payload.tenantId);
  const executionId = str(job.payload.executionId);
  if (!tenantId || !executionId) return;
  const [e] = await db.read((tx) =>
    tx
      .select()
      .from(iotLinkageExecutions)
      .where(and(eq(iotLinkageExecutions.id, executionId), eq(iotLinkageExecutions.tenantId, tenantId))),
  );
  // At least once: already sent (a run that published but was not marked done) or already ended → nothing.
  if (!e || e.sentAt || e.state !== 'pending') return;
  const ctx = systemCtx(db, tenantId, () => now);
  const p = commandPublisher();
  let error: string | null = p ? null : 'no MQTT connection';
  if (p) {
    try {
      await p.publish(e.topic, Buffer.from(JSON.stringify(e.payload)));
    } catch (err) {
      error = err instanceof Error ? err.message : String(err);
    }
  }
  if (error) {
    // Could not reach the broker: keep trying for as long as the device would have had to answer; after
    // that the command is failed (an operator sees it and may re-send), not silently pending forever.
    if (now.getTime() - e.createdAt.getTime() < e.timeoutS * 1000) return { runAgainAt: new Date(now.getTime() + RESEND_WAIT_MS) };
    await db.tx(async (tx) => {
      const [cur] = await tx.select().from(iotLinkageExecutions).where(eq(iotLinkageExecutions.id, e.id)).for('update');
      if (!cur || cur.state !== 'pending' || cur.sentAt) return;
      const [after] = await tx
        .update(iotLinkageExecutions)
        .set({ state: 'failed', message: `not sent: ${error}`.slice(0, 1000), finishedAt: now, updatedAt: now, version: cur.version + 1 })
        .where(eq(iotLinkageExecutions.id, e.id))
        .returning();
      await recordExecution(tx, ctx, 'failed', cur, after!);
    });
    return;
  }
  await db.tx(async (tx) => {
    const [cur] = await tx.select().from(iotLinkageExecutions).where(eq(iotLinkageExecutions.id, e.id)).for('update');
    if (!cur || cur.sentAt) return;
    // A quick device may already have answered (its reply is handled on another connection): record the send
    // time anyway, but arm the timeout only while the command still waits.
    const [after] = await tx
      .update(iotLinkageExecutions)
      .set({ sentAt: now, updatedAt: now, version: cur.version + 1 })
      .where(eq(iotLinkageExecutions.id, e.id))
      .returning();
    await recordExecution(tx, ctx, 'sent', cur, after!);
    if (after!.state === 'pending') {
      await scheduleJob(tx, { kind: TIMEOUT_KIND, runAt: new Date(now.getTime() + cur.timeoutS * 1000), tenantId, dedupeKey: timeoutKey(e.id), payload: { tenantId, executionId: e.id } });
    }
  });
}

async function timeout({ db, job, now }: JobHandlerInput): Promise<void> {
  const tenantId = str(job.payload.tenantId);
  const executionId = str(job.payload.executionId);
  if (!tenantId || !executionId) return;
  await db.tx(async (tx) => {
    const [e] = await tx
      .select()
      .from(iotLinkageExecutions)
      .where(and(eq(iotLinkageExecutions.id, executionId), eq(iotLinkageExecutions.tenantId, tenantId)))
      .for('update');
    // Re-checked under the lock: a reply that arrived first wins, and a second run finds it no longer pending.
    if (!e || e.state !== 'pending') return;
    const [after] = await tx
      .update(iotLinkageExecutions)
      .set({ state: 'timed_out', message: `no confirmation within ${e.timeoutS} s`, finishedAt: now, updatedAt: now, version: e.version + 1 })
      .where(eq(iotLinkageExecutions.id, e.id))
      .returning();
    await recordExecution(tx, systemCtx(db, tenantId, () => now), 'timed_out', e, after!);
  });
}

registerJobHandler(SEND_KIND, send);
registerJobHandler(TIMEOUT_KIND, timeout);

/**
 * Live console: every linkage change goes as an `iot.linkage` SSE frame to the active users who handle
 * alarms (a role with iot:alarm, iot:* or *) around the alarm's area — the same people the alarm is for.
 */
registerSubscriber('iot.linkage.stream', 'iot.linkage.*', async (tx, event) => {
  if (!event.tenantId) return;
  const orgUnitId = str(event.payload.orgUnitId);
  const users = await queryRows<{ id: string }>(tx, sql`
    SELECT DISTINCT u.id FROM users u
    JOIN user_roles ur ON ur.user_id = u.id
    JOIN roles r ON r.id = ur.role_id AND r.tenant_id = ${event.tenantId}
    LEFT JOIN org_units uu ON uu.id = u.org_unit_id
    WHERE u.tenant_id = ${event.tenantId} AND u.status = 'active'
      AND ('iot:alarm' = ANY(r.permissions) OR 'iot:*' = ANY(r.permissions) OR '*' = ANY(r.permissions))
      AND (${orgUnitId}::uuid IS NULL OR uu.path IS NULL OR r.data_scope = 'company'
           OR EXISTS (SELECT 1 FROM org_units a WHERE a.id = ${orgUnitId}::uuid AND (a.path LIKE uu.path || '%' OR uu.path LIKE a.path || '%')))`);
  const frame = { event: 'iot.linkage', id: event.id, data: { type: event.type, ...event.payload } };
  for (const u of users) await sendToUser(tx, u.id, frame);
});
