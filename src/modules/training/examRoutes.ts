import { Type, type FastifyPluginAsyncTypebox, type Static, type TSchema } from '@fastify/type-provider-typebox';
import { ctxOf } from '../../platform/http/app.ts';
import { IdParams, Page, PageQuery, ProblemResponses, Uuid, VersionField } from '../../platform/http/schemas.ts';
import { expectedVersion } from '../../platform/http/version.ts';
import { getAttempt, listExamResults, saveAnswer, startAttempt, submitAttempt } from './attempts.ts';
// Registers the deadline job handler with the job runner.
import './examDeadline.ts';
import { createExam, getExam, listExams, listMyExams, questionCount, updateExam, type ExamRow } from './exams.ts';
import { createQuestion, listQuestions, questionCategories, updateQuestion, type QuestionRow } from './questions.ts';
import { attemptStatuses, paperModes, questionKinds } from './schema.ts';

/**
 * Question bank, exams and attempts (issue 7) under /api/v1/training. Registered by `trainingRoutes`.
 * Bank and exam set-up need training:write; taking an exam needs only a signed-in person.
 */

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const Text = (max: number, min = 0) => Type.String({ minLength: min, maxLength: max });
const Enum = <T extends string>(values: readonly T[]) => Type.Enum(Object.fromEntries(values.map((v) => [v, v])) as Record<T, T>);
const Time = Type.String({ format: 'date-time' });
const tags = ['training'];
const OptionKey = Type.String({ pattern: '^[A-HTF]$' });

const OptionT = Type.Object({ key: Type.String(), text: Type.String() });

export const QuestionT = Type.Object({
  id: Type.String(),
  kind: Enum(questionKinds),
  category: Type.String(),
  difficulty: Type.Integer(),
  stem: Type.String(),
  options: Type.Array(OptionT),
  answer: Type.Array(Type.String()),
  explanation: Nullable(Type.String()),
  active: Type.Boolean(),
  version: Type.Integer(),
});
export type QuestionT = Static<typeof QuestionT>;

const questionDto = (q: QuestionRow): QuestionT => ({ id: q.id, kind: q.kind, category: q.category, difficulty: q.difficulty, stem: q.stem, options: q.options, answer: q.answer, explanation: q.explanation, active: q.active, version: q.version });

const questionFields = {
  kind: Enum(questionKinds),
  category: Text(60, 1),
  difficulty: Type.Integer({ minimum: 1, maximum: 3 }),
  stem: Text(2000, 1),
  options: Type.Array(Text(500, 1), { maxItems: 8, description: 'option texts; keys A, B, C… by position (ignored for true/false)' }),
  answer: Type.Array(OptionKey, { minItems: 1, maxItems: 8, description: 'correct keys: A… for choices, T or F for true/false' }),
  explanation: Type.Optional(Nullable(Text(2000))),
};
export const NewQuestionBody = Type.Object({ ...questionFields, externalKey: Type.Optional(Nullable(Text(100, 1))) }, { additionalProperties: false });
export const QuestionPatchBody = Type.Object(
  {
    kind: Type.Optional(questionFields.kind),
    category: Type.Optional(questionFields.category),
    difficulty: Type.Optional(questionFields.difficulty),
    stem: Type.Optional(questionFields.stem),
    options: Type.Optional(questionFields.options),
    answer: Type.Optional(questionFields.answer),
    explanation: questionFields.explanation,
    active: Type.Optional(Type.Boolean()),
    ...VersionField,
  },
  { additionalProperties: false },
);
export const QuestionQuery = Type.Object(
  { category: Type.Optional(Text(60, 1)), difficulty: Type.Optional(Type.Integer({ minimum: 1, maximum: 3 })), kind: Type.Optional(Enum(questionKinds)), q: Type.Optional(Text(100)), active: Type.Optional(Type.Boolean()), ...PageQuery },
  { additionalProperties: false },
);

const RuleT = Type.Object({ category: Text(60, 1), difficulty: Nullable(Type.Integer({ minimum: 1, maximum: 3 })), count: Type.Integer({ minimum: 1, maximum: 200 }) }, { additionalProperties: false });

export const ExamT = Type.Object({
  id: Type.String(),
  title: Type.String(),
  description: Nullable(Type.String()),
  mode: Enum(paperModes),
  questionIds: Type.Array(Type.String()),
  rules: Type.Array(RuleT),
  questionCount: Type.Integer(),
  timeLimitMinutes: Type.Integer(),
  passMark: Type.Integer(),
  retakes: Type.Integer(),
  active: Type.Boolean(),
  version: Type.Integer(),
});
export type ExamT = Static<typeof ExamT>;
const examDto = (e: ExamRow): ExamT => ({ id: e.id, title: e.title, description: e.description, mode: e.mode, questionIds: e.questionIds, rules: e.rules, questionCount: questionCount(e), timeLimitMinutes: e.timeLimitMinutes, passMark: e.passMark, retakes: e.retakes, active: e.active, version: e.version });

const examFields = {
  title: Text(200, 1),
  description: Type.Optional(Nullable(Text(2000))),
  mode: Enum(paperModes),
  questionIds: Type.Optional(Type.Array(Uuid, { maxItems: 200 })),
  rules: Type.Optional(Type.Array(RuleT, { maxItems: 30 })),
  timeLimitMinutes: Type.Integer({ minimum: 1, maximum: 600 }),
  passMark: Type.Integer({ minimum: 1, maximum: 100, description: 'percent of questions correct needed to pass' }),
  retakes: Type.Integer({ minimum: 0, maximum: 20, description: 'attempts allowed after a failed first one' }),
  active: Type.Optional(Type.Boolean()),
};
export const NewExamBody = Type.Object(examFields, { additionalProperties: false });
export const ExamPatchBody = Type.Object(
  {
    title: Type.Optional(examFields.title),
    description: examFields.description,
    mode: Type.Optional(examFields.mode),
    questionIds: examFields.questionIds,
    rules: examFields.rules,
    timeLimitMinutes: Type.Optional(examFields.timeLimitMinutes),
    passMark: Type.Optional(examFields.passMark),
    retakes: Type.Optional(examFields.retakes),
    active: examFields.active,
    ...VersionField,
  },
  { additionalProperties: false },
);

export const MyExamT = Type.Object({
  id: Type.String(),
  title: Type.String(),
  description: Nullable(Type.String()),
  questionCount: Type.Integer(),
  timeLimitMinutes: Type.Integer(),
  passMark: Type.Integer(),
  attemptsAllowed: Type.Integer(),
  attemptsUsed: Type.Integer(),
  bestScore: Nullable(Type.Integer()),
  passed: Type.Boolean(),
  activeAttemptId: Nullable(Type.String()),
});
export type MyExamT = Static<typeof MyExamT>;

export const AttemptT = Type.Object({
  id: Type.String(),
  examId: Type.String(),
  examTitle: Type.String(),
  personId: Type.String(),
  attemptNo: Type.Integer(),
  attemptsAllowed: Type.Integer(),
  status: Enum(attemptStatuses),
  startedAt: Time,
  deadlineAt: Time,
  serverNow: Time,
  passMark: Type.Integer(),
  questions: Type.Array(
    Type.Object({
      questionId: Type.String(),
      kind: Enum(questionKinds),
      stem: Type.String(),
      options: Type.Array(OptionT),
      chosen: Type.Array(Type.String()),
      correct: Type.Optional(Type.Boolean()),
      answer: Type.Optional(Type.Array(Type.String())),
      explanation: Type.Optional(Nullable(Type.String())),
    }),
  ),
  result: Nullable(Type.Object({ correctCount: Type.Integer(), total: Type.Integer(), score: Type.Integer(), passed: Type.Boolean(), submittedAt: Nullable(Time) })),
});
export type AttemptT = Static<typeof AttemptT>;

export const ResultT = Type.Object({
  attemptId: Type.String(),
  personId: Type.String(),
  personName: Type.String(),
  orgUnitName: Nullable(Type.String()),
  attemptNo: Type.Integer(),
  status: Enum(attemptStatuses),
  startedAt: Time,
  submittedAt: Nullable(Time),
  score: Nullable(Type.Integer()),
  passed: Nullable(Type.Boolean()),
});

const AnswerBody = Type.Object({ questionId: Uuid, answer: Type.Array(OptionKey, { maxItems: 8 }) }, { additionalProperties: false });
const SubmitBody = Type.Object({ answers: Type.Optional(Type.Record(Type.String({ format: 'uuid' }), Type.Array(OptionKey, { maxItems: 8 }))) }, { additionalProperties: false });

export const examRoutes: FastifyPluginAsyncTypebox = async (app) => {
  // ---- question bank ----
  app.get(
    '/api/v1/training/questions',
    { config: { permission: 'training:write' }, schema: { tags, description: 'The question bank with the correct answers (exam setters only).', querystring: QuestionQuery, response: { 200: Page(QuestionT), ...ProblemResponses } } },
    async (request) => {
      const page = await listQuestions(ctxOf(app, request), { ...request.query, limit: request.query.limit ?? 50 });
      return { items: page.items.map(questionDto), nextCursor: page.nextCursor };
    },
  );
  app.get(
    '/api/v1/training/questions/categories',
    { config: { permission: 'training:write' }, schema: { tags, description: 'Active questions per category and difficulty (what random papers can draw).', response: { 200: Type.Object({ items: Type.Array(Type.Object({ category: Type.String(), difficulty: Type.Integer(), count: Type.Integer() })) }), ...ProblemResponses } } },
    async (request) => questionCategories(ctxOf(app, request)),
  );
  app.post(
    '/api/v1/training/questions',
    { config: { permission: 'training:write' }, schema: { tags, body: NewQuestionBody, response: { 201: QuestionT, ...ProblemResponses } } },
    async (request, reply) => reply.status(201).send(questionDto(await createQuestion(ctxOf(app, request), request.body))),
  );
  app.patch(
    '/api/v1/training/questions/:id',
    { config: { permission: 'training:write' }, schema: { tags, params: IdParams, body: QuestionPatchBody, response: { 200: QuestionT, ...ProblemResponses } } },
    async (request) => {
      const { version, ...patch } = request.body;
      return questionDto(await updateQuestion(ctxOf(app, request), request.params.id, patch, expectedVersion(request, version)));
    },
  );

  // ---- exams ----
  app.get('/api/v1/training/exams', { config: { permission: 'training:write' }, schema: { tags, response: { 200: Type.Object({ items: Type.Array(ExamT) }), ...ProblemResponses } } }, async (request) => ({
    items: (await listExams(ctxOf(app, request))).items.map(examDto),
  }));
  app.post(
    '/api/v1/training/exams',
    { config: { permission: 'training:write' }, schema: { tags, body: NewExamBody, response: { 201: ExamT, ...ProblemResponses } } },
    async (request, reply) => reply.status(201).send(examDto(await createExam(ctxOf(app, request), request.body))),
  );
  app.get('/api/v1/training/exams/:id', { config: { permission: 'training:write' }, schema: { tags, params: IdParams, response: { 200: ExamT, ...ProblemResponses } } }, async (request) =>
    examDto(await getExam(ctxOf(app, request), request.params.id)),
  );
  app.patch(
    '/api/v1/training/exams/:id',
    { config: { permission: 'training:write' }, schema: { tags, params: IdParams, body: ExamPatchBody, response: { 200: ExamT, ...ProblemResponses } } },
    async (request) => {
      const { version, ...patch } = request.body;
      return examDto(await updateExam(ctxOf(app, request), request.params.id, patch, expectedVersion(request, version)));
    },
  );
  app.get(
    '/api/v1/training/exams/:id/results',
    { config: { permission: 'training:write' }, schema: { tags, params: IdParams, response: { 200: Type.Object({ items: Type.Array(ResultT) }), ...ProblemResponses } } },
    async (request) => listExamResults(ctxOf(app, request), request.params.id),
  );

  // ---- taking an exam (any signed-in person) ----
  app.get('/api/v1/training/my/exams', { config: { authenticated: true }, schema: { tags, response: { 200: Type.Object({ items: Type.Array(MyExamT) }), ...ProblemResponses } } }, async (request) => listMyExams(ctxOf(app, request)));
  app.post(
    '/api/v1/training/exams/:id/attempts',
    { config: { authenticated: true }, schema: { tags, description: 'Start an attempt: the paper without answers. 409 reason attempt_active, retakes_exhausted, already_passed.', params: IdParams, response: { 201: AttemptT, ...ProblemResponses } } },
    async (request, reply) => reply.status(201).send(await startAttempt(ctxOf(app, request), request.params.id)),
  );
  app.get(
    '/api/v1/training/attempts/:id',
    { config: { authenticated: true }, schema: { tags, description: 'An attempt; correct answers and explanations only once it is closed.', params: IdParams, response: { 200: AttemptT, ...ProblemResponses } } },
    async (request) => getAttempt(ctxOf(app, request), request.params.id),
  );
  app.post(
    '/api/v1/training/attempts/:id/answer',
    { config: { authenticated: true }, schema: { tags, description: 'Save one answer before the deadline (409 reason deadline_passed after it).', params: IdParams, body: AnswerBody, response: { 200: AttemptT, ...ProblemResponses } } },
    async (request) => saveAnswer(ctxOf(app, request), request.params.id, request.body.questionId, request.body.answer),
  );
  app.post(
    '/api/v1/training/attempts/:id/submit',
    { config: { authenticated: true }, schema: { tags, description: 'Submit and grade; the reply holds the score and the review.', params: IdParams, body: SubmitBody, response: { 200: AttemptT, ...ProblemResponses } } },
    async (request) => submitAttempt(ctxOf(app, request), request.params.id, request.body.answers ?? {}),
  );
};
