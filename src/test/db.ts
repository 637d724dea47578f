import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openPglite, openPostgres, type Database } from '../platform/db/client.ts';
import { migratedPgliteTemplate, migrationsHash } from './pgliteTemplate.ts';

/**
 * A freshly migrated database for one test file: in-memory PGlite by default, or a brand-new database on
 * the PostgreSQL server named by TEST_DATABASE_URL (dropped again on close), so files never share state.
 */
export async function openTestDatabase(): Promise<Database & { url: string | null }> {
  const serverUrl = process.env.TEST_DATABASE_URL;
  if (!serverUrl) {
    const db = await openPglite(null, { loadDataDir: await migratedPgliteTemplate() });
    return Object.assign(db, { url: null });
  }
  const name = `sl_test_${randomBytes(6).toString('hex')}`;
  const template = await migratedPostgresTemplate(serverUrl);
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const db = await openPostgres(url.toString(), 5);
  return {
    kind: db.kind,
    tx: db.tx,
    read: db.read,
    url: url.toString(),
    close: async () => {
      await db.close();
      const c = new pg.Client({ connectionString: serverUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

/** Any number will do as long as nothing else takes it: the workers of one test run make the template once. */
const TEMPLATE_LOCK = 727_276;

/**
 * A migrated database on the test server to copy each test file's database from (CREATE DATABASE …
 * TEMPLATE is a file copy, far quicker than running the migrations again), made once per set of migrations;
 * templates of other migrations are dropped. The advisory lock makes concurrent workers wait for one maker.
 */
async function migratedPostgresTemplate(serverUrl: string): Promise<string> {
  const template = `sl_template_${migrationsHash()}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query('SELECT pg_advisory_lock($1)', [TEMPLATE_LOCK]);
    const { rows } = await admin.query<{ datname: string }>("SELECT datname FROM pg_database WHERE datname LIKE 'sl_template_%'");
    if (rows.some((r) => r.datname === template)) return template;
    for (const r of rows) await admin.query(`DROP DATABASE IF EXISTS ${r.datname} WITH (FORCE)`);
    const building = `${template}_building`;
    await admin.query(`DROP DATABASE IF EXISTS ${building} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${building}`);
    const url = new URL(serverUrl);
    url.pathname = `/${building}`;
    const db = await openPostgres(url.toString(), 1);
    await db.close();
    // Renamed only once complete: a run that crashed half-way leaves no template that looks ready.
    await admin.query(`ALTER DATABASE ${building} RENAME TO ${template}`);
    return template;
  } finally {
    await admin.query('SELECT pg_advisory_unlock($1)', [TEMPLATE_LOCK]).catch(() => undefined);
    await admin.end();
  }
}
