/**
 * The counts behind `health()`: one object per processor or consumer, written only by it.
 */

/** A processor's health, as JSON. */
export interface StreamHealth {
  name: string;
  /** Records the handler succeeded on. */
  processed: number;
  /** Failures reported for retry (below `maxAttempts`, or a dead letter that could not be written). */
  retried: number;
  deadLettered: number;
  skipped: number;
  /** Dead letters the sink refused (those records were reported for retry). */
  deadLetterFailures: number;
  /** Records never started (ordered stop, deadline), reported for retry. */
  unprocessed: number;
  /** Records being handled now. */
  inFlight: number;
  /** Age of the last record of the last batch when the batch began, ms (as Kinesis' IteratorAge); null before any or without timestamps. */
  lagMs: number | null;
  batches: number;
}

/** Mutable counts; {@link StreamStats.snapshot} gives the JSON. */
export class StreamStats {
  processed = 0;
  retried = 0;
  deadLettered = 0;
  skipped = 0;
  deadLetterFailures = 0;
  unprocessed = 0;
  inFlight = 0;
  lagMs: number | null = null;
  batches = 0;
  readonly #name: string;

  constructor(name: string) {
    this.#name = name;
  }

  snapshot(): StreamHealth {
    return {
      name: this.#name,
      processed: this.processed,
      retried: this.retried,
      deadLettered: this.deadLettered,
      skipped: this.skipped,
      deadLetterFailures: this.deadLetterFailures,
      unprocessed: this.unprocessed,
      inFlight: this.inFlight,
      lagMs: this.lagMs,
      batches: this.batches,
    };
  }
}
