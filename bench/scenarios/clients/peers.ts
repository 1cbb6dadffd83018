/**
 * The four peer clients, each as its users would write it: bare fetch; ky 2 with its
 * default retry; a hand-written p-retry loop (retries 5, default backoff); cockatiel 4's
 * wrap(retry, circuitBreaker, timeout). Peers are devDependencies used only here.
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
import type { ClientSpec } from '../types.js';
import { fetchOk } from './http-status.js';

const header = (clientId: string) => ({ 'x-bench-client': clientId });

export const bareFetch: ClientSpec = {
  id: 'fetch',
  label: 'bare fetch',
  config: '`fetch(url)`, no retry; a non-2xx answer fails the call',
  create: ({ origin, clientId }) => ({
    call: (path, signal) => fetchOk(origin + path, header(clientId), signal),
  }),
};

export const kyDefault: ClientSpec = {
  id: 'ky',
  label: 'ky 2 (default retry)',
  config:
    '`ky.create({ headers })`: retry limit 2, 0.3 s·2^n backoff, honours Retry-After on 413/429/503',
  create: ({ origin, clientId }) => {
    const api = ky.create({ headers: header(clientId) });
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
  config: '`pRetry(() => fetch(url), { retries: 5, signal })`: default backoff 1 s·2^n, no jitter',
  create: ({ origin, clientId }) => ({
    call: (path, signal) =>
      pRetry(() => fetchOk(origin + path, header(clientId), signal), { retries: 5, signal }),
  }),
};

export const cockatielWrap: ClientSpec = {
  id: 'cockatiel',
  label: 'cockatiel 4',
  config:
    '`wrap(retry(handleAll, { maxAttempts: 5, backoff: new ExponentialBackoff() }), circuitBreaker(handleAll, { halfOpenAfter: 5 s, breaker: new SamplingBreaker({ threshold: 0.5, duration: 10 s, minimumRps: 5 }) }), timeout(2 s, cooperative))`',
  create: ({ origin, clientId }) => {
    const policy = wrap(
      retry(handleAll, { maxAttempts: 5, backoff: new ExponentialBackoff() }),
      circuitBreaker(handleAll, {
        halfOpenAfter: 5_000,
        breaker: new SamplingBreaker({ threshold: 0.5, duration: 10_000, minimumRps: 5 }),
      }),
      timeout(2_000, TimeoutStrategy.Cooperative),
    );
    return {
      call: (path, signal) =>
        policy.execute((ctx) => fetchOk(origin + path, header(clientId), ctx.signal), signal),
    };
  },
};
