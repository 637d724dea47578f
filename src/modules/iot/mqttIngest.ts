import type { Database, Tx } from '../../platform/db/client.ts';
import { AppError } from '../../platform/http/errors.ts';
import { startEmbeddedBroker, type EmbeddedBroker, type PublishVerdict } from '../../platform/mqtt/broker.ts';
import { startExternalSubscriber, type ExternalSubscriber } from '../../platform/mqtt/external.ts';
import { createIngestQueue, type IngestQueue } from '../../platform/mqtt/queue.ts';
import { deviceByToken, ingestInTx, markSeen, recordDeviceStatus, type DeviceRow } from './ingest.ts';
import { parseMessage, parseTopic, PayloadError } from './payload.ts';
import { iotDevices } from './schema.ts';
import { and, eq, isNull } from 'drizzle-orm';

/**
 * MQTT ingestion of the IoT module: the embedded broker (device token as the MQTT password) or an external
 * broker (shared subscription), both feeding one bounded queue that stores messages in group-committed
 * transactions. A message is acknowledged only after its transaction committed; a malformed message is
 * acknowledged and dropped (a redelivery would be just as malformed) and counted.
 */

export interface IngestItem {
  topic: string;
  payload: Buffer;
  receivedAt: Date;
}

export type ItemResult = 'stored' | 'rejected';

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
  now?: () => Date;
  log?: { warn: (obj: object, msg: string) => void; info: (obj: object, msg: string) => void };
}

async function storeOne(tx: Tx, db: Database, item: IngestItem, now: Date): Promise<ItemResult> {
  let msg;
  try {
    msg = parseMessage(item.topic, item.payload, item.receivedAt);
  } catch (e) {
    if (e instanceof PayloadError) return 'rejected';
    throw e;
  }
  try {
    // A savepoint per message: one that fails validation leaves the others of the batch intact.
    await tx.transaction(async (sp) => {
      const t = sp as unknown as Tx;
      if (msg.kind === 'status') {
        const [d] = await t
          .select()
          .from(iotDevices)
          .where(and(eq(iotDevices.id, msg.deviceId), isNull(iotDevices.archivedAt)));
        if (!d) throw new AppError('not_found', 'device not found');
        await markSeen(t, db, d, msg.status, now);
      } else {
        await ingestInTx(t, db, msg.deviceId, msg.readings, now);
      }
    });
    return 'stored';
  } catch (e) {
    if (e instanceof AppError && e.status < 500) return 'rejected';
    throw e;
  }
}

/** One transaction for the batch; if it fails as a whole, each message is retried alone so one cannot sink the rest. */
export function batchProcessor(db: Database, now: () => Date, onRejected: (item: IngestItem) => void) {
  return async (items: IngestItem[]): Promise<ItemResult[]> => {
    let results: ItemResult[];
    try {
      results = await db.tx(async (tx) => {
        const out: ItemResult[] = [];
        for (const item of items) out.push(await storeOne(tx, db, item, now()));
        return out;
      });
    } catch (e) {
      if (items.length === 1) throw e;
      results = [];
      for (const item of items) results.push(await db.tx((tx) => storeOne(tx, db, item, now())));
    }
    items.forEach((item, i) => {
      if (results[i] === 'rejected') onRejected(item);
    });
    return results;
  };
}

export async function startIotIngestion(opts: IngestionOptions): Promise<IotIngestion> {
  const now = opts.now ?? (() => new Date());
  let rejected = 0;
  const queue = createIngestQueue<IngestItem, ItemResult>({
    capacity: opts.capacity ?? 2000,
    batchSize: opts.batchSize ?? 200,
    process: batchProcessor(opts.db, now, (item) => {
      rejected++;
      opts.log?.warn({ topic: item.topic }, 'mqtt message rejected (malformed or unknown point); acknowledged and dropped');
    }),
  });

  let broker: EmbeddedBroker | null = null;
  let external: ExternalSubscriber | null = null;
  if (opts.mqttUrl) {
    external = await startExternalSubscriber({
      url: opts.mqttUrl,
      group: 'safeloop',
      filters: ['safeloop/v1/devices/+/readings', 'safeloop/v1/devices/+/status'],
      clientId: `safeloop-${opts.instanceId}`,
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
        // A device publishes only under its own id.
        const t = parseTopic(topic);
        if (!t || t.deviceId !== deviceId) return 'refuse';
        await queue.push({ topic, payload, receivedAt: now() });
        return 'ack';
      },
      maySubscribe: (deviceId, topic) => topic.startsWith(`safeloop/v1/devices/${deviceId}/commands`),
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
    },
  };
}
