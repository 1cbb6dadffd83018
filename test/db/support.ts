/**
 * Real databases for the guard's integration suites: a fresh PostgreSQL role or MariaDB
 * user with a connection limit under a unique name (dropped afterwards), an admin
 * connection that samples the user's live connections every 50 ms, and a load of N
 * callers × M queries that counts outcomes by kind.
 */
import mysql from 'mysql2/promise';
import pg from 'pg';
import { isBrokenCircuitError, isPoolSaturatedError } from '../../src/core/index.js';

const suffix = () => `${process.pid}_${Math.random().toString(36).slice(2, 8)}`;

/** A database user with `limit` connections, and what a test needs around it. */
export interface TestUser {
  name: string;
  /** Pool options that log in as this user. */
  config: Record<string, unknown>;
  /** The user's connections on the server now (every client). */
  connections(): Promise<number>;
  /** Samples `connections()` every 50 ms until stopped; returns the peak. */
  sample(): { stop(): Promise<number>; readonly peak: number };
  /** Ends the user's connections and drops it. */
  drop(): Promise<void>;
}

export async function pgUser(limit: number, prefix = 'sh_db'): Promise<TestUser> {
  const admin = new pg.Client({ host: '127.0.0.1', user: 'postgres', database: 'test' });
  await admin.connect();
  const name = `${prefix}_${suffix()}`;
  await admin.query(`CREATE ROLE ${name} LOGIN CONNECTION LIMIT ${limit}`);
  const count = async () =>
    (
      await admin.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM pg_stat_activity WHERE usename = $1',
        [name],
      )
    ).rows[0]!.n;
  return {
    name,
    config: { host: '127.0.0.1', port: 5432, user: name, database: 'test' },
    connections: count,
    sample: () => sampler(count),
    async drop() {
      await admin.query(
        'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1',
        [name],
      );
      await admin.query(`DROP ROLE IF EXISTS ${name}`);
      await admin.end();
    },
  };
}

export async function mariaUser(limit: number, prefix = 'sh_db'): Promise<TestUser> {
  const admin = await mysql.createConnection({ host: '127.0.0.1', user: 'root', database: 'test' });
  const name = `${prefix}_${suffix()}`.slice(0, 32);
  await admin.query(`CREATE USER '${name}'@'%' WITH MAX_USER_CONNECTIONS ${limit}`);
  await admin.query(`GRANT SELECT ON test.* TO '${name}'@'%'`);
  const count = async () => {
    const [rows] = await admin.query(
      'SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE USER = ?',
      [name],
    );
    return Number((rows as Array<{ n: number }>)[0]!.n);
  };
  return {
    name,
    config: { host: '127.0.0.1', port: 3306, user: name, database: 'test' },
    connections: count,
    sample: () => sampler(count),
    async drop() {
      const [rows] = await admin.query(
        'SELECT ID FROM information_schema.PROCESSLIST WHERE USER = ?',
        [name],
      );
      for (const { ID } of rows as Array<{ ID: number }>)
        await admin.query(`KILL ${ID}`).catch(() => undefined);
      await admin.query(`DROP USER IF EXISTS '${name}'@'%'`);
      await admin.end();
    },
  };
}

function sampler(count: () => Promise<number>) {
  let peak = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      peak = Math.max(peak, await count());
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  return {
    get peak() {
      return peak;
    },
    async stop() {
      running = false;
      await loop;
      return peak;
    },
  };
}

/** Outcomes of a load, by kind: `ok`, `PoolSaturatedError:<reason>`, `BrokenCircuitError`, or the driver's code. */
export type Outcomes = Record<string, number>;

/** What an error is, for counting: selfheal's by name (and reason), the driver's by code. */
export function kindOf(error: unknown): string {
  if (isPoolSaturatedError(error)) return `PoolSaturatedError:${error.reason}`;
  if (isBrokenCircuitError(error)) return 'BrokenCircuitError';
  const e = error as { code?: unknown; errno?: unknown; message?: string };
  return String(e.code ?? e.errno ?? e.message);
}

/** `callers` concurrent callers, each running `query` `times` times in a row. */
export async function load(
  callers: number,
  times: number,
  query: () => Promise<unknown>,
  onError?: (error: unknown) => void,
): Promise<{ outcomes: Outcomes; seconds: number }> {
  const outcomes: Outcomes = {};
  const start = performance.now();
  await Promise.all(
    Array.from({ length: callers }, async () => {
      for (let i = 0; i < times; i++) {
        let kind = 'ok';
        try {
          await query();
        } catch (error) {
          kind = kindOf(error);
          onError?.(error);
        }
        outcomes[kind] = (outcomes[kind] ?? 0) + 1;
      }
    }),
  );
  return { outcomes, seconds: (performance.now() - start) / 1000 };
}

/** Polls `check` every 50 ms until it holds, or fails after `timeoutMs`. */
export async function waitFor(
  check: () => Promise<boolean> | boolean,
  timeoutMs = 5_000,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Each process's (or guard's) share of the work done while all of them were running:
 * completions before the first of them finished, divided by the mean. Equal shares are 1.
 */
export function sharesWhileAllRan(completions: number[][]): number[] {
  // A process that completed nothing has share 0; the window ends when the first of the others finished.
  const ends = completions.filter((times) => times.length > 0).map((times) => Math.max(...times));
  const end = Math.min(...ends);
  const counts = completions.map((times) => times.filter((t) => t <= end).length);
  const mean = counts.reduce((a, b) => a + b, 0) / counts.length;
  return counts.map((c) => c / mean);
}
