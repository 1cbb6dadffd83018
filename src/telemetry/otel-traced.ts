/**
 * A policy wrapped in a span: each `execute()` is one span (the logical operation),
 * each attempt a span event, failed attempts a `attempt.failed` event; the span ends
 * with the outcome. Also the structural OTel types the bridge needs, so selfheal's
 * declarations never require `@opentelemetry/api`.
 */
import {
  type CoreEventMap,
  type Disposer,
  type EventHub,
  type EventOf,
  type ExecuteOptions,
  invoke,
  type Operation,
  type Policy,
  type SelfhealEvent,
} from '../core/internal.js';

type Attributes = Record<string, string | number | boolean>;

/** The part of an OTel `Span` the bridge uses. */
export interface OtelSpan {
  addEvent(name: string, attributes?: Attributes): unknown;
  /** False for the API's no-op spans: nothing recorded on them is kept. */
  isRecording?(): boolean;
  setAttribute(key: string, value: string | number | boolean): unknown;
  setStatus(status: { code: number; message?: string }): unknown;
  recordException(exception: Error | string): void;
  end(): void;
}

/** The part of an OTel `Tracer` the bridge uses. */
export interface OtelTracer {
  startActiveSpan<F extends (span: OtelSpan) => unknown>(
    name: string,
    options: { attributes?: Attributes },
    fn: F,
  ): ReturnType<F>;
  /** For the HTTP client spans of `traced(client)` (a span of kind CLIENT under a parent); without it they are skipped. */
  startSpan?(
    name: string,
    options: { kind?: number; attributes?: Attributes },
    context?: unknown,
  ): OtelSpan;
}

/** The part of an OTel `Meter` the bridge uses. */
export interface OtelMeter {
  createCounter(
    name: string,
    options?: { description?: string; unit?: string },
  ): {
    add(value: number, attributes?: Attributes): void;
  };
  createHistogram(
    name: string,
    options?: {
      description?: string;
      unit?: string;
      advice?: { explicitBucketBoundaries?: number[] };
    },
  ): {
    record(value: number, attributes?: Attributes): void;
  };
  /** Synchronous gauges came with API 1.9; without one the breaker gauge is skipped. */
  createGauge?(
    name: string,
    options?: { description?: string; unit?: string },
  ): {
    record(value: number, attributes?: Attributes): void;
  };
}

/** What can be traced: any selfheal policy or pipeline. */
export type TracedPolicyTarget = Policy;

const STATUS_ERROR = 2;

/** A policy whose executions are spans. Events are those of the wrapped policy. */
export class TracedPolicy implements Policy {
  readonly kind = 'traced';
  readonly #inner: Policy;
  readonly #tracer: OtelTracer | undefined;
  readonly #spanName: string;
  readonly #name: string;

  constructor(inner: Policy, tracer: OtelTracer | undefined, spanName: string, name: string) {
    if (!inner || typeof inner.execute !== 'function')
      throw new TypeError('Expected `policy` to be a selfheal policy or a selfheal/http client');
    this.#inner = inner;
    this.#tracer = tracer;
    this.#spanName = spanName;
    this.#name = name;
  }

  get events(): EventHub<CoreEventMap> {
    return this.#inner.events;
  }

  onEvent(listener: (event: SelfhealEvent) => void): Disposer {
    return this.#inner.onEvent(listener);
  }

  on<K extends keyof CoreEventMap & string>(
    type: K,
    listener: (event: EventOf<K>) => void,
  ): Disposer {
    return this.#inner.on(type, listener);
  }

  execute<T>(fn: Operation<T>, options?: ExecuteOptions): Promise<T> {
    const tracer = this.#tracer;
    if (!tracer) return this.#inner.execute(fn, options);
    const attributes = { 'selfheal.name': this.#name, 'selfheal.policy': this.#inner.kind };
    return tracer.startActiveSpan(this.#spanName, { attributes }, async (span) => {
      let attempts = 0;
      const observed: Operation<T> = (ctx) => {
        attempts = Math.max(attempts, ctx.attempt);
        span.addEvent('attempt', { 'selfheal.attempt': ctx.attempt });
        return invoke(fn, ctx).catch((error: unknown) => {
          span.addEvent('attempt.failed', {
            'selfheal.attempt': ctx.attempt,
            'error.type': errorType(error),
          });
          throw error;
        });
      };
      try {
        const value = await this.#inner.execute(observed, options);
        span.setAttribute('selfheal.outcome', 'success');
        return value;
      } catch (error) {
        span.setAttribute('selfheal.outcome', 'failure');
        span.setAttribute('error.type', errorType(error));
        // The type only: messages can hold secrets and spans leave the process unredacted.
        span.setStatus({ code: STATUS_ERROR, message: errorType(error) });
        throw error;
      } finally {
        span.setAttribute('selfheal.attempts', attempts);
        span.end();
      }
    });
  }
}

/** An error's type for `error.type`: its name, else `typeof`. */
export function errorType(error: unknown): string {
  return error instanceof Error || (typeof error === 'object' && error !== null && 'name' in error)
    ? String((error as Error).name)
    : typeof error;
}
