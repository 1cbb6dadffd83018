/**
 * Reading the invocation's context: its facts (the platform's request id, function name
 * and ARN, memory, trace id, cold start) and its time budget — the runtime's remaining
 * time, `timeoutMs`, or the stricter of both — with the margin kept before it. Every
 * read survives a hostile getter: a context is the platform's object, not ours.
 */
import type { InvocationInfo, LambdaContextLike } from './types.js';

/** The default margin, when the budget allows it. */
export const DEFAULT_MARGIN_MS = 1000;

/** The time budget of one invocation and the margin kept before its end. */
export interface Budget {
  /** ms at the start, or undefined when there is no budget. */
  budgetMs: number | undefined;
  marginMs: number;
  /** The configured margin, when it did not fit the budget and half the budget is used. */
  scaledFrom?: number;
}

/** The configured margin: a number the user chose, or the default. */
export interface MarginSetting {
  ms: number;
  explicit: boolean;
}

/**
 * The budget at the start of the invocation. The margin never takes the whole budget:
 * the default is 1,000 ms or half the budget, whichever is less; a margin the user chose
 * that is not below the budget is halved down to half the budget (`scaledFrom` says so),
 * so a short function still runs, still times out early and still reports.
 */
export function budgetOf(
  context: unknown,
  timeoutMs: number | undefined,
  margin: MarginSetting,
): Budget {
  let budgetMs = timeoutMs;
  const remaining = remainingTime(context);
  if (remaining !== undefined) budgetMs = Math.min(remaining, budgetMs ?? remaining);
  if (budgetMs === undefined) return { budgetMs, marginMs: margin.ms };
  budgetMs = Math.max(0, budgetMs);
  if (!margin.explicit) return { budgetMs, marginMs: Math.min(margin.ms, budgetMs / 2) };
  if (margin.ms < budgetMs || budgetMs === 0)
    return { budgetMs, marginMs: Math.min(margin.ms, budgetMs) };
  return { budgetMs, marginMs: budgetMs / 2, scaledFrom: margin.ms };
}

function remainingTime(context: unknown): number | undefined {
  const get = field(context, 'getRemainingTimeInMillis');
  if (typeof get !== 'function') return undefined;
  try {
    const ms = Number(get.call(context));
    return Number.isFinite(ms) ? ms : undefined;
  } catch {
    return undefined;
  }
}

/** Inputs of {@link invocationInfo}. */
export interface InfoInput {
  context: unknown;
  /** The request's headers (lower-case names), for HTTP-shaped invocations. */
  headers: { header(name: string): string | undefined } | undefined;
  name: string;
  service: string | undefined;
  budgetMs: number | undefined;
  invocation: number;
  /** False when the instance was initialised ahead of time (provisioned concurrency, SnapStart). */
  coldStartPossible: boolean;
  sampled: boolean;
}

// Request-id headers of the platforms, most specific first.
const ID_HEADERS = [
  'x-vercel-id',
  'x-nf-request-id',
  'cf-ray',
  'function-execution-id',
  'x-amzn-requestid',
  'x-request-id',
  'x-correlation-id',
];

/** The facts the diagnostic reports. */
export function invocationInfo(input: InfoInput): InvocationInfo {
  const { context, headers } = input;
  const info: InvocationInfo = {
    requestId:
      text(field(context, 'awsRequestId')) ??
      text(field(context, 'invocationId')) ??
      text(field(context, 'requestId')) ??
      idHeader(headers) ??
      globalThis.crypto.randomUUID(),
    functionName: text(field(context, 'functionName')) ?? input.name,
    coldStart: input.invocation === 1 && input.coldStartPossible,
    invocation: input.invocation,
  };
  const version = text(field(context, 'functionVersion'));
  if (version !== undefined) info.functionVersion = version;
  const arn = text(field(context, 'invokedFunctionArn'));
  if (arn !== undefined) info.functionArn = arn;
  if (input.service !== undefined) info.service = input.service;
  const traceId = traceIdOf(headers);
  if (traceId !== undefined) info.traceId = traceId;
  if (input.sampled) info.sampled = true;
  const memory = Number(field(context, 'memoryLimitInMB'));
  if (Number.isFinite(memory) && memory > 0) info.memoryLimitMB = memory;
  if (input.budgetMs !== undefined) info.remainingMsAtStart = input.budgetMs;
  return info;
}

function idHeader(headers: InfoInput['headers']): string | undefined {
  if (!headers) return undefined;
  for (const name of ID_HEADERS) {
    const value = headers.header(name);
    if (value) return value;
  }
  return undefined;
}

/**
 * The trace id: Lambda sets `_X_AMZN_TRACE_ID` for each invocation
 * (`Root=1-…;Parent=…;Sampled=1`); behind a load balancer or API Gateway the request
 * carries `X-Amzn-Trace-Id`; elsewhere a W3C `traceparent` (`00-<trace-id>-<span>-<flags>`).
 */
function traceIdOf(headers: InfoInput['headers']): string | undefined {
  const amzn = process.env._X_AMZN_TRACE_ID || headers?.header('x-amzn-trace-id');
  if (amzn) {
    const root = /(?:^|;)\s*Root=([^;\s]{1,64})/.exec(amzn)?.[1];
    return root ?? (amzn.includes('=') ? undefined : amzn.slice(0, 64));
  }
  const parent = headers?.header('traceparent');
  return parent ? /^[\da-f]{2}-([\da-f]{32})-[\da-f]{16}-[\da-f]{2}$/.exec(parent)?.[1] : undefined;
}

/**
 * False when `AWS_LAMBDA_INITIALIZATION_TYPE` says the instance was initialised ahead of
 * its first request (`provisioned-concurrency`, `snap-start`, …): that first request
 * met a warm instance. Unset (off Lambda) or `on-demand`: a first invocation is cold.
 */
export function coldStartPossible(): boolean {
  const type = process.env.AWS_LAMBDA_INITIALIZATION_TYPE?.trim();
  return !type || type === 'on-demand';
}

/** A property of a value we do not own; a throwing getter or a primitive gives undefined. */
export function field(target: unknown, key: string): unknown {
  if ((typeof target !== 'object' && typeof target !== 'function') || target === null)
    return undefined;
  try {
    return (target as Record<string, unknown>)[key];
  } catch {
    return undefined;
  }
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** A context for a Lambda-shaped call made without one (plain async functions, tests, workers). */
export function syntheticContext(
  requestId: string,
  name: string,
  deadlineAt: number | undefined,
  clock: { now(): number },
): LambdaContextLike {
  return {
    awsRequestId: requestId,
    functionName: name,
    ...(deadlineAt !== undefined && {
      getRemainingTimeInMillis: () => Math.max(0, deadlineAt - clock.now()),
    }),
  };
}
