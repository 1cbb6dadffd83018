/**
 * A retry budget, as in Envoy, gRPC and Finagle: over a sliding window, retries are
 * allowed while `retries ≤ ratio × requests + minPerSecond × windowSeconds`. When a
 * dependency fails hard, retries stop at a fixed share of the traffic instead of
 * multiplying it.
 */
import { type Clock, systemClock } from './clock.js';
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

const BUCKETS = 10;

/** A retry budget; share one instance between policies to share the budget. */
export class RetryBudget {
  readonly ratio: number;
  readonly minPerSecond: number;
  readonly windowMs: number;
  readonly #clock: Clock;
  readonly #bucketMs: number;
  readonly #requests = new Array<number>(BUCKETS).fill(0);
  readonly #retries = new Array<number>(BUCKETS).fill(0);
  #bucket: number;

  constructor(options: RetryBudgetOptions = {}) {
    this.ratio = optionalNumber('budget.ratio', options.ratio, 0.2, { min: 0, max: 1 });
    this.minPerSecond = optionalNumber('budget.minPerSecond', options.minPerSecond, 10, { min: 0 });
    this.windowMs = optionalNumber('budget.windowMs', options.windowMs, 10_000, {
      min: 0,
      exclusiveMin: true,
    });
    this.#clock = options.clock ?? systemClock;
    this.#bucketMs = this.windowMs / BUCKETS;
    this.#bucket = Math.floor(this.#clock.now() / this.#bucketMs);
  }

  /** Counts one request (a first attempt). */
  recordRequest(): void {
    this.#requests[this.#advance()]! += 1;
  }

  /** Takes one retry from the budget; false when the budget is spent. */
  tryAcquire(): boolean {
    const slot = this.#advance();
    if (sum(this.#retries) + 1 > this.allowed()) return false;
    this.#retries[slot]! += 1;
    return true;
  }

  /** Retries allowed in the current window. */
  allowed(): number {
    this.#advance();
    return Math.floor(
      this.ratio * sum(this.#requests) + (this.minPerSecond * this.windowMs) / 1000,
    );
  }

  /** Retries still allowed in the current window. */
  remaining(): number {
    return Math.max(0, this.allowed() - sum(this.#retries));
  }

  /** Requests and retries counted in the current window. */
  counts(): { requests: number; retries: number } {
    this.#advance();
    return { requests: sum(this.#requests), retries: sum(this.#retries) };
  }

  /** Rotates out buckets that fell out of the window; returns the current slot. */
  #advance(): number {
    const bucket = Math.floor(this.#clock.now() / this.#bucketMs);
    const gap = Math.min(BUCKETS, bucket - this.#bucket);
    for (let i = 1; i <= gap; i++) {
      const slot = (this.#bucket + i) % BUCKETS;
      this.#requests[slot] = 0;
      this.#retries[slot] = 0;
    }
    if (gap > 0) this.#bucket = bucket;
    return this.#bucket % BUCKETS;
  }
}

/** Creates a {@link RetryBudget}. */
export function retryBudget(options?: RetryBudgetOptions): RetryBudget {
  return new RetryBudget(options);
}

function sum(values: number[]): number {
  let total = 0;
  for (const v of values) total += v;
  return total;
}
