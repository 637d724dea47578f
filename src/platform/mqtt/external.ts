
/**
 * Subscribing to an external broker (Mosquitto, EMQX) with MQTT 5 shared subscriptions
 * (`$share/<group>/<filter>`): every app instance joins the same group and the broker splits the messages
 * between them. A QoS 1 message is acknowledged only after `onMessage` resolved (committed); a throw leaves
 * it unacknowledged and the connection is dropped so the broker redelivers it (to this or another instance).
 *
 * Pipelining: mqtt.js reads a connection's next packet only after `handleMessage` called back, and that
 * callback also writes the PUBACK, so waiting for the commit there would put one message per connection in
 * a batch. Instead `handleMessage` calls back at once with an error, which makes mqtt.js go on reading
 * WITHOUT sending a PUBACK; this module writes the PUBACK itself once the message's batch committed. MQTT
 * (3.1.1 and 5, §4.6) wants PUBACKs in the order the PUBLISHes arrived, so acks wait in a per-connection
 * FIFO and leave it from the head only. The broker holds back more than `receiveMaximum` unacknowledged
 * messages per connection (MQTT 5 flow control), which bounds what is in memory.
 */

export interface ExternalSubscriberOptions {
  url: string;
  group: string;
  filters: string[];
  /** Base client id; connection i uses `<clientId>-<i>`. Stable across restarts, or the persistent session is lost. */
  clientId: string;
  /** Connections in the shared group (default 1): spreads parsing and socket work, and survives one dropping. */
  connections?: number;
  /**
   * Unacknowledged messages the broker may have in flight to one connection (MQTT 5 Receive Maximum,
   * default 500): the pipelining window, and the bound on messages held in memory per connection.
   */
  receiveMaximum?: number;
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
    const client = mqtt.connect(opts.url, {
      protocolVersion: 5,
      clientId,
      clean: false,
      properties: { sessionExpiryInterval: 3600, receiveMaximum: Math.max(1, Math.min(65535, opts.receiveMaximum ?? 500)) },
      reconnectPeriod: 2000,
    });
    // QoS 1 messages of the current stream waiting for their PUBACK, in order of receipt.
    const pending = new WeakMap<object, { messageId: number; stored: boolean }[]>();
    const flush = (stream: object) => {
      const list = pending.get(stream);
      // A PUBACK belongs to the connection that received the PUBLISH: after a reconnect the broker
      // redelivers what was not acknowledged (stored again as a no-op duplicate), so stale acks are dropped.
      if (!list || stream !== client.stream || !client.connected || client.stream.destroyed) return;
      while (list.length > 0 && list[0]!.stored) {
        const { messageId } = list.shift()!;
        // mqtt.js has no public call for a manual PUBACK; _sendPacket is what its own handler uses.
        client['_sendPacket']({ cmd: 'puback', messageId, reasonCode: 0 });
      }
    };
    // Set before the connection is up: a resumed session's backlog arrives right after CONNACK, and mqtt.js's
    // default handler would acknowledge those messages without storing them (they would be lost).
    client.handleMessage = (packet, callback) => {
      const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
      const stream = client.stream;
      let slot: { messageId: number; stored: boolean } | null = null;
      if (packet.qos === 1 && packet.messageId !== undefined) {
        slot = { messageId: packet.messageId, stored: false };
        let list = pending.get(stream);
        if (!list) pending.set(stream, (list = []));
        list.push(slot);
      }
      opts.onMessage(packet.topic, payload).then(
        () => {
          if (!slot) return;
          slot.stored = true;
          flush(stream);
        },
        (e: unknown) => {
          opts.log?.warn({ err: e, topic: packet.topic }, 'mqtt message not stored; reconnecting so the broker redelivers it');
          // No PUBACK for it nor for anything after it: end the connection; the persistent session redelivers on reconnect.
          pending.delete(stream);
          if (stream === client.stream) stream.destroy();
        },
      );
      // An error here tells mqtt.js not to send its PUBACK (we send it after the commit) and to read on.
      // QoS 0 has nothing to acknowledge.
      callback(packet.qos === 1 ? new Error('acknowledged after commit') : undefined);
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
