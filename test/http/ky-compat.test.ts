/** What ky users write keeps working: hooks, extend, JSON, HTTPError, throwHttpErrors. */
import { HTTPError } from 'ky';
import { describe, expect, it } from 'vitest';
import { constant } from '../../src/core/index.js';
import { createClient } from '../../src/http/index.js';

const ORIGIN = 'https://api.test';

function echo(statuses: number[] = [200]) {
  const calls: Request[] = [];
  const fetch = async (input: Request | string | URL, init?: RequestInit) => {
    const request = input instanceof Request ? input : new Request(input, init);
    calls.push(request);
    const status = statuses[Math.min(calls.length - 1, statuses.length - 1)]!;
    const body = JSON.stringify({
      url: request.url,
      method: request.method,
      body: await request.clone().text(),
      auth: request.headers.get('authorization'),
    });
    return new Response(body, { status, headers: { 'content-type': 'application/json' } });
  };
  return { fetch, calls };
}

describe('ky compatibility', () => {
  it('json bodies, searchParams, prefix and typed .json()', async () => {
    const { fetch } = echo();
    const api = createClient({ fetch, prefix: `${ORIGIN}/v1` });
    const out = await api
      .post('items', { json: { a: 1 }, searchParams: { q: 'x' } })
      .json<{ url: string; method: string; body: string }>();
    expect(out).toEqual({
      url: `${ORIGIN}/v1/items?q=x`,
      method: 'POST',
      body: '{"a":1}',
      auth: null,
    });
  });

  it('runs beforeRequest and afterResponse hooks once per request, not per attempt', async () => {
    const { fetch, calls } = echo([503, 503, 200]);
    let before = 0;
    let after = 0;
    const api = createClient({
      fetch,
      throttle: false,
      retry: { limit: 2, backoff: constant(0) },
      hooks: {
        beforeRequest: [
          ({ request }) => {
            before++;
            request.headers.set('authorization', 'Bearer t');
          },
        ],
        afterResponse: [
          () => {
            after++;
          },
        ],
      },
    });
    const out = await api.get(`${ORIGIN}/h`).json<{ auth: string }>();
    expect(out.auth).toBe('Bearer t');
    expect(calls).toHaveLength(3);
    expect(calls.every((c) => c.headers.get('authorization') === 'Bearer t')).toBe(true);
    expect([before, after]).toEqual([1, 1]);
  });

  it('extend keeps the resilience state and the extras', async () => {
    const { fetch, calls } = echo([500, 200]);
    const api = createClient({ fetch, throttle: false, retry: { limit: 1, backoff: constant(0) } });
    const child = api.extend({ headers: { authorization: 'Bearer c' } });
    const out = await child.get(`${ORIGIN}/e`).json<{ auth: string }>();
    expect(out.auth).toBe('Bearer c');
    expect(calls).toHaveLength(2);
    expect(api.health().origins[ORIGIN]!.counts.requests).toBe(1);
    expect(typeof child.health).toBe('function');
    const fnChild = api.extend((parent) => ({ ...parent, headers: { authorization: 'Bearer f' } }));
    expect((await fnChild.get(`${ORIGIN}/e`).json<{ auth: string }>()).auth).toBe('Bearer f');
  });

  it('extend with its own fetch still goes through the pipeline', async () => {
    const { fetch } = echo([200]);
    const other = echo([503, 200]);
    const api = createClient({ fetch, throttle: false, retry: { limit: 1, backoff: constant(0) } });
    await api.extend({ fetch: other.fetch }).get(`${ORIGIN}/o`);
    expect(other.calls).toHaveLength(2);
  });

  it('non-2xx is ky’s HTTPError with error.data, and throwHttpErrors: false returns it', async () => {
    const { fetch } = echo([404]);
    const api = createClient({ fetch });
    const error = await api.get(`${ORIGIN}/missing`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HTTPError);
    expect((error as HTTPError).data).toMatchObject({ method: 'GET' });
    const res = await api.get(`${ORIGIN}/missing`, { throwHttpErrors: false });
    expect(res.status).toBe(404);
  });

  it('keeps the response URL on buffered bodies, and streams when bufferBody is false', async () => {
    const stream = async () =>
      new Response(
        new ReadableStream({
          start(c) {
            c.enqueue(new TextEncoder().encode('chunk'));
            c.close();
          },
        }),
      );
    const buffered = createClient({
      fetch: async (i: Request | string | URL) => {
        const r = new Response('x');
        Object.defineProperty(r, 'url', { value: String(i instanceof Request ? i.url : i) });
        return r;
      },
    });
    expect((await buffered.get(`${ORIGIN}/u`)).url).toBe(`${ORIGIN}/u`);
    const raw = createClient({ fetch: stream, bufferBody: false });
    expect(await raw.get(`${ORIGIN}/s`).text()).toBe('chunk');
  });
});

describe('buffered bodies (read inside the attempt)', () => {
  const fetch = async () =>
    new Response('{"a":[1,2]}', {
      status: 200,
      headers: { 'content-type': 'application/json', 'x-k': 'v' },
    });

  it('reads back through every body method, once, like a standard Response', async () => {
    const api = createClient({ fetch });
    const res = await api.get(`${ORIGIN}/b`);
    expect(res).toBeInstanceOf(Response);
    expect(res.headers.get('x-k')).toBe('v');
    expect(res.bodyUsed).toBe(false);
    const copy = res.clone();
    expect(await res.json()).toEqual({ a: [1, 2] });
    expect(res.bodyUsed).toBe(true);
    await expect(res.text()).rejects.toBeInstanceOf(TypeError);
    expect(() => res.clone()).toThrow(TypeError);
    expect(new TextDecoder().decode(await copy.clone().arrayBuffer())).toBe('{"a":[1,2]}');
    expect((await copy.clone().blob()).type).toBe('application/json');
    expect(Array.from(await copy.clone().bytes()).length).toBe(11);
    const reader = copy.body!.getReader();
    const chunk = await reader.read();
    expect(new TextDecoder().decode(chunk.value)).toBe('{"a":[1,2]}');
    expect(copy.bodyUsed).toBe(true);
  });

  it('ky’s shortcuts and HTTPError.data work on it', async () => {
    const api = createClient({ fetch });
    expect(await api.get(`${ORIGIN}/b`).json()).toEqual({ a: [1, 2] });
    const failing = createClient({
      fetch: async () =>
        new Response('{"error":"nope"}', {
          status: 422,
          headers: { 'content-type': 'application/json' },
        }),
    });
    const error = await failing.get(`${ORIGIN}/b`).catch((e: unknown) => e);
    expect((error as HTTPError).data).toEqual({ error: 'nope' });
  });
});
