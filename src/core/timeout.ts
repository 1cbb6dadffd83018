/**
 * `timeout(ms)` bounds one attempt; `deadline(ms)` bounds the whole operation, retries
 * and waits included. Both abort the signal the operation receives and reject at once
 * with {@link TimeoutError} / {@link DeadlineExceededError}, even if the operation
 * ignores its signal (its late result is dropped, its late rejection swallowed).
 */

import type { CancelTimer } from './clock.js';
import { DeadlineExceededError, TimeoutError } from './errors.js';
import {
  type AttemptContext,
  BasePolicy,
  type ExecuteOptions,
  invoke,
  type Operation,
  type PolicyOptions,
} from './policy.js';
import { NEVER_ABORTED } from './signal.js';
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
    const parent = options?.signal ?? NEVER_ABORTED;
    const start = this.clock.now();
    const outer = options?.deadline;
    const deadline =
      this.#scope === 'deadline'
        ? Math.min(start + this.ms, outer ?? Number.POSITIVE_INFINITY)
        : outer;
    const run = new TimedRun(parent);
    const ctx: AttemptContext = { signal: run.signal, attempt: options?.attempt ?? 1, deadline };
    return new Promise<T>((resolve, reject) => {
      run.cancel = this.clock.setTimer(() => {
        const error =
          this.#scope === 'attempt'
            ? new TimeoutError(this.ms)
            : new DeadlineExceededError(this.ms, this.clock.now() - start);
        this.emit('timeout', { scope: this.#scope, timeoutMs: this.ms });
        run.expire(error);
        reject(error);
      }, this.ms);
      invoke(fn, ctx).then(
        (value) => {
          run.end();
          resolve(value);
        },
        (error: unknown) => {
          run.end();
          reject(error);
        },
      );
    });
  }
}

/**
 * One execution's child signal, its link to the caller's signal and its timer, undone
 * together. The link is the object itself (`handleEvent`), so it costs no closure, and
 * none at all when the caller passed no signal.
 */
class TimedRun {
  readonly #controller = new AbortController();
  readonly #parent: AbortSignal | undefined;
  cancel: CancelTimer | undefined;

  constructor(parent: AbortSignal) {
    if (parent === NEVER_ABORTED) return;
    if (parent.aborted) {
      this.#controller.abort(parent.reason);
      return;
    }
    this.#parent = parent;
    parent.addEventListener('abort', this, { once: true });
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** The caller's signal aborted: its reason goes down unchanged. */
  handleEvent(): void {
    this.#controller.abort(this.#parent?.reason);
  }

  /** The timer fired: abort the child with `error` and drop the link. */
  expire(error: Error): void {
    this.#controller.abort(error);
    this.#unlink();
  }

  /** The operation settled: stop the timer and drop the link. */
  end(): void {
    this.cancel?.();
    this.#unlink();
  }

  #unlink(): void {
    this.#parent?.removeEventListener('abort', this);
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
