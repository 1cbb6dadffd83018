/**
 * Validates the resilience options once, at `createClient` time, and fills in the
 * defaults. Messages name the option by its full path (`throttle.rate`, `retry.limit`).
 */
import {
  type Backoff,
  type Clock,
  enumOption,
  exponential,
  functionOption,
  numberOption,
  objectOption,
  optionalNumber,
  type RandomSource,
  RetryBudget,
  type RetryBudgetOptions,
  systemClock,
  systemRandom,
} from '../core/internal.js';
import { type AttemptHook, attemptHook } from './attempt-hook.js';
import type {
  Alarm,
  BreakerOptions,
  BulkheadOptions,
  FallbackHandler,
  ResilienceOptions,
  RetryOptions,
  StaleIfErrorOptions,
} from './options.js';
import { type ResolvedThrottle, resolveThrottle, statusSet } from './resolve-throttle.js';

export type { ResolvedThrottle } from './resolve-throttle.js';

/** Retry settings with defaults applied (the per-request part). */
export interface RetryRules {
  limit: number;
  methods: ReadonlySet<string>;
  statusCodes: ReadonlySet<number>;
}

/** Everything `createClient` needs, validated. */
export interface Resolved {
  throttle: ResolvedThrottle | undefined;
  retry: RetryRules;
  backoff: Backoff;
  maxRetryAfterMs: number;
  budget: RetryBudget | RetryBudgetOptions | undefined;
  timeout: number | undefined;
  totalTimeout: number | undefined;
  breaker: Required<BreakerOptions> | undefined;
  bulkhead: Required<BulkheadOptions> | undefined;
  idempotencyKey: boolean;
  fallback: FallbackHandler | undefined;
  staleIfError: { maxAgeMs: number; maxEntries: number; maxBytes: number } | undefined;
  bufferBody: boolean;
  maxBodyBytes: number;
  maxOrigins: number;
  utilization: number;
  onAlarm: ((alarm: Alarm) => void) | undefined;
  onAttempt: AttemptHook | undefined;
  clock: Clock;
  random: RandomSource;
}

const DEFAULT_METHODS = ['get', 'head', 'put', 'delete', 'options', 'trace', 'query'];
const DEFAULT_RETRY_STATUSES = [408, 429, 500, 502, 503, 504];
const MAX_TIMER_MS = 2_147_483_647;
const MiB = 1024 * 1024;
/**
 * Retries allowed per request. With 3 retries a 20 % error rate needs 0.25 (0.2 + 0.04 +
 * 0.008); at 0.2 the budget failed 2 % of calls at 500 requests/s. A dead server still
 * gets at most 1.3 × the traffic (plus `minPerSecond`), and the breaker stops even that.
 */
const DEFAULT_BUDGET_RATIO = 0.3;

/** Validates `options`; throws TypeError / RangeError naming the option. */
export function resolveOptions(options: ResilienceOptions): Resolved {
  const clock = options.clock ?? systemClock;
  if (typeof clock.now !== 'function' || typeof clock.setTimer !== 'function') {
    throw new TypeError('Expected `clock` to have now() and setTimer()');
  }
  const retry = resolveRetry(options.retry);
  return {
    throttle: resolveThrottle(options.throttle),
    ...retry,
    timeout: optionalTimeout('timeout', options.timeout, 10_000),
    totalTimeout: optionalTimeout('totalTimeout', options.totalTimeout, 30_000),
    breaker: resolveBreaker(options.breaker),
    bulkhead: resolveBulkhead(options.bulkhead),
    idempotencyKey:
      options.idempotencyKey !== undefined &&
      enumOption('idempotencyKey', options.idempotencyKey, ['auto'], 'auto') === 'auto',
    fallback:
      options.fallback === undefined
        ? undefined
        : functionOption<FallbackHandler>('fallback', options.fallback, () => undefined),
    staleIfError: resolveStale(options.staleIfError),
    bufferBody: booleanOption('bufferBody', options.bufferBody, true),
    maxBodyBytes: optionalNumber('maxBodyBytes', options.maxBodyBytes, 64 * MiB, {
      min: 0,
      integer: true,
      allowInfinity: true,
    }),
    maxOrigins: optionalNumber('maxOrigins', options.maxOrigins, 1000, {
      min: 1,
      integer: true,
      allowInfinity: true,
    }),
    utilization: optionalNumber(
      'alarms.utilization',
      objectOption<{ utilization?: number }>('alarms', options.alarms)?.utilization,
      0.8,
      { min: 0, max: 1, exclusiveMin: true },
    ),
    onAlarm:
      options.onAlarm === undefined
        ? undefined
        : functionOption<(alarm: Alarm) => void>('onAlarm', options.onAlarm, () => {}),
    onAttempt: attemptHook(options.onAttempt),
    clock,
    random: functionOption('random', options.random, systemRandom),
  };
}

/** A per-attempt or total timeout: a positive number of ms, `false`, or the default. */
export function optionalTimeout(
  name: string,
  value: unknown,
  fallback: number | undefined,
): number | undefined {
  if (value === false) return undefined;
  if (value === undefined) return fallback;
  return numberOption(name, value, { min: 0, max: MAX_TIMER_MS, exclusiveMin: true });
}

function resolveRetry(value: number | RetryOptions | false | undefined) {
  const o: RetryOptions =
    value === false
      ? { limit: 0 }
      : typeof value === 'number'
        ? { limit: value }
        : (objectOption<RetryOptions>('retry', value) ?? {});
  const backoffInput = objectOption<Backoff | Record<string, unknown>>('retry.backoff', o.backoff);
  const backoff =
    backoffInput && typeof (backoffInput as Backoff).delay === 'function'
      ? (backoffInput as Backoff)
      : exponential(backoffInput as never);
  let budgetInput = o.budget === false ? undefined : (o.budget ?? {});
  if (budgetInput !== undefined && !(budgetInput instanceof RetryBudget)) {
    objectOption('retry.budget', budgetInput);
    budgetInput = { ratio: DEFAULT_BUDGET_RATIO, ...budgetInput };
    new RetryBudget(budgetInput); // validates ratio / minPerSecond / windowMs now, not at the first request
  }
  return {
    retry: retryRules(o, undefined),
    backoff,
    maxRetryAfterMs: optionalNumber('retry.maxRetryAfterMs', o.maxRetryAfterMs, 60_000, { min: 0 }),
    budget: budgetInput,
  };
}

/** Validates the per-request part of the retry options, on top of `base` (or the defaults). */
export function retryRules(
  o: Pick<RetryOptions, 'limit' | 'methods' | 'statusCodes'>,
  base: RetryRules | undefined,
): RetryRules {
  return {
    limit:
      o.limit === undefined
        ? (base?.limit ?? 3)
        : numberOption('retry.limit', o.limit, { min: 0, max: 100, integer: true }),
    methods: o.methods === undefined && base ? base.methods : methodSet(o.methods),
    statusCodes:
      o.statusCodes === undefined && base
        ? base.statusCodes
        : statusSet('retry.statusCodes', o.statusCodes, DEFAULT_RETRY_STATUSES),
  };
}

function resolveBreaker(
  value: BreakerOptions | false | undefined,
): Required<BreakerOptions> | undefined {
  if (value === false) return undefined;
  const o = objectOption<BreakerOptions>('breaker', value) ?? {};
  return {
    failureRateThreshold: optionalNumber(
      'breaker.failureRateThreshold',
      o.failureRateThreshold,
      0.5,
      { min: 0, max: 1, exclusiveMin: true },
    ),
    minimumRequests: optionalNumber('breaker.minimumRequests', o.minimumRequests, 10, {
      min: 1,
      integer: true,
    }),
    windowMs: optionalNumber('breaker.windowMs', o.windowMs, 10_000, { min: 10, integer: true }),
    resetTimeoutMs: optionalNumber('breaker.resetTimeoutMs', o.resetTimeoutMs, 5_000, { min: 0 }),
    consecutiveFailures: optionalNumber('breaker.consecutiveFailures', o.consecutiveFailures, 10, {
      min: 1,
      integer: true,
      allowInfinity: true,
    }),
  };
}

function resolveBulkhead(
  value: BulkheadOptions | false | undefined,
): Required<BulkheadOptions> | undefined {
  if (value === false || value === undefined) return undefined;
  const o = objectOption<BulkheadOptions>('bulkhead', value)!;
  return {
    maxConcurrent: numberOption('bulkhead.maxConcurrent', o.maxConcurrent, {
      min: 1,
      integer: true,
    }),
    queueLimit: optionalNumber('bulkhead.queueLimit', o.queueLimit, 0, {
      min: 0,
      integer: true,
      allowInfinity: true,
    }),
  };
}

function resolveStale(value: ResilienceOptions['staleIfError']) {
  if (value === false || value === undefined) return undefined;
  const o = objectOption<StaleIfErrorOptions>('staleIfError', value)!;
  return {
    maxAgeMs: optionalNumber('staleIfError.maxAgeMs', o.maxAgeMs, 300_000, {
      min: 0,
      allowInfinity: true,
    }),
    maxEntries: optionalNumber('staleIfError.maxEntries', o.maxEntries, 100, {
      min: 1,
      integer: true,
    }),
    maxBytes: optionalNumber('staleIfError.maxBytes', o.maxBytes, 10 * MiB, {
      min: 1,
      integer: true,
      allowInfinity: true,
    }),
  };
}

function methodSet(value: unknown): ReadonlySet<string> {
  if (value === undefined) return new Set(DEFAULT_METHODS);
  if (!Array.isArray(value) || value.some((m) => typeof m !== 'string' || m === '')) {
    throw new TypeError('Expected `retry.methods` to be an array of HTTP method names');
  }
  return new Set(value.map((m: string) => m.toLowerCase()));
}

function booleanOption(name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean')
    throw new TypeError(`Expected \`${name}\` to be a boolean, got ${typeof value}`);
  return value;
}
