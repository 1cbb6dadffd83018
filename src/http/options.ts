/**
 * The options of `createClient`: ky's own, plus the resilience settings. Every field
 * documents its default; `resolve-options.ts` validates them once, at construction.
 */
import type { Options as KyOptions } from 'ky';
import type {
  Backoff,
  Clock,
  ExponentialOptions,
  RandomSource,
  RetryBudget,
  RetryBudgetOptions,
} from '../core/internal.js';
import type { Registry } from '../telemetry/internal.js';
import type { AttemptHook } from './attempt-hook.js';
import type { HttpEvent } from './events.js';

/** Adaptive rate (AIMD) settings. */
export interface AdaptiveOptions {
  /** Factor the rate is multiplied by on a throttling answer. @default 0.7 */
  beta?: number;
  /** The rate never drops below this, requests/s. @default 0.5 */
  minRate?: number;
  /** Share of the rate at the last throttling answer regained per second of full use. @default 0.2 */
  recoveryPerSecond?: number;
  /** Minimum time between two decreases: a server's window takes time to drain. @default 500 */
  cooldownMs?: number;
}

/** Per-origin token bucket. */
export interface ThrottleOptions {
  /** Requests per second. Without it the bucket stays off until the first throttling answer (when `adaptive`). */
  rate?: number;
  /** Requests that may go at once after a quiet period. @default max(1, floor(rate)) */
  burst?: number;
  /** Longest a request may wait for a token before `ThrottledError`. @default Infinity */
  maxWaitMs?: number;
  /** Lower the rate on throttling answers and recover on successes; `false` keeps `rate` fixed. @default true */
  adaptive?: boolean | AdaptiveOptions;
  /** Statuses that mean "slow down". @default [429, 502, 503, 504] */
  statusCodes?: number[];
  /** Pace the rest of an advertised quota (RateLimit headers) over its reset window once the share left is at or below this; `false` ignores quota headers. @default 0.5 */
  pace?: number | false;
}

/** Retry settings. */
export interface RetryOptions {
  /** Retries after the first attempt. @default 3 */
  limit?: number;
  /** Methods retried without an `Idempotency-Key` header. @default ['get', 'head', 'put', 'delete', 'options', 'trace', 'query'] */
  methods?: string[];
  /** Statuses retried. @default [408, 429, 500, 502, 503, 504] */
  statusCodes?: number[];
  /** A core backoff strategy or its options. @default exponential({ baseMs: 100, maxMs: 30000, jitter: 'full' }) */
  backoff?: Backoff | ExponentialOptions;
  /** Longest `Retry-After` / reset delay honoured, and longest a quota header may hold a request; longer ones are capped. @default 60000 */
  maxRetryAfterMs?: number;
  /** Retry budget per origin (options, or a shared instance); `false` for none. @default { ratio: 0.3, minPerSecond: 10, windowMs: 10000 } */
  budget?: RetryBudgetOptions | RetryBudget | false;
}

/** Circuit breaker per origin. */
export interface BreakerOptions {
  /** Failure share (0–1] above which the circuit opens. @default 0.5 */
  failureRateThreshold?: number;
  /** Requests the window must hold before the rate is judged. @default 10 */
  minimumRequests?: number;
  /** Rolling window. @default 10000 */
  windowMs?: number;
  /** Time the circuit stays open before one probe. @default 5000 */
  resetTimeoutMs?: number;
  /** Attempt failures in a row that open the circuit whatever the window holds; `Infinity` for none. @default 10 */
  consecutiveFailures?: number;
}

/** Concurrency cap per origin. */
export interface BulkheadOptions {
  /** Requests in flight at once. */
  maxConcurrent: number;
  /** Requests waiting for a slot. @default 0 */
  queueLimit?: number;
}

/**
 * Serve the last good GET response when the origin fails. Only what a shared cache may keep
 * is kept (no `no-store`/`private` answers, answers to `Authorization` only when allowed),
 * keyed on the request headers `Vary` names (docs/http.md, "What the client keeps").
 */
export interface StaleIfErrorOptions {
  /** Oldest response served (its age, `Age` header included); the answer's own `stale-if-error=N` may shorten it. @default 300000 */
  maxAgeMs?: number;
  /** Responses kept (least recently used dropped first). @default 100 */
  maxEntries?: number;
  /**
   * Bytes kept in all (bodies, headers and URLs); the least recently stored go first, and an
   * answer larger than this is never kept. `Infinity` for no cap. @default 10485760 (10 MiB)
   */
  maxBytes?: number;
}

/** An alarm: something a human should hear about. */
export interface Alarm {
  kind: 'utilization' | 'breaker-open' | 'retry-budget';
  origin: string;
  /** One line for a person. */
  message: string;
  /** Clock time. */
  at: number;
  /** The figure that crossed its threshold (utilization share, failure rate, retries allowed). */
  value: number;
}

/** Alarm settings. */
export interface AlarmOptions {
  /** Share of the origin's limit at which a `utilization` alarm fires. @default 0.8 */
  utilization?: number;
}

/** A fallback: a Response, or a value sent as a JSON body; `undefined` means "no fallback". */
export type FallbackHandler = (error: unknown, request: Request) => unknown;

/** Resilience options of {@link createClient}. */
export interface ResilienceOptions {
  /** Token bucket per origin; `false` turns self-throttling off. @default { adaptive: true } */
  throttle?: ThrottleOptions | false;
  /** Retries: a limit or options; `0`/`false` for none. @default { limit: 3 } */
  retry?: number | RetryOptions | false;
  /** Per-attempt timeout, ms; `false` for none. @default 10000 */
  timeout?: number | false;
  /**
   * Whole-request timeout, ms: waits, retries and the body (read inside the attempt, or
   * with `bufferBody: false` however the caller reads the stream: past it the read fails
   * with DeadlineExceededError and the connection is closed); `false` for none. @default 30000
   */
  totalTimeout?: number | false;
  /** Circuit breaker per origin; `false` for none. @default {} (the defaults below) */
  breaker?: BreakerOptions | false;
  /** Concurrency cap per origin; `false` for none. @default false */
  bulkhead?: BulkheadOptions | false;
  /** `'auto'` adds an `Idempotency-Key` to POST and PATCH requests, so they may be retried. @default undefined */
  idempotencyKey?: 'auto';
  /** Called when a request fails for good; return a Response or a JSON value to serve instead. @default undefined */
  fallback?: FallbackHandler;
  /** Serve the last good GET response when the origin fails; `false` for none. @default false */
  staleIfError?: StaleIfErrorOptions | false;
  /**
   * Read the body inside the attempt, so timeouts and retries cover it; `false` for streams
   * (`timeout` then covers the headers, `totalTimeout` still the whole body). @default true
   */
  bufferBody?: boolean;
  /**
   * Largest body read into memory inside the attempt (`bufferBody`), bytes. A good answer
   * past it fails with `BodyTooLargeError` (a declared `Content-Length` unread, a stream
   * cancelled as it passes); an error answer keeps its status with an empty body (ky's
   * `error.data` is then undefined, as ky does past 10 MiB; error bodies are capped at
   * 10 MiB in any case). `Infinity` for no cap; `bufferBody: false` streams past it.
   * @default 67108864 (64 MiB)
   */
  maxBodyBytes?: number;
  /** Origins whose state (breaker, rate, budget, counters) is kept; beyond it the least recently used idle one is dropped. @default 1000 */
  maxOrigins?: number;
  /** Alarm thresholds. @default { utilization: 0.8 } */
  alarms?: AlarmOptions;
  /** Called with every alarm. @default undefined */
  onAlarm?: (alarm: Alarm) => void;
  /** Called with every event (core and request-level). @default undefined */
  onEvent?: (event: HttpEvent) => void;
  /**
   * Called as each attempt is sent (the physical request), with its request, origin and
   * number; may add headers (trace context) and returns a function called with the
   * attempt's outcome. The seam `otel.traced(api)` plugs into. @default undefined
   */
  onAttempt?: AttemptHook | false;
  /**
   * A service map to join on creation (kind `http`, health = `api.health()`, events
   * counted). @default none
   */
  registry?: Pick<Registry, 'register'>;
  /** The dependency's name in the service map. @default the origin of `baseUrl`/`prefixUrl`, else 'http' */
  name?: string;
  /** Time source. @default systemClock */
  clock?: Clock;
  /** Random source for jitter. @default Math.random */
  random?: RandomSource;
}

/** ky's options with resilience settings in place of ky's `retry` and `timeout`. */
export type ClientOptions = Omit<KyOptions, 'retry' | 'timeout' | 'totalTimeout'> &
  ResilienceOptions;
