import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { stringifySetCookie } from 'cookie';
import type { Config } from '../../config.ts';
import { ctxOf } from '../http/app.ts';
import { AppError } from '../http/errors.ts';
import { createRateLimiter } from '../http/rateLimit.ts';
import { ProblemResponses } from '../http/schemas.ts';
import { describeMe, describeMeJson, login, logout, SESSION_COOKIE } from './service.ts';

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

  // Two limits per client IP on top of the per-account lockout (which is counted in the database). Attempts:
  // every login costs an argon2 hash, so one address may not burn the CPU. Failures: a plant's phones often
  // share one NAT address and a whole shift signs in at once, so right passwords are not what is limited;
  // wrong ones are, which is what password spraying across many accounts produces.
  const failures = createRateLimiter({ windowMs: 60_000, maxKeys: 100_000 });
  app.post(
    '/api/v1/auth/login',
    {
      config: { public: true, rateLimitPerMinute: app.deps.config.loginAttemptsPerIpPerMinute },
      schema: { tags: ['auth'], body: LoginBody, response: { 200: LoginResponse, ...ProblemResponses } },
    },
    async (request, reply) => {
      const { config, db } = app.deps;
      const now = (app.deps.now ?? (() => new Date()))();
      const max = config.loginFailuresPerIpPerMinute;
      const blocked = failures.check('login', request.ip, max, Date.now());
      if (blocked !== null) {
        void reply.header('retry-after', String(blocked));
        throw new AppError('rate_limited', `more than ${max} failed logins per minute from this address`, { extra: { retryAfterSeconds: blocked } });
      }
      const result = await login(db, config, now, {
        username: request.body.username,
        password: request.body.password,
        ip: request.ip,
        userAgent: request.headers['user-agent'] ?? null,
      }).catch((err: unknown) => {
        if (err instanceof AppError && (err.code === 'invalid_credentials' || err.code === 'account_locked')) failures.hit('login', request.ip, max, Date.now());
        throw err;
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

  // The body is sent as JSON text made once per cached actor (describeMeJson): Fastify sends a string with a
  // JSON content type as it is, so the route's serializer never runs. The schema still documents the shape
  // (OpenAPI) and tests check the body against it; its TypeScript type is the text actually sent.
  const MeJson = Type.Unsafe<string>(MeResponse);
  app.get(
    '/api/v1/me',
    { config: { authenticated: true }, schema: { tags: ['auth'], response: { 200: MeJson, ...ProblemResponses } } },
    // Not async: once the profile is loaded (nearly every call) the answer is sent without a promise.
    (request, reply) => {
      const json = describeMeJson(ctxOf(app, request));
      void reply.type(JSON_TYPE);
      if (typeof json !== 'string') return json;
      void reply.send(json);
      return undefined;
    },
  );
};

const JSON_TYPE = 'application/json; charset=utf-8';
