import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decreased, engagedRate, increased, quotaPace } from '../../src/http/adaptive-rate.js';

const settings = fc.record({
  beta: fc.double({ min: 0.05, max: 0.95, noNaN: true }),
  minRate: fc.double({ min: 0.01, max: 5, noNaN: true }),
  recoveryPerSecond: fc.double({ min: 0, max: 1, noNaN: true }),
});
const rate = fc.double({ min: 0.01, max: 1e5, noNaN: true });

describe('adaptive rate (AIMD)', () => {
  it('a decrease multiplies by beta, never below the floor', () => {
    fc.assert(
      fc.property(settings, rate, (s, r) => {
        const d = decreased(r, s);
        return (
          d >= s.minRate &&
          (d <= r || d === s.minRate) &&
          (r * s.beta < s.minRate || Math.abs(d - r * s.beta) < 1e-9 * r)
        );
      }),
    );
  });

  it('an increase never lowers the rate and never passes the ceiling', () => {
    fc.assert(
      fc.property(settings, rate, rate, rate, (s, r, ref, cap) => {
        const ceiling = Math.max(cap, r);
        const next = increased(r, ref, ceiling, s);
        return next >= r && next <= ceiling;
      }),
    );
  });

  it('at full use, a second of successes regains recoveryPerSecond of the reference rate', () => {
    const s = { beta: 0.7, minRate: 0.5, recoveryPerSecond: 0.1 };
    let r = 70;
    // One second at rate r is about r successes.
    for (let i = 0; i < 70; i++) r = increased(r, 100, 1000, s);
    expect(r).toBeGreaterThan(79);
    expect(r).toBeLessThan(81);
  });

  it('engages at the goodput, or the send rate when nothing got through', () => {
    const s = { beta: 0.5, minRate: 1, recoveryPerSecond: 0.05 };
    expect(engagedRate(60, 10, s)).toBe(10);
    expect(engagedRate(60, 0, s)).toBe(60);
    expect(engagedRate(1, 0, s)).toBe(1);
    fc.assert(
      fc.property(
        settings,
        rate,
        fc.double({ min: 0, max: 1e5, noNaN: true }),
        (st, send, good) => engagedRate(send, good, st) >= st.minRate,
      ),
    );
  });

  it('paces the remaining quota evenly over the reset window', () => {
    expect(quotaPace(10, 2000)).toBe(5);
    expect(quotaPace(0, 2000)).toBe(0);
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1e6 }),
        fc.integer({ min: 1, max: 86_400_000 }),
        (r, t) => Math.abs((quotaPace(r, t) * t) / 1000 - r) < 1e-6 * r,
      ),
    );
  });
});
