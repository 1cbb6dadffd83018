/**
 * `timeout(ms)` bounds one attempt; `deadline(ms)` bounds the whole operation, retries
 * and waits included. Both abort the signal the operation receives and reject at once
 * with {@link TimeoutError} / {@link DeadlineExceededError}, even if the operation
 * ignores its signal (its late result is dropped, its late rejection swallowed).
 */
import { DeadlineExceededError, TimeoutError } from './errors.js';
import {
  BasePolicy,
  contextOf,
  type ExecuteOptions,
  invoke,
  type Operation,
  type PolicyOptions,
} from './policy.js';
import { linkSignal } from './signal.js';
import { numberOption } from './validate.js';

type Scope = 'attempt' | 'deadline';

/** A timeout (per attempt) or deadline (whole operation) policy. */
export class TimeoutPolicy extends BasePolicy {
  readonly kind: 'timeout' | 'deadline';
  readonly ms: number;
  readonly #scope: Scope;

  constructor(ms: number, scope: Scope, options?: PolicyOptions) {
    super(options);
    this.#scope = scope;
    this.kind = scope === 'attempt' ? 'timeout' : 'deadline';
    this.ms = numberOption(this.kind, ms, { min: 0, exclusiveMin: true, allowInfinity: true });
  }

  execute<T>(fn: Operation<T>, options?: ExecuteOptions): Promise<T> {
    const outer = contextOf(options);
    const start = this.clock.now();
    const scopedDeadline = start + this.ms;
    const deadline =
      this.#scope === 'deadline'
        ? Math.min(scopedDeadline, outer.deadline ?? Number.POSITIVE_INFINITY)
        : outer.deadline;
    const link = linkSignal(outer.signal);
    const ctx = { signal: link.signal, attempt: outer.attempt, deadline };
    return new Promise<T>((resolve, reject) => {
      const cancel = this.clock.setTimer(() => {
        const error =
          this.#scope === 'attempt'
            ? new TimeoutError(this.ms)
            : new DeadlineExceededError(this.ms, this.clock.now() - start);
        this.emit('timeout', { scope: this.#scope, timeoutMs: this.ms });
        link.abort(error);
        link.dispose();
        reject(error);
      }, this.ms);
      invoke(fn, ctx).then(
        (value) => {
          cancel();
          link.dispose();
          resolve(value);
        },
        (error: unknown) => {
          cancel();
          link.dispose();
          reject(error);
        },
      );
    });
  }
}

/** Bounds each attempt to `ms`: the attempt's signal aborts and it fails with TimeoutError. */
export function timeout(ms: number, options?: PolicyOptions): TimeoutPolicy {
  return new TimeoutPolicy(ms, 'attempt', options);
}

/**
 * Bounds the whole operation to `ms`: fails with DeadlineExceededError. Inner policies
 * see the deadline: retry will not sleep past it.
 */
export function deadline(ms: number, options?: PolicyOptions): TimeoutPolicy {
  return new TimeoutPolicy(ms, 'deadline', options);
}
