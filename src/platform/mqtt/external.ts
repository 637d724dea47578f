
/**
 * Subscribing to an external broker (Mosquitto, EMQX) with MQTT 5 shared subscriptions
 * (`$share/<group>/<filter>`): every app instance joins the same group and the broker splits the messages
 * between them. mqtt.js acknowledges a QoS 1 message only after `handleMessage` calls back, so the
 * message is acked after `onMessage` resolved (committed); a throw leaves it unacknowledged and the
 * connection is dropped so the broker redelivers it (to this or another instance).
 */

export interface ExternalSubscriberOptions {
  url: string;
  group: string;
  filters: string[];
  /** Base client id; connection i uses `<clientId>-<i>`. Stable across restarts, or the persistent session is lost. */
  clientId: string;
  /**
   * Connections in the shared group (default 1). mqtt.js hands a connection's messages to `handleMessage`
   * one at a time and reads the next only after the previous one was acknowledged, so a single connection
   * would commit one message per transaction; with N connections the broker spreads messages over them
   * and up to N messages are stored in one group commit.
   */
  connections?: number;
  onMessage: (topic: string, payload: Buffer) => Promise<void>;
  log?: { warn: (obj: object, msg: string) => void; info?: (obj: object, msg: string) => void };
}

export interface ExternalSubscriber {
  close(): Promise<void>;
}

export async function startExternalSubscriber(opts: ExternalSubscriberOptions): Promise<ExternalSubscriber> {
  // Loaded here, not at start: the embedded broker's installations never need the client.
  const { default: mqtt } = await import('mqtt');
  const connect = async (clientId: string) => {
    // A persistent session (clean: false) keeps QoS 1 messages for us at the broker while we restart.
    const client = mqtt.connect(opts.url, { protocolVersion: 5, clientId, clean: false, properties: { sessionExpiryInterval: 3600 }, reconnectPeriod: 2000 });
    // Set before the connection is up: a resumed session's backlog arrives right after CONNACK, and mqtt.js's
    // default handler would acknowledge those messages without storing them (they would be lost).
    client.handleMessage = (packet, callback) => {
      const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
      opts.onMessage(packet.topic, payload).then(
        () => callback(),
        (e: unknown) => {
          opts.log?.warn({ err: e, topic: packet.topic }, 'mqtt message not stored; reconnecting so the broker redelivers it');
          // No PUBACK: end the connection; the persistent session redelivers on reconnect.
          client.stream.destroy();
        },
      );
    };
    client.on('error', (e) => opts.log?.warn({ err: e, clientId }, 'mqtt subscriber connection error; reconnecting'));
    await new Promise<void>((resolve, reject) => {
      const fail = (e: Error) => {
        client.end(true);
        reject(e);
      };
      client.once('connect', () => {
        client.off('error', fail);
        resolve();
      });
      client.once('error', fail);
    });
    try {
      await client.subscribeAsync(
        opts.filters.map((f) => `$share/${opts.group}/${f}`),
        { qos: 1 },
      );
    } catch (e) {
      // The connection dropped while subscribing (e.g. a broker flushing a large session backlog). mqtt.js
      // reconnects and subscribes again, and the persistent session keeps the subscription meanwhile.
      opts.log?.warn({ err: e, clientId }, 'mqtt subscribe interrupted; retrying on reconnect');
    }
    return client;
  };
  const n = Math.max(1, opts.connections ?? 1);
  const clients = await Promise.all(Array.from({ length: n }, (_, i) => connect(n === 1 ? opts.clientId : `${opts.clientId}-${i}`)));
  return { close: async () => void (await Promise.all(clients.map((c) => c.endAsync()))) };
}
