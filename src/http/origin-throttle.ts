/**
 * The self-throttle of one origin, as a policy: a core token bucket whose rate adapts
 * (AIMD) to throttling answers, plus a pacer that spreads the rest of an advertised
 * quota (RateLimit headers) over its reset window. With no `rate` configured, the bucket
 * stays off (no cost) until the first throttling answer, then engages at the measured rate.
 */
import {
  BasePolicy,
  type Clock,
  contextOf,
  type ExecuteOptions,
  invoke,
  type Operation,
  QuotaExhaustedError,
  type ThrottlePolicy,
  throttle,
} from '../core/internal.js';
import { decreased, engagedRate, increased } from './adaptive-rate.js';
import { QuotaPacer } from './quota-pacer.js';
import type { Quota } from './rate-limit-headers.js';
import { RateMeter } from './rate-meter.js';
import type { ResolvedThrottle } from './resolve-options.js';

const SLOW_START = { minRate: 0, recoveryPerSecond: 2 };

export type RateChange = (
  from: number | null,
  to: number | null,
  reason: 'throttled' | 'recovered' | 'quota',
) => void;

/** Per-origin self-throttle: adaptive bucket + quota pacer. */
export class OriginThrottle extends BasePolicy {
  readonly kind = 'throttle';
  /** Attempts sent, per second. */
  readonly sends = new RateMeter();
  /** Called when a request's wait for a token ends, before it is sent; may throw to hold it back. */
  afterWait: (() => void) | undefined;
  /** Successful answers, per second. */
  readonly goodput = new RateMeter();
  readonly #settings: ResolvedThrottle;
  readonly #origin: string;
  readonly #onRateChange: RateChange;
  #bucket: ThrottlePolicy | undefined;
  readonly #quota: QuotaPacer | undefined;
  /** The configured rate, never exceeded (Infinity for a learned bucket). */
  readonly #ceiling: number;
  /** The rate at which the server last pushed back (the send rate, at engagement). */
  #peak: number;
  #reportedRate: number;
  #lastDecreaseAt = Number.NEGATIVE_INFINITY;
  /** A learned bucket grows ×3 per second of full use from engagement to the next push-back. */
  #slowStart = false;
  /**
   * The rate before the 5xx without Retry-After that lowered it since the last explicit
   * signal (`null`: the bucket was off), so an outage can undo them; `undefined`: nothing to undo.
   */
  #softFrom: number | null | undefined;
  /** Attempts sent before this were answered by an outage (see {@link onOutage}). */
  #outageAt = Number.NEGATIVE_INFINITY;

  constructor(
    settings: ResolvedThrottle,
    options: { clock: Clock; onRateChange: RateChange; origin?: string },
  ) {
    const { clock, onRateChange } = options;
    super({ clock });
    this.#settings = settings;
    this.#origin = options.origin ?? '';
    this.#onRateChange = onRateChange;
    this.#ceiling = settings.rate ?? Number.POSITIVE_INFINITY;
    this.#peak = settings.rate ?? 0;
    this.#reportedRate = settings.rate ?? 0;
    if (settings.rate !== undefined) this.#bucket = this.#newBucket(settings.rate, settings.burst);
    if (settings.pace !== undefined) {
      this.#quota = new QuotaPacer(
        settings.pace,
        clock,
        (rate, burst) => this.#newBucket(rate, burst),
        (from, to) => this.#report(from, to, 'quota'),
      );
    }
  }

  /** The bucket's rate, requests/s; `null` while the bucket is off. */
  get rate(): number | null {
    return this.#bucket ? this.#bucket.rate : null;
  }

  /** Tokens in the bucket now; `null` while the bucket is off. */
  get tokens(): number | null {
    return this.#bucket ? this.#bucket.tokens : null;
  }

  /** Requests waiting for a token (bucket and pacer). */
  get queueLength(): number {
    return (this.#bucket?.queueLength ?? 0) + (this.#quota?.queueLength ?? 0);
  }

  /** The quota pace in force, or `null`. */
  get pacing(): { rate: number; untilMs: number } | null {
    return this.#quota?.pacing ?? null;
  }

  execute<T>(fn: Operation<T>, options?: ExecuteOptions): Promise<T> {
    if (!this.#bucket && !this.#quota?.active) return invoke(fn, contextOf(options));
    return this.#gated(fn, contextOf(options));
  }

  async #gated<T>(fn: Operation<T>, ctx: ReturnType<typeof contextOf>): Promise<T> {
    if (this.#bucket) await this.#bucket.acquire(ctx.signal);
    const quota = this.#quota;
    if (quota?.active) {
      this.#refusePastDeadline(quota, ctx.deadline);
      await quota.acquire(ctx.signal);
    }
    this.afterWait?.();
    return invoke(fn, ctx);
  }

  /** None of the quota is left until after the deadline: fail now rather than sleep into it. */
  #refusePastDeadline(quota: QuotaPacer, deadline: number | undefined): void {
    const until = quota.exhaustedUntil;
    if (until === undefined || deadline === undefined || until <= deadline) return;
    const now = this.clock.now();
    const error = new QuotaExhaustedError(this.#origin, until - now, deadline - now);
    this.emit('throttled', { waitMs: until - now, rate: quota.pacing?.rate ?? 0, rejected: true });
    this.emit('rejected', { reason: 'throttled', error });
    throw error;
  }

  /** An attempt was sent. */
  onSent(now: number): void {
    this.sends.record(now);
  }

  /**
   * A successful answer: goodput, and additive increase of the adaptive rate — toward
   * the rate of the last push-back at a share of it per second, then beyond it at that
   * share of the current rate (probing). From engagement to the next push-back a learned
   * bucket grows faster (slow start, ×3 per second of full use): the goodput it engaged
   * at is measured over a young client's first few hundred ms, or over a second in which
   * the server also refused requests, and is often low. A configured rate is never
   * exceeded; a learned bucket that stops limiting anything (no queue, back at the send
   * rate it was pushed back at) switches itself off.
   */
  onSuccess(now: number): void {
    this.goodput.record(now);
    const adaptive = this.#settings.adaptive;
    const bucket = this.#bucket;
    if (!adaptive || !bucket) return;
    const learned = this.#settings.rate === undefined;
    if (learned && bucket.queueLength === 0 && bucket.rate >= this.#peak) {
      this.#bucket = undefined;
      this.#softFrom = undefined;
      this.#report(bucket.rate, null, 'recovered');
      return;
    }
    if (bucket.rate >= this.#ceiling) return;
    const next = this.#slowStart
      ? increased(bucket.rate, bucket.rate, this.#ceiling, SLOW_START)
      : increased(bucket.rate, Math.max(bucket.rate, this.#peak), this.#ceiling, adaptive);
    bucket.setRate(next);
    if (next >= this.#ceiling || next >= this.#reportedRate * 1.1) {
      this.#report(this.#reportedRate, next, 'recovered');
    }
  }

  /**
   * A throttling answer to an attempt sent at `sentAt` (`explicit`: a 429, or a
   * Retry-After): at most one multiplicative decrease per round trip and per cooldown.
   */
  onThrottle(sentAt: number, now: number, explicit: boolean): void {
    const adaptive = this.#settings.adaptive;
    // Answers to requests sent before the last decrease, or within the cooldown, were
    // already accounted for: a server's window takes time to drain.
    if (
      !adaptive ||
      sentAt < this.#lastDecreaseAt ||
      now - this.#lastDecreaseAt < adaptive.cooldownMs
    ) {
      return;
    }
    // A 5xx with no Retry-After while nothing gets through is an outage, not throttling:
    // the breaker's business. Lowering the rate then would only slow the recovery.
    if (!explicit && (sentAt <= this.#outageAt || this.goodput.rate(now) === 0)) return;
    this.#lastDecreaseAt = now;
    const bucket = this.#bucket;
    if (explicit) this.#softFrom = undefined;
    else if (this.#softFrom === undefined) this.#softFrom = bucket ? bucket.rate : null;
    if (!bucket) {
      const sent = this.sends.recentRate(now);
      const rate = engagedRate(sent, this.goodput.recentRate(now), adaptive);
      // The server pushed back at the send rate; the goodput measured over a young
      // client's first few hundred ms is a low estimate, so grow fast until the next push-back.
      this.#peak = Math.max(rate, sent);
      this.#slowStart = true;
      this.#bucket = this.#newBucket(rate, this.#settings.burst ?? 1);
      this.#report(null, rate, 'throttled');
      return;
    }
    const from = bucket.rate;
    this.#slowStart = false;
    this.#peak = from;
    bucket.setRate(decreased(from, adaptive));
    this.#report(from, bucket.rate, 'throttled');
  }

  /**
   * The origin's breaker opened: the 5xx without Retry-After that lowered the rate since
   * the last 429 (or Retry-After) were the start of an outage, not throttling. Undo them
   * — a learned bucket they engaged switches off, a lowered rate goes back — and ignore
   * such answers to attempts already sent; otherwise the requests that waited out the
   * outage would crawl back through a rate measured while the server was dying.
   */
  onOutage(): void {
    this.#outageAt = this.clock.now();
    const from = this.#softFrom;
    this.#softFrom = undefined;
    const bucket = this.#bucket;
    if (from === undefined || !bucket) return;
    if (from === null) {
      this.#bucket = undefined;
      this.#peak = 0;
      this.#report(bucket.rate, null, 'recovered');
    } else if (from > bucket.rate) {
      const lowered = bucket.rate;
      bucket.setRate(from);
      this.#report(lowered, from, 'recovered');
    }
  }

  /** Quota headers on an answer: pace the rest of the quota when it is nearly spent. */
  onQuota(quota: Quota, now: number): void {
    this.#quota?.onQuota(quota, now);
  }

  #newBucket(rate: number, burst: number | undefined): ThrottlePolicy {
    const bucket = throttle({
      rate,
      burst,
      maxWaitMs: this.#settings.maxWaitMs,
      clock: this.clock,
    });
    bucket.events.forwardTo(this.events);
    return bucket;
  }

  #report(
    from: number | null,
    to: number | null,
    reason: 'throttled' | 'recovered' | 'quota',
  ): void {
    if (reason !== 'quota' && to !== null) this.#reportedRate = to;
    this.#onRateChange(from, to, reason);
  }
}
