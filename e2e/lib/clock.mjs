// A movable clock for the e2e server ONLY: e2e/run.mjs starts the server with `node --import <this file>`;
// production (`npm start`) never loads it. Browser tests move the server's "now" forward with
// advanceServerClock() (e2e/lib/clock.ts) instead of waiting in real time.
//
// Why replace the global Date: everything in the server that asks "what time is it" ends at JS `Date`:
// request contexts (`ctx.now()` = `new Date()`), the job runner (src/platform/jobs/runner.ts claims jobs with
// `run_at <= now` where now is a JS Date passed as a parameter, and handlers such as permit expiry compare
// validUntil against it), sessions, rate-limit windows, cron slots. The embedded PGlite follows as well: its
// WASM clock (SQL now(), defaultNow() columns) reads `Date.now()` from the global at call time. An external
// PostgreSQL (DATABASE_URL) would keep its own clock for SQL now(); the e2e runner does not use one.
//
// What is NOT moved, on purpose: timers (setTimeout/setInterval run on libuv's monotonic clock), so poll
// intervals stay real; `performance.now()`/`timeOrigin` (durations, the startup line); Node internals that
// captured the original Date at bootstrap (primordials), e.g. the HTTP `Date` response header — which is why
// the server acknowledges an offset in a file (below) rather than tests reading the header; Intl formatting
// without an argument. pino's `time` field uses Date.now(), so log lines show the moved time.
//
// The offset (ms, a plain number) is read from the file named by E2E_CLOCK_FILE; a missing or empty file
// means 0. fs.watchFile polls it every 200 ms (a stat, cheap, and unlike fs.watch reliable for a file that is
// replaced by rename); reading the file on every Date.now() would cost a syscall per call. After applying a
// value the main thread writes it to `<file>.applied`, so a test can wait until the server has really seen
// it instead of sleeping for a guessed time.
import fs from 'node:fs';
import { isMainThread } from 'node:worker_threads';

const RealDate = globalThis.Date;
const file = process.env.E2E_CLOCK_FILE;
let offsetMs = 0;

function readOffset() {
  if (!file) return;
  let text;
  try {
    text = fs.readFileSync(file, 'utf8').trim();
  } catch (e) {
    if (e && e.code === 'ENOENT') text = '';
    else {
      console.warn(`e2e clock: cannot read ${file}: ${e instanceof Error ? e.message : String(e)}`);
      return;
    }
  }
  const value = text === '' ? 0 : Number(text);
  if (!Number.isFinite(value)) {
    // Keep the last good offset: a half-written or garbled file must not throw time back to 0.
    console.warn(`e2e clock: ${file} holds ${JSON.stringify(text)}, not a number of ms; offset stays ${offsetMs}`);
    return;
  }
  offsetMs = value;
  if (isMainThread) {
    try {
      fs.writeFileSync(`${file}.applied`, String(value));
    } catch {
      // The run's temp folder is gone (the run is ending): nobody waits for the acknowledgement.
    }
  }
}

/**
 * A transparent subclass of Date: `new Date()` and `Date.now()` are real time + offset; `new Date(x)` with any
 * argument is untouched. Written as a function rather than `class extends Date` because a class cannot be
 * called without `new`, and `Date()` (returns a string) must keep working. It shares Date.prototype and
 * inherits the statics (Date.parse, Date.UTC) through its [[Prototype]], so `instanceof Date`,
 * `d.constructor === Date`, util.inspect, structuredClone and drivers that check dates behave as before; dates
 * made by Node internals with the original Date are `instanceof` the new one as well. `class X extends Date`
 * still works (new.target carries X's prototype through Reflect.construct).
 */
function ShiftedDate(...args) {
  if (!new.target) return new RealDate(RealDate.now() + offsetMs).toString();
  return Reflect.construct(RealDate, args.length === 0 ? [RealDate.now() + offsetMs] : args, new.target);
}
Object.setPrototypeOf(ShiftedDate, RealDate);
Object.defineProperty(ShiftedDate, 'prototype', { value: RealDate.prototype, writable: false, enumerable: false, configurable: false });
Object.defineProperty(ShiftedDate, 'name', { value: 'Date' });
Object.defineProperty(ShiftedDate, 'length', { value: RealDate.length });
Object.defineProperty(ShiftedDate, 'now', { value: () => RealDate.now() + offsetMs, writable: true, enumerable: false, configurable: true });
Object.defineProperty(RealDate.prototype, 'constructor', { value: ShiftedDate, writable: true, enumerable: false, configurable: true });

if (file) {
  readOffset();
  // persistent: false: the watcher must not keep the server alive after it closed everything else.
  fs.watchFile(file, { interval: 200, persistent: false }, readOffset);
  globalThis.Date = ShiftedDate;
}
