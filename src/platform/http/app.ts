import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../paths.ts';
import fastifyHelmet, { type FastifyHelmetOptions } from '@fastify/helmet';
import fastifyMultipart from '@fastify/multipart';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { FastifyPluginAsyncTypebox, TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { parseCookie } from 'cookie';
import Fastify, { type FastifyBaseLogger, type FastifyContextConfig, type FastifyInstance, type FastifyReply, type FastifyRequest, type HookHandlerDoneFunction } from 'fastify';
import type { Config } from '../../config.ts';
import type { Actor, Ctx } from '../auth/actor.ts';
import { grants } from '../auth/permissions.ts';
import { cachedActor, resolveToken, SESSION_COOKIE } from '../auth/service.ts';
import type { Database } from '../db/client.ts';
import { AppError, errorTitle, localeFrom, type ErrorCode, type Locale } from './errors.ts';
import { registerIdempotency } from './idempotency.ts';
import { createRateLimiter } from './rateLimit.ts';
import { lazySerializers } from './serialization.ts';
import { toFieldErrors, validatorCompiler } from './validation.ts';

export type App = FastifyInstance<Server, IncomingMessage, ServerResponse, FastifyBaseLogger, TypeBoxTypeProvider>;

export interface AppDeps {
  config: Config;
  db: Database;
  /** Injectable clock: tests move time to fire SLA timers and expiries. */
  now?: () => Date;
}

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor | null;
    locale: Locale;
    /** Session or API token that authenticated the request (for logout). */
    authToken: string | null;
    authVia: 'cookie' | 'bearer' | null;
  }
  interface FastifyContextConfig {
    /** Permission the route requires; checked before the handler. */
    permission?: string;
    /** Route needs no sign-in (health, login, docs). */
    public?: boolean;
    /** Route needs a signed-in user but no particular permission (me, own inbox). */
    authenticated?: boolean;
    /** Per-route rate limit (requests per minute per IP), e.g. login. */
    rateLimitPerMinute?: number;
    /** A liveness probe (health), polled by load balancers: no rate limit, only the nosniff header (+HSTS). */
    probe?: boolean;
    /** Worked out at start from `rateLimitPerMinute` (onRoute); undefined for routes that are not /api/. */
    rateLimit?: RouteRateLimit;
  }
  interface FastifyInstance {
    deps: AppDeps;
  }
}

/** The service context for a request: db, actor, clock, client IP, locale. */
export function ctxOf(app: FastifyInstance, request: FastifyRequest): Ctx {
  if (!request.actor) throw new AppError('unauthenticated');
  return { db: app.deps.db, actor: request.actor, now: app.deps.now ?? (() => new Date()), ip: request.ip, locale: request.locale };
}

const webDist = path.join(projectRoot, 'web', 'dist');

function sendProblem(request: FastifyRequest, reply: FastifyReply, err: AppError): FastifyReply {
  const locale = request.locale ?? 'zh-CN';
  return reply
    .status(err.status)
    .type('application/problem+json; charset=utf-8')
    .send({
      // Extension members first: a module's `status` or `type` must never replace the problem's own.
      ...(err.extra ?? {}),
      type: `https://safeloop.dev/problems/${err.code}`,
      title: errorTitle(err.code, locale),
      status: err.status,
      code: err.code,
      detail: err.message === err.code ? errorTitle(err.code, locale) : err.message,
      instance: request.url.split('?')[0],
      ...(err.errors ? { errors: err.errors } : {}),
    });
}

interface FastifyishError {
  code?: string;
  statusCode?: number;
  validation?: Parameters<typeof toFieldErrors>[0];
  validationContext?: string;
  message: string;
}

/** Maps framework errors (validation, body size, content type, JSON syntax) to our stable codes. */
function toAppError(error: FastifyishError): AppError {
  if (error.validation) {
    const errors = toFieldErrors(error.validation, error.validationContext ?? 'body');
    return new AppError('validation_failed', errors.map((e) => e.message).join('; '), { errors });
  }
  const byFastifyCode: Record<string, ErrorCode> = {
    FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
    FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
    FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'bad_request',
    FST_ERR_CTP_EMPTY_JSON_BODY: 'bad_request',
    FST_ERR_CTP_INVALID_JSON_BODY: 'bad_request',
    FST_INVALID_MULTIPART_CONTENT_TYPE: 'unsupported_media_type',
    FST_REQ_FILE_TOO_LARGE: 'payload_too_large',
    FST_FILES_LIMIT: 'payload_too_large',
    FST_PARTS_LIMIT: 'payload_too_large',
    FST_ERR_RATE_LIMIT: 'rate_limited',
  };
  const mapped = error.code ? byFastifyCode[error.code] : undefined;
  if (mapped) return new AppError(mapped, error.message);
  if (error.statusCode === 429) return new AppError('rate_limited');
  if (error.statusCode === 413) return new AppError('payload_too_large');
  if (error.statusCode === 415) return new AppError('unsupported_media_type');
  if (error instanceof SyntaxError || (error.statusCode && error.statusCode >= 400 && error.statusCode < 500)) {
    return new AppError('bad_request', error.message);
  }
  return new AppError('internal');
}

/**
 * The headers @fastify/helmet sets with `options`, read once from a throw-away instance, names in their
 * original case. Only valid for static options: with CSP nonces or function directives the headers differ
 * per request and the plugin itself must be registered instead.
 */
async function helmetHeaders(options: FastifyHelmetOptions): Promise<[string, string | number | readonly string[]][]> {
  if (options.enableCSPNonces) throw new Error('helmetHeaders: CSP nonces differ per request; register @fastify/helmet instead');
  const probe = Fastify({ logger: false });
  const headers: [string, string | number | readonly string[]][] = [];
  let recording = true;
  // Registered before the plugin, so it runs first and records every header helmet sets, as it sets it,
  // until the handler runs (sending the reply sets content-type and length, which are not helmet's).
  probe.addHook('onRequest', (_request, reply, done) => {
    const raw = reply.raw;
    const setHeader = raw.setHeader.bind(raw);
    raw.setHeader = (name: string, value: string | number | readonly string[]) => {
      if (recording) headers.push([name, value]);
      return setHeader(name, value);
    };
    done();
  });
  await probe.register(fastifyHelmet, options);
  probe.get('/', async () => {
    recording = false;
    return '';
  });
  await probe.inject({ method: 'GET', url: '/' });
  await probe.close();
  if (headers.length === 0) throw new Error('helmetHeaders: @fastify/helmet set no headers');
  return headers;
}

/**
 * Registers a route plugin with multipart/form-data parsing. Only plugins with upload routes (files,
 * Excel imports) get the parser: it adds async hooks to every request of the scope it is registered in,
 * which cost a measurable share of small API requests (bench/README.md). A multipart body sent to any
 * other route is refused with 415 unsupported_media_type.
 */
export function withUploads(plugin: FastifyPluginAsyncTypebox): FastifyPluginAsyncTypebox {
  return async (scope) => {
    const { config } = scope.deps;
    await scope.register(fastifyMultipart, { limits: { fileSize: config.maxUploadMb * 1024 * 1024, files: 10, fields: 20, parts: 30 } });
    await scope.register(plugin);
  };
}

/** A route's rate limit: the bucket it counts in (per IP) and the requests per minute allowed; null: none. */
type RouteRateLimit = { bucket: string; max: number } | null;

export async function buildApp(deps: AppDeps): Promise<App> {
  const { config } = deps;
  const generalLimit: RouteRateLimit = { bucket: 'general', max: config.rateLimitPerMinute };
  const limiter = createRateLimiter({ windowMs: 60_000, maxKeys: 100_000 });
  const app = Fastify({
    logger: config.logLevel === 'silent' ? false : { level: config.logLevel, redact: ['req.headers.authorization', 'req.headers.cookie'] },
    trustProxy: config.trustProxy,
    bodyLimit: 2 * 1024 * 1024,
    schemaController: { compilersFactory: { buildSerializer: lazySerializers } },
  }).withTypeProvider<TypeBoxTypeProvider>();
  app.decorate('deps', deps);
  app.setValidatorCompiler(validatorCompiler);
  app.decorateRequest('actor', null);
  app.decorateRequest('locale', 'zh-CN');
  app.decorateRequest('authToken', null);
  app.decorateRequest('authVia', null);

  // Every route must say who may call it: a forgotten permission is a bug caught at start, not in production.
  app.addHook('onRoute', (route) => {
    const c = route.config as { permission?: string; public?: boolean; authenticated?: boolean; rateLimitPerMinute?: number; probe?: boolean } | undefined;
    const isStaticOrDocs = route.url.startsWith('/docs') || !route.url.startsWith('/api/');
    if (isStaticOrDocs) {
      route.config = { ...(route.config ?? {}), public: true } as typeof route.config;
      return;
    }
    if (!c || (!c.permission && !c.public && !c.authenticated)) {
      throw new Error(`route ${route.method} ${route.url} declares no permission, public or authenticated`);
    }
    // Rate limits per route, worked out once here: a route with its own limit (login, public tracking) counts
    // in a bucket of its own per IP; the others share the general bucket. Health probes from load balancers
    // are frequent and cheap; limiting them would only cause false alarms.
    const routeConfig = route.config as FastifyContextConfig;
    if (c.probe) routeConfig.rateLimit = null;
    else if (c.rateLimitPerMinute) routeConfig.rateLimit = { bucket: `${String(route.method)} ${route.url}`, max: c.rateLimitPerMinute };
    else routeConfig.rateLimit = generalLimit;
  });

  app.setErrorHandler((error: FastifyishError, request, reply) => {
    const appError = error instanceof AppError ? error : toAppError(error);
    if (appError.status >= 500) request.log.error({ err: error }, 'request failed');
    return sendProblem(request, reply, appError);
  });
  app.setNotFoundHandler((request, reply) => {
    if (!request.url.startsWith('/api/') && request.method === 'GET' && fs.existsSync(path.join(webDist, 'index.html'))) {
      // Client-side routes of the single-page web app.
      return reply.type('text/html; charset=utf-8').sendFile('index.html');
    }
    return sendProblem(request, reply, new AppError('not_found', `no route ${request.method} ${request.url.split('?')[0]}`));
  });

  // Security headers, static (no CSP nonces, no per-request directives). @fastify/helmet rebuilds helmet's
  // middleware chain and re-parses the CSP on every request, which cost a third of the time of a small API
  // response (bench/README.md); so the headers are taken once from the plugin itself and set by the first
  // onRequest hook (below, with authentication), on the raw response as helmet does.
  // Two sets: pages (the web app, /docs) get helmet's full set; /api/ responses, which browsers never render
  // as documents, get what protects data (OWASP REST Security Cheat Sheet): no sniffing, no framing, no
  // cross-origin reads. The document-only headers cost a third of the throughput of a small JSON response
  // (bench/README.md) and protect nothing there. HSTS only when served over HTTPS: browsers ignore it on
  // plain HTTP (RFC 6797 §8.1), and a plant intranet on http:// must not be pinned to https by accident.
  const https = config.publicUrl.startsWith('https:');
  const documentHeaders = await helmetHeaders({
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        // Ant Design injects its CSS-in-JS styles at run time.
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        mediaSrc: ["'self'", 'blob:'],
        scriptSrc: ["'self'"],
        connectSrc: ["'self'"],
        workerSrc: ["'self'", 'blob:'],
        frameAncestors: ["'none'"],
        // Not on plain HTTP: it would make browsers fetch every asset of a http:// intranet site over https.
        upgradeInsecureRequests: https ? [] : null,
      },
    },
    // Photos and thumbnails are fetched by the web app from the same origin.
    crossOriginResourcePolicy: { policy: 'same-origin' },
    strictTransportSecurity: https,
  });
  const apiHeaders: (readonly [string, string])[] = [
    ['Content-Security-Policy', "frame-ancestors 'none'"],
    ['Cross-Origin-Resource-Policy', 'same-origin'],
    ['X-Content-Type-Options', 'nosniff'],
    ...(https ? [['Strict-Transport-Security', 'max-age=31536000; includeSubDomains'] as const] : []),
  ];
  // The liveness probe answers a constant `{"status":"ok"}` to load balancers many times a minute: no data to
  // protect from framing or cross-origin reads, so only nosniff (every header costs each probe, bench/README.md).
  const probeHeaders = apiHeaders.filter(([name]) => name === 'X-Content-Type-Options' || name === 'Strict-Transport-Security');
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'SafeLoop API', version: '1', description: 'SafeLoop work-safety management system. Errors are RFC 9457 problem+json.' },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer' },
          cookie: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE },
        },
      },
      security: [{ bearer: [] }, { cookie: [] }],
    },
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs' });

  // Authentication: cookie (web) or Authorization: Bearer (API, phones, integrations). A callback hook that
  // stays synchronous when there is no token or its actor is cached (nearly every request): an async hook
  // costs a promise and a microtask turn on every request (bench/README.md).
  const authorize = (request: FastifyRequest, cfg: FastifyContextConfig, via: 'cookie' | 'bearer' | null): AppError | null => {
    // Pages of the web app (the not-found handler serves index.html for client-side routes) are public: the
    // app itself sends a signed-out visitor to the login page. Only /api/ needs a session.
    if (cfg.public || !request.url.startsWith('/api/')) return null;
    if (!request.actor) return new AppError('unauthenticated');
    // CSRF: a cookie-authenticated write must come from our own origin (the cookie is also SameSite=Strict).
    if (via === 'cookie' && request.method !== 'GET' && request.method !== 'HEAD' && request.method !== 'OPTIONS') {
      const origin = request.headers.origin;
      const host = request.headers.host;
      // An origin that is no URL ("null" from sandboxed frames) is as foreign as another site.
      if (origin && host && URL.parse(origin)?.host !== host) return new AppError('forbidden', 'cross-site request refused');
    }
    if (cfg.permission && !grants(request.actor.permissions, cfg.permission)) {
      return new AppError('forbidden', `missing permission ${cfg.permission}`, { extra: { permission: cfg.permission } });
    }
    return null;
  };
  /**
   * Counts the request against its route's limit and answers 429 when it is over (then true). Signed-in
   * requests count per user, others per client IP: a plant's phones often share one NAT address, and one
   * busy user must not use up the limit of everyone behind it. API pages only: the web app's static files are
   * immutable, cached by the browser and cheap.
   */
  const limited = (request: FastifyRequest, reply: FastifyReply, cfg: FastifyContextConfig, who: string): boolean => {
    // Unmatched /api/ URLs (404) count against the general limit: probing for routes is traffic like any other.
    const limit = cfg.rateLimit !== undefined ? cfg.rateLimit : request.url.startsWith('/api/') ? generalLimit : null;
    if (!limit) return false;
    const retryAfter = limiter.hit(limit.bucket, who, limit.max, Date.now());
    if (retryAfter === null) return false;
    reply.header('retry-after', String(retryAfter));
    void sendProblem(request, reply, new AppError('rate_limited', `rate limit ${limit.max} per minute exceeded`, { extra: { retryAfterSeconds: retryAfter } }));
    return true;
  };
  /** The rest of authentication once the token's actor is known (null: no token, or one that is not valid). */
  const finishAuth = (
    request: FastifyRequest,
    reply: FastifyReply,
    done: HookHandlerDoneFunction,
    cfg: FastifyContextConfig,
    token: string | null,
    via: 'cookie' | 'bearer' | null,
    actor: Actor | null,
    counted: boolean,
  ): void => {
    if (actor && token) {
      request.actor = actor;
      request.authToken = token;
      request.authVia = via;
    }
    if (!counted && limited(request, reply, cfg, actor ? `user:${actor.userId ?? actor.tenantId}` : `ip:${request.ip}`)) return;
    const refused = authorize(request, cfg, via);
    if (refused) void sendProblem(request, reply, refused);
    else done();
  };
  // The first hook of every request: security headers, locale, authentication, rate limit, permission. One
  // hook, because each hook a request passes costs it; no closures are made per request on the common path
  // (a cached or absent token): under tsx every function created also gets its name defined on it, which
  // showed in the profile of /health.
  app.addHook('onRequest', (request, reply, done) => {
    // Read once: `routeOptions` builds a new object on every access.
    const cfg = request.routeOptions.config;
    if (cfg.probe) {
      // A probe is public, unlimited and never reads a token: its headers and nothing else.
      for (const [name, value] of probeHeaders) reply.raw.setHeader(name, value);
      return done();
    }
    for (const [name, value] of request.url.startsWith('/api/') ? apiHeaders : documentHeaders) reply.raw.setHeader(name, value);
    request.locale = localeFrom(request.headers['accept-language']);
    const auth = request.headers.authorization;
    let token: string | null = null;
    let via: 'cookie' | 'bearer' | null = null;
    if (auth?.startsWith('Bearer ')) {
      token = auth.slice(7).trim();
      via = 'bearer';
    } else if (request.headers.cookie) {
      // Parsed here only, and only without a bearer token: a cookie plugin's own parse and Set-Cookie hooks
      // would run on every request (bench/README.md).
      token = parseCookie(request.headers.cookie)[SESSION_COOKIE] ?? null;
      if (token) via = 'cookie';
    }
    if (!token) return finishAuth(request, reply, done, cfg, null, null, null, false);
    const now = (deps.now ?? (() => new Date()))();
    const cached = cachedActor(token, now);
    if (cached !== undefined) return finishAuth(request, reply, done, cfg, token, via, cached, false);
    // A token to look up in the database: counted per IP before the lookup, so a flood of made-up tokens is
    // refused without reaching the database; a valid one then counts for its user as well.
    if (limited(request, reply, cfg, `ip:${request.ip}`)) return;
    resolveToken(deps.db, token, now).then((actor) => finishAuth(request, reply, done, cfg, token, via, actor, actor === null), done);
  });

  registerIdempotency(app);

  if (fs.existsSync(path.join(webDist, 'index.html'))) {
    await app.register(fastifyStatic, { root: webDist, prefix: '/', wildcard: false, index: ['index.html'] });
  }
  return app as unknown as App;
}
