/**
 * CloudWatch Embedded Metric Format: metrics as JSON log lines that CloudWatch turns
 * into metrics with no API call. `emfRecord()` builds one line, `emfRecords()` splits
 * past 100 metrics (or 100 values of one metric) over several lines as Powertools does;
 * `emfMetrics()` is an event sink that counts selfheal events and writes them on
 * `flush()`. Every input is checked against the EMF rules (emf-spec.ts) — a line
 * CloudWatch would drop is never written; configuration is checked at construction.
 */
import { type Clock, systemClock } from '../core/internal.js';
import {
  checkName,
  checkUnit,
  checkValue,
  EMF_LIMITS,
  type EmfUnit,
  emfDimensionsOption,
  emfNamespaceOption,
} from './emf-spec.js';
import { type EventSink, eventField, type TelemetryEvent } from './event-sink.js';
import { type LineSink, sinkOption } from './sinks.js';

export { EMF_LIMITS, EMF_UNITS, type EmfUnit } from './emf-spec.js';

/** One metric: a value, or up to 100 values of one period. */
export interface EmfMetric {
  name: string;
  /** @default 'None' */
  unit?: EmfUnit;
  value: number | number[];
  /** 1 for a high-resolution metric (per second), 60 for standard. @default 60 */
  resolution?: 1 | 60;
}

/** Input of {@link emfRecord}. */
export interface EmfRecordInput {
  namespace: string;
  /** Dimension name → value; all of them form one dimension set (≤ 30). @default {} */
  dimensions?: Record<string, string>;
  metrics: readonly EmfMetric[];
  /** Extra searchable fields (not metrics). @default {} */
  properties?: Record<string, unknown>;
  /** Epoch ms. */
  timestamp: number;
}

/** Builds one EMF record (serialise it with JSON.stringify, one per line). Throws on input CloudWatch would reject. */
export function emfRecord(input: EmfRecordInput): Record<string, unknown> {
  const checked = check(input);
  if (checked.length > EMF_LIMITS.metrics)
    throw new RangeError(
      `Expected at most ${EMF_LIMITS.metrics} metrics in one EMF record, got ${checked.length}; use emfRecords() to split them`,
    );
  for (const m of checked) {
    if (Array.isArray(m.value) && m.value.length > EMF_LIMITS.values)
      throw new RangeError(
        `Expected metric \`${m.name}\` to have at most ${EMF_LIMITS.values} values, got ${m.value.length}; use emfRecords() to split them`,
      );
  }
  return build(input, checked);
}

/** Builds as many EMF records as the limits need: ≤ 100 metrics and ≤ 100 values of a metric per line. */
export function emfRecords(input: EmfRecordInput): Record<string, unknown>[] {
  const checked = check(input);
  const fits =
    checked.length <= EMF_LIMITS.metrics &&
    checked.every((m) => !Array.isArray(m.value) || m.value.length <= EMF_LIMITS.values);
  if (fits) return [build(input, checked)];
  const lines: EmfMetric[][] = [];
  for (const metric of checked) {
    const values = Array.isArray(metric.value) ? metric.value : [metric.value];
    for (let i = 0; i < values.length; i += EMF_LIMITS.values) {
      const piece: EmfMetric = {
        ...metric,
        value: Array.isArray(metric.value) ? values.slice(i, i + EMF_LIMITS.values) : metric.value,
      };
      // A metric appears at most once per line: its next slice goes to a later line.
      const line = lines.find(
        (l) => l.length < EMF_LIMITS.metrics && !l.some((m) => m.name === metric.name),
      );
      if (line) line.push(piece);
      else lines.push([piece]);
    }
  }
  return lines.map((metrics) => build(input, metrics));
}

function check(input: EmfRecordInput): EmfMetric[] {
  emfNamespaceOption('namespace', input.namespace);
  if (!Number.isFinite(input.timestamp))
    throw new TypeError(`Expected \`timestamp\` to be epoch ms, got ${input.timestamp}`);
  const names = new Set<string>();
  const metrics = input.metrics.map((m, i) => {
    const name = checkName(`metrics[${i}].name`, m.name, false);
    if (names.has(name))
      throw new TypeError(`Expected metric names to be unique, got \`${name}\` twice`);
    names.add(name);
    const unit = checkUnit(`metrics[${i}].unit`, m.unit);
    const value = Array.isArray(m.value)
      ? m.value.map((v, j) => checkValue(`metrics[${i}].value[${j}]`, v))
      : checkValue(`metrics[${i}].value`, m.value);
    if (m.resolution !== undefined && m.resolution !== 1 && m.resolution !== 60)
      throw new TypeError(
        `Expected \`metrics[${i}].resolution\` to be 1 or 60, got ${m.resolution}`,
      );
    const checked: EmfMetric = { name, unit, value };
    if (m.resolution !== undefined) checked.resolution = m.resolution;
    return checked;
  });
  const dimensions = emfDimensionsOption('dimensions', input.dimensions, [...names]);
  for (const key of Object.keys(input.properties ?? {})) {
    if (key === '_aws' || names.has(key) || key in dimensions)
      throw new TypeError(
        `Expected property \`${key}\` not to share its name with a metric, a dimension or _aws`,
      );
  }
  return metrics;
}

// Plain assignments, not object spreads: this runs once per invocation, and spreading
// several sources (or `false`) into a literal takes V8's slow path (~80 µs a line).
function build(input: EmfRecordInput, metrics: readonly EmfMetric[]): Record<string, unknown> {
  const dimensions = input.dimensions ?? {};
  const record: Record<string, unknown> = {};
  if (input.properties) for (const key in input.properties) record[key] = input.properties[key];
  for (const key in dimensions) record[key] = dimensions[key];
  const definitions: Array<{ Name: string; Unit: string; StorageResolution?: 1 }> = [];
  for (const m of metrics) {
    record[m.name] = m.value;
    const definition: { Name: string; Unit: string; StorageResolution?: 1 } = {
      Name: m.name,
      Unit: m.unit ?? 'None',
    };
    if (m.resolution === 1) definition.StorageResolution = 1;
    definitions.push(definition);
  }
  record._aws = {
    Timestamp: Math.round(input.timestamp),
    CloudWatchMetrics: [
      { Namespace: input.namespace, Dimensions: [Object.keys(dimensions)], Metrics: definitions },
    ],
  };
  return record;
}

/** Options of {@link emfMetrics}. */
export interface EmfMetricsOptions {
  /** CloudWatch namespace (checked against the EMF rules). @default 'selfheal' */
  namespace?: string;
  /** Dimensions of every metric, e.g. `{ Dependency: 'payments-api' }` (≤ 30). @default {} */
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
const METRIC_NAMES = [...Object.values(COUNTED), 'AttemptDuration'];

/** Creates an {@link EmfMetricsSink}. */
export function emfMetrics(options: EmfMetricsOptions = {}): EmfMetricsSink {
  const namespace = emfNamespaceOption('namespace', options.namespace ?? 'selfheal');
  const dimensions = emfDimensionsOption('dimensions', options.dimensions, METRIC_NAMES);
  const sink = sinkOption('sink', options.sink);
  const clock = options.clock ?? systemClock;
  let counts = new Map<string, number>();
  let durations: number[] = [];
  return {
    handle(event: TelemetryEvent) {
      const metric = COUNTED[event.type];
      if (metric) counts.set(metric, (counts.get(metric) ?? 0) + 1);
      const durationMs = eventField(event, 'durationMs');
      if (
        (event.type === 'success' || event.type === 'failure') &&
        typeof durationMs === 'number' &&
        Number.isFinite(durationMs)
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
      if (durations.length > 0)
        metrics.push({ name: 'AttemptDuration', unit: 'Milliseconds', value: durations });
      for (const record of emfRecords({ namespace, dimensions, metrics, timestamp: clock.now() }))
        sink(JSON.stringify(record));
      counts = new Map();
      durations = [];
    },
  };
}
