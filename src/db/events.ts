/**
 * The guard's events: one per decision it makes (a caller queued, admitted, shed; a
 * refusal backed off; a limit learned or changed; a leak; an alarm), plus the breaker's
 * transitions. Every event carries `name`, the guarded database as people know it, so
 * sinks (alarms, the service map) can tell two pools apart.
 */
import type { SelfhealEvent } from '../core/internal.js';

/** How urgent a caller's work is; `background` is shed first. @default 'normal' */
export type Priority = 'high' | 'normal' | 'background';

/** The figures every admission event carries. */
export interface LoadFigures {
  name: string;
  /** Connections checked out or being opened by this guard. */
  inUse: number;
  /** Callers waiting for a connection. */
  waiting: number;
  /** The guard's concurrency limit now. */
  limit: number;
}

/** What the guard learned from the server (see docs/db.md for each figure). */
export interface LearnedLimits {
  /** Connections the server admits for this user: `max_connections` − reserved, or MySQL `max_connections`. */
  serverMax: number;
  /** Client connections on the server now, every user. */
  serverConnections: number;
  /** The user's own cap (`rolconnlimit`, `max_user_connections`); null when it has none. */
  userMax: number | null;
  /** Connections of this user now, from every client. */
  userConnections: number;
  /** Of those, held by other clients (other processes, other services). */
  others: number;
  /** What this guard may open: the tighter of the two caps minus what others hold (≥ 1). */
  allowance: number;
}

/** The guard's events, by `type`. */
export interface DbEventMap {
  /** A caller found no free slot and waits. */
  queued: LoadFigures & { priority: Priority };
  /** A caller got its connection after `waitedMs`. */
  acquired: LoadFigures & { priority: Priority; waitedMs: number };
  /** A caller got no connection: {@link PoolSaturatedError} (`error`) says why. */
  shed: LoadFigures & {
    priority: Priority;
    reason: 'timeout' | 'queue-full' | 'shed';
    waitedMs: number;
    error: unknown;
  };
  /** The server refused a connection (`code`): the caller retries after `delayMs`. */
  backoff: LoadFigures & { code: string; attempt: number; delayMs: number; error: unknown };
  /** The guard's limit changed, and why. */
  'limit-changed': {
    name: string;
    from: number;
    to: number;
    reason: 'learned' | 'backpressure' | 'recovered';
  };
  /** The server's limits were read (at the first checkout, then every `limitsRefreshMs`). */
  'limit-learned': LearnedLimits & { name: string; utilization: number };
  /** Reading the server's limits failed; the guard keeps its last figures (or the pool's max). */
  'limits-unavailable': { name: string; error: unknown };
  /** A checkout was held longer than `leakDetectionMs`; `stack` is where it was taken. */
  leak: { name: string; heldMs: number; thresholdMs: number; stack: string };
  /** A human should hear about this (the shape `alarmSink` reads). */
  alarm: {
    name: string;
    kind: 'utilization';
    message: string;
    /** Share of the tighter limit in use, every client counted. */
    value: number;
    limit: number;
    connections: number;
    others: number;
  };
  /** A connection attempt failed because the database is unreachable or shutting down. */
  'connection-failed': { name: string; code: string; error: unknown };
  /** The breaker opened (`consecutive-failures`: failed connects in a row; `probe-failed`: its probe failed). */
  'breaker-open': {
    name: string;
    retryAfterMs: number;
    reason: 'failure-rate' | 'consecutive-failures' | 'probe-failed' | 'forced';
    error: unknown;
  };
  'breaker-half-open': { name: string };
  'breaker-closed': { name: string };
  /** The open breaker refused a call: it failed fast with `error` (BrokenCircuitError). */
  rejected: { name: string; reason: 'circuit-open'; error: unknown };
  /** Idle connections were closed (`idleCloseMs` passed, `closeIdle()`, or a lower limit). */
  'idle-closed': { name: string; closed: number; reason: 'idle' | 'requested' | 'limit' };
  /** A fleet slot expired before it was refreshed (the process stalled): its connection is closed. */
  'lease-lost': { name: string; key: string };
}

/** Any guard event. */
export type DbEvent = SelfhealEvent<DbEventMap>;

/** How a guard's parts report: the guard adds `type`, `source`, `at` and `name`. */
export type Emit = <K extends keyof DbEventMap & string>(
  type: K,
  payload: Omit<DbEventMap[K], 'name'>,
) => void;
