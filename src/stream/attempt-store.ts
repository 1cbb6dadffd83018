/**
 * Attempts per record. The count lives in a Store's counters facet (`memoryStore()` by
 * default; `redisStore()` from selfheal/redis so a fleet shares it), expiring `ttlMs` after
 * the last failure. A source that counts deliveries itself (SQS `ApproximateReceiveCount`,
 * a Redis Stream's delivery count) is trusted instead, and the store is not called at all.
 * The failures this process saw are kept beside the count, bounded, for the dead letter.
 */
import { createHash } from 'node:crypto';
import {
  type Clock,
  memoryStore,
  optionalNumber,
  type Store,
  systemClock,
} from '../core/internal.js';
import type { AttemptHistory, FailedAttempt } from './types.js';

/** Options of {@link attemptStore}. */
export interface AttemptStoreOptions {
  /** Where counts live; its `counters` facet is used. @default memoryStore() */
  store?: Store;
  /** Prefix of the counter keys. @default 'selfheal:attempts:' */
  prefix?: string;
  /** A count expires this long after its last failure. @default 86_400_000 (one day) */
  ttlMs?: number;
  /** Records whose failures are itemised in memory (oldest forgotten first). @default 10_000 */
  maxTracked?: number;
  /** Turns an error into the short text kept in the history (redact it). @default `${name}: ${message}` */
  describe?: (error: unknown) => string;
  /** @default the store's clock */
  clock?: Clock;
}

/** Counts failures per record id. */
export interface AttemptStore {
  /** Failures of `id` this process saw (the best guess before running it). */
  seen(id: string): number;
  /**
   * Counts one failure of `id` and returns its history. `sourceCount` (this delivery's
   * number, from the source) replaces the store's count when given.
   */
  fail(id: string, error: unknown, sourceCount?: number): Promise<AttemptHistory>;
  /** The history as known now, without counting (for records that are poison before running). */
  history(id: string, sourceCount: number): AttemptHistory;
  /** Forgets `id` (it is done: processed, dead-lettered or skipped). */
  clear(id: string): Promise<void>;
}

const MAX_FAILURES = 10;
/** Ids longer than this are counted under their hash: store keys stay short (Redis's are capped). */
const MAX_ID_IN_KEY = 200;

function keyOf(prefix: string, id: string): string {
  if (id.length <= MAX_ID_IN_KEY) return prefix + id;
  return `${prefix}#${createHash('sha256').update(id).digest('base64url')}`;
}
const MAX_TEXT = 300;

/** Creates an {@link AttemptStore}. */
export function attemptStore(options: AttemptStoreOptions = {}): AttemptStore {
  const store = options.store ?? memoryStore();
  if (typeof store?.counters?.increment !== 'function')
    throw new TypeError('Expected `store` to be a selfheal Store (memoryStore(), redisStore())');
  const prefix = options.prefix ?? 'selfheal:attempts:';
  if (typeof prefix !== 'string') throw new TypeError('Expected `prefix` to be a string');
  const ttlMs = optionalNumber('ttlMs', options.ttlMs, 86_400_000, { min: 1 });
  const maxTracked = optionalNumber('maxTracked', options.maxTracked, 10_000, {
    min: 1,
    integer: true,
  });
  const describe = options.describe ?? defaultDescribe;
  const clock = options.clock ?? store.clock ?? systemClock;
  const failures = new Map<string, FailedAttempt[]>();
  // Ids whose count this process wrote to the store: only those have a counter to delete.
  const stored = new Set<string>();

  const remember = (id: string, attempt: number, error: unknown) => {
    const list = failures.get(id) ?? [];
    failures.delete(id); // re-insert: the Map's order is the eviction order
    list.push({ attempt, at: clock.now(), error: describe(error).slice(0, MAX_TEXT) });
    if (list.length > MAX_FAILURES) list.shift();
    failures.set(id, list);
    if (failures.size > maxTracked) {
      const oldest = failures.keys().next().value!;
      failures.delete(oldest);
      stored.delete(oldest);
    }
    return list;
  };

  return {
    seen: (id) => failures.get(id)?.at(-1)?.attempt ?? 0,
    async fail(id, error, sourceCount) {
      if (sourceCount !== undefined) {
        const list = remember(id, sourceCount, error);
        return { attempts: sourceCount, countedBy: 'source', failures: [...list] };
      }
      let attempts: number;
      try {
        attempts = await store.counters.increment(keyOf(prefix, id), { ttlMs });
      } catch {
        // A store must not make the caller fail: count on what this process saw.
        attempts = (failures.get(id)?.at(-1)?.attempt ?? 0) + 1;
      }
      const list = remember(id, attempts, error);
      stored.add(id);
      return { attempts, countedBy: 'store', failures: [...list] };
    },
    history: (id, sourceCount) => ({
      attempts: sourceCount,
      countedBy: 'source',
      failures: [...(failures.get(id) ?? [])],
    }),
    async clear(id) {
      failures.delete(id);
      if (!stored.delete(id)) return;
      try {
        await store.counters.delete(keyOf(prefix, id));
      } catch {
        // The counter expires after ttlMs anyway.
      }
    },
  };
}

function defaultDescribe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
