/**
 * `streamProcessor(options)`: the object that owns a stream's poison state — its attempt
 * counts, events, health and place in the service map — and runs batches through it.
 * `processBatch()` is the one-shot form; the Lambda adapters and `consumeStream()` build
 * one for their source.
 */
import { type Disposer, EventHub, type EventSource } from '../core/internal.js';
import { attemptStore } from './attempt-store.js';
import { batchResult } from './batch-result.js';
import { type BatchCallOptions, BatchRun } from './batch-run.js';
import { bisectItems } from './bisect.js';
import { type StreamEventMap, streamEmitter } from './events.js';
import { type StreamHealth, StreamStats } from './health.js';
import { type ResolvedOptions, resolveOptions, type StreamProcessorOptions } from './options.js';
import { type BatchItem, PoisonMachine, unprocessed } from './poison.js';
import { type RunSettings, runGuarded, type Verdict } from './run-record.js';
import { schedule } from './schedule.js';
import { type RecordSource, type RecordsOptions, recordsSource, toItems } from './source.js';
import type { BatchResult, RecordHandler, RecordOutcome, WholeBatchHandler } from './types.js';

/** A stream processor: see {@link streamProcessor}. */
export interface StreamProcessor<R> {
  readonly name: string;
  /** Every transition of every record, for telemetry sinks (and `instrument({ sources })`). */
  readonly events: EventSource<StreamEventMap>;
  /** Runs `handler` on each record under the poison state machine. */
  process(
    records: readonly R[],
    handler: RecordHandler<R>,
    options?: BatchCallOptions,
  ): Promise<BatchResult<R>>;
  /**
   * Runs a handler that takes the whole batch; when it fails, splits the batch in halves
   * until the failing records are isolated (⌈log2 n⌉ + 1 rounds for one poison record).
   */
  bisect(
    records: readonly R[],
    handler: WholeBatchHandler<R>,
    options?: BatchCallOptions,
  ): Promise<BatchResult<R>>;
  /** Counts since creation, as JSON. */
  health(): StreamHealth;
  /** Leaves the service map. */
  close(): void;
}

/** Creates a {@link StreamProcessor} for plain records (anything with an `id`, or `idOf`). */
export function streamProcessor<R>(
  options: StreamProcessorOptions<R> & RecordsOptions<R> = {},
): StreamProcessor<R> {
  return createProcessor(resolveOptions(options), recordsSource(options));
}

/** Runs one batch with a processor of its own (counts attempts across calls only with a shared `store`). */
export function processBatch<R>(
  records: readonly R[],
  handler: RecordHandler<R>,
  options: Omit<StreamProcessorOptions<R>, 'registry'> & RecordsOptions<R> & BatchCallOptions = {},
): Promise<BatchResult<R>> {
  return streamProcessor(options).process(records, handler, options);
}

/** Runs a whole-batch handler with bisection, with a processor of its own. */
export function bisectBatch<R>(
  records: readonly R[],
  handler: WholeBatchHandler<R>,
  options: Omit<StreamProcessorOptions<R>, 'registry'> & RecordsOptions<R> & BatchCallOptions = {},
): Promise<BatchResult<R>> {
  return streamProcessor(options).bisect(records, handler, options);
}

/** Builds a processor for `source` (the adapters' entry). */
export function createProcessor<R>(
  o: ResolvedOptions<R>,
  source: RecordSource<R>,
  hub = new EventHub<StreamEventMap>(),
): StreamProcessor<R> {
  const stats = new StreamStats(o.name);
  const attempts = attemptStore({
    store: o.store,
    prefix: `selfheal:attempts:${o.name}:`,
    ttlMs: o.attemptTtlMs,
    clock: o.clock,
    describe: (error) => o.redactor.redactText(describeError(error)),
  });
  const { clock } = o;
  const emit = streamEmitter(hub, o.name, clock);
  const machine = new PoisonMachine(o, attempts, emit, stats, source.name);
  const finish = (outcomes: RecordOutcome<R>[], run: BatchRun<R>, start: number, rounds?: number) =>
    batchResult({ outcomes, run, stats, emit, durationMs: clock.now() - start, rounds });

  const begin = (call: BatchCallOptions | undefined) => {
    const run = new BatchRun<R>(clock, o.deadlineMarginMs, call);
    const settings: RunSettings = {
      clock,
      timeoutMs: o.recordTimeoutMs,
      run: run.signal ? run : undefined,
      track: run.track,
    };
    return { run, settings, start: clock.now() };
  };

  const checkHandler = (handler: unknown) => {
    if (typeof handler !== 'function')
      throw new TypeError(`Expected \`handler\` to be a function, got ${typeof handler}`);
  };

  const processor: StreamProcessor<R> = {
    name: o.name,
    events: hub,
    async process(records, handler, call) {
      checkHandler(handler);
      const items = toItems(records, source);
      const { run, settings, start } = begin(call);
      const ordered = isOrdered(items);
      if (source.timestampOf && items.length) observeLag(items[items.length - 1]!);
      // The hot path: no allocation or clock read that the batch does not need.
      const stoppable = settings.run !== undefined;
      const step = (item: BatchItem<R>): RecordOutcome<R> | Promise<RecordOutcome<R>> => {
        if (!run.canTake()) return unprocessed(item);
        if (machine.overDelivered(item)) return machine.unsettled(item);
        const attempt = machine.attemptOf(item);
        const { id, group, record } = item;
        stats.inFlight++;
        if (stoppable) run.inHand.add(item);
        const began = hub.listening ? clock.now() : -1;
        const verdict = runGuarded(
          (signal) => handler(record, { id, attempt, signal, group }),
          id,
          `record ${id}`,
          settings,
        );
        const settle = (v: Verdict) => {
          stats.inFlight--;
          if (stoppable) run.inHand.delete(item);
          return v.ok
            ? machine.processed(item, attempt, began < 0 ? 0 : clock.now() - began)
            : machine.failed(item, v.error);
        };
        return verdict instanceof Promise ? verdict.then(settle) : settle(verdict);
      };
      try {
        const outcomes = await schedule(items, ordered, o.concurrency, step, (group, at, n) =>
          emit('group-stopped', { group, id: at.id, unprocessed: n }),
        );
        return finish(outcomes, run, start);
      } finally {
        run.dispose();
      }
    },
    async bisect(records, handler, call) {
      checkHandler(handler);
      const items = toItems(records, source);
      const { run, settings, start } = begin(call);
      const ordered = isOrdered(items);
      try {
        const { outcomes, rounds } = await bisectItems(items, handler, {
          run,
          settings,
          machine,
          ordered,
          concurrency: o.concurrency,
          stats,
        });
        return finish(outcomes, run, start, rounds);
      } finally {
        run.dispose();
      }
    },
    health: () => stats.snapshot(),
    close: () => leave?.(),
  };

  function observeLag(item: BatchItem<R>) {
    const at = source.timestampOf!(item.record);
    if (at !== undefined && Number.isFinite(at)) stats.lagMs = Math.max(0, clock.now() - at);
  }

  const leave: Disposer | undefined = o.registry?.register({
    name: o.name,
    kind: 'stream',
    health: () => stats.snapshot(),
    events: hub,
  });
  return processor;
}

/** A batch is ordered when its source puts records in groups (SQS: FIFO queues only). */
function isOrdered(items: readonly BatchItem<unknown>[]): boolean {
  return items.some((item) => item.group !== undefined);
}

function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
