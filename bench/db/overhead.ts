/**
 * The guard's own cost per query: a trivial query (`SELECT 1`), one at a time, through a
 * bare hand-sized pool and through guardPool() over the same kind of pool, interleaved
 * query by query (order swapped every time) so drift hits both alike. Both pools are warm.
 */
import mysql from 'mysql2/promise';
import pg from 'pg';
import { guardPool } from '../../src/db/index.js';
import type { TestUser } from '../../test/db/support.js';

export interface Overhead {
  driver: 'pg' | 'mysql';
  bareMedianUs: number;
  guardedMedianUs: number;
  /** Median of guarded − bare over adjacent pairs, µs. */
  overheadUs: number;
  /** Median guarded − median bare, µs (drift between the two is not cancelled). */
  differenceOfMediansUs: number;
  samples: number;
}

export async function measureOverhead(
  driver: 'pg' | 'mysql',
  user: TestUser,
  samples = 5_000,
): Promise<Overhead> {
  const makePool = () =>
    driver === 'pg'
      ? new pg.Pool({ ...user.config, max: 10 })
      : (mysql.createPool({ ...user.config, connectionLimit: 10 }) as unknown as pg.Pool);
  const bare = makePool();
  const guard = guardPool(makePool());
  const run = {
    bare: () => bare.query('SELECT 1'),
    guarded: () => guard.query('SELECT 1'),
  };
  for (let i = 0; i < 500; i++) {
    await run.bare();
    await run.guarded();
  }
  const times = { bare: [] as number[], guarded: [] as number[] };
  for (let i = 0; i < samples; i++) {
    const order = i % 2 === 0 ? (['bare', 'guarded'] as const) : (['guarded', 'bare'] as const);
    for (const which of order) {
      const start = process.hrtime.bigint();
      await run[which]();
      times[which].push(Number(process.hrtime.bigint() - start) / 1_000);
    }
  }
  await bare.end();
  await guard.close();
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  // Adjacent pairs see the same moment of the machine: the median of their differences
  // is the guard's cost with the drift cancelled.
  const pairs = times.guarded.map((g, i) => g - times.bare[i]!);
  return {
    driver,
    bareMedianUs: median(times.bare),
    guardedMedianUs: median(times.guarded),
    overheadUs: median(pairs),
    differenceOfMediansUs: median(times.guarded) - median(times.bare),
    samples,
  };
}
