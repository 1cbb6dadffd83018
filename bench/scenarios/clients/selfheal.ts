/**
 * selfheal's two clients: `createClient()` with its defaults, and a tuned configuration,
 * documented here and in the report.
 */
import { createClient, type ResilienceOptions } from '../../../src/http/index.js';
import type { ClientContext, ClientSpec } from '../types.js';

/**
 * The tuned configuration, as a user who knows the provider would write it: the
 * documented limit when there is one (else the quota headers and the adaptive rate
 * decide), a short wait for a token before shedding; 503 means "down" at this provider,
 * not "slow down", so only 429 feeds the adaptive rate; retries sized for a 20 % error
 * rate, bounded by the breaker and the deadline rather than a budget; a breaker with a
 * short window that trips within a few requests of an outage and probes every second;
 * and the caller's deadline as totalTimeout, so a request waits for the half-open probe
 * instead of failing.
 */
export function tunedOptions(ctx: ClientContext): ResilienceOptions {
  return {
    throttle: {
      ...(ctx.capacity && {
        rate: ctx.capacity,
        burst: Math.max(1, Math.floor(ctx.capacity / 20)),
      }),
      maxWaitMs: 500,
      statusCodes: [429],
    },
    retry: { limit: 4, backoff: { baseMs: 50, maxMs: 2_000, jitter: 'full' }, budget: false },
    breaker: {
      failureRateThreshold: 0.5,
      minimumRequests: 5,
      windowMs: 250,
      resetTimeoutMs: 1_000,
    },
    timeout: 2_000,
    totalTimeout: ctx.deadlineMs,
  };
}

const shown = tunedOptions({ origin: '', clientId: '', capacity: 100, deadlineMs: 10_000 });
const TUNED_DOC =
  `\`createClient(${JSON.stringify(shown)})\` — throttle.rate and burst only when the scenario ` +
  'documents its capacity (100 shown), totalTimeout = the caller’s deadline';

/** What the scenario asks every client to set, as selfheal's options. */
function scenarioSettings(ctx: ClientContext, base: ResilienceOptions): ResilienceOptions {
  const retry = typeof base.retry === 'object' && base.retry ? base.retry : {};
  return {
    ...base,
    ...(ctx.retryLimit !== undefined && { retry: { ...retry, limit: ctx.retryLimit } }),
    ...(ctx.attemptTimeoutMs !== undefined && { timeout: ctx.attemptTimeoutMs }),
    ...(ctx.totalTimeoutMs !== undefined && { totalTimeout: ctx.totalTimeoutMs }),
  };
}

function spec(
  id: string,
  label: string,
  config: string,
  options: (ctx: ClientContext) => ResilienceOptions,
): ClientSpec {
  return {
    id,
    label,
    config,
    create: (ctx) => {
      const api = createClient({
        headers: { 'x-bench-client': ctx.clientId },
        ...scenarioSettings(ctx, options(ctx)),
      });
      return {
        async call(path, signal) {
          await api.get(ctx.origin + path, { signal }).arrayBuffer();
        },
        diagnostics: () => api.health().origins[ctx.origin],
      };
    },
  };
}

const SETTINGS_DOC = '; the scenario’s retry limit, `timeout` and `totalTimeout` when it sets them';

export const selfhealDefaults = spec(
  'selfheal',
  'selfheal (defaults)',
  `\`createClient({ headers })\`: every default${SETTINGS_DOC}`,
  () => ({}),
);
export const selfhealTuned = spec(
  'selfheal-tuned',
  'selfheal (tuned)',
  TUNED_DOC + SETTINGS_DOC,
  tunedOptions,
);
/** The rate limit a user read in the provider's docs, and nothing else (the limiter scenarios). */
export const selfhealRate = spec(
  'selfheal-rate',
  'selfheal (throttle.rate = the limit)',
  `\`createClient({ headers, throttle: { rate: <the documented limit> } })\`, every other default${SETTINGS_DOC}`,
  (ctx) => (ctx.capacity ? { throttle: { rate: ctx.capacity } } : {}),
);
