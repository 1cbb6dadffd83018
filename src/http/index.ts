/**
 * selfheal/http — a self-healing HTTP client over ky, for browsers and Node: per-origin
 * adaptive self-throttling, retries with jitter honouring Retry-After and quota headers,
 * retry budgets, circuit breaking, timeouts and deadlines, stale-if-error and fallbacks,
 * alarms and a health snapshot. `createClient()` returns a ky instance.
 */

export { HTTPError, isHTTPError, isNetworkError, NetworkError } from 'ky';
export type { AttemptEnd, AttemptHook, AttemptOutcome, AttemptStart } from './attempt-hook.js';
export {
  attemptsOf,
  createClient,
  type ExtendOptions,
  type SelfhealClient,
  type SelfhealClientExtras,
} from './create-client.js';
export type { ClientHealth } from './engine.js';
export type { HttpEvent, HttpEventMap, HttpOnlyEventMap, RequestInfo } from './events.js';
export type {
  AdaptiveOptions,
  Alarm,
  AlarmOptions,
  BreakerOptions,
  BulkheadOptions,
  ClientOptions,
  FallbackHandler,
  ResilienceOptions,
  RetryOptions,
  StaleIfErrorOptions,
  ThrottleOptions,
} from './options.js';
export { originOf } from './origin-of.js';
export type { OriginCounts, OriginHealth } from './origin-state.js';
export { parseQuota, type Quota } from './rate-limit-headers.js';
export { MAX_SERVER_DELAY_MS, parseRetryAfter } from './retry-after.js';
