/**
 * The part of an ioredis client selfheal/stream uses, as a structural type: ioredis stays
 * an optional peer dependency, never imported. Commands go through `call()` so replies
 * keep Redis's own shapes.
 */

/** Enough of a client to send commands (ioredis `Redis`, or a Cluster for sinks). */
export interface RedisCommands {
  call(command: string, args: (string | number)[]): Promise<unknown>;
}

/** A connection the consumer can copy for its own blocking reads (ioredis `Redis`). */
export interface RedisConnection extends RedisCommands {
  /** A new connection with the same options (ioredis `duplicate()`). */
  duplicate(): RedisConnection;
  /** Closes the connection at once, without reconnecting. */
  disconnect(): void;
  on(event: 'ready' | 'error' | 'close', listener: (...args: unknown[]) => void): unknown;
  off(event: 'ready' | 'error' | 'close', listener: (...args: unknown[]) => void): unknown;
}

/** True when `value` can send commands. */
export function isRedisCommands(value: unknown): value is RedisCommands {
  return typeof (value as RedisCommands | undefined)?.call === 'function';
}

/** A flat `[field, value, …]` reply (RESP2, or ioredis's legacy RESP3 mapping) or a map object, as pairs. */
export function fieldPairs(reply: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (Array.isArray(reply)) {
    for (let i = 0; i + 1 < reply.length; i += 2) out[String(reply[i])] = String(reply[i + 1]);
  } else if (reply && typeof reply === 'object') {
    for (const [k, v] of Object.entries(reply)) out[k] = String(v);
  }
  return out;
}
