import { describe, expect, it } from 'vitest';
import {
  BulkheadRejectedError,
  circuitBreaker,
  DeadlineExceededError,
  manualClock,
  ThrottledError,
} from '../../src/core/index.js';

const fail = () => Promise.reject(new Error('503'));
const ok = () => Promise.resolve('ok');
const abortError = () =>
  Object.assign(new Error('The operation was aborted'), { name: 'AbortError' });

describe('circuitBreaker: a half-open probe closes the circuit only on a real answer', () => {
  const clock = manualClock(1_000_000);
  const halfOpen = async (isFailure?: (e: unknown) => boolean) => {
    const breaker = circuitBreaker({ clock, minimumRequests: 1, resetTimeoutMs: 1000, isFailure });
    await expect(breaker.execute(fail)).rejects.toThrow('503');
    await clock.advance(1000);
    expect(breaker.state).toBe('half-open');
    return breaker;
  };

  it.each([
    ['an aborted probe', abortError()],
    ['a probe refused by the throttle', new ThrottledError(250, 4, 100)],
    ['a probe refused by the bulkhead', new BulkheadRejectedError(1, 0)],
  ])('%s keeps the circuit open for another reset period', async (_, error) => {
    // isFailure says "not a failure" for everything but 503: the probe still has no verdict.
    const breaker = await halfOpen((e) => (e as Error).message === '503');
    await expect(breaker.execute(() => Promise.reject(error))).rejects.toBe(error);
    expect(breaker.state).toBe('open');
    expect(breaker.retryAfterMs).toBe(1000);
    await clock.advance(1000);
    await expect(breaker.execute(ok)).resolves.toBe('ok');
    expect(breaker.state).toBe('closed');
  });

  it('a probe whose signal was aborted (a deadline, any abort reason) has no verdict either', async () => {
    const breaker = await halfOpen((e) => (e as Error).message === '503');
    const controller = new AbortController();
    const reason = new DeadlineExceededError(2000, 2000);
    const probe = breaker.execute(
      ({ signal }) =>
        new Promise<never>((_, reject) =>
          signal.addEventListener('abort', () => reject(signal.reason)),
        ),
      { signal: controller.signal },
    );
    controller.abort(reason);
    await expect(probe).rejects.toBe(reason);
    expect(breaker.state).toBe('open');
    expect(breaker.retryAfterMs).toBe(1000);
  });

  it('a probe answered with an error isFailure excuses (a 429: the server is alive) closes it', async () => {
    const breaker = await halfOpen((e) => (e as Error).message !== '429');
    await expect(breaker.execute(() => Promise.reject(new Error('429')))).rejects.toThrow('429');
    expect(breaker.state).toBe('closed');
  });

  it('a call begun while closed that is aborted after the circuit went half-open does not close it', async () => {
    const breaker = circuitBreaker({ clock, minimumRequests: 2, resetTimeoutMs: 1000 });
    let abortSlow!: () => void;
    const slow = breaker.execute(
      () => new Promise<never>((_, reject) => (abortSlow = () => reject(abortError()))),
    );
    await expect(breaker.execute(fail)).rejects.toThrow();
    await expect(breaker.execute(fail)).rejects.toThrow();
    expect(breaker.state).toBe('open');
    await clock.advance(1000);
    expect(breaker.state).toBe('half-open');
    abortSlow();
    await expect(slow).rejects.toMatchObject({ name: 'AbortError' });
    expect(breaker.state).toBe('half-open');
    await expect(breaker.execute(ok)).resolves.toBe('ok');
    expect(breaker.state).toBe('closed');
  });
});
