/**
 * One batch's lifetime: its signal, its deadline and what is in hand. A batch stops
 * taking records when the deadline (minus `deadlineMarginMs`) comes or its signal aborts;
 * then the records in hand are aborted and reported failed at once, without waiting
 * for their handlers, so the batch answers while there is still time.
 */
import { type CancelTimer, type Clock, DeadlineExceededError } from '../core/internal.js';
import type { BatchItem } from './poison.js';

/** The third argument `instrument()` (selfheal/serverless) gives a handler: the parts read here. */
export interface InvocationLike {
  /** Aborts at the invocation's early deadline. */
  readonly signal?: AbortSignal;
  /** The early deadline, clock time; Infinity without a budget. */
  readonly deadline?: number;
  /** Marks work in flight, so a timeout diagnostic names it. */
  track?<T>(label: string, work: PromiseLike<T>): Promise<T>;
}

/** Per-batch options of {@link StreamProcessor.process}. */
export interface BatchCallOptions {
  /** Clock time by which the batch must have answered. @default none */
  deadline?: number;
  /** Aborting it stops the batch like a deadline does. @default none */
  signal?: AbortSignal;
  /** `instrument()`'s tools: its deadline, signal and `track()` are used. @default none */
  invocation?: InvocationLike;
}

/** Why a batch stopped early. */
export type StopReason = 'deadline' | 'aborted';

/** The state of one batch run. */
export class BatchRun<R> {
  /** Records whose handler is running. */
  readonly inHand = new Set<BatchItem<R>>();
  /** Aborts in-hand records when the batch stops; undefined when nothing can stop it. */
  readonly signal: AbortSignal | undefined;
  /** Called with the stop's error when the batch stops: each settles one record in hand at once. */
  readonly stoppers = new Set<(reason: Error) => void>();
  readonly track: InvocationLike['track'];
  stopped: { reason: StopReason; inHand: string[] } | undefined;
  readonly #controller: AbortController | undefined;
  readonly #clock: Clock;
  readonly #stopAt: number;
  readonly #startedAt: number;
  readonly #cleanup: Array<CancelTimer> = [];

  constructor(clock: Clock, marginMs: number, call: BatchCallOptions = {}) {
    this.#clock = clock;
    this.#startedAt = clock.now();
    const invocation = call.invocation;
    const deadline = Math.min(
      call.deadline ?? Number.POSITIVE_INFINITY,
      invocation?.deadline ?? Number.POSITIVE_INFINITY,
    );
    this.#stopAt = deadline - marginMs;
    this.track = typeof invocation?.track === 'function' ? invocation.track : undefined;
    const signals = [call.signal, invocation?.signal].filter((s) => s !== undefined);
    if (!Number.isFinite(this.#stopAt) && signals.length === 0) return;
    this.#controller = new AbortController();
    this.signal = this.#controller.signal;
    for (const s of signals) {
      if (s.aborted) this.stop('aborted');
      const onAbort = () => this.stop('aborted');
      s.addEventListener('abort', onAbort, { once: true });
      this.#cleanup.push(() => s.removeEventListener('abort', onAbort));
    }
    if (Number.isFinite(this.#stopAt))
      this.#cleanup.push(clock.setTimer(() => this.stop('deadline'), this.#stopAt - clock.now()));
  }

  /** False once the batch must take no more records (checks the deadline). */
  canTake(): boolean {
    if (this.stopped) return false;
    if (this.#stopAt !== Number.POSITIVE_INFINITY && this.#clock.now() >= this.#stopAt)
      this.stop('deadline');
    return this.stopped === undefined;
  }

  /** Stops taking records and aborts the ones in hand with an error that names them. */
  stop(reason: StopReason): void {
    if (this.stopped) return;
    const now = this.#clock.now();
    const inHand = [...this.inHand].map((item) => item.id);
    this.stopped = { reason, inHand };
    const named = inHand.length ? `record ${inHand.join(', ')} in hand` : 'no record in hand';
    const message = `Batch stopped at its ${reason === 'deadline' ? 'deadline' : 'signal'} with ${named}; records in hand and not started are reported for retry`;
    const error =
      reason === 'deadline'
        ? new DeadlineExceededError(this.#stopAt - this.#startedAt, now - this.#startedAt, {
            message,
          })
        : Object.assign(new Error(message), { name: 'AbortError' });
    this.#controller?.abort(error);
    for (const settle of [...this.stoppers]) settle(error);
  }

  /** Removes the timer and the listeners. */
  dispose(): void {
    for (const cancel of this.#cleanup.splice(0)) cancel();
  }
}
