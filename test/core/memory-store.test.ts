import { describe, expect, it } from 'vitest';
import { manualClock, memoryStore } from '../../src/core/index.js';

describe('memoryStore', () => {
  it('buckets: burst at once, then one token per interval (GCRA)', async () => {
    const clock = manualClock();
    const store = memoryStore({ clock });
    const spec = { rate: 10, burst: 3 };
    const waits = [];
    for (let i = 0; i < 5; i++) waits.push((await store.buckets.take('k', spec)).waitMs);
    expect(waits.map(Math.round)).toEqual([0, 0, 0, 100, 200]);
    const refused = await store.buckets.take('k', spec, { maxWaitMs: 250 });
    expect(refused.granted).toBe(false);
    await clock.advance(1_000);
    expect((await store.buckets.take('k', spec)).waitMs).toBe(0);
  });

  it('buckets: a shared rate override applies until it expires', async () => {
    const clock = manualClock();
    const store = memoryStore({ clock });
    await store.buckets.setRate('k', 1, 5_000);
    expect(await store.buckets.rate('k')).toBe(1);
    await store.buckets.take('k', { rate: 100, burst: 1 });
    expect(Math.round((await store.buckets.take('k', { rate: 100, burst: 1 })).waitMs)).toBe(1000);
    await clock.advance(5_001);
    expect(await store.buckets.rate('k')).toBeUndefined();
  });

  it('leases: at most max held; release once wakes a waiter; expiry frees a slot', async () => {
    const clock = manualClock();
    const store = memoryStore({ clock });
    const a = await store.leases.acquire('db', { max: 2, leaseMs: 1_000 });
    const b = await store.leases.acquire('db', { max: 2, leaseMs: 1_000 });
    expect(a && b).toBeTruthy();
    expect(await store.leases.acquire('db', { max: 2, leaseMs: 1_000 })).toBeUndefined();
    const waiting = store.leases.acquire('db', { max: 2, leaseMs: 1_000, waitMs: 500 });
    await a!.release();
    await a!.release();
    expect(await waiting).toBeDefined();
    expect(await store.leases.held('db')).toBe(2);
    await clock.advance(1_001);
    expect(await store.leases.held('db')).toBe(0);
    expect(await b!.refresh()).toBe(false);
  });

  it('counters expire; breakers share one probe', async () => {
    const clock = manualClock();
    const store = memoryStore({ clock });
    expect(await store.counters.increment('r1', { ttlMs: 100 })).toBe(1);
    expect(await store.counters.increment('r1', { ttlMs: 100, by: 2 })).toBe(3);
    await clock.advance(101);
    expect(await store.counters.get('r1')).toBe(0);
    await store.breakers.write('api', { state: 'open', until: 50 }, 1_000);
    expect(await store.breakers.read('api')).toEqual({ state: 'open', until: 50 });
    expect(await store.breakers.claimProbe('api', 200)).toBe(true);
    expect(await store.breakers.claimProbe('api', 200)).toBe(false);
  });
});
