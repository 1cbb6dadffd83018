/**
 * Typed events. Every policy reports through an {@link EventHub}; a pipeline's hub
 * receives the events of all its policies, so one listener sees the whole operation.
 * Work to build an event is skipped when nobody listens ({@link EventHub.listening}).
 */

/** Fields every event has. */
interface EventBase {
  /** The policy kind that emitted it (`retry`, `circuit-breaker`, …) or `pipeline`. */
  source: string;
  /** Clock time of the event, ms. */
  at: number;
}

/** The payloads of the core events, by `type`. */
export interface CoreEventMap {
  /** An attempt of the operation starts. */
  attempt: { attempt: number };
  /** An attempt succeeded. */
  success: { attempt: number; durationMs: number };
  /** An attempt failed (it may still be retried). */
  failure: { attempt: number; durationMs: number; error: unknown };
  /** A failed attempt will be retried after `delayMs`. */
  retry: { attempt: number; delayMs: number; reason: 'backoff' | 'retry-after'; error: unknown };
  /** The self-throttle made a call wait (`waitMs`) or refused it (`rejected`). */
  throttled: { waitMs: number; rate: number; rejected: boolean };
  /** The breaker opened: calls fail fast until `retryAfterMs` passes. */
  'breaker-open': {
    failureRate: number;
    retryAfterMs: number;
    error: unknown;
    /** Which rule opened it: the window's failure rate, a run of failures, a failed half-open probe, or `open()`. */
    reason: 'failure-rate' | 'consecutive-failures' | 'probe-failed' | 'forced';
  };
  /** The breaker admits one probe. */
  'breaker-half-open': Record<never, never>;
  /** The breaker closed after a successful probe. */
  'breaker-closed': Record<never, never>;
  /** A policy refused a call without running it. */
  rejected: {
    reason: 'circuit-open' | 'bulkhead-full' | 'throttled' | 'retry-budget';
    error: unknown;
  };
  /** An attempt timeout or the operation's deadline fired. */
  timeout: { scope: 'attempt' | 'deadline'; timeoutMs: number };
  /** A fallback replaced a failure: the outcome is degraded. */
  fallback: { error: unknown; degraded: true };
}

/** One event: `{ type, source, at, …payload }`. */
export type SelfhealEvent<M = CoreEventMap> = {
  [K in keyof M & string]: { type: K } & EventBase & M[K];
}[keyof M & string];

/** The event of one `type`. */
export type EventOf<K extends keyof M & string, M = CoreEventMap> = { type: K } & EventBase & M[K];

/** Removes a listener. Calling it twice is harmless. */
export type Disposer = () => void;

/** The subscribe side of an {@link EventHub}: what policies and clients expose. */
export interface EventSource<M = CoreEventMap> {
  /** Listens to every event; returns a disposer. */
  onEvent(listener: (event: SelfhealEvent<M>) => void): Disposer;
  /** Listens to events of one `type`; returns a disposer. */
  on<K extends keyof M & string>(type: K, listener: (event: EventOf<K, M>) => void): Disposer;
}

/**
 * A synchronous, typed event emitter. A listener that throws does not break the
 * operation or other listeners: its error is reported through `onListenerError`.
 */
export class EventHub<M = CoreEventMap> implements EventSource<M> {
  readonly #listeners = new Set<(event: SelfhealEvent<M>) => void>();
  readonly #targets = new Set<EventHub<never>>();
  readonly #onListenerError: (error: unknown) => void;

  constructor(onListenerError: (error: unknown) => void = reportLater) {
    this.#onListenerError = onListenerError;
  }

  /** True when an event emitted here would reach a listener (directly or forwarded). */
  get listening(): boolean {
    if (this.#listeners.size > 0) return true;
    for (const target of this.#targets) if (target.listening) return true;
    return false;
  }

  onEvent(listener: (event: SelfhealEvent<M>) => void): Disposer {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  on<K extends keyof M & string>(type: K, listener: (event: EventOf<K, M>) => void): Disposer {
    return this.onEvent((event) => {
      if (event.type === type) listener(event as EventOf<K, M>);
    });
  }

  /** Forwards every event emitted here to `target` as well; returns the disposer. */
  forwardTo<T>(target: EventHub<T>): Disposer {
    const t = target as unknown as EventHub<never>;
    this.#targets.add(t);
    return () => {
      this.#targets.delete(t);
    };
  }

  /** Delivers an event to every listener and forward target. */
  emit(event: SelfhealEvent<M>): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (error) {
        this.#onListenerError(error);
      }
    }
    for (const target of this.#targets) (target as unknown as EventHub<M>).emit(event);
  }
}

/**
 * A throwing listener is a bug in the listener: surface it without breaking the
 * operation — `reportError` in browsers and Deno, a process warning in Node.
 */
export function reportLater(error: unknown): void {
  const g = globalThis as {
    reportError?: (e: unknown) => void;
    process?: { emitWarning?: (w: Error | string, type?: string) => void };
  };
  if (g.reportError) g.reportError(error);
  else
    g.process?.emitWarning?.(
      error instanceof Error ? error : String(error),
      'SelfhealListenerError',
    );
}
