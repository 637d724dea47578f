import type { Database } from '../db/client.ts';
import { silentLog, startDispatcher, type Log } from './dispatcher.ts';
import { closeStreams, startStreamFanout } from './stream.ts';

export interface StartEventsOptions {
  db: Database;
  /** The PostgreSQL server URL (null on PGlite): streams fan out across instances with LISTEN/NOTIFY. */
  databaseUrl: string | null;
  now?: () => Date;
  log?: Log;
  intervalMs?: number;
}

/**
 * Starts the outbox dispatcher and, on PostgreSQL, the stream fan-out listener. The fan-out is up before
 * the first dispatch, so frames of the first events already travel through NOTIFY. Returns `stop()`.
 */
export async function startEvents(opts: StartEventsOptions): Promise<{ stop(): Promise<void> }> {
  const log = opts.log ?? silentLog;
  const stopFanout = opts.db.kind === 'postgres' && opts.databaseUrl ? await startStreamFanout(opts.databaseUrl, log) : null;
  const stopDispatcher = startDispatcher(opts.db, { now: opts.now, log, intervalMs: opts.intervalMs });
  return {
    stop: async () => {
      await stopDispatcher();
      if (stopFanout) await stopFanout();
      closeStreams();
    },
  };
}
