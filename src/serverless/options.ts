/**
 * instrument()'s options: their documentation, defaults and validation (once, when the
 * handler is wrapped). Bad values throw TypeError / RangeError naming the option.
 */
import {
  type Clock,
  enumOption,
  functionOption,
  numberOption,
  objectOption,
  optionalNumber,
  systemClock,
} from '../core/internal.js';
import {
  createRedactor,
  type LineSink,
  type LogLevel,
  type RedactOptions,
  type Redactor,
  type Registry,
  type Subscribable,
  stdoutSink,
} from '../telemetry/internal.js';
import type { Diagnostic } from './types.js';

/** Options of {@link instrument}. */
export interface InstrumentOptions<E = unknown, R = unknown> {
  /** The time budget when the context has no `getRemainingTimeInMillis` (or a stricter one). */
  timeoutMs?: number;
  /** Stop this long before the budget ends, while there is time to report. @default 1000 */
  timeoutMarginMs?: number;
  /** On an early timeout, resolve with this function's value instead of rejecting. */
  onTimeout?: (event: E) => R | PromiseLike<R>;
  /** Event sources (policies, pipelines, clients) whose events the diagnostic lists. @default [] */
  sources?: readonly Subscribable[];
  /** Receives each diagnostic instead of it being written to `sink`. */
  onDiagnostic?: (diagnostic: Diagnostic) => void;
  /** Where JSON lines go (logs, diagnostics, advice, metrics). @default stdoutSink() */
  sink?: LineSink;
  /** Level of the invocation logger. @default 'info' */
  logLevel?: LogLevel;
  /** Redaction: extra keys and patterns, caps, or a ready redactor. @default createRedactor() */
  redact?: RedactOptions | Redactor;
  /** Size cap of the event in a diagnostic, in characters. @default 32768 */
  maxEventBytes?: number;
  /** selfheal events kept per invocation (the rest are only counted). @default 50 */
  maxRecordedEvents?: number;
  /** Advice when p95 duration nears the budget; `false` turns it off. @default {} */
  advice?: false | AdviceOptions;
  /** CloudWatch EMF lines per invocation; `true` for the defaults. @default false */
  metrics?: boolean | MetricsOptions;
  /** Function name when there is no context. @default AWS_LAMBDA_FUNCTION_NAME, else 'handler' */
  name?: string;
  /**
   * A service map to join when wrapped (kind `serverless`, named `name`), with
   * `handler.health()` as its health and the handler's events counted.
   * @default none
   */
  registry?: Pick<Registry, 'register'>;
  /** Time source. @default systemClock */
  clock?: Clock;
}

/** When to advise a longer-running compute type. */
export interface AdviceOptions {
  /** Share of the budget p95 must reach. @default 0.8 */
  threshold?: number;
  /** Durations kept for the p95. @default 100 */
  window?: number;
  /** Durations needed before advising. @default 20 */
  minSamples?: number;
  /** Invocations between two pieces of advice. @default 100 */
  every?: number;
}

/** EMF options. */
export interface MetricsOptions {
  /** @default 'selfheal/serverless' */
  namespace?: string;
  /** Added to `{ FunctionName }`. @default {} */
  dimensions?: Record<string, string>;
}

/** Options after validation. */
export interface Resolved<E, R> {
  timeoutMs: number | undefined;
  marginMs: number;
  onTimeout: ((event: E) => R | PromiseLike<R>) | undefined;
  sources: readonly Subscribable[];
  onDiagnostic: ((diagnostic: Diagnostic) => void) | undefined;
  sink: LineSink;
  logLevel: LogLevel;
  redactor: Redactor;
  eventRedactor: Redactor;
  maxRecordedEvents: number;
  advice: Required<AdviceOptions> | undefined;
  metrics: Required<MetricsOptions> | undefined;
  name: string;
  registry: Pick<Registry, 'register'> | undefined;
  clock: Clock;
}

/** Validates and fills in defaults. */
export function resolveOptions<E, R>(options: InstrumentOptions<E, R> = {}): Resolved<E, R> {
  objectOption('options', options);
  const timeoutMs =
    options.timeoutMs === undefined
      ? undefined
      : numberOption('timeoutMs', options.timeoutMs, { min: 0, exclusiveMin: true });
  const marginMs = optionalNumber('timeoutMarginMs', options.timeoutMarginMs, 1000, { min: 0 });
  if (timeoutMs !== undefined && marginMs >= timeoutMs) {
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
    marginMs,
    onTimeout:
      options.onTimeout === undefined
        ? undefined
        : functionOption<(event: E) => R | PromiseLike<R>>(
            'onTimeout',
            options.onTimeout,
            () => undefined as R,
          ),
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
    advice: resolveAdvice(options.advice),
    metrics: resolveMetrics(options.metrics),
    name:
      typeof options.name === 'string' && options.name !== ''
        ? options.name
        : process.env.AWS_LAMBDA_FUNCTION_NAME || 'handler',
    registry: registryOption(options.registry),
    clock: options.clock ?? systemClock,
  };
}

function resolveAdvice(
  value: false | AdviceOptions | undefined,
): Required<AdviceOptions> | undefined {
  if (value === false) return undefined;
  const o = objectOption<AdviceOptions>('advice', value) ?? {};
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
  const namespace = o.namespace ?? 'selfheal/serverless';
  if (typeof namespace !== 'string' || namespace === '')
    throw new TypeError('Expected `metrics.namespace` to be a non-empty string');
  return { namespace, dimensions: o.dimensions ?? {} };
}

function registryOption(
  registry: Pick<Registry, 'register'> | undefined,
): Pick<Registry, 'register'> | undefined {
  if (registry === undefined) return undefined;
  if (typeof registry?.register !== 'function')
    throw new TypeError('Expected `registry` to be a service-map registry (createRegistry())');
  return registry;
}
