import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog } from '../../platform/audit/schema.ts';
import { newId } from '../../platform/db/columns.ts';
import { outboxEvents } from '../../platform/events/schema.ts';
import { people, positions } from '../../platform/org/schema.ts';
import { createTestApp, type TestApp } from '../../test/app.ts';
import { makeUser } from '../../test/factories.ts';
import type { CourseT } from './learningRoutes.ts';
import type { MatrixRequirementT, MatrixT, OverviewT, PersonGapsT, PlanDetailT, PlanItemT, PlanT } from './planRoutes.ts';
import type { QualificationResultT } from './routes.ts';
import { trainingPlans } from './schema.ts';
import { seedTrainingCompany, signIn, type Client, type Seed } from './testSupport.ts';

let t: TestApp;
let s: Seed;
let weldPos: string;
let elecPos: string;
let course: CourseT;
const START = new Date('2026-03-02T02:00:00Z');

const addPosition = async (code: string, name: string) => {
  const id = newId();
  await t.db.tx((tx) => tx.insert(positions).values({ id, tenantId: s.tenant.id, code, name, special: true }));
  return id;
};
const setPosition = (personId: string, positionId: string) => t.db.tx((tx) => tx.update(people).set({ positionId }).where(eq(people.id, personId)));
/** Completes a course online: one heartbeat starts the clock, the next (a minute later) credits 60 s. */
const complete = async (c: Client, courseId: string) => {
  const before = t.clock.now;
  await c.post(`/api/v1/training/courses/${courseId}/heartbeat`, { seconds: 30 });
  t.clock.now = new Date(before.getTime() + 60_000);
  const r = await c.post<CourseT>(`/api/v1/training/courses/${courseId}/heartbeat`, { seconds: 60 });
  expect(r.body.progress?.completedAt, JSON.stringify(r.body)).not.toBeNull();
  t.clock.now = before;
};

beforeAll(async () => {
  t = await createTestApp({ RATE_LIMIT_PER_MINUTE: '100000' });
  t.clock.now = START;
  s = await seedTrainingCompany(t);
  weldPos = await addPosition('WELD', '焊工');
  elecPos = await addPosition('ELEC', '电工');
  const res = await s.as.officer.post<CourseT>('/api/v1/training/courses', { title: '动火作业安全', category: '动火作业', materials: [{ kind: 'text', title: '要点', text: '动火前气体分析' }], requiredMinutes: 1, creditHours: 4 });
  expect(res.statusCode).toBe(201);
  course = res.body;
});
afterAll(() => t.close());

describe('training plans', () => {
  it('computes an item’s completion from the records of the targeted people and exports it to Excel', async () => {
    const created = await s.as.officer.post<PlanDetailT>('/api/v1/training/plans', { year: 2026, title: '2026 年装配车间培训计划', orgUnitId: s.workshop.id });
    expect(created.statusCode, JSON.stringify(created.body)).toBe(201);
    const plan = created.body;
    expect(plan).toMatchObject({ year: 2026, month: null, status: 'draft', items: 0, orgUnitName: 'Assembly' });
    // Two welders in the workshop, one electrician who is not targeted.
    const w1 = await makeUser(t.db, s.tenant.id, s.team.id, ['employee']);
    const w2 = await makeUser(t.db, s.tenant.id, s.team.id, ['employee']);
    const e1 = await makeUser(t.db, s.tenant.id, s.team.id, ['employee']);
    await setPosition(w1.person.id, weldPos);
    await setPosition(w2.person.id, weldPos);
    await setPosition(e1.person.id, elecPos);
    const item = await s.as.officer.post<PlanItemT>(`/api/v1/training/plans/${plan.id}/items`, { courseId: course.id, positionIds: [weldPos], plannedMonth: 3, hours: 4, trainer: '王工' });
    expect(item.statusCode, JSON.stringify(item.body)).toBe(201);
    expect(item.body).toMatchObject({ topic: '动火作业安全', targetPeople: 2, completedPeople: 0, percent: 0, state: 'planned', positionNames: ['焊工'] });

    // One welder learns online, the other attends a classroom session linked to the item.
    await complete(await signIn(t, w1.user), course.id);
    const session = await s.as.officer.post<{ id: string }>('/api/v1/training/sessions', { planItemId: item.body.id, title: '动火作业现场培训', trainer: '王工', location: '培训室', startsAt: '2026-03-10T01:00:00Z', endsAt: '2026-03-10T03:00:00Z', hours: 2 });
    expect(session.statusCode, JSON.stringify(session.body)).toBe(201);
    let detail = (await s.as.officer.get<PlanDetailT>(`/api/v1/training/plans/${plan.id}`)).body;
    expect(detail.lines[0]).toMatchObject({ completedPeople: 1, percent: 50, state: 'in_progress' });
    await s.as.officer.post(`/api/v1/training/sessions/${session.body.id}/attendance`, { personId: w2.person.id });
    detail = (await s.as.officer.get<PlanDetailT>(`/api/v1/training/plans/${plan.id}`)).body;
    expect(detail.lines[0]).toMatchObject({ targetPeople: 2, completedPeople: 2, percent: 100, state: 'completed' });
    expect(detail).toMatchObject({ items: 1, completedItems: 1, percent: 100, plannedHours: 4 });

    // A topic nobody was trained on is overdue once its month has passed.
    const topic = await s.as.officer.post<PlanItemT>(`/api/v1/training/plans/${plan.id}/items`, { topic: '受限空间应急演练', plannedMonth: 2, hours: 2 });
    expect(topic.body).toMatchObject({ state: 'overdue', completedPeople: 0 });
    expect(topic.body.targetPeople).toBeGreaterThanOrEqual(3);

    const list = (await s.as.officer.get<{ items: PlanT[] }>('/api/v1/training/plans?year=2026')).body.items;
    expect(list.find((p) => p.id === plan.id)).toMatchObject({ items: 2, completedItems: 1 });

    const xlsx = await t.app.inject({ method: 'GET', url: '/api/v1/training/plans.xlsx?year=2026', headers: { authorization: s.as.officer.authorization } });
    expect(xlsx.statusCode).toBe(200);
    const { default: ExcelJS } = await import('exceljs');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.rawPayload as unknown as Parameters<typeof wb.xlsx.load>[0]);
    const ws = wb.getWorksheet('培训计划')!;
    const rows = ws.getSheetValues().filter(Boolean) as unknown[][];
    const line = rows.find((r) => r.includes('动火作业安全'))!;
    expect(line).toEqual(expect.arrayContaining(['2026 年装配车间培训计划', '焊工', 4, '王工', 2, 100, '已完成']));
    expect(rows.some((r) => r.includes('逾期未完成'))).toBe(true);

    const audits = await t.db.read((tx) => tx.select({ action: auditLog.action }).from(auditLog).where(eq(auditLog.entityId, plan.id)));
    expect(audits.map((a) => a.action)).toEqual(expect.arrayContaining(['training_plan.created', 'training_plan.item_added']));
  });

  it('refuses bad input with 400 naming the field and writes nothing', async () => {
    const monthly = (await s.as.officer.post<PlanDetailT>('/api/v1/training/plans', { year: 2026, month: 4, title: '4 月培训', orgUnitId: s.workshop.id })).body;
    const count = async () => (await t.db.read((tx) => tx.select({ n: sql<number>`count(*)::int` }).from(trainingPlans)))[0]!.n;
    const before = await count();
    const wrongMonth = await s.as.officer.post(`/api/v1/training/plans/${monthly.id}/items`, { topic: '用电安全', plannedMonth: 5, hours: 2 });
    expect(wrongMonth.statusCode).toBe(400);
    expect(wrongMonth.body.errors?.[0]?.field).toBe('plannedMonth');
    const noTopic = await s.as.officer.post(`/api/v1/training/plans/${monthly.id}/items`, { plannedMonth: 4, hours: 2 });
    expect(noTopic.body.errors?.[0]?.field).toBe('topic');
    const badMonth = await s.as.officer.post('/api/v1/training/plans', { year: 2026, month: 13, title: 'x', orgUnitId: s.workshop.id });
    expect(badMonth.statusCode).toBe(400);
    // The Paint workshop's head plans for Paint only.
    const outside = await s.as.otherHead.post('/api/v1/training/plans', { year: 2026, title: 'x', orgUnitId: s.workshop.id });
    expect(outside.statusCode).toBe(403);
    expect(await count()).toBe(before);
    expect((await s.as.otherHead.get(`/api/v1/training/plans/${monthly.id}`)).statusCode).toBe(403);
    expect((await s.as.welder.post('/api/v1/training/plans', { year: 2026, title: 'x', orgUnitId: s.team.id })).statusCode).toBe(403);
  });

  it('closes a plan, after which it cannot change (409 training_refused plan_closed)', async () => {
    const p = (await s.as.officer.post<PlanDetailT>('/api/v1/training/plans', { year: 2025, title: '2025 年计划', orgUnitId: s.workshop.id })).body;
    const skip = await s.as.officer.patch(`/api/v1/training/plans/${p.id}`, { status: 'closed', version: 1 });
    expect(skip.statusCode).toBe(400);
    expect((await s.as.officer.patch<PlanDetailT>(`/api/v1/training/plans/${p.id}`, { status: 'published', version: 1 })).body.status).toBe('published');
    expect((await s.as.officer.patch<PlanDetailT>(`/api/v1/training/plans/${p.id}`, { status: 'closed', version: 2 })).body.status).toBe('closed');
    const late = await s.as.officer.post(`/api/v1/training/plans/${p.id}/items`, { topic: 'x', plannedMonth: 1, hours: 1 });
    expect(late.statusCode).toBe(409);
    expect(late.body).toMatchObject({ code: 'training_refused', reason: 'plan_closed' });
    expect((await s.as.officer.patch(`/api/v1/training/plans/${p.id}`, { title: 'y', version: 1 })).statusCode).toBe(409);
  });
});

describe('the required-training matrix', () => {
  let welder: Awaited<ReturnType<typeof makeUser>>;
  let courseReq: MatrixRequirementT;

  it('shows each person’s gaps against their position’s requirements, filtered by department', async () => {
    welder = await makeUser(t.db, s.tenant.id, s.team.id, ['employee']);
    await setPosition(welder.person.id, weldPos);
    const painterWelder = await makeUser(t.db, s.tenant.id, s.otherTeam.id, ['employee']);
    await setPosition(painterWelder.person.id, weldPos);
    const cert = await s.as.safety.post<MatrixRequirementT>('/api/v1/training/matrix/requirements', { positionId: weldPos, kind: 'certificate', typeId: s.typeId('special_operation'), categories: ['welding'], gates: ['operation:hot_work'] });
    expect(cert.statusCode, JSON.stringify(cert.body)).toBe(201);
    expect(cert.body.label).toContain('Welding');
    const c = await s.as.safety.post<MatrixRequirementT>('/api/v1/training/matrix/requirements', { positionId: weldPos, kind: 'course', courseId: course.id, validMonths: 12, gates: ['operation:hot_work'] });
    expect(c.statusCode, JSON.stringify(c.body)).toBe(201);
    courseReq = c.body;
    // Bad rows are refused naming the field.
    expect((await s.as.safety.post('/api/v1/training/matrix/requirements', { positionId: weldPos, kind: 'course' })).body.errors?.[0]?.field).toBe('courseId');
    expect((await s.as.safety.post('/api/v1/training/matrix/requirements', { positionId: weldPos, kind: 'certificate', typeId: s.typeId('special_operation'), categories: ['nope'] })).body.errors?.[0]?.field).toBe('categories.0');
    expect((await s.as.safety.post('/api/v1/training/matrix/requirements', { positionId: weldPos, kind: 'course', courseId: course.id, gates: ['operation:flying'] })).body.errors?.[0]?.field).toBe('gates.0');
    expect((await s.as.officer.post('/api/v1/training/matrix/requirements', { positionId: weldPos, kind: 'course', courseId: course.id })).statusCode).toBe(403);

    // The welder holds a certificate that expired; the course is not done.
    await s.as.officer.post('/api/v1/training/certificates', { personId: welder.person.id, typeId: s.typeId('special_operation'), category: 'welding', number: 'T-M-1', issuer: '应急管理厅', issuedOn: '2019-01-10', validUntil: '2025-01-09' });
    const m = (await s.as.officer.get<MatrixT>(`/api/v1/training/matrix?departmentId=${s.workshop.id}`)).body;
    const row = m.people.find((p) => p.personId === welder.person.id)!;
    expect(row.cells.map((x) => x.state)).toEqual(['expired', 'missing']);
    expect(row.gaps).toBe(2);
    expect(m.people.some((p) => p.personId === painterWelder.person.id)).toBe(false);
    expect(m.requirements.map((r) => r.kind)).toEqual(['certificate', 'course']);
    const all = (await s.as.officer.get<MatrixT>('/api/v1/training/matrix?gapsOnly=true')).body;
    expect(all.people.some((p) => p.personId === painterWelder.person.id)).toBe(true);
    // The person sees their own gaps; another workshop's head does not.
    const own = await (await signIn(t, welder.user)).get<PersonGapsT>(`/api/v1/training/people/${welder.person.id}/gaps`);
    expect(own.body.items.map((i) => i.state)).toEqual(['expired', 'missing']);
    expect((await s.as.otherHead.get(`/api/v1/training/people/${welder.person.id}/gaps`)).statusCode).toBe(403);
  });

  it('makes the qualification check name a missing course of the position, and allow once all is met', async () => {
    const check = () => s.as.officer.get<QualificationResultT>(`/api/v1/qualifications/check?personId=${welder.person.id}&for=operation:hot_work`);
    let r = (await check()).body;
    expect(r.allowed).toBe(false);
    expect(r.reasons.map((x) => x.code).sort()).toEqual(['certificate_expired', 'course_missing']);
    expect(r.reasons.find((x) => x.code === 'course_missing')!.detail).toBe('Required course not completed: 动火作业安全');
    await s.as.officer.post('/api/v1/training/certificates', { personId: welder.person.id, typeId: s.typeId('special_operation'), category: 'welding', number: 'T-M-2', issuer: '应急管理厅', issuedOn: '2026-01-10' });
    r = (await check()).body;
    expect(r.reasons.map((x) => x.code)).toEqual(['course_missing']);
    await complete(await signIn(t, welder.user), course.id);
    r = (await check()).body;
    expect(r).toMatchObject({ allowed: true, reasons: [] });
    // Completing the gated course announced the grant to door and machine systems.
    const events = await t.db.read((tx) => tx.select().from(outboxEvents).where(and(eq(outboxEvents.type, 'qualification.changed'), eq(outboxEvents.entityId, welder.person.id))));
    expect(events.at(-1)?.payload).toMatchObject({ target: 'operation:hot_work', allowed: true });
    // A year later the refresher is due: the course counts no more.
    t.clock.now = new Date('2027-03-05T02:00:00Z');
    r = (await check()).body;
    expect(r.reasons.map((x) => x.code)).toEqual(['course_expired']);
    t.clock.now = START;
    // People in other positions are not affected by the welders' row (the target's own rules apply).
    const plain = await makeUser(t.db, s.tenant.id, s.team.id, ['employee']);
    const other = (await s.as.officer.get<QualificationResultT>(`/api/v1/qualifications/check?personId=${plain.person.id}&for=operation:hot_work`)).body;
    expect(other.reasons.map((x) => x.code)).toEqual(['certificate_missing']);
    // Deactivating the row stops it gating.
    await s.as.safety.patch(`/api/v1/training/matrix/requirements/${courseReq.id}`, { active: false, version: courseReq.version });
    t.clock.now = new Date('2027-03-05T02:00:00Z');
    expect((await check()).body.allowed).toBe(true);
    t.clock.now = START;
    await s.as.safety.patch(`/api/v1/training/matrix/requirements/${courseReq.id}`, { active: true, version: courseReq.version + 1 });
  });

  it('reports coverage (compliant / required people) and hours per department and month', async () => {
    const o = await s.as.officer.get<OverviewT>('/api/v1/training/statistics/overview?year=2026');
    expect(o.statusCode).toBe(200);
    const assembly = o.body.items.find((i) => i.orgUnitName === 'Assembly')!;
    // Three welders in Assembly (the electrician's position needs nothing); only the last one has it all.
    expect(assembly).toMatchObject({ required: 3, compliant: 1, coverage: 33 });
    // Two online completions in March (4 h each) and the 2 h March session.
    expect(assembly.monthlyHours).toHaveLength(12);
    expect(assembly.monthlyHours[2]).toBe(4 * 2 + 2);
    expect(assembly.hours).toBe(assembly.monthlyHours.reduce((a, b) => a + b, 0));
    const paint = o.body.items.find((i) => i.orgUnitName === 'Paint')!;
    expect(paint).toMatchObject({ required: 1, compliant: 0, coverage: 0 });
    expect((await s.as.officer.get('/api/v1/training/statistics/overview?year=1999')).statusCode).toBe(400);
  });
});
