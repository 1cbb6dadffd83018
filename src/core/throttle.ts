/**
 * A token bucket whose refill is computed lazily from the clock: no timer at all while a
 * token is available, one timer for the head of the waiting queue otherwise. `rate`
 * tokens per second, `burst` tokens at most; a call that would wait longer than
 * `maxWaitMs` is refused with {@link ThrottledError}. Bottleneck's semantics, without
 * its per-job timer hops.
 */
import type { CancelTimer } from './clock.js';
import { ThrottledError } from './errors.js';
import {
  BasePolicy,
  contextOf,
  type ExecuteOptions,
  invoke,
  type Operation,
  type PolicyOptions,
} from './policy.js';
import { abortReason, NEVER_ABORTED } from './signal.js';
import { numberOption, optionalNumber } from './validate.js';

export interface ThrottleOptions extends PolicyOptions {
  /** Tokens added per second. */
  rate: number;
  /** Bucket size: how many calls may go at once after a quiet period. @default max(1, rate) */
  burst?: number;
  /** Longest a call may wait for a token before it is refused. @default Infinity */
  maxWaitMs?: number;
}

interface Waiter {
  resolve(): void;
  reject(error: Error): void;
  settled: boolean;
}

/** A token bucket policy. */
export class ThrottlePolicy extends BasePolicy {
  readonly kind = 'throttle';
  #rate: number;
  readonly burst: number;
  readonly maxWaitMs: number;
  #tokens: number;
  #refilledAt: number;
  readonly #queue: Waiter[] = [];
  #head = 0;
  #cancelTimer: CancelTimer | undefined;

  constructor(options: ThrottleOptions) {
    super(options);
    this.#rate = numberOption('rate', options?.rate, { min: 0, exclusiveMin: true });
    this.burst = optionalNumber('burst', options.burst, Math.max(1, Math.floor(this.#rate)), {
      min: 1,
    });
    this.maxWaitMs = optionalNumber('maxWaitMs', options.maxWaitMs, Number.POSITIVE_INFINITY, {
      min: 0,
      allowInfinity: true,
    });
    this.#tokens = this.burst;
    this.#refilledAt = this.clock.now();
  }

  /** Tokens per second now. */
  get rate(): number {
    return this.#rate;
  }

  /** Tokens available now (may be fractional). */
  get tokens(): number {
    this.#refill();
    return this.#tokens;
  }

  /** Calls waiting for a token. */
  get queueLength(): number {
    return this.#queue.length - this.#head;
  }

  /** Changes the rate live; waiting calls are rescheduled at the new rate. */
  setRate(rate: number): void {
    numberOption('rate', rate, { min: 0, exclusiveMin: true });
    this.#refill();
    this.#rate = rate;
    if (this.queueLength > 0) this.#schedule();
  }

  /** Waits for a token (or throws ThrottledError / the abort reason). Resolves at once if one is free. */
  acquire(signal: AbortSignal = NEVER_ABORTED): Promise<void> {
    if (signal.aborted) return Promise.reject(abortReason(signal));
    this.#refill();
    if (this.queueLength === 0 && this.#tokens >= 1) {
      this.#tokens -= 1;
      return Promise.resolve();
    }
    const waitMs = this.#estimateWait(this.queueLength + 1);
    if (waitMs > this.maxWaitMs) {
      const error = new ThrottledError(waitMs, this.#rate, this.maxWaitMs);
      this.emit('throttled', { waitMs, rate: this.#rate, rejected: true });
      this.emit('rejected', { reason: 'throttled', error });
      return Promise.reject(error);
    }
    this.emit('throttled', { waitMs, rate: this.#rate, rejected: false });
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, settled: false };
      const onAbort = () => this.#drop(waiter, abortReason(signal));
      if (signal !== NEVER_ABORTED) {
        signal.addEventListener('abort', onAbort, { once: true });
        waiter.resolve = () => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        };
      }
      this.#queue.push(waiter);
      if (this.queueLength === 1) this.#schedule();
    });
  }

  async execute<T>(fn: Operation<T>, options?: ExecuteOptions): Promise<T> {
    const ctx = contextOf(options);
    await this.acquire(ctx.signal);
    return invoke(fn, ctx);
  }

  /** Expected wait until the `position`-th waiter gets its token. */
  #estimateWait(position: number): number {
    return Math.max(0, ((position - this.#tokens) / this.#rate) * 1000);
  }

  #refill(): void {
    const now = this.clock.now();
    const elapsed = now - this.#refilledAt;
    if (elapsed > 0) {
      this.#tokens = Math.min(this.burst, this.#tokens + (elapsed * this.#rate) / 1000);
      this.#refilledAt = now;
    }
  }

  #schedule(): void {
    this.#cancelTimer?.();
    this.#cancelTimer = this.clock.setTimer(
      () => {
        this.#cancelTimer = undefined;
        this.#grant();
      },
      Math.ceil(this.#estimateWait(1)),
    );
  }

  /** Hands out every token that has accrued, in FIFO order, then re-arms for the next. */
  #grant(): void {
    this.#refill();
    while (this.queueLength > 0 && this.#tokens >= 1) {
      const waiter = this.#queue[this.#head++]!;
      if (waiter.settled) continue;
      waiter.settled = true;
      this.#tokens -= 1;
      waiter.resolve();
    }
    this.#compact();
    if (this.queueLength > 0) this.#schedule();
  }

  #drop(waiter: Waiter, error: Error): void {
    if (waiter.settled) return;
    waiter.settled = true;
    waiter.reject(error);
    const index = this.#queue.indexOf(waiter, this.#head);
    if (index >= 0) this.#queue.splice(index, 1);
    this.#compact();
    if (this.queueLength === 0) {
      this.#cancelTimer?.();
      this.#cancelTimer = undefined;
    }
  }

  #compact(): void {
    if (this.#head > 0 && (this.#head === this.#queue.length || this.#head > 1024)) {
      this.#queue.splice(0, this.#head);
      this.#head = 0;
    }
  }
}

/** Creates a token-bucket {@link ThrottlePolicy}. */
export function throttle(options: ThrottleOptions): ThrottlePolicy {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('Expected `throttle` options to be an object with a `rate`');
  }
  return new ThrottlePolicy(options);
}
