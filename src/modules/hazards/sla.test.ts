import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { and, asc, eq, like, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config.ts';
import { auditLog } from '../../platform/audit/schema.ts';
import { openPglite } from '../../platform/db/client.ts';
import { outboxEvents } from '../../platform/events/schema.ts';
import { runDueJobs, type JobLogger } from '../../platform/jobs/runner.ts';
import { jobs } from '../../platform/jobs/schema.ts';
import { rescheduleJob } from '../../platform/jobs/service.ts';
import { notifications } from '../../platform/notify/schema.ts';
import { createServer } from '../../server.ts';
import { createTestApp, type TestApp } from '../../test/app.ts';
import { hazardEvents, hazards } from './schema.ts';
import { HOUR, makeFile, MIN, seedHazardCompany, type Client, type Seed } from './testSupport.ts';

let t: TestApp;
let s: Seed;
let photo: string;

const errors: string[] = [];
const log: JobLogger = { info: () => undefined, warn: (o, m) => errors.push(`${m} ${JSON.stringify(o)}`), error: (o, m) => errors.push(`${m} ${JSON.stringify(o)}`) };

beforeAll(async () => {
  t = await createTestApp({ RATE_LIMIT_PER_MINUTE: '100000' });
  s = await seedHazardCompany(t);
  photo = await makeFile(t, s.tenant.id);
});
afterAll(() => t.close());

/** Moves the shared clock to `start + ms` and lets the job runner (a given instance) do what is due. */
async function runAt(start: Date, ms: number, instanceId = 'runner-a') {
  t.clock.now = new Date(start.getTime() + ms);
  let total = 0;
  for (;;) {
    const r = await runDueJobs(t.db, { now: () => t.clock.now, instanceId, log });
    expect(r.outcomes.failed + r.outcomes.retry, errors.join('\n')).toBe(0);
    total += r.claimed;
    if (r.claimed === 0) return total;
  }
}

const notes = (userId: string, hazardId: string, type: string) =>
  t.db.read(async (tx) => (await tx.select().from(notifications).where(and(eq(notifications.userId, userId), eq(notifications.type, type), sql`${notifications.data}->>'hazardId' = ${hazardId}`))).length);
const row = async (id: string) => (await t.db.read((tx) => tx.select().from(hazards).where(eq(hazards.id, id))))[0]!;
const timeline = async (id: string) => (await t.db.read((tx) => tx.select().from(hazardEvents).where(eq(hazardEvents.hazardId, id)).orderBy(asc(hazardEvents.at), asc(hazardEvents.id)))).map((e) => e.action);

const report = (c: Client, over: Record<string, unknown> = {}) =>
  c.post('/api/v1/hazards', { title: 'Forklift horn broken', category: 'equipment', level: 'general', orgUnitId: s.team.id, photoIds: [photo], ...over });

describe('SLA timers with the controlled clock', () => {
  it('reminds, flags overdue and escalates to level 1 then 2, each exactly once, and stops when the hazard closes', async () => {
    const T = new Date(t.clock.now.getTime());
    const h = (await report(s.as.worker)).body;
    expect(h.assigneeUserId).toBe(s.leader.user.id);

    // general: respond 2 h (reminder at 75 % = 90 min), escalation level 2 four hours after the breach.
    await runAt(T, 89 * MIN);
    expect(await notes(s.leader.user.id, h.id, 'hazard.sla_reminder')).toBe(0);
    await runAt(T, 90 * MIN);
    expect(await notes(s.leader.user.id, h.id, 'hazard.sla_reminder')).toBe(1);
    await runAt(T, 91 * MIN, 'runner-b');
    expect(await notes(s.leader.user.id, h.id, 'hazard.sla_reminder')).toBe(1);
    expect(await row(h.id)).toMatchObject({ respondOverdue: false, escalationLevel: 0 });

    await runAt(T, 2 * HOUR);
    expect(await row(h.id)).toMatchObject({ status: 'assigned', respondOverdue: true, rectifyOverdue: false, escalationLevel: 1 });
    // Level 1: the head of the assignee's unit (Team A's leader is the assignee → the Assembly head), and the assignee.
    expect(await notes(s.head.user.id, h.id, 'hazard.overdue')).toBe(1);
    expect(await notes(s.leader.user.id, h.id, 'hazard.overdue')).toBe(1);
    expect(await notes(s.safety.user.id, h.id, 'hazard.overdue')).toBe(0);
    const overdueAudit = await t.db.read((tx) => tx.select().from(auditLog).where(and(eq(auditLog.entityId, h.id), eq(auditLog.action, 'hazard.overdue'))));
    expect(overdueAudit).toHaveLength(1);
    expect(overdueAudit[0]).toMatchObject({ actorUserId: null, actorName: 'system', after: { respondOverdue: true, escalationLevel: 1 } });
    expect(await t.db.read((tx) => tx.select().from(outboxEvents).where(and(eq(outboxEvents.entityId, h.id), eq(outboxEvents.type, 'hazard.overdue'))))).toHaveLength(1);
    const ledger = await s.as.safety.get<{ items: { id: string; respondOverdue: boolean; escalationLevel: number }[] }>('/api/v1/hazards?overdue=true&limit=200');
    expect(ledger.body.items.find((i) => i.id === h.id)).toMatchObject({ respondOverdue: true, escalationLevel: 1 });

    await runAt(T, 2 * HOUR + 30 * MIN, 'runner-b');
    expect(await notes(s.head.user.id, h.id, 'hazard.overdue')).toBe(1);
    await runAt(T, 6 * HOUR - MIN);
    expect((await row(h.id)).escalationLevel).toBe(1);
    await runAt(T, 6 * HOUR);
    expect((await row(h.id)).escalationLevel).toBe(2);
    // Level 2: the safety directors.
    expect(await notes(s.safety.user.id, h.id, 'hazard.escalated')).toBe(1);
    await runAt(T, 7 * HOUR, 'runner-b');
    expect(await notes(s.safety.user.id, h.id, 'hazard.escalated')).toBe(1);
    expect(await timeline(h.id)).toEqual(['reported', 'assigned', 'sla_reminder', 'overdue', 'escalated']);

    // The assignee finally reacts: the respond timers are done, the rectification ones keep running.
    const leader = s.as.leader;
    const current = await row(h.id);
    const accepted = await leader.post(`/api/v1/hazards/${h.id}/accept`, { version: current.version });
    expect(accepted.statusCode).toBe(200);
    const submitted = await leader.post(`/api/v1/hazards/${h.id}/submit`, { version: accepted.body.version, afterPhotoIds: [photo] });
    const head = s.as.head;
    const closed = await head.post(`/api/v1/hazards/${h.id}/pass`, { version: submitted.body.version });
    expect(closed.body.status).toBe('closed');
    const pending = await t.db.read((tx) => tx.select().from(jobs).where(and(like(jobs.dedupeKey, `hazard:${h.id}:%`), eq(jobs.status, 'pending'))));
    expect(pending).toEqual([]);
    const rectifyJobs = await t.db.read((tx) => tx.select({ key: jobs.dedupeKey, status: jobs.status }).from(jobs).where(like(jobs.dedupeKey, `hazard:${h.id}:rectify:%`)).orderBy(asc(jobs.dedupeKey)));
    expect(rectifyJobs.map((j) => j.status)).toEqual(['cancelled', 'cancelled', 'cancelled']);
    // A day later nothing fires for the closed hazard.
    await runAt(T, 30 * HOUR);
    expect(await notes(s.leader.user.id, h.id, 'hazard.sla_reminder')).toBe(1);
    expect(await notes(s.head.user.id, h.id, 'hazard.overdue')).toBe(1);
    expect((await row(h.id)).rectifyOverdue).toBe(false);
  });

  it('escalates level 1 to the department head of the assignee’s unit, skipping the team leader', async () => {
    const rule = await s.as.safety.post('/api/v1/hazards/assignment-rules', { name: 'Instruments → colleague', priority: 1, category: 'instrument', responsibleUserId: s.colleague.user.id });
    expect(rule.statusCode).toBe(201);
    const T = new Date(t.clock.now.getTime());
    const h = (await report(s.as.worker, { title: 'Gauge glass cracked', category: 'instrument' })).body;
    expect(h).toMatchObject({ assigneeUserId: s.colleague.user.id, assigneeUnitId: s.team.id });
    await runAt(T, 2 * HOUR);
    expect(await notes(s.head.user.id, h.id, 'hazard.overdue')).toBe(1);
    expect(await notes(s.colleague.user.id, h.id, 'hazard.overdue')).toBe(1);
    expect(await notes(s.leader.user.id, h.id, 'hazard.overdue')).toBe(0);
  });

  it('does not repeat a step when the runner delivers a timer twice (timeline fence)', async () => {
    const worker = s.as.worker;
    const T = new Date(t.clock.now.getTime());
    const h = (await report(worker, { title: 'Twice delivered' })).body;
    await runAt(T, 2 * HOUR);
    expect(await notes(s.head.user.id, h.id, 'hazard.overdue')).toBe(1);
    // As if the process died after the handler committed but before the job was marked done.
    const key = `hazard:${h.id}:respond:breach`;
    const [job] = await t.db.read((tx) => tx.select().from(jobs).where(eq(jobs.dedupeKey, key)));
    await t.db.tx((tx) => rescheduleJob(tx, key, job!.runAt));
    await runAt(T, 2 * HOUR + MIN, 'runner-b');
    expect((await t.db.read((tx) => tx.select().from(jobs).where(eq(jobs.dedupeKey, key))))[0]!.status).toBe('done');
    expect(await notes(s.head.user.id, h.id, 'hazard.overdue')).toBe(1);
    expect((await timeline(h.id)).filter((a) => a === 'overdue')).toHaveLength(1);
  });

  it('flags a late rectification, and an approved extension clears the flag and re-arms the deadline', async () => {
    const worker = s.as.worker;
    const T = new Date(t.clock.now.getTime());
    const h = (await report(worker, { title: 'Extension after breach' })).body;
    const leader = s.as.leader;
    const accepted = (await leader.post(`/api/v1/hazards/${h.id}/accept`, { version: h.version })).body;
    // Rectification: 24 h; reminder at 18 h, breach at 24 h, level 2 at 28 h.
    await runAt(T, 18 * HOUR);
    expect(await notes(s.leader.user.id, h.id, 'hazard.sla_reminder')).toBe(1);
    await runAt(T, 24 * HOUR);
    expect(await row(h.id)).toMatchObject({ status: 'rectifying', rectifyOverdue: true, respondOverdue: false, escalationLevel: 1 });
    expect(await notes(s.head.user.id, h.id, 'hazard.overdue')).toBe(1);

    const leader2 = s.as.leader;
    const newDue = new Date(t.clock.now.getTime() + 10 * HOUR);
    const asked = await leader2.post(`/api/v1/hazards/${h.id}/extensions`, { version: (await row(h.id)).version, newDueAt: newDue.toISOString(), reason: 'Spare part on order' });
    expect(asked.statusCode).toBe(200);
    const head = s.as.head;
    const approved = await head.post(`/api/v1/hazards/${h.id}/extensions/${asked.body.extensions[0]!.id}/decision`, { version: asked.body.version, approve: true });
    expect(approved.body).toMatchObject({ rectifyOverdue: false, rectifyDueAt: newDue.toISOString(), escalationLevel: 1 });
    const breach = (await t.db.read((tx) => tx.select().from(jobs).where(eq(jobs.dedupeKey, `hazard:${h.id}:rectify:breach`))))[0]!;
    expect(breach).toMatchObject({ status: 'pending', runAt: newDue });
    // Before the new deadline: quiet (the level-2 step of the old deadline no longer applies).
    await runAt(newDue, -MIN);
    expect(await notes(s.safety.user.id, h.id, 'hazard.escalated')).toBe(0);
    expect((await row(h.id)).rectifyOverdue).toBe(false);
    // At the new deadline it is late again: a new breach, notified once.
    await runAt(newDue, 0);
    expect((await row(h.id)).rectifyOverdue).toBe(true);
    expect(await notes(s.head.user.id, h.id, 'hazard.overdue')).toBe(2);
    await runAt(newDue, MIN, 'runner-b');
    expect(await notes(s.head.user.id, h.id, 'hazard.overdue')).toBe(2);
    expect(accepted.status).toBe('rectifying');
  });

  it('escalates a hazard nobody owns to the safety director, and reminds the verifier of a fix waiting for verification', async () => {
    const worker = s.as.worker;
    const T = new Date(t.clock.now.getTime());
    // The plant has no manager and no rule matches: nobody to assign to.
    const orphan = (await report(worker, { title: 'Unowned', orgUnitId: s.plant.id, category: 'other' })).body;
    expect(orphan).toMatchObject({ status: 'reported', assigneeUserId: null });
    expect(await notes(s.officer.user.id, orphan.id, 'hazard.needs_triage')).toBe(1);
    await runAt(T, 2 * HOUR);
    expect(await row(orphan.id)).toMatchObject({ respondOverdue: true, escalationLevel: 1 });
    expect(await notes(s.safety.user.id, orphan.id, 'hazard.overdue')).toBe(1);

    const fixed = (await report(s.as.worker, { title: 'Fixed at once', category: 'layout', fixOnSpot: true, afterPhotoIds: [photo] })).body;
    expect(fixed.verifierUserId).toBe(s.leader.user.id);
    const T2 = new Date(t.clock.now.getTime());
    await runAt(T2, 24 * HOUR - MIN);
    expect(await notes(s.leader.user.id, fixed.id, 'hazard.sla_reminder')).toBe(0);
    await runAt(T2, 24 * HOUR);
    expect(await notes(s.leader.user.id, fixed.id, 'hazard.sla_reminder')).toBe(1);
    // A verification reminder flags nothing.
    expect(await row(fixed.id)).toMatchObject({ respondOverdue: false, rectifyOverdue: false, escalationLevel: 0 });
  });
});

describe('SLA timers across a restart', () => {
  it('keeps a hazard’s deadlines in a PGlite folder: after closing and reopening it, the new process reminds and flags overdue once, at the right times', { timeout: 180_000 }, async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'safeloop-sla-restart-'));
    const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', DEMO: 'false', DATA_DIR: dir, RATE_LIMIT_PER_MINUTE: '100000' });
    const clock = { now: new Date('2031-03-02T01:00:00Z'), advance(ms: number) { this.now = new Date(this.now.getTime() + ms); } };
    const start = async (): Promise<TestApp> => {
      const db = await openPglite(path.join(dir, 'db'));
      const app = await createServer({ config, db, now: () => clock.now });
      await app.ready();
      const close = async () => {
        await app.close();
        await db.close();
      };
      return { app, db, config, clock, close, login: () => Promise.reject(new Error('not used')) } as unknown as TestApp;
    };
    try {
      // First process: report (assigned to Team A's leader, respond in 2 h, reminder at 90 min), then stop.
      const first = await start();
      const seed = await seedHazardCompany(first);
      const file = await makeFile(first, seed.tenant.id);
      const T = new Date(clock.now.getTime());
      const h = (await seed.as.worker.post('/api/v1/hazards', { title: 'Guard rail loose', category: 'safety', level: 'general', orgUnitId: seed.team.id, photoIds: [file] })).body;
      expect(h.assigneeUserId).toBe(seed.leader.user.id);
      await first.close();

      // Second process on the same folder: nothing is due yet, then the reminder, then the breach — once each.
      const second = await start();
      try {
        const run = async (ms: number) => {
          clock.now = new Date(T.getTime() + ms);
          for (;;) {
            const r = await runDueJobs(second.db, { now: () => clock.now, instanceId: 'after-restart', log });
            expect(r.outcomes.failed + r.outcomes.retry, errors.join('\n')).toBe(0);
            if (r.claimed === 0) return;
          }
        };
        const count = (type: string) =>
          second.db.read(async (tx) => (await tx.select().from(notifications).where(and(eq(notifications.userId, seed.leader.user.id), eq(notifications.type, type), sql`${notifications.data}->>'hazardId' = ${h.id}`))).length);
        await run(60 * MIN);
        expect(await count('hazard.sla_reminder')).toBe(0);
        await run(90 * MIN);
        await run(100 * MIN);
        expect(await count('hazard.sla_reminder')).toBe(1);
        await run(2 * HOUR);
        await run(2 * HOUR + 5 * MIN);
        expect(await count('hazard.overdue')).toBe(1);
        const [after] = await second.db.read((tx) => tx.select().from(hazards).where(eq(hazards.id, h.id)));
        expect(after).toMatchObject({ respondOverdue: true, escalationLevel: 1 });
        const steps = (await second.db.read((tx) => tx.select().from(hazardEvents).where(eq(hazardEvents.hazardId, h.id)))).map((e) => e.action);
        expect(steps.filter((a) => a === 'sla_reminder')).toHaveLength(1);
        expect(steps.filter((a) => a === 'overdue')).toHaveLength(1);
      } finally {
        await second.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
