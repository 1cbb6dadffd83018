/**
 * The second opening strategy: `consecutiveFailures` in a row open the circuit whatever
 * the window holds. An answer breaks the run; a call with no verdict leaves it alone.
 */
import { describe, expect, it } from 'vitest';
import {
  BulkheadRejectedError,
  circuitBreaker,
  manualClock,
  type SelfhealEvent,
  ThrottledError,
} from '../../src/core/index.js';

const fail = () => Promise.reject(new Error('503'));
const ok = () => Promise.resolve('ok');
const rejectWith = (error: unknown) => () => Promise.reject(error);

describe('circuitBreaker: consecutiveFailures', () => {
  it('opens after N failures in a row even when the window is full of successes', async () => {
    const breaker = circuitBreaker({ clock: manualClock(0), consecutiveFailures: 5 });
    const events: SelfhealEvent[] = [];
    breaker.onEvent((e) => events.push(e));
    for (let i = 0; i < 100; i++) await breaker.execute(ok);
    for (let i = 0; i < 4; i++) await expect(breaker.execute(fail)).rejects.toThrow('503');
    expect(breaker.state).toBe('closed');
    await expect(breaker.execute(fail)).rejects.toThrow('503');
    expect(breaker.state).toBe('open');
    expect(breaker.toJSON()).toMatchObject({ requests: 105, failures: 5 });
    expect(events.filter((e) => e.type === 'breaker-open')).toMatchObject([
      { reason: 'consecutive-failures', failureRate: 5 / 105, retryAfterMs: 1000 },
    ]);
  });

  it('a success, or an error isFailure excuses, breaks the run', async () => {
    const breaker = circuitBreaker({
      clock: manualClock(0),
      consecutiveFailures: 3,
      minimumRequests: 1000,
      isFailure: (e) => (e as Error).message !== '429',
    });
    for (const answer of [ok, rejectWith(new Error('429'))]) {
      for (let i = 0; i < 2; i++) await expect(breaker.execute(fail)).rejects.toThrow();
      await breaker.execute(answer).catch(() => undefined);
    }
    for (let i = 0; i < 2; i++) await expect(breaker.execute(fail)).rejects.toThrow();
    expect(breaker.state).toBe('closed');
    await expect(breaker.execute(fail)).rejects.toThrow();
    expect(breaker.state).toBe('open');
  });

  it('a call with no verdict (an abort, a local refusal) leaves the run alone', async () => {
    const breaker = circuitBreaker({
      clock: manualClock(0),
      consecutiveFailures: 3,
      minimumRequests: 1000,
      isFailure: (e) => (e as Error).message === '503',
    });
    const controller = new AbortController();
    controller.abort(new Error('the caller left'));
    await expect(breaker.execute(fail)).rejects.toThrow();
    await expect(breaker.execute(fail)).rejects.toThrow();
    for (const error of [
      Object.assign(new Error('aborted'), { name: 'AbortError' }),
      new ThrottledError(100, 1, 50),
      new BulkheadRejectedError(1, 0),
    ])
      await expect(breaker.execute(rejectWith(error))).rejects.toBe(error);
    // Any error of a call whose signal aborted says nothing about the server either.
    await expect(
      breaker.execute(rejectWith(new Error('cancelled')), { signal: controller.signal }),
    ).rejects.toThrow('cancelled');
    expect(breaker.state).toBe('closed');
    await expect(breaker.execute(fail)).rejects.toThrow();
    expect(breaker.state).toBe('open');
  });

  it('the failure rate opens first when both rules hold; Infinity (the default) turns the run off', async () => {
    const both = circuitBreaker({
      clock: manualClock(0),
      consecutiveFailures: 4,
      minimumRequests: 4,
    });
    const reasons: string[] = [];
    both.on('breaker-open', (e) => reasons.push(e.reason));
    for (let i = 0; i < 4; i++) await expect(both.execute(fail)).rejects.toThrow();
    expect(reasons).toEqual(['failure-rate']);

    const off = circuitBreaker({ clock: manualClock(0), minimumRequests: 1000 });
    for (let i = 0; i < 200; i++) await expect(off.execute(fail)).rejects.toThrow();
    expect(off.state).toBe('closed');
  });

  it('the run goes on across a failed probe, and a successful probe ends it', async () => {
    const clock = manualClock(0);
    const breaker = circuitBreaker({ clock, consecutiveFailures: 3, minimumRequests: 1000 });
    const reasons: string[] = [];
    breaker.on('breaker-open', (e) => reasons.push(e.reason));
    for (let i = 0; i < 3; i++) await expect(breaker.execute(fail)).rejects.toThrow();
    await clock.advance(1000);
    await expect(breaker.execute(fail)).rejects.toThrow('503'); // the probe fails
    await clock.advance(1000);
    await expect(breaker.execute(ok)).resolves.toBe('ok'); // the probe succeeds
    for (let i = 0; i < 2; i++) await expect(breaker.execute(fail)).rejects.toThrow();
    expect(breaker.state).toBe('closed');
    await expect(breaker.execute(fail)).rejects.toThrow();
    expect(reasons).toEqual(['consecutive-failures', 'probe-failed', 'consecutive-failures']);
    breaker.open();
    expect(reasons.at(-1)).toBe('consecutive-failures'); // already open: open() is a no-op
    breaker.close();
    breaker.open();
    expect(reasons.at(-1)).toBe('forced');
  });
});
