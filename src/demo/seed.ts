import { eq, sql } from 'drizzle-orm';
import { recordChange } from '../platform/audit/record.ts';
import { systemCtx } from '../platform/auth/actor.ts';
import { hashPassword } from '../platform/auth/password.ts';
import { userRoles, users } from '../platform/auth/schema.ts';
import type { Database, Tx } from '../platform/db/client.ts';
import { orgUnits, people, positions, tenants } from '../platform/org/schema.ts';
import { createTenant, roleIdsByCode } from '../platform/org/tenants.ts';
import { DEMO_BRANCH, DEMO_COMPANY, type CompanySpec } from './company.ts';
import type { BlobStore } from '../platform/files/storage.ts';
import { storeDemoPhotos } from './hazardPhotos.ts';
import { seedDemoEquipment } from './equipment.ts';
import { seedDemoPermits } from './permits.ts';
import { seedDemoHazards } from './hazards.ts';
import { seedDemoInspections } from './inspections.ts';
import { seedDemoIot } from './iot.ts';
import { seedDemoRisks } from './risks.ts';
import { seedDemoRiskMaps, storeDemoFloorPlan } from './riskMaps.ts';
import { seedDemoTraining } from './training.ts';
import { seedDemoWorkflows } from './workflow.ts';
import { planDemoCompany } from './plan.ts';

export const DEMO_PASSWORD = 'SafeLoop@2026';

/** The demo companies, in seeding order: 华东重型机械 (tenant DEMO) and its 南通 branch (DEMO-NT). */
export const DEMO_COMPANIES: readonly CompanySpec[] = [DEMO_COMPANY, DEMO_BRANCH];

/** Printed at start by main.ts; `tenant` tells the two companies' logins apart. */
export const DEMO_LOGINS = DEMO_COMPANIES.flatMap((c) => c.logins.map((l) => ({ username: l.username, role: l.role, tenant: c.code })));

/** Any number will do as long as nothing else takes it: two instances starting at once seed only once. */
const SEED_LOCK = 727_275;

/**
 * Creates the demo companies on first start only (an empty database). Returns whether it seeded.
 * Everything is written in one transaction, so a crash half-way leaves an empty database that seeds again.
 */
export async function seedDemoIfEmpty(db: Database, now: () => Date = () => new Date(), opts: { photoStore?: BlobStore } = {}): Promise<boolean> {
  // Cheap check first: every later start stops here without paying for the argon2 hash below.
  if (await hasTenants(db)) return false;
  // The demo hazards' photos, drawn and stored before the transaction (no database needed; content-addressed,
  // so a seed that loses the race below leaves nothing but identical blobs).
  // Demo only: one argon2 hash of the published demo password is shared by every demo login. Hashing is
  // deliberately slow (~0.1 s of CPU each), the password is the same for all of them anyway, and each user
  // still gets their own hash the first time they change it. Real accounts are always hashed one by one.
  // The three run at once: sharp and argon2 work on threads of their own, and the first start is waited for.
  const [photos, floorPlan, passwordHash] = await Promise.all([
    opts.photoStore ? storeDemoPhotos(opts.photoStore) : null,
    opts.photoStore ? storeDemoFloorPlan(opts.photoStore) : null,
    hashPassword(DEMO_PASSWORD),
  ]);
  return db.tx(async (tx) => {
    await tx.execute(sql`SELECT pg_advisory_xact_lock(${SEED_LOCK})`);
    // Checked again under the lock: another instance may have seeded while we hashed. "Empty" means no
    // tenant at all, which also covers tenant DEMO: a database with real companies never gets demo data.
    const [row] = await tx.select({ n: sql<number>`count(*)::int` }).from(tenants);
    if ((row?.n ?? 0) > 0) return false;
    const takenPhones = new Set<string>();
    for (const spec of DEMO_COMPANIES) {
      const tenantId = await seedCompany(tx, db, spec, passwordHash, takenPhones, now);
      // Published demo approval flows (generic two-level, by amount) for modules and the flow list.
      await seedDemoWorkflows(tx, db, tenantId, now);
      // The main company gets a hazard history, so the ledger, figures and leaderboard are not empty.
      if (spec.code === DEMO_COMPANY.code) await seedDemoHazards(tx, db, tenantId, now(), spec.seed + 4, photos);
      // …and certificates for its welders, electricians, crane and forklift operators.
      if (spec.code === DEMO_COMPANY.code) await seedDemoTraining(tx, tenantId, now(), spec.seed + 7);
      // Every plant of every demo company gets a risk register (≥ 40 events across all four levels).
      await seedDemoRisks(tx, db, tenantId, now(), spec.seed + 11);
      // …with a four-colour map per plant: the site plan's buildings linked to those risk units.
      await seedDemoRiskMaps(tx, tenantId, now(), floorPlan);
      // …and an equipment register (special equipment due and overdue) with checkpoints, linked to those risk units.
      await seedDemoEquipment(tx, tenantId, now(), spec.seed + 13);
      // …and a week of work permits of every type in every plant, some active now (issue 6).
      await seedDemoPermits(tx, db, tenantId, now(), spec.seed + 23);
      // …and inspection plans from those measures with a month of check history (after risks and equipment).
      await seedDemoInspections(tx, db, tenantId, now(), spec.seed + 19, { linkHazards: spec.code === DEMO_COMPANY.code });
      // IoT monitoring: a gateway, 20 points with six hours of history and a couple of alarms (main company).
      if (spec.code === DEMO_COMPANY.code) await seedDemoIot(tx, db, tenantId, now(), spec.seed + 17);
    }
    return true;
  });
}

async function hasTenants(db: Database): Promise<boolean> {
  const rows = await db.read((tx) => tx.select({ id: tenants.id }).from(tenants).limit(1));
  return rows.length > 0;
}

/** One company: tenant, root and roles (createTenant), then one bulk insert per table. */
async function seedCompany(tx: Tx, db: Database, spec: CompanySpec, passwordHash: string, takenPhones: Set<string>, now: () => Date): Promise<string> {
  const { tenant, rootUnitId } = await createTenant(tx, { code: spec.code, name: spec.name, groupName: spec.groupName });
  const plan = planDemoCompany(spec, { tenantId: tenant.id, rootUnitId, passwordHash, takenPhones });
  await tx.insert(positions).values(plan.positions);
  await tx.insert(orgUnits).values(plan.units);
  if (plan.rootManagerPersonId) await tx.update(orgUnits).set({ managerPersonId: plan.rootManagerPersonId }).where(eq(orgUnits.id, rootUnitId));
  await tx.insert(people).values(plan.people);
  await tx.insert(users).values(plan.logins.map((l) => l.user));
  const roleIds = await roleIdsByCode(tx, tenant.id, [...new Set(plan.logins.map((l) => l.role))]);
  await tx.insert(userRoles).values(
    plan.logins.map((l) => {
      const roleId = roleIds.get(l.role);
      if (!roleId) throw new Error(`demo seed: built-in role ${l.role} missing`);
      return { userId: l.user.id, roleId, tenantId: tenant.id };
    }),
  );
  // One audit entry for the whole company (not one per row): the chain says where the data came from, and
  // the event lets a module add its own demo records (hazards, permits…) once the company exists.
  await recordChange(
    tx,
    systemCtx(db, tenant.id, now),
    { action: 'demo.seeded', entityType: 'tenant', entityId: tenant.id, after: { ...plan.counts, usernames: plan.logins.map((l) => l.user.username) } },
    { type: 'demo.seeded', entityType: 'tenant', entityId: tenant.id, payload: { ...plan.counts } },
  );
  return tenant.id;
}
