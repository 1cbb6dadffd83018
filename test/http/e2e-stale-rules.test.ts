/**
 * What stale-if-error keeps, against a real node:http server: a shared cache's rules
 * (RFC 9111) and the answer's own `stale-if-error` window (RFC 5861). One client serves
 * many callers, so one caller's answer must never reach another.
 */
import { HTTPError } from 'ky';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { manualClock } from '../../src/core/index.js';
import { createClient } from '../../src/http/index.js';
import { startTestServer, type TestServer } from './test-server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

/** `/path` answers `headers` with a body naming the caller (its Authorization), until `down()`. */
function personal(path: string, headers: Record<string, string>) {
  let up = true;
  server.route(path, (hit, res) => {
    if (!up) return res.writeHead(503, { 'content-type': 'application/json' }).end('{"down":true}');
    const who = String(hit.headers.authorization ?? hit.headers['accept-language'] ?? 'anyone');
    res
      .writeHead(200, { 'content-type': 'application/json', ...headers })
      .end(JSON.stringify({ who }));
  });
  return { down: () => (up = false) };
}

const client = () =>
  createClient({ baseUrl: server.url, retry: 0, throttle: false, staleIfError: {} });
const as = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });
/** Lets an asynchronous store finish (the copy is read off the socket after the answer). */
const settle = () => new Promise((r) => setTimeout(r, 50));

describe('stale-if-error keeps only what a shared cache may keep', () => {
  it('Alice/Bob: a private, no-store answer to Alice is never served to Bob', async () => {
    const route = personal('/me-private', {
      'cache-control': 'private, no-store',
      vary: 'Authorization',
    });
    const api = client();
    expect(await api.get('me-private', as('alice')).json()).toEqual({ who: 'Bearer alice' });
    await settle();
    route.down();
    const error = await api.get('me-private', as('bob')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HTTPError);
    expect((error as HTTPError).response.status).toBe(503);
    expect(api.health().staleEntries).toBe(0);
  });

  it('Alice/Bob: max-age=60 with Vary: Authorization is not kept for a request with Authorization', async () => {
    const route = personal('/me-maxage', { 'cache-control': 'max-age=60', vary: 'Authorization' });
    const api = client();
    await api.get('me-maxage', as('alice')).json();
    await settle();
    route.down();
    await expect(api.get('me-maxage', as('bob'))).rejects.toBeInstanceOf(HTTPError);
    await expect(api.get('me-maxage', as('alice'))).rejects.toBeInstanceOf(HTTPError);
    expect(api.health().staleEntries).toBe(0);
  });

  it('public + Vary: Authorization is kept per caller: Alice gets hers, Bob nothing', async () => {
    const route = personal('/me-public', {
      'cache-control': 'public, max-age=60',
      vary: 'Authorization',
    });
    const api = client();
    await api.get('me-public', as('alice')).json();
    await vi.waitFor(() => expect(api.health().staleEntries).toBe(1));
    route.down();
    const alice = await api.get('me-public', as('alice'));
    expect(alice.headers.get('selfheal-degraded')).toMatch(/^stale-if-error/);
    expect(await alice.json()).toEqual({ who: 'Bearer alice' });
    await expect(api.get('me-public', as('bob'))).rejects.toBeInstanceOf(HTTPError);
    await expect(api.get('me-public')).rejects.toBeInstanceOf(HTTPError);
  });

  it('s-maxage or must-revalidate also allow keeping an answer to Authorization', async () => {
    for (const [path, cc] of [
      ['/auth-smaxage', 's-maxage=60'],
      ['/auth-revalidate', 'max-age=60, must-revalidate'],
    ] as const) {
      const route = personal(path, { 'cache-control': cc, vary: 'Authorization' });
      const api = client();
      await api.get(path.slice(1), as('carol')).json();
      await vi.waitFor(() => expect(api.health().staleEntries).toBe(1));
      route.down();
      expect(await api.get(path.slice(1), as('carol')).json()).toEqual({ who: 'Bearer carol' });
    }
  });

  it('no-store, private, no-cache, Set-Cookie and Vary: * answers are never kept', async () => {
    const cases: Array<Record<string, string>> = [
      { 'cache-control': 'no-store' },
      { 'cache-control': 'private, max-age=60' },
      { 'cache-control': 'no-cache' },
      { 'cache-control': 'max-age=60', 'set-cookie': 'session=abc' },
      { 'cache-control': 'max-age=60', vary: '*' },
      { 'cache-control': 'max-age=60', vary: 'Accept, *' },
    ];
    for (const [i, headers] of cases.entries()) {
      const route = personal(`/never-${i}`, headers);
      const api = client();
      await api.get(`never-${i}`).json();
      await settle();
      route.down();
      await expect(api.get(`never-${i}`)).rejects.toBeInstanceOf(HTTPError);
      expect(api.health().staleEntries).toBe(0);
    }
  });

  it('a request with no-store, a Cookie or a Range header is not kept', async () => {
    for (const [i, headers] of [
      { 'cache-control': 'no-store' },
      { cookie: 'session=alice' },
      { range: 'bytes=0-10' },
    ].entries()) {
      const route = personal(`/req-${i}`, { 'cache-control': 'max-age=60' });
      const api = client();
      await api.get(`req-${i}`, { headers }).json();
      await settle();
      route.down();
      await expect(api.get(`req-${i}`, { headers })).rejects.toBeInstanceOf(HTTPError);
      expect(api.health().staleEntries).toBe(0);
    }
  });

  it('a later answer that may not be kept drops the copy kept before it', async () => {
    let mode: 'public' | 'private' | 'down' = 'public';
    server.route('/turns-private', (_hit, res) => {
      if (mode === 'down') return res.writeHead(503).end();
      res.writeHead(200, { 'cache-control': `${mode}, max-age=60` }).end(`"${mode}"`);
    });
    const api = client();
    await api.get('turns-private').json();
    await vi.waitFor(() => expect(api.health().staleEntries).toBe(1));
    mode = 'private';
    expect(await api.get('turns-private').json()).toBe('private');
    expect(api.health().staleEntries).toBe(0);
    mode = 'down';
    await expect(api.get('turns-private')).rejects.toBeInstanceOf(HTTPError);
  });

  it('keys on the request headers Vary names: an English copy never answers a French request', async () => {
    const route = personal('/greeting', { 'cache-control': 'max-age=60', vary: 'Accept-Language' });
    const api = client();
    await api.get('greeting', { headers: { 'accept-language': 'en' } }).json();
    await api.get('greeting', { headers: { 'accept-language': 'de' } }).json();
    await vi.waitFor(() => expect(api.health().staleEntries).toBe(2));
    route.down();
    const en = await api.get('greeting', { headers: { 'accept-language': 'en' } }).json();
    const de = await api.get('greeting', { headers: { 'accept-language': 'de' } }).json();
    expect([en, de]).toEqual([{ who: 'en' }, { who: 'de' }]);
    await expect(
      api.get('greeting', { headers: { 'accept-language': 'fr' } }),
    ).rejects.toBeInstanceOf(HTTPError);
  });
});

describe("the answer's own windows (manual clock)", () => {
  async function keptThenDown(path: string, cacheControl: string, maxAgeMs?: number) {
    const clock = manualClock(Date.now());
    const route = personal(path, { 'cache-control': cacheControl });
    const api = createClient({
      baseUrl: server.url,
      retry: 0,
      throttle: false,
      breaker: false,
      timeout: false,
      totalTimeout: false,
      staleIfError: maxAgeMs === undefined ? {} : { maxAgeMs },
      clock,
    });
    await api.get(path.slice(1)).json();
    await vi.waitFor(() => expect(api.health().staleEntries).toBe(1));
    route.down();
    const served = async () => {
      const res = await api.get(path.slice(1)).catch((e: unknown) => e);
      return res instanceof Response ? res.headers.get('selfheal-degraded') : (res as Error).name;
    };
    return { clock, served };
  }

  it('stale-if-error=N: served up to freshness + N seconds of age, then no more', async () => {
    const { clock, served } = await keptThenDown('/sie', 'max-age=10, stale-if-error=20');
    await clock.advance(29_000);
    expect(await served()).toBe('stale-if-error; age=29');
    await clock.advance(2_000);
    expect(await served()).toBe('HTTPError');
  });

  it("a short stale-if-error window wins over the client's longer maxAgeMs, and maxAgeMs caps a long one", async () => {
    const short = await keptThenDown('/sie-short', 'max-age=0, stale-if-error=5', 300_000);
    await short.clock.advance(6_000);
    expect(await short.served()).toBe('HTTPError');
    const long = await keptThenDown('/sie-long', 'max-age=0, stale-if-error=86400', 10_000);
    await long.clock.advance(11_000);
    expect(await long.served()).toBe('HTTPError');
  });

  it('must-revalidate (and s-maxage) without stale-if-error: served while fresh, never stale', async () => {
    const { clock, served } = await keptThenDown('/revalidate', 'max-age=5, must-revalidate');
    await clock.advance(4_000);
    expect(await served()).toBe('stale-if-error; age=4');
    await clock.advance(2_000);
    expect(await served()).toBe('HTTPError');
  });

  it("without directives the client's maxAgeMs decides", async () => {
    const { clock, served } = await keptThenDown('/plain', 'max-age=1', 20_000);
    await clock.advance(19_000);
    expect(await served()).toBe('stale-if-error; age=19');
    await clock.advance(2_000);
    expect(await served()).toBe('HTTPError');
  });
});
