import { and, eq } from 'drizzle-orm';
import { systemCtx } from '../../platform/auth/actor.ts';
import type { Database } from '../../platform/db/client.ts';
import { cancelJob } from '../../platform/jobs/service.ts';
import { recordExecution, timeoutKey } from './linkage.ts';
import type { EmbeddedBroker } from '../../platform/mqtt/broker.ts';
import { iotLinkageExecutions } from './schema.ts';

/**
 * The MQTT side of linkage: who publishes commands (the embedded broker itself, or the app's client on an
 * external broker; set at start by mqttIngest.ts) and what a device's reply does.
 *
 *   command  safeloop/v1/devices/<deviceId>/commands/<command>   {"id","command","params","ts","alarmId","trigger"}
 *   reply    safeloop/v1/devices/<deviceId>/command-results      {"id":"<commandId>","ok":true,"message":"…"}
 */

export interface CommandPublisher {
  /** Resolves when the broker took the message (QoS 1). */
  publish(topic: string, payload: Buffer): Promise<void>;
}

let publisher: CommandPublisher | null = null;

/** Set by the ingestion start-up (embedded broker or external client); null when it stops. */
export function setCommandPublisher(p: CommandPublisher | null): void {
  publisher = p;
}

export function commandPublisher(): CommandPublisher | null {
  return publisher;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const RESULT_TOPIC = /^safeloop\/v1\/devices\/([^/]+)\/command-results$/;

/** The device id of a results topic, or null when the topic is something else. */
export function parseResultTopic(topic: string): string | null {
  const m = RESULT_TOPIC.exec(topic);
  return m && UUID.test(m[1]!) ? m[1]!.toLowerCase() : null;
}

export interface CommandResult {
  id: string;
  ok: boolean;
  message: string | null;
}

export function parseCommandResult(payload: Buffer): CommandResult | null {
  let v: unknown;
  try {
    v = JSON.parse(payload.toString('utf8'));
  } catch {
    return null;
  }
  if (typeof v !== 'object' || v === null) return null;
  const o = v as { id?: unknown; ok?: unknown; message?: unknown };
  if (typeof o.id !== 'string' || !UUID.test(o.id) || typeof o.ok !== 'boolean') return null;
  const message = typeof o.message === 'string' ? o.message.slice(0, 1000) : null;
  return { id: o.id.toLowerCase(), ok: o.ok, message };
}

export type ResultOutcome = 'confirmed' | 'failed' | 'ignored_unknown' | 'ignored_late' | 'malformed';

interface Log {
  warn: (obj: object, msg: string) => void;
  info?: (obj: object, msg: string) => void;
}

/**
 * A device's reply. Only the first reply to a pending command counts: a late one (after the timeout), a
 * duplicate (QoS 1 redelivery) or one for an id this device was never sent changes nothing and is logged.
 */
export async function handleCommandResult(db: Database, deviceId: string, payload: Buffer, now: Date, log?: Log): Promise<ResultOutcome> {
  const r = parseCommandResult(payload);
  if (!r) {
    log?.warn({ deviceId }, 'linkage: malformed command result ignored (expected {"id":"<uuid>","ok":true|false,"message":"…"})');
    return 'malformed';
  }
  const outcome = await db.tx(async (tx): Promise<ResultOutcome> => {
    const [e] = await tx
      .select()
      .from(iotLinkageExecutions)
      .where(and(eq(iotLinkageExecutions.commandId, r.id), eq(iotLinkageExecutions.deviceId, deviceId)))
      .for('update');
    if (!e) return 'ignored_unknown';
    if (e.state !== 'pending') return 'ignored_late';
    const ctx = systemCtx(db, e.tenantId, () => now);
    const state = r.ok ? 'confirmed' : 'failed';
    const [after] = await tx
      .update(iotLinkageExecutions)
      .set({ state, message: r.message, confirmedAt: r.ok ? now : null, finishedAt: now, updatedAt: now, version: e.version + 1 })
      .where(eq(iotLinkageExecutions.id, e.id))
      .returning();
    await cancelJob(tx, timeoutKey(e.id), now);
    await recordExecution(tx, ctx, state, e, after!);
    return state;
  });
  if (outcome === 'ignored_unknown') log?.warn({ deviceId, commandId: r.id }, 'linkage: result for an unknown command id ignored');
  else if (outcome === 'ignored_late') log?.warn({ deviceId, commandId: r.id }, 'linkage: late or duplicate command result ignored');
  return outcome;
}

export interface LinkageMqttOptions {
  db: Database;
  /** The embedded broker when the app runs one; then commands are published by the broker itself. */
  broker: EmbeddedBroker | null;
  /** External broker (MQTT_URL): a connection of its own publishes commands and takes replies. */
  mqttUrl: string | null;
  instanceId: string;
  now?: () => Date;
  log?: Log;
}

/**
 * Starts the linkage MQTT side. Embedded broker: the broker publishes commands and mqttIngest.ts hands the
 * replies (published on the broker) to `handleCommandResult`. External broker: one more client, apart from
 * the readings subscribers so a flood of readings never delays a valve command, subscribed to the replies
 * with a shared subscription (each reply handled by one instance).
 */
export async function startLinkageMqtt(opts: LinkageMqttOptions): Promise<{ close(): Promise<void> }> {
  const now = opts.now ?? (() => new Date());
  if (!opts.mqttUrl) {
    const broker = opts.broker;
    setCommandPublisher(broker ? { publish: (topic, payload) => broker.publish(topic, payload) } : null);
    return { close: async () => setCommandPublisher(null) };
  }
  const { default: mqtt } = await import('mqtt');
  // Persistent session: replies published while this instance restarts wait at the broker.
  const client = await mqtt.connectAsync(opts.mqttUrl, { protocolVersion: 5, clientId: `safeloop-linkage-${opts.instanceId}`, clean: false, properties: { sessionExpiryInterval: 3600 }, reconnectPeriod: 2000 });
  client.handleMessage = (packet, callback) => {
    const deviceId = parseResultTopic(packet.topic);
    if (!deviceId) return callback();
    const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
    handleCommandResult(opts.db, deviceId, payload, now(), opts.log).then(
      () => callback(),
      (e: unknown) => {
        opts.log?.warn({ err: e, topic: packet.topic }, 'linkage: command result not stored; reconnecting so the broker redelivers it');
        client.stream.destroy();
      },
    );
  };
  await client.subscribeAsync('$share/safeloop/safeloop/v1/devices/+/command-results', { qos: 1 });
  setCommandPublisher({
    publish: async (topic, payload) => {
      await client.publishAsync(topic, payload, { qos: 1 });
    },
  });
  return {
    close: async () => {
      setCommandPublisher(null);
      await client.endAsync();
    },
  };
}
