/**
 * What one invocation saw: the selfheal events of the connected sources and the
 * operations in flight. Sources are subscribed when the invocation starts and
 * unsubscribed when it ends (`stop()` in a finally) — no global, nothing left behind.
 * Events are attributed through AsyncLocalStorage: an event emitted inside another
 * concurrent invocation's async context is not this one's; events emitted outside any
 * invocation (a timer of a shared client) are kept, since they may matter here.
 */
import type { Clock, Disposer } from '../core/internal.js';
import { eventField, type Subscribable, type TelemetryEvent } from '../telemetry/internal.js';
import type { InFlightOperation, RecordedEvent } from './types.js';

interface Open {
  label: string;
  via: 'track' | 'attempt';
  attempt?: number;
  since: number;
}

/**
 * The one method of Node's AsyncLocalStorage the collector reads, typed structurally so the
 * published .d.ts needs no `@types/node` (this class is reachable from the public types).
 */
interface ContextStore {
  getStore(): object | undefined;
}

/** Collects one invocation's events and in-flight operations. */
export class InvocationCollector {
  readonly events: RecordedEvent[] = [];
  readonly counts: Record<string, number> = {};
  dropped = 0;
  readonly #token: object;
  readonly #storage: ContextStore;
  readonly #clock: Clock;
  readonly #max: number;
  readonly #open = new Set<Open>();
  // Attempts seen through events, per connected source, oldest first: events carry no
  // operation id, so a success/failure closes the oldest open attempt of its source.
  readonly #attempts = new Map<string, Open[]>();
  #disposers: Disposer[] = [];

  constructor(token: object, storage: ContextStore, clock: Clock, maxEvents: number) {
    this.#token = token;
    this.#storage = storage;
    this.#clock = clock;
    this.#max = maxEvents;
  }

  /** Subscribes to the sources. */
  start(sources: readonly Subscribable[]): void {
    this.#disposers = sources.map((source, i) => source.onEvent((event) => this.#record(event, i)));
  }

  /** Unsubscribes from every source; safe to call twice. */
  stop(): void {
    for (const dispose of this.#disposers.splice(0)) dispose();
  }

  /** Marks `work` in flight until it settles. */
  track<T>(label: string, work: PromiseLike<T>): Promise<T> {
    const open: Open = { label: String(label), via: 'track', since: this.#clock.now() };
    this.#open.add(open);
    const done = () => this.#open.delete(open);
    return Promise.resolve(work).then(
      (value) => {
        done();
        return value;
      },
      (error: unknown) => {
        done();
        throw error;
      },
    );
  }

  /** The operations not yet settled, longest running first. */
  inFlight(): InFlightOperation[] {
    const now = this.#clock.now();
    const all = [...this.#open, ...[...this.#attempts.values()].flat()];
    return all
      .sort((a, b) => a.since - b.since)
      .map(({ label, via, attempt, since }) => ({
        label,
        via,
        ...(attempt !== undefined && { attempt }),
        runningMs: now - since,
      }));
  }

  #record(event: TelemetryEvent, from: number): void {
    const owner = this.#storage.getStore();
    if (owner !== undefined && owner !== this.#token) return;
    this.counts[event.type] = (this.counts[event.type] ?? 0) + 1;
    if (this.events.length < this.#max) this.events.push({ ...(event as RecordedEvent) });
    else this.dropped++;
    if (event.type === 'attempt') {
      const key = `${from}:${event.source}`;
      const queue = this.#attempts.get(key) ?? [];
      queue.push({
        label: event.source,
        via: 'attempt',
        attempt: Number(eventField(event, 'attempt')),
        since: event.at,
      });
      this.#attempts.set(key, queue);
    } else if (event.type === 'success' || event.type === 'failure') {
      this.#attempts.get(`${from}:${event.source}`)?.shift();
    }
  }
}
