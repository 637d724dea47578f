import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { and, eq } from 'drizzle-orm';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, seedSmallCompany, type TestApp } from '../../test/app.ts';
import { makeTenant, makeUser } from '../../test/factories.ts';
import { auditLog } from '../audit/schema.ts';
import { files } from './schema.ts';

let t: TestApp;
let s: Awaited<ReturnType<typeof seedSmallCompany>>;
let filesDir: string;
let worker: { authorization: string };

beforeAll(async () => {
  filesDir = await mkdtemp(path.join(os.tmpdir(), 'safeloop-files-'));
  t = await createTestApp({ FILES_DIR: filesDir });
  s = await seedSmallCompany(t);
  worker = await t.login(s.worker.username, s.worker.password);
});
afterAll(async () => {
  await t.close();
  await rm(filesDir, { recursive: true, force: true });
});

interface Part {
  field?: string;
  name: string;
  /** What the client claims; the server must ignore it. */
  type: string;
  data: Buffer;
}

/** A multipart/form-data body built by hand, as a phone would send it. */
function multipart(parts: Part[]) {
  const boundary = `----safeloop${Math.random().toString(16).slice(2)}`;
  const chunks: Buffer[] = [];
  for (const p of parts) {
    chunks.push(
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${p.field ?? 'file'}"; filename="${p.name}"\r\nContent-Type: ${p.type}\r\n\r\n`),
      p.data,
      Buffer.from('\r\n'),
    );
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

function upload(parts: Part[], authorization = worker.authorization) {
  const body = multipart(parts);
  return t.app.inject({ method: 'POST', url: '/api/v1/files', payload: body.payload, headers: { ...body.headers, authorization } });
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** Every file under the storage root (blobs and leftovers in tmp/). */
async function storedFiles(): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string) => {
    for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) await walk(p);
      else out.push(path.relative(filesDir, p));
    }
  };
  await walk(filesDir);
  return out.sort();
}

const image = (width: number, height: number, background = '#c33') => sharp({ create: { width, height, channels: 3, background } });

/** A hand-written PDF: header, one object, trailer. */
const pdf = Buffer.from('%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n');

describe('POST /api/v1/files', () => {
  it('stores photos typed by their content (not the client’s type or name), with size, hash, dimensions, a thumbnail and an audit entry', async () => {
    const png = await image(640, 480).png().toBuffer();
    const jpeg = await image(100, 50, '#3a3').jpeg().toBuffer();
    const res = await upload([
      { name: 'scan.bin', type: 'application/octet-stream', data: png },
      { name: '隐患照片 1.jpg', type: 'image/jpeg', data: jpeg },
    ]);
    expect(res.statusCode).toBe(201);
    const { items } = res.json();
    expect(items).toHaveLength(2);
    expect(items[0]).toMatchObject({ kind: 'image', mime: 'image/png', size: png.length, sha256: sha256(png), originalName: 'scan.bin', width: 640, height: 480 });
    expect(items[1]).toMatchObject({ kind: 'image', mime: 'image/jpeg', size: jpeg.length, sha256: sha256(jpeg), originalName: '隐患照片 1.jpg', width: 100, height: 50 });
    expect(items[0].url).toBe(`/api/v1/files/${items[0].id}`);
    expect(items[0].thumbUrl).toBe(`/api/v1/files/${items[0].id}/thumb`);

    const rows = await t.db.read((tx) => tx.select().from(files).where(eq(files.id, items[0].id)));
    expect(rows[0]).toMatchObject({ tenantId: s.tenant.id, createdBy: s.worker.user.id, thumbSha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    const audit = await t.db.read((tx) => tx.select().from(auditLog).where(and(eq(auditLog.action, 'file.uploaded'), eq(auditLog.entityId, items[1].id))));
    expect(audit).toHaveLength(1);
    expect(audit[0]!.after).toMatchObject({ sha256: sha256(jpeg), mime: 'image/jpeg', originalName: '隐患照片 1.jpg' });

    // The thumbnail: WebP, at most 320 px, aspect kept.
    const thumb = await t.app.inject({ method: 'GET', url: items[0].thumbUrl, headers: worker });
    expect(thumb.statusCode).toBe(200);
    expect(thumb.headers['content-type']).toBe('image/webp');
    const meta = await sharp(thumb.rawPayload).metadata();
    expect(meta).toMatchObject({ format: 'webp', width: 320, height: 240 });
  });

  it('turns a photo by its EXIF orientation, records the shown size and strips EXIF from the thumbnail', async () => {
    // Stored 400×200 landscape with orientation 6 (rotate 90°): a portrait photo from a phone.
    const jpeg = await image(400, 200).jpeg().withMetadata({ orientation: 6 }).toBuffer();
    expect((await sharp(jpeg).metadata()).orientation).toBe(6);
    const res = await upload([{ name: 'portrait.jpg', type: 'image/jpeg', data: jpeg }]);
    expect(res.statusCode).toBe(201);
    const item = res.json().items[0];
    expect(item).toMatchObject({ width: 200, height: 400 });
    const thumb = await t.app.inject({ method: 'GET', url: item.thumbUrl, headers: worker });
    const meta = await sharp(thumb.rawPayload).metadata();
    expect(meta.width).toBeLessThanOrEqual(320);
    expect(meta.height).toBeLessThanOrEqual(320);
    expect([meta.width, meta.height]).toEqual([160, 320]);
    expect(meta.exif).toBeUndefined();
    expect(meta.orientation).toBeUndefined();
  });

  it('keeps small images small: no thumbnail is larger than the original', async () => {
    const res = await upload([{ name: 'tiny.webp', type: 'image/webp', data: await image(40, 30).webp().toBuffer() }]);
    const thumb = await t.app.inject({ method: 'GET', url: res.json().items[0].thumbUrl, headers: worker });
    expect(await sharp(thumb.rawPayload).metadata()).toMatchObject({ width: 40, height: 30 });
  });

  it('accepts a PDF, a video and a voice note by their content, without thumbnails', async () => {
    const mp4 = Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypisom'), Buffer.from([0, 0, 2, 0]), Buffer.from('isomiso2'), Buffer.alloc(6000, 1)]);
    const mp3 = Buffer.concat([Buffer.from('ID3'), Buffer.from([3, 0, 0, 0, 0, 0, 0]), Buffer.from([0xff, 0xfb, 0x90, 0x64]), Buffer.alloc(6000, 0)]);
    const res = await upload([
      { name: 'plan.pdf', type: 'application/pdf', data: pdf },
      { name: 'clip', type: 'application/octet-stream', data: mp4 },
      { name: 'note.mp3', type: 'audio/mpeg', data: mp3 },
    ]);
    expect(res.statusCode).toBe(201);
    expect(res.json().items.map((i: { kind: string; mime: string; thumbUrl: string | null; width: number | null }) => [i.kind, i.mime, i.thumbUrl, i.width])).toEqual([
      ['pdf', 'application/pdf', null, null],
      ['video', 'video/mp4', null, null],
      ['audio', 'audio/mpeg', null, null],
    ]);
  });

  it('returns 415 for a text file named .jpg and sent as image/jpeg, and stores nothing', async () => {
    const before = await storedFiles();
    const rowsBefore = await t.db.read((tx) => tx.select().from(files));
    const res = await upload([{ name: 'photo.jpg', type: 'image/jpeg', data: Buffer.from('this is not a photo, it is a shell script\n#!/bin/sh\nrm -rf /\n') }]);
    expect(res.statusCode).toBe(415);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.json().code).toBe('unsupported_media_type');
    expect(res.json().detail).toContain('photo.jpg');
    expect(await storedFiles()).toEqual(before);
    expect(await t.db.read((tx) => tx.select().from(files))).toHaveLength(rowsBefore.length);
  });

  it('returns 415 for an SVG (scripts) and for a JPEG signature with no image behind it', async () => {
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>');
    expect((await upload([{ name: 'a.svg', type: 'image/svg+xml', data: svg }])).statusCode).toBe(415);
    const broken = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from('<?php system($_GET["c"]); ?>'), Buffer.alloc(5000, 0x20)]);
    const res = await upload([{ name: 'broken.jpg', type: 'image/jpeg', data: broken }]);
    expect(res.statusCode).toBe(415);
    expect(res.json().detail).toContain('not a readable image');
  });

  it('stores none of the files of a request when one of them is refused', async () => {
    const good = await image(30, 30, '#123456').png().toBuffer();
    const before = await storedFiles();
    const res = await upload([
      { name: 'good.png', type: 'image/png', data: good },
      { name: 'bad.jpg', type: 'image/jpeg', data: Buffer.from('plain text') },
    ]);
    expect(res.statusCode).toBe(415);
    expect(await storedFiles()).toEqual(before);
    expect(await t.db.read((tx) => tx.select().from(files).where(eq(files.sha256, sha256(good))))).toHaveLength(0);
  });

  it('returns 413 for an image over the 20 MB image limit and stores nothing', async () => {
    const png = await image(8, 8).png().toBuffer();
    const huge = Buffer.concat([png, Buffer.alloc(21 * 1024 * 1024, 0)]);
    const before = await storedFiles();
    const res = await upload([{ name: 'huge.png', type: 'image/png', data: huge }]);
    expect(res.statusCode).toBe(413);
    expect(res.json().code).toBe('payload_too_large');
    expect(res.json().detail).toContain('20 MB');
    expect(await storedFiles()).toEqual(before);
  });

  it('stores the same content once on disk, however often it is uploaded', async () => {
    const png = await image(50, 50, '#0af').png().toBuffer();
    const a = await upload([{ name: 'a.png', type: 'image/png', data: png }]);
    const b = await upload([{ name: 'b.png', type: 'image/png', data: png }]);
    expect(a.statusCode).toBe(201);
    expect(b.statusCode).toBe(201);
    const [fa, fb] = [a.json().items[0], b.json().items[0]];
    expect(fa.id).not.toBe(fb.id);
    expect(fa.sha256).toBe(fb.sha256);
    const hash = sha256(png);
    const blobs = (await storedFiles()).filter((f) => f.endsWith(hash));
    expect(blobs).toEqual([path.join(hash.slice(0, 2), hash.slice(2, 4), hash)]);
    expect((await storedFiles()).filter((f) => f.startsWith('tmp'))).toEqual([]);
  });

  it('returns 400 when no file is sent or a file comes in another field', async () => {
    const none = multipart([]);
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/files', payload: none.payload, headers: { ...none.headers, ...worker } });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0]).toMatchObject({ field: 'file', rule: 'minItems' });
    const wrong = await upload([{ field: 'photo', name: 'x.png', type: 'image/png', data: await image(5, 5).png().toBuffer() }]);
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().errors[0]).toMatchObject({ field: 'photo' });
  });

  it('returns 413 for more than 10 files in one request', async () => {
    const png = await image(5, 5).png().toBuffer();
    const res = await upload(Array.from({ length: 11 }, (_, i) => ({ name: `${i}.png`, type: 'image/png', data: png })));
    expect(res.statusCode).toBe(413);
  });

  it('returns 403 when the actor lacks files:upload (auditor) and 401 without sign-in', async () => {
    const auditor = await t.login(s.auditor.username, s.auditor.password);
    const png = await image(5, 5).png().toBuffer();
    const res = await upload([{ name: 'x.png', type: 'image/png', data: png }], auditor.authorization);
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ code: 'forbidden', permission: 'files:upload' });
    const body = multipart([{ name: 'x.png', type: 'image/png', data: png }]);
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/files', payload: body.payload, headers: body.headers })).statusCode).toBe(401);
  });
});

describe('GET /api/v1/files/:id', () => {
  it('streams the bytes with type, inline disposition, ETag and nosniff, and answers 304 to a matching If-None-Match', async () => {
    const jpeg = await image(64, 48).jpeg().toBuffer();
    const item = (await upload([{ name: '现场.jpg', type: 'image/jpeg', data: jpeg }])).json().items[0];
    const res = await t.app.inject({ method: 'GET', url: item.url, headers: worker });
    expect(res.statusCode).toBe(200);
    expect(res.rawPayload.equals(jpeg)).toBe(true);
    expect(res.headers).toMatchObject({
      'content-type': 'image/jpeg',
      'content-length': String(jpeg.length),
      etag: `"${sha256(jpeg)}"`,
      'x-content-type-options': 'nosniff',
      'accept-ranges': 'bytes',
    });
    expect(res.headers['content-disposition']).toBe(`inline; filename="__.jpg"; filename*=UTF-8''${encodeURIComponent('现场.jpg')}`);

    const cached = await t.app.inject({ method: 'GET', url: item.url, headers: { ...worker, 'if-none-match': `"${sha256(jpeg)}"` } });
    expect(cached.statusCode).toBe(304);
    expect(cached.rawPayload.length).toBe(0);
    const stale = await t.app.inject({ method: 'GET', url: item.url, headers: { ...worker, 'if-none-match': '"0000"' } });
    expect(stale.statusCode).toBe(200);
    const head = await t.app.inject({ method: 'HEAD', url: item.url, headers: worker });
    expect(head.statusCode).toBe(200);
    expect(head.headers['content-length']).toBe(String(jpeg.length));
    expect(head.rawPayload.length).toBe(0);
  });

  it('serves a byte range (video seeking) and sends video as an attachment', async () => {
    const mp4 = Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypisom'), Buffer.from([0, 0, 2, 0]), Buffer.from('isomiso2'), Buffer.from(Array.from({ length: 6000 }, (_, i) => i % 251))]);
    const item = (await upload([{ name: 'walkthrough.mp4', type: 'video/mp4', data: mp4 }])).json().items[0];
    const res = await t.app.inject({ method: 'GET', url: item.url, headers: { ...worker, range: 'bytes=100-199' } });
    expect(res.statusCode).toBe(206);
    expect(res.headers['content-range']).toBe(`bytes 100-199/${mp4.length}`);
    expect(res.rawPayload.equals(mp4.subarray(100, 200))).toBe(true);
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="walkthrough.mp4"/);
    const tail = await t.app.inject({ method: 'GET', url: item.url, headers: { ...worker, range: 'bytes=-10' } });
    expect(tail.rawPayload.equals(mp4.subarray(mp4.length - 10))).toBe(true);
    const bogus = await t.app.inject({ method: 'GET', url: item.url, headers: { ...worker, range: 'bytes=99999999-' } });
    expect(bogus.statusCode).toBe(200);
    expect(bogus.rawPayload.length).toBe(mp4.length);
  });

  it('serves a PDF inline and returns 404 for the thumbnail of a file that has none', async () => {
    const item = (await upload([{ name: "permit (it's signed).pdf", type: 'application/pdf', data: pdf }])).json().items[0];
    const res = await t.app.inject({ method: 'GET', url: item.url, headers: worker });
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.headers['content-disposition']).toBe(`inline; filename="permit (it's signed).pdf"; filename*=UTF-8''permit%20%28it%27s%20signed%29.pdf`);
    expect(res.rawPayload.equals(pdf)).toBe(true);
    expect((await t.app.inject({ method: 'GET', url: `${item.url}/thumb`, headers: worker })).statusCode).toBe(404);
  });

  it('returns 404 for another tenant’s file and its thumbnail, and 401 without sign-in', async () => {
    const png = await image(20, 20, '#777').png().toBuffer();
    const item = (await upload([{ name: 'mine.png', type: 'image/png', data: png }])).json().items[0];
    const other = await makeTenant(t.db, 'Other Co');
    const stranger = await makeUser(t.db, other.tenant.id, other.rootUnitId, ['sys_admin']);
    const { authorization } = await t.login(stranger.username, stranger.password);
    for (const url of [item.url, item.thumbUrl]) {
      const res = await t.app.inject({ method: 'GET', url, headers: { authorization } });
      expect(res.statusCode).toBe(404);
      expect(res.json().code).toBe('not_found');
    }
    expect((await t.app.inject({ method: 'GET', url: item.url })).statusCode).toBe(401);
    // Any signed-in user of the same tenant may read it (the record it is attached to guards the rest).
    const leader = await t.login(s.leader.username, s.leader.password);
    expect((await t.app.inject({ method: 'GET', url: item.url, headers: leader })).statusCode).toBe(200);
  });

  it('returns 400 for an id that is not a UUID', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/files/../../etc/passwd', headers: worker });
    expect([400, 404]).toContain(res.statusCode);
    const res2 = await t.app.inject({ method: 'GET', url: '/api/v1/files/not-a-uuid', headers: worker });
    expect(res2.statusCode).toBe(400);
  });
});

describe('request size limit (MAX_UPLOAD_MB)', () => {
  it('returns 413 for a video over MAX_UPLOAD_MB, although the multipart parser cuts it off quietly, and stores nothing', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'safeloop-files-small-'));
    const small = await createTestApp({ FILES_DIR: dir, MAX_UPLOAD_MB: '1' });
    try {
      const co = await seedSmallCompany(small);
      const { authorization } = await small.login(co.worker.username, co.worker.password);
      const mp4 = Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypisom'), Buffer.from([0, 0, 2, 0]), Buffer.from('isomiso2'), Buffer.alloc(2 * 1024 * 1024, 1)]);
      const body = multipart([{ name: 'long.mp4', type: 'video/mp4', data: mp4 }]);
      const res = await small.app.inject({ method: 'POST', url: '/api/v1/files', payload: body.payload, headers: { ...body.headers, authorization } });
      expect(res.statusCode).toBe(413);
      expect(res.json().code).toBe('payload_too_large');
      expect(await small.db.read((tx) => tx.select().from(files))).toHaveLength(0);
      const left = await readdir(dir, { recursive: true, withFileTypes: true });
      expect(left.filter((e) => e.isFile())).toEqual([]);
    } finally {
      await small.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
