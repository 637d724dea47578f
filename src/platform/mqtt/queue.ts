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
  /** Returns one result per item, in order (an `ItemFailure` rejects just that item); a throw fails the whole batch. */
  process: (items: T[]) => Promise<(R | ItemFailure)[]>;
}

/** A result slot meaning "this item failed": its `push` rejects with `error`, the rest of the batch resolves. */
export class ItemFailure {
  constructor(readonly error: unknown) {}
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
  /** Like `push`, but resolves null at once instead of waiting when the queue is full (HTTP answers 503). */
  tryPush(item: T): Promise<R | null>;
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
          batch.forEach((e, i) => {
            const r = results[i]!;
            if (r instanceof ItemFailure) e.reject(r.error);
            else e.resolve(r);
          });
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

  function enqueue(item: T): Promise<R> {
    const p = new Promise<R>((resolve, reject) => queue.push({ item, resolve, reject }));
    peak = Math.max(peak, load());
    void run();
    return p;
  }

  async function push(item: T): Promise<R> {
    while (load() >= opts.capacity) await new Promise<void>((r) => waiters.push(r));
    return enqueue(item);
  }

  function tryPush(item: T): Promise<R | null> {
    // Waiting producers come first: a new request does not jump the queue of stalled connections.
    if (load() >= opts.capacity || waiters.length > 0) return Promise.resolve(null);
    return enqueue(item);
  }

  return {
    push,
    tryPush,
    stats: () => ({ queued: queue.length, inProgress, waiting: waiters.length, peak, processed }),
    idle: () => (load() === 0 ? Promise.resolve() : new Promise<void>((r) => idlers.push(r))),
  };
}
