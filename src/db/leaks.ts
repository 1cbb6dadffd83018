/**
 * Leak detection: a checkout held longer than `thresholdMs` is reported once, with the
 * stack of the code that took it. The stack is captured only when detection is on
 * (it costs a few microseconds per checkout); with it off, nothing is allocated.
 */
import type { CancelTimer, Clock } from '../core/internal.js';

/** Where a checkout was taken: captured at the call into the guard, before any await. */
export function acquirerStack(): string {
  const stack = new Error('checkout').stack ?? '';
  // Drop the "Error: checkout" line and the guard's own frames: the caller's code is what matters.
  return stack
    .split('\n')
    .slice(1)
    .filter((line) => !/[\\/]db[\\/](pool-guard|guard-pool|leaks)\.[jt]s/.test(line))
    .join('\n');
}

export class LeakWatch {
  #suspected = 0;

  constructor(
    readonly thresholdMs: number,
    readonly clock: Clock,
    readonly report: (heldMs: number, stack: string) => void,
  ) {}

  /** Checkouts reported as leaks so far. */
  get suspected(): number {
    return this.#suspected;
  }

  get enabled(): boolean {
    return this.thresholdMs > 0;
  }

  /** Starts watching a checkout; call the returned function when it is released. */
  watch(stack: string | undefined): CancelTimer | undefined {
    if (!this.enabled || stack === undefined) return undefined;
    const start = this.clock.now();
    return this.clock.setTimer(() => {
      this.#suspected++;
      this.report(this.clock.now() - start, stack);
    }, this.thresholdMs);
  }
}
