/** The per-attempt hook (`onAttempt`), against a real node:http server. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AttemptOutcome, type AttemptStart, createClient } from '../../src/http/index.js';
import { startTestServer, type TestServer } from './test-server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

function recorder() {
  const starts: AttemptStart[] = [];
  const ends: AttemptOutcome[] = [];
  const onAttempt = (a: AttemptStart) => {
    starts.push(a);
    a.request.headers.set('x-attempt', String(a.attempt));
    return (o: AttemptOutcome) => ends.push(o);
  };
  return { starts, ends, onAttempt };
}

describe('onAttempt', () => {
  it('is called once per physical attempt, its headers are sent, and it hears each outcome', async () => {
    server.reply('/hooked', { status: 503 }, { status: 200, body: '"ok"' });
    const r = recorder();
    const api = createClient({
      baseUrl: server.url,
      retry: { backoff: { baseMs: 1 } },
      onAttempt: r.onAttempt,
    });
    expect(await api.get('hooked?q=1').json()).toBe('ok');
    expect(r.starts.map((s) => [s.attempt, s.origin, s.request.method])).toEqual([
      [1, server.url, 'GET'],
      [2, server.url, 'GET'],
    ]);
    expect(server.hitsTo('/hooked').map((h) => h.headers['x-attempt'])).toEqual(['1', '2']);
    expect(r.ends.map((e) => e.status)).toEqual([503, 200]);
    for (const e of r.ends) expect(e.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('a POST with a body carries the hook’s headers on every attempt', async () => {
    server.reply('/hooked-post', { status: 503 }, { status: 201, body: '"made"' });
    const r = recorder();
    const api = createClient({
      baseUrl: server.url,
      idempotencyKey: 'auto',
      retry: { backoff: { baseMs: 1 } },
      onAttempt: r.onAttempt,
    });
    expect(await api.post('hooked-post', { json: { a: 1 } }).json()).toBe('made');
    const hits = server.hitsTo('/hooked-post');
    expect(hits.map((h) => [h.headers['x-attempt'], h.body])).toEqual([
      ['1', '{"a":1}'],
      ['2', '{"a":1}'],
    ]);
  });

  it('hears a network failure as an error with no status', async () => {
    const r = recorder();
    const api = createClient({ retry: 0, onAttempt: r.onAttempt });
    await api.get('http://127.0.0.1:9/never').catch(() => undefined); // a bad port: refused before any attempt
    expect(r.starts).toHaveLength(0);
    server.reply('/reset', { reset: 'before-headers' });
    await api.get(`${server.url}/reset`).catch(() => undefined);
    expect(r.ends).toHaveLength(1);
    expect(r.ends[0]!.status).toBeUndefined();
    expect(r.ends[0]!.error).toBeInstanceOf(Error);
  });

  it('a throwing hook never fails the request; a bad value is refused at construction', async () => {
    server.reply('/robust', { status: 200, body: '"fine"' });
    const reported: unknown[] = [];
    const original = globalThis.reportError;
    globalThis.reportError = (e: unknown) => reported.push(e);
    try {
      const api = createClient({
        baseUrl: server.url,
        onAttempt: () => {
          throw new Error('hook bug');
        },
      });
      expect(await api.get('robust').json()).toBe('fine');
      const ender = createClient({
        baseUrl: server.url,
        onAttempt: () => () => {
          throw new Error('end bug');
        },
      });
      expect(await ender.get('robust').json()).toBe('fine');
    } finally {
      globalThis.reportError = original;
    }
    expect(reported.map((e) => (e as Error).message)).toEqual(['hook bug', 'end bug']);
    expect(() => createClient({ onAttempt: 'yes' as never })).toThrow(
      'Expected `onAttempt` to be a function or false, got string',
    );
  });

  it('extend({ onAttempt }) hooks the new client only, on the same resilience state', async () => {
    server.reply('/ext', { status: 200, body: '"e"' });
    const r = recorder();
    const api = createClient({ baseUrl: server.url });
    const traced = api.extend({ onAttempt: r.onAttempt });
    await api.get('ext').json();
    await traced.get('ext').json();
    expect(r.starts).toHaveLength(1);
    expect(api.health().origins[server.url]!.counts.requests).toBe(2);
    // Extending again keeps the hook, unless told otherwise.
    await traced
      .extend({ headers: { 'x-more': '1' } })
      .get('ext')
      .json();
    await traced
      .extend(() => ({ onAttempt: false }))
      .get('ext')
      .json();
    expect(r.starts).toHaveLength(2);
  });
});
