/**
 * What a batch answers: the ids to report for retry, every record's outcome, the counts,
 * why it stopped early; and the `batch` / `batch-stopped` events that say the same.
 */
import type { BatchRun } from './batch-run.js';
import type { StreamEmit } from './events.js';
import type { StreamStats } from './health.js';
import type { BatchResult, RecordOutcome, RecordStatus } from './types.js';

/** Sums up a finished batch; counts it in `stats`. */
export function batchResult<R>(b: {
  outcomes: RecordOutcome<R>[];
  run: BatchRun<R>;
  stats: StreamStats;
  emit: StreamEmit;
  durationMs: number;
  rounds: number | undefined;
}): BatchResult<R> {
  const { outcomes, run, stats, emit } = b;
  const counts: Record<RecordStatus, number> = {
    processed: 0,
    failed: 0,
    'dead-lettered': 0,
    skipped: 0,
    unprocessed: 0,
  };
  const failures: string[] = [];
  for (const outcome of outcomes) {
    counts[outcome.status]++;
    if (outcome.status === 'failed' || outcome.status === 'unprocessed') failures.push(outcome.id);
  }
  stats.batches++;
  stats.unprocessed += counts.unprocessed;
  const result: { -readonly [K in keyof BatchResult<R>]: BatchResult<R>[K] } = {
    failures,
    outcomes,
    counts,
  };
  if (b.rounds !== undefined) result.rounds = b.rounds;
  if (run.stopped) {
    result.stopped = { ...run.stopped, untouched: counts.unprocessed };
    emit('batch-stopped', result.stopped);
  }
  emit('batch', {
    size: outcomes.length,
    processed: counts.processed,
    failed: counts.failed,
    deadLettered: counts['dead-lettered'],
    skipped: counts.skipped,
    unprocessed: counts.unprocessed,
    durationMs: b.durationMs,
  });
  return result;
}
