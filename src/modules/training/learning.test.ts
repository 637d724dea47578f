import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/app.ts';
import { makeUser } from '../../test/factories.ts';
import { creditFor, MAX_HEARTBEAT_SECONDS } from './learning.ts';
import type { CourseT, PersonFileT } from './learningRoutes.ts';
import { makeScan, seedTrainingCompany, signIn, type Client, type Seed } from './testSupport.ts';

let t: TestApp;
let s: Seed;
const START = new Date('2026-12-01T02:00:00Z');
const at = (seconds: number) => {
  t.clock.now = new Date(START.getTime() + seconds * 1000);
};

beforeAll(async () => {
  t = await createTestApp({ RATE_LIMIT_PER_MINUTE: '100000' });
  t.clock.now = START;
  s = await seedTrainingCompany(t);
});
afterAll(() => t.close());

const newLearner = async (): Promise<{ c: Client; personId: string }> => {
  const u = await makeUser(t.db, s.tenant.id, s.team.id, ['employee']);
  return { c: await signIn(t, u.user), personId: u.person.id };
};
const addCourse = async (over: Record<string, unknown> = {}) => {
  const res = await s.as.officer.post<CourseT>('/api/v1/training/courses', { title: '动火作业安全', category: '动火作业', materials: [{ kind: 'text', title: '要点', text: '动火前气体分析……' }], requiredMinutes: 2, creditHours: 2, ...over });
  expect(res.statusCode, JSON.stringify(res.body)).toBe(201);
  return res.body;
};
const beat = (c: Client, courseId: string, seconds: number) => c.post<CourseT & { creditedNow: number }>(`/api/v1/training/courses/${courseId}/heartbeat`, { seconds });

describe('courses', () => {
  it('accepts video and PDF materials that are uploaded files of the right kind, and refuses others', async () => {
    const video = await makeScan(t, s.tenant.id, 'video');
    const pdf = await makeScan(t, s.tenant.id, 'pdf');
    const c = await addCourse({ materials: [{ kind: 'video', title: '视频', fileId: video }, { kind: 'slides', title: '课件', fileId: pdf }, { kind: 'text', title: '文字', text: '内容' }] });
    expect(c.materials.map((m) => m.kind)).toEqual(['video', 'slides', 'text']);
    const bad = await s.as.officer.post('/api/v1/training/courses', { title: 'x', category: 'x', materials: [{ kind: 'video', title: 'v', fileId: pdf }], requiredMinutes: 1, creditHours: 1 });
    expect(bad.statusCode).toBe(400);
    expect(bad.body.errors?.[0]?.field).toBe('materials.0.fileId');
    expect((await s.as.welder.post('/api/v1/training/courses', { title: 'x', category: 'x', materials: [], requiredMinutes: 1, creditHours: 1 })).statusCode).toBe(403);
  });
});

describe('online learning heartbeats', () => {
  it('caps credited time by the wall time since the last heartbeat, so hours cannot be faked', async () => {
    const course = await addCourse({ requiredMinutes: 60 });
    const { c } = await newLearner();
    at(0);
    // The first heartbeat starts the clock and credits nothing, whatever it claims.
    expect((await beat(c, course.id, 3600)).body).toMatchObject({ creditedNow: 0 });
    at(30);
    // Claims an hour after 30 s: 30 s credited.
    const faked = await beat(c, course.id, 3600);
    expect(faked.body.creditedNow).toBe(30);
    expect(faked.body.progress).toMatchObject({ secondsCredited: 30, completedAt: null });
    // A second tab beating at the same moment gets nothing more.
    expect((await beat(c, course.id, 30)).body.creditedNow).toBe(0);
    // Back after lunch (an hour later): at most one heartbeat's worth.
    at(30 + 3600);
    expect((await beat(c, course.id, 3600)).body.creditedNow).toBe(MAX_HEARTBEAT_SECONDS);
    t.clock.now = START;
  });

  it('completes the course at the required minutes and counts its hours in the training file', async () => {
    const course = await addCourse({ requiredMinutes: 2, creditHours: 3 });
    const { c, personId } = await newLearner();
    for (let i = 0; i <= 4; i++) {
      at(i * 30);
      await beat(c, course.id, 30);
    }
    const done = (await c.get<CourseT>(`/api/v1/training/courses/${course.id}`)).body;
    expect(done.progress).toMatchObject({ secondsCredited: 120, percent: 100 });
    expect(done.progress?.completedAt).not.toBeNull();
    const file = (await c.get<PersonFileT>(`/api/v1/training/people/${personId}/records`)).body;
    expect(file.totalHours).toBe(3);
    expect(file.items).toEqual([expect.objectContaining({ kind: 'course', hours: 3, content: '在线学习：动火作业安全' })]);
    // Someone else's file needs training:read in scope: the painter's department head cannot read this team's.
    expect((await s.as.otherHead.get(`/api/v1/training/people/${personId}/records`)).statusCode).toBe(403);
    t.clock.now = START;
  });

  it('credits min(reported, wall, cap)', () => {
    const last = new Date('2026-01-01T00:00:00Z');
    expect(creditFor(30, null, last)).toBe(0);
    expect(creditFor(30, last, new Date(last.getTime() + 10_000))).toBe(10);
    expect(creditFor(5, last, new Date(last.getTime() + 10_000))).toBe(5);
    expect(creditFor(500, last, new Date(last.getTime() + 500_000))).toBe(MAX_HEARTBEAT_SECONDS);
    expect(creditFor(30, last, new Date(last.getTime() - 10_000))).toBe(0);
  });
});

describe('classroom sessions with QR sign-in', () => {
  it('signs a person in with the token only around the session time, once, and lists the attendance', async () => {
    const created = await s.as.officer.post<{ id: string; token: string; signInPath: string }>('/api/v1/training/sessions', { title: '受限空间作业培训', trainer: '李工', location: '三楼培训室', startsAt: '2026-12-01T06:00:00Z', endsAt: '2026-12-01T08:00:00Z', hours: 2 });
    expect(created.statusCode).toBe(201);
    expect(created.body.token.length).toBeGreaterThan(40);
    expect(created.body.signInPath).toBe(`/training/sign-in#${created.body.token}`);
    const { c, personId } = await newLearner();
    t.clock.now = new Date('2026-12-01T05:00:00Z');
    const early = await c.post('/api/v1/training/sessions/sign-in', { token: created.body.token });
    expect(early.statusCode).toBe(409);
    expect(early.body).toMatchObject({ code: 'training_refused', reason: 'sign_in_closed' });
    expect((await c.post('/api/v1/training/sessions/sign-in', { token: `${created.body.token}x` })).statusCode).toBe(404);
    t.clock.now = new Date('2026-12-01T05:45:00Z');
    expect((await c.post<{ already: boolean }>('/api/v1/training/sessions/sign-in', { token: created.body.token })).body).toMatchObject({ already: false, via: 'qr' });
    expect((await c.post<{ already: boolean }>('/api/v1/training/sessions/sign-in', { token: created.body.token })).body.already).toBe(true);
    const list = (await s.as.officer.get<{ items: { personId: string }[] }>(`/api/v1/training/sessions/${created.body.id}/attendance`)).body.items;
    expect(list.map((x) => x.personId)).toEqual([personId]);
    const file = (await c.get<PersonFileT>('/api/v1/training/my/records')).body;
    expect(file.items).toEqual([expect.objectContaining({ kind: 'class', hours: 2, trainer: '李工' })]);
    t.clock.now = new Date('2026-12-01T08:00:01Z');
    expect((await (await newLearner()).c.post('/api/v1/training/sessions/sign-in', { token: created.body.token })).statusCode).toBe(409);
    t.clock.now = START;
  });
});
