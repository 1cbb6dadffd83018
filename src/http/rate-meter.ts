/**
 * Events per second over a sliding window (core's {@link RollingWindow}: buckets computed
 * from the clock, no timers). Measures an origin's send rate and goodput for the adaptive
 * rate and the utilization alarm.
 */
import { RollingWindow } from '../core/internal.js';

/** A sliding-window rate counter. */
export class RateMeter {
  readonly #window: RollingWindow;
  #since: number | undefined;

  /** @param windowMs the window the rate is averaged over. @default 1000 */
  constructor(readonly windowMs = 1000) {
    this.#window = new RollingWindow(windowMs);
  }

  /** Counts one event at `now`. */
  record(now: number): void {
    this.#since ??= now;
    this.#window.add(now);
  }

  /** Events per second over the window ending at `now`. */
  rate(now: number): number {
    return (this.#window.total(now) * 1000) / this.windowMs;
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
}
