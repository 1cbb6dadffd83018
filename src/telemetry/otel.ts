/**
 * The OpenTelemetry bridge: selfheal events → OTel counters, a histogram of attempt
 * durations and a breaker-state gauge (per origin for HTTP: `server.address`,
 * `server.port`), and selfheal's decisions (retry, throttled wait, rejection, degraded) as
 * events on the active span; `traced(policy)` → a span per logical operation with one span
 * event per attempt; `traced(client)` → the HTTP semantic conventions (otel-http.ts).
 *
 * `@opentelemetry/api` is an optional peer. This is the only file that touches it, and
 * only through `loadOtelBridge()`'s dynamic import: importing `selfheal/telemetry`
 * without the package installed never fails. `createOtelBridge({ meter, tracer })`
 * takes the meter and tracer you already have (typed structurally, so selfheal's types
 * do not require the package either). Without an OTel SDK registered, the API hands out
 * no-op meters and tracers and the bridge costs next to nothing.
 */
import { type EventSink, eventField, type TelemetryEvent } from './event-sink.js';
import { recordDecision } from './otel-decisions.js';
import {
  DURATION_BUCKETS,
  type HttpAttemptHook,
  httpAttemptHook,
  type OtelApi,
  serverCache,
} from './otel-http.js';
import {
  type OtelMeter,
  type OtelTracer,
  TracedPolicy,
  type TracedPolicyTarget,
} from './otel-traced.js';

export type {
  HttpAttempt,
  HttpAttemptHook,
  HttpAttemptOutcome,
  OtelApi,
} from './otel-http.js';
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
  /**
   * The `@opentelemetry/api` module, for the active context (span parents, decision events)
   * and propagation (`traceparent`); `loadOtelBridge()` passes it. @default none
   */
  api?: OtelApi;
}

/** A selfheal/http client, structurally: `traced()` extends it with the per-attempt hook. */
export interface TracedClientTarget {
  extend(defaults: { onAttempt: HttpAttemptHook }): unknown;
  health(): unknown;
}

/** An event sink feeding OpenTelemetry, plus span wrapping. */
export interface OtelBridge extends EventSink {
  /** Wraps a policy: each `execute()` becomes one span, each attempt a span event. */
  traced<P extends TracedPolicyTarget>(policy: P, spanName?: string): TracedPolicy;
  /**
   * A client whose attempts follow the HTTP semantic conventions: a CLIENT span each, trace
   * context sent, `http.client.request.duration` recorded; same resilience state (`extend`).
   */
  traced<C extends TracedClientTarget>(client: C): C;
  /** The per-attempt hook itself, for `createClient({ onAttempt: otel.onAttempt })`. */
  readonly onAttempt: HttpAttemptHook;
}

// Event type → counter suffix. `attempt` counts attempts whatever the outcome.
const COUNTERS: Readonly<Record<string, string>> = {
  attempt: 'attempts',
  failure: 'failures',
  retry: 'retries',
  throttled: 'throttles',
  rejected: 'rejections',
  fallback: 'fallbacks',
  degraded: 'fallbacks',
  timeout: 'timeouts',
};

type Attributes = Record<string, string | number | boolean>;

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
  const server = serverCache();
  const api = options.api;
  let onAttempt: HttpAttemptHook | undefined;
  const attemptHook = () => {
    onAttempt ??= httpAttemptHook({
      tracer: tracer?.startSpan
        ? (tracer as Parameters<typeof httpAttemptHook>[0]['tracer'])
        : undefined,
      api,
      duration: meter?.createHistogram('http.client.request.duration', {
        description: 'Duration of HTTP client requests.',
        unit: 's',
        advice: { explicitBucketBoundaries: DURATION_BUCKETS },
      }),
      server,
    });
    return onAttempt;
  };
  return {
    handle(event: TelemetryEvent) {
      const series: Attributes = { 'selfheal.name': name, 'selfheal.source': event.source };
      // HTTP events carry their origin: each origin is its own series.
      const origin = eventField(event, 'origin');
      if (typeof origin === 'string') {
        const { address, port } = server(origin);
        series['server.address'] = address;
        series['server.port'] = port;
      }
      const attributes: Attributes = { ...series };
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
      if (state !== undefined) breaker?.record(state, series);
      if (api) recordDecision(api, prefix, event, series);
    },
    traced(target: TracedPolicyTarget | TracedClientTarget, spanName?: string) {
      if (typeof (target as TracedPolicyTarget)?.execute === 'function' || !isClient(target))
        return new TracedPolicy(
          target as TracedPolicyTarget,
          tracer,
          spanName ?? `${prefix} ${name}`,
          name,
        );
      return target.extend({ onAttempt: attemptHook() });
    },
    get onAttempt() {
      return attemptHook();
    },
  } as OtelBridge;
}

function isClient(target: unknown): target is TracedClientTarget {
  const t = target as Partial<TracedClientTarget> | null;
  return typeof t?.extend === 'function' && typeof t.health === 'function';
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
    api: options.api ?? (api as unknown as OtelApi),
  });
}
