/**
 * Quota headers cannot lock an origin out: an answer from another origin (after a redirect)
 * is not its quota, the pause is capped as Retry-After is, and a wait past the deadline
 * fails at once with QuotaExhaustedError. Against real node:http servers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isQuotaExhaustedError, QuotaExhaustedError } from '../../src/core/index.js';
import { createClient, type HttpEvent } from '../../src/http/index.js';
import { startTestServer, type TestServer } from './test-server.js';

let good: TestServer;
let hostile: TestServer;
const lockout = {
  'ratelimit-remaining': '0',
  'ratelimit-reset': '86400',
  'ratelimit-limit': '100',
};

beforeAll(async () => {
  good = await startTestServer();
  hostile = await startTestServer();
  hostile.reply('/landing', { status: 200, headers: lockout, body: '"elsewhere"' });
});
afterAll(async () => {
  await good.close();
  await hostile.close();
});

/** The outcome of `p` (value or error) and how long it took, or 'hung' after `ms`. */
async function timed<T>(p: Promise<T>, ms = 5000) {
  const start = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise((r) => {
    timer = setTimeout(() => r('hung'), ms);
  });
  const outcome = await Promise.race([p.catch((e: unknown) => e), hung]);
  clearTimeout(timer);
  return { outcome, ms: Date.now() - start };
}

describe('quota headers and who sent them', () => {
  it('an open redirect to a hostile origin saying "0 left, reset in a day" does not touch the good origin', async () => {
    good.reply('/redirect', { status: 302, headers: { location: `${hostile.url}/landing` } });
    good.reply('/ok', { status: 200, body: '"good"' });
    const api = createClient({ baseUrl: good.url, totalTimeout: 2000 });
    expect(await api.get('redirect').json()).toBe('elsewhere');
    const before = good.hitsTo('/ok').length;
    const { outcome, ms } = await timed(api.get('ok').json());
    expect(outcome).toBe('good');
    expect(ms).toBeLessThan(1500);
    expect(good.hitsTo('/ok').length).toBe(before + 1);
    expect(api.health().origins[good.url]).toMatchObject({ quota: null, pacing: null });
  });

  it("the origin's own 'none left' past the deadline fails at once with the figures, without sending", async () => {
    good.reply('/spent', { status: 200, headers: lockout, body: '"last one"' });
    good.reply('/next', { status: 200, body: '"never"' });
    const events: HttpEvent[] = [];
    const api = createClient({
      baseUrl: good.url,
      totalTimeout: 2000,
      onEvent: (e) => events.push(e),
    });
    expect(await api.get('spent').json()).toBe('last one');
    const { outcome, ms } = await timed(api.get('next').json());
    expect(outcome).toBeInstanceOf(QuotaExhaustedError);
    expect(ms).toBeLessThan(1000);
    const error = outcome as QuotaExhaustedError;
    // The reset is capped at maxRetryAfterMs (60 s), past a 2 s deadline.
    expect(error.origin).toBe(good.url);
    expect(error.retryAfterMs).toBeGreaterThan(59_000);
    expect(error.retryAfterMs).toBeLessThanOrEqual(60_010);
    expect(error.remainingMs).toBeGreaterThan(1000);
    expect(error.remainingMs).toBeLessThanOrEqual(2000);
    expect(error.message).toMatch(
      new RegExp(
        `^Quota of ${good.url} is spent until it resets in 60 s, after the deadline \\(\\d+ ms left\\): not sent$`,
      ),
    );
    expect(good.hitsTo('/next')).toHaveLength(0);
    expect(events.find((e) => e.type === 'rejected')).toMatchObject({
      reason: 'throttled',
      origin: good.url,
    });
  });

  it('without a deadline the pause is capped by retry.maxRetryAfterMs, not the advertised day', async () => {
    good.reply('/spent-2', { status: 200, headers: lockout, body: '"last"' });
    good.reply('/after', { status: 200, body: '"after the cap"' });
    const api = createClient({
      baseUrl: good.url,
      totalTimeout: false,
      retry: { maxRetryAfterMs: 400 },
    });
    await api.get('spent-2').json();
    const { outcome, ms } = await timed(api.get('after').json());
    expect(outcome).toBe('after the cap');
    expect(ms).toBeGreaterThanOrEqual(300);
    expect(ms).toBeLessThan(3000);
  });

  it('a reset within the deadline is still waited for', async () => {
    good.reply('/spent-3', {
      status: 200,
      headers: { 'ratelimit-remaining': '0', 'ratelimit-reset': '1' },
      body: '"last"',
    });
    good.reply('/later', { status: 200, body: '"later"' });
    const api = createClient({ baseUrl: good.url, totalTimeout: 10_000 });
    await api.get('spent-3').json();
    const { outcome } = await timed(api.get('later').json());
    expect(isQuotaExhaustedError(outcome)).toBe(false);
    expect(outcome).toBe('later');
  });
});
