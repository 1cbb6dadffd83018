/**
 * The hot-path shortcuts keep the policies' semantics: a closed breaker counts without
 * opossum's fire(), a retry's first attempt runs outside p-retry, and timeout / deadline
 * each hold one child signal and one timer, released when the operation settles.
 */
import { describe, expect, it } from 'vitest';
import {
  circuitBreaker,
  constant,
  deadline,
  isDeadlineExceededError,
  isTimeoutError,
  manualClock,
  pipeline,
  retry,
  type SelfhealEvent,
  timeout,
} from '../../src/core/index.js';

const fail = () => Promise.reject(new Error('503'));
const ok = () => Promise.resolve('ok');

describe('closed breaker fast path', () => {
  it('opens exactly at the threshold on the injected clock, and counts into the window', async () => {
    const clock = manualClock(0);
    const breaker = circuitBreaker({
      clock,
      minimumRequests: 5,
      failureRateThreshold: 0.5,
      windowMs: 1000,
    });
    const events: SelfhealEvent[] = [];
    breaker.onEvent((e) => events.push(e));
    for (let i = 0; i < 3; i++) await breaker.execute(ok);
    await expect(breaker.execute(fail)).rejects.toThrow('503');
    expect(breaker.toJSON()).toMatchObject({ state: 'closed', requests: 4, failures: 1 });
    await expect(breaker.execute(fail)).rejects.toThrow('503');
    await expect(breaker.execute(fail)).rejects.toThrow('503');
    expect(breaker.state).toBe('closed'); // 3 / 6 = 50 %: not above the threshold
    await expect(breaker.execute(fail)).rejects.toThrow('503');
    expect(breaker.state).toBe('open'); // 4 / 7
    expect(events.find((e) => e.type === 'breaker-open')).toMatchObject({
      failureRate: 4 / 7,
      error: { message: '503' },
    });
    const refused = await breaker.execute(ok).catch((e: unknown) => e);
    expect(refused).toMatchObject({ name: 'BrokenCircuitError', state: 'open' });
    breaker.dispose();
  });

  it('forgets counts when the window rolls on the injected clock', async () => {
    const clock = manualClock(0);
    const breaker = circuitBreaker({ clock, minimumRequests: 2, windowMs: 1000 });
    await expect(breaker.execute(fail)).rejects.toThrow();
    await clock.advance(1000);
    expect(breaker.toJSON()).toMatchObject({ requests: 0, failures: 0 });
    await expect(breaker.execute(fail)).rejects.toThrow();
    expect(breaker.state).toBe('closed'); // one failure in this window: below minimumRequests
    breaker.dispose();
  });

  it('errors isFailure rejects count as successes; a synchronous throw counts as a failure', async () => {
    const breaker = circuitBreaker({
      minimumRequests: 2,
      isFailure: (e) => (e as Error).message !== 'not-found',
    });
    await expect(breaker.execute(() => Promise.reject(new Error('not-found')))).rejects.toThrow();
    await expect(breaker.execute(() => Promise.reject(new Error('not-found')))).rejects.toThrow();
    expect(breaker.toJSON()).toMatchObject({ state: 'closed', requests: 2, failures: 0 });
    const boom = () => {
      throw new Error('sync');
    };
    await expect(breaker.execute(boom)).rejects.toThrow('sync');
    await expect(breaker.execute(boom)).rejects.toThrow('sync');
    expect(breaker.toJSON()).toMatchObject({ state: 'closed', requests: 4, failures: 2 });
    await expect(breaker.execute(boom)).rejects.toThrow('sync');
    expect(breaker.toJSON()).toMatchObject({ state: 'open', requests: 5, failures: 3 });
    breaker.dispose();
  });

  it('an in-flight call that began while closed still closes a half-open circuit on success', async () => {
    const clock = manualClock(0);
    const breaker = circuitBreaker({
      clock,
      minimumRequests: 1,
      failureRateThreshold: 0.4,
      resetTimeoutMs: 10,
    });
    let release!: (v: string) => void;
    const slow = breaker.execute(() => new Promise<string>((r) => (release = r)));
    await expect(breaker.execute(fail)).rejects.toThrow();
    expect(breaker.state).toBe('open');
    await clock.advance(10);
    expect(breaker.state).toBe('half-open');
    release('late');
    await expect(slow).resolves.toBe('late');
    expect(breaker.state).toBe('closed');
    breaker.dispose();
  });
});

describe('retry first-attempt fast path', () => {
  it('a first success never sleeps and emits no retry', async () => {
    const clock = manualClock();
    const policy = retry({ limit: 3, backoff: constant(10), clock });
    const events: SelfhealEvent[] = [];
    policy.onEvent((e) => events.push(e));
    const seen: number[] = [];
    await expect(
      policy.execute(({ attempt }) => {
        seen.push(attempt);
        return 'ok';
      }),
    ).resolves.toBe('ok');
    expect(seen).toEqual([1]);
    expect(events).toEqual([]);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('after a first failure the attempts, delays and events are those of the loop', async () => {
    const clock = manualClock();
    const policy = retry({ limit: 2, backoff: constant(10), clock });
    const retries: number[] = [];
    policy.on('retry', (e) => retries.push(e.attempt));
    const seen: number[] = [];
    const run = policy.execute(({ attempt }) => {
      seen.push(attempt);
      return attempt < 3 ? Promise.reject(new Error(`fail ${attempt}`)) : 'third';
    });
    await clock.advance(10);
    await clock.advance(10);
    await expect(run).resolves.toBe('third');
    expect(seen).toEqual([1, 2, 3]);
    expect(retries).toEqual([1, 2]);
  });

  it('limit 0 rethrows the first failure unchanged; a non-network TypeError is not retried', async () => {
    const error = new Error('once');
    await expect(retry({ limit: 0 }).execute(() => Promise.reject(error))).rejects.toBe(error);
    const bug = new TypeError('x is not a function');
    let calls = 0;
    const run = retry({ limit: 3, backoff: constant(0) }).execute(() => {
      calls++;
      throw bug;
    });
    await expect(run).rejects.toBe(bug);
    expect(calls).toBe(1);
  });

  it('an abort before the first attempt, or during it, rejects with the reason', async () => {
    const before = new AbortController();
    before.abort(new Error('gone'));
    const fn = () => 'never';
    await expect(retry().execute(fn, { signal: before.signal })).rejects.toThrow('gone');
    const during = new AbortController();
    const run = retry({ limit: 3 }).execute(
      async () => {
        during.abort(new Error('stop'));
        return 'too late';
      },
      { signal: during.signal },
    );
    await expect(run).rejects.toThrow('stop');
  });
});

describe('timeout inside a deadline', () => {
  const setup = (attemptMs: number, totalMs: number) => {
    const clock = manualClock();
    const policy = pipeline(deadline(totalMs, { clock }), timeout(attemptMs, { clock }));
    const signals: AbortSignal[] = [];
    const run = policy
      .execute(({ signal }) => {
        signals.push(signal);
        return new Promise(() => undefined);
      })
      .catch((e: unknown) => e);
    return { clock, run, signals };
  };

  it('raises DeadlineExceededError when the deadline comes first, and leaves no timer', async () => {
    const { clock, run, signals } = setup(100, 50);
    await clock.advance(50);
    const error = await run;
    expect(isDeadlineExceededError(error)).toBe(true);
    expect(signals[0]?.aborted).toBe(true);
    await clock.advance(100);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('raises TimeoutError when the attempt limit comes first, and leaves no timer', async () => {
    const { clock, run, signals } = setup(50, 100);
    await clock.advance(50);
    const error = await run;
    expect(isTimeoutError(error)).toBe(true);
    expect(signals[0]?.reason).toBe(error);
    await clock.advance(50);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('a settled operation cancels both timers and unlinks from the caller signal', async () => {
    const clock = manualClock();
    const policy = pipeline(deadline(100, { clock }), timeout(50, { clock }));
    const controller = new AbortController();
    let listeners = 0;
    const add = controller.signal.addEventListener.bind(controller.signal);
    const remove = controller.signal.removeEventListener.bind(controller.signal);
    controller.signal.addEventListener = ((...args: Parameters<typeof add>) => {
      listeners++;
      add(...args);
    }) as typeof add;
    controller.signal.removeEventListener = ((...args: Parameters<typeof remove>) => {
      listeners--;
      remove(...args);
    }) as typeof remove;
    await expect(policy.execute(() => 'done', { signal: controller.signal })).resolves.toBe('done');
    expect(clock.pendingTimers()).toBe(0);
    expect(listeners).toBe(0);
  });
});
