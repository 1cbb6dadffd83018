/**
 * Runs one row: forks its worker processes, starts them together, samples the user's
 * connections on the server every 50 ms from an admin connection, and sums up.
 */
import { fork } from 'node:child_process';
import type { TestUser } from '../../test/db/support.js';
import { sharesWhileAllRan } from '../../test/db/support.js';
import { CALLERS, LIMIT, type Row, TIMES } from './rows.js';
import type { ParentMessage, WorkerMessage, WorkerResult } from './types.js';

/** A row's figures. */
export interface RowResult {
  row: Row;
  /** q/s of every round of this row (the figures shown are the median round's). */
  qpsRange?: [number, number];
  /** Connection errors callers saw, summed over every round. */
  connectionErrorsAllRounds?: number;
  total: number;
  ok: number;
  errors: Record<string, number>;
  qps: number;
  p50: number;
  p99: number;
  peak: number;
  /** ok per process. */
  perProcess: number[];
  /** Each process's share of the work while all ran (1 = equal); null for one process. */
  shares: number[] | null;
  refusedAttempts: number;
  seconds: number;
}

const SQL = { pg: 'SELECT pg_sleep(0.02)', mysql: 'SELECT SLEEP(0.02)' };

export async function runRow(row: Row, user: TestUser, redisUrl: string): Promise<RowResult> {
  const deadline = Date.now() + 10_000;
  while ((await user.connections()) > 0 && Date.now() < deadline) await pause(100);
  const workers = Array.from({ length: row.processes }, () =>
    fork(new URL('./worker.ts', import.meta.url).pathname, [], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    }),
  );
  const next = (w: (typeof workers)[number]) =>
    new Promise<WorkerMessage>((resolve, reject) => {
      w.once('message', (m) => resolve(m as WorkerMessage));
      w.once('exit', (code) => reject(new Error(`worker exited with ${code}`)));
    });
  const callers = CALLERS / row.processes;
  const ready = workers.map(next);
  for (const w of workers)
    w.send({
      type: 'run',
      spec: {
        driver: row.driver,
        config: user.config,
        poolMax: row.poolMax,
        guarded: row.guarded,
        fleet: row.fleet
          ? { redisUrl, key: `bench-db:${user.name}`, max: LIMIT, leaseMs: 5_000, turnMs: 250 }
          : undefined,
        callers,
        times: TIMES,
        sql: SQL[row.driver],
      },
    } satisfies ParentMessage);
  for (const m of await Promise.all(ready))
    if (m.type !== 'ready') throw new Error(JSON.stringify(m));
  const done = workers.map(next);
  const sampler = user.sample();
  const t0 = Date.now();
  for (const w of workers) w.send({ type: 'go', t0 } satisfies ParentMessage);
  const messages = await Promise.all(done);
  const peak = await sampler.stop();
  const results = messages.map((m) => {
    if (m.type !== 'done') throw new Error(m.type === 'failed' ? m.error : 'unexpected message');
    return m.result;
  });
  return summarise(row, results, peak);
}

function summarise(row: Row, results: WorkerResult[], peak: number): RowResult {
  const errors: Record<string, number> = {};
  for (const r of results)
    for (const [code, n] of Object.entries(r.errors)) errors[code] = (errors[code] ?? 0) + n;
  const latencies = results.flatMap((r) => r.latencies).sort((a, b) => a - b);
  const ok = results.reduce((a, r) => a + r.ok, 0);
  const seconds = Math.max(...results.map((r) => r.durationMs)) / 1000;
  return {
    row,
    total: CALLERS * TIMES,
    ok,
    errors,
    qps: ok / seconds,
    p50: quantile(latencies, 0.5),
    p99: quantile(latencies, 0.99),
    peak,
    perProcess: results.map((r) => r.ok),
    shares: results.length > 1 ? sharesWhileAllRan(results.map((r) => r.completions)) : null,
    refusedAttempts: results.reduce((a, r) => a + r.refusedAttempts, 0),
    seconds,
  };
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

function pause(ms: number) {
  return new Promise((r) => setTimeout(r, ms));
}

const CONNECTION_ERRORS =
  /^(53300|ER_USER_LIMIT_REACHED|ER_CON_COUNT_ERROR|ER_TOO_MANY_USER_CONNECTIONS)$/;

/** Connection errors ("too many connections") callers saw in one round. */
export function connectionErrors(r: RowResult): number {
  return Object.entries(r.errors).reduce(
    (a, [code, n]) => a + (CONNECTION_ERRORS.test(code) ? n : 0),
    0,
  );
}

/** The round with the median q/s, carrying the range and the connection errors of all rounds. */
export function medianRound(results: RowResult[]): RowResult {
  const sorted = [...results].sort((a, b) => a.qps - b.qps);
  return {
    ...sorted[Math.floor((sorted.length - 1) / 2)]!,
    qpsRange: [sorted[0]!.qps, sorted.at(-1)!.qps],
    connectionErrorsAllRounds: results.reduce((a, r) => a + connectionErrors(r), 0),
  };
}
