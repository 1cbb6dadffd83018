/**
 * A second way for an origin's breaker to open: `threshold` attempt failures in a row.
 * The failure rate over a rolling window needs volume and forgets slowly — ten seconds
 * of healthy traffic outvote the first seconds of an outage, so the window alone lets a
 * hundred requests reach a dead server — while an outage shows at once as an unbroken
 * run of failures, at any traffic. Random errors rarely line up: at a 20 % error rate,
 * ten in a row happen once in ten million attempts. (Envoy's outlier detection ejects a
 * host after 5 consecutive 5xx for the same reason.)
 */
import { type CircuitBreakerPolicy, EventHub, type Policy } from '../core/internal.js';
import { AttemptFailure } from './attempt-failure.js';

/**
 * Counts consecutive breaker failures and forces the breaker open at the threshold
 * (`Infinity`: never); marks a failed half-open probe on its {@link AttemptFailure}.
 */
export class ConsecutiveTrip {
  #run = 0;
  /** The breaker's last opening was this trip's doing (read by the alarm). */
  tripped = false;

  constructor(
    readonly threshold: number,
    readonly breaker: CircuitBreakerPolicy,
  ) {}

  /** Failures in a row so far. */
  get run(): number {
    return this.#run;
  }

  /** An attempt through the breaker ended: `failure` as the breaker counts it. */
  record(failure: boolean): void {
    if (!failure) {
      this.#run = 0;
      return;
    }
    if (++this.#run < this.threshold || this.breaker.state !== 'closed') return;
    this.#run = 0;
    this.tripped = true;
    this.breaker.open();
    this.tripped = false;
  }

  /**
   * The breaker as a pipeline stage that reports each outcome to `record`: an answer or
   * a non-failure (429, 408) breaks the run, a breaker failure extends it; a refusal by
   * the open breaker, an abort or the deadline leave it alone. Its events stay on the
   * breaker's own hub (the origin forwards them once).
   */
  policy(): Policy {
    const breaker = this.breaker;
    const events = new EventHub();
    const ok = <T>(value: T): T => {
      this.#run = 0;
      return value;
    };
    const failed = (error: unknown): never => {
      // A refusal by the open breaker (BrokenCircuitError), an abort or the deadline is
      // no news about the server: only attempts that got an answer or an error count.
      if (error instanceof AttemptFailure) this.record(error.breakerFailure);
      throw error;
    };
    const failedProbe = (error: unknown): never => {
      if (error instanceof AttemptFailure) error.probe = true;
      return failed(error);
    };
    return {
      kind: breaker.kind,
      events,
      // The one call a half-open breaker admits is its probe.
      execute: (fn, options) =>
        breaker.execute(fn, options).then(ok, breaker.state === 'half-open' ? failedProbe : failed),
      onEvent: (listener) => events.onEvent(listener),
      on: (type, listener) => events.on(type, listener),
    };
  }
}
