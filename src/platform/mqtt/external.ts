
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
  clientId: string;
  onMessage: (topic: string, payload: Buffer) => Promise<void>;
  log?: { warn: (obj: object, msg: string) => void; info?: (obj: object, msg: string) => void };
}

export interface ExternalSubscriber {
  close(): Promise<void>;
}

export async function startExternalSubscriber(opts: ExternalSubscriberOptions): Promise<ExternalSubscriber> {
  // A persistent session (clean: false) keeps QoS 1 messages for us at the broker while we restart.
  // Loaded here, not at start: the embedded broker's installations never need the client.
  const { default: mqtt } = await import('mqtt');
  const client = await mqtt.connectAsync(opts.url, { protocolVersion: 5, clientId: opts.clientId, clean: false, properties: { sessionExpiryInterval: 3600 }, reconnectPeriod: 2000 });
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
  await client.subscribeAsync(
    opts.filters.map((f) => `$share/${opts.group}/${f}`),
    { qos: 1 },
  );
  return { close: () => client.endAsync() };
}
