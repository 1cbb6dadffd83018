/**
 * What one invocation saw: the selfheal events of the connected sources and the
 * operations in flight. Sources are subscribed when the invocation starts and
 * unsubscribed when it ends (`stop()` in a finally) — no global, nothing left behind.
 * Events are attributed through AsyncLocalStorage: an event emitted inside another
 * invocation's async context is not this one's; events emitted outside any invocation
 * (a shared client's own timer) are kept, since they may matter here. A component's
 * state change from a timer an earlier, finished invocation started (a limiter that
 * recovers, a store that shares again) carries that invocation's async context: it is
 * kept too. The rest of a
 * finished invocation's events (work still running after its timeout) belong to no one.
 */
import type { Clock, Disposer } from '../core/internal.js';
import { eventField, type Subscribable, type TelemetryEvent } from '../telemetry/internal.js';
import { withoutQuery } from './request-record.js';
import type { InFlightOperation, RecordedEvent } from './types.js';

/** What AsyncLocalStorage holds for one invocation; `active` is false once it has ended. */
export interface InvocationScope {
  active: boolean;
}

/**
 * The one method of Node's AsyncLocalStorage the collector reads, typed structurally so the
 * published .d.ts needs no `@types/node` (this class is reachable from the public types).
 */
interface ContextStore {
  getStore(): InvocationScope | undefined;
}

// Events about a component's state rather than about one call: no caller's data in them.
const STATE_EVENTS = new Set(['breaker-half-open', 'breaker-closed', 'rate-changed', 'alarm']);

interface Open {
  label: string;
  via: 'track' | 'attempt';
  source?: string;
  attempt?: number;
  since: number;
}

/** Collects one invocation's events and in-flight operations. */
export class InvocationCollector {
  readonly events: RecordedEvent[] = [];
  readonly counts: Record<string, number> = {};
  dropped = 0;
  readonly #scope: InvocationScope;
  readonly #storage: ContextStore;
  readonly #clock: Clock;
  readonly #max: number;
  // Made on first use: most invocations track nothing and see no attempt.
  #open: Set<Open> | undefined;
  // Attempts seen through events, per connected source, oldest first: events carry no
  // operation id, so a success/failure closes the oldest open attempt of its source.
  #attempts: Map<string, Open[]> | undefined;
  #disposers: Disposer[] | undefined;

  constructor(scope: InvocationScope, storage: ContextStore, clock: Clock, maxEvents: number) {
    this.#scope = scope;
    this.#storage = storage;
    this.#clock = clock;
    this.#max = maxEvents;
  }

  /** Subscribes to the sources. */
  start(sources: readonly Subscribable[]): void {
    if (sources.length === 0) return;
    this.#disposers = sources.map((source, i) => source.onEvent((event) => this.#record(event, i)));
  }

  /** Unsubscribes from every source; safe to call twice. */
  stop(): void {
    const disposers = this.#disposers;
    this.#disposers = undefined;
    if (disposers) for (const dispose of disposers) dispose();
  }

  /** Marks `work` in flight until it settles. */
  track<T>(label: string, work: PromiseLike<T>): Promise<T> {
    const open: Open = { label: String(label), via: 'track', since: this.#clock.now() };
    this.#open ??= new Set();
    const opened = this.#open;
    opened.add(open);
    const done = () => opened.delete(open);
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
    const all = [...(this.#open ?? []), ...[...(this.#attempts?.values() ?? [])].flat()];
    return all
      .sort((a, b) => a.since - b.since)
      .map(({ label, via, source, attempt, since }) => ({
        label,
        via,
        ...(source !== undefined && { source }),
        ...(attempt !== undefined && { attempt }),
        runningMs: now - since,
      }));
  }

  #record(event: TelemetryEvent, from: number): void {
    const owner = this.#storage.getStore();
    if (
      owner !== undefined &&
      owner !== this.#scope &&
      (owner.active || !STATE_EVENTS.has(event.type))
    )
      return;
    this.counts[event.type] = (this.counts[event.type] ?? 0) + 1;
    if (this.events.length < this.#max) this.events.push({ ...(event as RecordedEvent) });
    else this.dropped++;
    if (event.type === 'attempt') {
      const key = `${from}:${event.source}`;
      this.#attempts ??= new Map();
      const queue = this.#attempts.get(key) ?? [];
      queue.push({
        label: callOf(event),
        via: 'attempt',
        source: event.source,
        attempt: Number(eventField(event, 'attempt')),
        since: event.at,
      });
      this.#attempts.set(key, queue);
    } else if (event.type === 'success' || event.type === 'failure') {
      this.#attempts?.get(`${from}:${event.source}`)?.shift();
    }
  }
}

// The call an attempt makes, as a person names it: `GET https://host/path` when the event
// carries the method and URL, else the origin (`https://host`), else the source.
function callOf(event: TelemetryEvent): string {
  const method = eventField(event, 'method');
  const url = eventField(event, 'url');
  const origin = eventField(event, 'origin');
  if (typeof url === 'string' && url !== '')
    return `${typeof method === 'string' ? `${method} ` : ''}${withoutQuery(url)}`;
  if (typeof origin === 'string' && origin !== '')
    return `${typeof method === 'string' ? `${method} ` : ''}${withoutQuery(origin)}`;
  return event.source;
}
