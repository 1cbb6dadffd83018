/**
 * The rows of `npm run bench:db`: the five unguarded pools (and the hand-sized
 * mysql2 pool, for its throughput ratio), then the same pools behind guardPool(). Every
 * row: 500 callers × 5 queries of 20 ms against a user limited to 10 connections.
 */

export interface Row {
  id: string;
  label: string;
  driver: 'pg' | 'mysql';
  processes: number;
  poolMax: number;
  guarded: boolean;
  /** Fleet-wide cap of 10 through Redis (needs selfheal/redis). */
  fleet?: boolean;
  /** The unguarded row whose throughput this row is compared with. */
  baseline?: string;
}

export const CALLERS = 500;
export const TIMES = 5;
export const LIMIT = 10;

export const ROWS: Row[] = [
  {
    id: 'pg-20',
    label: 'pg.Pool `max: 20` (too big, as configs drift)',
    driver: 'pg',
    processes: 1,
    poolMax: 20,
    guarded: false,
  },
  {
    id: 'pg-10',
    label: 'pg.Pool `max: 10` (hand-sized)',
    driver: 'pg',
    processes: 1,
    poolMax: 10,
    guarded: false,
  },
  {
    id: 'pg-4x5',
    label: '4 processes × pg.Pool `max: 5` (the fleet case)',
    driver: 'pg',
    processes: 4,
    poolMax: 5,
    guarded: false,
  },
  {
    id: 'my-20',
    label: 'mysql2 `connectionLimit: 20`',
    driver: 'mysql',
    processes: 1,
    poolMax: 20,
    guarded: false,
  },
  {
    id: 'my-10',
    label: 'mysql2 `connectionLimit: 10` (hand-sized)',
    driver: 'mysql',
    processes: 1,
    poolMax: 10,
    guarded: false,
  },
  {
    id: 'my-4x5',
    label: 'mysql2 4 × 5',
    driver: 'mysql',
    processes: 4,
    poolMax: 5,
    guarded: false,
  },
  {
    id: 'g-pg-20',
    label: '**guardPool**(pg.Pool `max: 20`)',
    driver: 'pg',
    processes: 1,
    poolMax: 20,
    guarded: true,
    baseline: 'pg-10',
  },
  {
    id: 'g-pg-4x5',
    label: '4 × **guardPool**(pg.Pool `max: 5`), no fleet cap',
    driver: 'pg',
    processes: 4,
    poolMax: 5,
    guarded: true,
    baseline: 'pg-10',
  },
  {
    id: 'g-pg-4x5-fleet',
    label: '4 × **guardPool**(pg.Pool `max: 5`, `globalLimit` 10 on Redis)',
    driver: 'pg',
    processes: 4,
    poolMax: 5,
    guarded: true,
    fleet: true,
    baseline: 'pg-10',
  },
  {
    id: 'g-my-20',
    label: '**guardPool**(mysql2 `connectionLimit: 20`)',
    driver: 'mysql',
    processes: 1,
    poolMax: 20,
    guarded: true,
    baseline: 'my-10',
  },
  {
    id: 'g-my-4x5',
    label: '4 × **guardPool**(mysql2 5), no fleet cap',
    driver: 'mysql',
    processes: 4,
    poolMax: 5,
    guarded: true,
    baseline: 'my-10',
  },
  {
    id: 'g-my-4x5-fleet',
    label: '4 × **guardPool**(mysql2 5, `globalLimit` 10 on Redis)',
    driver: 'mysql',
    processes: 4,
    poolMax: 5,
    guarded: true,
    fleet: true,
    baseline: 'my-10',
  },
];
