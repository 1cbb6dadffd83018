/**
 * The poison-record state machine, one verdict per handled record:
 *   success                         → processed
 *   failure, attempts < maxAttempts → failed (reported for retry), `record-failed`
 *   failure, attempts ≥ maxAttempts → poison:
 *       'skip'        → skipped (reported done), `record-skipped`
 *       'dead-letter' → the sink stores it → dead-lettered (reported done)
 *                       the sink fails     → failed (reported for retry): never lost silently
 * A record whose source says it came back more than `maxAttempts` times is poison before
 * it runs (the consumers before crashed on it).
 */
import { serializeError } from '../telemetry/internal.js';
import type { AttemptStore } from './attempt-store.js';
import { DeadLetterError, DeliveryLimitError } from './errors.js';
import type { StreamEmit } from './events.js';
import type { StreamStats } from './health.js';
import type { ResolvedOptions } from './options.js';
import type { AttemptHistory, DeadLetter, RecordOutcome } from './types.js';

/** A record of a batch, with what is known about it before it runs. */
export interface BatchItem<R> {
  readonly record: R;
  readonly id: string;
  readonly index: number;
  readonly group: string | undefined;
  /** This delivery's number according to the source, when it counts deliveries. */
  readonly sourceCount: number | undefined;
}

/** The verdicts of one processor: shared by its batches. */
export class PoisonMachine<R> {
  readonly #o: ResolvedOptions<R>;
  readonly #attempts: AttemptStore;
  readonly #emit: StreamEmit;
  readonly #stats: StreamStats;
  readonly #source: string;

  constructor(
    o: ResolvedOptions<R>,
    attempts: AttemptStore,
    emit: StreamEmit,
    stats: StreamStats,
    source: string,
  ) {
    this.#o = o;
    this.#attempts = attempts;
    this.#emit = emit;
    this.#stats = stats;
    this.#source = source;
  }

  /** The attempt number a handler is told before it runs. */
  attemptOf(item: BatchItem<R>): number {
    return item.sourceCount ?? this.#attempts.seen(item.id) + 1;
  }

  /** Poison before running: the source counted more deliveries than `maxAttempts`. */
  overDelivered(item: BatchItem<R>): boolean {
    return item.sourceCount !== undefined && item.sourceCount > this.#o.maxAttempts;
  }

  /** A success; a value unless a count must be cleared from the store (a retried record). */
  processed(
    item: BatchItem<R>,
    attempt: number,
    durationMs: number,
  ): RecordOutcome<R> | Promise<RecordOutcome<R>> {
    this.#stats.processed++;
    this.#emit('record-processed', { id: item.id, attempt, durationMs });
    const done = outcome(item, 'processed', attempt);
    if (attempt === 1) return done;
    return this.#attempts.clear(item.id).then(() => done);
  }

  async failed(item: BatchItem<R>, error: unknown): Promise<RecordOutcome<R>> {
    const history = await this.#attempts.fail(item.id, error, item.sourceCount);
    const { maxAttempts, isPoison } = this.#o;
    if (history.attempts < maxAttempts && !isPoison?.(error, item.record)) {
      this.#stats.retried++;
      this.#emit('record-failed', {
        id: item.id,
        attempt: history.attempts,
        maxAttempts,
        error,
        ...(item.group !== undefined && { group: item.group }),
      });
      return outcome(item, 'failed', history.attempts, error);
    }
    return this.#poison(item, error, history);
  }

  /** A record past its delivery limit: poison without running it. */
  async unsettled(item: BatchItem<R>): Promise<RecordOutcome<R>> {
    const deliveries = item.sourceCount!;
    const error = new DeliveryLimitError(item.id, deliveries, this.#o.maxAttempts);
    return this.#poison(item, error, this.#attempts.history(item.id, deliveries));
  }

  async #poison(
    item: BatchItem<R>,
    error: unknown,
    history: AttemptHistory,
  ): Promise<RecordOutcome<R>> {
    const { attempts } = history;
    if (this.#o.onPoison === 'skip') {
      this.#stats.skipped++;
      this.#emit('record-skipped', { id: item.id, attempts, error });
      await this.#attempts.clear(item.id);
      return outcome(item, 'skipped', attempts, error);
    }
    try {
      await this.#o.deadLetter!(this.letter(item, error, history));
    } catch (sinkError) {
      this.#stats.deadLetterFailures++;
      this.#stats.retried++;
      this.#emit('dead-letter-failed', {
        id: item.id,
        attempts,
        error: sinkError,
        recordError: error,
      });
      return outcome(item, 'failed', attempts, new DeadLetterError(item.id, sinkError, error));
    }
    this.#stats.deadLettered++;
    this.#emit('record-dead-lettered', { id: item.id, attempts, error });
    await this.#attempts.clear(item.id);
    return outcome(item, 'dead-lettered', attempts, error);
  }

  /** The dead letter of `item`: the error serialised and redacted. */
  letter(item: BatchItem<R>, error: unknown, history: AttemptHistory): DeadLetter<R> {
    const letter: DeadLetter<R> = {
      id: item.id,
      record: item.record,
      error: this.#o.redactor.redact(serializeError(error)) as DeadLetter<R>['error'],
      attempts: history.attempts,
      history,
      source: this.#source,
      processor: this.#o.name,
      at: this.#o.clock.now(),
    };
    if (item.group !== undefined) letter.group = item.group;
    return letter;
  }
}

function outcome<R>(
  item: BatchItem<R>,
  status: RecordOutcome<R>['status'],
  attempts: number,
  error?: unknown,
): RecordOutcome<R> {
  const o: { -readonly [K in keyof RecordOutcome<R>]: RecordOutcome<R>[K] } = {
    record: item.record,
    id: item.id,
    status,
    attempts,
  };
  if (item.group !== undefined) o.group = item.group;
  if (error !== undefined) o.error = error;
  return o;
}

/** The outcome of a record that never started. */
export function unprocessed<R>(item: BatchItem<R>): RecordOutcome<R> {
  return outcome(item, 'unprocessed', 0);
}
