import { loadConfig, type Config } from '../config.ts';
import type { App } from '../platform/http/app.ts';
import { createServer } from '../server.ts';
import { openTestDatabase } from './db.ts';
import { makeOrgUnit, makeTenant, makeUser } from './factories.ts';

export interface TestApp {
  app: App;
  db: Awaited<ReturnType<typeof openTestDatabase>>;
  config: Config;
  /** Movable clock shared by the app and the test. */
  clock: { now: Date; advance(ms: number): void };
  close(): Promise<void>;
  /** Logs in over HTTP and returns the bearer header. */
  login(username: string, password: string): Promise<{ authorization: string; token: string }>;
}

export async function createTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const db = await openTestDatabase();
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', DEMO: 'false', DATA_DIR: '/tmp/safeloop-test', ...env });
  const clock = {
    now: new Date(),
    advance(ms: number) {
      this.now = new Date(this.now.getTime() + ms);
    },
  };
  const app = await createServer({ config, db, now: () => clock.now });
  await app.ready();
  return {
    app,
    db,
    config,
    clock,
    close: async () => {
      await app.close();
      await db.close();
    },
    login: async (username, password) => {
      const res = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password } });
      if (res.statusCode !== 200) throw new Error(`login ${username} failed: ${res.statusCode} ${res.body}`);
      const token = (res.json() as { token: string }).token;
      return { token, authorization: `Bearer ${token}` };
    },
  };
}

/** A tenant with company › plant › workshop › team and one user per built-in role. */
export async function seedSmallCompany(t: TestApp) {
  const { tenant, rootUnitId } = await makeTenant(t.db);
  const plant = await makeOrgUnit(t.db, tenant.id, rootUnitId, 'plant', 'Plant 1');
  const workshop = await makeOrgUnit(t.db, tenant.id, plant.id, 'workshop', 'Assembly');
  const team = await makeOrgUnit(t.db, tenant.id, workshop.id, 'team', 'Team A');
  const otherWorkshop = await makeOrgUnit(t.db, tenant.id, plant.id, 'workshop', 'Paint');
  const otherTeam = await makeOrgUnit(t.db, tenant.id, otherWorkshop.id, 'team', 'Team P');
  const admin = await makeUser(t.db, tenant.id, rootUnitId, ['sys_admin']);
  const safety = await makeUser(t.db, tenant.id, rootUnitId, ['safety_director']);
  const head = await makeUser(t.db, tenant.id, workshop.id, ['dept_head']);
  const leader = await makeUser(t.db, tenant.id, team.id, ['team_leader']);
  const worker = await makeUser(t.db, tenant.id, team.id, ['employee']);
  const auditor = await makeUser(t.db, tenant.id, rootUnitId, ['auditor']);
  return { tenant, rootUnitId, plant, workshop, team, otherWorkshop, otherTeam, admin, safety, head, leader, worker, auditor };
}
