import { randomBytes } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { systemCtx } from '../platform/auth/actor.ts';
import { users } from '../platform/auth/schema.ts';
import type { Database, Tx } from '../platform/db/client.ts';
import { newId } from '../platform/db/columns.ts';
import { jobs } from '../platform/jobs/schema.ts';
import { DEFAULT_MAX_ATTEMPTS } from '../platform/jobs/service.ts';
import { orgUnits, people } from '../platform/org/schema.ts';
import { ensurePermitConfig } from '../modules/permits/config.ts';
import { EXPIRE_KIND, REANALYSIS_KIND } from '../modules/permits/jobs.ts';
import { permitCounters, permitGasReadings, permitMeasures, permits, permitStatusHistory, permitTypes, permitWorkers, type PermitStatus, type PermitType } from '../modules/permits/schema.ts';
import { seededRandom } from './random.ts';

/**
 * A week of work permits in every demo plant (issue 6): each of the eight GB 30871 types a few times over
 * the last seven days (closed, expired or cancelled), and today some approved and active ones — among them
 * a hot-work permit next to an open confined space in one workshop, so the site view shows its warning.
 * Rows are written in bulk under a fixed seed with the fields, history and job keys the permit services
 * write (measure confirmations of the demo carry no signature image).
 */

const HOUR = 3_600_000;

const content: Record<PermitType, { location: string; content: string; fields: Record<string, string | number> }> = {
  hot_work: { location: '管廊 3 号支架', content: '更换蒸汽管道法兰，电焊作业', fields: { method: '电焊' } },
  confined_space: { location: 'V-101 储罐', content: '储罐内部清理与检查', fields: { spaceName: 'V-101 储罐', formerMedium: '循环水' } },
  blinding: { location: 'DN100 氮气管线', content: '检修前加装盲板', fields: { action: '堵', line: 'DN100 氮气管线', medium: '氮气', blindNo: 'MB-07' } },
  height: { location: '厂房屋面', content: '更换采光板', fields: { heightM: 9 } },
  lifting: { location: '一跨', content: '吊装减速机至检修平台', fields: { loadT: 6 } },
  temp_power: { location: '检修平台', content: '临时照明及电焊机用电', fields: { connectionPoint: '2# 动力配电箱', powerKw: 15, voltageV: 380 } },
  excavation: { location: '南门内侧', content: '开挖电缆沟', fields: { depthM: 1.2 } },
  road_closure: { location: '厂区东路', content: '道路维修，断路施工', fields: { reason: '路面修补' } },
};

const gradeOf: Record<PermitType, string[]> = { hot_work: ['1', '2', 'special'], confined_space: ['none'], blinding: ['none'], height: ['I', 'II', 'III'], lifting: ['2', '3'], temp_power: ['none'], excavation: ['none'], road_closure: ['none'] };

export async function seedDemoPermits(tx: Tx, db: Database, tenantId: string, now: Date, seed: number): Promise<{ permits: number; active: number }> {
  const rng = seededRandom(seed);
  const ctx = systemCtx(db, tenantId, () => now);
  const { config } = await ensurePermitConfig(tx, ctx);
  const units = await tx.select().from(orgUnits).where(eq(orgUnits.tenantId, tenantId));
  const plants = units.filter((u) => u.kind === 'plant').sort((a, b) => a.code.localeCompare(b.code));
  const staff = await tx
    .select({ id: people.id, orgUnitId: people.orgUnitId })
    .from(people)
    .where(and(eq(people.tenantId, tenantId), eq(people.kind, 'employee'), eq(people.status, 'active')))
    .orderBy(people.employeeNo);
  const logins = await tx.select({ id: users.id, personId: users.personId }).from(users).where(eq(users.tenantId, tenantId)).orderBy(users.username);
  const pathOf = new Map(units.map((u) => [u.id, u.path]));
  const loginPeople = new Set(logins.map((l) => l.personId).filter((v): v is string => v !== null));
  const year = now.getUTCFullYear();
  const seq = new Map<string, number>();
  const P: (typeof permits.$inferInsert)[] = [];
  const W: (typeof permitWorkers.$inferInsert)[] = [];
  const M: (typeof permitMeasures.$inferInsert)[] = [];
  const G: (typeof permitGasReadings.$inferInsert)[] = [];
  const H: (typeof permitStatusHistory.$inferInsert)[] = [];
  const J: (typeof jobs.$inferInsert)[] = [];
  let active = 0;

  const add = (type: PermitType, grade: string, area: { id: string; path: string }, from: Date, hours: number, status: PermitStatus, crew: string[], applicant: string, guardianOffset: number) => {
    const prefix = config.types[type].prefix;
    const n = (seq.get(prefix) ?? 0) + 1;
    seq.set(prefix, n);
    const g = config.types[type].grades.find((x) => x.code === grade) ?? config.types[type].grades[0]!;
    const limit = g.maxValidityHours ?? hours;
    const until = new Date(from.getTime() + Math.min(hours, limit) * HOUR);
    const id = newId();
    const c = content[type];
    const [worker, guardian] = [crew[0]!, crew[(1 + guardianOffset) % crew.length]!];
    const started = status !== 'approved';
    const ended = status === 'closed' || status === 'expired';
    P.push({
      id,
      tenantId,
      orgUnitId: area.id,
      createdAt: new Date(from.getTime() - 2 * HOUR),
      createdBy: applicant,
      updatedAt: now,
      updatedBy: applicant,
      number: `ZY-${prefix}-${year}-${String(n).padStart(4, '0')}`,
      type,
      grade: g.code,
      location: c.location,
      content: c.content,
      fields: c.fields,
      validFrom: from,
      validUntil: until,
      originalValidUntil: until,
      applicantUserId: applicant,
      applicantPersonId: logins.find((l) => l.id === applicant)?.personId ?? null,
      workUnit: null,
      guardianPersonId: guardian,
      status,
      qrToken: randomBytes(18).toString('base64url'),
      issuerUserId: applicant,
      approvedAt: status === 'cancelled' ? null : new Date(from.getTime() - 30 * 60_000),
      activatedAt: started && status !== 'cancelled' ? from : null,
      closedAt: status === 'closed' ? until : null,
      acceptance: status === 'closed' ? { siteClean: true, fireWatchDone: type === 'hot_work' ? true : null, remarks: null, at: until.toISOString() } : null,
      cancelReason: status === 'cancelled' ? '计划调整，作业取消' : null,
    });
    W.push({ id: newId(), tenantId, permitId: id, personId: worker, role: 'worker', addedAt: from });
    if (crew[2] && crew[2] !== guardian) W.push({ id: newId(), tenantId, permitId: id, personId: crew[2], role: 'leader', addedAt: from });
    for (const [i, m] of g.measures.entries()) M.push({ id: newId(), tenantId, permitId: id, seq: i + 1, code: m.code, text: m.zh, responsiblePersonId: guardian, applicable: status === 'cancelled' ? null : true, confirmedAt: status === 'cancelled' ? null : new Date(from.getTime() - HOUR) });
    if (g.gasTestRequired && status !== 'cancelled') {
      const readings = status === 'active' && g.periodicReanalysisMinutes ? [from, new Date(now.getTime() - 20 * 60_000)] : [new Date(from.getTime() - 15 * 60_000)];
      for (const at of readings) G.push({ id: newId(), tenantId, permitId: id, takenAt: at, point: `${c.location}作业点`, o2Pct: 20.6 + rng.int(0, 3) / 10, flammablePct: rng.int(0, 15) / 100, flammableLelPct: 5, toxics: [{ code: 'H2S', value: rng.int(0, 3) }], analystName: '化验室', passed: true, failures: [], createdAt: at });
    }
    const trail: PermitStatus[] = status === 'cancelled' ? ['draft', 'cancelled'] : ['draft', 'approving', 'approved', ...(started ? (['active'] as PermitStatus[]) : []), ...(status === 'closed' ? (['closing', 'closed'] as PermitStatus[]) : status === 'expired' ? (['expired'] as PermitStatus[]) : [])];
    trail.forEach((to, i) => H.push({ id: newId(), tenantId, permitId: id, fromStatus: i === 0 ? null : trail[i - 1]!, toStatus: to, at: new Date(from.getTime() - (trail.length - i) * 10 * 60_000 + (to === 'closed' || to === 'expired' || to === 'closing' ? until.getTime() - from.getTime() + 30 * 60_000 : 0)), byUserId: applicant }));
    if (!ended && status !== 'cancelled') {
      J.push({ kind: EXPIRE_KIND, runAt: until, tenantId, dedupeKey: `permit:${id}:expire`, payload: { tenantId, permitId: id }, maxAttempts: DEFAULT_MAX_ATTEMPTS });
      if (status === 'active' && g.periodicReanalysisMinutes) J.push({ kind: REANALYSIS_KIND, runAt: new Date(now.getTime() + (g.periodicReanalysisMinutes - 20) * 60_000), tenantId, dedupeKey: `permit:${id}:reanalysis`, payload: { tenantId, permitId: id }, maxAttempts: DEFAULT_MAX_ATTEMPTS });
    }
    if (status === 'active') active++;
  };

  for (const [pi, plant] of plants.entries()) {
    const shops = units.filter((u) => u.kind === 'workshop' && u.path.startsWith(plant.path)).sort((a, b) => a.code.localeCompare(b.code));
    const areas = shops.length > 0 ? shops : [plant];
    // Crews and guardians are people without a demo login, so a person trying the app is never already
    // a guardian of demo work (guardian overload) when they are put on a new permit.
    const crewOf = (area: { path: string }) => staff.filter((s) => s.orgUnitId && !loginPeople.has(s.id) && (pathOf.get(s.orgUnitId) ?? '').startsWith(area.path)).map((s) => s.id);
    const applicantOf = (area: { path: string }) => logins.find((l) => l.personId && staff.some((s) => s.id === l.personId && s.orgUnitId && (pathOf.get(s.orgUnitId) ?? '').startsWith(area.path)))?.id ?? logins[0]!.id;
    for (const [ti, type] of permitTypes.entries()) {
      // The past week: one permit a day or two, every type.
      for (let day = 7; day >= 1; day -= rng.int(2, 3)) {
        const area = areas[(ti + day) % areas.length]!;
        const crew = crewOf(area);
        if (crew.length < 3) continue;
        const from = new Date(now.getTime() - day * 24 * HOUR + rng.int(-3, 2) * HOUR);
        const status: PermitStatus = rng.chance(0.1) ? 'cancelled' : rng.chance(0.15) ? 'expired' : 'closed';
        add(type, rng.pick(gradeOf[type]), area, from, rng.int(3, 8), status, crew, applicantOf(area), day);
      }
      // Today: in the first plant every type is going on; in the others every other type. Each live
      // permit has its own guardian (index by type), so only the planned conflict warns.
      if (pi === 0 || ti % 2 === 0) {
        const area = areas[type === 'confined_space' ? 0 : ti % areas.length]!;
        const crew = crewOf(area);
        if (crew.length < 3) continue;
        const hotNextToTank = type === 'hot_work';
        add(type, gradeOf[type][0]!, hotNextToTank ? areas[0]! : area, new Date(now.getTime() - (ti % 3) * HOUR - 30 * 60_000), 6, ti === 5 ? 'approved' : 'active', crew, applicantOf(area), 2 + ti);
      }
    }
  }
  if (P.length === 0) return { permits: 0, active: 0 };
  await tx.insert(permits).values(P);
  await tx.insert(permitWorkers).values(W).onConflictDoNothing();
  if (M.length) await tx.insert(permitMeasures).values(M);
  if (G.length) await tx.insert(permitGasReadings).values(G);
  await tx.insert(permitStatusHistory).values(H);
  if (J.length) await tx.insert(jobs).values(J);
  await tx.insert(permitCounters).values([...seq.entries()].map(([prefix, last]) => ({ tenantId, prefix, year, last })));
  return { permits: P.length, active };
}
