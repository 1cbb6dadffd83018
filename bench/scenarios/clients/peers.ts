/**
 * The four peer clients, each as its users would write it: bare fetch; ky 2 with its
 * default retry; a hand-written p-retry loop (retries 5, default backoff); cockatiel 4's
 * wrap(retry, circuitBreaker, timeout). When a scenario asks for a total timeout, a
 * per-attempt timeout or a retry limit, each sets it its own way (ky's options; an
 * `AbortSignal.timeout` for the others). Peers are devDependencies used only here.
 */
import {
  circuitBreaker,
  ExponentialBackoff,
  handleAll,
  retry,
  SamplingBreaker,
  TimeoutStrategy,
  timeout,
  wrap,
} from 'cockatiel';
import ky from 'ky';
import pRetry from 'p-retry';
import type { ClientContext, ClientSpec } from '../types.js';
import { fetchOk } from './http-status.js';

const header = (clientId: string) => ({ 'x-bench-client': clientId });

/** The caller's signal, cut short by the timeouts given (how fetch users bound a call). */
function bounded(signal: AbortSignal, ...timeoutsMs: Array<number | undefined>): AbortSignal {
  const timers = timeoutsMs.filter((t) => t !== undefined).map((t) => AbortSignal.timeout(t));
  return timers.length ? AbortSignal.any([signal, ...timers]) : signal;
}

export const bareFetch: ClientSpec = {
  id: 'fetch',
  label: 'bare fetch',
  config:
    '`fetch(url, { signal })`, no retry; a non-2xx answer fails the call; the scenario’s total or attempt timeout as `AbortSignal.timeout`',
  create: ({ origin, clientId, totalTimeoutMs, attemptTimeoutMs }) => ({
    call: (path, signal) =>
      fetchOk(origin + path, header(clientId), bounded(signal, totalTimeoutMs, attemptTimeoutMs)),
  }),
};

export const kyDefault: ClientSpec = {
  id: 'ky',
  label: 'ky 2 (default retry)',
  config:
    '`ky.create({ headers })`: retry limit 2, 0.3 s·2^n backoff, honours Retry-After on 413/429/503; the scenario’s `retry.limit`, `timeout`, `totalTimeout`',
  create: ({ origin, clientId, totalTimeoutMs, attemptTimeoutMs, retryLimit }) => {
    const api = ky.create({
      headers: header(clientId),
      ...(retryLimit !== undefined && { retry: { limit: retryLimit } }),
      ...(attemptTimeoutMs !== undefined && { timeout: attemptTimeoutMs }),
      ...(totalTimeoutMs !== undefined && { totalTimeout: totalTimeoutMs }),
    });
    return {
      async call(path, signal) {
        await api.get(origin + path, { signal }).arrayBuffer();
      },
    };
  },
};

export const pRetryLoop: ClientSpec = {
  id: 'p-retry',
  label: 'p-retry loop',
  config:
    '`pRetry(() => fetch(url), { retries: 5, signal })`: default backoff 1 s·2^n, no jitter; the scenario’s retry limit as `retries`, its timeouts as `AbortSignal.timeout` (total: on the loop, attempt: on each fetch)',
  create: ({ origin, clientId, totalTimeoutMs, attemptTimeoutMs, retryLimit }) => ({
    call: (path, signal) => {
      const whole = bounded(signal, totalTimeoutMs);
      return pRetry(
        () => fetchOk(origin + path, header(clientId), bounded(whole, attemptTimeoutMs)),
        { retries: retryLimit ?? 5, signal: whole },
      );
    },
  }),
};

function cockatielPolicy(ctx: ClientContext) {
  return wrap(
    retry(handleAll, { maxAttempts: ctx.retryLimit ?? 5, backoff: new ExponentialBackoff() }),
    circuitBreaker(handleAll, {
      halfOpenAfter: 5_000,
      breaker: new SamplingBreaker({ threshold: 0.5, duration: 10_000, minimumRps: 5 }),
    }),
    timeout(ctx.attemptTimeoutMs ?? 2_000, TimeoutStrategy.Cooperative),
  );
}

export const cockatielWrap: ClientSpec = {
  id: 'cockatiel',
  label: 'cockatiel 4',
  config:
    '`wrap(retry(handleAll, { maxAttempts: 5, backoff: new ExponentialBackoff() }), circuitBreaker(handleAll, { halfOpenAfter: 5 s, breaker: new SamplingBreaker({ threshold: 0.5, duration: 10 s, minimumRps: 5 }) }), timeout(2 s, cooperative))`; the scenario’s retry limit as `maxAttempts`, attempt timeout in `timeout()`, total timeout as `AbortSignal.timeout` on `execute`',
  create: (ctx) => {
    const policy = cockatielPolicy(ctx);
    return {
      call: (path, signal) =>
        policy.execute(
          (c) => fetchOk(ctx.origin + path, header(ctx.clientId), c.signal),
          bounded(signal, ctx.totalTimeoutMs),
        ),
    };
  },
};
