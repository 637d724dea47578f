import { Type } from '@fastify/type-provider-typebox';
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config.ts';
import { createServer } from '../../server.ts';
import { openTestDatabase } from '../../test/db.ts';
import { makeOrgUnit, makeTenant, makeUser } from '../../test/factories.ts';
import { recordChange } from '../audit/record.ts';
import { auditLog } from '../audit/schema.ts';
import { verifyAuditChain } from '../audit/service.ts';
import { outboxEvents } from '../events/schema.ts';
import { ctxOf, type App } from '../http/app.ts';
import { AppError } from '../http/errors.ts';
import { positions } from '../org/schema.ts';

/**
 * PGlite is a single connection. Without strict serialization, request B's statements run inside request
 * A's open transaction and vanish when A rolls back (or A's half-written state leaks to B). This drives
 * many overlapping HTTP requests whose transactions write, yield to the event loop, then commit or fail,
 * and checks that exactly the committed requests left rows, audit entries and events — nothing more, nothing less.
 */
let app: App;
let db: Awaited<ReturnType<typeof openTestDatabase>>;
let tenantId: string;
let authorization: string;

beforeAll(async () => {
  db = await openTestDatabase();
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', DEMO: 'false', RATE_LIMIT_PER_MINUTE: '100000' });
  app = await createServer({ config, db });
  app.post(
    '/api/v1/test/overlap',
    {
      config: { authenticated: true },
      schema: { body: Type.Object({ n: Type.Integer(), fail: Type.Boolean() }, { additionalProperties: false }) },
    },
    async (request) => {
      const ctx = ctxOf(app, request);
      const { n, fail } = request.body;
      await ctx.db.tx(async (tx) => {
        await tx.insert(positions).values({ tenantId: ctx.actor.tenantId, code: `P${n}`, name: `pos ${n}` });
        // Yield to the event loop mid-transaction so other requests get every chance to interleave.
        await new Promise((r) => setTimeout(r, (n * 7) % 5));
        await recordChange(tx, ctx, { action: 'position.created', entityType: 'position', entityId: `P${n}` }, { type: 'position.created', entityId: `P${n}` });
        await new Promise((r) => setImmediate(r));
        if (fail) throw new AppError('conflict', `request ${n} fails after writing`);
      });
      return { n };
    },
  );
  await app.ready();
  const { tenant, rootUnitId } = await makeTenant(db);
  tenantId = tenant.id;
  const unit = await makeOrgUnit(db, tenantId, rootUnitId, 'plant');
  const u = await makeUser(db, tenantId, unit.id, ['sys_admin']);
  const res = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: u.username, password: u.password } });
  authorization = `Bearer ${res.json().token}`;
});
afterAll(async () => {
  await app.close();
  await db.close();
});

describe('transactions under concurrent requests', () => {
  it('80 overlapping requests: committed ones leave exactly their rows, failed ones leave nothing', async () => {
    const N = 80;
    const results = await Promise.all(
      Array.from({ length: N }, (_, n) =>
        Promise.all([
          app.inject({ method: 'POST', url: '/api/v1/test/overlap', headers: { authorization }, payload: { n, fail: n % 3 === 0 } }),
          // Reads interleaved with the writes must never fail or see a half-done transaction.
          app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization } }),
        ]),
      ),
    );
    const expectedOk = Array.from({ length: N }, (_, n) => n).filter((n) => n % 3 !== 0);
    for (const [n, [write, read]] of results.entries()) {
      expect(read.statusCode).toBe(200);
      expect(write.statusCode).toBe(n % 3 === 0 ? 409 : 200);
    }
    const rows = await db.read((tx) => tx.select({ code: positions.code }).from(positions).where(eq(positions.tenantId, tenantId)));
    expect(rows.map((r) => r.code).sort()).toEqual(expectedOk.map((n) => `P${n}`).sort());
    const audits = await db.read((tx) =>
      tx.select({ id: auditLog.entityId }).from(auditLog).where(and(eq(auditLog.tenantId, tenantId), eq(auditLog.action, 'position.created'))),
    );
    expect(audits.map((a) => a.id).sort()).toEqual(expectedOk.map((n) => `P${n}`).sort());
    const events = await db.read((tx) =>
      tx.select({ n: sql<number>`count(*)::int` }).from(outboxEvents).where(and(eq(outboxEvents.tenantId, tenantId), eq(outboxEvents.type, 'position.created'))),
    );
    expect(events[0]!.n).toBe(expectedOk.length);
    const chain = await db.read((tx) => verifyAuditChain(tx, tenantId));
    expect(chain.ok).toBe(true);
  });

  it('a nested db.tx() inside a transaction fails loudly instead of deadlocking', async () => {
    await expect(db.tx(() => db.tx(async () => 1))).rejects.toThrow(/inside a transaction/);
  });
});
