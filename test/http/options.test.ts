/** createClient validates its options once, naming the option in the error. */
import { describe, expect, it } from 'vitest';
import { createClient } from '../../src/http/index.js';

const cases: Array<
  [string, Record<string, unknown>, typeof TypeError | typeof RangeError, string]
> = [
  ['throttle.rate negative', { throttle: { rate: -1 } }, RangeError, '`throttle.rate`'],
  ['throttle.rate not a number', { throttle: { rate: '10' } }, TypeError, '`throttle.rate`'],
  ['throttle.burst below 1', { throttle: { rate: 5, burst: 0 } }, RangeError, '`throttle.burst`'],
  [
    'throttle.adaptive.beta ≥ 1',
    { throttle: { adaptive: { beta: 1.5 } } },
    RangeError,
    '`throttle.adaptive.beta`',
  ],
  ['throttle.pace above 1', { throttle: { pace: 2 } }, RangeError, '`throttle.pace`'],
  [
    'throttle.statusCodes not an array',
    { throttle: { statusCodes: 429 } },
    TypeError,
    '`throttle.statusCodes`',
  ],
  [
    'throttle.statusCodes out of range',
    { throttle: { statusCodes: [429, 999] } },
    RangeError,
    '`throttle.statusCodes[1]`',
  ],
  [
    'fixed throttle without a rate',
    { throttle: { adaptive: false } },
    TypeError,
    '`throttle.rate`',
  ],
  ['retry.limit negative', { retry: -1 }, RangeError, '`retry.limit`'],
  [
    'breaker.consecutiveFailures 0',
    { breaker: { consecutiveFailures: 0 } },
    RangeError,
    '`breaker.consecutiveFailures`',
  ],
  [
    'breaker.consecutiveFailures fractional',
    { breaker: { consecutiveFailures: 2.5 } },
    RangeError,
    '`breaker.consecutiveFailures`',
  ],
  ['retry.limit fractional', { retry: { limit: 1.5 } }, RangeError, '`retry.limit`'],
  ['retry.methods not strings', { retry: { methods: [1] } }, TypeError, '`retry.methods`'],
  [
    'retry.backoff.baseMs negative',
    { retry: { backoff: { baseMs: -5 } } },
    RangeError,
    '`backoff.baseMs`',
  ],
  ['retry.budget.ratio above 1', { retry: { budget: { ratio: 2 } } }, RangeError, '`budget.ratio`'],
  [
    'retry.maxRetryAfterMs negative',
    { retry: { maxRetryAfterMs: -1 } },
    RangeError,
    '`retry.maxRetryAfterMs`',
  ],
  ['timeout zero', { timeout: 0 }, RangeError, '`timeout`'],
  ['timeout too large for a timer', { timeout: 2 ** 31 }, RangeError, '`timeout`'],
  ['totalTimeout a string', { totalTimeout: '5s' }, TypeError, '`totalTimeout`'],
  [
    'breaker.failureRateThreshold 0',
    { breaker: { failureRateThreshold: 0 } },
    RangeError,
    '`breaker.failureRateThreshold`',
  ],
  [
    'breaker.minimumRequests 0',
    { breaker: { minimumRequests: 0 } },
    RangeError,
    '`breaker.minimumRequests`',
  ],
  ['bulkhead.maxConcurrent missing', { bulkhead: {} }, TypeError, '`bulkhead.maxConcurrent`'],
  ['idempotencyKey unknown', { idempotencyKey: 'always' }, TypeError, '`idempotencyKey`'],
  ['fallback not a function', { fallback: 42 }, TypeError, '`fallback`'],
  [
    'staleIfError.maxEntries 0',
    { staleIfError: { maxEntries: 0 } },
    RangeError,
    '`staleIfError.maxEntries`',
  ],
  [
    'alarms.utilization above 1',
    { alarms: { utilization: 1.2 } },
    RangeError,
    '`alarms.utilization`',
  ],
  ['onAlarm not a function', { onAlarm: 'x' }, TypeError, '`onAlarm`'],
  ['bufferBody not a boolean', { bufferBody: 'yes' }, TypeError, '`bufferBody`'],
];

describe('createClient option validation', () => {
  it.each(cases)('%s', (_name, options, kind, named) => {
    expect(() => createClient(options as never)).toThrow(kind);
    expect(() => createClient(options as never)).toThrow(named);
  });

  it('accepts the defaults, `false` switches and shorthands', () => {
    expect(() => createClient()).not.toThrow();
    expect(() =>
      createClient({
        throttle: false,
        retry: false,
        breaker: false,
        bulkhead: false,
        timeout: false,
        totalTimeout: false,
        staleIfError: false,
      }),
    ).not.toThrow();
    expect(() =>
      createClient({
        retry: 3,
        throttle: { rate: 10, burst: 5, adaptive: false },
        bulkhead: { maxConcurrent: 4, queueLimit: Number.POSITIVE_INFINITY },
      }),
    ).not.toThrow();
  });

  it('validates per-request overrides when the request is made', () => {
    const api = createClient({ fetch: async () => new Response('ok') });
    expect(() => api.get('http://x.test/', { timeout: -5 })).toThrow('`timeout`');
    expect(() => api.get('http://x.test/', { retry: { limit: -1 } })).toThrow('`retry.limit`');
  });
});
