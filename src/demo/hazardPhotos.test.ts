import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { and, eq } from 'drizzle-orm';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.ts';
import { files } from '../platform/files/schema.ts';
import { createLocalBlobStore } from '../platform/files/storage.ts';
import type { App } from '../platform/http/app.ts';
import { tenants } from '../platform/org/schema.ts';
import { hazardEvents, hazards } from '../modules/hazards/schema.ts';
import type { HazardDetail } from '../modules/hazards/routes.ts';
import { createServer } from '../server.ts';
import { openTestDatabase } from '../test/db.ts';
import { DEMO_COMPANY } from './company.ts';
import { BEFORE_TAKES, DEMO_PHOTO_CATEGORIES, storeDemoPhotos } from './hazardPhotos.ts';
import { DEMO_PASSWORD, seedDemoIfEmpty } from './seed.ts';

const filesDir = fs.mkdtempSync(path.join(os.tmpdir(), 'safeloop-demo-photos-'));
let db: Awaited<ReturnType<typeof openTestDatabase>>;
let app: App;
let demoTenant: string;

beforeAll(async () => {
  db = await openTestDatabase();
  expect(await seedDemoIfEmpty(db, undefined, { photoStore: createLocalBlobStore(filesDir) })).toBe(true);
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', DEMO: 'false', DATA_DIR: filesDir, FILES_DIR: filesDir });
  app = await createServer({ config, db });
  await app.ready();
  const [t] = await db.read((tx) => tx.select().from(tenants).where(eq(tenants.code, DEMO_COMPANY.code)));
  demoTenant = t?.id ?? '';
  // The whole demo company is seeded here: on a busy machine that takes longer than the default hook timeout.
}, 180_000);

afterAll(async () => {
  await app?.close();
  await db?.close();
  fs.rmSync(filesDir, { recursive: true, force: true });
});

describe('demo hazard photos', () => {
  it('draws one JPEG per category and take, with a thumbnail, and the same bytes on every run', async () => {
    const store = createLocalBlobStore(filesDir);
    const a = await storeDemoPhotos(store);
    expect(a).toHaveLength(DEMO_PHOTO_CATEGORIES.length * (BEFORE_TAKES + 1));
    expect(new Set(a.map((b) => b.sha256)).size).toBe(a.length);
    for (const b of a) {
      expect(await store.has(b.sha256)).toBe(true);
      expect(await store.has(b.thumbSha256)).toBe(true);
    }
    const first = a[0];
    const stream = first ? await store.get(first.sha256) : null;
    const chunks: Buffer[] = [];
    for await (const c of stream ?? []) chunks.push(c as Buffer);
    const meta = await sharp(Buffer.concat(chunks)).metadata();
    expect(meta).toMatchObject({ format: 'jpeg', width: 960, height: 720 });
    // Content addressing: the seed that ran in beforeAll stored exactly these blobs.
    expect((await storeDemoPhotos(store)).map((b) => b.sha256)).toEqual(a.map((b) => b.sha256));
  });

  it('gives most demo reports a photo and every submitted fix an after-photo, as shared file rows of the tenant', async () => {
    const rows = await db.read((tx) => tx.select().from(hazards).where(eq(hazards.tenantId, demoTenant)));
    // The hazard photos are JPEGs; the risk map's site plan (src/demo/riskMaps.ts) is the tenant's one PNG.
    const fileRows = await db.read((tx) => tx.select().from(files).where(and(eq(files.tenantId, demoTenant), eq(files.mime, 'image/jpeg'))));
    expect(fileRows).toHaveLength(DEMO_PHOTO_CATEGORIES.length * (BEFORE_TAKES + 1));
    const fileIds = new Set(fileRows.map((f) => f.id));
    const withPhoto = rows.filter((h) => h.photoIds.length > 0);
    expect(withPhoto.length / rows.length).toBeGreaterThan(0.75);
    expect(withPhoto.length).toBeLessThan(rows.length);
    for (const h of rows) {
      for (const id of [...h.photoIds, ...h.afterPhotoIds]) expect(fileIds.has(id), h.number).toBe(true);
      if (h.submittedAt) expect(h.afterPhotoIds, h.number).toHaveLength(1);
      if (h.fixOnSpot) expect(h.photoIds, h.number).toHaveLength(1);
    }
    // The timeline shows them where they were taken: with the report and with each submitted fix.
    const events = await db.read((tx) => tx.select().from(hazardEvents).where(eq(hazardEvents.tenantId, demoTenant)));
    const submitted = events.filter((e) => e.action === 'submitted' || e.action === 'fixed_on_spot');
    expect(submitted.length).toBeGreaterThan(0);
    expect(submitted.every((e) => e.photoIds.length === 1)).toBe(true);
  });

  it('shows the photos on the detail page and serves their bytes and thumbnails', async () => {
    const closed = (await db.read((tx) => tx.select().from(hazards).where(eq(hazards.tenantId, demoTenant)))).find((x) => x.status === 'closed' && x.photoIds.length > 0);
    expect(closed).toBeTruthy();
    const login = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'safety', password: DEMO_PASSWORD } });
    const authorization = `Bearer ${(login.json() as { token: string }).token}`;
    const detail = (await app.inject({ method: 'GET', url: `/api/v1/hazards/${closed?.id}`, headers: { authorization } })).json() as HazardDetail;
    expect(detail.photos).toHaveLength(1);
    expect(detail.afterPhotos).toHaveLength(1);
    expect(detail.timeline.find((s) => s.action === 'reported')?.photos).toHaveLength(1);
    const photo = await app.inject({ method: 'GET', url: detail.photos[0]?.url ?? '', headers: { authorization } });
    expect(photo.statusCode).toBe(200);
    expect(photo.headers['content-type']).toBe('image/jpeg');
    const thumb = await app.inject({ method: 'GET', url: detail.afterPhotos[0]?.thumbUrl ?? '', headers: { authorization } });
    expect(thumb.statusCode).toBe(200);
    expect(thumb.headers['content-type']).toBe('image/webp');
    // The ledger's thumbnails come along too.
    const list = (await app.inject({ method: 'GET', url: '/api/v1/hazards?limit=50', headers: { authorization } })).json() as { items: { thumbUrl: string | null }[] };
    expect(list.items.filter((i) => i.thumbUrl).length).toBeGreaterThan(25);
  });
});
