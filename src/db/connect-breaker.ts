/**
 * Checkouts through the core circuit breaker: `threshold` failed connection attempts in
 * a row (refused, reset, timed out, the server going away) open it (its
 * `consecutiveFailures`), and then callers fail at once with BrokenCircuitError whose
 * `cause` is the last connection error. Only the run trips it — a rate over a window
 * needs volume a dead database does not give — and a refusal for "too many connections"
 * is an answer that breaks the run (the database is up).
 */
import {
  BrokenCircuitError,
  type CircuitBreakerPolicy,
  type Clock,
  circuitBreaker,
} from '../core/internal.js';
import type { DriverAdapter } from './adapters/types.js';
import type { Emit } from './events.js';

export class ConnectBreaker<C> {
  readonly policy: CircuitBreakerPolicy | undefined;
  #lastError: unknown;
  #failures = 0;
  readonly #checkout = (): Promise<C> => this.adapter.checkout();

  constructor(
    readonly adapter: DriverAdapter<C>,
    settings: { threshold: number; resetTimeoutMs: number } | undefined,
    clock: Clock,
    readonly emit: Emit,
    /** The circuit opened: turn the waiters away. */
    onOpen: () => void,
  ) {
    if (!settings) return;
    const policy = circuitBreaker({
      consecutiveFailures: settings.threshold,
      // Never by rate (no share exceeds 1): the run opens it, a failed probe re-opens it.
      failureRateThreshold: 1,
      resetTimeoutMs: settings.resetTimeoutMs,
      isFailure: (error) => adapter.classify(error) === 'connection',
      clock,
    });
    policy.onEvent((event) => {
      if (event.type === 'breaker-open') {
        emit('breaker-open', {
          retryAfterMs: event.retryAfterMs,
          reason: event.reason,
          error: event.error,
        });
        onOpen();
      } else if (event.type === 'breaker-half-open') emit('breaker-half-open', {});
      else if (event.type === 'breaker-closed') emit('breaker-closed', {});
    });
    this.policy = policy;
  }

  /** True while the circuit is open (not half-open: then one probe goes through). */
  get open(): boolean {
    return this.policy?.state === 'open';
  }

  /** Failed connection attempts so far. */
  get failures(): number {
    return this.#failures;
  }

  /** The error a caller gets while the circuit is open. */
  failFast(): BrokenCircuitError {
    const error = new BrokenCircuitError('open', this.policy?.retryAfterMs ?? 0, this.#lastError);
    this.emit('rejected', { reason: 'circuit-open', error });
    return error;
  }

  /** Checks a connection out through the breaker; reports failed attempts. */
  async checkout(): Promise<C> {
    try {
      return await (this.policy ? this.policy.execute(this.#checkout) : this.adapter.checkout());
    } catch (error) {
      if (this.adapter.classify(error) === 'connection') {
        this.#failures++;
        this.#lastError = error;
        this.emit('connection-failed', { code: this.adapter.codeOf(error), error });
      }
      throw error;
    }
  }

  dispose(): void {
    this.policy?.dispose();
  }
}
