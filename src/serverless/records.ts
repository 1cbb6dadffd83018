/**
 * Building the records instrument() writes: the diagnostic (error, redacted event,
 * context, selfheal events, operations in flight), the advice, and the per-invocation
 * EMF metrics line. Pure functions of their inputs; writing is the caller's job.
 */
import { emfRecord, type Redactor, serializeError } from '../telemetry/internal.js';
import type { AdviceFigures } from './advice.js';
import type { InvocationCollector } from './collector.js';
import type { MetricsOptions } from './options.js';
import type { Advice, Diagnostic, InvocationInfo, RecordedEvent } from './types.js';

/** Inputs of {@link buildDiagnostic}. */
export interface DiagnosticInput {
  reason: 'exception' | 'timeout';
  error: unknown;
  event: unknown;
  info: InvocationInfo;
  durationMs: number;
  budgetMs: number | undefined;
  marginMs: number;
  collector: InvocationCollector;
  now: number;
  redactor: Redactor;
  eventRedactor: Redactor;
}

/** The diagnostic record, every part redacted. */
export function buildDiagnostic(input: DiagnosticInput): Diagnostic {
  const { reason, info, redactor, collector } = input;
  const error = redactor.redact(serializeError(input.error)) as Diagnostic['error'];
  const msg =
    reason === 'timeout'
      ? `${info.functionName} stopped ${input.marginMs} ms before its time budget ran out`
      : `${info.functionName} failed: ${error.name}: ${error.message}`;
  return {
    type: 'diagnostic',
    level: 'error',
    time: new Date(input.now).toISOString(),
    reason,
    msg: redactor.redactText(msg),
    error,
    event: input.eventRedactor.redact(input.event),
    context: redactor.redact(info) as InvocationInfo,
    durationMs: input.durationMs,
    ...(input.budgetMs !== undefined && { budgetMs: input.budgetMs }),
    marginMs: input.marginMs,
    selfheal: {
      events: redactor.redact(collector.events) as RecordedEvent[],
      counts: { ...collector.counts },
      dropped: collector.dropped,
    },
    inFlight: redactor.redact(collector.inFlight()) as Diagnostic['inFlight'],
  };
}

/** The advice record. */
export function buildAdvice(figures: AdviceFigures, functionName: string, now: number): Advice {
  const percent = Math.round(figures.share * 100);
  return {
    type: 'advice',
    level: 'warn',
    time: new Date(now).toISOString(),
    msg:
      `${functionName}: p95 duration ${Math.round(figures.p95Ms)} ms is ${percent}% of its ${figures.budgetMs} ms budget. ` +
      'Consider a longer-running compute type (a container task such as AWS Fargate or ECS) or a longer timeout.',
    recommendation: 'longer-running-compute',
    functionName,
    ...figures,
  };
}

/** Inputs of {@link buildMetrics}. */
export interface MetricsInput {
  options: Required<MetricsOptions>;
  info: InvocationInfo;
  outcome: 'success' | 'error' | 'timeout';
  durationMs: number;
  counts: Record<string, number>;
  now: number;
}

// selfheal event type → metric name, for the events seen during the invocation.
const EVENT_METRICS: Readonly<Record<string, string>> = {
  retry: 'Retries',
  throttled: 'Throttles',
  rejected: 'Rejections',
  fallback: 'Fallbacks',
  'breaker-open': 'BreakerOpens',
};

/** One EMF record for one invocation. */
export function buildMetrics(input: MetricsInput): Record<string, unknown> {
  const { info, outcome, counts } = input;
  const count = (name: string, value: number) => ({ name, unit: 'Count' as const, value });
  return emfRecord({
    namespace: input.options.namespace,
    dimensions: { FunctionName: info.functionName, ...input.options.dimensions },
    timestamp: input.now,
    properties: { requestId: info.requestId },
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
