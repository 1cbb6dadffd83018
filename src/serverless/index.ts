/**
 * selfheal/serverless — `instrument(handler, options)`: one wrapper for every handler
 * shape (Lambda's `(event, context)`, callback-style and response streaming, fetch-style
 * `(request) => Response` on Vercel, Netlify, Cloudflare and Azure Functions, Node's
 * `(req, res)`). It runs the handler under an early deadline, writes a redacted
 * diagnostic for uncaught exceptions, timeouts and overruns while the instance is still
 * alive, answers the platform as the handler would have, advises the lever that helps
 * when durations near the budget, and writes logs and EMF metrics as JSON lines. Node
 * only (it uses AsyncLocalStorage).
 */
export type { AdviceFigures } from './advice.js';
export { type InstrumentedHandler, instrument } from './instrument.js';
export type {
  AdviceOptions,
  InstrumentOptions,
  MetricsOptions,
  TimeoutResponse,
} from './options.js';
export type { HandlerHealth } from './reporter.js';
export type {
  Advice,
  Diagnostic,
  Handler,
  InFlightOperation,
  InvocationInfo,
  InvocationTools,
  LambdaCallback,
  LambdaContextLike,
  RecordedEvent,
  ServerlessEventMap,
} from './types.js';
