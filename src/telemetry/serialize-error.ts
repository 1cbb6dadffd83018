/**
 * Errors as plain JSON: name, message, stack, the figures an error carries
 * (`retryAfterMs`, `status`, …), the `cause` chain and an AggregateError's `errors`.
 * Cycles in the cause chain are cut; anything thrown that is not an Error is kept as
 * `value`. Redact the result before writing it out (messages can hold secrets).
 */

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
  /** How many causes to follow. @default 8 */
  maxCauses?: number;
  /** How many of an AggregateError's `errors` to keep. @default 10 */
  maxErrors?: number;
}

const SKIP = new Set(['name', 'message', 'stack', 'cause', 'errors']);

/** Serialises an error and its cause chain. */
export function serializeError(
  error: unknown,
  options: SerializeErrorOptions = {},
): SerializedError {
  return serialize(error, options.maxCauses ?? 8, options.maxErrors ?? 10, new Set());
}

function serialize(
  error: unknown,
  causes: number,
  maxErrors: number,
  seen: Set<unknown>,
): SerializedError {
  if (!(error instanceof Error) && !looksLikeError(error)) {
    return { name: 'NonError', message: describe(error), value: error };
  }
  const e = error as Error & { errors?: unknown };
  seen.add(e);
  const out: SerializedError = {
    name: String(read(e, 'name') ?? 'Error'),
    message: String(read(e, 'message') ?? ''),
  };
  const stack = read(e, 'stack');
  if (typeof stack === 'string') out.stack = stack;
  for (const key of Object.keys(e)) {
    if (!SKIP.has(key)) out[key] = read(e, key);
  }
  const cause = read(e, 'cause');
  if (cause !== undefined) {
    if (seen.has(cause)) out.cause = { name: 'Circular', message: '[CIRCULAR]' };
    else if (causes > 0) out.cause = serialize(cause, causes - 1, maxErrors, seen);
    else out.cause = { name: 'Truncated', message: '[TRUNCATED: cause chain]' };
  }
  const errors = read(e, 'errors');
  if (Array.isArray(errors)) {
    out.errors = errors
      .slice(0, maxErrors)
      .map((inner) =>
        seen.has(inner)
          ? { name: 'Circular', message: '[CIRCULAR]' }
          : serialize(inner, causes - 1, maxErrors, seen),
      );
  }
  return out;
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

// A getter that throws must not turn a diagnostic into a second failure.
function read(target: object, key: string): unknown {
  try {
    return (target as Record<string, unknown>)[key];
  } catch {
    return '[UNREADABLE]';
  }
}

function describe(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null || typeof value !== 'object') return String(value);
  return Object.prototype.toString.call(value);
}
