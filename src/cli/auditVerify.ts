import { loadConfig } from '../config.ts';
import { verifyAllTenants } from '../platform/audit/verifyAll.ts';
import { openDatabase } from '../platform/db/client.ts';

/**
 * `npm run audit:verify` — checks every tenant's audit hash chain against the configured database
 * (DATABASE_URL or the embedded one). Exit code 0 = intact, 1 = tampering found, 2 = could not run.
 * Meant for cron on the server and for auditors who do not trust the running app.
 */
async function run(): Promise<number> {
  const config = loadConfig();
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dbDir: config.dbDir });
  try {
    const results = await verifyAllTenants(db);
    let bad = 0;
    for (const r of results) {
      const state = r.ok ? 'OK' : 'TAMPERED';
      console.log(`${state.padEnd(9)} ${r.tenantCode.padEnd(12)} ${r.checked} entries, head at ${r.headSeq}`);
      for (const p of r.problems) console.log(`          seq ${p.seq ?? '-'}: ${p.problem} — ${p.detail}`);
      if (!r.ok) bad++;
    }
    console.log(bad === 0 ? 'audit chain intact' : `${bad} tenant chain(s) failed verification`);
    return bad === 0 ? 0 : 1;
  } finally {
    await db.close();
  }
}

run().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(2);
  },
);
