import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  isThrottledError,
  manualClock,
  type SelfhealEvent,
  throttle,
} from '../../src/core/index.js';

/** Checks: between any two admissions, count ≤ burst + rate·Δt. */
function withinBucketBound(times: number[], rate: number, burst: number): boolean {
  for (let i = 0; i < times.length; i++) {
    for (let j = i; j < times.length; j++) {
      const admitted = j - i + 1;
      const bound = burst + (rate * (times[j]! - times[i]!)) / 1000;
      if (admitted > bound + 1e-6) return false;
    }
  }
  return true;
}

describe('throttle', () => {
  it('admits a burst at once, then one call per 1/rate seconds', async () => {
    const clock = manualClock();
    const bucket = throttle({ rate: 10, burst: 3, clock });
    const granted: number[] = [];
    const calls = Array.from({ length: 5 }, () => bucket.execute(() => granted.push(clock.now())));
    await clock.advance(0);
    expect(granted).toEqual([0, 0, 0]);
    expect(bucket.queueLength).toBe(2);
    await clock.advance(100);
    expect(granted).toEqual([0, 0, 0, 100]);
    await clock.advance(100);
    await Promise.all(calls);
    expect(granted).toEqual([0, 0, 0, 100, 200]);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('sets no timer while a token is available', async () => {
    const clock = manualClock();
    const bucket = throttle({ rate: 100, burst: 5, clock });
    for (let i = 0; i < 5; i++) await bucket.execute(() => 1);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('refuses a call that would wait longer than maxWaitMs, with retryAfterMs', async () => {
    const clock = manualClock();
    const bucket = throttle({ rate: 2, burst: 1, maxWaitMs: 400, clock });
    const events: SelfhealEvent[] = [];
    bucket.onEvent((e) => events.push(e));
    await bucket.execute(() => 'first');
    const error = await bucket.execute(() => 'second').catch((e: unknown) => e);
    expect(isThrottledError(error)).toBe(true);
    expect(error).toMatchObject({ retryAfterMs: 500, rate: 2 });
    expect(events.map((e) => e.type)).toEqual(['throttled', 'rejected']);
    expect(events[0]).toMatchObject({ source: 'throttle', waitMs: 500, rejected: true });
  });

  it('setRate reschedules waiting calls at the new rate', async () => {
    const clock = manualClock();
    const bucket = throttle({ rate: 1, burst: 1, clock });
    const granted: number[] = [];
    await bucket.execute(() => granted.push(clock.now()));
    const waiting = bucket.execute(() => granted.push(clock.now()));
    await clock.advance(100);
    bucket.setRate(10); // 0.1 token accrued at the old rate; 0.9 more at 10/s = 90 ms
    await clock.advance(89);
    expect(granted).toEqual([0]);
    await clock.advance(1);
    await waiting;
    expect(granted).toEqual([0, 190]);
    expect(bucket.rate).toBe(10);
  });

  it('a waiting call leaves the queue when its signal aborts', async () => {
    const clock = manualClock();
    const bucket = throttle({ rate: 1, burst: 1, clock });
    await bucket.execute(() => 1);
    const controller = new AbortController();
    const waiting = bucket.execute(() => 'never', { signal: controller.signal });
    expect(bucket.queueLength).toBe(1);
    controller.abort(new Error('caller gave up'));
    await expect(waiting).rejects.toThrow('caller gave up');
    expect(bucket.queueLength).toBe(0);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('validates its options', () => {
    expect(() => throttle({ rate: -1 })).toThrow(RangeError);
    expect(() => throttle({ rate: -1 })).toThrow(/`rate`.*> 0/);
    expect(() => throttle({ rate: Number.NaN })).toThrow(TypeError);
    expect(() => throttle({ rate: 5, burst: 0.5 })).toThrow(/`burst`.*≥ 1/);
    expect(() => throttle({ rate: 5, maxWaitMs: -3 })).toThrow(/`maxWaitMs`/);
    expect(() => throttle(undefined as never)).toThrow(TypeError);
    expect(() => throttle({ rate: 5 }).setRate(0)).toThrow(/`rate`/);
  });

  it('property: over any interval t the bucket admits ≤ burst + rate·t (refusing mode)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 1, max: 10 }),
        fc.array(fc.integer({ min: 0, max: 200 }), { minLength: 1, maxLength: 60 }),
        async (rate, burst, gaps) => {
          const clock = manualClock();
          const bucket = throttle({ rate, burst, maxWaitMs: 0, clock });
          const admitted: number[] = [];
          for (const gap of gaps) {
            await clock.advance(gap);
            await bucket.execute(() => admitted.push(clock.now())).catch(() => undefined);
          }
          return withinBucketBound(admitted, rate, burst);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('property: queued calls are admitted within the same bound, and all of them eventually', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 1, max: 5 }),
        fc.array(fc.integer({ min: 0, max: 100 }), { minLength: 1, maxLength: 30 }),
        async (rate, burst, gaps) => {
          const clock = manualClock();
          const bucket = throttle({ rate, burst, clock });
          const admitted: number[] = [];
          const calls: Promise<unknown>[] = [];
          for (const gap of gaps) {
            await clock.advance(gap);
            calls.push(bucket.execute(() => admitted.push(clock.now())));
          }
          await clock.advance((gaps.length / rate) * 1000 + 10);
          await Promise.all(calls);
          return admitted.length === gaps.length && withinBucketBound(admitted, rate, burst);
        },
      ),
      { numRuns: 100 },
    );
  });
});
