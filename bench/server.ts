/**
 * A server under load, run in its own process by bench/lib.ts `startServer`:
 *   bare                      plain Fastify, one `GET /hello` → {"status":"ok"} (the baseline)
 *   safeloop pglite <dir>     the real app (createServer: every plugin and hook) on PGlite in <dir>
 *   safeloop postgres <url>   the same on a PostgreSQL database
 * The SafeLoop targets seed the demo company first (so there are users to log in as). Logging is off.
 * Reports `{ port }` to the parent over IPC once listening, answers 'cpu' with its CPU time; stops on SIGTERM.
 */
import Fastify from 'fastify';
import { loadConfig } from '../src/config.ts';
import { seedDemoIfEmpty } from '../src/demo/seed.ts';
import { openPglite, openPostgres, type Database } from '../src/platform/db/client.ts';
import { syncAllTenantsRoles } from '../src/platform/org/tenants.ts';
import { createServer } from '../src/server.ts';

interface Listening {
  port: number;
  close(): Promise<void>;
}

async function bare(): Promise<Listening> {
  const app = Fastify({ logger: false });
  app.get('/hello', async () => ({ status: 'ok' }));
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  return { port: typeof address === 'object' && address ? address.port : 0, close: () => app.close() };
}

async function safeloop(kind: string, target: string): Promise<Listening> {
  let db: Database;
  // As main.ts opens it in production (NODE_ENV=production below): without the nesting guard.
  if (kind === 'pglite') db = await openPglite(target, { nestingGuard: false });
  else if (kind === 'postgres') db = await openPostgres(target, 10, { nestingGuard: false });
  else throw new Error(`unknown db ${kind}: use pglite or postgres`);
  await seedDemoIfEmpty(db);
  await syncAllTenantsRoles(db);
  const config = loadConfig({
    NODE_ENV: 'production',
    LOG_LEVEL: 'silent',
    DEMO: 'false',
    DATA_DIR: kind === 'pglite' ? target : '/tmp/safeloop-bench',
    // The rate-limit hook still runs on every request (its cost is part of what we measure); the limit is
    // only raised so that 50 connections from one IP are not answered with 429 after 600 requests.
    RATE_LIMIT_PER_MINUTE: '1000000',
  });
  const app = await createServer({ config, db });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    close: async () => {
      await app.close();
      await db.close();
    },
  };
}

async function main(): Promise<void> {
  const [what, kind, target] = process.argv.slice(2);
  const server = what === 'bare' ? await bare() : what === 'safeloop' && kind && target ? await safeloop(kind, target) : null;
  if (!server) throw new Error('usage: server.ts bare | safeloop pglite <dir> | safeloop postgres <url>');
  process.on('SIGTERM', () => {
    void server.close().finally(() => process.exit(0));
  });
  // Also stop when the parent dies without telling us.
  process.on('disconnect', () => {
    void server.close().finally(() => process.exit(0));
  });
  // The parent asks for our CPU time around each measured run: CPU per request is steadier than req/s on a
  // machine shared with other work.
  process.on('message', (m: unknown) => {
    if (m === 'cpu') {
      const u = process.cpuUsage();
      process.send?.({ cpuMicros: u.user + u.system });
    }
  });
  // Run by hand (e.g. under --cpu-prof) there is no parent to tell: print the port instead.
  if (process.send) process.send({ port: server.port });
  else console.log(`listening on http://127.0.0.1:${server.port}`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
