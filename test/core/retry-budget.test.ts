import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { manualClock, retryBudget } from '../../src/core/index.js';

describe('retry budget', () => {
  it('allows ratio × requests + minPerSecond × window seconds', async () => {
    const clock = manualClock();
    const budget = retryBudget({ ratio: 0.1, minPerSecond: 1, windowMs: 10_000, clock });
    for (let i = 0; i < 100; i++) budget.recordRequest();
    expect(budget.allowed()).toBe(20); // 0.1 × 100 + 1 × 10
    let granted = 0;
    while (budget.tryAcquire()) granted++;
    expect(granted).toBe(20);
    expect(budget.remaining()).toBe(0);
  });

  it('slides: requests and retries leave the window after windowMs', async () => {
    const clock = manualClock();
    const budget = retryBudget({ ratio: 0.5, minPerSecond: 0, windowMs: 1000, clock });
    for (let i = 0; i < 10; i++) budget.recordRequest();
    for (let i = 0; i < 5; i++) expect(budget.tryAcquire()).toBe(true);
    expect(budget.tryAcquire()).toBe(false);
    await clock.advance(1000);
    expect(budget.counts()).toEqual({ requests: 0, retries: 0 });
    budget.recordRequest();
    budget.recordRequest();
    expect(budget.tryAcquire()).toBe(true);
    expect(budget.tryAcquire()).toBe(false);
  });

  it('validates its options', () => {
    expect(() => retryBudget({ ratio: 1.5 })).toThrow(/`budget.ratio`.*≤ 1/);
    expect(() => retryBudget({ ratio: -0.1 })).toThrow(RangeError);
    expect(() => retryBudget({ minPerSecond: Number.NaN })).toThrow(TypeError);
    expect(() => retryBudget({ windowMs: 0 })).toThrow(/`budget.windowMs`/);
  });

  it('property: no grant lets the retries in a window exceed ratio × requests + minimum', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer({ min: 0, max: 5 }),
        fc.array(
          fc.tuple(
            fc.integer({ min: 0, max: 300 }),
            fc.integer({ min: 0, max: 10 }),
            fc.integer({ min: 0, max: 20 }),
          ),
          {
            maxLength: 60,
          },
        ),
        async (ratio, minPerSecond, steps) => {
          const windowMs = 1000;
          const clock = manualClock();
          const budget = retryBudget({ ratio, minPerSecond, windowMs, clock });
          const log: Array<{ at: number; kind: 'request' | 'retry' }> = [];
          for (const [gap, requests, retries] of steps) {
            await clock.advance(gap);
            for (let i = 0; i < requests; i++) {
              budget.recordRequest();
              log.push({ at: clock.now(), kind: 'request' });
            }
            for (let i = 0; i < retries; i++)
              if (budget.tryAcquire()) log.push({ at: clock.now(), kind: 'retry' });
          }
          // At every grant, over the budget's window (its 10 buckets of windowMs/10) as it stood
          // then: retries granted ≤ ratio × requests seen + minPerSecond × window seconds.
          const bucketMs = windowMs / 10;
          for (const [index, end] of log.entries()) {
            if (end.kind !== 'retry') continue;
            const endBucket = Math.floor(end.at / bucketMs);
            const inWindow = log
              .slice(0, index + 1)
              .filter((e) => Math.floor(e.at / bucketMs) > endBucket - 10);
            const requests = inWindow.filter((e) => e.kind === 'request').length;
            const retries = inWindow.filter((e) => e.kind === 'retry').length;
            if (retries > Math.floor(ratio * requests + minPerSecond * (windowMs / 1000)))
              return false;
          }
          return true;
        },
      ),
      { numRuns: 200 },
    );
  });
});
