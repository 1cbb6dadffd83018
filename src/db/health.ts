/**
 * `guard.health()`: the guard's state as JSON — for the service map, a health endpoint,
 * or a person reading a log. Cheap and synchronous: no query, only what the guard knows.
 */
import type { DriverAdapter } from './adapters/types.js';
import type { Admission } from './admission.js';
import type { Backpressure } from './backpressure.js';
import type { ConnectBreaker } from './connect-breaker.js';
import type { Connections } from './connections.js';
import type { LearnedLimits } from './events.js';
import type { FleetSlots } from './fleet-slots.js';
import type { LimitWatch } from './limit-watch.js';
import type { ResolvedOptions } from './options.js';

/** The guard's health. */
export interface GuardHealth {
  name: string;
  driver: 'pg' | 'mysql';
  /** `ok`; `saturated` when callers wait; `circuit-open` while the database is down; `closed`. */
  state: 'ok' | 'saturated' | 'circuit-open' | 'closed';
  /** The concurrency limit in force, and what sets it. */
  limit: number;
  limitedBy: 'learning' | 'maxConcurrent' | 'pool' | 'server' | 'backpressure';
  inUse: number;
  waiting: number;
  /** The pool's connections on the server: open (checked out or idle) and idle. */
  connections: { open: number; idle: number };
  /** The server's figures at the last read (null before the first, or when reading failed). */
  server:
    | (LearnedLimits & {
        /** Share of the tighter limit in use now, every client counted. */
        utilization: number;
        /** Clock time of the read. */
        learnedAt: number;
      })
    | null;
  /** The limit the server's refusals taught (null: none lately), and the refusals seen. */
  backpressure: { limit: number | null; refusals: number };
  breaker: { state: 'closed' | 'open' | 'half-open'; retryAfterMs: number } | null;
  /** The fleet's slots, with `globalLimit`. */
  fleet: { key: string; max: number; held: number; spare: number; contended: boolean } | null;
  totals: { acquired: number; shed: number; refused: number; connectionFailures: number };
}

/** The parts of a guard its health is read from. */
export interface HealthSource {
  readonly name: string;
  readonly adapter: Pick<DriverAdapter, 'driver' | 'poolMax'>;
  readonly admission: Admission;
  readonly connections: Connections;
  readonly backpressure: Backpressure;
  readonly watch: Pick<LimitWatch<unknown>, 'limits' | 'attempted'>;
  readonly connect: Pick<ConnectBreaker<unknown>, 'policy' | 'failures'>;
  readonly fleet: FleetSlots | undefined;
  readonly o: ResolvedOptions;
  readonly totals: Omit<GuardHealth['totals'], 'connectionFailures'>;
}

/** Builds the health of `guard`; `own` are the figures only the guard itself can read. */
export function healthOf(guard: HealthSource, own: { idle: number; closed: boolean }): GuardHealth {
  const { admission, connections, backpressure, fleet, o } = guard;
  const limits = guard.watch.limits;
  const breaker = guard.connect.policy;
  const limit = admission.limit;
  const learned = limits.limits();
  const serverLimit = fleet ? limits.cap() : limits.allowance();
  const limitedBy: GuardHealth['limitedBy'] =
    o.discoverLimits && !guard.watch.attempted
      ? 'learning'
      : backpressure.limit === limit
        ? 'backpressure'
        : serverLimit === limit
          ? 'server'
          : guard.adapter.poolMax === limit
            ? 'pool'
            : 'maxConcurrent';
  const state: GuardHealth['state'] = own.closed
    ? 'closed'
    : breaker?.state === 'open'
      ? 'circuit-open'
      : admission.waiting > 0
        ? 'saturated'
        : 'ok';
  return {
    name: guard.name,
    driver: guard.adapter.driver,
    state,
    limit,
    limitedBy,
    inUse: admission.active,
    waiting: admission.waiting,
    connections: { open: connections.open, idle: own.idle },
    server: learned
      ? {
          ...learned,
          utilization: limits.utilization(connections.open)!.value,
          learnedAt: limits.learnedAt,
        }
      : null,
    backpressure: {
      limit: Number.isFinite(backpressure.limit) ? backpressure.limit : null,
      refusals: backpressure.refusals,
    },
    breaker: breaker ? { state: breaker.state, retryAfterMs: breaker.retryAfterMs } : null,
    fleet: fleet
      ? {
          key: o.globalLimit!.key,
          max: o.globalLimit!.max,
          held: fleet.held,
          spare: fleet.spare,
          contended: fleet.contended,
        }
      : null,
    totals: { ...guard.totals, connectionFailures: guard.connect.failures },
  };
}
