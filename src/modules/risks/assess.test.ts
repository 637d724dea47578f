import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog } from '../../platform/audit/schema.ts';
import { outboxEvents } from '../../platform/events/schema.ts';
import { createTestApp, type TestApp } from '../../test/app.ts';
import type { AssessResponse, ConfigResponse, EventDetailT, MethodT } from './routes.ts';
import { riskAssessments, riskEvents } from './schema.ts';
import { makeRegister, seedRiskCompany, type Seed } from './testSupport.ts';

let t: TestApp;
let s: Seed;

beforeAll(async () => {
  t = await createTestApp({ RATE_LIMIT_PER_MINUTE: '100000' });
  s = await seedRiskCompany(t);
});
afterAll(() => t.close());

const assess = (eventId: string, body: Record<string, unknown>, c = s.as.safety) => c.post<AssessResponse>(`/api/v1/risks/events/${eventId}/assessments`, body);
const assessmentsOf = (eventId: string) => t.db.read((tx) => tx.select().from(riskAssessments).where(eq(riskAssessments.eventId, eventId)));
const config = async () => (await s.as.safety.get<ConfigResponse>('/api/v1/risks/config')).body;
const methodOf = async (code: string) => (await config()).methods.find((m) => m.code === code)!;

describe('assessing a risk event', () => {
  it('LEC L=6, E=6, C=15 → 540 → 重大 / red with the default bands, stored, current on the event, audited and announced', async () => {
    const r = await makeRegister(s);
    const res = await assess(r.event.id, { methodCode: 'lec', kind: 'inherent', factors: { L: 6, E: 6, C: 15 } });
    expect(res.statusCode, JSON.stringify(res.body)).toBe(201);
    expect(res.body.assessment).toMatchObject({ methodCode: 'lec', kind: 'inherent', score: 540, level: 'major', colour: '#e63031', controlLevels: ['company', 'workshop', 'team', 'post'] });
    expect(res.body.assessment.factors.map((f) => [f.key, f.value])).toEqual([
      ['L', 6],
      ['E', 6],
      ['C', 15],
    ]);
    expect(res.body.event).toMatchObject({ currentLevel: 'major', currentScore: 540, currentColour: '#e63031', currentKind: 'inherent' });
    // The next re-assessment is due the default 12 months later.
    const due = new Date(res.body.event.reassessDueAt!);
    const expected = new Date(t.clock.now);
    expected.setUTCFullYear(expected.getUTCFullYear() + 1);
    expect(Math.abs(due.getTime() - expected.getTime())).toBeLessThan(3 * 86_400_000);

    const rows = await assessmentsOf(r.event.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ score: 540, level: 'major', assessedBy: s.safety.user.id });
    const audit = await t.db.read((tx) => tx.select().from(auditLog).where(and(eq(auditLog.entityId, r.event.id), eq(auditLog.action, 'risk.event_assessed'))));
    expect(audit).toHaveLength(1);
    expect(audit[0]!.after).toMatchObject({ score: 540, level: 'major' });
    const events = await t.db.read((tx) => tx.select().from(outboxEvents).where(and(eq(outboxEvents.entityId, r.event.id), eq(outboxEvents.type, 'risk.event_assessed'))));
    expect(events).toHaveLength(1);
    expect(events[0]!.payload).toMatchObject({ level: 'major', score: 540 });
  });

  it('LS L=4, S=4 → 16 → 较大 / orange, and L=3, S=3 → 9 → 一般 / yellow', async () => {
    const r = await makeRegister(s);
    const a = await assess(r.event.id, { methodCode: 'ls', kind: 'inherent', factors: { L: 4, S: 4 } });
    expect(a.statusCode).toBe(201);
    expect(a.body.assessment).toMatchObject({ score: 16, level: 'serious', colour: '#f48400' });
    const b = await assess(r.event.id, { methodCode: 'ls', kind: 'residual', factors: { L: 3, S: 3 } });
    expect(b.body.assessment).toMatchObject({ score: 9, level: 'general', colour: '#f1dd00', controlLevels: ['workshop', 'team', 'post'], kind: 'residual' });
    const detail = (await s.as.safety.get<EventDetailT>(`/api/v1/risks/events/${r.event.id}`)).body;
    expect(detail.latestInherent?.score).toBe(16);
    expect(detail.latestResidual?.score).toBe(9);
    expect(detail).toMatchObject({ currentLevel: 'general', currentKind: 'residual' });
    expect(detail.assessments).toHaveLength(2);
  });

  it('answers 400 naming the field when a factor value is not in the method’s table, and writes nothing', async () => {
    const r = await makeRegister(s);
    const res = await assess(r.event.id, { methodCode: 'lec', kind: 'inherent', factors: { L: 7, E: 6, C: 15 } });
    expect(res.statusCode).toBe(400);
    expect(res.body.code).toBe('validation_failed');
    expect(res.body.errors?.map((e) => e.field)).toEqual(['factors.L']);
    expect(res.body.errors?.[0]?.message).toContain('7 is not one of the values of L');
    const missing = await assess(r.event.id, { methodCode: 'lec', kind: 'inherent', factors: { L: 6, E: 6 } });
    expect(missing.statusCode).toBe(400);
    expect(missing.body.errors?.map((e) => e.field)).toEqual(['factors.C']);
    const unknown = await assess(r.event.id, { methodCode: 'nope', kind: 'inherent', factors: { L: 6 } });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.body.errors?.map((e) => e.field)).toEqual(['methodCode']);
    expect(await assessmentsOf(r.event.id)).toHaveLength(0);
    const [row] = await t.db.read((tx) => tx.select().from(riskEvents).where(eq(riskEvents.id, r.event.id)));
    expect(row!.currentLevel).toBeNull();
  });

  it('refuses a residual assessment before the inherent one (409)', async () => {
    const r = await makeRegister(s);
    const res = await assess(r.event.id, { methodCode: 'lec', kind: 'residual', factors: { L: 1, E: 6, C: 15 } });
    expect(res.statusCode).toBe(409);
    expect(await assessmentsOf(r.event.id)).toHaveLength(0);
  });
});

describe('bands and methods are tenant configuration', () => {
  it('a changed band and colour change the result of a later assessment; the earlier one keeps its stored result', async () => {
    const r = await makeRegister(s);
    // 6 × 3 × 15 = 270: 较大 (160–320) with the defaults.
    const before = await assess(r.event.id, { methodCode: 'lec', kind: 'inherent', factors: { L: 6, E: 3, C: 15 } });
    expect(before.body.assessment).toMatchObject({ score: 270, level: 'serious', colour: '#f48400' });

    const lec = await methodOf('lec');
    const bands = lec.bands.map((b) =>
      b.level === 'major' ? { ...b, minScore: 250, colour: '#aa0000' } : b.level === 'serious' ? { ...b, maxScore: 250 } : b,
    );
    const edit = await s.as.safety.patch<MethodT>(`/api/v1/risks/config/methods/${lec.id}`, { bands, version: lec.version });
    expect(edit.statusCode, JSON.stringify(edit.body)).toBe(200);
    expect(edit.body.version).toBe(lec.version + 1);

    const after = await assess(r.event.id, { methodCode: 'lec', kind: 'inherent', factors: { L: 6, E: 3, C: 15 } });
    expect(after.body.assessment).toMatchObject({ score: 270, level: 'major', colour: '#aa0000', methodVersion: lec.version + 1 });
    const stored = await assessmentsOf(r.event.id);
    expect(stored.find((a) => a.id === before.body.assessment.id)).toMatchObject({ level: 'serious', colour: '#f48400' });

    // Bands with a gap are refused whole, naming the band; nothing changes.
    const gap = await s.as.safety.patch<MethodT>(`/api/v1/risks/config/methods/${lec.id}`, { bands: bands.map((b) => (b.level === 'low' ? { ...b, maxScore: 60 } : b)), version: lec.version + 1 });
    expect(gap.statusCode).toBe(400);
    expect(gap.body.errors?.[0]?.field).toMatch(/^bands\.\d\.minScore$/);
    // A stale version is a conflict.
    const stale = await s.as.safety.patch<MethodT>(`/api/v1/risks/config/methods/${lec.id}`, { bands, version: lec.version });
    expect(stale.statusCode).toBe(409);
    // Put the defaults back for the other tests.
    const restore = await s.as.safety.patch<MethodT>(`/api/v1/risks/config/methods/${lec.id}`, { bands: lec.bands, version: lec.version + 1 });
    expect(restore.statusCode).toBe(200);
  });

  it('a third method added as data (no code) assesses with its own factors and bands', async () => {
    const method = {
      code: 'mes',
      nameZh: 'MES 评价法',
      nameEn: 'MES method',
      factors: [
        { key: 'M', nameZh: '控制措施状态', nameEn: 'Controls', options: [{ value: 5, labelZh: '无控制措施', labelEn: 'None' }, { value: 3, labelZh: '有减轻后果的应急措施', labelEn: 'Mitigation only' }, { value: 1, labelZh: '有预防措施', labelEn: 'Prevention' }] },
        { key: 'E', nameZh: '暴露频繁程度', nameEn: 'Exposure', options: [{ value: 10, labelZh: '连续暴露', labelEn: 'Continuous' }, { value: 6, labelZh: '每天', labelEn: 'Daily' }, { value: 1, labelZh: '每年', labelEn: 'Yearly' }] },
        { key: 'S', nameZh: '事故后果', nameEn: 'Severity', options: [{ value: 10, labelZh: '多人死亡', labelEn: 'Deaths' }, { value: 4, labelZh: '重伤', labelEn: 'Severe injury' }, { value: 1, labelZh: '轻伤', labelEn: 'Light injury' }] },
      ],
      bands: [
        { level: 'major', minScore: 180, maxScore: null, colour: '#ff0000', controlLevels: ['company', 'workshop', 'team', 'post'], labelZh: '一级', labelEn: 'Level 1' },
        { level: 'serious', minScore: 90, maxScore: 180, colour: '#ff9900', controlLevels: ['workshop', 'team', 'post'], labelZh: '二级', labelEn: 'Level 2' },
        { level: 'general', minScore: 12, maxScore: 90, colour: '#ffff00', controlLevels: ['team', 'post'], labelZh: '三级', labelEn: 'Level 3' },
        { level: 'low', minScore: 0, maxScore: 12, colour: '#0000ff', controlLevels: ['post'], labelZh: '四级', labelEn: 'Level 4' },
      ],
    };
    const created = await s.as.safety.post<MethodT>('/api/v1/risks/config/methods', method);
    expect(created.statusCode, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({ code: 'mes', formula: 'product', active: true });
    const again = await s.as.safety.post<MethodT>('/api/v1/risks/config/methods', method);
    expect(again.statusCode).toBe(409);

    const r = await makeRegister(s);
    // 3 × 6 × 10 = 180 → the top band of this method.
    const res = await assess(r.event.id, { methodCode: 'mes', kind: 'inherent', factors: { M: 3, E: 6, S: 10 } });
    expect(res.statusCode, JSON.stringify(res.body)).toBe(201);
    expect(res.body.assessment).toMatchObject({ methodCode: 'mes', score: 180, level: 'major', colour: '#ff0000', bandLabel: '一级' });
    const low = await assess(r.event.id, { methodCode: 'mes', kind: 'residual', factors: { M: 1, E: 6, S: 1 } });
    expect(low.body.assessment).toMatchObject({ score: 6, level: 'low', controlLevels: ['post'] });
    // Its table is enforced like LEC's.
    const bad = await assess(r.event.id, { methodCode: 'mes', kind: 'residual', factors: { M: 2, E: 6, S: 1 } });
    expect(bad.statusCode).toBe(400);
    expect(bad.body.errors?.map((e) => e.field)).toEqual(['factors.M']);
  });

  it('the re-assessment interval and the default method are settings', async () => {
    const cfg = await config();
    expect(cfg.settings).toMatchObject({ reassessIntervalMonths: 12, defaultMethodCode: 'lec' });
    const res = await s.as.safety.patch<ConfigResponse>('/api/v1/risks/config/settings', { reassessIntervalMonths: 6, defaultMethodCode: 'ls', version: cfg.settings.version });
    expect(res.statusCode).toBe(200);
    const r = await makeRegister(s);
    const a = await assess(r.event.id, { kind: 'inherent', factors: { L: 5, S: 5 } });
    expect(a.body.assessment).toMatchObject({ methodCode: 'ls', score: 25, level: 'major' });
    const months = (new Date(a.body.assessment.nextDueAt).getTime() - new Date(a.body.assessment.assessedAt).getTime()) / (30.4 * 86_400_000);
    expect(Math.round(months)).toBe(6);
    const back = await s.as.safety.patch<ConfigResponse>('/api/v1/risks/config/settings', { reassessIntervalMonths: 12, defaultMethodCode: 'lec', version: res.body.settings.version });
    expect(back.statusCode).toBe(200);
  });
});

describe('refusals', () => {
  it('returns 403 when the actor lacks risk:assess or risk:configure, 404 for another company’s event', async () => {
    const r = await makeRegister(s);
    const worker = await assess(r.event.id, { methodCode: 'lec', kind: 'inherent', factors: { L: 6, E: 6, C: 15 } }, s.as.worker);
    expect(worker.statusCode).toBe(403);
    expect(worker.body.code).toBe('forbidden');
    const lec = await methodOf('lec');
    const head = await s.as.head.patch(`/api/v1/risks/config/methods/${lec.id}`, { active: false, version: lec.version });
    expect(head.statusCode).toBe(403);
    const stranger = await assess(r.event.id, { methodCode: 'lec', kind: 'inherent', factors: { L: 6, E: 6, C: 15 } }, s.as.stranger);
    expect(stranger.statusCode).toBe(404);
    // Paint's department head assesses only Paint's risks.
    const otherHead = await assess(r.event.id, { methodCode: 'lec', kind: 'inherent', factors: { L: 6, E: 6, C: 15 } }, s.as.otherHead);
    expect(otherHead.statusCode).toBe(403);
    expect(otherHead.body.code).toBe('out_of_scope');
    expect(await assessmentsOf(r.event.id)).toHaveLength(0);
  });
});
