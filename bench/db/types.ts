/** The shapes the db benchmark's parent and its worker processes exchange. */

/** One process's part of a row. */
export interface WorkerSpec {
  driver: 'pg' | 'mysql';
  /** Pool options logging in as the limited user. */
  config: Record<string, unknown>;
  /** `max` (pg) or `connectionLimit` (mysql2). */
  poolMax: number;
  /** Behind guardPool(), and with a fleet-wide cap through Redis when `fleet` is set. */
  guarded: boolean;
  fleet?: { redisUrl: string; key: string; max: number; leaseMs: number; turnMs: number };
  callers: number;
  times: number;
  sql: string;
}

/** What a worker reports when its callers are done. */
export interface WorkerResult {
  ok: number;
  /** Errors callers saw, by code (`53300`, `ER_USER_LIMIT_REACHED`, `PoolSaturatedError`). */
  errors: Record<string, number>;
  /** Latency of every query as its caller saw it (waiting included), ms. */
  latencies: number[];
  /** When each successful query ended, ms after the common start. */
  completions: number[];
  durationMs: number;
  /** Connection attempts the server refused, absorbed by the guard (guarded rows only). */
  refusedAttempts: number;
}

export type ParentMessage = { type: 'run'; spec: WorkerSpec } | { type: 'go'; t0: number };
export type WorkerMessage =
  | { type: 'ready' }
  | { type: 'done'; result: WorkerResult }
  | { type: 'failed'; error: string };
