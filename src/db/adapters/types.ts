/**
 * What the guard needs from a driver, and nothing more: check a connection out and give
 * it back (or close it), count the pool's connections through the driver's public
 * events, read the server's limits on a connection, and say what an error means. One
 * adapter per driver (pg, mysql2); the guard above them is the same.
 */

/** What an error from the driver means to the guard. */
export type Verdict =
  /** The server refused a connection because it has too many (53300, 1040, 1203, 1226). */
  | 'saturated'
  /** The connection could not be made or was lost: the server is unreachable, shutting down, or ended it. */
  | 'connection'
  /** Anything else (a SQL error): the caller's business. */
  | 'other';

/** The server's figures, as one discovery query reads them. */
export interface ServerFigures {
  /** Connections the server admits for this user (`max_connections` − reserved slots). */
  serverMax: number;
  /** Client connections on the server now. */
  serverConnections: number;
  /** The user's own cap; null when it has none (or it does not apply, as for superusers). */
  userMax: number | null;
  /** This user's connections now, every client. */
  userConnections: number;
}

/** Told when the pool opens or closes a connection (from the driver's public events). */
export interface ConnectionEvents {
  opened(): void;
  closed(): void;
}

/** One driver's pool, as the guard uses it. `C` is the driver's checked-out connection. */
export interface DriverAdapter<C = unknown> {
  readonly driver: 'pg' | 'mysql';
  /** The pool's own size limit (`max`, `connectionLimit`); Infinity when unlimited. */
  readonly poolMax: number;
  /** `driver host:port/database`, for a default name (never the user or password). */
  readonly label: string;
  /** Counts connections from now on; returns the disposer. */
  watch(events: ConnectionEvents): () => void;
  /** Checks a connection out of the pool (an idle one when there is one). */
  checkout(): Promise<C>;
  /**
   * Gives it back; `destroy` closes it instead of keeping it idle, and then returns a
   * promise that resolves once the connection has ended (its server slot is free).
   */
  release(connection: C, destroy: boolean): Promise<void> | undefined;
  /**
   * Listens for errors on a checked-out connection until {@link unguard}: the server may
   * end it while the caller holds it between queries, and unheard, the driver would crash
   * the process.
   */
  guard(connection: C): void;
  /** Stops listening; true when the connection errored meanwhile (it must be closed). */
  unguard(connection: C): boolean;
  /** Reads the server's limits and current use on `connection`. */
  discover(connection: C): Promise<ServerFigures>;
  classify(error: unknown): Verdict;
  /** A short code for events and health (`53300`, `ER_USER_LIMIT_REACHED`, `ECONNREFUSED`). */
  codeOf(error: unknown): string;
  /** Ends the pool. */
  end(): Promise<void>;
}
