import { and, eq, like, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemCtx } from '../platform/auth/actor.ts';
import { jobs } from '../platform/jobs/schema.ts';
import { people, positions, tenants } from '../platform/org/schema.ts';
import { addDays, dayIn } from '../platform/org/calendar.ts';
import { checkQualificationTx } from '../modules/training/qualification.ts';
import { drawByRules } from '../modules/training/examPaper.ts';
import { evaluateMatrix } from '../modules/training/matrix.ts';
import { certificates, exams, inductions, positionRequirements, questions, trainingPlans } from '../modules/training/schema.ts';
import { openTestDatabase } from '../test/db.ts';
import { seedDemoIfEmpty } from './seed.ts';

let db: Awaited<ReturnType<typeof openTestDatabase>>;
let tenantId: string;
const now = new Date('2026-12-01T02:00:00Z');
const today = dayIn(now, 'Asia/Shanghai');

beforeAll(async () => {
  db = await openTestDatabase();
  await seedDemoIfEmpty(db, () => now);
  const [t] = await db.read((tx) => tx.select().from(tenants).where(eq(tenants.code, 'DEMO')));
  tenantId = t!.id;
  // The whole demo is seeded here; on a busy machine that takes longer than the default hook timeout.
}, 180_000);
afterAll(() => db.close());

describe('demo certificates', () => {
  it('gives every welder, electrician, crane and forklift operator a certificate, some expiring within 30 days and some expired', async () => {
    const rows = await db.read((tx) =>
      tx
        .select({ c: certificates, position: positions.code })
        .from(certificates)
        .innerJoin(people, eq(people.id, certificates.personId))
        .innerJoin(positions, eq(positions.id, people.positionId))
        .where(eq(certificates.tenantId, tenantId)),
    );
    const special = await db.read((tx) =>
      tx
        .select({ id: people.id })
        .from(people)
        .innerJoin(positions, eq(positions.id, people.positionId))
        .where(and(eq(people.tenantId, tenantId), sql`${positions.code} IN ('WELD', 'ELEC', 'CRANE', 'FORK')`)),
    );
    expect(special.length).toBeGreaterThan(20);
    const holders = new Set(rows.map((r) => r.c.personId));
    expect(special.every((p) => holders.has(p.id))).toBe(true);
    expect(new Set(rows.map((r) => r.position))).toEqual(expect.objectContaining(new Set(['WELD', 'ELEC', 'CRANE', 'FORK'])));
    const expiring = rows.filter((r) => r.c.validUntil >= today && r.c.validUntil <= addDays(today, 30));
    const expired = rows.filter((r) => r.c.validUntil < today);
    expect(expiring.length).toBeGreaterThanOrEqual(3);
    expect(expired.length).toBeGreaterThanOrEqual(2);
    for (const r of rows) expect(r.c.issuedOn <= r.c.validUntil).toBe(true);
    // Live certificates have their reminder timers, like ones recorded through the API.
    const live = rows.find((r) => r.c.validUntil > addDays(today, 60))!;
    const timers = await db.read((tx) => tx.select().from(jobs).where(like(jobs.dedupeKey, `training:cert:${live.c.id}:%`)));
    expect(timers.map((j) => j.dedupeKey)).toEqual(expect.arrayContaining([`training:cert:${live.c.id}:expiry:60`, `training:cert:${live.c.id}:lapse:expiry`]));

    // The check API denies the holder of an expired welding certificate.
    const welder = rows.find((r) => r.position === 'WELD' && r.c.validUntil < today);
    if (welder) {
      const result = await db.tx((tx) => checkQualificationTx(tx, systemCtx(db, tenantId, () => now), { personId: welder.c.personId, target: 'operation:hot_work' }));
      expect(result.reasons.map((x) => x.code)).toContain('certificate_expired');
    }
    const pending = await db.read((tx) => tx.select().from(inductions).where(and(eq(inductions.tenantId, tenantId), eq(inductions.status, 'pending'))));
    expect(pending.length).toBe(3);
  });
});

describe('demo question bank and exams', () => {
  it('has at least 100 questions of the three kinds across the safety categories, and exams whose papers can be drawn', async () => {
    const bank = await db.read((tx) => tx.select().from(questions).where(eq(questions.tenantId, tenantId)));
    expect(bank.length).toBeGreaterThanOrEqual(100);
    expect(new Set(bank.map((q) => q.kind))).toEqual(new Set(['single', 'multiple', 'true_false']));
    expect(new Set(bank.map((q) => q.category))).toEqual(expect.objectContaining(new Set(['安全生产法', '动火作业', '受限空间', '消防安全', '用电安全', '危险化学品', '个体防护'])));
    // Every question has its correct answer among its options; stems are unique.
    for (const q of bank) expect(q.answer.every((a) => q.options.some((o) => o.key === a))).toBe(true);
    expect(new Set(bank.map((q) => q.stem)).size).toBe(bank.length);
    const list = await db.read((tx) => tx.select().from(exams).where(eq(exams.tenantId, tenantId)));
    expect(list.map((e) => e.mode).sort()).toEqual(['fixed', 'random']);
    for (const e of list.filter((x) => x.mode === 'random')) expect(drawByRules(bank, e.rules, 42)).toHaveLength(e.rules.reduce((n, r) => n + r.count, 0));
  });
});

describe('demo plans and required-training matrix', () => {
  it('has the year plan with computed completion, matrix gaps, and welders whose certificate counts may do hot work', async () => {
    const plans = await db.read((tx) => tx.select().from(trainingPlans).where(eq(trainingPlans.tenantId, tenantId)));
    expect(plans.length).toBeGreaterThanOrEqual(2);
    const rows = await db.read((tx) => tx.select().from(positionRequirements).where(eq(positionRequirements.tenantId, tenantId)));
    expect(rows.some((r) => r.kind === 'course' && r.gates.includes('operation:hot_work'))).toBe(true);
    const ctx = systemCtx(db, tenantId, () => now);
    const view = await db.read((tx) => evaluateMatrix(tx, ctx, {}));
    expect(view.summary.people).toBeGreaterThan(20);
    expect(view.summary.withGaps).toBeGreaterThan(0);
    expect(view.summary.withGaps).toBeLessThan(view.summary.people);
    // Every welder with a counting welding certificate also has the hot-work course: demo permits keep working.
    const welders = view.people.filter((p) => p.positionName === '焊工');
    const certOk = welders.filter((p) => p.cells.some((c) => c.certificateId && (c.state === 'met' || c.state === 'expiring')));
    expect(certOk.length).toBeGreaterThan(3);
    for (const w of certOk) {
      const result = await db.tx((tx) => checkQualificationTx(tx, ctx, { personId: w.personId, target: 'operation:hot_work' }));
      expect(result.reasons.filter((r) => r.code === 'course_missing' || r.code === 'course_expired')).toEqual([]);
    }
  });
});
