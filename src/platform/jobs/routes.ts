import { Type, type FastifyPluginAsyncTypebox, type Static } from '@fastify/type-provider-typebox';
import { ctxOf } from '../http/app.ts';
import { IdParams, Page, PageQuery, ProblemResponses } from '../http/schemas.ts';
import { jobStatuses } from './schema.ts';
import { listJobs, retryJob, type Job } from './service.ts';

const JobStatusSchema = Type.Enum(jobStatuses);
const NullableDateTime = Type.Union([Type.String({ format: 'date-time' }), Type.Null()]);

export const JobView = Type.Object({
  id: Type.String(),
  tenantId: Type.Union([Type.String(), Type.Null()]),
  kind: Type.String(),
  payload: Type.Unknown(),
  runAt: Type.String({ format: 'date-time' }),
  status: JobStatusSchema,
  attempts: Type.Integer(),
  maxAttempts: Type.Integer(),
  lastError: Type.Union([Type.String(), Type.Null()]),
  lockedBy: Type.Union([Type.String(), Type.Null()]),
  lockedUntil: NullableDateTime,
  dedupeKey: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
  finishedAt: NullableDateTime,
});
export type JobView = Static<typeof JobView>;

export const JobsQuery = Type.Object(
  {
    status: Type.Optional(JobStatusSchema),
    kind: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    ...PageQuery,
  },
  { additionalProperties: false },
);
export type JobsQuery = Static<typeof JobsQuery>;

function toView(j: Job): JobView {
  return {
    ...j,
    runAt: j.runAt.toISOString(),
    lockedUntil: j.lockedUntil?.toISOString() ?? null,
    createdAt: j.createdAt.toISOString(),
    finishedAt: j.finishedAt?.toISOString() ?? null,
  };
}

/** Admin visibility into timers and background jobs: what is queued, what failed and why, retry it. */
export const jobRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/api/v1/jobs',
    {
      config: { permission: 'jobs:read' },
      schema: { tags: ['jobs'], querystring: JobsQuery, response: { 200: Page(JobView), ...ProblemResponses } },
    },
    async (request) => {
      const q = request.query;
      const page = await listJobs(ctxOf(app, request), { status: q.status, kind: q.kind, limit: q.limit ?? 50, cursor: q.cursor });
      return { items: page.items.map(toView), nextCursor: page.nextCursor };
    },
  );

  app.post(
    '/api/v1/jobs/:id/retry',
    {
      config: { permission: 'jobs:manage' },
      schema: { tags: ['jobs'], params: IdParams, response: { 200: JobView, ...ProblemResponses } },
    },
    async (request) => toView(await retryJob(ctxOf(app, request), request.params.id)),
  );
};
