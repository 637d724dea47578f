import { and, eq, inArray } from 'drizzle-orm';
import type { Tx } from '../platform/db/client.ts';
import { newId } from '../platform/db/columns.ts';
import { scheduleJob } from '../platform/jobs/service.ts';
import { people, positions } from '../platform/org/schema.ts';
import { addDays, addMonths, dayIn, daysBetween, tenantZone } from '../platform/org/calendar.ts';
import { ensureTrainingDefaults, loadTypes } from '../modules/training/defaults.ts';
import { plannedTimers } from '../modules/training/reminders.ts';
import { certificates, inductions } from '../modules/training/schema.ts';
import { seededRandom } from './random.ts';
import { seedDemoExams } from './trainingExams.ts';
import { seedDemoTrainingPlans } from './trainingPlans.ts';

/**
 * Certificates for the demo company's special-operation staff (issue 7): welders (焊接与热切割作业),
 * electricians (电工作业), scaffolders (高处作业), crane operators (Q2), forklift drivers (N1) and boiler
 * operators (G1). Most are valid; about one in six expires within 30 days, a few have expired and a few
 * are overdue for review, so the ledger, the reminders and the qualification check all have something to
 * show. Three new contractor workers still lack their team-level induction. Rows and their reminder jobs
 * are written in bulk under a fixed seed (the same demo on every fresh start).
 */

const byPosition: Record<string, { type: string; category: string; issuer: string }> = {
  WELD: { type: 'special_operation', category: 'welding', issuer: '江苏省应急管理厅' },
  ELEC: { type: 'special_operation', category: 'electrical', issuer: '江苏省应急管理厅' },
  SCAFF: { type: 'special_operation', category: 'height', issuer: '江苏省应急管理厅' },
  CRANE: { type: 'special_equipment', category: 'Q2', issuer: '南通市市场监督管理局' },
  FORK: { type: 'special_equipment', category: 'N1', issuer: '南通市市场监督管理局' },
  BOILER: { type: 'special_equipment', category: 'G1', issuer: '南通市市场监督管理局' },
};

export interface DemoTrainingCounts {
  certificates: number;
  expiringWithin30Days: number;
  expired: number;
  reviewOverdue: number;
  pendingInductions: number;
}

export async function seedDemoTraining(tx: Tx, tenantId: string, now: Date, seed: number): Promise<DemoTrainingCounts> {
  const rng = seededRandom(seed);
  const settings = await ensureTrainingDefaults(tx, tenantId);
  const types = new Map((await loadTypes(tx, tenantId)).map((t) => [t.code, t]));
  const { timeZone } = await tenantZone(tx, tenantId);
  const today = dayIn(now, timeZone);
  const posRows = await tx
    .select({ id: positions.id, code: positions.code })
    .from(positions)
    .where(and(eq(positions.tenantId, tenantId), inArray(positions.code, Object.keys(byPosition))));
  const codeOf = new Map(posRows.map((p) => [p.id, p.code]));
  const holders = await tx
    .select({ id: people.id, orgUnitId: people.orgUnitId, positionId: people.positionId, kind: people.kind, employeeNo: people.employeeNo })
    .from(people)
    .where(and(eq(people.tenantId, tenantId), inArray(people.positionId, [...codeOf.keys()])))
    .orderBy(people.employeeNo);

  const counts: DemoTrainingCounts = { certificates: 0, expiringWithin30Days: 0, expired: 0, reviewOverdue: 0, pendingInductions: 0 };
  const rows: (typeof certificates.$inferInsert & { id: string; nextReviewOn: string | null })[] = [];
  for (const [i, h] of holders.entries()) {
    const spec = byPosition[codeOf.get(h.positionId ?? '') ?? ''];
    const type = spec ? types.get(spec.type) : undefined;
    if (!spec || !type) continue;
    const months = type.validityMonths ?? 48;
    const roll = rng.next();
    let validUntil: string;
    let nextReviewOn: string | null = null;
    if (roll < 0.08) {
      validUntil = addDays(today, -rng.int(3, 120));
      counts.expired++;
    } else if (roll < 0.25) {
      validUntil = addDays(today, rng.int(2, 30));
      counts.expiringWithin30Days++;
    } else {
      validUntil = addDays(today, rng.int(45, months * 30 - 60));
    }
    let issuedOn = addDays(addMonths(validUntil, -months), 1);
    if (type.reviewIntervalMonths !== null) {
      let review = addDays(addMonths(issuedOn, type.reviewIntervalMonths), -1);
      // Reviews due in the past were done (the next one is an interval later), except a few missed in the
      // last four months (30号令 Art. 21): those certificates do not count until reviewed.
      if (review < today && validUntil >= today) {
        if (daysBetween(review, today) <= 120 && rng.chance(0.5)) counts.reviewOverdue++;
        else review = addMonths(review, type.reviewIntervalMonths);
      }
      nextReviewOn = review < validUntil ? review : null;
    }
    if (issuedOn > today) issuedOn = today;
    const prefix = type.code === 'special_operation' ? 'T3206' : 'TS3206';
    rows.push({
      id: newId(),
      tenantId,
      orgUnitId: h.orgUnitId,
      personId: h.id,
      typeId: type.id,
      category: spec.category,
      number: `${prefix}${String(19700101 + i * 37).slice(0, 8)}${String(1000 + i).slice(-4)}${rng.int(10, 99)}`,
      issuer: spec.issuer,
      issuedOn,
      validUntil,
      nextReviewOn,
      createdAt: now,
      updatedAt: now,
    });
  }
  if (rows.length > 0) await tx.insert(certificates).values(rows);
  counts.certificates = rows.length;

  // Reminder and lapse timers, as a live certificate would have them (one insert per timer, no re-arm logic).
  const typeById = new Map([...types.values()].map((t) => [t.id, t]));
  for (const c of rows) {
    const type = typeById.get(c.typeId);
    if (!type || c.validUntil < today) continue;
    for (const what of ['expiry', 'review'] as const) {
      for (const job of plannedTimers(c, type, what, { timeZone, reminderHour: settings.reminderHour, now })) await scheduleJob(tx, job);
    }
  }

  // Three contractor workers who joined last week: company and workshop induction done, team level pending.
  const newcomers = holders.filter((h) => h.kind === 'contractor').slice(0, 3);
  const dueOn = addDays(today, settings.inductionDueDays);
  const inductionRows = newcomers.flatMap((h) =>
    (['company', 'workshop', 'team'] as const).map((level) => ({
      id: newId(),
      tenantId,
      orgUnitId: h.orgUnitId,
      personId: h.id,
      level,
      status: level === 'team' ? ('pending' as const) : ('completed' as const),
      dueOn,
      completedAt: level === 'team' ? null : now,
      hours: level === 'team' ? null : 8,
      createdAt: now,
      updatedAt: now,
    })),
  );
  if (inductionRows.length > 0) await tx.insert(inductions).values(inductionRows);
  counts.pendingInductions = newcomers.length;
  // The question bank and the exams a worker can take on a phone.
  await seedDemoExams(tx, tenantId, now);
  // Courses, a year of records, the required-training matrix and the year's plans.
  await seedDemoTrainingPlans(tx, tenantId, now, rng);
  return counts;
}
