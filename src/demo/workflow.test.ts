import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { users } from '../platform/auth/schema.ts';
import { tenants } from '../platform/org/schema.ts';
import { workflowDefinitions, workflowTasks } from '../platform/workflow/schema.ts';
import { openTestDatabase } from '../test/db.ts';
import { seedDemoIfEmpty } from './seed.ts';

let db: Awaited<ReturnType<typeof openTestDatabase>>;
const now = new Date('2026-12-01T02:00:00Z');

beforeAll(async () => {
  db = await openTestDatabase();
  await seedDemoIfEmpty(db, () => now);
});
afterAll(() => db.close());

async function pendingFor(tenantCode: string, username: string) {
  return db.read(async (tx) => {
    const [t] = await tx.select().from(tenants).where(eq(tenants.code, tenantCode));
    const [u] = await tx.select().from(users).where(and(eq(users.tenantId, t!.id), eq(users.username, username)));
    return tx.select().from(workflowTasks).where(and(eq(workflowTasks.assigneeUserId, u!.id), eq(workflowTasks.status, 'pending')));
  });
}

describe('demo approval flows', () => {
  it('publishes the two general flows in every demo company', async () => {
    // Modules seed flows of their own (permits: one per type); these two are the demo's general ones.
    const defs = await db.read((tx) => tx.select().from(workflowDefinitions));
    const byTenant = new Map<string, string[]>();
    for (const d of defs) if (d.publishedVersion !== null && d.key.startsWith('generic.')) byTenant.set(d.tenantId, [...(byTenant.get(d.tenantId) ?? []), d.key].sort());
    expect([...byTenant.values()]).toEqual([
      ['generic.by_amount', 'generic.two_level'],
      ['generic.by_amount', 'generic.two_level'],
    ]);
  });

  it('leaves requests waiting for the workshop head and the team leader, so their to-do lists are not empty', async () => {
    const head = await pendingFor('DEMO', 'head1');
    expect(head.map((t) => t.nodeId).sort()).toEqual(['dept_head', 'supervisor']);
    const leader = await pendingFor('DEMO', 'leader1');
    expect(leader.map((t) => t.nodeId)).toEqual(['supervisor']);
  });
});
