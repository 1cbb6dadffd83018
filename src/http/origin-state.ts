/**
 * Everything selfheal keeps about one origin (scheme://host:port): its policies, their
 * composition, its counters and alarms, and its health snapshot. One per origin, made
 * on the first request to it.
 */
import {
  type BreakerState,
  BrokenCircuitError,
  BulkheadPolicy,
  CircuitBreakerPolicy,
  EventHub,
  type Policy,
  pipeline,
  RetryBudget,
  TimeoutPolicy,
} from '../core/internal.js';
import { AlarmBell } from './alarms.js';
import { AttemptFailure } from './attempt-failure.js';
import { BreakerWaitBudget } from './breaker-wait-budget.js';
import { type HttpEventMap, OriginHub } from './events.js';
import type { Alarm } from './options.js';
import { originRetry } from './origin-retry.js';
import { OriginThrottle, type RateChange } from './origin-throttle.js';
import { QuotaReset } from './quota-reset.js';
import type { Quota } from './rate-limit-headers.js';
import type { Resolved } from './resolve-options.js';

/** Counters of one origin since the client was made. */
export interface OriginCounts {
  /** Requests (first attempts). */
  requests: number;
  attempts: number;
  retries: number;
  status429: number;
  status5xx: number;
  /** Degraded answers served (stale-if-error or fallback). */
  fallbacks: number;
  /** Requests that failed for good (after retries) with no degraded answer served. */
  failures: number;
}

/** The health of one origin, as plain JSON. */
export interface OriginHealth {
  origin: string;
  /** Self-throttle rate, requests/s; `null` while the bucket is off. */
  rate: number | null;
  /** Tokens in the bucket; `null` while the bucket is off. */
  tokens: number | null;
  /** Quota pacing in force: rate and time until the quota resets. */
  pacing: { rate: number; resetInMs: number } | null;
  /** The last advertised quota. */
  quota: { remaining: number; limit: number | null; resetInMs: number } | null;
  breaker: BreakerState | 'off';
  /** Requests and failures in the breaker's current window; `null` without a breaker. */
  breakerWindow: { requests: number; failures: number } | null;
  /** Time until the open breaker admits a probe. */
  breakerRetryAfterMs: number;
  /** Requests in flight (waiting included). */
  inFlight: number;
  /** Requests waiting for a token or a bulkhead slot. */
  queueLength: number;
  /** Retries the budget still allows in its window; `null` without a budget. */
  retryBudgetRemaining: number | null;
  /** Attempts sent per second, over the last second. */
  sendRate: number;
  counts: OriginCounts;
}

const MAX_CACHED_TIMEOUTS = 32;

/** A policy's execute without its events: shared policies report once, through the origin hub. */
function quiet(policy: Policy): Policy {
  const events = new EventHub();
  return {
    kind: policy.kind,
    events,
    execute: (fn, options) => policy.execute(fn, options),
    onEvent: (listener) => events.onEvent(listener),
    on: (type, listener) => events.on(type, listener),
  };
}

/**
 * The breaker as a pipeline stage, quiet like {@link quiet}, that marks a failed
 * half-open probe on its {@link AttemptFailure} (the one call a half-open breaker admits
 * is its probe).
 */
function probing(breaker: CircuitBreakerPolicy): Policy {
  const stage = quiet(breaker);
  const failedProbe = (error: unknown): never => {
    if (error instanceof AttemptFailure) error.probe = true;
    throw error;
  };
  return {
    ...stage,
    execute: (fn, options) =>
      breaker.state === 'half-open'
        ? breaker.execute(fn, options).catch(failedProbe)
        : breaker.execute(fn, options),
  };
}

/** One origin's policies, counters and alarms. */
export class OriginState {
  readonly hub: OriginHub;
  readonly throttle: OriginThrottle | undefined;
  readonly breaker: CircuitBreakerPolicy | undefined;
  readonly bulkhead: BulkheadPolicy | undefined;
  readonly budget: RetryBudget | undefined;
  readonly alarms: AlarmBell;
  /** retry ▸ breaker ▸ throttle ▸ bulkhead, for requests with and without a deadline. */
  readonly withDeadline: Policy;
  readonly withoutDeadline: Policy;
  readonly counts: OriginCounts = {
    requests: 0,
    attempts: 0,
    retries: 0,
    status429: 0,
    status5xx: 0,
    fallbacks: 0,
    failures: 0,
  };
  inFlight = 0;
  quota: (Quota & { at: number }) | undefined;
  readonly #timeouts = new Map<string, TimeoutPolicy>();
  readonly #reset = new QuotaReset();
  readonly #config: Resolved;
  /** The budget the retry policy sees: waits at an open breaker are free. */
  readonly #retryBudget: BreakerWaitBudget | undefined;

  constructor(
    readonly origin: string,
    config: Resolved,
    client: EventHub<HttpEventMap>,
    deliver: (alarm: Alarm) => void,
  ) {
    this.#config = config;
    const clock = config.clock;
    this.hub = new OriginHub(origin, client);
    this.alarms = new AlarmBell(origin, config.utilization, deliver);
    const emitRate: RateChange = (from, to, reason) => {
      if (client.listening)
        client.emit({
          type: 'rate-changed',
          source: 'http',
          at: clock.now(),
          origin,
          from,
          to,
          reason,
        });
    };
    this.throttle =
      config.throttle &&
      new OriginThrottle(config.throttle, { clock, onRateChange: emitRate, origin });
    this.breaker =
      config.breaker &&
      new CircuitBreakerPolicy({
        ...config.breaker,
        // The fixed reset the http defaults document, until the client adopts the growing interval.
        probeInterval: false,
        clock,
        isFailure: (e) => e instanceof AttemptFailure && e.breakerFailure,
      });
    this.bulkhead = config.bulkhead && new BulkheadPolicy({ ...config.bulkhead, clock });
    this.budget =
      config.budget instanceof RetryBudget
        ? config.budget
        : config.budget
          ? new RetryBudget({ ...config.budget, clock })
          : undefined;
    this.#retryBudget = this.budget && new BreakerWaitBudget(this.budget);
    const shared = [this.breaker, this.throttle, this.bulkhead].filter(
      (p): p is NonNullable<typeof p> => p !== undefined,
    );
    for (const policy of shared) policy.events.forwardTo(this.hub);
    const breaker = this.breaker;
    if (this.throttle && breaker) {
      // The breaker sits outside the throttle: a request that waited for a token while the
      // circuit opened goes back to wait for the probe instead of reaching a dead server.
      this.throttle.afterWait = () => {
        if (breaker.state === 'open') throw new BrokenCircuitError('open', breaker.retryAfterMs);
      };
    }
    this.breaker?.on('breaker-open', (e) => {
      // An opening means the recent 5xx were an outage: undo what they did to the rate.
      this.throttle?.onOutage();
      this.alarms.breakerOpen(
        e.failureRate,
        e.retryAfterMs,
        e.at,
        e.reason === 'consecutive-failures' ? breaker?.settings.consecutiveFailures : undefined,
      );
    });
    const inner = shared.map((p) => (p === breaker ? probing(breaker) : quiet(p)));
    this.withDeadline = this.#compose(true, inner);
    this.withoutDeadline = this.#compose(false, inner);
  }

  /** The per-attempt timeout policy for `ms` (or the whole-request deadline policy). */
  timeoutPolicy(ms: number, scope: 'attempt' | 'deadline'): TimeoutPolicy {
    const key = `${scope}:${ms}`;
    let policy = this.#timeouts.get(key);
    if (!policy) {
      policy = new TimeoutPolicy(ms, scope, { clock: this.#config.clock });
      if (this.#timeouts.size < MAX_CACHED_TIMEOUTS) {
        this.#timeouts.set(key, policy);
        policy.events.forwardTo(this.hub);
      }
    }
    return policy;
  }

  /** Records an advertised quota (its reset narrowed by earlier answers) and checks the utilization it implies. */
  onQuota(advertised: Quota, now: number): void {
    const resetMs = this.#reset.resetMs(advertised, now);
    const quota = resetMs === advertised.resetMs ? advertised : { ...advertised, resetMs };
    this.quota = { ...quota, at: now };
    // Quota headers never hold a request longer than a Retry-After may (maxRetryAfterMs): one
    // answer saying "none left, reset in a day" must not lock the origin out for a day.
    const cap = this.#config.maxRetryAfterMs;
    this.throttle?.onQuota(quota.resetMs > cap ? { ...quota, resetMs: cap } : quota, now);
    if (quota.limit)
      this.alarms.utilization(1 - quota.remaining / quota.limit, 'advertised quota', now);
  }

  /** Checks the send rate against the configured rate. */
  checkRate(now: number): void {
    const configured = this.#config.throttle?.rate;
    const throttle = this.throttle;
    if (configured === undefined || !throttle) return;
    this.alarms.utilization(
      throttle.sends.rate(now) / configured,
      `configured rate of ${configured}/s`,
      now,
    );
  }

  /** Stops the breaker's timer: the client dropped this origin (see `maxOrigins`). */
  dispose(): void {
    this.breaker?.dispose();
  }

  /** The origin's health as plain JSON. */
  health(): OriginHealth {
    const now = this.#config.clock.now();
    const pacing = this.throttle?.pacing;
    const quota = this.quota;
    return {
      origin: this.origin,
      rate: this.throttle?.rate ?? null,
      tokens: this.throttle?.tokens ?? null,
      pacing: pacing ? { rate: pacing.rate, resetInMs: Math.max(0, pacing.untilMs - now) } : null,
      quota: quota
        ? {
            remaining: quota.remaining,
            limit: quota.limit ?? null,
            resetInMs: Math.max(0, quota.at + quota.resetMs - now),
          }
        : null,
      breaker: this.breaker?.state ?? 'off',
      breakerWindow: this.#breakerWindow(),
      breakerRetryAfterMs: this.breaker?.retryAfterMs ?? 0,
      inFlight: this.inFlight,
      queueLength: (this.throttle?.queueLength ?? 0) + (this.bulkhead?.queueLength ?? 0),
      retryBudgetRemaining: this.budget ? this.budget.remaining() : null,
      sendRate: this.throttle?.sends.rate(now) ?? 0,
      counts: { ...this.counts },
    };
  }

  #breakerWindow(): { requests: number; failures: number } | null {
    if (!this.breaker) return null;
    const { requests, failures } = this.breaker.toJSON();
    return { requests, failures };
  }

  #compose(bounded: boolean, inner: Policy[]): Policy {
    const composed = pipeline(originRetry(this.#config, this.#retryBudget, bounded), ...inner);
    composed.events.forwardTo(this.hub);
    return composed;
  }
}
