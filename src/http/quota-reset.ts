/**
 * When exactly an advertised quota window resets. The RateLimit fields give the time
 * left in whole seconds, rounded up (`t=2` means somewhere in (1 s, 2 s]), so pacing the
 * rest of a 2 s window over `t` can be up to twice too slow. Every answer of the same
 * window narrows the instant down: it lies in (now + t − 1 s, now + t] for each of them,
 * so the intersection is as precise as the answers are frequent. The latest instant
 * consistent with every answer is used, so the pace is never faster than the quota.
 */
import type { Quota } from './rate-limit-headers.js';

/** The reset instant of one origin's quota window, narrowed answer by answer. */
export class QuotaReset {
  /** Earliest and latest clock time the current window can reset at. */
  #earliest = Number.NEGATIVE_INFINITY;
  #latest = Number.NEGATIVE_INFINITY;
  #remaining = Number.POSITIVE_INFINITY;

  /** The time left until the reset, ms, from `quota` and the answers before it. */
  resetMs(quota: Quota, now: number): number {
    const t = quota.resetMs;
    // Only whole seconds are rounded (a Unix-time reset or a 0 is taken as it is).
    if (t <= 0 || t % 1000 !== 0) {
      this.#latest = Number.NEGATIVE_INFINITY;
      return t;
    }
    const earliest = now + t - 1000;
    const latest = now + t;
    // A new window: more left than before, or an interval that cannot be the same reset.
    const fresh =
      quota.remaining > this.#remaining || earliest >= this.#latest || latest <= this.#earliest;
    this.#remaining = quota.remaining;
    if (fresh) {
      this.#earliest = earliest;
      this.#latest = latest;
    } else {
      this.#earliest = Math.max(this.#earliest, earliest);
      this.#latest = Math.min(this.#latest, latest);
    }
    return this.#latest - now;
  }
}
