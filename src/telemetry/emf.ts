/**
 * CloudWatch Embedded Metric Format: metrics as JSON log lines that CloudWatch turns
 * into metrics with no API call. `emfRecord()` builds one line; `emfMetrics()` is an
 * event sink that counts selfheal events and writes them on `flush()`.
 */
import { type Clock, systemClock } from '../core/internal.js';
import { type EventSink, eventField, type TelemetryEvent } from './event-sink.js';
import { type LineSink, sinkOption } from './sinks.js';

/** CloudWatch units used here. */
export type EmfUnit = 'Count' | 'Milliseconds' | 'Seconds' | 'Bytes' | 'Percent' | 'None';

/** One metric: a value, or up to 100 values of one period. */
export interface EmfMetric {
  name: string;
  /** @default 'None' */
  unit?: EmfUnit;
  value: number | number[];
}

/** Input of {@link emfRecord}. */
export interface EmfRecordInput {
  namespace: string;
  /** Dimension name → value; all of them form one dimension set. @default {} */
  dimensions?: Record<string, string>;
  metrics: readonly EmfMetric[];
  /** Extra searchable fields (not metrics). @default {} */
  properties?: Record<string, unknown>;
  /** Epoch ms. */
  timestamp: number;
}

const MAX_VALUES = 100;

/** Builds one EMF record (serialise it with JSON.stringify, one per line). */
export function emfRecord(input: EmfRecordInput): Record<string, unknown> {
  const dimensions = input.dimensions ?? {};
  const values: Record<string, number | number[]> = {};
  for (const m of input.metrics) {
    if (Array.isArray(m.value) && m.value.length > MAX_VALUES) {
      throw new RangeError(
        `Expected metric \`${m.name}\` to have at most ${MAX_VALUES} values, got ${m.value.length}`,
      );
    }
    values[m.name] = m.value;
  }
  return {
    _aws: {
      Timestamp: Math.round(input.timestamp),
      CloudWatchMetrics: [
        {
          Namespace: input.namespace,
          Dimensions: [Object.keys(dimensions)],
          Metrics: input.metrics.map((m) => ({ Name: m.name, Unit: m.unit ?? 'None' })),
        },
      ],
    },
    ...input.properties,
    ...dimensions,
    ...values,
  };
}

/** Options of {@link emfMetrics}. */
export interface EmfMetricsOptions {
  /** CloudWatch namespace. @default 'selfheal' */
  namespace?: string;
  /** Dimensions of every metric, e.g. `{ Dependency: 'payments-api' }`. @default {} */
  dimensions?: Record<string, string>;
  /** Where lines go. @default stdoutSink() */
  sink?: LineSink;
  /** Timestamp source (epoch ms). @default systemClock */
  clock?: Clock;
}

/** An event sink accumulating counts; `flush()` writes them as EMF lines and resets. */
export interface EmfMetricsSink extends EventSink {
  /** Writes what was counted since the last flush (nothing when nothing happened). */
  flush(): void;
}

// Event type → metric name. Durations of attempts are kept as samples.
const COUNTED: Readonly<Record<string, string>> = {
  attempt: 'Attempts',
  failure: 'Failures',
  retry: 'Retries',
  throttled: 'Throttles',
  rejected: 'Rejections',
  fallback: 'Fallbacks',
  timeout: 'Timeouts',
  'breaker-open': 'BreakerOpens',
};

/** Creates an {@link EmfMetricsSink}. */
export function emfMetrics(options: EmfMetricsOptions = {}): EmfMetricsSink {
  const namespace = options.namespace ?? 'selfheal';
  if (typeof namespace !== 'string' || namespace === '')
    throw new TypeError('Expected `namespace` to be a non-empty string');
  const sink = sinkOption('sink', options.sink);
  const clock = options.clock ?? systemClock;
  const dimensions = options.dimensions ?? {};
  let counts = new Map<string, number>();
  let durations: number[] = [];
  return {
    handle(event: TelemetryEvent) {
      const metric = COUNTED[event.type];
      if (metric) counts.set(metric, (counts.get(metric) ?? 0) + 1);
      const durationMs = eventField(event, 'durationMs');
      if (
        (event.type === 'success' || event.type === 'failure') &&
        typeof durationMs === 'number'
      ) {
        durations.push(durationMs);
      }
    },
    flush() {
      if (counts.size === 0 && durations.length === 0) return;
      const metrics: EmfMetric[] = [...counts].map(([name, value]) => ({
        name,
        unit: 'Count',
        value,
      }));
      const timestamp = clock.now();
      for (let i = 0; i < Math.max(1, durations.length); i += MAX_VALUES) {
        const chunk = durations.slice(i, i + MAX_VALUES);
        const all = i === 0 ? metrics : [];
        if (chunk.length > 0)
          all.push({ name: 'AttemptDuration', unit: 'Milliseconds', value: chunk });
        if (all.length > 0)
          sink(JSON.stringify(emfRecord({ namespace, dimensions, metrics: all, timestamp })));
      }
      counts = new Map();
      durations = [];
    },
  };
}
