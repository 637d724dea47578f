import { AsyncLocalStorage } from 'node:async_hooks';
import fs from 'node:fs';
import path from 'node:path';
import type { SQL } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { projectRoot } from '../paths.ts';

/** A query handle: a transaction, or (for reads on a server) a pooled connection. Both drivers share it. */
export type Tx = PgDatabase<PgQueryResultHKT>;

export interface Database {
  readonly kind: 'pglite' | 'postgres';
  /** Runs `fn` in one transaction: everything it writes commits together or not at all. */
  tx<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  /** Runs read-only work. On PGlite it is serialized with transactions like everything else. */
  read<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export const migrationsFolder = path.join(projectRoot, 'migrations');

/**
 * FIFO mutex. PGlite is one connection: if request B ran a statement while request A's transaction was
 * open, B's write would silently land inside A's transaction (and roll back with it). So on PGlite every
 * transaction and every read holds this lock for its whole duration.
 */
class Mutex {
  private tail: Promise<void> = Promise.resolve();
  async run<T>(fn: () => Promise<T>): Promise<T> {
    let release!: () => void;
    const next = new Promise<void>((resolve) => (release = resolve));
    const prev = this.tail;
    this.tail = prev.then(() => next);
    await prev;
    try {
      return await fn();
    } finally {
      release();
    }
  }
}

/** Marks the async context of an open transaction so a nested `db.tx()` fails loudly instead of deadlocking. */
const inTx = new AsyncLocalStorage<true>();

export interface OpenOptions {
  /**
   * Refuse `db.tx()`/`db.read()` called inside an open transaction (it would deadlock on PGlite's one
   * connection, or break atomicity on a server). On by default and in every test run; `main.ts` turns it
   * off in production: on Node 20 AsyncLocalStorage enables async hooks for every promise and tick of the
   * process, ~15 % of the CPU of a small API request (bench/README.md), to catch a programming error that the
   * tests, which all run with the guard, already catch.
   */
  nestingGuard?: boolean;
  /** In-memory PGlite only: start from this dumped data directory (PGlite `dumpDataDir`), e.g. a migrated template. */
  loadDataDir?: Blob;
}

/** Runs `fn` marked as inside a transaction, after checking it is not already in one. */
function guarded<T>(on: boolean, fn: () => Promise<T>): Promise<T> {
  if (!on) return fn();
  if (inTx.getStore()) {
    throw new Error('db.tx()/db.read() called inside a transaction: pass the open tx down instead');
  }
  return inTx.run(true, fn);
}

export async function openPglite(dataDir: string | null, opts: OpenOptions = {}): Promise<Database> {
  const guard = opts.nestingGuard ?? true;
  // PGlite does not create its parent folder itself.
  if (dataDir) fs.mkdirSync(dataDir, { recursive: true });
  // Each driver is loaded only when used: an installation runs one of them, and loading both cost start-up time.
  const [{ PGlite }, { drizzle: drizzlePglite }, { migrate: migratePglite }] = await Promise.all([
    import('@electric-sql/pglite'),
    import('drizzle-orm/pglite'),
    import('drizzle-orm/pglite/migrator'),
  ]);
  const client = dataDir ? new PGlite(dataDir) : new PGlite(opts.loadDataDir ? { loadDataDir: opts.loadDataDir } : {});
  await client.waitReady;
  const db = drizzlePglite({ client });
  const mutex = new Mutex();
  await mutex.run(() => migratePglite(db, { migrationsFolder }));
  return {
    kind: 'pglite',
    // The check runs before queueing on the mutex: a nested call must fail at once, not wait for itself.
    tx: (fn) => guarded(guard, () => mutex.run(() => db.transaction((t) => fn(t as unknown as Tx)))),
    read: (fn) => guarded(guard, () => mutex.run(() => fn(db as unknown as Tx))),
    close: async () => {
      await mutex.run(() => client.close());
    },
  };
}

export async function openPostgres(url: string, poolSize = 10, opts: OpenOptions = {}): Promise<Database> {
  const guard = opts.nestingGuard ?? true;
  const [{ default: pg }, { drizzle: drizzlePg }, { migrate: migratePg }] = await Promise.all([
    import('pg'),
    import('drizzle-orm/node-postgres'),
    import('drizzle-orm/node-postgres/migrator'),
  ]);
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  // An idle pooled connection that the server ends (restart, failover, a DBA's pg_terminate_backend) emits
  // 'error' on the pool; unhandled, that would crash the process. The pool drops the connection and opens a
  // new one on the next query, so logging it is all there is to do.
  pool.on('error', (err) => console.warn(`PostgreSQL: an idle connection failed and was dropped: ${err.message}`));
  const db = drizzlePg({ client: pool });
  // Two app instances may start at once: the advisory lock makes migrations run once.
  const conn = await pool.connect();
  try {
    await conn.query('SELECT pg_advisory_lock(727274)');
    await migratePg(drizzlePg({ client: conn }), { migrationsFolder });
  } finally {
    await conn.query('SELECT pg_advisory_unlock(727274)').catch(() => undefined);
    conn.release();
  }
  return {
    kind: 'postgres',
    tx: (fn) => guarded(guard, () => db.transaction((t) => fn(t as unknown as Tx))),
    read: (fn) => guarded(guard, () => fn(db as unknown as Tx)),
    close: () => pool.end(),
  };
}

export function openDatabase(opts: { databaseUrl: string | null; dbDir: string | null } & OpenOptions): Promise<Database> {
  return opts.databaseUrl ? openPostgres(opts.databaseUrl, 10, opts) : openPglite(opts.dbDir, opts);
}

/** Runs raw SQL and returns its rows; both drivers answer `{ rows }`, which the shared Tx type hides. */
export async function queryRows<T>(tx: Tx, query: SQL): Promise<T[]> {
  const result = (await tx.execute(query)) as unknown as { rows: T[] };
  return result.rows;
}
