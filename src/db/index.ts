/**
 * selfheal/db — a guard for the database pools users already have (`pg.Pool`,
 * `mysql2/promise`): a concurrency limit discovered from the server, a bounded
 * prioritised queue with an acquire timeout, backoff on "too many connections", a
 * breaker while the database is down, leak detection, idle close for serverless, and a
 * fleet-wide cap through a Store. pg and mysql2 are optional peers: never imported here.
 */
export {
  isPoolSaturatedError,
  PoolSaturatedError,
  type PoolSaturatedReason,
} from '../core/internal.js';
export type { DbEvent, DbEventMap, LearnedLimits, LoadFigures, Priority } from './events.js';
export {
  type ConnectionOf,
  type GuardedCalls,
  type GuardedPool,
  type GuardedQueries,
  guardPool,
} from './guard-pool.js';
export type { GuardHealth } from './health.js';
export type { CallOptions, GlobalLimitOptions, GuardPoolOptions } from './options.js';
