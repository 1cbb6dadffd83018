/**
 * Counts over a sliding window, in fixed buckets computed from the time the caller
 * passes in: lazy, no timers. A bucket is cleared when time moves past it, so a window
 * that nobody touches costs nothing. One window holds several counters (requests and
 * failures, requests and retries) that rotate together. The breaker, the retry budget
 * and the HTTP rate meter all count with it.
 */

/** A sliding-window counter of `counters` parallel counts. */
export class RollingWindow {
  /** Length of the window, ms. */
  readonly windowMs: number;
  /** Buckets the window is cut into: counts leave it one bucket (`windowMs / buckets`) at a time. */
  readonly buckets: number;
  readonly #bucketMs: number;
  readonly #counters: number;
  /** Bucket-major: `#counts[slot * counters + counter]`. */
  readonly #counts: number[];
  readonly #totals: number[];
  /** Index (time / bucketMs) of the newest bucket. */
  #bucket = Number.NEGATIVE_INFINITY;

  /**
   * @param windowMs the window's length (> 0).
   * @param counters how many parallel counts it keeps. @default 1
   * @param buckets its resolution. @default 10
   */
  constructor(windowMs: number, counters = 1, buckets = 10) {
    this.windowMs = windowMs;
    this.buckets = buckets;
    this.#bucketMs = windowMs / buckets;
    this.#counters = counters;
    this.#counts = new Array<number>(buckets * counters).fill(0);
    this.#totals = new Array<number>(counters).fill(0);
  }

  /** Adds `n` to `counter` at time `now`. */
  add(now: number, n = 1, counter = 0): void {
    this.#totals[counter]! += n;
    this.#counts[this.#advance(now) * this.#counters + counter]! += n;
  }

  /** The count of `counter` over the window ending at `now`. */
  total(now: number, counter = 0): number {
    this.#advance(now);
    return this.#totals[counter]!;
  }

  /** Moves the newest bucket to `now`, clearing the buckets it passes; returns its slot. */
  #advance(now: number): number {
    const bucket = Math.floor(now / this.#bucketMs);
    const steps = bucket - this.#bucket;
    // A clock that steps back counts into the newest bucket rather than rewriting the past.
    if (steps > 0) {
      const clear = Math.min(this.buckets, steps);
      for (let i = 1; i <= clear; i++) this.#clear(slotOf(bucket - clear + i, this.buckets));
      this.#bucket = bucket;
    }
    return slotOf(this.#bucket, this.buckets);
  }

  #clear(slot: number): void {
    const base = slot * this.#counters;
    for (let c = 0; c < this.#counters; c++) {
      this.#totals[c]! -= this.#counts[base + c]!;
      this.#counts[base + c] = 0;
    }
  }
}

/** The ring slot of bucket index `bucket` (negative times included). */
function slotOf(bucket: number, buckets: number): number {
  return ((bucket % buckets) + buckets) % buckets;
}
