import { and, asc, eq, like, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.ts';
import { builtinRoles } from '../platform/auth/permissions.ts';
import { userRoles, users } from '../platform/auth/schema.ts';
import { auditLog } from '../platform/audit/schema.ts';
import { orgUnits, people, positions, tenants } from '../platform/org/schema.ts';
import type { App } from '../platform/http/app.ts';
import { createServer } from '../server.ts';
import { openTestDatabase } from '../test/db.ts';
import { files } from '../platform/files/schema.ts';
import { newId } from '../platform/db/columns.ts';
import { hazardStates } from '../modules/hazards/lifecycle.ts';
import { hazardCounters, hazardEvents, hazardPoints, hazardSignoffs, hazards } from '../modules/hazards/schema.ts';
import { DEMO_BRANCH, DEMO_COMPANY } from './company.ts';
import { DEMO_HAZARD_COUNT } from './hazards.ts';
import { planDemoCompany } from './plan.ts';
import { DEMO_LOGINS, DEMO_PASSWORD, seedDemoIfEmpty } from './seed.ts';

let db: Awaited<ReturnType<typeof openTestDatabase>>;
let app: App;
let firstRun: boolean;

beforeAll(async () => {
  db = await openTestDatabase();
  firstRun = await seedDemoIfEmpty(db);
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', DEMO: 'false', DATA_DIR: '/tmp/safeloop-test' });
  app = await createServer({ config, db });
  await app.ready();
});

afterAll(async () => {
  await app?.close();
  await db?.close();
});

async function tenantId(code: string): Promise<string> {
  const [t] = await db.read((tx) => tx.select().from(tenants).where(eq(tenants.code, code)));
  if (!t) throw new Error(`tenant ${code} missing`);
  return t.id;
}

async function unitByCode(tenant: string, code: string) {
  const [u] = await db.read((tx) => tx.select().from(orgUnits).where(and(eq(orgUnits.tenantId, tenant), eq(orgUnits.code, code))));
  if (!u) throw new Error(`unit ${code} missing`);
  return u;
}

async function login(username: string) {
  const res = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password: DEMO_PASSWORD } });
  expect(res.statusCode, `${username}: ${res.body}`).toBe(200);
  return `Bearer ${(res.json() as { token: string }).token}`;
}

/** Row counts of every table the seed writes, to prove a second run adds nothing. */
async function tableCounts() {
  return db.read(async (tx) => {
    const count = async (table: typeof tenants | typeof orgUnits | typeof people | typeof positions | typeof users | typeof userRoles | typeof auditLog) =>
      (await tx.select({ n: sql<number>`count(*)::int` }).from(table))[0]?.n ?? 0;
    return {
      tenants: await count(tenants),
      orgUnits: await count(orgUnits),
      people: await count(people),
      positions: await count(positions),
      users: await count(users),
      userRoles: await count(userRoles),
      audit: await count(auditLog),
    };
  });
}

describe('demo seed', () => {
  it('builds 华东重型机械 with 2 plants, ≥8 workshops and departments, ≥20 teams and ≥300 employees', async () => {
    expect(firstRun).toBe(true);
    const t = await tenantId('DEMO');
    const units = await db.read((tx) => tx.select().from(orgUnits).where(eq(orgUnits.tenantId, t)));
    const byKind = (k: string) => units.filter((u) => u.kind === k);
    expect(byKind('company')).toHaveLength(1);
    expect(byKind('plant').map((u) => u.name)).toEqual(expect.arrayContaining(['一厂（铸锻厂）', '二厂（装配厂）']));
    expect(byKind('plant')).toHaveLength(2);
    expect(byKind('workshop').length + byKind('department').length).toBeGreaterThanOrEqual(8);
    expect(byKind('workshop').map((u) => u.name)).toEqual(expect.arrayContaining(['铸造车间', '焊接车间', '总装车间']));
    expect(byKind('department').map((u) => u.name)).toEqual(expect.arrayContaining(['安全环保部', '信息中心']));
    expect(byKind('team').length).toBeGreaterThanOrEqual(20);

    // Paths are the chain of ids from the root, and every unit has its head as manager in the same tenant.
    const byId = new Map(units.map((u) => [u.id, u]));
    const staff = await db.read((tx) => tx.select().from(people).where(eq(people.tenantId, t)));
    const personIds = new Set(staff.map((p) => p.id));
    for (const u of units) {
      const parent = u.parentId ? byId.get(u.parentId) : undefined;
      expect(u.path).toBe(`${parent?.path ?? '/'}${u.id}/`);
      expect(u.depth).toBe(parent ? parent.depth + 1 : 0);
      expect(u.managerPersonId && personIds.has(u.managerPersonId), `${u.name} has a manager`).toBe(true);
    }

    const employees = staff.filter((p) => p.kind === 'employee');
    expect(employees.length).toBeGreaterThanOrEqual(300);
    for (const p of staff) {
      expect(p.name).toMatch(/^[\u4e00-\u9fa5]{2,3}$/);
      expect(p.phone).toMatch(/^1[3-9]\d{9}$/);
      expect(p.hireDate).toMatch(/^(199|20[0-2])\d-\d{2}-\d{2}$/);
      expect(['male', 'female']).toContain(p.gender);
      expect(p.positionId).toBeTruthy();
    }
    expect(new Set(staff.map((p) => p.phone)).size).toBe(staff.length);

    const special = await db.read((tx) => tx.select().from(positions).where(and(eq(positions.tenantId, t), eq(positions.special, true))));
    expect(special.map((p) => p.name)).toEqual(expect.arrayContaining(['焊工', '电工', '起重工', '叉车司机']));
  });

  it('gives each of the two contractor companies its workers', async () => {
    const t = await tenantId('DEMO');
    const contractors = (await db.read((tx) => tx.select().from(orgUnits).where(and(eq(orgUnits.tenantId, t), eq(orgUnits.kind, 'contractor'))))).sort((a, b) => a.sort - b.sort);
    expect(contractors.map((c) => c.name)).toEqual(['江苏安建工程有限公司', '苏州宏达设备安装有限公司']);
    const workers = await db.read((tx) => tx.select().from(people).where(and(eq(people.tenantId, t), eq(people.kind, 'contractor'))));
    const of = (id: string) => workers.filter((w) => w.contractorUnitId === id);
    expect(of(contractors[0]!.id).length).toBeGreaterThanOrEqual(15);
    expect(of(contractors[1]!.id).length).toBeGreaterThanOrEqual(10);
    expect(workers.every((w) => w.contractorUnitId !== null)).toBe(true);
  });

  it('signs in every demo login and /me shows its person, role and data scope', async () => {
    const demo = await tenantId('DEMO');
    const weldShop = await unitByCode(demo, 'P2-HJ');
    const weldTeam = await unitByCode(demo, 'P2-HJ-1');
    const expectedRoot: Record<string, string | null> = {
      admin: null,
      safety: null,
      officer: null,
      head1: weldShop.path,
      leader1: weldTeam.path,
    };
    for (const l of DEMO_LOGINS) {
      const authorization = await login(l.username);
      const res = await app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization } });
      expect(res.statusCode).toBe(200);
      const me = res.json() as { displayName: string; personId: string | null; tenantId: string; roles: string[]; orgUnit: { id: string } | null; dataScope: { scope: string; rootPath: string | null } };
      expect(me.roles, l.username).toEqual([l.role]);
      expect(me.tenantId).toBe(await tenantId(l.tenant));
      expect(me.dataScope.scope, l.username).toBe(builtinRoles[l.role].dataScope);
      if (l.username in expectedRoot) expect(me.dataScope.rootPath, l.username).toBe(expectedRoot[l.username]);
      const [person] = await db.read((tx) => tx.select().from(people).where(eq(people.id, me.personId ?? '')));
      expect(person, l.username).toBeDefined();
      expect(me.displayName).toBe(person!.name);
      expect(me.orgUnit?.id).toBe(person!.orgUnitId);
    }
    // head1 heads 焊接车间, leader1 leads 焊接一班 and worker1 works in it; contractor1 is a worker of 江苏安建.
    expect(weldShop.managerPersonId).toBe(await personOf('head1'));
    expect(weldTeam.managerPersonId).toBe(await personOf('leader1'));
    const worker1 = await personRow('worker1');
    expect(worker1.orgUnitId).toBe(weldTeam.id);
    const contractor1 = await personRow('contractor1');
    expect(contractor1.kind).toBe('contractor');
    expect(contractor1.contractorUnitId).toBe((await unitByCode(demo, 'CBS-JSAJ')).id);
  });

  it('lets head1 list only the people of 焊接车间', async () => {
    const demo = await tenantId('DEMO');
    const weldShop = await unitByCode(demo, 'P2-HJ');
    const inShop = await db.read((tx) =>
      tx
        .select({ id: people.id })
        .from(people)
        .innerJoin(orgUnits, eq(orgUnits.id, people.orgUnitId))
        .where(and(eq(people.tenantId, demo), like(orgUnits.path, `${weldShop.path}%`))),
    );
    const res = await app.inject({ method: 'GET', url: '/api/v1/people?limit=200', headers: { authorization: await login('head1') } });
    expect(res.statusCode).toBe(200);
    const ids = (res.json() as { items: { id: string }[] }).items.map((p) => p.id);
    expect(ids.length).toBeGreaterThan(30);
    expect(new Set(ids)).toEqual(new Set(inShop.map((p) => p.id)));
  });

  it('keeps the 南通 branch apart: admin2 sees only its own people, another tenant is 404', async () => {
    const nt = await tenantId('DEMO-NT');
    const own = await db.read((tx) => tx.select({ id: people.id }).from(people).where(eq(people.tenantId, nt)));
    const authorization = await login('admin2');
    const res = await app.inject({ method: 'GET', url: '/api/v1/people?limit=200', headers: { authorization } });
    expect(res.statusCode).toBe(200);
    expect(new Set((res.json() as { items: { id: string }[] }).items.map((p) => p.id))).toEqual(new Set(own.map((p) => p.id)));
    const foreign = await personOf('head1');
    expect((await app.inject({ method: 'GET', url: `/api/v1/people/${foreign}`, headers: { authorization } })).statusCode).toBe(404);
  });

  it('writes one demo.seeded audit entry per company with the counts', async () => {
    for (const code of ['DEMO', 'DEMO-NT']) {
      const t = await tenantId(code);
      const entries = await db.read((tx) => tx.select().from(auditLog).where(and(eq(auditLog.tenantId, t), eq(auditLog.action, 'demo.seeded'))));
      expect(entries).toHaveLength(1);
      const after = entries[0]!.after as { employees: number; teams: number; usernames: string[] };
      const employees = await db.read((tx) => tx.select({ n: sql<number>`count(*)::int` }).from(people).where(and(eq(people.tenantId, t), eq(people.kind, 'employee'))));
      expect(after.employees).toBe(employees[0]?.n);
      expect(after.usernames).toEqual(DEMO_LOGINS.filter((l) => l.tenant === code).map((l) => l.username));
    }
  });

  it('creates nothing when run a second time', async () => {
    const before = await tableCounts();
    expect(await seedDemoIfEmpty(db)).toBe(false);
    expect(await tableCounts()).toEqual(before);
  });

  it('plans the same names, phones, numbers and dates on every run', () => {
    for (const spec of [DEMO_COMPANY, DEMO_BRANCH]) {
      const plan = () =>
        planDemoCompany(spec, { tenantId: '00000000-0000-7000-8000-000000000000', rootUnitId: '00000000-0000-7000-8000-000000000001', passwordHash: 'x', takenPhones: new Set() }).people.map(
          (p) => [p.employeeNo, p.name, p.phone, p.gender, p.hireDate].join(' '),
        );
      expect(plan()).toEqual(plan());
    }
  });
});

const tokens = new Map<string, string>();
/** One sign-in per login for the hazard tests (the login endpoint allows 20 per minute per address). */
async function loginOnce(username: string): Promise<string> {
  const known = tokens.get(username);
  if (known) return known;
  const authorization = await login(username);
  tokens.set(username, authorization);
  return authorization;
}

async function get<T>(username: string, url: string): Promise<T> {
  const res = await app.inject({ method: 'GET', url, headers: { authorization: await loginOnce(username) } });
  expect(res.statusCode, `${url}: ${res.body}`).toBe(200);
  return res.json() as T;
}

describe('demo hazards', () => {
  it('seeds 150 hazards in every state with numbers, timelines, points, two major ones with a treatment plan and one anonymous', async () => {
    const demo = await tenantId('DEMO');
    const rows = await db.read((tx) => tx.select().from(hazards).where(eq(hazards.tenantId, demo)));
    expect(rows).toHaveLength(DEMO_HAZARD_COUNT);
    const count = (f: (h: (typeof rows)[number]) => boolean) => rows.filter(f).length;
    for (const state of hazardStates) expect(count((h) => h.status === state), state).toBeGreaterThan(0);
    expect(count((h) => h.status === 'closed')).toBeGreaterThan(DEMO_HAZARD_COUNT * 0.7);
    expect(count((h) => h.status === 'rejected')).toBeGreaterThanOrEqual(2);
    expect(count((h) => h.status !== 'closed' && h.status !== 'rejected' && h.rectifyOverdue)).toBeGreaterThanOrEqual(2);
    expect(count((h) => h.status === 'rectifying' && !h.rectifyOverdue)).toBeGreaterThanOrEqual(2);
    const major = rows.filter((h) => h.level === 'major');
    expect(major.map((h) => h.status).sort()).toEqual(['closed', 'rectifying']);
    for (const h of major) {
      expect(h.treatmentPlan?.goal).toBeTruthy();
      expect(h.reportToAuthority).toBe(true);
    }
    const signoffs = await db.read((tx) => tx.select().from(hazardSignoffs).where(eq(hazardSignoffs.tenantId, demo)));
    expect(new Set(signoffs.map((x) => x.hazardId))).toEqual(new Set(major.map((h) => h.id)));
    // Plans name a real person of the company as responsible (五到位), as the plan endpoint requires.
    const personIds = new Set((await db.read((tx) => tx.select({ id: people.id }).from(people).where(eq(people.tenantId, demo)))).map((p) => p.id));
    const planned = rows.filter((h) => h.plan);
    expect(planned.length).toBeGreaterThan(10);
    for (const h of planned) expect(personIds.has(h.plan!.responsiblePersonId), h.number).toBe(true);
    for (const h of rows.filter((x) => !x.anonymous)) expect(h.reporterPersonId, h.number).not.toBeNull();
    const anonymous = rows.filter((h) => h.anonymous);
    expect(anonymous).toHaveLength(1);
    expect(anonymous[0]!.reporterUserId).toBeNull();
    expect(count((h) => h.fixOnSpot)).toBeGreaterThan(0);
    // Numbers YH-<year>-000001… follow the report times with no gaps, and the counter continues after them.
    const byYear = new Map<number, typeof rows>();
    for (const h of [...rows].sort((a, b) => a.reportedAt.getTime() - b.reportedAt.getTime())) byYear.set(h.year, [...(byYear.get(h.year) ?? []), h]);
    const counters = await db.read((tx) => tx.select().from(hazardCounters).where(eq(hazardCounters.tenantId, demo)));
    for (const [year, list] of byYear) {
      expect(list.map((h) => h.number)).toEqual(list.map((_, i) => `YH-${year}-${String(i + 1).padStart(6, '0')}`));
      expect(counters.find((c) => c.year === year)?.last).toBe(list.length);
    }
    // Every hazard's timeline starts with its report and ends in its current state.
    const events = await db.read((tx) => tx.select().from(hazardEvents).where(eq(hazardEvents.tenantId, demo)).orderBy(asc(hazardEvents.at), asc(hazardEvents.id)));
    for (const h of rows) {
      const mine = events.filter((e) => e.hazardId === h.id);
      expect(mine[0]?.action, h.number).toBe('reported');
      const lastMove = mine.filter((e) => e.toStatus !== null).at(-1);
      expect(lastMove?.toStatus, h.number).toBe(h.status);
    }
    // Points: a verified fix for every closed hazard, none for a rejected report.
    const points = await db.read((tx) => tx.select().from(hazardPoints).where(eq(hazardPoints.tenantId, demo)));
    expect(points.filter((x) => x.reason === 'verified_fix')).toHaveLength(count((h) => h.status === 'closed'));
    const rejected = new Set(rows.filter((h) => h.status === 'rejected').map((h) => h.id));
    expect(points.filter((x) => rejected.has(x.hazardId))).toHaveLength(0);
    const audit = await db.read((tx) => tx.select().from(auditLog).where(and(eq(auditLog.tenantId, demo), eq(auditLog.action, 'demo.hazards_seeded'))));
    expect(audit).toHaveLength(1);
    expect((audit[0]!.after as { hazards: number }).hazards).toBe(DEMO_HAZARD_COUNT);
    // The branch has none.
    const branch = await tenantId('DEMO-NT');
    expect(await db.read((tx) => tx.select({ id: hazards.id }).from(hazards).where(eq(hazards.tenantId, branch)))).toHaveLength(0);
  });

  it('routes a fresh report by worker1 in 焊接一班 to leader1, and a fire hazard there to head1 by the seeded rule', async () => {
    const demo = await tenantId('DEMO');
    const weldTeam = await unitByCode(demo, 'P2-HJ-1');
    const users1 = await db.read((tx) => tx.select({ id: users.id, username: users.username }).from(users).where(eq(users.tenantId, demo)));
    const idOf = (u: string) => users1.find((x) => x.username === u)?.id;
    const photo = newId();
    await db.tx((tx) => tx.insert(files).values({ id: photo, tenantId: demo, sha256: 'a'.repeat(64), size: 10, mime: 'image/jpeg', kind: 'image', createdAt: new Date() }));
    const report = async (category: string) => {
      const res = await app.inject({
        method: 'POST',
        url: '/api/v1/hazards',
        headers: { authorization: await loginOnce('worker1') },
        payload: { title: '焊接烟尘净化器未开启', category, level: 'general', orgUnitId: weldTeam.id, photoIds: [photo] },
      });
      expect(res.statusCode, res.body).toBe(201);
      return res.json() as { status: string; assigneeUserId: string | null; assignmentRuleId: string | null };
    };
    const safety = await report('safety');
    expect(safety.status).toBe('assigned');
    expect(safety.assigneeUserId).toBe(idOf('leader1'));
    const fire = await report('fire');
    expect(fire.assigneeUserId).toBe(idOf('head1'));
    expect(fire.assignmentRuleId).not.toBeNull();
    // Both have work waiting on their desks.
    for (const u of ['leader1', 'head1']) {
      const mine = await get<{ items: unknown[] }>(u, '/api/v1/hazards?mine=assigned&status=assigned&status=rectifying');
      expect(mine.items.length, u).toBeGreaterThan(0);
    }
  });

  it('fills the ledger, the figures and a leaderboard for the safety officer', async () => {
    const list = await get<{ items: { number: string }[] }>('officer', '/api/v1/hazards?limit=50');
    expect(list.items).toHaveLength(50);
    const figures = await get<{ total: { reported: number; closed: number; overdue: number; onTimeRate: number | null }; groups: unknown[] }>('officer', '/api/v1/hazards/figures');
    expect(figures.total.reported).toBeGreaterThanOrEqual(DEMO_HAZARD_COUNT * 0.9);
    expect(figures.total.closed).toBeGreaterThan(0);
    expect(figures.total.overdue).toBeGreaterThan(0);
    expect(figures.total.onTimeRate).toBeGreaterThan(0.5);
    expect(figures.groups.length).toBeGreaterThanOrEqual(3);
    const last = new Date();
    last.setUTCDate(1);
    last.setUTCMonth(last.getUTCMonth() - 1);
    const month = `${last.getUTCFullYear()}-${String(last.getUTCMonth() + 1).padStart(2, '0')}`;
    const board = await get<{ people: unknown[]; departments: unknown[] }>('officer', `/api/v1/hazards/leaderboard?month=${month}`);
    expect(board.people.length).toBeGreaterThanOrEqual(3);
    expect(board.departments.length).toBeGreaterThanOrEqual(2);
  });
});

async function personRow(username: string) {
  const [row] = await db.read((tx) =>
    tx
      .select({ p: people })
      .from(users)
      .innerJoin(people, eq(people.id, users.personId))
      .where(eq(users.username, username)),
  );
  if (!row) throw new Error(`no person for ${username}`);
  return row.p;
}

async function personOf(username: string): Promise<string> {
  return (await personRow(username)).id;
}
