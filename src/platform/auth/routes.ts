import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { stringifySetCookie } from 'cookie';
import type { Config } from '../../config.ts';
import { ctxOf } from '../http/app.ts';
import { AppError } from '../http/errors.ts';
import { ProblemResponses } from '../http/schemas.ts';
import { describeMe, login, logout, SESSION_COOKIE } from './service.ts';

/**
 * The web session cookie: HTTP-only (no script reads it), SameSite=Strict (no cross-site request carries it;
 * the auth hook checks Origin on writes as well), Secure when served over https. An empty value that expired
 * in 1970 removes it.
 */
function sessionCookie(config: Config, token: string, expires: Date): string {
  return stringifySetCookie({ name: SESSION_COOKIE, value: token, httpOnly: true, sameSite: 'strict', secure: config.publicUrl.startsWith('https:'), path: '/', expires });
}

export const LoginBody = Type.Object(
  {
    username: Type.String({ minLength: 1, maxLength: 100, description: 'Username or mobile phone number' }),
    password: Type.String({ minLength: 1, maxLength: 200 }),
  },
  { additionalProperties: false },
);

export const MeResponse = Type.Object({
  id: Type.String(),
  username: Type.String(),
  displayName: Type.String(),
  phone: Type.Union([Type.String(), Type.Null()]),
  locale: Type.Union([Type.String(), Type.Null()]),
  tenantId: Type.String(),
  personId: Type.Union([Type.String(), Type.Null()]),
  orgUnit: Type.Union([Type.Object({ id: Type.String(), name: Type.String(), kind: Type.String(), path: Type.String() }), Type.Null()]),
  position: Type.Union([Type.Object({ id: Type.String(), name: Type.String() }), Type.Null()]),
  roles: Type.Array(Type.String()),
  permissions: Type.Array(Type.String()),
  dataScope: Type.Object({ scope: Type.String(), rootPath: Type.Union([Type.String(), Type.Null()]) }),
});

export const LoginResponse = Type.Object({ token: Type.String(), expiresAt: Type.String(), user: MeResponse });

export const authRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/api/v1/health',
    { config: { public: true, probe: true }, schema: { tags: ['system'], response: { 200: Type.Object({ status: Type.Literal('ok') }) } } },
    // Not async: a load balancer polls this, and a promise per probe is pure overhead.
    (_request, reply) => {
      void reply.send({ status: 'ok' as const });
    },
  );

  app.post(
    '/api/v1/auth/login',
    {
      // Per-IP limit on top of the per-account lockout: stops password spraying across many accounts.
      config: { public: true, rateLimitPerMinute: 20 },
      schema: { tags: ['auth'], body: LoginBody, response: { 200: LoginResponse, ...ProblemResponses } },
    },
    async (request, reply) => {
      const { config, db } = app.deps;
      const now = (app.deps.now ?? (() => new Date()))();
      const result = await login(db, config, now, {
        username: request.body.username,
        password: request.body.password,
        ip: request.ip,
        userAgent: request.headers['user-agent'] ?? null,
      });
      request.actor = result.actor;
      void reply.header('set-cookie', sessionCookie(config, result.token, result.expiresAt));
      const user = await describeMe(ctxOf(app, request));
      return { token: result.token, expiresAt: result.expiresAt.toISOString(), user };
    },
  );

  app.post(
    '/api/v1/auth/logout',
    { config: { authenticated: true }, schema: { tags: ['auth'], response: { 204: Type.Null(), ...ProblemResponses } } },
    async (request, reply) => {
      if (!request.authToken) throw new AppError('unauthenticated');
      await logout(ctxOf(app, request), request.authToken);
      void reply.header('set-cookie', sessionCookie(app.deps.config, '', new Date(0)));
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/v1/me',
    { config: { authenticated: true }, schema: { tags: ['auth'], response: { 200: MeResponse, ...ProblemResponses } } },
    async (request) => describeMe(ctxOf(app, request)),
  );
};
