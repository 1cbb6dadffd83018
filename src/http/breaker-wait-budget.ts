/**
 * The retry budget as the retry policy sees it, minus the waits at an open breaker: a
 * request that meets an open circuit sleeps until the half-open probe and tries again,
 * and that sends nothing to the server, so it must not spend a retry. Without this, one
 * short outage at 50 requests/s (each waiting request "retries" once) spends a default
 * budget in a few seconds and fails the very requests that waiting would have saved.
 *
 * The retry policy asks `shouldRetry` and then, in the same synchronous step, takes a
 * retry from the budget; `exempt()` is called from `shouldRetry` with the error it is
 * deciding on, so the next `tryAcquire()` knows whether it pays.
 */
import { isBrokenCircuitError, RetryBudget } from '../core/internal.js';

/** A view of `inner` whose `tryAcquire` is free right after `exempt(a BrokenCircuitError)`. */
export class BreakerWaitBudget extends RetryBudget {
  readonly #inner: RetryBudget;
  #free = false;

  constructor(inner: RetryBudget) {
    super({ ratio: inner.ratio, minPerSecond: inner.minPerSecond, windowMs: inner.windowMs });
    this.#inner = inner;
  }

  /** The retry being decided is for `error`: free when it is a refusal by an open breaker. */
  exempt(error: unknown): void {
    this.#free = isBrokenCircuitError(error);
  }

  override recordRequest(): void {
    this.#inner.recordRequest();
  }

  override tryAcquire(): boolean {
    if (this.#free) {
      this.#free = false;
      return true;
    }
    return this.#inner.tryAcquire();
  }

  override allowed(): number {
    return this.#inner.allowed();
  }

  override remaining(): number {
    return this.#inner.remaining();
  }

  override counts(): { requests: number; retries: number } {
    return this.#inner.counts();
  }
}
