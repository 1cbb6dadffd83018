/**
 * A bulkhead: at most `maxConcurrent` executions at once, up to `queueLimit` more
 * waiting in FIFO order; beyond that, {@link BulkheadRejectedError}. A queued call
 * whose signal aborts leaves the queue.
 */
import { BulkheadRejectedError } from './errors.js';
import {
  BasePolicy,
  contextOf,
  type ExecuteOptions,
  invoke,
  type Operation,
  type PolicyOptions,
} from './policy.js';
import { abortReason, NEVER_ABORTED } from './signal.js';
import { numberOption, objectOption, optionalNumber } from './validate.js';

export interface BulkheadOptions extends PolicyOptions {
  /** Executions allowed at once. */
  maxConcurrent: number;
  /** Executions allowed to wait for a slot. @default 0 */
  queueLimit?: number;
}

/** A concurrency-limiting policy. */
export class BulkheadPolicy extends BasePolicy {
  readonly kind = 'bulkhead';
  readonly maxConcurrent: number;
  readonly queueLimit: number;
  #active = 0;
  readonly #queue: Array<() => void> = [];

  constructor(options: BulkheadOptions) {
    super(options);
    this.maxConcurrent = numberOption('maxConcurrent', options.maxConcurrent, {
      min: 1,
      integer: true,
    });
    this.queueLimit = optionalNumber('queueLimit', options.queueLimit, 0, {
      min: 0,
      integer: true,
      allowInfinity: true,
    });
  }

  /** Executions running now. */
  get active(): number {
    return this.#active;
  }

  /** Executions waiting for a slot. */
  get queueLength(): number {
    return this.#queue.length;
  }

  async execute<T>(fn: Operation<T>, options?: ExecuteOptions): Promise<T> {
    const ctx = contextOf(options);
    if (this.#active >= this.maxConcurrent) await this.#wait(ctx.signal);
    else this.#active++;
    try {
      return await invoke(fn, ctx);
    } finally {
      const next = this.#queue.shift();
      if (next) next();
      else this.#active--;
    }
  }

  /** Waits in the queue; the slot is handed over directly, so `active` never drops in between. */
  #wait(signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.reject(abortReason(signal));
    if (this.#queue.length >= this.queueLimit) {
      const error = new BulkheadRejectedError(this.maxConcurrent, this.queueLimit);
      this.emit('rejected', { reason: 'bulkhead-full', error });
      return Promise.reject(error);
    }
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        const index = this.#queue.indexOf(grant);
        if (index >= 0) this.#queue.splice(index, 1);
        reject(abortReason(signal));
      };
      const grant = () => {
        if (signal !== NEVER_ABORTED) signal.removeEventListener('abort', onAbort);
        resolve();
      };
      if (signal !== NEVER_ABORTED) signal.addEventListener('abort', onAbort, { once: true });
      this.#queue.push(grant);
    });
  }
}

/** Creates a {@link BulkheadPolicy}. */
export function bulkhead(options: BulkheadOptions): BulkheadPolicy {
  return new BulkheadPolicy(
    objectOption<BulkheadOptions>('bulkhead', options) ?? ({} as BulkheadOptions),
  );
}
