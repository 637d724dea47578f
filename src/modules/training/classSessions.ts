import { and, asc, desc, eq } from 'drizzle-orm';
import { recordChange } from '../../platform/audit/record.ts';
import type { Ctx } from '../../platform/auth/actor.ts';
import { requirePermission, scopeWhere } from '../../platform/auth/scope.ts';
import { newSecret, sha256 } from '../../platform/auth/service.ts';
import { newId } from '../../platform/db/columns.ts';
import { AppError, invalid, notFound } from '../../platform/http/errors.ts';
import { activePerson, loadPersonRow, namesOf } from '../../platform/org/directory.ts';
import { trainingPermissions as P } from './permissions.ts';
import { attendances, classSessions, courses, trainingPlanItems } from './schema.ts';

/**
 * Offline classroom sessions (线下培训) with QR sign-in. The QR code holds an unguessable token (32 random
 * bytes) after `#`, so it stays out of server logs; the database keeps only its SHA-256. A person signs in
 * with it from 30 minutes before the start until the end; the organiser can also record attendance by hand.
 */

export type SessionRow = typeof classSessions.$inferSelect;
/** Early arrivals may sign in this long before the start. */
export const SIGN_IN_EARLY_MS = 30 * 60_000;

export interface SessionInput {
  courseId?: string | null;
  /** The training-plan item this session delivers. */
  planItemId?: string | null;
  title: string;
  trainer: string;
  location: string;
  startsAt: string;
  endsAt: string;
  hours: number;
}

export interface SessionView {
  id: string;
  courseId: string | null;
  planItemId: string | null;
  title: string;
  trainer: string;
  location: string;
  startsAt: string;
  endsAt: string;
  hours: number;
  attendees: number;
}

const view = (s: SessionRow, attendees: number): SessionView => ({ id: s.id, courseId: s.courseId, planItemId: s.planItemId, title: s.title, trainer: s.trainer, location: s.location, startsAt: s.startsAt.toISOString(), endsAt: s.endsAt.toISOString(), hours: s.hours, attendees });

/** Creates a session; the reply carries the sign-in token once (print it as a QR code of `signInPath`). */
export async function createSession(ctx: Ctx, input: SessionInput): Promise<SessionView & { token: string; signInPath: string }> {
  requirePermission(ctx.actor, P.write);
  const startsAt = new Date(input.startsAt);
  const endsAt = new Date(input.endsAt);
  if (endsAt.getTime() <= startsAt.getTime()) throw invalid('endsAt', 'after', 'endsAt: must be after startsAt');
  for (const f of ['title', 'trainer', 'location'] as const) if (!input[f].trim()) throw invalid(f, 'minLength', `${f}: must not be empty`);
  const token = newSecret('ts_');
  return ctx.db.tx(async (tx) => {
    if (input.planItemId) {
      const [item] = await tx
        .select({ id: trainingPlanItems.id })
        .from(trainingPlanItems)
        .where(and(eq(trainingPlanItems.tenantId, ctx.actor.tenantId), eq(trainingPlanItems.id, input.planItemId)));
      if (!item) throw invalid('planItemId', 'exists', `planItemId: no plan item ${input.planItemId}`);
    }
    if (input.courseId) {
      const [course] = await tx
        .select({ id: courses.id })
        .from(courses)
        .where(and(eq(courses.tenantId, ctx.actor.tenantId), eq(courses.id, input.courseId)));
      if (!course) throw invalid('courseId', 'exists', `courseId: no course ${input.courseId}`);
    }
    const now = ctx.now();
    const [row] = await tx
      .insert(classSessions)
      .values({ id: newId(), tenantId: ctx.actor.tenantId, orgUnitId: ctx.actor.orgUnitId, courseId: input.courseId ?? null, planItemId: input.planItemId ?? null, title: input.title.trim(), trainer: input.trainer.trim(), location: input.location.trim(), startsAt, endsAt, hours: input.hours, tokenHash: sha256(token), createdAt: now, createdBy: ctx.actor.userId, updatedAt: now, updatedBy: ctx.actor.userId })
      .returning();
    const s = row!;
    await recordChange(
      tx,
      ctx,
      { action: 'class_session.created', entityType: 'class_session', entityId: s.id, after: { title: s.title, trainer: s.trainer, startsAt: input.startsAt, endsAt: input.endsAt, hours: s.hours } },
      { type: 'class_session.created', entityType: 'class_session', entityId: s.id, payload: { title: s.title } },
    );
    return { ...view(s, 0), token, signInPath: `/training/sign-in#${token}` };
  });
}

export async function listSessions(ctx: Ctx): Promise<{ items: SessionView[] }> {
  requirePermission(ctx.actor, P.read);
  return ctx.db.read(async (tx) => {
    const rows = await tx.select().from(classSessions).where(eq(classSessions.tenantId, ctx.actor.tenantId)).orderBy(desc(classSessions.startsAt)).limit(500);
    const counts = await tx.select({ sessionId: attendances.sessionId }).from(attendances).where(eq(attendances.tenantId, ctx.actor.tenantId));
    return { items: rows.map((s) => view(s, counts.filter((c) => c.sessionId === s.id).length)) };
  });
}

async function attend(ctx: Ctx, s: SessionRow, personId: string, via: 'qr' | 'manual'): Promise<{ personId: string; signedAt: string; via: 'qr' | 'manual'; already: boolean }> {
  return ctx.db.tx(async (tx) => {
    const person = via === 'manual' ? await activePerson(tx, s.tenantId, personId, 'personId') : await loadPersonRow(tx, s.tenantId, personId);
    if (!person) throw notFound('person');
    const now = ctx.now();
    const [row] = await tx
      .insert(attendances)
      .values({ id: newId(), tenantId: s.tenantId, orgUnitId: person.orgUnitId, sessionId: s.id, personId, signedAt: now, via, recordedBy: ctx.actor.userId })
      .onConflictDoNothing()
      .returning();
    // Scanning twice is fine: the first sign-in stands.
    if (!row) {
      const [first] = await tx
        .select()
        .from(attendances)
        .where(and(eq(attendances.tenantId, s.tenantId), eq(attendances.sessionId, s.id), eq(attendances.personId, personId)));
      return { personId, signedAt: first!.signedAt.toISOString(), via: first!.via, already: true };
    }
    await recordChange(
      tx,
      ctx,
      { action: 'class_session.attended', entityType: 'class_session', entityId: s.id, after: { personId, via } },
      { type: 'class_session.attended', entityType: 'class_session', entityId: s.id, payload: { personId, via } },
    );
    return { personId, signedAt: now.toISOString(), via, already: false };
  });
}

/** QR sign-in by the signed-in person with the session's token, only around the session's time. */
export async function signInToSession(ctx: Ctx, token: string) {
  const personId = ctx.actor.personId;
  if (!personId) throw new AppError('forbidden', 'only a person can sign in to a session');
  const [s] = await ctx.db.read((tx) =>
    tx
      .select()
      .from(classSessions)
      .where(and(eq(classSessions.tenantId, ctx.actor.tenantId), eq(classSessions.tokenHash, sha256(token)))),
  );
  if (!s) throw notFound('session');
  const now = ctx.now().getTime();
  if (now < s.startsAt.getTime() - SIGN_IN_EARLY_MS || now > s.endsAt.getTime()) throw new AppError('training_refused', 'sign-in is open from 30 minutes before the start until the end of the session', { extra: { reason: 'sign_in_closed' } });
  return { session: view(s, 0), ...(await attend(ctx, s, personId, 'qr')) };
}

export async function recordAttendance(ctx: Ctx, sessionId: string, personId: string) {
  requirePermission(ctx.actor, P.write);
  const [s] = await ctx.db.read((tx) =>
    tx
      .select()
      .from(classSessions)
      .where(and(eq(classSessions.tenantId, ctx.actor.tenantId), eq(classSessions.id, sessionId))),
  );
  if (!s) throw notFound('session');
  return attend(ctx, s, personId, 'manual');
}

/** The attendance list (签到表) in the asker's data scope. */
export async function listAttendance(ctx: Ctx, sessionId: string) {
  requirePermission(ctx.actor, P.read);
  return ctx.db.read(async (tx) => {
    const [session] = await tx
      .select({ id: classSessions.id })
      .from(classSessions)
      .where(and(eq(classSessions.tenantId, ctx.actor.tenantId), eq(classSessions.id, sessionId)));
    if (!session) throw notFound('session');
    const rows = await tx
      .select()
      .from(attendances)
      .where(and(scopeWhere(ctx.actor, { tenantId: attendances.tenantId, orgUnitId: attendances.orgUnitId, owners: [attendances.personId] }), eq(attendances.sessionId, sessionId)))
      .orderBy(asc(attendances.signedAt));
    const names = await namesOf(
      tx,
      ctx.actor.tenantId,
      rows.map((r) => r.orgUnitId),
      rows.map((r) => r.personId),
    );
    return { items: rows.map((r) => ({ personId: r.personId, personName: names.people.get(r.personId) ?? '', orgUnitName: r.orgUnitId ? (names.units.get(r.orgUnitId) ?? null) : null, signedAt: r.signedAt.toISOString(), via: r.via })) };
  });
}
