/**
 * Quota pacing for one origin: when an answer's quota headers say that `threshold` or less
 * of the window is left, the rest goes evenly over what is left of the window (nothing at
 * all when none is left, until the reset); a fresh window lifts the pace.
 */
import type { Clock, ThrottlePolicy } from '../core/internal.js';
import { quotaPace } from './adaptive-rate.js';
import type { Quota } from './rate-limit-headers.js';

/** The pacer of one origin's advertised quota. */
export class QuotaPacer {
  #pacer: ThrottlePolicy | undefined;
  #pacedUntil = 0;
  /** The last answer said none is left. */
  #exhausted = false;

  constructor(
    /** Share of the quota left at or below which pacing starts. */
    readonly threshold: number,
    readonly clock: Clock,
    readonly newBucket: (rate: number, burst: number) => ThrottlePolicy,
    readonly report: (from: number | null, to: number) => void,
  ) {}

  /** A pace is set, or requests still wait at an old one. */
  get active(): boolean {
    return this.#pacer !== undefined;
  }

  /** Requests waiting for their turn. */
  get queueLength(): number {
    return this.#pacer?.queueLength ?? 0;
  }

  /** The pace in force, or `null`. */
  get pacing(): { rate: number; untilMs: number } | null {
    if (!this.#pacer || this.clock.now() >= this.#pacedUntil) return null;
    return { rate: this.#pacer.rate, untilMs: this.#pacedUntil };
  }

  /** While none of the quota is left: the clock time it resets at (requests wait until then). */
  get exhaustedUntil(): number | undefined {
    return this.#exhausted && this.clock.now() < this.#pacedUntil ? this.#pacedUntil : undefined;
  }

  /** Waits for this request's turn while a pace is in force. */
  async acquire(signal: AbortSignal): Promise<void> {
    const pacer = this.#pacer;
    if (!pacer) return;
    if (this.clock.now() < this.#pacedUntil) await pacer.acquire(signal);
    else if (pacer.queueLength === 0) this.#pacer = undefined;
  }

  /** Quota headers on an answer: pace the rest of the quota when it is nearly spent. */
  onQuota(quota: Quota, now: number): void {
    const share = quota.limit ? quota.remaining / quota.limit : quota.remaining === 0 ? 0 : 1;
    if (share > this.threshold) {
      const pacer = this.#pacer;
      if (!pacer) return;
      if (pacer.queueLength === 0) this.#pacer = undefined;
      // A fresh window: requests still queued at the old pace go at the new one.
      else pacer.setRate(Math.max(pacer.rate, quotaPace(quota.remaining, quota.resetMs)));
      this.#pacedUntil = now;
      this.#exhausted = false;
      return;
    }
    const pace = quotaPace(quota.remaining, quota.resetMs);
    // None left: one token after the reset (plus a little for clock skew), none before.
    const rate = pace > 0 ? pace : 1000 / (quota.resetMs + 10);
    const from = this.#pacer && now < this.#pacedUntil ? this.#pacer.rate : null;
    if (!this.#pacer) this.#pacer = this.newBucket(rate, 1);
    else this.#pacer.setRate(rate);
    if (pace === 0) drain(this.#pacer);
    this.#exhausted = pace === 0;
    this.#pacedUntil = now + quota.resetMs + (pace === 0 ? 10 : 0);
    if (from === null || Math.abs(from - rate) > from * 0.25) this.report(from, rate);
  }
}

/** Takes every token now, so the next one comes only after the reset. */
function drain(bucket: ThrottlePolicy): void {
  while (bucket.queueLength === 0 && bucket.tokens >= 1) void bucket.acquire();
}
