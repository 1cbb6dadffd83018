/**
 * The internal error an attempt fails with inside the pipeline: it carries the verdict
 * (retry? count against the breaker?) and, for an HTTP answer, the response itself, so
 * the orchestrator can hand the last response back to ky (which raises its `HTTPError`).
 * It never reaches the caller: the orchestrator unwraps it.
 */

import type { NormalizedOptions } from 'ky';
import { HTTPError } from 'ky';

/** Why an attempt failed, and what the policies should make of it. */
export class AttemptFailure extends Error {
  override name = 'AttemptFailure';
  /** The error a person should see: ky's HTTPError for an answer, else the original error. */
  declare readonly cause: unknown;
  /** The attempt was the half-open breaker's probe, sent on behalf of every waiting request. */
  probe = false;
  constructor(
    cause: unknown,
    /** Another attempt may be made (status, method and Idempotency-Key allow it). */
    readonly retryable: boolean,
    /** Counts as a failure for the circuit breaker. */
    readonly breakerFailure: boolean,
    /** Delay the server asked for (Retry-After, quota reset), read by the retry policy. */
    readonly retryAfterMs: number | undefined,
    /** Retries this request may make. */
    readonly limit: number,
    /** The answer, when there was one. */
    readonly response?: Response,
    /** The attempt's request. */
    readonly request?: Request,
  ) {
    super('attempt failed', { cause });
  }
}

/** ky's `HTTPError` for a response, for places ky itself does not reach (fallback, budget errors, events). */
export function httpError(response: Response, request: Request): HTTPError {
  const options = {
    method: request.method,
    headers: request.headers,
    retry: { limit: 0 },
    prefix: '',
    context: {},
  };
  return new HTTPError(response, request, options as unknown as NormalizedOptions);
}

/** The error a caller should see for anything the pipeline threw. */
export function unwrap(error: unknown): unknown {
  return error instanceof AttemptFailure ? error.cause : error;
}
