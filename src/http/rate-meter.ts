/**
 * Events per second over a sliding window, in fixed buckets computed from the clock:
 * no timers. Measures an origin's send rate and goodput for the adaptive rate and the
 * utilization alarm.
 */

const BUCKETS = 10;

/** A sliding-window rate counter. */
export class RateMeter {
  readonly #bucketMs: number;
  readonly #counts = new Array<number>(BUCKETS).fill(0);
  #bucket = Number.NEGATIVE_INFINITY;
  #since: number | undefined;

  /** @param windowMs the window the rate is averaged over. @default 1000 */
  constructor(readonly windowMs = 1000) {
    this.#bucketMs = windowMs / BUCKETS;
  }

  /** Counts one event at `now`. */
  record(now: number): void {
    this.#since ??= now;
    this.#counts[this.#advance(now)]! += 1;
  }

  /** Events per second over the window ending at `now`. */
  rate(now: number): number {
    this.#advance(now);
    let total = 0;
    for (const c of this.#counts) total += c;
    return (total * 1000) / this.windowMs;
  }

  /**
   * Like {@link rate}, but a meter younger than its window is read over its age (at least
   * `minSpanMs`): twelve events in the first 40 ms read as 48/s over 250 ms, not 12/s.
   */
  recentRate(now: number, minSpanMs = 250): number {
    if (this.#since === undefined) return 0;
    const span = Math.min(this.windowMs, Math.max(minSpanMs, now - this.#since));
    return (this.rate(now) * this.windowMs) / span;
  }

  #advance(now: number): number {
    const bucket = Math.floor(now / this.#bucketMs);
    const gap = Math.min(BUCKETS, bucket - this.#bucket);
    for (let i = 1; i <= gap; i++)
      this.#counts[(((this.#bucket + i) % BUCKETS) + BUCKETS) % BUCKETS] = 0;
    if (gap > 0) this.#bucket = bucket;
    return ((this.#bucket % BUCKETS) + BUCKETS) % BUCKETS;
  }
}
