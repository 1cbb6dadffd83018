/**
 * The events of a stream processor, one per transition of a record's state machine plus
 * batch- and broker-level ones. Every event carries `processor` (its name); `error`
 * fields hold the original error (sinks redact when they write).
 */
import type { Clock, EventHub, SelfhealEvent } from '../core/internal.js';

/** Events of {@link streamProcessor} and {@link consumeStream}, by `type`. */
export interface StreamEventMap {
  /** The handler succeeded on a record. */
  'record-processed': { processor: string; id: string; attempt: number; durationMs: number };
  /** A record failed below `maxAttempts`: it is reported for retry. */
  'record-failed': {
    processor: string;
    id: string;
    attempt: number;
    maxAttempts: number;
    error: unknown;
    group?: string;
  };
  /** A poison record went to the dead-letter sink; the shard moves on. */
  'record-dead-lettered': { processor: string; id: string; attempts: number; error: unknown };
  /** A poison record was dropped (`onPoison: 'skip'`). */
  'record-skipped': { processor: string; id: string; attempts: number; error: unknown };
  /** The dead-letter sink failed: the record is reported failed, never dropped. */
  'dead-letter-failed': {
    processor: string;
    id: string;
    attempts: number;
    /** The sink's error. */
    error: unknown;
    /** The record's own last error. */
    recordError: unknown;
  };
  /** An ordered group stopped at a failed record; the rest of it is reported for retry. */
  'group-stopped': { processor: string; group: string; id: string; unprocessed: number };
  /** The batch stopped taking records at its deadline or signal. */
  'batch-stopped': {
    processor: string;
    reason: 'deadline' | 'aborted';
    /** Records being handled when it stopped (reported for retry). */
    inHand: string[];
    /** Records never started (reported for retry). */
    untouched: number;
  };
  /** A batch finished. */
  batch: {
    processor: string;
    size: number;
    processed: number;
    failed: number;
    deadLettered: number;
    skipped: number;
    unprocessed: number;
    durationMs: number;
  };
  /** The consumer took over entries idle longer than `claimIdleMs` (and dropped deleted ones). */
  claimed: { processor: string; count: number; deleted: number };
  /** A Redis call failed; the consumer retries it after `retryInMs`. */
  'redis-error': { processor: string; operation: string; error: unknown; retryInMs: number };
  /** Redis answers again after `downMs`. */
  'redis-recovered': { processor: string; downMs: number };
}

/** Any stream event. */
export type StreamEvent = SelfhealEvent<StreamEventMap>;

/** Emits a stream event with its common fields; builds nothing when nobody listens. */
export type StreamEmit = <K extends keyof StreamEventMap & string>(
  type: K,
  payload: Omit<StreamEventMap[K], 'processor'>,
) => void;

/** The one way stream events are made: `{ type, source: 'stream', at, processor, …payload }`. */
export function streamEmitter(
  hub: EventHub<StreamEventMap>,
  name: string,
  clock: Clock,
): StreamEmit {
  return (type, payload) => {
    if (!hub.listening) return;
    hub.emit({ type, source: 'stream', at: clock.now(), processor: name, ...payload } as never);
  };
}
