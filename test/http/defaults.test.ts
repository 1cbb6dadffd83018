/**
 * The documented defaults, and the behaviour they are chosen for: a 20 % error rate is
 * retried to ≥ 99.8 % success without the retry budget getting in the way.
 */
import { describe, expect, it, vi } from 'vitest';
import { constant, isRetryBudgetExhaustedError, RetryBudget } from '../../src/core/index.js';
import { createClient } from '../../src/http/index.js';
import { resolveOptions } from '../../src/http/resolve-options.js';

describe('defaults', () => {
  it('are the documented ones', () => {
    const r = resolveOptions({});
    expect(r.retry.limit).toBe(3);
    expect(r.timeout).toBe(10_000);
    expect(r.totalTimeout).toBe(30_000);
    expect(r.breaker).toEqual({
      failureRateThreshold: 0.5,
      minimumRequests: 10,
      windowMs: 10_000,
      resetTimeoutMs: 5_000,
      consecutiveFailures: 10,
    });
    expect(r.budget).toEqual({ ratio: 0.3 });
    expect(r.maxOrigins).toBe(1000);
    expect(r.throttle?.statusCodes).toEqual(new Set([429, 502, 503, 504]));
  });

  it('a budget given as options keeps the default ratio unless it sets one; an instance is used as is', () => {
    expect(resolveOptions({ retry: { budget: { minPerSecond: 1 } } }).budget).toEqual({
      ratio: 0.3,
      minPerSecond: 1,
    });
    expect(resolveOptions({ retry: { budget: { ratio: 0.1 } } }).budget).toEqual({ ratio: 0.1 });
    const shared = new RetryBudget();
    expect(resolveOptions({ retry: { budget: shared } }).budget).toBe(shared);
    expect(resolveOptions({ retry: { budget: false } }).budget).toBeUndefined();
  });

  it('retries a 20 % error rate at high volume without the budget refusing retries', async () => {
    // 5 000 requests: at a ratio of 0.2 the budget (1 036 retries) would refuse about
    // 200 of the ~1 240 retries this error rate needs.
    let seed = 42;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed / 2_147_483_648;
    };
    const fetch = async () => new Response('{}', { status: random() < 0.2 ? 500 : 200 });
    // Fake timers, and a budget window long enough to hold the whole run, with a small
    // allowance for the first requests (36 retries): the default ratio decides the rest.
    vi.useFakeTimers();
    const api = createClient({
      fetch,
      throttle: false,
      breaker: false,
      retry: { backoff: constant(0), budget: { windowMs: 3_600_000, minPerSecond: 0.01 } },
    });
    let failed = 0;
    let refused = 0;
    try {
      for (let i = 0; i < 5000; i++) {
        let done = false;
        const call = api
          .get('https://api.test/f')
          .catch((e: unknown) => {
            failed++;
            if (isRetryBudgetExhaustedError(e)) refused++;
          })
          .finally(() => {
            done = true;
          });
        while (!done) await vi.advanceTimersByTimeAsync(1);
        await call;
      }
    } finally {
      vi.useRealTimers();
    }
    const health = api.health().origins['https://api.test']!;
    expect(health.counts.requests).toBe(5000);
    expect(refused).toBe(0);
    // 0.2⁴ = 0.16 % of calls draw four 500s; a budget refusing retries would fail ~5 %.
    expect(failed / 5000).toBeLessThanOrEqual(0.004);
    expect(health.retryBudgetRemaining).toBeGreaterThan(0);
  });
});
