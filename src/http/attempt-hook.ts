/**
 * The per-attempt hook: the seam tracing plugs into (selfheal/telemetry's OpenTelemetry
 * bridge, `otel.traced(api)`), or your own. It is called as each attempt is about to be
 * sent — the physical request, once the throttle, breaker and bulkhead let it through —
 * may add headers to it (trace context), and returns a function called once with the
 * attempt's outcome. Without a hook nothing is allocated or called; a hook that throws is
 * reported (`reportError`, or a process warning in Node) and never fails the request.
 */
import { reportLater } from '../core/internal.js';

/** What an attempt is, as it is about to be sent. */
export interface AttemptStart {
  /** The request as this attempt sends it: write trace context into its `headers`. */
  readonly request: Request;
  /** scheme://host:port of the request. */
  readonly origin: string;
  /** 1 for the first attempt, 2 for the first resend, … */
  readonly attempt: number;
}

/** How an attempt ended. */
export interface AttemptOutcome {
  /** The answer's status; absent when none came (network error, timeout, abort, body too large). */
  readonly status?: number;
  /** Why there was no (usable) answer. */
  readonly error?: unknown;
  /** From send to outcome on the client's clock, ms (the body included with `bufferBody`). */
  readonly durationMs: number;
}

/** Called once with the attempt's outcome. */
export type AttemptEnd = (outcome: AttemptOutcome) => void;

/** Watches every attempt of a client: called as one is sent, returns what to call when it ends. */
export type AttemptHook = (attempt: AttemptStart) => AttemptEnd | undefined;

/** Validates an `onAttempt` option: a hook, or `false` / `undefined` for none. */
export function attemptHook(value: unknown): AttemptHook | undefined {
  if (value === undefined || value === false) return undefined;
  if (typeof value !== 'function')
    throw new TypeError(`Expected \`onAttempt\` to be a function or false, got ${typeof value}`);
  return value as AttemptHook;
}

/** Runs the hook for one attempt; a throwing hook (or end) is reported, never the request's failure. */
export function startAttempt(hook: AttemptHook, attempt: AttemptStart): AttemptEnd | undefined {
  try {
    const end = hook(attempt);
    if (typeof end !== 'function') return undefined;
    return (outcome) => {
      try {
        end(outcome);
      } catch (error) {
        reportLater(error);
      }
    };
  } catch (error) {
    reportLater(error);
    return undefined;
  }
}
