import { describe, expect, it } from 'vitest';
import { createRateLimiter } from './rateLimit.ts';

describe('rate limiter', () => {
  it('allows max requests per window, then answers the seconds left until the window ends', () => {
    const l = createRateLimiter({ windowMs: 60_000, maxKeys: 100 });
    const t0 = 1_000_000;
    for (let i = 0; i < 3; i++) expect(l.hit('general', 'ip:a', 3, t0 + i)).toBeNull();
    expect(l.hit('general', 'ip:a', 3, t0 + 15_000)).toBe(45);
    // Another bucket and another client count apart.
    expect(l.hit('login', 'ip:a', 3, t0 + 15_000)).toBeNull();
    expect(l.hit('general', 'ip:b', 3, t0 + 15_000)).toBeNull();
    // A new window starts when the old one has ended.
    expect(l.hit('general', 'ip:a', 3, t0 + 60_000)).toBeNull();
  });

  it('keeps at most maxKeys counters, dropping ended windows first and then the oldest', () => {
    const l = createRateLimiter({ windowMs: 60_000, maxKeys: 10 });
    const t0 = 5_000_000;
    for (let i = 0; i < 10; i++) l.hit('general', `ip:${i}`, 5, t0);
    expect(l.size()).toBe(10);
    l.hit('general', 'ip:new', 5, t0 + 1);
    expect(l.size()).toBeLessThanOrEqual(10);
    // After the windows ended, a sweep empties the map down to the caller.
    l.hit('general', 'ip:late', 5, t0 + 120_000);
    expect(l.size()).toBe(1);
  });
});
