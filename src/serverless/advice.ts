/**
 * "Consider another resource": durations of recent invocations are kept in a window;
 * when their p95 reaches a share of the time budget, the function lives too close to its
 * limit. A timed-out invocation counts as using its whole budget (the early deadline
 * stops the clock before the budget ends, so its duration would understate it). The
 * share of the duration the event loop was busy says which lever helps: CPU-bound work gets faster with
 * more memory on Lambda (CPU is allotted in proportion to memory); otherwise a longer
 * timeout, and at Lambda's limits (15 min, 10,240 MB) a longer-running compute type.
 * Advice repeats at most once per `every` invocations.
 */
import type { AdviceOptions } from './options.js';

/** Lambda's limits: the longest timeout and the most memory a function can have. */
export const LAMBDA_LIMITS = Object.freeze({ timeoutMs: 900_000, memoryMB: 10_240 });

/** The figures of one piece of advice. */
export interface AdviceFigures {
  p95Ms: number;
  budgetMs: number;
  share: number;
  threshold: number;
  samples: number;
  /** Median share of the duration the event loop was busy, when measured. */
  busyShare?: number;
}

/** One finished invocation, as the advisor sees it. */
export interface AdviceSample {
  durationMs: number;
  budgetMs: number | undefined;
  timedOut: boolean;
  /** Time the event loop was busy during the invocation, ms (undefined when not measured). */
  busyMs?: number;
}

/** Nearest-rank percentile of unsorted samples (`q` in (0, 1]). */
export function percentile(samples: readonly number[], q: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/** Tracks durations across invocations and says when to advise. */
export class Advisor {
  readonly #options: Required<AdviceOptions>;
  readonly #durations: number[] = [];
  // The same durations kept sorted (insert and remove by binary search), so the p95 of
  // every invocation is a lookup, not a sort.
  readonly #sorted: number[] = [];
  readonly #busyShares: number[] = [];
  #next = 0;
  #sinceAdvice = Number.POSITIVE_INFINITY;

  constructor(options: Required<AdviceOptions>) {
    this.#options = options;
  }

  /** p95 of the durations in the window (NaN when empty). */
  p95(): number {
    const sorted = this.#sorted;
    if (sorted.length === 0) return Number.NaN;
    return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(0.95 * sorted.length) - 1))]!;
  }

  /** Records one invocation; returns the figures when it is time to advise. */
  record(sample: AdviceSample): AdviceFigures | undefined {
    const { window, minSamples, threshold, every } = this.#options;
    const { budgetMs } = sample;
    const used =
      sample.timedOut && budgetMs !== undefined
        ? Math.max(sample.durationMs, budgetMs)
        : sample.durationMs;
    const busyShare =
      sample.busyMs === undefined || sample.durationMs <= 0
        ? Number.NaN
        : Math.min(1, sample.busyMs / sample.durationMs);
    const evicted = this.#durations[this.#next];
    if (evicted !== undefined) this.#sorted.splice(lowerBound(this.#sorted, evicted), 1);
    this.#sorted.splice(lowerBound(this.#sorted, used), 0, used);
    this.#durations[this.#next] = used;
    this.#busyShares[this.#next] = busyShare;
    this.#next = (this.#next + 1) % window;
    this.#sinceAdvice++;
    if (budgetMs === undefined || this.#durations.length < minSamples || this.#sinceAdvice < every)
      return undefined;
    const p95Ms = this.p95();
    const share = p95Ms / budgetMs;
    if (share < threshold) return undefined;
    this.#sinceAdvice = 0;
    const measured = this.#busyShares.filter((s) => !Number.isNaN(s));
    return {
      p95Ms,
      budgetMs,
      share: Math.round(share * 1000) / 1000,
      threshold,
      samples: this.#durations.length,
      ...(measured.length > 0 && {
        busyShare: Math.round(percentile(measured, 0.5) * 100) / 100,
      }),
    };
  }
}

// The first index whose value is not below `value`.
function lowerBound(sorted: readonly number[], value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
