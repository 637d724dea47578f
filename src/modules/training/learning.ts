import { and, eq } from 'drizzle-orm';
import type { Ctx } from '../../platform/auth/actor.ts';
import { newId } from '../../platform/db/columns.ts';
import { AppError, notFound } from '../../platform/http/errors.ts';
import { loadPersonRow } from '../../platform/org/directory.ts';
import { toCourseView, type CourseView } from './courses.ts';
import { refreshQualificationStates } from './qualification.ts';
import { recordIn } from './record.ts';
import { courseProgress, courses } from './schema.ts';

/**
 * Online learning progress from client heartbeats. The client says how many seconds it played since its
 * last heartbeat; the server credits at most the wall time since the last heartbeat it accepted (from any
 * device of the person), and at most MAX_HEARTBEAT_SECONDS at once. So an hour cannot be claimed in a
 * minute, two tabs do not count double, and a phone that slept does not claim the night. The first
 * heartbeat only starts the clock. When the credited time reaches the course's required minutes, the
 * course is complete and its 学时 count in the person's training record.
 */

/** Clients beat every 30 s; one beat may make up for a couple of lost ones, not for an absence. */
export const MAX_HEARTBEAT_SECONDS = 120;

export function creditFor(reportedSeconds: number, lastHeartbeatAt: Date | null, now: Date): number {
  if (!lastHeartbeatAt) return 0;
  const wall = Math.floor((now.getTime() - lastHeartbeatAt.getTime()) / 1000);
  return Math.max(0, Math.min(reportedSeconds, wall, MAX_HEARTBEAT_SECONDS));
}

export async function recordHeartbeat(ctx: Ctx, courseId: string, reportedSeconds: number): Promise<CourseView & { creditedNow: number }> {
  const personId = ctx.actor.personId;
  if (!personId) throw new AppError('forbidden', 'only a person can learn a course');
  return ctx.db.tx(async (tx) => {
    const [course] = await tx
      .select()
      .from(courses)
      .where(and(eq(courses.tenantId, ctx.actor.tenantId), eq(courses.id, courseId), eq(courses.active, true)));
    if (!course) throw notFound('course');
    const now = ctx.now();
    let [p] = await tx
      .select()
      .from(courseProgress)
      .where(and(eq(courseProgress.tenantId, course.tenantId), eq(courseProgress.courseId, course.id), eq(courseProgress.personId, personId)))
      .for('update');
    if (!p) {
      const person = await loadPersonRow(tx, course.tenantId, personId);
      const [created] = await tx
        .insert(courseProgress)
        .values({ id: newId(), tenantId: course.tenantId, orgUnitId: person?.orgUnitId ?? null, courseId: course.id, personId, createdAt: now, createdBy: ctx.actor.userId, updatedAt: now })
        .onConflictDoNothing()
        .returning();
      if (!created) throw new AppError('conflict', 'progress was started at the same moment; send the heartbeat again');
      p = created;
      await recordIn(tx, ctx, { action: 'course.started', entityType: 'course', entityId: course.id, after: { personId } });
    }
    const credited = p.completedAt ? 0 : creditFor(reportedSeconds, p.lastHeartbeatAt, now);
    const secondsCredited = p.secondsCredited + credited;
    const completes = !p.completedAt && secondsCredited >= course.requiredMinutes * 60;
    const [after] = await tx
      .update(courseProgress)
      .set({ secondsCredited, secondsReported: p.secondsReported + reportedSeconds, lastHeartbeatAt: now, ...(completes ? { completedAt: now } : {}), version: p.version + 1, updatedAt: now, updatedBy: ctx.actor.userId })
      .where(eq(courseProgress.id, p.id))
      .returning();
    // Heartbeats themselves are not audited (one every 30 s per learner); the start and the completion are.
    if (completes) {
      await recordIn(
        tx,
        ctx,
        { action: 'course.completed', entityType: 'course', entityId: course.id, after: { personId, secondsCredited, secondsReported: after!.secondsReported, creditHours: course.creditHours } },
        { type: 'course.completed', entityType: 'course', entityId: course.id, payload: { personId, creditHours: course.creditHours } },
      );
      // A required course of the person's position may gate a qualification (the matrix): announce a grant.
      await refreshQualificationStates(tx, ctx, personId);
    }
    return { ...toCourseView(course, after), creditedNow: credited };
  });
}
