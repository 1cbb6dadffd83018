import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseQuota } from '../../src/http/rate-limit-headers.js';

const NOW = 1_795_000_000_000;
const q = (h: Record<string, string>) => parseQuota(new Headers(h), NOW);

describe('parseQuota', () => {
  it('reads the draft list form with its policy', () => {
    expect(
      q({ ratelimit: '"default";r=5;t=30', 'ratelimit-policy': '"default";q=100;w=60' }),
    ).toEqual({ remaining: 5, resetMs: 30_000, limit: 100, windowMs: 60_000 });
  });

  it('picks the tightest of several policies', () => {
    const quota = q({
      ratelimit: '"hour";r=500;t=3000, "burst";r=2;t=1',
      'ratelimit-policy': '"hour";q=1000;w=3600, "burst";q=10;w=1',
    });
    expect(quota).toEqual({ remaining: 2, resetMs: 1000, limit: 10, windowMs: 1000 });
  });

  it('reads the older dictionary form and the RateLimit-* triple', () => {
    expect(q({ ratelimit: 'limit=100, remaining=50, reset=50' })).toEqual({
      remaining: 50,
      resetMs: 50_000,
      limit: 100,
    });
    expect(
      q({ 'ratelimit-limit': '10', 'ratelimit-remaining': '0', 'ratelimit-reset': '3' }),
    ).toEqual({ remaining: 0, resetMs: 3000, limit: 10 });
  });

  it('reads X-RateLimit-* with a delta or a Unix time reset', () => {
    expect(
      q({ 'x-ratelimit-limit': '60', 'x-ratelimit-remaining': '1', 'x-ratelimit-reset': '20' }),
    ).toEqual({ remaining: 1, resetMs: 20_000, limit: 60 });
    const epoch = String(Math.floor(NOW / 1000) + 40);
    expect(q({ 'x-ratelimit-remaining': '3', 'x-ratelimit-reset': epoch })?.resetMs).toBeCloseTo(
      40_000,
      -3,
    );
  });

  it('ignores garbage: missing parts, negatives, absurd resets, limits below remaining', () => {
    expect(q({})).toBeUndefined();
    expect(q({ ratelimit: 'garbage' })).toBeUndefined();
    expect(q({ ratelimit: '"default";r=-1;t=30' })).toBeUndefined();
    expect(q({ ratelimit: '"default";r=1;t=999999999' })).toBeUndefined();
    expect(q({ 'x-ratelimit-remaining': 'lots', 'x-ratelimit-reset': '5' })).toBeUndefined();
    expect(q({ 'x-ratelimit-remaining': '5' })).toBeUndefined();
    expect(
      q({ 'x-ratelimit-limit': '3', 'x-ratelimit-remaining': '5', 'x-ratelimit-reset': '5' }),
    ).toEqual({ remaining: 5, resetMs: 5000 });
  });

  it('never throws, and whatever it returns is sane', () => {
    const names = fc.constantFrom(
      'ratelimit',
      'ratelimit-policy',
      'ratelimit-limit',
      'ratelimit-remaining',
      'ratelimit-reset',
      'x-ratelimit-limit',
      'x-ratelimit-remaining',
      'x-ratelimit-reset',
    );
    const value = fc.oneof(
      fc.string(),
      fc.integer({ min: -5, max: 1e11 }).map(String),
      fc.constantFrom('"a";r=1;t=2', 'limit=1, remaining=2', '";;=,'),
    );
    fc.assert(
      fc.property(fc.dictionary(names, value), (headers) => {
        let h: Headers;
        try {
          h = new Headers(headers);
        } catch {
          return true; // not a valid header value: the platform refuses it before we see it
        }
        const quota = parseQuota(h, NOW);
        if (quota === undefined) return true;
        return (
          Number.isInteger(quota.remaining) &&
          quota.remaining >= 0 &&
          quota.resetMs >= 0 &&
          quota.resetMs <= 86_400_000 &&
          (quota.limit === undefined || quota.limit >= quota.remaining)
        );
      }),
      { numRuns: 2000 },
    );
  });

  it('runs in linear time on hostile fields: 100 KB costs well under 100× what 10 KB costs', () => {
    // Many distinct members and policies, none matching: a per-member search of the
    // policies is quadratic (237 ms at 100 KB before the policy map and the member cap).
    const hostile = (bytes: number) => {
      const n = Math.floor(bytes / 17);
      return new Headers({
        ratelimit: Array.from({ length: n }, (_, i) => `"p${i}";r=5;t=30`).join(', '),
        'ratelimit-policy': Array.from({ length: n }, (_, i) => `"q${i}";q=100;w=60`).join(', '),
      });
    };
    /** The fastest of five rounds of `calls` parses, per parse, ms. */
    const cost = (headers: Headers, calls: number) => {
      let best = Number.POSITIVE_INFINITY;
      for (let round = 0; round < 5; round++) {
        const start = performance.now();
        for (let i = 0; i < calls; i++) parseQuota(headers, NOW);
        best = Math.min(best, (performance.now() - start) / calls);
      }
      return best;
    };
    const small = hostile(10_000);
    const large = hostile(100_000);
    expect(small.get('ratelimit')!.length).toBeGreaterThan(9_000);
    expect(large.get('ratelimit')!.length).toBeGreaterThan(90_000);
    expect(parseQuota(large, NOW)).toMatchObject({ remaining: 5, resetMs: 30_000 });
    cost(small, 20); // warm up
    const ratio = cost(large, 2) / cost(small, 20);
    // Linear is ~10 (less with the member cap); quadratic is ~100.
    expect(ratio).toBeLessThan(30);
  });

  it('reads at most 64 members: a policy hidden behind junk is ignored safely', () => {
    const junk = Array.from({ length: 64 }, (_, i) => `"j${i}";x=1`).join(', ');
    expect(q({ ratelimit: `${junk}, "default";r=0;t=30` })).toBeUndefined();
    expect(q({ ratelimit: `"default";r=0;t=30, ${junk}` })).toEqual({
      remaining: 0,
      resetMs: 30_000,
    });
  });
});
