import { createHash } from 'node:crypto';
import { and, eq, lt } from 'drizzle-orm';
import type { FastifyInstance, FastifyReply, FastifyRequest, onSendHookHandler, preHandlerHookHandler } from 'fastify';
import { AppError } from './errors.ts';
import { idempotencyKeys } from './schema.ts';

/** A claimed key whose request never finished (process crash) is released after this long. */
const PENDING_STALE_MS = 10 * 60_000;
const PENDING = 0;

declare module 'fastify' {
  interface FastifyRequest {
    idempotencyKey: string | null;
  }
}

function requestHash(method: string, url: string, body: unknown): string {
  return createHash('sha256')
    .update(method)
    .update(' ')
    .update(url)
    .update('\n')
    .update(JSON.stringify(body ?? null))
    .digest('hex');
}

/**
 * `Idempotency-Key` on writes (phones retry, offline queues replay): the first request runs and its
 * response is stored; a replay with the same key and same request gets the stored response
 * (`Idempotent-Replayed: true`) without running again; the same key with a different request is refused.
 * The key is claimed before the handler runs, so two concurrent copies cannot both run.
 */
export function registerIdempotency(app: FastifyInstance): void {
  app.decorateRequest('idempotencyKey', null);

  // Route-level hooks on writes only (a GET is never replayed), as callback hooks with a synchronous no-op
  // path: most writes carry no key, and every hook a request passes costs it, an async one the most
  // (bench/README.md).
  const claim: preHandlerHookHandler = (request, reply, done) => {
    const key = request.headers['idempotency-key'];
    if (typeof key !== 'string' || !request.actor?.userId) return done();
    claimKey(request, reply, key).then((replied) => {
      if (!replied) done();
    }, done);
  };
  const store: onSendHookHandler = (request, reply, payload, done) => {
    const key = request.idempotencyKey;
    const userId = request.actor?.userId;
    if (!key || !userId) return done(null, payload);
    request.idempotencyKey = null;
    storeResponse(reply, key, userId, payload).then(() => done(null, payload), done);
  };
  app.addHook('onRoute', (route) => {
    const methods = [route.method].flat();
    if (methods.every((m) => m === 'GET' || m === 'HEAD' || m === 'OPTIONS')) return;
    // First among the route's preHandlers (before any body-reading work), last among its onSend hooks (the
    // stored answer is the one sent).
    route.preHandler = [claim, ...[route.preHandler ?? []].flat()];
    route.onSend = [...[route.onSend ?? []].flat(), store];
  });

  /** Claims the key for this request, or sends the stored response of an earlier one (then true). */
  async function claimKey(request: FastifyRequest, reply: FastifyReply, key: string): Promise<boolean> {
    if (!request.actor?.userId) return false;
    if (key.length < 8 || key.length > 200 || !/^[\w.:-]+$/.test(key)) {
      throw new AppError('bad_request', 'Idempotency-Key: 8 to 200 characters of letters, digits, - _ . :');
    }
    const db = app.deps.db;
    const userId = request.actor.userId;
    const tenantId = request.actor.tenantId;
    const hash = requestHash(request.method, request.url, request.body);
    const now = new Date();
    const outcome = await db.tx(async (tx) => {
      await tx
        .delete(idempotencyKeys)
        .where(and(eq(idempotencyKeys.userId, userId), eq(idempotencyKeys.key, key), eq(idempotencyKeys.statusCode, PENDING), lt(idempotencyKeys.createdAt, new Date(now.getTime() - PENDING_STALE_MS))));
      const inserted = await tx
        .insert(idempotencyKeys)
        .values({ userId, key, tenantId, method: request.method, path: request.url, requestHash: hash, statusCode: PENDING, createdAt: now })
        .onConflictDoNothing()
        .returning({ key: idempotencyKeys.key });
      if (inserted.length > 0) return { kind: 'claimed' as const };
      const [row] = await tx.select().from(idempotencyKeys).where(and(eq(idempotencyKeys.userId, userId), eq(idempotencyKeys.key, key)));
      return { kind: 'existing' as const, row };
    });
    if (outcome.kind === 'claimed') {
      request.idempotencyKey = key;
      return false;
    }
    const row = outcome.row;
    if (!row) return false;
    if (row.requestHash !== hash) throw new AppError('idempotency_key_reused');
    if (row.statusCode === PENDING) throw new AppError('conflict', 'a request with this Idempotency-Key is still running; retry shortly');
    reply.header('idempotent-replayed', 'true');
    void reply.status(row.statusCode).send(row.responseBody);
    return true;
  }

  /** Keeps the response for replays; a 5xx releases the key so the client may retry. */
  async function storeResponse(reply: FastifyReply, key: string, userId: string, payload: unknown): Promise<void> {
    const db = app.deps.db;
    if (reply.statusCode >= 500) {
      // The write did not happen (or its outcome is unknown to the client): let it retry with the same key.
      await db.tx((tx) => tx.delete(idempotencyKeys).where(and(eq(idempotencyKeys.userId, userId), eq(idempotencyKeys.key, key))));
      return;
    }
    let body: unknown = null;
    if (typeof payload === 'string' && payload.length > 0) {
      try {
        body = JSON.parse(payload);
      } catch {
        body = payload;
      }
    }
    await db.tx((tx) =>
      tx.update(idempotencyKeys).set({ statusCode: reply.statusCode, responseBody: body }).where(and(eq(idempotencyKeys.userId, userId), eq(idempotencyKeys.key, key))),
    );
  }
}
