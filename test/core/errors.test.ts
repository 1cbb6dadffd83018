import { describe, expect, it } from 'vitest';
import {
  BodyTooLargeError,
  BrokenCircuitError,
  BulkheadRejectedError,
  DeadlineExceededError,
  isBodyTooLargeError,
  isBrokenCircuitError,
  isBulkheadRejectedError,
  isDeadlineExceededError,
  isPoolSaturatedError,
  isQuotaExhaustedError,
  isRetryBudgetExhaustedError,
  isSelfhealError,
  isThrottledError,
  isTimeoutError,
  PoolSaturatedError,
  QuotaExhaustedError,
  RetryBudgetExhaustedError,
  SelfhealError,
  ThrottledError,
  TimeoutError,
} from '../../src/core/index.js';

describe('errors', () => {
  const cause = new Error('upstream 503');
  const cases = [
    [
      new ThrottledError(250, 5, 100),
      'ThrottledError',
      isThrottledError,
      { retryAfterMs: 250, rate: 5 },
    ],
    [
      new RetryBudgetExhaustedError(2, 10, cause),
      'RetryBudgetExhaustedError',
      isRetryBudgetExhaustedError,
      { attempts: 2, retriesAllowed: 10, cause },
    ],
    [
      new BrokenCircuitError('open', 1500, cause),
      'BrokenCircuitError',
      isBrokenCircuitError,
      { retryAfterMs: 1500, state: 'open', cause },
    ],
    [new TimeoutError(300), 'TimeoutError', isTimeoutError, { timeoutMs: 300 }],
    [
      new DeadlineExceededError(1000, 1002),
      'DeadlineExceededError',
      isDeadlineExceededError,
      { deadlineMs: 1000, elapsedMs: 1002 },
    ],
    [
      new BulkheadRejectedError(4, 8),
      'BulkheadRejectedError',
      isBulkheadRejectedError,
      { maxConcurrent: 4, queueLimit: 8 },
    ],
    [
      new PoolSaturatedError(
        { reason: 'timeout', inUse: 10, waiting: 490, limit: 10, waitedMs: 10_000 },
        { cause },
      ),
      'PoolSaturatedError',
      isPoolSaturatedError,
      { reason: 'timeout', inUse: 10, waiting: 490, limit: 10, waitedMs: 10_000, cause },
    ],
    [
      new BodyTooLargeError(1000, 'https://a.test', 5000, true),
      'BodyTooLargeError',
      isBodyTooLargeError,
      { limit: 1000, origin: 'https://a.test', bytes: 5000 },
    ],
    [
      new QuotaExhaustedError('https://a.test', 60_010, 1999.6),
      'QuotaExhaustedError',
      isQuotaExhaustedError,
      { origin: 'https://a.test', retryAfterMs: 60_010, remainingMs: 1999.6 },
    ],
  ] as const;

  it.each(cases)('%s has a stable name, its figures, and a guard', (error, name, guard, fields) => {
    expect(error).toBeInstanceOf(SelfhealError);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe(name);
    expect(error).toMatchObject(fields);
    expect(error.message.length).toBeGreaterThan(10);
    expect(isSelfhealError(error)).toBe(true);
    expect(guard(error)).toBe(true);
    expect(String(error.stack)).toContain(name);
  });

  it('guards reject other errors and other selfheal errors', () => {
    expect(isSelfhealError(new Error('x'))).toBe(false);
    expect(isSelfhealError(null)).toBe(false);
    expect(isSelfhealError({ name: 'ThrottledError' })).toBe(false);
    expect(isThrottledError(new TimeoutError(1))).toBe(false);
  });

  it('guards work on an error from another copy of the package (marker, not prototype)', () => {
    const foreign = Object.assign(new Error('from another realm'), {
      name: 'TimeoutError',
      timeoutMs: 5,
    });
    Object.defineProperty(foreign, Symbol.for('selfheal.error'), { value: true });
    expect(foreign).not.toBeInstanceOf(SelfhealError);
    expect(isTimeoutError(foreign)).toBe(true);
  });

  it('messages carry the numbers a person needs', () => {
    expect(new ThrottledError(249.2, 5, 100).message).toMatch(/250 ms.*rate 5\/s.*maxWaitMs 100/);
    expect(new BrokenCircuitError('open', 1500).message).toContain('1500 ms');
    expect(new BulkheadRejectedError(4, 8).message).toContain('4 running and 8 queued');
    const figures = { inUse: 10, waiting: 490, limit: 10, waitedMs: 10_000.4 };
    expect(new PoolSaturatedError({ reason: 'timeout', ...figures }).message).toBe(
      'Pool saturated: no connection within 10000 ms (10 in use of 10 connections, 490 waiting)',
    );
    expect(
      new PoolSaturatedError({ reason: 'queue-full', ...figures, of: 'fleet slots' }).message,
    ).toBe('Pool saturated: the wait queue is full (10 in use of 10 fleet slots, 490 waiting)');
    expect(new PoolSaturatedError({ reason: 'shed', ...figures, waitedMs: 12 }).message).toContain(
      'shed for higher-priority work after 12 ms',
    );
    expect(new QuotaExhaustedError('https://a.test', 60_010, 1999.6).message).toBe(
      'Quota of https://a.test is spent until it resets in 60 s, after the deadline (2000 ms left): not sent',
    );
    expect(new QuotaExhaustedError('https://a.test', 450.2, 100).message).toContain(
      'resets in 451 ms',
    );
    expect(new BodyTooLargeError(10, 'https://a.test', 11, false).message).toBe(
      'Response body from https://a.test passed maxBodyBytes (10): cancelled after 11 bytes',
    );
  });
});
