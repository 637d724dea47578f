import { describe, expect, it } from 'vitest';
import { createIngestQueue, ItemFailure } from './queue.ts';

const tick = (ms = 5) => new Promise((r) => setTimeout(r, ms));

describe('bounded ingest queue', () => {
  it('never holds more than its capacity; extra producers wait instead of being dropped', async () => {
    let concurrent = 0;
    let maxBatch = 0;
    const seen: number[] = [];
    const q = createIngestQueue<number, number>({
      capacity: 3,
      batchSize: 2,
      process: async (items) => {
        concurrent++;
        maxBatch = Math.max(maxBatch, items.length);
        await tick();
        seen.push(...items);
        concurrent--;
        return items.map((i) => i * 10);
      },
    });
    const pushes = Array.from({ length: 20 }, (_, i) => q.push(i));
    await tick(1);
    expect(q.stats().queued + q.stats().inProgress).toBeLessThanOrEqual(3);
    expect(q.stats().waiting).toBeGreaterThan(0);
    const results = await Promise.all(pushes);
    expect(results).toEqual(Array.from({ length: 20 }, (_, i) => i * 10));
    expect(seen).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(q.stats().peak).toBeLessThanOrEqual(3);
    expect(maxBatch).toBeLessThanOrEqual(2);
    expect(concurrent).toBe(0);
    await q.idle();
  });

  it('rejects every item of a failed batch (so none is acknowledged) and keeps serving afterwards', async () => {
    let fail = true;
    const q = createIngestQueue<number, number>({ capacity: 10, batchSize: 10, process: async (items) => {
      if (fail) throw new Error('db down');
      return items;
    } });
    const a = q.push(1);
    const b = q.push(2);
    await expect(a).rejects.toThrow('db down');
    await expect(b).rejects.toThrow('db down');
    fail = false;
    await expect(q.push(3)).resolves.toBe(3);
  });

  it('tryPush answers null at once when full (HTTP 503) and does not overtake stalled producers', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const q = createIngestQueue<number, number>({ capacity: 2, batchSize: 1, process: async (items) => {
      await gate;
      return items;
    } });
    const a = q.push(1);
    const b = q.push(2);
    await tick(1);
    await expect(q.tryPush(3)).resolves.toBeNull();
    const c = q.push(4);
    await tick(1);
    expect(q.stats().waiting).toBe(1);
    await expect(q.tryPush(5)).resolves.toBeNull();
    release();
    expect(await Promise.all([a, b, c])).toEqual([1, 2, 4]);
    await expect(q.tryPush(6)).resolves.toBe(6);
  });

  it('rejects only the items a batch marks as failed', async () => {
    const q = createIngestQueue<number, number>({ capacity: 10, batchSize: 10, process: async (items) => items.map((i) => (i === 2 ? new ItemFailure(new Error('bad 2')) : i)) });
    const [a, b, c] = [q.push(1), q.push(2), q.push(3)];
    await expect(a).resolves.toBe(1);
    await expect(b).rejects.toThrow('bad 2');
    await expect(c).resolves.toBe(3);
  });
});
