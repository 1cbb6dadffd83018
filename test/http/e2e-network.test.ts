/** End to end: connection resets, refused connections, slow headers, deadlines, aborts. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { isNetworkError } from 'ky';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isDeadlineExceededError, isTimeoutError } from '../../src/core/index.js';
import { attemptsOf, createClient } from '../../src/http/index.js';
import { startTestServer, type TestServer } from './test-server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

async function closedPort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('network failures against a real server', () => {
  it('a connection reset mid-body is a failed attempt: retried, then the full body arrives', async () => {
    server.reply('/reset-body', { reset: 'mid-body' }, { status: 200, body: '{"whole":true}' });
    const api = createClient({ baseUrl: server.url, retry: { limit: 2, backoff: { baseMs: 5 } } });
    expect(await api.get('reset-body').json()).toEqual({ whole: true });
    expect(server.hitsTo('/reset-body')).toHaveLength(2);
  });

  it('a reset mid-body on the last attempt is ky’s NetworkError, with the attempt count', async () => {
    server.reply('/reset-always', { reset: 'mid-body' });
    const api = createClient({ baseUrl: server.url, retry: { limit: 1, backoff: { baseMs: 5 } } });
    const error = await api
      .get('reset-always')
      .json()
      .catch((e: unknown) => e);
    expect(isNetworkError(error)).toBe(true);
    expect(attemptsOf(error)).toBe(2);
  });

  it('a reset before the headers is retried', async () => {
    server.reply('/reset-head', { reset: 'before-headers' }, { status: 200, body: '"ok"' });
    const api = createClient({ baseUrl: server.url, retry: { limit: 1, backoff: { baseMs: 5 } } });
    expect(await api.get('reset-head').json()).toBe('ok');
  });

  it('a refused connection fails with NetworkError after the retries', async () => {
    const port = await closedPort();
    const api = createClient({ retry: { limit: 2, backoff: { baseMs: 5 } }, throttle: false });
    const error = await api.get(`http://127.0.0.1:${port}/x`).catch((e: unknown) => e);
    expect(isNetworkError(error)).toBe(true);
    expect(attemptsOf(error)).toBe(3);
    expect(api.health().origins[`http://127.0.0.1:${port}`]!.counts).toMatchObject({
      attempts: 3,
      failures: 1,
    });
  });

  it('slow headers: each attempt times out with selfheal’s TimeoutError, and is retried', async () => {
    server.reply('/slow-head', { status: 200, delayMs: 400 });
    const api = createClient({
      baseUrl: server.url,
      timeout: 100,
      retry: { limit: 1, backoff: { baseMs: 5 } },
    });
    const error = await api.get('slow-head').catch((e: unknown) => e);
    expect(isTimeoutError(error)).toBe(true);
    expect(server.hitsTo('/slow-head')).toHaveLength(2);
  });

  it('a per-request timeout overrides the client’s', async () => {
    server.reply('/slow-override', { status: 200, delayMs: 300, body: '"done"' });
    const api = createClient({ baseUrl: server.url, timeout: 50, retry: 0 });
    await expect(api.get('slow-override')).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(await api.get('slow-override', { timeout: 2000 }).json()).toBe('done');
  });

  it('totalTimeout bounds the whole request with DeadlineExceededError', async () => {
    server.reply('/hang', { hang: true });
    const api = createClient({ baseUrl: server.url, totalTimeout: 300, timeout: false });
    const started = Date.now();
    const error = await api.get('hang').catch((e: unknown) => e);
    expect(isDeadlineExceededError(error)).toBe(true);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('totalTimeout bounds attempts and backoff sleeps together', async () => {
    server.reply('/hang-retry', { hang: true });
    const api = createClient({
      baseUrl: server.url,
      totalTimeout: 300,
      timeout: 100,
      retry: { limit: 10, backoff: { baseMs: 50 } },
    });
    const started = Date.now();
    const error = await api.get('hang-retry').catch((e: unknown) => e);
    // Either the deadline fired, or retry declined a sleep that would pass it (then the last attempt's timeout surfaces).
    expect(isDeadlineExceededError(error) || isTimeoutError(error)).toBe(true);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(server.hitsTo('/hang-retry').length).toBeLessThanOrEqual(3);
  });

  it('the caller’s signal aborts a Retry-After sleep at once', async () => {
    server.reply('/long-wait', { status: 429, headers: { 'retry-after': '30' } });
    // No deadline, so the 30 s Retry-After is waited (the default 30 s totalTimeout would refuse it).
    const api = createClient({ baseUrl: server.url, totalTimeout: false });
    const controller = new AbortController();
    const started = Date.now();
    const pending = api.get('long-wait', { signal: controller.signal });
    setTimeout(() => controller.abort(new Error('user left')), 100);
    await expect(pending).rejects.toThrow('user left');
    expect(Date.now() - started).toBeLessThan(2000);
    expect(server.hitsTo('/long-wait')).toHaveLength(1);
  });
});
