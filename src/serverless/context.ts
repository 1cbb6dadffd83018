/**
 * Reading the invocation's context: its facts (request id, function name, memory) and
 * its time budget — the runtime's remaining time, `timeoutMs`, or the stricter of both.
 * Without a context a synthetic one is made, so every handler sees the same shape.
 */
import type { Clock } from '../core/internal.js';
import type { InvocationInfo, LambdaContextLike } from './types.js';

/** The budget in ms at the start of the invocation, or undefined when there is none. */
export function budgetOf(
  context: LambdaContextLike | undefined,
  timeoutMs: number | undefined,
  marginMs: number,
): number | undefined {
  let budget = timeoutMs;
  const remaining =
    typeof context?.getRemainingTimeInMillis === 'function'
      ? Number(context.getRemainingTimeInMillis())
      : undefined;
  if (remaining !== undefined && Number.isFinite(remaining))
    budget = Math.min(remaining, budget ?? remaining);
  if (budget !== undefined && marginMs >= budget) {
    throw new RangeError(
      `Expected \`timeoutMarginMs\` to be less than the invocation's time budget (${Math.round(budget)} ms), got ${marginMs}`,
    );
  }
  return budget;
}

/** A context for a call made without one (plain async functions, tests, workers). */
export function syntheticContext(
  name: string,
  clock: Clock,
  budgetMs: number | undefined,
): LambdaContextLike {
  const end = budgetMs === undefined ? undefined : clock.now() + budgetMs;
  return {
    awsRequestId: newRequestId(),
    functionName: name,
    ...(end !== undefined && { getRemainingTimeInMillis: () => Math.max(0, end - clock.now()) }),
  };
}

/** The facts the diagnostic reports. */
export function invocationInfo(
  context: LambdaContextLike | undefined,
  name: string,
  budgetMs: number | undefined,
  invocation: number,
): InvocationInfo {
  const memory = Number(context?.memoryLimitInMB);
  return {
    requestId: typeof context?.awsRequestId === 'string' ? context.awsRequestId : newRequestId(),
    functionName: typeof context?.functionName === 'string' ? context.functionName : name,
    ...(typeof context?.functionVersion === 'string' && {
      functionVersion: context.functionVersion,
    }),
    ...(Number.isFinite(memory) && memory > 0 && { memoryLimitMB: memory }),
    ...(budgetMs !== undefined && { remainingMsAtStart: budgetMs }),
    coldStart: invocation === 1,
    invocation,
  };
}

function newRequestId(): string {
  return globalThis.crypto.randomUUID();
}
