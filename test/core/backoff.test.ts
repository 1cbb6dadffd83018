import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { constant, exponential, type Jitter } from '../../src/core/index.js';

const jitters: Jitter[] = ['full', 'equal', 'decorrelated', 'none'];

describe('exponential backoff', () => {
  it('follows the formulas of the AWS study at the edges of the random source', () => {
    const none = exponential({ baseMs: 100, maxMs: 1000, jitter: 'none' });
    expect(
      [1, 2, 3, 4, 5].map((retry) => none.delay({ retry, previousMs: 0, random: () => 0.5 })),
    ).toEqual([100, 200, 400, 800, 1000]);
    const full = exponential({ baseMs: 100, maxMs: 1000, jitter: 'full' });
    expect(full.delay({ retry: 3, previousMs: 0, random: () => 0 })).toBe(0);
    expect(full.delay({ retry: 3, previousMs: 0, random: () => 0.5 })).toBe(200);
    const equal = exponential({ baseMs: 100, maxMs: 1000, jitter: 'equal' });
    expect(equal.delay({ retry: 3, previousMs: 0, random: () => 0 })).toBe(200);
    expect(equal.delay({ retry: 3, previousMs: 0, random: () => 0.5 })).toBe(300);
    const decorrelated = exponential({ baseMs: 100, maxMs: 1000, jitter: 'decorrelated' });
    expect(decorrelated.delay({ retry: 1, previousMs: 0, random: () => 0 })).toBe(100);
    expect(decorrelated.delay({ retry: 2, previousMs: 200, random: () => 0.5 })).toBe(350);
    expect(decorrelated.delay({ retry: 9, previousMs: 900, random: () => 0.99 })).toBe(1000);
  });

  it('defaults to full jitter, base 100 ms, cap 30 s', () => {
    const b = exponential();
    expect(b.kind).toBe('exponential-full');
    expect(b.maxMs).toBe(30_000);
    expect(b.delay({ retry: 1, previousMs: 0, random: () => 0.999999 })).toBeCloseTo(100, 3);
  });

  it('validates its options', () => {
    expect(() => exponential({ baseMs: -1 })).toThrow(/`backoff.baseMs`/);
    expect(() => exponential({ maxMs: Number.NaN })).toThrow(TypeError);
    expect(() => exponential({ baseMs: 500, maxMs: 100 })).toThrow(/`backoff.maxMs`.*≥/);
    expect(() => exponential({ jitter: 'half' as Jitter })).toThrow(
      /'full', 'equal', 'decorrelated', 'none'/,
    );
    expect(() => constant(-5)).toThrow(RangeError);
  });

  it.each(jitters)(
    'property: %s jitter stays within its formula and never exceeds maxMs',
    (jitter) => {
      fc.assert(
        fc.property(
          fc.integer({ min: 0, max: 5000 }),
          fc.integer({ min: 0, max: 60_000 }),
          fc.integer({ min: 1, max: 2000 }),
          fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
          fc.integer({ min: 0, max: 200_000 }),
          (baseMs, extra, retry, r, previousMs) => {
            const maxMs = baseMs + extra;
            const delay = exponential({ baseMs, maxMs, jitter }).delay({
              retry,
              previousMs,
              random: () => r,
            });
            const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(retry - 1, 1023));
            expect(delay).toBeGreaterThanOrEqual(0);
            expect(delay).toBeLessThanOrEqual(maxMs);
            if (jitter === 'none') expect(delay).toBe(ceiling);
            if (jitter === 'full') expect(delay).toBeLessThanOrEqual(ceiling);
            if (jitter === 'equal') {
              expect(delay).toBeGreaterThanOrEqual(ceiling / 2);
              expect(delay).toBeLessThanOrEqual(ceiling);
            }
            if (jitter === 'decorrelated') {
              expect(delay).toBeGreaterThanOrEqual(Math.min(baseMs, maxMs));
              expect(delay).toBeLessThanOrEqual(Math.max(baseMs, 3 * Math.max(baseMs, previousMs)));
            }
          },
        ),
        { numRuns: 500 },
      );
    },
  );

  it('constant returns the same delay', () => {
    expect(constant(250).delay({ retry: 7, previousMs: 0, random: Math.random })).toBe(250);
  });
});
