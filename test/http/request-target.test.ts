/**
 * A URL fetch will never send (another scheme, a port the Fetch standard blocks) is the
 * caller's error: a TypeError before the pipeline, never retried, never a breaker failure.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { isNetworkError } from 'ky';
import { describe, expect, it } from 'vitest';
import { attemptsOf, createClient } from '../../src/http/index.js';
import { requestTarget } from '../../src/http/request-target.js';

describe('URLs fetch refuses', () => {
  it('an ftp: URL fails at once with a TypeError naming the scheme: no attempt, no origin, no breaker', async () => {
    const events: string[] = [];
    const api = createClient({
      retry: { limit: 3, backoff: { baseMs: 1 } },
      onEvent: (e) => events.push(e.type),
    });
    const error = await api.get('ftp://127.0.0.1/file').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toBe(
      'selfheal/http sends http: and https: requests only, got a `ftp:` URL',
    );
    expect(attemptsOf(error)).toBeUndefined();
    expect(events).toEqual([]);
    expect(api.health().origins).toEqual({});
  });

  it('a bad port (fetch: "bad port") fails at once, and later calls to it never meet an open breaker', async () => {
    const api = createClient({
      retry: { limit: 3, backoff: { baseMs: 1 } },
      breaker: { consecutiveFailures: 2 },
    });
    for (let i = 0; i < 4; i++) {
      const error = await api.get('http://127.0.0.1:1/x?token=abc').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TypeError);
      expect(isNetworkError(error)).toBe(false);
      expect((error as Error).message).toBe(
        'Port 1 is blocked by fetch (a "bad port" of the Fetch standard): http://127.0.0.1:1 cannot be requested',
      );
    }
    expect(api.health().origins).toEqual({});
  });

  it('a refused connection on an ordinary port is still a network error, retried', async () => {
    const s = http.createServer();
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    const { port } = s.address() as AddressInfo;
    await new Promise<void>((r) => s.close(() => r()));
    const api = createClient({ retry: { limit: 1, backoff: { baseMs: 1 } }, throttle: false });
    const error = await api.get(`http://127.0.0.1:${port}/`).catch((e: unknown) => e);
    expect(isNetworkError(error)).toBe(true);
    expect(attemptsOf(error)).toBe(2);
  });

  it('data: URLs go straight to fetch (nothing to heal), a user fetch decides about ports itself', async () => {
    const api = createClient();
    expect(await api.get('data:application/json,{"a":1}').json()).toEqual({ a: 1 });
    expect(api.health().origins).toEqual({});
    const seen: string[] = [];
    const own = createClient({
      retry: 0,
      fetch: async (input: RequestInfo | URL) => {
        seen.push(String((input as Request).url));
        return new Response('"ok"');
      },
    });
    expect(await own.get('http://127.0.0.1:6000/x').json()).toBe('ok');
    expect(seen).toEqual(['http://127.0.0.1:6000/x']);
  });

  it('sorts URLs: schemes, explicit ports, IPv6 hosts', () => {
    expect(requestTarget('https://a.example/', 'https://a.example', true)).toBe('http');
    expect(requestTarget('http://[::1]/', 'http://[::1]', true)).toBe('http');
    expect(requestTarget('http://[::1]:8080/', 'http://[::1]:8080', true)).toBe('http');
    expect(requestTarget('http://[::1]:22/', 'http://[::1]:22', true)).toBeInstanceOf(TypeError);
    expect(requestTarget('https://a.example:6667/', 'https://a.example:6667', true)).toBeInstanceOf(
      TypeError,
    );
    expect(requestTarget('https://a.example:6667/', 'https://a.example:6667', false)).toBe('http');
    expect(requestTarget('blob:https://a.example/1', 'blob:https://a.example', true)).toBe('local');
    expect(requestTarget('file:///etc/passwd', 'file://', true)).toBeInstanceOf(TypeError);
  });
});
