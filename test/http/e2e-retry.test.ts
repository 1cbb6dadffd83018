/** End to end against a real node:http server: Retry-After, 503 bursts, idempotency. */
import { HTTPError } from 'ky';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attemptsOf, createClient, type HttpEvent } from '../../src/http/index.js';
import { startTestServer, type TestServer } from './test-server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

describe('retries against a real server', () => {
  it('429 with Retry-After: 1, then 200: the second attempt lands at least 1 s later', async () => {
    server.reply(
      '/ra-seconds',
      { status: 429, headers: { 'retry-after': '1' } },
      { status: 200, body: '{"ok":true}' },
    );
    const events: HttpEvent[] = [];
    const api = createClient({ baseUrl: server.url, onEvent: (e) => events.push(e) });
    expect(await api.get('ra-seconds').json()).toEqual({ ok: true });
    const [first, second] = server.hitsTo('/ra-seconds');
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(1000);
    const retry = events.find((e) => e.type === 'retry');
    expect(retry).toMatchObject({
      reason: 'retry-after',
      delayMs: 1000,
      status: 429,
      method: 'GET',
    });
    expect(api.health().origins[server.url]!.counts).toMatchObject({
      requests: 1,
      attempts: 2,
      retries: 1,
      status429: 1,
    });
  });

  it('503 with Retry-After: 0 is retried at once, reason retry-after (not a backoff)', async () => {
    server.reply(
      '/ra-zero',
      { status: 503, headers: { 'retry-after': '0' } },
      { status: 200, body: '{"ok":true}' },
    );
    const events: HttpEvent[] = [];
    // A backoff of 5 s would show: the retry must not wait for it.
    const api = createClient({
      baseUrl: server.url,
      retry: { backoff: { baseMs: 5000, maxMs: 5000, jitter: 'none' } },
      onEvent: (e) => events.push(e),
    });
    expect(await api.get('ra-zero').json()).toEqual({ ok: true });
    const [first, second] = server.hitsTo('/ra-zero');
    expect(second!.at - first!.at).toBeLessThan(2500);
    expect(events.find((e) => e.type === 'retry')).toMatchObject({
      reason: 'retry-after',
      delayMs: 0,
      status: 503,
    });
  });

  it('honours an HTTP-date Retry-After', async () => {
    let retryAt = 0;
    server.route('/ra-date', (_hit, res, n) => {
      if (n === 0) {
        retryAt = Math.ceil((Date.now() + 1200) / 1000) * 1000;
        res.writeHead(503, { 'retry-after': new Date(retryAt).toUTCString() }).end();
      } else res.writeHead(200, { 'content-type': 'text/plain' }).end('late');
    });
    const api = createClient({ baseUrl: server.url });
    expect(await api.get('ra-date').text()).toBe('late');
    const [, second] = server.hitsTo('/ra-date');
    // Date.now() has 1 ms resolution on both sides of the wait.
    expect(second!.at).toBeGreaterThanOrEqual(retryAt - 1);
  });

  it('rides out a burst of 503s with Retry-After: every request succeeds, the breaker stays closed', async () => {
    const start = Date.now();
    server.route('/burst', (_hit, res) => {
      if (Date.now() - start < 300) res.writeHead(503, { 'retry-after': '0' }).end();
      else res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":1}');
    });
    const api = createClient({
      baseUrl: server.url,
      retry: { limit: 8, backoff: { baseMs: 100 } },
      random: () => 0.5,
    });
    const results = await Promise.all(Array.from({ length: 20 }, () => api.get('burst').json()));
    expect(results).toHaveLength(20);
    const hits = server.hitsTo('/burst');
    const health = api.health().origins[server.url]!;
    expect(hits.length).toBeGreaterThan(20);
    expect(health.counts.status5xx).toBe(hits.length - 20);
    expect(health.counts.retries).toBe(hits.length - 20);
    expect(health.breaker).toBe('closed');
  });

  it('gives up after the limit with ky’s HTTPError, carrying the attempt count', async () => {
    server.reply('/always-500', { status: 500 });
    const api = createClient({ baseUrl: server.url, retry: { limit: 2, backoff: { baseMs: 5 } } });
    const error = await api.get('always-500').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HTTPError);
    expect((error as HTTPError).response.status).toBe(500);
    expect(attemptsOf(error)).toBe(3);
    expect(server.hitsTo('/always-500')).toHaveLength(3);
  });

  it('does not retry a POST without an Idempotency-Key', async () => {
    server.reply('/post-plain', { status: 503 });
    const api = createClient({ baseUrl: server.url, retry: { limit: 3, backoff: { baseMs: 5 } } });
    const error = await api.post('post-plain', { json: { n: 1 } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HTTPError);
    expect(server.hitsTo('/post-plain')).toHaveLength(1);
  });

  it("retries a POST with idempotencyKey: 'auto', sending the same key and body every time", async () => {
    server.reply(
      '/post-key',
      { status: 503 },
      { status: 503 },
      { status: 201, body: '{"created":true}' },
    );
    const api = createClient({
      baseUrl: server.url,
      idempotencyKey: 'auto',
      retry: { limit: 3, backoff: { baseMs: 5 } },
    });
    expect(await api.post('post-key', { json: { n: 42 } }).json()).toEqual({ created: true });
    const hits = server.hitsTo('/post-key');
    expect(hits).toHaveLength(3);
    const keys = new Set(hits.map((h) => h.headers['idempotency-key']));
    expect(keys.size).toBe(1);
    expect([...keys][0]).toMatch(/^[0-9a-f-]{32,36}$/);
    expect(hits.every((h) => h.body === '{"n":42}')).toBe(true);
  });

  it('retries a POST that carries its own Idempotency-Key, and a new request gets a new key', async () => {
    server.reply('/post-own', { status: 502 }, { status: 200 });
    const api = createClient({ baseUrl: server.url, retry: { limit: 1, backoff: { baseMs: 5 } } });
    await api.post('post-own', { headers: { 'idempotency-key': 'k-1' } });
    expect(server.hitsTo('/post-own').map((h) => h.headers['idempotency-key'])).toEqual([
      'k-1',
      'k-1',
    ]);
    const auto = createClient({ baseUrl: server.url, idempotencyKey: 'auto' });
    server.reply('/post-two', { status: 200 });
    await auto.post('post-two');
    await auto.post('post-two');
    const [a, b] = server.hitsTo('/post-two').map((h) => h.headers['idempotency-key']);
    expect(a).toBeTruthy();
    expect(a).not.toBe(b);
  });
});
