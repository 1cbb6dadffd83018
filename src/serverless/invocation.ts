/**
 * One invocation of an instrumented handler, start to end: its budget and early
 * deadline, its facts, the tools handed to the handler, the race between the handler
 * and the deadline, and the records its end produces. One object owns the
 * invocation's state; the shape turns the outcome into what the platform expects.
 */
import type { AsyncLocalStorage } from 'node:async_hooks';
import { DeadlineExceededError } from '../core/internal.js';
import type { Logger } from '../telemetry/internal.js';
import { InvocationCollector, type InvocationScope } from './collector.js';
import { type Budget, budgetOf, invocationInfo, syntheticContext } from './context.js';
import { formatDuration } from './format.js';
import type { InvocationRecord, Reporter } from './reporter.js';
import type { Resolved } from './resolve-options.js';
import type { Settled, Shape } from './shapes.js';
import type { InvocationInfo, InvocationTools } from './types.js';

type AnyHandler = (...args: unknown[]) => unknown;

/** What every invocation of one instrumented handler shares. */
export interface HandlerState {
  readonly handler: AnyHandler;
  readonly o: Resolved;
  readonly reporter: Reporter;
  readonly storage: AsyncLocalStorage<InvocationScope>;
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
export class Invocation {
  readonly #s: HandlerState;
  readonly #shape: Shape;
  readonly #start: number;
  readonly #budget: Budget;
  readonly #info: InvocationInfo;
  readonly #deadline: number;
  readonly #controller = new AbortController();
  readonly #scope: InvocationScope = { active: true };
  readonly #collector: InvocationCollector;
  readonly #record: InvocationRecord;
  /** Settled through the tools-as-callback (a callback-style handler). */
  #viaCallback = false;
  /** A callback-style handler returned and waits for its callback. */
  #awaitsCallback = false;
  #settle: ((error: unknown, value: unknown) => void) | undefined;

  constructor(state: HandlerState, shape: Shape) {
    this.#s = state;
    this.#shape = shape;
    const { o } = state;
    this.#start = o.clock.now();
    const cpuStart = safe(o.cpuClock);
    this.#budget = budgetOf(shape.context, o.timeoutMs, o.margin);
    const { budgetMs, marginMs } = this.#budget;
    this.#info = invocationInfo({
      context: shape.context,
      header: shape.header,
      name: o.name,
      service: o.service,
      budgetMs,
      invocation: ++state.invocations,
      coldStartPossible: state.coldStartPossible,
      sampled: o.logSampleRate > 0 && o.random() < o.logSampleRate,
    });
    this.#deadline =
      budgetMs === undefined ? Number.POSITIVE_INFINITY : this.#start + budgetMs - marginMs;
    this.#collector = new InvocationCollector(
      this.#scope,
      state.storage,
      o.clock,
      o.maxRecordedEvents,
    );
    this.#record = {
      event: () => shape.record(),
      info: this.#info,
      start: this.#start,
      budgetMs,
      marginMs,
      collector: this.#collector,
      cpuMs: () => {
        const now = safe(o.cpuClock);
        return now === undefined || cpuStart === undefined ? undefined : now - cpuStart;
      },
    };
    this.#warnScaledMargin();
  }

  /** Runs the handler under the early deadline and answers the platform. */
  async run(): Promise<unknown> {
    const { o, storage, reporter } = this.#s;
    const record = this.#record;
    let cancelTimer = () => {};
    this.#collector.start(o.sources);
    try {
      const outcome = await new Promise<Outcome>((resolve) => {
        if (Number.isFinite(this.#deadline))
          cancelTimer = o.clock.setTimer(
            () => resolve({ kind: 'timeout' }),
            this.#deadline - this.#start,
          );
        // Handlers on both sides: a late rejection after the timeout is never unhandled.
        storage
          .run(this.#scope, () => this.#call())
          .then(
            (value) => resolve({ kind: 'value', value }),
            (error: unknown) => resolve({ kind: 'error', error }),
          );
      });
      const answer = (settled: Settled, timedOut: boolean, viaCallback = this.#viaCallback) =>
        this.#shape.answer(settled, timedOut, viaCallback);
      if (outcome.kind === 'value') {
        // The deadline passed but its timer could not fire: the event loop was blocked.
        if (o.clock.now() > this.#deadline) {
          reporter.diagnose('overrun', this.#deadlineError('returned'), record);
          reporter.finish('timeout', record);
        } else reporter.finish('success', record);
        return await answer({ ok: true, value: outcome.value }, false);
      }
      if (outcome.kind === 'error') {
        reporter.diagnose('exception', outcome.error, record);
        reporter.finish('error', record);
        return await answer({ ok: false, error: outcome.error }, false);
      }
      const error = this.#deadlineError('stopped');
      reporter.diagnose('timeout', error, record);
      this.#controller.abort(error);
      reporter.finish('timeout', record);
      if (!o.onTimeout) return await answer({ ok: false, error }, true, this.#awaitsCallback);
      let settled: Settled;
      try {
        settled = { ok: true, value: await o.onTimeout(this.#shape.event) };
      } catch (failure) {
        settled = { ok: false, error: failure };
      }
      return await answer(settled, true, this.#awaitsCallback);
    } finally {
      cancelTimer();
      this.#collector.stop();
      this.#scope.active = false;
    }
  }

  // Calls the handler in its shape; settles with its promise, its value, or — for a
  // callback-style handler that returned nothing — its callback.
  #call(): Promise<unknown> {
    // Synchronously when there is nothing to prepare: the handler starts inside the call.
    const prepared = this.#shape.prepare();
    return prepared ? prepared.then(() => this.#invoke()) : this.#invoke();
  }

  #invoke(): Promise<unknown> {
    const shape = this.#shape;
    const { handler } = this.#s;
    const context =
      shape.kind === 'lambda' && shape.context == null
        ? syntheticContext(
            this.#info.requestId,
            this.#info.functionName,
            this.#budget.budgetMs === undefined ? undefined : this.#start + this.#budget.budgetMs,
            () => this.#s.o.clock.now(),
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

  #tools(): InvocationTools {
    const { log, debugLog } = this.#s;
    const signal = this.#controller.signal;
    const collector = this.#collector;
    const info = this.#info;
    let called = false;
    const callback = (error?: unknown, value?: unknown) => {
      if (called) return;
      called = true;
      this.#viaCallback = true;
      this.#settle?.(error, value);
    };
    return Object.freeze(
      Object.assign(callback, {
        signal,
        deadline: this.#deadline,
        log: (info.sampled ? debugLog : log).child({
          requestId: info.requestId,
          functionName: info.functionName,
          ...(info.traceId !== undefined && { traceId: info.traceId }),
          ...(info.service !== undefined && { service: info.service }),
        }),
        track: <T>(
          label: string,
          work: PromiseLike<T> | ((signal: AbortSignal) => PromiseLike<T>),
        ) => collector.track(label, typeof work === 'function' ? invokeWork(work, signal) : work),
      }),
    ) as InvocationTools;
  }

  #deadlineError(verb: 'stopped' | 'returned'): DeadlineExceededError {
    const elapsed = this.#s.o.clock.now() - this.#start;
    const { budgetMs = 0, marginMs } = this.#budget;
    return new DeadlineExceededError(budgetMs - marginMs, elapsed, {
      message: `${this.#info.functionName} ran out of time: ${verb} at ${formatDuration(elapsed)}, ${verb === 'stopped' ? `${formatDuration(marginMs)} before its ${formatDuration(budgetMs)} budget` : `past its early deadline of ${formatDuration(budgetMs - marginMs)}`}`,
    });
  }

  // A margin the user set that does not fit the budget: said once per handler, since a
  // misconfiguration repeats on every call.
  #warnScaledMargin(): void {
    const { scaledFrom, budgetMs = 0, marginMs } = this.#budget;
    if (scaledFrom === undefined || this.#s.marginWarned) return;
    this.#s.marginWarned = true;
    this.#s.log.warn(
      `timeoutMarginMs (${formatDuration(scaledFrom)}) is not below the ${formatDuration(budgetMs)} budget of ${this.#info.functionName}: using half the budget (${formatDuration(marginMs)}); set timeoutMarginMs below the budget to choose`,
      { configuredMarginMs: scaledFrom, marginMs, budgetMs },
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
