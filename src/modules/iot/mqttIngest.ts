import type { Database, Tx } from '../../platform/db/client.ts';
import { AppError, invalid } from '../../platform/http/errors.ts';
import { startEmbeddedBroker, type EmbeddedBroker, type PublishVerdict } from '../../platform/mqtt/broker.ts';
import { startExternalSubscriber, type ExternalSubscriber } from '../../platform/mqtt/external.ts';
import { createIngestQueue, ItemFailure, type IngestQueue } from '../../platform/mqtt/queue.ts';
import { deviceByToken, ingestMessagesInTx, markSeen, recordDeviceStatus, type DeviceMessage, type DeviceRow, type IngestResult } from './ingest.ts';
import { parseMessage, parseTopic, PayloadError, type ParsedReading } from './payload.ts';
import { iotDevices } from './schema.ts';
// Linkage (linkageMqtt.ts): a device's command replies are handled there, not in the readings queue.
import { handleCommandResult, parseResultTopic } from './linkageMqtt.ts';
import { and, eq, isNull } from 'drizzle-orm';

/**
 * MQTT ingestion of the IoT module: the embedded broker (device token as the MQTT password) or an external
 * broker (shared subscription), both feeding one bounded queue that stores messages in group-committed
 * transactions. A message is acknowledged only after its transaction committed; a malformed message is
 * acknowledged and dropped (a redelivery would be just as malformed) and counted.
 */

/** An MQTT message as received, or the already parsed body of an HTTP batch request. */
export type IngestItem = { kind?: 'mqtt'; topic: string; payload: Buffer; receivedAt: Date } | { kind: 'http'; deviceId: string; readings: ParsedReading[]; receivedAt: Date };

/** 'rejected': refused whole and not retried (malformed, unknown device or point); `error` says why. */
export type ItemResult = { outcome: 'stored'; stored: number; duplicates: number } | { outcome: 'rejected'; error: AppError | PayloadError };

export interface IotIngestion {
  broker: EmbeddedBroker | null;
  queue: IngestQueue<IngestItem, ItemResult>;
  rejected(): number;
  close(): Promise<void>;
}

export interface IngestionOptions {
  db: Database;
  mqttPort: number;
  mqttUrl: string | null;
  host?: string;
  instanceId: string;
  /** Messages queued or in progress before producers are held back (default 2000). */
  capacity?: number;
  batchSize?: number;
  /** External broker: subscriber connections in the shared group (each with capacity / subscribers messages in flight). */
  subscribers?: number;
  now?: () => Date;
  log?: { warn: (obj: object, msg: string) => void; info: (obj: object, msg: string) => void };
}

const DEFAULT_CAPACITY = 2000;
const DEFAULT_BATCH = 500;
const DEFAULT_SUBSCRIBERS = 4;

/** A device status message: rare, stored in its own savepoint. */
async function storeStatus(tx: Tx, db: Database, deviceId: string, status: 'online' | 'offline', now: Date): Promise<ItemResult> {
  try {
    await tx.transaction(async (sp) => {
      const t = sp as unknown as Tx;
      const [d] = await t
        .select()
        .from(iotDevices)
        .where(and(eq(iotDevices.id, deviceId), isNull(iotDevices.archivedAt)));
      if (!d) throw new AppError('not_found', 'device not found');
      await markSeen(t, db, d, status, now);
    });
    return { outcome: 'stored', stored: 0, duplicates: 0 };
  } catch (e) {
    if (e instanceof AppError && e.status < 500) return { outcome: 'rejected', error: e };
    throw e;
  }
}

/** All items of a batch in one transaction: readings messages together (a fixed number of statements), status messages alone. */
async function storeBatch(tx: Tx, db: Database, items: IngestItem[], now: Date): Promise<ItemResult[]> {
  const out: (ItemResult | null)[] = items.map(() => null);
  const msgs: DeviceMessage[] = [];
  const msgIndex: number[] = [];
  for (const [i, item] of items.entries()) {
    if (item.kind === 'http') {
      msgs.push({ deviceId: item.deviceId, readings: item.readings });
      msgIndex.push(i);
      continue;
    }
    let msg;
    try {
      msg = parseMessage(item.topic, item.payload, item.receivedAt);
    } catch (e) {
      if (e instanceof PayloadError) {
        out[i] = { outcome: 'rejected', error: e };
        continue;
      }
      throw e;
    }
    if (msg.kind === 'status') out[i] = await storeStatus(tx, db, msg.deviceId, msg.status, now);
    else {
      msgs.push({ deviceId: msg.deviceId, readings: msg.readings });
      msgIndex.push(i);
    }
  }
  const results = await ingestMessagesInTx(tx, db, msgs, now);
  results.forEach((r, k) => {
    out[msgIndex[k]!] = r.ok ? { outcome: 'stored', stored: r.stored, duplicates: r.duplicates } : { outcome: 'rejected', error: r.error };
  });
  return out.map((r) => r!);
}

/** One transaction for the batch; if it fails as a whole, each message is retried alone so one cannot sink the rest. */
export function batchProcessor(db: Database, now: () => Date, onRejected: (item: IngestItem) => void) {
  return async (items: IngestItem[]): Promise<(ItemResult | ItemFailure)[]> => {
    let results: ItemResult[];
    try {
      results = await db.tx((tx) => storeBatch(tx, db, items, now()));
    } catch (e) {
      if (items.length === 1) throw e;
      // One at a time: a message that fails alone too is not acknowledged (its producer gets the error and
      // redelivers); the others are stored and acknowledged.
      const alone: (ItemResult | ItemFailure)[] = [];
      for (const item of items) {
        try {
          alone.push((await db.tx((tx) => storeBatch(tx, db, [item], now())))[0]!);
        } catch (err) {
          alone.push(new ItemFailure(err));
        }
      }
      alone.forEach((r, i) => {
        if (!(r instanceof ItemFailure) && r.outcome === 'rejected') onRejected(items[i]!);
      });
      return alone;
    }
    items.forEach((item, i) => {
      if (results[i]!.outcome === 'rejected') onRejected(item);
    });
    return results;
  };
}

/**
 * The queue HTTP batch requests go through: that of the running ingestion on the same database (so HTTP and
 * MQTT share one bound), or one of their own when the app runs without ingestion (tests, tools).
 */
const httpQueues = new WeakMap<Database, IngestQueue<IngestItem, ItemResult>>();

function httpQueue(db: Database): IngestQueue<IngestItem, ItemResult> {
  let q = httpQueues.get(db);
  if (!q) {
    q = createIngestQueue<IngestItem, ItemResult>({ capacity: DEFAULT_CAPACITY, batchSize: DEFAULT_BATCH, process: batchProcessor(db, () => new Date(), () => undefined) });
    httpQueues.set(db, q);
  }
  return q;
}

/**
 * An HTTP batch: answered only after its transaction committed. When the queue is full the request is
 * refused at once with 503 (`ingest_busy`, Retry-After) rather than held: an HTTP client retries, while a
 * held request would only pile up sockets and bodies in memory.
 */
export async function submitHttpReadings(db: Database, deviceId: string, readings: ParsedReading[], at: Date): Promise<IngestResult> {
  const r = await httpQueue(db).tryPush({ kind: 'http', deviceId, readings, receivedAt: at });
  if (r === null) throw new AppError('ingest_busy', 'ingestion queue full; retry shortly', { extra: { retryAfterSeconds: 1 } });
  if (r.outcome === 'rejected') throw r.error instanceof PayloadError ? invalid(r.error.field, 'format', r.error.message) : r.error;
  return { stored: r.stored, duplicates: r.duplicates };
}

export async function startIotIngestion(opts: IngestionOptions): Promise<IotIngestion> {
  const now = opts.now ?? (() => new Date());
  let rejected = 0;
  const queue = createIngestQueue<IngestItem, ItemResult>({
    capacity: opts.capacity ?? DEFAULT_CAPACITY,
    batchSize: opts.batchSize ?? DEFAULT_BATCH,
    process: batchProcessor(opts.db, now, (item) => {
      rejected++;
      opts.log?.warn({ topic: item.kind === 'http' ? null : item.topic }, 'message rejected (malformed or unknown point); acknowledged and dropped');
    }),
  });
  // HTTP batches of this database share the bound with MQTT (the first ingestion started owns it).
  const ownsHttp = !httpQueues.has(opts.db);
  if (ownsHttp) httpQueues.set(opts.db, queue);

  let broker: EmbeddedBroker | null = null;
  let external: ExternalSubscriber | null = null;
  if (opts.mqttUrl) {
    const subscribers = Math.max(1, opts.subscribers ?? DEFAULT_SUBSCRIBERS);
    external = await startExternalSubscriber({
      url: opts.mqttUrl,
      group: 'safeloop',
      filters: ['safeloop/v1/devices/+/readings', 'safeloop/v1/devices/+/status'],
      clientId: `safeloop-${opts.instanceId}`,
      connections: subscribers,
      // The broker's in-flight window over all connections equals the queue capacity: the queue never holds
      // a connection back for long, and what the broker sent us but we did not ack stays bounded.
      receiveMaximum: Math.ceil((opts.capacity ?? DEFAULT_CAPACITY) / subscribers),
      onMessage: async (topic, payload) => {
        await queue.push({ topic, payload, receivedAt: now() });
      },
      log: opts.log,
    });
  } else {
    broker = await startEmbeddedBroker({
      port: opts.mqttPort,
      host: opts.host,
      authenticate: async (_username, password) => {
        if (!password) return null;
        const d: DeviceRow | null = await opts.db.read((tx) => deviceByToken(tx, password));
        return d?.id ?? null;
      },
      onPublish: async (deviceId, topic, payload): Promise<PublishVerdict> => {
        const resultOf = parseResultTopic(topic);
        if (resultOf) {
          if (resultOf !== deviceId) return 'refuse';
          await handleCommandResult(opts.db, deviceId, payload, now(), opts.log);
          return 'ack';
        }
        // A device publishes only under its own id.
        const t = parseTopic(topic);
        if (!t || t.deviceId !== deviceId) return 'refuse';
        await queue.push({ topic, payload, receivedAt: now() });
        return 'ack';
      },
      // Only its own commands (`…/commands/#` or below): not another device's, not its results topic.
      maySubscribe: (deviceId, topic) => topic.startsWith(`safeloop/v1/devices/${deviceId}/commands/`),
      onConnection: (deviceId, connected) => {
        // A clean connect/disconnect is a status too; errors are logged, never thrown into the broker.
        recordDeviceStatus(opts.db, deviceId, connected ? 'online' : 'offline', now()).catch((e: unknown) => opts.log?.warn({ err: e }, 'device status not recorded'));
      },
      log: opts.log,
    });
    opts.log?.info({ port: broker.port }, 'embedded MQTT broker listening');
  }
  return {
    broker,
    queue,
    rejected: () => rejected,
    close: async () => {
      await broker?.close();
      await external?.close();
      await queue.idle();
      if (ownsHttp && httpQueues.get(opts.db) === queue) httpQueues.delete(opts.db);
    },
  };
}
