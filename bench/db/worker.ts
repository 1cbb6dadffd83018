/**
 * One process of a db benchmark row: a pool (guarded or not) logging in as the limited
 * user; on `go`, `callers` concurrent callers each run `sql` `times` times in a row.
 * Reports its outcomes to the parent over IPC, then ends its pool and exits.
 */
import mysql from 'mysql2/promise';
import pg from 'pg';
import { type GlobalLimitOptions, guardPool } from '../../src/db/index.js';
import type { ParentMessage, WorkerMessage, WorkerResult, WorkerSpec } from './types.js';

const send = (message: WorkerMessage) => process.send!(message);
const WARMUP = 300;

function codeOf(error: unknown): string {
  const e = error as { name?: string; code?: unknown; errno?: unknown; message?: string };
  if (e?.name === 'PoolSaturatedError' || e?.name === 'BrokenCircuitError') return e.name;
  return String(e?.code ?? e?.errno ?? e?.message);
}

async function setup(spec: WorkerSpec) {
  const pool =
    spec.driver === 'pg'
      ? new pg.Pool({ ...spec.config, max: spec.poolMax })
      : mysql.createPool({ ...spec.config, connectionLimit: spec.poolMax });
  if (pool instanceof pg.Pool) pool.on('error', () => undefined);
  let store: { close(): Promise<void> } | undefined;
  if (!spec.guarded) {
    const query = (sql: string) => (pool as pg.Pool).query(sql);
    return { query, refused: () => 0, close: () => (pool as pg.Pool).end() };
  }
  let globalLimit: GlobalLimitOptions | undefined;
  if (spec.fleet) {
    // selfheal/redis is another module of the package (nothing in src imports it); load it here.
    const specifier = '../../src/redis/index.js';
    const { redisStore } = (await import(specifier)) as {
      redisStore: (o: { redis: unknown; prefix: string }) => GlobalLimitOptions['store'];
    };
    const { Redis } = await import('ioredis');
    const redis = new Redis(spec.fleet.redisUrl);
    const shared = redisStore({ redis, prefix: `bench-db-${process.ppid}` });
    store = {
      close: async () => {
        await shared.close();
        redis.disconnect();
      },
    };
    const { key, max, leaseMs, turnMs } = spec.fleet;
    globalLimit = { store: shared, key, max, leaseMs, turnMs };
  }
  const guard = guardPool(pool as pg.Pool, { globalLimit });
  return {
    query: (sql: string) => guard.query(sql),
    refused: () => guard.health().totals.refused,
    close: async () => {
      if (process.env.BENCH_DB_DEBUG) process.stderr.write(`${JSON.stringify(guard.health())}\n`);
      await guard.close();
      await store?.close();
    },
  };
}

process.on('message', async (message: ParentMessage) => {
  if (message.type !== 'run') return;
  const spec = message.spec;
  try {
    const target = await setup(spec);
    // Warm the code up as a running service is (one connection, one at a time), so a row
    // measures the pool, not the JIT compiling a few more functions in a fresh process.
    for (let i = 0; i < WARMUP; i++) await target.query('SELECT 1');
    const t0 = await new Promise<number>((resolve) => {
      const onGo = (m: ParentMessage) => {
        if (m.type !== 'go') return;
        process.off('message', onGo);
        resolve(m.t0);
      };
      process.on('message', onGo);
      send({ type: 'ready' });
    });
    const result: WorkerResult = {
      ok: 0,
      errors: {},
      latencies: [],
      completions: [],
      durationMs: 0,
      refusedAttempts: 0,
    };
    const start = performance.now();
    await Promise.all(
      Array.from({ length: spec.callers }, async () => {
        for (let i = 0; i < spec.times; i++) {
          const began = performance.now();
          try {
            await target.query(spec.sql);
            result.ok++;
            result.completions.push(Date.now() - t0);
          } catch (error) {
            const code = codeOf(error);
            result.errors[code] = (result.errors[code] ?? 0) + 1;
          }
          result.latencies.push(performance.now() - began);
        }
      }),
    );
    result.durationMs = performance.now() - start;
    if (process.env.BENCH_DB_DEBUG)
      process.stderr.write(
        `cpu ${spec.guarded ? 'guarded' : 'bare'} ${JSON.stringify(process.cpuUsage())}\n`,
      );
    result.refusedAttempts = target.refused();
    await target.close();
    send({ type: 'done', result });
  } catch (error) {
    send({
      type: 'failed',
      error: error instanceof Error ? (error.stack ?? error.message) : String(error),
    });
  }
  process.disconnect();
});
