/**
 * End to end: the adaptive rate against a server that admits N requests per second, and
 * proactive pacing against a server that advertises its quota in RateLimit headers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type HttpEvent } from '../../src/http/index.js';
import { type Hit, startTestServer, type TestServer } from './test-server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

/** Requests the server got in each second since `start`. */
function perSecond(hits: Hit[], start: number): number[] {
  const out: number[] = [];
  for (const h of hits) {
    const s = Math.floor((h.at - start) / 1000);
    out[s] = (out[s] ?? 0) + 1;
  }
  return Array.from(out, (n) => n ?? 0);
}

/** A fixed-window limiter: `limit` requests per `windowMs`, 429 beyond, optional quota headers. */
function limited(limit: number, windowMs: number, advertise: boolean) {
  const start = Date.now();
  const used = new Map<number, number>();
  let refused = 0;
  return {
    get refused() {
      return refused;
    },
    /** Time left in the current window, as the server knows it (not rounded). */
    resetInMs: () => windowMs - ((Date.now() - start) % windowMs),
    handler: (_hit: Hit, res: import('node:http').ServerResponse) => {
      const window = Math.floor((Date.now() - start) / windowMs);
      const n = (used.get(window) ?? 0) + 1;
      used.set(window, n);
      const resetS = Math.ceil(((window + 1) * windowMs - (Date.now() - start)) / 1000);
      const headers: Record<string, string> = advertise
        ? {
            ratelimit: `"default";r=${Math.max(0, limit - n)};t=${resetS}`,
            'ratelimit-policy': `"default";q=${limit};w=${windowMs / 1000}`,
          }
        : {};
      if (n > limit) {
        refused++;
        res.writeHead(429, headers).end();
      } else
        res.writeHead(200, { 'content-type': 'application/json', ...headers }).end('{"ok":true}');
    },
  };
}

describe('adaptive rate and quota pacing against a real server', () => {
  it('a flood meets a server admitting 10 req/s: the rate engages, halves on throttling, and the server load falls to its limit', async () => {
    const flood = async (path: string, throttle: false | { adaptive: { beta: number } }) => {
      const limiter = limited(10, 1000, false);
      server.route(path, limiter.handler);
      const events: HttpEvent[] = [];
      const api = createClient({
        baseUrl: server.url,
        throttle,
        retry: { limit: 50, budget: false, backoff: { baseMs: 50, maxMs: 500 } },
        breaker: false,
        onEvent: (e) => {
          if (e.type === 'rate-changed') events.push(e);
        },
      });
      const start = Date.now();
      const results = await Promise.all(
        Array.from({ length: 40 }, () => api.get(path.slice(1)).json()),
      );
      expect(results).toHaveLength(40);
      return { refused: limiter.refused, events, seconds: perSecond(server.hitsTo(path), start) };
    };
    const adaptive = await flood('/aimd', { adaptive: { beta: 0.5 } });
    const changes = adaptive.events.filter(
      (e) => e.type === 'rate-changed' && e.reason === 'throttled',
    ) as Array<HttpEvent & { from: number | null; to: number }>;
    expect(changes[0]!.from).toBeNull();
    const decreases = changes.filter((c) => c.from !== null);
    expect(decreases.length).toBeGreaterThan(0);
    for (const d of decreases) expect(d.to).toBeCloseTo(Math.max(0.5, d.from! * 0.5), 6);
    // After the first second the server sees about its limit, not the flood.
    expect(adaptive.seconds[0]).toBeGreaterThanOrEqual(40);
    for (const n of adaptive.seconds.slice(1, -1)) expect(n).toBeLessThanOrEqual(20);
    // The same flood without self-throttling: backoff alone draws far more refusals.
    const bare = await flood('/no-aimd', false);
    expect(bare.events).toHaveLength(0);
    expect(adaptive.refused * 2).toBeLessThan(bare.refused);
  });

  it('an open-loop flood at 3× the server’s limit: the learned rate engages; few 429s', async () => {
    const limiter = limited(5, 100, false); // 50 req/s in 100 ms windows
    server.route('/flood', limiter.handler);
    const changes: Array<[number | null, number | null]> = [];
    const api = createClient({
      baseUrl: server.url,
      retry: 0,
      onEvent: (e) => e.type === 'rate-changed' && changes.push([e.from, e.to]),
    });
    const calls: Array<Promise<unknown>> = [];
    for (let i = 0; i < 225; i++) {
      calls.push(api.get('flood').catch(() => undefined));
      await new Promise((r) => setTimeout(r, 1000 / 150));
    }
    await Promise.all(calls);
    expect(changes[0]?.[0]).toBeNull();
    // Unthrottled, two thirds of the flood (150) would be refused; the bound is loose for busy machines.
    expect(limiter.refused).toBeLessThan(75);
  });

  it('paces the rest of an advertised quota: no 429 at all', async () => {
    const limiter = limited(10, 1000, true);
    server.route('/quota', limiter.handler);
    const api = createClient({ baseUrl: server.url, retry: 0, breaker: false });
    const worker = async () => {
      for (let i = 0; i < 10; i++) await api.get('quota').json();
    };
    const start = Date.now();
    await Promise.all([worker(), worker(), worker()]);
    expect(limiter.refused).toBe(0);
    expect(server.hitsTo('/quota')).toHaveLength(30);
    // 30 requests at 10 per second need more than two seconds.
    expect(Date.now() - start).toBeGreaterThan(1900);
    const health = api.health().origins[server.url]!;
    expect(health.quota).toMatchObject({ limit: 10 });
    expect(health.counts.status429).toBe(0);
  });

  it('paces over the true rest of the window, not the whole seconds `t` is rounded up to', async () => {
    const limiter = limited(40, 2000, true);
    server.route('/quota-window', limiter.handler);
    const api = createClient({ baseUrl: server.url, retry: 0, breaker: false });
    const worker = async () => {
      for (let i = 0; i < 15; i++) await api.get('quota-window').json();
    };
    await Promise.all([worker(), worker(), worker(), worker()]);
    expect(limiter.refused).toBe(0);
    // `t` says up to a second more than is left; the answers of the window narrowed it.
    const quota = api.health().origins[server.url]!.quota!;
    expect(Math.abs(quota.resetInMs - limiter.resetInMs())).toBeLessThan(300);
  });

  it('without pacing the same traffic draws 429s (the server really limits)', async () => {
    const limiter = limited(10, 1000, true);
    server.route('/quota-off', limiter.handler);
    const api = createClient({
      baseUrl: server.url,
      retry: 0,
      breaker: false,
      throttle: { pace: false, adaptive: false, rate: 1000 },
    });
    const worker = async () => {
      for (let i = 0; i < 10; i++) await api.get('quota-off').catch(() => undefined);
    };
    await Promise.all([worker(), worker(), worker()]);
    expect(limiter.refused).toBeGreaterThan(0);
  });
});
