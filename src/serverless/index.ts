/**
 * selfheal/serverless — `instrument(handler, options)`: one wrapper for every handler
 * (AWS-Lambda-style `(event, context)` or any async function). It runs the handler under
 * an early deadline, writes a redacted diagnostic for uncaught exceptions and timeouts
 * while the instance is still alive, re-throws the same error, advises a longer-running
 * compute type when durations near the budget, and writes logs and EMF metrics as JSON
 * lines. Node only (it uses AsyncLocalStorage).
 */
export type { AdviceFigures } from './advice.js';
export { type InstrumentedHandler, instrument } from './instrument.js';
export type { AdviceOptions, InstrumentOptions, MetricsOptions } from './options.js';
export type { HandlerHealth } from './reporter.js';
export type {
  Advice,
  Diagnostic,
  Handler,
  InFlightOperation,
  InvocationInfo,
  InvocationTools,
  LambdaContextLike,
  RecordedEvent,
  ServerlessEventMap,
} from './types.js';
