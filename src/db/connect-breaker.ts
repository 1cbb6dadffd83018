/**
 * Checkouts through the core circuit breaker: failed connection attempts in a row
 * (refused, reset, timed out, the server going away) open it, and then callers fail at
 * once with BrokenCircuitError whose `cause` is the last connection error. Only a run of
 * failures trips it — a rate over a window needs volume a dead database does not give —
 * and a refusal for "too many connections" breaks the run (the database is up).
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
  #consecutive = 0;
  #lastError: unknown;
  #failures = 0;
  readonly #checkout = (): Promise<C> => this.adapter.checkout();

  constructor(
    readonly adapter: DriverAdapter<C>,
    readonly settings: { threshold: number; resetTimeoutMs: number } | undefined,
    clock: Clock,
    readonly emit: Emit,
    /** The circuit opened: turn the waiters away. */
    onOpen: () => void,
  ) {
    if (!settings) return;
    const policy = circuitBreaker({
      // Never by rate; the run of failures opens it, a failed half-open probe re-opens it.
      failureRateThreshold: 1,
      resetTimeoutMs: settings.resetTimeoutMs,
      isFailure: (error) => adapter.classify(error) === 'connection',
      clock,
    });
    policy.onEvent((event) => {
      if (event.type === 'breaker-open') {
        emit('breaker-open', {
          retryAfterMs: event.retryAfterMs,
          consecutive: this.#consecutive,
          error: this.#lastError,
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

  /** Checks a connection out through the breaker, counting failed attempts in a row. */
  async checkout(): Promise<C> {
    const policy = this.policy;
    try {
      const connection = await (policy ? policy.execute(this.#checkout) : this.adapter.checkout());
      this.#consecutive = 0;
      return connection;
    } catch (error) {
      const verdict = this.adapter.classify(error);
      if (verdict !== 'connection') {
        if (verdict === 'saturated') this.#consecutive = 0;
        throw error;
      }
      this.#failures++;
      this.#lastError = error;
      this.#consecutive++;
      this.emit('connection-failed', {
        code: this.adapter.codeOf(error),
        consecutive: this.#consecutive,
        error,
      });
      if (policy && this.#consecutive >= this.settings!.threshold && policy.state === 'closed')
        policy.open();
      throw error;
    }
  }

  dispose(): void {
    this.policy?.dispose();
  }
}
