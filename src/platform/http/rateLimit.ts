/**
 * Per-IP request limits, counted in this process in fixed one-minute windows.
 *
 * Hand-written instead of @fastify/rate-limit for a measured reason: that plugin's hook is async (a
 * promise and a microtask turn per request) and adds three `x-ratelimit-*` headers to every answer, together
 * ~14 µs of server CPU per request on the bench machine — 40 % of what a bare Fastify answer costs
 * (bench/README.md). Counting is a Map lookup and an increment; doing it synchronously in the first hook
 * costs ~1 µs.
 *
 * Like the plugin's default store, counters live in the process: behind a load balancer with N instances a
 * client gets up to N × the limit. That is what the limit is for here (stopping one client from flooding an
 * instance, slowing password guessing together with the account lockout, which is counted in the database).
 */

export interface RateLimiter {
  /**
   * Counts one request of `ip` against `bucket` (a route with its own limit, or the general one) and
   * returns null when it is allowed, else the seconds until the window of that bucket ends.
   */
  hit(bucket: string, ip: string, max: number, nowMs: number): number | null;
  /**
   * Without counting: null when `ip` has used fewer than `max` of `bucket` in the current window, else the
   * seconds until that window ends (for limits on outcomes, such as failed logins, counted with hit()).
   */
  check(bucket: string, ip: string, max: number, nowMs: number): number | null;
  /** Number of (bucket, ip) counters held; bounded by `maxKeys`. */
  size(): number;
}

interface Counter {
  count: number;
  /** End of this counter's window (ms since epoch). */
  resetAt: number;
}

export function createRateLimiter(opts: { windowMs: number; maxKeys: number }): RateLimiter {
  const counters = new Map<string, Counter>();
  let nextSweep = 0;

  /** Drops ended windows; if many clients are inside theirs, the oldest counters go (Map keeps insertion order). */
  const sweep = (nowMs: number): void => {
    for (const [key, c] of counters) if (c.resetAt <= nowMs) counters.delete(key);
    for (const key of counters.keys()) {
      if (counters.size < opts.maxKeys) break;
      counters.delete(key);
    }
    nextSweep = nowMs + opts.windowMs;
  };

  return {
    hit(bucket, ip, max, nowMs) {
      if (nowMs >= nextSweep || counters.size >= opts.maxKeys) sweep(nowMs);
      const key = `${bucket} ${ip}`;
      const c = counters.get(key);
      if (!c || c.resetAt <= nowMs) {
        // A new window starts with this request; re-inserting keeps the Map ordered oldest first.
        if (c) counters.delete(key);
        counters.set(key, { count: 1, resetAt: nowMs + opts.windowMs });
        return max >= 1 ? null : Math.ceil(opts.windowMs / 1000);
      }
      c.count++;
      return c.count <= max ? null : Math.max(1, Math.ceil((c.resetAt - nowMs) / 1000));
    },
    check(bucket, ip, max, nowMs) {
      const c = counters.get(`${bucket} ${ip}`);
      if (!c || c.resetAt <= nowMs || c.count < max) return null;
      return Math.max(1, Math.ceil((c.resetAt - nowMs) / 1000));
    },
    size: () => counters.size,
  };
}
