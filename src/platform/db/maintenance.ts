import { sql } from 'drizzle-orm';
import { registerJobHandler, registerSchedule } from '../jobs/service.ts';

const ANALYZE_KIND = 'db.analyze';

/**
 * Keeps the planner's statistics fresh on the embedded database. PostgreSQL's autovacuum does this on a
 * server; PGlite runs no background workers, so without it the planner never learns the table sizes and a
 * grown hazard ledger is read with the plans of an empty one (bench/README.md, hazards). Nightly, in the
 * quiet hours of the default zone; a no-op on PostgreSQL.
 */
export function registerDbMaintenance(): void {
  registerJobHandler(ANALYZE_KIND, async ({ db }) => {
    if (db.kind !== 'pglite') return;
    await db.read((tx) => tx.execute(sql`ANALYZE`));
  });
  registerSchedule({ name: 'db.analyze.nightly', cron: '30 3 * * *', kind: ANALYZE_KIND });
}
