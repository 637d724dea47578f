import net from 'node:net';
import type { AuthenticateError, Client } from 'aedes';

/**
 * The embedded MQTT broker (aedes). It knows no domain: the caller says who a client is (from its
 * username/password) and what to do with each PUBLISH. `onPublish` runs before the broker acknowledges a
 * QoS 1 message (aedes writes PUBACK after authorizePublish calls back), so resolving only after the data is
 * committed means an acknowledged message is never lost. While `onPublish` is pending aedes reads no further
 * packets of that connection: a slow database slows the producer instead of filling memory.
 */

export type PublishVerdict = 'ack' | 'refuse';

export interface EmbeddedBrokerOptions {
  port: number;
  host?: string;
  /** An identity for the connection (e.g. a device id), or null to refuse it. */
  authenticate: (username: string | undefined, password: string | undefined) => Promise<string | null>;
  /** 'ack' acknowledges; 'refuse' disconnects the client (not authorised for that topic). A throw disconnects too, unacknowledged. */
  onPublish: (identity: string, topic: string, payload: Buffer) => Promise<PublishVerdict>;
  /** Which topic filters an identity may subscribe to (commands for the device). */
  maySubscribe?: (identity: string, topic: string) => boolean;
  onConnection?: (identity: string, connected: boolean) => void;
  log?: { warn: (obj: object, msg: string) => void };
}

export interface EmbeddedBroker {
  port: number;
  connectedClients(): number;
  /** Publishes as the broker itself (QoS 1, not retained), e.g. a command to a device's subscription. */
  publish(topic: string, payload: Buffer): Promise<void>;
  close(): Promise<void>;
}

const identities = new WeakMap<Client, string>();

export async function startEmbeddedBroker(opts: EmbeddedBrokerOptions): Promise<EmbeddedBroker> {
  // Loaded here, not at start: an installation on an external broker never needs aedes.
  const { Aedes } = await import('aedes');
  const broker = await Aedes.createBroker({
    authenticate: (client, username, password, done) => {
      opts.authenticate(username, password?.toString('utf8')).then(
        (identity) => {
          if (!identity) {
            const err = new Error('bad username or password') as AuthenticateError;
            err.returnCode = 4;
            return done(err, false);
          }
          identities.set(client, identity);
          done(null, true);
        },
        () => {
          const err = new Error('server unavailable') as AuthenticateError;
          err.returnCode = 3;
          done(err, false);
        },
      );
    },
    authorizePublish: (client, packet, callback) => {
      const identity = client ? identities.get(client) : undefined;
      // The broker itself (client null) publishes commands: always allowed.
      if (!client) return callback(null);
      if (!identity) return callback(new Error('not authenticated'));
      opts.onPublish(identity, packet.topic, Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload)).then(
        (v) => callback(v === 'ack' ? null : new Error('not authorised for this topic')),
        (e: unknown) => {
          opts.log?.warn({ err: e, topic: packet.topic }, 'mqtt publish not stored; the client will redeliver');
          callback(e instanceof Error ? e : new Error(String(e)));
        },
      );
    },
    authorizeSubscribe: (client, sub, callback) => {
      const identity = identities.get(client);
      if (identity && opts.maySubscribe?.(identity, sub.topic)) return callback(null, sub);
      callback(new Error('subscription not allowed'));
    },
  });
  broker.on('clientReady', (c) => {
    const id = identities.get(c);
    if (id) opts.onConnection?.(id, true);
  });
  broker.on('clientDisconnect', (c) => {
    const id = identities.get(c);
    if (id) opts.onConnection?.(id, false);
  });
  const server = net.createServer(broker.handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host ?? '0.0.0.0', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port;
  return {
    port,
    connectedClients: () => broker.connectedClients,
    publish: (topic, payload) =>
      new Promise<void>((resolve, reject) => {
        broker.publish({ cmd: 'publish', topic, payload, qos: 1, retain: false, dup: false }, (err) => (err ? reject(err) : resolve()));
      }),
    close: async () => {
      await new Promise<void>((r) => broker.close(() => r()));
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
