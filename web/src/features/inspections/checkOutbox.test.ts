import { describe, expect, it } from 'vitest';
import { ApiError } from '../../api/client.ts';
import type { ResultBody, ScanTaskBody, TaskDetail } from './api.ts';
import { flushChecks, newCheckItem, sendCheck, type CheckOutboxItem, type CheckOutboxStore, type CheckSender } from './checkOutbox.ts';

function memoryStore(): CheckOutboxStore & { items: Map<string, CheckOutboxItem> } {
  const items = new Map<string, CheckOutboxItem>();
  return {
    items,
    all: async () => [...items.values()].map((i) => structuredClone(i)),
    put: async (i) => void items.set(i.id, structuredClone(i)),
    remove: async (id) => void items.delete(id),
  };
}

const blob = () => new Blob([new Uint8Array([0xff, 0xd8, 0xff])], { type: 'image/jpeg' });
const network = () => new ApiError({ status: 0, code: 'network' });
type Submitted = { stop: number; version: number; results: ResultBody[] };

/** A fake server: a scan bumps the version, answers per Idempotency-Key are applied once, like the real one. */
function fakeServer(opts: { failUploadAt?: number; failSubmitTimes?: number; refuseScan?: boolean } = {}) {
  let version = 3;
  let uploads = 0;
  let submitFailures = 0;
  const scans = new Map<string, number>();
  const applied = new Map<string, Submitted>();
  const task = (v: number, status = 'in_progress') => ({ id: 'task-1', version: v, status }) as unknown as TaskDetail;
  const sender: CheckSender = {
    scan: async (_id, body: ScanTaskBody, key) => {
      if (opts.refuseScan) throw new ApiError({ status: 422, code: 'checkpoint_mismatch', detail: 'another checkpoint' });
      if (!body.code) throw new ApiError({ status: 400, code: 'validation_failed' });
      const seen = scans.get(key);
      if (seen !== undefined) return task(seen);
      version += 1;
      scans.set(key, version);
      return task(version);
    },
    upload: async () => {
      uploads += 1;
      if (opts.failUploadAt === uploads) throw network();
      return { id: `file-${uploads}` };
    },
    submit: async (_id, body, key) => {
      if (opts.failSubmitTimes && submitFailures < opts.failSubmitTimes) {
        submitFailures += 1;
        throw network();
      }
      const before = applied.get(key);
      if (before && JSON.stringify(before) !== JSON.stringify(body)) throw new ApiError({ status: 422, code: 'idempotency_mismatch' });
      if (!before && body.version !== version) throw new ApiError({ status: 409, code: 'version_conflict' });
      if (!before) {
        applied.set(key, body);
        version += 1;
      }
      return task(version, 'done');
    },
  };
  return { sender, applied, uploads: () => uploads, scans };
}

const item = (over: Partial<Parameters<typeof newCheckItem>[0]> = {}) =>
  newCheckItem({
    id: 'check-key',
    scanKey: 'scan-key',
    userId: 'u1',
    taskId: 'task-1',
    taskName: '泵房巡检',
    stop: 0,
    scan: { code: 'CODE-AT-THE-PUMP', stop: 0 },
    version: null,
    answers: [
      { itemKey: 'gauge_ok', value: 'fail', remark: '表盘破裂', photos: [blob(), blob()], signature: null },
      { itemKey: 'sign', photos: [], signature: blob() },
    ],
    ...over,
  });

describe('offline check queue', () => {
  it('replays the offline scan, uploads the photos and the signature, and submits with the version the scan answered', async () => {
    const store = memoryStore();
    const server = fakeServer();
    const i = item();
    await store.put(i);
    const r = await sendCheck(i, store, server.sender);
    expect(r.kind).toBe('sent');
    expect(store.items.size).toBe(0);
    expect(server.uploads()).toBe(3);
    const body = server.applied.get('check-key')!;
    expect(body.version).toBe(4);
    expect(body.results).toEqual([
      { itemKey: 'gauge_ok', value: 'fail', photoIds: ['file-1', 'file-2'], remark: '表盘破裂' },
      { itemKey: 'sign', signatureFileId: 'file-3' },
    ]);
  });

  it('keeps a check whose send failed on the way, and the next try uploads nothing twice and sends the same body', async () => {
    const store = memoryStore();
    const server = fakeServer({ failUploadAt: 2, failSubmitTimes: 1 });
    const i = item();
    await store.put(i);
    expect((await sendCheck(i, store, server.sender)).kind).toBe('retry');
    const kept = store.items.get('check-key')!;
    // The scan went through (its version kept) and the first photo is remembered.
    expect(kept.scan).toBeNull();
    expect(kept.version).toBe(4);
    expect(kept.uploaded.photos[0]).toEqual(['file-1', null]);
    // Second try: the submit fails after the uploads; third try sends.
    const flushed1 = await flushChecks(store, server.sender, 'u1');
    expect(flushed1).toEqual({ sent: [], waiting: 1 });
    const flushed2 = await flushChecks(store, server.sender, 'u1');
    expect(flushed2.sent).toHaveLength(1);
    expect(flushed2.waiting).toBe(0);
    // Uploads: file-1, a failed one (2), then file-3 and file-4; never file-1 again.
    expect(server.uploads()).toBe(4);
    expect(server.applied.get('check-key')!.results[0]!.photoIds).toEqual(['file-1', 'file-3']);
    expect(server.scans.size).toBe(1);
  });

  it('marks a check the server refuses (wrong checkpoint) as failed and does not retry it by itself', async () => {
    const store = memoryStore();
    const server = fakeServer({ refuseScan: true });
    const i = item();
    await store.put(i);
    const r = await sendCheck(i, store, server.sender);
    expect(r.kind).toBe('failed');
    expect(store.items.get('check-key')!.failed).toBe('another checkpoint');
    expect(await flushChecks(store, server.sender, 'u1')).toEqual({ sent: [], waiting: 1 });
    expect(server.uploads()).toBe(0);
  });

  it('submits at once with the known version when the scan went through online', async () => {
    const store = memoryStore();
    const server = fakeServer();
    const i = item({ scan: null, version: 3 });
    expect((await sendCheck(i, store, server.sender)).kind).toBe('sent');
    expect(server.scans.size).toBe(0);
    expect(server.applied.get('check-key')!.version).toBe(3);
  });
});
