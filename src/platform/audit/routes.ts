import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ctxOf } from '../http/app.ts';
import { ProblemResponses } from '../http/schemas.ts';
import { listAudit, verifyAudit } from './service.ts';

const AuditEntry = Type.Object({
  id: Type.String(),
  seq: Type.Integer(),
  at: Type.String({ format: 'date-time' }),
  actorUserId: Type.Union([Type.String(), Type.Null()]),
  actorName: Type.Union([Type.String(), Type.Null()]),
  ip: Type.Union([Type.String(), Type.Null()]),
  action: Type.String(),
  entityType: Type.String(),
  entityId: Type.Union([Type.String(), Type.Null()]),
  before: Type.Unknown(),
  after: Type.Unknown(),
  hash: Type.String(),
});

export const AuditQuery = Type.Object(
  {
    entityType: Type.Optional(Type.String({ maxLength: 100 })),
    entityId: Type.Optional(Type.String({ maxLength: 100 })),
    actorUserId: Type.Optional(Type.String({ format: 'uuid' })),
    action: Type.Optional(Type.String({ maxLength: 100 })),
    from: Type.Optional(Type.String({ format: 'date-time' })),
    to: Type.Optional(Type.String({ format: 'date-time' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
    cursor: Type.Optional(Type.String({ pattern: '^[0-9]{1,15}$' })),
  },
  { additionalProperties: false },
);

export const auditRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/api/v1/audit',
    {
      config: { permission: 'audit:read' },
      schema: { tags: ['audit'], querystring: AuditQuery, response: { 200: Type.Object({ items: Type.Array(AuditEntry), nextCursor: Type.Union([Type.String(), Type.Null()]) }), ...ProblemResponses } },
    },
    async (request) => {
      const q = request.query;
      const page = await listAudit(ctxOf(app, request), { ...q, limit: q.limit ?? 50, beforeSeq: q.cursor ? Number(q.cursor) : undefined });
      return { items: page.items.map((e) => ({ ...e, at: e.at.toISOString() })), nextCursor: page.nextCursor };
    },
  );

  app.get(
    '/api/v1/audit/verify',
    {
      config: { permission: 'audit:verify' },
      schema: {
        tags: ['audit'],
        response: {
          200: Type.Object({
            ok: Type.Boolean(),
            checked: Type.Integer(),
            headSeq: Type.Integer(),
            problems: Type.Array(Type.Object({ seq: Type.Union([Type.Integer(), Type.Null()]), problem: Type.String(), detail: Type.String() })),
          }),
          ...ProblemResponses,
        },
      },
    },
    async (request) => verifyAudit(ctxOf(app, request)),
  );
};
