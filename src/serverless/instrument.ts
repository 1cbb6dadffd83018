/**
 * `instrument(handler, options)`: one wrapper for every handler. It runs the handler
 * under an early deadline (budget − `timeoutMarginMs`), and while the instance is still
 * alive writes one diagnostic for an uncaught exception or a timeout — the error, the
 * redacted event, the context, the selfheal events of the invocation, what was in
 * flight — then re-throws the same error (or rejects with DeadlineExceededError). It
 * also advises a longer-running compute type when p95 nears the budget, and writes EMF.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { DeadlineExceededError, type EventSource } from '../core/internal.js';
import { createLogger } from '../telemetry/internal.js';
import { InvocationCollector } from './collector.js';
import { budgetOf, invocationInfo, syntheticContext } from './context.js';
import { type InstrumentOptions, resolveOptions } from './options.js';
import { type HandlerHealth, Reporter } from './reporter.js';
import type { Handler, InvocationTools, LambdaContextLike, ServerlessEventMap } from './types.js';

/** The wrapped handler: call it as the runtime would, `(event, context)`. */
export interface InstrumentedHandler<E, R, C> {
  (event: E, context?: C): Promise<R>;
  /** Invocation, diagnostic and advice events, for telemetry sinks. */
  readonly events: EventSource<ServerlessEventMap>;
  /** Invocations, outcomes, cold starts and durations since it was wrapped, as JSON. */
  health(): HandlerHealth;
}

type Outcome<R> =
  | { kind: 'value'; value: R }
  | { kind: 'error'; error: unknown }
  | { kind: 'timeout' };

/** Wraps `handler` with diagnostics, an early timeout, advice and metrics. */
export function instrument<
  E = unknown,
  R = unknown,
  C extends LambdaContextLike = LambdaContextLike,
>(handler: Handler<E, R, C>, options?: InstrumentOptions<E, R>): InstrumentedHandler<E, R, C> {
  if (typeof handler !== 'function')
    throw new TypeError(`Expected \`handler\` to be a function, got ${typeof handler}`);
  const o = resolveOptions<E, R>(options);
  const { clock, marginMs } = o;
  const reporter = new Reporter(o);
  const storage = new AsyncLocalStorage<object>();
  const logger = createLogger({ sink: o.sink, level: o.logLevel, redact: o.redactor, clock });
  let invocations = 0;

  // Two parameters: runtimes that look at a handler's arity must not take it for a
  // callback-style handler.
  const wrapped = async (event: E, context?: C): Promise<R> => {
    const invocation = ++invocations;
    const start = clock.now();
    const budgetMs = budgetOf(context, o.timeoutMs, marginMs);
    const ctx = (context ?? syntheticContext(o.name, clock, budgetMs)) as C;
    const info = invocationInfo(ctx, o.name, budgetMs, invocation);
    const deadline =
      budgetMs === undefined ? Number.POSITIVE_INFINITY : start + budgetMs - marginMs;
    const controller = new AbortController();
    const token = {};
    const collector = new InvocationCollector(token, storage, clock, o.maxRecordedEvents);
    const tools: InvocationTools = Object.freeze({
      signal: controller.signal,
      deadline,
      log: logger.child({ requestId: info.requestId, functionName: info.functionName }),
      track: <T>(label: string, work: PromiseLike<T> | ((signal: AbortSignal) => PromiseLike<T>)) =>
        collector.track(
          label,
          typeof work === 'function' ? invokeWork(work, controller.signal) : work,
        ),
    });

    const record = { event, info, start, budgetMs, collector };

    let cancelTimer = () => {};
    collector.start(o.sources);
    try {
      const outcome = await new Promise<Outcome<R>>((resolve) => {
        if (Number.isFinite(deadline))
          cancelTimer = clock.setTimer(() => resolve({ kind: 'timeout' }), deadline - start);
        // Handlers on both sides: a late rejection after the timeout is never unhandled.
        storage
          .run(token, () => runHandler(handler, event, ctx, tools))
          .then(
            (value) => resolve({ kind: 'value', value }),
            (error: unknown) => resolve({ kind: 'error', error }),
          );
      });
      if (outcome.kind === 'value') {
        reporter.finish('success', record);
        return outcome.value;
      }
      if (outcome.kind === 'error') {
        reporter.diagnose('exception', outcome.error, record);
        reporter.finish('error', record);
        throw outcome.error;
      }
      const elapsed = clock.now() - start;
      const error = new DeadlineExceededError(budgetMs! - marginMs, elapsed, {
        message: `${info.functionName} ran out of time: stopped at ${Math.round(elapsed)} ms, ${marginMs} ms before its ${budgetMs} ms budget`,
      });
      reporter.diagnose('timeout', error, record);
      controller.abort(error);
      reporter.finish('timeout', record);
      if (o.onTimeout) return await o.onTimeout(event);
      throw error;
    } finally {
      cancelTimer();
      collector.stop();
    }
  };
  const health = () => reporter.health();
  o.registry?.register({
    name: o.name,
    kind: 'serverless',
    health,
    events: reporter.events,
  });
  return Object.assign(wrapped, {
    events: reporter.events as EventSource<ServerlessEventMap>,
    health,
  });
}

function runHandler<E, R, C>(
  handler: Handler<E, R, C>,
  event: E,
  context: C,
  tools: InvocationTools,
): Promise<R> {
  try {
    return Promise.resolve(handler(event, context, tools));
  } catch (error) {
    return Promise.reject(error);
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
