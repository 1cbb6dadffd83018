/**
 * One invocation of an instrumented handler, start to end: its budget and early
 * deadline, its facts, the tools handed to the handler, the race between the handler
 * and the deadline, and the records its end produces. One object owns the
 * invocation's state; the shape turns the outcome into what the platform expects.
 * This runs on every call, so what a handler may not use (the AbortController, the
 * bound logger) is made when it is first asked for.
 */
import { DeadlineExceededError } from '../core/internal.js';
import type { Logger } from '../telemetry/internal.js';
import { InvocationCollector, type InvocationScope } from './collector.js';
import { type Budget, budgetOf, invocationInfo, syntheticContext } from './context.js';
import { formatDuration } from './format.js';
import type { InvocationRecord, Reporter } from './reporter.js';
import type { Resolved } from './resolve-options.js';
import type { Settled, Shape } from './shape.js';
import { makeTools } from './tools.js';
import type { InvocationInfo, InvocationTools } from './types.js';

type AnyHandler = (...args: unknown[]) => unknown;

/** What every invocation of one instrumented handler shares. */
export interface HandlerState {
  readonly handler: AnyHandler;
  readonly o: Resolved;
  readonly reporter: Reporter;
  readonly storage: {
    run<T>(store: InvocationScope, fn: () => T): T;
    getStore(): InvocationScope | undefined;
  };
  readonly log: Logger;
  readonly debugLog: Logger;
  readonly coldStartPossible: boolean;
  invocations: number;
  marginWarned: boolean;
}

type Outcome =
  | { kind: 'value'; value: unknown }
  | { kind: 'error'; error: unknown }
  | { kind: 'timeout' };

/** Runs one invocation; never leaves a timer, a listener or an unhandled rejection behind. */
export class Invocation implements InvocationRecord {
  readonly info: InvocationInfo;
  readonly start: number;
  readonly budgetMs: number | undefined;
  readonly marginMs: number;
  readonly collector: InvocationCollector;
  /** The early deadline, as clock time. */
  readonly deadline: number;
  readonly #s: HandlerState;
  readonly #shape: Shape;
  readonly #budget: Budget;
  readonly #busyStart: number | undefined;
  readonly #scope: InvocationScope = { active: true };
  #controller: AbortController | undefined;
  #abortReason: DeadlineExceededError | undefined;
  #log: Logger | undefined;
  #track: InvocationTools['track'] | undefined;
  /** Settled through the tools-as-callback (a callback-style handler). */
  #viaCallback = false;
  /** A callback-style handler returned and waits for its callback. */
  #awaitsCallback = false;
  #settle: ((error: unknown, value: unknown) => void) | undefined;

  constructor(state: HandlerState, shape: Shape) {
    this.#s = state;
    this.#shape = shape;
    const { o } = state;
    this.start = o.clock.now();
    // Busy time is read only for advice, which tells CPU-bound work by it.
    this.#busyStart = o.advice ? safe(o.busyClock) : undefined;
    this.#budget = budgetOf(shape.context, o.timeoutMs, o.margin);
    this.budgetMs = this.#budget.budgetMs;
    this.marginMs = this.#budget.marginMs;
    this.info = invocationInfo({
      context: shape.context,
      headers: shape.http ? shape : undefined,
      name: o.name,
      service: o.service,
      budgetMs: this.budgetMs,
      invocation: ++state.invocations,
      coldStartPossible: state.coldStartPossible,
      sampled: o.logSampleRate > 0 && o.random() < o.logSampleRate,
    });
    this.deadline =
      this.budgetMs === undefined
        ? Number.POSITIVE_INFINITY
        : this.start + this.budgetMs - this.marginMs;
    this.collector = new InvocationCollector(
      this.#scope,
      state.storage,
      o.clock,
      o.maxRecordedEvents,
    );
    if (this.#budget.scaledFrom !== undefined) this.#warnScaledMargin(this.#budget.scaledFrom);
  }

  /** The handler's signal: aborts at the early deadline. */
  get signal(): AbortSignal {
    if (!this.#controller) {
      this.#controller = new AbortController();
      if (this.#abortReason) this.#controller.abort(this.#abortReason);
    }
    return this.#controller.signal;
  }

  /** The invocation logger, bound to its ids. */
  get log(): Logger {
    const info = this.info;
    this.#log ??= (info.sampled ? this.#s.debugLog : this.#s.log).child({
      requestId: info.requestId,
      functionName: info.functionName,
      ...(info.traceId !== undefined && { traceId: info.traceId }),
      ...(info.service !== undefined && { service: info.service }),
    });
    return this.#log;
  }

  /** `track`, bound (handlers destructure `{ track }`), made when first asked for. */
  get boundTrack(): InvocationTools['track'] {
    this.#track ??= (label, work) => this.track(label, work);
    return this.#track;
  }

  /** Marks `work` in flight until it settles. */
  track<T>(
    label: string,
    work: PromiseLike<T> | ((signal: AbortSignal) => PromiseLike<T>),
  ): Promise<T> {
    return this.collector.track(
      label,
      typeof work === 'function' ? invokeWork(work, this.signal) : work,
    );
  }

  recordedEvent(): unknown {
    return this.#shape.record();
  }

  busyMs(): number | undefined {
    if (this.#busyStart === undefined) return undefined;
    const now = safe(this.#s.o.busyClock);
    return now === undefined ? undefined : now - this.#busyStart;
  }

  /** Runs the handler under the early deadline and answers the platform. */
  async run(): Promise<unknown> {
    const { o, storage, reporter } = this.#s;
    let cancelTimer: (() => void) | undefined;
    this.collector.start(o.sources);
    try {
      const outcome = await new Promise<Outcome>((resolve) => {
        if (Number.isFinite(this.deadline))
          cancelTimer = o.clock.setTimer(
            () => resolve({ kind: 'timeout' }),
            this.deadline - this.start,
          );
        // Handlers on both sides: a late rejection after the timeout is never unhandled.
        storage
          .run(this.#scope, () => this.#call())
          .then(
            (value) => resolve({ kind: 'value', value }),
            (error: unknown) => resolve({ kind: 'error', error }),
          );
      });
      if (outcome.kind === 'value') {
        // The deadline passed but its timer could not fire: the event loop was blocked.
        if (o.clock.now() > this.deadline) {
          reporter.diagnose('overrun', this.#deadlineError('returned'), this);
          reporter.finish('timeout', this);
        } else reporter.finish('success', this);
        return await this.#answer({ ok: true, value: outcome.value }, false);
      }
      if (outcome.kind === 'error') {
        reporter.diagnose('exception', outcome.error, this);
        reporter.finish('error', this);
        return await this.#answer({ ok: false, error: outcome.error }, false);
      }
      const error = this.#deadlineError('stopped');
      reporter.diagnose('timeout', error, this);
      this.#abortReason = error;
      this.#controller?.abort(error);
      reporter.finish('timeout', this);
      if (!o.onTimeout) return await this.#answer({ ok: false, error }, true);
      let settled: Settled;
      try {
        settled = { ok: true, value: await o.onTimeout(this.#shape.event) };
      } catch (failure) {
        settled = { ok: false, error: failure };
      }
      return await this.#answer(settled, true);
    } finally {
      cancelTimer?.();
      this.collector.stop();
      this.#scope.active = false;
    }
  }

  #answer(settled: Settled, timedOut: boolean): Promise<unknown> {
    // On a timeout a callback-style handler has not called back: the runtime's callback answers.
    return this.#shape.answer(
      settled,
      timedOut,
      timedOut ? this.#awaitsCallback : this.#viaCallback,
    );
  }

  // Synchronously when there is nothing to prepare: the handler starts inside the call.
  #call(): Promise<unknown> {
    const prepared = this.#shape.prepare();
    return prepared ? prepared.then(() => this.#invoke()) : this.#invoke();
  }

  // Settles with the handler's promise, its value, or — for a callback-style handler that
  // returned nothing — its callback.
  #invoke(): Promise<unknown> {
    const shape = this.#shape;
    const { handler } = this.#s;
    const context =
      shape.kind === 'lambda' && shape.context == null
        ? syntheticContext(
            this.info.requestId,
            this.info.functionName,
            this.budgetMs === undefined ? undefined : this.start + this.budgetMs,
            this.#s.o.clock,
          )
        : shape.context;
    const result = new Promise<unknown>((resolve, reject) => {
      this.#settle = (error, value) => (error != null ? reject(error) : resolve(value));
      const returned = handler(...shape.args(handler, this.#tools(), context));
      if (isThenable(returned)) Promise.resolve(returned).then(resolve, reject);
      else if (shape.kind === 'lambda' && handler.length >= 3 && returned === undefined)
        this.#awaitsCallback = true;
      else resolve(returned);
    });
    return shape.completion(result);
  }

  // Callable only where a callback-style handler can be: a Lambda handler not declared
  // `async` (the runtime's own test for a handler that answers through its promise).
  #tools(): InvocationTools {
    const { handler } = this.#s;
    if (this.#shape.kind !== 'lambda' || handler.constructor?.name === 'AsyncFunction')
      return makeTools(this);
    return makeTools(this, (error, value) => {
      this.#viaCallback = true;
      this.#settle?.(error, value);
    });
  }

  #deadlineError(verb: 'stopped' | 'returned'): DeadlineExceededError {
    const elapsed = this.#s.o.clock.now() - this.start;
    const budgetMs = this.budgetMs ?? 0;
    const early = budgetMs - this.marginMs;
    const where =
      verb === 'stopped'
        ? `${formatDuration(this.marginMs)} before its ${formatDuration(budgetMs)} budget`
        : `past its early deadline of ${formatDuration(early)}`;
    return new DeadlineExceededError(early, elapsed, {
      message: `${this.info.functionName} ran out of time: ${verb} at ${formatDuration(elapsed)}, ${where}`,
    });
  }

  // A margin the user set that does not fit the budget: said once per handler, since a
  // misconfiguration repeats on every call.
  #warnScaledMargin(configured: number): void {
    if (this.#s.marginWarned) return;
    this.#s.marginWarned = true;
    const budgetMs = this.budgetMs ?? 0;
    this.#s.log.warn(
      `timeoutMarginMs (${formatDuration(configured)}) is not below the ${formatDuration(budgetMs)} budget of ${this.info.functionName}: using half the budget (${formatDuration(this.marginMs)}); set timeoutMarginMs below the budget to choose`,
      { configuredMarginMs: configured, marginMs: this.marginMs, budgetMs },
    );
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === 'function';
}

function safe(read: () => number): number | undefined {
  try {
    const v = read();
    return Number.isFinite(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

function invokeWork<T>(
  work: (signal: AbortSignal) => PromiseLike<T>,
  signal: AbortSignal,
): Promise<T> {
  try {
    return Promise.resolve(work(signal));
  } catch (error) {
    return Promise.reject(error);
  }
}
