/**
 * The OpenTelemetry bridge: selfheal events → OTel counters, a histogram of attempt
 * durations and a breaker-state gauge; `traced(policy)` → a span per logical operation
 * with one span event per attempt.
 *
 * `@opentelemetry/api` is an optional peer. This is the only file that touches it, and
 * only through `loadOtelBridge()`'s dynamic import: importing `selfheal/telemetry`
 * without the package installed never fails. `createOtelBridge({ meter, tracer })`
 * takes the meter and tracer you already have (typed structurally, so selfheal's types
 * do not require the package either). Without an OTel SDK registered, the API hands out
 * no-op meters and tracers and the bridge costs next to nothing.
 */
import { type EventSink, eventField, type TelemetryEvent } from './event-sink.js';
import {
  type OtelMeter,
  type OtelTracer,
  TracedPolicy,
  type TracedPolicyTarget,
} from './otel-traced.js';

export type { OtelMeter, OtelSpan, OtelTracer } from './otel-traced.js';
export { TracedPolicy } from './otel-traced.js';

/** Options of {@link createOtelBridge}. */
export interface OtelBridgeOptions {
  /** Meter for the counters and gauge; without it no metrics are recorded. */
  meter?: OtelMeter;
  /** Tracer for `traced()`; without it `traced()` adds no spans. */
  tracer?: OtelTracer;
  /** The dependency's name, the `selfheal.name` attribute of everything. @default 'default' */
  name?: string;
  /** Prefix of metric names. @default 'selfheal' */
  prefix?: string;
}

/** An event sink feeding OpenTelemetry, plus span wrapping. */
export interface OtelBridge extends EventSink {
  /** Wraps a policy: each `execute()` becomes one span, each attempt a span event. */
  traced<P extends TracedPolicyTarget>(policy: P, spanName?: string): TracedPolicy;
}

// Event type → counter suffix. `attempt` counts attempts whatever the outcome.
const COUNTERS: Readonly<Record<string, string>> = {
  attempt: 'attempts',
  failure: 'failures',
  retry: 'retries',
  throttled: 'throttles',
  rejected: 'rejections',
  fallback: 'fallbacks',
  timeout: 'timeouts',
};

/** Breaker state as the gauge reports it. */
export const BREAKER_STATE_VALUE = Object.freeze({ closed: 0, 'half-open': 1, open: 2 });
const BREAKER_EVENTS: Readonly<Record<string, number>> = {
  'breaker-closed': BREAKER_STATE_VALUE.closed,
  'breaker-half-open': BREAKER_STATE_VALUE['half-open'],
  'breaker-open': BREAKER_STATE_VALUE.open,
};

/** Creates a bridge over the meter and tracer you pass. */
export function createOtelBridge(options: OtelBridgeOptions = {}): OtelBridge {
  const name = options.name ?? 'default';
  const prefix = options.prefix ?? 'selfheal';
  const { meter, tracer } = options;
  const counters = new Map(
    Object.entries(COUNTERS).map(([type, suffix]) => [
      type,
      meter?.createCounter(`${prefix}.${suffix}`, {
        description: `selfheal ${suffix}`,
        unit: '{event}',
      }),
    ]),
  );
  const duration = meter?.createHistogram(`${prefix}.attempt.duration`, {
    description: 'Duration of one attempt of an operation',
    unit: 'ms',
  });
  const breaker = meter?.createGauge?.(`${prefix}.breaker.state`, {
    description: 'Circuit breaker state: 0 closed, 1 half-open, 2 open',
  });
  return {
    handle(event: TelemetryEvent) {
      const attributes: Record<string, string | number | boolean> = {
        'selfheal.name': name,
        'selfheal.source': event.source,
      };
      const reason = eventField(event, 'reason');
      const scope = eventField(event, 'scope');
      if (typeof reason === 'string') attributes['selfheal.reason'] = reason;
      if (typeof scope === 'string') attributes['selfheal.scope'] = scope;
      if (event.type === 'throttled')
        attributes['selfheal.rejected'] = eventField(event, 'rejected') === true;
      counters.get(event.type)?.add(1, attributes);
      const durationMs = eventField(event, 'durationMs');
      if (
        (event.type === 'success' || event.type === 'failure') &&
        typeof durationMs === 'number'
      ) {
        duration?.record(durationMs, { ...attributes, 'selfheal.outcome': event.type });
      }
      const state = BREAKER_EVENTS[event.type];
      if (state !== undefined)
        breaker?.record(state, { 'selfheal.name': name, 'selfheal.source': event.source });
    },
    traced(policy, spanName) {
      return new TracedPolicy(policy, tracer, spanName ?? `${prefix} ${name}`, name);
    },
  };
}

/** Options of {@link loadOtelBridge}: as {@link OtelBridgeOptions}, all optional. */
export interface LoadOtelBridgeOptions extends OtelBridgeOptions {
  /** Instrumentation scope name for the global meter and tracer. @default 'selfheal' */
  scope?: string;
}

/**
 * Loads `@opentelemetry/api` and builds a bridge over the global meter and tracer (the
 * ones your SDK registered; no-ops when none is). Rejects with a clear message when the
 * package is not installed.
 */
export async function loadOtelBridge(options: LoadOtelBridgeOptions = {}): Promise<OtelBridge> {
  let api: typeof import('@opentelemetry/api');
  try {
    api = await import('@opentelemetry/api');
  } catch (cause) {
    throw new Error(
      'loadOtelBridge() needs the optional peer dependency `@opentelemetry/api`: npm install @opentelemetry/api',
      {
        cause,
      },
    );
  }
  const scope = options.scope ?? 'selfheal';
  return createOtelBridge({
    ...options,
    meter: options.meter ?? api.metrics.getMeter(scope),
    tracer: options.tracer ?? api.trace.getTracer(scope),
  });
}
