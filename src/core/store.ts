/**
 * The Store contract: where policies keep state that may be shared by many processes —
 * token buckets, lease semaphores, counters and breaker state. `memoryStore()` (the
 * default everywhere) keeps it in this process; `redisStore()` from `selfheal/redis`
 * keeps it in Redis for a fleet. Policies take a `store` and use one facet of it; they
 * never know which store it is. A store never makes a caller fail: when its backend is
 * slow or gone it answers from a local share and says so through its events.
 */
import type { Clock } from './clock.js';
import type { Disposer, EventOf, SelfhealEvent } from './events.js';

/** A token bucket's shape: `rate` tokens per second, at most `burst` saved. */
export interface BucketSpec {
  rate: number;
  burst: number;
}

/** The answer of {@link BucketStore.take}. */
export interface Reservation {
  /** True when the tokens are yours once `waitMs` has passed; false when refused (nothing taken). */
  granted: boolean;
  /** Granted: how long to wait before using the tokens (0: now). Refused: when to ask again. */
  waitMs: number;
}

/** Token buckets, by key. */
export interface BucketStore {
  /**
   * Reserves `tokens` (default 1) from the bucket `key`. The reservation is refused, and
   * nothing taken, when the wait would exceed `maxWaitMs` (default Infinity).
   */
  take(
    key: string,
    spec: BucketSpec,
    options?: { tokens?: number; maxWaitMs?: number },
  ): Promise<Reservation>;
  /**
   * Lowers (or restores) the rate every holder of `key` uses for `ttlMs`: an adaptive rate
   * learned by one process applies to the fleet. `rate: undefined` clears the override.
   */
  setRate(key: string, rate: number | undefined, ttlMs: number): Promise<void>;
  /** The override in force for `key`, if any. */
  rate(key: string): Promise<number | undefined>;
}

/** One held slot of a lease semaphore. */
export interface Lease {
  readonly key: string;
  readonly id: string;
  /** Extends the lease by its `leaseMs` from now; false when it had expired (the slot is lost). */
  refresh(): Promise<boolean>;
  /** Gives the slot back. Exactly once: later calls resolve and do nothing. */
  release(): Promise<void>;
}

/** Semaphores whose slots expire when their holder stops refreshing them (it died). */
export interface LeaseStore {
  /**
   * Takes one of `max` slots of `key` for `leaseMs`, waiting up to `waitMs` (default 0:
   * answer at once) for one to free up; `undefined` when none did. Rejects with the
   * signal's reason when it aborts.
   */
  acquire(
    key: string,
    options: { max: number; leaseMs: number; waitMs?: number; signal?: AbortSignal },
  ): Promise<Lease | undefined>;
  /** Slots of `key` held now (expired leases not counted). */
  held(key: string): Promise<number>;
}

/** Counters that expire, by key (attempts per record, …). */
export interface CounterStore {
  /** Adds `by` (default 1) and returns the new value; the counter expires `ttlMs` after this write. */
  increment(key: string, options: { ttlMs: number; by?: number }): Promise<number>;
  /** The value now (0 when unknown or expired). */
  get(key: string): Promise<number>;
  delete(key: string): Promise<void>;
}

/** A breaker's state as the fleet sees it. */
export interface SharedBreakerState {
  state: 'open' | 'closed';
  /** Clock time (the store's clock) until which an open circuit admits no probe. */
  until?: number;
}

/** Breaker states shared by the processes that call one dependency. */
export interface BreakerStore {
  read(key: string): Promise<SharedBreakerState | undefined>;
  /** Publishes a transition; it expires after `ttlMs`. */
  write(key: string, state: SharedBreakerState, ttlMs: number): Promise<void>;
  /** Claims the one half-open probe of `key` for `ttlMs`: true for exactly one caller. */
  claimProbe(key: string, ttlMs: number): Promise<boolean>;
}

/** What a store reports: its backend went away (`degraded`) or came back (`recovered`). */
export interface StoreEventMap {
  'store-degraded': { store: string; operation: string; error: unknown };
  'store-recovered': { store: string; degradedMs: number };
}

/** The whole contract: one object, four facets. */
export interface Store {
  /** `memory`, `redis`, … */
  readonly kind: string;
  readonly buckets: BucketStore;
  readonly leases: LeaseStore;
  readonly counters: CounterStore;
  readonly breakers: BreakerStore;
  /** Clock the store's times (`until`) are read on. */
  readonly clock: Clock;
  onEvent(listener: (event: SelfhealEvent<StoreEventMap>) => void): Disposer;
  on<K extends keyof StoreEventMap & string>(
    type: K,
    listener: (event: EventOf<K, StoreEventMap>) => void,
  ): Disposer;
  /** Stops the store's timers and drops its state. */
  close(): Promise<void>;
}
