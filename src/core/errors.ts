/**
 * selfheal's error classes. Each has a stable `name`, a `cause` when it masks another
 * error, and the figures a person needs to act on it. Guards compare a marker and the
 * `name`, not the prototype, so they work across realms and duplicated bundles.
 */

const MARKER = Symbol.for('selfheal.error');

/** Base class of every error selfheal itself raises. The user's own errors pass through. */
export class SelfhealError extends Error {
  override name = 'SelfhealError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    Object.defineProperty(this, MARKER, { value: true });
  }
}

/** The self-throttle would have made the call wait longer than `maxWaitMs`. */
export class ThrottledError extends SelfhealError {
  override name = 'ThrottledError';
  /** How long until a token is expected to be free. */
  readonly retryAfterMs: number;
  /** Tokens per second when the call was refused. */
  readonly rate: number;
  constructor(retryAfterMs: number, rate: number, maxWaitMs: number) {
    super(
      `Throttled: a token is ${Math.ceil(retryAfterMs)} ms away (rate ${round(rate)}/s), more than maxWaitMs ${maxWaitMs}`,
    );
    this.retryAfterMs = retryAfterMs;
    this.rate = rate;
  }
}

/** A retry was refused because the retry budget is spent; `cause` is the last failure. */
export class RetryBudgetExhaustedError extends SelfhealError {
  override name = 'RetryBudgetExhaustedError';
  /** Attempts made before the budget refused another one. */
  readonly attempts: number;
  /** Retries the budget allowed in its current window. */
  readonly retriesAllowed: number;
  constructor(attempts: number, retriesAllowed: number, cause: unknown) {
    super(
      `Retry budget exhausted after ${attempts} attempt(s): ${retriesAllowed} retries allowed in the current window`,
      { cause },
    );
    this.attempts = attempts;
    this.retriesAllowed = retriesAllowed;
  }
}

/** The circuit is open (or half-open with its probe in flight): the call was not made. */
export class BrokenCircuitError extends SelfhealError {
  override name = 'BrokenCircuitError';
  /** Time until the breaker admits a half-open probe; 0 while a probe is in flight. */
  readonly retryAfterMs: number;
  readonly state: 'open' | 'half-open';
  constructor(state: 'open' | 'half-open', retryAfterMs: number, cause?: unknown) {
    super(
      state === 'open'
        ? `Circuit open: the next probe is allowed in ${Math.ceil(retryAfterMs)} ms`
        : 'Circuit half-open: a probe is in flight',
      { cause },
    );
    this.state = state;
    this.retryAfterMs = retryAfterMs;
  }
}

/** One attempt ran longer than its `timeout`. */
export class TimeoutError extends SelfhealError {
  override name = 'TimeoutError';
  readonly timeoutMs: number;
  constructor(timeoutMs: number) {
    super(`Attempt timed out after ${timeoutMs} ms`);
    this.timeoutMs = timeoutMs;
  }
}

/** The whole operation, retries and waits included, ran past its deadline. */
export class DeadlineExceededError extends SelfhealError {
  override name = 'DeadlineExceededError';
  /** The budget the operation had. */
  readonly deadlineMs: number;
  /** Time spent when the deadline fired. */
  readonly elapsedMs: number;
  constructor(
    deadlineMs: number,
    elapsedMs: number,
    options?: { cause?: unknown; message?: string },
  ) {
    super(
      options?.message ?? `Deadline of ${deadlineMs} ms exceeded after ${Math.round(elapsedMs)} ms`,
      options,
    );
    this.deadlineMs = deadlineMs;
    this.elapsedMs = elapsedMs;
  }
}

/** The bulkhead had no free slot and its queue was full. */
export class BulkheadRejectedError extends SelfhealError {
  override name = 'BulkheadRejectedError';
  readonly maxConcurrent: number;
  readonly queueLimit: number;
  constructor(maxConcurrent: number, queueLimit: number) {
    super(`Bulkhead full: ${maxConcurrent} running and ${queueLimit} queued`);
    this.maxConcurrent = maxConcurrent;
    this.queueLimit = queueLimit;
  }
}

/** Why a pool guard gave no connection: see {@link PoolSaturatedError.reason}. */
export type PoolSaturatedReason = 'timeout' | 'queue-full' | 'shed';

/**
 * A pool guard gave no connection: the caller waited `acquireTimeoutMs` (`timeout`), the
 * wait queue was full (`queue-full`), or the wait was given up for higher-priority work
 * (`shed`). `cause` is the database's last refusal (`too many connections`) when there was one.
 */
export class PoolSaturatedError extends SelfhealError {
  override name = 'PoolSaturatedError';
  readonly reason: PoolSaturatedReason;
  /** Connections the guard had checked out (or was opening) at that moment. */
  readonly inUse: number;
  /** Callers waiting for a connection at that moment, this one not counted. */
  readonly waiting: number;
  /** The limit the caller waited on: the guard's concurrency limit, or the fleet's slots. */
  readonly limit: number;
  /** How long the caller waited. */
  readonly waitedMs: number;
  constructor(
    figures: {
      reason: PoolSaturatedReason;
      inUse: number;
      waiting: number;
      limit: number;
      waitedMs: number;
      /** What the limit is: `connections` (this guard) or `fleet slots`. @default 'connections' */
      of?: string;
    },
    options?: { cause?: unknown },
  ) {
    const { reason, inUse, waiting, limit, waitedMs, of = 'connections' } = figures;
    const why =
      reason === 'timeout'
        ? `no connection within ${Math.round(waitedMs)} ms`
        : reason === 'queue-full'
          ? 'the wait queue is full'
          : `shed for higher-priority work after ${Math.round(waitedMs)} ms`;
    super(
      `Pool saturated: ${why} (${inUse} in use of ${limit} ${of}, ${waiting} waiting)`,
      options,
    );
    this.reason = reason;
    this.inUse = inUse;
    this.waiting = waiting;
    this.limit = limit;
    this.waitedMs = waitedMs;
  }
}

/** An answer's body is larger than the caller allows (`maxBodyBytes`): it was cancelled, not read. */
export class BodyTooLargeError extends SelfhealError {
  override name = 'BodyTooLargeError';
  /** The limit, bytes. */
  readonly limit: number;
  /** Who sent it (scheme://host:port). */
  readonly origin: string;
  /** The size the answer declared (`Content-Length`), or the bytes read when it passed the limit. */
  readonly bytes: number;
  constructor(limit: number, origin: string, bytes: number, declared: boolean) {
    super(
      declared
        ? `Response from ${origin} declares ${bytes} bytes, more than maxBodyBytes (${limit}): not read`
        : `Response body from ${origin} passed maxBodyBytes (${limit}): cancelled after ${bytes} bytes`,
    );
    this.limit = limit;
    this.origin = origin;
    this.bytes = bytes;
  }
}

/**
 * A dependency's advertised quota (RateLimit headers) is spent and resets after the call's
 * deadline: the call failed at once instead of sleeping into its deadline.
 */
export class QuotaExhaustedError extends SelfhealError {
  override name = 'QuotaExhaustedError';
  /** Time until the quota resets (capped as a server-requested delay is). */
  readonly retryAfterMs: number;
  /** Time that was left before the call's deadline. */
  readonly remainingMs: number;
  /** Whose quota (scheme://host:port). */
  readonly origin: string;
  constructor(origin: string, retryAfterMs: number, remainingMs: number) {
    super(
      `Quota of ${origin} is spent until it resets in ${retryAfterMs >= 1000 ? `${Math.round(retryAfterMs / 1000)} s` : `${Math.ceil(retryAfterMs)} ms`}, after the deadline (${Math.max(0, Math.round(remainingMs))} ms left): not sent`,
    );
    this.origin = origin;
    this.retryAfterMs = retryAfterMs;
    this.remainingMs = remainingMs;
  }
}

/** True for any error raised by selfheal, from any realm or copy of the package. */
export function isSelfhealError(error: unknown): error is SelfhealError {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as Record<symbol, unknown>)[MARKER] === true
  );
}

const guard =
  <T extends SelfhealError>(name: string) =>
  (error: unknown): error is T =>
    isSelfhealError(error) && error.name === name;

export const isThrottledError = guard<ThrottledError>('ThrottledError');
export const isRetryBudgetExhaustedError = guard<RetryBudgetExhaustedError>(
  'RetryBudgetExhaustedError',
);
export const isBrokenCircuitError = guard<BrokenCircuitError>('BrokenCircuitError');
export const isTimeoutError = guard<TimeoutError>('TimeoutError');
export const isDeadlineExceededError = guard<DeadlineExceededError>('DeadlineExceededError');
export const isBulkheadRejectedError = guard<BulkheadRejectedError>('BulkheadRejectedError');
export const isPoolSaturatedError = guard<PoolSaturatedError>('PoolSaturatedError');
export const isBodyTooLargeError = guard<BodyTooLargeError>('BodyTooLargeError');
export const isQuotaExhaustedError = guard<QuotaExhaustedError>('QuotaExhaustedError');

/** A guard for an error class defined elsewhere in selfheal (db, http): compares `name`. */
export function isSelfhealErrorNamed<T extends SelfhealError>(
  name: string,
): (error: unknown) => error is T {
  return guard<T>(name);
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
