/**
 * The benchmark upstream (bench/upstream.ts), which the scenarios and the demo share:
 * per-phase behaviour and the counts it keeps per client and phase.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startUpstream, type Upstream } from '../../bench/upstream.js';

let up: Upstream | undefined;
afterEach(async () => {
  await up?.close();
  up = undefined;
});

const get = (id = 'c') => fetch(`${up!.url}/x`, { headers: { 'x-bench-client': id } });

describe('bench upstream', () => {
  it('counts requests per client, status and phase', async () => {
    up = await startUpstream({ phase: { name: 'one' } });
    await (await get('a')).text();
    await up.setPhase({ name: 'two', outage: '503' });
    const down = await get('a');
    await down.text();
    await (await get('b')).text();
    expect(down.status).toBe(503);
    const stats = up.stats();
    expect(stats.requests).toBe(3);
    expect(stats.clients.a).toMatchObject({
      requests: 2,
      ok: 1,
      outage: 1,
      byPhase: { one: 1, two: 1 },
    });
    expect(stats.clients.a!.statuses).toEqual({ 200: 1, 503: 1 });
    expect(stats.clients.b!.perSecond.reduce((x, y) => x + y, 0)).toBe(1);
    up.resetStats();
    expect(up.stats().requests).toBe(0);
  });

  it('throttles over its capacity with Retry-After, and advertises a window quota', async () => {
    up = await startUpstream({
      phase: { capacity: 0.2, limiter: 'window', windowSec: 10, rateLimitHeaders: true },
    });
    const answers = [await get(), await get(), await get()];
    for (const r of answers) await r.text();
    expect(answers.map((r) => r.status)).toEqual([200, 200, 429]);
    expect(Number(answers[2]!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(answers[0]!.headers.get('ratelimit-policy')).toBe('"default";q=2;w=10');
    expect(answers[1]!.headers.get('ratelimit')).toMatch(/^"default";r=0;t=(9|10)$/);
    expect(up.stats().clients.c!.throttled).toBe(1);
  });

  it('answers exactly errorRate × 100 errors in every 100 requests', async () => {
    up = await startUpstream({ phase: { errorRate: 0.2, errorStatus: 500 } });
    const statuses = await Promise.all(
      Array.from({ length: 100 }, () => get().then((r) => r.text().then(() => r.status))),
    );
    expect(statuses.filter((s) => s === 500)).toHaveLength(20);
  });

  it('refuses connections during a refused outage and listens again after it', async () => {
    up = await startUpstream();
    await up.setPhase({ outage: 'refused' });
    await expect(get()).rejects.toThrow();
    await up.setPhase({});
    expect((await get()).status).toBe(200);
  });

  it('answers every request 429 with the given Retry-After during a throttling storm', async () => {
    up = await startUpstream({ phase: { name: 'storm', throttleAll: true, retryAfterSec: 2 } });
    const r = await get();
    await r.text();
    expect(r.status).toBe(429);
    expect(r.headers.get('retry-after')).toBe('2');
    expect(up.stats().clients.c).toMatchObject({ throttled: 1, ok: 0 });
  });

  it('serves a FIFO queue at its capacity, and the backlog outlives a phase change', async () => {
    up = await startUpstream({ phase: { queue: true, capacity: 10 } });
    const t0 = performance.now();
    const done = Array.from({ length: 3 }, () =>
      get().then(async (r) => {
        await r.text();
        return performance.now() - t0;
      }),
    );
    await up.setPhase({ queue: true, capacity: 10 });
    const times = await Promise.all(done);
    // 100 ms of service each, one after the other (a busy machine only makes it later).
    expect(Math.max(...times)).toBeGreaterThanOrEqual(280);
    expect(up.stats().clients.c!.ok).toBe(3);
  });

  it('counts what a delegated handler answers, and every request per 250 ms', async () => {
    let n = 0;
    up = await startUpstream({
      phase: {
        handler: (_req, res) => {
          res.statusCode = n++ === 0 ? 200 : 429;
          res.end();
        },
      },
    });
    for (let i = 0; i < 3; i++) await (await get()).text();
    const c = up.stats().clients.c!;
    expect(c).toMatchObject({ requests: 3, ok: 1, throttled: 2 });
    expect(c.per250ms.reduce((a, b) => a + b, 0)).toBe(3);
  });

  it('simulates nginx limit_req: 503 without Retry-After over the burst', async () => {
    up = await startUpstream({
      phase: { capacity: 1, limiter: 'nginx', burst: 1, nodelay: true, throttleStatus: 503 },
    });
    const answers = [await get(), await get(), await get()];
    for (const r of answers) await r.text();
    expect(answers.map((r) => r.status)).toEqual([200, 200, 503]);
    expect(answers[2]!.headers.get('retry-after')).toBeNull();
    expect(up.stats().clients.c!.throttled).toBe(1);
  });
});
