import fs from 'node:fs';

/**
 * The e2e server's movable clock (e2e/lib/clock.mjs, preloaded by e2e/run.mjs): the offset file it watches.
 * Only the server moves: the browser and this test process keep real time.
 */
const clockFile = process.env.E2E_CLOCK_FILE;

function readNumber(file: string): number {
  try {
    const text = fs.readFileSync(file, 'utf8').trim();
    return text === '' ? 0 : Number(text);
  } catch {
    return 0;
  }
}

/** The server clock's current offset from real time, in ms (0 until a test moves it). */
export function serverClockOffsetMs(): number {
  return clockFile ? readNumber(clockFile) : 0;
}

/**
 * Moves the server's clock `ms` forward (the offsets add up over the run: one server serves every test file of
 * the run, and its time never goes back, as a real clock's would not: cron slots and job run_at already moved
 * past stay past). Resolves once the server has applied the new offset: the preload writes each value it
 * applies to `<file>.applied` (the HTTP Date header cannot tell: Node builds it with the original Date).
 * Timers that were already due only fire on the server's next poll (the job runner polls every 500 ms).
 */
export async function advanceServerClock(ms: number): Promise<number> {
  if (!clockFile) throw new Error('E2E_CLOCK_FILE is not set: run browser tests with `npm run e2e` (e2e/run.mjs starts the server with the movable clock)');
  if (!Number.isFinite(ms) || ms < 0) throw new Error(`advanceServerClock: ${ms} ms; the server clock only moves forward`);
  const offset = serverClockOffsetMs() + Math.ceil(ms);
  // Write-then-rename: the server's 200 ms poll never reads a half-written number.
  const tmp = `${clockFile}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, String(offset));
  fs.renameSync(tmp, clockFile);
  const until = Date.now() + 10_000;
  while (readNumber(`${clockFile}.applied`) !== offset) {
    if (Date.now() > until) throw new Error(`the e2e server did not apply the clock offset ${offset} ms within 10 s (is it running with --import e2e/lib/clock.mjs?)`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return offset;
}
