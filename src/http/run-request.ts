/**
 * One request through an origin's pipeline: deadline ▸ retry ▸ breaker ▸ throttle ▸
 * bulkhead ▸ attempt timeout ▸ fetch. Each attempt re-sends a clone of the request,
 * classifies the answer and reports it to the adaptive rate; the last failure is
 * handed back to ky (which raises its HTTPError) or degraded (stale / fallback).
 */
import {
  type AttemptContext,
  BodyTooLargeError,
  isBodyTooLargeError,
  isTimeoutError,
} from '../core/internal.js';
import { AttemptFailure, httpError } from './attempt-failure.js';
import { startAttempt } from './attempt-hook.js';
import { withBodyDeadline } from './body-deadline.js';
import { BufferedResponse } from './buffered-response.js';
import { classify, mayRepeat } from './classify.js';
import type { Engine, Via } from './engine.js';
import type { OriginState } from './origin-state.js';
import { readCapped } from './read-body.js';
import { failed, info, settle } from './request-outcome.js';
import type { RequestOverrides } from './request-overrides.js';

/** Runs `request` to its end: a Response for ky, or the error a caller should see. */
export async function runRequest(
  engine: Engine,
  state: OriginState,
  request: Request,
  init: RequestInit | undefined,
  overrides: RequestOverrides | undefined,
  via: Via,
): Promise<Response> {
  const { config, hub } = engine;
  const { clock } = config;
  const rules = overrides?.retry ?? config.retry;
  const timeoutMs =
    overrides?.timeout === undefined ? config.timeout : (overrides.timeout ?? undefined);
  const totalMs =
    overrides?.totalTimeout === undefined
      ? config.totalTimeout
      : (overrides.totalTimeout ?? undefined);
  if (
    config.idempotencyKey &&
    (request.method === 'POST' || request.method === 'PATCH') &&
    !request.headers.has('idempotency-key')
  ) {
    request.headers.set('idempotency-key', engine.newKey());
  }
  const repeatable = mayRepeat(request, rules);
  const hasBody = request.body !== null;
  const throttle = state.throttle;
  const throttleStatuses = config.throttle?.statusCodes;
  const start = clock.now();
  const { origin } = state;
  const onAttempt = via.onAttempt;
  let attempts = 0;
  let unread: Response | undefined;
  state.counts.requests++;
  state.inFlight++;

  const attempt = async (ctx: AttemptContext): Promise<Response> => {
    if (unread) void unread.body?.cancel().catch(noop);
    unread = undefined;
    attempts = ctx.attempt;
    state.counts.attempts++;
    if (ctx.attempt > 1) state.counts.retries++;
    const sentAt = clock.now();
    throttle?.onSent(sentAt);
    state.checkRate(sentAt);
    // Before the clone: trace context the hook writes goes out with this attempt.
    const end = onAttempt && startAttempt(onAttempt, { request, origin, attempt: ctx.attempt });
    let response: Response;
    try {
      response = await via.fetch(
        hasBody ? request.clone() : request,
        init ? { ...init, signal: ctx.signal } : { signal: ctx.signal },
      );
      if (config.bufferBody) response = await buffered(response, config.maxBodyBytes, origin);
    } catch (error) {
      end?.({ error, durationMs: clock.now() - sentAt });
      // Too large is the caller's limit, not the origin's failure: never retried or counted.
      if (ctx.signal.aborted || isBodyTooLargeError(error)) throw error;
      throw new AttemptFailure(error, repeatable, true, undefined, rules.limit, undefined, request);
    }
    const now = clock.now();
    const status = response.status;
    end?.({ status, durationMs: now - sentAt });
    const verdict = classify(response, {
      repeatable,
      rules,
      throttleStatuses,
      now,
      origin,
    });
    if (status === 429) state.counts.status429++;
    else if (status >= 500) state.counts.status5xx++;
    if (verdict.quota) state.onQuota(verdict.quota, now);
    if (verdict.throttle)
      throttle?.onThrottle(sentAt, now, status === 429 || verdict.retryAfterMs !== undefined);
    else if (response.ok) throttle?.onSuccess(now);
    if (hub.listening) {
      const v = verdict.ok ? 'ok' : verdict.retry ? 'retry' : 'fail';
      hub.emit({
        type: 'response',
        source: 'http',
        at: now,
        ...info(state, request),
        attempt: ctx.attempt,
        status,
        durationMs: now - sentAt,
        verdict: v,
      });
    }
    if (verdict.ok) {
      if (response.ok && engine.stale && request.method === 'GET')
        engine.remember(request, response, now);
      return response;
    }
    if (!config.bufferBody) unread = response;
    return Promise.reject(
      new AttemptFailure(
        httpError(response, request),
        verdict.retry,
        verdict.breakerFailure,
        verdict.retryAfterMs,
        rules.limit,
        response,
        request,
      ),
    );
  };

  const timeoutPolicy =
    timeoutMs === undefined ? undefined : engine.timeoutPolicy(state, timeoutMs, 'attempt');
  const timedOut = (error: unknown) => {
    throw isTimeoutError(error)
      ? new AttemptFailure(error, repeatable, true, undefined, rules.limit, undefined, request)
      : error;
  };
  const op = timeoutPolicy
    ? (ctx: AttemptContext) => timeoutPolicy.execute(attempt, ctx).catch(timedOut)
    : attempt;
  const signal = request.signal;
  let response: Response;
  try {
    response =
      totalMs === undefined
        ? await state.withoutDeadline.execute(op, { signal })
        : await engine
            .timeoutPolicy(state, totalMs, 'deadline')
            .execute((ctx) => state.withDeadline.execute(op, ctx), { signal });
    // Only an answer ky turns into an HTTPError (not ok) is looked up: a WeakMap entry per
    // good answer would cost every request an ephemeron for the collector to trace.
    if (!response.ok) engine.attempts.set(response, attempts);
    settle(engine, state, request, start, attempts, response.status);
  } catch (error) {
    response = await failed(engine, state, request, error, start, Math.max(attempts, 1));
  } finally {
    state.inFlight--;
  }
  if (config.bufferBody || totalMs === undefined || !response.body) return response;
  // A streamed body is read after the pipeline: the deadline still bounds it.
  const bounded = withBodyDeadline(response, {
    clock,
    start,
    totalMs,
    onExpire: () => {
      if (hub.listening)
        hub.emit({
          type: 'timeout',
          source: 'deadline',
          at: clock.now(),
          ...info(state, request),
          scope: 'deadline',
          timeoutMs: totalMs,
        });
    },
  });
  const tagged = engine.attempts.get(response);
  if (tagged !== undefined) engine.attempts.set(bounded, tagged);
  return bounded;
}

const NULL_BODY = new Set([101, 103, 204, 205, 304]);
/** Error bodies are for ky's `error.data`, which ky itself reads only up to 10 MiB of. */
const ERROR_BODY_MAX = 10 * 1024 * 1024;

/**
 * Reads the body inside the attempt, so a reset mid-body is a failed (retryable) attempt,
 * at most `maxBodyBytes`. Past it a good answer fails with BodyTooLargeError; an error
 * answer (whose body only feeds ky's `error.data`) keeps its status with an empty body.
 */
async function buffered(
  response: Response,
  maxBodyBytes: number,
  origin: string,
): Promise<Response> {
  if (
    !response.body ||
    response.type === 'opaque' ||
    response.status < 200 ||
    NULL_BODY.has(response.status)
  ) {
    return response;
  }
  const error = response.status >= 400;
  const max = error ? Math.min(maxBodyBytes, ERROR_BODY_MAX) : maxBodyBytes;
  const read = await readCapped(response, max);
  if (read instanceof Uint8Array) return new BufferedResponse(read, response);
  if (error) return new BufferedResponse(new Uint8Array(0), response);
  throw new BodyTooLargeError(max, origin, read.over, read.declared);
}

function noop(): void {}
