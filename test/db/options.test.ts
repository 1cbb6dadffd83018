import mysql from 'mysql2';
import mysqlPromise from 'mysql2/promise';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { memoryStore } from '../../src/core/index.js';
import { guardPool } from '../../src/db/index.js';

// Pools connect lazily: constructing them opens nothing.
const pgPool = new pg.Pool({ host: '127.0.0.1', database: 'test', max: 3 });
const myPool = mysqlPromise.createPool({ host: '127.0.0.1', user: 'root', database: 'test' });
afterAll(async () => {
  await pgPool.end();
  await myPool.end();
});

describe('guardPool: bad input is refused at construction, naming the option', () => {
  it.each([
    [{ maxConcurrent: 0 }, RangeError, /`maxConcurrent` to be an integer ≥ 1.*got 0/],
    [{ maxConcurrent: 2.5 }, RangeError, /`maxConcurrent`/],
    [{ acquireTimeoutMs: -1 }, RangeError, /`acquireTimeoutMs` to be a finite number ≥ 0, got -1/],
    [{ acquireTimeoutMs: Number.POSITIVE_INFINITY }, RangeError, /`acquireTimeoutMs`/],
    [{ leakDetectionMs: -5 }, RangeError, /`leakDetectionMs`.*got -5/],
    [{ idleCloseMs: -1 }, RangeError, /`idleCloseMs`.*got -1/],
    [{ limitsRefreshMs: -1 }, RangeError, /`limitsRefreshMs`/],
    [{ queueLimit: -1 }, RangeError, /`queueLimit`/],
    [{ alarms: { utilization: 1.5 } }, RangeError, /`alarms.utilization`.*≤ 1/],
    [{ backoff: { baseMs: -1 } }, RangeError, /`backoff.baseMs`/],
    [{ breaker: { threshold: 0 } }, RangeError, /`breaker.threshold`/],
    [{ maxConcurent: 5 }, TypeError, /Unknown option `maxConcurent`/],
    [{ name: '' }, TypeError, /`name` to be a non-empty string/],
    [{ registry: {} }, TypeError, /`registry`/],
    [{ globalLimit: { key: 'k', max: 10 } }, TypeError, /`globalLimit.store` to be a Store/],
    [{ globalLimit: { store: memoryStore(), key: '', max: 10 } }, TypeError, /`globalLimit.key`/],
    [{ globalLimit: { store: memoryStore(), key: 'k', max: 0 } }, RangeError, /`globalLimit.max`/],
    [
      { globalLimit: { store: memoryStore(), key: 'k', max: 2, leaseMs: 0 } },
      RangeError,
      /`globalLimit.leaseMs`/,
    ],
  ] as const)('%o', (options, type, message) => {
    expect(() => guardPool(pgPool, options as never)).toThrow(type);
    expect(() => guardPool(pgPool, options as never)).toThrow(message);
  });

  it('per-call options are checked when the call is made', () => {
    const guard = guardPool(pgPool, { discoverLimits: false });
    expect(() => guard.with({ priority: 'urgent' as never })).toThrow(
      /`priority` to be one of 'high', 'normal', 'background'/,
    );
    expect(() => guard.with({ acquireTimeoutMs: -1 })).toThrow(RangeError);
    expect(() => guard.withConnection('SELECT 1' as never)).toThrow(/`fn` to be a function/);
  });

  it.each([
    [null, /to be a pg.Pool or a mysql2\/promise pool, got null/],
    [42, /got number/],
    [{}, /got an object without connect\(\) or getConnection\(\)/],
    [new pg.Client({ host: '127.0.0.1' }), /got a single pg.Client: guard the pool/],
    [mysql.createPool({ host: '127.0.0.1' }), /callback-style mysql2 pool: pass pool.promise\(\)/],
    [
      new (class GenericPool {
        acquire() {}
      })(),
      /Unknown pool driver \(GenericPool\)/,
    ],
    [
      { connect: async () => ({}), query: () => undefined },
      /Unknown pool driver: guardPool\(\) takes a pg.Pool/,
    ],
  ])('not a pool we know: %s', (pool, message) => {
    expect(() => guardPool(pool as never)).toThrow(TypeError);
    expect(() => guardPool(pool as never)).toThrow(message);
  });

  it('recognises both drivers without connecting', () => {
    expect(guardPool(pgPool, { discoverLimits: false }).health()).toMatchObject({
      driver: 'pg',
      limit: 3,
      limitedBy: 'pool',
    });
    const my = guardPool(myPool, { maxConcurrent: 4, discoverLimits: false });
    expect(my.health()).toMatchObject({ driver: 'mysql', limit: 4, limitedBy: 'maxConcurrent' });
    expect(my.name).toBe('mysql 127.0.0.1:3306/test');
    // Until the server's limits are read, one caller at a time.
    expect(guardPool(pgPool).health()).toMatchObject({ limit: 1, limitedBy: 'learning' });
  });
});
