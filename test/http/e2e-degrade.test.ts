/** End to end: stale-if-error and fallbacks serve marked, degraded answers. */
import { HTTPError } from 'ky';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createClient, type HttpEvent } from '../../src/http/index.js';
import { startTestServer, type TestServer } from './test-server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

describe('graceful degradation against a real server', () => {
  it('stale-if-error serves the cached body with the degraded header', async () => {
    server.reply(
      '/prices',
      { status: 200, body: '{"price":42}', headers: { etag: '"v1"' } },
      { status: 500 },
    );
    const events: HttpEvent[] = [];
    const api = createClient({
      baseUrl: server.url,
      retry: 0,
      staleIfError: { maxAgeMs: 60_000 },
      onEvent: (e) => events.push(e),
    });
    const fresh = await api.get('prices?currency=eur');
    expect(fresh.headers.get('selfheal-degraded')).toBeNull();
    expect(await fresh.json()).toEqual({ price: 42 });
    // The copy is stored asynchronously (a body read on a real socket): wait until it is kept.
    await vi.waitFor(() => expect(api.health().staleEntries).toBe(1));
    const stale = await api.get('prices?currency=eur');
    expect(stale.status).toBe(200);
    expect(stale.headers.get('selfheal-degraded')).toMatch(/^stale-if-error; age=\d+$/);
    expect(stale.headers.get('etag')).toBe('"v1"');
    expect(await stale.json()).toEqual({ price: 42 });
    const degraded = events.find((e) => e.type === 'degraded');
    expect(degraded).toMatchObject({
      reason: 'stale-if-error',
      url: `${server.url}/prices`,
      method: 'GET',
    });
    expect(api.health().origins[server.url]!.counts.fallbacks).toBe(1);
    // Another URL has nothing cached: the error goes through.
    await expect(api.get('prices?currency=usd')).rejects.toBeInstanceOf(HTTPError);
  });

  it('serves stale while the breaker is open, without touching the network', async () => {
    server.reply('/cfg', { status: 200, body: '{"flag":true}' }, { status: 500 });
    const api = createClient({
      baseUrl: server.url,
      retry: 0,
      throttle: false,
      staleIfError: {},
      breaker: { minimumRequests: 2, resetTimeoutMs: 60_000 },
    });
    await api.get('cfg').json();
    await vi.waitFor(() => expect(api.health().staleEntries).toBe(1));
    await api.get('cfg'); // 500 → stale
    await api.get('cfg'); // 500 → stale; breaker opens
    expect(api.health().origins[server.url]!.breaker).toBe('open');
    const hits = server.hitsTo('/cfg').length;
    const res = await api.get('cfg');
    expect(res.headers.get('selfheal-degraded')).toContain('stale-if-error');
    expect(await res.json()).toEqual({ flag: true });
    expect(server.hitsTo('/cfg')).toHaveLength(hits);
  });

  it('a fallback value becomes a JSON answer marked as a fallback; undefined means no fallback', async () => {
    server.reply('/down', { status: 503 });
    const seen: unknown[] = [];
    const api = createClient({
      baseUrl: server.url,
      retry: 0,
      throttle: false,
      fallback: (error, request) => {
        seen.push(error);
        return new URL(request.url).searchParams.has('none')
          ? undefined
          : { items: [], degraded: true };
      },
    });
    const res = await api.get('down');
    expect(res.headers.get('selfheal-degraded')).toBe('fallback');
    expect(await res.json()).toEqual({ items: [], degraded: true });
    expect(seen[0]).toBeInstanceOf(HTTPError);
    await expect(api.get('down?none')).rejects.toBeInstanceOf(HTTPError);
  });

  it('does not mask a client error (404) or a caller abort', async () => {
    server.reply('/missing', { status: 404 });
    let calls = 0;
    const api = createClient({ baseUrl: server.url, fallback: () => ++calls });
    await expect(api.get('missing')).rejects.toBeInstanceOf(HTTPError);
    server.reply('/slow', { status: 200, delayMs: 2000 });
    const controller = new AbortController();
    const pending = api.get('slow', { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    expect(calls).toBe(0);
  });
});
