import { describe, expect, it } from 'vitest';
import { ApiError } from '../../api/client.ts';
import type { ReportBody, ReportResponse } from './api.ts';
import { flushOutbox, newOutboxItem, sendItem, type OutboxItem, type OutboxStore, type Sender } from './outbox.ts';

function memoryStore(): OutboxStore & { items: Map<string, OutboxItem> } {
  const items = new Map<string, OutboxItem>();
  return {
    items,
    all: async () => [...items.values()].map((i) => structuredClone(i)),
    put: async (i) => void items.set(i.id, structuredClone(i)),
    remove: async (id) => void items.delete(id),
  };
}

const fields = { title: '护栏缺失', orgUnitId: '00000000-0000-7000-8000-000000000001', category: 'fall', level: 'general' as const };
const blob = () => new Blob([new Uint8Array([0xff, 0xd8, 0xff])], { type: 'image/jpeg' });
const network = () => new ApiError({ status: 0, code: 'network' });

/** A fake server: counts uploads, remembers report bodies per Idempotency-Key like the real one. */
function fakeSender(opts: { failUploadAt?: number; failReportTimes?: number; refuse?: boolean } = {}) {
  let uploads = 0;
  let reportFailures = 0;
  const applied = new Map<string, ReportBody>();
  const sender: Sender = {
    upload: async () => {
      uploads += 1;
      if (opts.failUploadAt === uploads) throw network();
      return { id: `file-${uploads}` };
    },
    report: async (body, key) => {
      if (opts.refuse) throw new ApiError({ status: 422, code: 'validation_failed', detail: 'category: unknown' });
      const seen = applied.get(key);
      if (seen && JSON.stringify(seen) !== JSON.stringify(body)) throw new ApiError({ status: 422, code: 'idempotency_key_reused' });
      applied.set(key, body);
      if (reportFailures < (opts.failReportTimes ?? 0)) {
        reportFailures += 1;
        throw network(); // applied on the server, answer lost
      }
      return { id: 'h1', number: 'YH-2026-000001' } as ReportResponse;
    },
  };
  return { sender, applied, uploads: () => uploads };
}

describe('hazard outbox', () => {
  it('sends photos then the report with the item id as Idempotency-Key, and empties the queue', async () => {
    const store = memoryStore();
    const item = newOutboxItem('hz-key-1', 'u1', fields, { photos: [blob(), blob()], afterPhotos: [], video: null, voice: null });
    await store.put(item);
    const fake = fakeSender();
    const r = await flushOutbox(store, fake.sender, 'u1');
    expect(r.sent).toHaveLength(1);
    expect(r.waiting).toBe(0);
    expect(fake.applied.get('hz-key-1')?.photoIds).toEqual(['file-1', 'file-2']);
  });

  it('a network failure mid-upload keeps the uploaded ids, so the retry uploads only the rest and posts an identical body', async () => {
    const store = memoryStore();
    await store.put(newOutboxItem('hz-key-2', 'u1', fields, { photos: [blob(), blob(), blob()], afterPhotos: [], video: null, voice: null }));
    const fake = fakeSender({ failUploadAt: 2 });
    const first = await flushOutbox(store, fake.sender, 'u1');
    expect(first).toMatchObject({ sent: [], waiting: 1 });
    expect(store.items.get('hz-key-2')?.uploaded.photos).toEqual(['file-1', null, null]);
    const second = await flushOutbox(store, fake.sender, 'u1');
    expect(second.sent).toHaveLength(1);
    // 1 ok + 1 failed + 2 on the retry: photo 1 was not uploaded again.
    expect(fake.uploads()).toBe(4);
    expect(fake.applied.get('hz-key-2')?.photoIds).toEqual(['file-1', 'file-3', 'file-4']);
  });

  it('a lost answer is replayed with the same key and the same body (applied once)', async () => {
    const store = memoryStore();
    await store.put(newOutboxItem('hz-key-3', 'u1', fields, { photos: [blob()], afterPhotos: [blob()], video: null, voice: null }));
    const fake = fakeSender({ failReportTimes: 1 });
    expect((await flushOutbox(store, fake.sender, 'u1')).waiting).toBe(1);
    const again = await flushOutbox(store, fake.sender, 'u1');
    expect(again.sent).toHaveLength(1);
    expect(fake.applied.size).toBe(1);
    expect(fake.uploads()).toBe(2);
    expect(fake.applied.get('hz-key-3')).toMatchObject({ photoIds: ['file-1'], afterPhotoIds: ['file-2'] });
  });

  it('a report the server refuses (4xx) is kept, marked failed, and not retried by itself', async () => {
    const store = memoryStore();
    const item = newOutboxItem('hz-key-4', 'u1', fields, { photos: [blob()], afterPhotos: [], video: null, voice: null });
    const r = await sendItem(item, store, fakeSender({ refuse: true }).sender);
    expect(r.kind).toBe('failed');
    expect(store.items.get('hz-key-4')?.failed).toContain('category');
    const fake = fakeSender();
    expect(await flushOutbox(store, fake.sender, 'u1')).toMatchObject({ sent: [], waiting: 1 });
    expect(fake.uploads()).toBe(0);
  });

  it("sends only the signed-in user's reports, oldest first", async () => {
    const store = memoryStore();
    await store.put(newOutboxItem('b', 'u1', { ...fields, title: 'second' }, { photos: [blob()], afterPhotos: [], video: null, voice: null }, new Date('2026-01-02')));
    await store.put(newOutboxItem('a', 'u1', { ...fields, title: 'first' }, { photos: [blob()], afterPhotos: [], video: null, voice: null }, new Date('2026-01-01')));
    await store.put(newOutboxItem('c', 'u2', fields, { photos: [blob()], afterPhotos: [], video: null, voice: null }));
    const fake = fakeSender();
    await flushOutbox(store, fake.sender, 'u1');
    expect([...fake.applied.values()].map((b) => b.title)).toEqual(['first', 'second']);
    expect([...store.items.keys()]).toEqual(['c']);
  });
});
