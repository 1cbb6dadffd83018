/** The quota reset instant, narrowed from answers whose `t` is rounded up to whole seconds. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { QuotaReset } from '../../src/http/quota-reset.js';

/** `t` as a server sends it: whole seconds, rounded up, at least 1. */
const advertised = (resetAt: number, now: number) =>
  Math.max(1, Math.ceil((resetAt - now) / 1000)) * 1000;

describe('QuotaReset', () => {
  it('narrows the reset instant with every answer of the window', () => {
    const r = new QuotaReset();
    const resetAt = 2300;
    const at = (now: number, remaining: number) =>
      r.resetMs({ remaining, resetMs: advertised(resetAt, now) }, now);
    expect(at(500, 9)).toBe(2000); // (1500, 2500]: as advertised
    expect(at(1200, 8)).toBe(1300); // ∩ (2200, 3200] → (2200, 2500]
    expect(at(1400, 7)).toBe(1000); // ∩ (1400, 2400] → (2200, 2400]
    expect(at(2250, 6)).toBe(150); // ∩ (2250, 3250] → (2250, 2400]
  });

  it('starts over when a new window begins (more left than before)', () => {
    const r = new QuotaReset();
    r.resetMs({ remaining: 2, resetMs: 1000 }, 100);
    r.resetMs({ remaining: 1, resetMs: 1000 }, 900); // (900, 1100]
    // The window renewed at 1100: 10 left, reset in (1200, 2200] from 1200.
    expect(r.resetMs({ remaining: 10, resetMs: 1000 }, 1200)).toBe(1000);
  });

  it('starts over when an answer cannot share the window’s reset', () => {
    const r = new QuotaReset();
    r.resetMs({ remaining: 5, resetMs: 1000 }, 0); // (0, 1000]
    expect(r.resetMs({ remaining: 5, resetMs: 1000 }, 1500)).toBe(1000);
  });

  it('takes resets that are not whole seconds (Unix-time headers) as they are', () => {
    const r = new QuotaReset();
    expect(r.resetMs({ remaining: 5, resetMs: 1234 }, 0)).toBe(1234);
    expect(r.resetMs({ remaining: 0, resetMs: 0 }, 10)).toBe(0);
  });

  it('is never earlier than the true reset, and as precise as the answers are frequent', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1000, max: 60_000 }),
        fc.array(fc.integer({ min: 1, max: 400 }), { minLength: 1, maxLength: 200 }),
        (resetAt, gaps) => {
          const r = new QuotaReset();
          let now = 0;
          let remaining = 1000;
          for (const gap of gaps) {
            if (now + gap >= resetAt) break;
            now += gap;
            const estimate = r.resetMs(
              { remaining: remaining--, resetMs: advertised(resetAt, now) },
              now,
            );
            expect(now + estimate).toBeGreaterThanOrEqual(resetAt);
            expect(now + estimate).toBeLessThanOrEqual(now + advertised(resetAt, now));
          }
        },
      ),
    );
  });
});
