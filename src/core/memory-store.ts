/**
 * The in-process {@link Store}: what every policy uses unless it is given another. Its
 * buckets are GCRA (one "theoretical arrival time" per key, computed from the clock, no
 * timer); leases, counters and breaker states expire on the clock. Waiting for a lease is
 * FIFO, woken by the release that frees a slot.
 */
import { type Clock, sleep, systemClock } from './clock.js';
import { EventHub } from './events.js';
import { abortReason } from './signal.js';
import type {
  BucketSpec,
  Lease,
  Reservation,
  SharedBreakerState,
  Store,
  StoreEventMap,
} from './store.js';

interface Expiring<T> {
  value: T;
  expiresAt: number;
}

/** Creates an in-memory {@link Store} on `clock`. */
export function memoryStore(options: { clock?: Clock } = {}): Store {
  const clock = options.clock ?? systemClock;
  const events = new EventHub<StoreEventMap>();
  const arrivals = new Map<string, number>();
  const rates = new Map<string, Expiring<number>>();
  const counters = new Map<string, Expiring<number>>();
  const breakers = new Map<string, Expiring<SharedBreakerState>>();
  const probes = new Map<string, number>();
  const slots = new Map<string, Map<string, number>>();
  const wakers = new Map<string, Set<() => void>>();
  let seq = 0;

  const live = <T>(map: Map<string, Expiring<T>>, key: string): T | undefined => {
    const entry = map.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt > clock.now()) return entry.value;
    map.delete(key);
    return undefined;
  };

  const takeNow = (key: string, spec: BucketSpec, tokens: number, maxWaitMs: number) => {
    const now = clock.now();
    const rate = Math.min(spec.rate, live(rates, key) ?? Number.POSITIVE_INFINITY);
    const interval = 1000 / rate;
    const tolerance = interval * Math.max(0, spec.burst - 1);
    const tat = Math.max(arrivals.get(key) ?? now, now);
    const next = tat + interval * tokens;
    const waitMs = Math.max(0, next - interval - tolerance - now);
    if (waitMs > maxWaitMs) return { granted: false, waitMs };
    arrivals.set(key, next);
    return { granted: true, waitMs };
  };

  /** Held slots of `key`, expired ones dropped. */
  const holders = (key: string): Map<string, number> => {
    let held = slots.get(key);
    if (!held) {
      held = new Map();
      slots.set(key, held);
    }
    const now = clock.now();
    for (const [id, expiresAt] of held) if (expiresAt <= now) held.delete(id);
    return held;
  };

  const wake = (key: string) => {
    const waiting = wakers.get(key);
    const first = waiting?.values().next().value;
    if (first) {
      waiting!.delete(first);
      first();
    }
  };

  const lease = (key: string, id: string, leaseMs: number): Lease => {
    let released = false;
    return {
      key,
      id,
      refresh: async () => {
        const held = holders(key);
        if (released || !held.has(id)) return false;
        held.set(id, clock.now() + leaseMs);
        return true;
      },
      release: async () => {
        if (released) return;
        released = true;
        if (holders(key).delete(id)) wake(key);
      },
    };
  };

  const tryLease = (key: string, max: number, leaseMs: number): Lease | undefined => {
    const held = holders(key);
    if (held.size >= max) return undefined;
    const id = `m${++seq}`;
    held.set(id, clock.now() + leaseMs);
    return lease(key, id, leaseMs);
  };

  /** Waits for a release of `key` or for the earliest lease to expire, at most `ms`. */
  const waitForSlot = (key: string, ms: number, signal?: AbortSignal) => {
    const held = holders(key);
    const soonest = Math.min(...held.values()) - clock.now();
    const controller = new AbortController();
    const unlink = () => signal?.removeEventListener('abort', onAbort);
    const onAbort = () => controller.abort(abortReason(signal!));
    signal?.addEventListener('abort', onAbort, { once: true });
    let waiting = wakers.get(key);
    if (!waiting) {
      waiting = new Set();
      wakers.set(key, waiting);
    }
    const wokenReason = new Error('woken');
    const woken = () => controller.abort(wokenReason);
    waiting.add(woken);
    return sleep(clock, Math.min(ms, Math.max(0, soonest)), controller.signal)
      .catch((reason: unknown) => {
        if (signal?.aborted) throw abortReason(signal);
        if (reason !== wokenReason) throw reason;
      })
      .finally(() => {
        unlink();
        waiting!.delete(woken);
      });
  };

  return {
    kind: 'memory',
    clock,
    buckets: {
      take: async (key, spec, o = {}) =>
        takeNow(key, spec, o.tokens ?? 1, o.maxWaitMs ?? Number.POSITIVE_INFINITY) as Reservation,
      setRate: async (key, rate, ttlMs) => {
        if (rate === undefined) rates.delete(key);
        else rates.set(key, { value: rate, expiresAt: clock.now() + ttlMs });
      },
      rate: async (key) => live(rates, key),
    },
    leases: {
      async acquire(key, { max, leaseMs, waitMs = 0, signal }) {
        const until = clock.now() + waitMs;
        for (;;) {
          if (signal?.aborted) throw abortReason(signal);
          const got = tryLease(key, max, leaseMs);
          if (got) return got;
          const left = until - clock.now();
          if (left <= 0) return undefined;
          await waitForSlot(key, left, signal);
        }
      },
      held: async (key) => holders(key).size,
    },
    counters: {
      increment: async (key, { ttlMs, by = 1 }) => {
        const value = (live(counters, key) ?? 0) + by;
        counters.set(key, { value, expiresAt: clock.now() + ttlMs });
        return value;
      },
      get: async (key) => live(counters, key) ?? 0,
      delete: async (key) => {
        counters.delete(key);
      },
    },
    breakers: {
      read: async (key) => live(breakers, key),
      write: async (key, state, ttlMs) => {
        breakers.set(key, { value: { ...state }, expiresAt: clock.now() + ttlMs });
      },
      claimProbe: async (key, ttlMs) => {
        const now = clock.now();
        if ((probes.get(key) ?? Number.NEGATIVE_INFINITY) > now) return false;
        probes.set(key, now + ttlMs);
        return true;
      },
    },
    onEvent: (listener) => events.onEvent(listener),
    on: (type, listener) => events.on(type, listener),
    close: async () => {
      for (const map of [arrivals, rates, counters, breakers, probes, slots]) map.clear();
      for (const waiting of wakers.values()) for (const wake of waiting) wake();
      wakers.clear();
    },
  };
}
