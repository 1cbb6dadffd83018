/**
 * The per-invocation CloudWatch EMF line: invocations, errors, timeouts, cold starts,
 * duration and the selfheal events seen, with the dimension `FunctionName` (a runtime
 * value, made safe as a dimension value) and the request and trace ids as properties.
 */
import { emfRecords, toDimensionValue } from '../telemetry/internal.js';
import type { InvocationInfo } from './types.js';

/** Inputs of {@link buildMetrics}. */
export interface MetricsInput {
  options: { namespace: string; dimensions: Record<string, string> };
  info: InvocationInfo;
  outcome: 'success' | 'error' | 'timeout';
  durationMs: number;
  counts: Record<string, number>;
  now: number;
}

/** selfheal event type → metric name, for the events seen during the invocation. */
export const EVENT_METRICS: Readonly<Record<string, string>> = {
  retry: 'Retries',
  throttled: 'Throttles',
  rejected: 'Rejections',
  fallback: 'Fallbacks',
  'breaker-open': 'BreakerOpens',
};

/** Every metric name instrument() writes (dimensions may not reuse them). */
export const METRIC_NAMES: readonly string[] = [
  'Invocations',
  'Errors',
  'Timeouts',
  'ColdStarts',
  'Duration',
  ...Object.values(EVENT_METRICS),
];

/** The EMF lines of one invocation (one line; more only past EMF's limits). */
export function buildMetrics(input: MetricsInput): Record<string, unknown>[] {
  const { info, outcome, counts } = input;
  const count = (name: string, value: number) => ({ name, unit: 'Count' as const, value });
  return emfRecords({
    namespace: input.options.namespace,
    // Runtime values (a function name from a context) made safe as dimension values.
    dimensions: { FunctionName: toDimensionValue(info.functionName), ...input.options.dimensions },
    timestamp: input.now,
    properties: {
      requestId: info.requestId,
      ...(info.traceId !== undefined && { traceId: info.traceId }),
      ...(info.service !== undefined && { service: info.service }),
    },
    metrics: [
      count('Invocations', 1),
      count('Errors', outcome === 'error' ? 1 : 0),
      count('Timeouts', outcome === 'timeout' ? 1 : 0),
      count('ColdStarts', info.coldStart ? 1 : 0),
      { name: 'Duration', unit: 'Milliseconds', value: input.durationMs },
      ...Object.entries(EVENT_METRICS).map(([type, name]) => count(name, counts[type] ?? 0)),
    ],
  });
}
