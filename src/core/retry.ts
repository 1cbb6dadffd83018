/**
 * Retries on p-retry. selfheal computes every delay itself (backoff strategy, or the
 * `retryAfterMs` a server or an open breaker put on the error, capped) and sleeps it on
 * the injected clock, so p-retry runs with `minTimeout: 0` and owns only the loop.
 */
import pRetry from 'p-retry';
import { type Backoff, type ExponentialOptions, exponential } from './backoff.js';
import { type RandomSource, sleep, systemRandom } from './clock.js';
import { isBrokenCircuitError, RetryBudgetExhaustedError } from './errors.js';
import {
  BasePolicy,
  contextOf,
  type ExecuteOptions,
  invoke,
  type Operation,
  type PolicyOptions,
} from './policy.js';
import { RetryBudget, type RetryBudgetOptions } from './retry-budget.js';
import { functionOption, numberOption, objectOption, optionalNumber } from './validate.js';

/** What `shouldRetry` is asked about. */
export interface RetryDecision {
  readonly error: unknown;
  /** The attempt that just failed (1-based). */
  readonly attempt: number;
}

export interface RetryOptions extends PolicyOptions {
  /** Retries after the first attempt. @default 3 */
  limit?: number;
  /** A strategy, or options for {@link exponential}. @default exponential({ baseMs: 100, maxMs: 30000, jitter: 'full' }) */
  backoff?: Backoff | ExponentialOptions;
  /** Longest server-provided delay (`retryAfterMs` on the error) honoured. @default 60000 */
  maxRetryAfterMs?: number;
  /** A retry budget (an instance to share, or options for a new one). @default none */
  budget?: RetryBudget | RetryBudgetOptions;
  /**
   * Whether an error is worth another attempt. p-retry never retries a non-network
   * `TypeError` (a bug, not an outage), whatever this says. @default every error but an abort
   */
  shouldRetry?: (decision: RetryDecision) => boolean;
  /** @default Math.random */
  random?: RandomSource;
}

/**
 * The delay a failure asks for itself: `retryAfterMs` on the error, if it is sane. 0 is
 * "now" (`Retry-After: 0`), except on a half-open breaker's rejection, whose 0 means "a
 * probe is in flight, unknown how long": retrying that at once would spin, so it backs off.
 */
export function requestedDelay(error: unknown): number | undefined {
  const e = error as { retryAfterMs?: unknown; state?: unknown } | null;
  const value = e?.retryAfterMs;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) return undefined;
  return value > 0 || !(isBrokenCircuitError(error) && e?.state === 'half-open')
    ? value
    : undefined;
}

const isAbort = (error: unknown) => (error as { name?: unknown } | null)?.name === 'AbortError';

/** A retry policy. */
export class RetryPolicy extends BasePolicy {
  readonly kind = 'retry';
  readonly limit: number;
  readonly backoff: Backoff;
  readonly maxRetryAfterMs: number;
  readonly budget: RetryBudget | undefined;
  readonly #shouldRetry: (decision: RetryDecision) => boolean;
  readonly #random: RandomSource;

  constructor(options: RetryOptions = {}) {
    super(options);
    this.limit = optionalNumber('limit', options.limit, 3, {
      min: 0,
      integer: true,
      allowInfinity: true,
    });
    const backoff = objectOption<Backoff | ExponentialOptions>('backoff', options.backoff);
    this.backoff = backoff && 'delay' in backoff ? backoff : exponential(backoff);
    this.maxRetryAfterMs = optionalNumber('maxRetryAfterMs', options.maxRetryAfterMs, 60_000, {
      min: 0,
    });
    const budget = objectOption<RetryBudget | RetryBudgetOptions>('budget', options.budget);
    this.budget =
      budget instanceof RetryBudget
        ? budget
        : budget
          ? new RetryBudget({ clock: this.clock, ...budget })
          : undefined;
    this.#shouldRetry = functionOption(
      'shouldRetry',
      options.shouldRetry,
      ({ error }) => !isAbort(error),
    );
    this.#random = functionOption('random', options.random, systemRandom);
  }

  async execute<T>(fn: Operation<T>, options?: ExecuteOptions): Promise<T> {
    const ctx = contextOf(options);
    const { signal, deadline } = ctx;
    this.budget?.recordRequest();
    const first = ctx.attempt;
    // The first attempt runs outside p-retry, exactly as p-retry would run it (abort
    // checks before and after); p-retry is entered only after a failure, which it sees
    // as its own first attempt's, so its loop, decisions and events are unchanged.
    signal.throwIfAborted();
    let firstError: unknown;
    try {
      const value = await invoke(fn, ctx);
      signal.throwIfAborted();
      return value;
    } catch (error) {
      firstError = error;
    }
    return this.#retryAfter(fn, firstError, signal, deadline, first);
  }

  /** p-retry's loop from the first failure on: its attempt 1 replays that failure. */
  #retryAfter<T>(
    fn: Operation<T>,
    firstError: unknown,
    signal: AbortSignal,
    deadline: number | undefined,
    first: number,
  ): Promise<T> {
    let previousMs = 0;
    return pRetry(
      (n) =>
        n === 1
          ? Promise.reject(firstError)
          : invoke(fn, { signal, deadline, attempt: first + n - 1 }),
      {
        retries: this.limit,
        minTimeout: 0,
        signal,
        // Decide, account and sleep here: p-retry calls this only when a retry can follow.
        shouldRetry: async ({ error, attemptNumber }) => {
          const attempt = first + attemptNumber - 1;
          if (signal.aborted || !this.#shouldRetry({ error, attempt })) return false;
          const requested = requestedDelay(error);
          const delayMs =
            requested !== undefined
              ? Math.min(requested, this.maxRetryAfterMs)
              : this.backoff.delay({ retry: attemptNumber, previousMs, random: this.#random });
          previousMs = delayMs;
          if (deadline !== undefined && this.clock.now() + delayMs >= deadline) return false;
          if (this.budget && !this.budget.tryAcquire()) {
            const exhausted = new RetryBudgetExhaustedError(
              attemptNumber,
              this.budget.allowed(),
              error,
            );
            this.emit('rejected', { reason: 'retry-budget', error: exhausted });
            throw exhausted;
          }
          this.emit('retry', {
            attempt,
            delayMs,
            reason: requested !== undefined ? 'retry-after' : 'backoff',
            error,
          });
          await sleep(this.clock, delayMs, signal);
          return true;
        },
      },
    );
  }
}

/** Creates a {@link RetryPolicy}; `retry(3)` is `retry({ limit: 3 })`. */
export function retry(options: RetryOptions | number = {}): RetryPolicy {
  if (typeof options === 'number')
    return new RetryPolicy({ limit: numberOption('limit', options, { min: 0, integer: true }) });
  return new RetryPolicy(objectOption<RetryOptions>('retry', options) ?? {});
}
