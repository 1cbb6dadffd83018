/**
 * selfheal/http in real Chromium: the bundle has no Node built-ins (opossum's `events`
 * comes from the npm package), and the client retries a 503 and honours Retry-After
 * against a real local server.
 */
import { describe, expect, inject, it } from 'vitest';
import { createClient, type HttpEvent } from '../../src/http/index.js';

const base = inject('serverUrl');
const id = () => Math.random().toString(36).slice(2);

async function hits(scenarioId: string): Promise<number> {
  const res = await fetch(`${base}/scenario/hits/${scenarioId}`);
  return ((await res.json()) as { hits: number }).hits;
}

describe('selfheal/http in the browser', () => {
  it('runs in a real browser, not Node', () => {
    expect(typeof window).toBe('object');
    expect(navigator.userAgent).toMatch(/Chrome/);
    expect(
      (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node,
    ).toBeUndefined();
  });

  it('retries a 503 and succeeds', async () => {
    const s = id();
    const events: HttpEvent[] = [];
    const api = createClient({
      baseUrl: base,
      retry: { limit: 3, backoff: { baseMs: 20 } },
      onEvent: (e) => events.push(e),
    });
    const body = await api
      .get(`scenario/fail-then-ok/${s}?status=503&times=2`)
      .json<{ attempt: number }>();
    expect(body.attempt).toBe(3);
    expect(await hits(s)).toBe(3);
    expect(events.filter((e) => e.type === 'retry')).toHaveLength(2);
    expect(api.health().origins[base]!.counts).toMatchObject({
      requests: 1,
      attempts: 3,
      status5xx: 2,
    });
  });

  it('honours Retry-After (the header is exposed by CORS)', async () => {
    const s = id();
    const events: HttpEvent[] = [];
    const api = createClient({ baseUrl: base, onEvent: (e) => events.push(e) });
    const started = performance.now();
    const body = await api.get(`scenario/retry-after/${s}?seconds=1`).json<{ gapMs: number }>();
    expect(body.gapMs).toBeGreaterThanOrEqual(1000);
    expect(performance.now() - started).toBeGreaterThanOrEqual(1000);
    expect(events.find((e) => e.type === 'retry')).toMatchObject({
      reason: 'retry-after',
      delayMs: 1000,
    });
  });

  it('opens the breaker (opossum bundled with the `events` package) and fails fast', async () => {
    const s = id();
    const api = createClient({
      baseUrl: base,
      retry: 0,
      throttle: false,
      breaker: { minimumRequests: 2, resetTimeoutMs: 60_000 },
    });
    for (let i = 0; i < 2; i++)
      await api.get(`scenario/fail-then-ok/${s}?status=500&times=99`).catch(() => undefined);
    const error = await api
      .get(`scenario/fail-then-ok/${s}?status=500&times=99`)
      .catch((e: unknown) => e);
    expect((error as Error).name).toBe('BrokenCircuitError');
    expect(await hits(s)).toBe(2);
  });
});
