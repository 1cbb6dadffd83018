/**
 * A retry budget, as in Envoy, gRPC and Finagle: over a sliding window, retries are
 * allowed while `retries ≤ ratio × requests + minPerSecond × windowSeconds`. When a
 * dependency fails hard, retries stop at a fixed share of the traffic instead of
 * multiplying it.
 */
import { type Clock, systemClock } from './clock.js';
import { RollingWindow } from './rolling-window.js';
import { optionalNumber } from './validate.js';

export interface RetryBudgetOptions {
  /** Retries allowed per request in the window. @default 0.2 */
  ratio?: number;
  /** Retries always allowed per second, so low traffic can still retry. @default 10 */
  minPerSecond?: number;
  /** The sliding window. @default 10000 */
  windowMs?: number;
  /** @default systemClock */
  clock?: Clock;
}

const REQUESTS = 0;
const RETRIES = 1;

/** A retry budget; share one instance between policies to share the budget. */
export class RetryBudget {
  readonly ratio: number;
  readonly minPerSecond: number;
  readonly windowMs: number;
  readonly #clock: Clock;
  readonly #window: RollingWindow;

  constructor(options: RetryBudgetOptions = {}) {
    this.ratio = optionalNumber('budget.ratio', options.ratio, 0.2, { min: 0, max: 1 });
    this.minPerSecond = optionalNumber('budget.minPerSecond', options.minPerSecond, 10, { min: 0 });
    this.windowMs = optionalNumber('budget.windowMs', options.windowMs, 10_000, {
      min: 0,
      exclusiveMin: true,
    });
    this.#clock = options.clock ?? systemClock;
    this.#window = new RollingWindow(this.windowMs, 2);
  }

  /** Counts one request (a first attempt). */
  recordRequest(): void {
    this.#window.add(this.#clock.now(), 1, REQUESTS);
  }

  /** Takes one retry from the budget; false when the budget is spent. */
  tryAcquire(): boolean {
    const now = this.#clock.now();
    if (this.#window.total(now, RETRIES) + 1 > this.#allowed(now)) return false;
    this.#window.add(now, 1, RETRIES);
    return true;
  }

  /** Retries allowed in the current window. */
  allowed(): number {
    return this.#allowed(this.#clock.now());
  }

  /** Retries still allowed in the current window. */
  remaining(): number {
    const now = this.#clock.now();
    return Math.max(0, this.#allowed(now) - this.#window.total(now, RETRIES));
  }

  /** Requests and retries counted in the current window. */
  counts(): { requests: number; retries: number } {
    const now = this.#clock.now();
    return {
      requests: this.#window.total(now, REQUESTS),
      retries: this.#window.total(now, RETRIES),
    };
  }

  #allowed(now: number): number {
    return Math.floor(
      this.ratio * this.#window.total(now, REQUESTS) + (this.minPerSecond * this.windowMs) / 1000,
    );
  }
}

/** Creates a {@link RetryBudget}. */
export function retryBudget(options?: RetryBudgetOptions): RetryBudget {
  return new RetryBudget(options);
}
