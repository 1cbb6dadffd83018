/** End to end: the breaker opens on failures (not on 429s), keeps traffic off, and recovers. */
import { HTTPError } from 'ky';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isBrokenCircuitError } from '../../src/core/index.js';
import { type Alarm, createClient } from '../../src/http/index.js';
import { startTestServer, type TestServer } from './test-server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const breaker = { minimumRequests: 4, failureRateThreshold: 0.5, resetTimeoutMs: 400 };

describe('circuit breaker against a real server', () => {
  it('opens after the threshold; while open the server sees no request; a half-open probe recovers', async () => {
    let healthy = false;
    server.route('/flaky', (_hit, res) =>
      res.writeHead(healthy ? 200 : 500).end(healthy ? 'up' : 'down'),
    );
    const alarms: Alarm[] = [];
    const api = createClient({
      baseUrl: server.url,
      retry: 0,
      throttle: false,
      breaker,
      totalTimeout: false,
      onAlarm: (a) => alarms.push(a),
    });
    for (let i = 0; i < 4; i++) await expect(api.get('flaky')).rejects.toBeInstanceOf(HTTPError);
    expect(api.health().origins[server.url]!.breaker).toBe('open');
    expect(alarms.map((a) => a.kind)).toEqual(['breaker-open']);
    expect(alarms[0]!.message).toContain(server.url);

    const started = Date.now();
    for (let i = 0; i < 5; i++) {
      const error = await api.get('flaky').catch((e: unknown) => e);
      expect(isBrokenCircuitError(error)).toBe(true);
    }
    // No deadline: fails at once instead of waiting for the probe.
    expect(Date.now() - started).toBeLessThan(300);
    expect(server.hitsTo('/flaky')).toHaveLength(4);

    healthy = true;
    await new Promise((r) => setTimeout(r, 450));
    expect(await api.get('flaky').text()).toBe('up');
    expect(server.hitsTo('/flaky')).toHaveLength(5);
    expect(api.health().origins[server.url]!.breaker).toBe('closed');
  });

  it('a request with a deadline that allows it waits for the half-open probe instead of failing', async () => {
    let healthy = false;
    server.route('/wait-probe', (_hit, res) =>
      res.writeHead(healthy ? 200 : 503).end(healthy ? 'back' : 'down'),
    );
    const api = createClient({
      baseUrl: server.url,
      retry: 0,
      throttle: false,
      breaker,
      totalTimeout: 5000,
    });
    for (let i = 0; i < 4; i++) await api.get('wait-probe').catch(() => undefined);
    expect(api.health().origins[server.url]!.breaker).toBe('open');
    healthy = true;
    const started = Date.now();
    expect(await api.get('wait-probe').text()).toBe('back');
    const probe = server.hitsTo('/wait-probe')[4]!;
    expect(server.hitsTo('/wait-probe')).toHaveLength(5);
    // The one request that reached the server is the probe, sent after the open period.
    expect(probe.at - started).toBeGreaterThanOrEqual(300);
  });

  it('fails at once with BrokenCircuitError when the deadline does not allow the wait', async () => {
    server.reply('/short-deadline', { status: 500 });
    const api = createClient({
      baseUrl: server.url,
      retry: 0,
      throttle: false,
      breaker: { ...breaker, resetTimeoutMs: 10_000 },
      totalTimeout: 1000,
    });
    for (let i = 0; i < 4; i++) await api.get('short-deadline').catch(() => undefined);
    const started = Date.now();
    const error = await api.get('short-deadline').catch((e: unknown) => e);
    expect(isBrokenCircuitError(error)).toBe(true);
    expect(Date.now() - started).toBeLessThan(500);
    expect(server.hitsTo('/short-deadline')).toHaveLength(4);
  });

  it('429s and 503s with Retry-After feed the rate, not the breaker', async () => {
    server.reply('/busy', { status: 429 });
    server.reply('/busy-503', { status: 503, headers: { 'retry-after': '0' } });
    const api = createClient({
      baseUrl: server.url,
      retry: 0,
      throttle: { adaptive: { minRate: 1000 } },
      breaker,
    });
    for (let i = 0; i < 10; i++)
      await expect(api.get(i % 2 ? 'busy' : 'busy-503')).rejects.toBeInstanceOf(HTTPError);
    const health = api.health().origins[server.url]!;
    expect(health.breaker).toBe('closed');
    expect(health.rate).not.toBeNull();
    expect(server.hitsTo('/busy').length + server.hitsTo('/busy-503').length).toBe(10);
  });
});
