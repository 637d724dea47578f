import { Type, type FastifyPluginAsyncTypebox, type Static, type TSchema } from '@fastify/type-provider-typebox';
import { ctxOf } from '../../platform/http/app.ts';
import { IdParams, ProblemResponses, Uuid, VersionField } from '../../platform/http/schemas.ts';
import { expectedVersion } from '../../platform/http/version.ts';
import { createSession, listAttendance, listSessions, recordAttendance, signInToSession } from './classSessions.ts';
import { createCourse, getCourse, listCourses, updateCourse } from './courses.ts';
import { recordHeartbeat } from './learning.ts';
import { exportRecordsExcel, personRecordPdf, trainingStatistics, XLSX_MIME } from './recordExports.ts';
import { personTrainingFile } from './records.ts';
import { materialKinds } from './schema.ts';

/** Courses, online learning heartbeats, classroom sessions with QR sign-in and the person's training file. */

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const Text = (max: number, min = 0) => Type.String({ minLength: min, maxLength: max });
const Enum = <T extends string>(values: readonly T[]) => Type.Enum(Object.fromEntries(values.map((v) => [v, v])) as Record<T, T>);
const Time = Type.String({ format: 'date-time' });
const tags = ['training'];

const MaterialT = Type.Object({ key: Type.String(), kind: Enum(materialKinds), title: Type.String(), fileId: Nullable(Type.String()), text: Nullable(Type.String()) });
export const CourseT = Type.Object({
  id: Type.String(),
  title: Type.String(),
  description: Nullable(Type.String()),
  category: Type.String(),
  materials: Type.Array(MaterialT),
  requiredMinutes: Type.Integer(),
  creditHours: Type.Integer(),
  active: Type.Boolean(),
  version: Type.Integer(),
  progress: Nullable(Type.Object({ secondsCredited: Type.Integer(), percent: Type.Integer(), completedAt: Nullable(Time) })),
});
export type CourseT = Static<typeof CourseT>;

const MaterialInput = Type.Object({ kind: Enum(materialKinds), title: Text(200, 1), fileId: Type.Optional(Nullable(Uuid)), text: Type.Optional(Nullable(Text(20000))) }, { additionalProperties: false });
const courseFields = {
  title: Text(200, 1),
  description: Type.Optional(Nullable(Text(2000))),
  category: Text(60, 1),
  materials: Type.Array(MaterialInput, { maxItems: 30 }),
  requiredMinutes: Type.Integer({ minimum: 1, maximum: 6000 }),
  creditHours: Type.Integer({ minimum: 0, maximum: 200 }),
  active: Type.Optional(Type.Boolean()),
};
export const NewCourseBody = Type.Object(courseFields, { additionalProperties: false });
export const CoursePatchBody = Type.Object(
  {
    title: Type.Optional(courseFields.title),
    description: courseFields.description,
    category: Type.Optional(courseFields.category),
    materials: Type.Optional(courseFields.materials),
    requiredMinutes: Type.Optional(courseFields.requiredMinutes),
    creditHours: Type.Optional(courseFields.creditHours),
    active: courseFields.active,
    ...VersionField,
  },
  { additionalProperties: false },
);
const HeartbeatBody = Type.Object({ seconds: Type.Integer({ minimum: 0, maximum: 3600, description: 'seconds played since the last heartbeat (clients send one every 30 s)' }) }, { additionalProperties: false });

export const SessionT = Type.Object({ id: Type.String(), courseId: Nullable(Type.String()), planItemId: Nullable(Type.String()), title: Type.String(), trainer: Type.String(), location: Type.String(), startsAt: Time, endsAt: Time, hours: Type.Integer(), attendees: Type.Integer() });
export type SessionT = Static<typeof SessionT>;
const NewSessionBody = Type.Object(
  { courseId: Type.Optional(Nullable(Uuid)), planItemId: Type.Optional(Nullable(Uuid)), title: Text(200, 1), trainer: Text(100, 1), location: Text(200, 1), startsAt: Time, endsAt: Time, hours: Type.Integer({ minimum: 0, maximum: 100 }) },
  { additionalProperties: false },
);
const AttendanceT = Type.Object({ personId: Type.String(), signedAt: Time, via: Type.Union([Type.Literal('qr'), Type.Literal('manual')]), already: Type.Boolean() });

export const RecordT = Type.Object({ kind: Enum(['induction', 'course', 'class', 'exam'] as const), at: Time, content: Type.String(), hours: Type.Integer(), trainer: Nullable(Type.String()), result: Nullable(Type.String()), refId: Type.String() });
export const PersonFileT = Type.Object({ person: Type.Object({ id: Type.String(), name: Type.String(), employeeNo: Type.String(), kind: Type.Union([Type.Literal('employee'), Type.Literal('contractor')]) }), totalHours: Type.Integer(), items: Type.Array(RecordT) });
export type PersonFileT = Static<typeof PersonFileT>;

export const learningRoutes: FastifyPluginAsyncTypebox = async (app) => {
  // ---- courses ----
  app.get('/api/v1/training/courses', { config: { authenticated: true }, schema: { tags, description: 'Courses with the caller’s own progress.', response: { 200: Type.Object({ items: Type.Array(CourseT) }), ...ProblemResponses } } }, async (request) => listCourses(ctxOf(app, request)));
  app.get('/api/v1/training/courses/:id', { config: { authenticated: true }, schema: { tags, params: IdParams, response: { 200: CourseT, ...ProblemResponses } } }, async (request) => getCourse(ctxOf(app, request), request.params.id));
  app.post(
    '/api/v1/training/courses',
    { config: { permission: 'training:write' }, schema: { tags, description: 'Materials reference uploaded files (POST /api/v1/files): video, PDF (slides as PDF), or carry their text.', body: NewCourseBody, response: { 201: CourseT, ...ProblemResponses } } },
    async (request, reply) => {
      const ctx = ctxOf(app, request);
      const c = await createCourse(ctx, request.body);
      return reply.status(201).send(await getCourse(ctx, c.id));
    },
  );
  app.patch('/api/v1/training/courses/:id', { config: { permission: 'training:write' }, schema: { tags, params: IdParams, body: CoursePatchBody, response: { 200: CourseT, ...ProblemResponses } } }, async (request) => {
    const ctx = ctxOf(app, request);
    const { version, ...patch } = request.body;
    await updateCourse(ctx, request.params.id, patch, expectedVersion(request, version));
    return getCourse(ctx, request.params.id);
  });
  app.post(
    '/api/v1/training/courses/:id/heartbeat',
    { config: { authenticated: true }, schema: { tags, description: 'Learning progress; credited time is capped by the wall time since the last heartbeat (and 120 s).', params: IdParams, body: HeartbeatBody, response: { 200: Type.Object({ ...CourseT.properties, creditedNow: Type.Integer() }), ...ProblemResponses } } },
    async (request) => recordHeartbeat(ctxOf(app, request), request.params.id, request.body.seconds),
  );

  // ---- classroom sessions ----
  app.get('/api/v1/training/sessions', { config: { permission: 'training:read' }, schema: { tags, response: { 200: Type.Object({ items: Type.Array(SessionT) }), ...ProblemResponses } } }, async (request) => listSessions(ctxOf(app, request)));
  app.post(
    '/api/v1/training/sessions',
    { config: { permission: 'training:write' }, schema: { tags, description: 'The reply carries the sign-in token once: print signInPath as a QR code.', body: NewSessionBody, response: { 201: Type.Object({ ...SessionT.properties, token: Type.String(), signInPath: Type.String() }), ...ProblemResponses } } },
    async (request, reply) => reply.status(201).send(await createSession(ctxOf(app, request), request.body)),
  );
  app.post(
    '/api/v1/training/sessions/sign-in',
    { config: { authenticated: true }, schema: { tags, description: 'QR sign-in of the signed-in person (from 30 min before the start until the end).', body: Type.Object({ token: Text(200, 10) }, { additionalProperties: false }), response: { 200: Type.Object({ ...AttendanceT.properties, session: SessionT }), ...ProblemResponses } } },
    async (request) => signInToSession(ctxOf(app, request), request.body.token),
  );
  app.get(
    '/api/v1/training/sessions/:id/attendance',
    { config: { permission: 'training:read' }, schema: { tags, params: IdParams, response: { 200: Type.Object({ items: Type.Array(Type.Object({ personId: Type.String(), personName: Type.String(), orgUnitName: Nullable(Type.String()), signedAt: Time, via: Type.String() })) }), ...ProblemResponses } } },
    async (request) => listAttendance(ctxOf(app, request), request.params.id),
  );
  app.post(
    '/api/v1/training/sessions/:id/attendance',
    { config: { permission: 'training:write' }, schema: { tags, description: 'Record attendance by hand (someone without a phone).', params: IdParams, body: Type.Object({ personId: Uuid }, { additionalProperties: false }), response: { 200: AttendanceT, ...ProblemResponses } } },
    async (request) => recordAttendance(ctxOf(app, request), request.params.id, request.body.personId),
  );

  // ---- the training file (一人一档) ----
  app.get(
    '/api/v1/training/people/:id/records',
    { config: { authenticated: true }, schema: { tags, description: 'Training history: time, content, hours, trainer, result.', params: IdParams, response: { 200: PersonFileT, ...ProblemResponses } } },
    async (request) => personTrainingFile(ctxOf(app, request), request.params.id),
  );
  app.get(
    '/api/v1/training/people/:id/records.pdf',
    { config: { authenticated: true }, schema: { tags, description: 'The person’s training file as PDF (CJK font needed: 503 pdf_font_missing otherwise).', params: IdParams, produces: ['application/pdf'] } },
    async (request, reply) => {
      const { pdf, fileName } = await personRecordPdf(ctxOf(app, request), request.params.id);
      return reply.type('application/pdf').header('content-disposition', `inline; filename="${fileName}"`).send(pdf);
    },
  );
  app.get('/api/v1/training/records.xlsx', { config: { permission: 'training:read' }, schema: { tags, description: 'All training records in the caller’s data scope as Excel.' } }, async (request, reply) => {
    const buf = await exportRecordsExcel(ctxOf(app, request));
    return reply.type(XLSX_MIME).header('content-disposition', 'attachment; filename="training-records.xlsx"').send(buf);
  });
  app.get(
    '/api/v1/training/statistics',
    {
      config: { permission: 'training:read' },
      schema: { tags, description: 'Coverage and hours per department.', response: { 200: Type.Object({ items: Type.Array(Type.Object({ orgUnitId: Nullable(Type.String()), orgUnitName: Type.String(), people: Type.Integer(), trained: Type.Integer(), coverage: Type.Integer(), hours: Type.Integer(), avgHours: Type.Number() })) }), ...ProblemResponses } },
    },
    async (request) => trainingStatistics(ctxOf(app, request)),
  );
  app.get('/api/v1/training/my/records', { config: { authenticated: true }, schema: { tags, response: { 200: Nullable(PersonFileT), ...ProblemResponses } } }, async (request) => {
    const ctx = ctxOf(app, request);
    return ctx.actor.personId ? personTrainingFile(ctx, ctx.actor.personId) : null;
  });
};
