/**
 * The shape every Lambda adapter shares: take the event's `Records`, run them through a
 * processor built for the source, answer with the partial batch response
 * `{ batchItemFailures: [{ itemIdentifier }] }` (an empty list means the whole batch
 * succeeded). The deadline comes from `instrument()`'s tools when the adapter runs inside
 * it (the third argument), else from the context's `getRemainingTimeInMillis()`.
 */
import type { EventSource } from '../core/internal.js';
import type { InvocationLike } from './batch-run.js';
import type { StreamEventMap } from './events.js';
import type { StreamHealth } from './health.js';
import { resolveOptions, type StreamProcessorOptions } from './options.js';
import { createProcessor, type StreamProcessor } from './processor.js';
import type { RecordSource } from './source.js';
import type { RecordHandler } from './types.js';

/** The partial batch response Lambda reads (with `ReportBatchItemFailures` turned on). */
export interface BatchResponse {
  batchItemFailures: { itemIdentifier: string }[];
}

/** The part of a Lambda context the adapters read. */
export interface LambdaContextLike {
  getRemainingTimeInMillis?: () => number;
}

/** A Lambda handler for a batch event, with its processor's events and health. */
export interface LambdaBatchHandler<E> {
  (event: E, context?: LambdaContextLike, tools?: InvocationLike): Promise<BatchResponse>;
  readonly events: EventSource<StreamEventMap>;
  health(): StreamHealth;
  readonly processor: StreamProcessor<unknown>;
}

/** Builds the Lambda handler of one source. */
export function lambdaHandler<E extends { Records: R[] }, R>(
  source: RecordSource<R> & { itemIdentifier: (record: R) => string },
  handler: RecordHandler<R>,
  options: StreamProcessorOptions<R> | undefined,
): LambdaBatchHandler<E> {
  if (typeof handler !== 'function')
    throw new TypeError(`Expected \`handler\` to be a function, got ${typeof handler}`);
  const o = resolveOptions({ name: source.name, ...options });
  const processor = createProcessor(o, source);
  const wrapped = async (event: E, context?: LambdaContextLike, tools?: InvocationLike) => {
    const records = (event as { Records?: unknown } | undefined)?.Records;
    if (!Array.isArray(records))
      throw new TypeError(`Expected a ${source.name} event with a \`Records\` array`);
    const remaining = context?.getRemainingTimeInMillis?.();
    const result = await processor.process(records as R[], handler, {
      ...(typeof remaining === 'number' && { deadline: o.clock.now() + remaining }),
      ...(isInvocation(tools) && { invocation: tools }),
    });
    const batchItemFailures: BatchResponse['batchItemFailures'] = [];
    for (const outcome of result.outcomes)
      if (outcome.status === 'failed' || outcome.status === 'unprocessed')
        batchItemFailures.push({ itemIdentifier: source.itemIdentifier(outcome.record) });
    return { batchItemFailures };
  };
  return Object.assign(wrapped, {
    events: processor.events,
    health: () => processor.health(),
    processor: processor as StreamProcessor<unknown>,
  });
}

function isInvocation(value: unknown): value is InvocationLike {
  const t = value as InvocationLike | undefined;
  return typeof t === 'object' && t !== null && (typeof t.deadline === 'number' || !!t.signal);
}
