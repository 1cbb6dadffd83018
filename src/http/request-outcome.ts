/**
 * How a request ends: the answer ky gets (a response, ky then raising HTTPError for an
 * error status), a degraded answer (stale-if-error, fallback), or the error a caller
 * should see, with internal wrappers removed, the retry-budget alarm raised and the
 * `settled` / `degraded` events emitted.
 */
import { isRetryBudgetExhaustedError, RetryBudgetExhaustedError } from '../core/internal.js';
import { AttemptFailure, unwrap } from './attempt-failure.js';
import { degrade, isOriginFailure } from './degrade.js';
import type { Engine } from './engine.js';
import { stripQuery } from './events.js';
import type { OriginState } from './origin-state.js';

/** A request failed for good: degrade it, hand the last answer to ky, or throw the caller's error. */
export async function failed(
  engine: Engine,
  state: OriginState,
  request: Request,
  error: unknown,
  start: number,
  attempts: number,
) {
  const now = engine.config.clock.now();
  let last = error instanceof AttemptFailure ? error : undefined;
  let cause = unwrap(error);
  if (isRetryBudgetExhaustedError(error)) {
    last = error.cause instanceof AttemptFailure ? error.cause : undefined;
    cause = new RetryBudgetExhaustedError(
      error.attempts,
      error.retriesAllowed,
      unwrap(error.cause),
    );
    state.alarms.budgetExhausted(error.retriesAllowed, state.budget?.windowMs ?? 0, now);
  }
  const response = cause instanceof RetryBudgetExhaustedError ? undefined : last?.response;
  if (!response && last?.response && !engine.config.bufferBody)
    void last.response.body?.cancel().catch(noop);
  if (!request.signal.aborted && isOriginFailure(cause, response)) {
    const served = await degrade(request, cause, engine.stale, engine.config.fallback, now);
    if (served) {
      if (response && !engine.config.bufferBody) void response.body?.cancel().catch(noop);
      state.counts.fallbacks++;
      if (engine.hub.listening) {
        engine.hub.emit({
          type: 'degraded',
          source: 'http',
          at: now,
          ...info(state, request),
          reason: served.reason,
          error: cause,
          ageMs: served.ageMs,
        });
      }
      settle(engine, state, request, start, attempts, served.response.status);
      return served.response;
    }
  }
  state.counts.failures++;
  if (response) {
    engine.attempts.set(response, attempts);
    settle(engine, state, request, start, attempts, response.status);
    return response;
  }
  if (typeof cause === 'object' && cause !== null) engine.attempts.set(cause, attempts);
  settle(engine, state, request, start, attempts, 0, cause);
  throw cause;
}

/** Counts and reports the end of a request. */
export function settle(
  engine: Engine,
  state: OriginState,
  request: Request,
  start: number,
  attempts: number,
  status: number,
  error?: unknown,
) {
  if (!engine.hub.listening) return;
  const now = engine.config.clock.now();
  engine.hub.emit({
    type: 'settled',
    source: 'http',
    at: now,
    ...info(state, request),
    attempts,
    status,
    durationMs: now - start,
    ...(error !== undefined && { error }),
  });
}

/** The request fields of an event. */
export function info(state: OriginState, request: Request) {
  return { origin: state.origin, method: request.method, url: stripQuery(request.url) };
}

function noop(): void {}
