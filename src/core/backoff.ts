/**
 * Backoff strategies: pure functions from the attempt (and the previous delay) to the
 * next delay, after the AWS study "Exponential Backoff And Jitter". The random source
 * is passed in, so they are deterministic under test.
 */
import type { RandomSource } from './clock.js';
import { enumOption, numberOption, optionalNumber } from './validate.js';

/** What a strategy gets to compute a delay. */
export interface BackoffInput {
  /** The retry number: 1 before the first retry. */
  retry: number;
  /** The delay it returned last time (0 before the first retry). */
  previousMs: number;
  random: RandomSource;
}

/** A backoff strategy: the delay before the next retry, ms. */
export interface Backoff {
  readonly kind: string;
  /** Upper bound of any delay it returns. */
  readonly maxMs: number;
  delay(input: BackoffInput): number;
}

export type Jitter = 'full' | 'equal' | 'decorrelated' | 'none';

export interface ExponentialOptions {
  /** Delay scale: the first retry's ceiling. @default 100 */
  baseMs?: number;
  /** Cap on every delay. @default 30000 */
  maxMs?: number;
  /** Jitter formula. @default 'full' */
  jitter?: Jitter;
}

/**
 * Exponential backoff, `ceiling = min(maxMs, baseMs · 2^(retry−1))`:
 * - `none`: ceiling
 * - `full`: random in [0, ceiling)
 * - `equal`: ceiling/2 + random in [0, ceiling/2)
 * - `decorrelated`: min(maxMs, random in [baseMs, 3 · previous)), previous starting at baseMs
 */
export function exponential(options: ExponentialOptions = {}): Backoff {
  const baseMs = optionalNumber('backoff.baseMs', options.baseMs, 100, { min: 0 });
  const maxMs = optionalNumber('backoff.maxMs', options.maxMs, 30_000, { min: 0 });
  if (maxMs < baseMs)
    throw new RangeError(
      `Expected \`backoff.maxMs\` (${maxMs}) to be ≥ \`backoff.baseMs\` (${baseMs})`,
    );
  const jitter = enumOption<Jitter>(
    'backoff.jitter',
    options.jitter,
    ['full', 'equal', 'decorrelated', 'none'],
    'full',
  );
  const ceiling = (retry: number) => Math.min(maxMs, baseMs * 2 ** Math.min(retry - 1, 1023));
  const formulas: Record<Jitter, (input: BackoffInput) => number> = {
    none: ({ retry }) => ceiling(retry),
    full: ({ retry, random }) => random() * ceiling(retry),
    equal: ({ retry, random }) => {
      const c = ceiling(retry);
      return c / 2 + (random() * c) / 2;
    },
    decorrelated: ({ previousMs, random }) => {
      const previous = Math.max(baseMs, previousMs);
      return Math.min(maxMs, baseMs + random() * (previous * 3 - baseMs));
    },
  };
  return Object.freeze({ kind: `exponential-${jitter}`, maxMs, delay: formulas[jitter] });
}

/** The same delay before every retry. */
export function constant(ms: number): Backoff {
  const delayMs = numberOption('backoff', ms, { min: 0 });
  return Object.freeze({ kind: 'constant', maxMs: delayMs, delay: () => delayMs });
}
