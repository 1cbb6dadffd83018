/**
 * One request through an origin's pipeline: deadline ▸ retry ▸ breaker ▸ throttle ▸
 * bulkhead ▸ attempt timeout ▸ fetch. Each attempt re-sends a clone of the request,
 * classifies the answer and reports it to the adaptive rate; the last failure is
 * handed back to ky (which raises its HTTPError) or degraded (stale / fallback).
 */
import { type AttemptContext, isTimeoutError } from '../core/internal.js';
import { AttemptFailure, httpError } from './attempt-failure.js';
import { BufferedResponse } from './buffered-response.js';
import { classify, mayRepeat } from './classify.js';
import type { Engine } from './engine.js';
import type { OriginState } from './origin-state.js';
import { failed, info, settle } from './request-outcome.js';
import type { RequestOverrides } from './request-overrides.js';

type FetchLike = (input: Request, init?: RequestInit) => Promise<Response>;

/** Runs `request` to its end: a Response for ky, or the error a caller should see. */
export async function runRequest(
  engine: Engine,
  state: OriginState,
  request: Request,
  init: RequestInit | undefined,
  overrides: RequestOverrides | undefined,
  fetchImpl: FetchLike,
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
    let response: Response;
    try {
      response = await fetchImpl(
        hasBody ? request.clone() : request,
        init ? { ...init, signal: ctx.signal } : { signal: ctx.signal },
      );
      if (config.bufferBody) response = await buffered(response);
    } catch (error) {
      if (ctx.signal.aborted) throw error;
      throw new AttemptFailure(error, repeatable, true, undefined, rules.limit, undefined, request);
    }
    const now = clock.now();
    const status = response.status;
    const verdict = classify(response, repeatable, rules, throttleStatuses, now);
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
        engine.remember(request.url, response, now);
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
  try {
    const response =
      totalMs === undefined
        ? await state.withoutDeadline.execute(op, { signal })
        : await engine
            .timeoutPolicy(state, totalMs, 'deadline')
            .execute((ctx) => state.withDeadline.execute(op, ctx), { signal });
    // Only an answer ky turns into an HTTPError (not ok) is looked up: a WeakMap entry per
    // good answer would cost every request an ephemeron for the collector to trace.
    if (!response.ok) engine.attempts.set(response, attempts);
    settle(engine, state, request, start, attempts, response.status);
    return response;
  } catch (error) {
    return await failed(engine, state, request, error, start, Math.max(attempts, 1));
  } finally {
    state.inFlight--;
  }
}

const NULL_BODY = new Set([101, 103, 204, 205, 304]);

/** Reads the body inside the attempt, so a reset mid-body is a failed (retryable) attempt. */
async function buffered(response: Response): Promise<Response> {
  if (
    !response.body ||
    response.type === 'opaque' ||
    response.status < 200 ||
    NULL_BODY.has(response.status)
  ) {
    return response;
  }
  // `bytes()` is recent (Chromium 132, Node 22); arrayBuffer() everywhere else.
  const bytes =
    typeof response.bytes === 'function'
      ? await response.bytes()
      : new Uint8Array(await response.arrayBuffer());
  return new BufferedResponse(bytes, response);
}

function noop(): void {}
