/**
 * What the circuit breaker keeps besides opossum: its serialisable snapshot, and the
 * rolling window's rotation, driven lazily by the injected clock instead of opossum's
 * per-breaker interval timers.
 */
import type { Clock } from './clock.js';
import { numberOption } from './validate.js';

export type BreakerState = 'closed' | 'open' | 'half-open';

/** A breaker's state as plain JSON, for `initialState`. */
export interface BreakerSnapshot {
  state: BreakerState;
  /** Clock time the circuit last opened (open / half-open only). */
  openedAt?: number;
  /** Requests and failures in the current window. */
  requests: number;
  failures: number;
}

/** Throws a TypeError/RangeError naming the field when a snapshot is malformed. */
export function validateSnapshot(s: BreakerSnapshot): void {
  if (typeof s !== 'object' || s === null || !['closed', 'open', 'half-open'].includes(s.state)) {
    throw new TypeError("Expected `initialState.state` to be one of 'closed', 'open', 'half-open'");
  }
  numberOption('initialState.requests', s.requests, { min: 0, integer: true });
  numberOption('initialState.failures', s.failures, { min: 0, max: s.requests, integer: true });
  if (s.openedAt !== undefined) numberOption('initialState.openedAt', s.openedAt);
}

/**
 * Rotates opossum's bucket window from the clock. `controller` is the slice of an
 * EventEmitter opossum's Status subscribes to; `catchUp()` rotates once per bucket
 * that elapsed since the last call (at most a whole window's worth).
 */
export class LazyWindow {
  readonly #listeners = new Set<() => void>();
  readonly #clock: Clock;
  readonly #bucketMs: number;
  readonly #buckets: number;
  #bucket: number;
  readonly controller = {
    on: (_: unknown, fn: () => void) => this.#listeners.add(fn),
    removeListener: (_: unknown, fn: () => void) => this.#listeners.delete(fn),
    listenerCount: (_: unknown, fn?: () => void) =>
      fn ? Number(this.#listeners.has(fn)) : this.#listeners.size,
  };

  constructor(clock: Clock, windowMs: number, buckets: number) {
    this.#clock = clock;
    this.#buckets = buckets;
    this.#bucketMs = windowMs / buckets;
    this.#bucket = this.#now();
  }

  catchUp(): void {
    const bucket = this.#now();
    const steps = Math.min(this.#buckets, bucket - this.#bucket);
    if (steps <= 0) return;
    this.#bucket = bucket;
    for (let i = 0; i < steps; i++) for (const rotate of this.#listeners) rotate();
  }

  #now(): number {
    return Math.floor(this.#clock.now() / this.#bucketMs);
  }
}

/** A count kept in opossum's current bucket. */
export type BucketCount = 'fires' | 'successes';

/**
 * Counts straight into opossum's current bucket. `Status.increment()` also records a
 * latency per outcome, which only rolling percentiles read (off here): a growing array
 * per bucket for nothing. opossum keeps its window under a private symbol; if that
 * layout ever changes, this falls back to `increment()`.
 */
export function bucketCounter(status: object): (count: BucketCount) => void {
  const key = Object.getOwnPropertySymbols(status).find((s) => s.description === 'window');
  const window = key === undefined ? undefined : (status as Record<symbol, unknown>)[key];
  const head = Array.isArray(window)
    ? (window[0] as Record<string, unknown> | undefined)
    : undefined;
  if (typeof head?.fires === 'number' && typeof head.successes === 'number') {
    const buckets = window as Record<BucketCount, number>[];
    return (count) => {
      buckets[0]![count]++;
    };
  }
  const fallback = status as { increment(count: BucketCount): void };
  return (count) => fallback.increment(count);
}
