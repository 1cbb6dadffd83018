/**
 * Classification tables through the whole client, with msw answering: for each status ×
 * method × headers, does the client retry, take it as a "slow down" signal, and count
 * it against the breaker?
 */
import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { constant } from '../../src/core/index.js';
import { createClient, type HttpEvent } from '../../src/http/index.js';

interface Row {
  status: number;
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  headers?: Record<string, string>;
  retry: boolean;
  throttle: boolean;
  breaker: boolean;
  reason?: 'retry-after' | 'backoff';
}

const rows: Row[] = [
  { status: 200, method: 'get', retry: false, throttle: false, breaker: false },
  { status: 404, method: 'get', retry: false, throttle: false, breaker: false },
  { status: 400, method: 'post', retry: false, throttle: false, breaker: false },
  { status: 408, method: 'get', retry: true, throttle: false, breaker: false, reason: 'backoff' },
  { status: 429, method: 'get', retry: true, throttle: true, breaker: false, reason: 'backoff' },
  {
    status: 429,
    method: 'get',
    headers: { 'retry-after': '0' },
    retry: true,
    throttle: true,
    breaker: false,
    reason: 'retry-after', // "retry now" (issue 8)
  },
  {
    status: 429,
    method: 'get',
    headers: { 'retry-after': '2' },
    retry: true,
    throttle: true,
    breaker: false,
    reason: 'retry-after',
  },
  {
    status: 429,
    method: 'get',
    headers: { 'retry-after': 'soon' },
    retry: true,
    throttle: true,
    breaker: false,
    reason: 'backoff',
  },
  {
    status: 429,
    method: 'get',
    headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '3' },
    retry: true,
    throttle: true,
    breaker: false,
    reason: 'retry-after',
  },
  { status: 429, method: 'post', retry: false, throttle: true, breaker: false },
  {
    status: 429,
    method: 'post',
    headers: { 'idempotency-key': 'k' },
    retry: true,
    throttle: true,
    breaker: false,
    reason: 'backoff',
  },
  { status: 500, method: 'get', retry: true, throttle: false, breaker: true, reason: 'backoff' },
  { status: 500, method: 'put', retry: true, throttle: false, breaker: true, reason: 'backoff' },
  { status: 500, method: 'patch', retry: false, throttle: false, breaker: true },
  { status: 501, method: 'get', retry: false, throttle: false, breaker: true },
  { status: 502, method: 'get', retry: true, throttle: true, breaker: true, reason: 'backoff' },
  { status: 503, method: 'get', retry: true, throttle: true, breaker: true, reason: 'backoff' },
  {
    status: 503,
    method: 'get',
    headers: { 'retry-after': '1' },
    retry: true,
    throttle: true,
    breaker: false,
    reason: 'retry-after',
  },
  {
    status: 503,
    method: 'get',
    headers: { 'retry-after': '-5' },
    retry: true,
    throttle: true,
    breaker: true,
    reason: 'backoff',
  },
  { status: 504, method: 'delete', retry: true, throttle: true, breaker: true, reason: 'backoff' },
  { status: 504, method: 'post', retry: false, throttle: true, breaker: true },
];

interface RunRow {
  status: number;
  headers?: Record<string, string>;
  /** Ten of these in a row open the breaker (defaults). */
  opens: boolean;
}

const runs: RunRow[] = [
  { status: 500, opens: true },
  { status: 502, opens: true },
  { status: 503, opens: true },
  { status: 503, headers: { 'retry-after': '-1' }, opens: true },
  { status: 504, opens: true },
  { status: 503, headers: { 'retry-after': '0' }, opens: false },
  { status: 429, opens: false },
  { status: 408, opens: false },
  { status: 404, opens: false },
];

const hits = new Map<string, number>();
const server = setupServer(
  http.get('https://api.test/warm', () => HttpResponse.json({})),
  http.get('https://api.test/run/:row', ({ params }) => {
    const row = runs[Number(params.row)]!;
    return new HttpResponse(null, { status: row.status, headers: row.headers });
  }),
  http.all('https://api.test/:row', ({ params }) => {
    const row = rows[Number(params.row)]!;
    hits.set(String(params.row), (hits.get(String(params.row)) ?? 0) + 1);
    return new HttpResponse(row.status === 200 ? '{}' : null, {
      status: row.status,
      headers: row.headers,
    });
  }),
);
beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
afterAll(() => server.close());

describe('classification: status × method × headers → retry / throttle / breaker', () => {
  it.each(
    rows.map(
      (row, i) =>
        [
          `${row.status} ${row.method.toUpperCase()} ${JSON.stringify(row.headers ?? {})}`,
          row,
          i,
        ] as const,
    ),
  )('%s', async (_name, row, i) => {
    const events: HttpEvent[] = [];
    const api = createClient({
      retry: { limit: 1, backoff: constant(0), maxRetryAfterMs: 0 },
      throttle: { adaptive: { minRate: 1000 } },
      breaker: { minimumRequests: 100 },
      onEvent: (e) => events.push(e),
    });
    // Some answers got through first: a 5xx is then overload, not an outage.
    await api.get('https://api.test/warm');
    const key = row.headers?.['idempotency-key'];
    const outcome = await api(`https://api.test/${i}`, {
      method: row.method,
      headers: key ? { 'idempotency-key': key } : undefined,
    })
      .then((r) => r.status)
      .catch((e: { response?: Response }) => e.response?.status ?? -1);
    expect(outcome).toBe(row.status);
    expect(hits.get(String(i))).toBe(row.retry ? 2 : 1);
    const health = api.health().origins['https://api.test']!;
    expect(health.rate !== null, 'throttle signal').toBe(row.throttle);
    const attempts = row.retry ? 2 : 1;
    expect(health.breakerWindow, 'breaker failures').toEqual({
      requests: attempts + 1,
      failures: row.breaker ? attempts : 0,
    });
    const retry = events.find((e) => e.type === 'retry');
    expect(retry?.type === 'retry' ? retry.reason : undefined).toBe(row.reason);
  });
});

describe('a run of answers with the default breaker: outage (opens) or busy (never opens)', () => {
  it.each(
    runs.map(
      (row, i) => [`10 × ${row.status} ${JSON.stringify(row.headers ?? {})}`, row, i] as const,
    ),
  )('%s', async (_name, row, i) => {
    const api = createClient({ retry: 0, throttle: false, totalTimeout: false });
    // A window full of successes: only the run of failures can open the breaker.
    for (let n = 0; n < 50; n++) await api.get('https://api.test/warm');
    for (let n = 0; n < 10; n++) await api.get(`https://api.test/run/${i}`).catch(() => undefined);
    expect(api.health().origins['https://api.test']!.breaker).toBe(row.opens ? 'open' : 'closed');
  });
});
