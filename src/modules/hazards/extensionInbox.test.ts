import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/app.ts';
import type { PendingExtensionT } from './routes.ts';
import { HOUR, makeFile, seedHazardCompany, type Client, type Seed } from './testSupport.ts';

let t: TestApp;
let s: Seed;
let photo: string;

beforeAll(async () => {
  t = await createTestApp({ RATE_LIMIT_PER_MINUTE: '100000' });
  s = await seedHazardCompany(t);
  photo = await makeFile(t, s.tenant.id);
});
afterAll(() => t.close());

type Pending = { items: PendingExtensionT[]; nextCursor: string | null };

/** Reported by `reporter` in `area`, accepted by its assignee `owner`, who asks for three more days. */
async function askedFor(reporter: Client, owner: Client, area: string, title: string) {
  const h = (await reporter.post('/api/v1/hazards', { title, category: 'safety', level: 'general', orgUnitId: area, photoIds: [photo] })).body;
  const accepted = (await owner.post(`/api/v1/hazards/${h.id}/accept`, { version: h.version })).body;
  expect(accepted.status, title).toBe('rectifying');
  const newDueAt = new Date(new Date(accepted.rectifyDueAt ?? '').getTime() + 72 * HOUR).toISOString();
  const asked = await owner.post(`/api/v1/hazards/${h.id}/extensions`, { version: accepted.version, newDueAt, reason: `Parts for ${title}` });
  expect(asked.statusCode).toBe(200);
  return { hazard: asked.body, extensionId: asked.body.extensions[0]?.id ?? '' };
}

const pending = async (c: Client) => {
  const r = await c.get<Pending>('/api/v1/hazards/extensions/pending');
  expect(r.statusCode).toBe(200);
  return r.body.items;
};

describe('extensions waiting for me (GET /hazards/extensions/pending)', () => {
  it('shows a department head only the pending requests in their scope, never their own, and drops decided ones', async () => {
    const assembly = await askedFor(s.as.worker, s.as.leader, s.team.id, 'Assembly guard');
    t.clock.advance(60_000);
    const paint = await askedFor(s.as.otherWorker, s.as.otherLeader, s.otherTeam.id, 'Paint booth fan');
    t.clock.advance(60_000);
    // The head owns a finding in the workshop itself and asks for time: not theirs to decide.
    const own = await askedFor(s.as.officer, s.as.head, s.workshop.id, 'Workshop door');
    expect(own.hazard.assigneeUserId).toBe(s.head.user.id);

    const headSees = await pending(s.as.head);
    expect(headSees.map((p) => p.id)).toEqual([assembly.extensionId]);
    expect(headSees[0]).toMatchObject({ requestedBy: s.leader.user.id, requestedByName: expect.any(String), reason: 'Parts for Assembly guard', hazard: { id: assembly.hazard.id, number: assembly.hazard.number, status: 'rectifying' } });
    expect((await pending(s.as.otherHead)).map((p) => p.id)).toEqual([paint.extensionId]);
    // The safety director (company scope) sees every one, oldest first.
    expect((await pending(s.as.safety)).map((p) => p.id)).toEqual([assembly.extensionId, paint.extensionId, own.extensionId]);

    const decided = await s.as.head.post(`/api/v1/hazards/${assembly.hazard.id}/extensions/${assembly.extensionId}/decision`, { version: assembly.hazard.version, approve: false, comment: 'Use the spare guard' });
    expect(decided.statusCode).toBe(200);
    expect(await pending(s.as.head)).toEqual([]);
    expect((await pending(s.as.safety)).map((p) => p.id)).toEqual([paint.extensionId, own.extensionId]);
  });

  it('pages with a cursor', async () => {
    const first = await s.as.safety.get<Pending>('/api/v1/hazards/extensions/pending?limit=1');
    expect(first.body.items).toHaveLength(1);
    expect(first.body.nextCursor).not.toBeNull();
    const second = await s.as.safety.get<Pending>(`/api/v1/hazards/extensions/pending?limit=1&cursor=${first.body.nextCursor}`);
    expect(second.body.items).toHaveLength(1);
    expect(second.body.items[0]?.id).not.toBe(first.body.items[0]?.id);
    expect(second.body.nextCursor).toBeNull();
    expect((await s.as.safety.get('/api/v1/hazards/extensions/pending?cursor=nonsense')).statusCode).toBe(400);
  });

  it('refuses people who may not decide extensions and shows nothing of another company', async () => {
    expect((await s.as.leader.get('/api/v1/hazards/extensions/pending')).statusCode).toBe(403);
    expect((await s.as.worker.get('/api/v1/hazards/extensions/pending')).statusCode).toBe(403);
    const other = await seedHazardCompany(t);
    expect(await pending(other.as.safety)).toEqual([]);
  });
});
