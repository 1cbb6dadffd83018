/**
 * An outage, as the client's defaults see it, on fake timers: a run of failures opens the
 * breaker whatever the window holds; what a run of 5xx did to the adaptive rate is undone;
 * a request waits for the half-open probe without spending its retries or the budget.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { constant, isBrokenCircuitError } from '../../src/core/index.js';
import { type Alarm, createClient, type HttpEvent } from '../../src/http/index.js';

const ORIGIN = 'https://api.test';

/** A fetch whose answer is whatever `status` says now; counts calls. */
function server(initial: number, headers?: Record<string, string>) {
  const s = { status: initial, headers, calls: 0 };
  const fetch = async () => {
    s.calls++;
    return new Response(s.status === 200 ? '"ok"' : null, {
      status: s.status,
      headers: s.status === 200 ? undefined : s.headers,
    });
  };
  return Object.assign(s, { fetch });
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

type Api = ReturnType<typeof createClient>;
const health = (api: Api) => api.health().origins[ORIGIN]!;

/** One GET to its end, moving the fake clock in 10 ms steps while it waits (tokens, backoff). */
async function send(api: Api, options?: { retry?: number }): Promise<unknown> {
  let done = false;
  const result = api
    .get(`${ORIGIN}/x`, options)
    .text()
    .catch((e: unknown) => e)
    .finally(() => {
      done = true;
    });
  for (let i = 0; i < 1000 && !done; i++) await vi.advanceTimersByTimeAsync(10);
  if (!done) throw new Error('request did not settle');
  return result;
}

describe('breaker defaults on an outage', () => {
  it('opens after 10 failures in a row even when the window is full of successes', async () => {
    const s = server(200);
    const alarms: Alarm[] = [];
    const api = createClient({ fetch: s.fetch, retry: 0, onAlarm: (a) => alarms.push(a) });
    for (let i = 0; i < 100; i++) await send(api);
    s.status = 503;
    for (let i = 0; i < 9; i++) await send(api);
    expect(health(api).breaker).toBe('closed');
    await send(api);
    expect(health(api).breaker).toBe('open');
    expect(health(api).breakerWindow).toEqual({ requests: 110, failures: 10 });
    expect(alarms.map((a) => a.message)).toEqual([
      `Circuit to ${ORIGIN} opened: 10 attempts in a row failed; next probe in 5 s`,
    ]);
  });

  it('a success, a 429 or a 408 breaks the run; Infinity turns the rule off', async () => {
    const s = server(500);
    // The failure-rate rule alone would open at 50 % of 10 requests: out of the way here.
    const breaker = { minimumRequests: 1000 };
    const api = createClient({ fetch: s.fetch, retry: 0, throttle: false, breaker });
    for (const status of [200, 429, 408]) {
      for (let i = 0; i < 9; i++) await send(api);
      s.status = status;
      await send(api);
      s.status = 500;
    }
    for (let i = 0; i < 9; i++) await send(api);
    expect(health(api).breaker).toBe('closed');

    const off = createClient({
      fetch: s.fetch,
      retry: 0,
      breaker: { ...breaker, consecutiveFailures: Number.POSITIVE_INFINITY },
    });
    for (let i = 0; i < 50; i++) await send(off);
    expect(health(off).breaker).toBe('closed');
  });

  it('a connection refused counts as a failure for the run', async () => {
    const fetch = async () => {
      throw new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } });
    };
    const api = createClient({ fetch, retry: 0 });
    for (let i = 0; i < 10; i++) await send(api);
    expect(health(api).breaker).toBe('open');
  });

  it('a learned rate engaged by 5xx without Retry-After is undone when the breaker opens', async () => {
    const s = server(200);
    const changes: HttpEvent[] = [];
    const api = createClient({
      fetch: s.fetch,
      retry: 0,
      onEvent: (e) => e.type === 'rate-changed' && changes.push(e),
    });
    for (let i = 0; i < 20; i++) await send(api);
    s.status = 503;
    await send(api);
    expect(health(api).rate).not.toBeNull(); // looked like throttling: engaged
    for (let i = 0; i < 9; i++) await send(api);
    expect(health(api).breaker).toBe('open');
    expect(health(api).rate).toBeNull(); // an outage after all: off again
    expect(changes.map((c) => (c.type === 'rate-changed' ? [c.reason, c.to] : []))).toEqual([
      ['throttled', expect.any(Number)],
      ['recovered', null],
    ]);
  });

  it('a rate lowered by a 429 stays lowered when an outage follows', async () => {
    const s = server(200);
    const api = createClient({ fetch: s.fetch, retry: 0 });
    for (let i = 0; i < 20; i++) await send(api);
    s.status = 429;
    await send(api);
    const lowered = health(api).rate;
    expect(lowered).not.toBeNull();
    s.status = 503;
    for (let i = 0; i < 10; i++) await send(api);
    expect(health(api).breaker).toBe('open');
    expect(health(api).rate).not.toBeNull();
  });

  it('a request waits at the open breaker for the probe, without spending its retries or the budget', async () => {
    const s = server(503);
    const api = createClient({
      fetch: s.fetch,
      throttle: false,
      retry: { limit: 1, backoff: constant(10), budget: { ratio: 0, minPerSecond: 0.1 } },
    });
    for (let i = 0; i < 10; i++) await send(api, { retry: 0 });
    expect(health(api).breaker).toBe('open');
    const budget = health(api).retryBudgetRemaining;
    const calls = s.calls;
    const waiting = api.get(`${ORIGIN}/x`).text();
    await vi.advanceTimersByTimeAsync(4000);
    expect(s.calls).toBe(calls); // nothing reaches the dead server while open
    s.status = 200;
    await vi.advanceTimersByTimeAsync(1500);
    expect(await waiting).toBe('"ok"');
    expect(s.calls).toBe(calls + 1); // the probe was the waiting request
    expect(health(api).retryBudgetRemaining).toBe(budget);
  });

  it('failed half-open probes do not use up the retries of the request that carries them', async () => {
    const s = server(503);
    const api = createClient({
      fetch: s.fetch,
      throttle: false,
      retry: { limit: 1, backoff: constant(10), budget: false },
      breaker: { resetTimeoutMs: 1000 },
    });
    for (let i = 0; i < 10; i++) await send(api, { retry: 0 });
    const calls = s.calls;
    const waiting = api.get(`${ORIGIN}/x`).text();
    await vi.advanceTimersByTimeAsync(3500); // three probes, all failed
    expect(s.calls - calls).toBe(3);
    s.status = 200;
    await vi.advanceTimersByTimeAsync(1500);
    expect(await waiting).toBe('"ok"');
  });

  it('a request that waited for a token while the breaker opened is held back for the probe', async () => {
    const s = server(503);
    const api = createClient({
      fetch: s.fetch,
      retry: 0,
      throttle: { rate: 1, burst: 1, adaptive: false },
      breaker: { consecutiveFailures: 1 },
    });
    const first = api.get(`${ORIGIN}/x`).catch(() => undefined); // takes the token; its 503 opens
    const queued = api.get(`${ORIGIN}/x`).text(); // waits a second for the next token
    await vi.advanceTimersByTimeAsync(100);
    await first;
    expect(health(api).breaker).toBe('open');
    await vi.advanceTimersByTimeAsync(2000);
    expect(s.calls).toBe(1); // its token came, the circuit was open: not sent
    s.status = 200;
    await vi.advanceTimersByTimeAsync(4000);
    expect(await queued).toBe('"ok"');
    expect(s.calls).toBe(2); // it was the probe
  });

  it('without a deadline a request meets the open breaker with BrokenCircuitError at once', async () => {
    const s = server(503);
    const api = createClient({ fetch: s.fetch, retry: 0, totalTimeout: false });
    for (let i = 0; i < 10; i++) await send(api);
    expect(isBrokenCircuitError(await send(api))).toBe(true);
  });
});
