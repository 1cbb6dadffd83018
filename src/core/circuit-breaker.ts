/**
 * A circuit breaker on opossum: a rolling window of `windowMs` counts requests and
 * failures; when at least `minimumRequests` were seen and the failure rate exceeds
 * `failureRateThreshold`, the circuit opens and calls fail fast with
 * {@link BrokenCircuitError} (carrying `retryAfterMs`). After `resetTimeoutMs` one
 * probe is let through: success closes, failure re-opens. State serialises with
 * `toJSON()` and comes back through `initialState`, for serverless instances.
 *
 * The injected clock drives the rolling window and `retryAfterMs`; the open → half-open
 * timer is opossum's own (`setTimeout`, unref'd), so tests drive it with fake timers.
 */
import CircuitBreaker from 'opossum';
import {
  type BreakerSnapshot,
  type BreakerState,
  type BucketCount,
  bucketCounter,
  LazyWindow,
  validateSnapshot,
} from './breaker-state.js';
import {
  BrokenCircuitError,
  isBrokenCircuitError,
  isBulkheadRejectedError,
  isRetryBudgetExhaustedError,
  isThrottledError,
} from './errors.js';
import {
  type AttemptContext,
  BasePolicy,
  contextOf,
  type ExecuteOptions,
  invoke,
  type Operation,
  type PolicyOptions,
} from './policy.js';
import { functionOption, optionalNumber } from './validate.js';

export type { BreakerSnapshot, BreakerState } from './breaker-state.js';

export interface CircuitBreakerOptions extends PolicyOptions {
  /** Failure share (0–1] above which the circuit opens. @default 0.5 */
  failureRateThreshold?: number;
  /** Requests the window must hold before the rate is judged. @default 10 */
  minimumRequests?: number;
  /** Length of the rolling window. @default 10000 */
  windowMs?: number;
  /** How long the circuit stays open before a probe. @default 30000 */
  resetTimeoutMs?: number;
  /** Which errors count as failures. @default every error but an abort */
  isFailure?: (error: unknown) => boolean;
  /** State to start from, as returned by `toJSON()`. */
  initialState?: BreakerSnapshot;
}

const BUCKETS = 10;
const EMPTY: unknown[] = [];
type Action = (fn: Operation<unknown>, ctx: ReturnType<typeof contextOf>) => Promise<unknown>;

/** A circuit-breaker policy. */
export class CircuitBreakerPolicy extends BasePolicy {
  readonly kind = 'circuit-breaker';
  readonly failureRateThreshold: number;
  readonly minimumRequests: number;
  readonly windowMs: number;
  readonly resetTimeoutMs: number;
  readonly #breaker: CircuitBreaker<Parameters<Action>, unknown>;
  readonly #window: LazyWindow;
  readonly #isFailure: (error: unknown) => boolean;
  readonly #count: (count: BucketCount) => void;
  #openedAt: number | undefined;
  #lastError: unknown;

  constructor(options: CircuitBreakerOptions = {}) {
    super(options);
    this.failureRateThreshold = optionalNumber(
      'failureRateThreshold',
      options.failureRateThreshold,
      0.5,
      {
        min: 0,
        max: 1,
        exclusiveMin: true,
      },
    );
    this.minimumRequests = optionalNumber('minimumRequests', options.minimumRequests, 10, {
      min: 1,
      integer: true,
    });
    this.windowMs = optionalNumber('windowMs', options.windowMs, 10_000, {
      min: BUCKETS,
      integer: true,
    });
    this.resetTimeoutMs = optionalNumber('resetTimeoutMs', options.resetTimeoutMs, 30_000, {
      min: 0,
    });
    const isFailure = functionOption(
      'isFailure',
      options.isFailure,
      (e: unknown) => (e as Error)?.name !== 'AbortError',
    );
    this.#isFailure = isFailure;
    const initial = options.initialState;
    if (initial !== undefined) validateSnapshot(initial);
    this.#window = new LazyWindow(this.clock, this.windowMs, BUCKETS);
    const action: Action = (fn, ctx) => invoke(fn, ctx);
    this.#breaker = new CircuitBreaker(action, {
      timeout: false,
      resetTimeout: this.resetTimeoutMs,
      errorThresholdPercentage: this.failureRateThreshold * 100,
      volumeThreshold: this.minimumRequests,
      rollingCountTimeout: this.windowMs,
      rollingCountBuckets: BUCKETS,
      rollingPercentilesEnabled: false,
      enableSnapshots: false,
      // Buckets rotate lazily from the injected clock: no interval timer per breaker.
      rotateBucketController: this.#window.controller as never,
      // A half-open probe that ends without a verdict must not close the circuit.
      errorFilter: (error: unknown) =>
        !isFailure(error) && !(this.#breaker.halfOpen && noVerdict(error)),
      ...(initial && {
        state: {
          closed: initial.state === 'closed',
          open: initial.state === 'open',
          halfOpen: initial.state === 'half-open',
          // opossum measures the open period on the wall clock; translate from ours.
          lastTimerAt:
            initial.openedAt === undefined
              ? undefined
              : Date.now() - (this.clock.now() - initial.openedAt),
        },
        status: CircuitBreaker.newStatus({
          rollingCountBuckets: BUCKETS,
          rollingCountTimeout: this.windowMs,
          rotateBucketController: this.#window.controller as never,
          stats: {
            fires: initial.requests,
            failures: initial.failures,
            successes: initial.requests - initial.failures,
          },
        } as never),
      }),
    } as CircuitBreaker.Options<Parameters<Action>>);
    this.#count = bucketCounter(this.#breaker.status);
    // A restored open circuit waits a full reset period from now (opossum restarts its timer).
    if (initial && initial.state !== 'closed') this.#openedAt = this.clock.now();
    this.#breaker.on('failure', (error: unknown) => {
      this.#lastError = error;
    });
    this.#breaker.on('open', () => {
      this.#openedAt = this.clock.now();
      const { fires, failures } = this.#breaker.stats;
      this.emit('breaker-open', {
        failureRate: fires > 0 ? failures / fires : 1,
        retryAfterMs: this.resetTimeoutMs,
        error: this.#lastError,
      });
    });
    this.#breaker.on('halfOpen', () => this.emit('breaker-half-open', {}));
    this.#breaker.on('close', () => {
      this.#openedAt = undefined;
      this.emit('breaker-closed', {});
    });
  }

  /** The circuit's state now. */
  get state(): BreakerState {
    if (this.#breaker.closed) return 'closed';
    return this.#breaker.halfOpen ? 'half-open' : 'open';
  }

  /** Time until a probe is admitted (0 when closed or half-open). */
  get retryAfterMs(): number {
    if (this.state !== 'open' || this.#openedAt === undefined) return 0;
    return Math.max(0, this.#openedAt + this.resetTimeoutMs - this.clock.now());
  }

  async execute<T>(fn: Operation<T>, options?: ExecuteOptions): Promise<T> {
    this.#window.catchUp();
    const breaker = this.#breaker;
    if (breaker.closed && !breaker.pendingClose) return this.#closed(fn, contextOf(options));
    try {
      return (await this.#breaker.fire(fn as Operation<unknown>, contextOf(options))) as T;
    } catch (error) {
      if (
        (error as { code?: string })?.code === 'EOPENBREAKER' &&
        CircuitBreaker.isOurError(error as Error)
      ) {
        const state = this.state === 'closed' ? 'open' : this.state;
        const rejected = new BrokenCircuitError(state, this.retryAfterMs, this.#lastError);
        this.emit('rejected', { reason: 'circuit-open', error: rejected });
        throw rejected;
      }
      throw error;
    }
  }

  /**
   * A call while the circuit is closed, without opossum's `fire()`: the same counts go
   * into opossum's window, and a failure is judged as opossum's `fail()` judges it, so
   * opossum stays the state machine (open, half-open, close) and its stats stay exact.
   * Latencies are not recorded: only rolling percentiles read them, and they are off.
   */
  async #closed<T>(fn: Operation<T>, ctx: AttemptContext): Promise<T> {
    this.#count('fires');
    let value: T;
    try {
      value = await invoke(fn, ctx);
    } catch (error) {
      if (this.#isFailure(error)) this.#fail(error);
      else if (!(this.#breaker.halfOpen && noVerdict(error))) this.#succeeded(error);
      throw error;
    }
    this.#succeeded(value);
    return value;
  }

  /** A success; through opossum's event only if the circuit went half-open meanwhile (it closes). */
  #succeeded(result: unknown): void {
    if (this.#breaker.halfOpen) this.#breaker.emit('success', result, 0);
    else this.#count('successes');
  }

  /** opossum's `fail()`: count the failure, then open past the threshold (or from half-open). */
  #fail(error: unknown): void {
    const breaker = this.#breaker;
    breaker.emit('failure', error, 0, EMPTY);
    if (breaker.warmUp) return;
    const { fires, failures } = breaker.stats;
    if (fires < breaker.volumeThreshold && !breaker.halfOpen) return;
    if ((failures / fires) * 100 > this.failureRateThreshold * 100 || breaker.halfOpen)
      breaker.open();
  }

  /** Forces the circuit open (e.g. from a health check) until the reset timeout passes. */
  open(): void {
    this.#breaker.open();
  }

  /** Forces the circuit closed. */
  close(): void {
    this.#breaker.close();
  }

  /** The state as JSON, for `initialState` in the next instance. */
  toJSON(): BreakerSnapshot {
    this.#window.catchUp();
    const { fires, failures } = this.#breaker.stats;
    return {
      state: this.state,
      ...(this.#openedAt !== undefined && this.state !== 'closed' && { openedAt: this.#openedAt }),
      requests: fires,
      failures,
    };
  }

  /** Stops the breaker's reset timer; the policy rejects every call afterwards. */
  dispose(): void {
    this.#breaker.shutdown();
  }
}

/** Creates a {@link CircuitBreakerPolicy}. */
export function circuitBreaker(options?: CircuitBreakerOptions): CircuitBreakerPolicy {
  return new CircuitBreakerPolicy(options);
}

/**
 * Errors that say nothing about the dependency: the call was cancelled, or refused by a
 * local policy before it reached it. Such an end of a half-open probe counts as a failed
 * probe (the circuit stays open another reset period) — never as the success that closes it.
 */
function noVerdict(error: unknown): boolean {
  return (
    (error as Error | undefined)?.name === 'AbortError' ||
    isThrottledError(error) ||
    isBulkheadRejectedError(error) ||
    isBrokenCircuitError(error) ||
    isRetryBudgetExhaustedError(error)
  );
}
