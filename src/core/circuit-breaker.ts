/**
 * A circuit breaker. Two strategies open it: the failure rate over a rolling window of
 * `windowMs` (once `minimumRequests` were seen, above `failureRateThreshold`), and
 * `consecutiveFailures` in a row. While open, calls fail fast with
 * {@link BrokenCircuitError} (carrying `retryAfterMs`); after the probe interval one
 * probe is let through: an answer closes the circuit, a failure re-opens it, an end
 * without a verdict (an abort, a local refusal) keeps it open for another interval. The
 * interval grows with the outage (`probeInterval`), up to `resetTimeoutMs`. State
 * serialises with `toJSON()` and comes back through `initialState`, for serverless.
 *
 * opossum holds the state and gates the calls, through its public API only
 * ({@link BreakerGate}); the counts (a {@link RollingWindow}), both strategies and all
 * time — the injected clock's — are this policy's. A closed circuit never calls opossum's
 * `fire()`: a call there costs a count in the window.
 */
import { BreakerGate, isRejection } from './breaker-gate.js';
import { BreakerSettings, type BreakerSettingsOptions } from './breaker-settings.js';
import {
  type BreakerSnapshot,
  type BreakerState,
  ProbeSchedule,
  validateSnapshot,
} from './breaker-state.js';
import {
  BrokenCircuitError,
  isBrokenCircuitError,
  isBulkheadRejectedError,
  isRetryBudgetExhaustedError,
  isThrottledError,
} from './errors.js';
import type { CoreEventMap } from './events.js';
import {
  type AttemptContext,
  BasePolicy,
  contextOf,
  type ExecuteOptions,
  invoke,
  type Operation,
  type PolicyOptions,
} from './policy.js';
import { RollingWindow } from './rolling-window.js';

export type { BreakerSettingsOptions } from './breaker-settings.js';
export { BreakerSettings } from './breaker-settings.js';
export type { BreakerSnapshot, BreakerState, ProbeInterval } from './breaker-state.js';

export interface CircuitBreakerOptions extends PolicyOptions, BreakerSettingsOptions {
  /** State to start from, as returned by `toJSON()`. */
  initialState?: BreakerSnapshot;
  /**
   * The breaker's options validated once (`new BreakerSettings(…)`), for many breakers
   * built alike; the option fields above are then ignored.
   */
  settings?: BreakerSettings;
}

/** Why the circuit opened. */
export type BreakerOpenReason = CoreEventMap['breaker-open']['reason'];

/** How a call ended, for the counts and the strategies. */
type Verdict = 'failure' | 'answer' | 'none';

const REQUESTS = 0;
const FAILURES = 1;

/** A circuit-breaker policy. */
export class CircuitBreakerPolicy extends BasePolicy {
  readonly kind = 'circuit-breaker';
  /** The validated options. */
  readonly settings: BreakerSettings;
  readonly #window: RollingWindow;
  readonly #schedule: ProbeSchedule;
  readonly #gate: BreakerGate;
  /** Failures in a row. */
  #run = 0;
  #opening: BreakerOpenReason | undefined;
  #lastError: unknown;

  constructor(options: CircuitBreakerOptions = {}) {
    super(options);
    this.settings =
      options.settings instanceof BreakerSettings ? options.settings : new BreakerSettings(options);
    const initial = options.initialState;
    if (initial !== undefined) validateSnapshot(initial);
    const now = this.clock.now();
    this.#window = new RollingWindow(this.settings.windowMs, 2);
    this.#schedule = new ProbeSchedule(this.settings.probeInterval, this.settings.resetTimeoutMs);
    let state: BreakerState = 'closed';
    if (initial && initial.state !== 'closed') {
      // Restored open: the probe comes when the instance that saved the state would have sent it.
      this.#schedule.restore(Math.min(now, initial.openedAt ?? now));
      state = initial.state === 'half-open' || this.#schedule.probeAt <= now ? 'half-open' : 'open';
    }
    this.#gate = new BreakerGate(
      (fn, ctx, probe) => this.#call(fn, ctx, probe),
      {
        open: () => this.#opened(),
        close: () => this.#closed(),
        halfOpen: () => this.emit('breaker-half-open', {}),
      },
      state,
    );
    if (initial) {
      this.#window.add(now, initial.requests, REQUESTS);
      this.#window.add(now, initial.failures, FAILURES);
    }
  }

  /** Failure share (0–1] above which the circuit opens. */
  get failureRateThreshold(): number {
    return this.settings.failureRateThreshold;
  }
  /** Requests the window must hold before the rate is judged. */
  get minimumRequests(): number {
    return this.settings.minimumRequests;
  }
  /** Length of the rolling window, ms. */
  get windowMs(): number {
    return this.settings.windowMs;
  }
  /** The longest wait before a probe, ms. */
  get resetTimeoutMs(): number {
    return this.settings.resetTimeoutMs;
  }

  /** The circuit's state now. */
  get state(): BreakerState {
    this.#catchUp();
    return this.#gate.state;
  }

  /** Time until a probe is admitted (0 when closed or half-open). */
  get retryAfterMs(): number {
    this.#catchUp();
    if (!this.#gate.opened) return 0;
    return Math.max(0, this.#schedule.probeAt - this.clock.now());
  }

  execute<T>(fn: Operation<T>, options?: ExecuteOptions): Promise<T> {
    const ctx = contextOf(options);
    if (this.#gate.closed) return this.#call(fn, ctx);
    return this.#gated(fn, ctx);
  }

  /** Forces the circuit open (e.g. from a health check) until the probe interval passes. */
  open(): void {
    this.#open('forced');
  }

  /** Forces the circuit closed. */
  close(): void {
    this.#gate.close();
  }

  /** The state as JSON, for `initialState` in the next instance. */
  toJSON(): BreakerSnapshot {
    const state = this.state;
    const now = this.clock.now();
    const openedAt = this.#schedule.openedAt;
    return {
      state,
      ...(openedAt !== undefined && state !== 'closed' && { openedAt }),
      requests: this.#window.total(now, REQUESTS),
      failures: this.#window.total(now, FAILURES),
    };
  }

  /** Stops the breaker; the policy rejects every call afterwards. */
  dispose(): void {
    this.#gate.shutdown();
  }

  /** A call while the circuit is not closed: opossum rejects it or admits it as the probe. */
  async #gated<T>(fn: Operation<T>, ctx: AttemptContext): Promise<T> {
    this.#catchUp();
    try {
      return (await this.#gate.fire(fn as Operation<unknown>, ctx)) as T;
    } catch (error) {
      if (!isRejection(error)) throw error;
      this.#window.add(this.clock.now(), 1, REQUESTS);
      const state = this.state === 'closed' ? 'open' : this.state;
      const rejected = new BrokenCircuitError(state, this.retryAfterMs, this.#lastError);
      this.emit('rejected', { reason: 'circuit-open', error: rejected });
      throw rejected;
    }
  }

  /** Runs one call, counts it, and moves the circuit by its verdict (`probe`: the breaker that admitted it). */
  async #call<T>(fn: Operation<T>, ctx: AttemptContext, probe?: object): Promise<T> {
    this.#window.add(this.clock.now(), 1, REQUESTS);
    let value: T;
    try {
      value = await invoke(fn, ctx);
    } catch (error) {
      this.#settle(this.#verdict(error, ctx), probe);
      throw error;
    }
    this.#settle('answer', probe);
    return value;
  }

  #verdict(error: unknown, ctx: AttemptContext): Verdict {
    if (this.settings.isFailure(error)) {
      this.#window.add(this.clock.now(), 1, FAILURES);
      this.#lastError = error;
      return 'failure';
    }
    return ctx.signal.aborted || noVerdict(error) ? 'none' : 'answer';
  }

  /**
   * An answer (success, or an error `isFailure` excuses) breaks the run and closes a
   * half-open circuit — also when it comes from a call begun while it was closed. A
   * failure extends the run, re-opens a half-open circuit and, while closed, is judged by
   * both strategies. No verdict changes nothing, except that the probe has then failed.
   */
  #settle(verdict: Verdict, probe: object | undefined): void {
    const gate = this.#gate;
    if (verdict === 'answer') {
      this.#run = 0;
      if (gate.halfOpen) gate.close();
      return;
    }
    if (verdict === 'none') {
      if (probe && gate.isCurrent(probe) && gate.halfOpen) this.#open('probe-failed');
      return;
    }
    this.#run++;
    if (gate.halfOpen) this.#open('probe-failed');
    else if (gate.closed) this.#judge();
  }

  /** The two strategies, after a failure while closed: the window's rate first, then the run. */
  #judge(): void {
    const now = this.clock.now();
    const requests = this.#window.total(now, REQUESTS);
    const { failureRateThreshold, minimumRequests, consecutiveFailures } = this.settings;
    if (
      requests >= minimumRequests &&
      this.#window.total(now, FAILURES) / requests > failureRateThreshold
    ) {
      this.#open('failure-rate');
    } else if (this.#run >= consecutiveFailures) {
      this.#run = 0;
      this.#open('consecutive-failures');
    }
  }

  #open(reason: BreakerOpenReason): void {
    this.#opening = reason;
    this.#gate.open();
    this.#opening = undefined;
  }

  /** Half-opens, lazily, once the probe interval has passed on the clock. */
  #catchUp(): void {
    if (!this.#gate.opened || this.clock.now() < this.#schedule.probeAt) return;
    this.#gate.toHalfOpen();
    this.emit('breaker-half-open', {});
  }

  #opened(): void {
    const now = this.clock.now();
    const retryAfterMs = this.#schedule.open(now);
    const requests = this.#window.total(now, REQUESTS);
    this.emit('breaker-open', {
      failureRate: requests > 0 ? this.#window.total(now, FAILURES) / requests : 1,
      retryAfterMs,
      error: this.#lastError,
      reason: this.#opening ?? 'probe-failed',
    });
  }

  #closed(): void {
    this.#schedule.close(this.clock.now());
    this.emit('breaker-closed', {});
  }
}

/** Creates a {@link CircuitBreakerPolicy}. */
export function circuitBreaker(options?: CircuitBreakerOptions): CircuitBreakerPolicy {
  return new CircuitBreakerPolicy(options);
}

/**
 * Errors that say nothing about the dependency: the call was cancelled, or refused by a
 * local policy before it reached it. Such an end of a half-open probe counts as a failed
 * probe (the circuit stays open another interval) — never as the answer that closes it.
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
