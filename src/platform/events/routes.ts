import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { resolveToken } from '../auth/service.ts';
import { AppError } from '../http/errors.ts';
import { ProblemResponses } from '../http/schemas.ts';
import { openStream, streamCounts, streamSettings } from './stream.ts';

export const StreamQuery = Type.Object(
  {
    /** For clients that cannot set the Last-Event-ID header on their first request. */
    lastEventId: Type.Optional(Type.String({ maxLength: 100 })),
  },
  { additionalProperties: false },
);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const streamRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const open = new Set<() => void>();
  // Open streams would keep `app.close()` waiting forever: end them first.
  app.addHook('preClose', async () => {
    for (const close of [...open]) close();
  });

  app.get(
    '/api/v1/stream',
    {
      // EventSource cannot set headers, but it sends the session cookie, which the auth hook accepts.
      config: { authenticated: true },
      schema: {
        tags: ['events'],
        summary: 'Server-Sent Events for the signed-in user: `event: notification`, `event: ping` every 25 s',
        querystring: StreamQuery,
        response: { 200: Type.String({ description: 'text/event-stream' }), ...ProblemResponses },
      },
    },
    async (request, reply) => {
      const actor = request.actor;
      const userId = actor?.userId;
      if (!actor || !userId) throw new AppError('unauthenticated');
      if (streamCounts().total >= streamSettings.maxTotal) throw new AppError('rate_limited', 'too many open streams on this server; retry later');
      const header = request.headers['last-event-id'];
      const rawLast = (typeof header === 'string' ? header : request.query.lastEventId)?.trim() ?? null;
      const lastEventId = rawLast && UUID.test(rawLast) ? rawLast : null;
      const token = request.authToken;
      const db = app.deps.db;
      const now = app.deps.now ?? (() => new Date());

      // From here on we write the raw response ourselves; Fastify's serializers do not apply.
      reply.hijack();
      const res = reply.raw;
      request.raw.socket.setNoDelay(true);
      request.raw.socket.setKeepAlive(true);
      // Keep the headers hooks already set (security headers).
      for (const [name, value] of Object.entries(reply.getHeaders())) {
        if (value !== undefined) res.setHeader(name, typeof value === 'number' ? String(value) : value);
      }
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        // no-transform: compressing proxies would otherwise buffer the stream.
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        // nginx buffers proxied responses unless told not to.
        'x-accel-buffering': 'no',
      });
      // Reconnect after 5 s when the connection drops; the comment line flushes the headers at once.
      res.write(': connected\nretry: 5000\n\n');

      let close: (() => void) | null = null;
      close = await openStream({
        actor: { ...actor, userId },
        res,
        lastEventId,
        read: (fn) => db.read(fn),
        revalidate: token ? async () => (await resolveToken(db, token, now()))?.userId === userId : undefined,
        onClose: () => {
          if (close) open.delete(close);
        },
      });
      if (res.destroyed || res.writableEnded) close();
      else open.add(close);
    },
  );
};
