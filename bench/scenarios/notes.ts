/**
 * Why selfheal loses where it does: the mechanism behind each kind of loss, written
 * from the runs (see docs/benchmarks.md). Keyed by `scenario.figure`, then by figure.
 */
import type { Loss } from './goals.js';

const BY_SCENARIO: Record<string, string> = {};

const BY_FIGURE: Record<string, string> = {
  p50Ms:
    'latency of successes only: a client that fails fast keeps only the calls that got through at once, ' +
    'while selfheal makes some calls wait (token bucket, backoff, half-open probe) and turns them into slow successes',
  p99Ms:
    'latency of successes only: calls that selfheal held back (throttle wait, backoff, breaker wait) and then ' +
    'completed count here; a peer that failed them instead has no such tail',
};

export function reasonFor(loss: Loss): string {
  return (
    BY_SCENARIO[`${loss.scenario}.${loss.figure}`] ??
    BY_FIGURE[loss.figure] ??
    'see docs/benchmarks.md'
  );
}
