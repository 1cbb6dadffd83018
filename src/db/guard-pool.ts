/**
 * `guardPool(pool, options)`: the calls users of pg and mysql2 already write —
 * `query(...)` (and mysql2's `execute(...)`) with the driver's own arguments and result,
 * and `withConnection(fn)` for several statements on one connection — behind a guard
 * that keeps the pool inside what the database allows. The drivers are never imported:
 * the guard recognises the pool it is given, and its types come from that pool's type.
 */
import type { Disposer, EventOf, SelfhealEvent } from '../core/internal.js';
import { isMysqlCallbackPool, isMysqlPool, mysqlAdapter } from './adapters/mysql.js';
import { isPgClient, isPgPool, pgAdapter } from './adapters/pg.js';
import type { DriverAdapter } from './adapters/types.js';
import type { DbEventMap } from './events.js';
import type { GuardHealth } from './health.js';
import { type CallOptions, type GuardPoolOptions, resolveCall, resolveOptions } from './options.js';
import { type Call, PoolGuard } from './pool-guard.js';

/** The connection a pool checks out: pg's `PoolClient`, mysql2's `PoolConnection`. */
export type ConnectionOf<P> = P extends { getConnection(): Promise<infer C> }
  ? C
  : P extends {
        connect(): Promise<infer C>;
        connect(callback: (...args: never[]) => void): void;
      }
    ? C
    : P extends { connect(): Promise<infer C> }
      ? C
      : unknown;

/** The pool's own query methods, same signatures and results. */
export type GuardedQueries<P> = (P extends { query: unknown } ? Pick<P, 'query'> : unknown) &
  (P extends { execute: unknown } ? Pick<P, 'execute'> : unknown);

/** What runs through the guard: the pool's queries and a checkout that always releases. */
export type GuardedCalls<P> = GuardedQueries<P> & {
  /**
   * Runs `fn` on one connection (a transaction, several statements) and releases it
   * when `fn` settles, even when it throws. Do not release the connection yourself.
   */
  withConnection<T>(fn: (connection: ConnectionOf<P>) => T | PromiseLike<T>): Promise<T>;
};

/** A guarded pool. */
export type GuardedPool<P> = GuardedCalls<P> & {
  /** The database as people know it. */
  readonly name: string;
  /** The same calls with per-call options: `guard.with({ priority: 'background' }).query(…)`. */
  with(options: CallOptions): GuardedCalls<P>;
  /** Limits, use, the server's figures, the breaker, the fleet's slots: JSON. */
  health(): GuardHealth;
  onEvent(listener: (event: SelfhealEvent<DbEventMap>) => void): Disposer;
  on<K extends keyof DbEventMap & string>(
    type: K,
    listener: (event: EventOf<K, DbEventMap>) => void,
  ): Disposer;
  /** Closes every idle connection now (a serverless handler calls it before it returns); resolves with how many, once the server has let them go. */
  closeIdle(): Promise<number>;
  /** Fails the waiters, waits for checkouts to end, hands back fleet slots, and ends the pool. */
  close(): Promise<void>;
};

/** Guards a `pg.Pool` or a `mysql2/promise` pool. */
export function guardPool<P extends object>(pool: P, options?: GuardPoolOptions): GuardedPool<P> {
  const adapter = adapterFor(pool);
  const guard = new PoolGuard<unknown>(adapter, resolveOptions(options));
  const defaults = resolveCall(undefined, guard.o.acquireTimeoutMs);
  const calls = (call: Call) => surface(guard, adapter.driver, call);
  return Object.assign(calls(defaults), {
    name: guard.name,
    with: (o: CallOptions) => calls(resolveCall(o, guard.o.acquireTimeoutMs)),
    health: () => guard.health(),
    onEvent: (listener: (event: SelfhealEvent<DbEventMap>) => void) =>
      guard.events.onEvent(listener),
    on: <K extends keyof DbEventMap & string>(
      type: K,
      listener: (event: EventOf<K, DbEventMap>) => void,
    ) => guard.events.on(type, listener),
    closeIdle: () => guard.closeIdle(),
    close: () => guard.close(),
  }) as unknown as GuardedPool<P>;
}

type Queryable = Record<'query' | 'execute', (...args: unknown[]) => unknown>;

function surface(guard: PoolGuard<unknown>, driver: 'pg' | 'mysql', call: Call) {
  const run = <T>(fn: (connection: unknown) => T | PromiseLike<T>) => guard.run(fn, call);
  const withConnection = <T>(fn: (connection: unknown) => T | PromiseLike<T>) => {
    if (typeof fn !== 'function')
      throw new TypeError(
        `Expected \`fn\` to be a function receiving a connection, got ${typeof fn}`,
      );
    return run(fn);
  };
  if (driver === 'mysql')
    return {
      query: (...args: unknown[]) => run((c) => (c as Queryable).query(...args)),
      execute: (...args: unknown[]) => run((c) => (c as Queryable).execute(...args)),
      withConnection,
    };
  return {
    // pg's callback form is kept: `query(text, values, (err, result) => …)`.
    query: (...args: unknown[]) => {
      const callback = typeof args.at(-1) === 'function' ? (args.pop() as Callback) : undefined;
      if (typeof (args[0] as { submit?: unknown } | null)?.submit === 'function')
        throw new TypeError(
          'query() got a Submittable (Cursor, QueryStream), which holds its connection until it ends: run it inside withConnection(client => …)',
        );
      const result = run((c) => (c as Queryable).query(...args));
      if (!callback) return result;
      result.then(
        (value) => callback(undefined, value),
        (error: unknown) => callback(error),
      );
      return undefined;
    },
    withConnection,
  };
}

type Callback = (error: unknown, result?: unknown) => void;

/** The adapter for `pool`, or a TypeError that says what was passed instead. */
function adapterFor(pool: unknown): DriverAdapter<unknown> {
  if (typeof pool !== 'object' || pool === null)
    throw new TypeError(
      `Expected \`pool\` to be a pg.Pool or a mysql2/promise pool, got ${pool === null ? 'null' : typeof pool}`,
    );
  if (isPgPool(pool)) return pgAdapter(pool) as DriverAdapter<unknown>;
  if (isMysqlPool(pool)) return mysqlAdapter(pool) as DriverAdapter<unknown>;
  if (isPgClient(pool))
    throw new TypeError(
      'Expected `pool` to be a pg.Pool, got a single pg.Client: guard the pool (new pg.Pool(config)) instead',
    );
  if (isMysqlCallbackPool(pool))
    throw new TypeError(
      'Expected `pool` to be a mysql2/promise pool, got a callback-style mysql2 pool: pass pool.promise()',
    );
  const p = pool as Record<string, unknown>;
  const ctor = (p.constructor as { name?: string } | undefined)?.name;
  const kind = ctor && ctor !== 'Object' ? ctor : '';
  if (['connect', 'getConnection', 'acquire', 'query'].some((m) => typeof p[m] === 'function'))
    throw new TypeError(
      `Unknown pool driver${kind ? ` (${kind})` : ''}: guardPool() takes a pg.Pool (node-postgres) or a mysql2/promise pool`,
    );
  throw new TypeError(
    `Expected \`pool\` to be a pg.Pool or a mysql2/promise pool, got ${kind ? `a ${kind}` : 'an object'} without connect() or getConnection()`,
  );
}
