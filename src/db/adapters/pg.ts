/**
 * The node-postgres adapter: a `pg.Pool`, used through its public API only — `connect()`
 * and `client.release(destroy)`, the pool's `connect` / `remove` events to count its
 * connections, and one query for the server's limits.
 */
import { codeField, isSocketError, messageField } from './network.js';
import type { DriverAdapter, ServerFigures, Verdict } from './types.js';

/** The parts of a `pg.PoolClient` the guard uses. */
export interface PgClientLike {
  query(...args: unknown[]): unknown;
  release(destroy?: boolean | Error): void;
  on(event: 'error', listener: (error: unknown) => void): unknown;
  removeListener(event: 'error', listener: (error: unknown) => void): unknown;
}

/** The parts of a `pg.Pool` the guard uses. */
export interface PgPoolLike {
  connect(): Promise<PgClientLike>;
  readonly totalCount: number;
  readonly idleCount: number;
  options: { max?: number; host?: string; port?: number; database?: string };
  on(event: string, listener: (...args: never[]) => void): unknown;
  removeListener(event: string, listener: (...args: never[]) => void): unknown;
  end(): Promise<void>;
}

/** True for a pg.Pool (pg-pool): `connect()`, the live counts and its options. */
export function isPgPool(pool: unknown): pool is PgPoolLike {
  const p = pool as Partial<PgPoolLike>;
  return (
    typeof p.connect === 'function' &&
    typeof p.totalCount === 'number' &&
    typeof p.idleCount === 'number' &&
    typeof p.options === 'object' &&
    p.options !== null
  );
}

/** True for a single pg.Client: it has connection parameters but no pool counts. */
export function isPgClient(value: unknown): boolean {
  const c = value as { connect?: unknown; query?: unknown; connectionParameters?: unknown };
  return (
    typeof c.connect === 'function' &&
    typeof c.query === 'function' &&
    typeof c.connectionParameters === 'object'
  );
}

// SQLSTATE classes: 08 connection exception; 57P01 admin_shutdown (pg_terminate_backend),
// 57P02 crash_shutdown, 57P03 cannot_connect_now (starting up, shutting down, recovering).
const LOST = new Set(['57P01', '57P02', '57P03']);

// Errors pg raises without a code when the socket ended under it.
const LOST_MESSAGE =
  /^(Connection terminated|Client has encountered a connection error|Client was closed)/;

const FIGURES = `SELECT current_setting('max_connections')::int AS max_connections,
  current_setting('superuser_reserved_connections')::int AS superuser_reserved,
  coalesce(current_setting('reserved_connections', true), '0')::int AS reserved,
  r.rolconnlimit AS role_limit,
  r.rolsuper AS superuser,
  (SELECT count(*) FROM pg_stat_activity WHERE usename = current_user)::int AS role_connections,
  (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend')::int AS server_connections
FROM pg_roles r WHERE r.rolname = current_user`;

interface FigureRow {
  max_connections: number;
  superuser_reserved: number;
  reserved: number;
  role_limit: number;
  superuser: boolean;
  role_connections: number;
  server_connections: number;
}

/** The adapter for a `pg.Pool`. */
export function pgAdapter(pool: PgPoolLike): DriverAdapter<PgClientLike> {
  const { host = 'localhost', port = 5432, database = '' } = pool.options;
  // Checked-out clients that errored; one listener for all, which finds its client as `this`.
  const broken = new WeakSet<PgClientLike>();
  function markBroken(this: PgClientLike): void {
    broken.add(this);
  }
  // Clients the guard is closing, and who waits for their end.
  const ending = new Map<PgClientLike, () => void>();
  const onRemove = (client: PgClientLike) => {
    ending.get(client)?.();
    ending.delete(client);
  };
  return {
    driver: 'pg',
    poolMax: pool.options.max ?? 10,
    label: `pg ${host}:${port}/${database}`,
    watch({ opened, closed }) {
      // pg-pool emits `remove` once the client has ended: the server slot is free by then.
      const removed = (client: PgClientLike) => {
        closed();
        onRemove(client);
      };
      pool.on('connect', opened);
      pool.on('remove', removed);
      return () => {
        pool.removeListener('connect', opened);
        pool.removeListener('remove', removed);
      };
    },
    checkout: () => pool.connect(),
    release(client, destroy) {
      if (!destroy) {
        releaseOnce(client);
        return undefined;
      }
      const ended = new Promise<void>((resolve) => ending.set(client, resolve));
      // Released already (by the caller, inside withConnection): it is idle, not closing.
      if (!releaseOnce(client, true)) onRemove(client);
      return ended;
    },
    guard(client) {
      client.on('error', markBroken);
    },
    unguard(client) {
      client.removeListener('error', markBroken);
      return broken.delete(client);
    },
    async discover(client): Promise<ServerFigures> {
      const result = (await client.query(FIGURES)) as { rows: FigureRow[] };
      const row = result.rows[0];
      if (!row) throw new Error('pg_roles has no row for current_user');
      // Reserved slots and the role's own limit do not bind superusers.
      const reserved = row.superuser ? 0 : row.superuser_reserved + row.reserved;
      return {
        serverMax: row.max_connections - reserved,
        serverConnections: row.server_connections,
        userMax: row.superuser || row.role_limit < 0 ? null : row.role_limit,
        userConnections: row.role_connections,
      };
    },
    classify,
    codeOf: (error) => codeField(error) || (LOST_MESSAGE.test(messageField(error)) ? 'LOST' : ''),
    end: () => pool.end(),
  };
}

function classify(error: unknown): Verdict {
  const code = codeField(error);
  if (code === '53300') return 'saturated';
  if (LOST.has(code) || code.startsWith('08') || isSocketError(error)) return 'connection';
  if (code === '' && LOST_MESSAGE.test(messageField(error))) return 'connection';
  return 'other';
}

/** Releases `client` (closing it with `destroy`); false when it had been released already. */
function releaseOnce(client: PgClientLike, destroy?: true): boolean {
  try {
    client.release(destroy);
    return true;
  } catch {
    return false;
  }
}
