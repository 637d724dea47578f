import jsQRModule from 'jsqr';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, seedSmallCompany, type TestApp } from '../../test/app.ts';
import { makeOrgUnit, makeUser } from '../../test/factories.ts';
import type { AreaT } from './routes.ts';
import { findCjkFont } from '../../platform/pdf/fonts.ts';
import { makeFile, seedHazardCompany, signIn, type Client, type Seed } from './testSupport.ts';

// jsqr is CommonJS typed as an ES module: to TypeScript its default import is the module, at run time the function.
const jsQR = ((jsQRModule as unknown as { default?: unknown }).default ?? jsQRModule) as typeof jsQRModule.default;

let t: TestApp;
let s: Seed;
let contractor: Client;
let otherTenantUnit: string;
let photo: string;

beforeAll(async () => {
  t = await createTestApp({ RATE_LIMIT_PER_MINUTE: '100000', PUBLIC_URL: 'https://safety.example.com' });
  s = await seedHazardCompany(t);
  const c = await makeUser(t.db, s.tenant.id, s.team.id, ['contractor']);
  contractor = await signIn(t, c.user);
  photo = await makeFile(t, s.tenant.id);
  const other = await seedSmallCompany(t);
  otherTenantUnit = (await makeOrgUnit(t.db, other.tenant.id, other.rootUnitId, 'workshop', 'Elsewhere')).id;
});
afterAll(() => t.close());

type Areas = { items: AreaT[] };

async function decodePng(png: Buffer): Promise<string | null> {
  const { data, info } = await sharp(png).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return jsQR(new Uint8ClampedArray(data.buffer, data.byteOffset, data.byteLength), info.width, info.height)?.data ?? null;
}

describe('report areas (GET /hazards/areas)', () => {
  it('gives a contractor without org:read the whole site tree, without people data, and lets them report into any area', async () => {
    expect((await contractor.get('/api/v1/org/units')).statusCode).toBe(403);
    const r = await contractor.get<Areas>('/api/v1/hazards/areas');
    expect(r.statusCode).toBe(200);
    const ids = r.body.items.map((a) => a.id);
    expect(ids).toEqual(expect.arrayContaining([s.rootUnitId, s.plant.id, s.workshop.id, s.team.id, s.otherWorkshop.id, s.otherTeam.id]));
    expect(ids).not.toContain(otherTenantUnit);
    const team = r.body.items.find((a) => a.id === s.team.id);
    expect(team).toEqual({ id: s.team.id, parentId: s.workshop.id, kind: 'team', code: expect.any(String), name: 'Team A', path: expect.any(String), depth: expect.any(Number), sort: expect.any(Number) });
    expect(Object.keys(team ?? {})).not.toContain('managerPersonId');

    const reported = await contractor.post('/api/v1/hazards', { title: 'Scaffold without toe board', category: 'safety', level: 'general', orgUnitId: s.otherTeam.id, photoIds: [photo] });
    expect(reported.statusCode).toBe(201);
    expect(reported.body.orgUnitId).toBe(s.otherTeam.id);
  });

  it('lists only active units', async () => {
    const closed = await makeOrgUnit(t.db, s.tenant.id, s.plant.id, 'workshop', 'Closed shop');
    await t.db.tx(async (tx) => {
      const { orgUnits } = await import('../../platform/org/schema.ts');
      const { eq } = await import('drizzle-orm');
      await tx.update(orgUnits).set({ active: false }).where(eq(orgUnits.id, closed.id));
    });
    const r = await s.as.worker.get<Areas>('/api/v1/hazards/areas');
    expect(r.body.items.map((a) => a.id)).not.toContain(closed.id);
    expect((await s.as.worker.get(`/api/v1/hazards/areas/${closed.id}/qr.png`)).statusCode).toBe(404);
  });

  it('refuses the auditor, who does not report', async () => {
    const r = await s.as.auditor.get('/api/v1/hazards/areas');
    expect(r.statusCode).toBe(403);
  });
});

describe('area QR codes', () => {
  it('encodes the report link with the area after # and prints the same code every time', async () => {
    const a = await s.as.leader.get(`/api/v1/hazards/areas/${s.team.id}/qr.png`);
    expect(a.statusCode).toBe(200);
    expect(a.headers['content-type']).toBe('image/png');
    expect(await decodePng(a.raw)).toBe(`https://safety.example.com/hazards/report#area=${s.team.id}`);
    const b = await s.as.worker.get(`/api/v1/hazards/areas/${s.team.id}/qr.png`);
    expect(b.raw.equals(a.raw)).toBe(true);
  });

  it('answers SVG for print shops', async () => {
    const r = await s.as.leader.get(`/api/v1/hazards/areas/${s.team.id}/qr.svg`);
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toMatch(/^image\/svg\+xml/);
    expect(r.raw.toString('utf8')).toMatch(/^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(r.raw.toString('utf8')).not.toMatch(/<script/i);
  });

  it("answers 404 for another company's unit and 400 for an unknown format", async () => {
    expect((await s.as.safety.get(`/api/v1/hazards/areas/${otherTenantUnit}/qr.png`)).statusCode).toBe(404);
    expect((await s.as.safety.get(`/api/v1/hazards/areas/${s.team.id}/qr.gif`)).statusCode).toBe(400);
  });

  it.skipIf(!findCjkFont())('prints an A4 sheet of labels for a subtree', async () => {
    const r = await s.as.officer.get(`/api/v1/hazards/areas/labels.pdf?rootId=${s.workshop.id}`);
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toBe('application/pdf');
    expect(r.raw.subarray(0, 5).toString()).toBe('%PDF-');
    const whole = await s.as.officer.get('/api/v1/hazards/areas/labels.pdf');
    expect(whole.statusCode).toBe(200);
    // Seven active units (and one closed) over one page vs. two units: the whole-site sheet is larger.
    expect(whole.raw.length).toBeGreaterThan(r.raw.length);
    expect((await s.as.officer.get(`/api/v1/hazards/areas/labels.pdf?rootId=${otherTenantUnit}`)).statusCode).toBe(404);
  });
});
