/**
 * `instrument(handler, options)`: one wrapper for every handler shape — Lambda's
 * `(event, context)` and callback-style `(event, context, callback)`, Lambda response
 * streaming (either order with `awslambda.streamifyResponse`), fetch-style
 * `(request, context)` (Vercel, Netlify, Cloudflare, Azure Functions v4) and Node's
 * `(req, res)`. It runs the handler under an early deadline (budget − margin) and, while
 * the instance is still alive, writes one diagnostic for an uncaught exception, a
 * timeout or an overrun — the error, the redacted event, the context, the selfheal events
 * of the invocation, what was in flight — then answers the platform as the handler
 * would have: the same error re-thrown (or DeadlineExceededError), or for `(req, res)` a
 * 500 / 504. It also advises when p95 nears the budget, and writes EMF.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { EventSource } from '../core/internal.js';
import { createLogger } from '../telemetry/internal.js';
import type { InvocationScope } from './collector.js';
import { coldStartPossible } from './context.js';
import { type HandlerState, Invocation } from './invocation.js';
import type { InstrumentOptions } from './options.js';
import { type HandlerHealth, Reporter } from './reporter.js';
import { resolveOptions } from './resolve-options.js';
import { HIGH_WATER_MARK, STREAMING, shapeOf } from './shapes.js';
import type { Handler, InvocationTools, LambdaContextLike, ServerlessEventMap } from './types.js';

/**
 * The wrapped handler: call it as the platform would — `(event, context, callback?)`,
 * `(event, responseStream, context)`, `(request, env, ctx)`, `(req, res)`.
 */
export interface InstrumentedHandler<E, R, C> {
  (event: E, context?: C, third?: unknown): Promise<R>;
  /** Invocation, diagnostic and advice events, for telemetry sinks. */
  readonly events: EventSource<ServerlessEventMap>;
  /** Invocations, outcomes, cold starts and durations since it was wrapped, as JSON. */
  health(): HandlerHealth;
}

/** Wraps `handler` with diagnostics, an early timeout, advice and metrics. */
export function instrument<E = unknown, R = unknown, C = LambdaContextLike, T = InvocationTools>(
  handler: Handler<E, R, C, T>,
  options?: InstrumentOptions<E, R>,
): InstrumentedHandler<E, R, C> {
  if (typeof handler !== 'function')
    throw new TypeError(`Expected \`handler\` to be a function, got ${typeof handler}`);
  const o = resolveOptions(options as InstrumentOptions);
  const reporter = new Reporter(o);
  const logOptions = { sink: o.sink, redact: o.redactor, clock: o.clock };
  const state: HandlerState = {
    handler: handler as (...args: unknown[]) => unknown,
    o,
    reporter,
    storage: new AsyncLocalStorage<InvocationScope>(),
    log: createLogger({ ...logOptions, level: o.logLevel }),
    debugLog: createLogger({ ...logOptions, level: 'debug' }),
    coldStartPossible: coldStartPossible(),
    invocations: 0,
    marginWarned: false,
  };
  const marks = handler as unknown as Record<symbol, unknown>;
  // Two named parameters: a runtime that reads a handler's arity must not take the
  // wrapper for a callback-style handler.
  const wrapped = async function instrumented(
    event: unknown,
    context: unknown,
    ...rest: unknown[]
  ) {
    // The streaming marker may be on the wrapper (streamifyResponse(instrument(fn)),
    // set after we return) or on the handler (instrument(streamifyResponse(fn))).
    const streaming =
      (wrapped as unknown as Record<symbol, unknown>)[STREAMING] === 'response' ||
      marks[STREAMING] === 'response';
    const shape = shapeOf([event, context, ...rest], streaming, o.maxEventBytes);
    return new Invocation(state, shape).run();
  };
  // The runtime picks streaming or buffered by the marker on what it is given: keep it.
  for (const mark of [STREAMING, HIGH_WATER_MARK])
    if (marks[mark] !== undefined)
      (wrapped as unknown as Record<symbol, unknown>)[mark] = marks[mark];
  const health = () => reporter.health();
  o.registry?.register({ name: o.name, kind: 'serverless', health, events: reporter.events });
  return Object.assign(wrapped, {
    events: reporter.events as EventSource<ServerlessEventMap>,
    health,
  }) as unknown as InstrumentedHandler<E, R, C>;
}
