import { and, eq } from 'drizzle-orm';
import type { Tx } from '../../platform/db/client.ts';
import { cancelJobsByPrefix, registerJobHandler, rescheduleJob, scheduleJob, type JobHandlerInput } from '../../platform/jobs/service.ts';
import { readPolicy, readSettings, type SlaPolicy } from './dictionaries.ts';
import { departmentOf, formatZoned, managerUpTheTree, tenantInfo, usersWithRoles } from './directory.ts';
import type { HazardState } from './lifecycle.ts';
import { notices } from './messages.ts';
import { hazards } from './schema.ts';
import { addTimeline, notifyHazard, recordHazard, saveHazard, systemCtxAt, type HazardRow } from './store.ts';

/**
 * SLA timers of a hazard, as durable jobs with dedupe keys `hazard:<id>:<phase>:<step>`:
 *   respond  (report/assignment → accepted): remind at reminderPercent of the window, breach at the
 *            deadline (overdue flag, escalation level 1 = department head of the assignee's unit),
 *            escalate after escalationDelayMinutes (level 2 = safety directors).
 *   rectify  (report → fix submitted): the same three steps against the rectification deadline.
 *   verify   (fix submitted → verified): one reminder to the verifier after verifyMinutes.
 * Each state change cancels the phases that no longer apply (cancelJobsByPrefix) and arms the ones that
 * start. A handler acts only when the hazard is still in that phase with the same deadline the job was
 * armed for, and writes its timeline row under a unique key first: each step happens once, also when the
 * runner delivers a job twice.
 */

export const SLA_JOB_KINDS = { remind: 'hazard.sla.remind', breach: 'hazard.sla.breach', escalate: 'hazard.sla.escalate' } as const;
export type SlaStep = keyof typeof SLA_JOB_KINDS;
export type SlaPhase = 'respond' | 'rectify' | 'verify';

export const slaKey = (hazardId: string, phase: SlaPhase, step: SlaStep) => `hazard:${hazardId}:${phase}:${step}`;

const phaseStates: Record<SlaPhase, readonly HazardState[]> = {
  respond: ['reported', 'assigned'],
  rectify: ['reported', 'assigned', 'rectifying', 'rework'],
  verify: ['pending_verification'],
};

/** The time a phase's timers were armed against; a different one means the deadline moved since. */
function anchorOf(h: HazardRow, phase: SlaPhase): Date | null {
  return phase === 'respond' ? h.respondDueAt : phase === 'rectify' ? h.rectifyDueAt : h.submittedAt;
}

interface SlaPayload extends Record<string, unknown> {
  hazardId: string;
  tenantId: string;
  phase: SlaPhase;
  /** ISO time of the phase anchor (deadline; submission time for verify). */
  dueAt: string;
}

/** Arms or moves one timer: a pending one moves, a fired or cancelled one is armed again. */
async function arm(tx: Tx, h: HazardRow, phase: SlaPhase, step: SlaStep, runAt: Date, dueAt: Date): Promise<void> {
  const key = slaKey(h.id, phase, step);
  const payload: SlaPayload = { hazardId: h.id, tenantId: h.tenantId, phase, dueAt: dueAt.toISOString() };
  const moved = await rescheduleJob(tx, key, runAt, { payload });
  if (moved) return;
  await scheduleJob(tx, { kind: SLA_JOB_KINDS[step], runAt, payload, tenantId: h.tenantId, dedupeKey: key });
}

function remindAt(start: Date, due: Date, policy: SlaPolicy): Date | null {
  const span = due.getTime() - start.getTime();
  if (span <= 0) return null;
  return new Date(start.getTime() + Math.floor((span * policy.reminderPercent) / 100));
}

/** Respond and rectify deadlines count from `start` (report time, or the (re)assignment for respond). */
export async function armDeadline(tx: Tx, h: HazardRow, phase: 'respond' | 'rectify', start: Date, policy: SlaPolicy): Promise<void> {
  const due = anchorOf(h, phase);
  if (!due) return;
  const remind = remindAt(start, due, policy);
  if (remind) await arm(tx, h, phase, 'remind', remind, due);
  await arm(tx, h, phase, 'breach', due, due);
  await arm(tx, h, phase, 'escalate', new Date(due.getTime() + policy.escalationDelayMinutes * 60_000), due);
}

export async function armVerify(tx: Tx, h: HazardRow, policy: SlaPolicy): Promise<void> {
  if (!h.submittedAt) return;
  await arm(tx, h, 'verify', 'remind', new Date(h.submittedAt.getTime() + policy.verifyMinutes * 60_000), h.submittedAt);
}

export async function cancelPhase(tx: Tx, hazardId: string, phase: SlaPhase, now: Date): Promise<number> {
  return cancelJobsByPrefix(tx, `hazard:${hazardId}:${phase}:`, now);
}

export async function cancelAllTimers(tx: Tx, hazardId: string, now: Date): Promise<number> {
  return cancelJobsByPrefix(tx, `hazard:${hazardId}:`, now);
}

// ---------------------------------------------------------------------------------------------------------
// Escalation targets
// ---------------------------------------------------------------------------------------------------------

/**
 * Level 1: the department head of the assignee's unit — the manager of the department (nearest
 * workshop/department/plant) the responsible unit belongs to, or of the nearest unit above it with one;
 * the area's department when nobody owns the hazard yet. Never the assignee (a department head who owns
 * the hazard escalates to the level above); nobody found → the level-2 roles.
 */
export async function levelOneTargets(tx: Tx, h: HazardRow): Promise<string[]> {
  const department = await departmentOf(tx, h.tenantId, h.assigneeUnitId ?? h.orgUnitId);
  const head = await managerUpTheTree(tx, h.tenantId, department, { exclude: [h.assigneeUserId] });
  if (head) return [head.userId];
  return levelTwoTargets(tx, h);
}

export async function levelTwoTargets(tx: Tx, h: HazardRow): Promise<string[]> {
  const settings = await readSettings(tx, h.tenantId);
  return usersWithRoles(tx, h.tenantId, settings.escalationRoleCodes);
}

/** Who triages (and verifies when nobody is designated): the triage roles of the settings. */
export async function triageTargets(tx: Tx, tenantId: string): Promise<string[]> {
  const settings = await readSettings(tx, tenantId);
  return usersWithRoles(tx, tenantId, settings.triageRoleCodes);
}

// ---------------------------------------------------------------------------------------------------------
// Handlers
// ---------------------------------------------------------------------------------------------------------

function parsePayload(p: Record<string, unknown>): SlaPayload | null {
  const phase = p.phase;
  if (typeof p.hazardId !== 'string' || typeof p.tenantId !== 'string' || typeof p.dueAt !== 'string') return null;
  if (phase !== 'respond' && phase !== 'rectify' && phase !== 'verify') return null;
  return { hazardId: p.hazardId, tenantId: p.tenantId, phase, dueAt: p.dueAt };
}

async function runSlaStep(step: SlaStep, { db, job, now }: JobHandlerInput): Promise<void> {
  const p = parsePayload(job.payload);
  // A payload we did not write: nothing to act on, and retrying would not help.
  if (!p) return;
  await db.tx(async (tx) => {
    const ctx = systemCtxAt(db, p.tenantId, now);
    const [h] = await tx
      .select()
      .from(hazards)
      .where(and(eq(hazards.id, p.hazardId), eq(hazards.tenantId, p.tenantId)))
      .for('update');
    if (!h || !phaseStates[p.phase].includes(h.status)) return;
    const anchor = anchorOf(h, p.phase);
    if (!anchor || anchor.toISOString() !== p.dueAt) return;
    const policy = await readPolicy(tx, h.tenantId, h.level);
    const { timeZone } = await tenantInfo(tx, h.tenantId);
    const dueShown = formatZoned(p.phase === 'verify' ? new Date(anchor.getTime() + policy.verifyMinutes * 60_000) : anchor, timeZone);
    const level = step === 'escalate' ? 2 : step === 'breach' ? 1 : h.escalationLevel;
    // The fence: one timeline row per timer and deadline, ever.
    const fresh = await addTimeline(tx, ctx, h, {
      action: step === 'remind' ? 'sla_reminder' : step === 'breach' ? 'overdue' : 'escalated',
      data: { phase: p.phase, dueAt: p.dueAt, ...(step === 'remind' ? {} : { escalationLevel: Math.max(h.escalationLevel, level) }) },
      dedupeKey: `${job.dedupeKey ?? job.id}@${p.dueAt}`,
    });
    if (!fresh) return;

    if (step === 'remind') {
      const who = p.phase === 'verify' ? h.verifierUserId : h.assigneeUserId;
      await notifyHazard(tx, ctx, h, who ? [who] : await triageTargets(tx, h.tenantId), notices.reminder(h, p.phase, dueShown));
      return;
    }
    if (p.phase === 'verify') return;
    if (step === 'breach') {
      const after = await saveHazard(tx, ctx, h, {
        ...(p.phase === 'respond' ? { respondOverdue: true } : { rectifyOverdue: true }),
        escalationLevel: Math.max(h.escalationLevel, 1),
      });
      await recordHazard(tx, ctx, 'overdue', h, after, { payload: { phase: p.phase, dueAt: p.dueAt, escalationLevel: after.escalationLevel } });
      await notifyHazard(tx, ctx, after, [...(await levelOneTargets(tx, after)), after.assigneeUserId], notices.overdue(after, p.phase, dueShown));
      return;
    }
    const after = await saveHazard(tx, ctx, h, { escalationLevel: Math.max(h.escalationLevel, 2) });
    await recordHazard(tx, ctx, 'escalated', h, after, { payload: { phase: p.phase, dueAt: p.dueAt, escalationLevel: after.escalationLevel } });
    await notifyHazard(tx, ctx, after, await levelTwoTargets(tx, after), notices.escalated(after, p.phase, dueShown));
  });
}

registerJobHandler(SLA_JOB_KINDS.remind, (input) => runSlaStep('remind', input));
registerJobHandler(SLA_JOB_KINDS.breach, (input) => runSlaStep('breach', input));
registerJobHandler(SLA_JOB_KINDS.escalate, (input) => runSlaStep('escalate', input));
