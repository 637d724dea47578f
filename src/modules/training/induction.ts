import { and, eq } from 'drizzle-orm';
import { recordChange } from '../../platform/audit/record.ts';
import { systemActor, type Ctx } from '../../platform/auth/actor.ts';
import { assertInScope, requirePermission } from '../../platform/auth/scope.ts';
import type { Tx } from '../../platform/db/client.ts';
import { newId } from '../../platform/db/columns.ts';
import { registerSubscriber } from '../../platform/events/dispatcher.ts';
import { AppError, invalid, notFound } from '../../platform/http/errors.ts';
import { addDays, dayIn, tenantZone } from '../../platform/org/calendar.ts';
import { ensureTrainingDefaults } from './defaults.ts';
import { loadPersonRow, type PersonRow } from '../../platform/org/directory.ts';
import { trainingPermissions as P } from './permissions.ts';
import { recordIn, type WriteCtx } from './record.ts';
import { armInductionEscalation } from './inductionEscalation.ts';
import { refreshQualificationStates } from './qualification.ts';
import { inductionLevels, inductions, type InductionLevel } from './schema.ts';

/**
 * 三级安全教育 (3号令 Art. 13): company, workshop and team level, one record each per person. A pending
 * level makes the qualification check answer `induction_incomplete`. Records are created when a person is
 * created (event person.created, also for an Excel import), or by hand for people hired before.
 * Courses, hours per level and overdue escalation come with the training courses (later).
 */

export type InductionRow = typeof inductions.$inferSelect;

export interface InductionView {
  id: string;
  personId: string;
  level: InductionLevel;
  status: 'pending' | 'completed';
  dueOn: string | null;
  completedAt: string | null;
  hours: number | null;
  trainer: string | null;
  version: number;
}

const toView = (r: InductionRow): InductionView => ({
  id: r.id,
  personId: r.personId,
  level: r.level,
  status: r.status,
  dueOn: r.dueOn,
  completedAt: r.completedAt?.toISOString() ?? null,
  hours: r.hours,
  trainer: r.trainer,
  version: r.version,
});

async function rowsOf(tx: Tx, tenantId: string, personId: string): Promise<InductionView[]> {
  const rows = await tx
    .select()
    .from(inductions)
    .where(and(eq(inductions.tenantId, tenantId), eq(inductions.personId, personId)));
  return rows.sort((a, b) => inductionLevels.indexOf(a.level) - inductionLevels.indexOf(b.level)).map(toView);
}

/**
 * Inserts the pending levels a person does not have yet, due `inductionDueDays` after `fromDay`. Returns
 * the levels created (none when they exist: a replayed event creates nothing twice).
 */
export async function createInductionRecords(tx: Tx, ctx: WriteCtx, person: PersonRow, fromDay: string): Promise<InductionLevel[]> {
  const settings = await ensureTrainingDefaults(tx, person.tenantId);
  const dueOn = addDays(fromDay, settings.inductionDueDays);
  const now = ctx.now();
  const created = await tx
    .insert(inductions)
    .values(inductionLevels.map((level) => ({ id: newId(), tenantId: person.tenantId, orgUnitId: person.orgUnitId, personId: person.id, level, status: 'pending' as const, dueOn, createdAt: now, createdBy: ctx.actor.userId, updatedAt: now })))
    .onConflictDoNothing()
    .returning({ level: inductions.level });
  if (created.length === 0) return [];
  const levels = created.map((c) => c.level);
  // Overdue inductions escalate to the department head (issue 7).
  await armInductionEscalation(tx, person.tenantId, person.id, dueOn);
  await recordIn(
    tx,
    ctx,
    { action: 'induction.created', entityType: 'person', entityId: person.id, after: { levels, dueOn } },
    { type: 'induction.created', entityType: 'person', entityId: person.id, payload: { personId: person.id, levels, dueOn } },
  );
  await refreshQualificationStates(tx, ctx, person.id);
  return levels;
}

async function personInScope(tx: Tx, ctx: Ctx, personId: string): Promise<PersonRow> {
  const person = await loadPersonRow(tx, ctx.actor.tenantId, personId);
  if (!person) throw notFound('person');
  await assertInScope(tx, ctx.actor, person, [person.id]);
  return person;
}

export async function listInductions(ctx: Ctx, personId: string): Promise<{ items: InductionView[] }> {
  const own = ctx.actor.personId === personId;
  if (!own) requirePermission(ctx.actor, P.read);
  return ctx.db.read(async (tx) => {
    if (!own) await personInScope(tx, ctx, personId);
    else if (!(await loadPersonRow(tx, ctx.actor.tenantId, personId))) throw notFound('person');
    return { items: await rowsOf(tx, ctx.actor.tenantId, personId) };
  });
}

/** Opens the three levels for a person by hand (someone hired before the system, a re-hire). */
export async function startInduction(ctx: Ctx, personId: string): Promise<{ items: InductionView[] }> {
  requirePermission(ctx.actor, P.write);
  return ctx.db.tx(async (tx) => {
    const person = await personInScope(tx, ctx, personId);
    const { timeZone } = await tenantZone(tx, person.tenantId);
    await createInductionRecords(tx, ctx, person, dayIn(ctx.now(), timeZone));
    return { items: await rowsOf(tx, person.tenantId, person.id) };
  });
}

export async function completeInduction(ctx: Ctx, personId: string, level: InductionLevel, input: { hours?: number; trainer?: string }, version: number): Promise<InductionView> {
  requirePermission(ctx.actor, P.write);
  return ctx.db.tx(async (tx) => {
    const person = await personInScope(tx, ctx, personId);
    const [before] = await tx
      .select()
      .from(inductions)
      .where(and(eq(inductions.tenantId, person.tenantId), eq(inductions.personId, person.id), eq(inductions.level, level)))
      .for('update');
    if (!before) throw notFound('induction');
    if (before.version !== version) throw new AppError('version_conflict', `the induction is at version ${before.version}; reload and try again`, { extra: { currentVersion: before.version } });
    if (before.status === 'completed') throw new AppError('conflict', `the ${level} induction is already completed`);
    // 3号令 Art. 13: the pre-job training has its minimum hours; the per-level split is tenant data.
    const settings = await ensureTrainingDefaults(tx, person.tenantId);
    const min = settings.inductionMinHours[level] ?? 0;
    if ((input.hours ?? 0) < min) throw invalid('hours', 'minimum', `hours: the ${level} induction needs at least ${min} hours`);
    const now = ctx.now();
    const [after] = await tx
      .update(inductions)
      .set({ status: 'completed', completedAt: now, completedBy: ctx.actor.userId, hours: input.hours ?? null, trainer: input.trainer?.trim() || null, version: before.version + 1, updatedAt: now, updatedBy: ctx.actor.userId })
      .where(and(eq(inductions.id, before.id), eq(inductions.version, before.version)))
      .returning();
    if (!after) throw new AppError('version_conflict', 'the induction changed meanwhile; reload and try again');
    await recordChange(
      tx,
      ctx,
      { action: 'induction.completed', entityType: 'person', entityId: person.id, before: { level, status: before.status }, after: { level, status: after.status, hours: after.hours, trainer: after.trainer } },
      { type: 'induction.completed', entityType: 'person', entityId: person.id, payload: { personId: person.id, level } },
    );
    await refreshQualificationStates(tx, ctx, person.id);
    return toView(after);
  });
}

/**
 * Issue 7: a new employee or contractor worker gets the three induction levels at once, due from the
 * hire date (or today). Runs in the dispatcher's transaction; the unique (person, level) index makes a
 * redelivered event a no-op.
 */
registerSubscriber('training.induction_on_hire', 'person.created', async (tx, event, meta) => {
    if (!event.entityId || !event.tenantId) return;
    const settings = await ensureTrainingDefaults(tx, event.tenantId);
    if (!settings.inductionOnHire) return;
    const person = await loadPersonRow(tx, event.tenantId, event.entityId);
    if (!person || person.status !== 'active') return;
    const ctx: WriteCtx = { actor: systemActor(event.tenantId), now: () => meta.now, ip: null };
    const { timeZone } = await tenantZone(tx, event.tenantId);
    const today = dayIn(meta.now, timeZone);
    // A hire date in the future starts the clock then; one in the past (data entered late) starts it today.
    await createInductionRecords(tx, ctx, person, person.hireDate && person.hireDate > today ? person.hireDate : today);
});
