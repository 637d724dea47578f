/**
 * A bounded, batching work queue for message ingestion. `push` resolves once the item's batch has been
 * processed (committed), so a broker acknowledges a message only after that. When `capacity` items are
 * queued or in progress, `push` itself waits: the caller (one MQTT connection, one HTTP request) stalls,
 * its socket stops being read and TCP pushes back on the producer. Nothing is dropped and memory is bounded
 * by `capacity` plus one waiting item per stalled producer.
 */

export interface QueueOptions<T, R> {
  capacity: number;
  /** Items handed to `process` at once (group commit: one transaction for many messages). */
  batchSize: number;
  /** Returns one result per item, in order; a throw fails the whole batch. */
  process: (items: T[]) => Promise<R[]>;
}

export interface QueueStats {
  queued: number;
  inProgress: number;
  waiting: number;
  peak: number;
  processed: number;
}

export interface IngestQueue<T, R> {
  push(item: T): Promise<R>;
  stats(): QueueStats;
  /** Resolves when nothing is queued or in progress. */
  idle(): Promise<void>;
}

interface Entry<T, R> {
  item: T;
  resolve: (r: R) => void;
  reject: (e: unknown) => void;
}

export function createIngestQueue<T, R>(opts: QueueOptions<T, R>): IngestQueue<T, R> {
  if (opts.capacity < 1 || opts.batchSize < 1) throw new Error('createIngestQueue: capacity and batchSize must be ≥ 1');
  const queue: Entry<T, R>[] = [];
  const waiters: (() => void)[] = [];
  const idlers: (() => void)[] = [];
  let inProgress = 0;
  let running = false;
  let peak = 0;
  let processed = 0;

  const load = () => queue.length + inProgress;

  async function run(): Promise<void> {
    if (running) return;
    running = true;
    try {
      while (queue.length > 0) {
        const batch = queue.splice(0, opts.batchSize);
        inProgress = batch.length;
        try {
          const results = await opts.process(batch.map((e) => e.item));
          batch.forEach((e, i) => e.resolve(results[i]!));
        } catch (err) {
          for (const e of batch) e.reject(err);
        }
        processed += batch.length;
        inProgress = 0;
        // Room again: let stalled producers in, oldest first.
        while (waiters.length > 0 && load() < opts.capacity) waiters.shift()!();
      }
    } finally {
      running = false;
      if (load() === 0) for (const f of idlers.splice(0)) f();
    }
  }

  async function push(item: T): Promise<R> {
    while (load() >= opts.capacity) await new Promise<void>((r) => waiters.push(r));
    const p = new Promise<R>((resolve, reject) => queue.push({ item, resolve, reject }));
    peak = Math.max(peak, load());
    void run();
    return p;
  }

  return {
    push,
    stats: () => ({ queued: queue.length, inProgress, waiting: waiters.length, peak, processed }),
    idle: () => (load() === 0 ? Promise.resolve() : new Promise<void>((r) => idlers.push(r))),
  };
}
