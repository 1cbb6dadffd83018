/**
 * The client on a manual clock with an injected fetch: delays, alarms, budgets, pacing,
 * aborts and leaks, checked without sleeping.
 */
import { HTTPError } from 'ky';
import { describe, expect, it } from 'vitest';
import {
  constant,
  isBulkheadRejectedError,
  isRetryBudgetExhaustedError,
  isThrottledError,
  manualClock,
} from '../../src/core/index.js';
import { type Alarm, createClient, type HttpEvent } from '../../src/http/index.js';

type Reply = { status: number; headers?: Record<string, string>; body?: string };

/** A fetch that answers from a script (the last reply repeats) and records the requests. */
function scripted(...replies: Reply[]) {
  const calls: Request[] = [];
  const fetch = async (input: Request | string | URL, init?: RequestInit) => {
    const request = input instanceof Request ? input : new Request(input, init);
    calls.push(request);
    const r = replies[Math.min(calls.length - 1, replies.length - 1)]!;
    return new Response(r.body ?? (r.status === 204 ? null : '{}'), {
      status: r.status,
      headers: r.headers,
    });
  };
  return { fetch, calls };
}

/** Lets ky's and p-retry's promise chains run (no time passes). */
async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
}

const ORIGIN = 'https://api.test';

describe('createClient on a manual clock', () => {
  it('sleeps the core backoff between retries, on the injected clock and random source', async () => {
    const clock = manualClock();
    const { fetch, calls } = scripted(
      { status: 500 },
      { status: 500 },
      { status: 500 },
      { status: 200, body: '"ok"' },
    );
    const events: HttpEvent[] = [];
    const api = createClient({
      fetch,
      clock,
      random: () => 0.5,
      throttle: false,
      retry: { limit: 3, backoff: { baseMs: 100 } },
      onEvent: (e) => events.push(e),
    });
    const pending = api.get(`${ORIGIN}/x`).json();
    await flush();
    expect(calls).toHaveLength(1);
    await clock.advance(49);
    await flush();
    expect(calls).toHaveLength(1);
    await clock.advance(1);
    await flush();
    expect(calls).toHaveLength(2);
    await clock.advance(100);
    await flush();
    expect(calls).toHaveLength(3);
    await clock.advance(200);
    expect(await pending).toBe('ok');
    expect(
      events.filter((e) => e.type === 'retry').map((e) => (e.type === 'retry' ? e.delayMs : 0)),
    ).toEqual([50, 100, 200]);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('tags events with origin, method and the URL without its query string', async () => {
    const { fetch } = scripted({ status: 503 }, { status: 200 });
    const events: HttpEvent[] = [];
    const api = createClient({
      fetch,
      throttle: false,
      retry: { limit: 1, backoff: constant(0) },
      onEvent: (e) => events.push(e),
    });
    await api.get(`${ORIGIN}/users/7?token=secret#frag`);
    const retry = events.find((e) => e.type === 'retry')!;
    expect(retry).toMatchObject({
      origin: ORIGIN,
      method: 'GET',
      url: `${ORIGIN}/users/7`,
      status: 503,
    });
    const settled = events.find((e) => e.type === 'settled')!;
    expect(settled).toMatchObject({ attempts: 2, status: 200, url: `${ORIGIN}/users/7` });
    expect(JSON.stringify(events.map((e) => ({ ...e, error: undefined })))).not.toContain('secret');
  });

  it('raises a utilization alarm once per crossing of the configured rate', async () => {
    const clock = manualClock();
    const alarms: Alarm[] = [];
    const { fetch } = scripted({ status: 200 });
    const api = createClient({
      fetch,
      clock,
      throttle: { rate: 10, burst: 10, adaptive: false },
      onAlarm: (a) => alarms.push(a),
    });
    await Promise.all(Array.from({ length: 10 }, () => api.get(`${ORIGIN}/a`)));
    expect(alarms).toHaveLength(1);
    expect(alarms[0]).toMatchObject({ kind: 'utilization', origin: ORIGIN, value: 0.8 });
    await clock.advance(2000);
    await api.get(`${ORIGIN}/a`); // 10 % of the rate: re-arms
    const more = Array.from({ length: 9 }, () => api.get(`${ORIGIN}/a`));
    await clock.advance(1000);
    await Promise.all(more);
    expect(alarms.map((a) => a.kind)).toEqual(['utilization', 'utilization']);
  });

  it('stops retrying when the origin’s retry budget is spent, and alarms once per window', async () => {
    const alarms: Alarm[] = [];
    const { fetch, calls } = scripted({ status: 503 });
    const api = createClient({
      fetch,
      throttle: false,
      breaker: false,
      retry: {
        limit: 5,
        backoff: constant(0),
        budget: { ratio: 0, minPerSecond: 0.1, windowMs: 10_000 },
      },
      onAlarm: (a) => alarms.push(a),
    });
    const first = await api.get(`${ORIGIN}/b`).catch((e: unknown) => e);
    expect(isRetryBudgetExhaustedError(first)).toBe(true);
    expect((first as Error).cause).toBeInstanceOf(HTTPError);
    expect(calls).toHaveLength(2); // one retry allowed in the window
    const second = await api.get(`${ORIGIN}/b`).catch((e: unknown) => e);
    expect(isRetryBudgetExhaustedError(second)).toBe(true);
    expect(calls).toHaveLength(3);
    expect(alarms.map((a) => a.kind)).toEqual(['retry-budget']);
    expect(api.health().origins[ORIGIN]!.retryBudgetRemaining).toBe(0);
  });

  it('pauses until the quota resets when the server says none is left', async () => {
    const clock = manualClock();
    const { fetch, calls } = scripted(
      {
        status: 200,
        headers: { ratelimit: '"default";r=0;t=2', 'ratelimit-policy': '"default";q=5;w=2' },
      },
      { status: 200 },
    );
    const api = createClient({ fetch, clock });
    await api.get(`${ORIGIN}/q`);
    const next = api.get(`${ORIGIN}/q`);
    await flush();
    expect(calls).toHaveLength(1);
    expect(api.health().origins[ORIGIN]!.pacing).toMatchObject({ resetInMs: 2010 });
    await clock.advance(2010);
    await next;
    expect(calls).toHaveLength(2);
  });

  it('a learned bucket engages on a throttling answer and switches off once recovered', async () => {
    const { fetch } = scripted({ status: 429 }, { status: 200 });
    const changes: HttpEvent[] = [];
    const api = createClient({
      fetch,
      retry: { limit: 1, backoff: constant(0) },
      onEvent: (e) => e.type === 'rate-changed' && changes.push(e),
    });
    await api.get(`${ORIGIN}/c`);
    expect(
      changes.map((c) => (c.type === 'rate-changed' ? [c.reason, c.to === null] : [])),
    ).toEqual([
      ['throttled', false],
      ['recovered', true],
    ]);
    expect(api.health().origins[ORIGIN]!.rate).toBeNull();
  });

  it('a caller’s abort leaves the throttle queue, and no timer is left behind', async () => {
    const clock = manualClock();
    const { fetch, calls } = scripted({ status: 200 });
    const api = createClient({
      fetch,
      clock,
      throttle: { rate: 1, burst: 1, adaptive: false },
      timeout: 5000,
    });
    await api.get(`${ORIGIN}/d`);
    const controller = new AbortController();
    const waiting = api.get(`${ORIGIN}/d`, { signal: controller.signal });
    await flush();
    expect(api.health().origins[ORIGIN]!.queueLength).toBe(1);
    controller.abort();
    await expect(waiting).rejects.toMatchObject({ name: 'AbortError' });
    expect(api.health().origins[ORIGIN]!).toMatchObject({ queueLength: 0, inFlight: 0 });
    expect(calls).toHaveLength(1);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('a full bulkhead rejects with BulkheadRejectedError', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const fetch = async () => {
      await gate;
      return new Response('{}');
    };
    const api = createClient({ fetch, bulkhead: { maxConcurrent: 1 }, retry: 0 });
    const first = api.get(`${ORIGIN}/e`);
    await flush();
    const error = await api.get(`${ORIGIN}/e`).catch((e: unknown) => e);
    expect(isBulkheadRejectedError(error)).toBe(true);
    release();
    await first;
  });

  it('a per-request retry override wins over the client’s', async () => {
    const { fetch, calls } = scripted({ status: 500 });
    const api = createClient({ fetch, throttle: false, retry: { limit: 3, backoff: constant(0) } });
    await expect(api.get(`${ORIGIN}/f`, { retry: 0 })).rejects.toBeInstanceOf(HTTPError);
    expect(calls).toHaveLength(1);
    await expect(api.get(`${ORIGIN}/f`, { retry: { limit: 1 } })).rejects.toBeInstanceOf(HTTPError);
    expect(calls).toHaveLength(3);
  });

  it('health() is plain JSON with the origin’s counters', async () => {
    const clock = manualClock(1_000);
    const { fetch } = scripted({ status: 429 }, { status: 502 }, { status: 200 });
    const api = createClient({ fetch, clock, random: () => 0, retry: { limit: 2 } });
    const pending = api.get(`${ORIGIN}/g`);
    // In steps: each attempt's promise chain must settle before the next backoff timer exists.
    for (let i = 0; i < 50; i++) await clock.advance(100);
    await pending;
    const health = api.health();
    expect(JSON.parse(JSON.stringify(health))).toEqual(health);
    expect(health.origins[ORIGIN]!.counts).toEqual({
      requests: 1,
      attempts: 3,
      retries: 2,
      status429: 1,
      status5xx: 1,
      fallbacks: 0,
      failures: 0,
    });
    expect(health.origins[ORIGIN]!.breaker).toBe('closed');
  });

  it('raises a utilization alarm from an advertised quota', async () => {
    const alarms: Alarm[] = [];
    const { fetch } = scripted(
      {
        status: 200,
        headers: {
          'x-ratelimit-limit': '10',
          'x-ratelimit-remaining': '5',
          'x-ratelimit-reset': '30',
        },
      },
      {
        status: 200,
        headers: {
          'x-ratelimit-limit': '10',
          'x-ratelimit-remaining': '1',
          'x-ratelimit-reset': '29',
        },
      },
    );
    const clock = manualClock();
    const api = createClient({
      fetch,
      clock,
      throttle: { pace: false },
      onAlarm: (a) => alarms.push(a),
    });
    await api.get(`${ORIGIN}/quota`);
    expect(alarms).toHaveLength(0);
    await api.get(`${ORIGIN}/quota`);
    expect(alarms).toHaveLength(1);
    expect(alarms[0]).toMatchObject({ kind: 'utilization', value: 0.9 });
    expect(alarms[0]!.message).toContain('advertised quota');
    expect(api.health().origins[ORIGIN]!.quota).toEqual({
      remaining: 1,
      limit: 10,
      resetInMs: 29_000,
    });
  });

  it('refuses with ThrottledError when the token is further away than maxWaitMs', async () => {
    const clock = manualClock();
    const { fetch, calls } = scripted({ status: 200 });
    const api = createClient({
      fetch,
      clock,
      throttle: { rate: 1, burst: 1, adaptive: false, maxWaitMs: 100 },
    });
    await api.get(`${ORIGIN}/t`);
    const error = await api.get(`${ORIGIN}/t`).catch((e: unknown) => e);
    expect(isThrottledError(error)).toBe(true);
    expect(calls).toHaveLength(1);
  });

  it('a 5xx storm with nothing getting through is an outage: the rate is left alone; a 429 still lowers it', async () => {
    const { fetch } = scripted({ status: 503 });
    const api = createClient({ fetch, retry: 0, breaker: false });
    for (let i = 0; i < 5; i++) await api.get(`${ORIGIN}/down`).catch(() => undefined);
    expect(api.health().origins[ORIGIN]!.rate).toBeNull();
    const busy = scripted({ status: 429 });
    const other = createClient({ fetch: busy.fetch, retry: 0 });
    await other.get(`${ORIGIN}/busy`).catch(() => undefined);
    expect(other.health().origins[ORIGIN]!.rate).not.toBeNull();
  });

  it('requests queued behind a spent quota go at the fresh pace once the window renews', async () => {
    const clock = manualClock();
    const spent = { ratelimit: '"default";r=0;t=2', 'ratelimit-policy': '"default";q=10;w=2' };
    const fresh = { ratelimit: '"default";r=9;t=2', 'ratelimit-policy': '"default";q=10;w=2' };
    const { fetch, calls } = scripted(
      { status: 200, headers: spent },
      { status: 200, headers: fresh },
    );
    const api = createClient({ fetch, clock });
    await api.get(`${ORIGIN}/w`);
    const queued = Array.from({ length: 3 }, () => api.get(`${ORIGIN}/w`));
    await flush();
    expect(calls).toHaveLength(1);
    await clock.advance(2010);
    await flush();
    expect(calls).toHaveLength(2);
    // 9 left over 2 s: one every 222 ms, not one per spent window.
    await clock.advance(500);
    await flush();
    expect(calls).toHaveLength(4);
    await clock.advance(10_000);
    await Promise.all(queued);
  });
});
