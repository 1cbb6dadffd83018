import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RollingWindow } from '../../src/core/rolling-window.js';

describe('RollingWindow', () => {
  it('counts per counter and forgets one bucket at a time', () => {
    const w = new RollingWindow(1000, 2); // 10 buckets of 100 ms
    w.add(0, 3, 0);
    w.add(50, 1, 1);
    w.add(450, 2, 0);
    expect([w.total(999, 0), w.total(999, 1)]).toEqual([5, 1]);
    expect(w.total(1000, 0)).toBe(2); // the bucket [0, 100) left; [400, 500) is still in
    expect(w.total(1000, 1)).toBe(0);
    expect(w.total(1399, 0)).toBe(2);
    expect(w.total(1400, 0)).toBe(0);
  });

  it('a jump longer than the window clears everything; an idle window costs nothing until read', () => {
    const w = new RollingWindow(10_000);
    for (let t = 0; t < 10_000; t += 7) w.add(t);
    expect(w.total(9_999)).toBe(1429);
    expect(w.total(1e12)).toBe(0);
    w.add(1e12 + 1);
    expect(w.total(1e12 + 2)).toBe(1);
  });

  it('negative times (a clock with another epoch) and a clock that steps back', () => {
    const w = new RollingWindow(100, 1, 4);
    w.add(-130);
    w.add(-60);
    expect(w.total(-60)).toBe(2);
    expect(w.total(0)).toBe(1);
    w.add(-500); // a step back counts into the newest bucket
    expect(w.total(0)).toBe(2);
    expect(w.total(50)).toBe(1);
    expect(w.total(100)).toBe(0);
  });

  it('property: the total equals the events in the buckets the window covers', () => {
    const bucketMs = 25;
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }),
        fc.array(
          fc.record({
            gap: fc.integer({ min: 0, max: 400 }),
            n: fc.integer({ min: 0, max: 5 }),
            counter: fc.integer({ min: 0, max: 2 }),
            read: fc.boolean(),
          }),
          { maxLength: 200 },
        ),
        (buckets, steps) => {
          const w = new RollingWindow(bucketMs * buckets, 3, buckets);
          const events: Array<{ at: number; n: number; counter: number }> = [];
          let now = 1_000;
          for (const { gap, n, counter, read } of steps) {
            now += gap;
            if (!read) {
              w.add(now, n, counter);
              events.push({ at: now, n, counter });
              continue;
            }
            const newest = Math.floor(now / bucketMs);
            for (let c = 0; c < 3; c++) {
              const expected = events
                .filter((e) => e.counter === c && Math.floor(e.at / bucketMs) > newest - buckets)
                .reduce((sum, e) => sum + e.n, 0);
              expect(w.total(now, c)).toBe(expected);
            }
          }
        },
      ),
    );
  });
});
