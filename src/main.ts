import { performance } from 'node:perf_hooks';
import { ConfigError, loadConfig } from './config.ts';
import { DEMO_LOGINS, DEMO_PASSWORD, seedDemoIfEmpty } from './demo/seed.ts';
import { openDatabase } from './platform/db/client.ts';
import { createLocalBlobStore } from './platform/files/storage.ts';
import { registerDbMaintenance } from './platform/db/maintenance.ts';
import { startEvents } from './platform/events/start.ts';
import { startJobRunner } from './platform/jobs/runner.ts';
import { startNotify } from './platform/notify/delivery.ts';
import { syncAllTenantsRoles } from './platform/org/tenants.ts';
import { createServer } from './server.ts';
import { startIotIngestion } from './modules/iot/mqttIngest.ts';
import { startLinkageMqtt } from './modules/iot/linkageMqtt.ts';

/** Start order: config → db (+ migrations) → demo data → roles sync → http → background runners. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      process.exit(2);
    }
    throw e;
  }
  // The nested-transaction guard is a development check (see OpenOptions): off in production.
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dbDir: config.dbDir, nestingGuard: config.env !== 'production' });
  const seeded = config.demo ? await seedDemoIfEmpty(db, undefined, { photoStore: createLocalBlobStore(config.filesDir) }) : false;
  await syncAllTenantsRoles(db);
  const app = await createServer({ config, db });
  await app.listen({ port: config.port, host: config.host });
  // Outbox dispatcher (+ SSE fan-out across instances) and channel delivery (e-mail, webhooks).
  const notify = startNotify({ db, config, log: app.log });
  const events = await startEvents({ db, databaseUrl: config.databaseUrl, log: app.log });
  // Timers, SLA escalations and cron sweeps; safe to run on every instance (claims are in PostgreSQL).
  registerDbMaintenance();
  const jobRunner = startJobRunner(db, { instanceId: config.instanceId, log: app.log });
  // Sensor ingestion: embedded MQTT broker on MQTT_PORT, or a shared subscription on MQTT_URL.
  const iot = await startIotIngestion({ db, mqttPort: config.mqttPort, mqttUrl: config.mqttUrl, host: config.host, instanceId: config.instanceId, log: app.log });
  // Linkage commands to devices (and their replies) over the same broker.
  const linkage = await startLinkageMqtt({ db, broker: iot.broker, mqttUrl: config.mqttUrl, instanceId: config.instanceId, log: app.log });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = config.publicUrl.replace(/:\d+$/, `:${port}`);
  // Since the process started (performance.now() counts from there), module loading included: what the
  // person who typed `npm start` waits for.
  const seconds = (performance.now() / 1000).toFixed(1);

  const lines = [
    '',
    `SafeLoop is ready in ${seconds} s${seeded ? ' (first start: demo company created)' : ''}`,
    `  Web:      ${url}/`,
    `  API docs: ${url}/docs`,
    `  Database: ${config.databaseUrl ? 'PostgreSQL (DATABASE_URL)' : `embedded PGlite in ${config.dbDir}`}`,
    `  MQTT:     ${iot.broker ? `embedded broker on port ${iot.broker.port}` : 'external broker (MQTT_URL)'}`,
  ];
  if (config.demo) {
    lines.push(`  Demo logins (password ${DEMO_PASSWORD}):`);
    for (const l of DEMO_LOGINS) lines.push(`    ${l.username.padEnd(12)} ${l.role}`);
  }
  console.log(lines.join('\n') + '\n');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, 'shutting down');
    await linkage.close();
    await iot.close();
    await app.close();
    await events.stop();
    await notify.stop();
    await jobRunner.stop();
    await db.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
