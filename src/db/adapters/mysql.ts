/**
 * The mysql2 adapter: a `mysql2/promise` pool, used through its public API only —
 * `getConnection()`, `release()` / `destroy()`, the pool's `connection` event and each
 * connection's `end` / `error` to count connections, and two statements for the
 * server's limits (MariaDB and MySQL alike).
 */
import { codeField, isSocketError } from './network.js';
import type { DriverAdapter, ServerFigures, Verdict } from './types.js';

/** The parts of a mysql2 core connection the guard listens to. */
interface CoreConnectionLike {
  once(event: 'end' | 'error', listener: (...args: unknown[]) => void): unknown;
  on(event: 'error', listener: (error: unknown) => void): unknown;
  removeListener(event: 'error', listener: (error: unknown) => void): unknown;
}

/** The parts of a mysql2/promise `PoolConnection` the guard uses. */
export interface MysqlConnectionLike {
  query(...args: unknown[]): Promise<unknown>;
  release(): void;
  destroy(): void;
  connection: CoreConnectionLike;
}

/** The parts of a mysql2/promise `Pool` the guard uses. */
export interface MysqlPoolLike {
  getConnection(): Promise<MysqlConnectionLike>;
  on(event: 'connection', listener: (connection: CoreConnectionLike) => void): unknown;
  removeListener(event: 'connection', listener: (connection: CoreConnectionLike) => void): unknown;
  end(): Promise<void>;
  pool: {
    getConnection: unknown;
    config: {
      connectionLimit?: number;
      connectionConfig?: { host?: string; port?: number; database?: string };
    };
  };
}

/** True for a mysql2/promise pool: `getConnection()` over a core pool with a config. */
export function isMysqlPool(pool: unknown): pool is MysqlPoolLike {
  const p = pool as Partial<MysqlPoolLike>;
  return (
    typeof p.getConnection === 'function' &&
    typeof p.pool?.getConnection === 'function' &&
    typeof p.pool.config === 'object' &&
    p.pool.config !== null
  );
}

/** True for a callback-style mysql2 pool (`mysql2` rather than `mysql2/promise`). */
export function isMysqlCallbackPool(pool: unknown): boolean {
  const p = pool as { promise?: unknown; getConnection?: unknown; config?: unknown };
  return (
    typeof p.promise === 'function' &&
    typeof p.getConnection === 'function' &&
    typeof p.config === 'object'
  );
}

// 1040 ER_CON_COUNT_ERROR (max_connections), 1203 ER_TOO_MANY_USER_CONNECTIONS,
// 1226 ER_USER_LIMIT_REACHED (max_user_connections).
const SATURATED = new Set([1040, 1203, 1226]);
// 1053 ER_SERVER_SHUTDOWN, 1927 ER_CONNECTION_KILLED (MariaDB), 2006/2013 server gone / lost.
const LOST_ERRNO = new Set([1053, 1927, 2006, 2013]);
const LOST_CODES = new Set([
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'ER_SERVER_SHUTDOWN',
  'ER_CONNECTION_KILLED',
]);

// The session value of max_user_connections is the account's own limit when it has one
// (MAX_USER_CONNECTIONS), else the global one; 0 means none. Without the PROCESS
// privilege the process list shows this user's threads only — which is what is counted.
const FIGURES = `SELECT @@max_connections AS max_connections,
  @@session.max_user_connections AS max_user_connections,
  (SELECT COUNT(*) FROM information_schema.PROCESSLIST
    WHERE USER = SUBSTRING_INDEX(CURRENT_USER(), '@', 1)) AS user_connections`;

/** The adapter for a mysql2/promise pool. */
export function mysqlAdapter(pool: MysqlPoolLike): DriverAdapter<MysqlConnectionLike> {
  const config = pool.pool.config;
  const { host = 'localhost', port = 3306, database = '' } = config.connectionConfig ?? {};
  const limit = config.connectionLimit ?? 10;
  // Checked-out connections that errored; one listener for all, which finds its connection as `this`.
  const broken = new WeakSet<CoreConnectionLike>();
  function markBroken(this: CoreConnectionLike): void {
    broken.add(this);
  }
  // Resolves when each connection ends: a closed connection's server slot is free.
  const ended = new WeakMap<CoreConnectionLike, Promise<void>>();
  return {
    driver: 'mysql',
    poolMax: limit === 0 ? Number.POSITIVE_INFINITY : limit,
    label: `mysql ${host}:${port}/${database}`,
    watch({ opened, closed }) {
      const onConnection = (connection: CoreConnectionLike) => {
        opened();
        ended.set(
          connection,
          new Promise<void>((resolve) => {
            let done = false;
            const end = () => {
              if (done) return;
              done = true;
              closed();
              resolve();
            };
            connection.once('end', end);
            connection.once('error', end);
          }),
        );
      };
      pool.on('connection', onConnection);
      return () => pool.removeListener('connection', onConnection);
    },
    checkout: () => pool.getConnection(),
    release(connection, destroy) {
      if (!destroy) {
        connection.release();
        return undefined;
      }
      connection.destroy();
      return ended.get(connection.connection) ?? Promise.resolve();
    },
    guard(connection) {
      connection.connection.on('error', markBroken);
    },
    unguard(connection) {
      connection.connection.removeListener('error', markBroken);
      return broken.delete(connection.connection);
    },
    async discover(connection): Promise<ServerFigures> {
      const [rows] = (await connection.query(FIGURES)) as [Array<Record<string, unknown>>];
      const [status] = (await connection.query("SHOW GLOBAL STATUS LIKE 'Threads_connected'")) as [
        Array<{ Value?: unknown }>,
      ];
      const row = rows[0] ?? {};
      const userMax = Number(row.max_user_connections);
      return {
        serverMax: Number(row.max_connections),
        serverConnections: Number(status[0]?.Value ?? 0),
        userMax: userMax > 0 ? userMax : null,
        userConnections: Number(row.user_connections),
      };
    },
    classify,
    codeOf: (error) => codeField(error),
    end: () => pool.end(),
  };
}

function classify(error: unknown): Verdict {
  const errno = (error as { errno?: unknown } | null)?.errno;
  if (typeof errno === 'number' && SATURATED.has(errno)) return 'saturated';
  if (typeof errno === 'number' && LOST_ERRNO.has(errno)) return 'connection';
  if (LOST_CODES.has(codeField(error)) || isSocketError(error)) return 'connection';
  return 'other';
}
