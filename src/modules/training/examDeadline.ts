import { and, eq } from 'drizzle-orm';
import { systemActor } from '../../platform/auth/actor.ts';
import { registerJobHandler, type JobHandlerInput } from '../../platform/jobs/service.ts';
import { DEADLINE_KIND, finishAttempt } from './attempts.ts';
import { examAttempts, exams } from './schema.ts';

/**
 * The deadline of an attempt (training:attempt:<id>:deadline, armed at start): a taker who never submits
 * is graded on the answers saved in time, so an abandoned attempt neither stays open nor blocks a retake.
 */
async function closeAtDeadline({ db, job, now }: JobHandlerInput): Promise<void> {
  const { tenantId, attemptId } = job.payload;
  if (typeof tenantId !== 'string' || typeof attemptId !== 'string') return;
  await db.tx(async (tx) => {
    const [a] = await tx
      .select()
      .from(examAttempts)
      .where(and(eq(examAttempts.tenantId, tenantId), eq(examAttempts.id, attemptId)))
      .for('update');
    // Submitted meanwhile, or the clock of this run is early: nothing to close.
    if (!a || a.status !== 'active' || now.getTime() < a.deadlineAt.getTime()) return;
    const [exam] = await tx.select().from(exams).where(eq(exams.id, a.examId));
    if (!exam) return;
    await finishAttempt(tx, { actor: systemActor(tenantId), now: () => now, ip: null }, a, exam, 'expired', a.answers);
  });
}

registerJobHandler(DEADLINE_KIND, closeAtDeadline);
