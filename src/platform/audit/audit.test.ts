import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, seedSmallCompany, type TestApp } from '../../test/app.ts';
import { ctxFor } from '../../test/factories.ts';
import { recordChange } from './record.ts';
import { auditLog } from './schema.ts';
import { canonicalJson, verifyAuditChain } from './service.ts';

let t: TestApp;
let s: Awaited<ReturnType<typeof seedSmallCompany>>;

beforeAll(async () => {
  t = await createTestApp();
  s = await seedSmallCompany(t);
  const ctx = await ctxFor(t.db, s.admin.user.id);
  for (let i = 0; i < 5; i++) {
    await t.db.tx((tx) => recordChange(tx, ctx, { action: 'test.changed', entityType: 'thing', entityId: `t${i}`, before: { n: i }, after: { n: i + 1, at: new Date(0) } }));
  }
});
afterAll(() => t.close());

/** Tampering needs the trigger out of the way, as a superuser could do; verification must still catch it. */
async function tamper(statement: ReturnType<typeof sql>) {
  await t.db.tx(async (tx) => {
    await tx.execute(sql`ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update`);
    await tx.execute(statement);
    await tx.execute(sql`ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update`);
  });
}

describe('audit log', () => {
  it('canonical JSON sorts keys at every level', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[1,{"y":2,"z":1}]},"b":1}');
  });

  it('GET /audit lists entries newest first with before/after, and /audit/verify reports ok', async () => {
    const { authorization } = await t.login(s.auditor.username, s.auditor.password);
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/audit?entityType=thing&limit=2', headers: { authorization } });
    expect(res.statusCode).toBe(200);
    const page = res.json();
    expect(page.items).toHaveLength(2);
    expect(page.items[0].entityId).toBe('t4');
    expect(page.items[0].before).toEqual({ n: 4 });
    expect(page.items[0].after).toEqual({ n: 5, at: '1970-01-01T00:00:00.000Z' });
    const next = await t.app.inject({ method: 'GET', url: `/api/v1/audit?entityType=thing&limit=2&cursor=${page.nextCursor}`, headers: { authorization } });
    expect(next.json().items[0].entityId).toBe('t2');
    const v = await t.app.inject({ method: 'GET', url: '/api/v1/audit/verify', headers: { authorization } });
    expect(v.statusCode).toBe(200);
    expect(v.json().ok).toBe(true);
    expect(v.json().checked).toBeGreaterThanOrEqual(5);
  });

  it('returns 403 for a worker without audit:read', async () => {
    const { authorization } = await t.login(s.worker.username, s.worker.password);
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/audit', headers: { authorization } });
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('forbidden');
  });

  it('the database refuses UPDATE, DELETE and TRUNCATE of audit rows', async () => {
    for (const stmt of [sql`UPDATE audit_log SET action = 'x'`, sql`DELETE FROM audit_log`, sql`TRUNCATE audit_log`]) {
      await expect(t.db.tx((tx) => tx.execute(stmt))).rejects.toThrow();
    }
    const [row] = await t.db.read((tx) => tx.select({ n: sql<number>`count(*)::int` }).from(auditLog));
    expect(row!.n).toBeGreaterThanOrEqual(5);
  });

  it('verification detects an edited entry', async () => {
    await tamper(sql`UPDATE audit_log SET after = '{"n": 999}'::jsonb WHERE entity_id = 't1'`);
    const r = await t.db.read((tx) => verifyAuditChain(tx, s.tenant.id));
    expect(r.ok).toBe(false);
    expect(r.problems.map((p) => p.problem)).toContain('hash_mismatch');
  });

  it('verification detects a deleted entry and a deleted tail', async () => {
    await tamper(sql`DELETE FROM audit_log WHERE entity_id = 't2'`);
    const r = await t.db.read((tx) => verifyAuditChain(tx, s.tenant.id));
    expect(r.problems.map((p) => p.problem)).toEqual(expect.arrayContaining(['missing_entry', 'broken_link']));
    const maxSeq = r.headSeq;
    await tamper(sql`DELETE FROM audit_log WHERE tenant_id = ${s.tenant.id} AND seq = ${maxSeq}`);
    const r2 = await t.db.read((tx) => verifyAuditChain(tx, s.tenant.id));
    expect(r2.problems.map((p) => p.problem)).toContain('head_mismatch');
  });
});

describe('audit CLI', () => {
  it('exits 1 and names the tampered tenant; exits 0 on an intact database', async () => {
    const { spawnSync } = await import('node:child_process');
    const fs = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const { openPglite } = await import('../db/client.ts');
    const { createTenant } = await import('../org/tenants.ts');
    const { systemCtx } = await import('../auth/actor.ts');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sl-audit-cli-'));
    const db = await openPglite(path.join(dir, 'db'));
    const { tenant } = await db.tx((tx) => createTenant(tx, { code: 'CLI', name: 'CLI Co' }));
    await db.tx((tx) => recordChange(tx, systemCtx(db, tenant.id), { action: 'x.y', entityType: 'x' }));
    await db.close();
    const run = () =>
      spawnSync(process.execPath, ['node_modules/tsx/dist/cli.mjs', 'src/cli/auditVerify.ts'], {
        env: { ...process.env, DATA_DIR: dir, LOG_LEVEL: 'silent' },
        encoding: 'utf8',
      });
    const ok = run();
    expect(ok.stdout).toContain('audit chain intact');
    expect(ok.status).toBe(0);
    const db2 = await openPglite(path.join(dir, 'db'));
    await db2.tx(async (tx) => {
      await tx.execute(sql`ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update`);
      await tx.execute(sql`UPDATE audit_log SET action = 'forged'`);
    });
    await db2.close();
    const bad = run();
    expect(bad.status).toBe(1);
    expect(bad.stdout).toMatch(/TAMPERED\s+CLI/);
  }, 60_000);
});
