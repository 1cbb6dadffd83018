/**
 * End to end against a real server: a short outage (503 without Retry-After, then a
 * refused connection) with the client's defaults — only the probe period shortened so the
 * test is quick. The breaker opens after a run of failures, the server sees next to no
 * traffic while it is down, and every call waits for the probe and succeeds.
 * Real time: the bounds are counts, never speeds.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isBrokenCircuitError } from '../../src/core/index.js';
import { createClient } from '../../src/http/index.js';
import { startTestServer, type TestServer } from './test-server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('an outage with the default client', () => {
  it('trips after a run of 503s, keeps off the dead server, and every call rides it out', async () => {
    let down = false;
    let duringOutage = 0;
    server.route('/svc', (_hit, res) => {
      if (down) duringOutage++;
      res.writeHead(down ? 503 : 200).end(down ? 'down' : 'up');
    });
    const api = createClient({ baseUrl: server.url, breaker: { resetTimeoutMs: 500 } });
    const calls: Array<Promise<string>> = [];
    const fire = async (ms: number) => {
      const end = Date.now() + ms;
      while (Date.now() < end) {
        calls.push(api.get('svc').text());
        await sleep(20);
      }
    };
    await fire(300);
    down = true;
    const outageCalls = calls.length;
    await fire(800);
    const sentWhileDown = calls.length - outageCalls;
    down = false;
    await fire(300);
    const results = await Promise.allSettled(calls);
    // The reasons, not just the count, so a failure says what went wrong.
    const rejections = results.flatMap((r) =>
      r.status === 'rejected'
        ? [`${(r.reason as Error).name}: ${(r.reason as Error).message}`]
        : [],
    );
    expect(rejections).toEqual([]);
    expect(api.health().origins[server.url]!.breaker).toBe('closed');
    // Without the breaker, each call sent while down would reach the server 4 times.
    expect(sentWhileDown).toBeGreaterThan(10);
    expect(duringOutage).toBeLessThan(sentWhileDown * 4);
    expect(duringOutage).toBeLessThanOrEqual(20);
  });

  it('a refused connection counts as a failure: the breaker opens and nothing more is attempted', async () => {
    const probe = http.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const { port } = probe.address() as AddressInfo;
    await new Promise<void>((r) => probe.close(() => r()));
    let attempts = 0;
    const api = createClient({
      totalTimeout: false,
      retry: { backoff: { baseMs: 5 } },
      fetch: (input, init) => {
        attempts++;
        return fetch(input, init);
      },
    });
    const url = `http://127.0.0.1:${port}/x`;
    for (let i = 0; i < 4; i++) await api.get(url).catch(() => undefined);
    expect(api.health().origins[`http://127.0.0.1:${port}`]!.breaker).toBe('open');
    expect(attempts).toBeLessThanOrEqual(10);
    const error = await api.get(url).catch((e: unknown) => e);
    expect(isBrokenCircuitError(error)).toBe(true);
    expect(attempts).toBeLessThanOrEqual(10);
  });
});
