/**
 * instrument()'s options: what each one means and its default. Validation and the
 * resolved form are in resolve-options.ts.
 */
import type { Clock, RandomSource } from '../core/internal.js';
import type {
  LineSink,
  LogLevel,
  RedactOptions,
  Redactor,
  Registry,
  Subscribable,
} from '../telemetry/internal.js';
import type { Diagnostic } from './types.js';

/** Options of {@link instrument}. */
export interface InstrumentOptions<E = unknown, R = unknown> {
  /** The time budget when the context has no `getRemainingTimeInMillis` (or a stricter one). */
  timeoutMs?: number;
  /**
   * Stop this long before the budget ends, while there is time to report. The default
   * never takes more than half the budget; a margin you set that is not below an
   * invocation's budget is replaced by half the budget, with a warning line.
   * @default 1000, or half the budget when that is less
   */
  timeoutMarginMs?: number;
  /**
   * On an early timeout, answer with this function's value instead of rejecting: the
   * invocation's result; for a streaming handler it is written to the stream, which is
   * then ended; for a Node `(req, res)` handler it is the response (a Web `Response`,
   * `{ statusCode, headers, body }` or a string).
   */
  onTimeout?: (event: E) => R | TimeoutResponse | PromiseLike<R | TimeoutResponse>;
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
  /** Size cap of the event in a diagnostic (and of a request body read for it). @default 32768 */
  maxEventBytes?: number;
  /** Cap of one diagnostic line in UTF-8 bytes (CloudWatch Logs takes 256 KB per event). @default 256000 */
  maxRecordBytes?: number;
  /** selfheal events kept per invocation (the rest are only counted). @default 50 */
  maxRecordedEvents?: number;
  /** Advice when p95 duration nears the budget; `false` turns it off. @default {} */
  advice?: false | AdviceOptions;
  /** CloudWatch EMF lines per invocation; `true` for the defaults. @default false */
  metrics?: boolean | MetricsOptions;
  /** Function name when there is no context. @default AWS_LAMBDA_FUNCTION_NAME, else 'handler' */
  name?: string;
  /** Service name in records and logs. @default POWERTOOLS_SERVICE_NAME, else OTEL_SERVICE_NAME, else none */
  service?: string;
  /** Share of invocations (0–1) whose invocation logger writes debug lines too. @default 0 */
  logSampleRate?: number;
  /**
   * A service map to join when wrapped (kind `serverless`, named `name`), with
   * `handler.health()` as its health and the handler's events counted.
   * @default none
   */
  registry?: Pick<Registry, 'register'>;
  /** Time source. @default systemClock */
  clock?: Clock;
  /** Random source (log sampling). @default Math.random */
  random?: RandomSource;
  /**
   * Time the event loop has spent busy, ms: advice tells CPU-bound work by its share of
   * an invocation's duration. @default performance.eventLoopUtilization().active
   */
  busyClock?: () => number;
}

/** What `onTimeout` may answer for an HTTP handler: a Web Response, the Lambda proxy shape, or a body. */
export type TimeoutResponse =
  | Response
  | { statusCode: number; headers?: Record<string, string>; body?: string }
  | string;

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

/** EMF options, checked against the EMF rules when the handler is wrapped. */
export interface MetricsOptions {
  /** 1–255 of `0-9A-Za-z._-/#:` and space, not `AWS/…`. @default 'selfheal/serverless' */
  namespace?: string;
  /** Added to `{ FunctionName }` (at most 29 more, printable ASCII, no metric's name). @default {} */
  dimensions?: Record<string, string>;
}
