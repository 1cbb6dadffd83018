/**
 * What an answer means for the policies: retry it? is it a "slow down" signal for the
 * adaptive rate? does it count against the breaker? A busy server is not a dead one:
 * 429, and 503 with a valid Retry-After, feed the rate and never the breaker.
 */
import { originOf } from './origin-of.js';
import { parseQuota, type Quota } from './rate-limit-headers.js';
import type { RetryRules } from './resolve-options.js';
import { parseRetryAfter } from './retry-after.js';

/** The policies' reading of one answer. */
export interface Verdict {
  /** 2xx–3xx, or an error status that is nobody's failure (404). */
  ok: boolean;
  /** Another attempt is allowed (status, method, Idempotency-Key). */
  retry: boolean;
  /** A "slow down" signal for the adaptive rate. */
  throttle: boolean;
  /** Counts as a failure for the circuit breaker. */
  breakerFailure: boolean;
  /** The delay the server asked for (Retry-After, else the quota reset when none is left). */
  retryAfterMs: number | undefined;
  /** Quota headers, when present. */
  quota: Quota | undefined;
}

/** Whether a request may be sent again: an idempotent method, or an `Idempotency-Key` header. */
export function mayRepeat(request: Request, rules: RetryRules): boolean {
  return rules.methods.has(request.method.toLowerCase()) || request.headers.has('idempotency-key');
}

/** What an answer is judged against. */
export interface Judged {
  /** {@link mayRepeat} for its request. */
  repeatable: boolean;
  rules: RetryRules;
  /** The "slow down" statuses. */
  throttleStatuses: ReadonlySet<number> | undefined;
  /** Wall-clock ms. */
  now: number;
  /** The request's origin: quota headers of an answer from elsewhere (after a redirect) are not its quota. */
  origin: string;
}

/** Classifies an answer. */
export function classify(response: Response, judged: Judged): Verdict {
  const { repeatable, rules, throttleStatuses, now } = judged;
  const status = response.status;
  const quota =
    response.redirected && originOf(response.url) !== judged.origin
      ? undefined
      : parseQuota(response.headers, now);
  if (status < 400)
    return {
      ok: true,
      retry: false,
      throttle: false,
      breakerFailure: false,
      retryAfterMs: undefined,
      quota,
    };
  const retryAfter = parseRetryAfter(response.headers.get('retry-after'), now);
  const throttleSignal = throttleStatuses?.has(status) ?? false;
  const busy = status === 429 || (status === 503 && retryAfter !== undefined);
  const retryAfterMs =
    retryAfter ??
    (quota && quota.remaining === 0 && (busy || throttleSignal) ? quota.resetMs : undefined);
  const retryableStatus = rules.statusCodes.has(status);
  const breakerFailure = status >= 500 && !busy;
  return {
    ok: !retryableStatus && !breakerFailure && !throttleSignal,
    retry: retryableStatus && repeatable,
    throttle: throttleSignal,
    breakerFailure,
    retryAfterMs,
    quota,
  };
}
