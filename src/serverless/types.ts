/**
 * The shapes `instrument()` works with: the Lambda-like context it reads, the tools a
 * handler receives, the diagnostic and advice records it writes, and its events.
 */
import type { Logger, SerializedError } from '../telemetry/internal.js';

/** The parts of an AWS Lambda context instrument() reads; every field is optional. */
export interface LambdaContextLike {
  awsRequestId?: string;
  functionName?: string;
  functionVersion?: string;
  invokedFunctionArn?: string;
  memoryLimitInMB?: string | number;
  getRemainingTimeInMillis?: () => number;
}

/** The third argument of an instrumented handler. */
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

/** A handler instrument() can wrap: Lambda-style `(event, context)`, plus the tools. */
export type Handler<E, R, C> = (event: E, context: C, tools: InvocationTools) => R | PromiseLike<R>;

/** Facts about one invocation. */
export interface InvocationInfo {
  requestId: string;
  functionName: string;
  functionVersion?: string;
  memoryLimitMB?: number;
  /** The time budget at the start (the runtime's remaining time, or `timeoutMs`). */
  remainingMsAtStart?: number;
  /** True for the first invocation of this instrumented handler in this process. */
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
  /** `track()`'s label, or the event source whose attempt had not finished. */
  label: string;
  /** `track` for explicit ones, `attempt` for those seen through events. */
  via: 'track' | 'attempt';
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
  /** `exception`: the handler threw; `timeout`: the early deadline fired. */
  reason: 'exception' | 'timeout';
  msg: string;
  error: SerializedError;
  /** The event, redacted and size-capped. */
  event: unknown;
  context: InvocationInfo;
  durationMs: number;
  /** The budget (ms) and the margin kept before the runtime's own timeout. */
  budgetMs?: number;
  marginMs: number;
  /** selfheal events from the connected `sources` during this invocation. */
  selfheal: { events: RecordedEvent[]; counts: Record<string, number>; dropped: number };
  inFlight: InFlightOperation[];
}

/** The record written when durations get close to the budget. */
export interface Advice {
  type: 'advice';
  level: 'warn';
  time: string;
  msg: string;
  recommendation: 'longer-running-compute';
  functionName: string;
  p95Ms: number;
  budgetMs: number;
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
