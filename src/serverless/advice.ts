/**
 * "Consider another resource": durations of recent invocations are kept in a window;
 * when their p95 reaches a share of the time budget, the function is living too close
 * to its limit and a longer-running compute type (a container task such as AWS Fargate,
 * or a longer timeout) is the remedy. Advice repeats at most once per `every` invocations.
 */
import type { AdviceOptions } from './options.js';

/** The figures of one piece of advice. */
export interface AdviceFigures {
  p95Ms: number;
  budgetMs: number;
  share: number;
  threshold: number;
  samples: number;
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
  record(durationMs: number, budgetMs: number | undefined): AdviceFigures | undefined {
    const { window, minSamples, threshold, every } = this.#options;
    if (this.#durations.length < window) this.#durations.push(durationMs);
    else this.#durations[this.#next] = durationMs;
    this.#next = (this.#next + 1) % window;
    this.#sinceAdvice++;
    if (budgetMs === undefined || this.#durations.length < minSamples || this.#sinceAdvice < every)
      return undefined;
    const p95Ms = percentile(this.#durations, 0.95);
    const share = p95Ms / budgetMs;
    if (share < threshold) return undefined;
    this.#sinceAdvice = 0;
    return {
      p95Ms,
      budgetMs,
      share: Math.round(share * 1000) / 1000,
      threshold,
      samples: this.#durations.length,
    };
  }
}
