/**
 * The shapes `instrument()` works with: the Lambda-like context it reads, the tools a
 * handler receives, the diagnostic and advice records it writes, and its events.
 */
import type { Logger, SerializedError } from '../telemetry/internal.js';

/**
 * The parts of a platform's context instrument() reads; every field is optional. AWS
 * Lambda's context, plus the ids of Azure Functions (`invocationId`) and Netlify (`requestId`).
 */
export interface LambdaContextLike {
  awsRequestId?: string;
  functionName?: string;
  functionVersion?: string;
  invokedFunctionArn?: string;
  memoryLimitInMB?: string | number;
  getRemainingTimeInMillis?: () => number;
  /** Azure Functions v4 (`InvocationContext`). */
  invocationId?: string;
  /** Netlify Functions v2 (`Context`). */
  requestId?: string;
}

/** A Node-style callback, as the Lambda runtime passes to `(event, context, callback)` handlers. */
export type LambdaCallback<R = unknown> = (error?: unknown, result?: R) => void;

/**
 * The tools an instrumented handler receives: the third argument (the fourth for
 * streaming handlers and for handlers that declare four parameters). For a Lambda
 * handler not declared `async` they are also its callback (type the parameter
 * `LambdaCallback`, or `InvocationTools & LambdaCallback`): `callback(error)` /
 * `callback(null, result)` settle the invocation as the runtime's callback would.
 */
export interface InvocationTools {
  /** Aborts at the early deadline (remaining time − `timeoutMarginMs`) with DeadlineExceededError. */
  readonly signal: AbortSignal;
  /** The early deadline as clock time (epoch ms with the system clock); Infinity without a budget. */
  readonly deadline: number;
  /** A JSON logger bound to this invocation (request id, function name), redacting. */
  readonly log: Logger;
  /**
   * Marks an operation as in flight until it settles, so a timeout diagnostic can name
   * it. Returns the same outcome as `work`.
   */
  track<T>(
    label: string,
    work: PromiseLike<T> | ((signal: AbortSignal) => PromiseLike<T>),
  ): Promise<T>;
}

/**
 * A handler instrument() can wrap. With up to three parameters the tools come third:
 * Lambda's `(event, context, tools)` — `tools` is also the callback of a callback-style
 * `(event, context, callback)` —, fetch-style `(request, context, tools)`, Node's
 * `(req, res, tools)`. With four parameters they come fourth, after the platform's three:
 * Lambda streaming `(event, responseStream, context, tools)`, Cloudflare's
 * `(request, env, ctx, tools)`, Express's `(req, res, next, tools)` (`T` is then the
 * third parameter's type).
 */
export type Handler<E, R, C, T = InvocationTools> = (
  event: E,
  context: C,
  third: T,
  tools: InvocationTools,
) => R | PromiseLike<R> | undefined;

/** Facts about one invocation. */
export interface InvocationInfo {
  /** The platform's id of the invocation (Lambda, Azure, Netlify, a request-id header), else a random UUID. */
  requestId: string;
  functionName: string;
  functionVersion?: string;
  /** The ARN the function was invoked with (Lambda). */
  functionArn?: string;
  /** The service name (`service`, POWERTOOLS_SERVICE_NAME or OTEL_SERVICE_NAME). */
  service?: string;
  /** The X-Ray trace id (`Root` of `_X_AMZN_TRACE_ID` or of an `X-Amzn-Trace-Id` header), or a W3C `traceparent` trace id. */
  traceId?: string;
  /** True when this invocation's logs are written at debug level (`logSampleRate`). */
  sampled?: boolean;
  memoryLimitMB?: number;
  /** The time budget at the start (the runtime's remaining time, or `timeoutMs`). */
  remainingMsAtStart?: number;
  /**
   * True for the first invocation of this instrumented handler in this process, unless the
   * instance was initialised ahead of time (`AWS_LAMBDA_INITIALIZATION_TYPE` provisioned
   * concurrency or SnapStart).
   */
  coldStart: boolean;
  /** 1 for the first invocation in this process, 2 for the next, … */
  invocation: number;
}

/** A selfheal event recorded during the invocation (errors serialised, redacted). */
export interface RecordedEvent {
  type: string;
  source: string;
  at: number;
  [field: string]: unknown;
}

/** An operation that had not settled when the diagnostic was written. */
export interface InFlightOperation {
  /**
   * `track()`'s label, or for an attempt seen through events the call it made —
   * `GET https://host/path` (no query) when the event says, else its origin, else its source.
   */
  label: string;
  /** `track` for explicit ones, `attempt` for those seen through events. */
  via: 'track' | 'attempt';
  /** The event source of an attempt (`pipeline`, `http`, …). */
  source?: string;
  /** The attempt number, for `attempt`. */
  attempt?: number;
  /** How long it had been running, ms. */
  runningMs: number;
}

/** The record written when an invocation fails or hits its early deadline. */
export interface Diagnostic {
  type: 'diagnostic';
  level: 'error';
  time: string;
  /**
   * `exception`: the handler threw; `timeout`: the early deadline fired; `overrun`: the
   * handler returned after the early deadline, which could not fire because the event
   * loop was blocked (CPU-bound work).
   */
  reason: 'exception' | 'timeout' | 'overrun';
  msg: string;
  error: SerializedError;
  /**
   * The event, redacted and size-capped. An HTTP request (a Web `Request`, a Node
   * `IncomingMessage`) is recorded as `{ method, url, headers, body }`: the URL without its
   * query, the headers redacted, the body capped at `maxEventBytes`.
   */
  event: unknown;
  context: InvocationInfo;
  durationMs: number;
  /** The budget (ms) and the margin kept before the runtime's own timeout. */
  budgetMs?: number;
  marginMs: number;
  /** selfheal events from the connected `sources` during this invocation. */
  selfheal: { events: RecordedEvent[]; counts: Record<string, number>; dropped: number };
  inFlight: InFlightOperation[];
  /** Parts trimmed so the line fits `maxRecordBytes`, least useful first. */
  trimmed?: string[];
  /** Why a part could not be recorded (the diagnostic itself failed; the handler's outcome is unchanged). */
  unavailable?: string;
}

/** The record written when durations get close to the budget. */
export interface Advice {
  type: 'advice';
  level: 'warn';
  time: string;
  msg: string;
  /**
   * The lever: `more-memory` (CPU-bound work; Lambda gives CPU in proportion to memory),
   * `longer-timeout` (below Lambda's 15 min), `longer-running-compute` (at the limits, or
   * off Lambda: a container task such as AWS Fargate or ECS).
   */
  recommendation: 'more-memory' | 'longer-timeout' | 'longer-running-compute';
  functionName: string;
  p95Ms: number;
  budgetMs: number;
  /** The share of the duration the event loop was busy (median of the window), when measured. */
  busyShare?: number;
  memoryLimitMB?: number;
  /** p95 as a share of the budget (0–1). */
  share: number;
  threshold: number;
  samples: number;
}

/** Events of an instrumented handler (`handler.events`). */
export interface ServerlessEventMap {
  /** An invocation ended. */
  invocation: {
    requestId: string;
    functionName: string;
    durationMs: number;
    outcome: 'success' | 'error' | 'timeout';
    coldStart: boolean;
  };
  /** A diagnostic was written. */
  diagnostic: { diagnostic: Diagnostic };
  /** p95 duration passed the advice threshold. */
  advice: { advice: Advice };
}
