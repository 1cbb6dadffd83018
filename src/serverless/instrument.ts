/**
 * `instrument(handler, options)`: one wrapper for every handler. It runs the handler
 * under an early deadline (budget − `timeoutMarginMs`), and while the instance is still
 * alive writes one diagnostic for an uncaught exception or a timeout — the error, the
 * redacted event, the context, the selfheal events of the invocation, what was in
 * flight — then re-throws the same error (or rejects with DeadlineExceededError). It
 * also advises a longer-running compute type when p95 nears the budget, and writes EMF.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { DeadlineExceededError, EventHub, type EventSource } from '../core/index.js';
import { createLogger } from '../telemetry/index.js';
import { Advisor } from './advice.js';
import { InvocationCollector } from './collector.js';
import { budgetOf, invocationInfo, syntheticContext } from './context.js';
import { type InstrumentOptions, resolveOptions } from './options.js';
import { buildAdvice, buildDiagnostic, buildMetrics } from './records.js';
import type {
  Diagnostic,
  Handler,
  InvocationTools,
  LambdaContextLike,
  ServerlessEventMap,
} from './types.js';

/** The wrapped handler: call it as the runtime would, `(event, context)`. */
export interface InstrumentedHandler<E, R, C> {
  (event: E, context?: C): Promise<R>;
  /** Invocation, diagnostic and advice events, for telemetry sinks. */
  readonly events: EventSource<ServerlessEventMap>;
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
  const hub = new EventHub<ServerlessEventMap>();
  const storage = new AsyncLocalStorage<object>();
  const advisor = o.advice && new Advisor(o.advice);
  const logger = createLogger({ sink: o.sink, level: o.logLevel, redact: o.redactor, clock });
  let invocations = 0;

  const write = (record: unknown) => guarded(() => o.sink(JSON.stringify(record)));
  const emit = <K extends keyof ServerlessEventMap & string>(
    type: K,
    payload: ServerlessEventMap[K],
  ) => hub.emit({ type, source: 'serverless', at: clock.now(), ...payload } as never);

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

    const diagnose = (reason: Diagnostic['reason'], error: unknown) => {
      const now = clock.now();
      const diagnostic = buildDiagnostic({
        reason,
        error,
        event,
        info,
        durationMs: now - start,
        budgetMs,
        marginMs,
        collector,
        now,
        redactor: o.redactor,
        eventRedactor: o.eventRedactor,
      });
      guarded(() => (o.onDiagnostic ? o.onDiagnostic(diagnostic) : write(diagnostic)));
      emit('diagnostic', { diagnostic });
    };

    const finish = (outcome: 'success' | 'error' | 'timeout') => {
      const now = clock.now();
      const durationMs = now - start;
      if (o.metrics) {
        const metrics = o.metrics;
        write(
          buildMetrics({
            options: metrics,
            info,
            outcome,
            durationMs,
            counts: collector.counts,
            now,
          }),
        );
      }
      emit('invocation', {
        requestId: info.requestId,
        durationMs,
        outcome,
        coldStart: info.coldStart,
      });
      const figures = advisor?.record(durationMs, budgetMs);
      if (figures) {
        const advice = buildAdvice(figures, info.functionName, now);
        write(advice);
        emit('advice', { advice });
      }
    };

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
        finish('success');
        return outcome.value;
      }
      if (outcome.kind === 'error') {
        diagnose('exception', outcome.error);
        finish('error');
        throw outcome.error;
      }
      const elapsed = clock.now() - start;
      const error = new DeadlineExceededError(budgetMs! - marginMs, elapsed, {
        message: `${info.functionName} ran out of time: stopped at ${Math.round(elapsed)} ms, ${marginMs} ms before its ${budgetMs} ms budget`,
      });
      diagnose('timeout', error);
      controller.abort(error);
      finish('timeout');
      if (o.onTimeout) return await o.onTimeout(event);
      throw error;
    } finally {
      cancelTimer();
      collector.stop();
    }
  };
  return Object.assign(wrapped, { events: hub as EventSource<ServerlessEventMap> });
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

// A sink that throws must not replace the handler's own error or result.
function guarded(fn: () => void): void {
  try {
    fn();
  } catch (error) {
    (globalThis as { reportError?: (e: unknown) => void }).reportError?.(error);
  }
}
