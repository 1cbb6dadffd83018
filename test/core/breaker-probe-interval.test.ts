/**
 * The wait before each half-open probe grows with the outage: short while it is young
 * (a server back within 5 s is found within 1 s; a dead one sees one probe per second),
 * then a fifth of the outage so far, at most `resetTimeoutMs`; it shrinks back while the
 * circuit stays closed. All on the manual clock.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OutageLength, probeDelayMs } from '../../src/core/breaker-state.js';
import { circuitBreaker, manualClock } from '../../src/core/index.js';

const fail = () => Promise.reject(new Error('503'));
const ok = () => Promise.resolve('ok');

/**
 * A server that fails every request until `downMs`, behind a breaker (the HTTP client's
 * defaults: 10 in a row, a 5 s cap), called every `stepMs`. Returns the requests the dead
 * server saw and how long after its return the first request succeeded.
 */
async function outage(
  downMs: number,
  options: Parameters<typeof circuitBreaker>[0] = {},
  stepMs = 10,
) {
  const clock = manualClock(0);
  const breaker = circuitBreaker({
    clock,
    consecutiveFailures: 10,
    resetTimeoutMs: 5000,
    ...options,
  });
  let deadServerSaw = 0;
  for (;;) {
    const up = clock.now() >= downMs;
    const answered = await breaker
      .execute(() => {
        if (up) return 'ok';
        deadServerSaw++;
        throw new Error('503');
      })
      .then(
        () => true,
        () => false,
      );
    if (answered) return { deadServerSaw, recoveryMs: clock.now() - downMs, breaker };
    await clock.advance(stepMs);
  }
}

describe('probe interval', () => {
  it.each([500, 1000, 2500, 4091, 5000])(
    'an outage of %i ms: back within 1 s, the dead server sees the trip and one probe per second',
    async (downMs) => {
      const { deadServerSaw, recoveryMs } = await outage(downMs);
      expect(recoveryMs).toBeLessThanOrEqual(1000);
      expect(deadServerSaw).toBeLessThanOrEqual(10 + Math.ceil(downMs / 1000));
    },
  );

  it('a long outage is probed less and less often, never less than every resetTimeoutMs', async () => {
    const minute = await outage(60_000, {}, 100);
    // 10 for the trip, 6 probes a second apart (the outage is ≤ 5 s at each), then each
    // wait 1.2 × the last: ln(60/6)/ln(1.2) ≈ 13 — 30 requests where a 1 s prober sends 70.
    expect(minute.deadServerSaw).toBeLessThanOrEqual(10 + 6 + 13 + 1);
    expect(minute.recoveryMs).toBeLessThanOrEqual(0.2 * 60_000 + 100);
    const long = await outage(300_000, {}, 100);
    expect(long.recoveryMs).toBeLessThanOrEqual(5000 + 100);
    // Past 25 s (5 s ÷ 0.2) every wait is the cap: one probe per 5 s.
    expect(long.deadServerSaw).toBeLessThanOrEqual(10 + 6 + 9 + (300_000 - 25_000) / 5000 + 1);
    const fixed = await outage(1000, { probeInterval: false });
    expect(fixed.recoveryMs).toBeGreaterThan(3000); // the fixed 5 s reset, for comparison
  });

  it('grows with each failed probe and shrinks back while the circuit stays closed', async () => {
    const clock = manualClock(0);
    const breaker = circuitBreaker({ clock, minimumRequests: 1, resetTimeoutMs: 4000 });
    const waits: number[] = [];
    breaker.on('breaker-open', (e) => waits.push(e.retryAfterMs));
    await expect(breaker.execute(fail)).rejects.toThrow();
    while (clock.now() < 20_000) {
      await clock.advance(breaker.retryAfterMs);
      await expect(breaker.execute(fail)).rejects.toThrow('503');
    }
    // 1 s apart for the first 5 s of the outage, then 1.2 × longer each time, up to the cap.
    expect(waits.slice(0, 9)).toEqual([1000, 1000, 1000, 1000, 1000, 1000, 1200, 1440, 1728]);
    expect(Math.max(...waits)).toBe(4000);
    await clock.advance(breaker.retryAfterMs);
    await breaker.execute(ok);
    const closedAt = clock.now(); // the outage lasted from 0 to here
    expect(breaker.state).toBe('closed');
    await clock.advance(12_000);
    await expect(breaker.execute(fail)).rejects.toThrow(); // 12 s of health: 12 s forgotten
    expect(waits.at(-1)).toBeCloseTo(0.2 * (closedAt - 12_000), 6);
    await clock.advance(breaker.retryAfterMs);
    await breaker.execute(ok);
    await clock.advance(60_000); // healthy for a minute: all forgotten
    await expect(breaker.execute(fail)).rejects.toThrow();
    expect(waits.at(-1)).toBe(1000);
  });

  it('property: min(cap, max(minMs, ratio × outage)), never shorter as the outage grows', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000 }),
        fc.double({ min: 0, max: 10, noNaN: true }),
        fc.integer({ min: 0, max: 600_000 }),
        fc.integer({ min: 0, max: 10_000_000 }),
        fc.integer({ min: 0, max: 10_000_000 }),
        (minMs, ratio, capMs, a, b) => {
          const [shorter, longer] = a <= b ? [a, b] : [b, a];
          const d = probeDelayMs(shorter, { minMs, ratio }, capMs);
          expect(d).toBeLessThanOrEqual(capMs);
          expect(d).toBeGreaterThanOrEqual(Math.min(minMs, capMs));
          expect(probeDelayMs(longer, { minMs, ratio }, capMs)).toBeGreaterThanOrEqual(d);
        },
      ),
    );
  });

  it('property: a server back after D is found within min(cap, max(minMs, ratio × D))', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 100, max: 3000 }),
        fc.double({ min: 0.01, max: 1, noNaN: true }),
        fc.integer({ min: 100, max: 60_000 }),
        fc.integer({ min: 1, max: 30_000 }),
        async (minMs, ratio, capMs, downMs) => {
          const clock = manualClock(0);
          const breaker = circuitBreaker({
            clock,
            minimumRequests: 1,
            resetTimeoutMs: capMs,
            probeInterval: { minMs, ratio },
          });
          await expect(breaker.execute(fail)).rejects.toThrow();
          let probes = 0;
          for (;;) {
            await clock.advance(breaker.retryAfterMs);
            probes++;
            if (clock.now() >= downMs) break;
            await expect(breaker.execute(fail)).rejects.toThrow('503');
          }
          await expect(breaker.execute(ok)).resolves.toBe('ok');
          const bound = Math.min(capMs, Math.max(minMs, ratio * downMs));
          expect(clock.now() - downMs).toBeLessThanOrEqual(bound + 1e-6);
          // While the outage is young the dead server sees one probe per min(minMs, cap).
          const young = Math.min(downMs, minMs / ratio);
          const step = Math.min(minMs, capMs);
          if (downMs <= minMs / ratio) expect(probes).toBeLessThanOrEqual(young / step + 1);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('property: the outage length grows while open and shrinks at the same pace while closed', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 100_000 })), { maxLength: 30 }),
        (phases) => {
          const outage = new OutageLength();
          let now = 0;
          let model = 0;
          for (const [open, ms] of phases) {
            outage.set(now, open);
            now += ms;
            model = open ? model + ms : Math.max(0, model - ms);
            expect(outage.at(now)).toBe(model);
          }
        },
      ),
    );
  });
});
