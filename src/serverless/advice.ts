/**
 * "Consider another resource": durations of recent invocations are kept in a window;
 * when their p95 reaches a share of the time budget, the function lives too close to its
 * limit. A timed-out invocation counts as using its whole budget (the early deadline
 * stops the clock before the budget ends, so its duration would understate it). The
 * share of CPU time in wall time says which lever helps: CPU-bound work gets faster with
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
  /** Median CPU time / wall time of the window, when CPU time was measured. */
  cpuShare?: number;
}

/** One finished invocation, as the advisor sees it. */
export interface AdviceSample {
  durationMs: number;
  budgetMs: number | undefined;
  timedOut: boolean;
  /** CPU time used during the invocation, ms (undefined when not measured). */
  cpuMs?: number;
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
  readonly #cpuShares: number[] = [];
  #next = 0;
  #sinceAdvice = Number.POSITIVE_INFINITY;

  constructor(options: Required<AdviceOptions>) {
    this.#options = options;
  }

  /** p95 of the durations in the window (NaN when empty). */
  p95(): number {
    return percentile(this.#durations, 0.95);
  }

  /** Records one invocation; returns the figures when it is time to advise. */
  record(sample: AdviceSample): AdviceFigures | undefined {
    const { window, minSamples, threshold, every } = this.#options;
    const { budgetMs } = sample;
    const used =
      sample.timedOut && budgetMs !== undefined
        ? Math.max(sample.durationMs, budgetMs)
        : sample.durationMs;
    const cpuShare =
      sample.cpuMs === undefined || sample.durationMs <= 0
        ? Number.NaN
        : Math.min(1, sample.cpuMs / sample.durationMs);
    this.#durations[this.#next] = used;
    this.#cpuShares[this.#next] = cpuShare;
    this.#next = (this.#next + 1) % window;
    this.#sinceAdvice++;
    if (budgetMs === undefined || this.#durations.length < minSamples || this.#sinceAdvice < every)
      return undefined;
    const p95Ms = percentile(this.#durations, 0.95);
    const share = p95Ms / budgetMs;
    if (share < threshold) return undefined;
    this.#sinceAdvice = 0;
    const measured = this.#cpuShares.filter((s) => !Number.isNaN(s));
    return {
      p95Ms,
      budgetMs,
      share: Math.round(share * 1000) / 1000,
      threshold,
      samples: this.#durations.length,
      ...(measured.length > 0 && {
        cpuShare: Math.round(percentile(measured, 0.5) * 100) / 100,
      }),
    };
  }
}
