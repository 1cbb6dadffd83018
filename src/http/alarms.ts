/**
 * "Notify a human": turns an origin's figures into alarms, once per crossing. A
 * utilization alarm re-arms when utilization falls back under 90 % of the threshold; a
 * retry-budget alarm at most once per budget window; a breaker alarm on every opening.
 */
import type { Alarm } from './options.js';

/** Alarm state of one origin. */
export class AlarmBell {
  #utilizationArmed = true;
  #budgetQuietUntil = Number.NEGATIVE_INFINITY;

  constructor(
    readonly origin: string,
    readonly threshold: number,
    readonly deliver: (alarm: Alarm) => void,
  ) {}

  /** The origin runs at `share` of its limit (`what` names the limit). */
  utilization(share: number, what: string, now: number): void {
    if (share < this.threshold * 0.9) this.#utilizationArmed = true;
    if (share < this.threshold || !this.#utilizationArmed) return;
    this.#utilizationArmed = false;
    const percent = Math.round(share * 100);
    this.deliver({
      kind: 'utilization',
      origin: this.origin,
      at: now,
      value: share,
      message: `${this.origin} is at ${percent} % of its ${what} (alarm at ${Math.round(this.threshold * 100)} %)`,
    });
  }

  /** The breaker opened (`consecutive`: after that many failures in a row). */
  breakerOpen(failureRate: number, retryAfterMs: number, now: number, consecutive?: number): void {
    const why =
      consecutive === undefined
        ? `${Math.round(failureRate * 100)} % of recent requests failed`
        : `${consecutive} attempts in a row failed`;
    this.deliver({
      kind: 'breaker-open',
      origin: this.origin,
      at: now,
      value: failureRate,
      message: `Circuit to ${this.origin} opened: ${why}; next probe in ${Math.ceil(retryAfterMs / 1000)} s`,
    });
  }

  /** A retry was refused because the budget is spent. */
  budgetExhausted(allowed: number, windowMs: number, now: number): void {
    if (now < this.#budgetQuietUntil) return;
    this.#budgetQuietUntil = now + windowMs;
    this.deliver({
      kind: 'retry-budget',
      origin: this.origin,
      at: now,
      value: allowed,
      message: `Retry budget for ${this.origin} exhausted: ${allowed} retries allowed per ${windowMs / 1000} s; failing requests are no longer retried`,
    });
  }
}
