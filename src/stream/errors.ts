/**
 * The errors selfheal/stream raises itself. The handler's own errors pass through
 * unchanged (they are the `cause` of these, or carried as they are).
 */
import { SelfhealError } from '../core/internal.js';

/**
 * A record came back more often than `maxAttempts` without a verdict: the process that
 * handled it before crashed or was killed. It is treated as poison without running it again.
 */
export class DeliveryLimitError extends SelfhealError {
  override name = 'DeliveryLimitError';
  readonly id: string;
  readonly deliveries: number;
  readonly maxAttempts: number;
  constructor(id: string, deliveries: number, maxAttempts: number) {
    super(
      `Record ${id} was delivered ${deliveries} times (maxAttempts ${maxAttempts}) without settling: a previous consumer crashed or timed out on it`,
    );
    this.id = id;
    this.deliveries = deliveries;
    this.maxAttempts = maxAttempts;
  }
}

/** One record's handler ran longer than `recordTimeoutMs`. */
export class RecordTimeoutError extends SelfhealError {
  override name = 'RecordTimeoutError';
  readonly id: string;
  readonly timeoutMs: number;
  constructor(id: string, timeoutMs: number) {
    super(`Record ${id} timed out after ${timeoutMs} ms (recordTimeoutMs)`);
    this.id = id;
    this.timeoutMs = timeoutMs;
  }
}

/** The dead-letter sink rejected a poison record: it stays failed, to come back. */
export class DeadLetterError extends SelfhealError {
  override name = 'DeadLetterError';
  readonly id: string;
  /** The record's own last error. */
  readonly recordError: unknown;
  constructor(id: string, sinkError: unknown, recordError: unknown) {
    super(`Dead letter for record ${id} could not be written; the record is kept for retry`, {
      cause: sinkError,
    });
    this.id = id;
    this.recordError = recordError;
  }
}
