import { and, asc, eq, isNull } from 'drizzle-orm';
import { newSecret, sha256 } from '../platform/auth/service.ts';
import type { Tx } from '../platform/db/client.ts';
import { newId } from '../platform/db/columns.ts';
import { dayIn, tenantZone } from '../platform/org/calendar.ts';
import { orgUnits, people, positions } from '../platform/org/schema.ts';
import { loadTypes } from '../modules/training/defaults.ts';
import { attendances, certificates, classSessions, courseProgress, courses, positionRequirements, trainingPlanItems, trainingPlans } from '../modules/training/schema.ts';
import { certificateCounts } from '../modules/training/status.ts';
import type { Random } from './random.ts';

/**
 * Courses, a year of online completions and classroom sessions, the required-training matrix and the
 * year's training plans for the demo company (issue 7). Every welder whose certificate counts has done the
 * hot-work course within the year (the matrix makes it part of the hot-work qualification, so demo permits
 * keep working); the others, and some electricians, forklift drivers and painters, show gaps in the matrix.
 */

const DAY = 86_400_000;

const courseSpecs = [
  { key: 'hotwork', title: '动火作业安全（GB 30871-2022）', category: '动火作业', minutes: 45, hours: 4, text: '动火作业分级与作业票有效期；动火分析（可燃气体浓度）与复测；监护人职责；作业后清理与消防监护。' },
  { key: 'electric', title: '安全用电与触电急救', category: '用电安全', minutes: 30, hours: 2, text: '临时用电作业票；漏电保护；停送电与挂牌上锁；触电急救与心肺复苏。' },
  { key: 'forklift', title: '叉车安全操作', category: '特种设备', minutes: 30, hours: 2, text: '日常点检；载荷与稳定性；通道与行人；充电与加油安全。' },
  { key: 'fire', title: '消防安全与灭火器使用', category: '消防安全', minutes: 20, hours: 2, text: '火灾类别与灭火器选用；“提、拔、握、压”；疏散路线；喷涂作业场所的防火要求。' },
  { key: 'induction', title: '新员工厂级安全教育', category: '安全培训', minutes: 60, hours: 8, text: '安全生产法要点；公司安全管理制度；危险源与事故案例；个体防护；应急处置。' },
] as const;
type CourseKey = (typeof courseSpecs)[number]['key'];

export interface DemoPlanCounts {
  courses: number;
  completions: number;
  sessions: number;
  attendances: number;
  matrixRows: number;
  plans: number;
  planItems: number;
}

export async function seedDemoTrainingPlans(tx: Tx, tenantId: string, now: Date, rng: Random): Promise<DemoPlanCounts> {
  const { timeZone } = await tenantZone(tx, tenantId);
  const today = dayIn(now, timeZone);
  const year = Number(today.slice(0, 4));
  const month = Number(today.slice(5, 7));
  const base = { tenantId, createdAt: now, updatedAt: now };

  const courseIds = new Map<CourseKey, string>();
  await tx.insert(courses).values(
    courseSpecs.map((c) => {
      const id = newId();
      courseIds.set(c.key, id);
      return { id, ...base, title: c.title, category: c.category, description: null, materials: [{ key: 'm1', kind: 'text' as const, title: '课程要点', fileId: null, text: c.text }], requiredMinutes: c.minutes, creditHours: c.hours };
    }),
  );
  const spec = (k: CourseKey) => courseSpecs.find((c) => c.key === k)!;

  const posRows = await tx.select({ id: positions.id, code: positions.code }).from(positions).where(eq(positions.tenantId, tenantId));
  const pos = new Map(posRows.map((p) => [p.code, p.id]));
  const types = new Map((await loadTypes(tx, tenantId)).map((t) => [t.code, t.id]));

  // ---- the matrix ----
  const matrix: (typeof positionRequirements.$inferInsert)[] = [];
  const row = (code: string, r: Omit<typeof positionRequirements.$inferInsert, 'tenantId' | 'positionId'>) => {
    const positionId = pos.get(code);
    if (positionId) matrix.push({ ...r, tenantId, positionId, createdAt: now, updatedAt: now });
  };
  row('WELD', { id: newId(), kind: 'certificate', typeId: types.get('special_operation')!, categories: ['welding'], gates: ['operation:hot_work'] });
  row('WELD', { id: newId(), kind: 'course', courseId: courseIds.get('hotwork')!, validMonths: 12, gates: ['operation:hot_work'], note: '焊工每年参加动火作业专项培训' });
  row('ELEC', { id: newId(), kind: 'certificate', typeId: types.get('special_operation')!, categories: ['electrical'], gates: [] });
  row('ELEC', { id: newId(), kind: 'course', courseId: courseIds.get('electric')!, validMonths: 12, gates: [] });
  row('FORK', { id: newId(), kind: 'certificate', typeId: types.get('special_equipment')!, categories: ['N1'], gates: [] });
  row('FORK', { id: newId(), kind: 'course', courseId: courseIds.get('forklift')!, validMonths: 12, gates: [] });
  row('CRANE', { id: newId(), kind: 'certificate', typeId: types.get('special_equipment')!, categories: ['Q2'], gates: [] });
  row('PAINT', { id: newId(), kind: 'course', courseId: courseIds.get('fire')!, validMonths: 12, gates: [] });
  if (matrix.length) await tx.insert(positionRequirements).values(matrix);

  // ---- a year of online completions ----
  const staff = await tx
    .select({ id: people.id, orgUnitId: people.orgUnitId, positionId: people.positionId })
    .from(people)
    .where(and(eq(people.tenantId, tenantId), eq(people.status, 'active')))
    .orderBy(asc(people.employeeNo));
  const codeOf = new Map(posRows.map((p) => [p.id, p.code]));
  const certRows = await tx.select().from(certificates).where(eq(certificates.tenantId, tenantId));
  const counting = new Set(certRows.filter((c) => certificateCounts(c, today)).map((c) => c.personId));
  const progress: (typeof courseProgress.$inferInsert)[] = [];
  const done = (personId: string, orgUnitId: string | null, key: CourseKey, daysAgo: number) => {
    const at = new Date(now.getTime() - daysAgo * DAY - rng.int(0, 8 * 3600) * 1000);
    progress.push({ id: newId(), ...base, orgUnitId, courseId: courseIds.get(key)!, personId, secondsCredited: spec(key).minutes * 60, secondsReported: spec(key).minutes * 60 + rng.int(0, 90), lastHeartbeatAt: at, completedAt: at });
  };
  for (const p of staff) {
    const code = codeOf.get(p.positionId ?? '') ?? '';
    // Welders whose certificate counts did the yearly hot-work course (else the matrix would refuse their permits).
    if (code === 'WELD') {
      if (counting.has(p.id)) done(p.id, p.orgUnitId, 'hotwork', rng.int(5, 330));
      else if (rng.chance(0.5)) done(p.id, p.orgUnitId, 'hotwork', rng.int(380, 520));
    } else if (code === 'ELEC') {
      if (rng.chance(0.8)) done(p.id, p.orgUnitId, 'electric', rng.int(5, 330));
      else if (rng.chance(0.5)) done(p.id, p.orgUnitId, 'electric', rng.int(380, 500));
    } else if (code === 'FORK') {
      if (rng.chance(0.75)) done(p.id, p.orgUnitId, 'forklift', rng.int(5, 330));
    } else if (code === 'PAINT') {
      if (rng.chance(0.7)) done(p.id, p.orgUnitId, 'fire', rng.int(5, 330));
    } else if (rng.chance(0.12)) {
      done(p.id, p.orgUnitId, rng.chance(0.5) ? 'fire' : 'induction', rng.int(5, 360));
    }
  }
  for (let i = 0; i < progress.length; i += 500) await tx.insert(courseProgress).values(progress.slice(i, i + 500));

  // ---- plans: the company's year plan and this month's plan of the first workshop ----
  const [root] = await tx
    .select({ id: orgUnits.id })
    .from(orgUnits)
    .where(and(eq(orgUnits.tenantId, tenantId), isNull(orgUnits.parentId)));
  const [workshop] = await tx
    .select({ id: orgUnits.id, name: orgUnits.name })
    .from(orgUnits)
    .where(and(eq(orgUnits.tenantId, tenantId), eq(orgUnits.kind, 'workshop')))
    .orderBy(asc(orgUnits.code))
    .limit(1);
  const yearPlan = newId();
  const monthPlan = newId();
  await tx.insert(trainingPlans).values([
    { id: yearPlan, ...base, orgUnitId: root!.id, year, month: null, title: `${year} 年度安全培训计划`, status: 'published', notes: '依据《生产经营单位安全培训规定》（3号令）及岗位培训矩阵编制。' },
    ...(workshop ? [{ id: monthPlan, ...base, orgUnitId: workshop.id, year, month, title: `${workshop.name} ${month} 月培训计划`, status: 'published' as const, notes: null }] : []),
  ]);
  const items: (typeof trainingPlanItems.$inferInsert)[] = [];
  const item = (planId: string, orgUnitId: string, plannedMonth: number, topic: string, hours: number, trainer: string, courseKey: CourseKey | null, codes: string[]) => {
    const id = newId();
    items.push({ id, ...base, orgUnitId, planId, courseId: courseKey ? courseIds.get(courseKey)! : null, topic, positionIds: codes.map((c) => pos.get(c)).filter((v): v is string => !!v), plannedMonth, hours, trainer, sort: items.length });
    return id;
  };
  item(yearPlan, root!.id, 3, spec('hotwork').title, 4, '王建国', 'hotwork', ['WELD']);
  item(yearPlan, root!.id, 4, spec('electric').title, 2, '李明', 'electric', ['ELEC']);
  item(yearPlan, root!.id, 5, spec('forklift').title, 2, '赵强', 'forklift', ['FORK']);
  item(yearPlan, root!.id, 6, spec('fire').title, 2, '消防大队 陈教官', 'fire', ['PAINT']);
  const drill = item(yearPlan, root!.id, Math.min(12, Math.max(1, month - 2)), '受限空间作业应急救援演练', 4, '安环部 周伟', null, ['OP', 'MAINT', 'FITTER']);
  const future = Math.min(12, month + 1);
  item(yearPlan, root!.id, future, '冬季防火与防冻专项培训', 2, '安环部 周伟', null, []);
  if (workshop) {
    item(monthPlan, workshop.id, month, '班组长安全管理能力提升', 4, '安环部 周伟', null, ['LEADER']);
    item(monthPlan, workshop.id, month, spec('fire').title, 2, '消防大队 陈教官', 'fire', []);
  }
  await tx.insert(trainingPlanItems).values(items);

  // ---- classroom sessions with attendance (one delivers the drill item) ----
  const sessions: (typeof classSessions.$inferInsert & { id: string; startsAt: Date })[] = [];
  const attend: (typeof attendances.$inferInsert)[] = [];
  const shopfloor = staff.filter((p) => ['OP', 'MAINT', 'FITTER'].includes(codeOf.get(p.positionId ?? '') ?? ''));
  const session = (daysAgo: number, title: string, trainer: string, location: string, hours: number, courseKey: CourseKey | null, planItemId: string | null, who: typeof staff) => {
    const startsAt = new Date(now.getTime() - daysAgo * DAY);
    startsAt.setUTCHours(6, 0, 0, 0);
    const s = { id: newId(), ...base, orgUnitId: root!.id, courseId: courseKey ? courseIds.get(courseKey)! : null, planItemId, title, trainer, location, startsAt, endsAt: new Date(startsAt.getTime() + hours * 3600_000), hours, tokenHash: sha256(newSecret('ts_')) };
    sessions.push(s);
    for (const p of who) attend.push({ id: newId(), tenantId, orgUnitId: p.orgUnitId, sessionId: s.id, personId: p.id, signedAt: new Date(startsAt.getTime() - rng.int(0, 20) * 60_000), via: rng.chance(0.9) ? 'qr' : 'manual' });
  };
  session(40, '受限空间作业应急救援演练', '安环部 周伟', '一号厂房东侧演练场', 4, null, drill, shopfloor.filter(() => rng.chance(0.6)));
  session(200, '消防安全与灭火器使用（集中培训）', '消防大队 陈教官', '培训中心 201', 2, 'fire', null, staff.filter(() => rng.chance(0.08)));
  session(120, '安全生产月专题讲座', '安环部 周伟', '培训中心报告厅', 2, null, null, staff.filter(() => rng.chance(0.1)));
  // A session later today, so the QR sign-in sheet has something to show.
  session(-0.1, '班组长安全管理能力提升', '安环部 周伟', '培训中心 201', 4, null, items.find((i) => i.topic === '班组长安全管理能力提升')?.id ?? null, []);
  await tx.insert(classSessions).values(sessions);
  for (let i = 0; i < attend.length; i += 500) await tx.insert(attendances).values(attend.slice(i, i + 500));

  return { courses: courseSpecs.length, completions: progress.length, sessions: sessions.length, attendances: attend.length, matrixRows: matrix.length, plans: workshop ? 2 : 1, planItems: items.length };
}
