/**
 * The hot path's shortcuts on answers: a buffered answer shares the network answer's
 * headers (no copy), and only a not-ok answer is tagged with its attempt count.
 */
import { describe, expect, it } from 'vitest';
import { constant } from '../../src/core/index.js';
import { BufferedResponse } from '../../src/http/buffered-response.js';
import { attemptsOf, createClient } from '../../src/http/index.js';

describe('buffered answer', () => {
  it('reads its headers from the network answer, and keeps them through clone()', async () => {
    const source = new Response('{"a":1}', {
      status: 201,
      statusText: 'Created',
      headers: { 'content-type': 'application/json', 'x-id': '7' },
    });
    const bytes = await source.clone().bytes();
    const buffered = new BufferedResponse(bytes, source);
    expect(buffered.headers).toBe(source.headers);
    expect(buffered.headers.get('x-id')).toBe('7');
    expect(buffered.status).toBe(201);
    expect(buffered.statusText).toBe('Created');
    const copy = buffered.clone();
    expect(copy.headers.get('content-type')).toBe('application/json');
    expect((await copy.blob()).type).toBe('application/json');
    expect(await buffered.json()).toEqual({ a: 1 });
  });

  it('through the client: headers, body and status as the server sent them', async () => {
    const fetch = async () =>
      new Response('hello', {
        status: 200,
        headers: { 'x-server': 'up', 'content-type': 'text/plain' },
      });
    const api = createClient({ fetch, throttle: false, breaker: false });
    const response = await api.get('https://api.test/x');
    expect(response.headers.get('x-server')).toBe('up');
    expect(await response.text()).toBe('hello');
  });
});

describe('attempt count on errors', () => {
  it('an HTTPError after retries still carries its attempts; a good answer is untouched', async () => {
    let calls = 0;
    const fetch = async () => new Response('no', { status: calls++ < 10 ? 503 : 200 });
    const api = createClient({
      fetch,
      throttle: false,
      breaker: false,
      retry: { limit: 2, backoff: constant(0) },
    });
    const error = await api.get('https://api.test/down').catch((e: unknown) => e);
    expect((error as Error).name).toBe('HTTPError');
    expect(attemptsOf(error)).toBe(3);
    calls = 100;
    const ok = await api.get('https://api.test/up');
    expect(ok.status).toBe(200);
    expect(attemptsOf(ok)).toBeUndefined();
  });
});
