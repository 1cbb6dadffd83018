/**
 * selfheal — the core: policies (throttle, retry, circuit breaker, timeout, deadline,
 * bulkhead, fallback), their composition with `pipeline()`, typed events, error
 * classes, and the injectable clock. Browser-safe: no Node built-ins.
 */
export {
  type Backoff,
  type BackoffInput,
  constant,
  type ExponentialOptions,
  exponential,
  type Jitter,
} from './backoff.js';
export { type BulkheadOptions, BulkheadPolicy, bulkhead } from './bulkhead.js';
export {
  type BreakerOpenReason,
  BreakerSettings,
  type BreakerSettingsOptions,
  type BreakerSnapshot,
  type BreakerState,
  type CircuitBreakerOptions,
  CircuitBreakerPolicy,
  circuitBreaker,
  type ProbeInterval,
} from './circuit-breaker.js';
export {
  type CancelTimer,
  type Clock,
  type ManualClock,
  manualClock,
  type RandomSource,
  sleep,
  systemClock,
  systemRandom,
} from './clock.js';
export {
  BodyTooLargeError,
  BrokenCircuitError,
  BulkheadRejectedError,
  DeadlineExceededError,
  isBodyTooLargeError,
  isBrokenCircuitError,
  isBulkheadRejectedError,
  isDeadlineExceededError,
  isPoolSaturatedError,
  isQuotaExhaustedError,
  isRetryBudgetExhaustedError,
  isSelfhealError,
  isThrottledError,
  isTimeoutError,
  PoolSaturatedError,
  type PoolSaturatedReason,
  QuotaExhaustedError,
  RetryBudgetExhaustedError,
  SelfhealError,
  ThrottledError,
  TimeoutError,
} from './errors.js';
export {
  type CoreEventMap,
  type Disposer,
  EventHub,
  type EventOf,
  type EventSource,
  type SelfhealEvent,
} from './events.js';
export { type FallbackOptions, FallbackPolicy, type FallbackValue, fallback } from './fallback.js';
export { memoryStore } from './memory-store.js';
export {
  type AttemptContext,
  BasePolicy,
  contextOf,
  type ExecuteOptions,
  type Operation,
  type Policy,
  type PolicyOptions,
  pipeline,
} from './policy.js';
export { type RetryDecision, type RetryOptions, RetryPolicy, retry } from './retry.js';
export { RetryBudget, type RetryBudgetOptions, retryBudget } from './retry-budget.js';
export type {
  BreakerStore,
  BucketSpec,
  BucketStore,
  CounterStore,
  Lease,
  LeaseStore,
  Reservation,
  SharedBreakerState,
  Store,
  StoreEventMap,
} from './store.js';
export { type ThrottleOptions, ThrottlePolicy, throttle } from './throttle.js';
export { deadline, TimeoutPolicy, timeout } from './timeout.js';
