/** No timer, listener or queue entry outlives its request. */
import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { constant, manualClock } from '../../src/core/index.js';
import { createClient } from '../../src/http/index.js';

describe('leaks', () => {
  it('hundreds of requests (successes, retries, failures) leave no timer and no abort listener behind', async () => {
    const clock = manualClock();
    let n = 0;
    const requestSignals = new Set<AbortSignal>();
    const fetch = async (input: Request | string | URL) => {
      const request = input as Request;
      requestSignals.add(request.signal);
      return new Response('{}', { status: ++n % 3 === 0 ? 503 : 200 });
    };
    const api = createClient({
      fetch,
      clock,
      timeout: 5000,
      totalTimeout: 20_000,
      retry: { limit: 1, backoff: constant(0), budget: false },
      throttle: { rate: 1e6, burst: 1e6 },
      bulkhead: { maxConcurrent: 4, queueLimit: 1000 },
      breaker: { minimumRequests: 1000 },
    });
    const controller = new AbortController();
    // Retry sleeps run on the manual clock: keep it moving, 1 ms at a time.
    let done = false;
    const pump = (async () => {
      while (!done) {
        await clock.advance(1);
        await new Promise((r) => setImmediate(r));
      }
    })();
    for (let i = 0; i < 300; i++)
      await api
        .get(`https://api.test/${i % 7}`, { signal: controller.signal })
        .catch(() => undefined);
    await Promise.all(
      Array.from({ length: 50 }, () =>
        api.get('https://api.test/x', { signal: controller.signal }).catch(() => undefined),
      ),
    );
    done = true;
    await pump;
    expect(clock.pendingTimers()).toBe(0);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    // The signal ky gave each request: the deadline and attempt timeouts linked to it, and let go.
    expect(requestSignals.size).toBe(350);
    for (const signal of requestSignals) expect(getEventListeners(signal, 'abort')).toHaveLength(0);
    const health = api.health().origins['https://api.test']!;
    expect(health).toMatchObject({ inFlight: 0, queueLength: 0 });
    expect(health.counts.requests).toBe(350);
  });
});
