import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, seedSmallCompany, type TestApp } from '../../test/app.ts';
import { jobHandlerFor, registeredSchedules, type Job } from '../jobs/service.ts';
import { registerDbMaintenance } from './maintenance.ts';

let t: TestApp;

beforeAll(async () => {
  t = await createTestApp();
  await seedSmallCompany(t);
  registerDbMaintenance();
});
afterAll(() => t.close());

const statsRows = async () =>
  t.db.read(async (tx) => {
    const r = (await tx.execute(sql`SELECT count(*)::int AS n FROM pg_stats WHERE schemaname = 'public' AND tablename = 'org_units'`)) as unknown as { rows: { n: number }[] };
    return r.rows[0]?.n ?? 0;
  });

describe('database maintenance', () => {
  it('declares a nightly ANALYZE schedule', () => {
    expect(registeredSchedules()).toContainEqual(expect.objectContaining({ name: 'db.analyze.nightly', cron: '30 3 * * *', kind: 'db.analyze' }));
  });

  it('gives the embedded database planner statistics (PGlite has no autovacuum); a no-op on PostgreSQL', async () => {
    const handler = jobHandlerFor('db.analyze');
    expect(handler).toBeDefined();
    const before = await statsRows();
    await handler!({ db: t.db, job: {} as Job, now: new Date() });
    const after = await statsRows();
    if (t.db.kind === 'pglite') {
      expect(before).toBe(0);
      expect(after).toBeGreaterThan(0);
    } else {
      expect(after).toBe(before);
    }
  });
});
