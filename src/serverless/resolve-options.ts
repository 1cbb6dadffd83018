/**
 * instrument()'s options validated once, when the handler is wrapped, with their
 * defaults filled in. Bad values throw TypeError / RangeError naming the option; an
 * unknown option throws a TypeError naming the closest known one.
 */

import { performance } from 'node:perf_hooks';
import {
  type Clock,
  enumOption,
  functionOption,
  knownKeys,
  numberOption,
  objectOption,
  optionalNumber,
  type RandomSource,
  systemClock,
  systemRandom,
} from '../core/internal.js';
import {
  createRedactor,
  emfDimensionsOption,
  emfNamespaceOption,
  type LineSink,
  type LogLevel,
  type RedactOptions,
  type Redactor,
  type Registry,
  type Subscribable,
  stdoutSink,
} from '../telemetry/internal.js';
import { DEFAULT_MARGIN_MS, type MarginSetting } from './context.js';
import { METRIC_NAMES } from './metrics.js';
import type { AdviceOptions, InstrumentOptions, MetricsOptions } from './options.js';
import type { Diagnostic } from './types.js';

// Derived from the type, so a new option cannot be forgotten here.
const OPTION_KEYS = Object.keys({
  timeoutMs: true,
  timeoutMarginMs: true,
  onTimeout: true,
  sources: true,
  onDiagnostic: true,
  sink: true,
  logLevel: true,
  redact: true,
  maxEventBytes: true,
  maxRecordBytes: true,
  maxRecordedEvents: true,
  advice: true,
  metrics: true,
  name: true,
  service: true,
  logSampleRate: true,
  registry: true,
  clock: true,
  random: true,
  busyClock: true,
} satisfies Record<keyof InstrumentOptions, true>);
const ADVICE_KEYS = Object.keys({
  threshold: true,
  window: true,
  minSamples: true,
  every: true,
} satisfies Record<keyof AdviceOptions, true>);
const METRICS_KEYS = Object.keys({
  namespace: true,
  dimensions: true,
} satisfies Record<keyof MetricsOptions, true>);

/** Options after validation. */
export interface Resolved {
  timeoutMs: number | undefined;
  margin: MarginSetting;
  onTimeout: ((event: unknown) => unknown) | undefined;
  sources: readonly Subscribable[];
  onDiagnostic: ((diagnostic: Diagnostic) => void) | undefined;
  sink: LineSink;
  logLevel: LogLevel;
  redactor: Redactor;
  eventRedactor: Redactor;
  maxRecordedEvents: number;
  maxEventBytes: number;
  maxRecordBytes: number;
  advice: Required<AdviceOptions> | undefined;
  metrics: Required<MetricsOptions> | undefined;
  name: string;
  service: string | undefined;
  logSampleRate: number;
  registry: Pick<Registry, 'register'> | undefined;
  clock: Clock;
  random: RandomSource;
  busyClock: () => number;
}

/** Validates and fills in defaults. */
export function resolveOptions(options: InstrumentOptions = {}): Resolved {
  objectOption('options', options);
  knownKeys(options, OPTION_KEYS);
  const timeoutMs =
    options.timeoutMs === undefined
      ? undefined
      : numberOption('timeoutMs', options.timeoutMs, { min: 0, exclusiveMin: true });
  const marginMs = optionalNumber('timeoutMarginMs', options.timeoutMarginMs, DEFAULT_MARGIN_MS, {
    min: 0,
  });
  const explicit = options.timeoutMarginMs !== undefined;
  if (explicit && timeoutMs !== undefined && marginMs >= timeoutMs) {
    throw new RangeError(
      `Expected \`timeoutMarginMs\` to be less than \`timeoutMs\` (${timeoutMs}), got ${marginMs}`,
    );
  }
  const sources = options.sources ?? [];
  if (!Array.isArray(sources))
    throw new TypeError('Expected `sources` to be an array of event sources');
  for (const [i, s] of sources.entries()) {
    if (typeof (s as Subscribable | undefined)?.onEvent !== 'function') {
      throw new TypeError(
        `Expected \`sources[${i}]\` to be an event source (an object with onEvent())`,
      );
    }
  }
  const maxEventBytes = optionalNumber('maxEventBytes', options.maxEventBytes, 32_768, {
    min: 256,
    integer: true,
  });
  const redact = options.redact;
  const ready =
    redact && typeof (redact as Redactor).redact === 'function' ? (redact as Redactor) : undefined;
  const redactOptions = ready ? undefined : objectOption<RedactOptions>('redact', redact);
  return {
    timeoutMs,
    margin: { ms: marginMs, explicit },
    onTimeout:
      options.onTimeout === undefined
        ? undefined
        : functionOption<(event: unknown) => unknown>('onTimeout', options.onTimeout, () => {}),
    sources,
    onDiagnostic:
      options.onDiagnostic === undefined
        ? undefined
        : functionOption('onDiagnostic', options.onDiagnostic, () => undefined),
    sink:
      options.sink === undefined
        ? stdoutSink()
        : functionOption<LineSink>('sink', options.sink, () => undefined),
    logLevel: enumOption('logLevel', options.logLevel, ['debug', 'info', 'warn', 'error'], 'info'),
    redactor: ready ?? createRedactor(redactOptions),
    eventRedactor: ready ?? createRedactor({ ...redactOptions, maxBytes: maxEventBytes }),
    maxRecordedEvents: optionalNumber('maxRecordedEvents', options.maxRecordedEvents, 50, {
      min: 0,
      integer: true,
    }),
    maxEventBytes,
    maxRecordBytes: optionalNumber('maxRecordBytes', options.maxRecordBytes, 256_000, {
      min: 4096,
      max: 262_144,
      integer: true,
    }),
    advice: resolveAdvice(options.advice),
    metrics: resolveMetrics(options.metrics),
    name:
      typeof options.name === 'string' && options.name !== ''
        ? options.name
        : process.env.AWS_LAMBDA_FUNCTION_NAME || 'handler',
    service: serviceOption(options.service),
    logSampleRate: optionalNumber('logSampleRate', options.logSampleRate, 0, { min: 0, max: 1 }),
    registry: registryOption(options.registry),
    clock: options.clock ?? systemClock,
    random: functionOption<RandomSource>('random', options.random, systemRandom),
    busyClock: functionOption('busyClock', options.busyClock, loopBusyMs),
  };
}

function resolveAdvice(
  value: false | AdviceOptions | undefined,
): Required<AdviceOptions> | undefined {
  if (value === false) return undefined;
  const o = objectOption<AdviceOptions>('advice', value) ?? {};
  knownKeys(o, ADVICE_KEYS, 'advice.');
  const window = optionalNumber('advice.window', o.window, 100, { min: 1, integer: true });
  return {
    threshold: optionalNumber('advice.threshold', o.threshold, 0.8, {
      min: 0,
      max: 1,
      exclusiveMin: true,
    }),
    window,
    minSamples: optionalNumber('advice.minSamples', o.minSamples, Math.min(20, window), {
      min: 1,
      max: window,
      integer: true,
    }),
    every: optionalNumber('advice.every', o.every, 100, { min: 1, integer: true }),
  };
}

function resolveMetrics(
  value: boolean | MetricsOptions | undefined,
): Required<MetricsOptions> | undefined {
  if (value === undefined || value === false) return undefined;
  const o = value === true ? {} : (objectOption<MetricsOptions>('metrics', value) ?? {});
  knownKeys(o, METRICS_KEYS, 'metrics.');
  const namespace = emfNamespaceOption('metrics.namespace', o.namespace ?? 'selfheal/serverless');
  // FunctionName is added to every line, and the properties sit beside the dimensions.
  const reserved = [...METRIC_NAMES, 'FunctionName', 'requestId', 'traceId', 'service'];
  const dimensions = emfDimensionsOption('metrics.dimensions', o.dimensions, reserved, 29);
  return { namespace, dimensions };
}

function serviceOption(value: unknown): string | undefined {
  if (value === undefined)
    return process.env.POWERTOOLS_SERVICE_NAME || process.env.OTEL_SERVICE_NAME || undefined;
  if (typeof value !== 'string' || value === '')
    throw new TypeError(`Expected \`service\` to be a non-empty string, got ${typeof value}`);
  return value;
}

// The event loop's busy time: what CPU-bound JavaScript uses, read without a system call
// (process.cpuUsage() is a getrusage call, several µs on a virtual machine).
function loopBusyMs(): number {
  return performance.eventLoopUtilization().active;
}

function registryOption(
  registry: Pick<Registry, 'register'> | undefined,
): Pick<Registry, 'register'> | undefined {
  if (registry === undefined) return undefined;
  if (typeof registry?.register !== 'function')
    throw new TypeError('Expected `registry` to be a service-map registry (createRegistry())');
  return registry;
}
