/**
 * The one shape every telemetry sink has: `handle(event)`. Sinks subscribe to any
 * selfheal event source (a policy, a pipeline, a client, a guard, an instrumented
 * handler) through {@link connect}, which returns the disposer — nothing listens
 * implicitly, and nothing stays subscribed after the disposer runs.
 */
import type { Disposer } from '../core/internal.js';

/**
 * Any selfheal event: `{ type, source, at, …payload }`. No index signature, so every
 * typed event (core, http, serverless) is assignable to it; a sink reads the payload by
 * narrowing it to the source's event type (`SelfhealEvent` from `selfheal`, `HttpEvent`, …).
 */
export interface TelemetryEvent {
  readonly type: string;
  readonly source: string;
  readonly at: number;
}

/** A payload field of an event (`durationMs`, `reason`, …), or undefined. */
export function eventField(event: TelemetryEvent, name: string): unknown {
  return (event as unknown as Record<string, unknown>)[name];
}

/** Anything with `onEvent` — every selfheal policy, client, guard and processor. */
export interface Subscribable {
  onEvent(listener: (event: TelemetryEvent) => void): Disposer;
}

/** A consumer of selfheal events. */
export interface EventSink {
  handle(event: TelemetryEvent): void;
}

/** Subscribes `sink` to every source; the returned disposer unsubscribes from all. */
export function connect(sink: EventSink, ...sources: Subscribable[]): Disposer {
  if (!sink || typeof sink.handle !== 'function')
    throw new TypeError('Expected `sink` to have a handle(event) method');
  const disposers = sources.map((source, i) => {
    if (!source || typeof source.onEvent !== 'function') {
      throw new TypeError(
        `Expected \`sources[${i}]\` to be an event source (an object with onEvent())`,
      );
    }
    return source.onEvent((event) => sink.handle(event));
  });
  return () => {
    for (const dispose of disposers.splice(0)) dispose();
  };
}
