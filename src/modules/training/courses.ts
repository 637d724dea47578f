import { and, asc, eq, inArray } from 'drizzle-orm';
import { recordChange } from '../../platform/audit/record.ts';
import type { Ctx } from '../../platform/auth/actor.ts';
import { can, requirePermission } from '../../platform/auth/scope.ts';
import type { Tx } from '../../platform/db/client.ts';
import { newId } from '../../platform/db/columns.ts';
import { files } from '../../platform/files/schema.ts';
import { AppError, invalid, notFound } from '../../platform/http/errors.ts';
import { trainingPermissions as P } from './permissions.ts';
import { courseProgress, courses, type CourseMaterial, type MaterialKind } from './schema.ts';

/** Courses (课程) with their materials: video, PDF, slides (as PDF) or text. */

export type CourseRow = typeof courses.$inferSelect;
export type ProgressRow = typeof courseProgress.$inferSelect;

export interface MaterialInput {
  kind: MaterialKind;
  title: string;
  fileId?: string | null;
  text?: string | null;
}

export interface CourseInput {
  title: string;
  description?: string | null;
  category: string;
  materials: MaterialInput[];
  requiredMinutes: number;
  creditHours: number;
  active?: boolean;
}

/** Which uploaded file kinds a material may point at (slides are shared as PDF). */
const fileKindFor: Record<MaterialKind, string | null> = { video: 'video', pdf: 'pdf', slides: 'pdf', text: null };

async function checkMaterials(tx: Tx, tenantId: string, input: MaterialInput[]): Promise<CourseMaterial[]> {
  const ids = input.map((m) => m.fileId).filter((v): v is string => !!v);
  const found = ids.length ? await tx.select({ id: files.id, kind: files.kind }).from(files).where(and(eq(files.tenantId, tenantId), inArray(files.id, ids))) : [];
  const kinds = new Map(found.map((f) => [f.id, f.kind]));
  return input.map((m, i) => {
    const title = m.title.trim();
    if (!title) throw invalid(`materials.${i}.title`, 'minLength', `materials.${i}.title: must not be empty`);
    const want = fileKindFor[m.kind];
    if (want === null) {
      if (!m.text?.trim()) throw invalid(`materials.${i}.text`, 'required', `materials.${i}.text: a text material needs its text`);
      return { key: `m${i + 1}`, kind: m.kind, title, fileId: null, text: m.text.trim() };
    }
    if (!m.fileId) throw invalid(`materials.${i}.fileId`, 'required', `materials.${i}.fileId: upload the ${m.kind} first (POST /api/v1/files)`);
    const kind = kinds.get(m.fileId);
    if (!kind) throw invalid(`materials.${i}.fileId`, 'exists', `materials.${i}.fileId: no uploaded file ${m.fileId}`);
    if (kind !== want) throw invalid(`materials.${i}.fileId`, 'kind', `materials.${i}.fileId: a ${m.kind} material needs a ${want} file, not ${kind}`);
    return { key: `m${i + 1}`, kind: m.kind, title, fileId: m.fileId, text: null };
  });
}

export async function createCourse(ctx: Ctx, input: CourseInput): Promise<CourseRow> {
  requirePermission(ctx.actor, P.write);
  if (!input.title.trim()) throw invalid('title', 'minLength', 'title: must not be empty');
  return ctx.db.tx(async (tx) => {
    const materials = await checkMaterials(tx, ctx.actor.tenantId, input.materials);
    const now = ctx.now();
    const [row] = await tx
      .insert(courses)
      .values({ id: newId(), tenantId: ctx.actor.tenantId, orgUnitId: ctx.actor.orgUnitId, title: input.title.trim(), description: input.description?.trim() || null, category: input.category.trim(), materials, requiredMinutes: input.requiredMinutes, creditHours: input.creditHours, active: input.active ?? true, createdAt: now, createdBy: ctx.actor.userId, updatedAt: now, updatedBy: ctx.actor.userId })
      .returning();
    const course = row!;
    await recordChange(
      tx,
      ctx,
      { action: 'course.created', entityType: 'course', entityId: course.id, after: { title: course.title, requiredMinutes: course.requiredMinutes, creditHours: course.creditHours, materials: materials.length } },
      { type: 'course.created', entityType: 'course', entityId: course.id, payload: { title: course.title } },
    );
    return course;
  });
}

export async function updateCourse(ctx: Ctx, id: string, patch: Partial<CourseInput>, version: number): Promise<CourseRow> {
  requirePermission(ctx.actor, P.write);
  return ctx.db.tx(async (tx) => {
    const [before] = await tx
      .select()
      .from(courses)
      .where(and(eq(courses.tenantId, ctx.actor.tenantId), eq(courses.id, id)))
      .for('update');
    if (!before) throw notFound('course');
    if (before.version !== version) throw new AppError('version_conflict', `the course is at version ${before.version}`, { extra: { currentVersion: before.version } });
    if (patch.title !== undefined && !patch.title.trim()) throw invalid('title', 'minLength', 'title: must not be empty');
    const materials = patch.materials ? await checkMaterials(tx, ctx.actor.tenantId, patch.materials) : before.materials;
    const [after] = await tx
      .update(courses)
      .set({
        ...(patch.title !== undefined ? { title: patch.title.trim() } : {}),
        ...(patch.description !== undefined ? { description: patch.description?.trim() || null } : {}),
        ...(patch.category !== undefined ? { category: patch.category.trim() } : {}),
        ...(patch.requiredMinutes !== undefined ? { requiredMinutes: patch.requiredMinutes } : {}),
        ...(patch.creditHours !== undefined ? { creditHours: patch.creditHours } : {}),
        ...(patch.active !== undefined ? { active: patch.active } : {}),
        materials,
        version: before.version + 1,
        updatedAt: ctx.now(),
        updatedBy: ctx.actor.userId,
      })
      .where(and(eq(courses.id, id), eq(courses.version, before.version)))
      .returning();
    if (!after) throw new AppError('version_conflict', 'the course changed meanwhile');
    await recordChange(
      tx,
      ctx,
      { action: 'course.updated', entityType: 'course', entityId: id, before: { title: before.title, requiredMinutes: before.requiredMinutes, creditHours: before.creditHours, active: before.active }, after: { title: after.title, requiredMinutes: after.requiredMinutes, creditHours: after.creditHours, active: after.active } },
      { type: 'course.updated', entityType: 'course', entityId: id, payload: { title: after.title } },
    );
    return after;
  });
}

export interface CourseView {
  id: string;
  title: string;
  description: string | null;
  category: string;
  materials: CourseMaterial[];
  requiredMinutes: number;
  creditHours: number;
  active: boolean;
  version: number;
  /** The signed-in person's progress. */
  progress: { secondsCredited: number; percent: number; completedAt: string | null } | null;
}

export function toCourseView(c: CourseRow, p: ProgressRow | undefined): CourseView {
  const required = c.requiredMinutes * 60;
  return {
    id: c.id,
    title: c.title,
    description: c.description,
    category: c.category,
    materials: c.materials,
    requiredMinutes: c.requiredMinutes,
    creditHours: c.creditHours,
    active: c.active,
    version: c.version,
    progress: p ? { secondsCredited: p.secondsCredited, percent: required === 0 ? 100 : Math.min(100, Math.floor((p.secondsCredited * 100) / required)), completedAt: p.completedAt?.toISOString() ?? null } : null,
  };
}

/** Courses with the caller's own progress; learners see active courses, setters (training:write) all. */
export async function listCourses(ctx: Ctx): Promise<{ items: CourseView[] }> {
  const all = can(ctx.actor, P.write);
  return ctx.db.read(async (tx) => {
    const where = [eq(courses.tenantId, ctx.actor.tenantId)];
    if (!all) where.push(eq(courses.active, true));
    const rows = await tx
      .select()
      .from(courses)
      .where(and(...where))
      .orderBy(asc(courses.category), asc(courses.title));
    const mine = ctx.actor.personId
      ? await tx
          .select()
          .from(courseProgress)
          .where(and(eq(courseProgress.tenantId, ctx.actor.tenantId), eq(courseProgress.personId, ctx.actor.personId)))
      : [];
    return { items: rows.map((c) => toCourseView(c, mine.find((p) => p.courseId === c.id))) };
  });
}

export async function getCourse(ctx: Ctx, id: string): Promise<CourseView> {
  return ctx.db.read(async (tx) => {
    const [c] = await tx
      .select()
      .from(courses)
      .where(and(eq(courses.tenantId, ctx.actor.tenantId), eq(courses.id, id)));
    if (!c || (!c.active && !can(ctx.actor, P.write))) throw notFound('course');
    const [p] = ctx.actor.personId
      ? await tx
          .select()
          .from(courseProgress)
          .where(and(eq(courseProgress.tenantId, c.tenantId), eq(courseProgress.courseId, c.id), eq(courseProgress.personId, ctx.actor.personId)))
      : [];
    return toCourseView(c, p);
  });
}
