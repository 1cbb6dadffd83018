/**
 * `maxBodyBytes` and the stale cache's byte budget, against a real node:http server: a body
 * past the cap is cancelled (declared or streamed, compressed included) and fails with
 * BodyTooLargeError naming the limit and the origin; what exceeds the budget is never kept.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { HTTPError } from 'ky';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { BodyTooLargeError, isBodyTooLargeError } from '../../src/core/index.js';
import { createClient } from '../../src/http/index.js';

let server: http.Server;
let base: string;
const hits = new Map<string, number>();
let closedEarly = 0;
const bomb = gzipSync(Buffer.alloc(1_000_000, 97));

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const path = req.url ?? '/';
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const n = Number(new URL(path, 'http://x').searchParams.get('n') ?? 5000);
    if (path.startsWith('/declared')) {
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': n }).end('x'.repeat(n));
    } else if (path.startsWith('/endless')) {
      res.writeHead(200, { 'content-type': 'text/plain' });
      const timer = setInterval(() => res.write('x'.repeat(1000)), 5);
      res.on('close', () => {
        clearInterval(timer);
        if (!res.writableEnded) closedEarly++;
      });
    } else if (path.startsWith('/bomb')) {
      res.writeHead(200, { 'content-encoding': 'gzip', 'content-length': bomb.length }).end(bomb);
    } else if (path.startsWith('/error')) {
      res.writeHead(500, { 'content-type': 'application/json' }).end(`"${'e'.repeat(n)}"`);
    } else if (path.startsWith('/chunked')) {
      res.writeHead(200, { 'content-type': 'text/plain', 'cache-control': 'max-age=60' });
      res.write('y'.repeat(n / 2));
      res.end('y'.repeat(n / 2));
    } else {
      res.writeHead(200, { 'content-type': 'text/plain', 'cache-control': 'max-age=60' });
      res.end('z'.repeat(n));
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('maxBodyBytes', () => {
  it('a declared Content-Length past it fails at once, unread: not retried, not degraded, no breaker failure', async () => {
    let fallbacks = 0;
    const api = createClient({
      maxBodyBytes: 1000,
      staleIfError: {},
      fallback: () => {
        fallbacks++;
        return 'masked';
      },
      breaker: { consecutiveFailures: 1 },
    });
    const error = await api.get(`${base}/declared?n=5000`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BodyTooLargeError);
    expect(error).toMatchObject({
      name: 'BodyTooLargeError',
      limit: 1000,
      origin: base,
      bytes: 5000,
    });
    expect((error as Error).message).toBe(
      `Response from ${base} declares 5000 bytes, more than maxBodyBytes (1000): not read`,
    );
    expect(hits.get('/declared?n=5000')).toBe(1);
    expect(fallbacks).toBe(0);
    expect(api.health().origins[base]).toMatchObject({
      breaker: 'closed',
      counts: { failures: 1 },
    });
    // At the limit exactly, it is read.
    expect(await api.get(`${base}/declared?n=1000`).text()).toHaveLength(1000);
  });

  it('a stream with no length is cancelled as it passes the cap: the server sees the connection close', async () => {
    const api = createClient({ maxBodyBytes: 20_000, retry: 0 });
    const before = closedEarly;
    const error = await api.get(`${base}/endless`).catch((e: unknown) => e);
    expect(isBodyTooLargeError(error)).toBe(true);
    expect((error as Error).message).toMatch(
      new RegExp(
        `^Response body from ${base} passed maxBodyBytes \\(20000\\): cancelled after \\d+ bytes$`,
      ),
    );
    expect((error as BodyTooLargeError).bytes).toBeGreaterThan(20_000);
    await vi.waitFor(() => expect(closedEarly).toBeGreaterThan(before));
  });

  it('counts decoded bytes: a 1 kB gzip answer that inflates to 1 MB fails', async () => {
    const api = createClient({ maxBodyBytes: 100_000, retry: 0 });
    await expect(api.get(`${base}/bomb`)).rejects.toMatchObject({ name: 'BodyTooLargeError' });
    const roomy = createClient({ maxBodyBytes: 2_000_000, retry: 0 });
    expect(await roomy.get(`${base}/bomb`).text()).toHaveLength(1_000_000);
  });

  it('an error answer past the cap keeps its status: HTTPError with no data, as ky does past 10 MiB', async () => {
    const api = createClient({ maxBodyBytes: 1000, retry: 0 });
    const error = await api.get(`${base}/error?n=5000`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HTTPError);
    expect((error as HTTPError).response.status).toBe(500);
    expect((error as HTTPError).data).toBeUndefined();
    const small = await api.get(`${base}/error?n=10`).catch((e: unknown) => e);
    expect((small as HTTPError).data).toBe('eeeeeeeeee');
  });

  it('defaults to 64 MiB; Infinity turns it off; bad values are refused', () => {
    expect(() => createClient({ maxBodyBytes: -1 })).toThrow(RangeError);
    expect(() => createClient({ maxBodyBytes: 1.5 })).toThrow(/maxBodyBytes/);
    expect(() => createClient({ maxBodyBytes: Number.POSITIVE_INFINITY })).not.toThrow();
  });
});

describe('the stale cache budget (staleIfError.maxBytes)', () => {
  it('an answer larger than the budget is never kept; older entries go first to make room', async () => {
    const api = createClient({ retry: 0, staleIfError: { maxBytes: 4000 } }); // ~1.7 kB per 1.2 kB body with headers and URLs
    await api.get(`${base}/page?n=5000`).text();
    await new Promise((r) => setTimeout(r, 50));
    expect(api.health().staleEntries).toBe(0);
    await api.get(`${base}/page?n=1200`).text();
    await vi.waitFor(() => expect(api.health().staleEntries).toBe(1));
    await api.get(`${base}/page?n=1201`).text();
    await vi.waitFor(() => expect(api.health().staleEntries).toBe(2));
    await api.get(`${base}/page?n=1202`).text();
    await new Promise((r) => setTimeout(r, 50));
    expect(api.health().staleEntries).toBe(2);
  });

  it('with bufferBody: false the kept copy is capped too, and the caller still reads the whole stream', async () => {
    const api = createClient({ retry: 0, bufferBody: false, staleIfError: { maxBytes: 3000 } });
    expect(await api.get(`${base}/chunked?n=8000`).text()).toHaveLength(8000);
    await new Promise((r) => setTimeout(r, 50));
    expect(api.health().staleEntries).toBe(0);
    expect(await api.get(`${base}/chunked?n=1000`).text()).toHaveLength(1000);
    await vi.waitFor(() => expect(api.health().staleEntries).toBe(1));
  });

  it('validates staleIfError.maxBytes', () => {
    expect(() => createClient({ staleIfError: { maxBytes: 0 } })).toThrow(/staleIfError\.maxBytes/);
  });
});
