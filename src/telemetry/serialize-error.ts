/**
 * Errors as plain JSON: name, message, stack, the figures an error carries
 * (`retryAfterMs`, `status`, …), the `cause` chain and an AggregateError's `errors`.
 * Cycles are cut, and nesting (causes and `errors` alike) and the number of errors are
 * bounded, so a hostile error tree costs a bounded amount. An HTTP client's error (ky,
 * axios, got: one with a `request` or `response`) keeps `status`, `method` and `url`,
 * never the request or response objects, their bodies (`data`) or the options
 * (`options`, `config`: headers, bodies). Anything thrown that is not an Error is kept as
 * `value`. Redact the result before writing it out (messages and URLs can hold secrets).
 */
import { define, read, text, UNREADABLE } from './props.js';

/** An error as JSON. */
export interface SerializedError {
  name: string;
  message: string;
  stack?: string;
  cause?: SerializedError;
  errors?: SerializedError[];
  /** What was thrown, when it was not an Error. */
  value?: unknown;
  [field: string]: unknown;
}

/** Options of {@link serializeError}. */
export interface SerializeErrorOptions {
  /** How deep causes and AggregateError `errors` are followed. @default 8 */
  maxCauses?: number;
  /** How many of an AggregateError's `errors` to keep. @default 10 */
  maxErrors?: number;
  /** How many errors one serialisation holds in all (a tree of aggregates). @default 64 */
  maxTotal?: number;
}

const SKIP = new Set(['name', 'message', 'stack', 'cause', 'errors']);
// What an HTTP client hangs on its errors: the exchange itself, and the options sent.
const TRANSPORT = new Set(['request', 'response', 'options', 'config', 'data']);

interface Walk {
  maxErrors: number;
  left: number;
  seen: Set<unknown>;
}

/** Serialises an error and its cause chain. */
export function serializeError(
  error: unknown,
  options: SerializeErrorOptions = {},
): SerializedError {
  const walk = {
    maxErrors: options.maxErrors ?? 10,
    left: (options.maxTotal ?? 64) - 1,
    seen: new Set(),
  };
  return guarded(error, options.maxCauses ?? 8, walk);
}

// A Proxy whose traps throw, a `name` that cannot become a string: never a second failure.
function guarded(error: unknown, depth: number, walk: Walk): SerializedError {
  try {
    return serialize(error, depth, walk);
  } catch {
    return { name: 'Unreadable', message: UNREADABLE };
  }
}

function serialize(error: unknown, depth: number, walk: Walk): SerializedError {
  if (!(error instanceof Error) && !looksLikeError(error)) {
    return { name: 'NonError', message: describe(error), value: error };
  }
  const e = error as Error & { errors?: unknown };
  walk.seen.add(e);
  const out: SerializedError = {
    name: text(read(e, 'name'), 'Error'),
    message: text(read(e, 'message'), ''),
  };
  const stack = read(e, 'stack');
  if (typeof stack === 'string') out.stack = stack;
  const keys = Object.keys(e);
  const transport = keys.includes('request') || keys.includes('response');
  for (const key of keys) {
    if (!SKIP.has(key) && !(transport && TRANSPORT.has(key))) define(out, key, read(e, key));
  }
  if (transport) describeExchange(out, read(e, 'request'), read(e, 'response'));
  const cause = read(e, 'cause');
  if (cause !== undefined) out.cause = inner(cause, depth, walk, 'cause chain');
  const errors = read(e, 'errors');
  if (Array.isArray(errors)) {
    out.errors = errors.slice(0, walk.maxErrors).map((one) => inner(one, depth, walk, 'errors'));
  }
  return out;
}

function inner(error: unknown, depth: number, walk: Walk, what: string): SerializedError {
  if (walk.seen.has(error)) return { name: 'Circular', message: '[CIRCULAR]' };
  if (depth <= 0 || walk.left <= 0) return { name: 'Truncated', message: `[TRUNCATED: ${what}]` };
  walk.left--;
  return guarded(error, depth - 1, walk);
}

// The figures of an HTTP exchange that help a person, read without touching a body.
function describeExchange(out: SerializedError, request: unknown, response: unknown): void {
  const field = (from: unknown, key: string) =>
    typeof from === 'object' && from !== null ? read(from, key) : undefined;
  const status = field(response, 'status') ?? field(response, 'statusCode');
  const method = field(request, 'method');
  const url = field(request, 'url') ?? field(response, 'url');
  if (out.status === undefined && typeof status === 'number') out.status = status;
  if (out.method === undefined && typeof method === 'string') out.method = method;
  if (out.url === undefined && typeof url === 'string') out.url = url.split(/[?#]/, 1)[0];
}

// Errors from another realm fail `instanceof`; a name and a message make an error.
function looksLikeError(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Error).name === 'string' &&
    typeof (value as Error).message === 'string'
  );
}

function describe(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null || typeof value !== 'object') return String(value);
  return Object.prototype.toString.call(value);
}
