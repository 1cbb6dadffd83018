/**
 * The guard's options, validated once at construction: every bad value throws a
 * TypeError or RangeError naming the option and the accepted range. docs/db.md explains
 * each default.
 */

import type { Backoff } from '../core/internal.js';
import {
  type Clock,
  exponential,
  numberOption,
  objectOption,
  optionalNumber,
  type RandomSource,
  type Store,
  systemClock,
  systemRandom,
} from '../core/internal.js';
import type { Registry } from '../telemetry/internal.js';
import type { Priority } from './events.js';

/** A connection cap shared by every process that uses the same `store` and `key`. */
export interface GlobalLimitOptions {
  /** Where the fleet's slots live: `redisStore()` from selfheal/redis for many processes. */
  store: Store;
  /** The semaphore's name; every process guarding the same database user uses the same key. */
  key: string;
  /** Connections the whole fleet may hold at once. */
  max: number;
  /** A slot not refreshed for this long is free again (its holder died). @default 10000 */
  leaseMs?: number;
  /** While every slot is taken, a process hands a slot back after holding it this long, so each gets its turn. @default 1000 */
  turnMs?: number;
}

/** Options of `guardPool(pool, options)`. */
export interface GuardPoolOptions {
  /** The database as people know it (events, alarms, the service map). @default `pg host:port/database` */
  name?: string;
  /** Most connections at once. @default what the server allows this user (discovered), else the pool's max */
  maxConcurrent?: number;
  /** Callers that may wait for a connection; a full queue refuses at once. @default 1000 */
  queueLimit?: number;
  /** Longest a caller waits for a connection: queued, for a fleet slot, while one is opened, across retries. @default 10000 */
  acquireTimeoutMs?: number;
  /** Read the server's limits and current use on a connection. @default true */
  discoverLimits?: boolean;
  /** Read them again on the next checkout after this long (1 s while callers wait and others hold connections). @default 10000 */
  limitsRefreshMs?: number;
  /** Share of the server's limit (every client counted) at which an `alarm` event fires. @default { utilization: 0.8 } */
  alarms?: { utilization?: number };
  /** Delay before retrying a refused connection: exponential, full jitter. @default { baseMs: 10, maxMs: 1000 } */
  backoff?: { baseMs?: number; maxMs?: number };
  /**
   * Fail fast while the database is down: `threshold` failed connection attempts in a row
   * open the circuit; it probes after max(1 s, 20 % of the outage), at most every
   * `resetTimeoutMs`; `false` turns it off.
   * @default { threshold: 5, resetTimeoutMs: 5000 }
   */
  breaker?: { threshold?: number; resetTimeoutMs?: number } | false;
  /** A checkout held longer emits a `leak` event with the acquirer's stack; 0 is off (no stack is captured). @default 0 */
  leakDetectionMs?: number;
  /**
   * Close idle connections this long after the last operation ends.
   * @default undefined — the pool's own idle timeout, or 1 s while other clients crowd the user's connections
   */
  idleCloseMs?: number;
  /** A cap for the whole fleet, through a Store's lease semaphore. @default undefined */
  globalLimit?: GlobalLimitOptions;
  /** Joins this service-map registry as kind `db`. @default undefined */
  registry?: Pick<Registry, 'register'>;
  /** Time source. @default systemClock */
  clock?: Clock;
  /** Random source of the backoff jitter. @default Math.random */
  random?: RandomSource;
}

/** Options of one call: `guard.with({ priority, signal, acquireTimeoutMs })`. */
export interface CallOptions {
  /** Under saturation `background` is shed first, `high` goes first. @default 'normal' */
  priority?: Priority;
  /** Gives up waiting (the caller's deadline, a Lambda's remaining time). */
  signal?: AbortSignal;
  /** This call's own wait limit. @default the guard's acquireTimeoutMs */
  acquireTimeoutMs?: number;
}

/** Validated options with their defaults. */
export interface ResolvedOptions {
  name: string | undefined;
  maxConcurrent: number;
  queueLimit: number;
  acquireTimeoutMs: number;
  discoverLimits: boolean;
  limitsRefreshMs: number;
  alarmAt: number;
  backoff: Backoff;
  breaker: { threshold: number; resetTimeoutMs: number } | undefined;
  leakDetectionMs: number;
  idleCloseMs: number | undefined;
  globalLimit: Required<GlobalLimitOptions> | undefined;
  registry: Pick<Registry, 'register'> | undefined;
  clock: Clock;
  random: RandomSource;
}

const KNOWN = {
  name: true,
  maxConcurrent: true,
  queueLimit: true,
  acquireTimeoutMs: true,
  discoverLimits: true,
  limitsRefreshMs: true,
  alarms: true,
  backoff: true,
  breaker: true,
  leakDetectionMs: true,
  idleCloseMs: true,
  globalLimit: true,
  registry: true,
  clock: true,
  random: true,
} satisfies Record<keyof GuardPoolOptions, true>;

const PRIORITIES: readonly Priority[] = ['high', 'normal', 'background'];

/** Validates `options` and fills in the defaults. */
export function resolveOptions(input: GuardPoolOptions | undefined): ResolvedOptions {
  const o = objectOption<GuardPoolOptions>('options', input) ?? {};
  for (const key of Object.keys(o))
    if (!(key in KNOWN)) throw new TypeError(`Unknown option \`${key}\` for guardPool()`);
  if (o.name !== undefined && (typeof o.name !== 'string' || o.name === ''))
    throw new TypeError('Expected `name` to be a non-empty string');
  if (o.discoverLimits !== undefined && typeof o.discoverLimits !== 'boolean')
    throw new TypeError('Expected `discoverLimits` to be a boolean');
  const alarms = objectOption<{ utilization?: number }>('alarms', o.alarms) ?? {};
  const backoff = objectOption<{ baseMs?: number; maxMs?: number }>('backoff', o.backoff) ?? {};
  if (o.clock !== undefined && typeof o.clock?.now !== 'function')
    throw new TypeError('Expected `clock` to be a Clock ({ now(), setTimer() })');
  if (o.random !== undefined && typeof o.random !== 'function')
    throw new TypeError('Expected `random` to be a function returning [0, 1)');
  if (o.registry !== undefined && typeof o.registry?.register !== 'function')
    throw new TypeError('Expected `registry` to be a service-map registry (createRegistry())');
  return {
    name: o.name,
    maxConcurrent: optionalNumber('maxConcurrent', o.maxConcurrent, Number.POSITIVE_INFINITY, {
      min: 1,
      integer: true,
      allowInfinity: true,
    }),
    queueLimit: optionalNumber('queueLimit', o.queueLimit, 1_000, { min: 0, integer: true }),
    acquireTimeoutMs: optionalNumber('acquireTimeoutMs', o.acquireTimeoutMs, 10_000, { min: 0 }),
    discoverLimits: o.discoverLimits ?? true,
    limitsRefreshMs: optionalNumber('limitsRefreshMs', o.limitsRefreshMs, 10_000, { min: 0 }),
    alarmAt: optionalNumber('alarms.utilization', alarms.utilization, 0.8, {
      min: 0,
      max: 1,
      exclusiveMin: true,
    }),
    backoff: exponential({
      baseMs: optionalNumber('backoff.baseMs', backoff.baseMs, 10, { min: 0 }),
      maxMs: optionalNumber('backoff.maxMs', backoff.maxMs, 1_000, { min: 0 }),
      jitter: 'full',
    }),
    breaker: resolveBreaker(o.breaker),
    leakDetectionMs: optionalNumber('leakDetectionMs', o.leakDetectionMs, 0, { min: 0 }),
    idleCloseMs:
      o.idleCloseMs === undefined
        ? undefined
        : numberOption('idleCloseMs', o.idleCloseMs, { min: 0 }),
    globalLimit: resolveGlobal(o.globalLimit),
    registry: o.registry,
    clock: o.clock ?? systemClock,
    random: o.random ?? systemRandom,
  };
}

/** Validates one call's options. */
export function resolveCall(
  input: CallOptions | undefined,
  fallbackTimeoutMs: number,
): Required<Omit<CallOptions, 'signal'>> & { signal: AbortSignal | undefined } {
  const o = objectOption<CallOptions>('options', input) ?? {};
  const priority = o.priority ?? 'normal';
  if (!PRIORITIES.includes(priority))
    throw new TypeError(
      `Expected \`priority\` to be one of 'high', 'normal', 'background', got ${JSON.stringify(priority)}`,
    );
  if (o.signal !== undefined && typeof o.signal?.addEventListener !== 'function')
    throw new TypeError('Expected `signal` to be an AbortSignal');
  return {
    priority,
    signal: o.signal,
    acquireTimeoutMs: optionalNumber('acquireTimeoutMs', o.acquireTimeoutMs, fallbackTimeoutMs, {
      min: 0,
    }),
  };
}

function resolveBreaker(value: GuardPoolOptions['breaker']): ResolvedOptions['breaker'] {
  if (value === false) return undefined;
  const b = objectOption<{ threshold?: number; resetTimeoutMs?: number }>('breaker', value) ?? {};
  return {
    threshold: optionalNumber('breaker.threshold', b.threshold, 5, { min: 1, integer: true }),
    resetTimeoutMs: optionalNumber('breaker.resetTimeoutMs', b.resetTimeoutMs, 5_000, {
      min: 0,
    }),
  };
}

function resolveGlobal(value: unknown): ResolvedOptions['globalLimit'] {
  const g = objectOption<GlobalLimitOptions>('globalLimit', value);
  if (!g) return undefined;
  if (typeof g.store?.leases?.acquire !== 'function')
    throw new TypeError(
      'Expected `globalLimit.store` to be a Store (memoryStore(), redisStore()) with leases',
    );
  if (typeof g.key !== 'string' || g.key === '')
    throw new TypeError('Expected `globalLimit.key` to be a non-empty string');
  const leaseMs = optionalNumber('globalLimit.leaseMs', g.leaseMs, 10_000, {
    min: 0,
    exclusiveMin: true,
  });
  return {
    store: g.store,
    key: g.key,
    max: numberOption('globalLimit.max', g.max, { min: 1, integer: true }),
    leaseMs,
    turnMs: optionalNumber('globalLimit.turnMs', g.turnMs, 1_000, { min: 0, exclusiveMin: true }),
  };
}
