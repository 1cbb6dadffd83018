/**
 * The adaptive rate of one origin on a manual clock: engagement under a flood, slow start
 * up to the next push-back, AIMD around the latest push-back rate, and the outage undo.
 */
import { describe, expect, it } from 'vitest';
import { manualClock } from '../../src/core/index.js';
import { OriginThrottle } from '../../src/http/origin-throttle.js';
import { resolveThrottle } from '../../src/http/resolve-throttle.js';

function learned() {
  const clock = manualClock(10_000);
  const changes: Array<[number | null, number | null, string]> = [];
  const throttle = new OriginThrottle(resolveThrottle(undefined)!, {
    clock,
    onRateChange: (from, to, reason) => changes.push([from, to, reason]),
  });
  return { clock, throttle, changes };
}

/** `sends` attempts per second for `ms`, `share` of them answered 200. */
async function traffic(
  t: ReturnType<typeof learned>,
  sendsPerSecond: number,
  ms: number,
  share: number,
) {
  const gap = 1000 / sendsPerSecond;
  let owed = 0;
  for (let at = 0; at < ms; at += gap) {
    t.throttle.onSent(t.clock.now());
    owed += share;
    if (owed >= 1) {
      owed -= 1;
      t.throttle.onSuccess(t.clock.now());
    }
    await t.clock.advance(gap);
  }
}

describe('OriginThrottle (learned rate)', () => {
  it('engages under a flood at the goodput, and stays on while the send rate it was pushed back at is above it', async () => {
    const t = learned();
    await traffic(t, 300, 400, 1 / 3); // the server admits a third
    t.throttle.onThrottle(t.clock.now() - 5, t.clock.now(), true);
    const engaged = t.throttle.rate!;
    expect(engaged).toBeGreaterThan(80);
    expect(engaged).toBeLessThan(120);
    // Answers to requests sent before the bucket engaged: nothing is queued yet.
    t.throttle.onSuccess(t.clock.now());
    expect(t.throttle.rate).not.toBeNull();
  });

  it('grows fast (×3 per second of full use) from engagement until the next push-back, then by AIMD', async () => {
    const t = learned();
    await traffic(t, 900, 400, 1 / 9); // pushed back at 900/s: the bucket stays on below that
    t.throttle.onThrottle(t.clock.now() - 5, t.clock.now(), true);
    const engaged = t.throttle.rate!;
    // One second of full use: one success per token.
    for (let i = 0; i < Math.round(engaged); i++) t.throttle.onSuccess(t.clock.now());
    const grown = t.throttle.rate!;
    expect(grown / engaged).toBeGreaterThan(2.5);
    await t.clock.advance(1000);
    t.throttle.onThrottle(t.clock.now() - 5, t.clock.now(), true);
    expect(t.throttle.rate).toBeCloseTo(grown * 0.7, 5);
    // AIMD now: a second of full use regains 20 % of the push-back rate.
    const after = t.throttle.rate!;
    for (let i = 0; i < Math.round(after); i++) t.throttle.onSuccess(t.clock.now());
    const gain = t.throttle.rate! - after;
    expect(gain).toBeGreaterThan(grown * 0.15);
    expect(gain).toBeLessThanOrEqual(grown * 0.2);
  });

  it('recovers toward the latest push-back rate, not the highest one', async () => {
    const t = learned();
    await traffic(t, 900, 400, 1 / 9);
    t.throttle.onThrottle(t.clock.now() - 5, t.clock.now(), true);
    await t.clock.advance(1000);
    t.throttle.onThrottle(t.clock.now() - 5, t.clock.now(), true); // ends slow start
    await t.clock.advance(1000);
    const before = t.throttle.rate!;
    t.throttle.onThrottle(t.clock.now() - 5, t.clock.now(), true);
    const low = t.throttle.rate!;
    expect(low).toBeCloseTo(before * 0.7, 5);
    for (let i = 0; i < Math.round(low); i++) t.throttle.onSuccess(t.clock.now());
    // 20 % of the latest push-back rate (`before`); the first one, 1/0.7 × higher, would give 29 %.
    const gain = t.throttle.rate! - low;
    expect(gain).toBeGreaterThan(before * 0.15);
    expect(gain).toBeLessThanOrEqual(before * 0.2);
  });

  it('a breaker opening undoes the rate 5xx without Retry-After set, and ignores their stragglers', async () => {
    const t = learned();
    await traffic(t, 50, 1000, 1);
    t.throttle.onThrottle(t.clock.now() - 5, t.clock.now(), false);
    expect(t.throttle.rate).not.toBeNull();
    t.throttle.onOutage();
    expect(t.throttle.rate).toBeNull();
    const sentBefore = t.clock.now() - 1;
    await t.clock.advance(600);
    t.throttle.onThrottle(sentBefore, t.clock.now(), false);
    expect(t.throttle.rate).toBeNull();
    expect(t.changes.map((c) => c[2])).toEqual(['throttled', 'recovered']);
  });
});
