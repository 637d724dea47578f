import { Type, type Static, type TSchema } from '@fastify/type-provider-typebox';

/** RFC 9457 problem+json body, as every error response is shaped. */
export const Problem = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    code: Type.String(),
    detail: Type.Optional(Type.String()),
    instance: Type.Optional(Type.String()),
    errors: Type.Optional(Type.Array(Type.Object({ field: Type.String(), rule: Type.String(), message: Type.String() }))),
  },
  { additionalProperties: true },
);
export type Problem = Static<typeof Problem>;

/** Error responses shared by routes; spread into `response`. */
export const ProblemResponses = {
  400: Problem,
  401: Problem,
  403: Problem,
  404: Problem,
  409: Problem,
  422: Problem,
  429: Problem,
};

export const Uuid = Type.String({ format: 'uuid' });
export const IdParams = Type.Object({ id: Uuid }, { additionalProperties: false });
export type IdParams = Static<typeof IdParams>;

/** Cursor pagination: `limit` ≤ 200, opaque `cursor` from the previous page's `nextCursor`. */
export const PageQuery = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  cursor: Type.Optional(Type.String({ maxLength: 500 })),
};

export const Page = <T extends TSchema>(item: T) => Type.Object({ items: Type.Array(item), nextCursor: Type.Union([Type.String(), Type.Null()]) });

/** Optimistic concurrency: the version the client last saw, in the body or the If-Match header. */
export const VersionField = { version: Type.Optional(Type.Integer({ minimum: 1 })) };
