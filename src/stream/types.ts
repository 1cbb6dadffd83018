/**
 * The shapes selfheal/stream works with: what a record handler receives, what it
 * decides for each record, and what a batch returns. Source-specific shapes (SQS,
 * Kinesis, DynamoDB Streams, Redis Streams) live with their adapters.
 */
import type { SerializedError } from '../telemetry/internal.js';

/** What a record handler receives besides the record. */
export interface RecordContext {
  /** The record's id (SQS messageId, Kinesis/DynamoDB sequence number, stream entry id, …). */
  readonly id: string;
  /**
   * This delivery's number as far as it is known before the handler runs: the source's own
   * count where it has one (SQS `ApproximateReceiveCount`, Redis delivery count), else
   * 1 + the failures this process has seen.
   */
  readonly attempt: number;
  /** Aborts at the deadline, on the caller's signal, or at `recordTimeoutMs`. */
  readonly signal: AbortSignal;
  /** The shard or message group of an ordered source. */
  readonly group?: string;
}

/** Handles one record; a throw or a rejection marks it failed. */
export type RecordHandler<R> = (record: R, context: RecordContext) => unknown;

/** Handles a whole batch at once (for {@link bisectBatch}): all of it succeeds or it fails. */
export type WholeBatchHandler<R> = (
  records: readonly R[],
  context: { readonly signal: AbortSignal; readonly round: number },
) => unknown;

/** How one record ended. */
export type RecordStatus =
  /** The handler succeeded. */
  | 'processed'
  /** It failed below `maxAttempts` (or its dead letter could not be written): reported for retry. */
  | 'failed'
  /** It reached `maxAttempts` and went to the dead-letter sink: reported as done. */
  | 'dead-lettered'
  /** It reached `maxAttempts` with `onPoison: 'skip'`: dropped, reported as done. */
  | 'skipped'
  /** Never started (ordered stop, deadline, abort): reported for retry. */
  | 'unprocessed';

/** One record's outcome. */
export interface RecordOutcome<R> {
  readonly record: R;
  readonly id: string;
  readonly status: RecordStatus;
  /** Attempts counted for it so far (0 when it was not started). */
  readonly attempts: number;
  readonly group?: string;
  /** Why it failed (the handler's error, or the sink's for a failed dead letter). */
  readonly error?: unknown;
}

/** What a batch returns. */
export interface BatchResult<R> {
  /** Ids to report for retry, in input order: `failed` and `unprocessed` records. */
  readonly failures: string[];
  /** Every record's outcome, in input order. */
  readonly outcomes: RecordOutcome<R>[];
  readonly counts: Record<RecordStatus, number>;
  /** Set when the batch stopped at its deadline or signal: the records in hand and how many were never started. */
  readonly stopped?: { reason: 'deadline' | 'aborted'; inHand: string[]; untouched: number };
  /** Rounds of whole-batch calls ({@link bisectBatch} only). */
  readonly rounds?: number;
}

/** One failure of a record, as kept in its history. */
export interface FailedAttempt {
  attempt: number;
  /** Clock time of the failure. */
  at: number;
  /** `name: message` of the error, redacted. */
  error: string;
}

/** A record's attempts: the count (fleet-wide when the store is shared) and the failures this process saw. */
export interface AttemptHistory {
  attempts: number;
  /** Where the count came from. */
  countedBy: 'store' | 'source';
  /** The failures seen by this process, oldest first (at most the last 10). */
  failures: FailedAttempt[];
}

/** What a dead-letter sink receives. */
export interface DeadLetter<R> {
  id: string;
  /** The record itself, as received (not redacted: a dead letter must be replayable). */
  record: R;
  /** The last error, serialised and redacted. */
  error: SerializedError;
  attempts: number;
  history: AttemptHistory;
  /** The source (`sqs`, `kinesis`, `dynamodb`, `redis-stream`, `records`). */
  source: string;
  /** The shard or message group, for ordered sources. */
  group?: string;
  /** The processor's name. */
  processor: string;
  /** Clock time it was dead-lettered. */
  at: number;
}

/** Receives poison records. It must resolve only once the letter is stored; a rejection keeps the record for retry. */
export type DeadLetterSink<R = unknown> = (letter: DeadLetter<R>) => Promise<void> | void;
