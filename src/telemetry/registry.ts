/**
 * The service map: a registry that clients, pool guards and stream processors join
 * explicitly, and a JSON snapshot of every dependency and its health for dashboards.
 *
 * Contract for modules that join (http, db, stream, …) — keep it this small:
 *   const leave = registry.register({ name, kind, health: () => json, events? });
 *   …
 *   leave(); // on close/destroy
 * `health()` must be cheap, synchronous and return JSON-safe data; it is called on every
 * `snapshot()`. When `events` is given, the registry counts its events per type and
 * remembers the last one, and stops listening on `leave()`.
 *
 * No hidden global: pass a registry you created. `sharedRegistry()` is the opt-in
 * per-process one (kept on `globalThis`, so duplicated bundles share it).
 */
import { type Clock, type Disposer, systemClock } from '../core/internal.js';
import type { Subscribable } from './event-sink.js';
import { createRedactor } from './redact.js';

/** JSON-safe data. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** What a component gives when it joins. */
export interface Registration {
  /** The dependency's name as people know it (`payments-api`, `orders-db`). */
  name: string;
  /** What it is: `http`, `db`, `stream`, `serverless`, … */
  kind: string;
  /** Its health now, as JSON (state, limits, queue length, …). */
  health: () => unknown;
  /** Its events, counted per type in the snapshot. @default none */
  events?: Subscribable;
}

/** One dependency in a snapshot. */
export interface DependencySnapshot {
  name: string;
  kind: string;
  /** Clock time it registered. */
  since: number;
  /** `health()`'s answer, redacted; `{ error }` when `health()` threw. */
  health: Json;
  /** Event counts by type, when the registration gave `events`. */
  events?: { counts: Record<string, number>; last?: { type: string; at: number } };
}

/** The whole map. */
export interface ServiceMapSnapshot {
  /** Clock time of the snapshot. */
  at: number;
  dependencies: DependencySnapshot[];
}

/** A service-map registry. */
export interface Registry {
  /** Joins the map; the returned disposer leaves it (and stops counting events). */
  register(registration: Registration): Disposer;
  /** Every registered dependency and its health, as JSON. */
  snapshot(): ServiceMapSnapshot;
  /** Number of registered dependencies. */
  readonly size: number;
}

/** Options of {@link createRegistry}. */
export interface RegistryOptions {
  /** Source of `since` and `at`. @default systemClock */
  clock?: Clock;
}

interface Entry {
  registration: Registration;
  since: number;
  counts?: Record<string, number>;
  last?: { type: string; at: number };
  unsubscribe?: Disposer;
}

/** Creates an empty {@link Registry}. */
export function createRegistry(options: RegistryOptions = {}): Registry {
  const clock = options.clock ?? systemClock;
  const entries = new Set<Entry>();
  const redactor = createRedactor({ maxBytes: 16_384 });
  return {
    get size() {
      return entries.size;
    },
    register(registration) {
      validate(registration);
      const entry: Entry = { registration, since: clock.now() };
      if (registration.events) {
        const counts: Record<string, number> = {};
        entry.counts = counts;
        entry.unsubscribe = registration.events.onEvent((event) => {
          counts[event.type] = (counts[event.type] ?? 0) + 1;
          entry.last = { type: event.type, at: event.at };
        });
      }
      entries.add(entry);
      return () => {
        if (!entries.delete(entry)) return;
        entry.unsubscribe?.();
      };
    },
    snapshot() {
      const dependencies = [...entries].map((entry): DependencySnapshot => {
        const { name, kind } = entry.registration;
        const out: DependencySnapshot = {
          name,
          kind,
          since: entry.since,
          health: health(entry, redactor.redact),
        };
        if (entry.counts)
          out.events = {
            counts: { ...entry.counts },
            ...(entry.last && { last: { ...entry.last } }),
          };
        return out;
      });
      return { at: clock.now(), dependencies };
    },
  };
}

const SHARED = Symbol.for('selfheal.registry');

/** The opt-in per-process registry, created on first use. */
export function sharedRegistry(): Registry {
  const g = globalThis as { [SHARED]?: Registry };
  g[SHARED] ??= createRegistry();
  return g[SHARED];
}

/**
 * The service map now: every dependency of `registry` (the opt-in shared one when none
 * is given) and its health, as JSON — what a dashboard or a health endpoint serves.
 */
export function serviceMap(registry: Registry = sharedRegistry()): ServiceMapSnapshot {
  return registry.snapshot();
}

function health(entry: Entry, redact: (value: unknown) => unknown): Json {
  try {
    return redact(entry.registration.health()) as Json;
  } catch (error) {
    return { error: String(redact(error instanceof Error ? error.message : String(error))) };
  }
}

function validate(r: Registration): void {
  if (typeof r !== 'object' || r === null)
    throw new TypeError('Expected `registration` to be an object');
  if (typeof r.name !== 'string' || r.name === '')
    throw new TypeError('Expected `name` to be a non-empty string');
  if (typeof r.kind !== 'string' || r.kind === '')
    throw new TypeError('Expected `kind` to be a non-empty string');
  if (typeof r.health !== 'function')
    throw new TypeError('Expected `health` to be a function returning JSON');
  if (r.events !== undefined && typeof r.events?.onEvent !== 'function') {
    throw new TypeError('Expected `events` to be an event source (an object with onEvent())');
  }
}
