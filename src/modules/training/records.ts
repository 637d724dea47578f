import { and, eq, inArray, isNotNull } from 'drizzle-orm';
import type { Ctx } from '../../platform/auth/actor.ts';
import { assertInScope, requirePermission } from '../../platform/auth/scope.ts';
import type { Tx } from '../../platform/db/client.ts';
import { notFound } from '../../platform/http/errors.ts';
import { loadPersonRow, type PersonRow } from '../../platform/org/directory.ts';
import { trainingPermissions as P } from './permissions.ts';
import { attendances, classSessions, courseProgress, courses, examAttempts, exams, inductions } from './schema.ts';

/**
 * A person's training file (一人一档; 安全生产法 Art. 28, 3号令 Art. 24: time, content, hours, trainer,
 * result). Computed from what happened — inductions completed, courses completed online, classroom
 * sessions attended, exams graded — so it cannot disagree with them.
 */

export type RecordKind = 'induction' | 'course' | 'class' | 'exam';

export interface TrainingRecord {
  kind: RecordKind;
  at: string;
  content: string;
  hours: number;
  trainer: string | null;
  result: string | null;
  refId: string;
}

const levelZh: Record<string, string> = { company: '厂级安全教育', workshop: '车间级安全教育', team: '班组级安全教育' };

/** Records of several people at once (the Excel export and statistics read everybody's). */
export async function recordsOf(tx: Tx, tenantId: string, personIds: string[]): Promise<Map<string, TrainingRecord[]>> {
  const out = new Map<string, TrainingRecord[]>(personIds.map((id) => [id, []]));
  if (personIds.length === 0) return out;
  const push = (personId: string, r: TrainingRecord) => out.get(personId)?.push(r);
  for (const chunk of chunks(personIds, 500)) {
    const ind = await tx
      .select()
      .from(inductions)
      .where(and(eq(inductions.tenantId, tenantId), inArray(inductions.personId, chunk), eq(inductions.status, 'completed')));
    for (const i of ind) push(i.personId, { kind: 'induction', at: (i.completedAt ?? i.updatedAt).toISOString(), content: `三级安全教育：${levelZh[i.level] ?? i.level}`, hours: i.hours ?? 0, trainer: i.trainer, result: '合格', refId: i.id });
    const done = await tx
      .select({ p: courseProgress, title: courses.title, hours: courses.creditHours })
      .from(courseProgress)
      .innerJoin(courses, eq(courses.id, courseProgress.courseId))
      .where(and(eq(courseProgress.tenantId, tenantId), inArray(courseProgress.personId, chunk), isNotNull(courseProgress.completedAt)));
    for (const d of done) push(d.p.personId, { kind: 'course', at: d.p.completedAt!.toISOString(), content: `在线学习：${d.title}`, hours: d.hours, trainer: null, result: '完成', refId: d.p.courseId });
    const att = await tx
      .select({ a: attendances, s: classSessions })
      .from(attendances)
      .innerJoin(classSessions, eq(classSessions.id, attendances.sessionId))
      .where(and(eq(attendances.tenantId, tenantId), inArray(attendances.personId, chunk)));
    for (const x of att) push(x.a.personId, { kind: 'class', at: x.s.startsAt.toISOString(), content: `线下培训：${x.s.title}（${x.s.location}）`, hours: x.s.hours, trainer: x.s.trainer, result: '已签到', refId: x.s.id });
    const graded = await tx
      .select({ a: examAttempts, title: exams.title })
      .from(examAttempts)
      .innerJoin(exams, eq(exams.id, examAttempts.examId))
      .where(and(eq(examAttempts.tenantId, tenantId), inArray(examAttempts.personId, chunk), isNotNull(examAttempts.score)));
    for (const g of graded) push(g.a.personId, { kind: 'exam', at: (g.a.submittedAt ?? g.a.deadlineAt).toISOString(), content: `考试：${g.title}（第 ${g.a.attemptNo} 次）`, hours: 0, trainer: null, result: `${g.a.score} 分，${g.a.passed ? '合格' : '不合格'}`, refId: g.a.id });
  }
  for (const list of out.values()) list.sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));
  return out;
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export interface PersonFile {
  person: { id: string; name: string; employeeNo: string; kind: PersonRow['kind'] };
  totalHours: number;
  items: TrainingRecord[];
}

/** One person's file: their own always; anybody else's with training:read in data scope. */
export async function personTrainingFile(ctx: Ctx, personId: string): Promise<PersonFile> {
  const own = ctx.actor.personId === personId;
  if (!own) requirePermission(ctx.actor, P.read);
  return ctx.db.read(async (tx) => {
    const person = await loadPersonRow(tx, ctx.actor.tenantId, personId);
    if (!person) throw notFound('person');
    if (!own) await assertInScope(tx, ctx.actor, person, [person.id]);
    const items = (await recordsOf(tx, person.tenantId, [person.id])).get(person.id) ?? [];
    return { person: { id: person.id, name: person.name, employeeNo: person.employeeNo, kind: person.kind }, totalHours: items.reduce((n, r) => n + r.hours, 0), items };
  });
}
