/**
 * The retry policy of an origin's pipeline, and what counts against its limit. selfheal
 * decides every retry itself (p-retry's own limit is infinite): an attempt's answer says
 * whether it may be repeated, and its request how many failures it already had.
 */
import { isBrokenCircuitError, type RetryDecision, RetryPolicy } from '../core/internal.js';
import { AttemptFailure } from './attempt-failure.js';
import type { BreakerWaitBudget } from './breaker-wait-budget.js';
import type { Resolved } from './resolve-options.js';

/**
 * The retry policy for requests with (`bounded`) or without a deadline.
 *
 * An open breaker is waited through only when a deadline bounds the wait. A request that
 * met an open breaker never left: waiting for the probe is allowed whatever its method or
 * retry limit, it costs no retry budget, and the deadline ends it. The retry limit
 * counts a request's failed attempts, not its waits at the breaker (which also go round
 * the retry loop); a failed half-open probe, sent on behalf of every waiting request,
 * does not count either when a deadline bounds the waiting — otherwise the request that
 * happens to carry the probes of a long outage runs out of retries while the others wait.
 */
export function originRetry(
  config: Resolved,
  budget: BreakerWaitBudget | undefined,
  bounded: boolean,
): RetryPolicy {
  const { backoff, maxRetryAfterMs, clock, random } = config;
  const failures = new WeakMap<Request, number>();
  const shouldRetry = ({ error, attempt }: RetryDecision) => {
    budget?.exempt(error);
    if (error instanceof AttemptFailure) {
      if (!error.retryable) return false;
      if (bounded && error.probe) return true;
      const request = error.request;
      if (!request) return attempt <= error.limit;
      const failed = (failures.get(request) ?? 0) + 1;
      failures.set(request, failed);
      return failed <= error.limit;
    }
    return bounded && isBrokenCircuitError(error);
  };
  return new RetryPolicy({
    limit: Number.POSITIVE_INFINITY,
    backoff,
    maxRetryAfterMs,
    budget,
    shouldRetry,
    random,
    clock,
  });
}
