import { Type, type FastifyPluginAsyncTypebox, type Static, type TSchema } from '@fastify/type-provider-typebox';
import type { FastifyInstance, onRequestHookHandler } from 'fastify';
import { ctxOf } from '../http/app.ts';
import { IdParams, Page, PageQuery, Problem, ProblemResponses, Uuid, VersionField } from '../http/schemas.ts';
import { expectedVersion } from '../http/version.ts';
import { createRole, deleteRole, listPermissions, listRoles, updateRole } from './roles.ts';
import { createToken, listTokens, revokeToken, touchTokenUsage } from './tokens.ts';
import { createUser, listUsers, resetUserPassword, unlockUser, updateUser } from './users.ts';

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const Text = (max: number, min = 0) => Type.String({ minLength: min, maxLength: max });
const Responses = { ...ProblemResponses, 428: Problem };

export const DataScopeSchema = Type.Enum(['self', 'team', 'department', 'company']);
const PermissionCode = Type.String({ minLength: 1, maxLength: 100, pattern: '^(\\*|[a-z][a-z0-9_-]*:(\\*|[a-z][a-z0-9_.-]*))$' });

export const PermissionItem = Type.Object({ code: Type.String(), group: Type.String(), label: Type.Object({ 'zh-CN': Type.String(), en: Type.String() }) });

export const Role = Type.Object({
  id: Type.String(),
  code: Type.String(),
  name: Type.String(),
  nameEn: Nullable(Type.String()),
  description: Nullable(Type.String()),
  builtin: Type.Boolean(),
  permissions: Type.Array(Type.String()),
  dataScope: DataScopeSchema,
  userCount: Type.Integer(),
  version: Type.Integer(),
});
export type Role = Static<typeof Role>;

export const CreateRoleBody = Type.Object(
  {
    code: Text(40, 2),
    name: Text(100, 1),
    nameEn: Type.Optional(Nullable(Text(100))),
    description: Type.Optional(Nullable(Text(500))),
    permissions: Type.Array(PermissionCode, { maxItems: 500 }),
    dataScope: DataScopeSchema,
  },
  { additionalProperties: false },
);
export type CreateRoleBody = Static<typeof CreateRoleBody>;

export const UpdateRoleBody = Type.Object(
  {
    code: Type.Optional(Text(40, 2)),
    name: Type.Optional(Text(100, 1)),
    nameEn: Type.Optional(Nullable(Text(100))),
    description: Type.Optional(Nullable(Text(500))),
    permissions: Type.Optional(Type.Array(PermissionCode, { maxItems: 500 })),
    dataScope: Type.Optional(DataScopeSchema),
    ...VersionField,
  },
  { additionalProperties: false },
);
export type UpdateRoleBody = Static<typeof UpdateRoleBody>;

export const User = Type.Object({
  id: Type.String(),
  username: Type.String(),
  displayName: Type.String(),
  phone: Nullable(Type.String()),
  status: Type.Enum(['active', 'disabled']),
  roles: Type.Array(Type.Object({ id: Type.String(), code: Type.String(), name: Type.String() })),
  personId: Nullable(Type.String()),
  personName: Nullable(Type.String()),
  orgUnitId: Nullable(Type.String()),
  orgUnitName: Nullable(Type.String()),
  lastLoginAt: Nullable(Type.String({ format: 'date-time' })),
  lockedUntil: Nullable(Type.String({ format: 'date-time' })),
  version: Type.Integer(),
});
export type User = Static<typeof User>;

export const UsersQuery = Type.Object({ q: Type.Optional(Text(100)), ...PageQuery }, { additionalProperties: false });
export type UsersQuery = Static<typeof UsersQuery>;

export const CreateUserBody = Type.Object(
  {
    personId: Type.Optional(Nullable(Uuid)),
    username: Text(32, 3),
    displayName: Text(100, 1),
    phone: Type.Optional(Nullable(Text(20))),
    password: Text(128, 1),
    roleIds: Type.Array(Uuid, { maxItems: 50 }),
  },
  { additionalProperties: false },
);
export type CreateUserBody = Static<typeof CreateUserBody>;

export const UpdateUserBody = Type.Object(
  {
    roleIds: Type.Optional(Type.Array(Uuid, { maxItems: 50 })),
    status: Type.Optional(Type.Enum(['active', 'disabled'])),
    displayName: Type.Optional(Text(100, 1)),
    phone: Type.Optional(Nullable(Text(20))),
    ...VersionField,
  },
  { additionalProperties: false },
);
export type UpdateUserBody = Static<typeof UpdateUserBody>;

export const ResetPasswordBody = Type.Object({ password: Text(128, 1) }, { additionalProperties: false });
export type ResetPasswordBody = Static<typeof ResetPasswordBody>;

export const Token = Type.Object({
  id: Type.String(),
  name: Type.String(),
  prefix: Type.String(),
  scopes: Type.Array(Type.String()),
  createdAt: Type.String({ format: 'date-time' }),
  expiresAt: Nullable(Type.String({ format: 'date-time' })),
  lastUsedAt: Nullable(Type.String({ format: 'date-time' })),
  revokedAt: Nullable(Type.String({ format: 'date-time' })),
  userId: Type.String(),
  userName: Nullable(Type.String()),
});
export type Token = Static<typeof Token>;

export const TokensQuery = Type.Object({ all: Type.Optional(Type.Boolean({ default: false })) }, { additionalProperties: false });
export type TokensQuery = Static<typeof TokensQuery>;

export const CreateTokenBody = Type.Object(
  {
    name: Text(100, 1),
    scopes: Type.Array(PermissionCode, { minItems: 1, maxItems: 200 }),
    expiresInDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 3650 })),
  },
  { additionalProperties: false },
);
export type CreateTokenBody = Static<typeof CreateTokenBody>;

export const CreatedToken = Type.Object({ ...Token.properties, token: Type.String({ description: 'The secret; shown only in this response' }) });

/** Roles, permissions, user accounts and API tokens. */
export const adminRoutes: FastifyPluginAsyncTypebox = async (app) => {
  // ---- Permissions and roles ----
  app.get(
    '/api/v1/permissions',
    { config: { permission: 'roles:read' }, schema: { tags: ['admin'], response: { 200: Type.Object({ items: Type.Array(PermissionItem) }), ...Responses } } },
    async (request) => listPermissions(ctxOf(app, request)),
  );

  app.get(
    '/api/v1/roles',
    { config: { permission: 'roles:read' }, schema: { tags: ['admin'], response: { 200: Type.Object({ items: Type.Array(Role) }), ...Responses } } },
    async (request) => listRoles(ctxOf(app, request)),
  );

  app.post(
    '/api/v1/roles',
    { config: { permission: 'roles:write' }, schema: { tags: ['admin'], body: CreateRoleBody, response: { 201: Role, ...Responses } } },
    async (request, reply) => reply.status(201).send(await createRole(ctxOf(app, request), request.body)),
  );

  app.patch(
    '/api/v1/roles/:id',
    { config: { permission: 'roles:write' }, schema: { tags: ['admin'], params: IdParams, body: UpdateRoleBody, response: { 200: Role, ...Responses } } },
    async (request) => {
      const { version, ...rest } = request.body;
      return updateRole(ctxOf(app, request), { ...rest, id: request.params.id, version: expectedVersion(request, version) });
    },
  );

  app.delete(
    '/api/v1/roles/:id',
    { config: { permission: 'roles:write' }, schema: { tags: ['admin'], params: IdParams, response: { 204: Type.Null(), ...Responses } } },
    async (request, reply) => {
      await deleteRole(ctxOf(app, request), request.params.id);
      return reply.status(204).send(null);
    },
  );

  // ---- Users ----
  app.get(
    '/api/v1/users',
    // roles:read (access reviews) or users:write (account administration); the service checks either.
    { config: { authenticated: true }, schema: { tags: ['admin'], querystring: UsersQuery, response: { 200: Page(User), ...Responses } } },
    async (request) => listUsers(ctxOf(app, request), { ...request.query, limit: request.query.limit ?? 50 }),
  );

  app.post(
    '/api/v1/users',
    { config: { permission: 'users:write' }, schema: { tags: ['admin'], body: CreateUserBody, response: { 201: User, ...Responses } } },
    async (request, reply) => reply.status(201).send(await createUser(ctxOf(app, request), request.body)),
  );

  app.patch(
    '/api/v1/users/:id',
    { config: { permission: 'users:write' }, schema: { tags: ['admin'], params: IdParams, body: UpdateUserBody, response: { 200: User, ...Responses } } },
    async (request) => {
      const { version, ...rest } = request.body;
      return updateUser(ctxOf(app, request), { ...rest, id: request.params.id, version: expectedVersion(request, version) });
    },
  );

  app.post(
    '/api/v1/users/:id/reset-password',
    { config: { permission: 'users:write' }, schema: { tags: ['admin'], params: IdParams, body: ResetPasswordBody, response: { 200: User, ...Responses } } },
    async (request) => resetUserPassword(ctxOf(app, request), { id: request.params.id, password: request.body.password }),
  );

  app.post(
    '/api/v1/users/:id/unlock',
    { config: { permission: 'users:write' }, schema: { tags: ['admin'], params: IdParams, response: { 200: User, ...Responses } } },
    async (request) => unlockUser(ctxOf(app, request), { id: request.params.id }),
  );

  // ---- API tokens ----
  app.get(
    '/api/v1/tokens',
    // tokens:own for one's own tokens, tokens:manage for all=true; the service decides.
    { config: { authenticated: true }, schema: { tags: ['admin'], querystring: TokensQuery, response: { 200: Type.Object({ items: Type.Array(Token) }), ...Responses } } },
    async (request) => listTokens(ctxOf(app, request), { all: request.query.all ?? false }),
  );

  app.post(
    '/api/v1/tokens',
    { config: { permission: 'tokens:own' }, schema: { tags: ['admin'], body: CreateTokenBody, response: { 201: CreatedToken, ...Responses } } },
    async (request, reply) => reply.status(201).header('cache-control', 'no-store').send(await createToken(ctxOf(app, request), request.body)),
  );

  app.delete(
    '/api/v1/tokens/:id',
    { config: { authenticated: true }, schema: { tags: ['admin'], params: IdParams, response: { 204: Type.Null(), ...Responses } } },
    async (request, reply) => {
      await revokeToken(ctxOf(app, request), { id: request.params.id });
      return reply.status(204).send(null);
    },
  );
};

/**
 * Records when an API token was last used (at most once a minute per token). Registered on the root
 * instance (not encapsulated) before the other route plugins, so it sees every API request after auth.
 */
export async function tokenUsageTracking(app: FastifyInstance): Promise<void> {
  // A callback hook on the routes that need a sign-in only (public ones, such as health probes, skip it):
  // most requests are not made with an API token and must not pay for a promise here.
  const touch: onRequestHookHandler = (request, _reply, done) => {
    if (request.actor?.kind !== 'token' || !request.authToken) return done();
    touchTokenUsage(app.deps.db, request.authToken, (app.deps.now ?? (() => new Date()))()).then(
      () => done(),
      (e: unknown) => {
        // Bookkeeping only: a failed write must never fail the request it describes.
        request.log.warn({ err: e }, 'could not record API token use');
        done();
      },
    );
  };
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/api/') || (route.config as { public?: boolean } | undefined)?.public) return;
    route.onRequest = [...[route.onRequest ?? []].flat(), touch];
  });
}
// Fastify's documented opt-out of encapsulation (what fastify-plugin sets): the hook applies app-wide.
(tokenUsageTracking as unknown as Record<symbol, boolean>)[Symbol.for('skip-override')] = true;
