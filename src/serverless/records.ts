/**
 * Building the records instrument() writes: the diagnostic (error, redacted event,
 * context, selfheal events, operations in flight — capped in bytes) and the advice. Pure functions of their inputs; writing is the
 * caller's job. A diagnostic that cannot be built (a value that breaks redaction) becomes
 * a minimal one that still names the error: diagnostics never replace the user's error.
 */
import { type Redactor, serializeError } from '../telemetry/internal.js';
import { type AdviceFigures, LAMBDA_LIMITS } from './advice.js';
import type { InvocationCollector } from './collector.js';
import { field } from './context.js';
import { formatCount, formatDuration } from './format.js';
import { capDiagnostic } from './record-cap.js';
import type { Advice, Diagnostic, InvocationInfo, RecordedEvent } from './types.js';

/** Inputs of {@link buildDiagnostic}. */
export interface DiagnosticInput {
  reason: Diagnostic['reason'];
  error: unknown;
  /** The event as recorded (an HTTP request already reduced to method, URL, headers, body). */
  event: unknown;
  info: InvocationInfo;
  durationMs: number;
  budgetMs: number | undefined;
  marginMs: number;
  collector: InvocationCollector;
  now: number;
  redactor: Redactor;
  eventRedactor: Redactor;
  maxRecordBytes: number;
}

/** The diagnostic record, every part redacted, the whole line within `maxRecordBytes`. */
export function buildDiagnostic(input: DiagnosticInput): Diagnostic {
  try {
    return capDiagnostic(fullDiagnostic(input), input.maxRecordBytes);
  } catch (failure) {
    return capDiagnostic(minimalDiagnostic(input, failure), input.maxRecordBytes);
  }
}

function fullDiagnostic(input: DiagnosticInput): Diagnostic {
  const { info, redactor, collector } = input;
  const error = redactor.redact(serializeError(input.error)) as Diagnostic['error'];
  return {
    ...head(input, error),
    error,
    event: input.eventRedactor.redact(input.event),
    context: redactor.redact(info) as InvocationInfo,
    ...figures(input),
    selfheal: {
      events: redactor.redact(collector.events) as RecordedEvent[],
      counts: { ...collector.counts },
      dropped: collector.dropped,
    },
    inFlight: redactor.redact(collector.inFlight()) as Diagnostic['inFlight'],
  };
}

// Built from the few facts that cannot fail: the error's own name and message, read
// guardedly and redacted as text, and the context as it is.
function minimalDiagnostic(input: DiagnosticInput, failure: unknown): Diagnostic {
  const text = (value: unknown, fallback: string) => {
    try {
      return input.redactor.redactText(typeof value === 'string' ? value : fallback);
    } catch {
      return '[UNAVAILABLE]';
    }
  };
  const error = input.error;
  const isError = typeof error === 'object' && error !== null;
  const serialized = {
    name: text(isError ? field(error, 'name') : undefined, isError ? 'Error' : 'NonError'),
    message: text(isError ? field(error, 'message') : undefined, isError ? '' : typeof error),
  };
  return {
    ...head(input, serialized),
    error: serialized,
    event: '[UNAVAILABLE]',
    context: input.info,
    ...figures(input),
    selfheal: { events: [], counts: { ...input.collector.counts }, dropped: 0 },
    inFlight: [],
    unavailable:
      `the full diagnostic could not be built: ${text(field(failure, 'name'), 'error')}: ${text(field(failure, 'message'), '')}`.slice(
        0,
        500,
      ),
  };
}

function head(input: DiagnosticInput, error: { name: string; message: string }) {
  const { reason, info } = input;
  const fn = info.functionName;
  const msg =
    reason === 'timeout'
      ? `${fn} stopped ${formatDuration(input.marginMs)} before its ${formatDuration(input.budgetMs ?? 0)} time budget ran out`
      : reason === 'overrun'
        ? `${fn} returned after ${formatDuration(input.durationMs)}, past its early deadline (${formatDuration((input.budgetMs ?? 0) - input.marginMs)}): the event loop was blocked, so the timeout could not fire — CPU-bound work`
        : `${fn} failed: ${error.name}: ${error.message}`;
  return {
    type: 'diagnostic' as const,
    level: 'error' as const,
    time: new Date(input.now).toISOString(),
    reason,
    msg: input.redactor.redactText(msg),
  };
}

function figures(input: DiagnosticInput) {
  return {
    durationMs: input.durationMs,
    ...(input.budgetMs !== undefined && { budgetMs: input.budgetMs }),
    marginMs: input.marginMs,
  };
}

/** What the advice needs to know about the function. */
export interface AdviceSubject {
  functionName: string;
  memoryLimitMB?: number;
  /** True on AWS Lambda (a memory size or an ARN in the context). */
  onLambda: boolean;
}

// The event loop busy for this share of the duration: the work is CPU-bound.
const CPU_BOUND = 0.6;

/** The advice record: the figures, and the lever that helps in this function's situation. */
export function buildAdvice(figures: AdviceFigures, subject: AdviceSubject, now: number): Advice {
  const { p95Ms, budgetMs, busyShare } = figures;
  const memory = subject.memoryLimitMB;
  const cpuBound = busyShare !== undefined && busyShare >= CPU_BOUND;
  const atTimeLimit = budgetMs >= LAMBDA_LIMITS.timeoutMs - 1000;
  const atMemoryLimit = memory !== undefined && memory >= LAMBDA_LIMITS.memoryMB;
  const compute = 'a longer-running compute type (a container task such as AWS Fargate or ECS)';
  const head = `${subject.functionName}: p95 duration ${formatDuration(p95Ms)} is ${Math.round(figures.share * 100)}% of its ${formatDuration(budgetMs)} budget.`;
  const cpu =
    busyShare === undefined
      ? ''
      : ` The event loop was busy ${Math.round(busyShare * 100)}% of the time.`;
  let recommendation: Advice['recommendation'];
  let remedy: string;
  if (subject.onLambda && cpuBound && !atMemoryLimit) {
    recommendation = 'more-memory';
    remedy = ` The work is CPU-bound: more memory is the lever — Lambda allots CPU in proportion to memory (one full vCPU at 1,769 MB${memory === undefined ? '' : `; this function has ${formatCount(memory)} MB`}, up to ${formatCount(LAMBDA_LIMITS.memoryMB)} MB).${atTimeLimit ? '' : ' A longer timeout (up to 15 min) buys time too.'}`;
  } else if (subject.onLambda && !atTimeLimit) {
    recommendation = 'longer-timeout';
    remedy = ` Raise the timeout (Lambda allows up to 15 min)${cpuBound ? `; memory is already at Lambda's ${formatCount(LAMBDA_LIMITS.memoryMB)} MB maximum` : ''}, or consider ${compute}.`;
  } else if (subject.onLambda) {
    recommendation = 'longer-running-compute';
    remedy = ` It is at Lambda's 15 min limit${atMemoryLimit ? ` and its ${formatCount(LAMBDA_LIMITS.memoryMB)} MB maximum` : ''}: move the work to ${compute}, or split it into steps (AWS Step Functions).`;
  } else {
    recommendation = 'longer-running-compute';
    remedy = ` Consider a longer timeout or ${compute}.`;
  }
  return {
    type: 'advice',
    level: 'warn',
    time: new Date(now).toISOString(),
    msg: head + cpu + remedy,
    recommendation,
    functionName: subject.functionName,
    ...figures,
    ...(memory !== undefined && { memoryLimitMB: memory }),
  };
}
